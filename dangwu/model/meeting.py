"""A meeting of the disclosure programme (党务公开会议, the leading group's, the
supervisors', the regular 通报会): when and where, who chaired, who was invited,
the matters, and (once held) its minutes [SPEC 12, seed 三(一)]."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime

from dangwu.i18n import N_

MEETINGS_DIR = "meetings"
# the code a meeting's notice or minutes carry where a sheet's carries its category
MEETING_CODE = "HY"
KINDS = {
    "disclosure": (N_("disclosure meeting"), "党务公开会议"),
    "leading-group": (N_("leading group meeting"), "党务公开领导小组会议"),
    "supervisors": (N_("supervisors' meeting"), "党务公开监督员会议"),
    "briefing": (N_("briefing meeting"), "党务公开通报会"),
}
PARTS = ("notice", "minutes")
_PATH = re.compile(rf"^{MEETINGS_DIR}/(\d{{4}})-(\d{{3,}})\.yaml$")


@dataclass(frozen=True)
class Minutes:
    """What was recorded of a meeting held (会议记录), once."""

    present: tuple[str, ...]  # roster keys
    absent: tuple[tuple[str, str], ...]  # roster key and the reason
    attending: tuple[str, ...]  # present without a vote (列席)
    decisions: str
    by: str
    at: str


@dataclass(frozen=True)
class Meeting:
    year: int
    number: int
    kind: str
    title: str
    when: datetime  # when it is held
    place: str
    chair: str  # roster key
    invited: tuple[str, ...]  # roster keys
    matters: tuple[str, ...]  # record ids disclosed or decided
    by: str
    at: str
    minutes: Minutes | None = None

    @property
    def path(self) -> str:
        return meeting_path(self.year, self.number)

    def content_key(self, part: str) -> str:
        """What a printed notice (or the minutes) shows, hashed for its code."""
        shown: list[object] = [
            self.year,
            self.number,
            self.kind,
            self.title,
            self.when.isoformat(),
            self.place,
            self.chair,
            list(self.invited),
            list(self.matters),
        ]
        if part == "minutes" and self.minutes is not None:
            m = self.minutes
            shown += [list(m.present), [list(a) for a in m.absent], list(m.attending)]
            shown.append(m.decisions)
        text = json.dumps([part, *shown], ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def meeting_path(year: int, number: int) -> str:
    return f"{MEETINGS_DIR}/{year:04d}-{number:03d}.yaml"


def numbered(path: str) -> tuple[int, int] | None:
    found = _PATH.match(path)
    return (int(found[1]), int(found[2])) if found else None
