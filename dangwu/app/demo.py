"""The sample office, replayed: ``dangwu demo DIR`` builds a working office repository.

The shipped sample (dangwu.yaml and records/) is committed step by step by the
people of its roster, on the dates the records imply, exactly as the office
would have done it with dangwu: first the settings and roster, then each
record drafted by the clerk.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from dangwu import clock, yamlio
from dangwu.app import drafting, printing, procedure, requests, supervision
from dangwu.app.roster import GITIGNORE
from dangwu.check.settings import parse_settings
from dangwu.errors import DangwuError, UsageError
from dangwu.i18n import _, choose_language, speaking
from dangwu.model.fingerprint import roster_fingerprint, ssh_fingerprint
from dangwu.model.office import SETTINGS_FILE, Person, Settings
from dangwu.resources import shipped
from dangwu.rules.schedule import Quarter
from dangwu.store import records
from dangwu.store.acting import message
from dangwu.store.gitstore import GitStore, Identity, init_repository
from dangwu.store.office import Office

YEAR_START = date(2026, 1, 5)
# The sample office's people sign their decisions, approvals, rejections, withdrawals
# and publications. Their keys are made from fixed seeds, so every demo has the same
# keys, signatures and commits and the README's codes hold for every reader; the
# roster in dangwu.yaml lists their
# public halves. Anyone can make these keys: they are for the made-up sample only.
DEMO_KEYS = "demo-keys"  # in the demo office's .git/dangwu/
SEED = "dangwu sample office: "


@dataclass
class Built:
    root: Path
    unit: str
    language: str | None  # the office's setting
    records: list[str] = field(default_factory=list)
    commits: int = 0
    printed: list[Path] = field(default_factory=list)
    not_printed: list[str] = field(default_factory=list)
    signed: bool = False  # the signed steps carry the sample people's signatures


SIGNING_VARIABLES = (
    "GIT_CONFIG_COUNT",
    "GIT_CONFIG_KEY_0",
    "GIT_CONFIG_VALUE_0",
    "GIT_CONFIG_KEY_1",
    "GIT_CONFIG_VALUE_1",
)


def demo_key_pair(key: str) -> tuple[bytes, str]:
    """A sample person's signing key: (OpenSSH private key file, public key line)."""

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    private = Ed25519PrivateKey.from_private_bytes(
        hashlib.sha256((SEED + key).encode("utf-8")).digest()
    )
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption(),
    )
    public = private.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    return pem, public.decode("ascii")


def write_demo_keys(office: Office, roster: dict[str, Person]) -> dict[str, Path]:
    """The private keys of the sample people whose public keys the roster lists."""

    folder = office.state_dir / DEMO_KEYS
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    found = {}
    for person in roster.values():
        if not person.signing_key:
            continue
        pem, public = demo_key_pair(person.key)
        if ssh_fingerprint(public) != roster_fingerprint(person.signing_key):
            continue  # the sample's roster was given another key: it cannot sign here
        path = folder / person.key
        path.write_bytes(pem)
        path.chmod(0o600)
        path.with_name(f"{person.key}.pub").write_text(f"{public} {person.key}\n", "utf-8")
        found[person.key] = path
    return found


@contextlib.contextmanager
def as_person(person: Person, when: datetime, signing: Path | None = None) -> Iterator[None]:
    """Act as a roster person at a moment: what their own git and clock would say, and
    the key they sign with."""
    names = ("GIT_AUTHOR_EMAIL", "GIT_AUTHOR_NAME", "DANGWU_NOW", *SIGNING_VARIABLES)
    saved = {k: os.environ.get(k) for k in names}
    os.environ["GIT_AUTHOR_EMAIL"] = person.email
    os.environ["GIT_AUTHOR_NAME"] = person.name
    os.environ["DANGWU_NOW"] = when.isoformat()
    for name in SIGNING_VARIABLES:
        os.environ.pop(name, None)
    if signing is not None:
        os.environ.update(signing_config(signing))
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def signing_config(key: Path) -> dict[str, str]:
    """git's config, as environment, to sign with ``key`` (SSH)."""
    return {
        "GIT_CONFIG_COUNT": "2",
        "GIT_CONFIG_KEY_0": "gpg.format",
        "GIT_CONFIG_VALUE_0": "ssh",
        "GIT_CONFIG_KEY_1": "user.signingkey",
        "GIT_CONFIG_VALUE_1": str(key),
    }


