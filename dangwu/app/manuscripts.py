"""A manuscript (稿件) for the newspaper the office publishes in [SPEC 12, seed 三(一)].

``dangwu manuscript ID`` takes a record published on the newspaper channel and
writes it out as an editor expects a submission: to whom (the paper's editors),
the title, the lead (the record's summary), the text, and at the foot the unit,
the contact, the day and the length in characters; with a verification code the
editor (or anyone) can check against the office. Nothing is committed: the
record's own publication is the fact; the manuscript is what carries it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dangwu import clock
from dangwu.app import printing
from dangwu.errors import RecordNotFound, RuleViolation
from dangwu.i18n import _
from dangwu.model.record import Summary
from dangwu.model.words import one_of, suggest
from dangwu.render import manuscript as render
from dangwu.render.sheets import blot_record
from dangwu.rules import board as board_rules
from dangwu.store import snapshot
from dangwu.store.gitstore import GitStore
from dangwu.store.office import Office

FORMATS = ("docx", "txt")
CHANNEL = "newspaper"
FOLDER = "manuscripts"  # under printed/
MARK = "G"  # a manuscript's code carries G and the record's category: GZD


@dataclass
class Written:
    record: str
    paper: str
    commit: str
    code: str
    path: Path


def write(office: Office, record_id: str, *, fmt: str = "docx", out: Path | None = None) -> Written:
    """The manuscript of ``record_id`` as DOCX or plain text."""
    fmt = one_of("--format", fmt, FORMATS)
    with GitStore(office.root, office.state_dir) as git:
        snap = snapshot.at(office, git)
        by_id = {s.id: s for s in snap.summaries()}
        summary = by_id.get(record_id.strip().upper())
        if summary is None:
            raise RecordNotFound(
                _("there is no record {id}").format(id=record_id),
                hint=suggest(record_id, list(by_id)),
            )
        if summary.status != "published" or CHANNEL not in summary.published_channels:
            raise RuleViolation(
                _("{id} was not published on the newspaper channel").format(id=summary.id),
                rule="manuscript",
            )
        data = snap.records([summary.path]).get(summary.path, {})
        sensitive = snap.sensitive()
        text = blot_record(data, sensitive) if sensitive else dict(data)
        settings = snap.settings
        commit = snap.commit
    today = clock.today(clock.office_zone(settings.timezone))
    paper = settings.channels.get(CHANNEL) or _("the newspaper")
    code = code_of(summary, paper, settings.unit, commit, today)
    page = render.Manuscript(
        paper=paper,
        unit=settings.unit,
        contact=settings.contact,
        title=str(text.get("title") or summary.title),
        lead=str(text.get("summary") or ""),
        body=str(text.get("body") or ""),
        day=today,
        code=code,
    )
    name = f"{summary.id}.{fmt}"
    folder = out if out is not None else office.root / printing.PRINTED / FOLDER
    target = out if out is not None and out.suffix else printing.place_in(folder, name)
    render.write(page, target, fmt)
    return Written(summary.id, paper, commit, code, target)


def content_key(summary: Summary, paper: str, unit: str) -> str:
    """What a manuscript shows, hashed: the record's approved content, the paper, the unit."""
    shown = [summary.id, summary.content, paper, unit]
    return hashlib.sha256(json.dumps(shown, ensure_ascii=False).encode("utf-8")).hexdigest()


def _code(summary: Summary, commit: str, day: Any) -> board_rules.Code:
    category = summary.id.split("-", 1)[0]
    number = int(summary.id.rsplit("-", 1)[-1]) % 1000
    return board_rules.Code(commit[:8], "public", f"{MARK}{category}", number, day)


def code_of(summary: Summary, paper: str, unit: str, commit: str, day: Any) -> str:
    return _code(summary, commit, day).text(content_key(summary, paper, unit), commit)


def named(code: board_rules.Code, summaries: list[Summary]) -> list[Summary]:
    """The records a manuscript's code may name: of its category, numbered alike."""
    category = code.category_code.removeprefix(MARK)
    return [
        s
        for s in summaries
        if s.id.split("-", 1)[0] == category and int(s.id.rsplit("-", 1)[-1]) % 1000 == code.page
    ]
