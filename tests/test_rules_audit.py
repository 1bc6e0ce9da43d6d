"""The audit's rules (dangwu.rules.audit) judged on histories built by hand in Python:
commits, changed files and their versions, fed to the Auditor one event at a time as
the inspector's audit does. An honest history yields nothing; each case below breaks
one rule and must yield exactly that rule, as many times as it says. No git."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
import yaml
from rulekit import (
    BOTH,
    CLERK,
    DEPUTY,
    EVERYONE,
    HEAD,
    LEADER,
    MEMBER,
    MEMBER2,
    NOBODY,
    OUTSIDER,
    QUORUM,
    SUPERVISOR,
    History,
    Rec,
    broken,
    content,
    draft,
    good,
    office,
    person,
    stamp,
)

from dangwu.model.circular import Circular
from dangwu.model.history import Change, Paper, Trailer
from dangwu.model.meeting import Meeting, Minutes
from dangwu.model.office import Person
from dangwu.model.supervision import Feedback, Request
from dangwu.rules.audit import RULES, Auditor, Pusher, summarize
from dangwu.store.history import version_of

ID = "ZZ-2026-001"
SIGNING = {"require_signing": True}


@pytest.fixture(autouse=True)
def isolated_git(monkeypatch: pytest.MonkeyPatch) -> None:
    """Replaces the suite's fixture of this name for this module: these tests run no git
    and read no home, and a fresh home folder per case (made, then swept away at the end
    of the session) would cost more than the cases themselves. The language is pinned
    all the same."""
    monkeypatch.setenv("DANGWU_LANG", "en")


# --- histories ----------------------------------------------------------------------


def founded(**rules: object) -> History:
    h = History(office(**rules))
    h.found()
    return h


def submitted(rec: Rec | None = None, /, **rules: object) -> History:
    """A founded office with one record drafted and submitted by the clerk."""
    h = founded(**rules)
    h.new(rec)
    h.submit(ID)
    return h


def approved(rec: Rec | None = None, /, **rules: object) -> History:
    h = submitted(rec, **rules)
    h.approve(ID)
    return h


def published(rec: Rec | None = None) -> History:
    h = approved(rec)
    h.publish(ID)
    return h


def consulting(**rules: object) -> History:
    """A pre-disclosure's preliminary plan, out for comment from 1 September 13:00."""
    h = approved(Rec(content(pre_disclosure=True)), **rules)
    h.publish(ID)
    return h


def formal_plan(**rules: object) -> History:
    """The formal plan revised in the window, submitted and approved again."""
    h = consulting(**rules)
    h.edit(ID, body="正式方案：吸收了意见。")
    h.submit(ID)
    h.approve(ID, MEMBER2)
    return h


def honest() -> History:
    """Every step of the procedure, taken by the right people at the right times, in an
    office that requires signing [SPEC 4, 8, 11]."""
    h = History(office(**SIGNING))
    h.found(HEAD)
    h.change_settings(HEAD, office(*EVERYONE, BOTH, **SIGNING), signature=good(HEAD))
    # a quarterly record: drafted, edited, sent back, set right, approved, out, withdrawn
    h.new(Rec(content("ZZ-2026-001")))
    h.edit("ZZ-2026-001", summary="本季度党费按时足额收缴，详见正文。")
    h.submit("ZZ-2026-001")
    h.reject("ZZ-2026-001", MEMBER, "请补充数据", signed=True)
    h.edit("ZZ-2026-001", DEPUTY, step="set", body="本季度共收缴党费12万元。")
    h.submit("ZZ-2026-001", DEPUTY)
    h.approve("ZZ-2026-001", MEMBER, signed=True)
    h.publish("ZZ-2026-001", signed=True)
    h.withdraw("ZZ-2026-001", LEADER, "数据有误", signed=True)
    # a major matter: the leading group decides, the leader approves
    h.new(Rec(content("ZZ-2026-002", major=True)), BOTH)
    h.submit("ZZ-2026-002")
    h.decide("ZZ-2026-002", LEADER, signed=True)
    h.approve("ZZ-2026-002", LEADER, signed=True)
    h.edit("ZZ-2026-002", title="关于调整党组织设置的决定")  # the approval falls away
    h.approve("ZZ-2026-002", LEADER, signed=True)
    h.publish("ZZ-2026-002", HEAD, signed=True)
    # a pre-disclosure: out for comment, an opinion, the formal plan after the window
    h.new(Rec(content("ZZ-2026-003", pre_disclosure=True)))
    h.submit("ZZ-2026-003")
    h.approve("ZZ-2026-003", MEMBER2, signed=True)
    h.publish("ZZ-2026-003", signed=True)
    h.supervise(SUPERVISOR, "feedback/ZZ-2026-003/1.yaml", None, "b1", step="feedback")
    h.edit("ZZ-2026-003", body="正式方案：吸收了意见。")
    h.submit("ZZ-2026-003")
    h.approve("ZZ-2026-003", MEMBER2, signed=True)
    h.tick(days=15)
    h.publish("ZZ-2026-003", signed=True)
    # a record the group decides to withhold, and one it sends back for revision
    h.new(Rec(content("ZZ-2026-004")))
    h.submit("ZZ-2026-004")
    h.decide("ZZ-2026-004", MEMBER, outcome="withhold", signed=True)
    h.new(Rec(content("ZZ-2026-005", major=True)))
    h.submit("ZZ-2026-005")
    h.decide("ZZ-2026-005", attendees=[*QUORUM, "qianwb"], outcome="revise", signed=True)
    # a real-name report, logged and answered once
    h.supervise(CLERK, "reports/2026-001.yaml", None, "r1", step="report")
    h.supervise(HEAD, "reports/2026-001.yaml", "r1", "r2", step="answer")
    # plain git on drafts is the office's own business
    h.plain(CLERK, h.records["ZZ-2026-005"], h.records["ZZ-2026-005"].edited(body="修改稿"))
    h.plain(CLERK, None, draft(CLERK, h.now, record_id="ZZ-2026-006"))
    h.plain(DEPUTY, h.records["ZZ-2026-006"], None)
    return h


def test_an_honest_history_yields_nothing():
    h = honest()
    assert len(h.events) == 38
    assert h.audit() == []


def test_the_honest_history_takes_every_step_of_the_procedure():
    steps = {e.commit.trailers().get(Trailer.STEP) for e in honest().events}
    assert steps >= {"init", "roster add", "new", "set", "edit", "submit", "decide"}
    assert steps >= {"approve", "reject", "publish", "withdraw", "feedback", "report", "answer"}


def test_the_kits_versions_are_what_the_history_reader_makes_of_the_file():
    rec = honest().records["ZZ-2026-003"]
    text = yaml.safe_dump(rec.data, allow_unicode=True, sort_keys=False)
    read = version_of("blob", text.encode("utf-8"))
    built = rec.version()
    assert read.error is None
    assert (read.data, read.content, read.scanned) == (built.data, built.content, built.scanned)


# --- one case per rule -------------------------------------------------------------
#
# Each case returns its history (and the auditor to judge it with, where the case needs
# one that knows more: who pushed, when the server received what). The table says the
# rules it must yield, one entry per violation.

Case = Callable[[], History | tuple[History, Auditor]]
CASES: list[tuple[str, Case, list[str]]] = []


def case(*rules: str) -> Callable[[Case], Case]:
    def register(build: Case) -> Case:
        CASES.append((build.__name__, build, sorted(rules)))
        return build

    return register


# who acts


@case("not-on-roster")
def someone_not_on_the_roster_edits_a_draft() -> History:
    h = founded()
    h.new()
    h.plain(OUTSIDER, h.records[ID], h.records[ID].edited(body="改"))
    return h


@case("not-on-roster")
def the_office_founded_by_a_clerk() -> History:
    h = History(office())
    h.found(CLERK)
    return h


@case("not-on-roster")
def an_approval_by_someone_the_roster_no_longer_lists() -> History:
    h = submitted()
    h.change_settings(HEAD, office(*[p for p in EVERYONE if p is not MEMBER]), step="roster remove")
    h.approve(ID, MEMBER)
    return h


@case("role")
def a_clerk_approves() -> History:
    h = submitted()
    h.approve(ID, CLERK)
    return h


