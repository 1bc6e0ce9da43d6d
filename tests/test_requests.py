"""Disclosure on request (依申请公开) [SPEC 14]: `request new/list/show/answer/extend/
refuse`. An answer is due in 3 working days, extendable once (before the time runs out)
to 10; a request is settled once, by a published record, a written answer or a refusal
with its letter; the requester is never named outside the request's file; the audit
judges every change to a request as the commands would have made it."""

from __future__ import annotations

import json
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import Office, commit_as
from steps import at, ok, refused

from dangwu.model.office import Rules
from dangwu.model.supervision import Request
from dangwu.rules.requests import answer_due, first_due, require_extendable
from dangwu.rules.workdays import Calendar

NAME, CONTACT = "李申请", "0000-7777777"
ASKED = "申请公开2026年党费收缴使用情况"


def nov(day: int, hour: int = 10) -> str:
    return at(day, hour, month=11)


def published(office: Office) -> str:
    rid = office.new(
        "--summary", "摘要", "--body", "正文。", now=at(6, 9),
        category="zhidu-jianshe", item="integrity-rules", title="机关廉洁自律若干规定",
    )  # fmt: skip
    ok(office, "submit", rid, now=at(6, 10))
    ok(office, "approve", rid, as_="zhoulx", now=at(6, 11))
    ok(office, "publish", rid, now=at(6, 12))
    return rid


def asked(office: Office, *extra: str, now: str = nov(2)):  # type: ignore[no-untyped-def]
    args = ["--name", NAME, "--contact", CONTACT]
    if "--about" not in extra:
        args += ["--text", ASKED]
    return ok(office, "request", "new", *args, *extra, now=now)


def listed(office: Office, *extra: str) -> dict[int, dict]:
    found = json.loads(ok(office, "request", "list", "--json", *extra).stdout)
    return {r["number"]: r for r in found}


def due_requests(office: Office, now: str) -> list[dict]:
    owed = json.loads(ok(office, "due", "--json", now=now).stdout)
    return [o for o in owed if o["kind"] == "request"]


# --- the rules, as functions ---------------------------------------------------------


def request(received: date, **kw: object) -> Request:
    return Request(101, "requests/101.yaml", received, "某", "电话", "申请", "dumy",
                   f"{received}T10:00:00+08:00", **kw)  # type: ignore[arg-type]  # fmt: skip


@pytest.mark.parametrize(
    ("received", "first", "extended"),
    [
        (date(2026, 11, 2), date(2026, 11, 5), date(2026, 11, 16)),  # Monday
        (date(2026, 11, 6), date(2026, 11, 11), date(2026, 11, 20)),  # Friday: the weekend
        (date(2026, 11, 7), date(2026, 11, 11), date(2026, 11, 20)),  # asked on a Saturday
        (date(2026, 9, 30), date(2026, 10, 10), date(2026, 10, 20)),  # National Day; 10-10 worked
    ],
)
def test_the_time_to_answer_counts_working_days(received: date, first: date, extended: date):
    calendar = Calendar(Rules())
    assert first_due(request(received), calendar) == first
    assert answer_due(request(received), calendar) == first
    later = request(received, extension={"on": str(received), "reason": "r"})
    assert answer_due(later, calendar) == extended


def test_working_days_count_even_where_the_office_counts_calendar_days():
    calendar = Calendar(Rules(day_count="calendar"))
    assert first_due(request(date(2026, 11, 6)), calendar) == date(2026, 11, 11)


def test_an_extension_is_decided_once_and_in_time():
    calendar = Calendar(Rules())
    fresh = request(date(2026, 11, 2))
    assert require_extendable(fresh, date(2026, 11, 5), calendar) == date(2026, 11, 16)
    with pytest.raises(Exception, match="ran out on 2026-11-05"):
        require_extendable(fresh, date(2026, 11, 6), calendar)
    with pytest.raises(Exception, match="extended once"):
        require_extendable(request(date(2026, 11, 2), extension={"on": "x"}), fresh.received,
                           calendar)  # fmt: skip
    with pytest.raises(Exception, match="not reopened"):
        require_extendable(request(date(2026, 11, 2), answer={"on": "x"}), fresh.received,
                           calendar)  # fmt: skip


