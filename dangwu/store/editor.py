"""Running the person's own editor on a private copy of a record."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from pathlib import Path

from dangwu.errors import DangwuError, UsageError
from dangwu.i18n import _
from dangwu.store.office import Office


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


def kept_path(office: Office, record_id: str) -> Path:
    return office.state_dir / "edit" / f"{record_id}.yaml"


def forget(office: Office, record_id: str) -> None:
    kept_path(office, record_id).unlink(missing_ok=True)


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
            _("cannot start the editor {cmd}: {error}").format(cmd=command[0], error=exc.strerror),
            hint=_hint(),
        ) from None
    if result.returncode != 0:
        raise DangwuError(
            _("the editor exited with status {code}; nothing was saved").format(
                code=result.returncode
            )
        )


def start(office: Office, record_id: str, raw: bytes) -> tuple[Path, bool]:
    """The private copy to edit, and whether it holds an earlier unsaved edit."""
    path = kept_path(office, record_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.read_bytes() != raw:
        return path, True
    path.write_bytes(raw)
    return path, False
