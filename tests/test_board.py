"""The printed outputs [SPEC section 7]: the notice board on a date, its sheets, the
quarterly bulletin, verification codes, hostile record text, templates and PDF.

Offices are built through the CLI, once per module where the tests only read them
(outputs are made from committed state, so reading never changes an office);
tests that change an office work on a copy. HTML is parsed with the standard
library's parser, never matched as a string where structure matters.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from conftest import Office, Result, commit_as, dangwu_process, isolate, make_office, need_pdf
from hypothesis import given, settings
from hypothesis import strategies as st

from dangwu.errors import UsageError

UNIT = "江城市司法局"
BOARD_TITLE = "党务公开栏"
CONTACT = (
    "监督电话：0000-1234567（局党务公开办公室）　举报信箱：jubao@example.org　"
    "地址：江城市人民路88号"
)
SUPERVISORS = "党务公开监督员：陈淑华、黄志坚"
CATALOGUE_ORDER = ["目标任务", "思想建设", "组织建设", "作风建设", "制度建设", "工作动态"]
CODE = re.compile(r"\b[0-9a-f]{8}-[IP][A-Z]{2,4}\d{1,3}-\d{6}-[A-Z0-9]{5}\b")


def at(md: str, hour: int = 10, minute: int = 0) -> str:
    """A moment of 2026 in the office's zone: at("09-15", 18) is 2026-09-15 18:00."""
    return f"2026-{md}T{hour:02d}:{minute:02d}:00+08:00"


def ok(office: Office, *args: str, **kw: Any) -> Result:
    result = office.run(*args, **kw)
    assert result.exit_code == 0, (args, result.output)
    return result


def publish(
    office: Office,
    md: str,
    *extra: str,
    category: str,
    item: str,
    title: str,
    summary: str = "摘要。",
    body: str = "正文。",
    hour: int = 10,
) -> str:
    """A record taken through new → submit → approve (周立新) → publish on day ``md``."""
    rid = office.new(
        "--summary",
        summary,
        "--body",
        body,
        *extra,
        category=category,
        item=item,
        title=title,
        now=at(md, hour, 0),
    )
    ok(office, "submit", rid, now=at(md, hour, 1))
    ok(office, "approve", rid, as_="zhoulx", now=at(md, hour, 2))
    ok(office, "publish", rid, now=at(md, hour, 3))
    return rid


@contextlib.contextmanager
def building(folder: Path) -> Iterator[None]:
    """The environment of a module-scoped office's construction: what the per-test
    ``isolated_git`` fixture gives, which module fixtures are set up before."""
    with pytest.MonkeyPatch.context() as mp:
        isolate(mp, folder)
        yield


def copy_of(office: Office, target: Path) -> Office:
    shutil.copytree(office.root, target, symlinks=True)
    return Office(target)


# --- HTML, parsed ------------------------------------------------------------------------

VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track"}
    | {"wbr"}
)


@dataclass
class Node:
    tag: str
    attrs: dict[str, str | None]
    children: list[Any] = field(default_factory=list)

    @property
    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def walk(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.walk()

    def all(self, tag: str | None = None, cls: str | None = None) -> list[Node]:
        return [
            n
            for n in self.walk()
            if (tag is None or n.tag == tag) and (cls is None or cls in n.classes)
        ]

    def one(self, tag: str | None = None, cls: str | None = None) -> Node:
        found = self.all(tag, cls)
        assert len(found) == 1, (tag, cls, len(found))
        return found[0]


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html: str) -> Node:
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder.root


@dataclass
class EntryView:
    id: str
    title: str
    meta: str
    text: str
    consulting: bool
    deadline: str


@dataclass
class SheetView:
    heading: str
    unit: str
    board: str
    scope: str
    date: str
    code: str
    footer: list[str]
    entries: list[EntryView]

    @property
    def category(self) -> str:
        return self.heading.split("（")[0]


def sheets_of(html: str) -> list[SheetView]:
    out = []
    for section in parse(html).all("section", "sheet"):
        headings = section.all("h2")
        entries = []
        for entry in section.all("div", "entry"):
            titles, texts = entry.all("p", "title"), entry.all("p", "text")
            assert len(titles) == 1 and len(texts) == 1, "an entry without its title or text"
            meta = entry.one("p", "meta").text()
            deadline = entry.all(cls="deadline")
            entries.append(
                EntryView(
                    id=meta.split(" · ")[1],
                    title=titles[0].text(),
                    meta=meta,
                    text=texts[0].text(),
                    consulting="consult" in entry.classes or bool(entry.all(cls="tag")),
                    deadline=deadline[0].text() if deadline else "",
                )
            )
        codes = section.all(cls="code")
        dates = section.all(cls="date")
        out.append(
            SheetView(
                heading=headings[0].text() if headings else "",
                unit=section.one(cls="masthead").one(cls="unit").text(),
                board=section.one(cls="masthead").one(cls="board").text(),
                scope=section.one(cls="masthead").one(cls="scope").text(),
                date=dates[0].text() if dates else "",
                code=codes[0].text().strip() if codes else "",
                footer=[p.text().strip() for f in section.all("footer") for p in f.all("p")],
                entries=entries,
            )
        )
    return out


def board_ids(html: str) -> list[str]:
    return [e.id for s in sheets_of(html) for e in s.entries]


def render_board(
    office: Office,
    out: Path,
    *,
    scope: str = "public",
    on: str | None = None,
    now: str,
    fmt: str = "html",
) -> tuple[Result, Path]:
    args = ["board", "--scope", scope, "--format", fmt, "-o", str(out)]
    if on is not None:
        args += ["--on", on]
    result = ok(office, *args, now=now)
    found = sorted(out.glob(f"*.{fmt}"))
    assert len(found) == 1, (found, result.output)
    return result, found[0]


def printed_codes(result: Result) -> list[str]:
    return [m.group() for line in result.stdout.splitlines()[1:] for m in CODE.finditer(line)]


# --- 1. what is on the board on a date ----------------------------------------------------

SEL_TODAY = at("12-10", 12)


def _build_selection(office: Office) -> dict[str, str]:
    ids: dict[str, str] = {}
    both = ("--channel", "public-board", "--channel", "website", "--channel", "internal-board")
    zd, mb, dt = "zhidu-jianshe", "mubiao-renwu", "gongzuo-dongtai"
    ids["S_OLD"] = publish(
        office,
        "07-01",
        *both,
        category=zd,
        item="integrity-rules",
        title="廉洁自律规定（2025年版）",
    )
    ids["Q2"] = publish(
        office,
        "07-05",
        "--period",
        "2026Q2",
        category=mb,
        item="annual-goals",
        title="2026年第二季度工作目标",
    )
    ids["T_OLD"] = publish(
        office,
        "07-10",
        "--event-date",
        "2026-07-08",
        category=dt,
        item="party-activities",
        title="七月主题党日活动",
    )
    ids["I_STD"] = publish(
        office,
        "08-01",
        category="zuzhi-jianshe",
        item="party-structure",
        title="党组织机构设置情况",
    )
    ids["P_WEB"] = publish(
        office,
        "08-01",
        "--channel",
        "website",
        category=zd,
        item="petition-reception",
        title="局信访接待制度",
        hour=11,
    )
    ids["P_INT"] = publish(
        office,
        "08-01",
        "--channel",
        "internal-board",
        "--channel",
        "website",
        category=zd,
        item="first-contact-accountability",
        title="首问责任制和责任追究制",
        hour=12,
    )
    ids["FU"] = publish(
        office,
        "08-20",
        category="zuofeng-jianshe",
        item="sector-malpractice",
        title="行业不正之风纠正情况（跟踪）",
    )
    ids["S_NEW"] = publish(
        office,
        "09-01",
        *both,
        category=zd,
        item="integrity-rules",
        title="廉洁自律规定（2026年修订）",
    )
    ids["W"] = publish(office, "09-10", category=zd, item="service-standards", title="限时服务制度")
    ids["C_OLD"] = publish(
        office,
        "09-12",
        "--event-date",
        "2026-09-11",
        category=dt,
        item="party-activities",
        title="九月党建活动通报",
    )
    ids["C_NEW"] = publish(
        office,
        "09-15",
        "--event-date",
        "2026-09-11",
        "--follows",
        ids["C_OLD"],
        category=dt,
        item="party-activities",
        title="九月党建活动通报（更正）",
        body="参加人数由<b>30</b>人更正为35人。",
        hour=18,
    )
    ok(
        office,
        "withdraw",
        ids["W"],
        "--reason",
        "内容有误，另行发布",
        as_="zhoulx",
        now=at("09-20", 16),
    )
    ids["Q3"] = publish(
        office,
        "10-05",
        "--period",
        "2026Q3",
        "--follows",
        ids["Q2"],
        category=mb,
        item="annual-goals",
        title="2026年第三季度工作目标",
    )
    ids["R4"] = publish(
        office,
        "10-08",
        "--period",
        "2026Q4",
        category=zd,
        item="reception-days",
        title="第四季度领导干部信访接待日安排",
    )
    # never published: a draft, a submitted and an approved record, all for the public board
    ids["D_DRAFT"] = office.new(
        "--summary", "草稿。", category=mb, item="work-programme", title="草稿规划", now=at("10-12")
    )
    ids["D_SUB"] = office.new(
        "--summary",
        "报送。",
        category=mb,
        item="key-policies",
        title="已报送政策",
        now=at("10-12", 11),
    )
    ok(office, "submit", ids["D_SUB"], now=at("10-12", 11, 1))
    ids["D_APP"] = office.new(
        "--summary",
        "已审核。",
        "--follows",
        ids["S_NEW"],
        category="zuofeng-jianshe",
        item="annual-budget",
        title="已审核预算",
        now=at("10-12", 12),
    )
    ok(office, "submit", ids["D_APP"], now=at("10-12", 12, 1))
    ok(office, "approve", ids["D_APP"], as_="zhoulx", now=at("10-12", 12, 2))
    ids["PD"] = publish(
        office,
        "11-18",
        "--pre-disclosure",
        category=zd,
        item="supervisor-system",
        title="特邀党务公开监督员制度（征求意见稿）",
        summary="初步方案，欢迎提出意见。",
    )
    ids["R3"] = publish(  # a late update for an older quarter
        office,
        "11-20",
        "--period",
        "2026Q3",
        category=zd,
        item="reception-days",
        title="第三季度领导干部信访接待日安排（补发）",
    )
    return ids


