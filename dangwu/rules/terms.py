"""Supervisors' terms [SPEC 14], pure: when a term ends, and how long a run of
consecutive terms may last. Light on purpose: the settings check imports it at every
start."""

from __future__ import annotations

from datetime import date, timedelta

from dangwu.model.office import Person, Rules


def years_after(day: date, years: int) -> date:
    """The same day ``years`` later (28 February for a 29 February that has none)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def term_end(person: Person, rules: Rules) -> date | None:
    """The last day of a supervisor's current term: as the roster says, or one term
    (``supervisor_term_years``) from the first day."""
    if person.term_end is not None:
        return person.term_end
    if person.term_start is None:
        return None
    return years_after(person.term_start, rules.supervisor_term_years) - timedelta(days=1)


def longest_service(start: date, rules: Rules) -> date:
    """The last day a supervisor who began on ``start`` may serve without a break:
    ``supervisor_terms`` terms of ``supervisor_term_years``."""
    return years_after(start, rules.supervisor_terms * rules.supervisor_term_years) - timedelta(
        days=1
    )
