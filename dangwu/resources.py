"""Where the shipped defaults live: schemas, templates and the sample office.

In a checkout (or an editable install) they are the top-level folders of the
project; a wheel carries copies under ``dangwu/_shipped``.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path


@cache
def shipped_dir() -> Path:
    here = Path(__file__).resolve().parent
    packaged = here / "_shipped"
    if packaged.is_dir():
        return packaged
    return here.parent


def shipped(*parts: str) -> Path:
    return shipped_dir().joinpath(*parts)


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
