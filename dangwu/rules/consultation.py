"""The consultation report (征求意见情况报告) [seed 五, SPEC 14], pure: what changed
between the plan put out for comment and the plan published, line by line and, where
a line was reworded, word by word; and how the opinions were taken up (采纳情况)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from dangwu.model.supervision import OUTCOMES, Feedback

# the fields of a plan a reader compares, in the order the report shows them
COMPARED = ("title", "summary", "body")


@dataclass(frozen=True)
class Piece:
    """A run of a reworded line: kept (" "), taken out ("-") or put in ("+")."""

    op: str
    text: str


@dataclass(frozen=True)
class Line:
    """One line of the comparison: kept, taken out, put in, or reworded (``pieces``
    then say which words)."""

    op: str  # " ", "-", "+", "~"
    text: str  # the line as it stands in the formal plan ("-": as it stood)
    pieces: tuple[Piece, ...] = ()


@dataclass(frozen=True)
class FieldChange:
    field: str
    lines: tuple[Line, ...]

    @property
    def changed(self) -> bool:
        return any(line.op != " " for line in self.lines)


_HEADING = re.compile(r"^#{1,6}\s+")


def _lines(value: Any) -> list[str]:
    """A field's lines as a reader compares them: blank lines and the marks of a
    heading left out."""
    text = "" if value is None else str(value)
    return [_HEADING.sub("", line.rstrip()) for line in text.splitlines() if line.strip()]


SHORT = 3  # a run kept shorter than this between two changes is read as part of them


def _words(before: str, after: str) -> tuple[Piece, ...]:
    """Where a line was reworded: its runs kept, taken out and put in, by character
    (Chinese has no spaces to split words at). A run of a character or two kept
    between two rewritten runs joins them, so a rewritten phrase reads as one, not as
    scattered characters (the semantic clean-up of diff tools); a word kept between
    words only taken out stays in sight."""
    runs: list[list[str]] = []  # [kept] or [taken out, put in]
    matcher = SequenceMatcher(None, before, after, autojunk=False)
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag == "equal":
            runs.append([before[a0:a1]])
        elif runs and len(runs[-1]) == 2:
            runs[-1][0] += before[a0:a1]
            runs[-1][1] += after[b0:b1]
        else:
            runs.append([before[a0:a1], after[b0:b1]])

    def rewritten(i: int) -> bool:  # a change that takes out and puts in
        return 0 <= i < len(runs) and len(runs[i]) == 2 and all(runs[i])

    merged: list[list[str]] = []
    for i, run in enumerate(runs):
        between = rewritten(i - 1) and rewritten(i + 1)
        if len(run) == 1 and between and len(run[0]) < SHORT:
            run = [run[0], run[0]]
        if len(run) == 2 and merged and len(merged[-1]) == 2:
            merged[-1][0] += run[0]
            merged[-1][1] += run[1]
        else:
            merged.append(list(run))
    pieces: list[Piece] = []
    for run in merged:
        if len(run) == 1:
            pieces.append(Piece(" ", run[0]))
            continue
        if run[0]:
            pieces.append(Piece("-", run[0]))
        if run[1]:
            pieces.append(Piece("+", run[1]))
    return tuple(pieces)


def _similar(before: str, after: str) -> bool:
    """Two lines one reworded from the other: much in common, or the shorter nearly
    all found in the longer (a phrase cut from a line, or added to it)."""
    matcher = SequenceMatcher(None, before, after, autojunk=False)
    kept = sum(block.size for block in matcher.get_matching_blocks())
    shorter = min(len(before), len(after))
    return matcher.ratio() >= 0.5 or (kept >= 2 and kept >= 0.8 * shorter)


def compare(before: Sequence[str], after: Sequence[str]) -> tuple[Line, ...]:
    """The lines of ``after`` against ``before``: a line replaced by one much like it
    is shown reworded, word by word; otherwise as taken out and put in."""
    out: list[Line] = []
    matcher = SequenceMatcher(None, list(before), list(after), autojunk=False)
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag == "equal":
            out += [Line(" ", line) for line in after[b0:b1]]
            continue
        old, new = list(before[a0:a1]), list(after[b0:b1])
        while old and new and _similar(old[0], new[0]):
            out.append(Line("~", new[0], _words(old.pop(0), new.pop(0))))
        out += [Line("-", line) for line in old]
        out += [Line("+", line) for line in new]
    return tuple(out)


def changes(preliminary: Mapping[str, Any], formal: Mapping[str, Any]) -> list[FieldChange]:
    """What changed, field by field, from the plan put out for comment to the plan
    published (the fields that did not change are left out)."""
    found = [
        FieldChange(field, compare(_lines(preliminary.get(field)), _lines(formal.get(field))))
        for field in COMPARED
    ]
    return [change for change in found if change.changed]


@dataclass(frozen=True)
class Adoption:
    """How the opinions on a plan were taken up: how many, and of them how many were
    adopted, partly adopted, not adopted, or still unanswered."""

    received: int
    outcomes: Mapping[str, int]  # outcome key -> count
    unanswered: int

    def summary_zh(self) -> str:
        """The 采纳情况 as a formal plan's page prints it, naming nobody."""
        if not self.received:
            return "征求意见期间未收到意见建议。"
        parts = [f"{OUTCOMES[key][1]}{n}条" for key, n in self.outcomes.items() if n]
        said = f"征求意见期间共收到意见建议{self.received}条"
        if parts:
            said += "，其中" + "、".join(parts)
        if self.unanswered:
            said += f"，{self.unanswered}条尚未答复"
        return said + "。"


def adoption(opinions: Iterable[Feedback]) -> Adoption:
    counted: Counter[str] = Counter()
    received = unanswered = 0
    for opinion in opinions:
        received += 1
        outcome = (opinion.disposition or {}).get("outcome")
        if outcome in OUTCOMES:
            counted[str(outcome)] += 1
        else:
            unanswered += 1
    return Adoption(received, {key: counted[key] for key in OUTCOMES}, unanswered)
