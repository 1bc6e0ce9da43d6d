"""Shell completion values (``dangwu --install-completion``): record ids, roster
keys, report numbers and categories of the office the shell is in. Completion must
never fail loudly, so every lookup gives nothing rather than an error."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from dangwu.store.office import Office

Candidates = list[tuple[str, str]]


def _office() -> Office:
    from dangwu.store.office import find_office

    repo = os.environ.get("DANGWU_REPO")
    return find_office(Path(repo) if repo else None)


def _quietly(lookup: Callable[[], Candidates]) -> Candidates:
    try:
        return lookup()
    except Exception:  # a completion must never break the shell
        return []


def record_ids(ctx: typer.Context, incomplete: str) -> Candidates:
    """The records the command can take, with their titles: a step offers those in
    the states it starts from, edit and set the records still editable."""

    def lookup() -> Candidates:
        from dangwu.app.listing import select
        from dangwu.rules.workflow import EDITABLE, FROM

        wanted = FROM.get(ctx.info_name or "")
        if ctx.info_name in ("edit", "set"):
            wanted = tuple(EDITABLE)
        rows = select(_office()).rows
        return [
            (r.summary.id, r.summary.title)
            for r in rows
            if r.summary.id.startswith(incomplete.upper())
            and (wanted is None or r.summary.status in wanted)
        ]

    return _quietly(lookup)


def roster_keys(incomplete: str) -> Candidates:
    def lookup() -> Candidates:
        roster = _office().settings.roster
        return [(k, p.name) for k, p in roster.items() if k.startswith(incomplete)]

    return _quietly(lookup)


def report_numbers(incomplete: str) -> Candidates:
    def lookup() -> Candidates:
        folder = _office().root / "reports"
        numbers = sorted(int(p.stem) for p in folder.glob("*.yaml") if p.stem.isdigit())
        return [(str(n), "") for n in numbers if str(n).startswith(incomplete)]

    return _quietly(lookup)


def request_numbers(incomplete: str) -> Candidates:
    def lookup() -> Candidates:
        folder = _office().root / "requests"
        numbers = sorted(int(p.stem) for p in folder.glob("*.yaml") if p.stem.isdigit())
        return [(str(n), "") for n in numbers if str(n).startswith(incomplete)]

    return _quietly(lookup)


def categories(incomplete: str) -> Candidates:
    def lookup() -> Candidates:
        return [
            (c.slug, c.zh)
            for c in _office().catalogue
            if c.slug.startswith(incomplete) or c.code.startswith(incomplete.upper())
        ]

    return _quietly(lookup)
