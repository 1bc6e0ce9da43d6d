"""What the office owes and by when (``due``), from the office as committed."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from dangwu import clock
from dangwu.rules.due import owed
from dangwu.rules.workdays import Calendar
from dangwu.store import snapshot
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
        reports, _opinions, problems = shot.supervision()
        result = owed(
            shot.summaries(),
            reports,
            today=day,
            calendar=Calendar(shot.settings.rules),
            catalogue=shot.catalogue,
        )
    return result, problems
