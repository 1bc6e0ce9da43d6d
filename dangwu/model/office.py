"""The office's settings as values: its people and their roles, and the rules it keeps
(what dangwu.yaml means, once checked)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

from dangwu.i18n import N_
from dangwu.model.words import day_written

SETTINGS_FILE = "dangwu.yaml"

ROLES = ("leader", "member", "office-head", "office-deputy", "clerk", "supervisor")
ROLE_TITLES = {
    "leader": (N_("leader"), "组长"),
    "member": (N_("member"), "领导小组成员"),
    "office-head": (N_("office head"), "办公室主任"),
    "office-deputy": (N_("office deputy"), "办公室副主任"),
    "clerk": (N_("clerk"), "办公室工作人员"),
    "supervisor": (N_("supervisor"), "监督员"),
}
# Roles that draft records and so mint record ids.
DRAFTING_ROLES = frozenset({"clerk", "office-head", "office-deputy"})
ROSTER_ROLES = frozenset({"leader", "office-head", "office-deputy"})
ID_BLOCKS = range(1, 10)


@dataclass(frozen=True)
class Person:
    key: str
    name: str
    email: str
    roles: tuple[str, ...]
    title: str | None = None
    signing_key: str | None = None
    id_block: int | None = None
    account: str | None = None  # their account on the office's git server, if not their key
    # a supervisor's run of consecutive terms: its first day, and its current term's last
    term_start: date | None = None
    term_end: date | None = None

    def has(self, *roles: str) -> bool:
        return any(role in self.roles for role in roles)


@dataclass(frozen=True)
class Rules:
    pre_disclosure_days: int = 15
    timely_days: int = 20
    quarterly_days: int = 0
    report_answer_days: int = 15
    # a request for disclosure is answered in working days, extendable once [SPEC 14]
    request_answer_days: int = 3
    request_extended_days: int = 10
    # supervisors serve terms of this many years, at most this many in a row [SPEC 14]
    supervisor_term_years: int = 2
    supervisor_terms: int = 2
    follow_up_quiet_days: int = 90
    board_recent_days: int = 90
    # days to issue the circular, or minute the meeting, of what was published on those
    # channels (None: the office does not ask due to track them)
    artefact_days: int | None = None
    day_count: str = "working"
    require_signing: bool = False
    allow_merges: bool = False  # the office's branch is a straight line unless it says so
    clock_skew_minutes: int = 10  # how far clocks may disagree before a date is a lie
    holidays: tuple[str, ...] = ()
    workdays: tuple[str, ...] = ()


@dataclass(frozen=True)
class Settings:
    unit: str
    roster: Mapping[str, Person]
    board_title: str = "党务公开栏"
    contact: str = ""
    language: str | None = None
    timezone: str | None = None
    channels: Mapping[str, str] = field(default_factory=dict)
    default_channels: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    rules: Rules = field(default_factory=Rules)
    site_url: str = ""  # where the office's web site is served: printed codes open it
    # a circular's 发文机关标志 and 发文字号 prefix (江司党 in 江司党〔2026〕12号), and
    # to whom it goes (主送): the unit's name and its party branches when not said
    issuer: str = ""
    prefix: str = ""
    send_to: str = ""
    # the named parts of the organisation a record may be disclosed to alone (key -> name)
    audiences: Mapping[str, str] = field(default_factory=dict)

    @property
    def circular_issuer(self) -> str:
        return self.issuer or self.unit

    @property
    def circular_prefix(self) -> str:
        return self.prefix or self.unit

    @property
    def circular_to(self) -> str:
        return self.send_to or "各党支部"

    @cached_property
    def _by_email(self) -> dict[str, Person]:
        return {person.email.lower(): person for person in self.roster.values()}

    def person_by_account(self, account: str) -> Person | None:
        """Who a server account belongs to: the person whose ``account`` it is, else
        the person whose roster key it is (unless someone else claims it as account)."""
        for person in self.roster.values():
            if person.account == account:
                return person
        keyed = self.roster.get(account)
        return keyed if keyed is not None and not keyed.account else None

    def person_by_email(self, email: str) -> Person | None:
        return self._by_email.get(email.strip().lower())

    def name_of(self, key: str) -> str:
        """A roster key as paper names the person (the key itself if not listed)."""
        person = self.roster.get(key)
        return person.name if person else key

    def channels_for(self, scope: str) -> tuple[str, ...]:
        configured = self.default_channels.get(scope)
        if configured:
            return configured
        return ("internal-board",) if scope == "internal" else ("public-board", "website")


def settings_from_data(data: Mapping[str, Any]) -> Settings:
    roster = {
        key: Person(
            key=key,
            name=raw["name"],
            email=raw["email"],
            roles=tuple(raw["roles"]),
            title=raw.get("title"),
            signing_key=raw.get("signing_key"),
            id_block=raw.get("id_block"),
            account=raw.get("account"),
            term_start=day_written(raw.get("term_start")),
            term_end=day_written(raw.get("term_end")),
        )
        for key, raw in data["roster"].items()
    }
    raw_rules = dict(data.get("rules") or {})
    for name in ("holidays", "workdays"):
        if name in raw_rules:
            raw_rules[name] = tuple(raw_rules[name])
    return Settings(
        unit=data["unit"],
        roster=roster,
        board_title=data.get("board_title") or "党务公开栏",
        contact=data.get("contact") or "",
        language=data.get("language"),
        timezone=data.get("timezone"),
        channels=dict(data.get("channels") or {}),
        default_channels={k: tuple(v) for k, v in (data.get("default_channels") or {}).items()},
        rules=Rules(**raw_rules),
        site_url=str((data.get("site") or {}).get("base_url") or "").rstrip("/"),
        issuer=str((data.get("circular") or {}).get("issuer") or ""),
        prefix=str((data.get("circular") or {}).get("prefix") or ""),
        send_to=str((data.get("circular") or {}).get("to") or ""),
        audiences={
            str(key): str(value.get("name", key))
            for key, value in (data.get("audiences") or {}).items()
            if isinstance(value, Mapping)
        },
    )