def sample_records() -> list[dict[str, Any]]:
    base = shipped("records")
    found = []
    for relpath in records.record_files(base.parent):
        path = base.parent / relpath
        if relpath.endswith(".yaml"):
            found.append(yamlio.load(yamlio.decode(path.read_bytes())).data)
    return found


def drafted_on(record: dict[str, Any]) -> datetime:
    """When the clerk drafted a sample record: early in the month after a quarterly
    record's quarter, else the day after the matter's date."""
    period = record.get("period")
    if isinstance(period, str):
        year, quarter = int(period[:4]), int(period[-1])
        first = date(year, quarter * 3, 1) + timedelta(days=32)
        day = first.replace(day=3)
    elif isinstance(record.get("event_date"), str):
        day = date.fromisoformat(record["event_date"]) + timedelta(days=1)
    else:
        day = YEAR_START
    return datetime.combine(day, time(9, 30), clock.CHINA)


def _clerk(roster: dict[str, Person]) -> Person:
    for person in roster.values():
        if "clerk" in person.roles:
            return person
    raise UsageError(_("the sample roster has no clerk"))


# What happens to the sample records beyond the usual path (submit, approve, publish).
# The sample's year ends in late November 2026 with work still in hand.
WITHHELD = {"ZF-2026-101": "测评结果涉及对个人的评价，经领导小组讨论决定仅向本人反馈，不予公开。"}
SENT_BACK = {"ZZ-2026-104": "请补充各党支部选举结果和新一届支部委员名单后再报。"}
WITHDRAWN = {"MB-2026-104": "部分县区数据统计口径有误，撤回核实后另行公开。"}
PENDING = {"SX-2026-105": "draft", "DT-2026-104": "submitted", "ZZ-2026-107": "approved"}
# the last day of comment the preliminary plans announce in their text
CLOSES = {"MB-2026-102": date(2026, 5, 31), "ZD-2026-105": date(2026, 12, 3)}
# the formal plan: the preliminary plan adjusted to the opinions it heard [seed 五], its
# call for comments replaced by what became of them (采纳情况)
FORMAL: dict[str, dict[str, tuple[tuple[str, str], ...]]] = {
    "MB-2026-102": {
        "summary": (
            ("拟对老年人、残疾人、农民工等群体", "对老年人、残疾人、农民工、城乡低保对象等群体"),
            ("预约上门服务。现公开征求意见，截至2026年5月31日。",
             "预约上门服务（含周末，可电话预约），自2026年7月1日起试行一年。"),
        ),
        "body": (
            ("我局拟推出", "我局推出"),
            ("现将初步方案予以公开。", "现将正式方案予以公开。"),
            ("农民工追索劳动报酬、老年人追索赡养费等事项，免予经济困难状况审查。",
             "城乡低保对象申请法律援助，以及农民工追索劳动报酬、老年人追索赡养费等事项，"
             "免予经济困难状况审查。"),
            ("提供预约上门受理服务。",
             "提供预约上门受理服务，周末照常预约；可拨打0000-1234567电话预约。"),
            ("方案拟自2026年7月1日起试行一年", "方案自2026年7月1日起试行一年"),
            ("## 四、征求意见", "## 四、征求意见采纳情况"),
            ("欢迎社会各界和广大群众提出意见建议。请于2026年5月31日前通过以下方式反馈至局党务"
             "公开办公室：\n\n1. 电话：0000-1234567（工作日9:00—17:30）；\n2. 邮箱："
             "dwgk@example.org；\n3. 信函：江城市人民路88号江城市司法局党务公开办公室"
             "（信封注明“法律援助意见”）。\n\n我局将认真研究吸纳各方意见，调整形成正式方案后"
             "及时公开。",
             "2026年5月14日至31日征求意见期间，共收到意见建议2条，采纳1条、部分采纳1条："
             "将城乡低保对象纳入免审范围；预约上门服务覆盖周末，并开通电话预约。乡镇工作站"
             "受理电话待各站核定后另行公布。"),
        ),
    }
}  # fmt: skip
MEMBERS = ("zhoulx", "sunhm", "qianwb", "wujh", "zhenggq", "wanglp")
QUORUM = ("hanzg", "zhoulx", "sunhm", "qianwb", "wujh")


