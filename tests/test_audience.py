"""Disclosure to a named part of the organisation (对特定党的组织、党员和群众公开)
[SPEC 14]: a record for one audience appears only on that audience's internal outputs
(its board, bulletin and intranet), never on the office-wide internal ones and never
on a public one. Property-tested like the scope boundary (tests/test_scope_property.py)."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import SAMPLE_SETTINGS, Office, commit_as, git, need_pdf
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from steps import ok
from test_scope_property import ITEMS

from dangwu.model.office import Rules
from dangwu.model.record import Summary, content_hash
from dangwu.rules.board import allowed, select, slot_of

NOW = "2026-12-20T12:00:00+08:00"
FIRST = date(2026, 10, 1)
AUDIENCES = "audiences:\n  zhibu-a:\n    name: 第一党支部\n  zhibu-b:\n    name: 第二党支部\n"


def summary(scope: str, audience: str | None) -> Summary:
    return Summary("p", "b", "ZZ-2026-101", "zuzhi-jianshe", "x", "t", scope, "standing",
                   "published", ("internal-board",), "c", audience=audience)  # fmt: skip


@pytest.mark.parametrize(
    ("scope", "audience", "public", "internal", "own", "other"),
    [
        ("public", None, True, True, True, True),
        ("internal", None, False, True, True, True),
        ("internal", "zhibu-a", False, False, True, False),
    ],
)
def test_where_a_record_may_appear(scope, audience, public, internal, own, other):
    record = summary(scope, audience)
    assert allowed(record, "public") == public
    assert allowed(record, "internal") == internal
    assert allowed(record, "internal", "zhibu-a") == own
    assert allowed(record, "internal", "zhibu-b") == other
    assert not allowed(record, "public", "zhibu-a") or scope == "public"


def test_an_audiences_own_record_stands_beside_the_office_wide_one_on_its_board():
    """A branch's own quarterly record of an item does not take the office's record of
    the same item off the branch's board; each is the newest of its own."""

    def quarterly(rid: str, audience: str | None, day: str) -> Summary:
        return replace(
            summary("internal", audience), path=f"p/{rid}", id=rid, cadence="quarterly",
            period="2026Q4", published=f"{day}T10:00:00+08:00",
        )  # fmt: skip

    wide = quarterly("ZZ-2026-101", None, "2026-10-10")
    older_own = quarterly("ZZ-2026-102", "zhibu-a", "2026-10-11")
    own = quarterly("ZZ-2026-103", "zhibu-a", "2026-10-12")
    every = [wide, older_own, own]
    up = {e.summary.id for e in select(every, scope="internal", on=date(2026, 10, 20),
                                       rules=Rules(), audience="zhibu-a")}  # fmt: skip
    assert up == {"ZZ-2026-101", "ZZ-2026-103"}
    office_wide = select(every, scope="internal", on=date(2026, 10, 20), rules=Rules())
    assert [e.summary.id for e in office_wide] == ["ZZ-2026-101"]
    # and the verify walk, which keeps only the few newest of each item, keeps both
    assert slot_of(wide) != slot_of(own) == slot_of(older_own)


def test_a_correction_takes_down_only_where_its_own_readers_see_it():
    """An internal update of a public record leaves the public board as it was (its
    readers never see the update); on the internal board it replaces the record."""
    public = replace(
        summary("public", None), path="p/1", id="ZZ-2026-101", cadence="timely",
        channels=("public-board", "internal-board"), published="2026-10-10T10:00:00+08:00",
    )  # fmt: skip
    update = replace(
        summary("internal", None), path="p/2", id="ZZ-2026-102", cadence="timely",
        follows="ZZ-2026-101", published="2026-10-12T10:00:00+08:00",
    )  # fmt: skip
    on = date(2026, 10, 20)

    def board(scope: str) -> list[str]:
        return [e.summary.id for e in select([public, update], scope=scope, on=on, rules=Rules())]

    assert board("public") == ["ZZ-2026-101"]
    assert board("internal") == ["ZZ-2026-102"]


# --- validate ---------------------------------------------------------------------------


def with_audiences(office: Office) -> None:
    text = office.read("dangwu.yaml").replace("roster:\n", AUDIENCES + "roster:\n", 1)
    office.write("dangwu.yaml", text)
    commit_as(office.root, "linht", "settings: audiences", "dangwu.yaml",
              date="2026-10-04T10:00:00+08:00")  # fmt: skip


