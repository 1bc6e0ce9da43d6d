"""Circulars (印发党务公开信息) [SPEC 12]: issued from records published on the circular
channel, numbered per year without a gap or a number used twice (on one clone and
across clones), laid out by GB/T 9704-2012 (measured on the PDF, read back from the
DOCX), verified by their code, and kept as issued (the audit)."""

from __future__ import annotations

import itertools
import json
import re
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import Office, commit_as, copy_demo, need_pdf
from plaingit import demo_signer

from dangwu.model.meeting import Minutes
from dangwu.store import meetings as stored

NOW = "2026-12-03T10:00:00+08:00"
LATER = "2026-12-04T10:00:00+08:00"
MM = 72 / 25.4  # points in a millimetre


def ok(office: Office, *args: str, as_: str = "dumy", now: str = NOW) -> str:
    result = office.run(*args, as_=as_, now=now, env=_env(office, as_))
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result.stdout


def _env(office: Office, key: str) -> dict[str, str]:
    """English; in the sample office, signing with the person's sample key."""
    demo = (office.root / ".git" / "dangwu" / "demo-keys" / key).is_file()
    return {"DANGWU_LANG": "en", **(demo_signer(office, key) if demo else {})}


def refused(office: Office, *args: str, code: int = 1, as_: str = "dumy", now: str = NOW) -> str:
    before = office.state()
    result = office.run(*args, as_=as_, now=now, env=_env(office, as_))
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) <= 2, result.stderr  # a line, and a hint
    assert office.state() == before
    return result.stderr


@pytest.fixture
def demo(audited_demo: Path, tmp_path: Path) -> Office:
    return Office(copy_demo(audited_demo, tmp_path / "office"))


def code_of(said: str) -> str:
    found = re.search(r"verification code (\S+)", said)
    assert found, said
    return found[1]


def test_a_circular_is_issued_under_the_next_number_and_printed_again_as_it_was(demo: Office):
    said = ok(demo, "circular", "ZD-2026-102", "--format", "docx")
    assert said.startswith(
        "江城市司法局〔2026〕1号 江城市司法局机关党建工作责任制（2026年修订）: issued"
    )
    issued = demo.read("circulars/2026-001.yaml")
    assert "id: ZD-2026-102" in issued and "label: 江城市司法局〔2026〕1号" in issued
    subject = demo.git("log", "-1", "--format=%s%n%b")
    assert (
        subject.startswith("circular: 江城市司法局〔2026〕1号")
        and "Dangwu-Step: circular" in subject
    )
    second = ok(demo, "circular", "ZZ-2026-102", "ZZ-2026-106", "--format", "docx")
    assert second.startswith("江城市司法局〔2026〕2号 关于印发党务公开事项的通知: issued")
    # the first again, by its number: the same circular, no new commit, the same code
    head = demo.head()
    again = ok(
        demo, "circular", "ZD-2026-102", "--number", "江城市司法局[2026]1号", "--format", "docx"
    )
    assert "printed again" in again and code_of(again) == code_of(said)
    assert demo.head() == head
    assert (demo.root / "printed" / "circulars" / "2026-001.docx").is_file()


def test_a_number_is_never_given_twice_nor_skipped(demo: Office):
    ok(demo, "circular", "ZD-2026-102", "--format", "docx")
    # the rules of numbering are rules (exit 1); a label that is not one is a typo (2)
    said = refused(demo, "circular", "ZZ-2026-102", "--number", "江城市司法局〔2026〕1号")
    assert "number 1 of 2026 was given to another circular" in said
    said = refused(demo, "circular", "ZZ-2026-102", "--number", "江城市司法局〔2026〕5号")
    assert "the next number of 2026 is 2" in said
    said = refused(demo, "circular", "ZZ-2026-102", "--number", "江城市司法局〔2025〕2号")
    assert "2025 is not this year" in said
    said = refused(demo, "circular", "ZZ-2026-102", "--number", "京司党〔2026〕2号", code=2)
    assert "numbered 江城市司法局〔year〕N号" in said
    refused(demo, "circular", "ZZ-2026-102", "--number", "第二号", code=2)


