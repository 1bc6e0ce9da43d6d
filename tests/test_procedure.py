"""The disclosure procedure [SPEC sections 3, 4, 5]: submit, decide, approve, reject,
publish, withdraw, edits, the secrecy review, signing, log, and what audit says of it.

Every refusal is checked to leave the repository exactly as it was.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import PEOPLE, Office, commit_as
from plaingit import (
    commit,
    discard_message,
    edit_record,
    edit_settings,
    facts,
    flagged,
    forge_step,
    give_signing_keys,
    keygen,
    load,
    put,
    relpath,
    sign_env,
    violations,
    who,
)

from dangwu.model.record import content_hash


def at(day: int, hour: int = 10, month: int = 10) -> str:
    return f"2026-{month:02d}-{day:02d}T{hour:02d}:00:00+08:00"


QUORUM = ("hanzg", "zhoulx", "sunhm", "qianwb")
MAJOR = ("--major", "--event-date", "2026-10-01", "--summary", "任用", "--body", "任命决定。")


def attendees(*keys: str) -> list[str]:
    return [arg for key in keys for arg in ("--attendee", key)]


def refused(office: Office, *args: str, expect: str, code: int = 1, **kw):
    """Run a step that must be refused: exit 1 (2 for a usage error), the reason, and
    nothing written."""
    before = office.state()
    result = office.run(*args, **kw)
    assert result.exit_code == code, result.output
    assert expect in result.stderr, result.output
    assert "Traceback" not in result.output
    assert office.state() == before
    return result


def ok(office: Office, *args: str, **kw):
    result = office.run(*args, **kw)
    assert result.exit_code == 0, (args, result.output)
    return result


def trailers(office: Office, rev: str = "HEAD") -> dict[str, str]:
    raw = office.git("log", "-1", "--format=%(trailers:only,unfold)", rev)
    return dict(line.split(": ", 1) for line in raw.splitlines() if line)


def data(office: Office, rid: str) -> dict:
    result = ok(office, "show", rid, "--json")
    return json.loads(result.stdout)


def status(office: Office, rid: str) -> str:
    return data(office, rid)["status"]


def body(office: Office, rev: str = "HEAD") -> str:
    return office.git("log", "-1", "--format=%b", rev)


def major(office: Office, now: str = at(5, 9)) -> str:
    return office.new(*MAJOR, item="section-appointments", title="科级干部任用", now=now)


def submitted(office: Office, *extra: str, now: str = at(5, 9), **kw) -> str:
    rid = office.new("--summary", "摘要", "--body", "正文。", *extra, now=now, **kw)
    ok(office, "submit", rid, now=now.replace("T09", "T10") if "T09" in now else now)
    return rid


def decided(office: Office, rid: str, *, now: str = at(5, 11), outcome: str = "publish"):
    return ok(
        office,
        "decide",
        rid,
        "--meeting",
        now[:10],
        *attendees(*QUORUM),
        "--outcome",
        outcome,
        as_="hanzg",
        now=now,
    )


def audit(office: Office, now: str = at(28)):
    return office.run("audit", now=now)


# --- every step's commit and facts --------------------------------------------------------


def test_each_step_is_one_commit_by_the_actor_with_its_trailers(office: Office):
    title = "科级干部任用"
    rid = major(office, now=at(5, 9))
    plan = [
        ("submit", "dumy", at(5, 10), [], "draft", "submitted"),
        (
            "decide",
            "hanzg",
            at(6, 15),
            ["--meeting", "2026-10-06", *attendees(*QUORUM), "--outcome", "publish"],
            "submitted",
            "decided",
        ),
        ("approve", "hanzg", at(7, 9), [], "decided", "approved"),
        ("publish", "dumy", at(8, 9), [], "approved", "published"),
        ("withdraw", "zhoulx", at(9, 16), ["--reason", "更正"], "published", "withdrawn"),
    ]
    content = trailers(office)["Dangwu-Content"]
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", content)
    path = relpath(office, rid)
    for step, actor, now, extra, before, after in plan:
        count = len(office.commits())
        ok(office, step, rid, *extra, as_=actor, now=now)
        assert len(office.commits()) == count + 1
        assert office.git("show", "--name-only", "--format=", "HEAD") == path
        name, email = PEOPLE[actor]
        assert office.git("log", "-1", "--format=%s|%an|%ae|%cn|%ce|%aI|%cI") == (
            f"{step}: {rid} {title}|{name}|{email}|{name}|{email}|{now}|{now}"
        )
        assert trailers(office) == {
            "Dangwu-Step": step,
            "Dangwu-Record": rid,
            "Dangwu-From": before,
            "Dangwu-To": after,
            "Dangwu-Actor": actor,
            "Dangwu-Content": content,  # the content never changed
        }
        assert status(office, rid) == after
        assert office.git("status", "--porcelain") == ""
    assert content == content_hash(data(office, rid))
    assert audit(office).exit_code == 0


def test_the_attendees_may_be_given_with_commas_and_one_given_twice_is_named(office: Office):
    """--attendee a,b as meeting new --invite takes them (a full-width comma too)."""
    rid = major(office, now=at(5, 9))
    ok(office, "submit", rid, now=at(5, 10))
    decide = ("decide", rid, "--meeting", "2026-10-06", "--outcome", "publish")
    twice = "zhoulx is listed twice among the attendees"
    refused(office, *decide, "--attendee", "hanzg,zhoulx", "--attendee", "zhoulx",
            as_="hanzg", now=at(6, 15), expect=twice)  # fmt: skip
    ok(office, *decide, "--attendee", "hanzg,zhoulx，sunhm", "--attendee", "qianwb",
       as_="hanzg", now=at(6, 15))  # fmt: skip
    assert data(office, rid)["decision"]["attendees"] == list(QUORUM)


def test_the_facts_of_each_step_are_written_into_the_record(office: Office):
    rid = major(office, now=at(5, 9))
    ok(office, "submit", rid, now=at(5, 10))
    ok(
        office,
        "decide",
        rid,
        "--meeting",
        "2026-10-06",
        *attendees("hanzg", "zhoulx", "sunhm", "wujh", "wanglp"),
        "--outcome",
        "publish",
        "--note",
        "一致同意",
        as_="hanzg",
        now=at(6, 15),
    )
    assert "韩振国, 周立新, 孙慧敏" in body(office) and "(5 of 7 present)" in body(office)
    ok(office, "approve", rid, as_="hanzg", now=at(7, 9))
    ok(office, "publish", rid, "--channel", "website", "--channel", "newspaper", now=at(8, 9))
    ok(office, "withdraw", rid, "--reason", "数据有误，另行更正", as_="sunhm", now=at(9, 16))
    assert "数据有误，另行更正" in body(office)
    record = data(office, rid)
    content = content_hash(record)
    assert record["status"] == "withdrawn"
    assert record["created"] == {"by": "dumy", "at": at(5, 9)}
    assert record["submitted"] == {"by": "dumy", "at": at(5, 10)}
    assert record["decision"] == {
        "by": "hanzg",
        "at": at(6, 15),
        "meeting": "2026-10-06",
        "attendees": ["hanzg", "zhoulx", "sunhm", "wujh", "wanglp"],
        "group": 7,
        "outcome": "publish",
        "note": "一致同意",
    }
    assert record["approval"] == {
        "by": "hanzg",
        "at": at(7, 9),
        "content": content,
        "signed": False,
    }
    assert record["publication"] == {
        "by": "dumy",
        "at": at(8, 9),
        "channels": ["website", "newspaper"],
        "content": content,
    }
    assert record["withdrawal"] == {"by": "sunhm", "at": at(9, 16), "reason": "数据有误，另行更正"}
    assert audit(office).exit_code == 0


def test_publish_uses_the_records_own_channels_by_default(office: Office):
    rid = submitted(office)
    ok(office, "approve", rid, as_="zhoulx", now=at(6))
    ok(office, "publish", rid, now=at(7))
    assert data(office, rid)["publication"]["channels"] == ["internal-board", "intranet"]


# --- who may approve ---------------------------------------------------------------------


def test_a_clerk_cannot_approve(office: Office):
    rid = submitted(office)
    refused(office, "approve", rid, as_="dumy", expect="may not approve records", now=at(6))
    refused(office, "approve", rid, as_="linht", expect="may not approve records", now=at(6))
    refused(office, "approve", rid, as_="chensh", expect="may not approve records", now=at(6))
    assert status(office, rid) == "submitted"


def _linht_joins_the_group(office: Office) -> None:
    edit_settings(office, lambda d: d["roster"]["linht"].update(roles=["office-head", "member"]))
    commit_as(office.root, "linht", "roster: 林海涛 also a member", "dangwu.yaml", date=at(1))


def test_an_author_cannot_approve_their_own_record(office: Office):
    _linht_joins_the_group(office)
    rid = office.new("--summary", "摘要", "--body", "正文。", as_="linht", now=at(5, 9))
    assert rid == "ZZ-2026-201"  # linht's id block
    ok(office, "submit", rid, as_="linht", now=at(5, 10))
    refused(office, "approve", rid, as_="linht", now=at(6), expect="drafted or edited ZZ-2026-201")
    ok(office, "approve", rid, as_="zhoulx", now=at(6, 11))  # another member may
    assert audit(office).exit_code == 0


def test_someone_who_edited_a_record_cannot_approve_it(office: Office):
    _linht_joins_the_group(office)
    rid = office.new("--summary", "摘要", "--body", "正文。", now=at(5, 9))
    ok(office, "set", rid, "summary=林改过的摘要", as_="linht", now=at(5, 10))
    ok(office, "submit", rid, now=at(5, 11))
    refused(office, "approve", rid, as_="linht", now=at(6), expect="cannot approve it")


def test_a_major_record_approved_by_a_member_is_refused(office: Office):
    rid = major(office)
    ok(office, "submit", rid, now=at(5, 10))
    decided(office, rid)
    refused(office, "approve", rid, as_="zhoulx", now=at(6), expect="only the leader may approve")
    ok(office, "approve", rid, as_="hanzg", now=at(6, 11))


# --- the collective decision ---------------------------------------------------------------


def test_a_major_record_cannot_be_approved_without_a_decision(office: Office):
    rid = major(office)
    ok(office, "submit", rid, now=at(5, 10))
    refused(office, "approve", rid, as_="hanzg", now=at(6), expect="the leading group must decide")


def test_a_decision_without_quorum_is_refused_and_cannot_be_written_by_hand(office: Office):
    rid = major(office)
    ok(office, "submit", rid, now=at(5, 10))
    refused(
        office,
        "decide",
        rid,
        "--meeting",
        "2026-10-06",
        *attendees("hanzg", "zhoulx", "sunhm"),
        "--outcome",
        "publish",
        as_="hanzg",
        now=at(6),
        expect="no quorum: 3 of the 7 members",
    )

    def decide(record) -> None:
        put(record, "status", "decided")
        put(
            record,
            "decision",
            facts(
                by="hanzg",
                at=at(6),
                meeting="2026-10-06",
                attendees=["hanzg", "zhoulx", "sunhm"],
                group=7,
                outcome="publish",
            ),
        )

    path = edit_record(office, rid, decide)
    bad = commit_as(office.root, "dumy", "record the meeting", path, date=at(6, 11))
    # written with plain git: the next step sees facts no step wrote, and says which
    said = refused(office, "approve", rid, as_="hanzg", now=at(7), expect="(decision, status)")
    assert f"git rebase --onto {bad[:7]}^ {bad[:7]};" in said.stderr
    result = audit(office)
    assert result.exit_code == 1
    assert flagged(result.stdout, bad, rid, "tool-fields", who("dumy")), result.output
    # nor may an edit pass the hand-written facts on as its own, for approve to take up
    said = refused(office, "set", rid, "summary=任用决定", now=at(7), expect="(decision, status)")
    assert "git rebase --onto" in said.stderr
    # written as a step, trailers and all: the approval still reads the decision
    office.git("reset", "-q", "--hard", "HEAD~1")
    forged = forge_step(office, "hanzg", "decide", rid, decide, date=at(6, 11))
    refused(office, "approve", rid, as_="hanzg", now=at(7), expect="without a quorum (3 of 7)")
    result = audit(office)
    assert result.exit_code == 1 and forged[:10] in result.stdout, result.output


@pytest.mark.parametrize("key", ["dumy", "chensh", "linht"])
def test_a_non_member_cannot_attend_the_decision(office: Office, key: str):
    rid = major(office)
    ok(office, "submit", rid, now=at(5, 10))
    refused(
        office,
        "decide",
        rid,
        "--meeting",
        "2026-10-06",
        *attendees("hanzg", "zhoulx", "sunhm", "qianwb", key),
        "--outcome",
        "publish",
        as_="hanzg",
        now=at(6),
        expect="is not a member of the leading group",
    )


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("nobody", "no one on the roster is called 'nobody'"),
        ("孙惠敏", "did you mean 'sunhm (孙慧敏)'?"),
        ("hanzh", "did you mean 'hanzg (韩振国)'?"),
    ],
)
def test_an_attendee_not_on_the_roster_is_a_typing_error(office: Office, typed: str, said: str):
    rid = major(office)
    ok(office, "submit", rid, now=at(5, 10))
    before = office.state()
    args = ("--meeting", "2026-10-06", *attendees("hanzg", "zhoulx", "sunhm", typed))
    result = office.run("decide", rid, *args, "--outcome", "publish", as_="hanzg", now=at(6))
    assert result.exit_code == 2, result.output
    assert said in result.stderr and "leading group" not in result.stderr, result.output
    assert office.state() == before


def test_attendees_outcome_and_meeting_day_may_be_typed_in_chinese(office: Office):
    """Names instead of roster keys, the outcome's Chinese name, a Chinese date."""
    rid = major(office)
    ok(office, "submit", rid, now=at(5, 10))
    named = attendees("韩振国", "周立新", "HEXY", "孙慧敏", "qianwb@example.org")
    assert "hexy" not in " ".join(QUORUM)
    result = office.run(
        "decide",
        rid,
        "--meeting",
        "二〇二六年十月六日",
        *named,
        "--outcome",
        "决定",
        as_="hanzg",
        now=at(6),
    )
    # every name was read as a person: hexy (in capitals) is found, and is no member
    assert result.exit_code == 1, result.output
    assert "何晓燕 (hexy) is not a member" in result.stderr, result.output
    named = attendees("韩振国", "周立新", "孙慧敏", "qianwb@example.org")
    ok(
        office,
        "decide",
        rid,
        "--meeting",
        "2026年10月6日",
        *named,
        "--outcome",
        "决定公开",
        as_="hanzg",
        now=at(6),
    )
    decision = office.read(f"records/zuzhi-jianshe/{rid}.yaml")
    assert "meeting: '2026-10-06'" in decision or "meeting: 2026-10-06" in decision, decision
    assert "outcome: publish" in decision
    assert "attendees: [hanzg, zhoulx, sunhm, qianwb]" in decision, decision


