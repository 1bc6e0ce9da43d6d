"""Timing [SPEC section 6]: working days on the mainland China holiday calendar, and
`dangwu due`, what the office owes and by when.

Every expected date below was checked against the chinese_calendar package: 2026's
Spring Festival runs 02-15..02-23 with 02-14 and 02-28 (Saturdays) worked; National
Day runs 10-01..10-07 with 09-20 (Sunday) and 10-10 (Saturday) worked; Qingming is
04-04..04-06. The package knows nothing of 2027.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from conftest import Office, commit_as, copy_demo
from steps import answer, at, consulting, ok

from dangwu.model.catalogue import Catalogue, Category, Item
from dangwu.model.office import Rules
from dangwu.model.record import Summary
from dangwu.rules.due import Papers, silent_items
from dangwu.rules.due import owed as owed_on
from dangwu.rules.workdays import Calendar


def due(office: Office, *extra: str, now: str, silent: bool = False) -> list[dict]:
    """The rows of `dangwu due --json` on the day of ``now`` (without the line of the
    catalogue's items with nothing disclosed this year, unless ``silent``, and without
    the supervisors' terms, which tests/test_terms.py follows)."""
    result = ok(office, "due", "--json", *extra, now=now)
    rows = json.loads(result.stdout)
    return [r for r in rows if (silent or r["kind"] != "catalogue") and r["kind"] != "term"]


def day(text: str) -> date:
    return date.fromisoformat(text)


def published(office: Office, *extra: str, now: str, **kw) -> str:
    """A record made, submitted, approved and published on the day of ``now``
    (at 9, 10, 11 and 12 o'clock)."""
    rid = office.new(
        "--summary", "摘要", "--body", "正文。", *extra, now=now[:11] + "09" + now[13:], **kw
    )
    ok(office, "submit", rid, now=now[:11] + "10" + now[13:])
    ok(office, "approve", rid, as_="zhoulx", now=now[:11] + "11" + now[13:])
    ok(office, "publish", rid, now=now[:11] + "12" + now[13:])
    return rid


def rules(office: Office, *lines: str, when: str = at(3, month=1)) -> None:
    """Replace settings in the office's rules (``key: value`` lines), committed by the
    office head."""
    text = office.read("dangwu.yaml")
    for line in lines:
        key = line.split(":", 1)[0]
        start = text.index(f"\n  {key}:") + 1 if f"\n  {key}:" in text else None
        if start is None:
            text = text.replace("\nrules:\n", f"\nrules:\n  {line}\n", 1)
        else:
            end = text.index("\n", start)
            text = text[:start] + f"  {line}" + text[end:]
    office.write("dangwu.yaml", text)
    commit_as(office.root, "linht", "rules", "dangwu.yaml", date=when)


# --- the calendar -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "expect"),
    [
        # quarter ends, 10 working days on
        ("2026-03-31", 10, "2026-04-15"),  # across Qingming 04-04..04-06
        ("2026-06-30", 10, "2026-07-14"),
        ("2026-09-30", 10, "2026-10-20"),  # across National Day, 10-10 (Sat) worked
        ("2026-09-30", 3, "2026-10-10"),  # 10-08, 10-09, then the adjusted Saturday
        ("2026-09-19", 1, "2026-09-20"),  # the adjusted Sunday before National Day
        # Spring Festival
        ("2026-02-13", 1, "2026-02-14"),  # the adjusted Saturday
        ("2026-02-13", 2, "2026-02-24"),  # 02-15..02-23 off
        ("2026-02-13", 3, "2026-02-25"),
        ("2026-02-27", 1, "2026-02-28"),  # the adjusted Saturday after
        # no days: the start itself, or the next working day
        ("2026-09-30", 0, "2026-09-30"),
        ("2026-10-01", 0, "2026-10-08"),  # a holiday rolls forward past the whole week
        ("2026-10-10", 0, "2026-10-10"),  # an adjusted Saturday is a working day
        ("2026-10-11", 0, "2026-10-12"),  # an ordinary Sunday is not
        ("2026-02-15", 0, "2026-02-24"),
    ],
)
def test_working_day_deadlines(start: str, days: int, expect: str):
    calendar = Calendar(Rules())
    assert calendar.deadline(day(start), days) == day(expect)
    assert calendar.guessed == set()