@pytest.fixture(scope="module")
def sel(tmp_path_factory: pytest.TempPathFactory) -> tuple[Office, dict[str, str]]:
    folder = tmp_path_factory.mktemp("selection")
    with building(folder):
        office = make_office(folder / "office")
        ids = _build_selection(office)
    return office, ids


@pytest.fixture(scope="module")
def sel_boards(sel: tuple[Office, dict[str, str]], tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The selection office's boards, rendered once each: (scope, on) -> (result, html)."""
    office, _ids = sel
    cache: dict[tuple[str, str | None], tuple[Result, str]] = {}

    def get(scope: str, on: str | None) -> tuple[Result, str]:
        if (scope, on) not in cache:
            out = tmp_path_factory.mktemp("board")
            result, path = render_board(office, out, scope=scope, on=on, now=SEL_TODAY)
            cache[(scope, on)] = (result, path.read_text("utf-8"))
        return cache[(scope, on)]

    return get


BOARDS = [
    ("public", "2026-07-03", {"S_OLD"}),
    ("public", "2026-08-15", {"S_OLD", "Q2", "T_OLD"}),
    ("public", "2026-09-01", {"S_NEW", "Q2", "T_OLD", "FU"}),
    ("public", "2026-09-13", {"S_NEW", "Q2", "T_OLD", "FU", "W", "C_OLD"}),
    ("public", "2026-09-15", {"S_NEW", "Q2", "T_OLD", "FU", "W", "C_NEW"}),
    ("public", "2026-09-25", {"S_NEW", "Q2", "T_OLD", "FU", "C_NEW"}),
    ("public", "2026-10-01", {"S_NEW", "Q2", "T_OLD", "FU", "C_NEW"}),
    ("public", "2026-10-06", {"S_NEW", "Q3", "T_OLD", "FU", "C_NEW"}),
    ("public", "2026-10-20", {"S_NEW", "Q3", "R4", "FU", "C_NEW"}),
    ("public", "2026-11-20", {"S_NEW", "Q3", "R4", "C_NEW", "PD"}),
    ("public", "2026-12-02", {"S_NEW", "Q3", "R4", "C_NEW", "PD"}),
    ("public", "2026-12-03", {"S_NEW", "Q3", "R4", "C_NEW"}),
    ("public", None, {"S_NEW", "Q3", "R4", "C_NEW"}),
    ("internal", "2026-08-15", {"S_OLD", "I_STD", "P_INT"}),
    ("internal", None, {"S_NEW", "I_STD", "P_INT"}),
]


@pytest.mark.parametrize(("scope", "on", "expected"), BOARDS)
def test_what_is_on_the_board_on_a_date(
    sel: tuple[Office, dict[str, str]], sel_boards: Any, scope: str, on: str | None, expected: set
):
    """standing: the newest of its item; quarterly: the newest period; timely and
    follow-up: published within 90 days; pre-disclosure: in its window; never a
    withdrawn, replaced or unpublished record; only records for this board."""
    _office, ids = sel
    names = {rid: name for name, rid in ids.items()}
    result, html = sel_boards(scope, on)
    shown = board_ids(html)
    assert len(shown) == len(set(shown)), shown
    assert sorted(names.get(rid, rid) for rid in shown) == sorted(expected)
    assert f", {len(expected)} records," in result.stdout.splitlines()[0]
    day = on or SEL_TODAY[:10]
    y, m, d = (int(x) for x in day.split("-"))
    for sheet in sheets_of(html):
        assert sheet.date == f"公开日期：{y}年{m}月{d}日"


def test_a_correction_says_what_it_replaces(sel_boards: Any, sel):
    _office, ids = sel
    _result, html = sel_boards("public", None)
    meta = re.findall(r'<p class="meta">([^<]*)</p>', html)
    corrected = [m for m in meta if ids["C_NEW"] in m]
    assert corrected and corrected[0].endswith(f" · 接续 {ids['C_OLD']}"), meta
    assert sum("接续" in m for m in meta) == 2  # C_NEW and Q3, nothing else


def test_a_timely_record_stays_for_the_recent_days_and_then_goes(sel_boards: Any, sel):
    _office, ids = sel
    # published 2026-07-10; rules.board_recent_days is 90
    assert ids["T_OLD"] in board_ids(sel_boards("public", "2026-10-01")[1])  # day 83
    assert ids["T_OLD"] not in board_ids(sel_boards("public", "2026-10-20")[1])  # day 102
    # a follow-up record likewise: published 2026-08-20
    assert ids["FU"] in board_ids(sel_boards("public", "2026-10-20")[1])  # day 61
    assert ids["FU"] not in board_ids(sel_boards("public", "2026-11-20")[1])  # day 92


def test_a_pre_disclosure_in_its_window_is_marked_with_its_closing_date(sel_boards: Any, sel):
    _office, ids = sel
    for on in ("2026-11-20", "2026-12-02"):
        entries = [e for s in sheets_of(sel_boards("public", on)[1]) for e in s.entries]
        (entry,) = [e for e in entries if e.id == ids["PD"]]
        assert entry.consulting
        assert entry.title.startswith("征求意见")
        assert "公布于2026年11月18日" in entry.meta
        assert "2026年12月2日" in entry.deadline
        others = [e for e in entries if e.id != ids["PD"]]
        assert others and not any(e.consulting or "征求意见" in e.title for e in others)
    for on in ("2026-12-03", None):
        html = sel_boards("public", on)[1]
        assert ids["PD"] not in board_ids(html)
        assert "征求意见" not in html


def test_a_past_date_shows_the_office_as_it_stood_at_that_days_last_commit(sel_boards: Any, sel):
    office, ids = sel
    result, html = sel_boards("public", "2026-09-15")
    # that day's last commit is the publication of the correction, at 18:03
    c_new = next((office.root / "records").glob(f"*/{ids['C_NEW']}.yaml"))
    commit = office.git("log", "-1", "--format=%H", "--", str(c_new.relative_to(office.root)))
    assert office.git("log", "-1", "--format=%aI", commit) == at("09-15", 18, 3)
    assert f"from commit {commit[:10]}" in result.stdout
    for sheet in sheets_of(html):
        assert sheet.code.startswith(commit[:8])
    # the withdrawn record was still up then; today it is not
    assert ids["W"] in board_ids(html)
    assert ids["W"] not in board_ids(sel_boards("public", None)[1])
    head = office.head()
    assert f"from commit {head[:10]}" in sel_boards("public", None)[0].stdout


def test_an_unpublished_record_never_shows(sel_boards: Any, sel):
    _office, ids = sel
    unpublished = {ids["D_DRAFT"], ids["D_SUB"], ids["D_APP"]}
    for scope, on, _expected in BOARDS:
        assert not unpublished & set(board_ids(sel_boards(scope, on)[1])), (scope, on)
    html = sel_boards("public", None)[1]
    for title in ("草稿规划", "已报送政策", "已审核预算"):
        assert title not in html


def test_an_internal_record_is_never_on_the_public_board(sel_boards: Any, sel):
    _office, ids = sel
    for scope, on, _expected in BOARDS:
        if scope == "public":
            html = sel_boards(scope, on)[1]
            assert ids["I_STD"] not in html and "党组织机构设置情况" not in html, on
            for sheet in sheets_of(html):
                assert sheet.scope == "（社会公开）"
    for sheet in sheets_of(sel_boards("internal", None)[1]):
        assert sheet.scope == "（党内公开）"


def test_the_board_shows_what_was_published_on_the_board(office: Office, tmp_path: Path):
    """``publish --channel`` publishes "on these channels instead of the record's own":
    the board is one of those channels, so what was published on it is what it shows."""
    rid = office.new(
        "--summary",
        "摘要。",
        "--body",
        "正文。",
        "--channel",
        "public-board",
        "--channel",
        "website",
        category="zhidu-jianshe",
        item="integrity-rules",
        title="只在网站发布的规定",
        now=at("10-01"),
    )
    ok(office, "submit", rid, now=at("10-01", 11))
    ok(office, "approve", rid, as_="zhoulx", now=at("10-01", 12))
    ok(office, "publish", rid, "--channel", "website", now=at("10-01", 13))
    other = office.new(
        "--summary",
        "摘要。",
        "--body",
        "正文。",
        "--channel",
        "website",
        category="zhidu-jianshe",
        item="petition-reception",
        title="也贴上公开栏的制度",
        now=at("10-02"),
    )
    ok(office, "submit", other, now=at("10-02", 11))
    ok(office, "approve", other, as_="zhoulx", now=at("10-02", 12))
    ok(
        office,
        "publish",
        other,
        "--channel",
        "website",
        "--channel",
        "public-board",
        now=at("10-02", 13),
    )
    _result, path = render_board(office, tmp_path / "out", now=at("10-03"))
    assert board_ids(path.read_text("utf-8")) == [other]


def test_a_pre_disclosure_under_revision_keeps_its_preliminary_plan_up(
    office: Office, tmp_path: Path
):
    """While the window is open the board shows the preliminary plan as published for
    comment, even while the office writes, submits and approves the formal plan; it
    never shows the unapproved revision."""
    rid = publish(
        office,
        "10-05",
        "--pre-disclosure",
        category="zhidu-jianshe",
        item="integrity-rules",
        title="机关廉洁自律若干规定",
        summary="征求意见稿摘要。",
        body="初步方案。",
    )

    def entries(on: str, name: str) -> list[EntryView]:
        _result, path = render_board(office, tmp_path / name, on=on, now=at(on[5:], 20))
        return [e for s in sheets_of(path.read_text("utf-8")) for e in s.entries]

    (entry,) = entries("2026-10-06", "open")
    assert entry.consulting and entry.text == "征求意见稿摘要。"
    assert "2026年10月19日" in entry.deadline
    ok(office, "set", rid, "summary=正式方案摘要（未审核）。", now=at("10-08"))
    (entry,) = entries("2026-10-08", "edited")
    assert entry.id == rid and entry.consulting
    assert entry.text == "征求意见稿摘要。", "the board shows an unapproved revision"
    # and so does the web site, on the record's page and in its lists
    ok(office, "set", rid, "title=改过的标题（未审核）", "body=改过的正文。", now=at("10-08", 11))
    ok(office, "site", "build", "-o", str(tmp_path / "site"), now=at("10-08", 12))
    page = (tmp_path / "site" / "records" / f"{rid}.html").read_text("utf-8")
    assert "征求意见稿摘要。" in page and "初步方案。" in page and "机关廉洁自律若干规定" in page
    every = "".join(p.read_text("utf-8") for p in (tmp_path / "site").rglob("*.html"))
    every += (tmp_path / "site" / "feed.xml").read_text("utf-8")
    for revised in ("未审核", "改过的"):
        assert revised not in every, "the site shows an unapproved revision"
    ok(office, "submit", rid, now=at("10-09"))
    assert [(e.id, e.consulting) for e in entries("2026-10-09", "submitted")] == [(rid, True)]
    ok(office, "approve", rid, as_="sunhm", now=at("10-10"))
    assert [(e.id, e.consulting) for e in entries("2026-10-10", "approved")] == [(rid, True)]
    ok(office, "publish", rid, now=at("10-21"))
    (entry,) = entries("2026-10-21", "formal")
    assert not entry.consulting and entry.text == "正式方案摘要（未审核）。"
    assert "征求意见" not in entry.title


# --- 2. the sheets -------------------------------------------------------------------------

SHEETS_TODAY = at("10-20", 12)
LONG = (
    "为深入贯彻落实中央八项规定及其实施细则精神，局党组研究制定了进一步改进工作作风的具体措施，"
    "明确了会议活动、文件简报、调查研究、公务接待、厉行节约等方面的要求，并建立了定期督查和通报制度，"
    "对违反规定的行为严肃追究责任，切实做到令行禁止。"
)


@pytest.fixture(scope="module")
def sheet_office(tmp_path_factory: pytest.TempPathFactory) -> tuple[Office, list[str]]:
    """25 long timely records in 作风建设, one record in each of three other
    categories (given out of catalogue order), and one internal record."""
    folder = tmp_path_factory.mktemp("sheets")
    with building(folder):
        office = make_office(folder / "office")
        publish(
            office,
            "09-01",
            "--event-date",
            "2026-08-31",
            category="gongzuo-dongtai",
            item="party-activities",
            title="局机关开展主题党日活动",
            summary="九月一日，局机关各支部开展主题党日活动。",
        )
        publish(
            office,
            "09-01",
            category="zhidu-jianshe",
            item="integrity-rules",
            title="廉洁自律规定",
            summary="机关干部廉洁自律的十项规定。",
            hour=11,
        )
        publish(
            office,
            "09-01",
            category="mubiao-renwu",
            item="work-programme",
            title="司法行政工作规划",
            summary="2026—2030年司法行政工作规划。",
            hour=12,
        )
        publish(
            office,
            "09-01",
            category="zuzhi-jianshe",
            item="party-structure",
            title="党组织机构设置情况",
            summary="机关党委下设七个支部。",
            hour=13,
        )
        many = []
        for n in range(1, 26):
            many.append(
                publish(
                    office,
                    f"09-{n + 2:02d}",
                    "--event-date",
                    f"2026-09-{n + 1:02d}",
                    category="zuofeng-jianshe",
                    item="conduct-measures",
                    title=f"作风建设重要举措第{n}号",
                    summary=f"第{n}项：{LONG}",
                )
            )
    return office, many


@pytest.fixture(scope="module")
def sheet_board(sheet_office, tmp_path_factory: pytest.TempPathFactory) -> tuple[Result, str]:
    office, _many = sheet_office
    result, path = render_board(office, tmp_path_factory.mktemp("sheets-out"), now=SHEETS_TODAY)
    return result, path.read_text("utf-8")


def test_one_sheet_per_category_in_catalogue_order_more_when_it_overflows(
    sheet_board, sheet_office
):
    _office, many = sheet_office
    result, html = sheet_board
    sheets = sheets_of(html)
    categories = [s.category for s in sheets]
    assert categories[0] == "目标任务" and categories[-2:] == ["制度建设", "工作动态"]
    conduct = [s for s in sheets if s.category == "作风建设"]
    assert len(conduct) >= 2, "25 long records fit on one sheet?"
    assert categories == ["目标任务"] + ["作风建设"] * len(conduct) + ["制度建设", "工作动态"]
    assert sorted(categories, key=CATALOGUE_ORDER.index) == categories
    for page, sheet in enumerate(conduct, 1):
        assert sheet.heading == f"作风建设（{page}/{len(conduct)}）"
        assert sheet.entries, "an empty continuation sheet"
    # every record once, in order, each entry holding its own title and text
    shown = [e for s in conduct for e in s.entries]
    assert [e.id for e in shown] == sorted(many, reverse=True)  # newest first
    by_id = {rid: n for n, rid in enumerate(many, 1)}
    for entry in shown:
        n = by_id[entry.id]
        assert entry.title == f"作风建设重要举措第{n}号"
        assert entry.text == f"第{n}项：{LONG}"
    assert f"{len(sheets)} sheets, 28 records" in result.stdout


def test_each_sheet_carries_unit_title_scope_date_contact_supervisors_and_its_number(sheet_board):
    _result, html = sheet_board
    sheets = sheets_of(html)
    total = len(sheets)
    for number, sheet in enumerate(sheets, 1):
        assert sheet.unit == UNIT
        assert sheet.board == BOARD_TITLE
        assert sheet.scope == "（社会公开）"
        assert sheet.date == "公开日期：2026年10月20日"
        assert CONTACT in sheet.footer
        assert SUPERVISORS in sheet.footer
        assert any(line.startswith(f"第 {number} 张 / 共 {total} 张") for line in sheet.footer)
        assert CODE.fullmatch(sheet.code)
    assert len({s.code for s in sheets}) == total


def test_the_internal_board_says_so(sheet_office, tmp_path: Path):
    office, _many = sheet_office
    _result, path = render_board(office, tmp_path, scope="internal", now=SHEETS_TODAY)
    sheets = sheets_of(path.read_text("utf-8"))
    assert [s.category for s in sheets] == ["组织建设"]
    (sheet,) = sheets
    assert (sheet.unit, sheet.board, sheet.scope) == (UNIT, BOARD_TITLE, "（党内公开）")
    assert sheet.code.split("-")[1].startswith("IZZ")
    assert SUPERVISORS in sheet.footer and CONTACT in sheet.footer
    assert any(line.startswith("第 1 张 / 共 1 张") for line in sheet.footer)


def test_an_entry_title_is_never_separated_from_its_text(sheet_board):
    _result, html = sheet_board
    tree = parse(html)
    blocks = tree.all("div", "entry")
    assert len(blocks) == 28
    for block in blocks:
        (title,) = block.all("p", "title")
        (text,) = block.all("p", "text")
        assert title.text().strip() and text.text().strip()
    # and no title or text stands outside an entry
    assert len(tree.all("p", "title")) == len(tree.all("p", "text")) == 28


# --- 3. the quarterly bulletin --------------------------------------------------------------


def rows(table: Node) -> list[list[str]]:
    return [
        [c.text().strip() for c in tr.children if isinstance(c, Node) and c.tag in ("td", "th")]
        for tr in table.all("tr")
    ]


@dataclass
class BulletinView:
    issue: str
    sections: list[tuple[str, list[tuple[str, str]]]]  # (category, [(id, title)])
    tables: list[list[list[str]]]
    text: str


def bulletin_of(html: str) -> BulletinView:
    tree = parse(html)
    (top,) = tree.all("div", "bulletin")
    sections: list[tuple[str, list[tuple[str, str]]]] = []
    for node in top.children:
        if not isinstance(node, Node):
            continue
        if node.tag == "h2":
            sections.append((node.text().strip(), []))
        elif node.tag == "article":
            rid = node.one("p", "meta").text().split(" · ")[0]
            sections[-1][1].append((rid, node.one("h3").text()))
    # the first heading is the summary, the last the corrections and withdrawals
    return BulletinView(
        issue=top.one(cls="issue").text(),
        sections=sections[1:-1],
        tables=[rows(t) for t in top.all("table")],
        text=tree.text(),
    )


@pytest.fixture(scope="module")
def bulletins(sel, tmp_path_factory: pytest.TempPathFactory) -> Any:
    office, _ids = sel
    cache: dict[tuple[str, str, str], tuple[Result, str]] = {}

    def get(period: str, scope: str = "public", fmt: str = "html") -> tuple[Result, str]:
        key = (period, scope, fmt)
        if key not in cache:
            target = tmp_path_factory.mktemp("bulletin") / f"out.{fmt}"
            args = ("bulletin", period, "--scope", scope, "--format", fmt, "-o", str(target))
            result = ok(office, *args, now=SEL_TODAY)
            assert target.is_file(), result.output
            assert [p.name for p in target.parent.iterdir()] == [target.name]
            cache[key] = (result, target.read_text("utf-8"))
        return cache[key]

    return get


def named(ids: dict[str, str], *names: str) -> list[str]:
    return [ids[n] for n in names]


def test_the_bulletin_lists_the_quarter_by_category_in_catalogue_order(bulletins, sel):
    _office, ids = sel
    result, html = bulletins("2026Q3")
    view = bulletin_of(html)
    assert view.issue == "2026年第三季度 · 社会公开 · 2026年12月10日编印"
    assert [(c, [rid for rid, _t in recs]) for c, recs in view.sections] == [
        ("目标任务", named(ids, "Q2")),
        ("作风建设", named(ids, "FU")),
        ("制度建设", named(ids, "S_OLD", "P_WEB", "P_INT", "S_NEW", "W")),
        ("工作动态", named(ids, "T_OLD", "C_OLD", "C_NEW")),
    ]
    assert "10 records" in result.stdout
    # nothing from another quarter, nothing unpublished
    for name in ("Q3", "R4", "R3", "PD", "D_DRAFT", "D_SUB", "D_APP"):
        assert ids[name] not in view.text, name


def test_the_bulletin_summary_table_counts_by_category_cadence_and_scope(bulletins):
    counts, figures, changes = bulletin_of(bulletins("2026Q3")[1]).tables
    assert counts == [
        ["公开类别", "长期公开", "每季度更新", "及时公开", "跟踪公开", "合计"],
        ["目标任务", "0", "1", "0", "0", "1"],
        ["思想建设", "0", "0", "0", "0", "0"],
        ["组织建设", "0", "0", "0", "0", "0"],
        ["作风建设", "0", "0", "0", "1", "1"],
        ["制度建设", "5", "0", "0", "0", "5"],
        ["工作动态", "0", "0", "3", "0", "3"],
        ["合计", "5", "1", "3", "1", "10"],
    ]
    assert figures == [
        ["党内公开", "社会公开", "季度更新事项", "其中按期更新", "更正、跟踪", "撤回"],
        ["0", "10", "1", "1", "1", "1"],
    ]
    assert len(changes) == 3


def test_the_bulletin_lists_corrections_and_withdrawals_with_their_reasons(bulletins, sel):
    _office, ids = sel
    *_tables, changes = bulletin_of(bulletins("2026Q3")[1]).tables
    assert changes == [
        ["编号", "事项", "情况"],
        [ids["C_NEW"], "九月党建活动通报（更正）", f"接续 {ids['C_OLD']}"],
        [ids["W"], "限时服务制度", "2026年9月20日撤回：内容有误，另行发布"],
    ]


def test_the_internal_bulletin_adds_internal_records(bulletins, sel):
    _office, ids = sel
    view = bulletin_of(bulletins("2026Q3", "internal")[1])
    assert ("组织建设", [(ids["I_STD"], "党组织机构设置情况")]) in view.sections
    counts, figures, _changes = view.tables
    assert ["组织建设", "1", "0", "0", "0", "1"] in counts
    assert counts[-1] == ["合计", "6", "1", "3", "1", "11"]
    assert figures[1] == ["1", "10", "1", "1", "1", "1"]
    public = bulletins("2026Q3", "public")[1]
    assert ids["I_STD"] not in public and "党组织机构设置情况" not in public


def test_the_bulletin_counts_quarterly_updates_on_time(bulletins, sel):
    """2026Q4: the Q3 update out on 10-05 and the Q4 one on 10-08 are on time; the Q3
    update of another item out on 11-20 is late; a next quarter's update that follows
    the last is no correction; the pre-disclosure is there, marked."""
    _office, ids = sel
    view = bulletin_of(bulletins("2026Q4")[1])
    assert [(c, [rid for rid, _t in recs]) for c, recs in view.sections] == [
        ("目标任务", named(ids, "Q3")),
        ("制度建设", named(ids, "R4", "PD", "R3")),
    ]
    titles = dict(view.sections[1][1])
    assert titles[ids["PD"]] == "【征求意见】特邀党务公开监督员制度（征求意见稿）"
    counts, figures = view.tables
    assert counts[-1] == ["合计", "1", "3", "0", "0", "4"]
    assert figures[1] == ["0", "4", "3", "2", "0", "0"]
    assert "本季度没有更正或撤回。" in view.text


def test_the_bulletin_in_markdown_escapes_record_text(bulletins, sel):
    _office, ids = sel
    _result, md = bulletins("2026Q3", "public", "md")
    assert md.startswith(f"# {UNIT}党务公开季度公报\n")
    headings = [line[3:] for line in md.splitlines() if line.startswith("## ")]
    assert headings == [
        "本季度公开情况",
        "目标任务",
        "作风建设",
        "制度建设",
        "工作动态",
        "更正、跟踪与撤回",
    ]
    assert "| 制度建设 | 5 | 0 | 0 | 0 | 5 |" in md
    assert "| 合计 | 5 | 1 | 3 | 1 | 10 |" in md
    assert "参加人数由&lt;b&gt;30&lt;/b&gt;人更正为35人。" in md
    assert "<b>" not in md
    assert f"- {ids['C_NEW']} 九月党建活动通报（更正）：接续 {ids['C_OLD']}" in md
    assert f"- {ids['W']} 限时服务制度：2026年9月20日撤回，内容有误，另行发布" in md
    assert "党组织机构设置情况" not in md and ids["I_STD"] not in md


def test_bulletin_o_file_writes_that_file(sel, tmp_path: Path):
    office, _ids = sel
    target = tmp_path / "deep" / "er" / "公报.html"
    result = ok(office, "bulletin", "2026Q3", "-o", str(target), now=SEL_TODAY)
    assert target.is_file()
    assert str(target) in result.stdout
    assert bulletin_of(target.read_text("utf-8")).sections[0][0] == "目标任务"
    assert [p.name for p in target.parent.iterdir()] == ["公报.html"]


# --- 4. verification codes ---------------------------------------------------------------------

VER_TODAY = at("10-05", 12)


@pytest.fixture(scope="module")
def ver(tmp_path_factory: pytest.TempPathFactory) -> tuple[Office, dict[str, str]]:
    folder = tmp_path_factory.mktemp("verify")
    with building(folder):
        office = make_office(folder / "office")
        ids = {
            "S1": publish(
                office,
                "10-01",
                "--channel",
                "public-board",
                "--channel",
                "internal-board",
                category="zhidu-jianshe",
                item="integrity-rules",
                title="廉洁自律规定",
            ),
            "T1": publish(
                office,
                "10-02",
                "--event-date",
                "2026-10-01",
                category="gongzuo-dongtai",
                item="party-activities",
                title="国庆主题党日活动",
            ),
            "I1": publish(
                office, "10-03", category="zuzhi-jianshe", item="party-structure", title="支部设置"
            ),
        }
    return office, ids


def codes_of(office: Office, out: Path, scope: str = "public") -> dict[str, str]:
    """{category code: verification code} of today's board, from the HTML, checked
    against what the CLI printed."""
    result, path = render_board(office, out, scope=scope, now=VER_TODAY)
    sheets = sheets_of(path.read_text("utf-8"))
    assert [s.code for s in sheets] == printed_codes(result)
    return {s.code.split("-")[1][1:-1]: s.code for s in sheets}


def verify(office: Office, code: str, now: str = VER_TODAY) -> Result:
    result = office.run("verify", code, now=now)
    assert "Traceback" not in result.output
    assert "this is a bug" not in result.output
    return result


def test_a_printed_code_is_genuine_and_current(ver, tmp_path: Path):
    office, ids = ver
    public = codes_of(office, tmp_path / "p")
    internal = codes_of(office, tmp_path / "i", "internal")
    assert sorted(public) == ["DT", "ZD"] and sorted(internal) == ["ZD", "ZZ"]
    for code in [*public.values(), *internal.values()]:
        result = verify(office, code)
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith("genuine: ")
        assert "current: " in result.stdout and "superseded" not in result.stdout
    assert f"  {ids['S1']} 廉洁自律规定" in verify(office, public["ZD"]).stdout
    # typed by a person: lower case, spaces around
    assert verify(office, f"  {public['ZD'].lower()} ").exit_code == 0


def test_a_newer_record_supersedes_a_sheet(ver, tmp_path: Path):
    office = copy_of(ver[0], tmp_path / "office")
    ids = ver[1]
    codes = codes_of(office, tmp_path / "before")
    newer = publish(
        office,
        "10-06",
        category="zhidu-jianshe",
        item="integrity-rules",
        title="廉洁自律规定（修订）",
    )
    result = verify(office, codes["ZD"], now=at("10-07"))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("genuine: ")
    assert any(line.startswith("superseded: ") for line in lines), result.stdout
    assert f"  taken off: {ids['S1']}" in lines
    assert f"  put up: {newer}" in lines
    assert f"  first changed by: publish: {newer} 廉洁自律规定（修订） (2026-10-06)" in lines, (
        result.stdout
    )
    # the other sheet has not changed
    other = verify(office, codes["DT"], now=at("10-07"))
    assert other.exit_code == 0 and "current: " in other.stdout


def test_a_withdrawal_supersedes_a_sheet(ver, tmp_path: Path):
    office = copy_of(ver[0], tmp_path / "office")
    ids = ver[1]
    codes = codes_of(office, tmp_path / "before")
    ok(office, "withdraw", ids["T1"], "--reason", "日期有误", as_="zhoulx", now=at("10-06", 9))
    result = verify(office, codes["DT"], now=at("10-07"))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("genuine: ")
    assert any(line.startswith("superseded: ") for line in lines), result.stdout
    assert f"  taken off: {ids['T1']}" in lines
    assert f"  first changed by: withdraw: {ids['T1']} 国庆主题党日活动 (2026-10-06)" in lines
    assert "current: " in verify(office, codes["ZD"], now=at("10-07")).stdout


def _altered(code: str) -> str:
    check = code[-5:-1]
    swap = "B" if check[1] != "B" else "C"
    return code[:-4] + swap + code[-3:-1]


def _sealed(code: str) -> str:
    """A made-up code as a forger would give it: its copying check recomputed (the
    algorithm is public), so it reads as copied right and is judged as a sheet."""
    from dangwu.rules.board import copy_check

    body = code[:-1] if len(code.rsplit("-", 1)[1]) == 5 else code
    return body + copy_check(body.replace("-", "").upper())


def test_a_forged_or_foreign_code_is_not_genuine(ver, office: Office, tmp_path: Path):
    own, _ids = ver
    codes = codes_of(own, tmp_path / "own")
    zd = codes["ZD"]
    head, rest = zd.split("-", 1)
    publish(
        office, "10-01", category="zhidu-jianshe", item="integrity-rules", title="别的单位的规定"
    )
    foreign = codes_of(office, tmp_path / "foreign")["ZD"]
    assert foreign != zd
    forged = {
        "check letter altered": _sealed(_altered(zd)),
        "another sheet number": _sealed(zd.replace("-PZD1-", "-PZD2-")),
        "another day": _sealed(zd.replace("-261005-", "-261004-")),
        "another board": _sealed(zd.replace("-PZD1-", "-IZD1-")),
        "no such commit": _sealed(f"{'0' * 8}-{rest}"),
        "another commit": _sealed(f"{own.git('rev-parse', 'HEAD~1')[:8]}-{rest}"),
        "another office": foreign,
        "printed before the copying check, altered": _altered(zd)[:-1] + zd[-1:],
    }
    for why, code in forged.items():
        result = verify(own, code)
        assert result.exit_code == 1, (why, code, result.output)
        assert "not genuine" in result.output, (why, result.output)
        assert "current" not in result.stdout, why
    assert head == own.head()[:8]


def test_a_code_copied_wrong_is_said_to_be_copied_wrong_not_forged(ver, tmp_path: Path):
    """Every single character changed and every two neighbours swapped: 'copied
    wrong' (exit 2), never 'not genuine'; hyphens, spaces, case and the dashes a PDF
    gives back do not matter."""
    own, _ids = ver
    code = codes_of(own, tmp_path / "own")["ZD"]
    plain = code.replace("-", "")
    typos = {
        plain[:i] + c + plain[i + 1 :] for i in range(len(plain)) for c in "7K" if c != plain[i]
    }
    typos |= {
        plain[:i] + plain[i + 1] + plain[i] + plain[i + 2 :]
        for i in range(len(plain) - 1)
        if plain[i] != plain[i + 1] and plain[i].upper() != plain[i + 1].upper()
    }
    from dangwu.rules.board import has_copy_check, parse_code

    typos = {t for t in typos if has_copy_check(t)}  # still shaped like a code
    assert len(typos) > 40
    for typo in sorted(typos):
        with pytest.raises(UsageError, match="copied wrong"):
            parse_code(typo)
    for typo in sorted(typos)[:3]:  # and through the command, in Chinese
        said = own.run("verify", typo, now=VER_TODAY, env={"DANGWU_LANG": "zh_CN"})
        assert said.exit_code == 2 and "抄错了" in said.stderr, said.output
        assert "不真实" not in said.output
    for spelled in (plain, code.lower(), " ".join(code.split("-")), code.replace("-", "–")):
        result = verify(own, spelled)
        assert result.exit_code == 0 and "genuine" in result.stdout, (spelled, result.output)


@settings(max_examples=400, deadline=None)
@given(
    commit=st.text("0123456789abcdef", min_size=40, max_size=40),
    scope=st.sampled_from(["public", "internal"]),
    category=st.text("ABCDEFGHJKMNPQRSTVWXYZ", min_size=2, max_size=4),
    page=st.integers(1, 999),
    on=st.dates(date(2000, 1, 1), date(2099, 12, 31)),
    content=st.text(max_size=20),
)
def test_every_code_reads_back_as_printed_with_or_without_its_hyphens(
    commit: str, scope: str, category: str, page: int, on: date, content: str
):
    """A code whose check starts with figures (…-IZZ1-261118-96ZYU) once read back as
    another sheet on a day that does not exist: the hyphens say where each part ends,
    and without them the reading whose day exists is taken."""
    from dangwu.rules.board import Code, parse_code

    code = Code(commit[:8], scope, category, page, on)
    printed = code.text(content, commit)
    for typed in (printed, printed.replace("-", ""), printed.lower(), printed.replace("-", " ")):
        read, check = parse_code(typed)
        assert read == code, (printed, typed)
        assert check == code.check(content, commit)


def test_a_bulletins_code_is_genuine_current_then_superseded(ver, tmp_path: Path):
    own, _ids = ver
    target = tmp_path / "b.md"
    ok(own, "bulletin", "2026Q4", "--format", "md", "-o", str(target), now=VER_TODAY)
    code = re.search(r"核验码 `([^`]+)`", target.read_text("utf-8"))
    assert code, target.read_text("utf-8")[-300:]
    said = verify(own, code[1])
    assert said.exit_code == 0, said.output
    assert "genuine: the public bulletin of 2026Q4" in said.stdout
    assert "current: the bulletin of the quarter printed today says the same" in said.stdout
    forged = _sealed(code[1].replace("-PGB264-", "-PGB263-"))
    assert verify(own, forged).exit_code == 1
    listed = {r["id"]: r for r in json.loads(ok(own, "list", "--json", now=VER_TODAY).stdout)}
    shown = [i for i in listed if listed[i]["status"] == "published" and i in target.read_text()]
    assert shown, "the bulletin shows a published record"
    ok(own, "withdraw", shown[0], "--reason", "撤回", as_="hanzg", now=at("10-06"))
    later = verify(own, code[1], now=at("10-06", 12))
    assert later.exit_code == 0, later.output
    assert "superseded" in later.stdout and f"changed or added: {shown[0]}" in later.stdout


def test_verify_blots_out_a_reporters_name_like_every_output(office: Office, tmp_path: Path):
    office.write(
        "reports/1.yaml",
        "name: 甄婺夔\ncontact: zhen.wk@example.net\nabout: ZF-2026-101\ntext: 反映问题。\n",
    )
    commit_as(office.root, "dumy", "report: 1", "reports/1.yaml", date=at("09-30"))
    rid = office.new(
        "--summary",
        "甄婺夔（zhen.wk@example.net）反映的问题已处理。",
        "--body",
        "正文。",
        "--event-date",
        "2026-09-30",
        category="zuofeng-jianshe",
        item="hot-issues",
        title="关于甄婺夔来信反映问题的答复",
        now=at("10-01"),
    )
    ok(office, "submit", rid, now=at("10-01", 11))
    ok(office, "approve", rid, "--override", "举报人同意公开", as_="zhoulx", now=at("10-01", 12))
    ok(office, "publish", rid, now=at("10-01", 13))
    result, path = render_board(office, tmp_path, now=VER_TODAY)
    html = path.read_text("utf-8")
    assert "甄婺夔" not in html and "zhen.wk" not in html and "＊＊＊" in html
    (code,) = printed_codes(result)
    checked = verify(office, code)
    assert checked.exit_code == 0 and checked.stdout.startswith("genuine: ")
    assert rid in checked.stdout
    assert "甄婺夔" not in checked.output, checked.stdout


@pytest.mark.parametrize(
    "garbage",
    [
        "garbage",
        "",
        "-",
        "12345678",
        "zzzzzzzz-PZD1-261005-ABCD",
        "abcdef12-PZD1-261399-ABCD",
        "abcdef12-PZD1-261005-ABC",
        "abcdef12-XZD1-261005-ABCD",
        "'; rm -rf / #",
        "🙂-PZD1-261005-ABCD",
    ],
)
def test_garbage_is_a_usage_error_or_not_genuine(ver, garbage: str):
    office, _ids = ver
    result = verify(office, garbage)
    assert result.exit_code in (1, 2), result.output
    assert "genuine: " not in result.stdout
    assert result.stderr.strip() or "not genuine" in result.stdout


# --- 5. hostile record text ----------------------------------------------------------------------

# (a bidi control such as U+202E is refused before it could be printed: test_trust.py)
EMOJI, EXT_B = "\U0001f600", "\U00020000"
LONG_A, LONG_B, LONG_C = "A" * 1900, "B" * 5000, "C" * 5000
HOSTILE_TITLE = (
    "<script>alert(1)</script> {{ 7*7 }} {% raw %}x{% endraw %} " + "右至左 " + EMOJI + EXT_B
)
HOSTILE_SUMMARY = "<img src=x onerror=alert(1)> [x](javascript:alert(1)) {{ 7*7 }} " + LONG_A
HOSTILE_BODY = "\n\n".join(
    [
        "<script>alert(1)</script>",
        "[x](javascript:alert(1)) [y](JaVaScRiPt:alert(1)) <javascript:alert(1)> "
        "[z](&#106;avascript:alert(1)) [w]( javascript:alert(1) )",
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">a</a> <svg onload=alert(1)>',
        "{{ 7*7 }} {% raw %}x{% endraw %} {# c #} 右至左 " + EMOJI + " " + EXT_B,
        LONG_B,
    ]
)
HOSTILE_TODAY = at("10-05", 12)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Office, dict[str, str]]:
    folder = tmp_path_factory.mktemp("hostile")
    with building(folder):
        office = make_office(folder / "office")
        ids = {
            "H1": publish(
                office,
                "10-01",
                category="zhidu-jianshe",
                item="integrity-rules",
                title=HOSTILE_TITLE,
                summary=HOSTILE_SUMMARY,
                body=HOSTILE_BODY,
            ),
            # no summary: the board shows the first paragraph of the body
            "H2": office.new(
                "--body",
                "<script>alert(2)</script> [x](javascript:alert(1)) {{ 7*7 }} " + LONG_C,
                "--event-date",
                "2026-10-01",
                category="gongzuo-dongtai",
                item="party-activities",
                title=EMOJI + EXT_B + "<b>活动</b>",
                now=at("10-02"),
            ),
        }
        ok(office, "submit", ids["H2"], now=at("10-02", 11))
        ok(office, "approve", ids["H2"], as_="zhoulx", now=at("10-02", 12))
        ok(office, "publish", ids["H2"], now=at("10-02", 13))
    return office, ids