def test_decide_is_for_the_group_after_submission_and_before_today(office: Office):
    rid = major(office)
    args = ("decide", rid, "--meeting", "2026-10-06", *attendees(*QUORUM), "--outcome")
    refused(office, *args, "publish", as_="hanzg", now=at(6), expect="is draft")
    ok(office, "submit", rid, now=at(5, 11))
    refused(office, *args, "publish", as_="dumy", now=at(6), expect="may not record")
    refused(office, *args, "publish", as_="hanzg", now=at(5, 12), expect="has not happened yet")
    early = ("decide", rid, "--meeting", "2026-10-04", *attendees(*QUORUM), "--outcome")
    refused(office, *early, "publish", as_="hanzg", now=at(6), expect="before ZZ-2026-101 was")
    twice = ("decide", rid, "--meeting", "2026-10-06", *attendees(*QUORUM, "hanzg"))
    refused(office, *twice, "--outcome", "publish", as_="hanzg", now=at(6), expect="twice")
    result = office.run(*args, "postpone", as_="hanzg", now=at(6))
    assert result.exit_code == 2, result.output
    ok(office, *args, "publish", as_="zhoulx", now=at(6, 15))  # any member records it
    assert data(office, rid)["decision"]["by"] == "zhoulx"


def test_revise_sends_the_record_back_and_it_needs_a_new_decision(office: Office):
    rid = major(office)
    ok(office, "submit", rid, now=at(5, 10))
    decided(office, rid, outcome="revise")
    assert status(office, rid) == "draft"
    assert data(office, rid)["decision"]["outcome"] == "revise"
    refused(office, "approve", rid, as_="hanzg", now=at(6), expect="is draft")
    ok(office, "set", rid, "summary=修改后", now=at(6, 11))
    ok(office, "submit", rid, now=at(6, 12))
    refused(office, "approve", rid, as_="hanzg", now=at(7), expect="the leading group must decide")
    decided(office, rid, now=at(7, 11))
    ok(office, "approve", rid, as_="hanzg", now=at(7, 12))
    assert audit(office).exit_code == 0


def test_withhold_is_final(office: Office, editor):
    rid = major(office)
    ok(office, "submit", rid, now=at(5, 10))
    decided(office, rid, outcome="withhold")
    assert status(office, rid) == "withheld"
    assert trailers(office)["Dangwu-To"] == "withheld"
    refused(office, "approve", rid, as_="hanzg", now=at(6), expect="is withheld")
    refused(office, "submit", rid, now=at(6), expect="is withheld")
    refused(office, "set", rid, "summary=再改", now=at(6), expect="can no longer change")
    refused(
        office,
        "edit",
        rid,
        now=at(6),
        env=editor("任命决定。", "改"),
        expect="can no longer change",
    )
    refused(office, "publish", rid, now=at(6), expect="is withheld")
    refused(
        office,
        "decide",
        rid,
        "--meeting",
        "2026-10-06",
        *attendees(*QUORUM),
        "--outcome",
        "publish",
        as_="hanzg",
        now=at(6),
        expect="is withheld",
    )
    refused(office, "withdraw", rid, "--reason", "x", as_="hanzg", now=at(6), expect="withheld")


# --- publishing ------------------------------------------------------------------------------


def test_publishing_before_approval_is_refused(office: Office):
    big = major(office)
    rid = office.new("--summary", "摘要", "--body", "正文。", now=at(5, 9))
    refused(office, "publish", rid, now=at(5, 10), expect="publish needs a record that is approved")
    ok(office, "submit", big, now=at(5, 10))
    ok(office, "submit", rid, now=at(5, 11))
    refused(office, "publish", rid, now=at(5, 12), expect="publish needs a record that is approved")
    decided(office, big)
    refused(office, "publish", big, now=at(6), expect="is decided")


