"""The answers of the site's verify page: every public sheet and bulletin the office
could have printed in the last days, by its code [SPEC 12].

A printed code names the commit it was printed from and the day it was printed
for, and its check letters hash what the sheet showed. A sheet can only have
been printed from a commit that was the office's last on that day; so the site
walks the first-parent line over its verify window, and for each such (commit,
day) lays out the public board and the quarter's bulletins as ``board`` and
``bulletin`` would have. The board is laid out again only when a day begins or
a commit changed a record that can be public; otherwise the same sheets are
stamped with the next commit. What was worked out is kept (``site-codes-v2.json``
in the office's state folder), and the line read (``site-line-v1.json``): the past
does not change, and the next build asks git only for the commits since.

The answers say what each sheet showed and whether today's board (or bulletin)
still shows the same, without the repository and without a server.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from dangwu import __version__
from dangwu.clock import office_zone
from dangwu.model.office import Rules
from dangwu.model.record import Summary, is_record_path
from dangwu.render import sheets as render
from dangwu.rules import board as board_rules
from dangwu.rules import site as site_rules
from dangwu.rules.schedule import Quarter
from dangwu.store import snapshot as snapshots
from dangwu.store.cache import read_json, write_json
from dangwu.store.history import Receipts
from dangwu.store.snapshot import CATALOGUE_FILE, Snapshot

VERIFY_DAYS = 92  # the site answers the codes of sheets printed this many days back
CACHE = "site-codes-v2.json"
LINE_CACHE = "site-line-v1.json"  # the window's first-parent line, read last time
HASHED = 16  # hex digits of what a page showed, enough to tell two apart
WATCHED = ("records/", "reports/", "dangwu.yaml", CATALOGUE_FILE)
CODES = "verify/codes/"  # a file a day: YYMMDD.json
CURRENT = "verify/current.json"  # what is up today


def window(today: date, days: int = VERIFY_DAYS) -> tuple[date, date]:
    """The first and last days whose sheets the site answers for, built on ``today``."""
    return today - timedelta(days=days - 1), today


_NOT_ALNUM = re.compile(r"[\W_]+")  # \w is str.isalnum() and "_"


def key_of(code: str) -> str:
    """A code as the verify page looks it up: letters and digits only, upper case."""
    return _NOT_ALNUM.sub("", code.upper())


@dataclass
class Printed:
    """What one printable page showed: a board sheet or a bulletin."""

    kind: str  # board or bulletin
    code: str
    label: str  # the category's code (ZZ) or the quarter (2026Q3)
    page: int
    pages: int
    content: str  # what it showed, hashed
    records: list[tuple[str, str]] = field(default_factory=list)  # id, title

    @property
    def key(self) -> str:
        """What the page is, whatever commit and day it was printed from."""
        return f"{self.kind}|{self.label}|{self.page}|{self.content[:HASHED]}"

    def row(self) -> list[Any]:
        return [
            self.kind,
            "",
            self.label,
            self.page,
            self.pages,
            self.content,
            [list(r) for r in self.records],
        ]

    @classmethod
    def from_row(cls, row: list[Any]) -> Printed:
        kind, code, label, page, pages, content, records = row
        return cls(kind, code, label, page, pages, content, [(r[0], r[1]) for r in records])


@dataclass
class Answers:
    first: date
    last: date
    by_day: dict[date, list[tuple[str, Printed]]]  # day -> (commit, what it printed)
    current: dict[tuple[str, str, int], str]  # (kind, label, page) -> what it shows today


def answers(
    head: Snapshot, today: date, days: int = VERIFY_DAYS, *, since: date | None = None
) -> Answers:
    """Every public sheet and bulletin printable from ``head``'s line from ``days``
    days before ``today`` up to today (of the days from ``since`` on: a site keeps
    the files of the days before), and what today's show."""
    git, office = head.git, head.office
    zone = office_zone(head.settings.timezone)
    first, _last = window(today, days)
    dawn = datetime.combine(first, datetime.min.time(), zone)
    before = git.last_before(head.commit, dawn.isoformat())
    line = git.line_changes(before, head.commit, WATCHED, remember=LINE_CACHE)
    if before:
        line.insert(0, (before, git.commit_times([before])[before], {}))

    commits = [c for c, _t, _changed in line]
    receipts = Receipts(git).many(commits)  # where the server noted them
    became = site_rules.days_made(
        [datetime.fromtimestamp(t, zone).date() for _c, t, _changed in line],
        [receipts[c].astimezone(zone).date() if c in receipts else None for c in commits],
    )
    pairs = site_rules.heads_by_day(list(zip(commits, became, strict=True)), first, today)
    # kept: what each (commit, day) could print, as the keys of layouts kept once each
    # (a code is worked out again from the commit, the day and the layout)
    stored = read_json(office.state_dir / CACHE)
    pages: dict[str, list[str]] = {}
    layouts: dict[str, list[Any]] = {}
    if isinstance(stored, dict) and stored.get("version") == __version__:
        pages = stored.get("pages") or {}
        layouts = stored.get("layouts") or {}
        if not all(isinstance(k, str) for keys in pages.values() for k in keys):
            pages, layouts = {}, {}  # not this shape: worked out again
    wanted = {f"{c}|{d.isoformat()}" for c, d in pairs}
    missing = wanted - set(pages)
    if missing:
        walked = _walk(head, line, pairs, missing)
        for key, printed in walked.items():
            pages[key] = [p.key for p in printed]
            layouts.update((p.key, p.row()) for p in printed)
        pages = {k: v for k, v in pages.items() if k in wanted}
        used = {key for keys in pages.values() for key in keys}
        layouts = {k: v for k, v in layouts.items() if k in used}
        cache = {"version": __version__, "pages": pages, "layouts": layouts}
        write_json(office.state_dir / CACHE, cache)
    made = {key: Printed.from_row(row) for key, row in layouts.items()}
    # what is up today: the head's pages of today, as laid out above (else anew)
    current = None
    shown_today = pages.get(f"{head.commit}|{today.isoformat()}")
    if shown_today is not None and all(key in made for key in shown_today):
        current = {
            (made[k].kind, made[k].label, made[k].page): made[k].content for k in shown_today
        }
    by_day: dict[date, list[tuple[str, Printed]]] = {}
    for commit, day in pairs:
        if since is not None and day < since:
            continue
        keys = pages.get(f"{commit}|{day.isoformat()}", [])
        by_day.setdefault(day, []).extend(
            (commit, _stamped(made[key], commit, day)) for key in keys if key in made
        )
    return Answers(first, today, by_day, current if current is not None else _today(head, today))


