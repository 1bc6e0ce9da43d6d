"""dangwu: run a party organisation's disclosure programme (党务公开) over git."""

from __future__ import annotations

__version__ = "0.1.0"
