"""dangwu.yaml and the catalogue checked: schema, roster rules, hidden characters, and
names used twice, each problem at its file, line and column."""

from __future__ import annotations

import functools
from datetime import date
from pathlib import Path
from typing import Any

from dangwu import yamlio
from dangwu.errors import InvalidFiles, Problem
from dangwu.i18n import _
from dangwu.model.catalogue import (
    INTERNAL_CHANNELS,
    Catalogue,
    check_channels,
    check_unique,
    from_data,
)
from dangwu.model.fingerprint import roster_fingerprint, well_formed
from dangwu.model.office import (
    DRAFTING_ROLES,
    ROSTER_ROLES,
    SETTINGS_FILE,
    Rules,
    Settings,
    settings_from_data,
)
from dangwu.rules.terms import longest_service


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
    keys: dict[str, str] = {}  # signing key fingerprint -> whose
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
        problems += _key_problems(doc, relpath, key, person.get("signing_key"), keys)
        problems += _term_problems(doc, relpath, key, person, roles)
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


def _key_problems(
    doc: yamlio.Document, relpath: str, key: str, signing_key: Any, keys: dict[str, str]
) -> list[Problem]:
    """A person's signing key: one git could check a signature with, and theirs alone
    (``keys``: the fingerprints seen so far, and whose)."""
    if not isinstance(signing_key, str):
        return []
    line, col = doc.locate(["roster", key, "signing_key"])
    problems = []
    fingerprint = roster_fingerprint(signing_key)
    if fingerprint is not None and fingerprint in keys:
        said = _(
            "roster.{key}.signing_key: the same key as '{other}''s; a signature must tell "
            "who made it, so each person signs with a key of their own"
        )
        problems.append(Problem(relpath, line, col, said.format(key=key, other=keys[fingerprint])))
    if fingerprint is not None:
        keys.setdefault(fingerprint, key)
    if not well_formed(signing_key):
        said = _(
            "roster.{key}.signing_key: neither a GPG key id nor an SSH public key that git "
            "could check a signature with"
        )
        hint = _("give the whole line of the person's .pub file")
        problems.append(Problem(relpath, line, col, said.format(key=key), hint))
    return problems


def _term_problems(
    doc: yamlio.Document, relpath: str, key: str, person: dict[str, Any], roles: list[Any]
) -> list[Problem]:
    """A supervisor's term: only supervisors serve one; it ends after it starts and
    within the consecutive terms the office allows [SPEC 14]."""
    start, end = _date(person.get("term_start")), _date(person.get("term_end"))
    if start is None and end is None:
        return []

    def at(field: str, message: str) -> Problem:
        line, col = doc.locate(["roster", key, field])
        return Problem(relpath, line, col, message)

    field = "term_start" if start is not None else "term_end"
    if "supervisor" not in roles:
        return [
            at(
                field,
                _("roster.{key}.{field}: only supervisors serve terms").format(
                    key=key, field=field
                ),
            )
        ]
    if start is None:
        return [at("term_end", _("roster.{key}.term_end: give term_start as well").format(key=key))]
    if end is None:
        return []
    raw = doc.data.get("rules") if isinstance(doc.data, dict) else None
    given = raw if isinstance(raw, dict) else {}
    years, terms = given.get("supervisor_term_years"), given.get("supervisor_terms")
    rules = Rules(
        supervisor_term_years=years if isinstance(years, int) and years > 0 else 2,
        supervisor_terms=terms if isinstance(terms, int) and terms > 0 else 2,
    )
    if end <= start:
        return [
            at(
                "term_end",
                _("roster.{key}.term_end: {end} is not after term_start {start}").format(
                    key=key, end=end.isoformat(), start=start.isoformat()
                ),
            )
        ]
    latest = longest_service(start, rules)
    if end > latest:
        return [
            at(
                "term_end",
                _(
                    "roster.{key}.term_end: {end} is beyond {n} consecutive terms of {years} "
                    "years from {start} (at most until {latest})"
                ).format(
                    key=key,
                    end=end.isoformat(),
                    n=rules.supervisor_terms,
                    years=rules.supervisor_term_years,
                    start=start.isoformat(),
                    latest=latest.isoformat(),
                ),
            )
        ]
    return []


