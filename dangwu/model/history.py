"""The history as values: a commit object, the files it changed, what a version of a
record said, and the trailers dangwu writes in each commit message."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from functools import cached_property, lru_cache
from typing import Any

from dangwu.model.circular import Circular
from dangwu.model.meeting import Meeting
from dangwu.model.office import Settings
from dangwu.model.record import facts_of
from dangwu.model.supervision import Feedback, Request

# a circular's, a meeting's, a request's or an opinion's file as a commit holds it, or
# why it is not one
Paper = Circular | Meeting | Request | Feedback | str


class Trailer:
    """The trailers of a commit dangwu made, one home for their names [SPEC 4]."""

    PREFIX = "Dangwu-"
    STEP = "Dangwu-Step"
    RECORD = "Dangwu-Record"
    FROM = "Dangwu-From"
    TO = "Dangwu-To"
    ACTOR = "Dangwu-Actor"
    CONTENT = "Dangwu-Content"
    PERSON = "Dangwu-Person"
    REPORT = "Dangwu-Report"
    REQUEST = "Dangwu-Request"
    CIRCULAR = "Dangwu-Circular"


@dataclass(frozen=True)
class FileChange:
    """One file changed by a commit, as ``git log --raw`` reports it."""

    path: str
    old: str | None  # blob id before, None when added
    new: str | None  # blob id after, None when deleted
    status: str  # A, M, D, T


@dataclass(frozen=True)
class CommitObject:
    """A commit object read by dangwu itself, so no user text can confuse a format."""

    id: str
    parents: tuple[str, ...]
    author_name: str
    author_email: str
    author_date: datetime  # when the act claims to have been done
    committer_email: str
    message: str
    signed: bool
    committed: int = 0  # when the commit was made on top of its parents (Unix seconds)
    committer_offset: str = "+0000"

    @cached_property
    def committer_date(self) -> datetime:
        return git_time(str(self.committed), self.committer_offset)

    @property
    def subject(self) -> str:
        return self.message.split("\n", 1)[0]

    @cached_property
    def trailer_map(self) -> dict[str, str]:
        return trailers_of(self.message)

    def trailers(self) -> dict[str, str]:
        return self.trailer_map


def trailers_of(message: str) -> dict[str, str]:
    """The Dangwu-* trailers of a commit message's last paragraph (first value of
    each), as dangwu reads them everywhere: exactly spelled (git's own trailer
    matching ignores case)."""
    if Trailer.PREFIX not in message:
        return {}
    body = message.strip()
    cut = body.rfind("\n\n")
    if cut < 0:
        return {}  # a message of one paragraph has no trailers
    found: dict[str, str] = {}
    for line in body[cut + 2 :].split("\n"):
        if line.startswith(Trailer.PREFIX):
            key, sep, value = line.partition(": ")
            if sep and key not in found:
                found[key] = value.strip()
    return found


@lru_cache(maxsize=64)
def _zone(offset: str) -> timezone:
    sign = -1 if offset.startswith("-") else 1
    digits = offset.lstrip("+-")
    hours, minutes = (int(digits[:2]), int(digits[2:4])) if len(digits) == 4 else (0, 0)
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def git_time(seconds: str, offset: str) -> datetime:
    try:
        return datetime.fromtimestamp(int(seconds), _zone(offset))
    except (ValueError, OverflowError, OSError):
        return datetime.fromtimestamp(0, UTC)


@dataclass(frozen=True)
class Version:
    """What one version (blob) of a record file says, as far as the procedure cares."""

    blob: str
    data: dict[str, Any]
    content: str | None
    scanned: tuple[tuple[str, str], ...] = ()  # the texts the secrecy review reads
    error: str | None = None

    @property
    def status(self) -> str:
        return str(self.data.get("status", "draft"))

    @property
    def record_id(self) -> str | None:
        value = self.data.get("id")
        return str(value) if value is not None else None

    @cached_property
    def fact_map(self) -> dict[str, Any]:
        return facts_of(self.data)

    def facts(self) -> dict[str, Any]:
        """The facts dangwu wrote (status and the steps); do not change the result."""
        return self.fact_map


@dataclass(frozen=True)
class Change:
    path: str
    before: Version | None
    after: Version | None

    @property
    def record_id(self) -> str | None:
        for version in (self.after, self.before):
            if version is not None and version.record_id:
                return version.record_id
        stem = self.path.rsplit("/", 1)[-1]
        return stem[:-5] if stem.endswith(".yaml") else None


@dataclass
class Event:
    """One commit as the audit sees it."""

    commit: CommitObject
    settings: Settings | None  # in force before the commit (the roster as it stood)
    settings_after: Settings | None
    settings_error: str | None
    # why the file could not be read as it stood before the commit, where it changed
    settings_before_error: str | None = None
    changes: list[Change] = field(default_factory=list)
    settings_changed: bool = False
    signature: tuple[str, str] | None = None  # (git %G?, key fingerprint) when signed
    merge: bool = False
    unrelated: bool = False  # a merge of histories that share no commit
    # files of feedback/ and reports/ the commit added, changed or deleted (path, old, new)
    supervision: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    # what the circulars' and meetings' blobs among them say, by blob id
    papers: dict[str, Paper] = field(default_factory=dict)
    parent_times: tuple[int, ...] = ()  # when each parent was committed (Unix seconds)
    # the other files it changed (path, old blob, new blob; a merge's as against its
    # first parent, old not said): an attachment among them must stay the file
    # approved while what went out is up
    files: list[tuple[str, str | None, str | None]] = field(default_factory=list)


def describe(finding: Any) -> str:
    return f"{finding.kind} {finding.field} {finding.line}:{finding.col} {finding.excerpt}"