def test_publishing_after_a_manual_edit_of_approved_content_is_refused(office: Office):
    rid = submitted(office)
    ok(office, "approve", rid, as_="zhoulx", now=at(6))
    path = edit_record(office, rid, lambda d: d.update(body="审核后偷偷改的正文。"))
    bad = commit_as(office.root, "dumy", "small fix", path, date=at(6, 11))
    refused(office, "publish", rid, now=at(7), expect="is not what was approved")
    result = audit(office)
    assert result.exit_code == 1
    assert flagged(result.stdout, bad, rid, "manual-edit", who("dumy")), result.output


def _approved_plan(office: Office, *extra: str) -> str:
    """A pre-disclosure drafted on 10-01 and approved on 10-02, ready to go out for comment."""
    rid = office.new(
        "--pre-disclosure",
        "--body",
        "初步方案。",
        *extra,
        category="zhidu-jianshe",
        item="integrity-rules",
        title="机关廉洁自律若干规定",
        now=at(1),
    )
    ok(office, "submit", rid, now=at(1, 11))
    ok(office, "approve", rid, as_="zhoulx", now=at(2))
    return rid


def test_a_pre_disclosure_formal_plan_waits_for_the_window_to_close(office: Office):
    rid = _approved_plan(office, "--summary", "征求意见稿")
    result = ok(office, "publish", rid, now=at(5))  # day 0 of the window
    assert "approved 已审核 → consulting 征求意见中" in result.stdout
    assert "until 2026-10-19" in result.stdout
    first = office.head()
    preliminary = data(office, rid)
    assert preliminary["status"] == "consulting"
    assert preliminary["consultation"]["closes"] == "2026-10-19"
    refused(office, "publish", rid, now=at(6), expect="is consulting")
    ok(office, "set", rid, "body=正式方案。", now=at(8))  # the formal plan, in the window
    assert status(office, rid) == "consulting"
    ok(office, "submit", rid, now=at(9))
    assert "revised from the preliminary plan" in body(office)
    ok(office, "approve", rid, as_="sunhm", now=at(10))
    refused(
        office,
        "publish",
        rid,
        now=at(19, 17),  # day 14
        expect="open until 2026-10-19",
    )
    result = ok(office, "publish", rid, now=at(20, 9))  # day 15
    assert "approved 已审核 → published 已公开" in result.stdout
    record = data(office, rid)
    assert record["status"] == "published"
    assert record["consultation"] == {
        "by": "dumy",
        "at": at(5),
        "channels": ["public-board", "website"],
        "content": preliminary["approval"]["content"],
        "closes": "2026-10-19",
    }
    assert record["publication"] == {
        "by": "dumy",
        "at": at(20, 9),
        "channels": ["public-board", "website"],
        "content": content_hash(record),
    }
    assert record["publication"]["content"] != record["consultation"]["content"]
    assert record["approval"]["by"] == "sunhm"
    log = json.loads(ok(office, "log", rid, "--json").stdout)
    publications = [(e["commit"], e["before"], e["after"]) for e in log if e["step"] == "publish"]
    assert publications == [
        (first, "approved", "consulting"),
        (office.head(), "approved", "published"),
    ]
    assert audit(office).exit_code == 0


def test_the_office_may_keep_the_comment_window_open_longer(office: Office):
    rid = _approved_plan(office)
    result = ok(office, "publish", rid, "--closes", "2026-10-31", now=at(5))
    assert "until 2026-10-31" in result.stdout
    assert data(office, rid)["consultation"]["closes"] == "2026-10-31"
    ok(office, "set", rid, "body=正式方案。", now=at(8))
    ok(office, "submit", rid, now=at(9))
    ok(office, "approve", rid, as_="sunhm", now=at(10))
    # past the office's 15 days, but not past the day the plan announced
    refused(office, "publish", rid, now=at(20, 9), expect="open until 2026-10-31")
    ok(office, "publish", rid, now=at(1, 9, month=11))
    assert status(office, rid) == "published"
    assert audit(office).exit_code == 0


@pytest.mark.parametrize(
    ("closes", "expect"),
    [
        ("2026-10-18", "at least 15 days: until 2026-10-19 or later, not 2026-10-18"),
        ("2026-10-04", "until 2026-10-19 or later"),
    ],
)
def test_the_comment_window_cannot_be_shorter_than_the_office_minimum(
    office: Office, closes: str, expect: str
):
    rid = _approved_plan(office)
    refused(office, "publish", rid, "--closes", closes, now=at(5), expect=expect)


def test_closes_is_refused_where_there_is_no_window_to_open(office: Office):
    rid = office.new(
        "--summary",
        "摘要",
        category="zhidu-jianshe",
        item="integrity-rules",
        title="廉洁规定",
        now=at(1),
    )
    ok(office, "submit", rid, now=at(1, 11))
    ok(office, "approve", rid, as_="zhoulx", now=at(2))
    refused(office, "publish", rid, "--closes", "2026-10-31", now=at(5), expect="--closes is for")


def test_closes_must_be_a_date(office: Office):
    rid = _approved_plan(office)
    before = office.state()
    result = office.run("publish", rid, "--closes", "10月31日", now=at(5))
    assert result.exit_code == 2, result.output
    assert "--closes: '10月31日' is not a real date" in result.output
    assert office.state() == before


def test_the_formal_plan_of_a_major_pre_disclosure_needs_a_new_decision(office: Office):
    rid = office.new(
        *MAJOR, "--pre-disclosure", item="section-appointments", title="干部任用", now=at(1)
    )
    ok(office, "submit", rid, now=at(1, 11))
    decided(office, rid, now=at(2))
    ok(office, "approve", rid, as_="hanzg", now=at(2, 11))
    ok(office, "publish", rid, now=at(3))
    ok(office, "submit", rid, now=at(4))
    refused(office, "approve", rid, as_="hanzg", now=at(5), expect="must decide on it first")
    decided(office, rid, now=at(6))
    ok(office, "approve", rid, as_="hanzg", now=at(6, 11))
    ok(office, "publish", rid, now=at(18))
    assert audit(office).exit_code == 0


# --- edits after approval, reject, withdraw ------------------------------------------------


FAKE_EDITOR = textwrap.dedent("""\
    import os, sys
    path = sys.argv[1]
    text = open(path, encoding="utf-8").read()
    old, new = os.environ["EDIT_OLD"], os.environ["EDIT_NEW"]
    open(path, "w", encoding="utf-8").write(text.replace(old, new))
    """)


@pytest.fixture
def editor(tmp_path: Path):
    script = tmp_path / "fake_editor.py"
    script.write_text(FAKE_EDITOR, "utf-8")

    def env(old: str, new: str) -> dict[str, str]:
        return {"EDITOR": f"{sys.executable} {script}", "EDIT_OLD": old, "EDIT_NEW": new}

    return env


def test_an_edit_after_approval_voids_it(office: Office, editor):
    rid = submitted(office)
    ok(office, "approve", rid, as_="zhoulx", now=at(6))
    result = ok(office, "set", rid, "summary=新的摘要", now=at(6, 11))
    assert "the approval by 周立新 (zhoulx) is void" in result.output
    assert status(office, rid) == "submitted"
    t = trailers(office)
    assert (t["Dangwu-Step"], t["Dangwu-From"], t["Dangwu-To"]) == ("set", "approved", "submitted")
    assert "the approval by 周立新 (zhoulx) is void: the content changed" in body(office)
    refused(office, "publish", rid, now=at(7), expect="is submitted")
    ok(office, "approve", rid, as_="sunhm", now=at(7))
    result = ok(office, "edit", rid, now=at(7, 11), env=editor("正文。", "正文，改过。"))
    assert status(office, rid) == "submitted"
    t = trailers(office)
    assert (t["Dangwu-Step"], t["Dangwu-From"], t["Dangwu-To"]) == ("edit", "approved", "submitted")
    assert "the approval by 孙慧敏 (sunhm) is void" in body(office)
    assert audit(office).exit_code == 0


def test_an_edit_after_approval_of_a_decided_major_record_falls_back_to_decided(office: Office):
    rid = major(office)
    ok(office, "submit", rid, now=at(5, 10))
    decided(office, rid)
    ok(office, "approve", rid, as_="hanzg", now=at(6))
    ok(office, "set", rid, "summary=改过", now=at(6, 11))
    assert status(office, rid) == "decided"
    t = trailers(office)
    assert (t["Dangwu-From"], t["Dangwu-To"]) == ("approved", "decided")
    assert "the approval by 韩振国 (hanzg) is void" in body(office)
    refused(office, "publish", rid, now=at(7), expect="is decided")
    ok(office, "approve", rid, as_="hanzg", now=at(7, 11))
    ok(office, "publish", rid, now=at(8))
    assert audit(office).exit_code == 0


def test_published_records_are_never_edited(office: Office, editor):
    rid = submitted(office)
    ok(office, "approve", rid, as_="zhoulx", now=at(6))
    ok(office, "publish", rid, now=at(7))
    refused(office, "set", rid, "summary=改", now=at(8), expect="never edited in place")
    refused(office, "edit", rid, now=at(8), env=editor("正文。", "改"), expect="never edited")
    refused(office, "submit", rid, now=at(8), expect="is published")


