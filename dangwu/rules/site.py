"""What the office's web site shows [SPEC 12]: which records, in what state.

Pure: record summaries and a day in, the site's contents out. A site is the web
channel of one scope: the public web site (``website``) shows only public records
published there, the intranet (``intranet``) the records published there. A record
withdrawn after it was on the site keeps a page that says when and why (a
tombstone), so an old link still answers; a record replaced by a newer one keeps
its page, pointing to the newer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from dangwu.model.record import Summary
from dangwu.rules.board import REVISING, allowed
from dangwu.rules.schedule import Quarter

WEB_CHANNEL = {"public": "website", "internal": "intranet"}
PORTAL_CHANNEL = "city-portal"
LATEST = 20  # records on the home page


@dataclass(frozen=True)
class Shown:
    """One record as the site shows it."""

    summary: Summary
    state: str  # published, consulting (its preliminary plan is out) or withdrawn
    followed_by: tuple[str, ...] = ()  # ids of the published records that follow it

    @property
    def id(self) -> str:
        return self.summary.id

    @property
    def day(self) -> date | None:
        """The day it came out on the site (the preliminary plan's, while consulting)."""
        s = self.summary
        return s.consulted_on if self.state == "consulting" else s.published_on or s.consulted_on

    @property
    def open_until(self) -> date | None:
        return self.summary.closes_on if self.state == "consulting" else None


@dataclass
class Site:
    scope: str
    on: date
    shown: dict[str, Shown] = field(default_factory=dict)  # by record id
    audience: str | None = None  # the audience whose intranet it is, if one
    later: list[str] = field(default_factory=list)  # ids out on a day after ``on``

    def by_category(self) -> dict[str, list[Shown]]:
        """Each category's records, newest first."""
        columns: dict[str, list[Shown]] = {}
        for item in self.newest_first():
            columns.setdefault(item.summary.category, []).append(item)
        return columns

    def newest_first(self) -> list[Shown]:
        return sorted(self.shown.values(), key=_newest_key)

    def latest(self, count: int = LATEST) -> list[Shown]:
        return [s for s in self.newest_first() if s.state == "published"][:count]

    def consulting(self) -> list[Shown]:
        """Consultations still open on the site's day, closing soonest first."""
        open_ = [
            s
            for s in self.shown.values()
            if s.state == "consulting" and s.open_until is not None and s.open_until >= self.on
        ]
        return sorted(open_, key=lambda s: (s.open_until or self.on, s.id))


def _newest_key(item: Shown) -> tuple[int, str]:
    day = item.day
    return (-(day.toordinal() if day else 0), item.id)


def on_channel(summary: Summary, channel: str) -> tuple[str | None, bool]:
    """(state, listed): how ``summary`` stands on a web ``channel``, None when it was
    never there."""
    s = summary
    if s.status == "published" and channel in (s.published_channels or s.channels):
        return "published", True
    if s.status == "withdrawn" and s.published and channel in (s.published_channels or ()):
        return "withdrawn", True
    if s.consulted and channel in (s.consulted_channels or ()):
        if s.status in REVISING:
            return "consulting", True
        if s.status == "withdrawn":
            return "withdrawn", True
    return None, False


def select(
    summaries: Iterable[Summary],
    *,
    scope: str,
    on: date,
    channel: str = "",
    audience: str | None = None,
) -> Site:
    """The site of ``scope`` (of one ``audience``) as it stands on ``on``: every record
    that ever came out on its web channel up to that day, in the state it is in now."""
    channel = channel or WEB_CHANNEL[scope]
    every = [s for s in summaries if allowed(s, scope, audience)]
    site = Site(scope, on, audience=audience)
    follows: dict[str, list[str]] = {}
    for s in every:
        state, _listed = on_channel(s, channel)
        if state is None:
            continue
        shown = Shown(s, state)
        day = shown.day
        if day is None:
            continue
        if day > on:
            site.later.append(s.id)  # dated after the day built for: not out yet
            continue
        site.shown[s.id] = shown
        if state == "published" and s.follows:
            follows.setdefault(s.follows, []).append(s.id)
    for older, newer in follows.items():
        held = site.shown.get(older)
        if held is not None:
            site.shown[older] = Shown(held.summary, held.state, tuple(sorted(newer)))
    return site


def by_quarter(site: Site) -> dict[Quarter, list[Shown]]:
    """What came out on the site in each quarter, newest quarter and record first."""
    found: dict[Quarter, list[Shown]] = {}
    for item in site.newest_first():
        day = item.summary.published_on
        if item.state != "consulting" and day is not None:
            found.setdefault(Quarter.of(day), []).append(item)
    return dict(sorted(found.items(), reverse=True))


def fingerprint_of(item: Shown, related: Mapping[str, Shown]) -> str:
    """What a record's page depends on besides its text and the site's settings: its
    state and the records it points to."""
    s = item.summary
    links = [s.follows or "", *item.followed_by]
    titles = [
        f"{related[i].summary.title}@{related[i].summary.published}" if i in related else ""
        for i in links
    ]
    parts = [item.state, s.blob, s.status, s.published or "", s.withdrawn or ""]
    return "|".join(parts + links + titles)


def days_made(claimed: Sequence[date], received: Sequence[date | None]) -> list[date]:
    """The day each commit of a first-parent line (oldest first) became the office's:
    the later of the day it claims and the day the server received it, and never
    before the commit it follows [SPEC 11]. A commit dated back by the clerk's clock
    and pushed late could otherwise be answered for as printed on a day the office
    did not have it."""
    days: list[date] = []
    for own, got in zip(claimed, received, strict=True):
        day = max(own, got) if got is not None else own
        days.append(max(day, days[-1]) if days else day)
    return days


def heads_by_day(
    line: Sequence[tuple[str, date]], first: date, last: date
) -> list[tuple[str, date]]:
    """Which commit could have been printed from on which day: a commit was the
    office's last from the day it was made until the day the next one was (both
    days included), and a sheet printed on a day names that day. ``line`` is the
    first-parent line, oldest first, each commit with its day; the answer keeps to
    the days from ``first`` to ``last``."""
    pairs = []
    for index, (commit, made) in enumerate(line):
        until = line[index + 1][1] if index + 1 < len(line) else last
        day = max(made, first)
        while day <= min(until, last):
            pairs.append((commit, day))
            day += timedelta(days=1)
    return pairs


def shows_publicly(summary: Summary | None) -> bool:
    """Whether a record could be on a public sheet or in a public bulletin at all: a
    change to any other record leaves them as they were."""
    return (
        summary is not None
        and summary.scope == "public"
        and bool(summary.published or summary.consulted or summary.withdrawn)
    )