# --- logging a request ---------------------------------------------------------------


def test_a_request_is_logged_by_one_commit_that_does_not_name_the_requester(office: Office):
    before = len(office.commits())
    said = asked(office)
    assert "request 101 logged" in said.stdout
    assert "to be answered by 2026-11-05" in said.stdout
    assert len(office.commits()) == before + 1
    assert office.git("show", "--format=", "--name-only", "HEAD").split() == ["requests/101.yaml"]
    message = office.git("log", "-1", "--format=%B")
    assert "Dangwu-Request: 101" in message and "Dangwu-Step: request" in message
    assert NAME not in message and CONTACT not in message
    row = listed(office)[101]
    assert row == {
        "number": 101, "received": "2026-11-02", "about": None, "due": "2026-11-05",
        "extended": False, "outcome": None, "record": None, "settled": None, "reached": None,
        "late": False,
    }  # fmt: skip
    shown = ok(office, "request", "show", "101").stdout
    assert NAME in shown and CONTACT in shown and ASKED in shown
    owed = due_requests(office, nov(4))
    assert [(o["subject"], o["due"], o["request"]) for o in owed] == [
        ("request 101", "2026-11-05", 101)
    ]
    assert due_requests(office, nov(6))[0]["overdue"] is True


def test_a_request_about_a_record_names_it(office: Office):
    rid = published(office)
    asked(office, "--about", rid)
    row = listed(office)[101]
    assert row["about"] == rid
    assert rid in ok(office, "request", "show", "101").stdout


@pytest.mark.parametrize(
    ("args", "expect", "code"),
    [
        (["--name", NAME, "--contact", CONTACT], "--text, or --about", 2),
        (["--name", " ", "--contact", CONTACT, "--text", ASKED], "--name", 2),
        (["--name", "张\n某", "--contact", CONTACT, "--text", ASKED], "single line", 2),
        (["--name", NAME, "--contact", CONTACT, "--text", "a\x07b"], "control character", 2),
        (["--name", NAME, "--contact", CONTACT, "--about", "ZD-2026-999"], "ZD-2026-999", 1),
        (
            ["--name", NAME, "--contact", CONTACT, "--text", ASKED, "--received", "2026-11-09"],
            "in the future",
            1,
        ),
    ],
)
def test_a_wrong_request_is_refused_in_one_line(office: Office, args, expect, code):
    refused(office, "request", "new", *args, now=nov(2), expect=expect, code=code)


def test_a_supervisor_does_not_log_requests(office: Office):
    refused(office, "request", "new", "--name", NAME, "--contact", CONTACT, "--text", ASKED,
            as_="chensh", now=nov(2), expect="handle requests for disclosure")  # fmt: skip


# --- extending, answering, refusing --------------------------------------------------


def test_the_time_is_extended_once_before_it_runs_out(office: Office):
    asked(office)
    said = ok(office, "request", "extend", "101", "--reason", "需向有关处室调取材料", now=nov(5))
    assert "extended to 2026-11-16" in said.stdout
    assert listed(office)[101]["due"] == "2026-11-16"
    assert due_requests(office, nov(6))[0]["overdue"] is False
    refused(office, "request", "extend", "101", "--reason", "再次延期", now=nov(6),
            expect="extended once")  # fmt: skip


def test_an_extension_after_the_time_ran_out_is_refused(office: Office):
    asked(office)
    refused(office, "request", "extend", "101", "--reason", "补办延期", now=nov(6),
            expect="ran out on 2026-11-05")  # fmt: skip