@case("role")
def a_member_drafts_a_record() -> History:
    h = founded()
    h.new(Rec(content()), MEMBER)
    return h


@case("role")
def a_supervisor_adds_a_record_with_plain_git() -> History:
    h = founded()
    h.plain(SUPERVISOR, None, draft(SUPERVISOR))
    return h


@case("role")
def someone_with_no_role_edits_a_draft_with_plain_git() -> History:
    h = founded()
    h.new()
    h.plain(NOBODY, h.records[ID], h.records[ID].edited(body="改"))
    return h


@case("role", "settings-not-in-force")
def a_clerk_changes_the_roster() -> History:
    h = founded()
    h.change_settings(CLERK, office(*EVERYONE, person("dumy2", "leader")))
    return h


@case("role")
def a_supervisor_logs_a_report() -> History:
    h = founded()
    h.supervise(SUPERVISOR, "reports/2026-001.yaml", None, "r1", step="report")
    return h


@case("actor-mismatch")
def a_step_that_names_another_actor() -> History:
    h = submitted()
    h.approve(ID, MEMBER, trailers={Trailer.ACTOR: LEADER.key})
    return h


@case("self-approval")
def a_member_who_drafted_the_record_approves_it() -> History:
    h = History(office(*EVERYONE, BOTH))
    h.found()
    h.new(Rec(content()), BOTH)
    h.submit(ID)
    h.approve(ID, BOTH)
    return h


@case("self-approval")
def a_member_who_edited_it_with_plain_git_approves_it() -> History:
    h = History(office(*EVERYONE, BOTH))
    h.found()
    h.new()
    h.plain(BOTH, h.records[ID], h.records[ID].edited(body="他人改过"))
    h.submit(ID)
    h.approve(ID, BOTH)
    return h


# the order of the steps


@case("order")
def a_submitted_record_published() -> History:
    h = submitted()
    h.publish(ID)
    return h


@case("order")
def a_new_step_over_a_record_that_exists() -> History:
    h = founded()
    h.new()
    before = h.records[ID]
    h.step("new", CLERK, before, before.to("draft", created=stamp(CLERK, h.tick())))
    return h


@case("order")
def a_step_on_a_record_that_did_not_exist() -> History:
    h = founded()
    h.tick()
    rec = draft().to("submitted", submitted=stamp(CLERK, h.now))
    h.step("submit", CLERK, None, rec)
    return h


@case("major-needs-decision")
def a_major_record_approved_without_a_decision() -> History:
    h = submitted(Rec(content(major=True)))
    h.approve(ID, LEADER)
    return h


@case("major-needs-leader")
def a_major_record_approved_by_a_member() -> History:
    h = submitted(Rec(content(major=True)))
    h.decide(ID)
    h.approve(ID, MEMBER)
    return h


@case("quorum")
def a_decision_taken_by_half_the_group() -> History:
    h = submitted()
    h.decide(ID, attendees=QUORUM[:2])
    return h


@case("attendee-not-member")
def the_office_head_at_the_groups_decision() -> History:
    h = submitted()
    h.decide(ID, attendees=[*QUORUM, HEAD.key])
    return h


@case("attendee")
def an_attendee_counted_twice() -> History:
    h = submitted()
    h.decide(ID, attendees=[LEADER.key, LEADER.key, MEMBER.key])
    return h


@case("meeting-date")
def a_meeting_that_had_not_happened() -> History:
    h = submitted()
    h.decide(ID, meeting="2026-12-31")
    return h


@case("outcome")
def a_decision_with_no_such_outcome() -> History:
    h = submitted()
    h.decide(ID, outcome="postpone")
    return h


# pre-disclosure [SPEC 4, 11]


@case("pre-disclosure-window")
def the_formal_plan_published_inside_the_window() -> History:
    h = formal_plan()
    h.tick(days=9)
    h.publish(ID)
    return h


@case("pre-disclosure-window")
def the_window_counts_from_when_the_server_received_the_plan() -> tuple[History, Auditor]:
    h = approved(Rec(content(pre_disclosure=True)))
    opener = h.publish(ID).commit.id
    received = h.now + timedelta(days=5)  # the server got it five days after its date
    h.edit(ID, body="正式方案")
    h.submit(ID)
    h.approve(ID, MEMBER2)
    h.tick(days=16)  # past the window the step claims, inside the one it really had
    h.publish(ID)
    return h, Auditor(received=lambda commit: received if commit == opener else None)


@case("pre-disclosure-window")
def a_preliminary_plan_that_writes_its_window_short() -> History:
    h = approved(Rec(content(pre_disclosure=True)))
    h.publish(ID, closes="2026-09-10")
    return h


@case("pre-disclosure-approval")
def a_formal_plan_whose_approval_came_before_the_window() -> History:
    # a range that begins at a formal plan approved before it went out for comment
    h = founded()
    h.tick()
    opened = stamp(CLERK, h.now, channels=["public-board"], content="x", closes="2026-09-15")
    rec = Rec(content(pre_disclosure=True))
    before = rec.to(
        "approved",
        created=stamp(CLERK, h.now - timedelta(days=2)),
        approval=stamp(MEMBER, h.now - timedelta(days=1), content=rec.hash, signed=False),
        consultation=opened,
    )
    h.records[ID] = before
    h.tick(days=20)
    h.publish(ID)
    return h


@case("closes-only-when-consulting")
def a_record_without_pre_disclosure_put_out_for_comment() -> History:
    h = approved()
    rec = h.records[ID]
    when = h.tick()
    after = rec.to(
        "consulting",
        consultation=stamp(
            CLERK, when, channels=rec.content["channels"], content=rec.hash, closes="2026-12-31"
        ),
    )
    h.step("publish", CLERK, rec, after)
    return h


# what was approved is what goes out


@case("content-changed")
def a_publication_of_content_other_than_the_approved() -> History:
    # a range that begins at a record whose approval stamped other content
    h = founded()
    rec = Rec(content())
    h.records[ID] = rec.to(
        "approved",
        created=stamp(CLERK, h.now),
        submitted=stamp(CLERK, h.now),
        approval=stamp(MEMBER, h.now, content="sha256:" + "0" * 64, signed=False),
    )
    h.publish(ID)
    return h


@case("content-changed", "manual-edit")
def an_approved_record_changed_by_hand_then_published() -> History:
    h = approved()
    h.plain(CLERK, h.records[ID], h.records[ID].edited(body="批准后改的"))
    h.publish(ID)
    return h


@case("manual-edit")
def published_content_changed_with_plain_git() -> History:
    h = published()
    h.plain(CLERK, h.records[ID], h.records[ID].edited(title="改过的标题"))
    return h


@case("manual-edit")
def a_submit_step_that_also_changes_the_content() -> History:
    h = founded()
    h.new()
    rec = h.records[ID]
    after = rec.edited(body="顺手改的").to("submitted", submitted=stamp(CLERK, h.tick()))
    h.step("submit", CLERK, rec, after)
    return h


@case("channels-fit-scope")
def an_internal_record_published_on_the_website() -> History:
    h = approved(Rec(content(scope="internal", channels=["internal-board"])))
    h.publish(ID, particulars={"channels": ["website"]})
    return h


@case("published-is-final")
def a_published_record_edited_through_dangwu() -> History:
    h = published()
    h.edit(ID, body="更正")
    return h


@case("final-state")
def a_withheld_record_edited_through_dangwu() -> History:
    h = submitted()
    h.decide(ID, outcome="withhold")
    h.edit(ID, body="改了也不公开")
    return h


# the facts dangwu writes


@case("tool-fields")
def a_status_written_with_plain_git() -> History:
    h = founded()
    h.new()
    rec = h.records[ID]
    h.plain(CLERK, rec, rec.to("submitted", submitted=stamp(CLERK, h.now)))
    return h


@case("tool-fields")
def a_new_file_that_claims_an_approval() -> History:
    h = founded()
    rec = draft()
    h.plain(CLERK, None, rec.to("draft", approval=stamp(MEMBER, h.now, content=rec.hash)))
    return h


@case("tool-fields")
def a_submit_step_that_also_writes_an_approval() -> History:
    h = founded()
    h.new()
    h.submit(ID, facts={"approval": stamp(MEMBER, h.now, content="x", signed=False)})
    return h


