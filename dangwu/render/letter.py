"""A letter from the office to one person, as PDF (Typst, templates/letter.typ.j2)
and DOCX (python-docx): the refusal of a request for disclosure (不予公开告知书)
[SPEC 14]. On GB/T 9704's page, in its faces: the heading, the number, whom it is
to, the paragraphs, and the office's name and date where its seal goes."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from dangwu.render.circular import (
    BODY_PT,
    FACES,
    TITLE_PT,
    add_para,
    gbt_page,
    word_face,
    write_paper,
)
from dangwu.render.sheets import typst_environment
from dangwu.render.word import blank


@dataclass(frozen=True)
class Letter:
    unit: str
    heading: str  # 不予公开告知书
    number: str  # 依申请第101号
    to: str  # whom it is to
    paragraphs: list[str]
    signed: str  # the office, over its seal
    day_zh: str


def write(letter: Letter, target: Path, fmt: str, *, when: datetime) -> list[str]:
    """Write the letter as PDF or DOCX; the characters no installed font draws."""
    return write_paper(
        target, fmt, docx=lambda: docx(letter), typst=lambda images: typst(letter, images),
        when=when,
    )  # fmt: skip


def typst(letter: Letter, images: dict[str, bytes]) -> str:
    env = typst_environment(None, None, images)
    return str(env.get_template("letter.typ.j2").render({"l": letter}))


def docx(letter: Letter) -> bytes:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    word = blank()
    gbt_page(word)
    word_face(word.styles["Normal"].font, FACES["fang"], BODY_PT)
    head = add_para(word, letter.heading, face=FACES["xbs"], size=TITLE_PT, indent=False)
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    number = add_para(word, letter.number, face=FACES["fang"], size=BODY_PT, indent=False)
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    add_para(word, f"{letter.to}：", face=FACES["fang"], size=BODY_PT, indent=False)
    for text in letter.paragraphs:
        add_para(word, text, face=FACES["fang"], size=BODY_PT)
    for text in (letter.signed, letter.day_zh):
        line = add_para(word, text, face=FACES["fang"], size=BODY_PT, indent=False)
        line.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()
