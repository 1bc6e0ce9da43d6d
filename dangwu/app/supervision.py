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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from dangwu.errors import InvalidFiles, Problem, RuleViolation, UsageError
from dangwu.i18n import _
from dangwu.model.office import Office, Person
from dangwu.store import records, yamlio

REPORTS_DIR = "reports"
FEEDBACK_DIR = "feedback"
# a record can be commented on once the office has put it out
OPEN_FOR_COMMENT = frozenset({"consulting", "published", "withdrawn"})
EARLIEST = date(2000, 1, 1)  # no disclosure programme received anything before this


# --- what is in the files --------------------------------------------------------------


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

    @property
    def real_name(self) -> bool:
        """A real-name report (实名举报): the office owes the reporter an answer."""
        return bool(self.name)

    @property
    def answered_on(self) -> date | None:
        if not self.answer:
            return None
        try:
            return date.fromisoformat(str(self.answer.get("on")))
        except ValueError:
            return None


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

    def giver(self, roster: Mapping[str, Person]) -> str:
        """Who gave it, as a person reads it."""
        if self.public:
            return _("{name} (public)").format(name=self.public)
        key = self.from_key or self.logged_by
        person = roster.get(key)
        return f"{person.name} ({key})" if person else key


def report_path(number: int) -> str:
    return f"{REPORTS_DIR}/{number}.yaml"


def parse_report(text: str, relpath: str, office_root: Path | None = None) -> Report:
    """A report file's text as a Report, or InvalidFiles naming what is wrong where."""
    doc = _checked(text, relpath, "report.schema.yaml", office_root)
    data = doc.data
    stem = Path(relpath).stem
    if str(data["number"]) != stem:
        line, col = doc.locate(["number"])
        raise InvalidFiles(
            [
                Problem(
                    relpath,
                    line,
                    col,
                    _("number: {number} does not match the file name {name}").format(
                        number=data["number"], name=Path(relpath).name
                    ),
                )
            ]
        )
    return Report(
        number=int(data["number"]),
        path=relpath,
        received=date.fromisoformat(str(data["received"])),
        about=str(data["about"]),
        text=str(data["text"]),
        logged_by=str(data["logged"]["by"]),
        logged_at=str(data["logged"]["at"]),
        name=data.get("name"),
        contact=data.get("contact"),
        answer=data.get("answer"),
    )


def parse_feedback(text: str, relpath: str, office_root: Path | None = None) -> Feedback:
    doc = _checked(text, relpath, "feedback.schema.yaml", office_root)
    data = doc.data
    if "from" in data and "public" in data:
        line, col = doc.locate(["public"], key=True)
        raise InvalidFiles(
            [
                Problem(
                    relpath,
                    line,
                    col,
                    _("public: an opinion is from the roster (from:) or the public, not both"),
                    _("keep one of from: and public:"),
                )
            ]
        )
    folder = Path(relpath).parent.name
    if data["record"] != folder:
        line, col = doc.locate(["record"])
        raise InvalidFiles(
            [
                Problem(
                    relpath,
                    line,
                    col,
                    _("record: {id} does not match its folder feedback/{folder}/").format(
                        id=data["record"], folder=folder
                    ),
                )
            ]
        )
    return Feedback(
        path=relpath,
        record=str(data["record"]),
        received=date.fromisoformat(str(data["received"])),
        text=str(data["text"]),
        logged_by=str(data["logged"]["by"]),
        logged_at=str(data["logged"]["at"]),
        from_key=data.get("from"),
        public=data.get("public"),
    )


def _checked(text: str, relpath: str, schema: str, office_root: Path | None) -> yamlio.Document:
    from dangwu.check import validate

    try:
        doc = yamlio.load(text)
    except yamlio.YamlProblem as exc:
        raise InvalidFiles([exc.at(relpath)]) from None
    if not isinstance(doc.data, dict):
        raise InvalidFiles([Problem(relpath, 1, 1, _("must be a mapping of fields"))])
    problems = validate.schema_problems(doc, relpath, validate.validator(schema, office_root))
    problems += validate.hidden_problems(text, doc, relpath)
    if problems:
        raise InvalidFiles(problems)
    return doc