def _today(head: Snapshot, today: date) -> dict[tuple[str, str, int], str]:
    shown: dict[tuple[str, str, int], str] = {}
    built = render.build_board(head, scope="public", on=today, stamp=False)
    for sheet in built.sheets:
        shown[("board", sheet.code, sheet.page)] = sheet.content_key()
    for quarter in (Quarter.of(today), Quarter.of(today).previous):
        shown[("bulletin", str(quarter), 0)] = _bulletin(head, quarter).content_key()
    return shown


def _bulletin(
    snap: Snapshot, quarter: Quarter, summaries: Iterable[Summary] | None = None
) -> board_rules.Bulletin:
    made = board_rules.bulletin(
        snap.summaries() if summaries is None else summaries,
        period=quarter,
        scope="public",
        rules=snap.settings.rules,
        catalogue=snap.catalogue,
    )
    made.adoptions = render.adoptions_of(snap, made)  # as printed, so as coded
    return made


def _walk(
    head: Snapshot,
    line: list[tuple[str, int, dict[str, str | None]]],
    pairs: list[tuple[str, date]],
    missing: set[str],
) -> dict[str, list[Printed]]:
    """Lay out what each (commit, day) of ``missing`` printed, walking ``line``.

    A long history holds many records no sheet of the window can show: the walk
    keeps, as records change, only those the board could show from the window's
    first day on, and the public records by the quarters of their steps, so that
    laying out a board or a bulletin reads tens of records, not thousands."""
    git, office = head.git, head.office
    days_of: dict[str, list[date]] = {}
    for commit, day in pairs:
        days_of.setdefault(commit, []).append(day)
    first = min(day for _commit, day in pairs)
    base: Snapshot | None = None
    blobs: dict[str, str] = {}
    summaries: dict[str, Summary] = {}
    # of those, what the board could show in the window: an item's standing records
    # by item (only the newest few of each can be up), the others as they are
    items: dict[board_rules.Slot, dict[str, Summary]] = {}
    others: dict[str, Summary] = {}
    corrected: Counter[str] = Counter()  # ids some record follows
    up: dict[board_rules.Slot, list[Summary]] = {}  # an item's records that may be up
    by_quarter: dict[Quarter, dict[str, Summary]] = {}  # public ones, by their steps
    board: tuple[date, list[Printed]] | None = None  # the last board laid out, by day
    bulletins: dict[Quarter, Printed] = {}  # a bulletin, until one of its records changes
    texts: dict[str, dict[str, Any]] = {}  # record texts read, by blob
    out: dict[str, list[Printed]] = {}
    slot_of_id: dict[str, board_rules.Slot] = {}

    def posted(summary: Summary | None, rules: Rules) -> bool:
        return summary is not None and board_rules.may_be_posted(
            summary, scope="public", since=first, rules=rules
        )

    def touch(summary: Summary) -> None:
        """Forget what is up of the items ``summary`` holds or corrects."""
        for slot in (board_rules.slot_of(summary), slot_of_id.get(summary.follows or "")):
            if slot is not None:
                up.pop(slot, None)

    def forget(path: str, rules: Rules) -> Summary | None:
        gone = summaries.pop(path, None)
        if gone is None:
            return None
        others.pop(path, None)
        slot = board_rules.slot_of(gone)
        if slot is not None:
            items.get(slot, {}).pop(path, None)
        if gone.follows:
            corrected[gone.follows] -= 1
        touch(gone)
        for quarter in _quarters(gone):
            by_quarter[quarter].pop(path, None)
        return gone

    def keep(path: str, summary: Summary, rules: Rules) -> None:
        summaries[path] = summary
        if posted(summary, rules):
            slot = board_rules.slot_of(summary)
            if slot is None:
                others[path] = summary
            else:
                items.setdefault(slot, {})[path] = summary
                slot_of_id[summary.id] = slot
        if summary.follows:
            corrected[summary.follows] += 1
        touch(summary)
        for quarter in _quarters(summary):
            by_quarter.setdefault(quarter, {})[path] = summary

    def on_board() -> dict[str, Summary]:
        """What the board of a day in the window may show, of the records as they are."""
        shown = dict(others)
        held = {i for i, n in corrected.items() if n > 0}
        for slot, members in items.items():
            if slot not in up:
                kept = board_rules.still_up(
                    members.values(), scope="public", since=first, corrected=held
                )
                up[slot] = kept
            shown.update((s.path, s) for s in up[slot])
        return shown

    # what was kept covers the line up to some commit: start at the first that is not
    start = next(
        index
        for index, (commit, _t, _c) in enumerate(line)
        if any(f"{commit}|{d.isoformat()}" in missing for d in days_of.get(commit, []))
    )
    # the records the walk reads as they change: only from where it starts
    blobs_needed = {
        b
        for _c, _t, changed in line[start + 1 :]
        for p, b in changed.items()
        if b and is_record_path(p)
    }
    entries = snapshots.summary_entries(office, git, blobs_needed) if blobs_needed else {}
    for index, (commit, _seconds, changed) in enumerate(line):
        if index < start:
            continue
        settings_changed = (
            base is None or index == start or any(not is_record_path(p) for p in changed)
        )
        if settings_changed:
            # the head, when the walk starts there, is the snapshot already read
            base = head if commit == head.commit else snapshots.at(office, git, commit)
            base.sensitive()  # reports change only with a new base: read them once
            blobs = dict(base.blobs)
            for kept in (summaries, items, others, corrected, up, by_quarter, slot_of_id):
                kept.clear()
            for summary in base.summaries():
                keep(summary.path, summary, base.settings.rules)
            board = None
            bulletins.clear()
        else:
            assert base is not None
            rules = base.settings.rules
            for path, blob in changed.items():
                before = forget(path, rules)
                if blob is None:
                    blobs.pop(path, None)
                else:
                    blobs[path] = blob
                    entry = entries.get(blob)
                    if entry is not None:
                        keep(path, _placed(entry, path), rules)
                after = summaries.get(path)
                if posted(before, rules) or posted(after, rules):
                    board = None
                for quarter in _quarters(before) | _quarters(after):
                    bulletins.pop(quarter, None)
        wanted_days = [d for d in days_of.get(commit, []) if f"{commit}|{d}" in missing]
        if not wanted_days or base is None:
            continue
        for day in wanted_days:
            if board is None or board[0] != day:
                snap = snapshots.moved(base, commit, dict(blobs), on_board(), texts)
                board = (day, _board(snap, day))
            pages = list(board[1])
            for quarter in (Quarter.of(day), Quarter.of(day).previous):
                if quarter not in bulletins:
                    bulletins[quarter] = _bulletin_page(base, quarter, by_quarter.get(quarter, {}))
                pages.append(bulletins[quarter])
            out[f"{commit}|{day.isoformat()}"] = pages
    return out


