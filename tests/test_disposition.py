"""What became of each opinion (办理结果) [seed 五, SPEC 14]: `feedback answer N`
records 采纳, 部分采纳 or 不采纳 with its reason and how the person was told, once,
by the office; a formal plan is approved only when every opinion on its preliminary
plan has its answer; the audit lets an opinion change only by that one answer."""

from __future__ import annotations

import json
from datetime import date

import pytest
from conftest import Office, commit_as
from steps import at, consulting, data, ok, refused

from dangwu import yamlio
from dangwu.rules.supervision import stale_calls


def opinions(office: Office) -> dict[int, dict]:
    listed = json.loads(ok(office, "feedback", "list", "--json").stdout)
    return {o["number"]: o for o in listed}


@pytest.fixture
def heard(office: Office) -> tuple[Office, str]:
    """A plan out for comment (10-05 to 10-19) with two opinions, numbered 1 and 2,
    and its formal plan submitted."""
    rid = consulting(office)
    ok(office, "feedback", "add", rid, "--text", "建议增加周末服务", as_="chensh", now=at(8))
    ok(office, "feedback", "add", rid, "--public", "王先生", "--text", "建议公布电话", now=at(12))
    ok(office, "set", rid, "body=正式方案。", now=at(20, 11))
    ok(office, "submit", rid, now=at(20, 12))
    return office, rid


def answer(office: Office, n: int, outcome: str = "采纳", **kw):  # type: ignore[no-untyped-def]
    args = ["--outcome", outcome, "--reason", "已在正式方案中增加", "--notified", "电话告知"]
    return office.run("feedback", "answer", str(n), *args, **{"now": at(20, 14), **kw})


def test_opinions_are_numbered_as_they_are_logged(heard):
    office, _rid = heard
    found = opinions(office)
    assert sorted(found) == [1, 2]
    assert found[1]["from"] == "chensh" and found[2]["public"] == "王先生"
    assert all(o["disposition"] is None for o in found.values())


def test_an_answer_is_recorded_once_with_its_reason_and_who_gave_it(heard):
    office, _rid = heard
    before = len(office.commits())
    said = answer(office, 2, "部分采纳")
    assert said.exit_code == 0, said.output
    assert len(office.commits()) == before + 1
    given = opinions(office)[2]["disposition"]
    assert given["outcome"] == "partly" and given["reason"] == "已在正式方案中增加"
    assert given["notified"] == "电话告知" and given["on"] == "2026-10-20"
    assert given["by"] == "dumy"
    # once: a second answer is refused and changes nothing
    refused(office, "feedback", "answer", "2", "--outcome", "不采纳", "--reason", "改变主意",
            "--notified", "电话", now=at(21), expect="answered once")  # fmt: skip
    assert ok(office, "audit").exit_code == 0


@pytest.mark.parametrize(
    ("args", "expect", "code"),
    [
        (["9", "--outcome", "采纳"], "no opinion 9", 1),
        (["1", "--outcome", "maybe"], "--outcome", 2),
        (["1", "--outcome", "采纳", "--on", "2026-10-07"], "--on", 1),
        (["1", "--outcome", "采纳", "--on", "2026-10-25"], "--on", 1),
        (["1", "--outcome", "采纳", "--reason", " "], "--reason", 2),
    ],
)
def test_a_wrong_answer_is_refused_in_one_line(heard, args: list[str], expect: str, code: int):
    office, _rid = heard
    rest = {"--reason": "理由", "--notified": "电话告知"}
    for option in list(rest):
        if option in args:
            rest.pop(option)
    full = [*args, *(x for pair in rest.items() for x in pair)]
    result = refused(office, "feedback", "answer", *full, now=at(20, 14), expect=expect, code=code)
    assert len(result.stderr.strip().splitlines()) <= 2  # the error, and a hint


def test_a_supervisor_does_not_answer_opinions(heard):
    office, _rid = heard
    refused(office, "feedback", "answer", "1", "--outcome", "采纳", "--reason", "自己答复",
            "--notified", "无", as_="chensh", now=at(20, 14), expect="answer opinions")  # fmt: skip


def test_the_formal_plan_waits_for_every_answer(heard):
    office, rid = heard
    result = refused(office, "approve", rid, as_="sunhm", now=at(21), expect="1、2")
    assert "formal plan" in result.stderr
    assert answer(office, 1).exit_code == 0
    refused(office, "approve", rid, as_="sunhm", now=at(21), expect="no answer yet: 2")
    assert answer(office, 2, "不采纳").exit_code == 0
    ok(office, "approve", rid, as_="sunhm", now=at(21))
    assert data(office, rid)["status"] == "approved"


def test_an_ordinary_record_is_approved_whatever_its_opinions(office: Office):
    rid = office.new("--summary", "摘要", "--body", "正文。", now=at(5))
    ok(office, "submit", rid, now=at(5, 11))
    ok(office, "approve", rid, as_="zhoulx", now=at(6))
    ok(office, "publish", rid, now=at(6, 12))
    ok(office, "feedback", "add", rid, "--text", "意见", as_="chensh", now=at(8))
    assert opinions(office)[1]["disposition"] is None  # nothing waits on it


def test_an_answer_changed_by_hand_is_found_by_the_audit(heard):
    office, _rid = heard
    assert answer(office, 1).exit_code == 0
    path = opinions(office)[1]["path"]
    text = office.read(path).replace("outcome: adopted", "outcome: declined")
    office.write(path, text)
    commit_as(office.root, "dumy", "fix", path, date="2026-10-22T10:00:00+08:00")
    audited = office.run("audit", now=at(23))
    assert audited.exit_code == 1
    assert "feedback-changed" in audited.stdout + audited.stderr