def test_a_request_is_answered_by_a_published_record(office: Office):
    rid = published(office)
    draft = office.new("--summary", "摘要", "--body", "正文。", now=nov(2, 9))
    asked(office, "--about", rid)
    refused(office, "request", "answer", "101", "--disclose", draft, now=nov(3),
            expect="a request is answered by disclosing a published record")  # fmt: skip
    refused(office, "request", "answer", "101", now=nov(3), expect="--disclose", code=2)
    refused(office, "request", "answer", "101", "--disclose", rid, "--text", "x", now=nov(3),
            expect="not both", code=2)  # fmt: skip
    said = ok(office, "request", "answer", "101", "--disclose", rid, "--notified", "电话告知",
              now=nov(3))  # fmt: skip
    assert "request 101: disclosed 予以公开" in said.stdout
    row = listed(office)[101]
    assert (row["outcome"], row["record"], row["settled"], row["late"]) == (
        "disclosed", rid, "2026-11-03", False,
    )  # fmt: skip
    assert due_requests(office, nov(9)) == []
    refused(office, "request", "answer", "101", "--text", "再答复", now=nov(4),
            expect="not reopened")  # fmt: skip
    assert ok(office, "audit").exit_code == 0


def test_a_late_answer_says_so_in_the_list_and_the_commit(office: Office):
    asked(office)
    ok(office, "request", "answer", "101", "--text", "已书面答复。", now=nov(9))
    assert listed(office)[101]["late"] is True
    assert "late: it was due by 2026-11-05" in office.git("log", "-1", "--format=%B")


def test_an_answer_recorded_after_its_time_is_late_whatever_day_it_claims(office: Office):
    """--on is for an answer given before it was recorded; one said to be given in time
    but recorded after the last day counts from the day it was recorded, as it would
    from the day a server received it [SPEC 11]: what the office's records held by
    the deadline is all an inspector can know it had."""
    asked(office)  # due 2026-11-05
    result = ok(office, "request", "answer", "101", "--text", "已提供", "--on", "2026-11-04",
                now=nov(9))  # fmt: skip
    assert "late: recorded on 2026-11-09, after it was due by 2026-11-05" in result.stderr
    row = listed(office)[101]
    assert (row["settled"], row["late"]) == ("2026-11-04", True)  # said as said, counted late
    table = ok(office, "request", "list", now=nov(9)).stdout
    assert "2026-11-04 (late: recorded on 2026-11-09)" in table
    assert "late: recorded on 2026-11-09" in office.git("log", "-1", "--format=%B")


def test_the_yearly_figures_count_requests_as_due_does(office: Office):
    asked(office)  # 101, due 2026-11-05: answered late
    asked(office, now=nov(3))  # 102, due 2026-11-06: still open on the 9th
    asked(office, now=nov(9))  # 103, not yet due
    ok(office, "request", "answer", "101", "--text", "已提供", now=nov(9))
    figures = json.loads(ok(office, "stats", "--year", "2026", "--json", now=nov(9)).stdout)
    assert figures["requests"] == {
        "received": 3, "answered_in_time": 0, "answered_late": 1, "overdue": 1, "refused": 0,
    }  # fmt: skip
    assert figures["overdue"].get("request") == 1  # as `due` lists it
    assert [o["subject"] for o in due_requests(office, nov(9)) if o["overdue"]] == ["request 102"]
    text = ok(office, "stats", "--year", "2026", now=nov(9)).stdout
    assert "3 received: 0 answered in time, 1 late, 1 overdue (0 refused)" in text
    assert "request for disclosure 1" in text


def test_disclosing_an_internal_record_reminds_that_it_is_for_party_members(office: Office):
    public = published(office)  # on 10-06
    rid = office.new("--summary", "党内摘要", "--body", "党内正文。", now=at(7, 9),
                     category="zuzhi-jianshe", title="2026年第三季度党费收缴管理情况")  # fmt: skip
    ok(office, "submit", rid, now=at(7, 10))
    ok(office, "approve", rid, as_="zhoulx", now=at(7, 11))
    ok(office, "publish", rid, now=at(7, 12))
    asked(office)
    said = ok(office, "request", "answer", "101", "--disclose", rid, now=nov(3))
    assert f"{rid} is disclosed within the party (党内公开)" in said.stderr
    assert "party member" in said.stderr
    asked(office, now=nov(3))
    said = ok(office, "request", "answer", "102", "--disclose", public, now=nov(3))
    assert "party member" not in said.stderr


