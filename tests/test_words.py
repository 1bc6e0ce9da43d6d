"""What people type, read as codes, days, quarters and people (dangwu/model/words.py):
the pure readers, table-driven, and the commands that use them."""

from __future__ import annotations

import json
from datetime import date

import pytest
from conftest import Office

from dangwu.errors import UsageError
from dangwu.model.catalogue import CHANNEL_TITLES, SCOPE_TITLES
from dangwu.model.office import ROLE_TITLES, Person
from dangwu.model.record import OUTCOME_TITLES
from dangwu.model.words import code_of, day, one_of, person, quarter, typing_distance
from dangwu.rules.workflow import STATUS_TITLES

# --- codes -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("titles", "typed", "code"),
    [
        (SCOPE_TITLES, "public", "public"),
        (SCOPE_TITLES, "PUBLIC", "public"),
        (SCOPE_TITLES, "社会公开", "public"),
        (SCOPE_TITLES, " 党内公开 ", "internal"),
        (SCOPE_TITLES, "党内", "internal"),  # the start of one name
        (SCOPE_TITLES, "pub", "public"),
        (CHANNEL_TITLES, "党务公开会议", "meeting"),
        (CHANNEL_TITLES, "unit website", "website"),  # the English title
        (CHANNEL_TITLES, "单位对外网站", "website"),
        (STATUS_TITLES, "草稿", "draft"),
        (STATUS_TITLES, "已公开", "published"),
        (STATUS_TITLES, "征求", "consulting"),
        (ROLE_TITLES, "办公室工作人员", "clerk"),
        (ROLE_TITLES, "office head", "office-head"),
        (ROLE_TITLES, "组长", "leader"),
        (OUTCOME_TITLES, "决定公开", "publish"),
        (OUTCOME_TITLES, "不予公开", "withhold"),
        (OUTCOME_TITLES, "退回", "revise"),
    ],
)
def test_a_code_is_read_from_its_names(titles, typed, code):
    assert one_of("--x", typed, titles) == code
    assert code_of(typed, titles) == code


@pytest.mark.parametrize(
    ("titles", "typed", "said", "hint"),
    [
        (STATUS_TITLES, "已", "could be submitted (已报送), decided", "type more of it"),
        (SCOPE_TITLES, "publik", "is not one of internal (党内公开), public (社会公开)", "public"),
        (STATUS_TITLES, "publishd", "is not one of draft (草稿)", "published (已公开)"),
        (ROLE_TITLES, "clerck", "is not one of leader (组长)", "clerk (办公室工作人员)"),
        (SCOPE_TITLES, "", "is not one of", None),
        (SCOPE_TITLES, "xyz", "is not one of", None),
    ],
)
def test_a_code_not_named_is_refused_with_the_chinese_names(titles, typed, said, hint):
    with pytest.raises(UsageError) as refused:
        one_of("--x", typed, titles)
    assert refused.value.message.startswith(f"--x: '{typed}' ")
    assert said in refused.value.message
    if hint is None:
        assert refused.value.hint is None or "did you mean" not in refused.value.hint
    else:
        assert hint in str(refused.value.hint)
    assert code_of(typed, titles) is None


# --- days and quarters --------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "2026-12-04",
        "2026-12-4",
        "2026/12/04",
        "2026.12.4",
        "20261204",
        "2026年12月4日",
        "2026年12月04日",
        "2026 年 12 月 4 日",
        "２０２６年１２月４日",  # full-width digits
        "二〇二六年十二月四日",
        "二零二六年十二月四号",
    ],
)
def test_a_day_is_read_from_its_chinese_forms(typed):
    assert day("--on", typed) == "2026-12-04"


@pytest.mark.parametrize(
    ("typed", "iso"),
    [("2026年10月25日", "2026-10-25"), ("二〇二六年十月三十一日", "2026-10-31")],
)
def test_tens_and_units_in_chinese_numerals(typed, iso):
    assert day("--on", typed) == iso


