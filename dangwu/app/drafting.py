"""Writing record content: ``new``, ``set`` and ``edit`` [seed 四1, 四3]."""

from __future__ import annotations

import contextlib
import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any

from dangwu import clock, yamlio
from dangwu.app.validating import check_office
from dangwu.check import validate
from dangwu.errors import DangwuError, InvalidFiles, Problem, RuleViolation, UsageError
from dangwu.i18n import _, os_reason, term
from dangwu.model import words
from dangwu.model.catalogue import (
    CADENCE_TITLES,
    CHANNEL_TITLES,
    INTERNAL_CHANNELS,
    SCOPE_TITLES,
    channel_titles,
)
from dangwu.model.office import Settings
from dangwu.model.record import (
    CONTENT_FIELDS,
    RECORDS_DIR,
    TOOL_FIELDS,
    Summary,
    content_hash,
    facts_of,
    parse_id,
    relpath_for,
)
from dangwu.model.words import one_of, suggest
from dangwu.rules import workflow
from dangwu.rules.schedule import Quarter
from dangwu.store import editor, records
from dangwu.store.acting import Act, acting, message
from dangwu.store.history import as_steps_left
from dangwu.store.office import Office
from dangwu.store.records import record_files

TEXT_FIELDS = ("title", "summary", "body")
LIST_FIELDS = ("channels", "attachments")
BOOL_FIELDS = ("major", "pre_disclosure")
FIXED_FIELDS = ("id", "category")
SETTABLE = tuple(f for f in CONTENT_FIELDS if f not in FIXED_FIELDS)
_TRUE = {"true", "yes", "y", "1", "on", "是"}
_FALSE = {"false", "no", "n", "0", "off", "否"}


@dataclass
class NewRecord:
    category: str
    item: str
    title: str
    summary: str | None = None
    body: str | None = None
    scope: str | None = None
    cadence: str | None = None
    channels: Sequence[str] = ()
    period: str | None = None
    event_date: str | None = None
    follows: str | None = None
    final: bool = False
    major: bool = False
    pre_disclosure: bool = False
    attachments: Sequence[str] = field(default_factory=tuple)


@dataclass
class Written:
    record_id: str
    relpath: str
    commit: str | None
    changes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def check_new(spec: NewRecord, today: date, channels: words.Titles = CHANNEL_TITLES) -> NewRecord:
    """The values a person typed, as codes and ISO dates (Chinese names and Chinese
    dates accepted); a refusal names the option that is wrong."""
    if not spec.title.strip():
        raise UsageError(_("--title must not be empty"))
    if any(breaker in spec.title for breaker in "\n\r\u2028\u2029\x85"):
        raise UsageError(_("--title must be a single line"))
    spec = dataclasses.replace(
        spec,
        scope=one_of("--scope", spec.scope, SCOPE_TITLES) if spec.scope else None,
        cadence=one_of("--cadence", spec.cadence, CADENCE_TITLES) if spec.cadence else None,
        channels=tuple(one_of("--channel", c, channels) for c in spec.channels),
        period=words.quarter("--period", spec.period, today) if spec.period else None,
        event_date=words.day("--event-date", spec.event_date) if spec.event_date else None,
        follows=parse_id(spec.follows) if spec.follows is not None else None,
    )
    for attachment in spec.attachments:
        reason = validate.unsafe_attachment(attachment)
        if reason:
            raise UsageError(f"--attach: {reason}")
    return spec


