"""What the secrecy review reads of an attached file: every place a Word, Excel or
OpenDocument file and a PDF keep words, and, in words, what it could not read."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
import segno
import typst
from pdfs import one_page
from pypdf import PdfWriter
from pypdf.annotations import Text
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from dangwu.store.documents import LARGEST_READ, read_words, words_in

PHONE = "13812345678"


def word_file(build) -> bytes:  # type: ignore[no-untyped-def]
    document = docx.Document()
    build(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_number_split_over_runs_is_read_whole_and_paragraphs_stay_apart():
    def build(d):  # type: ignore[no-untyped-def]
        p = d.add_paragraph("联系人手机")
        p.add_run(PHONE[:3]).bold = True
        p.add_run(PHONE[3:])
        d.add_paragraph("下一段")

    read = words_in(word_file(build))
    lines = read.text.splitlines()
    assert lines[:2] == [f"联系人手机{PHONE}", "下一段"]  # the body first, as it prints
    assert read.where(1) == "paragraph 1" and read.where(2) == "paragraph 2"
    assert read.where(len(lines)) == "beside its text (headers, comments, properties)"
    assert read.unread == ""


def test_what_a_word_file_keeps_beside_its_page_is_read():
    """Its header, table, comments, author and a link's address go out with it."""

    def build(d):  # type: ignore[no-untyped-def]
        p = d.add_paragraph("正文")
        d.sections[0].header.paragraphs[0].text = "页眉：内部资料"
        table = d.add_table(rows=1, cols=2)
        table.cell(0, 0).text = "邮箱"
        table.cell(0, 1).text = "cell@example.org"
        d.add_comment(p.runs, text="批注：赵建国", author="审核人")
        d.core_properties.author = "作者李四"
        link = docx.opc.constants.RELATIONSHIP_TYPE.HYPERLINK
        d.part.relate_to("mailto:link@example.org", link, is_external=True)

    text = words_in(word_file(build)).text
    for words in ("页眉：内部资料", "cell@example.org", "批注：赵建国", "作者李四"):
        assert words in text, words
    assert "mailto:link@example.org" in text
    assert "word/document.xml" not in text  # the file's own parts are no words


def test_a_tracked_deletion_and_field_codes_are_read():
    """A deletion Word tracks is still in the file: whoever opens it can show it."""
    body = (
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p><w:r><w:t>已删去：</w:t></w:r>"
        f"<w:del><w:r><w:delText>{PHONE}</w:delText></w:r></w:del></w:p>"
        '<w:p><w:r><w:instrText>HYPERLINK "mailto:f@example.org"</w:instrText></w:r></w:p>'
        "</w:body></w:document>"
    )
    read = words_in(packed({"word/document.xml": body}))
    assert f"已删去：{PHONE}" in read.text
    assert "f@example.org" in read.text


def packed(parts: dict[str, str | bytes], types: bool = True) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        if types:
            z.writestr("[Content_Types].xml", "<Types/>")
        for name, content in parts.items():
            z.writestr(name, content)
    return out.getvalue()


def test_a_chunk_of_html_inside_a_word_file_is_read_and_fonts_are_no_finding():
    """Word's altChunk keeps a part as HTML or RTF: it prints, so it is read."""
    raw = packed(
        {
            "word/document.xml": "<d><p>正文</p></d>",
            "word/afchunk.htm": f"<html><body>手机{PHONE}</body></html>",
            "word/fonts/font1.odttf": bytes(range(256)) * 8,
            "Thumbnails/thumbnail.png": b"\x89PNG",
        }
    )
    read = words_in(raw)
    assert PHONE in read.text and read.unread == ""