@case("forged-facts")
def an_approval_that_names_another_approver() -> History:
    h = submitted()
    rec, when = h.records[ID], h.tick()
    after = rec.to("approved", approval=stamp(LEADER, when, content=rec.hash, signed=False))
    h.step("approve", MEMBER, rec, after)
    return h


@case("forged-facts")
def trailers_that_name_other_states() -> History:
    h = submitted()
    h.approve(ID, trailers={Trailer.FROM: "decided"})
    return h


@case("forged-facts", "forged-facts")  # it is not a draft, and not what new writes
def a_new_record_that_is_not_a_draft() -> History:
    h = founded()
    rec = Rec(content())
    h.step("new", CLERK, None, rec.to("submitted", created=stamp(CLERK, h.now)))
    return h


@case("content-hash")
def a_step_whose_content_trailer_is_not_the_records() -> History:
    h = submitted()
    h.approve(ID, trailers={Trailer.CONTENT: "sha256:" + "f" * 64})
    return h


@case("secrecy")
def a_public_record_with_a_mobile_number_approved_without_a_reason() -> History:
    h = submitted(Rec(content(body="联系人手机13812345678")))
    h.approve(ID)
    return h


@case("reason")
def a_record_sent_back_without_a_reason() -> History:
    h = submitted()
    h.reject(ID, reason="  ")
    return h


@case("hidden-characters")
def a_withdrawal_whose_reason_hides_characters() -> History:
    h = published()
    h.withdraw(ID, reason="有误\u202e")
    return h


# signatures [SPEC 11]


@case("signature-required")
def an_unsigned_approval_where_signing_is_required() -> History:
    h = submitted(**SIGNING)
    h.approve(ID, signed=False)
    return h


# the leading group's other acts are signed too: on a server that does not know who
# pushes, a clerk could otherwise withdraw, withhold or send back in a leader's name
@case("signature-required")
def an_unsigned_withdrawal_where_signing_is_required() -> History:
    h = submitted(**SIGNING)
    h.approve(ID, signed=True)
    h.publish(ID, signed=True)
    h.withdraw(ID, LEADER)
    return h


@case("signature-required")
def an_unsigned_decision_where_signing_is_required() -> History:
    h = submitted(**SIGNING)
    h.decide(ID, LEADER, outcome="withhold")
    return h


@case("signature-required")
def an_unsigned_rejection_where_signing_is_required() -> History:
    h = submitted(**SIGNING)
    h.reject(ID, MEMBER)
    return h


@case("signature-not-actor")
def a_withdrawal_signed_with_the_clerks_key_in_a_leaders_name() -> History:
    h = submitted(**SIGNING)
    h.approve(ID, signed=True)
    h.publish(ID, signed=True)
    h.withdraw(ID, LEADER, signature=good(CLERK))
    return h


@case("signature-required")
def an_approval_that_claims_a_signature_it_lacks() -> History:
    h = submitted()
    h.approve(ID, signed=True, signature=None)
    return h


@case("signature-required", "settings-not-in-force")
def an_unsigned_roster_change_where_signing_is_required() -> History:
    h = founded(**SIGNING)
    h.change_settings(HEAD, office(*EVERYONE, BOTH, **SIGNING))
    return h


@case("signature-bad")
def a_signature_that_does_not_verify() -> History:
    h = submitted(**SIGNING)
    h.approve(ID, signed=True, signature=("B", good(MEMBER)[1]))
    return h


@case("signature-not-actor")
def an_approval_signed_with_another_persons_key() -> History:
    h = submitted(**SIGNING)
    h.approve(ID, signed=True, signature=good(LEADER))
    return h


@case("signature-not-actor")
def a_publication_signed_by_someone_with_no_key_on_the_roster() -> History:
    nokey = person("nokey", "clerk")
    h = submitted(**SIGNING)
    h.change_settings(HEAD, office(*EVERYONE, nokey, **SIGNING), signature=good(HEAD))
    h.approve(ID, signed=True)
    h.publish(ID, nokey, signed=True, signature=("G", "SHA256:abc"))
    return h


@case("not-the-pusher")
def a_step_pushed_by_someone_else_unsigned() -> tuple[History, Auditor]:
    h = submitted()
    auditor = h.settle(Auditor())
    auditor.pusher = Pusher(CLERK.key, CLERK)
    h.approve(ID, MEMBER)
    return h, auditor


# records and supervision files that disappear or change


@case("deleted")
def a_published_record_deleted() -> History:
    h = published()
    h.plain(HEAD, h.records[ID], None)
    return h


@case("discard")
def a_submitted_record_discarded() -> History:
    h = submitted()
    h.discard(ID)
    return h


@case("discard")
def a_record_sent_back_to_draft_discarded() -> History:
    h = submitted()
    h.reject(ID)
    h.discard(ID)
    return h


@case("role")
def a_supervisor_discards_a_draft() -> History:
    h = founded()
    h.new()
    h.discard(ID, SUPERVISOR)
    return h


@case("forged-facts")
def a_discard_that_says_it_removed_a_published_record() -> History:
    h = founded()
    h.new()
    h.discard(ID, trailers={Trailer.FROM: "published"})
    return h


def test_a_draft_never_submitted_discarded_is_in_order():
    h = founded()
    h.new()
    h.discard(ID)
    assert h.rules() == []


@case("role")
def a_draft_deleted_by_a_member() -> History:
    h = founded()
    h.new()
    h.plain(MEMBER, h.records[ID], None)
    return h


@case("unreadable")
def a_record_file_broken_with_plain_git() -> History:
    h = founded()
    h.new()
    h.plain(CLERK, h.records[ID], h.records[ID].edited(body="x"))
    h.events[-1].changes[0] = broken(h.events[-1].changes[0])
    return h


@case("unreadable")
def a_step_over_a_file_that_cannot_be_read() -> History:
    h = submitted()
    h.approve(ID)
    h.events[-1].changes[0] = broken(h.events[-1].changes[0], which="before")
    return h


@case("step-scope")
def a_step_that_changes_two_records() -> History:
    h = founded()
    h.new()
    other = draft(record_id="ZZ-2026-002")
    h.submit(ID, also=[Change(other.path, None, other.version())])
    return h


@case("step-scope")
def a_step_that_changes_another_record_than_it_names() -> History:
    h = submitted()
    h.approve(ID, trailers={Trailer.RECORD: "ZZ-2026-099"})
    return h


@case("step-scope")
def a_step_that_deletes_its_record() -> History:
    h = submitted()
    h.step("withdraw", MEMBER, h.records[ID], None)
    return h


@case("report-deleted")
def a_report_deleted() -> History:
    h = founded()
    h.supervise(CLERK, "reports/2026-001.yaml", None, "r1", step="report")
    h.supervise(CLERK, "reports/2026-001.yaml", "r1", None, step=None)
    return h


@case("report-changed")
def a_report_changed_with_plain_git() -> History:
    h = founded()
    h.supervise(CLERK, "reports/2026-001.yaml", None, "r1", step="report")
    h.supervise(CLERK, "reports/2026-001.yaml", "r1", "r2", step=None)
    return h


@case("report-rewritten")
def a_report_answered_twice() -> History:
    h = founded()
    h.supervise(CLERK, "reports/2026-001.yaml", None, "r1", step="report")
    h.supervise(CLERK, "reports/2026-001.yaml", "r1", "r2", step="answer")
    h.supervise(HEAD, "reports/2026-001.yaml", "r2", "r3", step="answer")
    return h


@case("feedback-changed")
def an_opinion_changed() -> History:
    h = founded()
    h.supervise(SUPERVISOR, "feedback/ZZ-2026-001/1.yaml", None, "f1", step="feedback")
    h.supervise(CLERK, "feedback/ZZ-2026-001/1.yaml", "f1", "f2", step=None)
    return h


@case("feedback-changed")
def an_opinion_deleted() -> History:
    h = founded()
    h.supervise(SUPERVISOR, "feedback/ZZ-2026-001/1.yaml", None, "f1", step="feedback")
    h.supervise(CLERK, "feedback/ZZ-2026-001/1.yaml", "f1", None, step=None)
    return h


# --- opinions and what became of them [SPEC 14] ------------------------------------------

