"""A manuscript (稿件) laid out as a newspaper's editors expect a submission: plain
text, or a Word document in 宋体 with room to mark up (1.5 lines, wide margins)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from dangwu.errors import DangwuError
from dangwu.i18n import _, os_reason
from dangwu.model.words import zh_date
from dangwu.render.bodies import markdown_parser, plain_text
from dangwu.render.circular import add_para, word_face
from dangwu.render.word import blank

FACES = {"text": "宋体", "title": "黑体"}


@dataclass
class Manuscript:
    paper: str  # 《江城日报》
    unit: str
    contact: str
    title: str
    lead: str  # the record's summary: the 导语
    body: str  # Markdown
    day: date
    code: str

    def paragraphs(self) -> list[tuple[str, str]]:
        """(kind, text) of the body: headings and paragraphs, lists numbered as written."""
        out: list[tuple[str, str]] = []
        tokens = markdown_parser().parse(self.body)
        numbers: list[int] = []
        for i, token in enumerate(tokens):
            if token.type == "heading_open":
                out.append(("heading", plain_text(tokens[i + 1])))
            elif token.type == "ordered_list_open":
                numbers.append(int(token.attrGet("start") or 1))
            elif token.type == "bullet_list_open":
                numbers.append(0)
            elif token.type in ("ordered_list_close", "bullet_list_close"):
                numbers.pop()
            elif token.type == "paragraph_open":
                text = plain_text(tokens[i + 1])
                if numbers:
                    n = numbers[-1]
                    text = f"{n}. {text}" if n else f"· {text}"
                    numbers[-1] = n + 1 if n else 0
                out.append(("text", text))
            elif token.type == "tr_open":
                cells = []
                j = i + 1
                while tokens[j].type != "tr_close":
                    if tokens[j].type == "inline":
                        cells.append(plain_text(tokens[j]))
                    j += 1
                out.append(("text", "　".join(cells)))
        return out

    def length(self) -> int:
        """The length an editor counts: the characters of the title, lead and text."""
        texts = [self.title, self.lead, *(t for _k, t in self.paragraphs())]
        return sum(len("".join(t.split())) for t in texts)

    def foot(self) -> list[str]:
        return [
            f"供稿单位：{self.unit}",
            self.contact,
            f"日期：{zh_date(self.day)}　字数：约{self.length()}字",
            f"核验码：{self.code}（可向供稿单位核验）",
        ]


def text(m: Manuscript) -> str:
    lines = [f"{m.paper}编辑部：", "", f"　　{m.title}", ""]
    if m.lead:
        lines += [f"　　{m.lead}", ""]
    for kind, para in m.paragraphs():
        lines += [para if kind == "heading" else f"　　{para}", ""]
    lines += ["——", *m.foot()]
    return "\n".join(line for line in lines if line is not None) + "\n"


def docx(m: Manuscript) -> bytes:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    word = blank()
    section = word.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("top_margin", "bottom_margin", "left_margin", "right_margin"):
        setattr(section, side, Mm(25))
    normal = word.styles["Normal"]
    word_face(normal.font, FACES["text"], 12)
    normal.paragraph_format.line_spacing = 1.5
    normal.paragraph_format.space_after = Pt(0)

    def para(words: str, *, face: str = "text", size: float = 12, indent: bool = True) -> Any:
        return add_para(word, words, face=FACES[face], size=size, indent=indent)

    para(f"{m.paper}编辑部：", indent=False)
    title = para(m.title, face="title", size=16, indent=False)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if m.lead:
        para(m.lead, face="title", size=12)
    for kind, words in m.paragraphs():
        para(words, face="title" if kind == "heading" else "text")
    word.add_paragraph()
    for line in m.foot():
        para(line, size=10.5, indent=False)
    word.core_properties.title = m.title
    word.core_properties.author = m.unit
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def write(m: Manuscript, target: Path, fmt: str) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "txt":
            target.write_text(text(m), encoding="utf-8")
        else:
            target.write_bytes(docx(m))
    except OSError as exc:
        raise DangwuError(
            _("cannot write {path}: {error}").format(path=target, error=os_reason(exc))
        ) from None
