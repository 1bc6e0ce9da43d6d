"""The disclosure procedure [seed 四, 五] as a pure state machine with its rules.

Each step takes a record's data (as read from its file), who is acting and
when, and the step's particulars, and returns the record's new status and the
facts to write, or raises RuleViolation naming the rule. Nothing here touches
the disk, git or the terminal: the live commands and the audit call the same
functions, so what the tool refuses today is what the audit flags tomorrow.

    draft ─submit→ submitted ─decide(publish)→ decided ─approve→ approved ─publish→ published
      ↑               │  decide(withhold) → withheld (final)                     │
      │               └──approve (non-major only)───────────┘        withdraw → withdrawn
      └─ reject / decide(revise)          pre-disclosure: first publish → consulting
                                          (edit, submit, approve, publish again)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any, NoReturn

from dangwu.errors import IdentityError, RuleViolation
from dangwu.i18n import N_, _, alternatives
from dangwu.model.catalogue import INTERNAL_CHANNELS
from dangwu.model.meeting import Meeting
from dangwu.model.office import DRAFTING_ROLES, ROLE_TITLES, ROSTER_ROLES, Person, Rules
from dangwu.model.record import TOOL_FIELDS, approved_attachments

GROUP_ROLES = frozenset({"leader", "member"})

# the steps signed where the office requires signing [SPEC 11]: the leading group's
# acts (which a clerk must never be able to take in a leader's name) and what goes out
SIGNED_STEPS = frozenset({"decide", "approve", "reject", "withdraw", "publish"})

# action -> roles that may do it [SPEC section 3]
MAY: dict[str, frozenset[str]] = {
    "create": DRAFTING_ROLES,
    "discard": DRAFTING_ROLES,
    "edit": DRAFTING_ROLES,
    "submit": DRAFTING_ROLES,
    "publish": DRAFTING_ROLES,
    "decide": GROUP_ROLES,
    "approve": GROUP_ROLES,
    "reject": GROUP_ROLES,
    "withdraw": GROUP_ROLES,
    "roster": ROSTER_ROLES,
    "feedback": frozenset({"supervisor"}) | DRAFTING_ROLES,
    "report": DRAFTING_ROLES,
    "answer": DRAFTING_ROLES,
    "request": DRAFTING_ROLES,
    "circular": DRAFTING_ROLES,
    "meeting": DRAFTING_ROLES,
}
ACTION_TITLES = {
    "create": N_("create records"),
    "discard": N_("discard drafts"),
    "edit": N_("edit records"),
    "submit": N_("submit records"),
    "publish": N_("publish records"),
    "decide": N_("record a collective decision"),
    "approve": N_("approve records"),
    "reject": N_("send records back"),
    "withdraw": N_("withdraw records"),
    "roster": N_("change the roster"),
    "feedback": N_("give feedback"),
    "report": N_("log reports"),
    "answer": N_("answer opinions"),
    "request": N_("handle requests for disclosure"),
    "circular": N_("issue circulars"),
    "meeting": N_("call meetings and take their minutes"),
}

STATUSES = (
    "draft",
    "submitted",
    "decided",
    "approved",
    "consulting",
    "published",
    "withheld",
    "withdrawn",
)
STATUS_TITLES = {
    "draft": (N_("draft"), "草稿"),
    "submitted": (N_("submitted"), "已报送"),
    "decided": (N_("decided"), "已集体决定"),
    "approved": (N_("approved"), "已审核"),
    "consulting": (N_("consulting"), "征求意见中"),
    "published": (N_("published"), "已公开"),
    "withheld": (N_("withheld"), "不予公开"),
    "withdrawn": (N_("withdrawn"), "已撤回"),
}
# States whose content may still change [SPEC section 4: edit].
EDITABLE = frozenset({"draft", "submitted", "decided", "approved", "consulting"})
OUTCOMES = ("publish", "revise", "withhold")
# what each step is called: the commit's Dangwu-Step, then the office's word for it
STEP_TITLES = {
    "init": (N_("init"), "创建"),
    "new": (N_("new"), "拟定"),
    "set": (N_("set"), "修改"),
    "edit": (N_("edit"), "编辑"),
    "submit": (N_("submit"), "报送"),
    "decide": (N_("decide"), "集体讨论决定"),
    "approve": (N_("approve"), "审核"),
    "reject": (N_("reject"), "退回"),
    "publish": (N_("publish"), "公开"),
    "withdraw": (N_("withdraw"), "撤回"),
    "feedback": (N_("feedback"), "意见建议"),
    "report": (N_("report"), "举报"),
    "answer": (N_("answer"), "答复"),
    "request": (N_("request"), "依申请公开"),
    "extend": (N_("extend"), "延期答复"),
    "refuse": (N_("refuse"), "不予公开"),
    "circular": (N_("circular"), "印发"),
    "meeting": (N_("meeting"), "召开会议"),
    "minutes": (N_("minutes"), "会议记录"),
    "discard": (N_("discard"), "删除草稿"),
    "roster add": (N_("roster add"), "添加人员"),
    "roster remove": (N_("roster remove"), "删除人员"),
    "roster set": (N_("roster set"), "修改人员信息"),
}


@dataclass(frozen=True)
class Context:
    """Who acts, when, and the office as it stood at that moment."""

    actor: Person
    roster: Mapping[str, Person]
    rules: Rules
    when: datetime

    def stamp(self, **facts: Any) -> dict[str, Any]:
        return {"by": self.actor.key, "at": self.when.isoformat(), **facts}


@dataclass(frozen=True)
class Outcome:
    """What a step does to a record: its new status and the facts it writes."""

    status: str
    facts: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


def role_names(roles: Iterable[str]) -> str:
    return alternatives(_(ROLE_TITLES[r][0]) for r in sorted(roles))


def require(person: Person, action: str) -> None:
    allowed = MAY[action]
    if not allowed.intersection(person.roles):
        raise IdentityError(
            _(
                "{name} ({key}) may not {action}: that needs the role {roles}, "
                "and the roster gives {name} only {theirs}"
            ).format(
                name=person.name,
                key=person.key,
                action=_(ACTION_TITLES[action]),
                roles=role_names(allowed),
                theirs=role_names(person.roles),
            ),
            hint=_("ask someone with that role, or an office head to change the roster"),
            rule="role",
        )


def _refuse(rule: str, message: str, record_id: str | None, hint: str | None = None) -> NoReturn:
    raise RuleViolation(message, hint=hint, record_id=record_id, rule=rule)


def _id(data: Mapping[str, Any]) -> str | None:
    value = data.get("id")
    return str(value) if value is not None else None


def status_of(data: Mapping[str, Any]) -> str:
    return str(data.get("status", "draft"))


# the states each step starts from [SPEC 4]
FROM = {
    "submit": ("draft", "consulting"),
    "decide": ("submitted", "decided"),
    "approve": ("submitted", "decided"),
    "reject": ("submitted", "decided", "approved"),
    "publish": ("approved",),
    "withdraw": ("published", "consulting"),
    "discard": ("draft",),
}


def _from(data: Mapping[str, Any], step: str) -> str:
    allowed = FROM[step]
    status = status_of(data)
    if status not in allowed:
        _refuse(
            "order",
            _("{id} is {status}; {step} needs a record that is {allowed}").format(
                id=_id(data),
                status=_(status),
                step=step,
                allowed=alternatives(_(s) for s in allowed),
            ),
            _id(data),
            _next_step_hint(status, _id(data)),
        )
    return status


def _next_step_hint(status: str, record_id: str | None) -> str | None:
    hints = {
        "draft": N_("next: dangwu submit {id}"),
        "submitted": N_("next: dangwu decide {id} ... or dangwu approve {id}"),
        "decided": N_("next: dangwu approve {id}"),
        "approved": N_("next: dangwu publish {id}"),
        "consulting": N_("revise the formal plan (dangwu edit {id}), then dangwu submit {id}"),
        "published": N_("a correction is a new record: dangwu new ... --follows {id}"),
    }
    return _(hints[status]).format(id=record_id) if status in hints else None


def _at(data: Mapping[str, Any], name: str) -> datetime | None:
    facts = data.get(name)
    if isinstance(facts, Mapping) and isinstance(facts.get("at"), str):
        return _moment(facts["at"])
    return None


@lru_cache(maxsize=1 << 16)
def _moment(stamp: str) -> datetime | None:
    """A step's time as its facts write it (the audit reads the same stamps again and
    again, version after version)."""
    try:
        return datetime.fromisoformat(stamp)
    except ValueError:
        return None


# The facts of each step, and when each was done: all dangwu writes but the status.
STEP_FACTS = TOOL_FIELDS[1:]


def last_step(data: Mapping[str, Any]) -> datetime | None:
    """When the record's latest step was done, as its facts say."""
    found = [moment for name in STEP_FACTS if (moment := _at(data, name)) is not None]
    return max(found, key=_comparable) if found else None


