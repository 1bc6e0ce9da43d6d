"""The consultation report (征求意见情况报告) as Markdown, for the office to file or to
put beside the formal plan: the plan, the opinions and what became of each, and what
changed from the plan put out for comment, taken-out words struck through and
put-in words in bold. Members of the public who asked not to be named are not."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dangwu.model.office import Person
from dangwu.model.supervision import OUTCOMES
from dangwu.rules.consultation import Line

FIELD_TITLES = {"title": "标题", "summary": "摘要", "body": "正文"}


def _escaped(text: str) -> str:
    return "".join(f"\\{c}" if c in "\\`*_{}[]<>#+-.!|~" else c for c in text)


def _line(line: Line) -> str:
    if line.op == "~":
        runs = []
        for piece in line.pieces:
            text = _escaped(piece.text)
            if not text.strip():
                runs.append(text)
            elif piece.op == "-":
                runs.append(f"~~{text}~~")
            elif piece.op == "+":
                runs.append(f"**{text}**")
            else:
                runs.append(text)
        return "".join(runs)
    text = _escaped(line.text)
    return {"-": f"~~{text}~~", "+": f"**{text}**"}.get(line.op, text)


def markdown(report: Any, unit: str, roster: Mapping[str, Person]) -> str:
    """``report`` (an app.consultation.Consultation) as Markdown."""
    c = report
    opened = c.opened.isoformat() if c.opened else "—"
    window = f"，征求意见时间为{opened}至{c.closes.isoformat()}" if c.closes else ""
    formal = f"正式方案于{c.published.isoformat()}公开。" if c.published else "正式方案尚未公开。"
    plan = f"《{_escaped(c.preliminary_title)}》（{c.record}）"
    out = [f"# {_escaped(c.title)}征求意见情况报告", ""]
    out += [f"{unit}于{opened}公开了{plan}{window}。{formal}", ""]
    summary = c.adoption.summary_zh()
    if c.late:
        summary += f"征求意见期结束后另收到{len(c.late)}条，单独列出，不计入上述统计。"
    out += [summary, "", "## 意见建议及办理情况", ""]
    if not c.opinions:
        out.append("（无）")
    for opinion in c.opinions:
        out += _opinion(opinion, roster)
    if c.late:
        closed = c.closes.isoformat() if c.closes else "—"
        out += ["## 征求意见期结束后收到的意见建议", "", f"征求意见期于{closed}结束。", ""]
        for opinion in c.late:
            out += _opinion(opinion, roster)
    out += ["## 正式方案与征求意见稿的主要变化", ""]
    if not c.changes:
        out.append("正式方案与征求意见稿内容相同。")
    for change in c.changes:
        out += [f"### {FIELD_TITLES.get(change.field, change.field)}", ""]
        out += [_line(line) + "\n" for line in change.lines if line.op != " "]
    note = "删去的文字以删除线标出，新增的文字加粗"
    out += ["", f"（依据公开档案库提交 {c.commit[:10]} 生成；{note}。）"]
    return "\n".join(out).rstrip() + "\n"


def _opinion(opinion: Any, roster: Mapping[str, Person]) -> list[str]:
    """One opinion and what became of it, as the report lists it."""
    who = _escaped(opinion.giver(roster, put_out=True))
    if opinion.meeting:
        who += f"（{opinion.meeting}号会议上提出）"
    said = _escaped(opinion.text)
    lines = [f"{opinion.number or '—'}. {opinion.received.isoformat()}，{who}：{said}"]
    answer = opinion.disposition
    if not answer:
        return [*lines, "   办理结果：尚未答复。", ""]
    outcome = OUTCOMES.get(str(answer.get("outcome")), ("", ""))[1]
    reason = _escaped(str(answer.get("reason", "")))
    told = _escaped(str(answer.get("notified", "")))
    return [*lines, f"   办理结果：{outcome}。{reason}（{answer.get('on')}，{told}）", ""]
