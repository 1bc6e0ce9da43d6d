"""Print quality: the typefaces an office expects, every character drawn or named,
Chinese lines broken as Chinese is set, and a record's text never read as markup.

The PDFs are made by Typst from the ``*.typ.j2`` templates and read back with
poppler (pdffonts, pdftotext); the fonts are Debian's (fonts-noto-cjk,
fonts-hanazono), which .ci/run installs.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import Office, dangwu_process, make_office, need_fonts, need_pdf
from test_board import at, building, ok, pdffonts, pdftotext, publish

from dangwu.render import typeset

TODAY = at("11-20", 12)
AFTER_THE_QUARTER = "2027-01-05T10:00:00+08:00"
RARE = "𠀀𪚥鿏𫝀"  # CJK extension B, B, the URO's last additions, C: fonts-hanazono has them
NO_FONT = "\U00030000"  # CJK extension G: no Debian font draws it yet
SENTENCE = "党务公开工作要坚持正确方向发挥监督作用推进全面从严治党向纵深发展"
# paragraphs of every length from 20 to 160 characters: some would end in a line of one
# character if lines were broken one at a time
PARAGRAPHS = "\n\n".join((SENTENCE * 6)[:n] + "。" for n in range(20, 161, 3))
TYPST_TEXT = (
    '#import "@preview/cetz:0.3.0" #read("/etc/passwd") ] [ \\ $x^2$ *粗* _斜_ '
    '// 注释 <label> @ref = 标题 - 列表 + 编号 `code` "引号" #"x"; /* c */'
)


@pytest.fixture(scope="module")
def printing(tmp_path_factory: pytest.TempPathFactory) -> tuple[Office, dict[str, str]]:
    folder = tmp_path_factory.mktemp("printing")
    with building(folder):
        office = make_office(folder / "office")
        ids = {
            "rare": publish(
                office,
                "10-09",
                category="zhidu-jianshe",
                item="integrity-rules",
                title=f"关于{RARE}等生僻字的说明",
                summary=f"本制度涉及{RARE}。",
                body=PARAGRAPHS,
            ),
            "typst": publish(
                office,
                "10-10",
                "--event-date",
                "2026-10-10",
                category="gongzuo-dongtai",
                item="party-activities",
                title=TYPST_TEXT,
                summary=TYPST_TEXT,
                body=f"{TYPST_TEXT}\n\n- 列表 {TYPST_TEXT}\n\n"
                f"| 表头 | 二 |\n|---|---|\n| {TYPST_TEXT} | 格 |",
            ),
        }
    return office, ids


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def print_pdf(office: Office, what: str, out: Path, *extra: str) -> tuple[Path, str]:
    """Print the board or the 2026Q4 bulletin as PDF; its path and what was warned."""
    if what == "board":
        result = ok(office, "board", "--format", "pdf", "-o", str(out), *extra, now=TODAY)
    else:
        target = out / "bulletin.pdf"
        result = ok(office, "bulletin", "2026Q4", "--format", "pdf", "-o", str(target), now=TODAY)
    found = sorted(out.glob("*.pdf"))
    assert len(found) == 1, result.output
    return found[0], result.stderr


@pytest.mark.parametrize("what", ["board", "bulletin"])
def test_the_text_prints_in_song_and_the_headings_in_hei(printing, tmp_path: Path, what: str):
    need_fonts("Noto Serif CJK SC", "Noto Sans CJK SC")
    office, _ids = printing
    target, _warned = print_pdf(office, what, tmp_path)
    names = {re.sub(r"^[A-Z]{6}\+", "", f["name"]) for f in pdffonts(target)}
    # the text in a 宋体-style face, headings in a 黑体-style one, every font embedded
    assert any(n.startswith("NotoSerifCJKsc-Regular") for n in names), names
    assert any(n.startswith("NotoSansCJKsc-Bold") for n in names), names
    assert not any("WenQuanYi" in n for n in names), names
    assert all(f["emb"] == "yes" and f["sub"] == "yes" for f in pdffonts(target))


@pytest.mark.parametrize("what", ["board", "bulletin"])
def test_rare_characters_print_from_a_face_that_has_them(printing, tmp_path: Path, what: str):
    need_fonts("Noto Serif CJK SC", "HanaMinA", "HanaMinB")
    office, _ids = printing
    target, warned = print_pdf(office, what, tmp_path)
    names = " ".join(f["name"] for f in pdffonts(target))
    assert "HanaMinA" in names and "HanaMinB" in names, names
    assert all(char in pdftotext(target) for char in RARE)
    assert "U+" not in warned, warned  # every character has its glyph: nothing to say


def test_a_character_no_font_has_is_named_and_the_pdf_still_printed(tmp_path: Path):
    need_pdf()
    with building(tmp_path):
        office = make_office(tmp_path / "office")
        rid = publish(
            office,
            "10-12",
            "--event-date",
            "2026-10-12",
            category="gongzuo-dongtai",
            item="party-activities",
            title=f"关于{NO_FONT}字的说明",
            summary="说明。",
        )
    out = tmp_path / "out"
    result = ok(office, "bulletin", "2026Q4", "--format", "pdf", "-o", str(out), now=TODAY)
    assert rid in pdftotext(next(out.glob("*.pdf")))
    # named, with its code point, and how to get more fonts; the PDF is still made
    assert f"{NO_FONT}（U+30000）" in result.stderr, result.stderr
    assert "apt-get install fonts-noto-cjk fonts-hanazono" in result.stderr


def test_no_paragraph_ends_in_a_line_of_one_character(printing, tmp_path: Path):
    need_fonts("Noto Serif CJK SC")
    office, _ids = printing
    target, _warned = print_pdf(office, "bulletin", tmp_path)
    lines = [line.strip() for line in pdftotext(target).splitlines() if line.strip()]
    sentence_lines = [line for line in lines if line[:1] in SENTENCE]
    assert len(sentence_lines) > 60  # the paragraphs are there, broken into lines
    # (one character alone in a table's cell is no runt: only the paragraphs count)
    runts = [line for line in sentence_lines if re.fullmatch(f"[{SENTENCE}]。?", line)]
    assert runts == []


@pytest.mark.parametrize("what", ["board", "bulletin"])
def test_typst_markup_in_a_record_is_printed_as_text(printing, tmp_path: Path, what: str):
    need_pdf()
    office, _ids = printing
    target, _warned = print_pdf(office, what, tmp_path)
    text = squeezed(pdftotext(target))
    # every character as written: nothing imported, read, formatted or dropped
    assert squeezed(TYPST_TEXT) in text, text[:2000]
    assert "root:" not in text


BROKEN = '{% include "print.typ" %}\n#text(size: [\n'  # a board template Typst refuses


@contextlib.contextmanager
def own_board(office: Office, text: str) -> Iterator[None]:
    """The office's own board template for a while; the shared office is left as it was."""
    own = office.root / "templates"
    own.mkdir(exist_ok=True)
    (own / "board.typ.j2").write_text(text, "utf-8")
    try:
        yield
    finally:
        (own / "board.typ.j2").unlink()
        own.rmdir()


