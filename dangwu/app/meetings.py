"""Meetings of the disclosure programme [SPEC 12]: called (``meeting new``), their
notice printed, their minutes (会议记录) taken once and printed, listed.

A meeting is a file in ``meetings/``, committed when it is called and once more
when its minutes are taken. Who was there is checked against the roster as it
stood on the day of the meeting: everyone invited is present or absent with a
reason, the chair is present, and those who attended without a vote (列席) are
named apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from dangwu import clock
from dangwu.app import printing
from dangwu.errors import RecordNotFound, RuleViolation, UsageError
from dangwu.i18n import _
from dangwu.model.meeting import KINDS, MEETING_CODE, Meeting, Minutes
from dangwu.model.words import one_of
from dangwu.render import meeting as render
from dangwu.render.sheets import blot
from dangwu.rules import board as board_rules
from dangwu.rules import meeting as rules
from dangwu.rules import secrecy
from dangwu.store import meetings as stored
from dangwu.store import snapshot
from dangwu.store.acting import acting, message
from dangwu.store.gitstore import GitStore
from dangwu.store.office import Office

FORMATS = ("pdf", "docx")
FOLDER = "meetings"  # under printed/


@dataclass
class Done:
    meeting: Meeting
    commit: str
    path: Path | None = None
    code: str = ""
    missing: list[str] = field(default_factory=list)


def call(
    office: Office,
    *,
    kind: str,
    title: str,
    when: str,
    place: str,
    chair: str,
    invited: str,
    matters: list[str],
    out: Path | None = None,
) -> Done:
    """Call a meeting: it is numbered in the year and committed (its notice to be
    printed to ``out``, which is looked at first)."""
    kind = one_of("--kind", kind, KINDS)
    printing.refuse_unwritable(out, office.root / printing.PRINTED / FOLDER)
    with acting(office, "meeting") as act:
        zone = clock.office_zone(act.settings.timezone)
        held = _when(when, zone)
        snap = snapshot.at(office, act.store, act.head)
        people = rules.keys("--invite", invited)
        if chair not in people:
            people = (chair, *people)
        said = rules.check_new(kind, chair, people, act.settings.roster, held, act.when)
        if said:
            raise RuleViolation(said[0], rule="meeting")
        known = {s.id for s in snap.summaries()}
        for record_id in matters:
            if record_id.upper() not in known:
                raise RecordNotFound(_("there is no record {id}").format(id=record_id))
        for option, text in (("--title", title), ("--place", place)):
            _unnamed(snap, option, text)
        year = act.when.year
        numbers = [n for (y, n) in stored.at(act.store, act.head) if y == year]
        meeting = Meeting(
            year=year,
            number=rules.next_number(numbers),
            kind=kind,
            title=_line("--title", title),
            when=held,
            place=_line("--place", place),
            chair=chair,
            invited=people,
            matters=tuple(m.upper() for m in matters),
            by=act.actor.key,
            at=act.when.isoformat(),
        )
        commit = act.commit(
            {meeting.path: stored.text(meeting).encode("utf-8")},
            message(
                "meeting",
                f"{year}-{meeting.number} {meeting.title}",
                actor=act.actor,
                body=[held.isoformat(timespec="minutes")],
            ),
        )
    return Done(meeting, commit)


def take_minutes(
    office: Office,
    ref: str,
    *,
    present: str,
    absent: str | None,
    attending: str | None,
    decisions: str,
    out: Path | None = None,
) -> Done:
    """Take a held meeting's minutes, once (to be printed to ``out``, which is looked
    at first)."""
    printing.refuse_unwritable(out, office.root / printing.PRINTED / FOLDER)
    with acting(office, "meeting") as act:
        meeting = _find(act.store, act.head, ref, act.when.year)
        day = meeting.when.date()
        on_the_day = snapshot.as_of(office, act.store, min(day, act.when.date()))
        here = rules.keys("--present", present)
        away = rules.absences(absent)
        sitting = rules.keys("--attending", attending)
        said = rules.check_minutes(
            meeting, here, away, sitting, on_the_day.settings.roster, act.when
        )
        if said:
            raise RuleViolation(said[0], rule="meeting")
        if not decisions.strip():
            raise UsageError(_("--decisions: say what the meeting disclosed or decided"))
        minuted = replace(
            meeting,
            minutes=Minutes(
                here, away, sitting, decisions.strip(), act.actor.key, act.when.isoformat()
            ),
        )
        commit = act.commit(
            {meeting.path: stored.text(minuted).encode("utf-8")},
            message(
                "minutes",
                f"{meeting.year}-{meeting.number} {meeting.title}",
                actor=act.actor,
                body=[_("{n} present, {m} absent").format(n=len(here), m=len(away))],
            ),
        )
    return Done(minuted, commit)


def print_part(
    office: Office, ref: str, part: str, *, fmt: str = "pdf", out: Path | None = None
) -> Done:
    """Print a meeting's notice or minutes."""
    fmt = one_of("--format", fmt, FORMATS)
    with GitStore(office.root, office.state_dir) as git:
        head = git.require_head()
        today = clock.today(clock.office_zone(office.settings.timezone))
        meeting = _find(git, head, ref, today.year)
        if part == "minutes" and meeting.minutes is None:
            raise RuleViolation(
                _(
                    "meeting {n} has no minutes yet: dangwu meeting minutes {n} --present ... "
                    "--decisions ..."
                ).format(n=meeting.number),
                rule="meeting",
            )
        commit = _made_by(git, head, meeting, part)
        then = snapshot.at(office, git, commit)
        by_id = {s.id: s for s in then.summaries()}
        titles = [(i, blot(then, by_id[i].title) if i in by_id else "") for i in meeting.matters]
        shown = _blotted(then, meeting)
        settings = then.settings
    code = code_of(meeting, part, commit)
    sheet = render.Sheet(settings, shown, part, titles, code)
    name = f"{meeting.year}-{meeting.number:03d}-{part}.{fmt}"
    folder = out if out is not None else office.root / printing.PRINTED / FOLDER
    target = out if out is not None and out.suffix else printing.place_in(folder, name)
    when = clock.now(clock.office_zone(settings.timezone))
    missing = render.write(sheet, target, fmt, when=when)
    return Done(meeting, commit, target, code, missing)


