"""The city's public information portal (市公众信息网) built from many offices'
repositories [SPEC 12].

Each office gets a section of the portal, ``DIR/<name>/``: its own site made from
what it published on the ``city-portal`` channel, with its own search index and
feed, and a link back to the office's own site. The portal's root holds the
list of offices, the latest disclosures of all of them, a combined feed and a
search across every office's index (Pagefind merges them in the browser). An
office whose last commit and templates are what the last build saw is not read
again: rebuilding after one office changed touches only that office's section
and the root's few pages. Offices are built in parallel, one per core.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from dangwu import __version__, clock
from dangwu.app import website
from dangwu.errors import DangwuError, NotAnOffice
from dangwu.i18n import _
from dangwu.model.words import zh_date
from dangwu.render import site as render
from dangwu.rules.site import PORTAL_CHANNEL
from dangwu.store import search
from dangwu.store.gitstore import GitStore
from dangwu.store.office import Office, find_office
from dangwu.store.pool import fork_map, workers

MANIFEST = ".dangwu-portal.json"
LATEST = 30
FEED_ENTRIES = 100


@dataclass
class Section:
    """One office in the portal."""

    name: str  # its folder in the portal
    path: str  # its repository
    unit: str = ""
    head: str = ""
    records: int = 0
    site_url: str = ""
    latest: list[dict[str, str]] = field(default_factory=list)
    bundles: list[str] = field(default_factory=list)  # its search index's parts
    rebuilt: bool = False
    seconds: float = 0.0


@dataclass
class Portal:
    path: Path
    sections: list[Section]
    rebuilt: int
    seconds: float
    notes: list[str] = field(default_factory=list)  # worth a second look


def build(offices: Sequence[Path], out: Path, *, title: str = "") -> Portal:
    """Build the portal of ``offices`` into ``out``."""
    started = time.perf_counter()
    if not offices:
        raise DangwuError(_("name at least one office repository"))
    opened = [_open(path) for path in offices]
    names = _names(opened)
    previous = _manifest(out)
    sections: list[Section] = []
    todo: list[tuple[Office, Section]] = []
    seen: dict[str, Office] = {}
    notes = []
    for office, name in zip(opened, names, strict=True):
        head = _head(office)
        twin = seen.setdefault(head, office)
        if twin is not office:  # a clone and the server's repository of one office, say
            notes.append(
                _(
                    "{one} and {other} are at the same commit ({commit}): one office, "
                    "shown twice? Name each office once, by the repository to follow"
                ).format(one=twin.root, other=office.root, commit=head[:10])
            )
        known = previous.get(name)
        section = Section(name, str(office.root), head=head)
        unchanged = (
            known is not None
            and known.get("head") == head
            and known.get("path") == section.path
            and known.get("version") == __version__
            and (out / name / website.MANIFEST).is_file()
        )
        if unchanged and known is not None:
            section.unit = str(known.get("unit") or "")
            section.records = int(known.get("records") or 0)
            section.site_url = str(known.get("site_url") or "")
            section.latest = list(known.get("latest") or [])
            section.bundles = list(known.get("bundles") or [])
        else:
            todo.append((office, section))
        sections.append(section)
    portal_title = title or "市公众信息网"
    jobs = [(office, section, out, portal_title) for office, section in todo]
    # offices are built on every core, a few to a job: a job's offices share one
    # Pagefind process (its start costs about 0.2 s, more than a small office's index)
    count = min(len(jobs), 4 * workers())
    groups = [jobs[n::count] for n in range(count)]
    by_name = {section.name: section for section in sections}
    for made in fork_map(_build_sections, groups, parallel_from=2):
        for done in made:
            by_name[done.name].__dict__.update(done.__dict__)
    _write_root(out, sections, portal_title)
    _save_manifest(out, sections)
    return Portal(out, sections, len(todo), time.perf_counter() - started, notes)


def _open(path: Path) -> Office:
    """An office's repository: a clone (its working tree) or a server's bare one."""
    path = path.resolve()
    if not path.exists():
        raise DangwuError(_("{path} does not exist").format(path=path))
    if (path / "HEAD").is_file() and (path / "objects").is_dir():
        return Office(path, bare=True)
    try:
        return find_office(path)
    except NotAnOffice as error:
        raise NotAnOffice(
            error.message,
            hint=_(
                "give each office's repository: a clone, or the bare repository on the "
                "server (dangwu portal build /srv/git/*.git -o DIR)"
            ),
        ) from None


def _head(office: Office) -> str:
    with GitStore(office.root, office.state_dir) as git:
        return git.require_head()


def _names(offices: Sequence[Office]) -> list[str]:
    """Each office's folder in the portal: its repository's name, made safe for an
    address (sfj-office.git -> sfj-office), numbered where two are alike."""
    names: list[str] = []
    for office in offices:
        stem = office.root.name.removesuffix(".git")
        base = re.sub(r"[^a-z0-9-]+", "-", stem.lower()).strip("-") or "office"
        name, number = base, 2
        while name in names:
            name, number = f"{base}-{number}", number + 1
        names.append(name)
    return names


def _build_sections(jobs: list[tuple[Office, Section, Path, str]]) -> list[Section]:
    with search.one_pagefind():
        return [_build_section(job) for job in jobs]


def _build_section(job: tuple[Office, Section, Path, str]) -> Section:
    office, section, out, title = job
    started = time.perf_counter()
    built = website.build(
        office,
        scope="public",
        out=out / section.name,
        channel=PORTAL_CHANNEL,
        portal={"title": title},
    )
    section.unit = built.unit
    section.records = built.records
    section.site_url = built.site_url
    section.latest = built.latest[:LATEST]
    section.bundles = built.bundles
    section.rebuilt = True
    section.seconds = time.perf_counter() - started
    return section


def _manifest(out: Path) -> dict[str, dict[str, Any]]:
    if not out.exists():
        return {}
    path = out / MANIFEST
    if not path.is_file():
        if out.is_dir() and any(out.iterdir()):
            raise DangwuError(
                _("{path} holds files dangwu did not write; it is left as it is").format(path=out),
                hint=_("build the portal into an empty folder, or a folder it built before"),
            )
        return {}
    try:
        data = json.loads(path.read_text("utf-8"))
        return {str(k): dict(v) for k, v in data["offices"].items()}
    except (ValueError, KeyError, TypeError, AttributeError):
        return {}


def _save_manifest(out: Path, sections: Sequence[Section]) -> None:
    data = {
        "generator": "dangwu",
        "offices": {
            s.name: {
                "path": s.path,
                "head": s.head,
                "unit": s.unit,
                "records": s.records,
                "site_url": s.site_url,
                "latest": s.latest,
                "bundles": s.bundles,
                "version": __version__,
            }
            for s in sections
        },
    }
    website.replace_file(out / MANIFEST, json.dumps(data, ensure_ascii=False).encode("utf-8"))


def _write_root(out: Path, sections: Sequence[Section], title: str) -> None:
    """The portal's own pages: the offices, the latest of all, the feed, the search."""
    today = clock.today(clock.CHINA)
    latest = sorted(
        (
            {**item, "unit": s.unit, "href": f"{s.name}/{item['href']}", "office": s.name}
            for s in sections
            for item in s.latest
        ),
        key=lambda item: (item["date"], item["id"]),
        reverse=True,
    )
    for item in latest:
        item["date_zh"] = zh_date(date.fromisoformat(item["date"]))
    offices = [
        {
            "name": s.name,
            "unit": s.unit,
            "records": s.records,
            "site_url": s.site_url,
            "latest": s.latest[0]["date"] if s.latest else "",
        }
        for s in sections
    ]
    context = {
        "title": title,
        "offices": offices,
        "latest": latest[:LATEST],
        "built_zh": zh_date(today),
        "bundles": [f"{s.name}/{bundle}" for s in sections for bundle in s.bundles],
    }
    pages = render.portal_pages(context, latest[:FEED_ENTRIES], _uid(title))
    website.write_files(out, pages)


def _uid(title: str) -> str:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"dangwu:portal:{title}").urn
