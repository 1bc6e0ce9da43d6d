"""The year's four ledgers (台账) [SPEC 13]: they say what stats, log and the opinions
say of the same year, as CSV that spreadsheets open, as PDF and as DOCX."""

from __future__ import annotations

import csv
import json
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import Office, commit_as, copy_demo, need_pdf

NOW = "2026-12-03T10:00:00+08:00"


def ok(office: Office, *args: str, now: str = NOW) -> str:
    result = office.run(*args, now=now, env={"DANGWU_LANG": "en"})
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result.stdout


@pytest.fixture
def demo(audited_demo: Path, tmp_path: Path) -> Office:
    return Office(copy_demo(audited_demo, tmp_path / "office"))


def read(folder: Path, key: str) -> list[dict[str, str]]:
    raw = (folder / f"ledger-2026-{key}.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM: Excel and WPS read UTF-8 Chinese
    return list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))


def test_the_ledgers_agree_with_stats_log_and_the_opinions(demo: Office, tmp_path: Path):
    said = ok(demo, "ledger", "--year", "2026", "--format", "csv", "-o", str(tmp_path))
    assert said.splitlines()[0] == str(tmp_path / "ledger-2026-disclosures.csv")
    disclosures = read(tmp_path, "disclosures")
    figures = json.loads(ok(demo, "stats", "--year", "2026", "--json"))
    formal = [r for r in disclosures if r["公开类别"] == "正式公开"]
    assert len(formal) == figures["published"]
    consulted = [r for r in disclosures if r["公开类别"] == "征求意见"]
    assert len(consulted) == figures["pre_disclosures"]["count"]
    assert [r["序号"] for r in disclosures] == [str(n) for n in range(1, len(disclosures) + 1)]
    # who approved each, as the history's approve step says
    for row in formal[:6]:
        steps = json.loads(ok(demo, "log", row["编号"], "--json"))
        approver = next(s for s in steps if s["step"] == "approve")
        assert row["审核人"] == approver["name"], (row, approver)
    opinions = json.loads(ok(demo, "feedback", "list", "--json"))
    received = read(tmp_path, "opinions")
    assert len(received) == len([o for o in opinions if o["received"].startswith("2026")])
    in_order = sorted(opinions, key=lambda o: o["received"])
    assert [r["编号"] for r in received] == [o["record"] for o in in_order]
    handled = read(tmp_path, "handling")
    assert len(handled) == len(received) and all(r["办理结果"] for r in handled)
    meetings = read(tmp_path, "meetings")
    decided_days = {r["时间"] for r in meetings if r["会议名称"] == "领导小组集体讨论"}
    assert decided_days and all(r["应到/实到"].startswith("7/") for r in meetings)


def test_a_meeting_and_its_minutes_go_into_the_meetings_ledger(demo: Office, tmp_path: Path):
    ok(
        demo, "meeting", "new", "--kind", "disclosure", "--title", "2026年第四季度党务公开会议",
        "--at", "2026-12-05 09:30", "--place", "局机关三楼会议室", "--chair", "hanzg",
        "--invite", "zhoulx,sunhm", "--matter", "ZD-2026-102",
    )  # fmt: skip
    ok(demo, "ledger", "--year", "2026", "--format", "csv", "-o", str(tmp_path))
    row = next(r for r in read(tmp_path, "meetings") if r["会议编号"] == "2026-1")
    assert row["应到/实到"] == "3/" and row["记录人"] == "未记录" and row["主持人"] == "韩振国"
    held = "2026-12-05T11:00:00+08:00"
    ok(demo, "meeting", "minutes", "1", "--present", "hanzg,zhoulx", "--absent", "sunhm=出差",
       "--decisions", "同意", now=held)  # fmt: skip
    ok(demo, "ledger", "--year", "2026", "--format", "csv", "-o", str(tmp_path), now=held)
    row = next(r for r in read(tmp_path, "meetings") if r["会议编号"] == "2026-1")
    assert row["应到/实到"] == "3/2" and row["记录人"] == "杜明远"