@pytest.mark.parametrize(
    ("when", "working"),
    [
        ("2026-02-14", True),
        ("2026-02-15", False),
        ("2026-02-23", False),
        ("2026-02-28", True),
        ("2026-09-20", True),
        ("2026-10-01", False),
        ("2026-10-07", False),
        ("2026-10-10", True),
        ("2026-10-11", False),
        ("2026-10-12", True),
    ],
)
def test_working_days_follow_the_holiday_calendar(when: str, working: bool):
    assert Calendar(Rules()).is_workday(day(when)) is working


def test_calendar_days_are_plain_days():
    calendar = Calendar(Rules(day_count="calendar"))
    assert calendar.deadline(day("2026-09-30"), 10) == day("2026-10-10")
    assert calendar.deadline(day("2026-09-30"), 3) == day("2026-10-03")  # a holiday
    assert calendar.deadline(day("2026-10-01"), 0) == day("2026-10-01")  # no rolling
    assert calendar.deadline(day("2026-12-25"), 20) == day("2027-01-14")
    assert calendar.between(day("2026-09-30"), day("2026-10-10")) == 10


def test_between_counts_working_days():
    calendar = Calendar(Rules())
    assert calendar.between(day("2026-09-30"), day("2026-10-20")) == 10
    assert calendar.between(day("2026-10-20"), day("2026-09-30")) == -10
    assert calendar.between(day("2026-10-01"), day("2026-10-07")) == 0


def test_a_year_the_package_does_not_know_keeps_its_statutory_holidays():
    """chinesecalendar stops at 2026; 2027's 元旦 and 春节 are still days off."""
    calendar = Calendar(Rules())
    assert not calendar.is_workday(day("2027-01-01"))  # 元旦, a Friday
    assert calendar.deadline(day("2026-12-31"), 1) == day("2027-01-04")
    assert calendar.deadline(day("2027-01-08"), 1) == day("2027-01-11")  # over a weekend
    # 春节: the eve and the first three days (2027-02-05 to 02-08), then the week resumes
    assert [calendar.is_workday(day(f"2027-02-{d:02}")) for d in range(4, 10)] == [
        True,
        False,
        False,
        False,
        False,
        True,
    ]
    assert calendar.guessed == {2027}
    # the Q4 2026 update: ten working days into 2027, 元旦 not among them
    assert calendar.deadline(day("2026-12-31"), 10) == day("2027-01-15")


def test_the_offices_own_days_count_in_an_unknown_year():
    calendar = Calendar(Rules(holidays=("2027-01-01",), workdays=("2027-01-02",)))
    assert not calendar.is_workday(day("2027-01-01"))
    assert calendar.is_workday(day("2027-01-02"))  # a Saturday the office works
    assert calendar.deadline(day("2026-12-31"), 1) == day("2027-01-02")
    assert calendar.deadline(day("2026-12-31"), 2) == day("2027-01-04")
    assert calendar.deadline(day("2027-01-01"), 0) == day("2027-01-02")
    assert 2027 in calendar.guessed


def test_the_offices_own_days_override_the_package_in_a_known_year():
    off = Calendar(Rules(holidays=("2026-10-12",)))
    assert off.deadline(day("2026-09-30"), 10) == day("2026-10-21")
    worked = Calendar(Rules(workdays=("2026-10-11", "2026-10-05")))
    assert worked.deadline(day("2026-09-30"), 10) == day("2026-10-16")
    assert worked.deadline(day("2026-10-01"), 0) == day("2026-10-05")
    assert off.guessed == worked.guessed == set()


def test_a_years_guess_is_recorded_only_when_it_is_used():
    calendar = Calendar(Rules())
    calendar.deadline(day("2026-09-30"), 10)
    assert calendar.guessed == set()
    calendar.deadline(day("2026-12-20"), 20)
    assert calendar.guessed == {2027}


# --- quarterly updates --------------------------------------------------------------------


def quarter_record(office: Office, period: str, *, now: str, publish: bool = True) -> str:
    quarter = "一二三四"[int(period[-1]) - 1]
    title = f"{period[:4]}年第{quarter}季度党费收缴管理情况"
    if publish:
        return published(office, "--period", period, title=title, now=now)
    return office.new("--period", period, "--summary", "摘要", title=title, now=now)


