"""The year laid out by the plan's five checkpoints (考核) [SPEC 13]: content complete
and true, forms effective, procedure in order, time limits met, opinions answered;
each with its evidence and what falls short. Pure: the year's facts in, the dossier
out (in Chinese: it is handed to inspectors)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from dangwu.i18n import _
from dangwu.rules.audit import RULES
from dangwu.rules.due import KIND_TITLES
from dangwu.rules.requests import Tally
from dangwu.rules.stats import Figures

CHECKPOINTS = {
    "content": "公开内容全面真实",
    "forms": "公开形式有效",
    "procedure": "公开程序规范",
    "time": "公开时限符合要求",
    "opinions": "意见建议及时答复",
}
# the audit's rules that say published content is not what was approved, or gone
UNTRUE = frozenset({"content-changed", "manual-edit", "deleted", "content-hash", "tool-fields"})


@dataclass(frozen=True)
class Check:
    key: str
    title: str
    evidence: tuple[str, ...]
    shortfalls: tuple[str, ...]

    @property
    def met(self) -> bool:
        return not self.shortfalls


@dataclass(frozen=True)
class Facts:
    """What the history says of the year, beyond stats' figures."""

    figures: Figures
    silent: Sequence[tuple[str, str]]  # catalogue items with nothing disclosed (code, zh)
    items: int  # items in the catalogue
    violations: Sequence[tuple[str, str | None]]  # the audit's findings in the year (rule, id)
    approvals: Sequence[tuple[str, bool]]  # approvals of the year (record, signed)
    unproduced: Sequence[tuple[str, str]]  # (circular|meeting, record) never produced
    opinions: int  # opinions received in the year
    answered: int  # of them, with a disposition recorded
    channel_names: Mapping[str, str]  # each channel as the office calls it
    requests: Tally = field(default_factory=Tally)  # requests for disclosure of the year


def checks(facts: Facts) -> list[Check]:
    f = facts.figures
    broken = Counter(rule for rule, _record in facts.violations)
    untrue = sum(n for rule, n in broken.items() if rule in UNTRUE)
    silent = "、".join(code for code, _zh in facts.silent)
    content = Check(
        "content",
        CHECKPOINTS["content"],
        (
            f"公开党务信息{f.published}条（社会公开{f.by_scope.get('public', 0)}条、"
            f"党内公开{f.by_scope.get('internal', 0)}条）",
            f"党务公开目录{facts.items}项，本年度有公开的{facts.items - len(facts.silent)}项",
            f"撤回已公开事项{f.withdrawn}条",
        ),
        tuple(
            line
            for line in (
                f"目录中{len(facts.silent)}项本年度没有公开：{silent}" if facts.silent else "",
                f"审计发现{untrue}处公开内容与审核内容不符或被删改" if untrue else "",
            )
            if line
        ),
    )
    channels = (
        "、".join(f"{facts.channel_names.get(c, c)}{n}条" for c, n in f.by_channel.items() if n)
        or "无"
    )
    missing = Counter(kind for kind, _record in facts.unproduced)
    forms = Check(
        "forms",
        CHECKPOINTS["forms"],
        (f"各公开渠道公开：{channels}",),
        tuple(
            f"{n}条以“{'印发党务公开信息' if kind == 'circular' else '党务公开会议'}”形式公开"
            f"的事项{'没有印发' if kind == 'circular' else '没有会议记录'}："
            + "、".join(r for k, r in facts.unproduced if k == kind)
            for kind, n in sorted(missing.items())
        ),
    )
    signed = sum(1 for _r, s in facts.approvals if s)
    procedure = Check(
        "procedure",
        CHECKPOINTS["procedure"],
        (
            f"审核{len(facts.approvals)}次，其中用审核人本人密钥签名{signed}次",
            f"审计发现问题{len(facts.violations)}处",
        ),
        tuple(
            f"审计规则“{rule}”（{_(RULES.get(rule, rule))}）被违反{n}次"
            for rule, n in sorted(broken.items())
        ),
    )
    overdue = {k: n for k, n in f.overdue.items() if k != "report"}
    time = Check(
        "time",
        CHECKPOINTS["time"],
        (
            f"季度更新按期公开{f.quarterly_on_time}项、逾期公开{f.quarterly_late}项",
            f"报送至公开中位数{f.median_days:g}天" if f.median_days is not None else "无报送记录",
            *(
                [f"依申请公开{q.received}件，按期答复{q.in_time}件（其中不予公开{q.refused}件）"]
                if (q := facts.requests).received
                else []
            ),
        ),
        tuple(
            line
            for line in (
                f"季度更新逾期公开{f.quarterly_late}项" if f.quarterly_late else "",
                f"依申请公开逾期答复{facts.requests.late}件" if facts.requests.late else "",
                f"依申请公开逾期未答复{facts.requests.overdue}件" if facts.requests.overdue else "",
                *(
                    f"{KIND_TITLES[k][1]}逾期未办{n}项"
                    for k, n in overdue.items()
                    if k in KIND_TITLES
                ),
            )
            if line
        ),
    )
    opinions = Check(
        "opinions",
        CHECKPOINTS["opinions"],
        (
            f"收到意见建议{facts.opinions}条，已记录办理结果{facts.answered}条",
            f"受理举报{f.reports}件，其中实名{f.real_name_reports}件，按期答复{f.answered_in_time}件",
        ),
        tuple(
            line
            for line in (
                f"{facts.opinions - facts.answered}条意见建议没有记录办理结果"
                if facts.opinions > facts.answered
                else "",
                f"实名举报逾期答复{f.answered_late}件" if f.answered_late else "",
                f"实名举报逾期未答复{f.overdue_reports}件" if f.overdue_reports else "",
            )
            if line
        ),
    )
    return [content, forms, procedure, time, opinions]
