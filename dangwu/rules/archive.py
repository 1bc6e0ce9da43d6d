"""The year's archive (归档) [SPEC 13]: which records and which days of the board it
holds, and its manifest, the SHA-256 of every file in the form ``sha256sum -c`` reads,
compared with what a folder holds now. Pure: names and digests in, findings out."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from dangwu.model.office import Rules
from dangwu.model.record import Summary

MANIFEST = "manifest.sha256"
_LINE = re.compile(r"([0-9a-f]{64}) [ *](.+)")
# a file's path in the archive: relative, no control character or backslash (which
# sha256sum would write escaped), no empty, "." or ".." part
_NAME = re.compile(r"[^\x00-\x1f\x7f\\/]+(/[^\x00-\x1f\x7f\\/]+)*")


@dataclass(frozen=True)
class Finding:
    path: str
    what: str  # changed, missing, added


@dataclass(frozen=True)
class Malformed:
    line: int
    text: str


def in_year(summary: Summary, year: int) -> bool:
    """Whether a record belongs to the year's archive: published, put out for comment,
    decided on or withdrawn in the year."""
    days = (summary.published_on, summary.consulted_on, summary.withdrawn_on)
    if any(d is not None and d.year == year for d in days):
        return True
    return (summary.decided or "")[:4] == str(year)


def board_days(
    year: int,
    commit_days: Iterable[date],
    summaries: Iterable[Summary],
    rules: Rules,
    until: date,
) -> list[date]:
    """The days of ``year`` up to ``until`` on which the board may have changed: the
    first day, every day something was committed, and the days a record came down by
    itself (a timely record after the board's recent days, a plan for comment after
    its window)."""
    first, last = date(year, 1, 1), min(date(year, 12, 31), until)
    days = {first} | {d for d in commit_days if first <= d <= last}
    recent = timedelta(days=rules.board_recent_days)
    for s in summaries:
        for day in (s.published_on, s.consulted_on):
            if day is not None:
                days.add(day)
        if s.published_on is not None:
            days.add(s.published_on + recent)
        if s.closes_on is not None:
            days.add(s.closes_on + timedelta(days=1))
    return sorted(d for d in days if first <= d <= last)


def fit_name(path: str) -> bool:
    """A path the archive may hold: relative, plain characters, no way out of it."""
    return bool(_NAME.fullmatch(path)) and not {".", ".."} & set(path.split("/"))


def manifest(digests: Mapping[str, str]) -> str:
    """The manifest: one line per file, ``<sha256>  <path>``, sorted by path, as
    ``sha256sum`` writes it (and ``sha256sum -c`` checks it)."""
    return "".join(f"{digests[p]}  {p}\n" for p in sorted(digests))


def read_manifest(text: str) -> tuple[dict[str, str], list[Malformed]]:
    """The digests a manifest names, and its lines that are not a file's."""
    digests: dict[str, str] = {}
    bad: list[Malformed] = []
    for number, line in enumerate(text.splitlines(), 1):
        found = _LINE.fullmatch(line)
        if found is None or not fit_name(found.group(2)) or found.group(2) in digests:
            bad.append(Malformed(number, line))
            continue
        digests[found.group(2)] = found.group(1)
    return digests, bad


def compare(listed: Mapping[str, str], found: Mapping[str, str]) -> list[Finding]:
    """What differs between the manifest and the folder: a file changed, gone, or
    put there afterwards; in path order."""
    out = [
        Finding(path, "missing" if path not in found else "changed")
        for path, digest in listed.items()
        if found.get(path) != digest
    ]
    out += [Finding(path, "added") for path in found if path not in listed]
    return sorted(out, key=lambda f: f.path)
