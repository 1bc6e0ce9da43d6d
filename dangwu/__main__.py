"""Allow ``python -m dangwu``."""

from __future__ import annotations

from dangwu.entry import main

main()
