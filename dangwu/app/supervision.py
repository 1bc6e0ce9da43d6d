"""Supervision [SPEC 8, seed 五]: opinions on records (feedback/) and reports (reports/).

* An opinion (意见建议) on a record comes from a supervisor or another person on the
  roster, or from a member of the public; during a pre-disclosure the opinions are
  what the formal plan must answer, and its approval counts them.
* A report (举报) concerns a record. One with the reporter's real name must be answered
  and the reporter told [seed 五 实行实名举报反馈制度]; an anonymous one is logged and
  carries no duty to notify. Reports are internal: the reporter's name and contact are
  shown by ``report show`` and nowhere else, never in a commit message.

Each is one YAML file, written by one commit of the person acting.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from dangwu import yamlio
from dangwu.check.supervision import parse_feedback, parse_report, read_all
from dangwu.errors import DangwuError, InvalidFiles, RecordNotFound, RuleViolation, UsageError
from dangwu.i18n import _, pair
from dangwu.model.history import Trailer
from dangwu.model.meeting import KINDS, Meeting
from dangwu.model.supervision import (
    EARLIEST,
    FEEDBACK_DIR,
    OPEN_FOR_COMMENT,
    OUTCOMES,
    REPORTS_DIR,
    REQUESTS_DIR,
    Feedback,
    Report,
    report_path,
)
from dangwu.model.words import one_of, stamped_day, suggest
from dangwu.rules import meeting as meeting_rules
from dangwu.rules.supervision import (
    check_day,
    next_report_number,
    one_line,
    require_unanswered,
    text_of,
)
from dangwu.rules.workdays import Calendar
from dangwu.store import meetings, records
from dangwu.store.acting import acting, message
from dangwu.store.office import Office

# --- what is in the files --------------------------------------------------------------


def working_tree(
    office: Office, *, record: str | None = None, folders: Sequence[str] | None = None
) -> dict[str, bytes]:
    """The supervision files of the working tree: reports, requests and opinions (those
    of one record's opinions only, when ``record`` is given; of ``folders`` only, when
    they are)."""
    found: dict[str, bytes] = {}
    if folders is None:
        folders = (
            [f"{FEEDBACK_DIR}/{record}"] if record else [REPORTS_DIR, REQUESTS_DIR, FEEDBACK_DIR]
        )
    for folder in folders:
        base = office.root / folder
        if not base.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in filenames:
                if name.endswith(".yaml"):
                    path = Path(dirpath) / name
                    relpath = path.relative_to(office.root).as_posix()
                    try:
                        found[relpath] = yamlio.read_bytes(path)
                    except yamlio.YamlProblem as exc:
                        raise InvalidFiles([exc.at(relpath)]) from None
    return found


# --- the rules (pure) ------------------------------------------------------------------


# --- acting: one commit each -----------------------------------------------------------


@dataclass(frozen=True)
class Logged:
    """What a supervision command wrote."""

    path: str
    commit: str
    record: str
    number: int | None = None
    notes: tuple[str, ...] = ()


def add_feedback(
    office: Office,
    ref: str,
    *,
    text: str,
    from_key: str | None = None,
    public: str | None = None,
    private: bool = False,
    received: date | None = None,
    meeting: str | None = None,
) -> Logged:
    """Log an opinion on a record that the office has put out; ``private``: the member
    of the public who gave it asked not to be named."""

    body = text_of("--text", text)
    public = one_line("--public", public, longest=100)
    if from_key is not None and public is not None:
        raise UsageError(_("give --from KEY or --public NAME, not both"))
    if private and public is None:
        raise UsageError(_("--private is for a member of the public: give --public NAME"))
    with acting(office, "feedback") as act:
        record = records.find(office, ref)
        record_id = str(record.data.get("id"))
        if record.status not in OPEN_FOR_COMMENT:
            raise RuleViolation(
                _(
                    "{id} is {status}; opinions are taken on what the office has put out "
                    "(a plan out for comment, or a published record)"
                ).format(id=record_id, status=_(record.status)),
                record_id=record_id,
                rule="not-disclosed",
            )
        roster = act.settings.roster
        if from_key is not None and from_key not in roster:
            raise UsageError(
                _("--from: '{key}' is not on the roster").format(key=from_key),
                hint=suggest(from_key, list(roster)),
            )
        office_roles = {"clerk", "office-head", "office-deputy"}
        if not office_roles.intersection(act.actor.roles) and (
            public is not None or from_key not in (None, act.actor.key)
        ):
            raise RuleViolation(
                _("a supervisor gives their own opinion; the office logs other people's"),
                rule="role",
            )
        today = act.when.date()
        put_out = _put_out(record.data)
        held = None
        if meeting is not None:
            held = raised_at(act.store, act.head, meeting, today, from_key or act.actor.key,
                             public is not None)  # fmt: skip
            if received is not None and received != held.when.date():
                raise UsageError(
                    _("--received: an opinion raised at meeting {n} was received on {day}").format(
                        n=meeting, day=held.when.date().isoformat()
                    )
                )
            received = held.when.date()
        day = check_day(
            "--received",
            received or today,
            today,
            not_before=put_out or EARLIEST,
            since=_("the day {id} was put out").format(id=record_id) if put_out else None,
        )
        giver = None if public is not None else (from_key or act.actor.key)
        number = max(_opinions(office), default=0) + 1
        fields: dict[str, Any] = {
            "record": record_id,
            "number": number,
            "received": day.isoformat(),
        }
        if giver is not None:
            fields["from"] = giver
        if public is not None:
            fields["public"] = public
        if private:
            fields["private"] = True
        if held is not None:
            fields["meeting"] = f"{held.year}-{held.number}"
        fields["text"] = body
        fields["logged"] = {"by": act.actor.key, "at": act.when.isoformat()}
        stamp = act.when.strftime("%Y%m%dT%H%M%S")
        folder = office.root / FEEDBACK_DIR / record_id
        name = f"{stamp}-{act.actor.key}"
        suffix = 1
        while (folder / f"{name}.yaml").exists():
            suffix += 1
            name = f"{stamp}-{act.actor.key}-{suffix}"
        relpath = f"{FEEDBACK_DIR}/{record_id}/{name}.yaml"
        content = dump(fields)
        parse_feedback(content, relpath, office.root)
        if giver is None:
            who = _("a member of the public")
        else:
            who = f"{roster[giver].name} ({giver})" if giver in roster else giver
        note = _("opinion from {who}, received {day}").format(who=who, day=day.isoformat())
        late = _after_the_window(record.data, day)
        commit = act.commit(
            {relpath: content.encode("utf-8")},
            message(
                "feedback",
                f"{record_id} {record.data.get('title')}",
                actor=act.actor,
                record_id=record_id,
                body=[note, *late],
            ),
        )
    return Logged(relpath, commit, record_id, number, notes=(note, *late))


def _after_the_window(data: Mapping[str, Any], received: date) -> list[str]:
    """What to say of an opinion on a plan put out for comment, received after its
    window closed: it is kept, but it is not one of the consultation's."""
    consulted = data.get("consultation")
    closes = stamped_day(consulted.get("closes")) if isinstance(consulted, Mapping) else None
    if closes is None or received <= closes:
        return []
    return [
        _(
            "received after the comment window closed on {day}: kept, but the "
            "consultation's figures and report count it apart"
        ).format(day=closes.isoformat())
    ]