def test_a_spreadsheet_and_an_opendocument_file_are_read():
    sheet = packed(
        {
            "xl/sharedStrings.xml": '<sst xmlns="x"><si><t>联系电话</t></si></sst>',
            "xl/worksheets/sheet1.xml": f"<worksheet><row><c><v>{PHONE}</v></c></row></worksheet>",
        }
    )
    assert PHONE in words_in(sheet).text.splitlines()
    odt = packed(
        {
            "mimetype": "application/vnd.oasis.opendocument.text",
            "content.xml": '<d xmlns:text="t"><text:p>手机<text:s/>138</text:p></d>',
            "meta.xml": "<m><creator>王五</creator></m>",
        },
        types=False,
    )
    read = words_in(odt)
    assert "手机 138" in read.text and "王五" in read.text


def test_what_a_packed_file_holds_beside_its_words_is_said_unread():
    with_picture = packed({"word/document.xml": "<d/>", "word/media/image1.png": b"\x89PNG"})
    assert "1 picture" in words_in(with_picture).unread
    embedded = packed({"word/embeddings/oleObject1.bin": b"\x00"})
    assert "1 embedded file" in words_in(embedded).unread
    archive = packed({"a.txt": PHONE}, types=False)
    assert words_in(archive).text == "" and "archive" in words_in(archive).unread


def test_a_file_that_unpacks_larger_than_the_review_reads_is_said_unread():
    bomb = packed({"word/document.xml": "<d>" + " " * (LARGEST_READ + 1) + "</d>"})
    assert len(bomb) < LARGEST_READ // 100
    read = words_in(bomb)
    assert read.text == "" and "64 MB" in read.unread


def test_a_file_nested_deeper_than_pythons_stack_is_read():
    deep = "<a>" * 5000 + PHONE + "</a>" * 5000
    assert PHONE in words_in(packed({"word/document.xml": deep})).text


def test_entities_from_outside_the_file_are_never_fetched(tmp_path: Path):
    secret = tmp_path / "secret.txt"
    secret.write_text(PHONE, "utf-8")
    body = f'<!DOCTYPE d [<!ENTITY x SYSTEM "file://{secret}">]><d><p>&x;</p></d>'
    read = words_in(packed({"word/document.xml": body}))
    assert PHONE not in read.text


def test_damaged_and_unknown_files_are_said_unread():
    for raw, said in [
        (b"PK\x03\x04garbage", "damaged"),
        (b"%PDF-1.4\n\x00\x01\x02", "damaged"),
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "old-format"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 100, "picture"),
        (bytes(range(256)) * 4, "kind the review cannot read"),
        (packed({"word/document.xml": "<d><unclosed></d>"}), "damaged"),
    ]:
        read = words_in(raw)
        assert read.text == "" and said in read.unread, (raw[:8], read)


def pdf(source: str, tmp_path: Path, files: dict[str, bytes] | None = None) -> bytes:
    for name, content in (files or {}).items():
        (tmp_path / name).write_bytes(content)
    main = tmp_path / "main.typ"
    main.write_text('#set text(font: ("Noto Serif CJK SC", "HanaMinA"))\n' + source, "utf-8")
    return bytes(typst.compile(str(main)))


def test_a_pdfs_pages_are_read_and_a_finding_is_placed_on_its_page(tmp_path: Path):
    raw = pdf(f"第一页\n#pagebreak()\n第二页：手机{PHONE}", tmp_path)
    read = words_in(raw)
    line = next(n for n, t in enumerate(read.text.splitlines(), 1) if PHONE in t)
    assert read.where(line) == "page 2" and read.where(1) == "page 1"
    assert read.unread == ""


def test_a_scanned_page_and_a_picture_in_a_pdf_are_said_unread(tmp_path: Path):
    code = io.BytesIO()
    segno.make("x").save(code, kind="png", scale=4)
    raw = pdf(
        '有字的一页\n#pagebreak()\n#image("scan.png")',
        tmp_path,
        {"scan.png": code.getvalue()},
    )
    read = words_in(raw)
    assert "page 2 holds no text" in read.unread and "1 picture" in read.unread
    assert "有字的一页" in read.text


