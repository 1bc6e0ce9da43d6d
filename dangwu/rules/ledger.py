"""The four ledgers an office keeps of its programme (台账) [SPEC 13]: the disclosures
(党务公开事项登记簿), the meetings (党务公开会议记录簿), the opinions received
(党务公开意见建议登记簿) and their handling (党务公开意见建议办理登记册), for one
year, from the records, meetings and opinions as committed. Pure: values in, tables
out; every count here is the one ``stats`` and ``log`` give for the same year."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from dangwu.model.catalogue import SCOPE_TITLES, Catalogue
from dangwu.model.meeting import KINDS, Meeting
from dangwu.model.record import OUTCOME_TITLES, Summary
from dangwu.model.supervision import OUTCOMES, Feedback
from dangwu.model.words import stamped_day, zh_date

NAMES = {
    "disclosures": "党务公开事项登记簿",
    "meetings": "党务公开会议记录簿",
    "opinions": "党务公开意见建议登记簿",
    "handling": "党务公开意见建议办理登记册",
}
NOT_RECORDED = "未记录"
NOT_ANSWERED = "尚未答复"


@dataclass(frozen=True)
class Ledger:
    key: str  # disclosures, meetings, opinions, handling
    name: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def build(
    year: int,
    summaries: Iterable[Summary],
    texts: Mapping[str, Mapping[str, Any]],
    meetings: Iterable[Meeting],
    opinions: Iterable[Feedback],
    *,
    catalogue: Catalogue,
    name_of: Callable[[str], str],
    channel_of: Callable[[str], str],
    shown: Callable[[str], str],
) -> list[Ledger]:
    """The year's four ledgers. ``texts``: the full data of the records decided in the
    year, by id (the decisions taken); ``name_of`` a roster key's name; ``channel_of`` a
    channel as the office calls it; ``shown`` any text as paper shows it (blotted)."""
    every = sorted(summaries, key=lambda s: s.id)
    by_id = {s.id: s for s in every}
    return [
        _disclosures(year, every, catalogue, name_of, channel_of, shown),
        _meetings(year, every, texts, meetings, name_of, shown),
        _opinions(year, opinions, by_id, name_of, shown),
        _handling(year, opinions, by_id, shown),
    ]


def _disclosures(
    year: int,
    every: Sequence[Summary],
    catalogue: Catalogue,
    name_of: Callable[[str], str],
    channel_of: Callable[[str], str],
    shown: Callable[[str], str],
) -> Ledger:
    """Each publication of the year: the formal one, and a pre-disclosure's for comment."""
    found: list[tuple[date, str, tuple[str, ...]]] = []
    for s in every:
        item = catalogue.item_of(s.category, s.item)
        code = item.code if item else s.item
        approver = name_of(s.approved_by) if s.approved_by is not None else ""
        scope = SCOPE_TITLES.get(s.scope, ("", s.scope))[1]
        outs = [
            (s.consulted_on, "征求意见", s.consulted_channels or s.channels),
            (s.published_on, "正式公开", s.published_channels or s.channels),
        ]
        for day, kind, channels in outs:
            if day is None or day.year != year:
                continue
            later = "已撤回" if s.withdrawn_on else ""
            row = (
                zh_date(day),
                s.id,
                shown(s.title),
                code,
                scope,
                "、".join(channel_of(c) for c in channels),
                kind,
                approver,
                f"{later}{zh_date(s.withdrawn_on)}" if later else "",
            )
            found.append((day, s.id, row))
    found.sort(key=lambda f: (f[0], f[1]))
    rows = tuple((str(n), *row) for n, (_d, _i, row) in enumerate(found, 1))
    columns = ("序号", "公开日期", "编号", "公开事项", "目录事项", "公开范围", "公开方式",
               "公开类别", "审核人", "备注")  # fmt: skip
    return Ledger("disclosures", NAMES["disclosures"], columns, rows)


