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
in the office's state folder): the past does not change.

The answers say what each sheet showed and whether today's board (or bulletin)
still shows the same, without the repository and without a server.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from dangwu import __version__
from dangwu.clock import office_zone
from dangwu.model.record import Summary
from dangwu.render import sheets as render
from dangwu.rules import board as board_rules
from dangwu.rules import site as site_rules
from dangwu.rules.schedule import Quarter
from dangwu.store import snapshot as snapshots
from dangwu.store.cache import read_json, write_json
from dangwu.store.snapshot import CATALOGUE_FILE, Snapshot

VERIFY_DAYS = 92  # the site answers the codes of sheets printed this many days back
CACHE = "site-codes-v2.json"
HASHED = 16  # hex digits of what a page showed, enough to tell two apart
WATCHED = ("records/", "reports/", "dangwu.yaml", CATALOGUE_FILE)


def key_of(code: str) -> str:
    """A code as the verify page looks it up: letters and digits only, upper case."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


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
    first = today - timedelta(days=days - 1)
    dawn = datetime.combine(first, datetime.min.time(), zone)
    before = git.last_before(head.commit, dawn.isoformat())
    line = git.line_changes(before, head.commit, WATCHED)
    if before:
        line.insert(0, (before, git.commit_times([before])[before], {}))

    def day_of(seconds: int) -> date:
        return datetime.fromtimestamp(seconds, zone).date()

    pairs = site_rules.heads_by_day([(c, day_of(t)) for c, t, _ in line], first, today)
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
    by_day: dict[date, list[tuple[str, Printed]]] = {}
    for commit, day in pairs:
        if since is not None and day < since:
            continue
        keys = pages.get(f"{commit}|{day.isoformat()}", [])
        by_day.setdefault(day, []).extend(
            (commit, _stamped(made[key], commit, day)) for key in keys if key in made
        )
    return Answers(first, today, by_day, _today(head, today))


def _today(head: Snapshot, today: date) -> dict[tuple[str, str, int], str]:
    shown: dict[tuple[str, str, int], str] = {}
    built = render.build_board(head, scope="public", on=today)
    for sheet in built.sheets:
        shown[("board", sheet.code, sheet.page)] = sheet.content_key()
    for quarter in (Quarter.of(today), Quarter.of(today).previous):
        shown[("bulletin", str(quarter), 0)] = _bulletin(head, quarter).content_key()
    return shown


def _bulletin(snap: Snapshot, quarter: Quarter) -> board_rules.Bulletin:
    return board_rules.bulletin(
        snap.summaries(),
        period=quarter,
        scope="public",
        rules=snap.settings.rules,
        catalogue=snap.catalogue,
    )


def _walk(
    head: Snapshot,
    line: list[tuple[str, int, dict[str, str | None]]],
    pairs: list[tuple[str, date]],
    missing: set[str],
) -> dict[str, list[Printed]]:
    """Lay out what each (commit, day) of ``missing`` printed, walking ``line``."""
    git, office = head.git, head.office
    days_of: dict[str, list[date]] = {}
    for commit, day in pairs:
        days_of.setdefault(commit, []).append(day)
    base: Snapshot | None = None
    blobs: dict[str, str] = {}
    summaries: dict[str, Summary] = {}
    laid: tuple[date, list[Printed]] | None = None  # the last layout, by day
    # a quarter's bulletin, until a public record changes (it does not change by day)
    bulletins: dict[Quarter, Printed] = {}
    texts: dict[str, dict[str, Any]] = {}  # record texts read, by blob
    out: dict[str, list[Printed]] = {}
    # what was kept covers the line up to some commit: start at the first that is not
    start = next(
        index
        for index, (commit, _t, _c) in enumerate(line)
        if any(f"{commit}|{d.isoformat()}" in missing for d in days_of.get(commit, []))
    )
    # the records the walk reads as they change: only from where it starts
    blobs_needed = {
        b for _c, _t, changed in line[start + 1 :] for p, b in changed.items() if b and _record(p)
    }
    entries = snapshots.summary_entries(git, blobs_needed) if blobs_needed else {}
    for index, (commit, _seconds, changed) in enumerate(line):
        if index < start:
            continue
        settings_changed = base is None or index == start or any(not _record(p) for p in changed)
        if settings_changed:
            # the head, when the walk starts there, is the snapshot already read
            base = head if commit == head.commit else snapshots.at(office, git, commit)
            blobs = dict(base.blobs)
            summaries = {s.path: s for s in base.summaries()}
            laid = None
            bulletins.clear()
        else:
            for path, blob in changed.items():
                before = summaries.get(path)
                if blob is None:
                    blobs.pop(path, None)
                    summaries.pop(path, None)
                else:
                    blobs[path] = blob
                    entry = entries.get(blob)
                    if entry is None:
                        summaries.pop(path, None)
                    else:
                        summaries[path] = _placed(entry, path)
                if site_rules.shows_publicly(before) or site_rules.shows_publicly(
                    summaries.get(path)
                ):
                    laid = None
                    bulletins.clear()
        wanted_days = [d for d in days_of.get(commit, []) if f"{commit}|{d}" in missing]
        if not wanted_days or base is None:
            continue
        for day in wanted_days:
            if laid is None or laid[0] != day:
                # a public sheet or bulletin reads public records and what replaces
                # them (a published record of any scope): the rest are left out
                seen = {p: x for p, x in summaries.items() if _may_show(x)}
                snap = snapshots.moved(base, commit, dict(blobs), seen, texts)
                laid = (day, _lay_out(snap, day, bulletins))
            out[f"{commit}|{day.isoformat()}"] = laid[1]
    return out


def _may_show(summary: Summary) -> bool:
    return summary.status == "published" or site_rules.shows_publicly(summary)


def _record(path: str) -> bool:
    return path.startswith("records/") and path.endswith(".yaml")


def _placed(entry: Summary, path: str) -> Summary:
    return replace(entry, path=path)


def _lay_out(snap: Snapshot, day: date, bulletins: dict[Quarter, Printed]) -> list[Printed]:
    """The public board's sheets and the two bulletins, as printed on ``day``."""
    built = render.build_board(snap, scope="public", on=day)
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
    for quarter in (Quarter.of(day), Quarter.of(day).previous):
        if quarter not in bulletins:
            bulletin = _bulletin(snap, quarter)
            # a bulletin lists a quarter's every record: the page says how many, not which
            count = len(bulletin.published)
            key = bulletin.content_key()
            bulletins[quarter] = Printed("bulletin", "", str(quarter), 0, count, key)
        pages.append(bulletins[quarter])
    return pages


def _stamped(page: Printed, commit: str, day: date) -> Printed:
    """``page`` with the code it carries when printed from ``commit`` on ``day``."""
    if page.kind == "board":
        code = board_rules.Code(commit[:8], "public", page.label, page.page, day)
        return replace(page, code=code.text(page.content, commit))
    period = Quarter.parse(page.label)
    return replace(
        page, code=board_rules.bulletin_code(period, "public", page.content, commit, day)
    )


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
        files[f"verify/codes/{day.strftime('%y%m%d')}.json"] = _json(body)
    # what is up today, apart from the days: a day's file stays as it was written
    current = {_slot(*slot): content[:HASHED] for slot, content in found.current.items()}
    files["verify/current.json"] = _json({"built": found.last.isoformat(), "shown": current})
    return files


def _slot(kind: str, label: str, page: int) -> str:
    return f"{kind}|{label}|{page}"


def _json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