_LINKISH = ("href", "src", "xlink:href", "action", "formaction", "data", "srcdoc")


def assert_inert(html: str) -> None:
    """No element or attribute a browser would run."""
    tree = parse(html)
    for node in tree.walk():
        assert node.tag not in ("script", "iframe", "object", "embed", "img"), node.tag
        for name, value in node.attrs.items():
            assert not name.startswith("on"), (node.tag, name, value)
            if name in _LINKISH:
                squeezed = re.sub(r"[\s\x00-\x1f]", "", value or "").lower()
                assert not squeezed.startswith(("javascript:", "data:", "vbscript:")), value
    assert "<script" not in html.lower()
    assert not re.search(r"<[a-z][^<>]*\bon[a-z]+\s*=", html, re.IGNORECASE)


def test_hostile_text_on_the_board_is_text(hostile, tmp_path: Path):
    office, ids = hostile
    _result, path = render_board(office, tmp_path, now=HOSTILE_TODAY)
    html = path.read_text("utf-8")
    assert_inert(html)
    entries = {e.id: e for s in sheets_of(html) for e in s.entries}
    h1, h2 = entries[ids["H1"]], entries[ids["H2"]]
    assert h1.title == HOSTILE_TITLE  # every character, as written, as text
    assert h1.text == HOSTILE_SUMMARY
    assert h2.title == EMOJI + EXT_B + "<b>活动</b>"
    # the first paragraph of the body, as text: a javascript: link is no link to
    # markdown, so its source stays, as characters
    assert h2.text.startswith("<script>alert(2)</script> [x](javascript:alert(1)) {{ 7*7 }} CCC"), (
        h2.text[:60]
    )
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "{{ 7*7 }}" in html and "{% raw %}x{% endraw %}" in html
    assert not any("49" in e.title or "49" in e.text for e in entries.values())