def test_a_quarters_update_is_due_at_the_quarters_end_and_overdue_after(office: Office):
    rules(office, "quarterly_days: 0")
    quarter_record(office, "2026Q2", now=at(3, month=7))
    rows = due(office, now=at(30, month=9))
    assert rows == [
        {
            "kind": "quarterly",
            "subject": "ZZ16 2026Q3",
            "title": "党费收缴管理情况 2026年第三季度",
            "due": "2026-09-30",
            "since": "2026-09-30",
            "overdue": False,
            "days_late": 0,
            "record": None,
            "report": None,
            "request": None,
            "status": None,
            "holidays_guessed": False,
            "rule": {
                "seed": "三(二)",
                "zh": "常规工作每季度末更新一次",
                "en": "regular work is updated at the end of every quarter",
            },
        }
    ]
    rows = due(office, now=at(1))
    assert [(r["subject"], r["due"], r["overdue"], r["days_late"]) for r in rows] == [
        ("ZZ16 2026Q3", "2026-09-30", True, 1),
        ("ZZ16 2026Q4", "2026-12-31", False, 0),  # the new quarter is owed at its end
    ]
    # the office drafts the update: the row names the record in hand
    rid = quarter_record(office, "2026Q3", now=at(8), publish=False)
    rows = due(office, now=at(8, 15))
    assert [(r["subject"], r["record"], r["status"]) for r in rows] == [
        (rid, rid, "draft"),
        ("ZZ16 2026Q4", None, None),
    ]
    ok(office, "submit", rid, now=at(8, 16))
    ok(office, "approve", rid, as_="zhoulx", now=at(9, 9))
    ok(office, "publish", rid, now=at(9, 10))
    rows = due(office, now=at(9, 11))
    assert [r["subject"] for r in rows] == ["ZZ16 2026Q4"]


def test_missed_quarters_are_listed_at_most_four_quarters_back(office: Office):
    rules(office, "quarterly_days: 0")
    quarter_record(office, "2025Q1", now=at(5, month=1))
    rows = due(office, now=at(12))
    assert [(r["subject"], r["due"], r["overdue"]) for r in rows] == [
        ("ZZ16 2025Q4", "2025-12-31", True),
        ("ZZ16 2026Q1", "2026-03-31", True),
        ("ZZ16 2026Q2", "2026-06-30", True),
        ("ZZ16 2026Q3", "2026-09-30", True),
        ("ZZ16 2026Q4", "2026-12-31", False),
    ]


def test_quarterly_days_count_working_days_across_national_day(office: Office):
    # the sample office allows itself 10 working days after the quarter's end
    quarter_record(office, "2026Q2", now=at(3, month=7))
    q3 = [r for r in due(office, now=at(20)) if r["since"] == "2026-09-30"]
    assert [(r["due"], r["overdue"]) for r in q3] == [("2026-10-20", False)]
    q3 = [r for r in due(office, now=at(21)) if r["since"] == "2026-09-30"]
    assert [(r["due"], r["overdue"], r["days_late"]) for r in q3] == [("2026-10-20", True, 1)]


def test_quarterly_days_in_calendar_days(office: Office):
    rules(office, "day_count: calendar")
    quarter_record(office, "2026Q2", now=at(3, month=7))
    q3 = [r for r in due(office, now=at(5)) if r["since"] == "2026-09-30"]
    assert [(r["due"], r["overdue"]) for r in q3] == [("2026-10-10", False)]


def test_a_withheld_quarter_is_not_owed(office: Office):
    rules(office, "quarterly_days: 0")
    quarter_record(office, "2026Q2", now=at(3, month=7))
    rid = quarter_record(office, "2026Q3", now=at(2), publish=False)
    ok(office, "submit", rid, now=at(2, 11))
    ok(
        office,
        "decide",
        rid,
        "--meeting",
        "2026-10-02",
        *[a for k in ("hanzg", "zhoulx", "sunhm", "qianwb") for a in ("--attendee", k)],
        "--outcome",
        "withhold",
        as_="hanzg",
        now=at(2, 15),
    )
    assert [r["subject"] for r in due(office, now=at(5))] == ["ZZ16 2026Q4"]


# --- timely matters -----------------------------------------------------------------------


def timely(office: Office, event: str, *, now: str, title: str = "七一主题党日活动") -> str:
    return office.new(
        "--event-date",
        event,
        "--summary",
        "摘要",
        "--body",
        "正文。",
        category="gongzuo-dongtai",
        item="party-activities",
        title=title,
        now=now,
    )


