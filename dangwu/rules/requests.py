"""The rules of disclosure on request (依申请公开) [SPEC 14], pure: when an answer is
due, when the time may be extended, and what may still be done to a request."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from dangwu.errors import RuleViolation
from dangwu.i18n import _
from dangwu.model.supervision import Request
from dangwu.rules.workdays import Calendar


def first_due(request: Request, calendar: Calendar) -> date:
    """The last day of the time to answer as first given (``request_answer_days``
    working days after the request came in)."""
    return calendar.in_working_days(request.received, calendar.rules.request_answer_days)


def answer_due(request: Request, calendar: Calendar) -> date:
    """The last day to answer: the first time limit, or the extended one
    (``request_extended_days`` working days) once the time was extended."""
    if request.extended:
        longer = max(calendar.rules.request_extended_days, calendar.rules.request_answer_days)
        return calendar.in_working_days(request.received, longer)
    return first_due(request, calendar)


def answered_late(request: Request, calendar: Calendar) -> bool:
    day = request.settled_on
    return day is not None and day > answer_due(request, calendar)


def require_open(request: Request) -> None:
    """A request is settled once; what comes after is a new request."""
    if request.answer:
        raise RuleViolation(
            _("request {n} was settled on {day}; a settled request is not reopened").format(
                n=request.number, day=request.answer.get("on")
            ),
            hint=_("log what is asked now as a new request"),
            rule="answered",
        )


def require_extendable(request: Request, today: date, calendar: Calendar) -> date:
    """The time to answer is extended once, before it has run out; the new last day."""
    require_open(request)
    if request.extension:
        raise RuleViolation(
            _("request {n}: the time to answer was extended on {day}; it is extended once").format(
                n=request.number, day=request.extension.get("on")
            ),
            rule="extended",
        )
    first = first_due(request, calendar)
    if today > first:
        raise RuleViolation(
            _(
                "request {n}: the time to answer ran out on {day}; an extension is "
                "decided before then, not after"
            ).format(n=request.number, day=first.isoformat()),
            hint=_("answer it now: dangwu request answer {n}").format(n=request.number),
            rule="late-extension",
        )
    return calendar.in_working_days(
        request.received,
        max(calendar.rules.request_extended_days, calendar.rules.request_answer_days),
    )


@dataclass(frozen=True)
class Tally:
    """The requests of a year as an inspector counts them."""

    received: int = 0
    in_time: int = 0  # settled by their (possibly extended) last day
    late: int = 0  # settled after it
    overdue: int = 0  # not settled, and past their last day
    refused: int = 0


def tally(requests: Iterable[Request], calendar: Calendar, year: int, as_of: date) -> Tally:
    """The requests received in ``year``, as they stood on ``as_of``."""
    return tally_between(requests, calendar, date(year, 1, 1), date(year, 12, 31), as_of)


def tally_between(
    requests: Iterable[Request], calendar: Calendar, first: date, last: date, as_of: date
) -> Tally:
    """The requests received from ``first`` to ``last``, as they stood on ``as_of``."""
    received = in_time = late = overdue = refused = 0
    for request in requests:
        if not first <= request.received <= last or request.received > as_of:
            continue
        received += 1
        due = answer_due(request, calendar)
        settled = request.settled_on
        if settled is not None and settled <= as_of:
            in_time += settled <= due
            late += settled > due
            refused += request.outcome == "refused"
        elif as_of > due:
            overdue += 1
    return Tally(received, in_time, late, overdue, refused)