def create(office: Office, spec: NewRecord) -> Written:
    """Draft a new record and commit it; the office proposes content, form and time limit."""
    spec = check_new(spec, clock.now().date(), channel_titles(office.settings.channels))
    catalogue = office.catalogue
    category = catalogue.category(spec.category)
    item = category.item(spec.item)
    scope = spec.scope or item.scope
    cadence = spec.cadence or item.cadence
    with acting(office, "create") as act:
        # the item's form of disclosure (公开方式) from the catalogue, where its scope
        # is the item's; else the office's channels for the scope
        own = item.channels if scope == item.scope else ()
        channels = tuple(spec.channels) or own or act.settings.channels_for(scope)
        if scope == "internal":
            public = [c for c in channels if c not in INTERNAL_CHANNELS]
            if public:
                raise RuleViolation(
                    _("--channel {channel} is a public channel, but the record is internal").format(
                        channel=public[0]
                    ),
                    hint=_(
                        "an internal record may use only {channels}; or give --scope public"
                    ).format(channels=", ".join(INTERNAL_CHANNELS)),
                    rule="channels-fit-scope",
                )
        if cadence == "quarterly" and spec.period is None:
            raise UsageError(
                _("a quarterly record needs --period (e.g. --period {q})").format(
                    q=_quarter_of(act)
                )
            )
        if cadence == "timely" and spec.event_date is None:
            raise UsageError(
                _(
                    "a timely record needs --event-date, the date of the matter "
                    "(e.g. --event-date {d})"
                ).format(d=act.when.date().isoformat())
            )
        follows = parse_id(spec.follows) if spec.follows else None
        if follows:
            records.find(office, follows)
        # a number once given is never given again, even to a draft since discarded
        gone = act.store.removed(f"{RECORDS_DIR}/{category.slug}/", act.head)
        taken = {PurePosixPath(path).stem for path in gone}
        record_id = records.next_id(office.root, category, act.actor, act.when.year, taken)
        relpath = relpath_for(category, record_id)
        fields: dict[str, Any] = {
            "id": record_id,
            "category": category.slug,
            "item": item.slug,
            "title": spec.title.strip(),
        }
        if spec.summary:
            fields["summary"] = spec.summary.strip()
        if spec.body:
            fields["body"] = spec.body
        fields.update(scope=scope, channels=list(channels), cadence=cadence)
        if spec.period:
            fields["period"] = spec.period
        if spec.event_date:
            fields["event_date"] = spec.event_date
        if follows:
            fields["follows"] = follows
        if spec.final:
            if cadence != "follow-up":
                raise UsageError(
                    _("--final ends a follow-up chain; this record is {cadence}").format(
                        cadence=cadence
                    )
                )
            fields["final"] = True
        if spec.major:
            fields["major"] = True
        if spec.pre_disclosure:
            fields["pre_disclosure"] = True
        if spec.attachments:
            fields["attachments"] = list(spec.attachments)
        fields["status"] = "draft"
        fields["created"] = {"by": act.actor.key, "at": act.when.isoformat()}
        text = records.new_record_text(fields)
        written = must_validate(office, relpath, text)
        commit = act.commit(
            {relpath: text.encode("utf-8")},
            message(
                "new",
                f"{record_id} {fields['title']}",
                actor=act.actor,
                record_id=record_id,
                state=("none", "draft"),
                content=content_hash(written),
            ),
        )
    warnings = _twins(office, written, relpath)
    named = words.quarter_in(str(written["title"]))
    if written.get("period") and named and named != written["period"]:
        warnings.insert(
            0,
            _("the title names {named} but the record is for {period}: is --period right?").format(
                named=Quarter.parse(named).zh, period=Quarter.parse(str(written["period"])).zh
            ),
        )
    return Written(record_id, relpath, commit, warnings=warnings)


def _twins(office: Office, new: Mapping[str, Any], relpath: str) -> list[str]:
    """A warning for each other live record of the same item and quarter (or, outside
    quarterly updates, the same title): the same update drafted twice. The new file,
    just validated, is not read again."""
    folder = f"{RECORDS_DIR}/{new['category']}/"
    others = [p for p in record_files(office.root) if p.startswith(folder) and p != relpath]
    twins = [
        c.summary.id
        for c in check_office(office, others)
        if c.summary is not None
        and c.summary.item == new["item"]
        and c.summary.status not in ("withdrawn", "withheld")
        and (
            c.summary.period == new["period"]
            if new.get("period")
            else c.summary.title == new["title"]
        )
    ]
    if not twins:
        return []
    return [
        _("{ids} is already a record of this item for {what}; is {id} the same update?").format(
            ids=_(", ").join(twins),
            what=term((new["period"], Quarter.parse(new["period"]).zh))
            if new.get("period")
            else new["title"],
            id=new["id"],
        ),
        _("a draft never submitted can be removed with: dangwu discard {id}").format(id=new["id"]),
    ]


def discard(office: Office, ref: str) -> Written:
    """Remove a draft that never went to the leading group, in one commit that says so."""
    with acting(office, "create") as act:
        record = find_stepped(act, ref)
        record_id = str(record.data.get("id", ref))
        workflow.discard(record.data, act.context())
        commit = act.commit(
            {record.relpath: None},
            message(
                "discard",
                f"{record_id} {record.data.get('title', '')}",
                actor=act.actor,
                record_id=record_id,
                state=(record.status, "none"),
            ),
        )
    return Written(record_id, record.relpath, commit)