def read_all(
    files: Mapping[str, bytes], office_root: Path | None = None
) -> tuple[list[Report], list[Feedback], list[Problem]]:
    """Reports and opinions from their files' bytes (by path), and the problems of the
    files that could not be read."""
    reports: list[Report] = []
    opinions: list[Feedback] = []
    problems: list[Problem] = []
    for relpath in sorted(files):
        if not relpath.endswith(".yaml"):
            continue
        try:
            text = yamlio.decode(files[relpath])
            if relpath.startswith(REPORTS_DIR + "/") and relpath.count("/") == 1:
                reports.append(parse_report(text, relpath, office_root))
            elif relpath.startswith(FEEDBACK_DIR + "/") and relpath.count("/") == 2:
                opinions.append(parse_feedback(text, relpath, office_root))
        except yamlio.YamlProblem as exc:
            problems.append(exc.at(relpath))
        except InvalidFiles as exc:
            problems.extend(exc.problems)
    reports.sort(key=lambda r: (r.received, r.number))
    # a second opinion in the same second is <stamp>-<key>-2: longer names sort after
    opinions.sort(key=lambda f: (f.received, f.logged_at, len(f.path), f.path))
    return reports, opinions, problems


def working_tree(office: Office, *, record: str | None = None) -> dict[str, bytes]:
    """The supervision files of the working tree (those of one record's opinions only,
    when ``record`` is given)."""
    found: dict[str, bytes] = {}
    folders = [f"{FEEDBACK_DIR}/{record}"] if record else [REPORTS_DIR, FEEDBACK_DIR]
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


def check_day(
    option: str, day: date, today: date, *, not_before: date = EARLIEST, since: str | None = None
) -> date:
    """A day something happened: not in the future, not before ``not_before`` (the
    day ``since`` names)."""
    if day > today:
        raise RuleViolation(
            _("{option} {day} is in the future (today is {today})").format(
                option=option, day=day.isoformat(), today=today.isoformat()
            ),
            rule="date-in-future",
        )
    if day < not_before:
        message = _("{option} {day} is before {earliest}").format(
            option=option, day=day.isoformat(), earliest=not_before.isoformat()
        )
        if since:
            message += f" ({since})"
        raise RuleViolation(message, rule="date-too-early")
    return day


def one_line(option: str, value: str | None, *, longest: int) -> str | None:
    """A name or contact as typed: one line, not empty, not too long (None stays None)."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        raise UsageError(_("{option} must not be empty").format(option=option))
    if any(c in value for c in "\n\r\u2028\u2029\x85") or not value.isprintable():
        raise UsageError(_("{option} must be a single line of text").format(option=option))
    if len(value) > longest:
        raise UsageError(
            _("{option} is longer than {n} characters").format(option=option, n=longest)
        )
    return value


def text_of(option: str, value: str, *, longest: int = 20000) -> str:
    text = value.strip()
    if not text:
        raise UsageError(_("{option} must not be empty").format(option=option))
    if len(text) > longest:
        raise UsageError(
            _("{option} is longer than {n} characters").format(option=option, n=longest)
        )
    bad = next((c for c in text if not (c.isprintable() or c in "\n\t")), None)
    if bad is not None:
        raise UsageError(
            _("{option} holds a control character (U+{code:04X})").format(
                option=option, code=ord(bad)
            )
        )
    return text


def next_report_number(person: Person, taken: Iterable[int]) -> int:
    """The next report number from ``person``'s blocks of numbers, as record ids are
    minted: two clerks on two clones never take the same number."""
    if person.id_block is None:
        raise UsageError(
            _("{name} has no id_block in the roster, so cannot log reports").format(
                name=person.name
            )
        )
    mine = sorted(n for n in taken if records.owner_block(n) == person.id_block)
    if not mine:
        return person.id_block * 100 + 1
    highest = mine[-1]
    if highest % 100 < 99:
        return highest + 1
    return ((highest // 100) + 9) * 100 + 1


def require_unanswered(report: Report) -> None:
    if report.answer:
        raise RuleViolation(
            _("report {n} was answered on {day}; an answer is not rewritten").format(
                n=report.number, day=report.answer.get("on")
            ),
            hint=_("add what is new as a new report, or as feedback on the record"),
            rule="answered",
        )


def in_window(opinion: Feedback, opened: date, closes: date) -> bool:
    return opened <= opinion.received <= closes


def opinion_count(opinions: Sequence[Feedback], opened: date | None, closes: date | None) -> int:
    """Opinions received within a pre-disclosure's comment window."""
    if opened is None or closes is None:
        return 0
    return sum(1 for f in opinions if in_window(f, opened, closes))


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
    received: date | None = None,
) -> Logged:
    """Log an opinion on a record that the office has put out."""
    from dangwu.model.catalogue import suggest
    from dangwu.store.acting import acting, message

    body = text_of("--text", text)
    public = one_line("--public", public, longest=100)
    if from_key is not None and public is not None:
        raise UsageError(_("give --from KEY or --public NAME, not both"))
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
        day = check_day(
            "--received",
            received or today,
            today,
            not_before=put_out or EARLIEST,
            since=_("the day {id} was put out").format(id=record_id) if put_out else None,
        )
        giver = None if public is not None else (from_key or act.actor.key)
        fields: dict[str, Any] = {"record": record_id, "received": day.isoformat()}
        if giver is not None:
            fields["from"] = giver
        if public is not None:
            fields["public"] = public
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
        content = _dump(fields)
        parse_feedback(content, relpath, office.root)
        if giver is None:
            who = _("a member of the public")
        else:
            who = f"{roster[giver].name} ({giver})" if giver in roster else giver
        note = _("opinion from {who}, received {day}").format(who=who, day=day.isoformat())
        commit = act.commit(
            {relpath: content.encode("utf-8")},
            message(
                "feedback",
                f"{record_id} {record.data.get('title')}",
                actor=act.actor,
                record_id=record_id,
                body=[note],
            ),
        )
    return Logged(relpath, commit, record_id, notes=(note,))


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
    from dangwu.store.acting import acting, message

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
        taken = _report_numbers(office)
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
        content = _dump(fields)
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
                extra=[("Dangwu-Report", str(number))],
            ),
        )
    notes: tuple[str, ...] = ()
    if name:
        from dangwu.rules.workdays import Calendar

        rules = act.settings.rules
        due = Calendar(rules).deadline(day, rules.report_answer_days)
        notes = (_("to be answered, and the reporter told, by {day}").format(day=due.isoformat()),)
    else:
        notes = (_("anonymous: logged; nobody to tell of the outcome"),)
    return Logged(relpath, commit, record_id, number, notes)


