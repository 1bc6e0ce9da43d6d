"""The office's web site as files [SPEC 12]: the pages, the Atom feed and the sitemap.

Made from a commit (a ``Snapshot``) and what ``rules.site`` selected, with the
site templates (``templates/site/*.j2``, the office's own first) in the same
sandbox as every printed page. Each page is a path and its bytes; links between
pages are relative, so the folder works from any address, from a USB stick and
from ``file://``. ``record_key`` says what a record's page depends on, so that
the builder (``app.website``) makes it again only when that changed.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from dangwu import __version__
from dangwu.model.catalogue import SCOPE_TITLES, scope_zh
from dangwu.model.record import day_of
from dangwu.model.words import zh_date
from dangwu.render.bodies import Files
from dangwu.render.sheets import (
    PAGE_POLICY,
    adoption_summaries,
    beyond,
    blot,
    blot_record,
    channel_names,
    committed_files,
    environment,
    excerpt,
    remote_reference,
    with_page_policy,
)
from dangwu.resources import own_or_shipped, shipped
from dangwu.rules import site as site_rules
from dangwu.rules.site import Shown, Site
from dangwu.store.snapshot import Snapshot

ASSETS = ("site.css", "search.js", "verify.js", "favicon.svg")
PER_PAGE = 50  # records on one page of a column
FEED_ENTRIES = 50
# The site's pages load only the site's own files: its style sheet, its scripts
# (search, verify) and the search index they read; nothing from anywhere else.
SITE_POLICY = (
    '<meta http-equiv="Content-Security-Policy" content="'
    "default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; connect-src 'self'; font-src 'self'; "
    "base-uri 'none'; form-action 'self'\">"
)
# the search page runs Pagefind's WebAssembly, which a browser compiles only when
# the page's policy allows it
SEARCH_POLICY = SITE_POLICY.replace("script-src 'self'", "script-src 'self' 'wasm-unsafe-eval'")
STEP_WORDS = {
    "created": "起草",
    "decided": "集体研究决定",
    "consulted": "公开征求意见",
    "published": "公开发布",
    "withdrawn": "撤回",
    "replaced": "被更新",
    "follows": "更新前一记录",
}


def record_path(record_id: str) -> str:
    return f"records/{record_id}.html"


def column_path(slug: str, page: int = 1) -> str:
    return f"columns/{slug}.html" if page == 1 else f"columns/{slug}-{page}.html"


def attachment_paths(record_id: str, attachments: Sequence[str]) -> dict[str, str]:
    """Where each of a record's attachments is on the site: beside its page, by its
    file name; two files of the same name (a/x.pdf, b/x.pdf) by their whole path, so
    one never takes the other's place."""
    names = [a.rsplit("/", 1)[-1] for a in attachments]
    shared = {n for n in names if names.count(n) > 1}
    return {
        a: f"records/{record_id}/{a.replace('/', '_') if n in shared else n}"
        for a, n in zip(attachments, names, strict=True)
    }


def _up(path: str) -> str:
    """The relative way from the page at ``path`` back to the site's root."""
    return "../" * path.count("/")