# Supervision in the sample year [seed 五]: opinions on the two plans put out for
# comment, and three reports (made-up people): one answered, one open, one anonymous.
SUPERVISION: tuple[tuple[str, str, str, str, dict[str, Any]], ...] = (
    (
        "2026-05-20T15:00",
        "MB-2026-102",
        "feedback",
        "chensh",
        {"text": "建议将城乡低保对象一并纳入免予经济困难审查范围，并在乡镇工作站公布受理电话。"},
    ),
    (
        "2026-05-26T10:30",
        "MB-2026-102",
        "feedback",
        "dumy",
        {
            "public": "李先生",
            "text": "希望预约上门服务能覆盖周末，并可通过电话预约。",
            "received": "2026-05-25",
        },
    ),
    # what became of them, before the formal plan is approved (seed 五: 充分听取群众意见
    # 后，进行必要的调整)
    (
        "2026-06-02T10:00",
        "MB-2026-102",
        "dispose",
        "dumy",
        {
            "number": 1,
            "outcome": "partly",
            "reason": "已将城乡低保对象纳入免予经济困难审查范围；乡镇工作站受理电话待各站核定后"
            "另行公布。",
            "notified": "书面答复陈淑华同志",
        },
    ),
    (
        "2026-06-02T10:10",
        "MB-2026-102",
        "dispose",
        "dumy",
        {
            "number": 2,
            "outcome": "adopted",
            "reason": "正式方案增加周末预约上门服务，并开通电话预约。",
            "notified": "电话告知李先生",
        },
    ),
    (
        "2026-07-20T10:00",
        "ZD-2026-104",
        "report",
        "dumy",
        {
            "name": "赵建国",
            "contact": "电话 0000-7654321",
            "text": "7月第一个接待日公示由局长接待，实际由副局长接待，公开内容与实际不符。",
        },
    ),
    (
        "2026-07-29T16:00",
        "ZD-2026-104",
        "answer",
        "dumy",
        {
            "number": 101,
            "text": "经核实，当日局长参加市委紧急会议，改由分管副局长接待，未及时更新公示。"
            "已在公开栏补充说明，今后接待领导调整将提前公示。",
            "notified": "电话告知本人，本人表示满意",
        },
    ),
    (
        "2026-09-07T09:40",
        "ZF-2026-105",
        "report",
        "dumy",
        {"text": "反映窗口工作人员午休期间无人值守，与公开的服务承诺不符。"},
    ),
    (
        "2026-11-12T14:00",
        "DT-2026-103",
        "report",
        "dumy",
        {
            "name": "钱秀英",
            "contact": "江城市人民路12号",
            "text": "公开的表彰名单中一名受表彰党员的姓名有误，所在支部也写错了，请核实更正。",
        },
    ),
    # disclosure on request [SPEC 14]: a member asks for a quarter's party dues, and is
    # given the record; someone asks for cadres' interview notes, and is refused, in
    # writing, after the time was extended once
    (
        "2026-08-17T09:20",
        "ZZ-2026-105",
        "request",
        "dumy",
        {
            "name": "郑晓东",
            "contact": "局机关第二党支部 0000-1234588",
            "text": "本人系局机关党员，申请查阅2026年第二季度党费收缴管理情况。",
        },
    ),
    (
        "2026-08-19T15:00",
        "ZZ-2026-105",
        "disclose",
        "dumy",
        {"number": 101, "notified": "当面送达"},
    ),
    (
        "2026-10-19T10:00",
        "",
        "request",
        "dumy",
        {
            "name": "吴某",
            "contact": "邮寄：江城市解放路6号",
            "text": "申请公开2026年度局机关科级干部考察谈话记录。",
        },
    ),
    (
        "2026-10-21T16:00",
        "",
        "extend",
        "dumy",
        {"number": 102, "reason": "所申请内容涉及组织人事工作，需征求局政治处意见。"},
    ),
    (
        "2026-10-28T10:00",
        "",
        "refuse",
        "dumy",
        {
            "number": 102,
            "reason": "所申请的考察谈话记录属于干部人事档案材料，涉及个人隐私，按照干部人事档案"
            "管理有关规定不属于党务公开范围。",
            "notified": "挂号信邮寄告知书",
        },
    ),
    (
        "2026-11-18T16:30",
        "ZD-2026-105",
        "feedback",
        "dumy",
        {"public": "王女士", "text": "建议周六全天开放，并在延时时段增设婚姻家事公证窗口。"},
    ),
)


