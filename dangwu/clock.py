"""The tool's clock: the system clock, or DANGWU_NOW for rehearsals and tests."""

from __future__ import annotations

import os
from datetime import date, datetime, time, tzinfo

from dangwu.errors import UsageError
from dangwu.i18n import _
from dangwu.zone import CHINA, office_zone

__all__ = ["CHINA", "now", "office_zone", "today"]


def now(zone: tzinfo = CHINA) -> datetime:
    """The current moment, timezone-aware, honouring DANGWU_NOW."""
    raw = os.environ.get("DANGWU_NOW", "").strip()
    if not raw:
        return datetime.now(zone).replace(microsecond=0)
    try:
        if len(raw) == 10:
            return datetime.combine(date.fromisoformat(raw), time(9, 0), zone)
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise UsageError(
            _("DANGWU_NOW={value!r} is not an ISO 8601 date or date-time").format(value=raw),
            hint=_("e.g. DANGWU_NOW=2026-09-30 or DANGWU_NOW=2026-09-30T15:00:00+08:00"),
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.replace(microsecond=0)  # git dates have whole seconds


def today(zone: tzinfo = CHINA) -> date:
    return now(zone).date()