@pytest.mark.parametrize(
    ("fields", "expect"),
    [
        ("scope=public audience=zhibu-a", "audience: only an internal record"),
        ("audience=zhibu-a channels=internal-board,circular", "reaches people outside the"),
        ("audience=zhibu-x", "'zhibu-x' is not one of the office's audiences"),
    ],
)
def test_a_wrong_audience_is_refused_at_its_line(office: Office, fields: str, expect: str):
    with_audiences(office)
    rid = office.new("--scope", "internal", "--summary", "摘要")
    said = office.run("set", rid, *fields.split())
    assert said.exit_code == 1, said.output
    assert expect in said.stderr
    assert f"{rid}.yaml:" in said.stderr  # file:line:col


def test_a_scope_written_wrong_is_one_problem_not_two(office: Office):
    """An audience's record whose scope is misspelt by hand is told that, and not
    also that an audience needs an internal record."""
    with_audiences(office)
    rid = office.new("--scope", "internal", "--summary", "摘要")
    ok(office, "set", rid, "audience=zhibu-a", "channels=internal-board")
    path = next(office.root.glob(f"records/*/{rid}.yaml"))
    path.write_text(path.read_text("utf-8").replace("scope: internal", "scope: 公开"), "utf-8")
    said = office.run("validate")
    assert said.exit_code == 1, said.output
    assert "scope" in said.stdout + said.stderr
    assert "audience:" not in said.stdout + said.stderr, said.output


def test_an_audience_must_be_internal_on_the_command_line(office: Office):
    with_audiences(office)
    for args, expect in (
        (["board", "--audience", "zhibu-a"], "--audience is for internal outputs"),
        (["board", "--scope", "internal", "--audience", "zhibu-c"], "not one of the office's"),
        (["site", "build", "--audience", "zhibu-a"], "--audience is for internal outputs"),
    ):
        said = office.run(*args)
        assert said.exit_code == 2 and expect in said.stderr, (args, said.output)


# --- the boundary, on generated offices ---------------------------------------------------


@dataclass
class Spec:
    index: int
    slot: tuple[str, str, str]
    scope: str
    audience: str | None
    channels: list[str]
    day: int

    @property
    def id(self) -> str:
        return f"{self.slot[1]}-2026-{101 + self.index}"

    @property
    def marker(self) -> str:
        return f"AUD{self.index}Q{self.slot[1]}X"


def record(spec: Spec) -> dict[str, Any]:
    slug, _code, item = spec.slot
    when = FIRST + timedelta(days=spec.day)
    data: dict[str, Any] = {
        "id": spec.id,
        "category": slug,
        "item": item,
        "title": f"标题{spec.marker}t",
        "summary": f"摘要{spec.marker}s。",
        "body": f"正文 {spec.marker}b。",
        "scope": spec.scope,
        "channels": spec.channels,
        "cadence": "standing",
    }
    if spec.audience:
        data["audience"] = spec.audience
    content = content_hash(data)
    at = f"{when.isoformat()}T10:00:00+08:00"
    data |= {
        "status": "published",
        "created": {"by": "dumy", "at": at},
        "submitted": {"by": "dumy", "at": at},
        "approval": {"by": "zhoulx", "at": at, "content": content, "signed": False},
        "publication": {"by": "dumy", "at": at, "channels": spec.channels, "content": content},
    }
    return data


@st.composite
def offices(draw: Any) -> list[Spec]:
    slots = draw(st.lists(st.sampled_from(ITEMS), min_size=3, max_size=7, unique=True))
    specs = []
    for index, slot in enumerate(slots):
        scope = draw(st.sampled_from(["internal", "public"]))
        audience = (
            draw(st.sampled_from([None, "zhibu-a", "zhibu-b"])) if scope == "internal" else None
        )
        pool = ["internal-board", "intranet"] + ([] if audience else ["public-board", "website"])
        channels = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3, unique=True))
        specs.append(Spec(index, slot, scope, audience, channels, draw(st.integers(0, 60))))
    return specs


def build(root: Path, specs: list[Spec]) -> Office:
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    shutil.copy(SAMPLE_SETTINGS, root / "dangwu.yaml")
    text = (
        (root / "dangwu.yaml").read_text("utf-8").replace("roster:\n", AUDIENCES + "roster:\n", 1)
    )
    (root / "dangwu.yaml").write_text(text, "utf-8")
    for spec in specs:
        path = root / "records" / spec.slot[0] / f"{spec.id}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(record(spec), ensure_ascii=False, indent=2), "utf-8")
    commit_as(root, "dumy", "the office as it stands", date="2026-12-19T10:00:00+08:00")
    return Office(root)