def test_a_timely_matter_is_due_twenty_working_days_after_it_across_national_day(
    office: Office,
):
    rid = timely(office, "2026-09-25", now=at(5))
    rows = due(office, now=at(29))
    assert [(r["kind"], r["subject"], r["record"], r["status"]) for r in rows] == [
        ("timely", rid, rid, "draft")
    ]
    assert (rows[0]["since"], rows[0]["due"], rows[0]["overdue"]) == (
        "2026-09-25",
        "2026-10-29",
        False,
    )
    assert rows[0]["title"] == "七一主题党日活动"
    assert rows[0]["rule"]["seed"] == "三(二)"
    rows = due(office, now=at(30, 9))
    assert [(r["due"], r["overdue"], r["days_late"]) for r in rows] == [("2026-10-29", True, 1)]
    ok(office, "submit", rid, now=at(30, 10))
    ok(office, "approve", rid, as_="zhoulx", now=at(30, 11))
    assert [r["status"] for r in due(office, now=at(30, 11))] == ["approved"]
    ok(office, "publish", rid, now=at(30, 12))
    assert due(office, now=at(30, 13)) == []


def test_a_timely_matter_in_calendar_days(office: Office):
    rules(office, "day_count: calendar")
    timely(office, "2026-09-25", now=at(5))
    assert [r["due"] for r in due(office, now=at(5))] == ["2026-10-15"]


# --- follow-up chains ---------------------------------------------------------------------


def follow_up(office: Office, *extra: str, now: str, title: str, publish: bool = True) -> str:
    kw = {"category": "sixiang-jianshe", "item": "model-organ", "title": title}
    if publish:
        return published(office, *extra, now=now, **kw)
    return office.new("--summary", "摘要", "--body", "正文。", *extra, now=now, **kw)


def test_a_follow_up_chain_that_goes_quiet_is_due_again(office: Office):
    first = follow_up(office, now=at(2, month=3), title="文明机关创建启动")
    rows = due(office, now=at(5, month=5))
    # 90 working days after the publication on 03-02
    assert [(r["kind"], r["subject"], r["since"], r["due"]) for r in rows] == [
        ("follow-up", first, "2026-03-02", "2026-07-10")
    ]
    assert rows[0]["status"] is None  # nothing in hand
    second = follow_up(office, "--follows", first, now=at(6, month=5), title="文明机关创建进展")
    # the chain's clock restarts at its latest publication
    rows = due(office, now=at(9, month=9))
    assert [(r["subject"], r["since"], r["due"], r["overdue"]) for r in rows] == [
        (second, "2026-05-06", "2026-09-09", False)
    ]
    rows = due(office, now=at(10, month=9))
    assert [(r["due"], r["overdue"], r["days_late"]) for r in rows] == [("2026-09-09", True, 1)]
    assert rows[0]["rule"]["seed"] == "三(二)"


def test_a_final_report_ends_a_follow_up_chain(office: Office):
    first = follow_up(office, now=at(2, month=3), title="文明机关创建启动")
    last = follow_up(
        office,
        "--follows",
        first,
        "--final",
        now=at(1, month=6),
        title="文明机关创建总结",
        publish=False,
    )
    rows = due(office, now=at(20, month=7))
    # the final report in hand is what the row names, until it is out
    assert [(r["subject"], r["status"], r["overdue"]) for r in rows] == [(last, "draft", True)]
    ok(office, "submit", last, now=at(21, month=7))
    ok(office, "approve", last, as_="zhoulx", now=at(21, 11, month=7))
    ok(office, "publish", last, now=at(21, 12, month=7))
    assert due(office, now=at(22, month=7)) == []
    assert due(office, now=at(1, month=12)) == []


def test_final_is_only_for_a_follow_up_record(office: Office):
    before = office.state()
    result = office.run(
        "new",
        "gongzuo-dongtai",
        "--item",
        "party-activities",
        "--title",
        "活动",
        "--event-date",
        "2026-09-25",
        "--final",
    )
    assert result.exit_code == 2, result.output
    assert "--final" in result.stderr and "timely" in result.stderr
    assert "Traceback" not in result.output
    assert office.state() == before


# --- the formal plan of a pre-disclosure --------------------------------------------------


def test_a_closed_comment_window_awaits_the_formal_plan(office: Office):
    rid = consulting(office)
    assert due(office, now=at(12)) == []
    assert due(office, now=at(19, 18)) == []  # the last day of the window
    rows = due(office, now=at(20))
    assert [(r["kind"], r["subject"], r["status"]) for r in rows] == [
        ("formal-plan", rid, "consulting")
    ]
    # 20 working days from the window's close on 10-19
    assert (rows[0]["since"], rows[0]["due"], rows[0]["overdue"]) == (
        "2026-10-19",
        "2026-11-16",
        False,
    )
    assert rows[0]["rule"]["seed"] == "五"
    ok(office, "set", rid, "body=正式方案。", now=at(20, 11))
    ok(office, "submit", rid, now=at(20, 12))
    ok(office, "approve", rid, as_="sunhm", now=at(21))
    rows = due(office, now=at(17, month=11))
    assert [(r["status"], r["overdue"], r["days_late"]) for r in rows] == [("approved", True, 1)]
    ok(office, "publish", rid, now=at(17, 12, month=11))
    assert due(office, now=at(18, month=11)) == []