def test_hostile_text_in_the_bulletin_is_text(hostile, tmp_path: Path):
    office, ids = hostile
    target = tmp_path / "b.html"
    ok(office, "bulletin", "2026Q4", "--format", "html", "-o", str(target), now=HOSTILE_TODAY)
    html = target.read_text("utf-8")
    assert_inert(html)
    tree = parse(html)
    titles = [h.text() for h in tree.all("h3")]
    assert HOSTILE_TITLE in titles
    (summary,) = [p.text() for p in tree.all("p", "summary")]
    assert summary == HOSTILE_SUMMARY
    bodies = " ".join(d.text() for d in tree.all("div", "body"))
    for text in (
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "{{ 7*7 }} {% raw %}x{% endraw %} {# c #} 右至左 " + EMOJI + " " + EXT_B,
        LONG_B,
        LONG_C,
    ):
        assert text in bodies, text[:40]
    assert "49" not in bodies and ids["H2"] in html


def test_hostile_text_in_the_markdown_bulletin_is_inert(hostile, tmp_path: Path):
    office, _ids = hostile
    target = tmp_path / "b.md"
    ok(office, "bulletin", "2026Q4", "--format", "md", "-o", str(target), now=HOSTILE_TODAY)
    md = target.read_text("utf-8")
    assert "<script" not in md.lower() and "<img" not in md and "<svg" not in md
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in md
    assert "{{ 7*7 }}" in md and "{% raw %}x{% endraw %}" in md
    assert LONG_B in md and EMOJI in md and EXT_B in md
    # a website that renders the Markdown, raw HTML allowed, runs nothing
    from markdown_it import MarkdownIt

    assert_inert(MarkdownIt("commonmark", {"html": True}).render(md))