def test_an_answer_recorded_on_its_last_day_is_in_time(office: Office):
    asked(office)
    result = ok(office, "request", "answer", "101", "--text", "已提供", "--on", "2026-11-04",
                now=nov(5, 17))  # fmt: skip
    assert "late" not in result.output
    assert listed(office)[101]["late"] is False


@pytest.mark.parametrize(
    ("on", "expect"),
    [("2026-11-01", "before 2026-11-02"), ("2026-11-04", "in the future")],
)
def test_an_answer_is_dated_between_the_request_and_today(office: Office, on: str, expect: str):
    asked(office)
    refused(office, "request", "answer", "101", "--text", "答复", "--on", on, now=nov(3),
            expect=expect)  # fmt: skip


def test_a_refusal_gives_reasons_and_prints_the_letter(office: Office, tmp_path: Path):
    asked(office)
    refused(office, "request", "refuse", "101", "--reason", " ", now=nov(3), expect="--reason",
            code=2)  # fmt: skip
    reason = "所申请内容涉及干部个人信息，不属于公开范围"
    said = ok(office, "request", "refuse", "101", "--reason", reason, "--notified", "邮寄",
              now=nov(3))  # fmt: skip
    assert "request 101: refused 不予公开" in said.stdout
    letter = office.root / "printed" / "requests" / "101-refusal.pdf"
    assert f"{letter}: the letter to the requester" in said.stdout
    text = subprocess.run(["pdftotext", "-layout", str(letter), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    flat = "".join(text.split())
    for words in ("不予公开告知书", "依申请第101号", NAME, reason, "2026年11月3日", ASKED):
        assert words in flat, words
    assert listed(office)[101]["outcome"] == "refused"
    message = office.git("log", "-1", "--format=%B")
    assert "Dangwu-Step: refuse" in message and NAME not in message and reason not in message
    assert office.git("status", "--porcelain", "--", "requests") == ""
    # in Word, for an office that stamps its letters there
    other = tmp_path / "letter.docx"
    asked(office, now=nov(4))
    ok(office, "request", "refuse", "102", "--reason", reason, "--format", "docx", "-o",
       str(other), now=nov(4))  # fmt: skip
    assert other.read_bytes()[:2] == b"PK"
    assert ok(office, "audit").exit_code == 0


# --- privacy --------------------------------------------------------------------------


def test_the_requester_is_named_nowhere_but_in_the_request(office: Office, tmp_path: Path):
    rid = published(office)
    asked(office, "--about", rid)
    ok(office, "request", "extend", "101", "--reason", "需调取材料", now=nov(3))
    ok(office, "request", "answer", "101", "--disclose", rid, now=nov(4))
    outside = office.git("log", "--all", "-p", "--format=%B", "--", ".", ":!requests")
    messages = office.git("log", "--all", "--format=%B")
    assert NAME not in outside + messages and CONTACT not in outside + messages
    for listing in (
        ok(office, "request", "list").output,
        ok(office, "request", "list", "--json").output,
        ok(office, "due", now=nov(4)).output,
        ok(office, "log").output,
        ok(office, "log", "--json").output,
    ):
        assert NAME not in listing and CONTACT not in listing


def test_a_record_that_names_a_requester_is_flagged_by_the_secrecy_review(office: Office):
    asked(office)
    rid = office.new("--summary", "答复", "--body", f"经研究，答复{NAME}同志如下。", now=nov(3))
    result = office.run("check", rid, now=nov(3))
    assert NAME not in result.output
    assert "real-name reporter" in result.output or "requester" in result.output


def test_a_request_file_is_never_an_attachment(office: Office):
    asked(office)
    rid = office.new("--summary", "摘要", "--body", "正文。", now=nov(3))
    said = office.run("set", rid, "attachments+=requests/101.yaml", now=nov(3))
    assert said.exit_code == 1
    assert "a report, a request or an opinion" in said.stderr


# --- validate and the audit -----------------------------------------------------------


def test_validate_checks_request_files(office: Office):
    asked(office)
    office.write("requests/150.yaml", "number: 150\nname: 某\n")
    office.write(
        "requests/151.yaml",
        "number: 151\nreceived: 2026-11-02\nname: 某\ncontact: 电话\ntext: 申请\n"
        "logged: {by: dumy, at: '2026-11-02T10:00:00+08:00'}\n"
        "answer: {outcome: disclosed, text: 已公开, on: 2026-11-03, by: dumy,"
        " at: '2026-11-03T10:00:00+08:00'}\n",
    )
    result = office.run("validate", now=nov(3))
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert "requests/150.yaml:1:1: missing required field 'received'" in lines
    assert any(
        line.startswith("requests/151.yaml:7:") and "naming the record" in line for line in lines
    ), lines
    assert "requests/101.yaml" not in result.stdout
    # the list goes on without them, and says so as a warning, not an error
    listed_too = office.run("request", "list", now=nov(3))
    assert listed_too.exit_code == 0, listed_too.output
    warned = listed_too.stderr.splitlines()
    assert "warning: requests/150.yaml:1:1: missing required field 'received' (left out)" in (
        warned
    ), warned
    assert not any(line.startswith("error:") for line in warned), warned


def hand_edit(office: Office, old: str, new: str, message: str, when: str) -> None:
    path = "requests/101.yaml"
    office.write(path, office.read(path).replace(old, new))
    commit_as(office.root, "dumy", message, path, date=when)


def hand_add(office: Office, step: str, facts: str, when: str) -> None:
    """What ``step`` adds to request 101, written by the clerk with plain git, his
    commit dated ``when`` and carrying the step's trailer as dangwu's would."""
    path = "requests/101.yaml"
    office.write(path, office.read(path) + facts)
    commit_as(office.root, "dumy", f"{step}: 101\n\nDangwu-Step: {step}", path, date=when)


def audit_says(office: Office, rule: str, now: str) -> None:
    audited = office.run("audit", now=now)
    assert audited.exit_code == 1, audited.output
    assert rule in audited.stdout + audited.stderr, audited.output


def test_an_answer_rewritten_by_hand_is_found(office: Office):
    asked(office)
    ok(office, "request", "answer", "101", "--text", "已书面答复。", now=nov(3))
    hand_edit(office, "已书面答复。", "已当面答复。", "answer: 101\n\nDangwu-Step: answer",
              "2026-11-04T10:00:00+08:00")  # fmt: skip
    audit_says(office, "request-changed", nov(5))


def test_a_forged_extension_after_the_time_ran_out_is_found(office: Office):
    """A clerk who missed the deadline writes the extension by hand, dated in time."""
    asked(office)
    stamp = "2026-11-09T10:00:00+08:00"
    facts = f"extension:\n  on: '2026-11-04'\n  reason: 补办\n  by: dumy\n  at: '{stamp}'\n"
    hand_add(office, "extend", facts, stamp)
    audit_says(office, "late-extension", nov(10))


def test_an_answer_backdated_before_the_request_is_found(office: Office):
    asked(office)
    stamp = "2026-11-03T10:00:00+08:00"
    facts = (
        f"answer:\n  outcome: answered\n  text: 答复\n  on: '2026-10-30'\n  by: dumy\n"
        f"  at: '{stamp}'\n"
    )
    hand_add(office, "answer", facts, stamp)
    audit_says(office, "time-order", nov(4))


def test_an_answer_that_names_someone_else_is_found(office: Office):
    asked(office)
    stamp = "2026-11-03T10:00:00+08:00"
    facts = (
        f"answer:\n  outcome: answered\n  text: 答复\n  on: '2026-11-03'\n  by: linht\n"
        f"  at: '{stamp}'\n"
    )
    hand_add(office, "answer", facts, stamp)
    audit_says(office, "paper-forged", nov(4))


def test_a_deleted_request_is_found(office: Office):
    asked(office)
    office.git("rm", "-q", "requests/101.yaml")
    commit_as(office.root, "dumy", "tidy", date="2026-11-03T10:00:00+08:00")
    audit_says(office, "request-changed", nov(4))


def test_a_request_logged_by_hand_by_a_supervisor_is_found(office: Office):
    office.write(
        "requests/101.yaml",
        "number: 101\nreceived: 2026-11-02\nname: 某\ncontact: 电话\ntext: 申请\n"
        "logged: {by: chensh, at: '2026-11-02T10:00:00+08:00'}\n",
    )
    commit_as(office.root, "chensh", "request: 101", "requests/101.yaml",
              date="2026-11-02T10:00:00+08:00")  # fmt: skip
    audit_says(office, "role", nov(3))


def test_the_dossier_counts_the_years_requests_by_their_time_limits():
    """In time, late, overdue and not yet due, as they stood on the day counted to."""
    from dangwu.rules.requests import tally

    calendar = Calendar(Rules())
    monday = date(2026, 11, 2)  # due Thursday the 5th; the 16th once extended

    def settled(on: str, outcome: str = "answered") -> dict[str, str]:
        return {"on": on, "outcome": outcome}

    found = tally(
        [
            request(monday, answer=settled("2026-11-05")),  # in time
            request(monday, answer=settled("2026-11-06", "refused")),  # late
            request(monday, extension={"on": "2026-11-03"}, answer=settled("2026-11-13")),
            request(monday),  # overdue by the 20th
            request(date(2026, 11, 19)),  # not yet due
            request(date(2025, 12, 1)),  # another year
        ],
        calendar,
        2026,
        date(2026, 11, 20),
    )
    assert (found.received, found.in_time, found.late, found.overdue, found.refused) == (
        5, 2, 1, 1, 1,
    )  # fmt: skip


def test_an_answer_counts_from_the_day_the_server_received_it_if_later():
    """An answer dated in time but received by the server after its last day is late;
    received on its last day, it is in time [SPEC 11]."""
    from dangwu.rules.requests import answered_late, tally

    calendar = Calendar(Rules())
    monday = date(2026, 11, 2)  # due Thursday the 5th
    answer = {"on": "2026-11-04", "outcome": "answered"}
    pushed_late = request(monday, answer=answer, answer_reached=date(2026, 11, 9))
    pushed_in_time = request(monday, answer=answer, answer_reached=date(2026, 11, 5))
    assert pushed_late.answered_on == date(2026, 11, 4)  # what it says stays as said
    assert pushed_late.settled_on == date(2026, 11, 9)
    assert answered_late(pushed_late, calendar)
    assert not answered_late(pushed_in_time, calendar)
    found = tally([pushed_late, pushed_in_time], calendar, 2026, date(2026, 11, 20))
    assert (found.in_time, found.late) == (1, 1)
    # counted as it stood on the 6th, the late one had not reached the server yet
    before = tally([pushed_late], calendar, 2026, date(2026, 11, 6))
    assert (found.received, before.in_time, before.late, before.overdue) == (2, 0, 0, 1)


def test_a_real_name_report_answer_counts_from_the_day_the_server_received_it():
    """The yearly figures judge a real-name report's answer the same way."""
    from dangwu.model.catalogue import Catalogue
    from dangwu.model.supervision import Report
    from dangwu.rules.stats import Span, figures

    calendar = Calendar(Rules())
    received = date(2026, 11, 2)
    due = calendar.deadline(received, calendar.rules.report_answer_days)
    answer = {"on": due.isoformat(), "outcome": "answered"}

    def report(reached: date | None) -> Report:
        return Report(1, "reports/1.yaml", received, "ZD-2026-101", "举报", "dumy",
                      "2026-11-02T10:00:00+08:00", name="某", answer=answer,
                      answer_reached=reached)  # fmt: skip

    def counted(reached: date | None) -> tuple[int, int]:
        said = figures([], [report(reached)], [], span=Span.year(2026), today=date(2026, 12, 31),
                       calendar=calendar, catalogue=Catalogue((), Path("c.yaml")))  # fmt: skip
        return said.answered_in_time, said.answered_late

    assert counted(None) == (1, 0)
    assert counted(due) == (1, 0)
    assert counted(due + timedelta(days=1)) == (0, 1)
