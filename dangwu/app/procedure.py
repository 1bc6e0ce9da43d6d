"""The steps of the procedure as commits: submit, decide, approve, reject, publish, withdraw.

Each step reads the record, asks :mod:`dangwu.rules.workflow` whether the step is
allowed and what it does, writes the record's new status and the step's facts
into the file, and makes one commit by the actor whose trailers state the step,
the record, the states before and after, the actor and the content's hash.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from dangwu import yamlio
from dangwu.app import supervision
from dangwu.app.drafting import commit_record, find_stepped, must_validate
from dangwu.check.validate import unsafe_attachment
from dangwu.errors import DangwuError, RuleViolation, UsageError
from dangwu.i18n import _, pair
from dangwu.model import words
from dangwu.model.catalogue import channel_titles
from dangwu.model.history import describe
from dangwu.model.office import Rules
from dangwu.model.record import OUTCOME_TITLES, content_hash
from dangwu.model.supervision import FEEDBACK_DIR, PRIVATE_DIRS, Feedback
from dangwu.model.words import one_of
from dangwu.rules import meeting as meeting_rules
from dangwu.rules import secrecy, workflow
from dangwu.rules.supervision import opinion_count, stale_calls
from dangwu.store import documents, records
from dangwu.store import meetings as stored_meetings
from dangwu.store.acting import Act, acting
from dangwu.store.gitstore import GitStore
from dangwu.store.history import Receipts, background, window_openings
from dangwu.store.office import Office
from dangwu.store.snapshot import sensitive_in


@dataclass
class Done:
    """What a step did."""

    record_id: str
    step: str
    before: str
    after: str
    commit: str
    notes: list[str] = field(default_factory=list)
    findings: list[Any] = field(default_factory=list)
    signed: bool = False
    warnings: list[str] = field(default_factory=list)  # said, not written in the history


def _write(
    act: Act,
    record: records.RecordFile,
    step: str,
    outcome: workflow.Outcome,
    *,
    details: Sequence[str] = (),
    sign: bool = False,
) -> Done:
    fields = {"status": outcome.status}
    fields |= {name: yamlio.as_yaml_tree(dict(facts)) for name, facts in outcome.facts.items()}
    notes = [*outcome.notes, *details]
    text = records.with_tool_fields(record.text, fields)
    record_id, commit = commit_record(act, record, text, step, outcome.status, notes, sign=sign)
    return Done(record_id, step, record.status, outcome.status, commit, notes, signed=sign)


def submit(office: Office, ref: str) -> Done:
    """Hand a draft (or a revised formal plan) to the leading group."""
    with acting(office, "submit") as act:
        record = find_stepped(act, ref)
        outcome = workflow.submit(record.data, act.context())
        workflow.require_something_to_print(record.data)
        findings = _findings(office, record)
        details = [_("secrecy review: {n} finding(s)").format(n=len(findings))] if findings else []
        if record.status == "consulting":
            details.append(
                _(
                    "{n} opinion(s) received in the comment window, for the formal plan to "
                    "answer (dangwu feedback list {id})"
                ).format(
                    n=_opinions(record, act.settings.rules, _heard(office, record)),
                    id=record.data.get("id"),
                )
            )
        done = _write(act, record, "submit", outcome, details=details)
        done.findings = findings
        if record.status == "consulting":
            text = "\n".join(str(record.data.get(k, "")) for k in ("title", "summary", "body"))
            for day in stale_calls(text, act.when.date()):
                done.warnings.append(
                    _(
                        "the formal plan still asks for comments until {day}, which has passed: "
                        "take the call for comments out of its text (dangwu edit {id})"
                    ).format(day=day.isoformat(), id=done.record_id)
                )
        return done


def decide(
    office: Office,
    ref: str,
    *,
    meeting: date | str,
    attendees: Sequence[str],
    outcome: str,
    note: str | None = None,
) -> Done:
    """Record the leading group's collective decision, taken at a meeting on a day
    (``meeting`` a date) or at a meeting called with ``meeting new`` (its number, as
    ``3`` or ``2026-3``: the day and those present come from its minutes)."""
    outcome = one_of("--outcome", outcome, OUTCOME_TITLES)
    with acting(office, "decide") as act:
        # --attendee a --attendee b, or --attendee a,b as meeting new --invite takes them
        typed = [
            part for a in attendees for part in a.replace("，", ",").split(",") if part.strip()
        ]
        attendees = [words.person("--attendee", a.strip(), act.settings.roster) for a in typed]
        record = find_stepped(act, ref)
        if note:
            _check_words(office, record, "--note", note)
        named, held = None, None
        if isinstance(meeting, str):
            year, number = meeting_rules.reference(meeting, act.when.year)
            named = f"{year}-{number}"
            held = stored_meetings.at(act.store, act.head).get((year, number))
        result = workflow.decide(
            record.data,
            act.context(),
            meeting=meeting if isinstance(meeting, date) else None,
            attendees=list(attendees),
            outcome=outcome,
            note=note,
            named=named,
            held=held,
        )
        decision = result.facts["decision"]
        present = decision["attendees"]
        names = _(", ").join(act.settings.roster[k].name for k in present)
        day = decision["meeting"] if named is None else f"{decision['meeting']} ({named})"
        details = [
            _("meeting {date}: {names} ({n} of {size} present); outcome: {outcome}").format(
                date=day,
                names=names,
                n=len(present),
                size=result.facts["decision"]["group"],
                outcome=pair(OUTCOME_TITLES[outcome]),
            )
        ]
        return _write(act, record, "decide", result, details=details, sign=act.signing())


def approve(
    office: Office,
    ref: str,
    *,
    sign: bool = False,
    override: str | None = None,
    necessity: str | None = None,
    accuracy: str | None = None,
) -> Done:
    """The review and stamp (审核盖章), optionally signed with the approver's key, with
    the approver's findings on the necessity and accuracy reviews."""
    if override is not None and not override.strip():
        raise UsageError(
            _("--override: say why what the secrecy review found may go out"),
            hint=_("e.g. --override '本人同意公开联系方式'"),
        )
    with acting(office, "approve") as act:
        record = find_stepped(act, ref)
        for option, said in (
            ("--override", override),
            ("--necessity", necessity),
            ("--accuracy", accuracy),
        ):
            if said:
                _check_words(office, record, option, said)
        findings = _findings(office, record)
        attached = _attached(act, record, on_disk=True)
        # signed if asked or required; whether the approver can sign is asked once the
        # rules agree, so a record in the wrong state says so first
        signed = sign or act.settings.rules.require_signing
        # a formal plan: the opinions on its preliminary plan, counted and each answered
        opinions = _heard(office, record) if record.data.get("consultation") else None
        outcome = workflow.approve(
            record.data,
            act.context(),
            content=content_hash(record.data),
            authors=content_authors(act, record.relpath),
            signed=signed,
            findings=[describe(f) for f in findings],
            override=override,
            opinions=None if opinions is None else _opinions(record, act.settings.rules, opinions),
            necessity=necessity,
            accuracy=accuracy,
            unanswered=[f.number or 0 for f in opinions or () if not f.disposition],
            attached=attached,
            # a reporter inside an attached file: no output blots it (internal ones too)
            unblotted=[
                describe(f)
                for f in findings
                if f.kind == "reporter" and f.field.startswith("attachments[")
            ],
        )
        details = []
        if findings and override:
            details.append(_("secrecy findings overridden: {reason}").format(reason=override))
        done = _write(act, record, "approve", outcome, details=details, sign=act.signing(sign))
        done.findings = findings
        return done