def test_a_meeting_never_names_a_reporter(demo: Office, tmp_path: Path):
    """Refused when it is called; blotted in the ledger where an older one did (its
    file written when dangwu let it, or by hand)."""
    name = yaml.safe_load((demo.root / "reports" / "101.yaml").read_text("utf-8"))["name"]
    before = demo.state()
    said = demo.run(
        "meeting", "new", "--kind", "briefing", "--title", f"{name}反映问题通报会",
        "--at", "2026-12-05 09:30", "--place", "三楼", "--chair", "hanzg", "--invite", "zhoulx",
        now=NOW, env={"DANGWU_LANG": "en"},
    )  # fmt: skip
    assert said.exit_code == 1 and "names a real-name reporter" in said.stderr, said.output
    assert demo.state() == before
    ok(
        demo, "meeting", "new", "--kind", "briefing", "--title", "反映问题通报会",
        "--at", "2026-12-05 09:30", "--place", "三楼", "--chair", "hanzg", "--invite", "zhoulx",
    )  # fmt: skip
    (path,) = (demo.root / "meetings").rglob("*.yaml")
    path.write_text(path.read_text("utf-8").replace("反映问题通报会", f"{name}反映问题通报会"))
    commit_as(demo.root, "dumy", "meeting title", "meetings", date=NOW)
    ok(demo, "ledger", "--year", "2026", "--format", "csv", "-o", str(tmp_path))
    row = next(r for r in read(tmp_path, "meetings") if r["会议编号"] == "2026-1")
    assert row["会议名称"] == "＊＊＊反映问题通报会"


def test_the_ledgers_print_as_pdf_and_docx(demo: Office, tmp_path: Path):
    need_pdf()
    ok(demo, "ledger", "--year", "2026", "-o", str(tmp_path / "l.pdf"))
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "l.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    for name in ("党务公开事项登记簿", "党务公开会议记录簿", "党务公开意见建议登记簿",
                 "党务公开意见建议办理登记册"):  # fmt: skip
        assert name in text, name
    docx = pytest.importorskip("docx", reason="pip install python-docx")
    ok(demo, "ledger", "--year", "2026", "--format", "docx", "-o", str(tmp_path / "l.docx"))
    word = docx.Document(str(tmp_path / "l.docx"))
    assert len(word.tables) == 4
    assert [c.text for c in word.tables[0].rows[0].cells][:3] == ["序号", "公开日期", "编号"]
    assert word.sections[0].page_width > word.sections[0].page_height  # A4 across
    # every cell where the CSV has it
    ok(demo, "ledger", "--year", "2026", "--format", "csv", "-o", str(tmp_path / "csv"))
    keys = ("disclosures", "meetings", "opinions", "handling")
    for table, key in zip(word.tables, keys, strict=True):
        raw = (tmp_path / "csv" / f"ledger-2026-{key}.csv").read_text("utf-8-sig")
        rows = list(csv.reader(raw.splitlines()))
        grid = [[c.text for c in row.cells] for row in table.rows]
        if len(rows) == 1:  # a ledger with nothing in it says so
            rows.append(["无"] + [""] * (len(rows[0]) - 1))
        assert grid == rows, key


def test_a_tables_cells_are_laid_out_once_in_their_places():
    """The cells of a new table, row by row, are the ones python-docx's own
    ``table.cell`` gives (which lays out the whole table for each)."""
    docx = pytest.importorskip("docx", reason="pip install python-docx")
    from dangwu.render.circular import table_cells

    table = docx.Document().add_table(rows=7, cols=3)
    cells = table_cells(table)
    assert [len(row) for row in cells] == [3] * 7
    for r in range(7):
        for c in range(3):
            assert cells[r][c]._tc is table.cell(r, c)._tc


def test_a_year_with_nothing_and_a_wrong_year_or_format(demo: Office, tmp_path: Path):
    ok(demo, "ledger", "--year", "2025", "--format", "csv", "-o", str(tmp_path))
    assert read_year(tmp_path, 2025, "disclosures") == []
    before = demo.state()
    for args in (("--year", "26"), ("--year", "2026", "--format", "xls")):
        result = demo.run("ledger", *args, env={"DANGWU_LANG": "en"})
        assert result.exit_code == 2 and "Traceback" not in result.output, result.output
        assert len(result.stderr.strip().splitlines()) <= 2
    assert demo.state() == before


def read_year(folder: Path, year: int, key: str) -> list[dict[str, str]]:
    text = (folder / f"ledger-{year}-{key}.csv").read_text("utf-8-sig")
    return list(csv.DictReader(text.splitlines()))