def test_a_pdfs_comments_properties_and_encryption(tmp_path: Path):
    writer = PdfWriter(clone_from=io.BytesIO(pdf("正文", tmp_path)))
    writer.add_annotation(0, Text(text=f"批注手机{PHONE}", rect=(50, 50, 100, 100)))
    writer.add_metadata({"/Author": "作者赵建国"})
    out = io.BytesIO()
    writer.write(out)
    read = words_in(out.getvalue())
    assert PHONE in read.text and "作者赵建国" in read.text
    writer.encrypt(user_password="secret", owner_password="owner")
    locked = io.BytesIO()
    writer.write(locked)
    read = words_in(locked.getvalue())
    assert read.text == "" and "encrypted" in read.unread
    # encrypted for its owner only: anyone opens it, and so does the review
    writer = PdfWriter(clone_from=io.BytesIO(pdf(f"手机{PHONE}", tmp_path)))
    writer.encrypt(user_password="", owner_password="owner")
    opened = io.BytesIO()
    writer.write(opened)
    assert PHONE in words_in(opened.getvalue()).text


def test_a_file_larger_than_the_review_reads(tmp_path: Path):
    big = tmp_path / "big.txt"
    with big.open("wb") as out:
        out.truncate(LARGEST_READ + 1)
    read = read_words(big)
    assert read is not None and read.text == "" and "64 MB" in read.unread
    assert read_words(tmp_path / "missing.txt") is None


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030", "utf-16"])
def test_text_in_the_encodings_chinese_offices_write(encoding: str):
    read = words_in(f"手机{PHONE}".encode(encoding))
    assert PHONE in read.text and read.unread == ""


# --- what a dishonest clerk tried (a review of 2026-12-06) ------------------------------

NAME = "孙秀梅"


def test_hidden_runs_and_deletions_inside_a_name_or_number_are_read_as_they_show():
    def build(d):  # type: ignore[no-untyped-def]
        p = d.add_paragraph("举报人孙秀")
        p.add_run("x").font.hidden = True
        p.add_run("梅，手机1381")
        p.add_run("0").font.hidden = True
        p.add_run("2345678")

    text = words_in(word_file(build)).text
    assert NAME in text and PHONE in text
    deleted = (
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p><w:r><w:t>孙秀</w:t></w:r><w:del><w:r><w:delText>x</w:delText></w:r>"
        "</w:del><w:r><w:t>梅</w:t></w:r></w:p></w:body></w:document>"
    )
    assert NAME in words_in(packed({"word/document.xml": deleted})).text


def test_words_kept_in_attributes_are_read():
    """A comment's author, a link's hover text, a watermark, a field's link, a document
    variable, a sheet's name, a cell's value."""
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    body = (
        f'<w:document {w}><w:body><w:p><w:ins w:author="{NAME}"/>'
        f'<w:hyperlink w:tooltip="tip@example.org"/><w:fldSimple w:instr="HYPERLINK tel:{PHONE}"/>'
        '<v:textpath xmlns:v="urn:schemas-microsoft-com:vml" string="内部资料"/>'
        '<w:docVar w:name="x" w:val="号码13912345678"/></w:p></w:body></w:document>'
    )
    text = words_in(packed({"word/document.xml": body})).text
    for words in (NAME, "tip@example.org", PHONE, "内部资料", "13912345678"):
        assert words in text, words
    book = packed(
        {"xl/workbook.xml": f'<workbook><sheets><sheet name="{NAME}"/></sheets></workbook>'}
    )
    assert NAME in words_in(book).text
    ods = packed(
        {"mimetype": "application/vnd.oasis.opendocument.spreadsheet",
         "content.xml": f'<d xmlns:o="o"><c o:value="{PHONE}"/></d>'},
        types=False,
    )  # fmt: skip
    assert PHONE in words_in(ods).text


def test_a_number_a_spreadsheet_keeps_in_scientific_form_is_read_as_it_shows():
    sheet = packed({"xl/worksheets/sheet1.xml": "<w><row><c><v>1.3812345678E10</v></c></row></w>"})
    assert PHONE in words_in(sheet).text


