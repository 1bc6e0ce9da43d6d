"""Counting days to a deadline [SPEC 6]: working days on the mainland China holiday
calendar (调休 weekends included), or calendar days, as the office sets.

The holiday calendar is the ``chinese-calendar`` package. For a year it does not know
yet (the State Council publishes each year's arrangement in the autumn before), the
count falls back to the year's statutory holidays (the ``holidays`` package computes
them from the law and the lunar calendar) and weekends, plus the office's own listed
days (``rules.holidays`` and ``rules.workdays``): the adjusted working weekends (调休)
are not known until the notice, and :attr:`Calendar.guessed` says which years those
were.
The office's own days count in every year: a local day off is a day off.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache, cached_property

from dangwu.model.office import Rules

# a deadline is never further away than this: a guard against a typo of 100000 days
LONGEST = 3660


@dataclass
class Calendar:
    """Working days and deadlines under an office's rules."""

    rules: Rules
    guessed: set[int] = field(default_factory=set)  # years counted without the package
    _known: dict[date, bool] = field(default_factory=dict, repr=False)
    _deadlines: dict[tuple[date, int], date] = field(default_factory=dict, repr=False)

    @cached_property
    def _own_holidays(self) -> frozenset[date]:
        return frozenset(_days(self.rules.holidays))

    @cached_property
    def _own_workdays(self) -> frozenset[date]:
        return frozenset(_days(self.rules.workdays))

    @property
    def working(self) -> bool:
        return self.rules.day_count == "working"

    def is_workday(self, day: date) -> bool:
        found = self._known.get(day)
        if found is None:
            found = self._known[day] = self._is_workday(day)
        return found

    def _is_workday(self, day: date) -> bool:
        if day in self._own_holidays:
            return False
        if day in self._own_workdays:
            return True
        known = _package_says(day)
        if known is None:
            self.guessed.add(day.year)
            return day.weekday() < 5 and day not in statutory_holidays(day.year)
        return known

    def deadline(self, start: date, days: int) -> date:
        """The last day of a period of ``days`` counted from ``start`` (not counting
        ``start`` itself). In working days it is the ``days``-th working day after
        ``start``; a period of no days ends on ``start``, or on the first working day
        after it when ``start`` is not one. In calendar days it is ``start + days``."""
        days = max(0, min(days, LONGEST))
        if not self.working:
            return start + timedelta(days=days)
        found = self._deadlines.get((start, days))
        if found is None:
            found = self._deadlines[(start, days)] = self._working_deadline(start, days)
        return found

    def in_working_days(self, start: date, days: int) -> date:
        """The ``days``-th working day after ``start``, whatever the office counts its
        other periods in: a request for disclosure is answered in working days [SPEC 14]."""
        days = max(0, min(days, LONGEST))
        if self.working:
            return self.deadline(start, days)
        return self._working_deadline(start, days)

    def _working_deadline(self, start: date, days: int) -> date:
        day = start
        if days == 0:
            while not self.is_workday(day):
                day += timedelta(days=1)
            return day
        counted = 0
        while counted < days:
            day += timedelta(days=1)
            if self.is_workday(day):
                counted += 1
        return day

    def between(self, start: date, end: date) -> int:
        """The days counted from ``start`` to ``end`` (working or calendar, as set);
        negative when ``end`` comes first."""
        if end < start:
            return -self.between(end, start)
        if not self.working:
            return (end - start).days
        count = 0
        day = start
        while day < end:
            day += timedelta(days=1)
            if self.is_workday(day):
                count += 1
        return count


@cache  # asked for the same days by every Calendar a bulletin or a layout makes
def _package_says(day: date) -> bool | None:
    """Whether the holiday calendar has ``day`` as a working day; None for a year it
    does not cover."""
    try:
        import chinese_calendar
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None


@cache
def statutory_holidays(year: int) -> frozenset[date]:
    """China's statutory holidays of ``year`` (元旦, 春节 with its eve, 清明, 劳动节,
    端午, 中秋, 国庆), without the days the State Council's notice adds around them."""
    try:
        from holidays.countries.china import China
    except ImportError:  # pragma: no cover - a declared dependency
        return frozenset()
    return frozenset(China(years=year, observed=False))  # type: ignore[no-untyped-call]


def _days(values: tuple[str, ...]) -> list[date]:
    out = []
    for value in values:
        try:
            out.append(date.fromisoformat(str(value)))
        except ValueError:
            continue  # the settings schema reports a bad date with its line
    return out
