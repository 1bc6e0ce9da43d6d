"""Who may be at a meeting, and what its minutes must account for: everyone invited
present or absent with a reason, the chair present, nobody who was not on the
roster that day, and the minutes written once, after the meeting [SPEC 12].
Pure: data in, decisions out."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime

from dangwu.errors import UsageError
from dangwu.i18n import _
from dangwu.model.meeting import KINDS, Meeting
from dangwu.model.office import Person

GROUP_ROLES = frozenset({"leader", "member"})


def keys(option: str, text: str | None) -> tuple[str, ...]:
    """Roster keys as typed: ``a,b c`` (commas or spaces), each once, in order."""
    found: list[str] = []
    for part in (text or "").replace("，", ",").replace(",", " ").split():
        if part not in found:
            found.append(part)
    return tuple(found)


def absences(text: str | None) -> tuple[tuple[str, str], ...]:
    """``--absent wangx=出差,li=病假``: each key with its reason."""
    found: list[tuple[str, str]] = []
    for part in (text or "").replace("，", ",").split(","):
        if not part.strip():
            continue
        key, sep, reason = part.partition("=")
        if not sep or not key.strip() or not reason.strip():
            raise UsageError(_("--absent takes KEY=REASON for each absent person, e.g. wangx=出差"))
        found.append((key.strip(), reason.strip()))
    return tuple(found)


def check_new(
    kind: str,
    chair: str,
    invited: Sequence[str],
    roster: Mapping[str, Person],
    held: datetime,
    now: datetime,
) -> list[str]:
    """Why a meeting cannot be called so (empty: it can). It is called before it is
    held: its notice goes out first, and a meeting entered after the day is not one
    anybody was called to [seed 四]."""
    said = []
    if held <= now:
        said.append(
            _(
                "the meeting would be held {held}, which has passed: a meeting is called "
                "before it is held"
            ).format(held=held.isoformat(timespec="minutes"))
        )
    if kind not in KINDS:
        said.append(_("--kind must be one of {choices}").format(choices=", ".join(KINDS)))
    for key in (chair, *invited):
        if key not in roster:
            said.append(_("{key} is not on the roster").format(key=key))
    if kind == "leading-group":
        for key in invited:
            person = roster.get(key)
            if person is not None and not GROUP_ROLES.intersection(person.roles):
                said.append(
                    _(
                        "{name} ({key}) is not on the leading group: invite them to attend "
                        "without a vote (--attending when the minutes are taken)"
                    ).format(name=person.name, key=key)
                )
    return said


def check_minutes(
    meeting: Meeting,
    present: Collection[str],
    absent: Sequence[tuple[str, str]],
    attending: Collection[str],
    roster: Mapping[str, Person] | None,
    now: datetime,
) -> list[str]:
    """Why these minutes cannot be taken (empty: they can). ``roster``: as it stood
    on the day of the meeting (None: not known, not checked)."""
    said = []
    if meeting.minutes is not None:
        said.append(
            _("the minutes of meeting {n} were taken on {day}; they are taken once").format(
                n=meeting.number, day=meeting.minutes.at[:10]
            )
        )
        return said
    if now < meeting.when:
        said.append(
            _("meeting {n} is held {when}: its minutes are taken after it").format(
                n=meeting.number, when=meeting.when.isoformat(timespec="minutes")
            )
        )
    away = [key for key, _reason in absent]
    for key in [*present, *away, *attending]:
        if roster is not None and key not in roster:
            said.append(
                _("'{key}' was not on the roster on {day}").format(
                    key=key, day=meeting.when.date().isoformat()
                )
            )
    both = set(present) & set(away)
    for key in sorted(both):
        said.append(_("{key} is said to be both present and absent").format(key=key))
    for key in meeting.invited:
        if key not in present and key not in away:
            said.append(
                _(
                    "{key} was invited: say whether they were present (--present) or why "
                    "they were absent (--absent {key}=REASON)"
                ).format(key=key)
            )
    for key in [*present, *away]:
        if key not in meeting.invited:
            said.append(
                _(
                    "{key} was not invited: list them with --attending if they attended "
                    "without a vote"
                ).format(key=key)
            )
    for key in attending:
        if key in meeting.invited:
            said.append(_("{key} was invited: present or absent, not attending").format(key=key))
    if meeting.chair not in present:
        said.append(_("the chair, {key}, must be present").format(key=meeting.chair))
    return said


def reference(text: str, year: int) -> tuple[int, int]:
    """A meeting named as typed: ``3`` (this year) or ``2026-3``."""
    try:
        if "-" in text.strip():
            y, n = (int(p) for p in text.strip().split("-", 1))
        else:
            y, n = year, int(text)
    except ValueError:
        raise UsageError(
            _("a meeting is named by its number (3) or year and number (2026-3)")
        ) from None
    return y, n


def is_reference(text: str) -> bool:
    """Whether ``text`` names a meeting (3, 2026-3) rather than a day (2026-12-04)."""
    head, dash, tail = text.strip().partition("-")
    if not dash:
        return head.isdigit() and len(head) <= 4
    return len(head) == 4 and head.isdigit() and tail.isdigit() and len(tail) <= 4


def next_number(numbers: Collection[int]) -> int:
    return max(numbers, default=0) + 1