def test_a_withdrawn_preliminary_plan_owes_no_formal_plan(office: Office):
    rid = consulting(office)
    ok(office, "withdraw", rid, "--reason", "方案暂缓", as_="hanzg", now=at(9))
    assert due(office, now=at(20)) == []


# --- real-name reports --------------------------------------------------------------------


def subject_record(office: Office) -> str:
    return published(
        office,
        category="zhidu-jianshe",
        item="integrity-rules",
        title="机关廉洁自律若干规定",
        now=at(6),
    )


def test_a_real_name_report_is_due_fifteen_working_days_after_it_came_in(office: Office):
    rid = subject_record(office)
    ok(
        office,
        "report",
        "new",
        "--about",
        rid,
        "--text",
        "接待日安排与实际不符",
        "--name",
        "欧阳明轩",
        "--contact",
        "ouyang@example.net",
        now=at(9),
    )
    ok(office, "report", "new", "--about", rid, "--text", "匿名反映", now=at(9, 11))
    rows = due(office, now=at(29))
    assert rows == [
        {
            "kind": "report",
            "subject": "report 101",
            "title": f"about {rid}",
            "due": "2026-10-29",  # over the adjusted Saturday 10-10
            "since": "2026-10-09",
            "overdue": False,
            "days_late": 0,
            "record": rid,
            "report": 101,
            "request": None,
            "status": None,
            "holidays_guessed": False,
            "rule": {
                "seed": "五",
                "zh": "对署真实姓名举报……视情况将处理结果告知举报人",
                "en": "a real-name report is dealt with and the reporter told",
            },
        }
    ]
    rows = due(office, now=at(2, month=11))
    assert [(r["report"], r["overdue"], r["days_late"]) for r in rows] == [(101, True, 4)]
    answer(office, 101, now=at(2, 11, month=11))
    assert due(office, now=at(2, 12, month=11)) == []


def test_an_anonymous_report_is_never_due(office: Office):
    rid = subject_record(office)
    ok(office, "report", "new", "--about", rid, "--text", "匿名反映", now=at(9))
    assert due(office, now=at(9, 11)) == []
    assert due(office, now=at(1, month=12)) == []


# --- order and text -----------------------------------------------------------------------


def busy_office(office: Office) -> dict[str, str]:
    """An office owing one of everything (sample settings: quarterly_days 10)."""
    first = follow_up(office, now=at(2, month=3), title="文明机关创建启动")
    quarter_record(office, "2026Q2", now=at(3, month=7))
    plan = consulting(office)
    matter = timely(office, "2026-09-25", now=at(6, 8))
    rid = subject_record(office)
    ok(
        office,
        "report",
        "new",
        "--about",
        rid,
        "--text",
        "反映问题",
        "--name",
        "欧阳明轩",
        now=at(20),
    )
    return {"follow-up": first, "formal-plan": plan, "timely": matter, "about": rid}


def test_overdue_first_then_by_due_date(office: Office):
    ids = busy_office(office)
    rows = due(office, now=at(30))
    got = [(r["kind"], r["due"], r["overdue"]) for r in rows]
    assert got == [
        ("follow-up", "2026-07-10", True),
        ("quarterly", "2026-10-20", True),
        ("timely", "2026-10-29", True),
        ("report", "2026-11-10", False),
        ("formal-plan", "2026-11-16", False),
        ("quarterly", "2027-01-15", False),  # Q4: 10 working days into 2027, 元旦 off
    ]
    assert rows[0]["subject"] == ids["follow-up"]
    assert rows[0]["days_late"] == (day("2026-10-30") - day("2026-07-10")).days
    # --json says which deadlines were counted over a year whose 调休 is not known
    assert [r["holidays_guessed"] for r in rows] == [False] * 5 + [True]


def test_the_text_listing_counts_and_explains(office: Office):
    busy_office(office)
    result = ok(office, "due", now=at(30))
    out = result.stdout
    assert "8 due, 3 overdue" in out  # the catalogue's items not yet disclosed, a term ending
    assert "2026-10-20 (10 days late)" in out
    for words in (
        "常规工作每季度末更新一次",
        "重大事项及群众关心的热点问题处理情况要及时公开",
        "重要工作进展情况、重要事项的办理及落实结果应跟踪公开",
        "在充分听取群众意见后……调整形成正式方案后及时公开",
        "对署真实姓名举报……视情况将处理结果告知举报人",
    ):
        assert out.count(words) == 1, (words, out)
    assert "欧阳明轩" not in result.output  # the due list never names a reporter
    assert result.stderr.count("not yet published 2027's holiday arrangement") == 1


