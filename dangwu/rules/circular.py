"""Which records a circular may carry, and its 发文字号: numbered per year from 1,
without a gap and never twice [SPEC 12]. Pure: data in, decisions out."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence

from dangwu.errors import RuleViolation, UsageError
from dangwu.i18n import _
from dangwu.model.circular import Circular
from dangwu.model.record import Summary

CHANNEL = "circular"
# 〔2026〕 as GB/T 9704 writes it; [2026], (2026) and their full-width forms as people type it
_LABEL = re.compile(
    r"^(?P<prefix>.*?)\s*[〔\[［(（]\s*(?P<year>\d{4})\s*[〕\]］)）]\s*(?P<number>\d{1,4})\s*号?$"
)


def label(prefix: str, year: int, number: int) -> str:
    """The 发文字号: 江司党〔2026〕12号 (no leading zero, per GB/T 9704 7.2.5)."""
    return f"{prefix}〔{year}〕{number}号"


def read_label(text: str, prefix: str) -> tuple[int, int]:
    """The year and number of a 发文字号 typed as ``--number``."""
    found = _LABEL.match(text.strip())
    if found is None or int(found["number"]) < 1:
        raise UsageError(
            _("--number must be a 发文字号 like {example}").format(example=label(prefix, 2026, 12))
        )
    if found["prefix"].strip() not in ("", prefix):
        raise UsageError(
            _("--number {number}: this office's circulars are numbered {prefix}〔year〕N号").format(
                number=text.strip(), prefix=prefix
            )
        )
    return int(found["year"]), int(found["number"])


def unfit(summaries: Sequence[Summary]) -> list[str]:
    """Why some of these records may not go out in a circular (empty: they may): only
    what was published on the circular channel, once each."""
    said = []
    seen: set[str] = set()
    for s in summaries:
        if s.id in seen:
            said.append(_("{id} is named twice").format(id=s.id))
        seen.add(s.id)
        if s.status != "published":
            said.append(
                _("{id} is {status}: only published records go out in a circular").format(
                    id=s.id, status=s.status
                )
            )
        elif CHANNEL not in s.published_channels:
            said.append(_("{id} was not published on the circular channel").format(id=s.id))
    return said


def choose_number(
    year: int,
    issued: Mapping[int, Circular],
    records: Sequence[tuple[str, str]],
    asked: tuple[int, int] | None,
    prefix: str = "",
) -> tuple[int, Circular | None]:
    """The number a circular of ``records`` (id, content) gets in ``year``, where
    ``issued`` are the year's circulars by number; or the circular it is, when
    ``asked`` names one already issued with these records (a reprint). The same
    records, unchanged, are issued once: a second number would be a second
    circular of the same words."""
    following = next_number(issued)
    if asked is None:
        for number, sent in sorted(issued.items()):
            if tuple(sent.records) == tuple(records):
                ids = " ".join(i for i, _c in records)
                raise RuleViolation(
                    _("{ids} went out as circular {label} on {day}; it is issued once").format(
                        ids=ids, label=label(prefix, year, number), day=sent.issued.isoformat()
                    ),
                    hint=_("to print it again: dangwu circular {ids} --number {n}").format(
                        ids=ids, n=label(prefix, year, number)
                    ),
                    rule="circular",
                )
        return following, None
    asked_year, number = asked
    if asked_year != year:
        raise RuleViolation(
            _("{year} is not this year: a circular is numbered in the year it is issued").format(
                year=asked_year
            ),
            rule="circular",
        )
    before = issued.get(number)
    if before is not None:
        if tuple(before.records) == tuple(records):
            return number, before
        raise RuleViolation(
            _("number {number} of {year} was given to another circular on {day}").format(
                number=number, year=year, day=before.issued.isoformat()
            ),
            hint=_("a 发文字号 is never used twice; leave out --number to take {n}").format(
                n=following
            ),
            rule="circular",
        )
    if number != following:
        raise RuleViolation(
            _("the next number of {year} is {n}: numbers run without a gap").format(
                year=year, n=following
            ),
            rule="circular",
        )
    return number, None


def next_number(issued: Collection[int]) -> int:
    return max(issued, default=0) + 1


def gaps(numbers: Collection[int]) -> list[int]:
    """The numbers missing below the highest (a circular's file deleted, or skipped)."""
    return sorted(set(range(1, max(numbers, default=0) + 1)) - set(numbers))
