"""The figures of a year or a quarter (``stats``), from the office as committed."""

from __future__ import annotations

from dangwu import clock
from dangwu.errors import UsageError
from dangwu.i18n import _
from dangwu.model import words
from dangwu.rules.stats import Span, Stated, figures
from dangwu.rules.workdays import Calendar
from dangwu.store import snapshot
from dangwu.store.gitstore import GitStore
from dangwu.store.office import Office


def stats(office: Office, *, year: int | None = None, period: str | None = None) -> Stated:
    """The figures of a year or a quarter (default: this year), from the office as
    committed."""

    if year is not None and period is not None:
        raise UsageError(_("give --year or --period, not both"))
    today = clock.today(clock.office_zone(office.settings.timezone))
    if period:
        span = Span.quarter(words.quarter("--period", period, today))
    else:
        span = Span.year(year or today.year)
    with GitStore(office.root, office.state_dir) as git:
        git.require_head()
        shot = snapshot.at(office, git)
        reports, opinions, problems = shot.supervision()
        requests, unread = shot.requests()
        # a time limit counts from the later of a step's date and its receipt [SPEC 11]
        found = figures(
            shot.publications_as_received(shot.summaries()),
            reports,
            opinions,
            span=span,
            today=today,
            calendar=Calendar(shot.settings.rules),
            catalogue=shot.catalogue,
            requests=requests,
        )
        return Stated(found, shot.commit, shot.settings, shot.catalogue, [*problems, *unread])