def test_the_same_records_go_out_as_one_circular_once(demo: Office):
    ok(demo, "circular", "ZD-2026-102", "--format", "docx")
    said = refused(demo, "circular", "ZD-2026-102", "--format", "docx")
    assert "ZD-2026-102 went out as circular 江城市司法局〔2026〕1号 on" in said
    assert "dangwu circular ZD-2026-102 --number 江城市司法局〔2026〕1号" in said
    again = ok(demo, "circular", "ZD-2026-102", "--number", "江城市司法局〔2026〕1号")
    assert "〔2026〕1号" in again


def test_only_records_published_on_the_circular_channel_go_out(demo: Office):
    listed = ok(demo, "list", "--json")
    import json

    rows = {r["id"]: r for r in json.loads(listed)}
    elsewhere = next(
        i for i, r in rows.items() if r["status"] == "published" and "circular" not in r["channels"]
    )
    said = refused(demo, "circular", elsewhere)
    assert f"{elsewhere} was not published on the circular channel" in said
    draft = next((i for i, r in rows.items() if r["status"] != "published"), None)
    if draft is not None:
        assert "only published records go out" in refused(demo, "circular", draft)
    assert "there is no record" in refused(demo, "circular", "ZD-2026-999")
    assert "named twice" in refused(demo, "circular", "ZD-2026-102", "ZD-2026-102")
    # a supervisor may give opinions, not issue circulars
    assert "may not" in refused(demo, "circular", "ZD-2026-102", as_="chensh")


def test_a_circulars_code_is_genuine_then_superseded_and_a_forged_one_is_not(demo: Office):
    code = code_of(ok(demo, "circular", "ZD-2026-102", "--format", "docx"))
    said = ok(demo, "verify", code)
    assert "genuine: circular 江城市司法局〔2026〕1号" in said and "current:" in said
    wrong = demo.run("verify", code.replace("-IFW1-", "-IFW2-"), env={"DANGWU_LANG": "en"})
    assert wrong.exit_code in (1, 2) and "genuine:" not in wrong.stdout
    ok(demo, "withdraw", "ZD-2026-102", "--reason", "制度已废止", as_="hanzg", now=LATER)
    later = ok(demo, "verify", code, now=LATER)
    assert "superseded" in later and "withdrawn since: ZD-2026-102" in later


def test_an_issued_circular_changed_or_numbered_by_hand_is_caught_by_the_audit(demo: Office):
    ok(demo, "circular", "ZD-2026-102", "--format", "docx")
    path = demo.root / "circulars" / "2026-001.yaml"
    path.write_text(path.read_text("utf-8").replace("2026年修订", "2025年修订"), "utf-8")
    commit_as(demo.root, "dumy", "typo", "circulars", date=LATER)
    said = demo.run("audit", env={"DANGWU_LANG": "en"})
    assert said.exit_code == 1 and "[circular-changed]" in said.stdout, said.output
    demo.git("reset", "-q", "--hard", "HEAD~1")
    skipped = path.read_text("utf-8").replace("number: 1", "number: 5")
    demo.write("circulars/2026-005.yaml", skipped)
    commit_as(demo.root, "dumy", "circular 5", "circulars", date=LATER)
    said = demo.run("audit", env={"DANGWU_LANG": "en"})
    assert "[circular-number]" in said.stdout and "where 2 was next" in said.stdout, said.output


def test_an_audit_taken_up_again_knows_the_records_and_numbers_before_it(demo: Office):
    """An audit continued from the last one judged a circular carrying an earlier
    record as carrying "not a record", and knew no earlier number."""
    assert demo.run("audit", now=NOW).exit_code == 0  # kept for the next audit
    ok(demo, "circular", "ZD-2026-102", "--format", "docx")
    ok(demo, "circular", "ZZ-2026-102", "--format", "docx")
    again = demo.run("audit", now=NOW, env={"DANGWU_LANG": "en"})
    assert again.exit_code == 0, again.output
    assert "2 new commits checked" in again.stderr


