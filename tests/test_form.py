"""The approval form (党务公开审批表) of a record [SPEC 13]: what was proposed, the
collective decision, the secrecy, necessity and accuracy reviews, the approval and its
signature, and the publication, read back from the PDF and the DOCX."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import Office, copy_demo, need_pdf

NOW = "2026-12-03T10:00:00+08:00"


def ok(office: Office, *args: str, as_: str = "dumy", now: str = NOW) -> str:
    result = office.run(*args, as_=as_, now=now, env={"DANGWU_LANG": "en"})
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result.stdout


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def rows_of(path: Path) -> dict[str, str]:
    docx = pytest.importorskip("docx", reason="pip install python-docx")
    word = docx.Document(str(path))
    return {r.cells[0].text: r.cells[1].text for r in word.tables[0].rows}


def test_the_form_of_a_major_record_shows_its_decision_approval_and_signature(
    audited_demo: Path, tmp_path: Path
):
    need_pdf()
    demo = Office(copy_demo(audited_demo, tmp_path / "office"))
    said = ok(demo, "form", "ZZ-2026-102")
    path = demo.root / "printed" / "forms" / "ZZ-2026-102.pdf"
    assert said.startswith(f"{path}: the approval form of ZZ-2026-102, from commit ")
    text = pdf_text(path)
    for shown in ("党务公开审批表", "编号：ZZ-2026-102", "关于调整局机关党支部设置的决定",
                  "ZZ09 党组织机构设置情况（组织建设）", "党内公开", "2026年3月16日会议",
                  "出席5人（领导小组7人）", "决定公开", "韩振国，2026年3月17日",
                  "已用审核人本人密钥签名，签名有效", "已公开"):  # fmt: skip
        assert shown in text, (shown, text)
    ok(demo, "form", "ZZ-2026-102", "--format", "docx", "-o", str(tmp_path / "f.docx"))
    rows = rows_of(tmp_path / "f.docx")
    assert list(rows)[:3] == ["公开事项", "目录事项", "公开内容"]
    assert rows["审核盖章"] == "韩振国，2026年3月17日"
    assert rows["必要性审查"] == "（未记录）" and rows["签名"].endswith("签名有效")


def test_the_reviews_the_approver_records_are_on_the_form(office: Office, tmp_path: Path):
    rid = office.new("--summary", "第三季度党费收缴情况。", now=NOW)
    ok(office, "submit", rid)
    ok(
        office, "approve", rid, "--necessity", "属党员普遍关心的事项，应予公开",
        "--accuracy", "数据经财务科核对无误", as_="zhoulx",
    )  # fmt: skip
    ok(office, "form", rid, "--format", "docx", "-o", str(tmp_path / "f.docx"))
    rows = rows_of(tmp_path / "f.docx")
    assert rows["必要性审查"] == "属党员普遍关心的事项，应予公开"
    assert rows["准确性审查"] == "数据经财务科核对无误"
    assert rows["集体讨论决定"] == "非重大事项，未经集体讨论"
    assert rows["签名"] == "未签名" and rows["公开"] == "（尚无）"
    assert rows["公开时限"] == "每季度结束后10个工作日内（2026Q3）"
    assert office.run("audit").exit_code == 0
    # what a review says is printed: nothing hidden in it, nothing changed when refused
    rid2 = office.new("--summary", "另一条。", "--period", "2026Q2", now=NOW)
    ok(office, "submit", rid2)
    before = office.state()
    hidden = office.run("approve", rid2, "--accuracy", "已\u200b核", as_="zhoulx")
    assert hidden.exit_code == 1 and "Traceback" not in hidden.output
    assert office.state() == before


def test_a_withdrawn_records_form_says_who_took_it_back_when_and_why(
    office: Office, tmp_path: Path
):
    rid = office.new("--summary", "第三季度党费收缴情况。", now=NOW)
    ok(office, "submit", rid)
    ok(office, "approve", rid, as_="zhoulx")
    ok(office, "publish", rid)
    ok(office, "withdraw", rid, "--reason", "数据有误，待核实后重新公开", as_="hanzg")
    ok(office, "form", rid, "--format", "docx", "-o", str(tmp_path / "f.docx"))
    rows = rows_of(tmp_path / "f.docx")
    assert rows["撤回"] == "韩振国，2026年12月3日；原因：数据有误，待核实后重新公开"
    assert list(rows)[-2:] == ["撤回", "状态"] and rows["状态"] == "已撤回"


def test_a_form_of_nothing_or_in_another_format_is_one_line(office: Office):
    before = office.state()
    missing = office.run("form", "ZZ-2026-999", env={"DANGWU_LANG": "en"})
    assert missing.exit_code == 1 and "no record ZZ-2026-999" in missing.stderr
    rid = office.new(now=NOW)
    wrong = office.run("form", rid, "--format", "txt", env={"DANGWU_LANG": "en"})
    assert wrong.exit_code == 2 and "is not one of pdf, docx" in wrong.stderr
    assert len(wrong.stderr.strip().splitlines()) <= 2
    assert before["head"] != office.state()["head"]  # only the new record was committed