def new_report(
    office: Office,
    *,
    about: str,
    text: str,
    name: str | None = None,
    contact: str | None = None,
    received: date | None = None,
) -> Logged:
    """Log a report about a record; one with a name must be answered in time."""

    body = text_of("--text", text)
    name = one_line("--name", name, longest=100)
    contact = one_line("--contact", contact, longest=200)
    with acting(office, "report") as act:
        record = records.find(office, about)
        record_id = str(record.data.get("id"))
        today = act.when.date()
        created = _created_on(record.data)
        day = check_day(
            "--received",
            received or today,
            today,
            not_before=created or EARLIEST,
            since=_("the day {id} was drafted").format(id=record_id),
        )
        taken = numbers_in(office, REPORTS_DIR)
        number = next_report_number(act.actor, taken)
        relpath = report_path(number)
        fields: dict[str, Any] = {"number": number, "received": day.isoformat()}
        if name is not None:
            fields["name"] = name
        if contact is not None:
            fields["contact"] = contact
        fields["about"] = record_id
        fields["text"] = body
        fields["logged"] = {"by": act.actor.key, "at": act.when.isoformat()}
        content = dump(fields)
        parse_report(content, relpath, office.root)
        kind = _("real-name") if name else _("anonymous")
        # the commit names the number and the record, never the reporter
        commit = act.commit(
            {relpath: content.encode("utf-8")},
            message(
                "report",
                _("{n} about {id}").format(n=number, id=record_id),
                actor=act.actor,
                body=[_("{kind} report, received {day}").format(kind=kind, day=day.isoformat())],
                extra=[(Trailer.REPORT, str(number))],
            ),
        )
    notes: tuple[str, ...] = ()
    if name:
        rules = act.settings.rules
        due = Calendar(rules).deadline(day, rules.report_answer_days)
        notes = (_("to be answered, and the reporter told, by {day}").format(day=due.isoformat()),)
    else:
        notes = (_("anonymous: logged; nobody to tell of the outcome"),)
    return Logged(relpath, commit, record_id, number, notes)