def _blotted(then: snapshot.Snapshot, meeting: Meeting) -> Meeting:
    """The meeting as paper shows it: a reporter named in what was typed is blotted
    out, as on every paper the office prints [SPEC 7]."""
    minutes = meeting.minutes
    if minutes is not None:
        minutes = replace(
            minutes,
            decisions=blot(then, minutes.decisions),
            absent=tuple((key, blot(then, reason)) for key, reason in minutes.absent),
        )
    return replace(
        meeting, title=blot(then, meeting.title), place=blot(then, meeting.place), minutes=minutes
    )


def listing(office: Office) -> list[Meeting]:
    with GitStore(office.root, office.state_dir) as git:
        found = stored.at(git, git.require_head())
    return [found[k] for k in sorted(found)]


def code_of(meeting: Meeting, part: str, commit: str) -> str:
    """The code on a notice (the commit that called the meeting, the day it was called)
    or on the minutes (the commit that took them, their day)."""
    day = datetime.fromisoformat(
        meeting.minutes.at if part == "minutes" and meeting.minutes else meeting.at
    ).date()
    code = board_rules.Code(commit[:8], "internal", MEETING_CODE, meeting.number, day)
    return code.text(meeting.content_key(part), commit)


def _made_by(git: GitStore, head: str, meeting: Meeting, part: str) -> str:
    """The commit that called the meeting (notice) or took its minutes."""
    if part == "notice":
        return git.added_by(head, meeting.path) or head
    return git.last_change(head, meeting.path) or head


def _find(git: GitStore, head: str, ref: str, year: int) -> Meeting:
    """A meeting named ``N`` (this year) or ``YYYY-N``."""
    y, n = rules.reference(ref, year)
    found = stored.at(git, head).get((y, n))
    if found is None:
        raise RecordNotFound(
            _("there is no meeting {year}-{n}").format(year=y, n=n),
            hint=_("dangwu meeting list shows the meetings"),
        )
    return found


def _when(text: str, zone: object) -> datetime:
    try:
        held = datetime.fromisoformat(text.strip().replace(" ", "T"))
    except ValueError:
        raise UsageError(
            _("--at must be a day and time, e.g. 2026-12-05T09:30 or '2026-12-05 09:30'")
        ) from None
    if held.tzinfo is None:
        held = held.replace(tzinfo=zone)  # type: ignore[arg-type]
    return held


def _unnamed(snap: snapshot.Snapshot, option: str, text: str) -> None:
    """A meeting's title and place are printed on its notice, listed in the ledger and
    the archive: they may not name a real-name reporter, a requester or a member of
    the public who asked not to be named [SPEC 11]."""
    if secrecy.names_anyone(text, snap.sensitive(), markup=False):
        raise RuleViolation(
            _(
                "{option} names a real-name reporter or their contact, which is never disclosed"
            ).format(option=option),
            hint=_("say what the meeting is about without naming who reported it"),
            rule="secrecy",
        )


def _line(option: str, text: str) -> str:
    line = " ".join(text.split())
    if not line or len(line) > 80:
        raise UsageError(
            _("{option} must be one line of at most 80 characters").format(option=option)
        )
    return line