@pytest.mark.parametrize("state", ["submitted", "approved"])
def test_reject_sends_the_record_back_to_draft_with_its_reason(office: Office, state: str):
    rid = submitted(office)
    if state == "approved":
        ok(office, "approve", rid, as_="zhoulx", now=at(6))
    refused(office, "reject", rid, "--reason", "x", as_="dumy", now=at(7), expect="may not send")
    refused(office, "reject", rid, "--reason", "  ", as_="sunhm", now=at(7), expect="say why")
    result = ok(office, "reject", rid, "--reason", "请补充各支部数据", as_="sunhm", now=at(7))
    assert f"{state} " in result.stdout and "→ draft" in result.stdout
    assert status(office, rid) == "draft"
    assert data(office, rid)["rejection"] == {
        "by": "sunhm",
        "at": at(7),
        "reason": "请补充各支部数据",
    }
    assert "请补充各支部数据" in body(office)
    t = trailers(office)
    assert (t["Dangwu-Step"], t["Dangwu-From"], t["Dangwu-To"]) == ("reject", state, "draft")
    refused(office, "reject", rid, "--reason", "再退", as_="sunhm", now=at(8), expect="is draft")
    ok(office, "set", rid, "body=补充后的正文。", now=at(8))
    ok(office, "submit", rid, now=at(8, 11))
    ok(office, "approve", rid, as_="zhoulx", now=at(9))
    assert audit(office).exit_code == 0


def test_withdraw_only_by_the_group_and_only_when_out(office: Office):
    rid = submitted(office)
    refused(office, "withdraw", rid, "--reason", "x", as_="hanzg", now=at(6), expect="is submitted")
    ok(office, "approve", rid, as_="zhoulx", now=at(6))
    refused(office, "withdraw", rid, "--reason", "x", as_="hanzg", now=at(6), expect="is approved")
    ok(office, "publish", rid, now=at(7))
    for key in ("dumy", "linht", "hexy", "chensh"):
        refused(
            office, "withdraw", rid, "--reason", "x", as_=key, now=at(8), expect="may not withdraw"
        )
    refused(office, "withdraw", rid, "--reason", " ", as_="sunhm", now=at(8), expect="say why")
    ok(office, "withdraw", rid, "--reason", "数据有误", as_="sunhm", now=at(8))
    assert status(office, rid) == "withdrawn"
    refused(office, "withdraw", rid, "--reason", "x", as_="hanzg", now=at(9), expect="withdrawn")
    refused(office, "set", rid, "summary=改", now=at(9), expect="can no longer change")


def test_a_preliminary_plan_may_be_withdrawn_by_the_leader(office: Office):
    rid = office.new(
        "--pre-disclosure",
        "--summary",
        "征求意见稿",
        "--body",
        "初步方案。",
        category="zhidu-jianshe",
        item="integrity-rules",
        title="规定",
        now=at(1),
    )
    ok(office, "submit", rid, now=at(1, 11))
    ok(office, "approve", rid, as_="zhoulx", now=at(2))
    ok(office, "publish", rid, now=at(3))
    ok(office, "withdraw", rid, "--reason", "方案另议", as_="hanzg", now=at(4))
    assert trailers(office)["Dangwu-From"] == "consulting"
    assert status(office, rid) == "withdrawn"


# --- the secrecy review ----------------------------------------------------------------------


SECRET_BODY = "联系人手机13812345678，本文件属秘密。"


def public_record(office: Office, body_text: str = SECRET_BODY) -> str:
    return office.new(
        "--summary",
        "摘要",
        "--body",
        body_text,
        category="zhidu-jianshe",
        item="integrity-rules",
        title="廉洁规定",
        now=at(5, 9),
    )


def test_check_prints_findings_with_file_line_col(office: Office):
    rid = public_record(office)
    before = office.state()
    result = office.run("check", rid)
    assert result.exit_code == 1, result.output
    path = relpath(office, rid)
    lines = result.stdout.splitlines()
    assert any(re.match(rf"{path}:\d+:\d+: .*mobile.*138\*\*\*\*5678", line) for line in lines)
    assert any(re.match(rf"{path}:\d+:\d+: .*'秘密'", line) for line in lines)
    assert "13812345678" not in result.output
    report = json.loads(office.run("check", rid, "--json").stdout)
    assert {f["kind"] for f in report} == {"mobile", "classification"}
    line = next(i for i, text in enumerate(office.read(path).splitlines(), 1) if "秘密" in text)
    assert {f["line"] for f in report} == {line}
    assert office.state() == before
    clean = public_record(office, "干净的正文。")
    result = office.run("check", clean)
    assert result.exit_code == 0, result.output
    assert "found nothing" in result.stdout


def test_a_text_attachment_is_reviewed_as_the_records_own_words(office: Office):
    """It goes out whole with the record: what it holds is found, placed at its line in
    the record and named; a PDF the review cannot read is named for the approver."""
    office.write("files/说明.txt", "情况说明\n联系人手机13812345678。\n")
    (office.root / "files" / "全文.pdf").write_bytes(b"%PDF-1.4\n\x00\x01\x02 13812345678")
    office.git("add", "files")
    commit_as(office.root, "dumy", "files", "files", date=at(5, 8))
    rid = office.new(
        "--summary", "摘要", "--body", "见附件。", "--attach", "files/说明.txt",
        "--attach", "files/全文.pdf", category="zhidu-jianshe", item="integrity-rules",
        title="廉洁规定", now=at(5, 9),
    )  # fmt: skip
    path = relpath(office, rid)
    line = next(n for n, t in enumerate(office.read(path).splitlines(), 1) if "说明.txt" in t)
    result = office.run("check", rid)
    assert result.exit_code == 1, result.output
    found = [t for t in result.stdout.splitlines() if "files/说明.txt line 2:" in t]
    assert len(found) == 1 and found[0].startswith(f"{path}:{line}:"), result.stdout
    assert "13812345678" not in result.output
    unread = [t for t in result.stdout.splitlines() if "files/全文.pdf: a damaged PDF" in t]
    assert len(unread) == 1 and "--override" in unread[0], result.stdout
    # in the encodings Chinese offices write, a stray NUL before it, or naming an
    # internal record: read all the same
    inner = office.new(
        "--summary", "内部。", "--scope", "internal", "--channel", "internal-board",
        category="zhidu-jianshe", item="integrity-rules", title="内部", now=at(5, 9),
    )  # fmt: skip
    written = {
        "gbk.txt": "手机13812345678".encode("gbk"),
        "utf16.txt": "手机13812345678".encode("utf-16"),
        "nul.txt": b"x\x00\n" + "手机13812345678".encode(),
        "id.txt": f"详见{inner}".encode(),
        # short lines: a text full of line breaks is text all the same
        "rows.csv": ("编号,号码\n" + "1,2\n" * 300 + "9,13812345678\n").encode(),
    }
    for file, content in written.items():
        (office.root / "files" / file).write_bytes(content)
    commit_as(office.root, "dumy", "more", "files", date=at(5, 9))
    more = ",".join(f"files/{f}" for f in written)
    assert office.run("set", rid, f"attachments+={more}", now=at(5, 9)).exit_code == 0
    seen = office.run("check", rid).stdout
    for file in written:
        assert f"files/{file} line" in seen, (file, seen)
    assert f"names {inner}," in seen
    # a text file is read whatever its name says
    office.write("files/记录.LOG", "备注：联系人手机13812345678\n")
    commit_as(office.root, "dumy", "log", "files", date=at(5, 9))
    said = office.run("set", rid, "attachments+=files/记录.LOG", now=at(5, 9))
    assert said.exit_code == 0, said.output
    assert "files/记录.LOG line 1:" in office.run("check", rid).stdout
    # nothing outside the office is read, by a link or otherwise
    outside = office.root.parent / "outside.txt"
    outside.write_text("手机13812345678\n", "utf-8")
    (office.root / "files" / "link.txt").symlink_to(outside)
    commit_as(office.root, "dumy", "link", "files", date=at(5, 9))
    path_text = office.read(path)
    office.write(path, path_text.replace("files/记录.LOG", "files/记录.LOG, files/link.txt"))
    commit_as(office.root, "dumy", "attach the link", "records", date=at(5, 9))
    said = office.run("submit", rid, now=at(5, 10))  # reviews, then finds it invalid
    assert said.exit_code == 1 and "outside the office repository" in said.output
    assert "files/link.txt line" not in said.output
    office.write(path, path_text)
    commit_as(office.root, "dumy", "no link", "records", date=at(5, 9))
    # a public record's findings need the approver's reason, as its own words would
    ok(office, "submit", rid, now=at(5, 10))
    refused = office.run("approve", rid, as_="zhoulx", now=at(5, 11))
    assert refused.exit_code == 1 and "--override" in refused.output