OPINION = f"feedback/{ID}/20260902T100000-chensh.yaml"


def heard(h: History) -> None:
    """The plan out for comment, and an opinion on it from the supervisor, opinion 1."""

    def logged(now: datetime) -> Feedback:
        return Feedback(OPINION, ID, now.date(), "建议", SUPERVISOR.key, now.isoformat(),
                        from_key=SUPERVISOR.key, number=1)  # fmt: skip

    h.supervise(SUPERVISOR, OPINION, None, "o1", step="feedback", paper=logged)


def disposed(
    h: History, by: Person, *, on: str | None = None, text: str | None = None, named: str = ""
) -> None:
    """Opinion 1 answered by ``by`` (the answer naming ``named`` instead, if given)."""
    was = h.papers["o1"]
    assert isinstance(was, Feedback)

    def made(now: datetime) -> Feedback:
        day = on or now.date().isoformat()
        answer = {"outcome": "adopted", "reason": "采纳", "notified": "电话", "on": day,
                  "by": named or by.key, "at": now.isoformat()}  # fmt: skip
        return replace(was, disposition=answer, text=text or was.text)

    h.supervise(by, OPINION, "o1", "o2", step="answer", paper=made)


def revised(h: History) -> None:
    h.edit(ID, body="正式方案：吸收了意见。")
    h.submit(ID)
    h.approve(ID, MEMBER2)


def test_an_opinion_answered_before_its_formal_plan_is_in_order():
    h = consulting()
    heard(h)
    disposed(h, CLERK)
    revised(h)
    assert h.rules() == []


@case("unanswered")
def a_formal_plan_approved_while_an_opinion_waited() -> History:
    h = consulting()
    heard(h)
    revised(h)
    return h


@case("time-order")
def an_opinion_answered_before_it_came_in() -> History:
    h = consulting()
    heard(h)
    disposed(h, CLERK, on="2026-08-01")
    return h


@case("paper-forged")
def an_opinion_answered_in_someone_elses_name() -> History:
    h = consulting()
    heard(h)
    disposed(h, CLERK, named=HEAD.key)
    return h


@case("feedback-changed")
def an_opinion_reworded_by_its_answer() -> History:
    h = consulting()
    heard(h)
    disposed(h, CLERK, text="另一条意见")
    return h


# --- requests for disclosure [SPEC 14] ---------------------------------------------------


def asked(by: Person, number: int = 101) -> Callable[[datetime], Request]:
    """A request as dangwu logs it, at the commit's moment."""

    def made(now: datetime) -> Request:
        return Request(number, f"requests/{number}.yaml", now.date(), "某", "电话", "申请",
                       by.key, now.isoformat())  # fmt: skip

    return made


def settle(was: Paper, by: Person, *, outcome: str = "answered",
           on: str | None = None) -> Callable[[datetime], Request]:  # fmt: skip
    """``was`` answered by ``by`` at the commit's moment (``on`` the day it says)."""
    assert isinstance(was, Request)

    def made(now: datetime) -> Request:
        answer = {"outcome": outcome, "text": "答复", "on": on or now.date().isoformat(),
                  "by": by.key, "at": now.isoformat()}  # fmt: skip
        return replace(was, answer=answer)

    return made


def extend(was: Paper, by: Person) -> Callable[[datetime], Request]:
    assert isinstance(was, Request)

    def made(now: datetime) -> Request:
        extension = {"on": now.date().isoformat(), "reason": "调取材料", "by": by.key,
                     "at": now.isoformat()}  # fmt: skip
        return replace(was, extension=extension)

    return made


MONDAY = datetime(2026, 11, 2, 10, 0, tzinfo=timezone(timedelta(hours=8)))


def requested(h: History) -> None:
    """Request 101, logged by the clerk on Monday 2 November 2026 (answer due on
    Thursday the 5th, or on the 16th once extended)."""
    h.now = MONDAY
    h.supervise(CLERK, "requests/101.yaml", None, "q1", step="request", paper=asked(CLERK))


def test_a_request_logged_extended_in_time_and_refused_is_in_order():
    h = founded()
    requested(h)
    h.now = MONDAY + timedelta(days=3)
    h.supervise(CLERK, "requests/101.yaml", "q1", "q2", step="extend",
                paper=extend(h.papers["q1"], CLERK))  # fmt: skip
    h.now = MONDAY + timedelta(days=10)
    h.supervise(HEAD, "requests/101.yaml", "q2", "q3", step="refuse",
                paper=settle(h.papers["q2"], HEAD, outcome="refused"))  # fmt: skip
    assert h.rules() == []


@case("request-changed")
def a_request_changed_by_hand() -> History:
    h = founded()
    requested(h)
    was = h.papers["q1"]
    assert isinstance(was, Request)
    h.supervise(CLERK, "requests/101.yaml", "q1", "q2", step=None,
                paper=replace(was, text="另一个申请"))  # fmt: skip
    return h


@case("request-changed")
def a_request_answered_twice() -> History:
    h = founded()
    requested(h)
    h.supervise(CLERK, "requests/101.yaml", "q1", "q2", step="answer",
                paper=settle(h.papers["q1"], CLERK))  # fmt: skip
    h.supervise(CLERK, "requests/101.yaml", "q2", "q3", step="answer",
                paper=settle(h.papers["q1"], CLERK, outcome="disclosed"))  # fmt: skip
    return h


@case("request-changed")
def a_request_deleted() -> History:
    h = founded()
    requested(h)
    h.supervise(CLERK, "requests/101.yaml", "q1", None, step=None)
    return h


@case("late-extension")
def a_request_extended_after_its_time_ran_out() -> History:
    h = founded()
    requested(h)
    h.now = MONDAY + timedelta(days=4)  # Friday the 6th: the time ran out on Thursday
    h.supervise(CLERK, "requests/101.yaml", "q1", "q2", step="extend",
                paper=extend(h.papers["q1"], CLERK))  # fmt: skip
    return h


@case("time-order")
def a_request_answered_before_it_came_in() -> History:
    h = founded()
    requested(h)
    h.supervise(CLERK, "requests/101.yaml", "q1", "q2", step="answer",
                paper=settle(h.papers["q1"], CLERK, on="2026-10-30"))  # fmt: skip
    return h


@case("time-order")
def a_request_logged_as_received_after_it_was_logged() -> History:
    h = founded()
    h.now = MONDAY
    later = asked(CLERK)

    def made(now: datetime) -> Request:
        return replace(later(now), received=(now + timedelta(days=3)).date())

    h.supervise(CLERK, "requests/101.yaml", None, "q1", step="request", paper=made)
    return h


@case("paper-forged")
def a_request_answered_in_someone_elses_name() -> History:
    h = founded()
    requested(h)
    h.supervise(CLERK, "requests/101.yaml", "q1", "q2", step="answer",
                paper=settle(h.papers["q1"], HEAD))  # fmt: skip
    return h


@case("role")
def a_request_logged_by_a_supervisor() -> History:
    h = founded()
    h.supervise(SUPERVISOR, "requests/101.yaml", None, "q1", step="request",
                paper=asked(SUPERVISOR))  # fmt: skip
    return h


@case("circular-changed")
def an_issued_circular_changed() -> History:
    h = founded()
    h.supervise(CLERK, "circulars/2026-001.yaml", None, "c1", step="circular")
    h.supervise(CLERK, "circulars/2026-001.yaml", "c1", "c2", step=None)
    return h


@case("circular-changed")
def an_issued_circular_deleted() -> History:
    h = founded()
    h.supervise(CLERK, "circulars/2026-001.yaml", None, "c1", step="circular")
    h.supervise(HEAD, "circulars/2026-001.yaml", "c1", None, step=None)
    return h


@case("circular-number")
def a_circular_numbered_past_a_gap() -> History:
    h = founded()
    h.supervise(CLERK, "circulars/2026-001.yaml", None, "c1", step="circular")
    h.supervise(CLERK, "circulars/2026-003.yaml", None, "c3", step="circular")
    return h


@case("circular-number")
def a_second_circular_numbered_one_in_a_new_file_name() -> History:
    h = founded()
    h.supervise(CLERK, "circulars/2026-001.yaml", None, "c1", step="circular")
    h.supervise(CLERK, "circulars/2026-0001.yaml", None, "c1b", step="circular")
    return h