def reject(office: Office, ref: str, *, reason: str) -> Done:
    """Send a plan back to the office for revision."""
    with acting(office, "reject") as act:
        record = find_stepped(act, ref)
        _check_words(office, record, "--reason", reason)
        outcome = workflow.reject(record.data, act.context(), reason=reason)
        return _write(act, record, "reject", outcome, details=[reason.strip()], sign=act.signing())


def publish(
    office: Office,
    ref: str,
    *,
    channels: Sequence[str] = (),
    sign: bool = False,
    closes: date | None = None,
) -> Done:
    """Implement the approved plan on its channels."""
    named = channel_titles(office.settings.channels)
    channels = [one_of("--channel", channel, named) for channel in channels]
    with acting(office, "publish") as act:
        record = find_stepped(act, ref)
        signed = sign or act.settings.rules.require_signing  # checked after the rules, as above
        outcome = workflow.publish(
            record.data,
            act.context(),
            content=content_hash(record.data),
            channels=list(channels) or None,
            signed=signed,
            closes=closes,
            opened=_window_opened(act, record),
            attached=_attached(act, record, on_disk=False),
        )
        went_out = list(channels) or [str(c) for c in record.data.get("channels") or []]
        done = _write(act, record, "publish", outcome, sign=act.signing(sign))
        if outcome.status == "published":
            audience = record.data.get("audience")
            for command in workflow.artefacts(
                done.record_id, went_out, audience if isinstance(audience, str) else None
            ):
                done.notes.append(_("to print: {command}").format(command=command))
        event = str(record.data.get("event_date") or "")
        if record.data.get("cadence") == "timely" and event > act.when.date().isoformat():
            done.warnings.append(
                _(
                    "{id} is a timely matter published before its date ({date}): is the date right?"
                ).format(id=done.record_id, date=event)
            )
        return done