@pytest.mark.parametrize("what", ["board", "bulletin"])
def test_hostile_text_prints_to_pdf(hostile, tmp_path: Path, what: str):
    need_pdf()
    office, _ids = hostile
    if what == "board":
        _result, target = render_board(office, tmp_path, now=HOSTILE_TODAY, fmt="pdf")
    else:
        target = tmp_path / "b.pdf"
        ok(office, "bulletin", "2026Q4", "--format", "pdf", "-o", str(target), now=HOSTILE_TODAY)
    assert target.read_bytes().startswith(b"%PDF-")
    text = pdftotext(target)
    assert UNIT.replace(" ", "") in text.replace(" ", "")
    assert "alert(1)" in text


# --- 6. templates -------------------------------------------------------------------------------


@pytest.fixture
def small(office: Office) -> Office:
    publish(office, "10-01", category="zhidu-jianshe", item="integrity-rules", title="廉洁自律规定")
    return office


@pytest.mark.parametrize("committed", [True, False], ids=["committed", "working-tree"])
def test_an_office_template_overrides_the_shipped_one_by_name(
    small: Office, tmp_path: Path, committed: bool
):
    small.write(
        "templates/board.html.j2",
        "<p id=own>{{ board.unit }}|{% for s in board.sheets %}{{ s.code }};{% endfor %}</p>\n",
    )
    small.write("templates/bulletin.md.j2", "本单位：{{ b.unit }}，{{ b.total }} 项\n")
    if committed:
        commit_as(small.root, "linht", "own templates", "templates", date=at("10-02"))
    result, path = render_board(small, tmp_path / "board", now=at("10-05"))
    (code,) = printed_codes(result)
    # the office's own page, and the policy that lets a browser fetch nothing for it
    from dangwu.render.sheets import PAGE_POLICY

    assert path.read_text("utf-8") == f"{PAGE_POLICY}\n<p id=own>{UNIT}|{code};</p>\n"
    target = tmp_path / "b.md"
    ok(small, "bulletin", "2026Q4", "--format", "md", "-o", str(target), now=at("10-05"))
    assert target.read_text("utf-8") == f"本单位：{UNIT}，1 项\n"
    # the shipped bulletin.html.j2 still serves what the office did not override
    target = tmp_path / "b.html"
    ok(small, "bulletin", "2026Q4", "--format", "html", "-o", str(target), now=at("10-05"))
    assert bulletin_of(target.read_text("utf-8")).sections[0][0] == "制度建设"


