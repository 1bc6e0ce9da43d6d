"""Issuing and printing circulars (印发党务公开信息) [SPEC 12].

``dangwu circular ID...`` takes records published on the circular channel, gives
them the office's next 发文字号 of the year, commits the circular's file (what it
carries: each record and the content it was approved with) and prints it as a
GB/T 9704 document, PDF or DOCX. Naming an issued circular's number with the
same records prints it again, as it was; a number is never given twice and
never skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dangwu import clock
from dangwu.app import printing
from dangwu.errors import RecordNotFound, RuleViolation, UsageError
from dangwu.i18n import _
from dangwu.model.circular import CIRCULAR_CODE, Circular
from dangwu.model.history import Trailer
from dangwu.model.words import one_of, suggest
from dangwu.render import circular as render
from dangwu.render.sheets import blot, blot_record
from dangwu.rules import board as board_rules
from dangwu.rules import circular as rules
from dangwu.store import circulars as stored
from dangwu.store import snapshot
from dangwu.store.acting import acting, message
from dangwu.store.gitstore import GitStore
from dangwu.store.office import Office

FORMATS = ("pdf", "docx")
FOLDER = "circulars"  # under printed/


@dataclass
class Issued:
    circular: Circular
    label: str
    commit: str  # the commit that issued it
    code: str  # its verification code
    path: Path  # the printed file
    reprinted: bool
    missing: list[str] = field(default_factory=list)  # characters no font draws


def issue(
    office: Office,
    ids: list[str],
    *,
    number: str | None = None,
    title: str | None = None,
    fmt: str = "pdf",
    out: Path | None = None,
) -> Issued:
    """Issue a circular of ``ids`` (or print again the one ``number`` names)."""
    fmt = one_of("--format", fmt, FORMATS)
    if not ids:
        raise UsageError(_("name at least one record"))
    printing.refuse_unwritable(out, office.root / printing.PRINTED / FOLDER)
    with acting(office, "circular") as act:
        settings = act.settings
        prefix = settings.circular_prefix
        snap = snapshot.at(office, act.store, act.head)
        by_id = {s.id: s for s in snap.summaries()}
        chosen = []
        for ref in ids:
            summary = by_id.get(ref.strip().upper())
            if summary is None:
                raise RecordNotFound(
                    _("there is no record {id}").format(id=ref),
                    hint=suggest(ref, list(by_id)),
                )
            chosen.append(summary)
        said = rules.unfit(chosen)
        if said:
            raise RuleViolation(said[0], rule="circular")
        carried = tuple((s.id, s.content) for s in chosen)
        year = act.when.year
        issued = {n: c for (y, n), c in stored.at(act.store, act.head).items() if y == year}
        asked = rules.read_label(number, prefix) if number else None
        chosen_number, before = rules.choose_number(year, issued, carried, asked, prefix)
        if before is not None:
            circular = before
            commit = act.store.added_by(act.head, before.path) or act.head
        else:
            if len(chosen) == 1:
                heading = title or chosen[0].title
            else:
                heading = title or render.DEFAULT_TITLE
            # the title is printed, kept in the file and in the commit's message: a
            # reporter named in a record's title is blotted out there too [SPEC 11]
            heading = blot(snap, heading)
            circular = Circular(
                year=year,
                number=chosen_number,
                title=_one_line(heading),
                to=settings.circular_to,
                records=carried,
                issued=act.when.date(),
                by=act.actor.key,
                at=act.when.isoformat(),
            )
            label = rules.label(prefix, year, chosen_number)
            commit = act.commit(
                {circular.path: stored.text(circular, label).encode("utf-8")},
                message(
                    "circular",
                    f"{label} {circular.title}",
                    actor=act.actor,
                    body=[" ".join(i for i, _c in carried)],
                    extra=[(Trailer.CIRCULAR, label)],
                ),
            )
        label = rules.label(prefix, circular.year, circular.number)
        # a new circular's commit adds its file and nothing else: the records it carries
        # read as they do at the head it was issued on (no second snapshot needed)
        texts = _texts(snap, circular) if before is None else None
    if texts is None:  # printed again: the records as they were when it was issued
        with GitStore(office.root, office.state_dir) as git:
            texts = _texts(snapshot.at(office, git, commit), circular)
    code = code_of(circular, commit)
    page = render.Document(settings, circular, label, texts, code)
    name = f"{circular.year}-{circular.number:03d}.{fmt}"
    folder = out if out is not None else office.root / printing.PRINTED / FOLDER
    target = out if out is not None and out.suffix else printing.place_in(folder, name)
    missing = render.write(page, target, fmt, when=clock.now(clock.office_zone(settings.timezone)))
    return Issued(circular, label, commit, code, target, before is not None, missing)


def code_of(circular: Circular, commit: str) -> str:
    """A circular's verification code: the commit that issued it, its number, its day."""
    code = board_rules.Code(commit[:8], "internal", CIRCULAR_CODE, circular.number, circular.issued)
    return code.text(circular.content_key(), commit)


def as_issued(office: Office, git: GitStore, circular: Circular, head: str) -> render.Document:
    """An issued circular as it was printed: its records as they read at the commit
    that issued it, under the settings of that commit."""
    commit = git.added_by(head, circular.path) or head
    then = snapshot.at(office, git, commit)
    label = rules.label(then.settings.circular_prefix, circular.year, circular.number)
    return render.Document(
        then.settings, circular, label, _texts(then, circular), code_of(circular, commit)
    )


def _texts(then: snapshot.Snapshot, circular: Circular) -> list[dict[str, Any]]:
    """The records as the circular carried them, reporters blotted out as on all paper."""
    by_id = {s.id: s for s in then.summaries()}
    paths = [by_id[i].path for i, _c in circular.records if i in by_id]
    read = then.records(paths)
    sensitive = then.sensitive()
    texts = []
    for record_id, _content in circular.records:
        summary = by_id.get(record_id)
        data = read.get(summary.path, {}) if summary else {}
        texts.append(blot_record(data, sensitive) if sensitive else dict(data))
    return texts


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    if not line or len(line) > 80:
        raise UsageError(_("--title must be one line of at most 80 characters"))
    return line