@pytest.mark.parametrize(
    "typed",
    ["2026-02-30", "2026年13月1日", "10月30日", "明天", "", "2026-12", "二〇二六年"],
)
def test_a_day_that_is_not_one_is_refused(typed):
    with pytest.raises(UsageError, match="is not a real date") as refused:
        day("--on", typed)
    assert "2026年12月4日" in str(refused.value.hint)


@pytest.mark.parametrize("typed", ["0026-01-01", "1899-12-31", "2200-01-01", "9999-12-31"])
def test_a_day_beyond_the_years_dangwu_keeps_is_refused_as_such(typed):
    with pytest.raises(UsageError, match="is outside the years dangwu keeps records of"):
        day("--on", typed)
    assert day("--on", "1900-01-01") == "1900-01-01" and day("--on", "2199-12-31")


@pytest.mark.parametrize(
    ("typed", "today", "iso"),
    [
        ("2026Q4", date(2026, 12, 2), "2026Q4"),
        ("2026q3", date(2026, 12, 2), "2026Q3"),
        ("2026-Q2", date(2026, 12, 2), "2026Q2"),
        ("2026年第四季度", date(2026, 12, 2), "2026Q4"),
        ("2026年四季度", date(2026, 12, 2), "2026Q4"),
        ("2026年第4季度", date(2026, 12, 2), "2026Q4"),
        ("二〇二六年第一季度", date(2026, 12, 2), "2026Q1"),
        ("四季度", date(2026, 12, 2), "2026Q4"),
        ("第一季度", date(2026, 12, 2), "2026Q1"),
        ("Q4", date(2026, 12, 2), "2026Q4"),
        # in January, the fourth quarter is last year's: this year's has not begun
        ("四季度", date(2027, 1, 10), "2026Q4"),
        ("一季度", date(2027, 1, 10), "2027Q1"),
    ],
)
def test_a_quarter_is_read_from_its_chinese_forms(typed, today, iso):
    assert quarter("--period", typed, today) == iso


@pytest.mark.parametrize("typed", ["2026Q5", "2026年第五季度", "季度", "2026", "四季", "Q0"])
def test_a_quarter_that_is_not_one_is_refused(typed):
    with pytest.raises(UsageError, match="is not a quarter"):
        quarter("--period", typed, date(2026, 12, 2))


# --- people -----------------------------------------------------------------------------

ROSTER = {
    "hanzg": Person("hanzg", "韩振国", "hanzg@example.org", ("leader",)),
    "sunhm": Person("sunhm", "孙慧敏", "sunhm@example.org", ("member",)),
    "wangl": Person("wangl", "王磊", "wangl@example.org", ("member",)),
    "wangl2": Person("wangl2", "王磊", "wangl2@example.org", ("clerk",)),
    "huangzj": Person("huangzj", "黄志坚", "huangzj@example.org", ("supervisor",)),
}


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("hanzg", "hanzg"),
        ("HanZG", "hanzg"),
        ("韩振国", "hanzg"),
        ("sunhm@example.org", "sunhm"),
        ("wangl2", "wangl2"),
        ("孙慧", "sunhm"),  # the start of one name
        ("hanz", "hanzg"),  # the start of one key
    ],
)
def test_a_person_is_read_from_key_name_or_email(typed, key):
    assert person("--attendee", typed, ROSTER) == key


@pytest.mark.parametrize(
    ("typed", "said", "hint"),
    [
        ("孙惠敏", "no one on the roster is called '孙惠敏'", "did you mean 'sunhm (孙慧敏)'?"),
        ("hanzh", "no one on the roster is called 'hanzh'", "did you mean 'hanzg (韩振国)'?"),
        # two letters swapped are one slip: nearer than huangzj, which looks alike
        ("hangz", "no one on the roster is called 'hangz'", "did you mean 'hanzg (韩振国)'?"),
        ("王", "names more than one person: wangl, wangl2", "roster key"),
        ("nobody", "no one on the roster is called 'nobody'", "dangwu roster list"),
        ("王磊", "names more than one person: wangl, wangl2", "roster key"),
    ],
)
def test_a_person_not_named_is_refused(typed, said, hint):
    with pytest.raises(UsageError) as refused:
        person("--attendee", typed, ROSTER)
    assert said in refused.value.message and hint in str(refused.value.hint)


