"""Running the person's own editor on a private copy of a record.

An edit that could not be saved is kept for the person who made it, under
``.git/dangwu/edit/<their roster key>/``, with the record as it was when they
began; their next ``dangwu edit`` continues from it, nobody else's does, and a
record that changed meanwhile is never overwritten by the older text.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from dangwu.errors import DangwuError, UsageError
from dangwu.i18n import _, os_reason
from dangwu.store.office import Office


@dataclass(frozen=True)
class Draft:
    """The private copy one person edits."""

    path: Path
    resumed: bool  # it holds this person's earlier unsaved edit
    earlier: Path | None = None  # an unsaved edit of an older version, set aside


def shown(office: Office, path: Path) -> str:
    """A path as the person can type it from the office folder."""
    try:
        return path.relative_to(office.root).as_posix()
    except ValueError:
        return str(path)


def editor_command() -> list[str]:
    raw = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    try:
        command = shlex.split(raw)
    except ValueError:
        raise UsageError(
            _("cannot understand the editor command {cmd!r} (EDITOR)").format(cmd=raw)
        ) from None
    if not command:
        raise UsageError(_("EDITOR is empty"))
    return command


def kept_path(office: Office, who: str, record_id: str) -> Path:
    return office.state_dir / "edit" / who / f"{record_id}.yaml"


def _base_path(kept: Path) -> Path:
    return kept.with_suffix(".base")


def forget(office: Office, who: str, record_id: str) -> None:
    kept = kept_path(office, who, record_id)
    kept.unlink(missing_ok=True)
    _base_path(kept).unlink(missing_ok=True)


def _hint() -> str:
    """An editor this computer has, to name in the hint (or how to get one)."""
    for name in ("nano", "vim", "vi", "emacs", "editor"):
        if shutil.which(name):
            return _("set EDITOR to one this computer has, e.g. export EDITOR={name}").format(
                name=name
            )
    return _(
        "this computer has no text editor: install one (apt-get install nano), "
        "then export EDITOR=nano"
    )


def run_editor(path: Path) -> None:
    command = [*editor_command(), str(path)]
    try:
        result = subprocess.run(command, check=False)
    except OSError as exc:
        raise UsageError(
            _("cannot start the editor {cmd}: {error}").format(
                cmd=command[0], error=os_reason(exc)
            ),
            hint=_hint(),
        ) from None
    if result.returncode != 0:
        raise DangwuError(
            _("the editor exited with status {code}; nothing was saved").format(
                code=result.returncode
            )
        )


def start(office: Office, who: str, record_id: str, raw: bytes) -> Draft:
    """The copy ``who`` edits: their earlier unsaved edit of this very version of
    the record, or a fresh copy of ``raw`` (an unsaved edit of an older version is
    set aside beside it, never continued over someone else's change)."""
    path = kept_path(office, who, record_id)
    base = _base_path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    earlier = None
    if path.exists() and path.read_bytes() != raw:
        if base.exists() and base.read_bytes() == raw:
            return Draft(path, resumed=True)
        earlier = path.with_name(f"{record_id}.earlier.yaml")
        path.replace(earlier)
    path.write_bytes(raw)
    base.write_bytes(raw)
    return Draft(path, resumed=False, earlier=earlier)