def test_an_office_print_css_is_used(small: Office, tmp_path: Path):
    small.write("templates/print.css", "/* 本局样式 */ .sheet { color: navy; }\n")
    _result, path = render_board(small, tmp_path, now=at("10-05"))
    (style,) = parse(path.read_text("utf-8")).all("style")
    assert style.text() == "/* 本局样式 */ .sheet { color: navy; }\n"


def refused_template(office: Office, out: Path, name: str, *args: str) -> Result:
    before = office.state()
    result = office.run(*args, "-o", str(out), now=at("10-05"))
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "this is a bug" not in result.output, result.output
    assert name in result.stderr, result.output
    assert office.state() == before
    return result


def test_a_template_with_an_undefined_name_fails_clearly(small: Office, tmp_path: Path):
    small.write("templates/board.html.j2", "{{ board.unit }} {{ nosuch }}\n")
    result = refused_template(small, tmp_path / "out", "board.html.j2", "board")
    assert "nosuch" in result.stderr
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())
    small.write("templates/bulletin.md.j2", "{{ b.unit }} {{ b.no_such_figure }}\n")
    target = tmp_path / "b.md"
    result = refused_template(
        small, target, "bulletin.md.j2", "bulletin", "2026Q4", "--format", "md"
    )
    assert "no_such_figure" in result.stderr
    assert not target.exists()