def _comparable(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@lru_cache(maxsize=1 << 16)
def _seconds(stamp: str) -> float | None:
    moment = _moment(stamp)
    return _comparable(moment).timestamp() if moment is not None else None


def facts_by_hand(now: Mapping[str, Any], left: Mapping[str, Any] | None) -> list[str]:
    """The procedure facts of a record (status and the steps' facts, ``now``) that are
    not as dangwu's last step on it left them (``left``; None where no step wrote the
    file: a draft added by hand, which may say only that it is a draft and who
    created it)."""
    if left is None:
        left = {k: now[k] for k in ("created",) if k in now}
        if "status" in now:
            left["status"] = "draft"
    return sorted(k for k in set(now) | set(left) if now.get(k) != left.get(k))


def refuse_facts_by_hand(
    record_id: str | None, changed: Sequence[str], commits: Sequence[str]
) -> NoReturn:
    """A step acts only on facts dangwu wrote: a status or a step's facts changed by
    hand (an approval's content hash or attachment stamps made to fit a changed file,
    a status moved on) would be taken for the procedure's own. The audit flags the
    commit that did it (``commits``: those that changed the file since dangwu's last
    step, newest first); the step refuses before anything is written. A commit not
    sent yet is best dropped: one sent is taken back, and both stay in the history."""
    _refuse(
        "tool-fields",
        _("the procedure facts of {id} ({fields}) were changed outside dangwu").format(
            id=record_id, fields=", ".join(changed)
        ),
        record_id,
        _hand_hint(commits),
    )


def _hand_hint(commits: Sequence[str]) -> str:
    if not commits:
        return _("dangwu audit names the commit that changed them")
    if len(commits) == 1:
        return _(
            "if {commit} is not sent yet, drop it: git rebase --onto {commit}^ {commit}; "
            "if it is, take it back: git revert {commit}"
        ).format(commit=commits[0])
    return _(
        "the commits that changed the file since: {commits}; drop each one not sent yet "
        "(git rebase --onto C^ C), take back each one that is (git revert C)"
    ).format(commits=" ".join(commits))


def check_time(data: Mapping[str, Any], ctx: Context) -> None:
    """Time runs forwards [SPEC 11]: no step is dated before the step it follows
    (beyond what clocks may disagree by)."""
    latest: float | None = None
    for name in STEP_FACTS:
        facts = data.get(name)
        if isinstance(facts, Mapping):
            stamp = facts.get("at")
            seconds = _seconds(stamp) if isinstance(stamp, str) else None
            if seconds is not None and (latest is None or seconds > latest):
                latest = seconds
    if latest is None:
        return
    if _comparable(ctx.when).timestamp() < latest - ctx.rules.clock_skew_minutes * 60:
        last = last_step(data)
        _refuse(
            "time-order",
            _(
                "this step on {id} would be dated {when}, before the record's last step "
                "({last}); time runs forwards"
            ).format(
                id=_id(data),
                when=ctx.when.isoformat(timespec="minutes"),
                last=last.isoformat(timespec="minutes") if last else "?",
            ),
            _id(data),
            _("check the computer's clock (and DANGWU_NOW, if it is set)"),
        )


def check_text(option: str, value: str, record_id: str | None) -> None:
    """A reason or note is printed with the record: no character in it may print as
    nothing or reorder the text around it [SPEC 11]."""
    # the secrecy rules compile large character classes: only a step's text needs them
    from dangwu.rules.secrecy import HIDDEN

    bad = next((c for c in value if not (c.isprintable() or c in "\n\t") or HIDDEN.match(c)), None)
    if bad is not None:
        _refuse(
            "hidden-characters",
            _("{option} holds an invisible character (U+{code:04X})").format(
                option=option, code=ord(bad)
            ),
            record_id,
            _("type it again without it"),
        )


def group(roster: Mapping[str, Person]) -> list[Person]:
    """The leading group (领导小组): the leader and the members."""
    return [p for p in roster.values() if GROUP_ROLES.intersection(p.roles)]


def is_major(data: Mapping[str, Any]) -> bool:
    return bool(data.get("major"))


# --- the steps ---------------------------------------------------------------------


def submit(data: Mapping[str, Any], ctx: Context) -> Outcome:
    """The office hands the plan to the leading group [seed 四1]."""
    require(ctx.actor, "submit")
    before = _from(data, "submit")
    check_time(data, ctx)
    notes: tuple[str, ...] = ()
    if before == "consulting":
        notes = (_("the formal plan, revised from the preliminary plan"),)
    return Outcome("submitted", {"submitted": ctx.stamp()}, notes)


# the facts a record gains once it has gone to the leading group
PROCEDURE_FACTS = ("submitted", "decision", "approval", "rejection", "consultation", "publication")


def discard(data: Mapping[str, Any], ctx: Context) -> None:
    """A draft that never went to the leading group may be removed by the office: a
    duplicate, a mistake. Once submitted, it is part of the procedure's record."""
    require(ctx.actor, "discard")
    record_id = _id(data)
    went = [name for name in PROCEDURE_FACTS if name in data]
    if status_of(data) not in FROM["discard"] or went:
        _refuse(
            "discard",
            _("{id} has been submitted ({state}): it stays in the record of the procedure").format(
                id=record_id, state=_(status_of(data))
            ),
            record_id,
            _("a record the group has seen is withdrawn or withheld, not discarded"),
        )


def require_something_to_print(data: Mapping[str, Any]) -> None:
    """A record goes to the leading group with something for people to read: a title
    alone prints as an empty notice. Checked when a person submits; the audit does not
    judge old steps by it."""
    if any(str(data.get(name) or "").strip() for name in ("summary", "body")):
        return
    record_id = _id(data)
    _refuse(
        "nothing-to-print",
        _("{id} has a title and nothing else: the board would print an empty notice").format(
            id=record_id
        ),
        record_id,
        _(
            "give it a summary or a body first: dangwu set {id} summary=... or dangwu edit {id}"
        ).format(id=record_id),
    )


def decide(
    data: Mapping[str, Any],
    ctx: Context,
    *,
    meeting: date | None,
    attendees: Sequence[str],
    outcome: str,
    note: str | None = None,
    named: str | None = None,
    held: Meeting | None = None,
) -> Outcome:
    """The leading group's collective decision [seed 四2, 五 集体讨论决定].

    ``named``: the meeting it was taken at, as ``YEAR-N``, and ``held`` that meeting
    as it stands (None: there is none). A decision taken at a named meeting takes its
    day from the meeting and its attendees from the meeting's minutes."""
    require(ctx.actor, "decide")
    _from(data, "decide")
    check_time(data, ctx)
    record_id = _id(data)
    if named is not None:
        meeting, attendees = _at_meeting(record_id, named, held, attendees, ctx.roster)
    if meeting is None:
        _refuse("meeting-date", _("a decision needs the day of its meeting"), record_id)
    if outcome not in OUTCOMES:
        _refuse(
            "outcome",
            _("'{outcome}' is not an outcome; use publish, revise or withhold").format(
                outcome=outcome
            ),
            record_id,
        )
    if meeting > ctx.when.date():
        _refuse(
            "meeting-date",
            _("the meeting of {date} has not happened yet").format(date=meeting.isoformat()),
            record_id,
        )
    submitted = _at(data, "submitted")
    if submitted is not None and meeting < submitted.date():
        _refuse(
            "meeting-date",
            _("the meeting of {date} was before {id} was submitted ({submitted})").format(
                date=meeting.isoformat(), id=record_id, submitted=submitted.date().isoformat()
            ),
            record_id,
        )
    if not attendees:
        _refuse("quorum", _("a decision needs the attendees of the meeting"), record_id)
    twice = next((key for n, key in enumerate(attendees) if key in attendees[:n]), None)
    if twice is not None:
        _refuse(
            "attendee", _("{key} is listed twice among the attendees").format(key=twice), record_id
        )
    members = group(ctx.roster)
    for key in attendees:
        person = ctx.roster.get(key)
        if person is None:
            _refuse(
                "attendee-not-member",
                _("no one on the roster has the key '{key}'").format(key=key),
                record_id,
                _("attendees are the leader and members on the roster"),
            )
        if not GROUP_ROLES.intersection(person.roles):
            who = f"{person.name} ({key})"
            _refuse(
                "attendee-not-member",
                _(
                    "{who} is not a member of the leading group and cannot take part in its "
                    "decision"
                ).format(who=who),
                record_id,
                _("attendees are the leader and members on the roster"),
            )
    present, size = len(attendees), len(members)
    if present * 2 <= size:
        _refuse(
            "quorum",
            _(
                "no quorum: {present} of the {size} members of the leading group were present; "
                "more than half ({needed}) must be"
            ).format(present=present, size=size, needed=size // 2 + 1),
            record_id,
        )
    facts: dict[str, Any] = {"meeting": meeting.isoformat()}
    if named is not None:
        facts["meeting_no"] = named
    facts |= {
        "attendees": list(attendees),
        "group": size,
        "outcome": outcome,
    }
    if note:
        check_text("--note", note, record_id)
        facts["note"] = note
    status = {"publish": "decided", "revise": "draft", "withhold": "withheld"}[outcome]
    return Outcome(status, {"decision": ctx.stamp(**facts)})


def _at_meeting(
    record_id: str | None,
    named: str,
    held: Meeting | None,
    attendees: Sequence[str],
    roster: Mapping[str, Person],
) -> tuple[date, list[str]]:
    """The day and the voting attendees of a decision taken at meeting ``named``: a
    leading-group meeting whose matters include the record and whose minutes were
    taken. Attendees named as well must be those its minutes say were present."""
    if held is None:
        _refuse("meeting-date", _("there is no meeting {n}").format(n=named), record_id)
    if held.kind != "leading-group":
        _refuse(
            "meeting-date",
            _("meeting {n} is not a leading group meeting; the group decides at its own").format(
                n=named
            ),
            record_id,
        )
    if record_id is None or record_id not in held.matters:
        _refuse(
            "meeting-date",
            _("{id} was not among the matters of meeting {n}").format(id=record_id, n=named),
            record_id,
        )
    if held.minutes is None:
        _refuse(
            "meeting-date",
            _("take the minutes of meeting {n} first: they say who was present").format(n=named),
            record_id,
        )
    voting = [
        k for k in held.minutes.present if k in roster and GROUP_ROLES.intersection(roster[k].roles)
    ]
    if attendees and sorted(attendees) != sorted(voting):
        _refuse(
            "attendee",
            _("the minutes of meeting {n} say who was present: {keys}").format(
                n=named, keys=", ".join(voting) or "-"
            ),
            record_id,
        )
    return held.when.date(), voting


def approve(
    data: Mapping[str, Any],
    ctx: Context,
    *,
    content: str,
    authors: Iterable[str] = (),
    signed: bool = False,
    findings: Sequence[str] = (),
    override: str | None = None,
    opinions: int | None = None,
    necessity: str | None = None,
    accuracy: str | None = None,
    unanswered: Sequence[int] = (),
    attached: Mapping[str, str] | None = None,
    unblotted: Sequence[str] = (),
) -> Outcome:
    """The leading group's review and stamp (审核盖章) [seed 四3].

    ``unblotted`` are the findings no output can blot (a reporter named inside an
    attached file, which goes out as it is): they stop the approval of a record of
    any scope, unless overridden.

    ``attached`` gives each attached file's git blob id as approved: what goes out
    with the record is that file, whatever the path holds later.

    ``unanswered`` are the numbers of the opinions on a formal plan's preliminary plan
    with no disposition yet: the plan is adjusted after hearing them [seed 五], so
    each is answered before the formal plan is approved.

    ``content`` is the hash of the record's content being approved, ``authors``
    everyone who drafted or edited it, ``findings`` the secrecy review's;
    ``necessity`` and ``accuracy`` the approver's findings on the other two reviews
    the regulation asks for before approval (art. 15(二): 保密审查、必要性审查、准确性审查).
    """
    require(ctx.actor, "approve")
    record_id = _id(data)
    status = _from(data, "approve")
    check_time(data, ctx)
    if ctx.actor.key in set(authors) | {_created_by(data)}:
        _refuse(
            "self-approval",
            _("{name} drafted or edited {id} and so cannot approve it").format(
                name=ctx.actor.name, id=record_id
            ),
            record_id,
            _("another member of the leading group must approve it"),
        )
    if is_major(data):
        if "leader" not in ctx.actor.roles:
            _refuse(
                "major-needs-leader",
                _("{id} is a major matter; only the leader may approve it").format(id=record_id),
                record_id,
            )
        check_decision(data)
    if unanswered and isinstance(data.get("consultation"), Mapping):
        numbers = "、".join(str(n) for n in unanswered)
        _refuse(
            "unanswered",
            _(
                "{id} is a formal plan, and {n} opinion(s) on its preliminary plan have no "
                "answer yet: {numbers}"
            ).format(id=record_id, n=len(unanswered), numbers=numbers),
            record_id,
            _("answer each: dangwu feedback answer N --outcome 采纳 --reason ... --notified ..."),
        )
    if override:
        check_text("--override", override, record_id)
    reviews = {"necessity": necessity, "accuracy": accuracy}
    for name, said in reviews.items():
        if said is not None:
            check_text(f"--{name}", said, record_id)
    if unblotted and not (override and override.strip()):
        _refuse(
            "secrecy",
            _(
                "an attached file of {id} names a real-name reporter; attachments go out "
                "as they are, on internal outputs too"
            ).format(id=record_id),
            record_id,
            _("remove them (dangwu check {id}), or approve with --override 'reason'").format(
                id=record_id
            ),
        )
    if findings and data.get("scope") == "public" and not (override and override.strip()):
        _refuse(
            "secrecy",
            _("the secrecy review found {n} problem(s) in a public record").format(n=len(findings)),
            record_id,
            _("remove them (dangwu check {id}), or approve with --override 'reason'").format(
                id=record_id
            ),
        )
    if ctx.rules.require_signing and not signed:
        _refuse(
            "signature-required",
            _("the office requires approvals to be signed"),
            record_id,
            _("approve with --sign, after setting up your signing key"),
        )
    facts: dict[str, Any] = {"content": content, "signed": bool(signed)}
    if findings and override and override.strip():
        facts["overrides"] = [{"finding": f, "reason": override.strip()} for f in findings]
    if opinions is not None:
        facts["opinions"] = opinions
    own = {str(a) for a in data.get("attachments") or () if isinstance(a, str)}
    stamped = {path: blob for path, blob in (attached or {}).items() if path in own}
    if stamped:
        facts["attachments"] = stamped
    facts |= {name: said.strip() for name, said in reviews.items() if said and said.strip()}
    notes = (_("approved after a collective decision"),) if status == "decided" else ()
    return Outcome("approved", {"approval": ctx.stamp(**facts)}, notes)


def check_decision(data: Mapping[str, Any]) -> None:
    """A major record needs a decision to publish, taken by a quorum, for this round."""
    record_id = _id(data)
    decision = data.get("decision")
    if not isinstance(decision, Mapping) or status_of(data) == "submitted":
        _refuse(
            "major-needs-decision",
            _("{id} is a major matter: the leading group must decide on it first").format(
                id=record_id
            ),
            record_id,
            _(
                "record the meeting: dangwu decide {id} --meeting DATE --attendee KEY ... "
                "--outcome publish"
            ).format(id=record_id),
        )
        return
    if decision.get("outcome") != "publish":
        _refuse(
            "major-needs-decision",
            _("the leading group decided '{outcome}', not to publish").format(
                outcome=decision.get("outcome")
            ),
            record_id,
        )
    attendees = decision.get("attendees") or []
    size = decision.get("group")
    if not isinstance(size, int) or len(attendees) * 2 <= size:
        _refuse(
            "quorum",
            _("the decision on {id} was taken without a quorum ({present} of {size})").format(
                id=record_id, present=len(attendees), size=size
            ),
            record_id,
        )
    consulted = _at(data, "consultation")
    decided = _at(data, "decision")
    if consulted is not None and (decided is None or decided <= consulted):
        _refuse(
            "major-needs-decision",
            _("the formal plan of {id} needs a new decision after the comment period").format(
                id=record_id
            ),
            record_id,
        )


def _created_by(data: Mapping[str, Any]) -> str | None:
    created = data.get("created")
    return str(created.get("by")) if isinstance(created, Mapping) else None


def reject(data: Mapping[str, Any], ctx: Context, *, reason: str) -> Outcome:
    """The leading group sends a plan back to the office for revision."""
    require(ctx.actor, "reject")
    _from(data, "reject")
    check_time(data, ctx)
    if not reason.strip():
        _refuse("reason", _("say why it goes back: --reason TEXT"), _id(data))
    check_text("--reason", reason, _id(data))
    return Outcome("draft", {"rejection": ctx.stamp(reason=reason.strip())})


def publish(
    data: Mapping[str, Any],
    ctx: Context,
    *,
    content: str,
    channels: Sequence[str] | None = None,
    signed: bool = False,
    closes: date | None = None,
    opened: datetime | None = None,
    attached: Mapping[str, str] | None = None,
) -> Outcome:
    """The office implements the approved plan [seed 四4]; a pre-disclosure's first
    publication opens its comment window [seed 五 预公开], of at least the office's days,
    longer when the office says until when (``closes``). ``opened`` is when the window
    really opened, if later than the preliminary plan's step says (the server received
    it later [SPEC 11]). ``attached``: each attached file's blob id as it is now,
    which must be the one approved."""
    require(ctx.actor, "publish")
    record_id = _id(data)
    _from(data, "publish")
    check_time(data, ctx)
    approval = data.get("approval")
    if not isinstance(approval, Mapping) or approval.get("content") != content:
        _refuse(
            "content-changed",
            _("the content of {id} is not what was approved").format(id=record_id),
            record_id,
            _("it must be approved again: dangwu submit {id}").format(id=record_id),
        )
    if attached is not None:
        for path, blob in approved_attachments(data).items():
            if attached.get(path) != blob:
                _refuse(
                    "attachment-changed",
                    _("{path}, attached to {id}, is not the file that was approved").format(
                        path=path, id=record_id
                    ),
                    record_id,
                    _(
                        "put the approved file back (git show {blob} > {path}, and commit it), "
                        "or attach the new one under another name, which sends {id} back for "
                        "approval"
                    ).format(blob=str(blob)[:10], path=path, id=record_id),
                )
    if is_major(data):
        check_decision(data)
    chosen = list(channels) if channels else list(data.get("channels") or [])
    if data.get("scope") == "internal":
        public = [c for c in chosen if c not in INTERNAL_CHANNELS]
        if public:
            _refuse(
                "channels-fit-scope",
                _("{channel} is a public channel, but {id} is internal").format(
                    channel=public[0], id=record_id
                ),
                record_id,
            )
    if ctx.rules.require_signing and not signed:
        _refuse(
            "signature-required",
            _("the office requires publications to be signed"),
            record_id,
            _("publish with --sign, after setting up your signing key"),
        )
    facts: dict[str, Any] = {"channels": chosen, "content": content}
    if signed:
        facts["signed"] = True
    consulted = data.get("consultation")
    opens_window = bool(data.get("pre_disclosure")) and not isinstance(consulted, Mapping)
    if closes is not None and not opens_window:
        _refuse(
            "closes-only-when-consulting",
            _(
                "--closes is for the first publication of a pre-disclosure; {id} has none to open"
            ).format(id=record_id),
            record_id,
        )
    if opens_window:
        days = ctx.rules.pre_disclosure_days
        shortest = ctx.when.date() + timedelta(days=days - 1)
        if closes is not None and closes < shortest:
            _refuse(
                "pre-disclosure-window",
                _(
                    "the comment window must stay open at least {days} days: until {shortest} "
                    "or later, not {closes}"
                ).format(days=days, shortest=shortest.isoformat(), closes=closes.isoformat()),
                record_id,
            )
        closes = closes or shortest
        return Outcome(
            "consulting",
            {"consultation": ctx.stamp(**facts, closes=closes.isoformat())},
            (
                _("preliminary plan published for comment until {date}").format(
                    date=closes.isoformat()
                ),
            ),
        )
    if isinstance(consulted, Mapping):
        check_window(data, ctx.when.date(), ctx.rules, opened=opened)
        approved = _at(data, "approval")
        claimed = _at(data, "consultation")
        if approved is None or claimed is None or approved <= claimed:
            _refuse(
                "pre-disclosure-approval",
                _("the formal plan of {id} must be approved after the comment period").format(
                    id=record_id
                ),
                record_id,
            )
    return Outcome("published", {"publication": ctx.stamp(**facts)})


def window_opened(data: Mapping[str, Any], opened: datetime | None = None) -> datetime | None:
    """When a pre-disclosure's comment window opened: its preliminary publication, or
    ``opened`` when that is later (the day the server received it)."""
    claimed = _at(data, "consultation")
    if claimed is None or opened is None:
        return claimed
    return max(claimed, opened, key=_comparable)


def window_closes(
    data: Mapping[str, Any], rules: Rules, opened: datetime | None = None
) -> date | None:
    """The last day of a pre-disclosure's comment window (at least the office's days
    from when it opened)."""
    consulted = data.get("consultation")
    start = window_opened(data, opened)
    if not isinstance(consulted, Mapping) or start is None:
        return None
    # each moment's day is read in its own zone: a later opening written in another
    # zone must not fall on an earlier day than the step itself
    claimed = _at(data, "consultation")
    first_day = max(start.date(), claimed.date()) if claimed is not None else start.date()
    shortest = first_day + timedelta(days=rules.pre_disclosure_days - 1)
    written = consulted.get("closes")
    try:
        stated = date.fromisoformat(str(written)) if written else shortest
    except ValueError:
        stated = shortest
    return max(stated, shortest)


def check_window(
    data: Mapping[str, Any], today: date, rules: Rules, opened: datetime | None = None
) -> None:
    closes = window_closes(data, rules, opened)
    if closes is not None and today <= closes:
        start = window_opened(data, opened)
        claimed = _at(data, "consultation")
        if start is not None and claimed is not None and start != claimed:
            _refuse(
                "pre-disclosure-window",
                _(
                    "the comment window on {id} counts from {received}, when the server "
                    "received the preliminary plan (its step says {claimed}): it is open "
                    "until {closes}; the formal plan may be published from {first}"
                ).format(
                    id=_id(data),
                    received=start.date().isoformat(),
                    claimed=claimed.date().isoformat(),
                    closes=closes.isoformat(),
                    first=(closes + timedelta(days=1)).isoformat(),
                ),
                _id(data),
            )
        day = (today - start.date()).days if start else 0
        _refuse(
            "pre-disclosure-window",
            _(
                "the comment window on {id} is open until {closes} (today is day {day} of at "
                "least {days}); the formal plan may be published from {first}"
            ).format(
                id=_id(data),
                closes=closes.isoformat(),
                day=day,
                days=rules.pre_disclosure_days,
                first=(closes + timedelta(days=1)).isoformat(),
            ),
            _id(data),
        )


def withdraw(data: Mapping[str, Any], ctx: Context, *, reason: str) -> Outcome:
    """Take a published record (or a preliminary plan) down."""
    require(ctx.actor, "withdraw")
    _from(data, "withdraw")
    check_time(data, ctx)
    if not reason.strip():
        _refuse("reason", _("say why it is withdrawn: --reason TEXT"), _id(data))
    check_text("--reason", reason, _id(data))
    return Outcome("withdrawn", {"withdrawal": ctx.stamp(reason=reason.strip())})


def edit(data: Mapping[str, Any], ctx: Context) -> Outcome:
    """A content change [seed 四3]. It never carries an approval over: an approved
    record falls back to the state before approval."""
    require(ctx.actor, "edit")
    record_id = _id(data)
    require_editable(record_id, status_of(data))
    check_time(data, ctx)
    if status_of(data) != "approved":
        return Outcome(status_of(data))
    decision = data.get("decision")
    back = (
        "decided"
        if isinstance(decision, Mapping)
        and decision.get("outcome") == "publish"
        and _decided_this_round(data)
        else "submitted"
    )
    approval = data.get("approval")
    key = str(approval.get("by")) if isinstance(approval, Mapping) else "?"
    approver = ctx.roster.get(key)
    who = f"{approver.name} ({key})" if approver else key
    return Outcome(
        back, {}, (_("the approval by {who} is void: the content changed").format(who=who),)
    )


def _decided_this_round(data: Mapping[str, Any]) -> bool:
    consulted, decided = _at(data, "consultation"), _at(data, "decision")
    return consulted is None or (decided is not None and decided > consulted)


def require_editable(record_id: str | None, status: str) -> None:
    if status in EDITABLE:
        return
    if status == "published":
        raise RuleViolation(
            _("{id} is published; published records are never edited in place").format(
                id=record_id
            ),
            hint=_("publish a correction: dangwu new ... --follows {id}").format(id=record_id),
            record_id=record_id,
            rule="published-is-final",
        )
    raise RuleViolation(
        _("{id} is {status}; its content can no longer change").format(
            id=record_id, status=_(status)
        ),
        record_id=record_id,
        rule="final-state",
    )


STEPS = ("submit", "decide", "approve", "reject", "publish", "withdraw")


# what each channel's artefact is printed by, for the clerk to be told after publishing
ARTEFACTS = {
    "circular": "dangwu circular {id}",
    "meeting": "dangwu meeting new ... --matter {id}",
    "newspaper": "dangwu manuscript {id}",
    "public-board": "dangwu board",
    "internal-board": "dangwu board --scope internal",
    "website": "dangwu site build",
    "intranet": "dangwu site build --scope internal",
}


def artefacts(record_id: str, channels: Sequence[str], audience: str | None = None) -> list[str]:
    """The commands that make what went out on ``channels``, in the order given; for
    a record of one ``audience``, its internal board and intranet (the office-wide
    ones leave it out)."""
    made = [ARTEFACTS[c].format(id=record_id) for c in channels if c in ARTEFACTS]
    if audience is None:
        return made
    return [f"{c} --audience {audience}" if "--scope internal" in c else c for c in made]
