"""A meeting's notice (会议通知) and minutes (会议记录) as PDF (Typst,
templates/meeting.typ.j2) and DOCX (python-docx): the notice laid out as a GB/T 9704
document, the minutes as the ruled form the office files [SPEC 12]."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from markupsafe import Markup

from dangwu.model.meeting import KINDS, Meeting
from dangwu.model.office import Settings
from dangwu.model.words import zh_date
from dangwu.render import circular, typeset
from dangwu.render.circular import BODY_PT, FACES, add_para, gbt_page, word_face, write_paper
from dangwu.render.sheets import typst_environment
from dangwu.render.word import blank


@dataclass
class Sheet:
    settings: Settings
    meeting: Meeting
    part: str  # notice or minutes
    matters: list[tuple[str, str]]  # record id and title
    code: str

    def name(self, key: str) -> str:
        return self.settings.name_of(key)

    def names(self, keys: Any) -> str:
        return "、".join(self.name(k) for k in keys) or "无"

    def heading(self) -> str:
        m = self.meeting
        if self.part == "notice":
            return f"关于召开{m.title}的通知"
        return f"{m.title}记录" if m.title.endswith("会议") else f"{m.title}会议记录"

    def when_zh(self) -> str:
        w = self.meeting.when
        return (
            f"{zh_date(w.date())}{w.hour}时{w.minute:02d}分"
            if w.minute
            else (f"{zh_date(w.date())}{w.hour}时")
        )

    def matter_lines(self) -> list[str]:
        return [f"{n}．{title}（{rid}）" for n, (rid, title) in enumerate(self.matters, 1)]

    def notice_text(self) -> tuple[str, str, str]:
        m = self.meeting
        kind = KINDS.get(m.kind, ("", m.kind))[1]
        opening = (
            f"定于{self.when_zh()}在{m.place}召开{m.title}（{kind}），由{self.name(m.chair)}"
            f"主持。{'会议议题：' if self.matters else ''}"
        )
        closing = "请准时参加。因故不能参加的，请会前向党务公开办公室请假并说明原因。"
        return self.names(m.invited), opening, closing

    def rows(self) -> list[tuple[str, str]]:
        m, minutes = self.meeting, self.meeting.minutes
        assert minutes is not None
        absent = "；".join(f"{self.name(k)}（{reason}）" for k, reason in minutes.absent) or "无"
        return [
            ("会议名称", m.title),
            ("会议类别", KINDS.get(m.kind, ("", m.kind))[1]),
            ("时间", self.when_zh()),
            ("地点", m.place),
            ("主持人", self.name(m.chair)),
            ("记录人", self.name(minutes.by)),
            ("应到人数", f"{len(m.invited)}人，实到{len(minutes.present)}人"),
            ("出席人员", self.names(minutes.present)),
            ("缺席人员", absent),
            ("列席人员", self.names(minutes.attending)),
            ("议题", "；".join(self.matter_lines()) or "无"),
            ("决定事项", minutes.decisions),
        ]

    def day(self) -> str:
        m = self.meeting
        stamp = m.minutes.at if self.part == "minutes" and m.minutes else m.at
        return zh_date(datetime.fromisoformat(stamp).date())


def write(sheet: Sheet, target: Path, fmt: str, *, when: datetime) -> list[str]:
    return write_paper(
        target, fmt, docx=lambda: docx(sheet), typst=lambda images: typst(sheet, images), when=when
    )


def typst(sheet: Sheet, images: dict[str, bytes]) -> str:
    env = typst_environment(None, None, images)
    to, opening, closing = sheet.notice_text()
    context = {
        "m": {
            "part": sheet.part,
            "heading": sheet.heading(),
            "unit": sheet.settings.unit,
            "to": to,
            "opening": Markup(typeset.text(opening)),
            "matters": [Markup(typeset.text(line)) for line in sheet.matter_lines()],
            "closing": Markup(typeset.text(closing)),
            "day_zh": sheet.day(),
            "rows": sheet.rows() if sheet.part == "minutes" else [],
            "code": sheet.code,
            "verify_note": "向本单位党务公开办公室核验",
        }
    }
    return str(env.get_template("meeting.typ.j2").render(context))


def docx(sheet: Sheet) -> bytes:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    word = blank()
    gbt_page(word)
    word_face(word.styles["Normal"].font, FACES["fang"], BODY_PT)

    def para(text: str, *, face: str = "fang", size: float = BODY_PT, indent: bool = True) -> Any:
        return add_para(word, text, face=FACES[face], size=size, indent=indent)

    para("党内", face="hei", indent=False)
    title = para(sheet.heading(), face="xbs", size=22, indent=False)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if sheet.part == "notice":
        to, opening, closing = sheet.notice_text()
        para(f"{to}：", indent=False)
        para(opening)
        for line in sheet.matter_lines():
            para(line)
        para(closing)
        para(sheet.settings.unit, indent=False).alignment = WD_ALIGN_PARAGRAPH.RIGHT
        para(sheet.day(), indent=False).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    else:
        rows = sheet.rows()
        table = word.add_table(rows=len(rows), cols=2)
        table.style = "Table Grid"
        for cells, (label, value) in zip(circular.table_cells(table), rows, strict=True):
            for c, text in enumerate((label, value)):
                run = cells[c].paragraphs[0].add_run(text)
                word_face(run.font, FACES["hei" if c == 0 else "fang"], 14)
        para("主持人（签字）：　　　　　　　记录人（签字）：", size=14, indent=False)
    para(f"核验码 {sheet.code}　向本单位党务公开办公室核验", size=12, indent=False)
    word.core_properties.title = sheet.heading()
    word.core_properties.author = sheet.settings.unit
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()