def withdraw(office: Office, ref: str, *, reason: str) -> Done:
    """Take a published record or a preliminary plan down."""
    with acting(office, "withdraw") as act:
        record = find_stepped(act, ref)
        _check_words(office, record, "--reason", reason)
        outcome = workflow.withdraw(record.data, act.context(), reason=reason)
        signed = act.signing()
        return _write(act, record, "withdraw", outcome, details=[reason.strip()], sign=signed)


# --- the secrecy review and who wrote what --------------------------------------------


def _attached(act: Act, record: records.RecordFile, *, on_disk: bool) -> dict[str, str]:
    """Each attached file's blob id as committed. An approval stamps these: what goes
    out with the record is the file approved, whatever its path holds later. With
    ``on_disk``, a file on disk that is not what was committed is refused: the
    approver reviews the file on disk, so it must be the one that goes out."""
    names = [n for n in record.data.get("attachments") or () if isinstance(n, str)]
    names = [n for n in names if unsafe_attachment(n) is None]
    if not names:
        return {}
    committed = act.store.tree_blobs("HEAD", names)
    if on_disk:
        # as git sees it (line endings converted as the checkout says, core.autocrlf)
        changed = act.store.dirty(names)
        for name in names:
            if name in committed and name not in changed:
                continue
            if name not in committed and not (act.office.root / name).exists():
                continue  # missing: validation says so
            raise RuleViolation(
                _("{path} is not committed as it is on disk").format(path=name),
                rule="attachment-not-committed",
                record_id=str(record.data.get("id")),
                hint=_(
                    "commit it first (git add -- {path} && git commit), so that the "
                    "file approved is the file that goes out"
                ).format(path=name),
            )
    return {n: committed[n] for n in names if n in committed}


def _findings(office: Office, record: records.RecordFile) -> list[Any]:
    sensitive = reporter_details(office)
    found = list(secrecy.scan(record.doc, sensitive=sensitive, text=record.text))
    return found + _in_attachments(office, record, sensitive) + _internal_named(office, record)


# a record id as a reader reads it: any case, any separator or none between its parts
# (ZZ 2026 104, ZZ_2026_104, ZZ2026104), spaces between its letters; the text is folded
# to NFKC first (full-width forms) and look-alike Cyrillic and Greek capitals to Latin
_MENTIONED = re.compile(
    r"(?<![A-Za-z0-9])([A-Za-z](?:\s?[A-Za-z]){1,3})[\s\W_]{0,3}([0-9]{4})"
    r"[\s\W_]{0,3}([0-9]{3,6})(?![0-9])"
)
_LOOKALIKE = str.maketrans("АВСЕНІЈКМОРЅТХУΑΒΕΖΗΙΚΜΝΟΡΤΧΥ", "ABCEHIJKMOPSTXYABEZHIKMNOPTXY")


