"""Supervision as values [SPEC 8, 14]: a report (举报), an opinion (意见建议) and a
request for disclosure (依申请公开), and where their files live."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from dangwu.i18n import N_, _
from dangwu.model.office import Person
from dangwu.model.words import day_written, stamped_day

REPORTS_DIR = "reports"


FEEDBACK_DIR = "feedback"


REQUESTS_DIR = "requests"
# the folders whose files name people who are never named in a disclosure
PRIVATE_DIRS = (REPORTS_DIR, REQUESTS_DIR)


# a record can be commented on once the office has put it out
OPEN_FOR_COMMENT = frozenset({"consulting", "published", "withdrawn"})


# what became of an opinion (办理结果) [seed 五: 充分听取群众意见后，进行必要的调整]
OUTCOMES = {
    "adopted": (N_("adopted"), "采纳"),
    "partly": (N_("partly adopted"), "部分采纳"),
    "declined": (N_("not adopted"), "不采纳"),
}
EARLIEST = date(2000, 1, 1)  # no disclosure programme received anything before this


@dataclass(frozen=True)
class Report:
    number: int
    path: str
    received: date
    about: str
    text: str
    logged_by: str
    logged_at: str
    name: str | None = None
    contact: str | None = None
    answer: Mapping[str, Any] | None = None
    # the day the server received the answer, where this clone holds its receipt
    answer_reached: date | None = None

    @property
    def real_name(self) -> bool:
        """A real-name report (实名举报): the office owes the reporter an answer."""
        return bool(self.name)

    @property
    def answered_on(self) -> date | None:
        return answer_day(self.answer)

    @property
    def settled_on(self) -> date | None:
        """The day the answer counts as given, for its time limit [SPEC 11]."""
        return answer_counted(self.answered_on, self.answer_reached, answer_recorded(self.answer))


@dataclass(frozen=True)
class Feedback:
    path: str
    record: str
    received: date
    text: str
    logged_by: str
    logged_at: str
    from_key: str | None = None
    public: str | None = None
    private: bool = False  # the member of the public asked not to be named
    meeting: str | None = None  # the supervisors' meeting it was raised at (2026-3)
    number: int | None = None  # given when logged; older files have none
    disposition: Mapping[str, Any] | None = None  # what became of it, once answered

    @property
    def answered_on(self) -> date | None:
        return answer_day(self.disposition)

    def giver(self, roster: Mapping[str, Person], *, put_out: bool = False) -> str:
        """Who gave it, as a person reads it; ``put_out``: as what the office puts out
        says it, where a member of the public who asked not to be named is not."""
        if self.public and self.private and put_out:
            return _("a member of the public")
        if self.public:
            return _("{name} (public)").format(name=self.public)
        key = self.from_key or self.logged_by
        person = roster.get(key)
        return f"{person.name} ({key})" if person else key


def answer_day(answer: Mapping[str, Any] | None) -> date | None:
    """The day an answer (a report's, an opinion's disposition) says it was given."""
    return day_written(answer.get("on")) if answer else None


def answer_counted(
    answered: date | None, reached: date | None, recorded: date | None = None
) -> date | None:
    """The day an answer counts as given when its time limit is judged: the latest of
    the day it says, the day it was recorded, and the day the server received it, as
    a comment window counts from the later of the claimed and the received time
    [SPEC 11]. An answer said (``--on``) to be given in time but recorded or pushed
    after its last day counts from the day it was: what the office had by the
    deadline is what its records held by then."""
    if answered is None:
        return None
    return max(d for d in (answered, reached, recorded) if d is not None)


def answer_recorded(answer: Mapping[str, Any] | None) -> date | None:
    """The day an answer was recorded (its ``at``, written by dangwu)."""
    return stamped_day(answer.get("at")) if answer else None


def report_path(number: int) -> str:
    return f"{REPORTS_DIR}/{number}.yaml"


# how a request for disclosure was settled [SPEC 14]
SETTLED = {
    "disclosed": (N_("disclosed"), "予以公开"),
    "answered": (N_("answered"), "已答复"),
    "refused": (N_("refused"), "不予公开"),
}


@dataclass(frozen=True)
class Request:
    """A request for disclosure (依申请公开): who asked, for what, and, once settled,
    how; an answer is due in working days, extendable once [SPEC 14]."""

    number: int
    path: str
    received: date
    name: str
    contact: str
    text: str
    logged_by: str
    logged_at: str
    about: str | None = None  # the record asked about, when the request names one
    extension: Mapping[str, Any] | None = None  # {on, reason, by, at}: once
    answer: Mapping[str, Any] | None = None  # {outcome, record?, text, on, notified?, by, at}
    # the day the server received the answer, where this clone holds its receipt
    answer_reached: date | None = None

    @property
    def answered_on(self) -> date | None:
        return answer_day(self.answer)

    @property
    def settled_on(self) -> date | None:
        """The day the answer counts as given, for its time limit [SPEC 11]."""
        return answer_counted(self.answered_on, self.answer_reached, answer_recorded(self.answer))

    @property
    def outcome(self) -> str | None:
        return str(self.answer.get("outcome")) if self.answer else None

    @property
    def extended(self) -> bool:
        return bool(self.extension)


def request_path(number: int) -> str:
    return f"{REQUESTS_DIR}/{number}.yaml"
