"""The procedure's rules (dangwu.rules.workflow) called directly: every state, step and
role, then each rule's refusal and acceptance, as tables written out by hand from the
SPEC (sections 3, 4 and 11) and the seed. No git, no disk: microseconds per case."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from rulekit import (
    BOTH,
    BY_ROLE,
    CHINA,
    CLERK,
    DEPUTY,
    HEAD,
    LEADER,
    MEMBER,
    MEMBER2,
    MEMBER3,
    NOBODY,
    QUORUM,
    ROLE_NAMES,
    SUPERVISOR,
    T0,
    Rec,
    attempt,
    content,
    ctx,
    passes,
    roster,
    stamp,
)

from dangwu.errors import IdentityError, RuleViolation
from dangwu.model.meeting import Meeting, Minutes
from dangwu.model.office import Person, Rules
from dangwu.rules import workflow


@pytest.fixture(autouse=True)
def isolated_git(monkeypatch: pytest.MonkeyPatch) -> None:
    """Replaces the suite's fixture of this name for this module: these tests run no git
    and read no home, and a fresh home folder per case (made, then swept away at the end
    of the session) would cost more than the cases themselves. The language is pinned
    all the same."""
    monkeypatch.setenv("DANGWU_LANG", "en")


# --- records in every state ----------------------------------------------------------

DAY = timedelta(days=1)
WHEN = datetime(2026, 10, 5, 10, 0, tzinfo=CHINA)  # when the step under test is done
BASE = Rec(content())
CHANNELS = ["public-board", "website"]

DRAFT = BASE.to("draft", created=stamp(CLERK, T0))
SUBMITTED = DRAFT.to("submitted", submitted=stamp(CLERK, T0 + DAY))
DECISION = stamp(
    LEADER, T0 + 2 * DAY, meeting="2026-09-03", attendees=QUORUM, group=4, outcome="publish"
)
DECIDED = SUBMITTED.to("decided", decision=DECISION)
APPROVED = SUBMITTED.to(
    "approved", approval=stamp(MEMBER, T0 + 3 * DAY, content=BASE.hash, signed=False)
)
CONSULTING = APPROVED.to(
    "consulting",
    consultation=stamp(
        CLERK, T0 + 4 * DAY, channels=CHANNELS, content=BASE.hash, closes="2026-09-19"
    ),
)
PUBLISHED = APPROVED.to(
    "published", publication=stamp(CLERK, T0 + 4 * DAY, channels=CHANNELS, content=BASE.hash)
)
WITHHELD = SUBMITTED.to("withheld", decision={**DECISION, "outcome": "withhold"})
WITHDRAWN = PUBLISHED.to("withdrawn", withdrawal=stamp(MEMBER, T0 + 5 * DAY, reason="有误"))

IN_STATE = {
    "draft": DRAFT,
    "submitted": SUBMITTED,
    "decided": DECIDED,
    "approved": APPROVED,
    "consulting": CONSULTING,
    "published": PUBLISHED,
    "withheld": WITHHELD,
    "withdrawn": WITHDRAWN,
}


def test_the_states_here_are_the_procedures_states():
    assert tuple(IN_STATE) == workflow.STATUSES
    assert all(rec.status == state for state, rec in IN_STATE.items())


def take(step: str, rec: Rec, actor: Person, when: datetime = WHEN) -> str:
    """Run one step with particulars that are right in every other respect, so that
    only who acts and the state it starts from can refuse it."""
    data, c = rec.data, ctx(actor, when)
    steps: dict[str, Callable[[], workflow.Outcome]] = {
        "submit": lambda: workflow.submit(data, c),
        "decide": lambda: workflow.decide(
            data, c, meeting=when.date(), attendees=QUORUM, outcome="publish"
        ),
        "approve": lambda: workflow.approve(data, c, content=rec.hash),
        "reject": lambda: workflow.reject(data, c, reason="请补充数据"),
        "publish": lambda: workflow.publish(data, c, content=rec.hash),
        "withdraw": lambda: workflow.withdraw(data, c, reason="数据有误"),
        "edit": lambda: workflow.edit(data, c),
    }
    return attempt(steps[step])


# --- the state machine: state x step x role ------------------------------------------

# What each step does from each state, for someone whose role allows the step: the new
# status, or '!' and the rule that refuses it [SPEC 4]. The approved record here has no
# decision, so an edit takes it back to submitted.
STATES = tuple(IN_STATE)
# fmt: off
TRANSITIONS: dict[str, tuple[str, ...]] = {
    #            draft         submitted     decided       approved      consulting    published              withheld        withdrawn  # noqa: E501
    "submit":   ("submitted",  "!order",     "!order",     "!order",     "submitted",  "!order",              "!order",       "!order"),  # noqa: E501
    "decide":   ("!order",     "decided",    "decided",    "!order",     "!order",     "!order",              "!order",       "!order"),  # noqa: E501
    "approve":  ("!order",     "approved",   "approved",   "!order",     "!order",     "!order",              "!order",       "!order"),  # noqa: E501
    "reject":   ("!order",     "draft",      "draft",      "draft",      "!order",     "!order",              "!order",       "!order"),  # noqa: E501
    "publish":  ("!order",     "!order",     "!order",     "published",  "!order",     "!order",              "!order",       "!order"),  # noqa: E501
    "withdraw": ("!order",     "!order",     "!order",     "!order",     "withdrawn",  "withdrawn",           "!order",       "!order"),  # noqa: E501
    "edit":     ("draft",      "submitted",  "decided",    "submitted",  "consulting", "!published-is-final", "!final-state", "!final-state"),  # noqa: E501
}
# Who may take each step [SPEC 3]: the office drafts, submits and publishes; the
# leading group decides, approves, sends back and withdraws; a supervisor and a person
# with no role take no step.
MAY_STEP: dict[str, tuple[str, ...]] = {
    #            leader member office-head office-deputy clerk supervisor none
    "submit":   ("-",   "-",   "y",        "y",          "y",  "-",       "-"),
    "decide":   ("y",   "y",   "-",        "-",          "-",  "-",       "-"),
    "approve":  ("y",   "y",   "-",        "-",          "-",  "-",       "-"),
    "reject":   ("y",   "y",   "-",        "-",          "-",  "-",       "-"),
    "publish":  ("-",   "-",   "y",        "y",          "y",  "-",       "-"),
    "withdraw": ("y",   "y",   "-",        "-",          "-",  "-",       "-"),
    "edit":     ("-",   "-",   "y",        "y",          "y",  "-",       "-"),
}
# fmt: on


def expected(step: str, state: str, role: str) -> str:
    if MAY_STEP[step][ROLE_NAMES.index(role)] != "y":
        return "!role"  # who acts is judged before anything else
    return TRANSITIONS[step][STATES.index(state)]


@pytest.mark.parametrize(
    ("step", "state", "role"), list(itertools.product(TRANSITIONS, STATES, ROLE_NAMES))
)
def test_every_step_from_every_state_by_every_role(step: str, state: str, role: str):
    assert take(step, IN_STATE[state], BY_ROLE[role]) == expected(step, state, role)


def test_the_table_names_every_step_of_the_procedure():
    assert set(TRANSITIONS) == {*workflow.STEPS, "edit"}


@pytest.mark.parametrize("step", list(TRANSITIONS))
def test_a_refused_role_is_an_identity_error_naming_the_rule(step: str):
    with pytest.raises(IdentityError) as refused:
        workflow.require(SUPERVISOR, step)
    assert refused.value.rule == "role"


@pytest.mark.parametrize(
    ("step", "state", "outcome"),
    [
        ("submit", "draft", "submitted"),  # BOTH drafts as a clerk
        ("approve", "submitted", "approved"),  # and approves as a member (others' records)
        ("publish", "approved", "published"),
        ("decide", "decided", "decided"),
        ("edit", "approved", "submitted"),
    ],
)
def test_a_person_with_two_roles_may_do_what_either_allows(step: str, state: str, outcome: str):
    assert take(step, IN_STATE[state], BOTH) == outcome


# Every action of the roster's table [SPEC 3], not only the steps of a record.
# fmt: off
MAY_ACTION: dict[str, tuple[str, ...]] = {
    #            leader member office-head office-deputy clerk supervisor none
    "create":   ("-",   "-",   "y",        "y",          "y",  "-",       "-"),
    "discard":  ("-",   "-",   "y",        "y",          "y",  "-",       "-"),
    "edit":     ("-",   "-",   "y",        "y",          "y",  "-",       "-"),
    "submit":   ("-",   "-",   "y",        "y",          "y",  "-",       "-"),
    "publish":  ("-",   "-",   "y",        "y",          "y",  "-",       "-"),
    "decide":   ("y",   "y",   "-",        "-",          "-",  "-",       "-"),
    "approve":  ("y",   "y",   "-",        "-",          "-",  "-",       "-"),
    "reject":   ("y",   "y",   "-",        "-",          "-",  "-",       "-"),
    "withdraw": ("y",   "y",   "-",        "-",          "-",  "-",       "-"),
    "roster":   ("y",   "-",   "y",        "y",          "-",  "-",       "-"),
    "feedback": ("-",   "-",   "y",        "y",          "y",  "y",       "-"),
    "report":   ("-",   "-",   "y",        "y",          "y",  "-",       "-"),
    "answer":   ("-",   "-",   "y",        "y",          "y",  "-",       "-"),
    "request":  ("-",   "-",   "y",        "y",          "y",  "-",       "-"),
    "circular": ("-",   "-",   "y",        "y",          "y",  "-",       "-"),
    "meeting":  ("-",   "-",   "y",        "y",          "y",  "-",       "-"),
}
# fmt: on


def allowed(person: Person, action: str) -> bool:
    try:
        workflow.require(person, action)
    except IdentityError as refused:
        assert refused.rule == "role"
        return False
    return True


@pytest.mark.parametrize(("action", "role"), list(itertools.product(MAY_ACTION, ROLE_NAMES)))
def test_who_may_do_each_action(action: str, role: str):
    assert allowed(BY_ROLE[role], action) == (MAY_ACTION[action][ROLE_NAMES.index(role)] == "y")


def test_the_action_table_names_every_action():
    assert set(MAY_ACTION) == set(workflow.MAY)


def test_a_discard_refused_says_discard():
    with pytest.raises(IdentityError) as refused:
        workflow.discard({"id": "ZZ-2026-101", "status": "draft"}, ctx(MEMBER, T0))
    assert "may not discard drafts" in refused.value.message


def test_the_refusal_of_a_role_says_who_may():
    with pytest.raises(IdentityError) as refused:
        workflow.require(CLERK, "approve")
    assert "dumy" in refused.value.message and refused.value.hint


# --- the rules of each step --------------------------------------------------------------
#
# Each case is a call and its verdict: the new status, or '!' and the rule it breaks.


def on(day: int, hour: int = 10) -> datetime:
    """A moment in September and October 2026, China time (day 31 is 1 October)."""
    return datetime(2026, 9, 1, hour, 0, tzinfo=CHINA) + (day - 1) * DAY


def decide(rec: Rec = SUBMITTED, when: datetime = WHEN, by: Person = LEADER, **kw: Any) -> str:
    kw.setdefault("meeting", when.date())
    kw.setdefault("attendees", QUORUM)
    kw.setdefault("outcome", "publish")
    people = kw.pop("people", ())
    return attempt(lambda: workflow.decide(rec.data, ctx(by, when, people=people), **kw))


# a leading-group meeting of 4 October (meeting new, then its minutes): ZZ-2026-001 among
# its matters, three of the four members present, the office head attending
AT_MEETING = Meeting(
    2026,
    3,
    "leading-group",
    "领导小组会议",
    datetime(2026, 10, 4, 9, 30, tzinfo=CHINA),
    "会议室",
    LEADER.key,
    (LEADER.key, MEMBER.key, MEMBER2.key, MEMBER3.key),
    ("ZZ-2026-001",),
    CLERK.key,
    "2026-10-01T09:00:00+08:00",
    Minutes(
        tuple(QUORUM), ((MEMBER3.key, "出差"),), (HEAD.key,), "同意公开", CLERK.key, "2026-10-04"
    ),
)
NAMED = {"meeting": None, "attendees": [], "named": "2026-3"}


def held(**changes: Any) -> dict[str, Any]:
    return {**NAMED, "held": replace(AT_MEETING, **changes)}


SMALL_GROUP = (LEADER, MEMBER, MEMBER2, CLERK)  # a leading group of three
LEADER_ALONE = (LEADER, CLERK)

DECIDE_CASES = [
    # the outcome decides the status [SPEC 4]
    ("publish", {"outcome": "publish"}, "decided"),
    ("revise goes back to draft", {"outcome": "revise"}, "draft"),
    ("withhold is final", {"outcome": "withhold"}, "withheld"),
    ("a member may record it", {"by": MEMBER2}, "decided"),
    ("decided again", {"rec": DECIDED, "outcome": "withhold"}, "withheld"),
    ("no such outcome", {"outcome": "postpone"}, "!outcome"),
    # the meeting happened, after the record was submitted (2 September)
    ("meeting today", {"meeting": WHEN.date()}, "decided"),
    ("meeting tomorrow", {"meeting": WHEN.date() + DAY}, "!meeting-date"),
    ("meeting the day it was submitted", {"meeting": date(2026, 9, 2)}, "decided"),
    ("meeting before it was submitted", {"meeting": date(2026, 9, 1)}, "!meeting-date"),
    # quorum: more than half of the leading group (leader and members) present
    ("no attendees", {"attendees": []}, "!quorum"),
    ("3 of 4", {"attendees": QUORUM}, "decided"),
    ("4 of 4", {"attendees": [*QUORUM, MEMBER3.key]}, "decided"),
    ("2 of 4 is only half", {"attendees": [LEADER.key, MEMBER.key]}, "!quorum"),
    ("2 of 3", {"attendees": ["hanzg", "zhoulx"], "people": SMALL_GROUP}, "decided"),
    ("1 of 3", {"attendees": ["hanzg"], "people": SMALL_GROUP}, "!quorum"),
    (
        "the leader alone is the whole group",
        {"attendees": ["hanzg"], "people": LEADER_ALONE},
        "decided",
    ),
    ("members, not the leader", {"attendees": ["zhoulx", "sunhm", "qianwb"]}, "decided"),
    # attendees are the leader and members on the roster, each once
    ("an attendee twice", {"attendees": ["hanzg", "hanzg", "zhoulx"]}, "!attendee"),
    ("a clerk attends", {"attendees": [*QUORUM, "dumy"]}, "!attendee-not-member"),
    ("a supervisor attends", {"attendees": [*QUORUM, "chensh"]}, "!attendee-not-member"),
    ("the office head attends", {"attendees": [*QUORUM, "linht"]}, "!attendee-not-member"),
    ("someone not on the roster", {"attendees": [*QUORUM, "mallory"]}, "!attendee-not-member"),
    # a note is printed: nothing in it may print as nothing [SPEC 11]
    ("a note", {"note": "会议一致同意\n予以公开"}, "decided"),
    ("a note with a bidi control", {"note": "同意\u202e开公"}, "!hidden-characters"),
    ("a note with a zero-width space", {"note": "同\u200b意"}, "!hidden-characters"),
    # at a meeting called with meeting new: its day, and who was present from its minutes
    ("at meeting 2026-3", held(), "decided"),
    ("at meeting 2026-3, attendees as minuted", {**held(), "attendees": QUORUM}, "decided"),
    ("attendees not as minuted", {**held(), "attendees": [*QUORUM, MEMBER3.key]}, "!attendee"),
    ("no such meeting", NAMED, "!meeting-date"),
    ("a disclosure meeting", held(kind="disclosure"), "!meeting-date"),
    ("not among its matters", held(matters=("ZZ-2026-002",)), "!meeting-date"),
    ("its minutes not yet taken", held(minutes=None), "!meeting-date"),
    (
        "minuted with 2 of 4 present",
        held(minutes=replace(AT_MEETING.minutes, present=(LEADER.key, MEMBER.key))),  # type: ignore[arg-type]
        "!quorum",
    ),
    ("held before it was submitted", held(when=T0), "!meeting-date"),
    ("held after today", held(when=WHEN + DAY), "!meeting-date"),
    ("no day and no meeting", {"meeting": None}, "!meeting-date"),
    # time runs forwards: not dated before the submission (2 September 09:00)
    (
        "dated before the submission",
        {"when": on(1, 20), "meeting": date(2026, 9, 1)},
        "!time-order",
    ),
]


@pytest.mark.parametrize(
    ("particulars", "wanted"), [c[1:] for c in DECIDE_CASES], ids=[c[0] for c in DECIDE_CASES]
)
def test_decide(particulars: dict[str, Any], wanted: str):
    assert decide(**particulars) == wanted


def test_a_decision_at_a_named_meeting_writes_its_day_number_and_who_was_present():
    outcome = workflow.decide(SUBMITTED.data, ctx(LEADER, WHEN), outcome="publish", **held())
    decision = outcome.facts["decision"]
    assert decision["meeting"] == "2026-10-04" and decision["meeting_no"] == "2026-3"
    assert decision["attendees"] == QUORUM and decision["group"] == 4


def test_a_decision_writes_the_meeting_the_attendees_and_the_groups_size():
    outcome = workflow.decide(
        SUBMITTED.data,
        ctx(LEADER, WHEN),
        meeting=date(2026, 10, 4),
        attendees=QUORUM,
        outcome="publish",
        note="同意",
    )
    assert outcome.facts == {
        "decision": {
            "by": "hanzg",
            "at": WHEN.isoformat(),
            "meeting": "2026-10-04",
            "attendees": QUORUM,
            "group": 4,
            "outcome": "publish",
            "note": "同意",
        }
    }


# records for approval
MAJOR = Rec(content(major=True))
MAJOR_SUBMITTED = MAJOR.to("submitted", created=stamp(CLERK, T0), submitted=stamp(CLERK, T0 + DAY))
MAJOR_DECIDED = MAJOR_SUBMITTED.to("decided", decision=DECISION)
# the leading group decided in an earlier round; the record has been submitted again since
MAJOR_RESUBMITTED = MAJOR_DECIDED.to("submitted", submitted=stamp(CLERK, T0 + 3 * DAY))
SECRET = "联系电话13812345678"  # the secrecy review finds a mobile number
FOUND = ["mobile body 138****5678"]


def approve(
    rec: Rec = SUBMITTED,
    by: Person = MEMBER,
    when: datetime = WHEN,
    *,
    rules: dict[str, Any] | None = None,
    **kw: Any,
) -> str:
    kw.setdefault("content", rec.hash)
    return attempt(lambda: workflow.approve(rec.data, ctx(by, when, **(rules or {})), **kw))


APPROVE_CASES = [
    ("a member approves a submitted record", {}, "approved"),
    ("after a decision", {"rec": DECIDED}, "approved"),
    ("the leader approves", {"by": LEADER}, "approved"),
    # nobody approves a record they authored [SPEC 3]
    (
        "the one who created it",
        {"rec": SUBMITTED.to("submitted", created=stamp(BOTH, T0)), "by": BOTH},
        "!self-approval",
    ),
    ("someone who edited it", {"by": MEMBER2, "authors": ["dumy", "sunhm"]}, "!self-approval"),
    ("others edited it", {"by": MEMBER2, "authors": ["dumy", "hexy"]}, "approved"),
    # a major matter: the leader, after a quorum's decision to publish, this round
    ("major: a member", {"rec": MAJOR_DECIDED, "by": MEMBER}, "!major-needs-leader"),
    ("major: the leader, decided", {"rec": MAJOR_DECIDED, "by": LEADER}, "approved"),
    ("major: no decision", {"rec": MAJOR_SUBMITTED, "by": LEADER}, "!major-needs-decision"),
    (
        "major: the last round's decision",
        {"rec": MAJOR_RESUBMITTED, "by": LEADER},
        "!major-needs-decision",
    ),
    (
        "major: decided to revise",
        {
            "rec": MAJOR_DECIDED.to("decided", decision={**DECISION, "outcome": "revise"}),
            "by": LEADER,
        },
        "!major-needs-decision",
    ),
    (
        "major: decided by half",
        {
            "rec": MAJOR_DECIDED.to("decided", decision={**DECISION, "attendees": QUORUM[:2]}),
            "by": LEADER,
        },
        "!quorum",
    ),
    (
        "major: the group's size not written",
        {
            "rec": MAJOR_DECIDED.to(
                "decided", decision={k: v for k, v in DECISION.items() if k != "group"}
            ),
            "by": LEADER,
        },
        "!quorum",
    ),
    (
        "major: decided before the comment period",
        {"rec": MAJOR_DECIDED.to("decided", consultation=stamp(CLERK, T0 + 3 * DAY)), "by": LEADER},
        "!major-needs-decision",
    ),
    (
        "major: decided again after it",
        {"rec": MAJOR_DECIDED.to("decided", consultation=stamp(CLERK, T0 + DAY)), "by": LEADER},
        "approved",
    ),
    # the secrecy review blocks a public record unless overridden with a reason
    ("secrecy: found in a public record", {"findings": FOUND}, "!secrecy"),
    ("secrecy: found, a blank reason", {"findings": FOUND, "override": "  "}, "!secrecy"),
    ("secrecy: found, a reason", {"findings": FOUND, "override": "经本人同意公开"}, "approved"),
    (
        "secrecy: found in an internal record",
        {"rec": SUBMITTED.edited(scope="internal"), "findings": FOUND},
        "approved",
    ),
    (
        "secrecy: a reason with a hidden character",
        {"findings": FOUND, "override": "同意\u2066"},
        "!hidden-characters",
    ),
    # the office may require approvals to be signed
    ("signing required, unsigned", {"rules": {"require_signing": True}}, "!signature-required"),
    ("signing required, signed", {"rules": {"require_signing": True}, "signed": True}, "approved"),
    ("signing not required, signed", {"signed": True}, "approved"),
    # time runs forwards: after the submission (2 September 09:00), clocks 10 minutes apart
    ("dated a day before the submission", {"when": on(1, 9)}, "!time-order"),
    ("dated 11 minutes before it", {"when": on(2, 9) - timedelta(minutes=11)}, "!time-order"),
    ("dated 9 minutes before it", {"when": on(2, 9) - timedelta(minutes=9)}, "approved"),
    (
        "no slack where the office allows none",
        {"when": on(2, 9) - timedelta(minutes=1), "rules": {"clock_skew_minutes": 0}},
        "!time-order",
    ),
    # the necessity and accuracy reviews' findings are printed: nothing hidden in them
    (
        "with the reviews' findings",
        {"necessity": "属应公开事项", "accuracy": "数据已核"},
        "approved",
    ),
    ("a finding with a bidi control", {"necessity": "必要\u202e"}, "!hidden-characters"),
    ("a finding with a zero-width space", {"accuracy": "已\u200b核"}, "!hidden-characters"),
]


@pytest.mark.parametrize(
    ("particulars", "wanted"), [c[1:] for c in APPROVE_CASES], ids=[c[0] for c in APPROVE_CASES]
)
def test_approve(particulars: dict[str, Any], wanted: str):
    assert approve(**particulars) == wanted


def test_an_approval_stamps_each_attached_files_blob():
    data = {**SUBMITTED.data, "attachments": ["files/a.pdf"]}
    blobs = {"files/a.pdf": BLOB, "reports/2026-001.yaml": OTHER}  # only its own files
    stamped = workflow.approve(data, ctx(MEMBER, WHEN), content="sha256:abc", attached=blobs)
    assert stamped.facts["approval"]["attachments"] == {"files/a.pdf": BLOB}
    plain = workflow.approve(SUBMITTED.data, ctx(MEMBER, WHEN), content="sha256:abc")
    assert "attachments" not in plain.facts["approval"]


def test_an_approval_writes_the_content_it_stamps_and_the_overrides_reasons():
    outcome = workflow.approve(
        SUBMITTED.data,
        ctx(MEMBER, WHEN),
        content="sha256:abc",
        signed=True,
        findings=FOUND,
        override=" 经本人同意公开 ",
        opinions=2,
    )
    assert outcome.status == "approved"
    assert outcome.facts == {
        "approval": {
            "by": "zhoulx",
            "at": WHEN.isoformat(),
            "content": "sha256:abc",
            "signed": True,
            "overrides": [{"finding": FOUND[0], "reason": "经本人同意公开"}],
            "opinions": 2,
        }
    }


def test_an_approval_writes_the_findings_of_the_necessity_and_accuracy_reviews():
    outcome = workflow.approve(
        SUBMITTED.data,
        ctx(MEMBER, WHEN),
        content="sha256:abc",
        necessity=" 属党员普遍关心的事项，应予公开 ",
        accuracy="数据经财务科核对无误",
    )
    approval = outcome.facts["approval"]
    assert approval["necessity"] == "属党员普遍关心的事项，应予公开"
    assert approval["accuracy"] == "数据经财务科核对无误"
    blank = workflow.approve(SUBMITTED.data, ctx(MEMBER, WHEN), content="x", necessity=" ")
    assert "necessity" not in blank.facts["approval"]


def test_an_approval_after_a_decision_says_so():
    assert workflow.approve(DECIDED.data, ctx(MEMBER, WHEN), content=DECIDED.hash).notes
    assert not workflow.approve(SUBMITTED.data, ctx(MEMBER, WHEN), content=SUBMITTED.hash).notes


def reject(rec: Rec = SUBMITTED, reason: str = "请补充数据") -> str:
    return attempt(lambda: workflow.reject(rec.data, ctx(MEMBER, WHEN), reason=reason))


def withdraw(rec: Rec = PUBLISHED, reason: str = "数据有误") -> str:
    return attempt(lambda: workflow.withdraw(rec.data, ctx(MEMBER, WHEN), reason=reason))


REASON_CASES = [
    ("reject with a reason", reject, {}, "draft"),
    ("reject an approved record", reject, {"rec": APPROVED}, "draft"),
    ("reject without a reason", reject, {"reason": ""}, "!reason"),
    ("reject with a blank reason", reject, {"reason": " \n "}, "!reason"),
    ("reject with a hidden character", reject, {"reason": "数据\u200f有误"}, "!hidden-characters"),
    ("withdraw with a reason", withdraw, {}, "withdrawn"),
    ("withdraw a preliminary plan", withdraw, {"rec": CONSULTING}, "withdrawn"),
    ("withdraw without a reason", withdraw, {"reason": ""}, "!reason"),
    ("withdraw with a hidden character", withdraw, {"reason": "有误\u2028"}, "!hidden-characters"),
]


@pytest.mark.parametrize(
    ("step", "particulars", "wanted"),
    [c[1:] for c in REASON_CASES],
    ids=[c[0] for c in REASON_CASES],
)
def test_reject_and_withdraw(step: Callable[..., str], particulars: dict[str, Any], wanted: str):
    assert step(**particulars) == wanted


def test_reasons_are_written_without_their_blanks():
    sent = workflow.reject(SUBMITTED.data, ctx(MEMBER, WHEN), reason="  请补充数据\n")
    gone = workflow.withdraw(PUBLISHED.data, ctx(LEADER, WHEN), reason=" 有误 ")
    assert sent.facts == {"rejection": stamp(MEMBER, WHEN, reason="请补充数据")}
    assert gone.facts == {"withdrawal": stamp(LEADER, WHEN, reason="有误")}


# facts written by hand, between dangwu's last step and the next

APPROVAL = {"by": "zhoulx", "at": "2026-10-05T11:00:00+08:00", "content": "sha256:aa"}
OK = {"status": "approved", "approval": APPROVAL}
FITTED = {**APPROVAL, "content": "sha256:bb"}
STAMPED = {**APPROVAL, "attachments": {"a.pdf": "1"}}
RESTAMPED = {**APPROVAL, "attachments": {"a.pdf": "2"}}
HAND_CASES = [
    # (id, facts now, facts as the last step left them, the facts said to be changed)
    ("as-left", OK, OK, []),
    ("hash-fitted", {**OK, "approval": FITTED}, OK, ["approval"]),
    ("stamp-fitted", {**OK, "approval": RESTAMPED}, {**OK, "approval": STAMPED}, ["approval"]),
    ("status-moved", {**OK, "status": "submitted"}, OK, ["status"]),
    ("fact-removed", {"status": "approved"}, OK, ["approval"]),
    ("fact-added", {**OK, "publication": {"by": "dumy"}}, OK, ["publication"]),
    # no step wrote the file: a draft added by hand says it is a draft, and who made it
    ("hand-draft", {"status": "draft", "created": {"by": "dumy"}}, None, []),
    ("hand-draft-bare", {}, None, []),
    ("hand-approved", OK, None, ["approval", "status"]),
    ("hand-submitted", {"submitted": {"by": "dumy"}}, None, ["submitted"]),
]


@pytest.mark.parametrize(
    ("now", "left", "wanted"), [c[1:] for c in HAND_CASES], ids=[c[0] for c in HAND_CASES]
)
def test_facts_changed_since_the_last_step(now: Any, left: Any, wanted: list[str]):
    assert workflow.facts_by_hand(now, left) == wanted


def test_facts_changed_by_hand_are_refused_naming_the_commits():
    with pytest.raises(RuleViolation) as caught:
        workflow.refuse_facts_by_hand("ZD-2026-101", ["approval", "status"], ["abc1234", "def5678"])
    assert caught.value.rule == "tool-fields" and caught.value.record_id == "ZD-2026-101"
    assert "(approval, status) were changed outside dangwu" in str(caught.value)
    assert caught.value.hint == (
        "the commits that changed the file since: abc1234 def5678; drop each one not sent "
        "yet (git rebase --onto C^ C), take back each one that is (git revert C)"
    )
    with pytest.raises(RuleViolation) as caught:
        workflow.refuse_facts_by_hand("ZD-2026-101", ["status"], ["abc1234"])
    assert caught.value.hint == (
        "if abc1234 is not sent yet, drop it: git rebase --onto abc1234^ abc1234; "
        "if it is, take it back: git revert abc1234"
    )
    with pytest.raises(RuleViolation) as caught:
        workflow.refuse_facts_by_hand("ZD-2026-101", ["status"], [])
    assert caught.value.hint == "dangwu audit names the commit that changed them"


# records for publication


def approved(rec: Rec) -> Rec:
    """The record approved as it now reads."""
    return rec.to("approved", approval={**APPROVED.facts["approval"], "content": rec.hash})


INTERNAL = approved(APPROVED.edited(scope="internal", channels=["internal-board"]))
PRELIMINARY = approved(APPROVED.edited(pre_disclosure=True))
MAJOR_APPROVED = MAJOR_DECIDED.to(
    "approved", approval=stamp(LEADER, T0 + 3 * DAY, content=MAJOR.hash, signed=False)
)
# a formal plan: its preliminary plan published on 5 September for comment until the 19th
# (15 days), then revised, submitted and approved again on the 10th
OPENED = stamp(CLERK, on(5), channels=CHANNELS, content=PRELIMINARY.hash, closes="2026-09-19")
FORMAL = PRELIMINARY.to(
    "approved",
    consultation=OPENED,
    approval=stamp(MEMBER, on(10), content=PRELIMINARY.hash, signed=False),
)


def publish(
    rec: Rec = APPROVED,
    when: datetime = WHEN,
    *,
    rules: dict[str, Any] | None = None,
    **kw: Any,
) -> str:
    kw.setdefault("content", rec.hash)
    return attempt(lambda: workflow.publish(rec.data, ctx(CLERK, when, **(rules or {})), **kw))


BLOB, OTHER = "a" * 40, "b" * 40
ATTACHED = APPROVED.to(
    "approved", approval={**APPROVED.facts["approval"], "attachments": {"files/a.pdf": BLOB}}
)

PUBLISH_CASES = [
    ("the approved content", {}, "published"),
    # the attached files too: each as the approval stamped it
    ("the approved attachment", {"rec": ATTACHED, "attached": {"files/a.pdf": BLOB}}, "published"),
    (
        "an attachment changed since",
        {"rec": ATTACHED, "attached": {"files/a.pdf": OTHER}},
        "!attachment-changed",
    ),
    ("an attachment gone since", {"rec": ATTACHED, "attached": {}}, "!attachment-changed"),
    ("approved before approvals named files", {"attached": {"files/a.pdf": OTHER}}, "published"),
    # what goes out is exactly what was approved [SPEC 4]
    ("other content", {"content": "sha256:0000"}, "!content-changed"),
    ("no approval written", {"rec": APPROVED.without("approval")}, "!content-changed"),
    # an internal record goes out on internal channels only [SPEC 2]
    ("internal on its internal channel", {"rec": INTERNAL}, "published"),
    (
        "internal on the website",
        {"rec": approved(INTERNAL.edited(channels=["website"]))},
        "!channels-fit-scope",
    ),
    (
        "internal, a newspaper chosen",
        {"rec": INTERNAL, "channels": ["internal-board", "newspaper"]},
        "!channels-fit-scope",
    ),
    (
        "internal, a meeting chosen",
        {"rec": INTERNAL, "channels": ["meeting", "circular"]},
        "published",
    ),
    ("public on an internal channel too", {"channels": ["website", "intranet"]}, "published"),
    # signing
    ("signing required, unsigned", {"rules": {"require_signing": True}}, "!signature-required"),
    ("signing required, signed", {"rules": {"require_signing": True}, "signed": True}, "published"),
    # a major record is published only on a standing decision
    ("major, decided", {"rec": MAJOR_APPROVED}, "published"),
    ("major, decision gone", {"rec": MAJOR_APPROVED.without("decision")}, "!major-needs-decision"),
    # pre-disclosure: the first publication opens a window of at least 15 days [SPEC 4]
    ("preliminary plan", {"rec": PRELIMINARY}, "consulting"),
    (
        "preliminary, closing on day 15",
        {"rec": PRELIMINARY, "closes": date(2026, 10, 19)},
        "consulting",
    ),
    (
        "preliminary, closing on day 14",
        {"rec": PRELIMINARY, "closes": date(2026, 10, 18)},
        "!pre-disclosure-window",
    ),
    (
        "preliminary, closing later",
        {"rec": PRELIMINARY, "closes": date(2026, 11, 30)},
        "consulting",
    ),
    (
        "20 days where the office says so",
        {"rec": PRELIMINARY, "closes": date(2026, 10, 19), "rules": {"pre_disclosure_days": 20}},
        "!pre-disclosure-window",
    ),
    (
        "--closes with nothing to open",
        {"closes": date(2026, 12, 1)},
        "!closes-only-when-consulting",
    ),
    (
        "--closes on the formal plan",
        {"rec": FORMAL, "closes": date(2026, 12, 1)},
        "!closes-only-when-consulting",
    ),
    # the formal plan: only after the window, and approved after it opened
    (
        "formal plan on the window's last day",
        {"rec": FORMAL, "when": on(19, 23)},
        "!pre-disclosure-window",
    ),
    ("formal plan the day after", {"rec": FORMAL, "when": on(20, 8)}, "published"),
    (
        "formal plan, a longer window stated",
        {
            "rec": FORMAL.to("approved", consultation={**OPENED, "closes": "2026-09-25"}),
            "when": on(20),
        },
        "!pre-disclosure-window",
    ),
    (
        "formal plan, a shorter window stated",
        {
            "rec": FORMAL.to("approved", consultation={**OPENED, "closes": "2026-09-06"}),
            "when": on(19),
        },
        "!pre-disclosure-window",
    ),
    (
        "formal plan, received 5 days late",
        {"rec": FORMAL, "when": on(20), "opened": on(10)},
        "!pre-disclosure-window",
    ),
    (
        "formal plan, received late, 15 days on",
        {"rec": FORMAL, "when": on(25), "opened": on(10)},
        "published",
    ),
    ("formal plan, received early", {"rec": FORMAL, "when": on(20), "opened": on(4)}, "published"),
    (
        "formal plan approved before the window",
        {
            "rec": FORMAL.to(
                "approved", approval={**FORMAL.facts["approval"], "at": on(4).isoformat()}
            ),
            "when": on(20),
        },
        "!pre-disclosure-approval",
    ),
    (
        "formal plan, approval undated",
        {"rec": FORMAL.to("approved", approval={"content": PRELIMINARY.hash}), "when": on(20)},
        "!pre-disclosure-approval",
    ),
]


@pytest.mark.parametrize(
    ("particulars", "wanted"), [c[1:] for c in PUBLISH_CASES], ids=[c[0] for c in PUBLISH_CASES]
)
def test_publish(particulars: dict[str, Any], wanted: str):
    assert publish(**particulars) == wanted


def test_a_publication_writes_its_channels_and_content():
    outcome = workflow.publish(APPROVED.data, ctx(CLERK, WHEN), content=APPROVED.hash)
    chosen = workflow.publish(
        APPROVED.data, ctx(CLERK, WHEN), content=APPROVED.hash, channels=["website"], signed=True
    )
    assert outcome.facts == {
        "publication": stamp(CLERK, WHEN, channels=CHANNELS, content=APPROVED.hash)
    }
    assert chosen.facts == {
        "publication": stamp(CLERK, WHEN, channels=["website"], content=APPROVED.hash, signed=True)
    }


@pytest.mark.parametrize(
    ("days", "closes", "written"),
    [
        (15, None, "2026-10-19"),  # 5 October and the 14 days after it
        (20, None, "2026-10-24"),
        (15, date(2026, 11, 1), "2026-11-01"),
    ],
)
def test_the_first_publication_opens_the_window_until(days: int, closes: date | None, written: str):
    outcome = workflow.publish(
        PRELIMINARY.data,
        ctx(CLERK, WHEN, pre_disclosure_days=days),
        content=PRELIMINARY.hash,
        closes=closes,
    )
    assert outcome.status == "consulting"
    assert outcome.facts == {
        "consultation": stamp(
            CLERK, WHEN, channels=CHANNELS, content=PRELIMINARY.hash, closes=written
        )
    }


# --- the comment window, on its own --------------------------------------------------


@pytest.mark.parametrize(
    ("consultation", "opened", "days", "closes"),
    [
        (OPENED, None, 15, date(2026, 9, 19)),
        ({**OPENED, "closes": "2026-09-30"}, None, 15, date(2026, 9, 30)),  # longer stands
        ({**OPENED, "closes": "2026-09-10"}, None, 15, date(2026, 9, 19)),  # shorter does not
        ({**OPENED, "closes": "soon"}, None, 15, date(2026, 9, 19)),  # nor a non-date
        ({k: v for k, v in OPENED.items() if k != "closes"}, None, 15, date(2026, 9, 19)),
        (OPENED, None, 20, date(2026, 9, 24)),  # the office's days now
        (OPENED, on(8), 15, date(2026, 9, 22)),  # received later: counted from then
        (OPENED, on(2), 15, date(2026, 9, 19)),  # "received" earlier: the step's own date
        ({**OPENED, "at": "yesterday"}, None, 15, None),  # no opening: no window
    ],
)
def test_when_a_comment_window_closes(
    consultation: dict[str, Any], opened: datetime | None, days: int, closes: date | None
):
    data = {**FORMAL.data, "consultation": consultation}
    assert workflow.window_closes(data, Rules(pre_disclosure_days=days), opened) == closes


def test_a_later_opening_never_closes_the_window_earlier():
    data = {"consultation": {"at": "2026-10-06T00:10:00+09:00"}}
    received = datetime(2026, 10, 5, 23, 20, tzinfo=CHINA)  # 10 minutes after the step
    without = workflow.window_closes(data, Rules())
    assert without == date(2026, 10, 20)
    assert workflow.window_closes(data, Rules(), received) == without


def test_a_record_never_published_for_comment_has_no_window():
    assert workflow.window_closes(APPROVED.data, Rules()) is None
    workflow.check_window(APPROVED.data, date(2026, 9, 2), Rules())  # nothing to refuse


@pytest.mark.parametrize(
    ("today", "opened", "refused"),
    [
        (date(2026, 9, 5), None, True),
        (date(2026, 9, 19), None, True),
        (date(2026, 9, 20), None, False),
        (date(2026, 9, 20), on(6), True),
        (date(2026, 9, 21), on(6), False),
    ],
)
def test_check_window(today: date, opened: datetime | None, refused: bool):
    verdict = passes(lambda: workflow.check_window(FORMAL.data, today, Rules(), opened))
    assert verdict == ("!pre-disclosure-window" if refused else "ok")


def test_a_window_moved_by_the_servers_receipt_says_so():
    with pytest.raises(RuleViolation) as refused:
        workflow.check_window(FORMAL.data, date(2026, 9, 20), Rules(), on(6))
    assert "2026-09-06" in refused.value.message and "2026-09-05" in refused.value.message
    assert "2026-09-21" in refused.value.message  # the first day the formal plan may go out


# --- edits ---------------------------------------------------------------------------

# approved after a decision to publish taken this round: an edit goes back to decided
APPROVED_AFTER_DECISION = DECIDED.to("approved", approval=APPROVED.facts["approval"])
# the decision was taken before the comment window opened: it was for the preliminary plan
FORMAL_AFTER_OLD_DECISION = FORMAL.to("approved", decision=DECISION)
FORMAL_DECIDED_AGAIN = FORMAL.to("approved", decision={**DECISION, "at": on(9).isoformat()})


@pytest.mark.parametrize(
    ("rec", "back"),
    [
        (APPROVED, "submitted"),
        (APPROVED_AFTER_DECISION, "decided"),
        (
            APPROVED_AFTER_DECISION.to("approved", decision={**DECISION, "outcome": "revise"}),
            "submitted",
        ),
        (FORMAL_AFTER_OLD_DECISION, "submitted"),
        (FORMAL_DECIDED_AGAIN, "decided"),
    ],
    ids=["no decision", "decided", "decided to revise", "old round", "decided again"],
)
def test_an_edit_voids_the_approval(rec: Rec, back: str):
    outcome = workflow.edit(rec.data, ctx(CLERK, WHEN))
    assert outcome.status == back
    assert outcome.facts == {}
    assert any("zhoulx" in note for note in outcome.notes)  # whose approval is void


@pytest.mark.parametrize("state", ["draft", "submitted", "decided", "consulting"])
def test_an_edit_before_approval_changes_no_state(state: str):
    outcome = workflow.edit(IN_STATE[state].data, ctx(CLERK, WHEN))
    assert (outcome.status, outcome.facts, outcome.notes) == (state, {}, ())


@pytest.mark.parametrize(
    ("state", "rule"),
    [
        ("draft", None),
        ("consulting", None),
        ("published", "published-is-final"),
        ("withheld", "final-state"),
        ("withdrawn", "final-state"),
    ],
)
def test_require_editable(state: str, rule: str | None):
    if rule is None:
        workflow.require_editable("ZZ-2026-001", state)
        return
    with pytest.raises(RuleViolation) as refused:
        workflow.require_editable("ZZ-2026-001", state)
    assert (refused.value.rule, refused.value.record_id) == (rule, "ZZ-2026-001")


# --- time runs forwards [SPEC 11] ---------------------------------------------------------


@pytest.mark.parametrize(
    ("when", "skew", "refused"),
    [
        (on(5), 10, False),  # the record's last step: the approval, 4 September 09:00
        (on(4, 9), 10, False),  # the same moment
        (on(4, 9) - timedelta(minutes=10), 10, False),  # within what clocks disagree by
        (on(4, 9) - timedelta(minutes=11), 10, True),
        (on(4, 9) - timedelta(minutes=1), 0, True),
        (on(4, 9) - timedelta(hours=2), 180, False),
        (datetime(2026, 9, 4, 1, 0), 10, False),  # a naive time is read as UTC: 09:00 China
        (datetime(2026, 9, 4, 0, 49), 10, True),
    ],
)
def test_check_time(when: datetime, skew: int, refused: bool):
    verdict = passes(
        lambda: workflow.check_time(APPROVED.data, ctx(CLERK, when, clock_skew_minutes=skew))
    )
    assert verdict == ("!time-order" if refused else "ok")


def test_a_record_with_no_dated_step_is_always_in_time():
    workflow.check_time(BASE.data, ctx(CLERK, datetime(2000, 1, 1, tzinfo=CHINA)))
    undated = BASE.to("draft", created={"by": "dumy", "at": "not a time"})
    workflow.check_time(undated.data, ctx(CLERK, datetime(2000, 1, 1, tzinfo=CHINA)))


@pytest.mark.parametrize(
    ("rec", "last"),
    [
        (BASE, None),
        (DRAFT, T0),
        (WITHDRAWN, T0 + 5 * DAY),
        # the latest step, whichever fact holds it
        (WITHDRAWN.to("withdrawn", created=stamp(CLERK, T0 + 9 * DAY)), T0 + 9 * DAY),
    ],
)
def test_last_step(rec: Rec, last: datetime | None):
    assert workflow.last_step(rec.data) == last


# --- texts that are printed ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ("数据有误，请核实", False),
        ("第一行\n第二行\t制表", False),
        ("emoji 👍 and Ünïcode", False),
        ("零\u200b宽", True),  # zero-width space
        ("反\u202e向", True),  # right-to-left override
        ("隔\u2066离", True),  # left-to-right isolate
        ("软\u00ad连字符", True),  # soft hyphen prints as nothing
        ("控\x07制", True),  # a control character
        ("行\r回车", True),  # a carriage return moves the line back
    ],
)
def test_check_text(text: str, refused: bool):
    verdict = passes(lambda: workflow.check_text("--reason", text, "ZZ-2026-001"))
    assert verdict == ("!hidden-characters" if refused else "ok")


# --- small questions -----------------------------------------------------------------


def test_the_leading_group_is_the_leader_and_the_members():
    people = roster(LEADER, MEMBER, HEAD, DEPUTY, CLERK, SUPERVISOR, NOBODY, BOTH)
    assert [p.key for p in workflow.group(people)] == ["hanzg", "zhoulx", "both"]


@pytest.mark.parametrize(
    ("data", "status", "major"),
    [
        ({}, "draft", False),
        ({"status": "published", "major": True}, "published", True),
        ({"major": False}, "draft", False),
        ({"major": None}, "draft", False),
    ],
)
def test_status_and_major(data: dict[str, Any], status: str, major: bool):
    assert (workflow.status_of(data), workflow.is_major(data)) == (status, major)


def test_a_refusal_names_the_record():
    with pytest.raises(RuleViolation) as refused:
        workflow.publish(SUBMITTED.data, ctx(CLERK, WHEN), content=SUBMITTED.hash)
    assert (refused.value.rule, refused.value.record_id) == ("order", "ZZ-2026-001")
    assert refused.value.hint and "decide" in refused.value.hint  # what comes next


def test_publishing_says_what_to_print_for_each_channel_with_an_artefact():
    from dangwu.rules.workflow import artefacts

    said = artefacts("ZD-2026-102", ["circular", "email", "newspaper", "meeting"])
    assert said == [
        "dangwu circular ZD-2026-102",
        "dangwu manuscript ZD-2026-102",
        "dangwu meeting new ... --matter ZD-2026-102",
    ]


def test_publishing_a_record_of_one_audience_says_to_print_that_audiences_outputs():
    from dangwu.rules.workflow import artefacts

    said = artefacts("ZZ-2026-108", ["internal-board", "intranet", "circular"], "zhibu-a")
    assert said == [
        "dangwu board --scope internal --audience zhibu-a",
        "dangwu site build --scope internal --audience zhibu-a",
        "dangwu circular ZZ-2026-108",
    ]
    assert artefacts("ZZ-2026-108", ["internal-board"]) == ["dangwu board --scope internal"]
