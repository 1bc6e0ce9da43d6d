"""Allow ``python -m dangwu``."""

from __future__ import annotations

from dangwu.cli import main

main()