def test_word_and_pdf_attachments_are_read_and_what_is_not_is_the_approvers(
    office: Office, tmp_path: Path
):
    """A public record's Word file and PDF go out whole: their words are reviewed as
    the record's are, a finding named by its page; a scanned page or a picture the
    review cannot read stops the approval until the approver says they read it."""
    import docx
    import segno
    import typst

    word = docx.Document()
    word.add_paragraph("附件正文")
    word.core_properties.author = "赵建国"  # the sample reporter, in the file's properties
    word.save(office.root / "files.docx")
    code = tmp_path / "scan.png"
    segno.make("x").save(code, kind="png", scale=4)
    main = tmp_path / "main.typ"
    main.write_text(
        '#set text(font: "Noto Serif CJK SC")\n第一页\n#pagebreak()\n第二页：手机13812345678'
        '\n#pagebreak()\n#image("scan.png")\n',
        "utf-8",
    )
    (office.root / "全文.pdf").write_bytes(typst.compile(str(main)))
    office.git("add", "files.docx", "全文.pdf")
    commit_as(office.root, "dumy", "files", "files.docx", "全文.pdf", date=at(5, 8))
    rid = office.new(
        "--summary", "摘要", "--body", "见附件。", "--attach", "files.docx",
        "--attach", "全文.pdf", category="zhidu-jianshe", item="integrity-rules",
        title="廉洁规定", now=at(5, 9),
    )  # fmt: skip
    ok(office, "report", "new", "--about", rid, "--name", "赵建国", "--contact", "13900001111",
       "--text", "反映情况", now=at(5, 9))  # fmt: skip
    path = relpath(office, rid)
    seen = office.run("check", rid)
    assert seen.exit_code == 1, seen.output
    lines = seen.stdout.splitlines()
    beside = "files.docx beside its text (headers, comments, properties): "
    assert any(t.startswith(f"{path}:") and beside in t for t in lines), lines
    assert any("全文.pdf page 2: " in t and "138****5678" in t for t in lines), lines
    unread = [t for t in lines if "全文.pdf: " in t]
    assert len(unread) == 1 and "page 3 holds no text" in unread[0], lines
    assert "1 picture" in unread[0] and "赵建国" not in seen.output
    kinds = {f["kind"] for f in json.loads(office.run("check", rid, "--json").stdout)}
    assert kinds == {"reporter", "mobile", "attachment-unread"}
    ok(office, "submit", rid, now=at(5, 10))
    before = office.state()
    refused = office.run("approve", rid, as_="zhoulx", now=at(5, 11))
    assert refused.exit_code == 1 and "--override" in refused.output
    assert office.state() == before
    reason = "附件已逐页人工审查，扫描页无敏感信息"
    ok(office, "approve", rid, "--override", reason, as_="zhoulx", now=at(5, 11))
    approval = load(office, rid)["approval"]
    assert {o["reason"] for o in approval["overrides"]} == {reason}
    overridden = [o["finding"] for o in approval["overrides"]]
    assert any(f.startswith("attachment-unread ") and "全文.pdf" in f for f in overridden)
    # the same files on an internal record: read for what no reason may print, but
    # what cannot be read is no finding (it goes to no public)
    inner = office.new(
        "--summary", "内部。", "--scope", "internal", "--channel", "internal-board",
        "--attach", "全文.pdf", category="zhidu-jianshe", item="integrity-rules",
        title="廉洁规定（党内）", now=at(5, 12),
    )  # fmt: skip
    said = office.run("check", inner, "--json")
    assert {f["kind"] for f in json.loads(said.stdout)} == {"mobile"}, said.stdout
    # but a reporter inside an attached file goes out as it is, on the intranet too:
    # no output can blot it, so it stops an internal record's approval as well
    ok(office, "set", inner, "attachments+=files.docx", now=at(5, 12))
    ok(office, "submit", inner, now=at(5, 12))
    refused = office.run("approve", inner, as_="zhoulx", now=at(5, 13))
    assert refused.exit_code == 1 and "names a real-name reporter" in refused.output
    reason = "已与举报人确认可内部传阅"
    ok(office, "approve", inner, "--override", reason, as_="zhoulx", now=at(5, 13))


def guarded_server(office: Office) -> Path:
    """A bare repository beside the office, its hook installed (the server's audit)."""
    bare = office.root.parent / "server.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    ok(office, "hook", "install", "--lang", "en", str(bare))
    return bare


def assert_push_refused(office: Office, bare: Path, rule: str) -> None:
    pushed = subprocess.run(
        ["git", "-C", str(office.root), "push", str(bare), "HEAD:refs/heads/main"],
        capture_output=True,
        text=True,
    )
    assert pushed.returncode != 0 and f"[{rule}]" in pushed.stderr, pushed.stderr


def submitted_with_attachment(office: Office) -> str:
    """A public record with a committed text file attached, submitted."""
    office.write("files/说明.txt", "情况说明。\n")
    commit_as(office.root, "dumy", "files", "files", date=at(5, 8))
    rid = office.new(
        "--summary", "摘要", "--body", "见附件。", "--attach", "files/说明.txt",
        category="zhidu-jianshe", item="integrity-rules", title="廉洁规定", now=at(5, 9),
    )  # fmt: skip
    ok(office, "submit", rid, now=at(5, 10))
    return rid


def test_the_attachment_approved_is_the_one_published(office: Office):
    """The approval stamps each attached file's blob: a file on disk that is not what
    was committed cannot be approved, and a file changed after the approval cannot be
    published until the approved one is back."""
    rid = submitted_with_attachment(office)
    # reviewed on disk, but not what was committed: what would go out is not what was read
    office.write("files/说明.txt", "情况说明（改）。\n")
    before = office.state()
    said = office.run("approve", rid, as_="zhoulx", now=at(5, 11))
    assert said.exit_code == 1 and "files/说明.txt is not committed as it is on disk" in (
        said.output
    ), said.output
    assert "git add -- files/说明.txt" in said.output and office.state() == before
    office.git("checkout", "--", "files/说明.txt")
    ok(office, "approve", rid, as_="zhoulx", now=at(5, 11))
    approved = load(office, rid)["approval"]["attachments"]
    blob = office.git("rev-parse", "HEAD:files/说明.txt")
    assert dict(approved) == {"files/说明.txt": blob}
    # the clerk swaps the file with plain git after the approval
    office.write("files/说明.txt", "换过的附件：联系人手机13812345678。\n")
    commit_as(office.root, "dumy", "swap", "files", date=at(5, 12))
    before = office.state()
    said = office.run("publish", rid, now=at(5, 13))
    assert said.exit_code == 1, said.output
    assert "files/说明.txt, attached to" in said.output and "not the file that was approved" in (
        said.output
    )
    assert f"git show {blob[:10]} > files/说明.txt" in said.output
    assert office.state() == before
    # approving and stamping it is in order; the swap is not yet anything out
    assert office.run("audit").exit_code == 0
    # the approved file put back as the hint says: it goes out
    (office.root / "files/说明.txt").write_bytes(
        subprocess.run(
            ["git", "-C", str(office.root), "show", blob[:10]], capture_output=True, check=True
        ).stdout
    )
    commit_as(office.root, "dumy", "back", "files", date=at(5, 13))
    ok(office, "publish", rid, now=at(5, 14))
    assert office.run("audit").exit_code == 0
    # once out, a swap with plain git is what the inspector sees, and what the office's
    # server refuses (its hook audits the pushed range from where the server stood)
    bare = guarded_server(office)
    office.git("push", "-q", str(bare), "HEAD:refs/heads/main")
    office.write("files/说明.txt", "又换了一次。\n")
    swap = commit_as(office.root, "dumy", "swap again", "files", date=at(5, 15))
    audit = office.run("audit")
    assert audit.exit_code == 1 and swap[:7] in audit.stdout, audit.output
    assert "files/说明.txt went out with" in audit.stdout
    assert_push_refused(office, bare, "attachment-changed")


def test_a_step_refuses_facts_written_by_hand(office: Office):
    """A clerk with plain git makes the file fit: swaps an approved attachment and
    stamps the new blob into the approval, changes the content and the approval's
    hash to match, or moves a status on. Each step reads the facts as dangwu's last
    step wrote them and refuses, naming the facts, before anything is written."""
    rid = submitted_with_attachment(office)
    ok(office, "approve", rid, as_="zhoulx", now=at(5, 11))
    approved = office.git("rev-parse", "HEAD")
    # 1. the file swapped, and the stamp made to fit it
    office.write("files/说明.txt", "换过的附件：联系人手机13812345678。\n")
    commit_as(office.root, "dumy", "swap", "files", date=at(5, 12))
    swapped = office.git("rev-parse", "HEAD:files/说明.txt")
    edit_record(
        office, rid, lambda d: d["approval"]["attachments"].update({"files/说明.txt": swapped})
    )
    commit_as(office.root, "dumy", "fit the stamp", "records", date=at(5, 12))
    fitted = office.git("rev-parse", "--short", "HEAD")
    said = refused(office, "publish", rid, now=at(5, 13), expect="(approval) were changed")
    assert f"the procedure facts of {rid} (approval) were changed outside dangwu" in said.stderr
    # one commit named: the fitting one, not the swap of the file
    assert f"drop it: git rebase --onto {fitted}^ {fitted};" in said.stderr
    assert f"take it back: git revert {fitted}\n" in said.stderr
    office.git("reset", "-q", "--hard", approved)
    # not committed yet: said as such
    edit_record(office, rid, lambda d: put(d, "status", "submitted"))
    refused(office, "publish", rid, now=at(5, 13), expect="has uncommitted changes")
    office.git("checkout", "--", relpath(office, rid))

    # 2. the content changed, and the approval's hash with it
    def rewrite(d):
        d["body"] = "见附件。另：联系人手机13812345678。"
        d["approval"]["content"] = content_hash(d)

    edit_record(office, rid, rewrite)
    commit_as(office.root, "dumy", "body", "records", date=at(5, 12))
    refused(office, "publish", rid, now=at(5, 13), expect="(approval) were changed outside dangwu")
    office.git("reset", "-q", "--hard", approved)
    # 3. a record that never went to the group, moved on to approved with a copied
    # approval; and a status set back by hand to let a step run again
    other = office.new(
        "--summary", "摘要", "--body", "正文。", category="zhidu-jianshe",
        item="integrity-rules", title="另一规定", now=at(5, 11),
    )  # fmt: skip
    # content changed by hand is the office's to do: the steps go on
    edit_record(office, other, lambda d: put(d, "body", "正文（改）。"))
    commit_as(office.root, "dumy", "body", "records", date=at(5, 11))
    ok(office, "submit", other, now=at(5, 11))
    stamp = load(office, rid)["approval"]
    edit_record(office, other, lambda d: (put(d, "status", "approved"), put(d, "approval", stamp)))
    commit_as(office.root, "dumy", "approved", "records", date=at(5, 12))
    said = refused(office, "publish", other, now=at(5, 13), expect="were changed outside")
    assert "(approval, status)" in said.stderr
    edit_record(office, rid, lambda d: put(d, "status", "submitted"))
    commit_as(office.root, "dumy", "again", "records", date=at(5, 12))
    refused(office, "approve", rid, as_="sunhm", now=at(5, 13), expect="(status) were changed")
    office.git("reset", "-q", "--hard", approved)
    ok(office, "publish", rid, now=at(5, 13))
    assert office.run("audit").exit_code == 0


