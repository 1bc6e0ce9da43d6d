"""Building the office's web site into a folder, and previewing it [SPEC 12].

The site is made from the last commit, never the working tree. A build writes
only the pages whose content changed (each file replaced whole, by rename, so
a web server serving the folder never sends half a page), removes the pages
that are gone, and keeps a manifest of what it wrote in the folder. A folder
that holds files dangwu did not write is refused, never overwritten.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from dangwu import __version__, clock
from dangwu.app import sitecodes
from dangwu.errors import DangwuError
from dangwu.i18n import _, ngettext, os_reason
from dangwu.model.catalogue import SCOPE_TITLES
from dangwu.model.words import one_of, zh_date
from dangwu.render import site as render
from dangwu.render.sheets import blot
from dangwu.rules import board as board_rules
from dangwu.rules import site as site_rules
from dangwu.store import search, snapshot
from dangwu.store.files import write_whole
from dangwu.store.gitstore import GitStore
from dangwu.store.office import Office
from dangwu.store.pool import Beside, fork_map

MANIFEST = ".dangwu-site.json"
PRINTED = "printed"
FOLDERS = {"public": "site", "internal": "intranet"}


@dataclass
class Built:
    path: Path
    scope: str
    commit: str
    records: int
    pages: int
    written: int
    removed: int
    seconds: float = 0.0
    withdrawn: int = 0
    consulting: int = 0
    notes: list[str] = field(default_factory=list)
    unit: str = ""
    site_url: str = ""
    latest: list[dict[str, str]] = field(default_factory=list)  # newest first, for a portal
    bundles: list[str] = field(default_factory=list)  # the search index's parts


def default_folder(office: Office, scope: str, audience: str | None = None) -> Path:
    folder = FOLDERS[scope] + (f"-{audience}" if audience else "")
    return office.root / PRINTED / folder


def build(
    office: Office,
    *,
    scope: str = "public",
    out: Path | None = None,
    channel: str = "",
    portal: dict[str, str] | None = None,
    audience: str | None = None,
) -> Built:
    """Build the site of ``scope`` (public: the web site; internal: the intranet, of the
    office or of one ``audience``), or, given ``channel`` and ``portal``, the office's
    section of a city portal."""
    started = time.perf_counter()
    scope = one_of("--scope", scope, SCOPE_TITLES)
    folder = out if out is not None else default_folder(office, scope, audience)
    former = _manifest(folder)
    old = former.pages
    with GitStore(office.root, office.state_dir) as git:
        snap = snapshot.at(office, git)
        # the audiences as committed: a server's bare repository has no others
        audience = board_rules.audience_of(snap.settings.audiences, scope, audience)
        # the settings as committed: a server's bare repository has no others
        today = clock.today(clock.office_zone(snap.settings.timezone))
        # the site is made of the commit, the day, the templates and what was asked:
        # when none of them changed and every file is there, there is nothing to do
        asked = [scope, channel, portal, audience, __version__, render.template_key(office.root)]
        whole = _digest(json.dumps([snap.commit, today.isoformat(), *asked]).encode())
        if whole == former.whole and _all_there(folder, former):
            return Built(
                folder,
                scope,
                snap.commit,
                records=former.records,
                pages=len(old),
                written=0,
                removed=0,
                seconds=time.perf_counter() - started,
                unit=snap.settings.unit,
                site_url=snap.settings.site_url,
                bundles=former.bundles,
                latest=former.latest,
            )
        site = site_rules.select(
            snap.summaries(), scope=scope, on=today, channel=channel, audience=audience
        )
        plans = _plans_out(snap, site)
        base_url = "" if portal else snap.settings.site_url
        renderer = render.Renderer(
            snap,
            site,
            base_url=base_url,
            template_key=render.template_key(office.root),
            portal=portal,
        )
        keys: dict[str, str] = {}
        pages: dict[str, bytes] = {}
        stale = []
        for item in site.shown.values():
            path = render.record_path(item.id)
            key = renderer.record_key(item)
            keys[path] = key
            if old.get(path) != key or not (folder / path).is_file():
                stale.append(item)
        # a site of thousands of records is made on every core, each worker reading
        # (one git process) and parsing the texts of its own records, and writing its
        # pages itself: they never travel back to this process
        ids = [i.id for i in stale]
        groups = [ids[n : n + GROUP] for n in range(0, len(ids), GROUP)]
        # an internal sheet is checked with the office: only the public site answers
        answering = scope == "public" and not portal
        # a past day's file is final: only the days since the last build are made
        since = _unfinished(folder, former, today)
        _JOB.update(
            renderer=renderer, snap=snap, items={i.id: i for i in stale}, folder=folder, plans=plans
        )
        # a group at a time: the last worker to finish is at most a group behind
        making = fork_map(_record_pages, groups, parallel_from=2, chunk=1)
        made_records: list[str] = []  # the record pages (and their files) written
        finding: Beside[sitecodes.Answers] | None = None
        try:
            made_records += next(making, [])
            # the workers are forked and have all their work: the verify page's answers
            # are worked out beside them (a cold build of 10,000 records: 13.7 -> 12.8 s),
            # in a thread, so that the search index waits for the last page only, not
            # for the answers too (they ended 0.2 s after the pages there)
            if answering:
                finding = Beside(functools.partial(sitecodes.answers, snap, today, since=since))
            for made in making:
                made_records += made
        except BaseException:
            if finding is not None:  # it reads through the store this build closes
                with contextlib.suppress(BaseException):
                    finding.wait()
            raise
        finally:
            making.close()  # its workers stop, also when the answers failed
            _JOB.clear()
        for item in site.shown.values():  # attachments are kept with their record
            if item.state == "withdrawn":
                continue
            for target in render.attachment_paths(item.id, item.summary.attachments).values():
                keys[target] = keys[render.record_path(item.id)]
        # the search index reads only the record pages, all written now: it is made
        # while the lists and the verify page's files are. (A record page that is gone
        # goes first, so the index never holds it: an old list may link to it for
        # the second until the new lists are written.)
        removed = _remove(folder, {p for p in set(old) - set(keys) if p.startswith("records/")})
        written = len(made_records)
        # the search index, a part per category: its records' ids start with its code;
        # a portal's section is one part (the portal merges a part per office)
        parts = {code.lower(): f"records/{code}-*.html" for code in _codes(site)}
        if portal:
            parts = {"all": "records/*.html"} if parts else {}
        bundles = [f"{search.FOLDER}/{name}/" for name in sorted(parts)]
        touched = {_part(path) for path in [*made_records, *removed]}
        if portal and touched:
            touched = {"all"}
        _make_folder(folder)  # a site of no records has no page in it yet
        sizes = Counter(record_id.split("-", 1)[0].lower() for record_id in site.shown)
        indexing = search.start_index(folder, parts, touched, sizes)
        try:
            found = finding.wait() if finding is not None else None
            wanted = site.latest() + site.consulting()
            excerpts = {**snap.records(i.summary.path for i in wanted), **plans}
            verify = None
            if answering:
                first, last = sitecodes.window(today)
                verify = {
                    "first": first.isoformat(),
                    "last": last.isoformat(),
                    "first_zh": zh_date(first),
                }
            # the lists are made again only when something they show may have changed
            seed = [today.isoformat(), verify, bundles, sorted(keys.items())]
            listed = _digest(json.dumps(seed, ensure_ascii=False, default=str).encode())
            kept = [p for p in former.listings_pages if (folder / p).is_file()]
            if listed == former.listings and kept and len(kept) == len(former.listings_pages):
                keys.update((p, old[p]) for p in kept)
            else:

                def unchanged(path: str, key: str) -> bool:
                    same = former.inputs.get(path) == key and path in old
                    return same and (folder / path).is_file()

                listings = renderer.listings(excerpts, verify, bundles, unchanged)
                for path, content in listings.items():
                    keys[path] = _digest(content)
                pages.update({p: c for p, c in listings.items() if old.get(p) != keys[p]})
                skipped = [p for p in renderer.inputs if p not in listings]
                keys.update((p, old[p]) for p in skipped)
                kept = [*listings, *skipped]
            written += write_files(folder, pages)
            removed += _remove(folder, {p for p in set(old) - set(keys) if not _answer(p)})
            if found is not None:
                for path, key in old.items():
                    day = _code_day(path)
                    if day is not None and found.first <= day < since:
                        keys[path] = key
                on_site = {i: render.record_path(i) for i in site.shown}
                labels = {c.code: c.zh for c in snap.catalogue}
                days = sitecodes.day_files(found, on_site, labels, functools.partial(blot, snap))
                fresh = {}
                for path, content in days.items():
                    keys[path] = _digest(content)
                    if old.get(path) != keys[path] or not (folder / path).is_file():
                        fresh[path] = content
                written += write_files(folder, fresh)
            removed += _remove(folder, {p for p in set(old) - set(keys) if _answer(p)})
        finally:
            indexed = indexing.wait()
    notes = []
    dropped = _changed_attachments(snap, site)
    if dropped:
        notes.append(
            ngettext(
                "{n} attached file changed since its record was approved is left off the "
                "site ({which}): put the approved file back, or take the record through "
                "the procedure again",
                "{n} attached files changed since their records were approved are left "
                "off the site ({which}): put the approved files back, or take the records "
                "through the procedure again",
                len(dropped),
            ).format(
                n=len(dropped), which=", ".join(dropped[:5]) + ("…" if len(dropped) > 5 else "")
            )
        )
    if site.later:
        notes.append(
            ngettext(
                "{n} record is dated after today ({today}) and is not on the site yet "
                "({ids}): if it came out today, the clock of the computer that "
                "recorded it is wrong",
                "{n} records are dated after today ({today}) and are not on the site yet "
                "({ids}): if they came out today, the clock of the computer that "
                "recorded them is wrong",
                len(site.later),
            ).format(
                n=len(site.later),
                today=today.isoformat(),
                ids=", ".join(sorted(site.later)[:5]) + ("…" if len(site.later) > 5 else ""),
            )
        )
    if not indexed:
        notes.append(
            _("the site has no search: Pagefind is not installed ({command})").format(
                command="pip install 'pagefind[extended]'"
            )
        )
    inputs = renderer.inputs or former.inputs  # the lists may not have been made at all
    states = [i.state for i in site.shown.values()]
    built = Built(
        folder,
        scope,
        snap.commit,
        records=len(site.shown),
        pages=len(keys),
        written=written,
        removed=len(removed),
        seconds=time.perf_counter() - started,
        withdrawn=states.count("withdrawn"),
        consulting=states.count("consulting"),
        notes=notes,
        unit=snap.settings.unit,
        site_url=snap.settings.site_url,
        bundles=bundles,
        latest=[
            {
                "id": i.id,
                "title": blot(snap, i.summary.title),
                "href": render.record_path(i.id),
                "date": (i.day or today).isoformat(),
            }
            for i in site.latest()
        ],
    )
    done = Former(keys, today, listed, kept, inputs, whole, built.records, bundles, built.latest)
    _save_manifest(folder, snap.commit, done)
    return built


def _plans_out(snap: snapshot.Snapshot, site: site_rules.Site) -> dict[str, dict[str, Any]]:
    """The text of each plan the site shows out for comment, as it was put out for
    comment (by path): the office revises it into the formal plan meanwhile, and what
    it revises is not approved until the formal plan is. The site's lists take their
    titles from it too (``site`` is changed so)."""
    plans = {}
    for item in list(site.shown.values()):
        if item.state != "consulting":
            continue
        plan = snap.preliminary(item.summary)
        if plan is None:
            continue
        plans[item.summary.path] = plan
        title = plan.get("title")
        if isinstance(title, str) and title != item.summary.title:
            site.shown[item.id] = replace(item, summary=replace(item.summary, title=title))
    return plans


def _changed_attachments(snap: snapshot.Snapshot, site: site_rules.Site) -> list[str]:
    """The attachments (record id and path) of the records on the site whose file is
    not the one their approval stamped: the pages leave them off."""
    stamped = [
        (item.summary, name)
        for item in site.shown.values()
        if item.state != "withdrawn"
        for name in item.summary.stamps()
    ]
    if not stamped:
        return []
    now = snap.git.tree_blobs(snap.commit, sorted({name for _s, name in stamped}))
    # the pages' own test of what goes out
    return [
        f"{s.id} {name}"
        for s, name in stamped
        if not s.attachment_as_approved(name, now.get(name, ""))
    ]


# what the forked workers making record pages read (inherited, never sent to them)
_JOB: dict[str, Any] = {}


GROUP = 100  # records a worker reads and makes at a time


def _record_pages(ids: list[str]) -> list[str]:
    """Make and write the pages of the records ``ids`` (and their files); the paths
    written. A worker writes its own: the pages do not travel back to be written
    by the main process after the last of them is made."""
    items = [_JOB["items"][record_id] for record_id in ids]
    texts = {**_JOB["snap"].records(item.summary.path for item in items), **_JOB["plans"]}
    made: dict[str, bytes] = {}
    for item in items:
        made.update(_JOB["renderer"].record_page(item, texts.get(item.summary.path, {})))
    write_files(_JOB["folder"], made)
    return list(made)


def _digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()[:24]


@dataclass
class Former:
    """What the last build into a folder wrote: every file with its key, the day it
    was built, and the key and files of its lists."""

    pages: dict[str, str] = field(default_factory=dict)
    built: date | None = None
    listings: str = ""
    listings_pages: list[str] = field(default_factory=list)
    inputs: dict[str, str] = field(default_factory=dict)  # a column page's key
    whole: str = ""  # what the whole site was made of
    records: int = 0
    bundles: list[str] = field(default_factory=list)
    latest: list[dict[str, str]] = field(default_factory=list)


def _manifest(folder: Path) -> Former:
    """What a former build wrote into ``folder``; an empty or missing folder has
    nothing; a folder of other files is refused."""
    if not folder.exists():
        return Former()
    if not folder.is_dir():
        raise DangwuError(_("{path} is a file, not a folder").format(path=folder))
    manifest = folder / MANIFEST
    if not manifest.is_file():
        if any(folder.iterdir()):
            raise DangwuError(
                _("{path} holds files dangwu did not write; it is left as it is").format(
                    path=folder
                ),
                hint=_("build the site into an empty folder, or a folder it built before"),
            )
        return Former()
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        pages = {str(k): str(v) for k, v in data["pages"].items()}
        built = date.fromisoformat(data["built"]) if data.get("built") else None
        listed = [str(p) for p in data.get("listings_pages") or []]
        inputs = {str(k): str(v) for k, v in (data.get("inputs") or {}).items()}
        return Former(
            pages,
            built,
            str(data.get("listings") or ""),
            listed,
            inputs,
            str(data.get("whole") or ""),
            int(data.get("records") or 0),
            [str(b) for b in data.get("bundles") or []],
            [dict(x) for x in data.get("latest") or []],
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return Former()  # unreadable: every page is written again


def _unfinished(folder: Path, former: Former, today: date) -> date:
    """The first day whose verify file must be made: the day of the last build (more
    commits may have come that day), or an earlier day whose file is missing."""
    since = former.built or date.min
    for path in former.pages:
        day = _code_day(path)
        if day is not None and day < since and not (folder / path).is_file():
            since = day
    return min(since, today)


def _answer(path: str) -> bool:
    """Whether ``path`` is one of the verify page's answers (made by the walk)."""
    return path == sitecodes.CURRENT or path.startswith(sitecodes.CODES)


