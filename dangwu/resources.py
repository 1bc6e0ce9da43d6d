"""Where the shipped defaults live (schemas, templates and the sample office), and
an office's own files that override them, used only as themselves (never through a
symbolic link).

In a checkout (or an editable install) they are the top-level folders of the
project; a wheel carries copies under ``dangwu/_shipped``.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from dangwu.errors import DangwuError
from dangwu.i18n import _


@cache
def shipped_dir() -> Path:
    here = Path(__file__).resolve().parent
    packaged = here / "_shipped"
    if packaged.is_dir():
        return packaged
    return here.parent


def shipped(*parts: str) -> Path:
    return shipped_dir().joinpath(*parts)


def own_or_shipped(office_root: Path | None, folder: str, *parts: str) -> Path:
    """A file of ``folder`` (``templates`` or ``schemas``): the office's own where it
    has one, else the shipped one. The office's own is used only as itself: a symbolic
    link, or a file in a linked folder, is refused (:func:`refuse_link`), since what it
    leads to may be any file of the machine that prints (a leader's private key on the
    public board)."""
    if office_root is not None:
        own = office_root.joinpath(folder, *parts)
        refuse_link(office_root, own)
        if own.is_file():
            return own
    return shipped(folder, *parts)


def refuse_link(office_root: Path, path: Path) -> None:
    """Refuse ``path`` (inside ``office_root``) if it, or a folder between the office and
    it, is a symbolic link."""
    here = office_root
    for part in path.relative_to(office_root).parts:
        here = here / part
        if here.is_symlink():
            said, hint = link_said()
            raise DangwuError(f"{here.relative_to(office_root).as_posix()}: {said}", hint=hint)
        if not here.exists():
            return


def link_said() -> tuple[str, str]:
    """What is said of a file of the office that is a symbolic link, and what to do."""
    return (
        _("is a symbolic link; it may lead outside the office repository"),
        _("replace the link with the file itself"),
    )


def install_command() -> str:
    """How to install dangwu again with every part it needs: from the checkout it was
    installed from (``pip install -e``), or from the package index."""
    here = Path(__file__).resolve().parent
    checkout = here.parent
    if not (here / "_shipped").is_dir() and (checkout / "pyproject.toml").is_file():
        return f"pip install -e '{checkout}'"
    return "pip install -U dangwu"


def user_cache(*parts: str) -> Path | None:
    """Where this user's dangwu keeps what it can always make again (the XDG base
    directory spec: ``$XDG_CACHE_HOME/dangwu``, else ``~/.cache/dangwu``); None where
    this account has no home to keep it in."""
    base = Path(os.environ.get("XDG_CACHE_HOME", ""))
    if not base.is_absolute():  # the spec: a relative path is to be ignored
        try:
            base = Path.home() / ".cache"
        except (KeyError, RuntimeError):
            return None
    return base.joinpath("dangwu", *parts)