@dataclass(order=True)
class Step:
    when: datetime
    record: str = field(compare=False)
    step: str = field(compare=False)
    who: str = field(compare=False)
    params: dict[str, Any] = field(default_factory=dict, compare=False)


def _at(day: date, minutes: int) -> datetime:
    return datetime.combine(day, time(9, 0), clock.CHINA) + timedelta(minutes=minutes)


def procedure_plan(samples: list[dict[str, Any]], clerk: str) -> list[Step]:
    """Each sample record's way through the procedure, dated from when it was drafted."""
    steps: list[Step] = []
    for index, sample in enumerate(sorted(samples, key=lambda r: str(r["id"]))):
        rid = str(sample["id"])
        d0 = drafted_on(sample).date()
        tick = index  # minutes apart, so the history reads in a stable order

        def add(
            days: int,
            step: str,
            who: str,
            _rid: str = rid,
            _tick: int = tick,
            _d0: date = d0,
            **params: Any,
        ) -> None:
            steps.append(Step(_at(_d0 + timedelta(days=days), _tick), _rid, step, who, params))

        stop = PENDING.get(rid)
        if stop == "draft":
            continue
        add(1, "submit", clerk)
        if stop == "submitted":
            continue
        if rid in WITHHELD:
            add(
                3,
                "decide",
                "zhoulx",
                meeting=d0 + timedelta(days=3),
                outcome="withhold",
                note=WITHHELD[rid],
            )
            continue
        if rid in SENT_BACK:
            add(2, "reject", "zhoulx", reason=SENT_BACK[rid])
            add(
                4,
                "set",
                clerk,
                summary=str(sample.get("summary", "")).rstrip("。")
                + "；各支部新一届委员名单已附后。",
            )
            add(5, "submit", clerk)
            d_approve = 6
        else:
            d_approve = 4
        approver = MEMBERS[index % len(MEMBERS)]
        if sample.get("major"):
            add(3, "decide", "zhoulx", meeting=d0 + timedelta(days=3), outcome="publish")
            approver = "hanzg"
        add(d_approve, "approve", approver)
        if stop == "approved":
            continue
        if rid in CLOSES:
            add(d_approve + 1, "publish", clerk, closes=CLOSES[rid])
        else:
            add(d_approve + 1, "publish", clerk)
        if sample.get("pre_disclosure"):
            if d0 > date(2026, 10, 1):
                continue  # the latest plan is still out for comment at the end of the year
            # the formal plan follows once the window (15 days at least) has closed
            last = CLOSES.get(rid) or d0 + timedelta(days=d_approve + 1 + 14)
            closes = (last - d0).days
            add(closes + 1, "formal", clerk)
            add(closes + 1, "submit", clerk)
            add(closes + 3, "approve", MEMBERS[(index + 1) % len(MEMBERS)])
            add(closes + 4, "publish", clerk)
        if rid in WITHDRAWN:
            add(d_approve + 8, "withdraw", "zhoulx", reason=WITHDRAWN[rid])
    for stamp, rid, step, who, params in SUPERVISION:
        when = datetime.fromisoformat(stamp).replace(tzinfo=clock.CHINA)
        steps.append(Step(when, rid, step, who, dict(params)))
    return sorted(steps)


