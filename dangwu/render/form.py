"""The approval form of a record (党务公开审批表) as PDF (Typst, templates/form.typ.j2)
and DOCX (python-docx): what was proposed, the collective decision, the three reviews,
the approval and its signature, and the publication, as the history holds them
[SPEC 13]."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from dangwu.render import circular
from dangwu.render.circular import BODY_PT, FACES, add_para, gbt_page, word_face, write_paper
from dangwu.render.sheets import typst_environment
from dangwu.render.word import blank


@dataclass(frozen=True)
class Form:
    unit: str
    record: str  # its id
    title: str
    rows: list[tuple[str, str]]  # label and what it says, in the form's order
    commit: str  # the commit it was printed from
    issued_zh: str


def write(form: Form, target: Path, fmt: str, *, when: datetime) -> list[str]:
    return write_paper(
        target, fmt, docx=lambda: docx(form), typst=lambda images: typst(form, images), when=when
    )


def typst(form: Form, images: dict[str, bytes]) -> str:
    env = typst_environment(None, None, images)
    context = {
        "f": {
            "unit": form.unit,
            "heading": "党务公开审批表",
            "record": form.record,
            "rows": form.rows,
            "commit": form.commit[:10],
            "issued_zh": form.issued_zh,
        }
    }
    return str(env.get_template("form.typ.j2").render(context))


def docx(form: Form) -> bytes:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    word = blank()
    gbt_page(word)
    word_face(word.styles["Normal"].font, FACES["fang"], BODY_PT)

    def para(text: str, *, face: str = "fang", size: float = BODY_PT) -> Any:
        return add_para(word, text, face=FACES[face], size=size, indent=False)

    para("党内", face="hei")
    para("党务公开审批表", face="xbs", size=22).alignment = WD_ALIGN_PARAGRAPH.CENTER
    para(f"填报单位：{form.unit}　　编号：{form.record}", size=12)
    table = word.add_table(rows=len(form.rows), cols=2)
    table.style = "Table Grid"
    for cells, (label, value) in zip(circular.table_cells(table), form.rows, strict=True):
        for c, text in enumerate((label, value)):
            run = cells[c].paragraphs[0].add_run(text)
            word_face(run.font, FACES["hei" if c == 0 else "fang"], 12)
    para(
        f"依据公开档案库提交 {form.commit[:10]} 于{form.issued_zh}打印；"
        "各环节的人员和时间以档案库记录为准",
        size=10.5,
    )
    word.core_properties.title = f"党务公开审批表 {form.record}"
    word.core_properties.author = form.unit
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()