SANDBOX_ESCAPES = [
    "{{ ''.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ board.__class__.__init__.__globals__ }}",
    "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "{{ cycler.__init__.__globals__.os.environ }}",
    "{{ self._TemplateReference__context }}",
    "{% set _ = board.sheets.append(1) %}{{ board.sheets }}",
    "{{ board.update({'unit': 'x'}) }}",
]


@pytest.mark.parametrize("template", SANDBOX_ESCAPES)
def test_a_template_that_tries_to_leave_the_sandbox_is_refused(
    small: Office, tmp_path: Path, template: str
):
    small.write("templates/board.html.j2", template + "\n")
    out = tmp_path / "out"
    result = refused_template(small, out, "board.html.j2", "board")
    for leaked in ("<class", "uid=", "environ(", "HOME", "__builtins__", "TemplateReference"):
        assert leaked not in result.output, leaked
    assert not out.exists() or not list(out.iterdir())


# A clerk commits a template that is a link to a file of whoever prints: a leader's
# private key on the public board. The link is refused, never followed.
LINKED_TEMPLATES = [
    ("templates/board.html.j2", "board.html.j2", ("board",)),
    ("templates/print.css", "print.css", ("board",)),
    ("templates/bulletin.md.j2", "bulletin.md.j2", ("bulletin", "2026Q4", "--format", "md")),
    ("templates/site/record.html.j2", "site/record.html.j2", ("site", "build")),
]