def answer_report(
    office: Office, number: int, *, text: str, notified: str, on: date | None = None
) -> Logged:
    """Record how a report was dealt with and how the reporter was told; once."""
    from dangwu.store.acting import acting, message

    body = text_of("--text", text)
    how = one_line("--notified", notified, longest=200)
    with acting(office, "report") as act:
        report, raw = find_report(office, number)
        require_unanswered(report)
        today = act.when.date()
        # answered on or after the day it was logged: an answer backdated before the
        # report was in the book would make a late answer look timely [SPEC 11]
        logged = _day_of(report.logged_at) or report.received
        day = check_day(
            "--on",
            on or today,
            today,
            not_before=max(report.received, logged),
            since=_("the day the report was logged"),
        )
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
        commit = act.commit(
            {report.path: content.encode("utf-8")},
            message(
                "answer",
                _("{n} about {id}").format(n=report.number, id=report.about),
                actor=act.actor,
                body=[_("answered on {day}").format(day=day.isoformat())],
                extra=[("Dangwu-Report", str(report.number))],
            ),
        )
    return Logged(report.path, commit, report.about, report.number)


def find_report(office: Office, number: int) -> tuple[Report, str]:
    """A report of the working tree by number, with its text."""
    from dangwu.errors import RecordNotFound

    relpath = report_path(number)
    path = office.root / relpath
    if not path.is_file():
        raise RecordNotFound(
            _("there is no report {n}").format(n=number),
            hint=_("dangwu report list shows the reports"),
        )
    try:
        text = yamlio.decode(yamlio.read_bytes(path))
    except yamlio.YamlProblem as exc:
        raise InvalidFiles([exc.at(relpath)]) from None
    return parse_report(text, relpath, office.root), text


def _day_of(stamp: str | None) -> date | None:
    try:
        return date.fromisoformat(str(stamp)[:10]) if stamp else None
    except ValueError:
        return None


def _created_on(data: Mapping[str, Any]) -> date | None:
    created = data.get("created")
    return _day_of(created.get("at")) if isinstance(created, Mapping) else None


def _put_out(data: Mapping[str, Any]) -> date | None:
    """The day a record was first put out: for comment, or published."""
    days = []
    for name in ("consultation", "publication"):
        facts = data.get(name)
        if isinstance(facts, Mapping):
            try:
                days.append(date.fromisoformat(str(facts.get("at"))[:10]))
            except ValueError:
                continue
    return min(days) if days else None


def _report_numbers(office: Office) -> set[int]:
    folder = office.root / REPORTS_DIR
    if not folder.is_dir():
        return set()
    return {
        int(entry.name[:-5])
        for entry in os.scandir(folder)
        if entry.name.endswith(".yaml") and entry.name[:-5].isdigit()
    }


def _dump(fields: Mapping[str, Any]) -> str:
    from ruamel.yaml.comments import CommentedMap

    data = CommentedMap()
    for key, value in fields.items():
        data[key] = yamlio.as_yaml_tree(value)
    return yamlio.dump_round_trip(data)