def test_facts_hidden_behind_a_line_break_an_editor_does_not_show_are_found(office: Office):
    """YAML breaks lines at a lone CR (and NEL, LS, PS) that an editor may not show: a
    clerk hides a comment window already closed behind one in the summary, so that
    the first publication of a pre-disclosure goes straight to published. validate
    names the character, the step refuses, and the audit names the commit."""
    rid = office.new(
        "--pre-disclosure", "--summary", "短", "--body", "初步方案。",
        category="zhidu-jianshe", item="integrity-rules", title="窗口期规定", now=at(5, 9),
    )  # fmt: skip
    ok(office, "submit", rid, now=at(5, 10))
    ok(office, "approve", rid, as_="zhoulx", now=at(5, 11))
    path = relpath(office, rid)
    content = load(office, rid)["approval"]["content"]
    hidden = "\r".join(
        ["summary: 短", "consultation:", "  by: dumy", "  at: '2026-09-01T09:00:00+08:00'",
         "  channels: [public-board]", f"  content: {content}", "  closes: '2026-09-20'"]
    )  # fmt: skip
    office.write(path, office.read(path).replace("summary: 短", hidden, 1))
    planted = commit_as(office.root, "dumy", "tidy summary", "records", date=at(5, 12))
    said = office.run("validate")
    assert said.exit_code == 1 and "U+000D CARRIAGE RETURN that editors may not show" in (
        said.output
    ), said.output
    assert f"{path}:" in said.output
    refused(office, "publish", rid, now=at(5, 13), expect="(consultation) were changed outside")
    audit = office.run("audit")
    assert audit.exit_code == 1
    assert flagged(audit.stdout, planted, rid, "tool-fields", who("dumy")), audit.output


def test_an_attachment_that_is_a_link_within_the_office_is_refused(office: Office):
    """git keeps a symbolic link's own text: the review would read the file it points
    to, while the stamp, the site and the archive would carry the link. Refused."""
    office.write("files/real.txt", "情况说明。\n")
    (office.root / "files" / "link.txt").symlink_to("real.txt")
    commit_as(office.root, "dumy", "files", "files", date=at(5, 8))
    before = office.state()
    said = office.run(
        "new", "zhidu-jianshe", "--item", "integrity-rules", "--title", "廉洁规定",
        "--summary", "摘要", "--attach", "files/link.txt", now=at(5, 9),
    )  # fmt: skip
    assert said.exit_code == 1, said.output
    assert "'files/link.txt' is a symbolic link: what would go out is the link" in said.output
    assert "Traceback" not in said.output and office.state() == before


def test_a_step_trailer_spelled_in_another_case_is_no_step(office: Office):
    """git matches trailer keys in any case; dangwu reads its own exactly, as the
    audit does: a plain commit saying 'dangwu-step: approve' is no approval."""
    rid = office.new(
        "--summary", "摘要", "--body", "正文。", category="zhidu-jianshe",
        item="integrity-rules", title="廉洁规定", now=at(5, 9),
    )  # fmt: skip
    ok(office, "submit", rid, now=at(5, 10))
    approval = facts(
        by="zhoulx", at=at(5, 11), content=content_hash(dict(load(office, rid))), signed=False
    )
    edit_record(office, rid, lambda d: (put(d, "status", "approved"), put(d, "approval", approval)))
    message = f"approve: {rid} 廉洁规定\n\ndangwu-step: approve\ndangwu-record: {rid}"
    commit_as(office.root, "dumy", message, "records", date=at(5, 11))
    refused(office, "publish", rid, now=at(5, 12), expect="(approval, status) were changed")


def test_a_file_swapped_before_a_publication_written_by_hand_is_found(office: Office):
    """The clerk swaps an approved file while the record waits, then writes the
    publish step by hand, trailers and all (dangwu publish would refuse): the audit
    reads the file the step sent out, and so does the server's hook, which audits a
    push from where the server stood (the swap was pushed earlier, in order then)."""
    rid = submitted_with_attachment(office)
    ok(office, "approve", rid, as_="zhoulx", now=at(5, 11))
    bare = guarded_server(office)
    office.write("files/说明.txt", "换过的附件。\n")
    commit_as(office.root, "dumy", "swap", "files", date=at(5, 12))
    office.git("push", "-q", str(bare), "HEAD:refs/heads/main")  # nothing out yet: in order

    def publish(data) -> None:
        put(data, "status", "published")
        channels = list(data["channels"])
        put(data, "publication", facts(by="dumy", at=at(5, 13), channels=channels,
                                       content=content_hash(dict(data))))  # fmt: skip

    forged = forge_step(office, "dumy", "publish", rid, publish, date=at(5, 13))
    audit = office.run("audit")
    assert audit.exit_code == 1, audit.output
    assert flagged(audit.stdout, forged, rid, "attachment-changed", who("dumy")), audit.output
    assert_push_refused(office, bare, "attachment-changed")


def test_a_merge_bringing_in_a_swapped_attachment_is_found(office: Office):
    """Where the office allows merges: a branch changed the file while the record
    waited (in order there), the record went out on the main line, then the branch
    was merged in. The merge changes what went out, and the audit says so."""
    edit_settings(office, lambda d: d["rules"].__setitem__("allow_merges", True))
    commit_as(office.root, "linht", "rules: merges allowed", "dangwu.yaml", date=at(5, 7))
    rid = submitted_with_attachment(office)
    ok(office, "approve", rid, as_="zhoulx", now=at(5, 11))
    office.git("checkout", "-q", "-b", "side")
    office.write("files/说明.txt", "换过的附件。\n")
    commit_as(office.root, "dumy", "swap", "files", date=at(5, 12))
    office.git("checkout", "-q", "main")
    ok(office, "publish", rid, now=at(5, 13))
    assert office.run("audit").exit_code == 0
    name, email = PEOPLE["dumy"]
    env = {"GIT_AUTHOR_DATE": at(5, 14), "GIT_COMMITTER_DATE": at(5, 14)}
    for role in ("AUTHOR", "COMMITTER"):
        env |= {f"GIT_{role}_NAME": name, f"GIT_{role}_EMAIL": email}
    office.git("merge", "-q", "--no-edit", "side", env=env)
    merged = office.git("rev-parse", "HEAD")
    audit = office.run("audit")
    assert audit.exit_code == 1, audit.output
    # the merge itself is named (the side's own commit may be too: the audit replays
    # the two lines one after the other, so it can meet the swap after the publication)
    assert f"{merged[:10]} {rid} [attachment-changed]" in audit.stdout, audit.output


def test_an_attachment_checked_out_with_windows_line_endings_is_as_committed(office: Office):
    """Git for Windows checks text files out with CRLF (core.autocrlf): the file on
    disk is what was committed, as git sees it, and the approval goes ahead."""
    office.write("files/说明.txt", "情况说明。\n第二行。\n")
    commit_as(office.root, "dumy", "files", "files", date=at(5, 8))
    office.git("config", "core.autocrlf", "true")
    (office.root / "files/说明.txt").unlink()
    office.git("checkout", "--", "files/说明.txt")
    assert b"\r\n" in (office.root / "files/说明.txt").read_bytes()
    assert office.git("status", "--porcelain") == ""
    rid = office.new(
        "--summary", "摘要", "--body", "见附件。", "--attach", "files/说明.txt",
        category="zhidu-jianshe", item="integrity-rules", title="廉洁规定", now=at(5, 9),
    )  # fmt: skip
    ok(office, "submit", rid, now=at(5, 10))
    ok(office, "approve", rid, as_="zhoulx", now=at(5, 11))


def test_a_public_record_naming_an_internal_one_is_found(office: Office):
    inner = office.new(
        "--summary", "内部情况。", "--scope", "internal", "--channel", "internal-board",
        category="zhidu-jianshe", item="integrity-rules", title="内部规定", now=at(5, 8),
    )  # fmt: skip
    rid = public_record(office, f"详见{inner}及ZD-2026-999。")
    result = office.run("check", rid)
    assert result.exit_code == 1, result.output
    named = [t for t in result.stdout.splitlines() if "not disclosed to the public" in t]
    assert len(named) == 1 and f"names {inner}," in named[0], result.stdout  # not -999
    path = relpath(office, rid)
    line = next(n for n, t in enumerate(office.read(path).splitlines(), 1) if inner in t)
    assert named[0].startswith(f"{path}:{line}:")
    # however it is written, to a reader it is the same id
    code, year, number = inner.split("-")
    wide = "".join(chr(ord(c) + 0xFEE0) for c in code)
    lookalike = code.translate(str.maketrans("ZDMXBHTOPCE", "ZDМХВНТОРСЕ"))  # Cyrillic
    forms = (
        f"{wide}－{year}－{number}", f"{code.lower()} - {year} - {number}",
        f"{code} {year} {number}", f"{code}{year}{number}", f"{code}_{year}_0{number}",
        f"{' '.join(code)}·{year}·{number}", f"{lookalike}-{year}-{number}",
    )  # fmt: skip
    for written in forms:
        other = public_record(office, f"详见{written}。")
        said = office.run("check", other)
        assert said.exit_code == 1 and f"names {inner}," in said.stdout, (written, said.output)
    # naming a public record is what a correction does: nothing to find
    plain = public_record(office, f"详见{rid}。")
    assert office.run("check", plain).exit_code == 0