ONE_ITEM = """version: 1
categories:
  - slug: zuzhi-jianshe
    code: ZZ
    zh: 组织建设
    en: Organisation
    items:
      - {code: ZZ09, slug: party-structure, zh: 党组织机构设置情况, en: Party structure,
         scope: internal, cadence: standing}
"""


def test_nothing_due(office: Office):
    # an office whose catalogue is one standing item, disclosed this year
    office.write("schemas/catalogue.yaml", ONE_ITEM)
    commit_as(office.root, "linht", "catalogue", "schemas", date=at(1, month=9))
    published(office, now=at(1), item="party-structure", title="党组织机构设置情况")
    result = ok(office, "due", now=at(5))
    assert "Nothing is due on 2026-10-05." in result.stdout
    assert json.loads(ok(office, "due", "--json", now=at(5)).stdout) == []


# --- due --on -----------------------------------------------------------------------------


def test_due_on_a_past_day_uses_the_office_as_it_stood_then(office: Office):
    quarter_record(office, "2026Q2", now=at(3, month=7))
    rid = quarter_record(office, "2026Q3", now=at(8), publish=False)
    ok(office, "submit", rid, now=at(8, 11))
    ok(office, "approve", rid, as_="zhoulx", now=at(9, 9))
    ok(office, "publish", rid, now=at(9, 10))

    def q3(on: str) -> list[tuple]:
        rows = due(office, "--on", on, now=at(12))
        return [(r["subject"], r["status"]) for r in rows if r["since"] == "2026-09-30"]

    assert q3("2026-10-07") == [("ZZ16 2026Q3", None)]  # not yet drafted
    assert q3("2026-10-08") == [(rid, "submitted")]
    assert q3("2026-10-09") == []  # published that day
    assert q3("2026-10-12") == []
    # and at HEAD the published update is not owed either
    assert [r for r in due(office, now=at(12)) if r["since"] == "2026-09-30"] == []


def test_due_on_a_past_day_ignores_a_report_logged_later(office: Office):
    rid = subject_record(office)
    ok(office, "report", "new", "--about", rid, "--text", "反映", "--name", "欧阳明轩", now=at(9))
    answer(office, 101, now=at(12))
    assert due(office, "--on", "2026-10-08", now=at(13)) == []
    assert [r["report"] for r in due(office, "--on", "2026-10-09", now=at(13))] == [101]
    assert [r["report"] for r in due(office, "--on", "2026-10-11", now=at(13))] == [101]
    assert due(office, "--on", "2026-10-12", now=at(13)) == []


def test_due_on_a_future_day(office: Office):
    timely(office, "2026-09-25", now=at(5))
    rows = due(office, "--on", "2026-10-30", now=at(5, 11))
    assert [(r["due"], r["overdue"], r["days_late"]) for r in rows] == [("2026-10-29", True, 1)]


def test_due_on_a_day_before_the_office_existed(office: Office):
    before = office.state()
    result = office.run("due", "--on", "2025-12-31", now=at(5))
    assert result.exit_code == 1, result.output
    assert "no commits by 2025-12-31" in result.stderr
    assert "Traceback" not in result.output
    assert office.state() == before


def test_due_on_a_bad_date_is_a_usage_error(office: Office):
    before = office.state()
    result = office.run("due", "--on", "10月30日")
    assert result.exit_code == 2, result.output
    assert "--on: '10月30日' is not a real date" in result.stderr
    assert "Traceback" not in result.output
    assert office.state() == before


# --- a year the holiday calendar does not know --------------------------------------------


def test_the_unknown_year_is_noted_once(office: Office):
    for event in ("2026-12-10", "2026-12-14", "2026-12-15"):
        timely(office, event, now=at(16, month=12), title=f"活动{event}")
    result = ok(office, "due", now=at(16, 11, month=12))
    assert "5 due, 0 overdue" in result.stdout  # the catalogue's silent items, a term ending
    assert result.stderr.count("not yet published 2027's holiday arrangement") == 1, result.stderr
    assert "2027" not in result.stdout.replace("2027-01", "")  # the note is not on stdout
    # 2027's statutory holidays stand: Friday 2027-01-01 (元旦) is not a working day
    rows = due(office, "--json", now=at(16, 11, month=12))
    assert [r["due"] for r in rows] == ["2027-01-08", "2027-01-12", "2027-01-13"]
    assert all(r["holidays_guessed"] for r in rows)


