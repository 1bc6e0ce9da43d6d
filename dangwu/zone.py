"""The office's time zone, by the name its settings give (China Standard Time unless
they say otherwise): the days every rule counts are the office's days."""

from __future__ import annotations

from datetime import timedelta, timezone, tzinfo

CHINA = timezone(timedelta(hours=8), "CST")


def office_zone(name: str | None) -> tzinfo:
    """The office's time zone; China Standard Time unless the office says otherwise."""
    if not name or name in ("Asia/Shanghai", "Asia/Chongqing", "PRC"):
        return CHINA
    try:
        # the time-zone database only for an office outside China's zone
        from zoneinfo import ZoneInfo

        return ZoneInfo(name)
    except (ImportError, ValueError, OSError):
        return CHINA