def _ids_in(text: str) -> list[str]:
    """The record ids a text names, as a reader would take them."""
    folded = unicodedata.normalize("NFKC", text).translate(_LOOKALIKE)
    return [
        f"{''.join(code.split()).upper()}-{year}-{int(number):03d}"
        for code, year, number in _MENTIONED.findall(folded)
    ]


def _internal_named(office: Office, record: records.RecordFile) -> list[secrecy.Finding]:
    """A public record's words that name a record the public may not see (by its
    id): the id alone tells that it exists and what the office calls it [SPEC 7].
    Only the records named are read."""
    if record.data.get("scope") != "public":
        return []
    own = str(record.data.get("id"))
    found = []
    for name in ("title", "summary", "body"):
        value = record.data.get(name)
        if not isinstance(value, str):
            continue
        for mention in _hidden_named(office, value, own):
            at = record.text.find(mention)
            if at >= 0:
                line = record.text.count("\n", 0, at) + 1
                col = at - record.text.rfind("\n", 0, at)
            else:  # written otherwise than its id: the field it is in
                line, col = record.doc.locate([name])
            said = _("names {id}, a record not disclosed to the public").format(id=mention)
            found.append(secrecy.Finding("internal-record", name, line, col, mention, said))
    return found


def _hidden_named(office: Office, text: str, own: str) -> list[str]:
    """The ids of the records the public may not see that ``text`` names."""
    return [m for m in dict.fromkeys(_ids_in(text)) if m != own and _not_public(office, m)]


def _not_public(office: Office, record_id: str) -> bool:
    try:
        _path, data = records.read_fields(office, record_id)
    except DangwuError:
        return False  # no such record: nothing of the office's is told
    return data.get("scope") != "public" or data.get("audience") is not None


def _in_attachments(
    office: Office, record: records.RecordFile, sensitive: list[str]
) -> list[secrecy.Finding]:
    """What an attached file holds, reviewed as the record's own words are: it goes
    out whole with the record. Text files (whatever their name says), Word, Excel,
    WPS and OpenDocument files and PDF are read; of a public record, what the review
    cannot read (a picture, a scanned page) is a finding too, for the approver to
    read by hand. Each finding is placed at the attachment's line in the record
    file, and names the file (and the line or page in it)."""
    attached = record.data.get("attachments")
    if not isinstance(attached, list):
        return []
    public = record.data.get("scope") == "public"
    own = str(record.data.get("id"))
    found = []
    root = office.root.resolve()
    for index, name in enumerate(attached):
        if not isinstance(name, str) or unsafe_attachment(name) is not None:
            continue  # validation says why; nothing outside the office is read
        path = (office.root / name).resolve()
        if not path.is_relative_to(root):
            continue  # a link that leads out of the office
        read = documents.read_words(path)
        if read is None:
            continue  # a missing file is validation's to say
        line, col = record.doc.locate(["attachments", index])
        where = f"attachments[{index}]"
        if public and read.unread:
            said = _("{path}: {unread}; read it yourself, then approve with --override").format(
                path=name, unread=read.unread
            )
            found.append(secrecy.Finding("attachment-unread", where, line, col, name, said))
        named = [
            secrecy.Finding(
                "internal-record",
                where,
                read.text.count("\n", 0, max(read.text.find(mention), 0)) + 1,
                1,
                mention,
                _("names {id}, a record not disclosed to the public").format(id=mention),
            )
            for mention in (_hidden_named(office, read.text, own) if public else [])
        ]
        scanned = secrecy.scan_text(where, read.text, sensitive=sensitive)
        for finding in [*scanned, *named]:
            said = _("{path} {where}: {message}").format(
                path=name, where=read.where(finding.line), message=finding.message
            )
            found.append(replace(finding, line=line, col=col, message=said))
    return found