@case("role")
def a_circular_issued_by_a_supervisor() -> History:
    h = founded()
    h.supervise(SUPERVISOR, "circulars/2026-001.yaml", None, "c1", step="circular")
    return h


@case("meeting-changed")
def a_meeting_changed_other_than_by_its_minutes() -> History:
    h = founded()
    h.supervise(CLERK, "meetings/2026-001.yaml", None, "m1", step="meeting")
    h.supervise(CLERK, "meetings/2026-001.yaml", "m1", "m2", step=None)
    return h


@case("meeting-changed")
def a_meeting_minuted_twice() -> History:
    h = founded()
    h.supervise(CLERK, "meetings/2026-001.yaml", None, "m1", step="meeting")
    h.supervise(CLERK, "meetings/2026-001.yaml", "m1", "m2", step="minutes")
    h.supervise(HEAD, "meetings/2026-001.yaml", "m2", "m3", step="minutes")
    return h


@case("meeting-changed")
def a_meeting_deleted() -> History:
    h = founded()
    h.supervise(CLERK, "meetings/2026-001.yaml", None, "m1", step="meeting")
    h.supervise(CLERK, "meetings/2026-001.yaml", "m1", None, step=None)
    return h


@case("meeting-number")
def a_meeting_numbered_past_a_gap() -> History:
    h = founded()
    h.supervise(CLERK, "meetings/2026-002.yaml", None, "m2", step="meeting")
    return h


@case("paper-forged")
def a_circular_that_names_another_issuer() -> History:
    h = founded()
    at = h.now + timedelta(hours=1)  # when supervise commits it
    forged = Circular(2026, 1, "通报", "各支部", (), at.date(), HEAD.key, at.isoformat())
    h.supervise(CLERK, "circulars/2026-001.yaml", None, "c1", step="circular", paper=forged)
    return h


@case("paper-forged")
def a_circular_dated_before_the_day_it_was_issued() -> History:
    h = founded()
    at = h.now + timedelta(hours=1)  # when supervise commits it
    day = (at - timedelta(days=3)).date()  # back-dated on its face, made today
    forged = Circular(2026, 1, "通报", "各支部", (), day, CLERK.key, at.isoformat())
    h.supervise(CLERK, "circulars/2026-001.yaml", None, "c1", step=None, paper=forged)
    return h


@case("paper-forged")
def a_circular_written_with_plain_git_and_a_made_up_time() -> History:
    h = founded()
    h.tick()
    then = h.now - timedelta(days=10)
    forged = Circular(2026, 1, "通报", "各支部", (), then.date(), CLERK.key, then.isoformat())
    h.supervise(CLERK, "circulars/2026-001.yaml", None, "c1", step=None, paper=forged)
    return h


@case("paper-forged")
def a_file_in_circulars_that_is_not_a_circular() -> History:
    h = founded()
    h.supervise(CLERK, "circulars/2026-001.yaml", None, "c1", step=None, paper="not a circular")
    return h


def _circular_of(h: History, record: str, content: str) -> Circular:
    """A circular as dangwu issues it at the next tick, carrying ``record``."""
    at = h.now + timedelta(hours=1)
    return Circular(
        2026, 1, "通报", "各支部", ((record, content),), at.date(), CLERK.key, at.isoformat()
    )


ON_CIRCULAR = Rec(content(channels=["circular", "internal-board"], scope="internal"))


def test_a_circular_of_what_was_published_on_the_circular_channel_passes():
    h = published(ON_CIRCULAR)
    paper = _circular_of(h, ID, h.records[ID].hash)
    h.supervise(CLERK, "circulars/2026-001.yaml", None, "c1", step="circular", paper=paper)
    assert h.rules() == []


@case("circular-content")
def a_circular_that_carries_another_text_than_the_published() -> History:
    h = published(ON_CIRCULAR)
    paper = _circular_of(h, ID, "0" * 64)
    h.supervise(CLERK, "circulars/2026-001.yaml", None, "c1", step="circular", paper=paper)
    return h


@case("circular-content")
def a_circular_that_carries_a_record_only_approved() -> History:
    h = approved(ON_CIRCULAR)
    paper = _circular_of(h, ID, h.records[ID].hash)
    h.supervise(CLERK, "circulars/2026-001.yaml", None, "c1", step="circular", paper=paper)
    return h


@case("circular-content")
def a_circular_that_carries_a_record_published_elsewhere() -> History:
    h = published()  # on the notice board and the web site
    paper = _circular_of(h, ID, h.records[ID].hash)
    h.supervise(CLERK, "circulars/2026-001.yaml", None, "c1", step="circular", paper=paper)
    return h


@case("circular-content")
def a_circular_that_carries_a_record_that_does_not_exist() -> History:
    h = founded()
    paper = _circular_of(h, "ZZ-2026-999", "0" * 64)
    h.supervise(CLERK, "circulars/2026-001.yaml", None, "c1", step="circular", paper=paper)
    return h


def _called(h: History, **changes: object) -> Meeting:
    """A meeting as ``meeting new`` writes it, called by the clerk at the next tick."""
    at = h.now + timedelta(hours=1)
    meeting = Meeting(
        2026,
        1,
        "leading-group",
        "领导小组会议",
        at,
        "会议室",
        LEADER.key,
        (LEADER.key, MEMBER.key, MEMBER2.key),
        (),
        CLERK.key,
        at.isoformat(),
    )
    return replace(meeting, **changes)  # type: ignore[arg-type]


@case("paper-forged")
def a_meeting_called_in_someone_elses_name() -> History:
    h = founded()
    forged = _called(h, by=LEADER.key)
    h.supervise(CLERK, "meetings/2026-001.yaml", None, "m1", step="meeting", paper=forged)
    return h


@case("meeting-called-late")
def a_meeting_called_after_the_day_it_names() -> History:
    """Entered on the 26th for the 1st, with minutes to clear the dossier's finding
    that the matters it names went to no meeting."""
    h = founded()
    held = _called(h, when=h.now - timedelta(days=25))
    h.supervise(CLERK, "meetings/2026-001.yaml", None, "m1", step="meeting", paper=held)
    return h


@case()
def a_meeting_called_minutes_before_it_is_held() -> History:
    h = founded()
    held = _called(h, when=h.now + timedelta(hours=1, minutes=5))  # called at the next tick
    h.supervise(CLERK, "meetings/2026-001.yaml", None, "m1", step="meeting", paper=held)
    return h


@case("meeting-minutes")
def minutes_dated_before_the_meeting_was_held() -> History:
    h = founded()
    held = _called(h, when=h.now + timedelta(days=2))  # held in two days' time
    h.supervise(CLERK, "meetings/2026-001.yaml", None, "m1", step="meeting", paper=held)
    h.supervise(CLERK, "meetings/2026-001.yaml", "m1", "m2", step="minutes")  # an hour on
    return h


@case("meeting-minutes")
def minutes_that_leave_out_someone_invited() -> History:
    h = founded()
    h.supervise(CLERK, "meetings/2026-001.yaml", None, "m1", step="meeting")
    called = h.papers["m1"]
    assert isinstance(called, Meeting)
    h.tick()
    short = Minutes((LEADER.key, MEMBER.key), (), (), "通过", CLERK.key, h.now.isoformat())
    h.now -= timedelta(hours=1)
    minuted = replace(called, minutes=short)
    h.supervise(CLERK, "meetings/2026-001.yaml", "m1", "m2", step="minutes", paper=minuted)
    return h


@case("meeting-changed")
def minutes_that_also_change_who_was_invited() -> History:
    h = founded()
    h.supervise(CLERK, "meetings/2026-001.yaml", None, "m1", step="meeting")
    called = h.papers["m1"]
    assert isinstance(called, Meeting)
    h.tick()
    fewer = replace(called, invited=(LEADER.key, MEMBER.key))
    minutes = Minutes(fewer.invited, (), (), "通过", CLERK.key, h.now.isoformat())
    h.now -= timedelta(hours=1)
    h.supervise(
        CLERK,
        "meetings/2026-001.yaml",
        "m1",
        "m2",
        step="minutes",
        paper=replace(fewer, minutes=minutes),
    )
    return h


