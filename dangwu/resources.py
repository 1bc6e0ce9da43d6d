"""Where the shipped defaults live: schemas, templates and the sample office.

In a checkout (or an editable install) they are the top-level folders of the
project; a wheel carries copies under ``dangwu/_shipped``.
"""

from __future__ import annotations

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