def made(office: Office, folder: Path, audience: str | None) -> dict[str, str]:
    """The internal board, bulletin and intranet of the office, or of one audience."""
    extra = ("--audience", audience) if audience else ()
    name = audience or "office"
    runs = {
        "board": ("board", "--scope", "internal", *extra, "-o", str(folder / f"board-{name}")),
        "bulletin": (
            "bulletin",
            "2026Q4",
            "--scope",
            "internal",
            *extra,
            "--format",
            "md",
            "-o",
            str(folder / f"bulletin-{name}.md"),
        ),
        "site": (
            "site",
            "build",
            "--scope",
            "internal",
            *extra,
            "-o",
            str(folder / f"site-{name}"),
        ),
    }
    out: dict[str, str] = {}
    for what, args in runs.items():
        said = office.run(*args, now=NOW)
        assert said.exit_code == 0, (args, said.output)
        out[f"{what} (terminal)"] = said.output
    (board,) = (folder / f"board-{name}").glob("*.html")
    out["board"] = board.read_text("utf-8")
    out["bulletin"] = (folder / f"bulletin-{name}.md").read_text("utf-8")
    out["site"] = "\n".join(
        p.read_bytes().decode("utf-8", "replace")
        for p in sorted((folder / f"site-{name}").rglob("*"))
        if p.is_file()
    )
    return out


