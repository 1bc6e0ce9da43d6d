"""The figures of a disclosure year or quarter: what an office reports upward.

Pure: the office's records, reports and opinions in, counts out. Only counts and
the catalogue's own names leave here, never a record's text or a reporter's name,
so the yearly report can be handed to anyone.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from dangwu.errors import Problem, UsageError
from dangwu.i18n import _
from dangwu.model.catalogue import CADENCES, CHANNELS, SCOPES, Catalogue
from dangwu.model.office import Settings
from dangwu.model.record import Summary
from dangwu.model.supervision import Feedback, Report, Request
from dangwu.model.words import stamped_day
from dangwu.rules.due import owed, silent_items
from dangwu.rules.requests import Tally, tally_between
from dangwu.rules.schedule import Quarter, quarterly_due
from dangwu.rules.workdays import Calendar


@dataclass(frozen=True)
class Span:
    """A year or a quarter."""

    label: str
    start: date
    end: date

    @classmethod
    def year(cls, year: int) -> Span:
        if not 2000 <= year <= 2999:
            raise UsageError(_("--year: {year} is not a year to report on").format(year=year))
        return cls(str(year), date(year, 1, 1), date(year, 12, 31))

    @classmethod
    def quarter(cls, text: str) -> Span:
        period = Quarter.parse(text)
        return cls(str(period), period.start, period.end)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    @property
    def zh(self) -> str:
        if len(self.label) == 4:
            return f"{self.label}年"
        return Quarter.parse(self.label).zh


@dataclass
class Figures:
    span: Span
    as_of: date  # the last day counted: the span's end, or today within the span
    published: int = 0
    withdrawn: int = 0
    withheld: int = 0
    by_category: list[tuple[str, str, str, int, int]] = field(default_factory=list)
    # (code, slug, zh, public, internal) in catalogue order
    by_cadence: dict[str, int] = field(default_factory=dict)
    by_scope: dict[str, int] = field(default_factory=dict)
    by_channel: dict[str, int] = field(default_factory=dict)
    by_month: list[int] = field(default_factory=list)  # publications per month of the span
    quarterly_on_time: int = 0
    quarterly_late: int = 0
    # (record id or item code and quarter, the item and quarter in the catalogue's words)
    quarterly_missing: list[tuple[str, str]] = field(default_factory=list)
    submit_to_publish: list[int] = field(default_factory=list)  # days, one per publication
    pre_disclosures: int = 0
    opinions: int = 0
    reports: int = 0
    real_name_reports: int = 0
    answered_in_time: int = 0
    answered_late: int = 0
    overdue_reports: int = 0
    open_reports: int = 0  # real-name, not yet due
    # what `due` lists as overdue (due in the span, not done by the last day counted),
    # by kind: quarterly, timely, follow-up, formal-plan, report
    overdue: dict[str, int] = field(default_factory=dict)
    # of a year: the catalogue's items with no disclosure in it (code, title)
    silent: list[tuple[str, str]] = field(default_factory=list)
    requests: Tally = field(default_factory=Tally)  # received in the span

    @property
    def median_days(self) -> float | None:
        return statistics.median(self.submit_to_publish) if self.submit_to_publish else None

    @property
    def max_days(self) -> int | None:
        return max(self.submit_to_publish) if self.submit_to_publish else None

    def as_dict(self) -> dict[str, object]:
        return {
            "span": self.span.label,
            "from": self.span.start.isoformat(),
            "to": self.span.end.isoformat(),
            "as_of": self.as_of.isoformat(),
            "published": self.published,
            "withdrawn": self.withdrawn,
            "withheld": self.withheld,
            "by_category": [
                {"code": c, "category": s, "zh": zh, "public": pub, "internal": inner}
                for c, s, zh, pub, inner in self.by_category
            ],
            "by_cadence": self.by_cadence,
            "by_scope": self.by_scope,
            "by_channel": self.by_channel,
            "by_month": self.by_month,
            "quarterly": {
                "on_time": self.quarterly_on_time,
                "late": self.quarterly_late,
                "missing": [{"subject": s, "what": w} for s, w in self.quarterly_missing],
            },
            "days_submit_to_publish": {
                "count": len(self.submit_to_publish),
                "median": self.median_days,
                "max": self.max_days,
            },
            "overdue": self.overdue,
            "silent_items": [{"code": c, "zh": zh} for c, zh in self.silent],
            "pre_disclosures": {"count": self.pre_disclosures, "opinions": self.opinions},
            "reports": {
                "received": self.reports,
                "real_name": self.real_name_reports,
                "answered_in_time": self.answered_in_time,
                "answered_late": self.answered_late,
                "overdue": self.overdue_reports,
                "open": self.open_reports,
            },
            "requests": {
                "received": self.requests.received,
                "answered_in_time": self.requests.in_time,
                "answered_late": self.requests.late,
                "overdue": self.requests.overdue,
                "refused": self.requests.refused,
            },
        }


def figures(
    summaries: Iterable[Summary],
    reports: Sequence[Report],
    opinions: Sequence[Feedback],
    *,
    span: Span,
    today: date,
    calendar: Calendar,
    catalogue: Catalogue,
    requests: Sequence[Request] = (),
) -> Figures:
    every = list(summaries)
    as_of = min(span.end, today)
    out = Figures(span, as_of)
    out.by_cadence = dict.fromkeys(CADENCES, 0)
    out.by_scope = dict.fromkeys(SCOPES, 0)
    out.by_channel = dict.fromkeys(CHANNELS, 0)
    months = _months(span)
    out.by_month = [0] * len(months)
    per_category: dict[str, list[int]] = {c.slug: [0, 0] for c in catalogue}
    for s in every:
        day = s.published_on
        if s.withdrawn_on in span:
            out.withdrawn += 1
        if day is None or day not in span or day > as_of:
            continue
        out.published += 1
        out.by_cadence[s.cadence] = out.by_cadence.get(s.cadence, 0) + 1
        out.by_scope[s.scope] = out.by_scope.get(s.scope, 0) + 1
        for channel in s.published_channels or s.channels:
            out.by_channel[channel] = out.by_channel.get(channel, 0) + 1
        out.by_month[months.index((day.year, day.month))] += 1
        counts = per_category.setdefault(s.category, [0, 0])
        counts[0 if s.scope == "public" else 1] += 1
        submitted = stamped_day(s.submitted)
        if submitted is not None and submitted <= day:
            out.submit_to_publish.append((day - submitted).days)
        if s.cadence == "quarterly" and s.period:
            try:
                deadline = quarterly_due(
                    Quarter.parse(s.period), calendar, catalogue.days_of(s.category, s.item)
                )
            except UsageError:
                continue
            if day <= deadline:
                out.quarterly_on_time += 1
            else:
                out.quarterly_late += 1
    out.withheld = sum(1 for s in every if s.status == "withheld" and _decided_in(s, span))
    for category in catalogue:
        public, internal = per_category.get(category.slug, [0, 0])
        out.by_category.append((category.code, category.slug, category.zh, public, internal))
    out.requests = tally_between(requests, calendar, span.start, span.end, as_of)
    due_then = owed(
        every, reports, today=as_of, calendar=calendar, catalogue=catalogue, requests=requests
    )
    for o in due_then.owed:
        if o.overdue(as_of) and o.due in span:
            out.overdue[o.kind] = out.overdue.get(o.kind, 0) + 1
    # in the catalogue's words, not the record's: the report may go to anyone
    out.quarterly_missing = [
        (o.subject, o.item or o.subject)
        for o in due_then.owed
        if o.kind == "quarterly" and o.overdue(as_of) and o.due in span
    ]
    if span.start.month == 1 and span.end.month == 12:  # a year: its silent items
        out.silent = [
            (i.code, i.zh) for i in silent_items(every, catalogue, span.start.year, as_of)
        ]
    windows = {
        s.id: (s.consulted_on, s.closes_on)
        for s in every
        if s.consulted_on is not None and s.consulted_on in span and s.consulted_on <= as_of
    }
    out.pre_disclosures = len(windows)
    for opinion in opinions:
        window = windows.get(opinion.record)
        if window and window[0] and window[1] and window[0] <= opinion.received <= window[1]:
            out.opinions += 1
    for report in reports:
        if report.received not in span or report.received > as_of:
            continue
        out.reports += 1
        if not report.real_name:
            continue
        out.real_name_reports += 1
        deadline = calendar.deadline(report.received, calendar.rules.report_answer_days)
        answered = report.settled_on
        if answered is not None and answered <= as_of:
            if answered <= deadline:
                out.answered_in_time += 1
            else:
                out.answered_late += 1
        elif deadline < as_of:
            out.overdue_reports += 1
        else:
            out.open_reports += 1
    return out


def _months(span: Span) -> list[tuple[int, int]]:
    out = []
    year, month = span.start.year, span.start.month
    while (year, month) <= (span.end.year, span.end.month):
        out.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _decided_in(summary: Summary, span: Span) -> bool:
    day = stamped_day(summary.decided)
    return day is not None and day in span


@dataclass
class Stated:
    """The figures of a span, and what they were counted from."""

    figures: Figures
    commit: str
    settings: Settings
    catalogue: Catalogue
    problems: list[Problem]