def _quarter_of(act: Act) -> str:
    day = act.when.date()
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def must_validate(
    office: Office, relpath: str, text: str, before: bytes | None = None
) -> dict[str, Any]:
    """Refuse to write a record that would not validate (schema, rules, references).

    Problems the file already had are pointed at where they are on disk; only
    problems the change would bring point into the changed text.
    """
    raw = text.encode("utf-8")
    doc, summary, problems = validate.check_record_text(raw, relpath, office.catalogue, office.root)
    if doc is not None and summary is not None and not problems:
        problems = _reference_problems(office, relpath, doc, summary)
    if problems:
        if before is not None:
            old = validate.check_record_text(before, relpath, office.catalogue, office.root)[2]
            on_disk = {p.message: p for p in old}
            problems = [on_disk.get(p.message, p) for p in problems]
        raise InvalidFiles(problems, _("nothing was changed: the record would not be valid"))
    assert isinstance(doc, yamlio.Document) and isinstance(doc.data, dict)
    return doc.data


def _reference_problems(
    office: Office, relpath: str, doc: yamlio.Document, summary: Summary
) -> list[Problem]:
    problems: list[Problem] = []
    follows = summary.follows
    if follows is not None:
        try:
            records.find(office, follows)
        except DangwuError:
            line, col = doc.locate(["follows"])
            problems.append(
                Problem(
                    relpath, line, col, _("follows: there is no record {id}").format(id=follows)
                )
            )
    audience = validate.audience_problem(relpath, doc, summary.audience, office.settings.audiences)
    problems += [audience] if audience else []
    pairs = list(enumerate(summary.attachments))
    problems += validate.attachment_problems(office.root, relpath, doc, pairs)
    return problems


# --- set ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Assignment:
    field: str
    op: str  # '=', '+=', '-='
    value: str

    @classmethod
    def parse(cls, text: str) -> Assignment:
        match = re.match(
            r"^([A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*)\s*(\+=|-=|=)(.*)$", text, re.S
        )
        if not match:
            raise UsageError(
                _("'{text}' is not FIELD=VALUE").format(text=text),
                hint=_("e.g. dangwu set ZZ-2026-101 title=新标题 channels+=website"),
            )
        name = match.group(1).replace("-", "_")
        return cls(name, match.group(2), match.group(3))


def _coded(settings: Settings) -> dict[str, words.Titles]:
    """The fields whose values are codes, each with the names people may type instead
    (the office's own names of its channels among them)."""
    channels = channel_titles(settings.channels)
    return {"scope": SCOPE_TITLES, "cadence": CADENCE_TITLES, "channels": channels}


def _code(field: str, typed: str, titles: words.Titles) -> str:
    """The code a typed value names; the start of several names is refused here, and a
    value naming none is kept for validation to place in the file and explain."""
    found = words.candidates(typed, titles)
    if len(found) > 1:
        one_of(field, typed, titles)  # says which it could be
    return found.pop() if found else typed


def _coerce(
    assignment: Assignment, current: Any, today: date, coded: Mapping[str, words.Titles]
) -> tuple[Any, bool]:
    """The new value of a field (and whether to delete it) from what was typed: codes
    from their Chinese names, days and quarters from their Chinese forms."""
    name, op, raw = assignment.field, assignment.op, assignment.value
    if name in LIST_FIELDS:
        items = _split_list(raw)
        if name in coded:
            items = [_code(name, item, coded[name]) for item in items]
        existing = [str(v) for v in (current or [])]
        if op == "+=":
            items = existing + [v for v in items if v not in existing]
        elif op == "-=":
            missing = [v for v in items if v not in existing]
            if missing:
                raise UsageError(
                    _("{field} has no entry '{value}'").format(field=name, value=missing[0])
                )
            items = [v for v in existing if v not in items]
        return items, not items and name == "attachments"
    if op != "=":
        raise UsageError(
            _("{op} works only on lists ({fields})").format(op=op, fields=", ".join(LIST_FIELDS))
        )
    if name in BOOL_FIELDS:
        lowered = raw.strip().lower()
        if lowered in _TRUE:
            return True, False
        if lowered in _FALSE or lowered == "":
            return False, lowered == ""
        raise UsageError(_("{field}: '{value}' is not true or false").format(field=name, value=raw))
    if raw == "":
        return None, True
    if name in TEXT_FIELDS and raw.startswith("@") and name != "title":
        path = Path(raw[1:]).expanduser()
        try:
            data = yamlio.read_bytes(path, plain_file=False)
            return yamlio.decode(data), False
        except yamlio.YamlProblem as exc:
            raise UsageError(f"{path}: {exc.message}", hint=exc.hint) from None
        except OSError as exc:
            raise UsageError(
                _("cannot read {path}: {error}").format(path=path, error=os_reason(exc))
            ) from None
    if name in ("follows",):
        return parse_id(raw), False
    # a value not understood is kept as typed: validation then says what is wrong
    # with it where it stands in the file
    if name in coded:
        return _code(name, raw, coded[name]), False
    with contextlib.suppress(UsageError):
        if name == "period":
            return words.quarter(name, raw, today), False
        if name == "event_date":
            return words.day(name, raw), False
    return raw, False