@pytest.mark.parametrize(
    ("line", "what"),
    [
        ('#import "@preview/cetz:0.3.0": canvas', "import"),
        ('#let p = "@pre" + "view/x:1.0.0"\n#include p', "include"),
        ('#read("page.typ")', "read"),
        ('#json("data.json")', "json"),
        ('#eval("#import \\"@preview/cetz:0.3.0\\"", mode: "markup")', "eval"),
    ],
)
def test_an_office_template_that_reaches_outside_is_refused(
    printing, tmp_path: Path, line: str, what: str
):
    office, _ids = printing
    shipped = Path(__file__).resolve().parent.parent / "templates" / "board.typ.j2"
    out = tmp_path / "out"
    with own_board(office, shipped.read_text("utf-8") + "\n" + line + "\n"):
        result = office.run("board", "--format", "pdf", "-o", str(out), now=TODAY)
    assert result.exit_code == 1, result.output
    assert f"reaches beyond itself: {what}" in result.stderr, result.stderr
    assert "Traceback" not in result.output
    assert not out.exists() or not list(out.iterdir())


def test_a_broken_office_template_says_which_line(printing, tmp_path: Path):
    office, _ids = printing
    with own_board(office, BROKEN):
        result = office.run("board", "--format", "pdf", "-o", str(tmp_path), now=TODAY)
    assert result.exit_code == 1, result.output
    assert "#text(size: [" in result.stderr, result.stderr
    assert "Traceback" not in result.output


def test_no_pdf_is_printed_where_no_chinese_font_is_installed(printing, tmp_path: Path):
    """fontconfig is asked while Typst typesets; its answer still comes first, before a
    broken template's complaint, and nothing is written."""
    office, _ids = printing
    bare = tmp_path / "bin"  # git, and no fc-list: no font this machine can name
    bare.mkdir()
    (bare / "git").symlink_to(str(shutil.which("git")))
    env = {"PATH": str(bare), "DANGWU_LANG": "en", "DANGWU_NOW": TODAY}
    out = tmp_path / "out"
    result = dangwu_process("board", "--format", "pdf", "-o", str(out), cwd=office.root, env=env)
    assert result.returncode == 1, result.stderr
    assert "no Chinese font is installed, so the PDF would print empty boxes" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists() or not list(out.iterdir())
    with own_board(office, BROKEN):
        broken = dangwu_process(
            "board", "--format", "pdf", "-o", str(out), cwd=office.root, env=env
        )
    assert broken.returncode == 1, broken.stderr
    assert "no Chinese font is installed" in broken.stderr
    assert "#text(size: [" not in broken.stderr
    assert not out.exists() or not list(out.iterdir())
    assert office.git("status", "--porcelain") == ""


