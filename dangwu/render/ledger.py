"""The four ledgers (台账) as PDF (Typst, templates/ledger.typ.j2), DOCX (python-docx)
and CSV (one file each, UTF-8 with a byte-order mark so that Excel and WPS open the
Chinese as it is) [SPEC 13]."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from dangwu.errors import DangwuError
from dangwu.i18n import _, os_reason
from dangwu.render.circular import FACES, add_para, table_cells, word_face, write_paper
from dangwu.render.sheets import typst_environment
from dangwu.render.word import blank
from dangwu.rules.ledger import Ledger


@dataclass(frozen=True)
class Ledgers:
    unit: str
    year: int
    ledgers: list[Ledger]
    commit: str
    issued_zh: str


def write(doc: Ledgers, target: Path, fmt: str, *, when: datetime) -> list[str]:
    return write_paper(
        target, fmt, docx=lambda: docx(doc), typst=lambda images: typst(doc, images), when=when
    )


def csv_bytes(columns: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """A table as the CSV Excel and WPS open as it is: UTF-8 with its mark, CRLF."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def write_csv(ledger: Ledger, target: Path) -> None:
    try:
        target.write_bytes(csv_bytes(ledger.columns, ledger.rows))
    except OSError as exc:
        raise DangwuError(
            _("cannot write {path}: {error}").format(path=target, error=os_reason(exc))
        ) from None


def typst(doc: Ledgers, images: dict[str, bytes]) -> str:
    env = typst_environment(None, None, images)
    context = {
        "l": {
            "unit": doc.unit,
            "year": doc.year,
            "ledgers": [
                {"key": x.key, "name": x.name, "columns": x.columns, "rows": x.rows}
                for x in doc.ledgers
            ],
            "commit": doc.commit[:10],
            "issued_zh": doc.issued_zh,
        }
    }
    return str(env.get_template("ledger.typ.j2").render(context))


def docx(doc: Ledgers) -> bytes:
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm

    word: Any = blank()
    section = word.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    for side in ("top_margin", "bottom_margin", "left_margin", "right_margin"):
        setattr(section, side, Mm(18))
    word_face(word.styles["Normal"].font, FACES["fang"], 12)
    for n, ledger in enumerate(doc.ledgers):
        if n:
            word.add_page_break()
        title = add_para(
            word, f"{doc.unit}{ledger.name}（{doc.year}年）", face=FACES["xbs"], size=18,
            indent=False,
        )  # fmt: skip
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        table = word.add_table(rows=1 + max(len(ledger.rows), 1), cols=len(ledger.columns))
        table.style = "Table Grid"
        cells = table_cells(table)
        for c, label in enumerate(ledger.columns):
            word_face(cells[0][c].paragraphs[0].add_run(label).font, FACES["hei"], 10.5)
        for r, row in enumerate(ledger.rows, 1):
            for c, text in enumerate(row):
                word_face(cells[r][c].paragraphs[0].add_run(text).font, FACES["fang"], 10.5)
        if not ledger.rows:
            word_face(cells[1][0].paragraphs[0].add_run("无").font, FACES["fang"], 10.5)
    add_para(
        word, f"依据公开档案库提交 {doc.commit[:10]} 于{doc.issued_zh}打印", face=FACES["fang"],
        size=10.5, indent=False,
    )  # fmt: skip
    word.core_properties.title = f"{doc.unit}{doc.year}年党务公开台账"
    word.core_properties.author = doc.unit
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()