def _split_list(raw: str) -> list[str]:
    text = raw.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    return [part.strip().strip("'\"") for part in re.split(r"[,，]", text) if part.strip()]


def set_fields(office: Office, ref: str, assignments: Sequence[Assignment]) -> Written:
    """Change content fields of a record, keeping its comments, order and quoting."""
    if not assignments:
        raise UsageError(_("give at least one FIELD=VALUE"))
    for assignment in assignments:
        _check_settable(assignment.field)
    with acting(office, "edit") as act:
        record = find_stepped(act, ref)
        record_id = record.data.get("id", ref)
        workflow.require_editable(record_id, record.status)
        data = yamlio.load_round_trip(record.text)
        changes = []
        coded = _coded(office.settings)
        for assignment in assignments:
            old = data.get(assignment.field)
            value, delete = _coerce(assignment, old, act.when.date(), coded)
            if delete:
                if assignment.field in data:
                    del data[assignment.field]
                    changes.append(f"{assignment.field}: {_show(old)} -> ∅")
                continue
            if assignment.field in LIST_FIELDS:
                new_value: Any = yamlio.flow_list(value)
            else:
                new_value = yamlio.as_yaml_value(value)
            if old is not None and _plain(old) == _plain(new_value):
                continue
            if isinstance(old, str) and isinstance(new_value, str) and type(old) is not str:
                new_value = type(old)(new_value)  # keep the quoting style the file used
            records.place(data, assignment.field, new_value)
            changes.append(f"{assignment.field}: {_show(old)} -> {_show(value)}")
        new_text = yamlio.dump_round_trip(data)
        if new_text == record.text:
            return Written(record_id, record.relpath, None, [])
        return _commit_content(act, record, new_text, "set", changes)


def _check_settable(name: str) -> None:
    if name in TOOL_FIELDS:
        raise RuleViolation(
            _("{field} is written by dangwu as the procedure goes on, not by people").format(
                field=name
            ),
            hint=_("use dangwu submit, decide, approve, publish or withdraw"),
            rule="tool-fields",
        )
    if name in FIXED_FIELDS:
        raise RuleViolation(
            _("a record's {field} never changes").format(field=name),
            hint=_("draft a new record in the right category instead"),
            rule="fixed-fields",
        )
    if name not in SETTABLE:
        raise UsageError(
            _("'{field}' is not a field of a record").format(field=name),
            hint=suggest(name, list(SETTABLE))
            or _("fields: {fields}").format(fields=", ".join(SETTABLE)),
        )


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, bool | int | float) or value is None:
        return value
    return str(value)


def _show(value: Any) -> str:
    if value is None:
        return "∅"
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    text = str(value).replace("\n", " ")
    return text if len(text) <= 40 else text[:37] + "..."


def _commit_content(
    act: Act, record: records.RecordFile, new_text: str, step: str, changes: Sequence[str]
) -> Written:
    data: Mapping[str, Any] | None = must_validate(
        act.office, record.relpath, new_text, before=record.raw
    )
    outcome = workflow.edit(record.data, act.context())
    if outcome.status != record.status:
        # an approval never survives a change of content: back to before it
        rt = yamlio.load_round_trip(new_text)
        records.place(rt, "status", outcome.status)
        new_text = yamlio.dump_round_trip(rt)
        data = None  # to be checked again
    notes = [*outcome.notes, *changes]
    record_id, commit = commit_record(
        act, record, new_text, step, outcome.status, notes, validated=data
    )
    return Written(record_id, record.relpath, commit, notes)