def _quarters(summary: Summary | None) -> set[Quarter]:
    """The quarters whose public bulletin lists ``summary``: those of its steps."""
    if summary is None or not board_rules.allowed(summary, "public"):
        return set()
    days = (summary.published_on, summary.consulted_on, summary.withdrawn_on)
    return {Quarter.of(day) for day in days if day is not None}


def _placed(entry: Summary, path: str) -> Summary:
    return replace(entry, path=path)


def _board(snap: Snapshot, day: date) -> list[Printed]:
    """The public board's sheets as printed on ``day``."""
    built = render.build_board(snap, scope="public", on=day, stamp=False)
    pages: list[Printed] = []
    for sheet in built.sheets:
        records = []
        for entry in sheet.entries:
            data = built.texts.get(entry.summary.path, {})
            records.append((entry.summary.id, str(data.get("title", entry.summary.title))))
        pages.append(
            Printed(
                "board",
                "",
                sheet.code,
                sheet.page,
                sheet.pages,
                sheet.content_key(),
                records,
            )
        )
    return pages


def _bulletin_page(snap: Snapshot, quarter: Quarter, listed: Mapping[str, Summary]) -> Printed:
    """A quarter's public bulletin, of the records ``listed`` under the quarter."""
    bulletin = _bulletin(snap, quarter, listed.values())
    # a bulletin lists a quarter's every record: the page says how many, not which
    count = len(bulletin.published)
    return Printed("bulletin", "", str(quarter), 0, count, bulletin.content_key())