def _formal(text: str) -> str:
    return text.replace("初步方案（征求意见稿）", "方案").replace("初步方案", "方案")


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _run_step(office: Office, step: Step) -> None:

    if step.step == "submit":
        procedure.submit(office, step.record)
    elif step.step == "approve":
        procedure.approve(office, step.record)
    elif step.step == "publish":
        procedure.publish(office, step.record, closes=step.params.get("closes"))
    elif step.step == "decide":
        procedure.decide(
            office,
            step.record,
            meeting=step.params["meeting"],
            attendees=QUORUM,
            outcome=step.params["outcome"],
            note=step.params.get("note"),
        )
    elif step.step == "reject":
        procedure.reject(office, step.record, reason=step.params["reason"])
    elif step.step == "withdraw":
        procedure.withdraw(office, step.record, reason=step.params["reason"])
    elif step.step == "set":
        drafting.set_fields(
            office, step.record, [drafting.Assignment(k, "=", v) for k, v in step.params.items()]
        )
    elif step.step == "feedback":
        supervision.add_feedback(
            office,
            step.record,
            text=step.params["text"],
            public=step.params.get("public"),
            received=_day(step.params.get("received")),
        )
    elif step.step == "report":
        supervision.new_report(
            office,
            about=step.record,
            text=step.params["text"],
            name=step.params.get("name"),
            contact=step.params.get("contact"),
        )
    elif step.step == "answer":
        supervision.answer_report(
            office,
            step.params["number"],
            text=step.params["text"],
            notified=step.params["notified"],
        )
    elif step.step == "dispose":
        supervision.answer_feedback(
            office,
            step.params["number"],
            outcome=step.params["outcome"],
            reason=step.params["reason"],
            notified=step.params["notified"],
        )
    elif step.step == "request":
        requests.new_request(
            office,
            name=step.params["name"],
            contact=step.params["contact"],
            text=step.params["text"],
            about=step.record or None,
        )
    elif step.step == "disclose":
        requests.answer_request(
            office, step.params["number"], disclose=step.record, notified=step.params["notified"]
        )
    elif step.step == "extend":
        requests.extend_request(office, step.params["number"], reason=step.params["reason"])
    elif step.step == "refuse":
        requests.refuse_request(
            office,
            step.params["number"],
            reason=step.params["reason"],
            notified=step.params["notified"],
            letter=False,
        )
    elif step.step == "formal":
        record = records.find(office, step.record)
        changes = [drafting.Assignment("title", "=", _formal(str(record.data.get("title"))))]
        for field, edits in FORMAL.get(step.record, {}).items():
            text = str(record.data.get(field, ""))
            for old, new in edits:
                assert old in text, (step.record, field, old)
                text = text.replace(old, new)
            changes.append(drafting.Assignment(field, "=", text))
        drafting.set_fields(office, step.record, changes)


def build(target: Path, formats: tuple[str, ...] = ("html", "pdf")) -> Built:
    root = target.absolute()
    if root.exists() and any(root.iterdir()):
        raise UsageError(
            _("{path} is not empty; give a new folder for the demo office").format(path=root)
        )
    settings_text = shipped(SETTINGS_FILE).read_text(encoding="utf-8")

    if shutil.which("ssh-keygen") is None:
        # git signs with ssh-keygen: without it the sample cannot sign, so it does not
        # require signing (build() says so)
        settings_text = re.sub(
            r"^(\s*require_signing:\s*)true", r"\1false", settings_text, flags=re.MULTILINE
        )
    settings = parse_settings(settings_text)
    init_repository(root)
    office = Office(root)
    built = Built(root, settings.unit, settings.language)
    # its people write its history in the office's language, whoever builds the demo:
    # the same commits, codes and verification for every reader of the README
    with speaking(settings.language or "en"):
        last_day = _replay(office, built, settings, settings_text)
    # from here on the office exists, and its language counts for the reader too
    with speaking(choose_language(settings.language)):
        _print(office, built, last_day, formats)
    return built


