"""What every command needs: the office it works on."""

from __future__ import annotations

from typing import Any

from dangwu.office import Office, find_office


def office(ctx: Any) -> Office:
    obj = ctx.find_root().obj or {}
    found = find_office(obj.get("repo"))
    if (found.state_dir / "journal.json").exists():
        from dangwu.gitstore import recover_pending

        recover_pending(found.root, found.state_dir)
    return found