def _stamped(page: Printed, commit: str, day: date) -> Printed:
    """``page`` with the code it carries when printed from ``commit`` on ``day``
    (made directly, not by dataclasses.replace: a site stamps some 70,000)."""
    if page.kind == "board":
        code = board_rules.Code(commit[:8], "public", page.label, page.page, day)
        text = code.text(page.content, commit)
    else:
        period = Quarter.parse(page.label)
        text = board_rules.bulletin_code(period, "public", page.content, commit, day)
    return Printed(page.kind, text, page.label, page.page, page.pages, page.content, page.records)


def day_files(
    found: Answers,
    on_site: Mapping[str, str],
    labels: Mapping[str, str],
    blot: Callable[[str], str],
) -> dict[str, bytes]:
    """The verify page's data: one small file per day (``verify/codes/YYMMDD.json``),
    so a phone reads only the day its code names. ``on_site``: record id -> its page;
    ``labels``: a category's code -> its name; ``blot``: what a title is made before
    it goes out. A sheet printed before a report came in showed its reporter's name
    as any other words; the site, built now, never does [SPEC 11]."""
    files: dict[str, bytes] = {}
    for day, printed in sorted(found.by_day.items()):
        states: list[dict[str, Any]] = []
        index: dict[str, int] = {}
        codes: dict[str, list[Any]] = {}
        for commit, page in printed:
            seen = page.key
            if seen not in index:
                index[seen] = len(states)
                states.append(
                    {
                        "kind": page.kind,
                        "slot": _slot(page.kind, page.label, page.page),
                        "label": labels.get(page.label, page.label),
                        "page": page.page,
                        "pages": page.pages,
                        "content": page.content[:HASHED],
                        "records": [[i, blot(t), on_site.get(i, "")] for i, t in page.records],
                    }
                )
            codes[key_of(page.code)] = [index[seen], commit[:10]]
        body = {"day": day.isoformat(), "states": states, "codes": codes}
        files[f"{CODES}{day.strftime('%y%m%d')}.json"] = _json(body)
    # what is up today, apart from the days: a day's file stays as it was written
    current = {_slot(*slot): content[:HASHED] for slot, content in found.current.items()}
    files[CURRENT] = _json({"built": found.last.isoformat(), "shown": current})
    return files


def _slot(kind: str, label: str, page: int) -> str:
    return f"{kind}|{label}|{page}"


def _json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
