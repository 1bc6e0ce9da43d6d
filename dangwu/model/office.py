"""The office repository: finding it, and its settings and roster (dangwu.yaml)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from dangwu.errors import InvalidFiles, NotAnOffice, Problem
from dangwu.i18n import N_, _
from dangwu.model.catalogue import Catalogue
from dangwu.store import yamlio

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

    def has(self, *roles: str) -> bool:
        return any(role in self.roles for role in roles)


@dataclass(frozen=True)
class Rules:
    pre_disclosure_days: int = 15
    timely_days: int = 20
    quarterly_days: int = 0
    report_answer_days: int = 15
    follow_up_quiet_days: int = 90
    board_recent_days: int = 90
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
    )


def roster_problems(doc: yamlio.Document, relpath: str) -> list[Problem]:
    """Rules of the roster beyond its schema: unique emails and id blocks, and
    someone who may still change the roster."""
    roster = doc.data.get("roster") if isinstance(doc.data, dict) else None
    if not isinstance(roster, dict):
        return []
    problems = []
    emails: dict[str, str] = {}
    blocks: dict[int, str] = {}
    accounts: dict[str, str] = {}
    may_change = False
    for key, person in roster.items():
        if not isinstance(person, dict):
            continue
        account = person.get("account")
        if isinstance(account, str):
            other = accounts.get(account) or (
                account
                if account in roster and account != key and not _has_account(roster[account])
                else None
            )
            if other is not None:
                line, col = doc.locate(["roster", key, "account"])
                problems.append(
                    Problem(
                        relpath,
                        line,
                        col,
                        _(
                            "roster.{key}.account: the server account {account} is also "
                            "'{other}''s; an account must name one person"
                        ).format(key=key, account=account, other=other),
                    )
                )
            accounts[account] = key
        raw_roles = person.get("roles")
        roles: list[Any] = raw_roles if isinstance(raw_roles, list) else []
        email = person.get("email")
        if isinstance(email, str):
            lowered = email.lower()
            if lowered in emails:
                line, col = doc.locate(["roster", key, "email"])
                problems.append(
                    Problem(
                        relpath,
                        line,
                        col,
                        _(
                            "roster.{key}.email: {email} is also the email of '{other}'; "
                            "git identities must name one person"
                        ).format(key=key, email=email, other=emails[lowered]),
                    )
                )
            emails[lowered] = key
        block = person.get("id_block")
        if isinstance(block, int) and not isinstance(block, bool):
            if block in blocks:
                line, col = doc.locate(["roster", key, "id_block"])
                problems.append(
                    Problem(
                        relpath,
                        line,
                        col,
                        _("roster.{key}.id_block: block {block} is already '{other}''s").format(
                            key=key, block=block, other=blocks[block]
                        ),
                        _("each person who drafts records needs a block of their own"),
                    )
                )
            blocks[block] = key
        elif DRAFTING_ROLES.intersection(roles):
            line, col = doc.locate(["roster", key])
            problems.append(
                Problem(
                    relpath,
                    line,
                    col,
                    _(
                        "roster.{key}: a person who drafts records needs an id_block "
                        "(a number 1-9 that nobody else has)"
                    ).format(key=key),
                )
            )
        if ROSTER_ROLES.intersection(roles):
            may_change = True
    if roster and not may_change:
        line, col = doc.locate(["roster"])
        problems.append(
            Problem(
                relpath,
                line,
                col,
                _("roster: nobody may change the roster; it needs a leader or an office head"),
            )
        )
    return problems


def _has_account(person: Any) -> bool:
    return isinstance(person, dict) and isinstance(person.get("account"), str)


def parse_settings(
    text: str, relpath: str = SETTINGS_FILE, office_root: Path | None = None
) -> Settings:
    """Validate dangwu.yaml text and turn it into Settings, or raise InvalidFiles."""
    from dangwu.check import validate

    try:
        doc = yamlio.load(text)
    except yamlio.YamlProblem as exc:
        raise InvalidFiles([exc.at(relpath)]) from None
    if not isinstance(doc.data, dict):
        raise InvalidFiles(
            [
                Problem(
                    relpath,
                    1,
                    1,
                    _("dangwu.yaml must be a mapping of settings (unit:, roster:, ...)"),
                )
            ]
        )
    problems = validate.schema_problems(
        doc, relpath, validate.validator("office.schema.yaml", office_root)
    )
    if not problems:
        problems = roster_problems(doc, relpath)
    problems += validate.hidden_problems(text, doc, relpath)
    if problems:
        raise InvalidFiles(problems)
    return settings_from_data(doc.data)


@dataclass
class Office:
    """An office repository on disk (or, ``bare``, the server's copy of one, which has
    only the history: no files to read)."""

    root: Path
    bare: bool = False
    # where dangwu keeps its working files, if not in the repository (a server's hook
    # whose account may not write there)
    state: Path | None = None

    @cached_property
    def git_dir(self) -> Path:
        if self.bare:
            return self.root
        dotgit = self.root / ".git"
        if dotgit.is_file():
            text = dotgit.read_text(encoding="utf-8").strip()
            if text.startswith("gitdir:"):
                target = Path(text[len("gitdir:") :].strip())
                return target if target.is_absolute() else (self.root / target).resolve()
        return dotgit

    @property
    def state_dir(self) -> Path:
        """dangwu's own working files: cache, lock, journal. Never committed."""
        return self.state or self.git_dir / "dangwu"

    @cached_property
    def settings_text(self) -> str:
        path = self.root / SETTINGS_FILE
        try:
            raw = yamlio.read_bytes(path)
            return yamlio.decode(raw)
        except yamlio.YamlProblem as exc:
            raise InvalidFiles([exc.at(SETTINGS_FILE)]) from None

    @cached_property
    def settings(self) -> Settings:
        from dangwu.store import cache

        text = self.settings_text
        marker = cache.Markers(self)
        if marker.is_valid(SETTINGS_FILE, text):
            return settings_from_data(yamlio.load(text).data)
        settings = parse_settings(text, SETTINGS_FILE, self.root)
        marker.mark_valid(SETTINGS_FILE, text)
        return settings

    @cached_property
    def catalogue(self) -> Catalogue:
        from dangwu.model.catalogue import from_data
        from dangwu.store import cache

        own = self.root / "schemas" / "catalogue.yaml"
        path = own if own.exists() or own.is_symlink() else _shipped_catalogue()
        relpath = "schemas/catalogue.yaml" if path == own else str(path)
        try:
            text = yamlio.decode(yamlio.read_bytes(path, plain_file=path == own))
            doc = yamlio.load(text)
        except yamlio.YamlProblem as exc:
            raise InvalidFiles([exc.at(relpath)]) from None
        marker = cache.Markers(self)
        if not marker.is_valid(relpath, text):
            check_catalogue(doc, relpath, self.root)
            marker.mark_valid(relpath, text)
        return from_data(doc.data, path)

    def relpath(self, path: Path) -> str:
        return path.resolve().relative_to(self.root.resolve()).as_posix()


