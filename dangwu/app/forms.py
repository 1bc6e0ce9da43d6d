"""The approval form of a record (``form ID``, 党务公开审批表) [SPEC 13]: what the
office proposed (content, scope, form, time limit), the leading group's decision, the
secrecy, necessity and accuracy reviews, the approval and its signature, and the
publication, read from the record and its history as committed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from dangwu import clock
from dangwu.app import logbook, printing
from dangwu.model.catalogue import SCOPE_TITLES, time_limit
from dangwu.model.office import Settings
from dangwu.model.record import OUTCOME_TITLES, parse_id
from dangwu.model.words import one_of, zh_date
from dangwu.render import form as render
from dangwu.render.sheets import blot, channel_names
from dangwu.rules.workflow import STATUS_TITLES
from dangwu.store import records, snapshot
from dangwu.store.gitstore import GitStore
from dangwu.store.office import Office

FORMATS = ("pdf", "docx")
FOLDER = "forms"  # under printed/
NOT_YET = "（尚无）"
NOT_RECORDED = "（未记录）"


@dataclass
class Done:
    record: str
    commit: str
    path: Path
    missing: list[str] = field(default_factory=list)


def print_form(office: Office, ref: str, *, fmt: str = "pdf", out: Path | None = None) -> Done:
    """Print the approval form of the record ``ref`` as committed."""
    fmt = one_of("--format", fmt, FORMATS)
    record_id = parse_id(ref)
    found = records.find(office, record_id)  # one clear line when there is none
    signatures = {e.step: e.signature for e in logbook.log(office, record=record_id) if e.step}
    with GitStore(office.root, office.state_dir) as git:
        snap = snapshot.at(office, git, git.require_head())
        data = snap.records([found.relpath]).get(found.relpath, {})
        form = form_of(snap, record_id, data, signatures)
        commit = snap.commit
        settings = snap.settings
    folder = out if out is not None else office.root / printing.PRINTED / FOLDER
    target = (
        out if out is not None and out.suffix else printing.place_in(folder, f"{record_id}.{fmt}")
    )
    when = clock.now(clock.office_zone(settings.timezone))
    return Done(record_id, commit, target, render.write(form, target, fmt, when=when))


def form_of(
    snap: snapshot.Snapshot,
    record_id: str,
    data: Mapping[str, Any],
    signatures: Mapping[str, str],
) -> render.Form:
    """The form of one record, as ``snap`` holds it; ``signatures`` are the verdicts
    on its steps' signatures (``log``), by step."""
    today = clock.today(clock.office_zone(snap.settings.timezone))
    rows = _rows(snap, data, signatures)
    title = str(data.get("title", ""))
    return render.Form(snap.settings.unit, record_id, title, rows, snap.commit, zh_date(today))


def _rows(
    snap: snapshot.Snapshot, data: Mapping[str, Any], signatures: Mapping[str, str]
) -> list[tuple[str, str]]:
    settings = snap.settings

    def text(value: Any) -> str:
        return blot(snap, str(value)) if value else NOT_YET

    item = snap.catalogue.item_of(str(data.get("category")), str(data.get("item")))
    category = snap.catalogue.by_slug(str(data.get("category")))
    limit = time_limit(item, settings.rules) if item else NOT_RECORDED
    if data.get("period"):
        limit += f"（{data['period']}）"
    elif data.get("event_date"):
        limit += f"（事项日期{_zh(data['event_date'])}）"
    scope = str(data.get("scope", ""))
    rows = [
        ("公开事项", text(data.get("title"))),
        (
            "目录事项",
            f"{item.code} {item.zh}（{category.zh if category else ''}）" if item else NOT_RECORDED,
        ),
        ("公开内容", text(data.get("summary"))),
        ("公开范围", SCOPE_TITLES.get(scope, ("", scope))[1]),
        ("公开方式", _channels(settings, data.get("channels"))),
        ("公开时限", limit),
        ("拟稿", _step(settings, data.get("created"))),
        ("报送", _step(settings, data.get("submitted"))),
        ("集体讨论决定", _decision(snap, data)),
        ("保密审查", _secrecy(snap, data)),
        ("必要性审查", _review(snap, data, "necessity")),
        ("准确性审查", _review(snap, data, "accuracy")),
        ("审核盖章", _step(settings, data.get("approval"))),
        ("签名", _signature(data.get("approval"), signatures.get("approve"))),
        ("公开", _publication(settings, data)),
    ]
    withdrawal = data.get("withdrawal")
    if isinstance(withdrawal, Mapping):  # who took it back, when and why [seed 四]
        reason = text(withdrawal.get("reason"))
        rows.append(("撤回", f"{_step(settings, withdrawal)}；原因：{reason}"))
    rows.append(("状态", STATUS_TITLES.get(str(data.get("status", "draft")), ("", ""))[1]))
    return rows


