"""Shell completion values (``dangwu --install-completion``): record ids, roster
keys, report numbers and categories of the office the shell is in. Completion must
never fail loudly, so every lookup gives nothing rather than an error."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

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


def record_ids(incomplete: str) -> Candidates:
    def lookup() -> Candidates:
        from dangwu.store.records import record_files

        office = _office()
        ids = sorted(p.rsplit("/", 1)[-1][:-5] for p in record_files(office.root))
        return [(i, "") for i in ids if i.startswith(incomplete.upper())]

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


def categories(incomplete: str) -> Candidates:
    def lookup() -> Candidates:
        return [
            (c.slug, c.zh)
            for c in _office().catalogue
            if c.slug.startswith(incomplete) or c.code.startswith(incomplete.upper())
        ]

    return _quietly(lookup)
