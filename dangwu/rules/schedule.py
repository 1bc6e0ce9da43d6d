"""Quarters, and when things are due [seed 三(二)]. Pure: dates in, dates out."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from dangwu.errors import UsageError
from dangwu.i18n import _
from dangwu.rules.workdays import Calendar

_QUARTER = re.compile(r"^(\d{4})[Qq]([1-4])$")
_MONTHS = {n: range(3 * n - 2, 3 * n + 1) for n in (1, 2, 3, 4)}  # a quarter's months


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        match = _QUARTER.match(text.strip())
        if not match:
            raise UsageError(_("'{text}' is not a quarter; write it like 2026Q3").format(text=text))
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        return self.next.start - timedelta(days=1)

    @property
    def next(self) -> Quarter:
        return (
            Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)
        )

    @property
    def previous(self) -> Quarter:
        return (
            Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)
        )

    def __contains__(self, day: object) -> bool:
        # by the day's year and month, not start <= day <= end: a bulletin asks this of
        # every record, and the site of every quarter of its window (120,000 times)
        return isinstance(day, date) and day.year == self.year and day.month in _MONTHS[self.number]

    def __str__(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def zh(self) -> str:
        return f"{self.year}年第{'一二三四'[self.number - 1]}季度"


def quarterly_due(period: Quarter, calendar: Calendar, days: int | None = None) -> date:
    """A quarter's update is due at the end of its quarter [seed 三(二): 常规工作每季度末
    更新一次], or as many days after it as the office allows itself (``quarterly_days``,
    or ``days`` where the catalogue gives the item its own), counted as the office
    counts days."""
    return calendar.deadline(period.end, calendar.rules.quarterly_days if days is None else days)
