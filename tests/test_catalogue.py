"""The disclosure catalogue: the seed's six categories and fifty item types."""

from __future__ import annotations

import json
import subprocess

import pytest
from conftest import commit_as, need_pdf

from dangwu import yamlio
from dangwu.model.catalogue import from_data
from dangwu.resources import shipped

SEED_TABLE = [
    ("mubiao-renwu", "MB", "目标任务", 5),
    ("sixiang-jianshe", "SX", "思想建设", 4),
    ("zuzhi-jianshe", "ZZ", "组织建设", 17),
    ("zuofeng-jianshe", "ZF", "作风建设", 14),
    ("zhidu-jianshe", "ZD", "制度建设", 7),
    ("gongzuo-dongtai", "DT", "工作动态", 3),
]


def shipped_catalogue():
    path = shipped("schemas", "catalogue.yaml")
    return from_data(yamlio.load(path.read_text("utf-8")).data, path)


def test_categories_follow_the_seed_in_order():
    catalogue = shipped_catalogue()
    assert [(c.slug, c.code, c.zh, len(c.items)) for c in catalogue] == SEED_TABLE


# Section 二 of the seed, item lists verbatim (separated by ，).
SEED_ITEMS = {
    "MB": "年度党建工作计划，司法行政工作规划，年度司法行政工作目标和阶段性工作重点，"
    "司法行政重点政策措施，热点司法行政工作开展情况",
    "SX": "党组中心组学习计划及落实情况，局直属机关党委学习计划及落实情况，年度党建主题活动情况，"
    "年度文明机关创建情况",
    "ZZ": "局党组(党委)议事规则及执行情况，领导班子成员工作分工情况，党组成员民主生活会和整改情况，"
    "领导班子成员民主测评情况，领导班子后备干部情况，科级干部选拔任用情况，人员录用情况，"
    "工作人员年度考核和奖惩情况，党组织机构设置情况，局党组以及直属机关党委成员工作分工情况，"
    "党组织和党员队伍建设情况，党组织选举情况，党员发展情况，入党积极分子培养情况，"
    "年度民主评议党员情况，党费收缴管理情况，党建目标管理考核情况",
    "ZF": "领导干部党风廉政建设责任制情况，领导干部述职述廉报告及民主测评情况，"
    "领导干部重大事项报告情况，干部出国出境、跨省考察情况，有无用公款为自己或亲友购买商业保险的情况，"
    "有无家属子女在自己分管的职权范围内经商办企业的情况，有无拖欠公款或将公款借给亲友的情况，"
    "党风党纪违纪案件查处情况，群众来信来访调查情况，群众反映热点问题的处理情况，"
    "行业不正之风纠正情况，人大议案、政协提案办理情况，作风建设的重要举措，年度财务预算情况",
    "ZD": "局信访接待制度，领导干部信访接待日安排，首问责任制和责任追究制，"
    "限时服务制、文明接待制、党务政务公开督查制度，廉洁自律规定，机关党建工作责任制，"
    "特邀党务公开监督员制度",
    "DT": "局党组会重要议程及决定，局直属机关党委会重要议程及决定，重要党建活动",
}


def test_items_are_the_seeds_in_the_seeds_order():
    catalogue = shipped_catalogue()
    for code, items in SEED_ITEMS.items():
        assert [i.zh for i in catalogue.category(code).items] == items.split("，")
    party_dues = catalogue.category("ZZ").item("party-dues")
    assert (party_dues.code, party_dues.zh) == ("ZZ16", "党费收缴管理情况")
    codes = [i.code for c in catalogue for i in c.items]
    assert len(codes) == len(set(codes)) == 50
    assert all(i.en and i.slug for c in catalogue for i in c.items)


def test_defaults_follow_seed_timing_rules():
    catalogue = shipped_catalogue()
    # rules and institutions are standing; recurring work quarterly; hot issues timely
    assert {i.cadence for i in catalogue.category("ZD").items} <= {"standing", "quarterly"}
    assert catalogue.category("ZZ").item("party-dues").cadence == "quarterly"
    assert catalogue.category("ZF").item("hot-issues").cadence == "timely"
    assert all(i.scope in ("internal", "public") for c in catalogue for i in c.items)
    cadences = {i.cadence for c in catalogue for i in c.items}
    assert cadences == {"standing", "quarterly", "timely", "follow-up"}


@pytest.mark.parametrize("ref", ["zuzhi-jianshe", "ZZ", "zz", "组织建设"])
def test_category_by_slug_code_or_name(ref):
    assert shipped_catalogue().category(ref).slug == "zuzhi-jianshe"


@pytest.mark.parametrize("ref", ["party-dues", "ZZ16", "16", "党费收缴管理情况"])
def test_item_by_slug_code_number_or_name(ref):
    assert shipped_catalogue().category("ZZ").item(ref).slug == "party-dues"


def test_unknown_item_suggests_the_near_miss(office):
    result = office.run("catalogue", "zuzhi-jianshe", "--json")
    assert result.exit_code == 0
    result = office.run("new", "ZZ", "--item", "party-dus", "--title", "t", "--period", "2026Q3")
    assert result.exit_code == 2
    assert "did you mean 'party-dues'?" in result.output


def test_catalogue_command_prints_every_category(office):
    result = office.run("catalogue")
    assert result.exit_code == 0
    for slug, code, zh, _count in SEED_TABLE:
        assert zh in result.stdout and code in result.stdout and slug in result.stdout
    assert "党费收缴管理情况" in result.stdout