def _zh(value: Any) -> str:
    try:
        return zh_date(date.fromisoformat(str(value)[:10]))
    except ValueError:
        return str(value)


def _step(settings: Settings, facts: Any) -> str:
    if not isinstance(facts, Mapping):
        return NOT_YET
    return f"{settings.name_of(str(facts.get('by')))}，{_zh(facts.get('at'))}"


def _channels(settings: Settings, channels: Any) -> str:
    if not isinstance(channels, list) or not channels:
        return NOT_RECORDED
    return "、".join(channel_names(settings, [str(c) for c in channels]))


def _decision(snap: snapshot.Snapshot, data: Mapping[str, Any]) -> str:
    settings = snap.settings
    decision = data.get("decision")
    if not isinstance(decision, Mapping):
        return "非重大事项，未经集体讨论" if not data.get("major") else NOT_YET
    attendees = decision.get("attendees") or []
    names = "、".join(settings.name_of(str(k)) for k in attendees)
    meeting = _zh(decision.get("meeting"))
    if decision.get("meeting_no"):
        meeting += f"（会议 {decision['meeting_no']}）"
    outcome = OUTCOME_TITLES.get(str(decision.get("outcome")), ("", ""))[1]
    said = (
        f"{meeting}会议，出席{len(attendees)}人（领导小组{decision.get('group')}人）：{names}；"
        f"{outcome}"
    )
    if decision.get("note"):
        said += f"；{blot(snap, str(decision['note']))}"
    return said


def _secrecy(snap: snapshot.Snapshot, data: Mapping[str, Any]) -> str:
    approval = data.get("approval")
    if not isinstance(approval, Mapping):
        return NOT_YET
    overrides = approval.get("overrides") or []
    if not overrides:
        # what the review found is kept only where the approver overrode it: say no more
        return "审查通过（无须审核人说明理由）"
    reason = blot(snap, str(overrides[0].get("reason", "")))
    return f"发现{len(overrides)}处须说明的内容，审核人说明理由后同意公开：{reason}"


def _review(snap: snapshot.Snapshot, data: Mapping[str, Any], name: str) -> str:
    approval = data.get("approval")
    if not isinstance(approval, Mapping):
        return NOT_YET
    said = approval.get(name)
    return blot(snap, str(said)) if said else NOT_RECORDED


def _signature(approval: Any, verdict: str | None) -> str:
    if not isinstance(approval, Mapping):
        return NOT_YET
    if not approval.get("signed"):
        return "未签名"
    return {
        "good": "已用审核人本人密钥签名，签名有效",
        "bad": "签名无效",
    }.get(verdict or "", "已签名，签名未能核验")


def _publication(settings: Settings, data: Mapping[str, Any]) -> str:
    published = data.get("publication")
    if not isinstance(published, Mapping):
        return NOT_YET
    when = _step(settings, published)
    return f"{when}；{_channels(settings, published.get('channels'))}"