def _replay(office: Office, built: Built, settings: Settings, settings_text: str) -> date:
    """The sample office's year, step by step, as its people would have taken it;
    the day of its last step."""

    root = office.root
    head = next(p for p in settings.roster.values() if "office-head" in p.roles)
    with GitStore(root, office.state_dir) as store, store.writing():
        when = datetime.combine(YEAR_START - timedelta(days=3), time(9, 0), clock.CHINA)

        store.make_root_commit(
            {SETTINGS_FILE: settings_text.encode("utf-8"), ".gitignore": GITIGNORE.encode()},
            message("init", settings.unit, actor=head),
            author=Identity(head.name, head.email),
            when=when,
        )
        built.commits += 1
    clerk = _clerk(dict(settings.roster))
    keys = write_demo_keys(office, dict(settings.roster)) if settings.rules.require_signing else {}
    built.signed = bool(keys)
    samples = sample_records()
    drafts = [Step(drafted_on(r), str(r["id"]), "new", clerk.key, {"sample": r}) for r in samples]
    timeline = sorted(drafts + procedure_plan(samples, clerk.key))
    for step in timeline:
        person = settings.roster[step.who]
        with as_person(person, step.when, keys.get(person.key)):
            if step.step == "new":
                sample = step.params["sample"]
                written = drafting.create(
                    office,
                    drafting.NewRecord(
                        category=sample["category"],
                        item=sample["item"],
                        title=sample["title"],
                        summary=sample.get("summary"),
                        body=sample.get("body"),
                        scope=sample.get("scope"),
                        cadence=sample.get("cadence"),
                        channels=tuple(sample.get("channels") or ()),
                        period=sample.get("period"),
                        event_date=sample.get("event_date"),
                        follows=sample.get("follows"),
                        major=bool(sample.get("major")),
                        pre_disclosure=bool(sample.get("pre_disclosure")),
                    ),
                )
                if written.record_id != step.record:
                    raise UsageError(
                        _("the sample record {id} was minted as {other}").format(
                            id=step.record, other=written.record_id
                        )
                    )
                built.records.append(written.record_id)
            else:
                _run_step(office, step)
        built.commits += 1
    return timeline[-1].when.date()


def _print(office: Office, built: Built, day: date, formats: tuple[str, ...]) -> None:
    """The boards on the sample's last day and the bulletin of its last full quarter."""

    folder = office.root / printing.PRINTED
    quarter = str(Quarter.of(day).previous)
    saved = os.environ.get("DANGWU_NOW")
    os.environ["DANGWU_NOW"] = day.isoformat()  # printed on the sample's last day
    try:
        _print_all(office, built, day, formats, folder, quarter)
    finally:
        if saved is None:
            os.environ.pop("DANGWU_NOW", None)
        else:
            os.environ["DANGWU_NOW"] = saved


def _print_all(
    office: Office, built: Built, day: date, formats: tuple[str, ...], folder: Path, quarter: str
) -> None:

    for fmt in formats:
        try:
            for scope in ("public", "internal"):
                built.printed.append(
                    printing.print_board(office, scope=scope, on=day, fmt=fmt, out=folder).path
                )
            built.printed.append(
                printing.print_bulletin(
                    office, period=quarter, scope="public", fmt=fmt, out=folder
                ).path
            )
        except DangwuError as exc:
            reason = _("{format}: {message}").format(format=fmt.upper(), message=exc.message)
            built.not_printed.append(
                reason + (_(" ({hint})").format(hint=exc.hint) if exc.hint else "")
            )