@pytest.mark.parametrize(("relpath", "name", "args"), LINKED_TEMPLATES, ids=lambda v: str(v))
def test_a_template_that_is_a_link_is_refused_not_followed(
    small: Office, tmp_path: Path, relpath: str, name: str, args: tuple[str, ...]
):
    secret = tmp_path / "id_ed25519"
    secret.write_text("-----BEGIN OPENSSH PRIVATE KEY-----\nLEADERSKEY\n", "utf-8")
    (small.root / relpath).parent.mkdir(parents=True, exist_ok=True)
    (small.root / relpath).symlink_to(secret)
    out = tmp_path / "out"
    result = refused_template(small, out, relpath, *args)
    assert f"{relpath}: is a symbolic link; it may lead outside the office repository" in (
        result.stderr
    ), result.output
    assert "LEADERSKEY" not in result.output
    made = [p for p in out.rglob("*") if p.is_file()] if out.is_dir() else [out] * out.exists()
    assert all(b"LEADERSKEY" not in p.read_bytes() for p in made)
    # validate says so before anyone prints, and names the file
    said = small.run("validate")
    assert said.exit_code == 1, said.output
    assert f"{relpath}: is a symbolic link" in said.output
    assert name.rsplit("/", 1)[-1] in said.output


def test_a_templates_folder_that_is_a_link_is_refused(small: Office, tmp_path: Path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "board.html.j2").write_text("LEADERSKEY {{ board.unit }}\n", "utf-8")
    (small.root / "templates").symlink_to(elsewhere)
    out = tmp_path / "out"
    result = refused_template(small, out, "templates", "board")
    assert "templates: is a symbolic link" in result.stderr, result.output
    assert "LEADERSKEY" not in result.output
    assert not out.exists() or not list(out.iterdir())
    # the same template as a file of the office's own is used: only the link was refused
    (small.root / "templates").unlink()
    small.write("templates/board.html.j2", "OWN {{ board.unit }}\n")
    made = small.run("board", "-o", str(out), now=at("10-05"))
    assert made.exit_code == 0, made.output
    assert "OWN" in next(out.glob("*.html")).read_text("utf-8")


def test_a_schema_that_is_a_link_is_refused(small: Office, tmp_path: Path):
    secret = tmp_path / "shadow"
    secret.write_text("LEADERSKEY\n", "utf-8")
    (small.root / "schemas").mkdir()
    (small.root / "schemas" / "record.schema.yaml").symlink_to(secret)
    before = small.state()
    said = small.run("validate")
    assert said.exit_code == 1, said.output
    assert "schemas/record.schema.yaml: is a symbolic link" in said.output
    assert "LEADERSKEY" not in said.output and "Traceback" not in said.output
    assert small.state() == before


# --- 7. PDF -----------------------------------------------------------------------------------


def pdftotext(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout


def pdffonts(path: Path) -> list[dict[str, str]]:
    """pdffonts' table: a font's name can be wider than its column, so each line is
    read from both ends (name first; emb, sub, uni and the object id last)."""
    out = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True, timeout=60
    ).stdout.splitlines()
    fonts = []
    for line in out[2:]:
        words = line.split()
        fonts.append({"name": words[0], "emb": words[-5], "sub": words[-4], "uni": words[-3]})
    return fonts


def test_the_board_pdf_embeds_the_cjk_font_one_page_per_sheet(sheet_office, sheet_board, tmp_path):
    need_pdf()
    office, _many = sheet_office
    _result, target = render_board(office, tmp_path, now=SHEETS_TODAY, fmt="pdf")
    fonts = pdffonts(target)
    cjk = [f for f in fonts if "CJK" in f["name"] or "WenQuanYi" in f["name"]]
    assert cjk, fonts
    assert all(f["emb"] == "yes" and f["sub"] == "yes" for f in cjk), cjk
    text = pdftotext(target)
    assert UNIT in text and "作风建设重要举措第25号" in text
    # each A4 sheet is one printed page, numbered like the HTML
    total = len(sheets_of(sheet_board[1]))
    pages = text.rstrip("\f").split("\f")
    assert len(pages) == total
    for number, page in enumerate(pages, 1):
        assert f"第 {number} 张 / 共 {total} 张" in page, (number, page[-300:])


def test_the_bulletin_pdf_embeds_the_cjk_font(sel, tmp_path: Path):
    need_pdf()
    office, _ids = sel
    target = tmp_path / "b.pdf"
    ok(office, "bulletin", "2026Q3", "--format", "pdf", "-o", str(target), now=SEL_TODAY)
    cjk = [f for f in pdffonts(target) if "CJK" in f["name"] or "WenQuanYi" in f["name"]]
    assert cjk and all(f["emb"] == "yes" for f in cjk)
    text = pdftotext(target)
    assert UNIT in text and "九月党建活动通报（更正）" in text
    # the bulletin carries its verification code, on one line, as verify reads it
    code = re.search(r"核验码 (\S+)", text)
    assert code and re.fullmatch(r"[0-9a-f]{8}-PGB263-\d{6}-[A-Z0-9]{5}", code[1]), text[-400:]
    assert verify(office, code[1], now=SEL_TODAY).exit_code == 0


def _no_fc_list(tmp_path: Path) -> dict[str, str]:
    """A PATH holding git and nothing else."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    git_path = shutil.which("git")
    assert git_path
    (bin_dir / "git").symlink_to(git_path)
    return {"PATH": str(bin_dir)}


def _empty_fontconfig(tmp_path: Path) -> dict[str, str]:
    config = tmp_path / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
        f"<fontconfig><cachedir>{tmp_path / 'fc-cache'}</cachedir></fontconfig>\n",
        "utf-8",
    )
    return {"FONTCONFIG_FILE": str(config)}


@pytest.mark.parametrize("setting", [_no_fc_list, _empty_fontconfig], ids=["no-fc-list", "no-font"])
@pytest.mark.parametrize("what", ["board", "bulletin"])
def test_without_a_cjk_font_no_pdf_is_written_and_the_package_is_named(
    ver, tmp_path: Path, setting: Any, what: str
):
    office, _ids = ver
    out = tmp_path / "out"
    env = {"DANGWU_NOW": VER_TODAY, **setting(tmp_path)}
    if what == "board":
        args = ["board", "--format", "pdf", "-o", str(out)]
    else:
        args = ["bulletin", "2026Q4", "--format", "pdf", "-o", str(out / "b.pdf")]
    done = dangwu_process(*args, cwd=office.root, env=env)
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    assert "apt-get install fonts-noto-cjk fonts-hanazono" in done.stderr, done.stderr
    assert not list(tmp_path.rglob("*.pdf"))


WITHOUT_TYPST = (
    "import sys; sys.modules['typst'] = None; sys.argv = ['dangwu', *sys.argv[1:]]; "
    "from dangwu.cli import main; main()"
)


def test_without_typst_the_pdf_says_how_to_install_it(ver, tmp_path: Path):
    office, _ids = ver

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", WITHOUT_TYPST, *args],
            cwd=office.root,
            env={**os.environ, "DANGWU_NOW": VER_TODAY},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    from dangwu.resources import install_command

    # the tests run from a checkout: dangwu is installed again from it, not from PyPI
    command = install_command()
    assert command == f"pip install -e '{Path(__file__).resolve().parent.parent}'"
    done = run("board", "--format", "pdf", "-o", str(tmp_path / "out"))
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    assert command in done.stderr, done.stderr
    target = tmp_path / "b.pdf"
    done = run("bulletin", "2026Q4", "--format", "pdf", "-o", str(target))
    assert done.returncode == 1 and command in done.stderr
    assert not list(tmp_path.rglob("*.pdf"))
    # HTML needs no Typst
    done = run("board", "--format", "html", "-o", str(tmp_path / "html"))
    assert done.returncode == 0, done.stderr
    assert len(list((tmp_path / "html").glob("*.html"))) == 1


@pytest.mark.parametrize(
    ("record", "shown"),
    [
        ({"summary": "  摘要在此  ", "body": "正文"}, "摘要在此"),
        (
            {"body": "# 标题\n\n**第一段**，见[通知](https://example.org/a)。\n第二行\n\n第二段"},
            "第一段，见通知。 第二行",
        ),
        ({"body": "- 列表项\n\n`代码` 与 <u>标记</u>"}, "列表项"),
        ({"body": ""}, ""),
        ({"body": "字" * 200}, "字" * 158 + "……"),
    ],
)
def test_the_excerpt_is_the_summary_else_the_words_of_the_first_paragraph(record, shown):
    from dangwu.render.sheets import excerpt

    assert excerpt(record) == shown