def _code_day(path: str) -> date | None:
    """The day a verify file answers for (verify/codes/YYMMDD.json), if it is one."""
    name = path.removeprefix(sitecodes.CODES)
    if name == path or not name.endswith(".json"):
        return None
    try:
        return date(2000 + int(name[:2]), int(name[2:4]), int(name[4:6]))
    except ValueError:
        return None


def _save_manifest(folder: Path, commit: str, made: Former) -> None:
    data = {
        "generator": "dangwu",
        "commit": commit,
        "built": made.built.isoformat() if made.built else None,
        "whole": made.whole,
        "records": made.records,
        "bundles": made.bundles,
        "latest": made.latest,
        "listings": made.listings,
        "listings_pages": sorted(made.listings_pages),
        "inputs": dict(sorted(made.inputs.items())),
        "pages": dict(sorted(made.pages.items())),
    }
    replace_file(folder / MANIFEST, json.dumps(data, ensure_ascii=False, indent=0).encode("utf-8"))


def _all_there(folder: Path, former: Former) -> bool:
    """Whether every file the last build wrote, and its search index, are still there."""
    index = [f"{bundle}pagefind-entry.json" for bundle in former.bundles]
    return all((folder / path).is_file() for path in [*former.pages, *index])


def write_files(folder: Path, pages: dict[str, bytes]) -> int:
    """Write each page whole (as :func:`replace_file`), each folder made once: a cold
    build writes ten thousand pages, and a path object and a mkdir for each cost more
    than the writing itself (10,000 pages: 0.38 against 0.15 s on a RAM disk)."""
    made: set[str] = set()
    try:
        for path, content in pages.items():
            parent, _slash, name = path.rpartition("/")
            where = f"{folder}/{parent}" if parent else str(folder)
            if where not in made:
                os.makedirs(where, exist_ok=True)  # noqa: PTH103 - str paths, see above
                made.add(where)
            _replace(where, name, content)
    except OSError as exc:
        raise _unwritable(folder, exc) from None
    return len(pages)


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _unwritable(folder, exc) from None