@case("role")
def the_catalogue_changed_by_a_clerk() -> History:
    h = founded()
    h.supervise(CLERK, "schemas/catalogue.yaml", None, "k1", step=None)
    return h


def test_the_catalogue_changed_by_the_office_head_passes():
    h = founded()
    h.supervise(HEAD, "schemas/catalogue.yaml", None, "k1", step=None)
    assert h.rules() == []


def _minuted_meeting(h: History, matter: str) -> str:
    """A leading-group meeting called and minuted now, ``matter`` among its matters,
    the leader and two members present; its day."""
    called = _called(h, matters=(matter,))
    h.supervise(CLERK, "meetings/2026-001.yaml", None, "m1", step="meeting", paper=called)
    h.supervise(CLERK, "meetings/2026-001.yaml", "m1", "m2", step="minutes")
    return called.when.date().isoformat()


def test_a_decision_at_a_minuted_meeting_passes():
    h = submitted()
    day = _minuted_meeting(h, ID)
    attendees = [LEADER.key, MEMBER.key, MEMBER2.key]
    h.decide(ID, attendees=attendees, meeting=day, meeting_no="2026-1")
    assert h.rules() == []


@case("attendee")
def a_decision_that_names_a_meeting_but_not_who_its_minutes_say_was_there() -> History:
    h = submitted()
    day = _minuted_meeting(h, ID)
    h.decide(ID, attendees=[LEADER.key, MEMBER.key, "qianwb"], meeting=day, meeting_no="2026-1")
    return h


@case("meeting-date")
def a_decision_that_names_a_meeting_never_called() -> History:
    h = submitted()
    h.decide(ID, meeting_no="2026-7")
    return h


# the history's shape [SPEC 11]


@case("merge")
def a_merge_in_a_straight_history() -> History:
    h = founded()
    h.tick()
    commit = h.commit(CLERK, "Merge branch 'side'\n")
    h.add(replace(commit, parents=(*commit.parents, "e" * 40)), merge=True)
    return h


@case("merge")
def a_merge_of_unrelated_histories() -> History:
    h = founded(allow_merges=True)
    h.tick()
    commit = h.commit(CLERK, "Merge another office\n")
    h.add(replace(commit, parents=(*commit.parents, "e" * 40)), merge=True, unrelated=True)
    return h


@case("time-order")
def a_step_committed_before_its_parent() -> History:
    h = submitted()
    h.approve(ID)
    later = h.now + timedelta(minutes=11)  # its parent says it was made after it
    h.events[-1].parent_times = (int(later.timestamp()),)
    return h


@case("time-order")
def a_plain_git_edit_committed_before_its_parent() -> History:
    """GIT_AUTHOR_DATE and GIT_COMMITTER_DATE both set back: the edit shows in the
    record's log before the steps it came after."""
    h = founded()
    h.new()
    h.plain(CLERK, h.records[ID], h.records[ID].edited(body="改"))
    later = h.now + timedelta(days=270)  # its parent says it was made long after it
    h.events[-1].parent_times = (int(later.timestamp()),)
    return h


@case("time-order")
def a_step_that_claims_a_time_after_it_was_made() -> History:
    h = submitted()
    h.approve(ID, committed=h.now + timedelta(minutes=30))  # dated an hour on, made in 30
    return h


@case("time-order")
def a_step_dated_before_the_step_it_follows() -> History:
    h = submitted()
    h.approve(ID, at=h.now - timedelta(days=1), committed=h.now + timedelta(hours=1))
    return h


# the settings


@case("settings-invalid")
def settings_that_do_not_validate() -> History:
    h = founded()
    h.change_settings(HEAD, None, step=None, error="dangwu.yaml:3:1: roster: required")
    return h


@case("settings-deleted")
def the_settings_deleted() -> History:
    h = founded()
    h.change_settings(HEAD, None, step=None)
    return h


@case("founded-again")
def the_office_founded_again_in_a_range() -> tuple[History, Auditor]:
    # a range audit knows the office was founded before the range (the inspector's
    # _restore sets founded): settings written where there were none are a new founding
    h = History(office())
    h.found(HEAD)
    return h, Auditor(founded=True)


@case("founded-again", "settings-deleted")
def the_office_founded_again_after_its_settings_were_deleted() -> History:
    h = founded()
    h.change_settings(HEAD, None, step=None)
    h.found(HEAD, office(OUTSIDER, HEAD))
    return h


# a change to the settings that broke the rules does not count afterwards [SPEC 11]

PROMOTED = person(CLERK.key, "clerk", "leader", signing_key=CLERK.signing_key)
NEWCOMER = person("xinr", "member", signing_key="A9A9A9A9A9A9A9A9")


@case("role", "settings-not-in-force", "role", "settings-not-in-force", "not-on-roster")
def a_clerk_makes_himself_leader_then_adds_a_member_who_approves() -> History:
    h = submitted()
    promoted = office(*EVERYONE, PROMOTED)
    h.change_settings(CLERK, promoted)
    # on the roster the clerk wrote he is a leader, and may add someone...
    h.change_settings(CLERK, office(*EVERYONE, PROMOTED, NEWCOMER))
    # ...who approves: by the roster in force, neither act was anyone's to make
    h.approve(ID, NEWCOMER)
    return h


@case("signature-required", "settings-not-in-force", "signature-not-actor")
def a_key_swapped_unsigned_then_used_to_sign_an_approval() -> History:
    h = submitted(**SIGNING)
    swapped = person(MEMBER.key, "member", signing_key="99999999AAAAAAAA")
    h.change_settings(HEAD, office(*[p for p in EVERYONE if p != MEMBER], swapped, **SIGNING))
    h.approve(ID, signed=True, signature=("G", "99999999AAAAAAAA"))
    return h


@case("signature-required", "settings-not-in-force", "signature-required")
def signing_turned_off_by_hand_then_an_unsigned_approval() -> History:
    h = submitted(**SIGNING)
    h.change_settings(HEAD, office())
    h.approve(ID, signed=False)
    return h


FAKE = person("fake", "member", signing_key=CLERK.signing_key)  # signs with the clerk's key


@case("role", "settings-not-in-force", "not-on-roster")
def a_harmless_edit_in_order_does_not_make_a_forged_member_count() -> History:
    h = submitted()
    h.change_settings(CLERK, office(*EVERYONE, FAKE))  # the clerk adds "fake" by hand
    retitled = replace(DEPUTY, title="副政委")
    # the office head retitles someone else, in order, on the file as it stands
    h.change_settings(HEAD, office(*[p for p in EVERYONE if p != DEPUTY], retitled, FAKE))
    h.approve(ID, FAKE)
    return h


@case("role", "settings-not-in-force", "role", "settings-not-in-force")
def an_edit_in_order_keeps_only_what_it_changed_of_a_forged_entry() -> History:
    # the clerk gives himself the leader's role by hand; the office head, in order,
    # changes the clerk's title on that file: the title counts, the role does not
    h = founded()
    h.change_settings(CLERK, office(*EVERYONE, PROMOTED))
    titled = replace(PROMOTED, title="科员")
    h.change_settings(HEAD, office(*EVERYONE, titled))
    h.change_settings(CLERK, office(*EVERYONE, titled, NEWCOMER), step="roster add")
    return h


@case("role", "signature-required", "settings-not-in-force", "signature-required")
def a_forged_rule_stays_out_when_another_rule_is_changed_in_order() -> History:
    # the clerk turns signing off by hand; the office head, signed and in order,
    # changes another rule on that file; an unsigned approval is still out of order
    h = submitted(**SIGNING)
    h.change_settings(CLERK, office())
    h.change_settings(HEAD, office(board_recent_days=60), signature=good(HEAD))
    h.approve(ID, signed=False)
    return h


@case("step-scope", "role", "settings-not-in-force")
def a_supervisor_promotes_himself_in_the_commit_of_his_approval() -> History:
    # one commit both writes him into the leading group and approves: the approval is
    # judged by the roster before the commit, and the roster change does not count
    h = submitted()
    promoted = person(SUPERVISOR.key, "supervisor", "member")
    others = [p for p in EVERYONE if p != SUPERVISOR]
    h.approve(ID, promoted, settings_after=office(*others, promoted), settings_changed=True)
    return h