@settings(
    max_examples=15,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(offices())
def test_a_record_for_one_audience_is_on_its_outputs_and_no_others(specs: list[Spec]):
    with tempfile.TemporaryDirectory() as tmp:
        office = build(Path(tmp) / "office", specs)
        public = office.run("board", "-o", str(Path(tmp) / "public"), now=NOW)
        assert public.exit_code == 0, public.output
        (sheet,) = (Path(tmp) / "public").glob("*.html")
        outputs = {None: made(office, Path(tmp), None), "public": {"board": sheet.read_text()}}
        for audience in ("zhibu-a", "zhibu-b"):
            outputs[audience] = made(office, Path(tmp), audience)
    for spec in specs:
        for whose, texts in outputs.items():
            may = spec.audience is None or spec.audience == whose
            if whose == "public":
                may = spec.scope == "public"
            for what, text in texts.items():
                if not may:
                    assert spec.marker not in text, (whose, what, spec)
        # and what belongs there is there: its audience's board and bulletin
        if spec.audience and "internal-board" in spec.channels:
            assert f"标题{spec.marker}t" in outputs[spec.audience]["board"], spec
        if spec.audience:
            assert f"标题{spec.marker}t" in outputs[spec.audience]["bulletin"], spec
        if spec.audience and "intranet" in spec.channels:
            assert f"标题{spec.marker}t" in outputs[spec.audience]["site"], spec
        if spec.audience is None and "internal-board" in spec.channels:
            for whose in (None, "zhibu-a", "zhibu-b"):
                assert f"标题{spec.marker}t" in outputs[whose]["board"], (whose, spec)


def test_the_sample_board_of_an_audience_verifies(office: Office, tmp_path: Path):
    """A sheet of one audience's board carries its own code, which verify finds."""
    with_audiences(office)
    rid = office.new(
        "--scope", "internal", "--summary", "支部事项", now="2026-10-05T09:00:00+08:00"
    )
    ok(office, "set", rid, "audience=zhibu-a", "channels=[internal-board, intranet]",
       now="2026-10-05T09:10:00+08:00")  # fmt: skip
    ok(office, "submit", rid, now="2026-10-05T10:00:00+08:00")
    ok(office, "approve", rid, as_="zhoulx", now="2026-10-06T10:00:00+08:00")
    published = ok(office, "publish", rid, now="2026-10-06T11:00:00+08:00")
    # what to print next is the audience's board, which shows it
    assert "dangwu board --scope internal --audience zhibu-a" in published.output
    said = ok(office, "board", "--scope", "internal", "--audience", "zhibu-a", "-o",
              str(tmp_path), now="2026-10-07T10:00:00+08:00")  # fmt: skip
    codes = [line.split()[2] for line in said.stdout.splitlines()[1:]]
    assert codes and all("-T" in code for code in codes)
    assert "audience   第一党支部 (zhibu-a)" in ok(office, "show", rid).stdout
    checked = ok(office, "verify", codes[0], now="2026-10-07T10:00:00+08:00")
    assert "genuine" in checked.stdout and "internal · 第一党支部" in checked.stdout
    # the audience's intranet page says whom the record is disclosed to
    ok(office, "site", "build", "--scope", "internal", "--audience", "zhibu-a", "-o",
       str(tmp_path / "intranet"), now="2026-10-07T10:00:00+08:00")  # fmt: skip
    page = (tmp_path / "intranet" / "records" / f"{rid}.html").read_text("utf-8")
    assert "<dt>公开范围</dt><dd>党内公开·第一党支部</dd>" in page
    # the office-wide internal board does not have it
    wide = ok(office, "board", "--scope", "internal", "-o", str(tmp_path / "wide"),
              now="2026-10-07T10:00:00+08:00")  # fmt: skip
    (page,) = (tmp_path / "wide").glob("*.html")
    assert "支部事项" not in page.read_text("utf-8"), wide.stdout


def test_list_names_each_records_audience_and_selects_by_it(office: Office):
    with_audiences(office)
    mine = office.new(
        "--scope", "internal", "--summary", "支部事项", now="2026-10-05T09:00:00+08:00"
    )
    ok(office, "set", mine, "audience=zhibu-a", "channels=internal-board",
       now="2026-10-05T09:10:00+08:00")  # fmt: skip
    wide = office.new(
        "--scope", "internal", "--summary", "全局事项", now="2026-10-05T09:20:00+08:00"
    )
    listed = {r["id"]: r for r in json.loads(ok(office, "list", "--json").stdout)}
    assert listed[mine]["audience"] == "zhibu-a" and listed[wide]["audience"] is None
    only = json.loads(ok(office, "list", "--audience", "zhibu-a", "--json").stdout)
    assert [r["id"] for r in only] == [mine]
    table = ok(office, "list").stdout
    row = next(line for line in table.splitlines() if mine in line)
    assert "第一党支部" in row, table
    assert "第一党支部" not in next(line for line in table.splitlines() if wide in line)
    assert "No records match." in ok(office, "list", "--audience", "zhibu-b").stdout
    by_name = json.loads(ok(office, "list", "--audience", "第一党支部", "--json").stdout)
    assert [r["id"] for r in by_name] == [mine]  # the name as list prints it
    refused = office.run("list", "--audience", "zhibu-c")
    assert refused.exit_code == 2, refused.output
    assert "'zhibu-c' is not one of the office's audiences" in refused.stderr
    assert "zhibu-a (第一党支部), zhibu-b (第二党支部)" in refused.stderr


def test_the_archive_keeps_each_audiences_board_and_bulletin(office: Office, tmp_path: Path):
    """The year's archive holds the board of each audience as it stood after each
    change, and its bulletins, beside the office's: the branch's record is on its
    own board's sheets and on no other board's."""
    need_pdf()
    with_audiences(office)
    title = "第一党支部组织生活会安排"
    rid = office.new("--scope", "internal", "--summary", "支部事项", title=title,
                     now="2026-10-05T09:00:00+08:00")  # fmt: skip
    ok(office, "set", rid, "audience=zhibu-a", "channels=internal-board",
       now="2026-10-05T09:10:00+08:00")  # fmt: skip
    ok(office, "submit", rid, now="2026-10-05T10:00:00+08:00")
    ok(office, "approve", rid, as_="zhoulx", now="2026-10-06T10:00:00+08:00")
    ok(office, "publish", rid, now="2026-10-06T11:00:00+08:00")
    archive = tmp_path / "archive"
    ok(office, "archive", "--year", "2026", "-o", str(archive), now=NOW)

    def text(path: Path) -> str:
        done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True)
        return done.stdout.replace("\n", "")

    own = sorted((archive / "boards" / "internal-zhibu-a").glob("*.pdf"))
    assert [p.name for p in own] == ["2026-10-06.pdf"], own
    assert "第一党支部组织生活会安排" in text(own[0])
    assert not (archive / "boards" / "internal-zhibu-b").exists()  # it had nothing posted
    for other in ("public", "internal"):
        for sheet in (archive / "boards" / other).glob("*.pdf"):
            assert "第一党支部组织生活会安排" not in text(sheet), sheet
    bulletin = archive / "bulletins" / "2026Q4-internal-zhibu-a.pdf"
    assert "第一党支部组织生活会安排" in text(bulletin)
    # a quarter with nothing of an audience's own has only the office's bulletin
    audiences = sorted(p.name for p in (archive / "bulletins").glob("*-internal-*.pdf"))
    assert audiences == ["2026Q4-internal-zhibu-a.pdf"], audiences
    assert "第一党支部组织生活会安排" not in text(archive / "bulletins" / "2026Q4-internal.pdf")
    contents = (archive / "index.html").read_text("utf-8")
    assert "党内公开·第一党支部栏 2026年10月6日 全版（1项）" in contents, contents
    checked = office.run("archive", "check", str(archive))
    assert checked.exit_code == 0, checked.output