def test_no_note_when_every_deadline_is_in_a_known_year(office: Office):
    timely(office, "2026-09-25", now=at(5))
    result = ok(office, "due", now=at(5, 11))
    assert "does not know" not in result.output


def test_the_offices_own_holidays_move_a_deadline_in_an_unknown_year(office: Office):
    rules(office, "holidays: ['2027-01-01']", "workdays: ['2027-01-09']")
    for event in ("2026-12-10", "2026-12-11"):
        timely(office, event, now=at(16, month=12), title=f"活动{event}")
    rows = due(office, now=at(16, 11, month=12))
    # 01-01 is off, 01-09 (a Saturday) is worked; by weekdays alone: 01-07 and 01-08
    assert [r["due"] for r in rows] == ["2027-01-08", "2027-01-09"]
    result = ok(office, "due", now=at(16, 11, month=12))
    assert result.stderr.count("not yet published 2027's holiday arrangement") == 1


@pytest.mark.parametrize("now", ["2026-11-26T10:00:00+08:00", "2026-10-21T10:00:00+08:00"])
def test_stats_counts_as_overdue_what_due_lists_as_overdue(audited_demo, tmp_path, now: str):
    """stats and due agree in numbers, kind by kind, and in words: what is out late
    is 'published late', what is not out by its deadline is 'overdue'."""
    from conftest import copy_demo

    office = Office(copy_demo(audited_demo, tmp_path / "office"))
    listed = due(office, now=now)
    kinds: dict[str, int] = {}
    for owed in listed:
        if owed["overdue"]:
            kinds[owed["kind"]] = kinds.get(owed["kind"], 0) + 1
    assert kinds, "the sample office owes something overdue on these days"
    figures = json.loads(office.run("stats", "--year", "2026", "--json", now=now).stdout)
    assert figures["overdue"] == kinds
    assert len(figures["quarterly"]["missing"]) == kinds.get("quarterly", 0)
    said = office.run("stats", "--year", "2026", now=now).stdout
    total = sum(kinds.values())
    assert f"{total} not done by their deadline" in said, said
    assert f"{kinds.get('quarterly', 0)} overdue and not yet published" in said, said


# --- artefacts: a circular issued, a meeting minuted, where the office asks [SPEC 12] -----

OUT = Summary(
    path="records/zhidu-jianshe/ZD-2026-101.yaml",
    blob="b1",
    id="ZD-2026-101",
    category="zhidu-jianshe",
    item="integrity-rules",
    title="机关廉洁自律若干规定",
    scope="internal",
    cadence="standing",
    status="published",
    channels=("circular", "meeting"),
    content="c2",
    published="2026-10-09T10:00:00+08:00",  # a Friday
    published_channels=("circular", "meeting"),
)
NOTHING = Papers({}, frozenset())


def artefacts_owed(
    summary: Summary = OUT, papers: Papers | None = NOTHING, days: int | None = 5
) -> list[tuple[str, str]]:
    found = owed_on(
        [summary],
        [],
        today=date(2026, 10, 30),
        calendar=Calendar(Rules(artefact_days=days)),
        catalogue=Catalogue((), Path("catalogue.yaml")),
        papers=papers,
    )
    return [(o.kind, o.due.isoformat()) for o in found.owed]


@pytest.mark.parametrize(
    ("case", "wanted"),
    [
        # 5 working days: Saturday 10 October is one (调休 for National Day)
        ({}, [("circular", "2026-10-15"), ("meeting", "2026-10-15")]),
        ({"days": None}, []),  # the office does not track them
        ({"papers": None}, []),
        ({"papers": Papers({OUT.id: frozenset({"c2"})}, frozenset())}, [("meeting", "2026-10-15")]),
        # a circular of an earlier text does not carry what was published
        (
            {"papers": Papers({OUT.id: frozenset({"c1"})}, frozenset({OUT.id}))},
            [("circular", "2026-10-15")],
        ),
        ({"summary": replace(OUT, published_channels=("intranet",))}, []),
        ({"summary": replace(OUT, status="withdrawn")}, []),
        ({"summary": replace(OUT, status="approved", published=None)}, []),
        ({"summary": replace(OUT, published="2026-11-02T10:00:00+08:00")}, []),  # not yet
    ],
)  # fmt: skip
def test_an_artefact_is_owed_until_it_is_produced(case: dict, wanted: list):
    assert artefacts_owed(**case) == wanted


