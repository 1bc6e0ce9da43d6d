"""The rules of supervision, pure: days that may be claimed, what a name or a text may
be, the next report number, an answer not rewritten, opinions within a window."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date

from dangwu.errors import RuleViolation, UsageError
from dangwu.i18n import _
from dangwu.model.office import Person
from dangwu.model.record import owner_block
from dangwu.model.supervision import EARLIEST, Feedback, Report


def check_day(
    option: str, day: date, today: date, *, not_before: date = EARLIEST, since: str | None = None
) -> date:
    """A day something happened: not in the future, not before ``not_before`` (the
    day ``since`` names)."""
    if day > today:
        raise RuleViolation(
            _("{option} {day} is in the future (today is {today})").format(
                option=option, day=day.isoformat(), today=today.isoformat()
            ),
            rule="date-in-future",
        )
    if day < not_before:
        message = _("{option} {day} is before {earliest}").format(
            option=option, day=day.isoformat(), earliest=not_before.isoformat()
        )
        if since:
            message += f" ({since})"
        raise RuleViolation(message, rule="date-too-early")
    return day


def one_line(option: str, value: str | None, *, longest: int) -> str | None:
    """A name or contact as typed: one line, not empty, not too long (None stays None)."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        raise UsageError(_("{option} must not be empty").format(option=option))
    if any(c in value for c in "\n\r\u2028\u2029\x85") or not value.isprintable():
        raise UsageError(_("{option} must be a single line of text").format(option=option))
    if len(value) > longest:
        raise UsageError(
            _("{option} is longer than {n} characters").format(option=option, n=longest)
        )
    return value


def text_of(option: str, value: str, *, longest: int = 20000) -> str:
    text = value.strip()
    if not text:
        raise UsageError(_("{option} must not be empty").format(option=option))
    if len(text) > longest:
        raise UsageError(
            _("{option} is longer than {n} characters").format(option=option, n=longest)
        )
    bad = next((c for c in text if not (c.isprintable() or c in "\n\t")), None)
    if bad is not None:
        raise UsageError(
            _("{option} holds a control character (U+{code:04X})").format(
                option=option, code=ord(bad)
            )
        )
    return text


def next_report_number(person: Person, taken: Iterable[int]) -> int:
    """The next report number from ``person``'s blocks of numbers, as record ids are
    minted: two clerks on two clones never take the same number."""
    if person.id_block is None:
        raise UsageError(
            _("{name} has no id_block in the roster, so cannot log reports").format(
                name=person.name
            )
        )
    mine = sorted(n for n in taken if owner_block(n) == person.id_block)
    if not mine:
        return person.id_block * 100 + 1
    highest = mine[-1]
    if highest % 100 < 99:
        return highest + 1
    return ((highest // 100) + 9) * 100 + 1


def require_unanswered(report: Report) -> None:
    if report.answer:
        raise RuleViolation(
            _("report {n} was answered on {day}; an answer is not rewritten").format(
                n=report.number, day=report.answer.get("on")
            ),
            hint=_("add what is new as a new report, or as feedback on the record"),
            rule="answered",
        )


def in_window(opinion: Feedback, opened: date, closes: date) -> bool:
    return opened <= opinion.received <= closes


def opinion_count(opinions: Sequence[Feedback], opened: date | None, closes: date | None) -> int:
    """Opinions received within a pre-disclosure's comment window."""
    if opened is None or closes is None:
        return 0
    return sum(1 for f in opinions if in_window(f, opened, closes))


# a call for comments with its closing day, as plans write it: 现公开征求意见，截至2026年5月31日
_CALL = re.compile(
    r"(?:征求意见|意见建议|反馈意见)[^。\n]{0,40}?(?:截至|截止(?:时间|日期)?[为：:]?|至)\s*"
    r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"
)


def stale_calls(text: str, today: date) -> list[date]:
    """The closing days, before ``today``, of the calls for comments ``text`` still
    makes: a formal plan that still says 现公开征求意见，截至… a passed day misleads
    whoever reads it [seed 五]."""
    found = []
    for match in _CALL.finditer(text):
        try:
            day = date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            continue
        if day < today:
            found.append(day)
    return found
