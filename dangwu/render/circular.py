"""A circular laid out as a party organ's document, GB/T 9704-2012 (党政机关公文格式):
PDF through Typst (templates/circular.typ.j2), DOCX through python-docx for the
offices that stamp and file circulars from Word or WPS [SPEC 12].

The page of the standard: A4; 天头 37 mm, 订口 28 mm, 版心 156 x 225 mm; 3号 (16 pt)
仿宋, 22 lines of 28 characters; 发文机关标志 in red 35 mm below the top of the 版心;
发文字号 two lines below it and the red line 4 mm below that; 标题 in 2号 小标宋 two
lines below the line; 主送; 正文; 署名 and 成文日期; the 版记 (印发机关和印发日期)
at the foot of the last page; page numbers — 1 — in 4号 宋体 7 mm below the 版心.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from dangwu.errors import DangwuError
from dangwu.i18n import _, os_reason
from dangwu.model.circular import Circular
from dangwu.model.office import Settings
from dangwu.model.words import zh_date
from dangwu.render import typeset
from dangwu.render.bodies import markdown_parser, plain_text
from dangwu.render.sheets import typst_environment
from dangwu.render.word import blank

DEFAULT_TITLE = "关于印发党务公开事项的通知"
INTRO = "现将以下党务公开事项印发给你们，请按照党务公开的有关规定做好传达和落实。"
NUMERALS = "一二三四五六七八九十"

# GB/T 9704 in millimetres and points, the one home of the figures both formats use
PAGE = (210.0, 297.0)
MARGINS = {"top": 37.0, "left": 28.0, "right": 26.0, "bottom": 35.0}
TEXT_WIDTH = 156.0
TEXT_HEIGHT = 225.0
LINES, CHARS = 22, 28
BODY_PT = 16.0  # 3号
TITLE_PT = 22.0  # 2号
NOTE_PT = 14.0  # 4号: page numbers and the 版记
RED = "E83828"  # the standard's red ink, Y80% M80%, as Word takes a colour
FACES = {  # as Word and WPS name them: an office's machines have them
    "fang": "仿宋_GB2312",
    "hei": "黑体",
    "xbs": "方正小标宋简体",
    "song": "宋体",
}


@dataclass
class Document:
    settings: Settings
    circular: Circular
    label: str  # the 发文字号
    texts: list[dict[str, Any]]  # each record's text, in order
    code: str  # the verification code

    @property
    def several(self) -> bool:
        return len(self.texts) > 1

    def printed_by(self) -> str:
        return f"{self.settings.unit}党务公开办公室"


def write(doc: Document, target: Path, fmt: str, *, when: datetime) -> list[str]:
    """Write the circular as ``fmt`` (pdf or docx); the characters no font draws."""
    return write_paper(
        target, fmt, docx=lambda: docx(doc), typst=lambda images: typst(doc, images), when=when
    )


def write_paper(
    target: Path,
    fmt: str,
    *,
    docx: Callable[[], bytes],
    typst: Callable[[dict[str, bytes]], str],
    when: datetime,
) -> list[str]:
    """Write a paper (a circular, a meeting's) as DOCX or typeset PDF; the characters
    no installed font draws, for the clerk to be told."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "docx":
            target.write_bytes(docx())
            return []
    except OSError as exc:
        raise DangwuError(
            _("cannot write {path}: {error}").format(path=target, error=os_reason(exc))
        ) from None
    images: dict[str, bytes] = {}
    return typeset.write_pdf(typst(images), target, images=images, when=when)


def gbt_page(word: Any) -> Any:
    """A Word document's page as GB/T 9704 sets it: A4, its margins; its first section."""
    from docx.shared import Mm

    section = word.sections[0]
    section.page_width, section.page_height = Mm(PAGE[0]), Mm(PAGE[1])
    section.top_margin, section.bottom_margin = Mm(MARGINS["top"]), Mm(MARGINS["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS["left"]), Mm(MARGINS["right"])
    return section


def add_para(word: Any, text: str, *, face: str, size: float, indent: bool = True) -> Any:
    """A paragraph of one run in ``face`` and ``size``, indented two characters."""
    from docx.shared import Pt

    p = word.add_paragraph()
    if indent:
        p.paragraph_format.first_line_indent = Pt(2 * size)
    run = p.add_run(text)
    word_face(run.font, face, size)
    return p


def _heading(n: int, data: dict[str, Any]) -> str:
    numeral = NUMERALS[n] if n < len(NUMERALS) else str(n + 1)
    return f"{numeral}、{data.get('title', '')}"


def typst(doc: Document, images: dict[str, bytes]) -> str:
    """The Typst source of the circular's PDF."""
    env = typst_environment(None, None, images)
    issuer = doc.settings.circular_issuer
    context = {
        "c": {
            "issuer": issuer,
            # the 发文机关标志 as large as the 版心's width allows, at most 36 pt
            "issuer_size": round(min(36.0, TEXT_WIDTH / 25.4 * 72 / max(len(issuer), 1)), 1),
            "label": doc.label,
            "title": doc.circular.title,
            "to": doc.circular.to,
            "intro": typeset.text(INTRO) if doc.several else "",
            "several": doc.several,
            "records": [
                {
                    "heading": _heading(n, data),
                    "body": str(data.get("body") or ""),
                    "summary": str(data.get("summary") or ""),
                }
                for n, data in enumerate(doc.texts)
            ],
            "issued_zh": zh_date(doc.circular.issued),
            "printed_by": doc.printed_by(),
            "code": doc.code,
            "verify_note": "向本单位党务公开办公室核验",
            "internal": True,
        }
    }
    from markupsafe import Markup

    context["c"]["intro"] = Markup(context["c"]["intro"])
    return str(env.get_template("circular.typ.j2").render(context))


# --- DOCX ------------------------------------------------------------------------------


def docx(doc: Document) -> bytes:
    """The circular as a Word document with the same page, faces and sizes."""
    from docx.enum.section import WD_SECTION_START
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Mm, Pt

    word = blank()
    section = gbt_page(word)
    section.start_type = WD_SECTION_START.NEW_PAGE
    section.footer_distance = Mm(MARGINS["bottom"] - 7 - 5)
    pitch = Pt(TEXT_HEIGHT / LINES / 25.4 * 72)
    normal = word.styles["Normal"]
    word_face(normal.font, FACES["fang"], BODY_PT)
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    normal.paragraph_format.line_spacing = pitch
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.widow_control = True
    indent = Pt(2 * BODY_PT)

    def para(
        text: str = "",
        *,
        face: str = "fang",
        size: float = BODY_PT,
        align: Any = None,
        first: Any = None,
        color: str | None = None,
        right: Any = None,
    ) -> Any:
        p = word.add_paragraph()
        if align is not None:
            p.alignment = align
        if first is not None:
            p.paragraph_format.first_line_indent = first
        if right is not None:
            p.paragraph_format.right_indent = right
        if text:
            run = p.add_run(text)
            word_face(run.font, FACES[face], size)
            if color:
                from docx.shared import RGBColor

                run.font.color.rgb = RGBColor.from_string(color)
        return p

    para("党内", face="hei")
    for _n in range(2):  # the 标志's top 35 mm below the 版心's: the lines above it
        para()
    issuer = doc.settings.circular_issuer
    size = min(36.0, TEXT_WIDTH / 25.4 * 72 / max(len(issuer), 1))
    mark = para(issuer, face="xbs", size=size, align=WD_ALIGN_PARAGRAPH.CENTER, color=RED)
    mark.paragraph_format.line_spacing = Pt(size * 1.2)
    para()
    number = para(doc.label, align=WD_ALIGN_PARAGRAPH.CENTER)
    _border(number, "bottom", RED, 8, space=11)  # the red line, 4 mm below the 发文字号
    para()
    para()
    title = para(doc.circular.title, face="xbs", size=TITLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER)
    title.paragraph_format.line_spacing = Pt(TITLE_PT * 1.5)
    para()
    para(f"{doc.circular.to}：")
    if doc.several:
        para(INTRO, first=indent)
    for n, data in enumerate(doc.texts):
        if doc.several:
            para(_heading(n, data), face="hei", first=indent)
        body = str(data.get("body") or "") or str(data.get("summary") or "")
        _markdown(word, body, para, indent)
    para()
    width = max(len(issuer), len(zh_date(doc.circular.issued)) + 2)
    para(
        issuer,
        align=WD_ALIGN_PARAGRAPH.RIGHT,
        right=Pt(2 * BODY_PT + (width - len(issuer)) * BODY_PT),
    )
    para(zh_date(doc.circular.issued), align=WD_ALIGN_PARAGRAPH.RIGHT, right=Pt(2 * BODY_PT))
    # the 版记: ruled off at the foot of the last page
    imprint(
        word,
        f"核验码 {doc.code}　向本单位党务公开办公室核验",
        doc.printed_by(),
        f"{zh_date(doc.circular.issued)}印发",
    )
    _page_numbers(section, word)
    out = io.BytesIO()
    word.core_properties.title = doc.circular.title
    word.core_properties.author = issuer
    word.save(out)
    return out.getvalue()


def imprint(word: Any, code: str, printer: str, printed: str) -> None:
    """The 版记 as Word keeps a thing at the foot of a page: a frame at the bottom of
    the text block of the page it falls on (the paragraphs share one ``framePr``),
    ruled across — a heavier rule first and last, a thinner one between — with the
    code above the 印发机关 and the 印发日期, a character in from each side."""
    from docx.enum.text import WD_TAB_ALIGNMENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    width = Mm(TEXT_WIDTH)

    def framed(text: str, size: float) -> Any:
        paragraph = word.add_paragraph()
        frame = OxmlElement("w:framePr")
        for key, value in (
            ("w:w", str(int(width.twips))),
            ("w:hAnchor", "margin"),
            ("w:xAlign", "center"),
            ("w:vAnchor", "margin"),
            ("w:yAlign", "bottom"),
            ("w:wrap", "around"),
        ):
            frame.set(qn(key), value)
        properties = paragraph._p.get_or_add_pPr()
        properties.insert(0, frame)  # the schema's order: the frame comes first
        form = paragraph.paragraph_format
        form.first_line_indent = Pt(0)
        form.left_indent, form.right_indent = Pt(NOTE_PT), Pt(NOTE_PT)
        word_face(paragraph.add_run(text).font, FACES["fang"], size)
        return paragraph

    # one frame (two framed paragraphs are two frames to some readers, and fall apart):
    # the code, then the 印发机关 and 印发日期, a line apart
    block = framed(code, 12.0)
    block.paragraph_format.tab_stops.add_tab_stop(width - Pt(2 * NOTE_PT), WD_TAB_ALIGNMENT.RIGHT)
    run = block.add_run()
    run.add_break()
    word_face(run.font, FACES["fang"], NOTE_PT)
    word_face(block.add_run(f"{printer}\t{printed}").font, FACES["fang"], NOTE_PT)
    _border(block, "top", "000000", 8)
    _border(block, "bottom", "000000", 8)


def table_cells(table: Any) -> list[list[Any]]:
    """A new table's cells, row by row, laid out once. python-docx's ``table.cell(r, c)``
    lays out every cell of the table for each cell it is asked for: the ledger of a
    year of 2,180 records (21,800 cells) ran for more than ten minutes. A column's
    cells are laid out in one pass."""
    columns = [table.column_cells(c) for c in range(len(table.columns))]
    return [list(row) for row in zip(*columns, strict=True)]


def word_face(font: Any, name: str, size: float) -> None:
    """A run's or style's face for Chinese and Latin alike, and its size."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    font.name = name
    font.size = Pt(size)
    element = font.element if hasattr(font, "element") else font._element
    properties = element.get_or_add_rPr()
    fonts = properties.get_or_add_rFonts()
    for key in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        fonts.set(qn(key), name)


def _border(paragraph: Any, side: str, color: str, eighths: int, space: int = 1) -> None:
    """A rule above or below a paragraph (``eighths``: its weight in eighths of a point)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = paragraph._p.get_or_add_pPr()
    borders = properties.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        properties.append(borders)
    line = OxmlElement(f"w:{side}")
    line.set(qn("w:val"), "single")
    line.set(qn("w:sz"), str(eighths))
    line.set(qn("w:space"), str(space))
    line.set(qn("w:color"), color)
    borders.append(line)


def _page_numbers(section: Any, word: Any) -> None:
    """— 1 — in 4号 宋体: odd pages on the right, even on the left, a character in."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    word.settings.odd_and_even_pages_header_footer = True
    for footer, align in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        p = footer.paragraphs[0]
        p.alignment = align
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            p.paragraph_format.right_indent = Pt(NOTE_PT)
        else:
            p.paragraph_format.left_indent = Pt(NOTE_PT)
        for part in ("— ", None, " —"):
            run = p.add_run()
            word_face(run.font, FACES["song"], NOTE_PT)
            if part is not None:
                run.text = part
                continue
            for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
                if kind:
                    char = OxmlElement("w:fldChar")
                    char.set(qn("w:fldCharType"), kind)
                    run._r.append(char)
                else:
                    instr = OxmlElement("w:instrText")
                    instr.set(qn("xml:space"), "preserve")
                    instr.text = text
                    run._r.append(instr)


def _markdown(word: Any, source: str, para: Any, indent: Any) -> None:
    """A record body (Markdown) as paragraphs: headings in 黑体, lists numbered as
    written, tables as Word tables; every line on the page's grid."""
    tokens = markdown_parser().parse(source)
    i = 0
    numbers: list[int] = []
    while i < len(tokens):
        token = tokens[i]
        kind = token.type
        if kind == "heading_open":
            para(plain_text(tokens[i + 1]), face="hei", first=indent)
            i += 2
        elif kind == "ordered_list_open":
            numbers.append(int(token.attrGet("start") or 1))
        elif kind == "bullet_list_open":
            numbers.append(0)
        elif kind in ("ordered_list_close", "bullet_list_close"):
            numbers.pop()
        elif kind == "paragraph_open":
            text = plain_text(tokens[i + 1])
            if numbers:
                n = numbers[-1]
                text = f"{n}. {text}" if n else f"· {text}"
                if n:
                    numbers[-1] = n + 1
            para(text, first=indent)
            i += 2
        elif kind == "table_open":
            i = _table(word, tokens, i + 1)
        i += 1


def _table(word: Any, tokens: list[Any], i: int) -> int:
    rows: list[list[str]] = []
    while tokens[i].type != "table_close":
        if tokens[i].type == "tr_open":
            rows.append([])
        elif tokens[i].type == "inline":
            rows[-1].append(plain_text(tokens[i]))
        i += 1
    if rows:
        columns = max(len(r) for r in rows)
        table = word.add_table(rows=len(rows), cols=columns)
        table.style = "Table Grid"
        cells = table_cells(table)
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                target = cells[r][c].paragraphs[0]
                target.paragraph_format.first_line_indent = 0
                run = target.add_run(cell)
                word_face(run.font, FACES["fang"], 12)
    return i