@pytest.mark.parametrize(
    ("a", "b", "slips"),
    [
        ("hanzg", "hanzg", 0),
        ("hangz", "hanzg", 1),  # swapped
        ("hanz", "hanzg", 1),  # left out
        ("hanzgg", "hanzg", 1),  # added
        ("hanzh", "hanzg", 1),  # changed
        ("hangz", "huangzj", 2),
        ("", "abc", 3),
        ("ab", "", 2),
    ],
)
def test_typing_distance_counts_slips(a, b, slips):
    assert typing_distance(a, b) == slips == typing_distance(b, a)


# --- through the commands -----------------------------------------------------------------


def test_new_set_and_list_take_chinese_values(office: Office):
    rid = office.new(
        "--channel", "党务公开会议", "--scope", "党内公开", "--period", "2026年第三季度"
    )
    result = office.run(
        "set", rid, "scope=社会公开", "channels+=单位对外网站，对外党务公开栏", "period=二季度"
    )
    assert result.exit_code == 0, result.output
    text = office.read(f"records/zuzhi-jianshe/{rid}.yaml")
    assert "scope: public" in text and "period: 2026Q2" in text, text
    assert "channels: [meeting, website, public-board]" in text, text
    listed = json.loads(office.run("list", "--status", "草稿", "--scope", "社会", "--json").stdout)
    assert [r["id"] for r in listed] == [rid]
    assert json.loads(office.run("list", "--period", "2026年第二季度", "--json").stdout)
    assert not json.loads(office.run("list", "--status", "已公开", "--json").stdout)


def test_set_keeps_a_value_it_cannot_read_for_validation_to_place(office: Office):
    rid = office.new()
    before = office.state()
    result = office.run("set", rid, "scope=社会公布", "period=2026年第五季度")
    assert result.exit_code == 1, result.output
    assert "scope: '社会公布' is not one of" in result.stderr, result.output
    assert "'2026年第五季度'" in result.stderr, result.output
    assert f"records/zuzhi-jianshe/{rid}.yaml:" in result.stderr
    assert office.state() == before


def test_roster_roles_may_be_given_by_their_chinese_names(office: Office):
    result = office.run(
        "roster",
        "add",
        "zhangs",
        "--name",
        "张三",
        "--email",
        "zhangs@example.org",
        "--role",
        "办公室工作人员",
        "--role",
        "监督员",
        as_="linht",
    )
    assert result.exit_code == 0, result.output
    roster = {p["key"]: p for p in json.loads(office.run("roster", "list", "--json").stdout)}
    assert roster["zhangs"]["roles"] == ["clerk", "supervisor"]


def test_a_type_error_is_said_in_chinese(office: Office):
    office.write("records/zuzhi-jianshe/ZZ-2026-150.yaml", "id: ZZ-2026-150\ntitle: 2026\n")
    said = office.run("validate", env={"DANGWU_LANG": "zh_CN"}).output
    assert "应为文字" in said, said
    assert "text" not in said, said


# --- what a Chinese clerk typed in their first week (issue 14, second pass) --------------


def test_the_offices_own_channel_names_are_taken_back(office: Office):
    """show prints the office's own names of its channels (dangwu.yaml channels:):
    new, set and publish take them, and their unique starts."""
    rid = office.new("--channel", "机关内部党务公开栏", "--channel", "局机关内部")
    text = office.read(f"records/zuzhi-jianshe/{rid}.yaml")
    assert "channels: [internal-board, intranet]" in text, text
    done = office.run("set", rid, "channels-=局机关内部网", "channels+=党务公开会议")
    assert done.exit_code == 0, done.output
    assert "channels: [internal-board, meeting]" in office.read(f"records/zuzhi-jianshe/{rid}.yaml")
    # the start of two of them is asked about, and nothing changes
    before = office.state()
    said = office.run("set", rid, "channels+=局机关", env={"DANGWU_LANG": "zh_CN"})
    assert said.exit_code == 2, said.output
    assert (
        "intranet（局机关内部网）" in said.stderr
        and "public-board（局机关大院党务公开栏）" in said.stderr
    )
    assert office.state() == before


