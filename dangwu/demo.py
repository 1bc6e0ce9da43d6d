"""The sample office, replayed: ``dangwu demo DIR`` builds a working office repository.

The shipped sample (dangwu.yaml and records/) is committed step by step by the
people of its roster, on the dates the records imply, exactly as the office
would have done it with dangwu: first the settings and roster, then each
record drafted by the clerk.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from dangwu import clock, records, yamlio
from dangwu.errors import UsageError
from dangwu.gitstore import GitStore, Identity, init_repository
from dangwu.i18n import _
from dangwu.office import SETTINGS_FILE, Office, Person, parse_settings
from dangwu.resources import shipped

YEAR_START = date(2026, 1, 5)


@dataclass
class Built:
    root: Path
    unit: str
    records: list[str] = field(default_factory=list)
    commits: int = 0


@contextlib.contextmanager
def as_person(person: Person, when: datetime) -> Iterator[None]:
    """Act as a roster person at a moment: what their own git and clock would say."""
    saved = {k: os.environ.get(k) for k in ("GIT_AUTHOR_EMAIL", "GIT_AUTHOR_NAME", "DANGWU_NOW")}
    os.environ["GIT_AUTHOR_EMAIL"] = person.email
    os.environ["GIT_AUTHOR_NAME"] = person.name
    os.environ["DANGWU_NOW"] = when.isoformat()
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def sample_records() -> list[dict[str, Any]]:
    base = shipped("records")
    found = []
    for relpath in records.record_files(base.parent):
        path = base.parent / relpath
        if relpath.endswith(".yaml"):
            found.append(yamlio.load(yamlio.decode(path.read_bytes())).data)
    return found


def drafted_on(record: dict[str, Any]) -> datetime:
    """When the clerk drafted a sample record: early in the month after a quarterly
    record's quarter, else the day after the matter's date."""
    period = record.get("period")
    if isinstance(period, str):
        year, quarter = int(period[:4]), int(period[-1])
        first = date(year, quarter * 3, 1) + timedelta(days=32)
        day = first.replace(day=3)
    elif isinstance(record.get("event_date"), str):
        day = date.fromisoformat(record["event_date"]) + timedelta(days=1)
    else:
        day = YEAR_START
    return datetime.combine(day, time(9, 30), clock.CHINA)


def _clerk(roster: dict[str, Person]) -> Person:
    for person in roster.values():
        if "clerk" in person.roles:
            return person
    raise UsageError(_("the sample roster has no clerk"))


def build(target: Path) -> Built:
    from dangwu import drafting

    root = target.absolute()
    if root.exists() and any(root.iterdir()):
        raise UsageError(
            _("{path} is not empty; give a new folder for the demo office").format(path=root)
        )
    settings_text = shipped(SETTINGS_FILE).read_text(encoding="utf-8")
    settings = parse_settings(settings_text)
    head = next(p for p in settings.roster.values() if "office-head" in p.roles)
    init_repository(root)
    office = Office(root)
    built = Built(root, settings.unit)
    with GitStore(root, office.state_dir) as store, store.writing():
        when = datetime.combine(YEAR_START - timedelta(days=3), time(9, 0), clock.CHINA)
        from dangwu.acting import message

        store.make_root_commit(
            {SETTINGS_FILE: settings_text.encode("utf-8")},
            message("init", settings.unit, actor=head),
            author=Identity(head.name, head.email),
            when=when,
        )
        built.commits += 1
    clerk = _clerk(dict(settings.roster))
    samples = sample_records()
    plan = sorted(
        ((drafted_on(r), r) for r in samples),
        key=lambda pair: (pair[0], str(pair[1].get("id"))),
    )
    minted: dict[str, str] = {}
    for when, sample in plan:
        with as_person(clerk, when):
            spec = drafting.NewRecord(
                category=sample["category"],
                item=sample["item"],
                title=sample["title"],
                summary=sample.get("summary"),
                body=sample.get("body"),
                scope=sample.get("scope"),
                cadence=sample.get("cadence"),
                channels=tuple(sample.get("channels") or ()),
                period=sample.get("period"),
                event_date=sample.get("event_date"),
                follows=minted.get(sample.get("follows", ""), sample.get("follows")),
                major=bool(sample.get("major")),
                pre_disclosure=bool(sample.get("pre_disclosure")),
            )
            written = drafting.create(office, spec)
        minted[str(sample["id"])] = written.record_id
        built.records.append(written.record_id)
        built.commits += 1
    return built