# what no reason may print, whatever the record's scope: the people it names
PERSONAL = frozenset({"reporter", "id-card", "mobile", "bank-card"})


def _check_words(office: Office, record: records.RecordFile, option: str, text: str) -> None:
    """A reason or note is printed with the record: the secrecy review reads it as it
    will be printed, and what it finds stops the step [SPEC 11]."""

    found = secrecy.scan_text(option, text, sensitive=reporter_details(office))
    public = record.data.get("scope") == "public"
    stopping = [f for f in found if public or f.kind in PERSONAL]
    if stopping:
        raise RuleViolation(
            _("{option} would print what may not be disclosed: {finding}").format(
                option=option, finding=stopping[0].message
            ),
            hint=_("a reason is printed with the record; say it without that"),
            record_id=str(record.data.get("id")),
            rule="secrecy",
        )


def check(office: Office, ref: str) -> tuple[records.RecordFile, list[Any]]:
    """The secrecy review of one record, without changing anything. A record that
    would not validate is refused as ``submit`` would refuse it (hidden characters
    among them), so a clean review never precedes a refused submission."""
    record = records.find(office, ref)
    must_validate(office, record.relpath, record.text)
    return record, _findings(office, record)


def reporter_details(office: Office) -> list[str]:
    """Names and contacts of real-name reporters and of requesters, and the members of
    the public who asked not to be named, as the office's files hold them now: never
    to appear in a disclosure."""

    def read(paths: Iterable[Path]) -> Iterator[bytes]:
        for path in sorted(paths):
            with contextlib.suppress(OSError):
                yield yamlio.read_bytes(path)

    private = [p for d in PRIVATE_DIRS for p in (office.root / d).glob("*.yaml")]
    return sensitive_in(read(private), read((office.root / FEEDBACK_DIR).glob("*/*.yaml")))


def _heard(office: Office, record: records.RecordFile) -> list[Feedback]:
    return supervision.heard(office, str(record.data.get("id")))


def _opinions(record: records.RecordFile, rules: Rules, opinions: list[Feedback]) -> int:
    """Of the opinions on a pre-disclosure, those received within its comment window:
    what the formal plan answers."""

    consultation = record.data.get("consultation")
    if not isinstance(consultation, Mapping):
        return 0
    try:
        opened = datetime.fromisoformat(str(consultation.get("at"))).date()
    except ValueError:
        return 0
    closes = workflow.window_closes(record.data, rules)
    return opinion_count(opinions, opened, closes)


def comment_closes(office: Office, relpath: str, data: Mapping[str, Any]) -> date | None:
    """The last day of a pre-disclosure's comment window (the record at ``relpath``,
    holding ``data``): as its step set it, or later where the server received the
    preliminary plan later [SPEC 11]."""

    if not isinstance(data.get("consultation"), Mapping):
        return None
    with GitStore(office.root, office.state_dir) as git:
        head = git.head()
        opened = (
            window_openings(git, head, [relpath], office.settings).get(relpath) if head else None
        )
    return workflow.window_closes(data, office.settings.rules, opened)


def _window_opened(act: Act, record: records.RecordFile) -> datetime | None:
    """When a formal plan's comment window really opened: the commit of the step that
    put it out for comment (not what its file says, which a hand can change), or the
    day the server received it if later (as far as this clone has heard)."""
    if not isinstance(record.data.get("consultation"), Mapping):
        return None

    known = background(
        act.store, act.head, [record.relpath], act.settings, Receipts(act.store)
    ).opened.get(record.relpath)
    return datetime.fromisoformat(known) if known else None


def content_authors(act: Act, relpath: str) -> set[str]:
    """Everyone who drafted or changed the content of a record, from its history."""

    return background(act.store, act.head, [relpath], act.settings).authors[relpath]