def lateness(day: date, today: date, due: date) -> list[str]:
    """Why an answer given on ``day`` and recorded ``today`` counts as late, if it does:
    what the office had by ``due`` is what its records held by then [SPEC 11]."""
    if day > due:
        return [_("late: it was due by {day}").format(day=due.isoformat())]
    if today > due:
        return [
            _("late: recorded on {today}, after it was due by {day}").format(
                today=today.isoformat(), day=due.isoformat()
            )
        ]
    return []


def answer_report(
    office: Office, number: int, *, text: str, notified: str, on: date | None = None
) -> Logged:
    """Record how a report was dealt with and how the reporter was told; once."""

    body = text_of("--text", text)
    how = one_line("--notified", notified, longest=200)
    with acting(office, "report") as act:
        report, raw = find_report(office, number)
        require_unanswered(report)
        day = answered_on(on, act.when.date(), report.received, report.logged_at,
                           _("the day the report was logged"))  # fmt: skip
        rt = yamlio.load_round_trip(raw)
        records.place(
            rt,
            "answer",
            yamlio.as_yaml_tree(
                {
                    "by": act.actor.key,
                    "at": act.when.isoformat(),
                    "on": day.isoformat(),
                    "text": body,
                    "notified": how,
                }
            ),
        )
        content = yamlio.dump_round_trip(rt)
        parse_report(content, report.path, office.root)
        late = []
        if report.real_name:  # the reporter is owed an answer in time
            rules = act.settings.rules
            due = Calendar(rules).deadline(report.received, rules.report_answer_days)
            late = lateness(day, act.when.date(), due)
        commit = act.commit(
            {report.path: content.encode("utf-8")},
            message(
                "answer",
                _("{n} about {id}").format(n=report.number, id=report.about),
                actor=act.actor,
                body=[_("answered on {day}").format(day=day.isoformat()), *late],
                extra=[(Trailer.REPORT, str(report.number))],
            ),
        )
    return Logged(report.path, commit, report.about, report.number, tuple(late))


def answer_feedback(
    office: Office,
    number: int,
    *,
    outcome: str,
    reason: str,
    notified: str,
    on: date | None = None,
) -> Logged:
    """Record what became of an opinion (采纳, 部分采纳, 不采纳), why, and how the
    person who gave it was told; once."""
    outcome = one_of("--outcome", outcome, OUTCOMES)
    body = text_of("--reason", reason)
    how = one_line("--notified", notified, longest=200)
    with acting(office, "answer") as act:
        opinion, raw = find_feedback(office, number)
        if opinion.disposition:
            raise RuleViolation(
                _("opinion {n} was answered on {day}; an opinion is answered once").format(
                    n=number, day=opinion.disposition.get("on")
                ),
                record_id=opinion.record,
                rule="answered",
            )
        day = answered_on(on, act.when.date(), opinion.received, opinion.logged_at,
                           _("the day the opinion was logged"))  # fmt: skip
        rt = yamlio.load_round_trip(raw)
        answer = {
            "outcome": outcome,
            "reason": body,
            "notified": how,
            "on": day.isoformat(),
            "by": act.actor.key,
            "at": act.when.isoformat(),
        }
        records.place(rt, "disposition", yamlio.as_yaml_tree(answer))
        content = yamlio.dump_round_trip(rt)
        parse_feedback(content, opinion.path, office.root)
        said = _("opinion {n}: {outcome}").format(n=number, outcome=pair(OUTCOMES[outcome]))
        commit = act.commit(
            {opinion.path: content.encode("utf-8")},
            message(
                "answer",
                f"{opinion.record} {said}",
                actor=act.actor,
                record_id=opinion.record,
                body=[_("answered on {day}").format(day=day.isoformat())],
            ),
        )
    return Logged(opinion.path, commit, opinion.record, number, notes=(said,))