def _unwritable(folder: Path, exc: OSError) -> DangwuError:
    return DangwuError(
        _("cannot write the site into {path}: {error}").format(path=folder, error=os_reason(exc))
    )


def replace_file(target: Path, content: bytes) -> None:
    """Write ``target`` whole: a reader sees the old file or the new one."""
    _replace(str(target.parent), target.name, content)


def _replace(where: str, name: str, content: bytes) -> None:
    """``where/name`` written whole, through a file beside it."""
    partial = f"{where}/.{name}.{os.getpid()}.tmp"
    try:
        write_whole(partial, content)
        os.replace(partial, f"{where}/{name}")  # noqa: PTH105
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(partial)  # noqa: PTH108
        raise


def _codes(site: site_rules.Site) -> set[str]:
    return {record_id.split("-", 1)[0] for record_id in site.shown}


def _part(path: str) -> str:
    """The part of the search index a record's page is in: its category's code."""
    return path.removeprefix("records/").split("-", 1)[0].lower()


def _remove(folder: Path, gone: set[str]) -> list[str]:
    removed = []
    for path in sorted(gone):
        target = folder / path
        if target.is_file():
            target.unlink()
            removed.append(path)
            parent = target.parent
            while parent != folder and parent.is_dir() and not any(parent.iterdir()):
                parent.rmdir()
                parent = parent.parent
    return removed


@contextlib.contextmanager
def server(folder: Path, port: int) -> Iterator[ThreadingHTTPServer]:
    """A web server for ``folder`` on 127.0.0.1 only: a preview, not a publication."""

    class Quiet(SimpleHTTPRequestHandler):
        extensions_map = {  # noqa: RUF012  (the base class declares it so)
            **SimpleHTTPRequestHandler.extensions_map,
            ".wasm": "application/wasm",
            ".pf_meta": "application/octet-stream",
            ".xml": "application/xml",
        }

        def log_message(self, format: str, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(folder))
    try:
        httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        raise DangwuError(
            _("cannot listen on 127.0.0.1:{port}: {error}").format(port=port, error=os_reason(exc)),
            hint=_("choose another port with --port"),
        ) from None
    try:
        yield httpd
    finally:
        httpd.server_close()