def _meetings(
    year: int,
    every: Sequence[Summary],
    texts: Mapping[str, Mapping[str, Any]],
    meetings: Iterable[Meeting],
    name_of: Callable[[str], str],
    shown: Callable[[str], str],
) -> Ledger:
    """The year's meetings called with ``meeting new``, and the leading group's
    decisions recorded with a day only (one row per day)."""
    found: list[tuple[date, str, tuple[str, ...]]] = []
    for m in meetings:
        if m.when.year != year:
            continue
        minutes = m.minutes
        found.append(
            (
                m.when.date(),
                f"{m.year}-{m.number}",
                (
                    f"{zh_date(m.when.date())} {m.when.hour:02d}:{m.when.minute:02d}",
                    f"{m.year}-{m.number}",
                    shown(m.title),
                    KINDS.get(m.kind, ("", m.kind))[1],
                    shown(m.place),
                    name_of(m.chair),
                    f"{len(m.invited)}/{len(minutes.present)}" if minutes else f"{len(m.invited)}/",
                    "、".join(m.matters),
                    name_of(minutes.by) if minutes else NOT_RECORDED,
                ),
            )
        )
    days: dict[date, list[tuple[str, Mapping[str, Any]]]] = {}
    for s in every:
        decision = texts.get(s.id, {}).get("decision")
        if not isinstance(decision, Mapping) or decision.get("meeting_no"):
            continue
        day = stamped_day(decision.get("meeting"))
        if day is not None and day.year == year:
            days.setdefault(day, []).append((s.id, decision))
    for day, decided in sorted(days.items()):
        attendees = {str(k) for _i, d in decided for k in d.get("attendees") or []}
        group = max(int(d.get("group") or 0) for _i, d in decided)
        outcomes = "；".join(
            f"{i}{OUTCOME_TITLES.get(str(d.get('outcome')), ('', ''))[1]}" for i, d in decided
        )
        found.append(
            (
                day,
                "",
                (zh_date(day), "", "领导小组集体讨论", KINDS["leading-group"][1], "", "",
                 f"{group}/{len(attendees)}", outcomes, NOT_RECORDED),
            )
        )  # fmt: skip
    found.sort(key=lambda f: (f[0], f[1]))
    rows = tuple((str(n), *row) for n, (_d, _i, row) in enumerate(found, 1))
    columns = ("序号", "时间", "会议编号", "会议名称", "会议类别", "地点", "主持人",
               "应到/实到", "议题", "记录人")  # fmt: skip
    return Ledger("meetings", NAMES["meetings"], columns, rows)


def _of_year(opinions: Iterable[Feedback], year: int) -> list[Feedback]:
    """The opinions received in ``year``, in the order they came in."""
    return sorted(
        (f for f in opinions if f.received.year == year), key=lambda f: (f.received, f.path)
    )


def _opinions(
    year: int,
    opinions: Iterable[Feedback],
    by_id: Mapping[str, Summary],
    name_of: Callable[[str], str],
    shown: Callable[[str], str],
) -> Ledger:
    found = _of_year(opinions, year)
    rows = tuple(
        (
            str(n),
            zh_date(f.received),
            f.record,
            shown(by_id[f.record].title) if f.record in by_id else "",
            shown(f"{f.public}（群众）") if f.public else name_of(f.from_key or f.logged_by),
            shown(f.text),
            name_of(f.logged_by),
        )
        for n, f in enumerate(found, 1)
    )
    columns = ("序号", "收到日期", "编号", "公开事项", "提出人", "意见建议", "登记人")
    return Ledger("opinions", NAMES["opinions"], columns, rows)


def _handling(
    year: int,
    opinions: Iterable[Feedback],
    by_id: Mapping[str, Summary],
    shown: Callable[[str], str],
) -> Ledger:
    """Each opinion of the year and what became of it: the record it was given on, and
    where that record stands; a disposition (采纳, 部分采纳, 不采纳) once one is recorded."""
    found = _of_year(opinions, year)
    rows = []
    for n, f in enumerate(found, 1):
        record = by_id.get(f.record)
        after = zh_date(record.published_on) if record and record.published_on else ""
        notes = [f"正式方案{after}公开"] if after else []
        handled = NOT_ANSWERED
        answer = f.disposition or {}
        if answer:
            outcome = OUTCOMES.get(str(answer.get("outcome")), ("", str(answer.get("outcome"))))
            handled = f"{outcome[1]}：{shown(str(answer.get('reason', '')))}"
            day = f.answered_on
            told = shown(str(answer.get("notified", "")))
            notes.insert(0, f"{zh_date(day)}答复，{told}" if day else told)
        rows.append(
            (str(n), zh_date(f.received), f.record, shown(f.text), handled, "；".join(notes))
        )
    columns = ("序号", "收到日期", "编号", "意见建议", "办理结果", "备注")
    return Ledger("handling", NAMES["handling"], columns, tuple(rows))
