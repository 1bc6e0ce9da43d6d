"""The blank every DOCX starts from: python-docx's own, less what no page uses."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import docx
import pytest
from conftest import Office, copy_demo

from dangwu.render import word

DEFAULT = Path(docx.__file__).parent / "templates" / "default.docx"


def parts(package: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(package)) as opened:
        return {name: opened.read(name) for name in opened.namelist()}


def styles_of(xml: bytes) -> dict[str, str]:
    text = xml.decode("utf-8")
    return {
        m[1]: m[0]
        for m in re.finditer(r'<w:style\b[^>]*w:styleId="([^"]+)".*?</w:style>', text, re.S)
    }


def test_the_blank_keeps_the_page_the_defaults_and_the_styles_the_pages_use():
    whole = parts(DEFAULT.read_bytes())
    lean = parts(word.repack(DEFAULT.read_bytes()) or b"")
    assert set(lean) == {n for n in whole if not n.startswith(word.LEFT_OUT)}
    assert "word/stylesWithEffects.xml" in whole and "word/stylesWithEffects.xml" not in lean
    # the page (document.xml), settings, theme and fonts are python-docx's, byte for byte
    edited = {
        "word/styles.xml",
        "[Content_Types].xml",
        "_rels/.rels",
        "word/_rels/document.xml.rels",
    }
    for name in set(lean) - edited:
        assert lean[name] == whole[name], name
    # the defaults every style rests on, and each style kept, unchanged
    defaults = re.compile(rb"<w:docDefaults>.*?</w:docDefaults>", re.S)
    assert (
        defaults.search(lean["word/styles.xml"])[0] == defaults.search(whole["word/styles.xml"])[0]
    )
    kept = styles_of(lean["word/styles.xml"])
    assert sorted(kept) == sorted(word.KEPT_STYLES)
    assert all(kept[name] == styles_of(whole["word/styles.xml"])[name] for name in kept)
    assert b"latentStyles" not in lean["word/styles.xml"]
    assert len(lean["word/styles.xml"]) < len(whole["word/styles.xml"]) / 50
    # nothing names a part that is not there
    for rels in ("_rels/.rels", "word/_rels/document.xml.rels"):
        base = "" if rels == "_rels/.rels" else "word/"
        for target in re.findall(rb'Target="([^"]+)"', lean[rels]):
            assert f"{base}{target.decode()}" in lean, (rels, target)
    for part in re.findall(rb'PartName="/([^"]+)"', lean["[Content_Types].xml"]):
        assert part.decode() in lean, part


def test_a_document_begun_from_the_blank_is_written_and_read_back():
    made = word.blank()
    assert {s.name for s in made.styles} == {
        "Normal", "Default Paragraph Font", "Normal Table", "No List", "Table Grid",
        "Header", "Header Char", "Footer", "Footer Char",
    }  # fmt: skip
    made.add_paragraph("党务公开")
    made.add_table(rows=1, cols=2).style = "Table Grid"
    out = io.BytesIO()
    made.save(out)
    assert len(out.getvalue()) < 12_000  # python-docx's own blank alone is 36 KB
    again = docx.Document(io.BytesIO(out.getvalue()))
    assert again.paragraphs[0].text == "党务公开" and again.tables[0].style.name == "Table Grid"
    page = again.sections[0]
    blank = docx.Document().sections[0]
    assert (page.page_width, page.page_height, page.left_margin) == (
        blank.page_width, blank.page_height, blank.left_margin
    )  # fmt: skip


def zipped(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for name, data in files.items():
            package.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    "what",
    ["not a zip", "no styles", "a style missing", "a part not in UTF-8"],
)
def test_a_blank_not_as_expected_is_used_whole(what):
    """Should python-docx ship another blank, dangwu's documents are made from it
    whole, as before, rather than from a part of it."""
    whole = parts(DEFAULT.read_bytes())
    if what == "not a zip":
        package = b"PK not a zip"
    elif what == "no styles":
        package = zipped({n: d for n, d in whole.items() if n != "word/styles.xml"})
    elif what == "a style missing":
        styles = whole["word/styles.xml"].replace(b'w:styleId="TableGrid"', b'w:styleId="Grid"')
        package = zipped({**whole, "word/styles.xml": styles})
    else:
        package = zipped({**whole, "_rels/.rels": b"\xff\xfe"})
    assert word.repack(package) is None


def test_each_paper_as_word_is_lean(audited_demo: Path, tmp_path: Path):
    """The approval form, as a clerk prints it for signing, made from the blank."""
    office = Office(copy_demo(audited_demo, tmp_path / "office"))
    made = office.run("form", "ZZ-2026-102", "--format", "docx", "-o", str(tmp_path / "form.docx"))
    assert made.exit_code == 0, made.output
    written = (tmp_path / "form.docx").read_bytes()
    assert len(written) < 15_000
    assert "word/stylesWithEffects.xml" not in parts(written)
    form = docx.Document(io.BytesIO(written))
    assert form.tables[0].style.name == "Table Grid"
    assert "党务公开审批表" in "\n".join(p.text for p in form.paragraphs)