def test_two_clones_never_issue_the_same_number(demo: Office, tmp_path: Path):
    bare = tmp_path / "server.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    ok(demo, "hook", "install", "--lang", "en", str(bare))
    ok(demo, "remote", "add", str(bare), as_="linht")
    ok(demo, "sync", as_="linht")
    where = Office(tmp_path)
    ok(where, "clone", str(bare), str(tmp_path / "a"))
    ok(where, "clone", str(bare), str(tmp_path / "b"), as_="linht")
    a, b = Office(tmp_path / "a"), Office(tmp_path / "b")
    assert "江城市司法局〔2026〕1号" in ok(a, "circular", "ZD-2026-102", "--format", "docx")
    ok(a, "sync")
    # the other clone, behind: its own number 1 cannot land beside the first
    ok(b, "circular", "ZZ-2026-102", "--format", "docx", as_="linht")
    on_server = subprocess.run(
        ["git", "-C", str(bare), "rev-parse", "main"], capture_output=True, text=True, check=True
    ).stdout
    result = b.run("sync", as_="linht", now=NOW, env={"DANGWU_LANG": "en"})
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert (
        subprocess.run(
            ["git", "-C", str(bare), "rev-parse", "main"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        == on_server
    )
    # taken up to date first, it issues the next number
    b.git("reset", "-q", "--hard", "origin/main")
    assert "江城市司法局〔2026〕2号" in ok(
        b, "circular", "ZZ-2026-102", "--format", "docx", as_="linht"
    )
    ok(b, "sync", as_="linht")
    assert ok(b, "audit").count("circular") == 0


# --- the page of GB/T 9704-2012, measured -------------------------------------------------


@pytest.fixture
def printed(demo: Office) -> tuple[Office, Path]:
    need_pdf()
    ok(demo, "circular", "ZZ-2026-102", "ZZ-2026-106")
    return demo, demo.root / "printed" / "circulars" / "2026-001.pdf"


def test_the_pdf_keeps_the_page_margins_and_line_grid_of_gbt_9704(printed: tuple[Office, Path]):
    pdfplumber = pytest.importorskip("pdfplumber", reason="pip install pdfplumber")
    _office, pdf = printed
    with pdfplumber.open(pdf) as doc:
        first = doc.pages[0]
        assert (round(first.width, 1), round(first.height, 1)) == (595.3, 841.9)  # A4
        lines = _lines(first)
        # 版心: its top 37 mm down (the 党内 mark sits on its first line), its left 28 mm in
        top_line = min(lines)
        assert abs(top_line / MM - 37) <= 1.5, top_line / MM
        body = [(y, xs) for y, xs in sorted(lines.items()) if len(xs) >= 26]
        assert len(body) >= 4, lines
        lefts = [min(x0 for x0, _x1, _s in xs) for _y, xs in body]
        rights = [max(x1 for _x0, x1, _s in xs) for _y, xs in body]
        assert min(lefts) / MM == pytest.approx(28, abs=1), lefts
        assert max(rights) / MM == pytest.approx(210 - 26, abs=1), rights  # 156 mm wide
        # 28 characters to a full line: a line that reaches the right edge holds 28, its
        # indent counted (figures and Latin letters are half as wide)
        char = 156 * MM / 28
        full = [
            (x0 - 28 * MM) / char + sum(1 if s >= 15 and w > 12 else 0.5 for w, s in sizes)
            for x0, x1, sizes in _widths(body)
            if abs(x1 - (210 - 26) * MM) < 1
        ]
        assert full and all(abs(n - 28) <= 0.6 for n in full), full
        tops = [y for y, _xs in body]
        steps = [b - a for a, b in itertools.pairwise(tops) if b - a < 35]
        pitch = sorted(steps)[len(steps) // 2]
        assert pitch / MM == pytest.approx(225 / 22, abs=0.15), steps
        # the red line: as wide as the 版心, 4 mm below the 发文字号
        red = [
            r
            for r in first.lines + first.rects
            if r.get("stroking_color") and _is_red(r["stroking_color"])
        ]
        assert red, "no red line"
        width = max(r["x1"] - r["x0"] for r in red)
        assert width / MM == pytest.approx(156, abs=1)
        # the page number — 1 —: 4号 (14 pt), 7 mm below the 版心 (297 - 35 mm)
        numbers = [c for c in first.chars if c["text"] == "1" and c["top"] > 262 * MM]
        assert numbers, "no page number"
        assert round(numbers[0]["size"]) == 14
        dash = [c for c in first.chars if c["text"] == "—" and c["top"] > 262 * MM]
        middle = (dash[0]["top"] + dash[0]["bottom"]) / 2
        assert middle / MM == pytest.approx(297 - 35 + 7, abs=2), middle / MM
        # body in 3号 (16 pt); the 发文机关标志 in red
        sizes = {round(c["size"]) for y, xs in body for c in first.chars if abs(c["top"] - y) < 1}
        assert 16 in sizes
        issuer = [
            c
            for c in first.chars
            if c["text"] == "司" and c["top"] < 90 * MM and _is_red(c.get("non_stroking_color"))
        ]
        assert issuer, "the 发文机关标志 is not red"
        fonts = {c["fontname"].split("+")[-1] for c in first.chars if round(c["size"]) == 16}
        assert any(re.search(r"FangSong|仿宋|Fang|NotoSerifCJK", f) for f in fonts), fonts
        last = doc.pages[-1].extract_text()
        assert "印发" in last and "核验码" in last  # the 版记 closes the last page
        # printed on both sides: the 版记 is on the back of the last sheet, an even page
        assert len(doc.pages) % 2 == 0, len(doc.pages)
        assert all("核验码" not in p.extract_text() for p in doc.pages[:-1])


def test_a_short_circular_keeps_its_text_on_the_front_and_its_imprint_on_the_back(
    office: Office,
):
    need_pdf()
    pdfplumber = pytest.importorskip("pdfplumber", reason="pip install pdfplumber")
    rid = office.new("--summary", "党费收缴情况良好。", "--channel", "circular", now=NOW)
    ok(office, "submit", rid)
    ok(office, "approve", rid, as_="zhoulx")
    ok(office, "publish", rid)
    ok(office, "circular", rid)
    with pdfplumber.open(office.root / "printed" / "circulars" / "2026-001.pdf") as doc:
        texts = [p.extract_text() for p in doc.pages]
    assert len(texts) % 2 == 0 and "核验码" in texts[-1], texts
    assert "核验码" not in "".join(texts[:-1])


def _widths(body):
    for _y, xs in body:
        yield (
            min(x0 for x0, _x1, _s in xs),
            max(x1 for _x0, x1, _s in xs),
            [(x1 - x0, s) for x0, x1, s in xs],
        )


def _lines(page) -> dict[float, list[tuple[float, float, float]]]:
    """Characters by the top of their line: (x0, x1, size) each."""
    found: dict[float, list[tuple[float, float, float]]] = {}
    for c in page.chars:
        if not c["text"].strip():
            continue
        key = next((y for y in found if abs(y - c["top"]) < 2), round(c["top"], 1))
        found.setdefault(key, []).append((c["x0"], c["x1"], c["size"]))
    return found


def _is_red(color) -> bool:
    if not color:
        return False
    values = list(color) if isinstance(color, (list, tuple)) else [color]
    if len(values) == 4:  # CMYK
        c, m, y, k = values
        return m > 0.5 and y > 0.5 and c < 0.2 and k < 0.2
    if len(values) == 3:
        r, g, b = values
        return r > 0.7 and g < 0.4 and b < 0.4
    return False


def test_the_docx_has_the_page_faces_and_numbers_of_gbt_9704(demo: Office):
    docx = pytest.importorskip("docx", reason="pip install python-docx")
    from docx.shared import Mm, Pt

    ok(demo, "circular", "ZD-2026-102", "--format", "docx")
    word = docx.Document(str(demo.root / "printed" / "circulars" / "2026-001.docx"))
    section = word.sections[0]
    # Word keeps lengths in twentieths of a point: a millimetre's fraction is rounded
    assert abs(section.page_width - Mm(210)) < Mm(0.1) and abs(section.page_height - Mm(297)) < Mm(
        0.1
    )
    assert abs(section.top_margin - Mm(37)) < Mm(0.1) and abs(section.left_margin - Mm(28)) < Mm(
        0.1
    )
    assert abs(section.right_margin - Mm(26)) < Mm(0.1) and abs(
        section.bottom_margin - Mm(35)
    ) < Mm(0.1)
    normal = word.styles["Normal"]
    assert normal.font.size == Pt(16)
    east = normal.element.rPr.rFonts.get(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"
    )
    assert east == "仿宋_GB2312"
    assert abs(normal.paragraph_format.line_spacing.pt - 225 / 22 * 72 / 25.4) < 0.1
    texts = [p.text for p in word.paragraphs]
    assert "江城市司法局" in texts and "江城市司法局〔2026〕1号" in texts
    mark = next(p for p in word.paragraphs if p.text == "江城市司法局")
    assert str(mark.runs[0].font.color.rgb) == "E83828"
    assert any("印发" in t for t in texts) and any(t.startswith("核验码") for t in texts)
    # the 版记 is one frame at the foot of the text block, ruled above and below
    framed = next(p for p in word.paragraphs if p.text.startswith("核验码"))
    assert framed.text.endswith("\n江城市司法局党务公开办公室\t2026年12月3日印发"), framed.text
    imprint = framed._p.xml
    assert re.search(r'<w:framePr[^>]*w:vAnchor="margin"[^>]*w:yAlign="bottom"', imprint)
    assert '<w:top w:val="single" w:sz="8"' in imprint
    assert '<w:bottom w:val="single" w:sz="8"' in imprint
    footer = section.footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and "— " in footer


# --- manuscripts for the newspaper -------------------------------------------------------


def test_a_manuscript_carries_the_record_for_the_paper_and_checks_out(demo: Office):
    said = ok(demo, "manuscript", "ZD-2026-104", "--format", "txt")
    assert "a manuscript of ZD-2026-104 for 《江城日报》" in said
    text = (demo.root / "printed" / "manuscripts" / "ZD-2026-104.txt").read_text("utf-8")
    assert text.startswith("《江城日报》编辑部：")
    assert "2026年第二季度领导干部信访接待日落实情况及第三季度安排" in text
    assert "供稿单位：江城市司法局" in text and "监督电话：0000-1234567" in text
    assert "日期：2026年12月3日" in text and re.search(r"字数：约\d+字", text)
    code = code_of(said)
    assert f"核验码：{code}" in text
    checked = ok(demo, "verify", code)
    assert "genuine: a manuscript of ZD-2026-104" in checked and "current:" in checked
    ok(demo, "withdraw", "ZD-2026-104", "--reason", "安排调整", as_="hanzg", now=LATER)
    assert "superseded" in ok(demo, "verify", code, now=LATER)


def test_a_manuscript_as_word_and_what_may_not_be_one(demo: Office):
    docx = pytest.importorskip("docx", reason="pip install python-docx")
    ok(demo, "manuscript", "MB-2026-102")
    word = docx.Document(str(demo.root / "printed" / "manuscripts" / "MB-2026-102.docx"))
    texts = [p.text for p in word.paragraphs]
    assert texts[0] == "《江城日报》编辑部：" and any(t.startswith("核验码：") for t in texts)
    # an internal record, a record not sent to the paper, no record at all
    assert "not published on the newspaper channel" in refused(demo, "manuscript", "ZD-2026-102")
    assert "there is no record" in refused(demo, "manuscript", "ZD-2026-999")
    assert "is not one of docx, txt" in refused(
        demo, "manuscript", "MB-2026-102", "--format", "pdf", code=2
    )


# --- meetings -----------------------------------------------------------------------------

HELD = "2026-12-05T11:00:00+08:00"
CALL = (
    "meeting", "new", "--kind", "disclosure", "--title", "2026年第四季度党务公开会议",
    "--at", "2026-12-05 09:30", "--place", "局机关三楼会议室", "--chair", "hanzg",
    "--invite", "zhoulx,sunhm,qianwb", "--matter", "ZD-2026-102",
)  # fmt: skip


def test_a_meeting_is_called_noticed_and_minuted_once_and_its_papers_check_out(demo: Office):
    called = ok(demo, *CALL)
    assert called.startswith(
        "meeting 2026-1 2026年第四季度党务公开会议: called for 2026-12-05T09:30"
    )
    notice = code_of(ok(demo, "meeting", "notice", "1"))
    assert "has no minutes yet" in refused(demo, "meeting", "minutes", "1")
    minuted = ok(
        demo, "meeting", "minutes", "1", "--present", "hanzg,zhoulx,qianwb",
        "--absent", "sunhm=出差", "--attending", "linht", "--decisions", "同意公开ZD-2026-102",
        "--format", "docx", now=HELD,
    )  # fmt: skip
    assert "minutes taken" in minuted
    # printed again as taken, with the same code
    assert code_of(ok(demo, "meeting", "minutes", "1", now=HELD)) == code_of(minuted)
    docx = pytest.importorskip("docx", reason="pip install python-docx")
    word = docx.Document(str(demo.root / "printed" / "meetings" / "2026-001-minutes.docx"))
    rows = {r.cells[0].text: r.cells[1].text for r in word.tables[0].rows}
    assert rows["出席人员"] == "韩振国、周立新、钱文斌" and rows["缺席人员"] == "孙慧敏（出差）"
    assert rows["列席人员"] == "林海涛" and rows["应到人数"] == "4人，实到3人"
    assert "江城市司法局机关党建工作责任制" in rows["议题"]
    for code, part in ((notice, "the notice"), (code_of(minuted), "the minutes")):
        said = ok(demo, "verify", code, now=HELD)
        assert f"genuine: {part} of meeting 2026-1" in said and "current:" in said, said
    listed = ok(demo, "meeting", "list", now=HELD)
    assert "2026-1" in listed and "2026-12-05 09:30" in listed and "+08:00" not in listed
    assert ok(demo, "audit", now=HELD).count("[") == 0
    # taken once: a second set of minutes is refused, and so is an edit by hand
    again = ("meeting", "minutes", "1", "--present", "hanzg,zhoulx,sunhm,qianwb")
    assert "are taken once" in refused(demo, *again, "--decisions", "改", now=HELD)
    path = demo.root / "meetings" / "2026-001.yaml"
    path.write_text(path.read_text("utf-8").replace("出差", "病假"), "utf-8")
    commit_as(demo.root, "dumy", "reason", "meetings", date=HELD)
    said = demo.run("audit", env={"DANGWU_LANG": "en"}, now=HELD)
    assert "[meeting-changed]" in said.stdout, said.output


def test_minutes_account_for_everyone_invited_by_the_roster_of_the_day(demo: Office):
    ok(demo, *CALL)
    base = ("meeting", "minutes", "1", "--decisions", "同意")

    def minutes(*args: str, now: str = HELD) -> str:
        before = demo.state()
        result = demo.run(*base, *args, now=now, env={"DANGWU_LANG": "en"})
        assert result.exit_code == 1 and "Traceback" not in result.output, result.output
        assert demo.state() == before
        return result.stderr

    everyone = ("--present", "hanzg,zhoulx,sunhm,qianwb")
    assert "its minutes are taken after it" in minutes(*everyone, now=NOW)
    assert "sunhm was invited: say whether" in minutes("--present", "hanzg,zhoulx,qianwb")
    assert "the chair, hanzg, must be present" in minutes(
        "--present", "zhoulx,sunhm,qianwb", "--absent", "hanzg=出差"
    )
    assert "'nobody' was not on the roster on 2026-12-05" in minutes(
        *everyone, "--attending", "nobody"
    )
    assert "wujh was not invited" in minutes("--present", "hanzg,zhoulx,sunhm,qianwb,wujh")
    assert "both present and absent" in minutes(*everyone, "--absent", "sunhm=出差")
    assert "KEY=REASON" in demo.run(*base, *everyone[:1], "hanzg", "--absent", "zhoulx",
                                    now=HELD, env={"DANGWU_LANG": "en"}).stderr  # fmt: skip


def test_a_meeting_is_called_only_as_the_rules_allow(demo: Office):
    call = list(CALL)
    kind = call.index("disclosure")
    assert "--kind: 'party' is not one of disclosure" in refused(
        demo, *call[:kind], "party", *call[kind + 1 :], code=2
    )
    call[kind] = "leading-group"
    invited = call.index("zhoulx,sunhm,qianwb")
    call[invited] = "zhoulx,linht"
    assert "林海涛 (linht) is not on the leading group" in refused(demo, *call)
    call[invited] = "zhoulx,nobody"
    assert "nobody is not on the roster" in refused(demo, *call)
    assert "there is no record" in refused(demo, *CALL[:-1], "ZD-2026-999")
    assert "may not" in refused(demo, *CALL, as_="chensh")
    assert "there is no meeting 2026-7" in refused(demo, "meeting", "notice", "7")
    # a meeting entered after the day it names was called by nobody: its notice
    # would be dated after it, and its minutes would clear the dossier's finding
    past = [*CALL]
    past[past.index("2026-12-05 09:30")] = "2026-01-05 09:30"
    said = refused(demo, *past)
    assert "held 2026-01-05T09:30+08:00, which has passed: a meeting is called before" in said


# --- papers written by hand: what the file says is the commit's own -----------------------


def test_a_circular_back_dated_on_its_face_is_caught_here_and_refused_by_the_server(
    demo: Office, tmp_path: Path
):
    bare = tmp_path / "server.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    ok(demo, "hook", "install", "--lang", "en", str(bare))
    ok(demo, "remote", "add", str(bare), as_="linht")
    ok(demo, "sync", as_="linht")
    # the clerk issues a circular, then rewrites it with plain git to say it went out
    # on 20 November, keeping the commit's trailers and its day
    ok(demo, "circular", "ZD-2026-102", "--format", "docx")
    message = demo.git("log", "-1", "--format=%B")
    demo.git("reset", "-q", "--soft", "HEAD~1")
    path = demo.root / "circulars" / "2026-001.yaml"
    text = path.read_text("utf-8")
    assert "issued: '2026-12-03'" in text or "issued: 2026-12-03" in text, text
    path.write_text(text.replace("2026-12-03", "2026-11-20", 1), "utf-8")
    commit_as(demo.root, "dumy", message, "circulars", date=NOW)
    said = demo.run("audit", now=NOW, env={"DANGWU_LANG": "en"})
    assert said.exit_code == 1 and "[paper-forged]" in said.stdout, said.output
    assert "is dated 2026-11-20, but was issued on 2026-12-03" in said.stdout
    # pushed with plain git, the server's hook refuses it and keeps what it had
    on_server = demo.git("ls-remote", str(bare), "refs/heads/main")
    pushed = subprocess.run(
        ["git", "-C", str(demo.root), "push", str(bare), "HEAD:main"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert pushed.returncode != 0 and "paper-forged" in pushed.stderr, pushed.stderr
    assert demo.git("ls-remote", str(bare), "refs/heads/main") == on_server


def test_minutes_forged_before_the_meeting_or_in_anothers_name_are_caught(demo: Office):
    ok(demo, *CALL)  # held 2026-12-05 09:30
    # minutes written by hand the day before the meeting, with dangwu's trailers copied
    # from a real minutes commit and a time in the file that says after the meeting
    path = demo.root / "meetings" / "2026-001.yaml"
    called = stored.parse(path.read_bytes(), "meetings/2026-001.yaml")
    everyone = ("hanzg", "zhoulx", "sunhm", "qianwb")
    minuted = replace(called, minutes=Minutes(everyone, (), (), "同意", "hexy", HELD))
    path.write_text(stored.text(minuted), "utf-8")
    trailers = "Dangwu-Step: minutes\nDangwu-Actor: dumy\n"
    commit_as(demo.root, "dumy", f"minutes: 2026-1\n\n{trailers}", "meetings", date=NOW)
    said = demo.run("audit", now=HELD, env={"DANGWU_LANG": "en"}).stdout
    assert "[meeting-minutes]" in said and "its minutes are taken after it" in said, said
    assert "says it was written by hexy, but dumy committed it" in said, said
    assert "says it was written 2026-12-05T11:00:00+08:00" in said, said


def test_a_page_that_could_not_be_written_issues_no_number_and_takes_no_minutes(
    demo: Office, tmp_path: Path
):
    """A circular's number and a meeting's minutes are made once: a place their page
    cannot be written to is refused before anything is committed, in one line."""
    blocker = tmp_path / "afile"
    blocker.write_text("", "utf-8")
    said = refused(demo, "circular", "ZD-2026-102", "-o", str(blocker / "x.pdf"))
    assert f"cannot write {blocker}: a part of the path is a file, not a folder" in said
    ok(demo, "circular", "ZD-2026-102", "--format", "docx", "-o", str(tmp_path / "c.docx"))
    called = (
        "meeting", "new", "--kind", "disclosure", "--title", "党务公开会议", "--at",
        "2026-12-05 09:30", "--place", "会议室", "--chair", "hanzg", "--invite", "zhoulx,sunhm",
        "--matter", "ZD-2026-102",
    )  # fmt: skip
    ok(demo, *called)
    taken = ("meeting", "minutes", "1", "--present", "hanzg,zhoulx,sunhm", "--decisions", "同意")
    said = refused(demo, *taken, "-o", str(blocker / "m.pdf"), now=HELD)
    assert "a part of the path is a file, not a folder" in said
    ok(demo, *taken, "--format", "docx", "-o", str(tmp_path / "m.docx"), now=HELD)
    (listed,) = json.loads(ok(demo, "meeting", "list", "--json"))  # one meeting, taken once
    assert listed["number"] == "2026-1" and listed["matters"] == ["ZD-2026-102"]
    assert listed["minutes"]["present"] == ["hanzg", "zhoulx", "sunhm"]
    assert listed["minutes"]["decisions"] == "同意"
    # where nothing could be looked at first, the system's refusal is one line too
    said = refused(demo, "bulletin", "2026Q4", "-o", str(blocker / "b.html"), now=HELD)
    assert f"cannot use {blocker}: it exists already; nothing was changed" in said, said


def test_the_leading_group_decides_at_a_meeting_named_by_its_number(demo: Office):
    group = (
        "meeting", "new", "--kind", "leading-group", "--title", "党务公开领导小组第四次会议",
        "--at", "2026-12-05 09:30", "--place", "局机关三楼会议室", "--chair", "hanzg",
        "--invite", "zhoulx,sunhm,qianwb,wujh,zhenggq,wanglp", "--matter", "DT-2026-104",
    )  # fmt: skip
    ok(demo, *group)
    decide = ("decide", "DT-2026-104", "--meeting", "1", "--outcome", "publish")
    assert "take the minutes of meeting 2026-1 first" in refused(demo, *decide, as_="hanzg")
    ok(
        demo, "meeting", "minutes", "1", "--present", "hanzg,zhoulx,qianwb,wujh",
        "--absent", "sunhm=出差,zhenggq=培训,wanglp=病假", "--attending", "linht",
        "--decisions", "同意公开DT-2026-104", now=HELD,
    )  # fmt: skip
    said = refused(demo, *decide, "--attendee", "hanzg", as_="hanzg", now=HELD)
    assert "the minutes of meeting 2026-1 say who was present: hanzg, zhoulx, qianwb, wujh" in said
    decided = ok(demo, *decide, as_="hanzg", now=HELD)
    assert "meeting 2026-12-05 (2026-1): 韩振国, 周立新, 钱文斌, 吴建华 (4 of 7 present)" in decided
    text = demo.read("records/gongzuo-dongtai/DT-2026-104.yaml")
    assert "meeting: 2026-12-05\n  meeting_no: 2026-1\n" in text, text
    assert ok(demo, "audit", now=HELD).count("[") == 0
    # a record that was not on the meeting's agenda is not decided there
    other = demo.new(
        "--period",
        "2026Q4",
        "--summary",
        "收缴情况",
        title="2026年第四季度党费收缴管理情况",
        now=HELD,
    )
    ok(demo, "submit", other, now=HELD)
    said = refused(
        demo, "decide", other, "--meeting", "2026-1", "--outcome", "publish", as_="hanzg", now=HELD
    )
    assert f"{other} was not among the matters of meeting 2026-1" in said


def test_a_circular_written_by_hand_for_a_record_never_sent_by_circular_is_caught(demo: Office):
    ok(demo, "circular", "ZD-2026-102", "--format", "docx")
    issued = demo.read("circulars/2026-001.yaml")
    forged = issued.replace("number: 1", "number: 2").replace("ZD-2026-102", "ZD-2026-101")
    demo.write("circulars/2026-002.yaml", forged)
    commit_as(demo.root, "dumy", "circular 2", "circulars", date=NOW)
    said = demo.run("audit", now=NOW, env={"DANGWU_LANG": "en"}).stdout
    assert "[circular-content]" in said, said
    assert "carries ZD-2026-101, which was not published on the circular channel" in said
    # and within a range (as a server audits what is pushed) the record's standing
    # before the range is read from the commit the range starts at
    ranged = demo.run("audit", "--range", "HEAD~1..HEAD", now=NOW, env={"DANGWU_LANG": "en"})
    assert "[circular-content]" in ranged.stdout, ranged.output