class Renderer:
    """Renders the pages of one site from one snapshot."""

    def __init__(
        self,
        snapshot: Snapshot,
        site: Site,
        *,
        base_url: str = "",
        template_key: str = "",
        files: Files | None = None,
        portal: Mapping[str, str] | None = None,
    ) -> None:
        self.snapshot = snapshot
        self.site = site
        self.portal = dict(portal or {})  # the city portal this is a section of
        self.settings = snapshot.settings
        self.base_url = base_url.rstrip("/")
        self.files = files or committed_files(snapshot)
        self.env = environment(snapshot.office.root, self.files)
        self.sensitive = snapshot.sensitive()
        self.scope_zh = SCOPE_TITLES[site.scope][1]
        self.common = self._common()
        self.inputs: dict[str, str] = {}  # a column page's key, by path
        self.settings_key = hashlib.sha256(
            json.dumps([self.common, template_key, __version__], ensure_ascii=False).encode()
        ).hexdigest()[:16]

    # --- shared by every page --------------------------------------------------------

    def _common(self) -> dict[str, Any]:
        s = self.settings
        columns = [{"slug": c.slug, "zh": c.zh, "code": c.code} for c in self.snapshot.catalogue]
        return {
            "unit": s.unit,
            "scope": self.site.scope,
            "scope_zh": self.scope_zh,
            "title": f"{s.unit}党务公开" + self._whose(),
            "contact": blot(self.snapshot, s.contact),
            "supervisors": [p.name for p in s.roster.values() if "supervisor" in p.roles],
            "columns": columns,
            "base_url": self.base_url,
            "portal": self.portal,
            "own_site": s.site_url if self.portal else "",
            # an internal sheet is checked with the office; a portal sends readers to
            # the office's own site to check a sheet
            "verify": self.site.scope == "public" and not self.portal,
        }

    def _whose(self) -> str:
        """Whom the site is for, after its title: nothing for the public, （党内公开）
        for the office's intranet, （党内公开·局机关第一党支部） for one audience's."""
        if self.site.scope == "public":
            return ""
        return f"（{scope_zh(self.site.scope, self.site.audience, self.settings.audiences)}）"

    def context(self, path: str, **values: Any) -> dict[str, Any]:
        # a record's page says nothing of the day it was made: it is made again only
        # when the record changes, and would say an old day
        listing = not path.startswith("records/")
        return {
            "site": self.common,
            "root": _up(path),
            "path": path,
            "built_zh": zh_date(self.site.on) if listing else "",
            "commit": self.snapshot.commit[:10] if listing else "",
            **values,
        }

    def page(self, path: str, template: str, **values: Any) -> bytes:
        made = str(self.env.get_template(f"site/{template}").render(self.context(path, **values)))
        # a portal's section may link to the office's own site (a link fetches nothing)
        remote = remote_reference(made, site=True, links=not self.portal)
        if remote is not None:
            raise beyond(f"site/{template}", remote)
        return _with_policy(made, search=template == "search.html.j2").encode("utf-8")

    def xml(self, path: str, template: str, **values: Any) -> bytes:
        return str(
            self.env.get_template(f"site/{template}").render(self.context(path, **values))
        ).encode("utf-8")

    # --- what a record shows ---------------------------------------------------------

    def _listed(self, item: Shown) -> dict[str, Any]:
        s = item.summary
        category = self.snapshot.catalogue.by_slug(s.category)
        return {
            "id": s.id,
            "title": blot(self.snapshot, s.title),
            "href": record_path(s.id),
            "state": item.state,
            "date": (item.day or self.site.on).isoformat(),
            "date_zh": zh_date(item.day),
            "closes_zh": zh_date(item.open_until),
            "category_zh": category.zh if category else s.category,
        }

    def _history(self, item: Shown) -> list[dict[str, str]]:
        s = item.summary
        steps = []
        if s.decided:
            steps.append(("decided", s.decided, ""))
        if s.consulted:
            until = zh_date(s.closes_on)
            steps.append(("consulted", s.consulted, f"截至{until}" if until else ""))
        if s.follows and s.follows in self.site.shown:  # never the id of what is not here
            steps.append(("follows", s.published or "", s.follows))
        if s.published and item.state != "consulting":
            steps.append(("published", s.published, ""))
        if s.withdrawn and item.state == "withdrawn":
            reason = blot(self.snapshot, s.withdrawal_reason or "")
            steps.append(("withdrawn", s.withdrawn, reason))
        for newer in item.followed_by:
            held = self.site.shown.get(newer)
            steps.append(("replaced", held.summary.published or "" if held else "", newer))
        steps.sort(key=lambda step: step[1])
        return [
            {
                "what": STEP_WORDS[what],
                "kind": what,
                "date_zh": zh_date(day_of(when)),
                "date": (day_of(when) or self.site.on).isoformat(),
                "note": note,
                "href": record_path(note) if what in ("follows", "replaced") else "",
            }
            for what, when, note in steps
        ]

    @functools.cached_property
    def adoptions(self) -> dict[str, str]:
        """What became of the opinions on each formal plan shown (采纳情况), naming
        nobody: the page of a plan published after comment says it [SPEC 14]."""
        formal = [
            rid
            for rid, item in self.site.shown.items()
            if item.summary.consulted and item.state == "published"
        ]
        return adoption_summaries(self.snapshot, formal)

    def record_key(self, item: Shown) -> str:
        seed = site_rules.fingerprint_of(item, self.site.shown) + "|" + self.settings_key
        seed += "|" + self.adoptions.get(item.summary.id, "")
        return hashlib.sha256(seed.encode("utf-8")).hexdigest()[:24]

    def record_page(self, item: Shown, data: Mapping[str, Any]) -> dict[str, bytes]:
        s = item.summary
        text = blot_record(data, self.sensitive) if self.sensitive else dict(data)
        if item.state == "withdrawn":  # a tombstone: when and why, not what
            text = {"title": text.get("title", s.title)}
        path = record_path(s.id)
        category = self.snapshot.catalogue.by_slug(s.category)
        item_zh = s.item
        if category is not None:
            item_zh = next((i.zh for i in category.items if i.slug == s.item), s.item)
        attachments, out = [], {}
        if item.state != "withdrawn":
            objects = [f"{self.snapshot.commit}:{name}" for name in s.attachments]
            targets = attachment_paths(s.id, s.attachments)
            for name, found in zip(s.attachments, self.snapshot.git.batch(objects), strict=True):
                # a file changed after the approval does not go out (publish refuses it)
                if (
                    found is None
                    or found[1] != "blob"
                    or not s.attachment_as_approved(name, found[0])
                ):
                    continue
                content = found[2]
                target = targets[name]
                out[target] = content
                # named as it downloads: two of one name told apart by their folders
                shown_as = target.rsplit("/", 1)[-1]
                attachments.append({"name": shown_as, "href": target, "size": _size(len(content))})
        channels = s.consulted_channels if item.state == "consulting" else s.published_channels
        meta = {
            "index": s.id,
            "unit": self.settings.unit,
            "category_zh": category.zh if category else s.category,
            "item_zh": item_zh,
            "scope_zh": scope_zh(s.scope, s.audience, self.settings.audiences),
            "channels": channel_names(self.settings, channels or s.channels),
            "written_zh": zh_date(day_of(s.decided or s.created)),
            "published_zh": zh_date(item.day),
            "closes_zh": zh_date(item.open_until),
            "withdrawn_zh": zh_date(s.withdrawn_on),
            "withdrawn_reason": blot(self.snapshot, s.withdrawal_reason or ""),
            "adoption": self.adoptions.get(s.id, ""),
        }
        out[path] = self.page(
            path,
            "record.html.j2",
            record={
                **self._listed(item),
                "title": str(text.get("title") or s.title),
                "summary": str(text.get("summary") or ""),
                "body": str(text.get("body") or ""),
                "category_slug": s.category,
            },
            meta=meta,
            history=self._history(item),
            attachments=attachments,
        )
        return out

    # --- the listing pages -----------------------------------------------------------

    def listings(
        self,
        texts: Mapping[str, Mapping[str, Any]],
        verify: Mapping[str, str] | None = None,
        bundles: Sequence[str] = (),
        unchanged: Callable[[str, str], bool] | None = None,
    ) -> dict[str, bytes]:
        """Home, columns, catalogue, bulletins, search, feed and sitemap, and (given
        the days it answers for) the verify page. A column's page whose key (what it
        lists, the day, the settings) ``unchanged`` says is the one on disk is not
        made again; ``self.inputs`` holds every column page's key."""
        site, pages = self.site, {}
        self.inputs = {}
        column_paths = []

        def with_excerpt(item: Shown) -> dict[str, Any]:
            data = texts.get(item.summary.path) or {}
            listed = self._listed(item)
            listed["excerpt"] = blot(self.snapshot, excerpt(data)) if data else ""
            return listed

        pages["index.html"] = self.page(
            "index.html",
            "home.html.j2",
            latest=[with_excerpt(i) for i in site.latest()],
            consulting=[with_excerpt(i) for i in site.consulting()],
        )
        columns = site.by_category()
        for category in self.snapshot.catalogue:
            items = columns.get(category.slug, [])
            count = max(1, -(-len(items) // PER_PAGE))
            for number in range(1, count + 1):
                path = column_path(category.slug, number)
                chunk = items[(number - 1) * PER_PAGE : number * PER_PAGE]
                seed = [self.site.on.isoformat(), self.settings_key, category.slug, number, count]
                seed += [[i.id, self.record_key(i)] for i in chunk]
                key = hashlib.sha256(json.dumps(seed).encode()).hexdigest()[:24]
                self.inputs[path] = key
                column_paths.append(path)
                if unchanged is not None and unchanged(path, key):
                    continue
                pages[path] = self.page(
                    path,
                    "column.html.j2",
                    column={"slug": category.slug, "zh": category.zh, "code": category.code},
                    records=[self._listed(i) for i in chunk],
                    number=number,
                    count=count,
                    pages=[column_path(category.slug, n) for n in range(1, count + 1)],
                )
        pages["catalogue.html"] = self.page(
            "catalogue.html", "catalogue.html.j2", catalogue=self._catalogue(columns)
        )
        summaries = []
        for quarter, items in site_rules.by_quarter(site).items():
            path = f"bulletins/{quarter}.html"
            label = f"{quarter.year}年第{quarter.number}季度"
            by_category: dict[str, list[dict[str, Any]]] = {}
            for item in items:
                by_category.setdefault(item.summary.category, []).append(self._listed(item))
            groups = [
                {"zh": c.zh, "records": by_category[c.slug]}
                for c in self.snapshot.catalogue
                if c.slug in by_category
            ]
            pages[path] = self.page(
                path, "bulletin.html.j2", quarter={"label": label, "groups": groups}
            )
            summaries.append({"label": label, "href": path, "count": len(items)})
        pages["bulletins/index.html"] = self.page(
            "bulletins/index.html", "bulletins.html.j2", quarters=summaries
        )
        for asset in ASSETS:
            pages[asset] = self._asset(asset)
        pages["search.html"] = self.page("search.html", "search.html.j2", bundles=list(bundles))
        if verify is not None:
            pages["verify/index.html"] = self.page(
                "verify/index.html", "verify.html.j2", verify=verify
            )
        pages["feed.xml"] = self.xml("feed.xml", "feed.xml.j2", feed=self._feed())
        if self.base_url:
            every = ["index.html", "catalogue.html", "bulletins/index.html", "search.html"]
            every += column_paths + [p for p in pages if p.startswith("bulletins/")]
            every += [record_path(i) for i in sorted(site.shown)]
            pages["sitemap.xml"] = self.xml(
                "sitemap.xml",
                "sitemap.xml.j2",
                urls=[f"{self.base_url}/{p}" for p in dict.fromkeys(every)],
            )
            pages["robots.txt"] = f"Sitemap: {self.base_url}/sitemap.xml\n".encode()
        return pages

    def _catalogue(self, columns: Mapping[str, list[Shown]]) -> list[dict[str, Any]]:
        """The 公开目录: every category and item of this scope, with what the site holds."""
        out = []
        for category in self.snapshot.catalogue:
            held = columns.get(category.slug, [])
            items = []
            for item in category.items:
                if self.site.scope == "public" and item.scope != "public":
                    continue
                mine = [i for i in held if i.summary.item == item.slug]
                items.append(
                    {
                        "code": item.code,
                        "zh": item.zh,
                        "scope_zh": SCOPE_TITLES.get(item.scope, (item.scope, item.scope))[1],
                        "cadence": item.cadence,
                        "count": len(mine),
                        "latest": self._listed(mine[0]) if mine else None,
                    }
                )
            out.append(
                {
                    "zh": category.zh,
                    "code": category.code,
                    "href": column_path(category.slug),
                    "items": items,
                }
            )
        return out

    def _feed(self) -> dict[str, Any]:
        unit = self.settings.unit
        latest = self.site.newest_first()[:FEED_ENTRIES]
        entries = []
        for item in latest:
            s = item.summary
            stamp = _stamp(s.withdrawn if item.state == "withdrawn" else s.published or s.consulted)
            entries.append(
                {
                    **self._listed(item),
                    "uid": _uid(unit, self.site.scope, s.id),
                    "updated": stamp,
                    "url": (self.base_url + "/" if self.base_url else "") + record_path(s.id),
                }
            )
        return {
            "uid": _uid(unit, self.site.scope, ""),
            "updated": entries[0]["updated"] if entries else _stamp(self.site.on.isoformat()),
            "url": (self.base_url + "/") if self.base_url else "",
            "entries": entries,
        }

    def _asset(self, name: str) -> bytes:
        """One of the site's own files (style sheet, scripts): the office's first."""
        return own_or_shipped(self.snapshot.office.root, "templates", "site", name).read_bytes()


def _stamp(value: str | None) -> str:
    """An Atom date (RFC 3339) of a stored date or time."""
    if not value:
        return "1970-01-01T00:00:00Z"
    if "T" in value:
        return value
    return f"{value}T00:00:00+08:00"


def _uid(unit: str, scope: str, record_id: str) -> str:
    """A record's lasting Atom id: the same whatever address the site moves to."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"dangwu:{unit}:{scope}:{record_id}").urn


def _size(count: int) -> str:
    if count < 1024:
        return f"{count} B"
    if count < 1024 * 1024:
        return f"{count / 1024:.0f} KB"
    return f"{count / 1024 / 1024:.1f} MB"


def _with_policy(html: str, *, search: bool = False) -> str:
    policy = SEARCH_POLICY if search else SITE_POLICY
    return with_page_policy(html).replace(PAGE_POLICY, policy, 1)


def template_key(office_root: Path) -> str:
    """What the site's templates are: a page made with others is made again."""
    digest = hashlib.sha256()
    for folder in (shipped("templates", "site"), office_root / "templates" / "site"):
        if folder.is_dir():
            for path in sorted(folder.iterdir()):
                digest.update(path.name.encode() + b"\0" + _template_bytes(path))
    own = office_root / "templates"
    if own.is_dir():  # a template may extend any other of the office's own
        for path in sorted(own.glob("*.j2")):
            digest.update(path.name.encode() + b"\0" + _template_bytes(path))
    return digest.hexdigest()[:16]


def _template_bytes(path: Path) -> bytes:
    """What a file of templates/ holds, for knowing when it changed: a link by where it
    leads, never by what it leads to (the office's own links are refused when used)."""
    if path.is_symlink():
        return b"link:" + os.fsencode(path.readlink())
    return path.read_bytes() if path.is_file() else b""


# --- the city portal's own pages ----------------------------------------------------------


def portal_pages(
    context: Mapping[str, Any], feed: Sequence[Mapping[str, Any]], uid: str
) -> dict[str, bytes]:
    """The portal's root: its home (the offices and the latest of all), a combined
    Atom feed and a search across every office's index."""
    env = environment(None)
    pages: dict[str, bytes] = {}

    def page(path: str, template: str, *, search: bool = False) -> bytes:
        made = str(env.get_template(f"site/{template}").render(context))
        remote = remote_reference(made, site=True, links=False)
        if remote is not None:
            raise beyond(f"site/{template}", remote)
        return _with_policy(made, search=search).encode("utf-8")

    pages["index.html"] = page("index.html", "portal.html.j2")
    pages["search.html"] = page("search.html", "portal-search.html.j2", search=True)
    # a record's id in the portal's feed is the one the office's own feed gives it
    entries = [{**e, "uid": _uid(str(e["unit"]), "public", str(e["id"]))} for e in feed]
    updated = _stamp(str(feed[0]["date"]) if feed else "")
    feed_context = {**context, "uid": uid, "entries": entries, "updated": updated}
    pages["feed.xml"] = str(
        env.get_template("site/portal-feed.xml.j2").render(feed_context)
    ).encode("utf-8")
    for asset in ("site.css", "search.js", "favicon.svg"):
        pages[asset] = shipped("templates", "site", asset).read_bytes()
    return pages
