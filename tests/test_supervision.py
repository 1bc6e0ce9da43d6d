"""Supervision [SPEC section 8]: opinions on records (feedback/) and reports about them
(reports/), and the rule that a real-name reporter is never identified outside
`report show`.

Every refusal is checked to leave the repository exactly as it was.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import PEOPLE, ROOT, Office
from steps import at, consulting, data, ok, refused, trailers

from dangwu import yamlio

NAME = "欧阳明轩"  # a reporter: must never leak
CONTACT = "ouyang.mx@example.net"


def load(office: Office, relpath: str) -> dict:
    return dict(yamlio.load(office.read(relpath)).data)


def one_commit_of(office: Office, before: list[str], path: str, actor: str) -> None:
    """The last act was one commit by ``actor`` touching only ``path``."""
    assert len(office.commits()) == len(before) + 1
    assert office.commits()[1:] == before
    assert office.git("show", "--name-only", "--format=", "HEAD") == path
    name, email = PEOPLE[actor]
    assert office.git("log", "-1", "--format=%an|%ae|%cn|%ce") == f"{name}|{email}|{name}|{email}"
    assert office.git("status", "--porcelain") == ""


def published(office: Office, *extra: str, day: int = 6, **fields: str) -> str:
    """A public standing record published on 10-``day``."""
    kw = {"category": "zhidu-jianshe", "item": "integrity-rules", "title": "机关廉洁自律若干规定"}
    kw.update(fields)
    if not any(a in extra for a in ("--body", "--summary")):
        extra = ("--summary", "摘要", "--body", "正文。", *extra)
    rid = office.new(*extra, now=at(day, 9), **kw)
    ok(office, "submit", rid, now=at(day, 10))
    ok(office, "approve", rid, as_="zhoulx", now=at(day, 11))
    ok(office, "publish", rid, now=at(day, 12))
    return rid


def opinions(office: Office, *extra: str) -> list[dict]:
    return json.loads(ok(office, "feedback", "list", *extra, "--json").stdout)


# --- feedback -------------------------------------------------------------------------------


def test_the_office_logs_an_opinion_from_the_public(office: Office):
    rid = published(office)
    before = office.commits()
    result = ok(
        office,
        "feedback",
        "add",
        rid,
        "--public",
        "王先生",
        "--text",
        "建议周六全天开放",
        "--received",
        "2026-10-08",
        now=at(9),
    )
    path = f"feedback/{rid}/20261009T100000-dumy.yaml"
    assert f"{rid}: opinion logged in {path}" in result.stdout
    assert "received 2026-10-08" in result.stdout
    one_commit_of(office, before, path, "dumy")
    assert office.git("log", "-1", "--format=%s") == f"feedback: {rid} 机关廉洁自律若干规定"
    assert trailers(office) == {
        "Dangwu-Step": "feedback",
        "Dangwu-Record": rid,
        "Dangwu-Actor": "dumy",
    }
    assert load(office, path) == {
        "record": rid,
        "number": 1,  # the office's first opinion
        "received": "2026-10-08",
        "public": "王先生",
        "text": "建议周六全天开放",
        "logged": {"by": "dumy", "at": at(9)},
    }
    assert opinions(office, rid) == [
        {
            "record": rid,
            "received": "2026-10-08",
            "from": None,
            "public": "王先生",
            "text": "建议周六全天开放",
            "logged_by": "dumy",
            "logged_at": at(9),
            "path": path,
            "number": 1,
            "disposition": None,
            "meeting": None,
        }
    ]


def test_a_supervisor_gives_their_own_opinion(office: Office):
    rid = published(office)
    before = office.commits()
    ok(office, "feedback", "add", rid, "--text", "公开内容应更具体", as_="chensh", now=at(9))
    path = f"feedback/{rid}/20261009T100000-chensh.yaml"
    one_commit_of(office, before, path, "chensh")
    assert trailers(office)["Dangwu-Actor"] == "chensh"
    assert load(office, path)["from"] == "chensh"
    # naming oneself is the same
    ok(
        office,
        "feedback",
        "add",
        rid,
        "--from",
        "chensh",
        "--text",
        "补充",
        as_="chensh",
        now=at(9),
    )
    # the same second: the second file takes a suffix (listed in path order)
    assert sorted(
        (f["from"], f["logged_by"], f["text"], f["path"]) for f in opinions(office, rid)
    ) == [
        ("chensh", "chensh", "公开内容应更具体", path),
        ("chensh", "chensh", "补充", f"feedback/{rid}/20261009T100000-chensh-2.yaml"),
    ]


def test_the_office_logs_a_supervisors_opinion_for_them(office: Office):
    rid = published(office)
    ok(office, "feedback", "add", rid, "--from", "huangzj", "--text", "电话反映", now=at(9))
    [found] = opinions(office)
    assert (found["from"], found["public"], found["logged_by"]) == ("huangzj", None, "dumy")
    assert office.git("log", "-1", "--format=%ae") == PEOPLE["dumy"][1]


def test_feedback_list_of_one_record_and_of_all(office: Office):
    first = published(office, day=6)
    second = published(office, day=7, title="党员教育管理制度")
    ok(office, "feedback", "add", first, "--text", "意见一", as_="chensh", now=at(8))
    ok(office, "feedback", "add", second, "--public", "李女士", "--text", "意见二", now=at(9))
    assert [f["record"] for f in opinions(office)] == [first, second]
    assert [f["text"] for f in opinions(office, second)] == ["意见二"]
    listing = ok(office, "feedback", "list").stdout
    assert "陈淑华 (chensh)" in listing and "李女士 (public)" in listing
    assert "意见一" in listing and "意见二" in listing
    only = ok(office, "feedback", "list", first).stdout
    assert "意见一" in only and "意见二" not in only


def test_feedback_list_when_there_is_none(office: Office):
    rid = published(office)
    assert "No opinions yet." in ok(office, "feedback", "list", rid).stdout
    assert opinions(office) == []


@pytest.mark.parametrize("where", ["consulting", "withdrawn"])
def test_opinions_are_taken_on_a_plan_out_for_comment_and_on_a_withdrawn_record(
    office: Office, where: str
):
    if where == "consulting":
        rid = consulting(office)
    else:
        rid = published(office)
        ok(office, "withdraw", rid, "--reason", "更正", as_="zhoulx", now=at(7))
    ok(office, "feedback", "add", rid, "--text", "意见", as_="chensh", now=at(9))
    assert len(opinions(office, rid)) == 1


@pytest.mark.parametrize("state", ["draft", "submitted", "approved"])
def test_no_opinion_on_a_record_the_office_has_not_put_out(office: Office, state: str):
    rid = office.new("--summary", "摘要", "--body", "正文。", now=at(5))
    if state != "draft":
        ok(office, "submit", rid, now=at(5, 11))
    if state == "approved":
        ok(office, "approve", rid, as_="zhoulx", now=at(6))
    refused(
        office,
        "feedback",
        "add",
        rid,
        "--text",
        "意见",
        as_="chensh",
        now=at(9),
        expect=f"{rid} is {state}",
    )


def test_feedback_on_a_record_that_does_not_exist(office: Office):
    refused(
        office, "feedback", "add", "ZD-2026-999", "--text", "意见", expect="no record ZD-2026-999"
    )


@pytest.mark.parametrize(
    ("extra", "who", "code", "expect"),
    [
        # a supervisor gives only their own opinion
        (("--public", "王先生"), "chensh", 1, "a supervisor gives their own opinion"),
        (("--from", "huangzj"), "chensh", 1, "a supervisor gives their own opinion"),
        (("--from", "dumy"), "chensh", 1, "a supervisor gives their own opinion"),
        # only the office and supervisors take opinions
        ((), "zhoulx", 1, "may not give feedback"),
        ((), "stranger", 1, "stranger@example.org is not on the roster"),
        # whose opinion, and when
        (("--from", "chensg"), "dumy", 2, "--from: 'chensg' is not on the roster"),
        (("--from", "chensh", "--public", "王先生"), "dumy", 2, "not both"),
        (("--received", "2026-10-10"), "dumy", 1, "--received 2026-10-10 is in the future"),
        (("--received", "10/08"), "dumy", 2, "--received: '10/08' is not a real date"),
        (
            ("--received", "2026-10-05"),
            "dumy",
            1,
            "--received 2026-10-05 is before 2026-10-06 (the day ZD-2026-101 was put out)",
        ),
    ],
)
def test_feedback_that_cannot_be_taken(
    office: Office, extra: tuple[str, ...], who: str, code: int, expect: str
):
    rid = published(office, day=6)  # ZD-2026-101, published on 10-06
    assert rid == "ZD-2026-101"
    result = refused(
        office,
        "feedback",
        "add",
        rid,
        "--text",
        "意见",
        *extra,
        as_=who,
        now=at(9),
        code=code,
        expect=expect,
    )
    if expect.startswith("--from: 'chensg'"):
        assert "chensh" in result.stderr  # the suggestion


def test_an_opinion_received_on_the_day_the_record_was_put_out_is_taken(office: Office):
    rid = published(office, day=6)
    ok(office, "feedback", "add", rid, "--text", "意见", "--received", "2026-10-06", now=at(9))


@pytest.mark.parametrize(
    ("extra", "expect"),
    [
        (("--text", "   "), "--text must not be empty"),
        (("--text", "意见\x07"), "control character (U+0007)"),
        (("--text", "意见", "--public", "王\n先生"), "--public must be a single line"),
        (("--text", "意见", "--public", "王" * 101), "--public is longer than 100"),
    ],
    ids=["empty", "bell", "newline-name", "long-name"],
)
def test_hostile_feedback_is_a_usage_error(office: Office, extra: tuple[str, ...], expect: str):
    rid = published(office)
    refused(office, "feedback", "add", rid, *extra, now=at(9), code=2, expect=expect)


# --- opinions in a pre-disclosure ---------------------------------------------------------


def test_the_formal_plan_counts_the_opinions_of_the_window(office: Office):
    rid = consulting(office)
    ok(office, "feedback", "add", rid, "--text", "意见一", as_="chensh", now=at(8))
    ok(office, "feedback", "add", rid, "--public", "王先生", "--text", "意见二", now=at(12))
    # logged after the window, but given within it: counts
    ok(
        office,
        "feedback",
        "add",
        rid,
        "--public",
        "李女士",
        "--text",
        "意见三",
        "--received",
        "2026-10-19",
        now=at(20, 9),
    )
    # given after the window closed: does not count
    ok(office, "feedback", "add", rid, "--text", "迟到的意见", as_="huangzj", now=at(20, 10))
    assert len(opinions(office, rid)) == 4
    ok(office, "set", rid, "body=正式方案。", now=at(20, 11))
    result = ok(office, "submit", rid, now=at(20, 12))
    assert "3 opinion(s) received in the comment window" in result.stdout
    for n in (1, 2, 3, 4):  # each answered before the formal plan is approved
        ok(office, "feedback", "answer", str(n), "--outcome", "采纳", "--reason", "已吸收",
           "--notified", "电话告知", now=at(20, 13))  # fmt: skip
    ok(office, "approve", rid, as_="sunhm", now=at(21))
    assert data(office, rid)["approval"]["opinions"] == 3


def test_a_formal_plan_with_no_opinions_counts_none(office: Office):
    rid = consulting(office)
    ok(office, "set", rid, "body=正式方案。", now=at(20, 11))
    ok(office, "submit", rid, now=at(20, 12))
    ok(office, "approve", rid, as_="sunhm", now=at(21))
    assert data(office, rid)["approval"]["opinions"] == 0


def test_an_ordinary_approval_counts_no_opinions(office: Office):
    rid = office.new("--summary", "摘要", "--body", "正文。", now=at(5))
    ok(office, "submit", rid, now=at(5, 11))
    ok(office, "approve", rid, as_="zhoulx", now=at(6))
    assert "opinions" not in data(office, rid)["approval"]


# --- reports --------------------------------------------------------------------------------


def report(office: Office, about: str, *extra: str, now: str = at(9), as_: str = "dumy"):
    return ok(
        office,
        "report",
        "new",
        "--about",
        about,
        "--text",
        "接待日安排与实际不符",
        *extra,
        now=now,
        as_=as_,
    )


def real_name(office: Office, about: str, **kw):
    return report(office, about, "--name", NAME, "--contact", CONTACT, **kw)


def reports(office: Office, *extra: str) -> list[dict]:
    return json.loads(ok(office, "report", "list", *extra, "--json").stdout)


def test_a_real_name_report_is_logged_by_one_commit_without_the_name(office: Office):
    rid = published(office)
    before = office.commits()
    result = real_name(office, rid)
    assert f"report 101 about {rid} logged" in result.stdout
    assert "to be answered, and the reporter told, by 2026-10-29" in result.stdout
    one_commit_of(office, before, "reports/101.yaml", "dumy")
    subject = office.git("log", "-1", "--format=%s")
    assert subject.startswith("report: ") and "101" in subject and rid in subject, subject
    assert trailers(office) == {
        "Dangwu-Step": "report",
        "Dangwu-Actor": "dumy",
        "Dangwu-Report": "101",
    }
    message = office.git("log", "-1", "--format=%B")
    assert NAME not in message and CONTACT not in message
    assert load(office, "reports/101.yaml") == {
        "number": 101,
        "received": "2026-10-09",
        "name": NAME,
        "contact": CONTACT,
        "about": rid,
        "text": "接待日安排与实际不符",
        "logged": {"by": "dumy", "at": at(9)},
    }


def test_an_anonymous_report(office: Office):
    rid = published(office)
    result = report(office, rid)
    assert "anonymous" in result.stdout
    fields = load(office, "reports/101.yaml")
    assert "name" not in fields and "contact" not in fields
    shown = json.loads(ok(office, "report", "show", "101", "--json").stdout)
    assert (shown["name"], shown["contact"]) == (None, None)
    assert "anonymous" in ok(office, "report", "show", "101").stdout
    assert reports(office) == [
        {
            "number": 101,
            "received": "2026-10-09",
            "about": rid,
            "real_name": False,
            "answered": None,
            "due": None,
        }
    ]


def test_reports_are_numbered_from_the_loggers_block(office: Office):
    rid = published(office)
    real_name(office, rid, now=at(9))
    report(office, rid, now=at(9, 11))
    report(office, rid, now=at(9, 12), as_="linht")  # the office head's block is 2
    real_name(office, rid, now=at(9, 13))
    assert [r["number"] for r in reports(office)] == [101, 102, 103, 201]
    assert sorted(p.name for p in (office.root / "reports").iterdir()) == [
        "101.yaml",
        "102.yaml",
        "103.yaml",
        "201.yaml",
    ]


def test_a_report_received_earlier_and_listed_in_order(office: Office):
    rid = published(office)
    real_name(office, rid, now=at(9))
    report(office, rid, "--received", "2026-10-07", now=at(9, 11))
    assert [(r["number"], r["received"]) for r in reports(office)] == [
        (102, "2026-10-07"),
        (101, "2026-10-09"),
    ]


def test_report_list_show_and_answer(office: Office):
    rid = published(office)
    real_name(office, rid, now=at(9))
    report(office, rid, now=at(9, 11))
    listing = ok(office, "report", "list").stdout
    assert "open, due 2026-10-29" in listing and "anonymous" in listing
    shown = ok(office, "report", "show", "101").stdout
    for words in (NAME, CONTACT, rid, "接待日安排与实际不符", "to be answered by 2026-10-29"):
        assert words in shown, shown
    before = office.commits()
    result = ok(
        office,
        "report",
        "answer",
        "101",
        "--text",
        "已核实并更正",
        "--notified",
        "电话告知本人",
        "--on",
        "2026-10-12",
        now=at(13),
    )
    assert "report 101: answered" in result.stdout
    one_commit_of(office, before, "reports/101.yaml", "dumy")
    subject = office.git("log", "-1", "--format=%s")
    assert subject.startswith("answer: ") and "101" in subject and rid in subject, subject
    assert trailers(office)["Dangwu-Report"] == "101"
    assert load(office, "reports/101.yaml")["answer"] == {
        "by": "dumy",
        "at": at(13),
        "on": "2026-10-12",
        "text": "已核实并更正",
        "notified": "电话告知本人",
    }
    assert [(r["number"], r["answered"], r["due"]) for r in reports(office)] == [
        (101, "2026-10-12", None),
        (102, None, None),
    ]
    assert [r["number"] for r in reports(office, "--open")] == [102]
    shown = json.loads(ok(office, "report", "show", "101", "--json").stdout)
    assert shown["answer"]["notified"] == "电话告知本人"
    assert (shown["name"], shown["contact"]) == (NAME, CONTACT)
    text = ok(office, "report", "show", "101").stdout
    assert "已核实并更正" in text and "电话告知本人" in text


def test_report_list_when_there_is_none(office: Office):
    assert "No reports." in ok(office, "report", "list").stdout
    assert "No open reports." in ok(office, "report", "list", "--open").stdout
    assert reports(office) == []


def test_an_answer_is_not_rewritten(office: Office):
    rid = published(office)
    real_name(office, rid)
    ok(office, "report", "answer", "101", "--text", "已核实", "--notified", "电话", now=at(12))
    refused(
        office,
        "report",
        "answer",
        "101",
        "--text",
        "再次答复",
        "--notified",
        "书面",
        now=at(13),
        expect="report 101 was answered on 2026-10-12",
    )


def test_an_answer_before_the_report_or_in_the_future_is_refused(office: Office):
    rid = published(office)
    real_name(office, rid, now=at(9))
    answer = ("report", "answer", "101", "--text", "已核实", "--notified", "电话")
    refused(office, *answer, "--on", "2026-10-08", now=at(12), expect="is before 2026-10-09")
    refused(office, *answer, "--on", "2026-10-13", now=at(12), expect="is in the future")
    refused(office, *answer, "--on", "明天", now=at(12), code=2, expect="is not a real date")
    ok(office, *answer, "--on", "2026-10-09", now=at(12))  # the same day is fine


def test_a_report_answer_recorded_after_its_time_is_said_to_be_late(office: Office):
    rid = published(office)
    real_name(office, rid, now=at(9))
    due = reports(office)[0]["due"]
    later = f"{due[:8]}{int(due[8:]) + 1:02d}T10:00:00+08:00"  # recorded the day after
    answer = ("report", "answer", "101", "--text", "已核实", "--notified", "电话")
    result = ok(office, *answer, "--on", due, now=later)
    assert f"late: recorded on {later[:10]}, after it was due by {due}" in result.stderr
    assert f"after it was due by {due}" in office.git("log", "-1", "--format=%B")
    figures = json.loads(ok(office, "stats", "--year", "2026", "--json", now=later).stdout)
    assert (figures["reports"]["answered_in_time"], figures["reports"]["answered_late"]) == (0, 1)


def test_answering_a_report_that_does_not_exist(office: Office):
    refused(
        office,
        "report",
        "answer",
        "999",
        "--text",
        "已核实",
        "--notified",
        "电话",
        expect="there is no report 999",
    )
    refused(office, "report", "show", "999", expect="there is no report 999")


def test_a_report_about_a_record_that_does_not_exist(office: Office):
    refused(
        office,
        "report",
        "new",
        "--about",
        "ZD-2026-999",
        "--text",
        "反映",
        "--name",
        NAME,
        expect="no record ZD-2026-999",
    )


@pytest.mark.parametrize(
    ("received", "expect"),
    [
        ("2026-10-10", "--received 2026-10-10 is in the future"),
        ("1999-12-31", "--received 1999-12-31 is before 2026-10-06 (the day ZD-2026-101 was"),
        ("2026-10-05", "--received 2026-10-05 is before 2026-10-06 (the day ZD-2026-101 was"),
    ],
)
def test_a_report_received_on_a_day_that_makes_no_sense(office: Office, received: str, expect: str):
    rid = published(office)
    new = ("report", "new", "--about", rid, "--text", "反映", "--received", received)
    refused(office, *new, now=at(9), expect=expect)


def test_an_answer_is_not_dated_before_the_report_was_logged(office: Office):
    """A report said to have come in weeks ago and logged today cannot be answered on a
    day before it was logged: a late answer would look timely [SPEC 11]."""
    rid = published(office)
    new = ("report", "new", "--about", rid, "--name", "李四", "--text", "反映")
    ok(office, *new, "--received", "2026-10-06", now=at(9))
    answer = ("report", "answer", "101", "--text", "已核实", "--notified", "电话")
    refused(
        office,
        *answer,
        "--on",
        "2026-10-07",
        now=at(9, 11),
        expect="--on 2026-10-07 is before 2026-10-09 (the day the report was logged)",
    )
    ok(office, *answer, "--on", "2026-10-09", now=at(9, 11))


@pytest.mark.parametrize(("who", "role"), [("zhoulx", "member"), ("chensh", "supervisor")])
def test_only_the_office_logs_reports(office: Office, who: str, role: str):
    rid = published(office)
    new = ("report", "new", "--about", rid, "--text", "反映")
    refused(office, *new, as_=who, now=at(9), expect="may not log reports")
    real_name(office, rid)
    answer = ("report", "answer", "101", "--text", "已核实", "--notified", "电话")
    refused(office, *answer, as_=who, now=at(12), expect="may not log reports")


@pytest.mark.parametrize(
    ("extra", "expect"),
    [
        (("--text", "反映", "--name", "欧阳\n明轩"), "--name must be a single line"),
        (
            ("--text", "反映", "--name", "欧阳明轩", "--contact", "a\rb"),
            "--contact must be a single",
        ),
        (("--text", "反映\x07"), "control character (U+0007)"),
        (("--text", "反映\x1b[31m"), "control character (U+001B)"),
        (("--text", "反映", "--name", "欧" * 101), "--name is longer than 100"),
        (("--text", "反映", "--contact", "1" * 201), "--contact is longer than 200"),
        (("--text", ""), "--text must not be empty"),
        (("--text", "反映", "--name", "  "), "--name must not be empty"),
    ],
    ids=[
        "newline-name",
        "cr-contact",
        "bell",
        "escape",
        "long-name",
        "long-contact",
        "empty",
        "blank-name",
    ],
)
def test_hostile_reports_are_usage_errors(office: Office, extra: tuple[str, ...], expect: str):
    rid = published(office)
    refused(office, "report", "new", "--about", rid, *extra, now=at(9), code=2, expect=expect)


def test_a_report_number_must_be_a_number(office: Office):
    for args in (
        ("report", "show", "abc"),
        ("report", "answer", "abc", "--text", "已核实", "--notified", "电话"),
    ):
        before = office.state()
        result = office.run(*args)
        assert result.exit_code == 2, result.output
        assert "'abc' is not a whole number" in result.output
        assert "Traceback" not in result.output
        assert office.state() == before


def test_a_hostile_answer_is_a_usage_error(office: Office):
    rid = published(office)
    real_name(office, rid)
    answer = ("report", "answer", "101", "--text")
    refused(
        office,
        *answer,
        "已核实\x07",
        "--notified",
        "电话",
        now=at(12),
        code=2,
        expect="control character",
    )
    refused(
        office,
        *answer,
        "已核实",
        "--notified",
        "电话\n书面",
        now=at(12),
        code=2,
        expect="--notified must be a single line",
    )


# --- the reporter is never identified -----------------------------------------------------


def every_file(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): p.read_text("utf-8", errors="replace")
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_the_reporter_is_named_in_no_commit_message_or_other_file(office: Office):
    rid = published(office)
    real_name(office, rid, now=at(9))
    ok(office, "feedback", "add", rid, "--text", "意见", as_="chensh", now=at(10))
    ok(
        office,
        "report",
        "answer",
        "101",
        "--text",
        "已核实并更正",
        "--notified",
        "电话告知本人",
        now=at(12),
    )
    messages = office.git("log", "--all", "--format=%B")
    assert messages.count("Dangwu-Report: 101") == 2  # logged and answered, nameless
    assert NAME not in messages and CONTACT not in messages
    outside = office.git("log", "--all", "-p", "--format=%B", "--", ".", ":!reports")
    assert NAME not in outside and CONTACT not in outside
    for listing in (
        ok(office, "report", "list").output,
        ok(office, "report", "list", "--json").output,
        ok(office, "report", "list", "--open", "--json").output,
        ok(office, "due", now=at(12)).output,
        ok(office, "due", "--json", now=at(12)).output,
        ok(office, "log").output,
        ok(office, "log", "--json").output,
        ok(office, "feedback", "list").output,
    ):
        assert NAME not in listing and CONTACT not in listing, listing


def test_the_reporter_is_not_on_the_board_or_in_the_bulletin(office: Office, tmp_path: Path):
    rid = published(office)
    real_name(office, rid, now=at(9))
    board = tmp_path / "board"
    ok(office, "board", "-o", str(board), now=at(12))
    ok(office, "board", "--scope", "internal", "-o", str(tmp_path / "internal"), now=at(12))
    bulletin = tmp_path / "bulletin"
    bulletin.mkdir()
    ok(office, "bulletin", "2026Q4", "-o", str(bulletin), now=at(12))
    ok(office, "bulletin", "2026Q4", "--format", "md", "-o", str(bulletin), now=at(12))
    printed = {
        **every_file(board),
        **every_file(tmp_path / "internal"),
        **every_file(bulletin),
    }
    assert printed
    assert any("机关廉洁自律若干规定" in text for text in printed.values())
    for path, text in printed.items():
        assert NAME not in text and CONTACT not in text, path


def test_a_record_that_names_the_reporter_is_blotted_out_on_paper(office: Office, tmp_path: Path):
    # published before the report came in: the secrecy review could not know the name
    rid = published(
        office,
        "--summary",
        f"答复{NAME}同志",
        "--body",
        f"经查，{NAME}同志反映的接待日问题属实，联系邮箱{CONTACT}。",
        title=f"关于{NAME}同志反映问题的说明",
    )
    real_name(office, rid, now=at(9))
    board = tmp_path / "board"
    ok(office, "board", "-o", str(board), now=at(12))
    bulletin = tmp_path / "bulletin"
    bulletin.mkdir()
    ok(office, "bulletin", "2026Q4", "--format", "md", "-o", str(bulletin), now=at(12))
    html = tmp_path / "html"
    html.mkdir()
    ok(office, "bulletin", "2026Q4", "-o", str(html), now=at(12))
    assert any("＊＊＊同志反映的接待日问题属实" in t for t in every_file(bulletin).values())
    for folder in (board, bulletin, html):
        printed = every_file(folder)
        assert any("关于＊＊＊同志反映问题的说明" in text for text in printed.values()), folder
        assert any("答复＊＊＊同志" in text for text in printed.values()), folder
        for path, text in printed.items():
            assert NAME not in text and CONTACT not in text, path
    # and the secrecy review now flags the record
    result = office.run("check", rid, now=at(12))
    assert NAME not in result.output
    assert "real-name reporter" in result.output


# --- validate ---------------------------------------------------------------------------------


def test_validate_checks_reports_and_opinions_each_problem_once(office: Office):
    rid = published(office)
    real_name(office, rid)
    office.write("reports/150.yaml", "number: 150\nabout: ZD-2026-999\n")
    office.write(
        f"feedback/{rid}/x.yaml",
        f"record: {rid}\nreceived: 2026-10-07\nfrom: chensh\npublic: 王先生\ntext: 意见\n",
    )
    result = office.run("validate", now=at(9))
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    for missing in ("received", "text", "logged"):
        assert lines.count(f"reports/150.yaml:1:1: missing required field '{missing}'") == 1
    assert any(line.startswith(f"feedback/{rid}/x.yaml:1:1: ") for line in lines), lines
    assert "reports/101.yaml" not in result.stdout  # the report dangwu logged is valid
    only = office.run("validate", "reports/150.yaml", now=at(9))
    assert only.exit_code == 1 and f"feedback/{rid}" not in only.stdout, only.output


def test_a_report_found_valid_is_judged_again_when_it_or_its_schema_changes(office: Office):
    """validate remembers the reports and opinions it found valid (by path and whole
    text, not checking them against their schema again); an edit to the file, or an
    office's own schema that asks for more, has it judged again."""
    rid = published(office)
    real_name(office, rid)
    assert office.run("validate", now=at(9)).exit_code == 0
    state = office.root / ".git" / "dangwu"
    kept = json.loads((state / "checked-v1.json").read_text("utf-8"))
    assert "reports/101.yaml" in kept  # remembered, beside what every command reads
    assert "reports/101.yaml" not in (state / "valid-v2.json").read_text("utf-8")
    text = office.read("reports/101.yaml")
    office.write("reports/101.yaml", text.replace("text:", "txet:"))
    edited = office.run("validate", now=at(9))
    assert edited.exit_code == 1 and "reports/101.yaml:" in edited.stdout, edited.output
    office.write("reports/101.yaml", text)
    assert office.run("validate", now=at(9)).exit_code == 0
    shipped = (ROOT / "schemas" / "report.schema.yaml").read_text("utf-8")
    stricter = shipped.replace("required: [", "required: [urgency, ", 1)
    assert stricter != shipped
    office.write("schemas/report.schema.yaml", stricter)
    asked = office.run("validate", now=at(9))
    assert asked.exit_code == 1, asked.output
    assert "reports/101.yaml:1:1: missing required field 'urgency'" in asked.stdout, asked.output


def test_validate_names_a_report_about_a_record_that_is_gone(office: Office):
    rid = published(office)
    real_name(office, rid)
    office.write("reports/101.yaml", office.read("reports/101.yaml").replace(rid, "ZD-2026-999"))
    result = office.run("validate", now=at(9))
    assert result.exit_code == 1
    assert "reports/101.yaml: about: no record ZD-2026-999" in result.stdout, result.output