def test_check_refuses_what_submit_would_refuse(office: Office):
    """A right-to-left override hidden in the body: submit refuses the record, so the
    review must not call it clean first."""
    rid = public_record(office, "正文结束。")
    path = relpath(office, rid)
    office.write(path, office.read(path).replace("正文结束。", "正文\u202e结束。"))
    before = office.state()
    result = office.run("check", rid)
    assert result.exit_code == 1, result.output
    assert re.search(rf"{path}:\d+:\d+: .*U\+202E", result.output), result.output
    assert "found nothing" not in result.output
    assert office.run("submit", rid, now=at(5, 10)).exit_code == 1
    assert office.state() == before


def test_submit_shows_the_findings_but_submits(office: Office):
    rid = public_record(office)
    result = office.run("submit", rid, now=at(5, 10))
    assert result.exit_code == 0, result.output
    assert f"{relpath(office, rid)}:" in result.output and "mobile" in result.output
    assert status(office, rid) == "submitted"
    assert "secrecy review: 2 finding(s)" in body(office)


def test_approving_a_public_record_with_findings_needs_an_override(office: Office):
    rid = public_record(office)
    ok(office, "submit", rid, now=at(5, 10))
    refused(office, "approve", rid, as_="zhoulx", now=at(6), expect="found 2 problem(s)")
    blank = "say why what the secrecy review found may go out"  # a blank reason is none
    refused(office, "approve", rid, "--override", "  ", as_="zhoulx", now=at(6), expect=blank,
            code=2)  # fmt: skip
    ok(
        office,
        "approve",
        rid,
        "--override",
        "号码为单位值班电话，经核实可以公开",
        as_="zhoulx",
        now=at(6, 11),
    )
    assert "secrecy findings overridden: 号码为单位值班电话，经核实可以公开" in body(office)
    overrides = data(office, rid)["approval"]["overrides"]
    assert len(overrides) == 2
    assert {o["reason"] for o in overrides} == {"号码为单位值班电话，经核实可以公开"}
    assert any("mobile" in o["finding"] for o in overrides)
    assert any("秘密" in o["finding"] for o in overrides)
    assert audit(office).exit_code == 0


def test_an_internal_record_with_findings_may_be_approved(office: Office):
    rid = office.new("--summary", "摘要", "--body", SECRET_BODY, now=at(5, 9))
    ok(office, "submit", rid, now=at(5, 10))
    ok(office, "approve", rid, as_="zhoulx", now=at(6))
    assert "overrides" not in data(office, rid)["approval"]


# --- signing ---------------------------------------------------------------------------------


@pytest.fixture
def keys(office: Office, tmp_path: Path) -> Path:
    folder = tmp_path / "keys"
    for key in ("hanzg", "zhoulx", "dumy"):
        keygen(folder, key)
    give_signing_keys(office, {k: folder / k for k in ("hanzg", "zhoulx", "dumy")}, date=at(1))
    return folder


def test_a_signed_approval(office: Office, keys: Path):
    rid = submitted(office)
    result = ok(
        office, "approve", rid, "--sign", as_="zhoulx", now=at(6), env=sign_env(keys / "zhoulx")
    )
    assert "signed with your key" in result.stdout
    assert data(office, rid)["approval"]["signed"] is True
    assert "-----BEGIN SSH SIGNATURE-----" in office.git("cat-file", "commit", "HEAD")
    entries = json.loads(ok(office, "log", rid, "--json").stdout)
    assert [e["signature"] for e in entries] == ["none", "none", "good"]
    assert audit(office).exit_code == 0