def test_a_word_file_that_also_opens_as_a_pdf_is_read_as_both(tmp_path: Path):
    """%PDF- in its first kilobyte and a harmless PDF in its comment: Word opens it
    as a Word file, a PDF reader as a PDF; the review reads both."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(zipfile.ZipInfo("[Content_Types].xml"), "<!--%PDF-1.7--><Types/>")
        z.writestr("word/document.xml", f"<d><p>举报人{NAME}</p></d>")
        z.comment = pdf("无害的内容", tmp_path)[:65000]
    polyglot = out.getvalue()
    assert b"%PDF-" in polyglot[:1024]
    assert NAME in words_in(polyglot).text


def test_a_main_part_under_another_name_is_read_as_xml():
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    runs = "<w:r><w:t>孙秀</w:t></w:r><w:r><w:t>梅</w:t></w:r>"
    body = f"<w:document {w}><w:p>{runs}</w:p></w:document>"
    assert NAME in words_in(packed({"word/document.dat": body})).text.splitlines()


def test_rtf_is_read_as_it_prints():
    gbk = "".join(f"\\'{b:02x}" for b in NAME.encode("gbk"))
    rtf = "{\\rtf1\\ansi\\ansicpg936 举报人" + gbk + " \\u49?\\u51?812345678}"
    text = words_in(rtf.encode("ascii", "backslashreplace").replace(b"\\u4e3e", b"")).text
    assert NAME in text


def test_a_text_that_mentions_pdf_is_text():
    read = words_in(f"说明：文件以 %PDF-1.7 格式保存。手机{PHONE}".encode())
    assert PHONE in read.text and read.unread == ""


def test_printer_settings_are_no_finding():
    raw = packed({"word/document.xml": "<d/>", "xl/printerSettings/printerSettings1.bin": b"\0"})
    assert words_in(raw).unread == ""


def test_a_pdfs_bookmarks_links_and_comment_authors_are_read(tmp_path: Path):
    from pypdf.annotations import Link

    writer = PdfWriter(clone_from=io.BytesIO(pdf("正文", tmp_path)))
    note = Text(text="批注", rect=(50, 50, 100, 100))
    note[NameObject("/T")] = TextStringObject(NAME)
    writer.add_annotation(0, note)
    writer.add_annotation(0, Link(rect=(0, 0, 10, 10), url=f"tel:{PHONE}"))
    writer.add_outline_item(title="书签 zhao@example.org", page_number=0)
    out = io.BytesIO()
    writer.write(out)
    text = words_in(out.getvalue()).text
    for words in (NAME, PHONE, "zhao@example.org"):
        assert words in text, words


def test_a_file_attached_to_a_pdf_page_and_a_stamp_are_said_unread(tmp_path: Path):
    from pypdf.annotations import FreeText

    writer = PdfWriter(clone_from=io.BytesIO(pdf("正文", tmp_path)))
    writer.add_annotation(0, FreeText(text="盖章", rect=(50, 50, 200, 100)))
    writer.pages[0]["/Annots"][0].get_object()[NameObject("/AP")] = DictionaryObject()
    out = io.BytesIO()
    writer.write(out)
    assert "1 stamp or drawing" in words_in(out.getvalue()).unread


def test_a_pdf_of_pictures_only_is_said_unread_even_if_its_bytes_read_as_text(tmp_path: Path):
    """A PDF that opens is read as a PDF, however its bytes decode: a page of a picture
    kept in ASCII form still holds no text."""
    page = one_page(b"q 100 0 0 100 0 0 cm BI /W 1 /H 1 /BPC 8 /CS /G ID x EI Q")
    assert "page 1 holds no text" in words_in(bytes(page)).unread
    assert "1 picture" in words_in(bytes(page)).unread
    # without its table of objects pypdf cannot open it (a viewer may): a damaged PDF,
    # not the text its bytes decode to
    broken = page[: page.index(b"xref")]
    assert "damaged PDF" in words_in(broken).unread