@case("step-scope", "settings-not-in-force")
def a_roster_change_in_order_carried_by_a_step_commit() -> History:
    # the office head may change the roster, but not inside a member's approval
    h = submitted()
    h.approve(ID, MEMBER, settings_after=office(*EVERYONE, NEWCOMER), settings_changed=True)
    return h


@case("role", "settings-not-in-force", "role", "settings-not-in-force", "not-on-roster")
def two_forgeries_in_a_row_then_the_forged_member_approves() -> History:
    # the second hand change is made on the file of the first: neither counts
    h = submitted()
    h.change_settings(CLERK, office(*EVERYONE, PROMOTED), step=None)
    h.change_settings(CLERK, office(*EVERYONE, PROMOTED, NEWCOMER), step=None)
    h.approve(ID, NEWCOMER)
    return h


@case("role", "settings-not-in-force", "not-on-roster")
def a_member_removed_in_order_and_put_back_by_hand_approves() -> History:
    h = submitted()
    h.change_settings(HEAD, office(*[p for p in EVERYONE if p != MEMBER]), step="roster remove")
    h.change_settings(CLERK, office(*EVERYONE), step=None)
    h.approve(ID, MEMBER)
    return h


@case("role", "settings-not-in-force")
def a_leader_removed_by_hand_still_counts_after_an_edit_in_order() -> History:
    # the clerk takes the leader off and makes himself leader by hand; the office head
    # then adds someone in order on that file: only the addition counts, the leader
    # is still the leader
    h = submitted()
    h.change_settings(CLERK, office(*[p for p in EVERYONE if p != LEADER], PROMOTED), step=None)
    h.change_settings(HEAD, office(*[p for p in EVERYONE if p != LEADER], PROMOTED, NEWCOMER))
    h.approve(ID, LEADER)
    return h


# what went out with a record is the attached file its approval stamped [SPEC 4]

BLOB_A, BLOB_B = "a" * 40, "b" * 40
FILE = "files/a.pdf"


def attached_and(*steps: str) -> History:
    """A record with an attachment, approved (its file stamped), then ``steps``."""
    h = founded()
    h.new(Rec(content(attachments=[FILE])))
    h.submit(ID)
    h.approve(ID, particulars={"attachments": {FILE: BLOB_A}})
    for step in steps:
        if step == "publish":
            h.publish(ID)
        elif step == "withdraw":
            h.withdraw(ID)
    return h


@case("attachment-changed")
def an_attachment_swapped_after_publication() -> History:
    h = attached_and("publish")
    h.file(CLERK, "files/other.pdf", None, BLOB_B)  # another file: nothing to say
    h.file(CLERK, FILE, BLOB_A, BLOB_B)
    return h


@case("attachment-changed")
def a_file_two_records_went_out_with_changed_after_one_is_withdrawn() -> History:
    h = attached_and("publish")
    other = Rec(content("ZZ-2026-002", attachments=[FILE]))
    h.new(other)
    h.submit(other.id)
    h.approve(other.id, particulars={"attachments": {FILE: BLOB_A}})
    h.publish(other.id)
    h.withdraw(other.id)  # the first still carries the file
    h.file(CLERK, FILE, BLOB_A, BLOB_B)
    return h


def test_an_attachment_put_back_is_what_went_out_again():
    h = attached_and("publish")
    h.file(CLERK, FILE, BLOB_A, BLOB_B)
    h.file(CLERK, FILE, BLOB_B, BLOB_A)
    assert h.rules() == ["attachment-changed"]  # the swap, once


@case("attachment-changed")
def an_attachment_deleted_after_publication() -> History:
    h = attached_and("publish")
    h.file(CLERK, FILE, BLOB_A, None)
    return h


@case("forged-facts")
def an_approval_stamping_a_file_not_attached() -> History:
    h = founded()
    h.new(Rec(content(attachments=[FILE])))
    h.submit(ID)
    h.approve(ID, particulars={"attachments": {FILE: BLOB_A, "reports/1.yaml": BLOB_B}})
    return h


def committed_and_approved(blob: str, stamp: str) -> History:
    """A record whose attached file was committed as ``blob`` and approved stamping
    ``stamp`` (by the approver's word: a step written by hand may say anything)."""
    h = founded()
    h.file(CLERK, FILE, None, blob)
    h.new(Rec(content(attachments=[FILE])))
    h.submit(ID)
    h.approve(ID, particulars={"attachments": {FILE: stamp}})
    return h


def published_after(*blobs: str | None) -> History:
    """Approved with its file as BLOB_A; the file then became each of ``blobs`` in turn
    (None: deleted), and a publish step went out (dangwu publish refuses a changed
    file live; a publish step written by hand does not)."""
    h = committed_and_approved(BLOB_A, BLOB_A)
    for old, new in zip((BLOB_A, *blobs), blobs, strict=False):
        h.file(CLERK, FILE, old, new)
    h.publish(ID)
    return h


@case("attachment-changed")
def a_file_swapped_before_publication_goes_out() -> History:
    return published_after(BLOB_B)


@case("attachment-changed")
def a_file_deleted_before_publication_goes_out() -> History:
    return published_after(None)


@case("forged-facts")
def an_approval_stamping_a_file_other_than_the_one_committed() -> History:
    return committed_and_approved(BLOB_B, BLOB_A)


def test_an_attachment_put_back_before_publication_goes_out_in_order():
    assert published_after(BLOB_B, BLOB_A).rules() == []


@case("attachment-changed")
def a_merge_bringing_in_another_version_of_a_file_that_went_out() -> History:
    h = founded(allow_merges=True)
    h.file(CLERK, FILE, None, BLOB_A)
    h.new(Rec(content(attachments=[FILE])))
    h.submit(ID)
    h.approve(ID, particulars={"attachments": {FILE: BLOB_A}})
    h.publish(ID)
    h.tick()
    commit = h.commit(CLERK, "Merge branch 'side'\n")  # the side had changed the file
    h.add(replace(commit, parents=(*commit.parents, "e" * 40)), merge=True,
          files=[(FILE, None, BLOB_B)])  # fmt: skip
    return h


def test_an_attachment_may_change_before_it_goes_out_and_after_it_is_withdrawn():
    # approved, not yet out: publish refuses a changed file live (and the site sends
    # only the stamped one); withdrawn: nothing of it is up any more
    h = attached_and()
    h.file(CLERK, FILE, BLOB_A, BLOB_B)
    assert h.rules() == []
    h = attached_and("publish", "withdraw")
    h.file(CLERK, FILE, BLOB_A, BLOB_B)
    assert h.rules() == []


def test_a_member_removed_and_added_again_in_order_approves():
    h = submitted()
    h.change_settings(HEAD, office(*[p for p in EVERYONE if p != MEMBER]), step="roster remove")
    h.change_settings(HEAD, office(*EVERYONE))
    h.approve(ID, MEMBER)
    assert h.rules() == []


def test_a_forgery_put_back_by_whoever_made_it_is_not_flagged_again():
    h = submitted()
    h.change_settings(CLERK, office(*EVERYONE, FAKE))
    h.change_settings(CLERK, office(*EVERYONE), step=None)  # git revert of his own commit
    h.approve(ID)
    assert h.rules() == ["role", "settings-not-in-force"]


def test_a_broken_file_reverted_is_not_a_second_founding():
    h = submitted()
    h.change_settings(HEAD, None, step=None, error="dangwu.yaml:3:1: roster: required")
    h.change_settings(HEAD, office(*EVERYONE), step=None)  # the recovery hint followed
    h.approve(ID)
    assert h.rules() == ["settings-invalid"]


def test_a_roster_change_signed_with_the_wrong_key_says_so():
    h = founded(**SIGNING)
    h.change_settings(HEAD, office(*EVERYONE, BOTH, **SIGNING), signature=good(CLERK))
    said = [v.message for v in h.audit() if v.rule == "signature-required"]
    assert said == [
        "the settings or roster were changed with a signature that is not by linht-name's "
        "key on the roster; the office requires changes to them to be signed by whoever "
        "makes them"
    ]