def test_due_lists_a_circular_never_issued_and_a_meeting_never_minuted(
    audited_demo: Path, tmp_path
):
    demo = Office(copy_demo(audited_demo, tmp_path / "office"))
    now = "2026-12-03T10:00:00+08:00"
    before = {(r["kind"], r["subject"]) for r in due(demo, now=now)}
    assert not {k for k, _s in before} & {"circular", "meeting"}
    rules(demo, "artefact_days: 5", when=now)
    rows = due(demo, now=now)
    owed_now = {(r["kind"], r["subject"]) for r in rows}
    assert ("circular", "ZD-2026-102") in owed_now, rows
    row = next(r for r in rows if (r["kind"], r["subject"]) == ("circular", "ZD-2026-102"))
    assert row["rule"]["seed"] == "三(一)" and row["rule"]["zh"] == "印发党务公开信息"
    ok(demo, "circular", "ZD-2026-102", "--format", "docx", now=now)
    after = {(r["kind"], r["subject"]) for r in due(demo, now=now)}
    assert ("circular", "ZD-2026-102") not in after
    assert after == owed_now - {("circular", "ZD-2026-102")}


# --- the catalogue's items with nothing disclosed in the year [SPEC 13] -------------------

RULES_ITEM = Item(
    "ZD06",
    "integrity-rules",
    "廉洁自律规定",
    "Integrity rules",
    "public",
    "standing",
    "zhidu-jianshe",
)
DUES_ITEM = Item("ZD07", "dues", "党费", "Dues", "internal", "quarterly", "zhidu-jianshe")
SMALL = Catalogue(
    (Category("zhidu-jianshe", "ZD", "制度建设", "Rules", (RULES_ITEM, DUES_ITEM)),),
    Path("catalogue.yaml"),
)


def silent(*summaries: Summary, as_of: date = date(2026, 12, 1)) -> list[str]:
    return [i.code for i in silent_items(summaries, SMALL, 2026, as_of)]


def of(item: Item, **changes: object) -> Summary:
    return replace(OUT, item=item.slug, cadence=item.cadence, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("summaries", "wanted"),
    [
        ((), ["ZD06", "ZD07"]),
        ((of(DUES_ITEM, published="2026-04-10T10:00:00+08:00"),), ["ZD06"]),
        # a standing rule published before the year and still in force speaks for it
        ((of(RULES_ITEM, published="2025-03-01T10:00:00+08:00"),), ["ZD07"]),
        (
            (of(RULES_ITEM, published="2025-03-01T10:00:00+08:00", status="withdrawn",
                withdrawn="2025-12-30T10:00:00+08:00"),),
            ["ZD06", "ZD07"],
        ),
        # withdrawn during the year: it stood for part of it
        (
            (of(RULES_ITEM, published="2025-03-01T10:00:00+08:00", status="withdrawn",
                withdrawn="2026-02-01T10:00:00+08:00"),),
            ["ZD07"],
        ),
        ((of(DUES_ITEM, published="2025-10-10T10:00:00+08:00"),), ["ZD06", "ZD07"]),
        ((of(DUES_ITEM, status="consulting", published=None,
             consulted="2026-11-02T10:00:00+08:00"),), ["ZD06"]),
        ((of(DUES_ITEM, published="2026-12-02T10:00:00+08:00"),), ["ZD06", "ZD07"]),  # later
        ((of(DUES_ITEM, status="draft", published=None),), ["ZD06", "ZD07"]),
    ],
)  # fmt: skip
def test_an_item_is_silent_when_nothing_of_it_was_disclosed_in_the_year(summaries, wanted):
    assert silent(*summaries) == wanted


def test_due_and_stats_name_the_items_silent_this_year(office: Office):
    rid = published(office, now=at(4, month=7, hour=12))
    rows = due(office, now=at(1, month=8), silent=True)
    line = next(r for r in rows if r["kind"] == "catalogue")
    assert line["subject"] == "2026" and line["due"] == "2026-12-31", line
    assert line["title"] == "49 items: MB01 MB02 MB03 MB04 MB05 …", line
    assert len(line["items"]) == 49 and "ZZ16" not in line["items"], line
    figures = json.loads(ok(office, "stats", "--year", "2026", "--json", now=at(1, month=8)).stdout)
    codes = [i["code"] for i in figures["silent_items"]]
    assert len(codes) == 49 and "ZZ16" not in codes and codes[0] == "MB01", codes
    assert rid