def test_a_chinese_name_written_in_the_file_is_answered_with_its_code(office: Office):
    rid = office.new()
    path = f"records/zuzhi-jianshe/{rid}.yaml"
    office.write(path, office.read(path).replace("scope: internal", "scope: 社会公开"))
    said = office.run("validate", env={"DANGWU_LANG": "zh_CN"})
    assert said.exit_code == 1
    assert "internal（党内公开）、public（社会公开）" in said.output, said.output
    assert "文件中请写代号：public（社会公开）" in said.output, said.output


@pytest.mark.parametrize(
    ("typed", "slug"),
    [("组织", "zuzhi-jianshe"), ("作风", "zuofeng-jianshe"), ("zz", "zuzhi-jianshe")],
)
def test_a_category_is_found_by_the_start_of_its_name(office: Office, typed: str, slug: str):
    listed = office.run("list", "--category", typed, "--json")
    assert listed.exit_code == 0, listed.output
    assert {r["category"] for r in json.loads(listed.stdout)} <= {slug}


def test_a_category_named_by_the_start_of_two_is_asked_about(office: Office):
    said = office.run("list", "--category", "z", env={"DANGWU_LANG": "zh_CN"})
    assert said.exit_code == 2, said.output
    assert "zuzhi-jianshe（组织建设）" in said.stderr and "zhidu-jianshe（制度建设）" in said.stderr


def test_an_item_is_found_by_the_start_of_its_name(office: Office):
    rid = office.new("--period", "2026Q3", item="党费", title="2026年第三季度党费收缴管理情况")
    assert "item: party-dues" in office.read(f"records/zuzhi-jianshe/{rid}.yaml")


def test_a_number_once_given_is_not_given_again_after_a_discard(office: Office):
    first = office.new("--summary", "摘要")
    assert office.run("discard", first).exit_code == 0
    second = office.new("--summary", "摘要")
    assert second != first
    assert int(second.rsplit("-", 1)[1]) == int(first.rsplit("-", 1)[1]) + 1


def test_a_title_naming_another_quarter_than_the_period_is_warned(office: Office):
    result = office.run(
        "new", "zuzhi-jianshe", "--item", "party-dues", "--title", "2026年第四季度党费收缴管理情况",
        "--summary", "摘要", "--period", "2026年第三季度", env={"DANGWU_LANG": "zh_CN"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "标题写的是2026年第四季度，而记录所属季度为2026年第三季度" in result.stderr
    quiet = office.run(
        "new", "zuzhi-jianshe", "--item", "party-dues", "--title", "2026年第三季度党费收缴管理情况",
        "--summary", "摘要", "--period", "2026Q3",
    )  # fmt: skip
    assert "the title names" not in quiet.stderr


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("discard", "ZZ-2026-101", "ZZ-2026-102"), "多余的参数：'ZZ-2026-102'"),
        (("stats", "--year", "abc"), "--year：“abc”不是年份"),
        (("report", "show", "abc"), "'abc' 不是整数"),
    ],
)
def test_click_s_own_refusals_are_said_in_chinese(office: Office, args: tuple[str, ...], said: str):
    result = office.run(*args, env={"DANGWU_LANG": "zh_CN"})
    assert result.exit_code == 2, result.output
    assert said in result.stderr, result.stderr
    assert "Got unexpected" not in result.stderr and "valid int" not in result.stderr


@pytest.mark.parametrize("typed", ["2026", "2026年", "二〇二六年", "２０２６"])
def test_stats_takes_a_year_as_chinese_writes_it(office: Office, typed: str):
    result = office.run("stats", "--year", typed, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["span"] == "2026"