def test_a_change_in_order_ends_what_an_earlier_one_broke():
    # the clerk's hand change is flagged once; the head then writes the roster in
    # order (adding the newcomer), and from there the file's own roster counts
    h = submitted()
    h.change_settings(CLERK, office(*EVERYONE, PROMOTED))
    h.change_settings(HEAD, office(*EVERYONE, NEWCOMER))
    h.approve(ID, NEWCOMER)
    assert h.rules() == ["role", "settings-not-in-force"]


def test_the_roster_in_force_survives_a_file_that_cannot_be_read():
    # an unreadable dangwu.yaml is flagged; later acts are judged by the last roster
    # in force, not by nothing (which would make every commit look like a founding)
    h = submitted()
    h.change_settings(HEAD, None, step=None, error="dangwu.yaml:3:1: roster: required")
    h.approve(ID, settings_error="dangwu.yaml:3:1: roster: required")  # as the file stands
    assert h.rules() == ["settings-invalid"]


def judged(build: Case) -> list[str]:
    made = build()
    h, auditor = made if isinstance(made, tuple) else (made, None)
    return h.rules(auditor)


@pytest.mark.parametrize(("build", "rules"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_broken_rule_is_found_and_nothing_else(build: Case, rules: list[str]):
    assert judged(build) == rules


def test_every_rule_the_audit_names_has_a_case():
    assert set(RULES) <= {rule for _name, _build, rules in CASES for rule in rules}


def test_the_cases_would_be_honest_without_their_last_commit():
    """Each case of one rule breaks it with the commit it ends on (or the auditor it is
    judged by): what comes before is in order, so the finding is that commit's."""
    for name, build, rules in CASES:
        if len(set(rules)) > 1:
            continue
        made = build()
        h = made[0] if isinstance(made, tuple) else made
        h.events.pop()
        assert h.rules() == [], name


def test_the_cases_that_need_a_knowing_auditor_pass_a_plain_one():
    """Who pushed, when the server received a commit, that the office was founded
    before the range: without them the same history is in order."""
    special = [(n, b) for n, b, _r in CASES if isinstance(b(), tuple)]
    assert len(special) == 3
    for name, build in special:
        h, _auditor = build()  # type: ignore[misc]
        assert h.rules(Auditor()) == [], name


# --- what the audit allows ------------------------------------------------------------


def test_a_merge_where_the_office_allows_merges():
    h = founded(allow_merges=True)
    h.tick()
    commit = h.commit(CLERK, "Merge branch 'side'\n")
    h.add(replace(commit, parents=(*commit.parents, "e" * 40)), merge=True)
    assert h.rules() == []


@pytest.mark.parametrize(
    ("pusher", "signature", "rules"),
    [
        (MEMBER, None, []),  # the actor pushed it
        (CLERK, None, ["not-the-pusher"]),
        (CLERK, good(MEMBER), []),  # another pushed it, the actor signed it
        (CLERK, good(LEADER), ["not-the-pusher"]),  # signed, but not by the actor
        (CLERK, ("B", good(MEMBER)[1]), ["not-the-pusher"]),  # a signature that fails
        (None, good(MEMBER), []),  # an account the roster does not know
        (None, None, ["not-the-pusher"]),
    ],
)
def test_who_pushed_a_step(
    pusher: Person | None, signature: tuple[str, str] | None, rules: list[str]
):
    h = submitted()
    auditor = h.settle(Auditor())
    auditor.pusher = Pusher(pusher.key if pusher else "someone", pusher)
    h.approve(ID, MEMBER, signature=signature)
    assert h.rules(auditor) == rules


def test_a_pusher_the_roster_does_not_know_needs_every_actors_signature():
    h = founded()
    h.new()
    assert h.rules(Auditor(pusher=Pusher("someone", None))) == ["not-the-pusher"] * 2


def test_the_formal_plan_published_the_day_after_the_window():
    h = formal_plan()
    h.tick(datetime(2026, 9, 16, 8, 0, tzinfo=h.now.tzinfo))  # opened 1 September 13:00
    h.publish(ID)
    assert h.rules() == []


def test_the_formal_plan_published_on_the_windows_last_day():
    h = formal_plan()
    h.tick(datetime(2026, 9, 15, 22, 0, tzinfo=h.now.tzinfo))  # published an hour on
    h.publish(ID)
    assert h.rules() == ["pre-disclosure-window"]


def test_a_secrecy_finding_approved_with_a_reason():
    h = submitted(Rec(content(body="联系人手机13812345678")))
    h.approve(
        ID,
        particulars={"overrides": [{"finding": "mobile body 138****5678", "reason": "本人同意"}]},
    )
    assert h.rules() == []


def test_a_plain_draft_added_with_its_creator_is_fine_and_by_a_supervisor_is_not():
    h = founded()
    h.plain(CLERK, None, draft())
    h.plain(SUPERVISOR, None, draft(SUPERVISOR, record_id="ZZ-2026-002"))
    assert h.rules() == ["role"]


def test_a_plain_draft_says_it_was_drafted_by_whoever_commits_it_when_they_do():
    """The approval form prints 拟稿 from a draft's created facts: a draft added by hand
    that names another drafter, or a day well before its commit, is flagged."""
    h = founded()
    h.tick(days=7)
    h.plain(CLERK, None, draft(CLERK, h.now - timedelta(hours=20)))  # written, then committed
    assert h.rules() == []
    h.plain(CLERK, None, draft(LEADER, h.now, record_id="ZZ-2026-002"))
    assert h.rules() == ["tool-fields"]
    h = founded()
    h.tick(days=7)
    h.plain(CLERK, None, draft(CLERK, h.now - timedelta(days=6)))
    assert h.rules() == ["tool-fields"]
    h = founded()
    h.plain(CLERK, None, draft(CLERK, h.now + timedelta(days=1)))
    assert h.rules() == ["tool-fields"]


def test_an_audit_in_two_ranges_remembers_who_drafted():
    """The auditor carries who edited each record from one commit to the next: judged
    in two runs that share it, a self-approval is still found."""
    h = History(office(*EVERYONE, BOTH))
    h.found()
    h.new()
    h.plain(BOTH, h.records[ID], h.records[ID].edited(body="他人改过"))
    h.submit(ID)
    h.approve(ID, BOTH)
    first, second = h.events[:3], h.events[3:]
    auditor = Auditor()
    found = [v.rule for e in first for v in auditor.judge(e)]
    found += [v.rule for e in second for v in Auditor(authors=auditor.authors).judge(e)]
    assert found == ["self-approval"]
    assert [v.rule for e in second for v in Auditor().judge(e)] == []  # without it: missed


def test_violations_name_the_commit_the_record_and_the_person():
    h = submitted()
    step = h.approve(ID, CLERK)
    (violation,) = h.audit()
    assert (violation.commit, violation.record, violation.rule) == (step.commit.id, ID, "role")
    assert "dumy" in violation.person
    assert violation.as_dict()["rule_title"] == "act without the role"
    assert summarize(h.audit()) == {"role": 1}


# --- found while writing these: the audit must judge what a forger writes, not crash ----


@pytest.mark.parametrize(
    ("step", "status", "name", "value", "broken"),
    [
        ("approve", "approved", "approval", "yes", "forged-facts"),
        ("approve", "approved", "approval", ["x"], "forged-facts"),
        # re-run with no particulars, the rule itself refuses
        ("decide", "decided", "decision", "forged", "outcome"),
        ("reject", "draft", "rejection", "forged", "reason"),
    ],
)
def test_a_step_whose_facts_are_not_a_mapping_is_flagged(
    step: str, status: str, name: str, value: object, broken: str
):
    h = submitted()
    rec = h.records[ID]
    h.tick()
    h.step(step, MEMBER, rec, rec.to(status, **{name: value}))
    assert h.rules() == [broken]


def test_an_approval_whose_overrides_are_not_mappings_is_flagged():
    h = submitted()
    h.approve(ID, particulars={"overrides": ["because"]})
    assert h.rules() == ["forged-facts"]


def test_a_trailer_left_out_is_said_to_be_missing_not_none():
    h = founded()
    h.new()
    h.submit(ID, trailers={Trailer.FROM: None, Trailer.TO: None})
    said = [v.message for v in h.audit(None) if v.rule == "forged-facts"]
    assert said == ["the trailers say (nothing) → (nothing), the file says draft → submitted"]