def test_catalogue_json_has_all_items(office):
    result = office.run("catalogue", "--json")
    data = json.loads(result.stdout)
    assert [len(c["items"]) for c in data] == [5, 4, 17, 14, 7, 3]
    assert data[2]["items"][15] == {
        "code": "ZZ16",
        "slug": "party-dues",
        "zh": "党费收缴管理情况",
        "en": "Collection and management of party dues",
        "scope": "internal",
        "cadence": "quarterly",
        "channels": [],
        "days": None,
        "time_limit": None,
        "department": "直属机关党委",
        "basis": "实施意见二、3",
    }


def test_catalogue_works_outside_an_office(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from dangwu.cli import app

    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["catalogue", "ZD"])
    assert result.exit_code == 0
    assert "廉洁自律规定" in result.stdout


def test_unknown_category_is_refused_with_choices(office):
    result = office.run("catalogue", "zuzi")  # ("zuzhi" is the start of one: taken)
    assert result.exit_code == 2
    assert "not a category" in result.output


def test_office_catalogue_overrides_the_shipped_one(office):
    text = shipped("schemas", "catalogue.yaml").read_text("utf-8")
    office.write("schemas/catalogue.yaml", text.replace("党费收缴管理情况", "党费收缴使用管理情况"))
    result = office.run("catalogue", "ZZ")
    assert "党费收缴使用管理情况" in result.stdout


# --- the 党务公开目录: form, time limit, department and basis per item [SPEC 13] ----------


def own_catalogue(office, *replacements: tuple[str, str]) -> None:
    """The office's own catalogue: the shipped one with ``replacements``, committed."""
    text = shipped("schemas", "catalogue.yaml").read_text("utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    office.write("schemas/catalogue.yaml", text)
    commit_as(office.root, "linht", "catalogue", "schemas")


DUES = "party dues, scope: internal, cadence: quarterly}"  # the end of ZZ16's line
DUES_OWN = (
    "party dues, scope: internal, cadence: quarterly, channels: [internal-board, meeting], "
    "days: 5, department: 机关党委组织科, basis: 党费工作规定}"
)
PUBLIC_DUES = (
    "party dues, scope: internal, cadence: quarterly, channels: [internal-board, website]}"
)


def test_an_items_own_form_and_time_limit_are_what_a_new_record_takes(office):
    own_catalogue(office, (DUES, DUES_OWN))
    rid = office.new()
    shown = json.loads(office.run("show", rid, "--json").stdout)
    assert shown["channels"] == ["internal-board", "meeting"]
    # a record of another scope than the item's takes the office's channels for it
    other = office.new("--scope", "public", "--period", "2026Q2")
    assert json.loads(office.run("show", other, "--json").stdout)["channels"] == [
        "public-board",
        "website",
    ]
    # the item's 5 days, not the office's 10: 2026Q3 is due 5 working days after 30 Sept,
    # across National Day (1-8 October) and the weekend
    rows = json.loads(office.run("due", "--json", now="2026-10-01T09:00:00+08:00").stdout)
    dues = next(r for r in rows if r["subject"] == rid)
    assert dues["due"] == "2026-10-13", dues


def test_an_internal_item_with_a_public_channel_is_refused_where_it_is(office):
    own_catalogue(office, (DUES, PUBLIC_DUES))
    result = office.run("catalogue")
    assert result.exit_code in (1, 2), result.output
    line = next(n for n, t in enumerate(office.read("schemas/catalogue.yaml").splitlines(), 1)
                if "party-dues" in t)  # fmt: skip
    assert f"schemas/catalogue.yaml:{line}:" in result.stderr, result.stderr
    assert "website is a public channel, but the item is internal" in result.stderr
    assert "Traceback" not in result.output


def test_the_catalogue_prints_as_offices_post_it(office, tmp_path):
    need_pdf()
    own_catalogue(office, (DUES, DUES_OWN))
    said = office.run("catalogue", "--format", "html", "-o", str(tmp_path / "c.html"))
    assert said.exit_code == 0, said.output
    assert "the catalogue of 50 items" in said.stdout
    page = (tmp_path / "c.html").read_text("utf-8")
    row = page[page.index("ZZ16") :].split("</tr>")[0]
    for shown in ("党费收缴管理情况", "党内公开", "内部党务公开栏、党务公开会议",
                  "每季度结束后5个工作日内", "机关党委组织科", "党费工作规定"):  # fmt: skip
        assert shown in row, (shown, row)
    # an item without its own: the office's channels, its rules' days, its category's
    row = page[page.index("MB05") :].split("</tr>")[0]
    assert "事项发生后20个工作日内" in row and "局办公室" in row and "实施意见二、1" in row
    assert page.count("<tr><td>") == 50
    printed = office.run("catalogue", "--format", "pdf", "-o", str(tmp_path / "c.pdf"))
    assert printed.exit_code == 0, printed.output
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "c.pdf"), "-"], capture_output=True, text=True
    ).stdout
    assert "党务公开目录" in text and "ZZ16" in text and "ZF14" in text
    assert "党费工作规定" in text.replace("\n", ""), text
    wrong = office.run("catalogue", "--format", "docx")
    assert wrong.exit_code == 2 and "--format must be one of" in wrong.stderr


def test_a_clerk_who_loosens_an_items_time_limit_with_plain_git_is_caught(office):
    """An item's days move its deadlines in due, stats and the dossier: changing the
    catalogue is for those who may change the settings."""
    text = shipped("schemas", "catalogue.yaml").read_text("utf-8")
    office.write("schemas/catalogue.yaml", text.replace(DUES, DUES.replace("}", ", days: 90}")))
    commit_as(office.root, "dumy", "catalogue", "schemas")
    said = office.run("audit", env={"DANGWU_LANG": "en"})
    assert said.exit_code == 1, said.output
    assert "[role] schemas/catalogue.yaml was changed by someone who may not" in said.stdout
