"""What the office owes and by when (``due``), from the office as committed."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from dangwu import clock
from dangwu.rules.due import Papers, owed
from dangwu.rules.workdays import Calendar
from dangwu.store import circulars, meetings, snapshot
from dangwu.store.gitstore import GitStore
from dangwu.store.office import Office

if TYPE_CHECKING:
    from dangwu.errors import Problem
    from dangwu.rules.due import Due


def due(office: Office, *, on: date | None = None) -> tuple[Due, list[Problem]]:
    """What the office owes on ``on`` (default today), from the office as committed
    by the end of that day; and the supervision files that could not be read."""

    today = clock.today(clock.office_zone(office.settings.timezone))
    day = on or today
    with GitStore(office.root, office.state_dir) as git:
        git.require_head()
        shot = snapshot.at(office, git) if day >= today else snapshot.as_of(office, git, day)
        reports, problems = shot.reports()
        requests, unread = shot.requests()
        papers = None
        if shot.settings.rules.artefact_days is not None:
            papers = papers_at(git, shot.commit)
        result = owed(
            shot.summaries(),
            reports,
            today=day,
            calendar=Calendar(shot.settings.rules),
            catalogue=shot.catalogue,
            papers=papers,
            requests=requests,
            roster=shot.settings.roster,
        )
    return result, problems + unread


def papers_at(git: GitStore, commit: str) -> Papers:
    """The circulars issued and the meetings minuted by ``commit``."""
    carried: dict[str, set[str]] = {}
    for circular in circulars.at(git, commit).values():
        for record_id, content in circular.records:
            carried.setdefault(record_id, set()).add(content)
    minuted = {
        record_id
        for meeting in meetings.at(git, commit).values()
        if meeting.minutes is not None
        for record_id in meeting.matters
    }
    return Papers({k: frozenset(v) for k, v in carried.items()}, frozenset(minuted))