def test_an_opinion_changed_by_a_forged_second_answer_is_found(heard):
    """A clerk who writes the answer's trailer by hand still answers only once."""
    office, _rid = heard
    assert answer(office, 1).exit_code == 0
    path = opinions(office)[1]["path"]
    raw = dict(yamlio.load(office.read(path)).data)
    office.write(path, office.read(path).replace(str(raw["text"]), "另一条意见"))
    commit_as(office.root, "dumy", "answer: again\n\nDangwu-Step: answer", path,
              date="2026-10-22T10:00:00+08:00")  # fmt: skip
    audited = office.run("audit", now=at(23))
    assert audited.exit_code == 1
    assert "feedback-changed" in audited.stdout + audited.stderr


# --- a formal plan that still calls for comments -----------------------------------------


@pytest.mark.parametrize(
    ("text", "stale"),
    [
        ("现公开征求意见，截至2026年5月31日。", [date(2026, 5, 31)]),
        ("欢迎提出意见建议，截止日期：2026年10月19日", [date(2026, 10, 19)]),
        ("征求意见时间为2026年11月18日至2026年12月3日。", [date(2026, 12, 3)]),
        ("现公开征求意见，截至2026年12月31日。", []),  # still open
        ("本方案自2026年1月1日起施行。", []),  # a date, but no call for comments
        ("现公开征求意见，截至2026年2月30日。", []),  # no such day
    ],
)
def test_a_passed_call_for_comments_is_found_in_a_text(text: str, stale: list[date]):
    assert stale_calls(text, date(2026, 12, 6)) == stale


def test_submitting_a_formal_plan_that_still_calls_for_comments_warns(office: Office):
    rid = consulting(office)  # out for comment until 10-19
    ok(office, "set", rid, "body=正式方案。现公开征求意见，截至2026年10月19日。", now=at(20, 13))
    said = ok(office, "submit", rid, now=at(20, 15))
    assert "still asks for comments until 2026-10-19" in said.stderr
    # advice to the clerk, not a fact of the history
    assert "2026-10-19" not in office.git("log", "-1", "--format=%B")


def test_an_answer_backdated_by_hand_before_the_opinion_is_found(heard):
    """A clerk who writes the answer with plain git, dated before the opinion came in
    so that it looks timely, is caught by the audit."""
    office, _rid = heard
    path = opinions(office)[1]["path"]
    stamp = "2026-10-21T10:00:00+08:00"
    office.write(
        path,
        office.read(path)
        + "disposition:\n  outcome: adopted\n  reason: 采纳\n  notified: 电话告知\n"
        + f"  on: '2026-10-06'\n  by: dumy\n  at: '{stamp}'\n",
    )
    commit_as(office.root, "dumy", "answer: 1\n\nDangwu-Step: answer", path, date=stamp)
    audited = office.run("audit", now=at(23))
    assert audited.exit_code == 1
    assert "time-order" in audited.stdout + audited.stderr


# --- opinions raised at a supervisors' meeting -------------------------------------------


def supervisors_meeting(office: Office, rid: str, *, minuted: bool = True) -> None:
    """Meeting 2026-1: the supervisors, heard by the office on 10-09 about ``rid``."""
    ok(office, "meeting", "new", "--kind", "supervisors", "--title", "党务公开监督员座谈会",
       "--at", "2026-10-09 09:30", "--place", "局机关会议室", "--chair", "linht",
       "--invite", "chensh", "--matter", rid, as_="dumy", now=at(8))  # fmt: skip
    if minuted:
        ok(office, "meeting", "minutes", "1", "--present", "linht,chensh", "--decisions",
           "听取监督员意见", as_="dumy", now=at(9, 12))  # fmt: skip


def test_an_opinion_raised_at_a_supervisors_meeting_names_it(office: Office):
    rid = consulting(office)
    supervisors_meeting(office, rid)
    said = ok(office, "feedback", "add", rid, "--from", "chensh", "--meeting", "1",
              "--text", "建议延长征求意见时间", as_="dumy", now=at(10))  # fmt: skip
    assert "received 2026-10-09" in said.stdout
    (opinion,) = opinions(office).values()
    assert opinion["meeting"] == "2026-1" and opinion["received"] == "2026-10-09"
    report = ok(office, "feedback", "report", rid, "--format", "md", now=at(10, 12)).stdout
    assert "陈淑华 (chensh)（2026-1号会议上提出）：建议延长征求意见时间" in report
    assert ok(office, "audit", now=at(11)).exit_code == 0


@pytest.mark.parametrize(
    ("args", "minuted", "expect", "code"),
    [
        (["--from", "chensh", "--meeting", "2"], True, "no meeting 2026-2", 1),
        (["--from", "chensh", "--meeting", "1"], False, "has no minutes yet", 1),
        (["--from", "huangzj", "--meeting", "1"], True, "huangzj was not at meeting 2026-1", 1),
        (
            ["--from", "chensh", "--meeting", "1", "--received", "2026-10-08"],
            True,
            "was received on 2026-10-09",
            2,
        ),
    ],
)
def test_an_opinion_from_a_meeting_must_fit_its_minutes(
    office: Office, args, minuted, expect, code
):
    rid = consulting(office)
    supervisors_meeting(office, rid, minuted=minuted)
    refused(office, "feedback", "add", rid, *args, "--text", "意见", as_="dumy", now=at(10),
            expect=expect, code=code)  # fmt: skip