def _date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _has_account(person: Any) -> bool:
    return isinstance(person, dict) and isinstance(person.get("account"), str)


def parse_settings(
    text: str, relpath: str = SETTINGS_FILE, office_root: Path | None = None
) -> Settings:
    """Validate dangwu.yaml text and turn it into Settings, or raise InvalidFiles."""
    # validation (jsonschema) only when the settings were not found checked before:
    # not at every start-up
    from dangwu.check import validate

    schema = validate.schema_path("office.schema.yaml", office_root)
    return _parsed_settings(text, relpath, schema, schema.stat().st_mtime_ns)


@functools.lru_cache(maxsize=8)
def _parsed_settings(text: str, relpath: str, schema: Path, _schema_mtime: int) -> Settings:
    """parse_settings' answer, kept for the same text and schema (which file, and its
    time stamp, are in the key; which office asks is not): every step checks the
    settings as committed, and a process that takes many steps (the demo builds about
    150; the server's hook judges a push's commits) parsed and checked the same text
    for each. A refusal is not kept: it is said again, in the language of the moment.
    (Settings are never changed once made.)"""
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
        doc, relpath, validate.validator_at(schema, "office.schema.yaml")
    )
    if not problems:
        problems = roster_problems(doc, relpath)
    problems += validate.hidden_problems(text, doc, relpath)
    if problems:
        raise InvalidFiles(problems)
    return settings_from_data(doc.data)


def checked_catalogue(
    text: str, relpath: str, path: Path, office_root: Path | None
) -> tuple[Catalogue, dict[str, Any]]:
    """The catalogue whose ``text`` is at ``path`` (``relpath`` as said in a refusal),
    checked against the catalogue schema in force, with the data it was made from; or
    raise InvalidFiles."""
    from dangwu.check import validate  # as above

    schema = validate.schema_path("catalogue.schema.yaml", office_root)
    return _checked_catalogue(text, relpath, path, schema, schema.stat().st_mtime_ns)


@functools.lru_cache(maxsize=8)
def _checked_catalogue(
    text: str, relpath: str, path: Path, schema: Path, _schema_mtime: int
) -> tuple[Catalogue, dict[str, Any]]:
    """checked_catalogue's answer, kept as _parsed_settings keeps the settings': a
    process that opens many offices (a portal of offices, a server's hooks, the
    tests) reads and checks the catalogue they share once. (A Catalogue is frozen.)"""
    try:
        doc = yamlio.load(text)
    except yamlio.YamlProblem as exc:
        raise InvalidFiles([exc.at(relpath)]) from None
    _check_catalogue(doc, relpath, schema)
    return from_data(doc.data, path), doc.data


def _check_catalogue(doc: yamlio.Document, relpath: str, schema: Path) -> None:
    from dangwu.check import validate  # as above

    problems = validate.schema_problems(
        doc, relpath, validate.validator_at(schema, "catalogue.schema.yaml")
    )
    if not problems:
        found = [
            (
                where,
                _("'{name}' names two things in the catalogue").format(name=name),
                _("slugs and codes must be unique"),
            )
            for name, where in check_unique(doc.data)
        ]
        found += [
            (
                where,
                _("{channel} is a public channel, but the item is internal").format(
                    channel=channel
                ),
                _("an internal item may use only {channels}").format(
                    channels=", ".join(INTERNAL_CHANNELS)
                ),
            )
            for channel, where in check_channels(doc.data)
        ]
        for where, message, hint in found:
            line, col = doc.locate(where)
            problems.append(Problem(relpath, line, col, message, hint))
    if problems:
        raise InvalidFiles(problems)