def _shipped_catalogue() -> Path:
    from dangwu.resources import shipped

    return shipped("schemas", "catalogue.yaml")


def check_catalogue(doc: yamlio.Document, relpath: str, root: Path | None) -> None:
    from dangwu.check import validate
    from dangwu.model.catalogue import check_unique

    problems = validate.schema_problems(
        doc, relpath, validate.validator("catalogue.schema.yaml", root)
    )
    if not problems:
        for name, where in check_unique(doc.data):
            line, col = doc.locate(where)
            problems.append(
                Problem(
                    relpath,
                    line,
                    col,
                    _("'{name}' names two things in the catalogue").format(name=name),
                    _("slugs and codes must be unique"),
                )
            )
    if problems:
        raise InvalidFiles(problems)


def find_office(start: Path | None = None) -> Office:
    """The office repository: -C PATH or DANGWU_REPO, else the current folder or a parent."""
    explicit = start is not None
    if start is None and os.environ.get("DANGWU_REPO"):
        start = Path(os.environ["DANGWU_REPO"])
        explicit = True
    here = (start or Path.cwd()).absolute()
    if explicit and not here.is_dir():
        raise NotAnOffice(_("{path} is not a folder").format(path=here))
    candidates: Iterable[Path] = [here] if explicit else [here, *here.parents]
    for folder in candidates:
        if (folder / SETTINGS_FILE).is_file():
            if not (folder / ".git").exists():
                raise NotAnOffice(
                    _("{path} has a dangwu.yaml but is not a git repository").format(path=folder),
                    hint=_("run 'git init' there, or create a new office with 'dangwu init'"),
                )
            return Office(folder)
    if explicit:
        raise NotAnOffice(
            _("{path} is not an office repository (it has no dangwu.yaml)").format(path=here),
            hint=_("create one with: dangwu init {path} --unit NAME").format(path=here),
        )
    raise NotAnOffice(
        _("not inside an office repository (no dangwu.yaml here or in any parent folder)"),
        hint=_("create one with 'dangwu init --unit NAME', or point to one with -C PATH"),
    )