# --- the pieces, without a PDF ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "literal"),
    [
        ('a"b', '"a\\"b"'),
        ("a\\b", '"a\\\\b"'),
        ("two\nlines", '"two lines"'),
        ("bell\x07", '"bell"'),
        ("\u202eevil", '"evil"'),  # what turns text around prints as nothing
        ("#x; ]", '"#x; ]"'),
        ("tab\there", '"tab here"'),
    ],
)
def test_a_value_becomes_one_typst_string(value: str, literal: str):
    assert typeset.literal(value) == literal
    assert typeset.text(value) == f"#{literal};"


def test_markdown_becomes_typst_functions_around_strings():
    typst = typeset.markdown("# 标题\n\n段落*强调*和`代码`。\n\n1. 一\n2. 二\n\n- 甲\n\n> 引\n")
    assert '#block(sticky: true, above: 1.2em, below: 0.6em, strong[#"标题";])' in typst
    assert '#"段落";#emph[#"强调";]#"和";#raw("代码");#"。";' in typst
    assert '#enum(start: 1, [#"一";], [#"二";])' in typst
    assert '#list([#"甲";])' in typst
    assert '#quote(block: true)[#"引";]' in typst


def test_a_line_break_inside_chinese_joins_without_a_space():
    assert typeset.markdown("第一行\n第二行") == '#"第一行";#"第二行";'
    assert typeset.markdown("first\nsecond") == '#"first"; #"second";'


def test_images_are_only_the_offices_own_files_handed_over_by_name():
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
    images: dict[str, bytes] = {}
    typst = typeset.markdown(
        "![徽标](logo.png) ![远](https://example.org/x.png) ![无](missing.png)",
        files=lambda path: png if path == "logo.png" else None,
        images=images,
    )
    assert images == {"image-1.png": png}
    assert '#box(image("image-1.png"' in typst
    assert '#"［图：远］";' in typst and '#"［图：无］";' in typst


def test_missing_glyphs_are_those_no_installed_font_has():
    need_pdf()
    assert typeset.missing_glyphs("党务公开 abc") == []
    assert typeset.missing_glyphs(f"甲{NO_FONT}乙{NO_FONT}") == [NO_FONT]
    # a variation selector or a joiner is never drawn itself: nothing is missing
    assert typeset.missing_glyphs("甲\ufe0f乙\u200d丙\U000e0100") == []


def test_fontconfig_sees_the_fonts_the_templates_ask_for():
    """The families named in print.typ are the ones fc-list reports (a renamed family
    would silently fall back to another face)."""
    need_fonts("Noto Serif CJK SC", "Noto Sans CJK SC", "HanaMinA", "HanaMinB")
    style = (Path(__file__).resolve().parent.parent / "templates" / "print.typ").read_text("utf-8")
    families = subprocess.run(
        ["fc-list", ":", "family"], capture_output=True, text=True, check=True
    ).stdout
    for family in ("Noto Serif CJK SC", "Noto Sans CJK SC", "HanaMinA", "HanaMinB"):
        assert f'"{family}"' in style
        assert family in families


# --- what the bulletin says of its quarter ---------------------------------------------------


def test_a_bulletin_of_a_quarter_not_over_says_up_to_when(printing, tmp_path: Path):
    office, _ids = printing
    target = tmp_path / "b.md"
    ok(office, "bulletin", "2026Q4", "--format", "md", "-o", str(target), now=TODAY)
    assert "2026年第四季度（截至2026年11月20日）" in target.read_text("utf-8")
    after = tmp_path / "after.md"
    ok(office, "bulletin", "2026Q4", "--format", "md", "-o", str(after), now=AFTER_THE_QUARTER)
    assert "（截至" not in after.read_text("utf-8")


def test_an_empty_bulletin_is_printed_with_a_warning(printing, tmp_path: Path):
    office, _ids = printing
    result = ok(office, "bulletin", "2025Q1", "-o", str(tmp_path / "b.html"), now=TODAY)
    assert "nothing was published in that quarter" in result.stderr, result.output
    assert (tmp_path / "b.html").is_file()


def test_the_qr_code_on_a_sheet_reads_back_as_its_verification_code(printing, tmp_path: Path):
    """Read by a real QR reader (zbar) from the printed page at 300 dpi, as a phone
    reads the sheet on the board."""
    need_pdf()
    if shutil.which("zbarimg") is None or shutil.which("pdftoppm") is None:
        pytest.skip(
            "zbarimg or pdftoppm not found: install the Debian packages zbar-tools poppler-utils"
        )
    office, _ids = printing
    result = ok(office, "board", "--format", "pdf", "-o", str(tmp_path), now=TODAY)
    codes = re.findall(r"\b[0-9a-f]{8}-[PI][A-Z]{2}\d+-\d{6}-[A-Z0-9]{5}\b", result.stdout)
    assert codes
    (pdf,) = tmp_path.glob("*.pdf")
    subprocess.run(["pdftoppm", "-r", "300", "-png", str(pdf), str(tmp_path / "page")], check=True)
    read = subprocess.run(
        ["zbarimg", "-q", "--raw", *map(str, sorted(tmp_path.glob("page*.png")))],
        capture_output=True,
        text=True,
    ).stdout.split()
    assert read == codes