def raised_at(git: Any, head: str, named: str, today: date, giver: str, public: bool) -> Meeting:
    """The supervisors' meeting (or 通报会) an opinion was raised at: one the office
    called, held and minuted, with the giver among those present [SPEC 14]."""
    year, number = meeting_rules.reference(named, today.year)
    held = meetings.at(git, head).get((year, number))
    if held is None:
        raise RecordNotFound(
            _("there is no meeting {year}-{n}").format(year=year, n=number),
            hint=_("dangwu meeting list shows the meetings"),
        )
    if held.kind not in ("supervisors", "briefing"):
        raise RuleViolation(
            _(
                "meeting {year}-{n} is a {kind}; opinions are logged from supervisors' meetings "
                "and briefings"
            ).format(year=year, n=number, kind=_(KINDS[held.kind][0])),
            rule="meeting-kind",
        )
    minutes = held.minutes
    if minutes is None:
        raise RuleViolation(
            _(
                "meeting {year}-{n} has no minutes yet: take them first (dangwu meeting minutes)"
            ).format(year=year, n=number),
            rule="meeting-not-held",
        )
    if not public and giver not in (*minutes.present, *minutes.attending):
        raise RuleViolation(
            _("{key} was not at meeting {year}-{n}, as its minutes record it").format(
                key=giver, year=year, n=number
            ),
            rule="not-present",
        )
    return held


def find_feedback(office: Office, number: int) -> tuple[Feedback, str]:
    """An opinion of the working tree by its number, with its text."""
    for relpath, raw in working_tree(office, folders=[FEEDBACK_DIR]).items():
        try:
            text = yamlio.decode(raw)
        except yamlio.YamlProblem as exc:
            raise InvalidFiles([exc.at(relpath)]) from None
        opinion = parse_feedback(text, relpath, office.root)
        if opinion.number == number:
            return opinion, text
    raise RecordNotFound(
        _("there is no opinion {n}").format(n=number),
        hint=_("dangwu feedback list shows the opinions with their numbers"),
    )


def heard(office: Office, record_id: str) -> list[Feedback]:
    """The opinions on a record (feedback/<id>/*.yaml), in the order they were logged."""
    _reports, opinions, _problems = read_all(working_tree(office, record=record_id), office.root)
    return sorted(opinions, key=lambda f: f.number or 0)


def _opinions(office: Office) -> set[int]:
    """The numbers the opinions of the working tree carry."""
    files = working_tree(office, folders=[FEEDBACK_DIR])
    _reports, opinions, _problems = read_all(files, office.root)
    return {f.number for f in opinions if f.number is not None}


def find_report(office: Office, number: int) -> tuple[Report, str]:
    """A report of the working tree by number, with its text."""
    relpath = report_path(number)
    missing = RecordNotFound(
        _("there is no report {n}").format(n=number),
        hint=_("dangwu report list shows the reports"),
    )
    text = numbered_text(office, relpath, missing)
    return parse_report(text, relpath, office.root), text


def numbered_text(office: Office, relpath: str, missing: DangwuError) -> str:
    """The text of a numbered file (a report, a request), or ``missing`` raised."""
    path = office.root / relpath
    if not path.is_file():
        raise missing
    try:
        return yamlio.decode(yamlio.read_bytes(path))
    except yamlio.YamlProblem as exc:
        raise InvalidFiles([exc.at(relpath)]) from None


def answered_on(on: date | None, today: date, received: date, logged: str, since: str) -> date:
    """The day of an answer: on or after the day what it answers was logged, as an
    answer backdated before that would make a late answer look timely [SPEC 11]."""
    in_book = stamped_day(logged) or received
    return check_day("--on", on or today, today, not_before=max(received, in_book), since=since)


def _created_on(data: Mapping[str, Any]) -> date | None:
    created = data.get("created")
    return stamped_day(created.get("at")) if isinstance(created, Mapping) else None


def _put_out(data: Mapping[str, Any]) -> date | None:
    """The day a record was first put out: for comment, or published."""
    facts = [data.get(name) for name in ("consultation", "publication")]
    days = [stamped_day(f.get("at")) for f in facts if isinstance(f, Mapping)]
    return min((d for d in days if d is not None), default=None)


def numbers_in(office: Office, folder_name: str) -> set[int]:
    """The numbers of the files of a numbered folder (reports/, requests/), readable
    or not: a number is taken as soon as its file is there."""
    folder = office.root / folder_name
    if not folder.is_dir():
        return set()
    return {
        int(entry.name[:-5])
        for entry in os.scandir(folder)
        if entry.name.endswith(".yaml") and entry.name[:-5].isdigit()
    }


def dump(fields: Mapping[str, Any]) -> str:
    from ruamel.yaml.comments import CommentedMap

    data = CommentedMap()
    for key, value in fields.items():
        data[key] = yamlio.as_yaml_tree(value)
    return yamlio.dump_round_trip(data)
