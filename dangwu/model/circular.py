"""A circular (印发党务公开信息): records sent out under one 发文字号 [SPEC 12]."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date

CIRCULARS_DIR = "circulars"
# the code a circular's verification code carries where a sheet's carries its category
CIRCULAR_CODE = "FW"
_PATH = re.compile(rf"^{CIRCULARS_DIR}/(\d{{4}})-(\d{{3,}})\.yaml$")


@dataclass(frozen=True)
class Circular:
    """One issued circular, as its file in ``circulars/`` keeps it."""

    year: int
    number: int
    title: str
    to: str  # 主送机关
    records: tuple[tuple[str, str], ...]  # each record's id and the content it carried
    issued: date  # 成文日期
    by: str  # who issued it (roster key)
    at: str  # when it was logged

    @property
    def path(self) -> str:
        return circular_path(self.year, self.number)

    def content_key(self) -> str:
        """What the printed circular shows, hashed: its verification code checks it."""
        shown = [self.year, self.number, self.title, self.to, list(map(list, self.records))]
        shown.append(self.issued.isoformat())
        text = json.dumps(shown, ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def circular_path(year: int, number: int) -> str:
    return f"{CIRCULARS_DIR}/{year:04d}-{number:03d}.yaml"


def numbered(path: str) -> tuple[int, int] | None:
    """The year and number a circular's file is named by (None: not a circular's file)."""
    found = _PATH.match(path)
    return (int(found[1]), int(found[2])) if found else None