def find_stepped(act: Act, ref: str) -> records.RecordFile:
    """The record a step or an edit acts on, whose procedure facts must be the ones
    dangwu's steps wrote (the audit's tool-fields rule, said before anything is
    written): an edit is a step too, and would otherwise pass facts written by hand
    on as its own to the next step."""
    record = records.find(act.office, ref)
    act.store.refresh_commit_graph(act.head)  # a path's last commits without a walk of all
    left = as_steps_left(act.store, act.head, record.relpath)
    changed = workflow.facts_by_hand(
        facts_of(record.data), None if left is None else left[1].facts()
    )
    if changed:
        act.store.require_clean([record.relpath])  # not committed yet: said as such
        since = f"{left[0]}..{act.head}" if left is not None else act.head
        commits = act.store.log_fields(since, [record.relpath], ["%h"], oldest_first=False)
        workflow.refuse_facts_by_hand(
            str(record.data.get("id")), changed, [row[0] for row in commits]
        )
    return record


def commit_record(
    act: Act,
    record: records.RecordFile,
    text: str,
    step: str,
    status: str,
    notes: Sequence[str],
    *,
    sign: bool = False,
    validated: Mapping[str, Any] | None = None,
) -> tuple[str, str]:
    """Validate a record's new text (unless ``validated`` is its data already) and
    commit it as one step; returns (id, commit)."""
    data = validated if validated is not None else must_validate(act.office, record.relpath, text)
    record_id = str(data["id"])
    commit = act.commit(
        {record.relpath: text.encode("utf-8")},
        message(
            step,
            f"{record_id} {data['title']}",
            actor=act.actor,
            record_id=record_id,
            state=(record.status, status),
            content=content_hash(data),
            body=list(notes),
        ),
        sign=sign,
    )
    return record_id, commit


# --- edit --------------------------------------------------------------------------


def edit_problems(office: Office, record: records.RecordFile, new_text: str) -> list[Problem]:
    """What is wrong with an edited text, before anything is written."""
    raw = new_text.encode("utf-8")
    doc, summary, problems = validate.check_record_text(
        raw, record.relpath, office.catalogue, office.root
    )
    if doc is None or summary is None:
        return problems
    data = doc.data
    for name in TOOL_FIELDS:
        if data.get(name) != record.data.get(name):
            line, col = doc.locate([name], key=True)
            problems.append(
                Problem(
                    record.relpath,
                    line,
                    col,
                    _("{field} is written by dangwu; put it back as it was").format(field=name),
                )
            )
    for name in FIXED_FIELDS:
        if data.get(name) != record.data.get(name):
            line, col = doc.locate([name])
            problems.append(
                Problem(
                    record.relpath,
                    line,
                    col,
                    _("{field} never changes; put it back to {value}").format(
                        field=name, value=record.data.get(name)
                    ),
                )
            )
    if not problems:
        problems = _reference_problems(office, record.relpath, doc, summary)
    return problems


def begin_edit(office: Office, ref: str) -> tuple[records.RecordFile, str]:
    """The record to edit and the roster key of the person editing it, once they
    may: on the roster with a role that edits, the record still editable, and its
    file without uncommitted changes. Checked before any editor opens, so nobody
    types a text they may not save."""
    with acting(office, "edit") as act:
        record = find_stepped(act, ref)
        workflow.require_editable(str(record.data.get("id", ref)), record.status)
        act.store.require_clean([record.relpath])
        return record, act.actor.key


def replace(office: Office, ref: str, new_text: str, *, base: bytes) -> Written:
    """Commit an edited record text, if the record did not change meanwhile."""
    with acting(office, "edit") as act:
        record = find_stepped(act, ref)
        record_id = str(record.data.get("id", ref))
        if record.raw != base:
            raise RuleViolation(
                _("{id} changed while you were editing it").format(id=record_id),
                hint=_("run dangwu edit {id} again; your text is kept in {path}").format(
                    id=record_id,
                    path=editor.shown(office, editor.kept_path(office, act.actor.key, record_id)),
                ),
            )
        workflow.require_editable(record_id, record.status)
        problems = edit_problems(office, record, new_text)
        if problems:
            raise InvalidFiles(problems)
        if new_text == record.text:
            return Written(record_id, record.relpath, None, [])
        return _commit_content(act, record, new_text, "edit", [])