def test_a_signed_step_reads_who_acts_and_their_key_in_one_git_config(
    office: Office, keys: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """A person at their own terminal: git's config names them and their key. The
    step reads both with one git process, refuses as before while no key is set up,
    and signs with the key once it is."""
    rid = submitted(office)
    office.git("config", "user.name", "周立新")
    office.git("config", "user.email", "zhoulx@example.org")
    refused(office, "approve", rid, "--sign", as_=None, now=at(6), expect="no signing key set up")
    office.git("config", "gpg.format", "ssh")
    office.git("config", "user.signingkey", str(keys / "zhoulx"))
    trace = tmp_path / "trace"
    monkeypatch.setenv("GIT_TRACE", str(trace))
    result = ok(office, "approve", rid, "--sign", as_=None, now=at(6, 11))
    monkeypatch.delenv("GIT_TRACE")
    assert "signed with your key" in result.stdout
    lines = trace.read_text("utf-8").splitlines()
    assert len([line for line in lines if "trace: built-in: git config" in line]) == 1
    assert data(office, rid)["approval"]["signed"] is True
    assert audit(office).exit_code == 0


def test_signing_with_someone_elses_key_is_refused_and_audit_flags_a_forgery(
    office: Office, keys: Path
):
    rid = submitted(office)
    refused(
        office,
        "approve",
        rid,
        "--sign",
        as_="zhoulx",
        now=at(6),
        env=sign_env(keys / "hanzg"),
        expect="is not the one the roster lists for 周立新",
    )

    def approve(record) -> None:
        put(record, "status", "approved")
        content = content_hash(dict(record))
        put(record, "approval", facts(by="zhoulx", at=at(6), content=content, signed=True))

    bad = forge_step(
        office, "zhoulx", "approve", rid, approve, date=at(6), sign_with=keys / "hanzg"
    )
    assert trailers(office) == {
        "Dangwu-Step": "approve",
        "Dangwu-Record": rid,
        "Dangwu-From": "submitted",
        "Dangwu-To": "approved",
        "Dangwu-Actor": "zhoulx",
        "Dangwu-Content": data(office, rid)["approval"]["content"],
    }
    result = audit(office)
    assert result.exit_code == 1
    assert flagged(result.stdout, bad, rid, "signature-not-actor", who("zhoulx")), result.output
    assert len(violations(result.stdout)) == 1
    entries = json.loads(ok(office, "log", rid, "--json").stdout)
    assert entries[-1]["commit"] == bad and entries[-1]["signature"] == "bad"


def test_unsigned_approval_where_signing_is_required(office: Office, keys: Path):
    def required(data) -> None:
        data["rules"].update(require_signing=True)
        data["roster"]["sunhm"].pop("signing_key", None)  # a member without a key

    edit_settings(office, required)
    commit_as(office.root, "linht", "approvals must be signed", "dangwu.yaml", date=at(2))
    rid = submitted(office)
    # a step the record's state does not allow says so first, key or no key
    refused(office, "publish", rid, now=at(6), expect="publish needs a record that is approved")
    refused(office, "approve", rid, as_="zhoulx", now=at(6), expect="signing key")
    refused(office, "approve", rid, as_="sunhm", now=at(6), expect="no signing key for 孙慧敏")
    # the office setting signs without --sign, with the approver's own key
    ok(office, "approve", rid, as_="zhoulx", now=at(6, 11), env=sign_env(keys / "zhoulx"))
    assert data(office, rid)["approval"]["signed"] is True
    refused(office, "publish", rid, now=at(7), expect="signing key")
    ok(office, "publish", rid, now=at(7, 11), env=sign_env(keys / "dumy"))
    entries = json.loads(ok(office, "log", rid, "--json").stdout)
    assert [e["signature"] for e in entries[-2:]] == ["good", "good"]
    assert audit(office).exit_code == 0
    # the leading group's other acts are signed too: a withdrawal in a leader's name
    # without their key is refused, and with it is signed
    refused(office, "withdraw", rid, "--reason", "有误", as_="zhoulx", now=at(8), expect="signing")
    ok(office, "withdraw", rid, "--reason", "有误", as_="zhoulx", now=at(8, 11),
       env=sign_env(keys / "zhoulx"))  # fmt: skip
    entries = json.loads(ok(office, "log", rid, "--json").stdout)
    assert entries[-1]["step"] == "withdraw" and entries[-1]["signature"] == "good"
    assert audit(office).exit_code == 0


# --- the roster as it stood ----------------------------------------------------------------


def test_an_approver_removed_from_the_roster_later_stays_valid(office: Office):
    rid = submitted(office)
    ok(office, "approve", rid, as_="zhoulx", now=at(6))
    ok(office, "publish", rid, now=at(7))
    ok(office, "roster", "remove", "zhoulx", as_="linht", now=at(8))
    assert "zhoulx" not in office.read("dangwu.yaml")
    result = audit(office)
    assert result.exit_code == 0, result.output
    # and they can no longer act
    other = submitted(office, now=at(9, 9))
    refused(office, "approve", other, as_="zhoulx", now=at(10), expect="not on the roster")


def test_log_names_a_removed_approver_as_they_were(office: Office, keys: Path):
    """Who acted and whether their stamp is good is a fact of the roster as it stood."""
    rid = submitted(office)
    ok(office, "approve", rid, "--sign", as_="zhoulx", now=at(6), env=sign_env(keys / "zhoulx"))
    before = json.loads(ok(office, "log", rid, "--json").stdout)[-1]
    assert (before["name"], before["key"], before["roles"], before["signature"]) == (
        "周立新",
        "zhoulx",
        ["member"],
        "good",
    )
    ok(office, "roster", "remove", "zhoulx", as_="linht", now=at(8))
    assert audit(office).exit_code == 0
    after = json.loads(ok(office, "log", rid, "--json").stdout)[-1]
    assert after["commit"] == before["commit"]
    assert (after["name"], after["key"], after["roles"], after["signature"]) == (
        "周立新",
        "zhoulx",
        ["member"],
        "good",
    )


def test_a_person_added_to_the_roster_later_does_not_excuse_an_earlier_act(office: Office):
    rid = office.new("--summary", "摘要", "--body", "正文。", now=at(5, 9))
    path = edit_record(office, rid, lambda d: d.update(summary="外人改的摘要"))
    bad = commit(office, "liuxm", "edit summary", path, date=at(6))
    ok(
        office,
        "roster",
        "add",
        "liuxm",
        "--name",
        "刘晓敏",
        "--email",
        "liuxm@example.org",
        "--role",
        "clerk",
        as_="linht",
        now=at(7),
    )
    result = audit(office)
    assert result.exit_code == 1
    [line] = violations(result.stdout)
    assert line.startswith(f"{bad[:10]} ") and "[not-on-roster]" in line, result.output
    assert line.endswith("(liuxm@example.org)")


# --- log and audit ---------------------------------------------------------------------------


def test_log_of_a_record(office: Office, keys: Path):
    rid = submitted(office, now=at(5, 9))
    ok(office, "approve", rid, "--sign", as_="zhoulx", now=at(6, 14), env=sign_env(keys / "zhoulx"))
    ok(office, "publish", rid, now=at(7, 8))
    result = ok(office, "log", rid)
    lines = [line for line in result.stdout.splitlines() if rid in line]
    assert len(lines) == 4
    assert lines[0].startswith("2026-10-05 09:00") and "杜明远 (clerk)" in lines[0]
    assert " new " in lines[0] and "draft" in lines[0]
    assert "draft → submitted" in lines[1]
    assert lines[2].startswith("2026-10-06 14:00") and "周立新 (member)" in lines[2]
    assert " approve " in lines[2] and "submitted → approved" in lines[2] and "good" in lines[2]
    assert "approved → published" in lines[3] and "none" in lines[3]
    entries = json.loads(ok(office, "log", rid, "--json").stdout)
    assert [e["step"] for e in entries] == ["new", "submit", "approve", "publish"]
    approve = entries[2]
    assert approve["date"] == at(6, 14)
    assert (approve["name"], approve["key"], approve["roles"]) == ("周立新", "zhoulx", ["member"])
    assert (approve["before"], approve["after"], approve["signature"]) == (
        "submitted",
        "approved",
        "good",
    )
    assert approve["record"] == rid and approve["commit"] == office.git("rev-parse", "HEAD~1")
    assert entries[0]["before"] == "none" and entries[0]["after"] == "draft"


def test_log_of_the_office(office: Office):
    rid = submitted(office)
    entries = json.loads(ok(office, "log", "--json").stdout)
    assert [e["step"] for e in entries] == ["(plain git)", "new", "submit"]
    assert entries[0]["key"] == "linht" and entries[0]["roles"] == ["office-head"]
    assert entries[-1]["record"] == rid
    limited = json.loads(ok(office, "log", "--json", "-n", "1").stdout)
    assert [e["step"] for e in limited] == ["submit"]


def test_audit_json_reports_violations(office: Office):
    rid = submitted(office)
    ok(office, "approve", rid, as_="zhoulx", now=at(6))
    path = edit_record(office, rid, lambda d: d.update(status="published"))
    bad = commit_as(office.root, "dumy", "publish by hand", path, date=at(7))
    result = office.run("audit", "--json", now=at(8))
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["head"] == bad
    assert [(v["commit"], v["record"], v["rule"], v["person"]) for v in report["violations"]] == [
        (bad, rid, "tool-fields", who("dumy"))
    ]


# --- discard -----------------------------------------------------------------------------


def test_a_draft_never_submitted_is_discarded_in_one_commit(office: Office):
    keep = office.new("--summary", "摘要", now=at(1))
    twin = office.new("--summary", "摘要", now=at(1, 11))
    before = office.commits()
    result = office.run("discard", twin, now=at(2))
    assert result.exit_code == 0, result.output
    assert f"{twin} discarded" in result.stdout
    assert not (office.root / relpath(office, keep).replace(keep, twin)).exists()
    assert (office.root / relpath(office, keep)).exists()
    assert office.commits()[1:] == before
    body = office.git("log", "-1", "--format=%an <%ae>%n%B")
    assert body.startswith("杜明远 <dumy@example.org>"), body
    assert f"Dangwu-Step: discard\nDangwu-Record: {twin}\nDangwu-From: draft\n" in body
    assert "Dangwu-To: none\nDangwu-Actor: dumy" in body
    assert office.git("status", "--porcelain") == ""
    result = audit(office)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("how", ["submitted", "sent back"])
def test_a_record_the_group_has_seen_is_not_discarded(office: Office, how: str):
    rid = office.new("--summary", "摘要", now=at(1))
    ok(office, "submit", rid, now=at(1, 11))
    if how == "sent back":
        ok(office, "reject", rid, "--reason", "请补充材料", as_="hanzg", now=at(2))
    refused(office, "discard", rid, now=at(3), expect="it stays in the record of the procedure")


def test_only_the_office_discards(office: Office):
    rid = office.new("--summary", "摘要", now=at(1))
    before = office.state()
    result = office.run("discard", rid, as_="chensh", now=at(2))
    assert result.exit_code == 1 and "may not create records" in result.stderr, result.output
    assert office.state() == before


def test_audit_flags_a_discard_made_by_hand_of_a_submitted_record(office: Office):
    rid = office.new("--summary", "摘要", now=at(1))
    ok(office, "submit", rid, now=at(1, 11))
    path = relpath(office, rid)
    (office.root / path).unlink()
    message = discard_message(rid, "2026年第三季度党费收缴管理情况", "dumy", before="submitted")
    bad = commit(office, "dumy", message, path, date=at(2))
    result = audit(office)
    assert result.exit_code == 1
    assert flagged(result.stdout, bad, rid, "discard", who("dumy")), result.output


def test_audit_flags_a_discard_that_keeps_the_record_or_hides_its_state(office: Office):
    kept = office.new("--summary", "摘要", now=at(1))
    path = relpath(office, kept)
    office.write(path, office.read(path).replace("摘要", "改过的摘要"))
    message = discard_message(kept, "标题", "dumy")
    bad = commit(office, "dumy", message, path, date=at(2))
    gone = office.new("--summary", "摘要", now=at(3))
    gone_path = relpath(office, gone)
    (office.root / gone_path).unlink()
    lie = discard_message(gone, "标题", "dumy", before="published")
    lied = commit(office, "dumy", lie, gone_path, date=at(4))
    result = audit(office)
    assert result.exit_code == 1
    assert flagged(result.stdout, bad, kept, "step-scope", who("dumy")), result.output
    assert flagged(result.stdout, lied, gone, "forged-facts", who("dumy")), result.output


def test_new_warns_of_a_second_record_of_the_same_item_and_quarter(office: Office):
    first = office.new("--summary", "摘要", now=at(1))
    result = office.run(
        "new",
        "ZZ",
        "--item",
        "party-dues",
        "--title",
        "党费",
        "--period",
        "2026年第三季度",
        now=at(2),
    )
    assert result.exit_code == 0, result.output
    second = result.stdout.strip()
    assert f"warning: {first} is already a record of this item for 2026Q3" in result.stderr
    assert f"dangwu discard {second}" in result.stderr
    other = office.run(
        "new", "ZZ", "--item", "party-dues", "--title", "党费", "--period", "2026Q4", now=at(3)
    )
    assert other.exit_code == 0 and "warning" not in other.stderr, other.output


def test_submit_refuses_a_record_with_only_a_title(office: Office):
    rid = office.new(now=at(1))
    refused(office, "submit", rid, now=at(2), expect="has a title and nothing else")
    ok(office, "set", rid, "summary=第三季度应缴党费已全部收缴。", now=at(3))
    ok(office, "submit", rid, now=at(4))


@pytest.mark.parametrize(("event", "warned"), [("2026-10-20", True), ("2026-10-02", False)])
def test_a_timely_matter_published_before_its_date_is_warned_of(
    office: Office, event: str, warned: bool
):
    rid = office.new(
        "--summary",
        "摘要",
        "--event-date",
        event,
        item="recruitment",
        title="人员录用公示",
        now=at(1),
    )
    ok(office, "submit", rid, now=at(1, 11))
    ok(office, "approve", rid, as_="zhoulx", now=at(2))
    result = ok(office, "publish", rid, now=at(3))
    said = f"warning: {rid} is a timely matter published before its date ({event})"
    assert (said in result.stderr) == warned, result.output
    assert "before its date" not in office.git("log", "-1", "--format=%B")  # said, not kept
