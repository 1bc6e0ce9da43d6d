"""Rendering: the notice-board sheets, the quarterly bulletin and the yearly report as
HTML, Markdown, or the Typst source of their PDF.

Templates are Jinja2, looked up by name in the office's own ``templates/`` first
and the shipped ones second, in a sandbox with autoescaping and strict
undefined names: record text is data, never template, and is escaped wherever
it lands. Record bodies are Markdown, rendered by markdown-it-py with raw HTML
switched off. A PDF is typeset by Typst from the ``*.typ.j2`` templates (``typeset``).
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dangwu.errors import DangwuError
from dangwu.i18n import _
from dangwu.model.catalogue import (
    CADENCE_TITLES,
    CHANNEL_TITLES,
    SCOPE_TITLES,
    Catalogue,
    scope_zh,
    time_limit,
)
from dangwu.model.office import Settings
from dangwu.model.record import Summary
from dangwu.model.words import zh_date
from dangwu.render import typeset
from dangwu.render.bodies import Files, markdown_html, markdown_parser
from dangwu.resources import own_or_shipped, refuse_link, shipped
from dangwu.rules import board as board_rules
from dangwu.rules.consultation import adoption
from dangwu.rules.due import KIND_TITLES
from dangwu.rules.schedule import Quarter
from dangwu.rules.secrecy import HIDDEN, blot_markdown, redact
from dangwu.store.office import Office
from dangwu.store.snapshot import Snapshot

if TYPE_CHECKING:
    from dangwu.rules.stats import Stated

CADENCE_ORDER = ("standing", "quarterly", "timely", "follow-up")


@dataclass
class Page:
    """What a template made: HTML or Markdown text, or (``typeset``) Typst source and
    the office's images it shows, by the names it uses for them."""

    text: str
    typeset: bool = False
    images: dict[str, bytes] = field(default_factory=dict)


def render_template(
    office_root: Path | None, name: str, context: Mapping[str, Any], files: Files | None = None
) -> str:
    """Render an HTML or Markdown template; a template that is broken or breaks the
    sandbox is refused with its name and the reason, as any bad input is. What it
    makes refers to nothing outside itself [SPEC 11]: a remote reference is refused too."""
    made = _render(environment(office_root, files), name, context)
    page, links = made, True
    if name.endswith(".md.j2"):  # as a website would show it, HTML and all; its
        from markdown_it import MarkdownIt  # readers follow links, but fetch nothing

        page, links = MarkdownIt("commonmark", {"html": True}).render(made), False
    remote = remote_reference(page, links=links)
    if remote is not None:
        raise beyond(name, remote)
    return with_page_policy(made) if name.endswith(".html.j2") else made


def typeset_template(
    office_root: Path | None, name: str, context: Mapping[str, Any], files: Files | None = None
) -> Page:
    """Render a Typst template (``*.typ.j2``) into the source of a PDF, refused as
    ``render_template`` refuses, and when it would load anything but its own images."""
    images: dict[str, bytes] = {}
    source = _render(typst_environment(office_root, files, images), name, context)
    reached = typeset.reaches(source)
    if reached is not None:
        raise beyond(name, reached)
    return Page(source, typeset=True, images=images)


def beyond(name: str, what: str) -> DangwuError:
    return DangwuError(
        _("template {name} makes a page that reaches beyond itself: {what}").format(
            name=name, what=what
        ),
        hint=_("what dangwu prints refers only to the office's own files"),
    )


def _render(env: Any, name: str, context: Mapping[str, Any]) -> str:
    import jinja2
    from jinja2.exceptions import SecurityError

    try:
        return str(env.get_template(name).render(context))
    except SecurityError:
        # the sandbox's own message names Python internals; the clerk needs only which
        # template to look at
        raise DangwuError(
            _("template {name} reaches for something outside the data it is given").format(
                name=name
            ),
            hint=_("templates may only use the data given to them"),
        ) from None
    except jinja2.TemplateSyntaxError as exc:
        raise DangwuError(
            _("template {name}:{line}: {error}").format(
                name=exc.filename or name, line=exc.lineno, error=exc.message
            ),
        ) from None
    except jinja2.TemplateError as exc:
        raise DangwuError(
            _("template {name} cannot be used: {error}").format(name=name, error=exc),
            hint=_("check the office's own templates/ folder against the shipped ones"),
        ) from None


# Attributes through which a page makes a browser (or the PDF renderer) fetch something.
_URL_ATTRIBUTES = frozenset(
    {
        "src",
        "srcset",
        "action",
        "formaction",
        "poster",
        "background",
        "data",
        "ping",
        "cite",
        "manifest",
        "codebase",
        "archive",
        "longdesc",
        "usemap",
        "xlink:href",
        "imagesrcset",
    }
)
_CSS_URL = re.compile(r"""(?:url\(\s*["']?|@import\s+["']?)\s*(?P<url>[^"'\s)]+)""", re.IGNORECASE)


def remote_reference(html: str, *, links: bool = True, site: bool = False) -> str | None:
    """What in ``html`` would reach beyond the page: the first URL in its tags or styles
    that names a place elsewhere (one with a scheme, or //host; a data: URL is the
    page's own, a relative path the office's own file), or an element or attribute
    that runs or loads something (a script, a frame, a refresh, an event handler).
    Text is text. ``links``: a hyperlink to elsewhere counts too (it is not fetched,
    but it is a reference). ``site``: a page of the office's web site may have its
    own scripts and forms (search, verify), loaded from the site itself."""

    if not _may_reach(html):
        return None  # no tag could name anything elsewhere: nothing to parse
    # the HTML parser only when a page is checked before printing: not at start-up
    from html.parser import HTMLParser

    found: list[str] = []

    class Finder(HTMLParser):
        style = False

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.style = tag == "style"
            if tag in _ACTIVE_ELEMENTS and not (site and tag in _SITE_ELEMENTS):
                found.append(f"<{tag}>")
            for name, value in attrs:
                if name.startswith("on") or name == "srcdoc":
                    found.append(f"<{tag} {name}>")
                if value is None:
                    continue
                if tag == "meta" and name == "http-equiv" and value.lower() in _ACTIVE_META:
                    found.append(f"<meta http-equiv={value}>")
                fetched = name in _URL_ATTRIBUTES or (name == "href" and tag == "link")
                if name in ("srcset", "imagesrcset"):  # "url 2x, url 3x"
                    found.extend(part.strip().split(" ")[0] for part in value.split(","))
                elif fetched or (links and name == "href"):
                    found.append(value.strip())
                elif name == "style":
                    found.extend(_css_urls(value))

        def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.handle_starttag(tag, attrs)
            self.style = False

        def handle_endtag(self, tag: str) -> None:
            self.style = False

        def handle_data(self, data: str) -> None:
            if self.style:
                found.extend(_css_urls(data))

    Finder(convert_charrefs=True).feed(html)
    for url in found:
        if url.startswith("<"):
            return url
        squeezed = re.sub(r"[\s\x00-\x1f]", "", url).lower()
        elsewhere = squeezed.startswith("//") or _SCHEME.match(squeezed) is not None
        if elsewhere and not squeezed.startswith("data:"):
            return url
    return None


# What could, anywhere in a page, name something elsewhere or run or load something:
# a scheme (letters, then perhaps spaces or control characters, which browsers drop,
# then ":"), "//" (or a backslash, which browsers read as "/"), an entity (which
# could spell either), a handler, a style, an element that acts of its own, or a
# "<" inside a tag. A page with none of them has no tag that could. Each is looked
# for by itself, in the page in lower case as the parser reads names: one pattern
# of them all, case-blind, took 0.3 ms a record page, longer than making it.
_RISKY_WORDS = ("&", "\\", "//", "srcdoc", "@import", "http-equiv")
_SCHEME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789+.-")
_HANDLER = re.compile("on")
_STYLE_URL = re.compile(r"url\s*+\(")
_RISKY_TAG = re.compile(
    r"<[^<>]*+<"
    r"|<\s*+/?\s*+(?:script|iframe|frame|frameset|object|embed|applet|base|form|style|svg|math)\b"
)


def _may_reach(html: str) -> bool:
    """Whether anything in ``html`` could reach beyond the page; a page without such a
    thing anywhere is passed without parsing it (most record pages: parsing was a
    quarter of the time a site took to build). tests/test_site.py checks that this
    never passes a page the parser would refuse."""
    lower = html.lower()
    if any(word in lower for word in _RISKY_WORDS):
        return True
    if ":" in lower and _scheme_like(lower):
        return True
    if "url" in lower and _STYLE_URL.search(lower) is not None:
        return True
    # an attribute whose name begins "on" (onload=, or on-- with no value at all): the
    # parser reads a name after a space, a "/" or a quote
    for handler in _HANDLER.finditer(lower):
        before = lower[handler.start() - 1] if handler.start() else ""
        if before.isspace() or (before and before in "/'\""):
            return True
    return _RISKY_TAG.search(lower) is not None


def _scheme_like(lower: str) -> bool:
    """Whether a ":" in ``lower`` comes after a letter, with only what a scheme holds
    (letters, digits, + . -) and what browsers drop (spaces, control characters)
    between them. Walked back from each ":" to the first character of neither kind,
    so the walks never overlap: a pattern searched from every letter took time as
    the square of a long run of words (39 s for a 200 kB page)."""
    colon = lower.find(":")
    while colon != -1:
        at = colon - 1
        while at >= 0:
            char = lower[at]
            if char in _SCHEME_CHARS:
                if char.isalpha():
                    return True
            elif not (char.isspace() or char < " "):
                break
            at -= 1
        colon = lower.find(":", colon + 1)
    return False


# Elements that run or load something of their own, and the metas that act.
_ACTIVE_ELEMENTS = frozenset(
    {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "form"}
)
# (another Content-Security-Policy is harmless: a browser obeys every policy a page has)
_SITE_ELEMENTS = frozenset({"script", "form"})
_ACTIVE_META = frozenset({"refresh", "set-cookie"})
_CSS_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})\s?|(.))")


def _css_urls(css: str) -> list[str]:
    """The URLs a style sheet fetches, its escapes read (url(\\68 ttp:...) is http:)."""
    plain = _CSS_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)) if m.group(1) else m.group(2), css)
    return [m.group("url") for m in _CSS_URL.finditer(plain)]


# The page may hold its own styles and data: pictures, and fetch nothing else.
PAGE_POLICY = (
    '<meta http-equiv="Content-Security-Policy" '
    "content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">"
)
_HEAD = re.compile(r"<head(?:\s[^>]*)?>", re.IGNORECASE)


def with_page_policy(html: str) -> str:
    """``html`` carrying the page's Content-Security-Policy, whatever its template put
    in its head: a browser then fetches nothing, even for a template that tried."""
    if PAGE_POLICY in html:
        return html
    head = _HEAD.search(html)
    if head is None:
        return PAGE_POLICY + "\n" + html
    return html[: head.end()] + "\n" + PAGE_POLICY + html[head.end() :]


_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*:")


def environment(office_root: Path | None, files: Files | None = None) -> Any:
    """The sandboxed Jinja2 environment of HTML and Markdown pages: autoescaped HTML,
    office templates before shipped ones."""
    env = _sandbox(office_root, autoescape=True)
    env.filters["markdown"] = functools.partial(markdown_html, files=files)
    env.filters["markdown_text"] = markdown_source
    return env


def typst_environment(
    office_root: Path | None, files: Files | None, images: dict[str, bytes]
) -> Any:
    """The same sandbox for Typst pages: every value printed becomes a Typst string,
    record bodies become Typst markup, and the images they show are gathered into
    ``images``."""
    env = _sandbox(office_root, autoescape=False, finalize=typeset.finalize)
    env.filters["markdown"] = functools.partial(typeset.markdown, files=files, images=images)
    env.filters["string"] = typeset.typst_string
    env.filters["number"] = typeset.number
    return env


def _sandbox(office_root: Path | None, **options: Any) -> Any:
    from jinja2 import ChoiceLoader, FileSystemLoader, FunctionLoader, StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    folders: list[Any] = []
    if office_root is not None and (office_root / "templates").is_dir():
        folders.append(FunctionLoader(functools.partial(_own_template, office_root)))
    folders.append(FileSystemLoader(shipped("templates")))
    kind = (bool(options.get("autoescape")), "finalize" in options)
    return ImmutableSandboxedEnvironment(
        loader=ChoiceLoader(folders),
        undefined=StrictUndefined,
        trim_blocks=False,
        keep_trailing_newline=True,
        bytecode_cache=_compiled(kind),
        **options,
    )


def _own_template(office_root: Path, name: str) -> tuple[str, str, Callable[[], bool]] | None:
    """The office's own template ``name`` (source, file, whether it is unchanged), or
    None to use the shipped one; a link is refused, never followed (see
    :func:`dangwu.resources.own_or_shipped`)."""
    from jinja2.loaders import split_template_path

    path = office_root.joinpath("templates", *split_template_path(name))
    refuse_link(office_root, path)
    if not path.is_file():
        return None
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as file:
        changed = os.fstat(file.fileno()).st_mtime_ns
        source = file.read().decode("utf-8")

    def unchanged() -> bool:
        try:
            return path.lstat().st_mtime_ns == changed
        except OSError:
            return False

    return source, str(path), unchanged


@functools.cache
def _compiled(kind: tuple[bool, bool]) -> Any:
    """The templates compiled so far in this process, for environments of one kind
    (escaping, finalizing) only, as the code compiled differs between kinds: a page
    printed a thousand times (an archive's forms) is compiled once, not a thousand
    times at 5 ms each. Jinja2 keys each by the template's file and checks its source
    still matches, so a template edited meanwhile is compiled again."""
    from jinja2 import BytecodeCache

    class Compiled(BytecodeCache):
        def __init__(self) -> None:
            self.held: dict[str, bytes] = {}

        def load_bytecode(self, bucket: Any) -> None:
            code = self.held.get(bucket.key)
            if code is not None:
                bucket.bytecode_from_string(code)

        def dump_bytecode(self, bucket: Any) -> None:
            self.held[bucket.key] = bucket.bytecode_to_string()

    return Compiled()


def markdown_source(text: Any, levels: int = 2) -> Any:
    """A record body kept as Markdown, with anything that could be HTML made inert and
    its headings moved ``levels`` down to sit under the record's own heading."""
    from markupsafe import Markup

    value = str(text or "")
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    value = value.replace("![", "!\\[")  # an image is named, never fetched
    value = re.sub(
        r"^(#{1,6})(?=\s)",
        lambda m: "#" * min(6, len(m.group(1)) + levels),
        value,
        flags=re.MULTILINE,
    )
    return Markup(value)  # escaped just above


def css(office_root: Path | None) -> Any:
    """The print style sheet (the office's own print.css first), trusted like a template:
    inserted into <style> as it is, where escaping its quotes would break it."""
    from markupsafe import Markup

    path = own_or_shipped(office_root, "templates", "print.css")
    return Markup(path.read_text(encoding="utf-8").replace("</", "<\\/"))  # office's own


def qr_svg(code: str) -> Any:
    """The verification code as a QR code, inline SVG."""
    from markupsafe import Markup

    return Markup(typeset.qr_svg(code))  # made from a checked code: no user text


def excerpt(data: Mapping[str, Any], limit: int = 160) -> str:
    """What a record shows on the board: its summary, else the text of its body's
    first paragraph as Markdown reads it (link targets and markup dropped, the
    words kept exactly)."""

    summary = str(data.get("summary") or "").strip()
    if summary:
        return HIDDEN.sub("", summary)
    tokens = markdown_parser().parse(str(data.get("body") or ""))
    for index, token in enumerate(tokens):
        if token.type == "paragraph_open" and index + 1 < len(tokens):
            text = "".join(
                " " if child.type in ("softbreak", "hardbreak") else child.content
                for child in tokens[index + 1].children or []
                if child.type in ("text", "code_inline", "softbreak", "hardbreak", "html_inline")
            ).strip()
            text = HIDDEN.sub("", text)
            if text:
                return text if len(text) <= limit else text[: limit - 2] + "……"
    return ""


def _item_zh(catalogue: Catalogue, summary: Summary) -> str:
    category = catalogue.by_slug(summary.category)
    if category is not None:
        for item in category.items:
            if item.slug == summary.item:
                return item.zh
    return summary.item


def _supervisors(settings: Settings) -> list[str]:
    return [p.name for p in settings.roster.values() if "supervisor" in p.roles]


def channel_names(settings: Settings, channels: Sequence[str]) -> list[str]:
    """The channels as the office calls them (its own names first, the plan's else)."""
    return [settings.channels.get(c) or CHANNEL_TITLES.get(c, (c, c))[1] for c in channels]


def verify_page(settings: Settings, scope: str) -> str:
    """The address of the office site's verify page, for a public sheet of an office
    whose site has an address; "" otherwise (an internal sheet is checked with the
    office, never on a public site)."""
    return f"{settings.site_url}/verify/" if settings.site_url and scope == "public" else ""


def verify_target(settings: Settings, scope: str, code: str) -> str:
    """What a sheet's QR code holds: its verify page's address for this code where
    the site has one, else the code itself."""
    page = verify_page(settings, scope)
    return f"{page}?c={code}" if page else code


# --- the board -------------------------------------------------------------------------


@dataclass
class Board:
    snapshot: Snapshot
    scope: str
    on: date
    sheets: list[board_rules.Sheet]
    texts: dict[str, dict[str, Any]]
    audience: str | None = None  # the audience whose board it is, if one


def build_board(
    snapshot: Snapshot,
    *,
    scope: str,
    on: date,
    audience: str | None = None,
    stamp: bool = True,
) -> Board:
    """The sheets of the board of ``scope`` (of one ``audience``) on ``on``, from
    ``snapshot``; ``stamp``: with their verification codes (the site's verify page
    lays out thousands of boards and codes each for several commits and days)."""
    entries = board_rules.select(
        snapshot.summaries(), scope=scope, on=on, rules=snapshot.settings.rules, audience=audience
    )
    texts = dict(snapshot.records(e.summary.path for e in entries))
    for entry in entries:
        if entry.consulting:
            texts[entry.summary.path] = snapshot.preliminary(entry.summary) or texts.get(
                entry.summary.path, {}
            )
    texts = _redacted(snapshot, texts)
    excerpts = {path: blot(snapshot, excerpt(data)) for path, data in texts.items()}
    laid_out = board_rules.sheets(entries, snapshot.catalogue, excerpts)
    if stamp:
        board_rules.stamp(laid_out, scope=scope, on=on, commit=snapshot.commit, audience=audience)
    return Board(snapshot, scope, on, laid_out, texts, audience)


def board_page(office: Office, built: Board, fmt: str) -> Page:
    """The board as HTML (``html``) or as Typst source for its PDF (``pdf``)."""
    snapshot, settings = built.snapshot, built.snapshot.settings
    qr = typeset.qr if fmt == "pdf" else qr_svg
    follows = _follows_shown(built)
    sheets = []
    for sheet in built.sheets:
        category = snapshot.catalogue.by_slug(sheet.category)
        entries = []
        for entry in sheet.entries:
            s = entry.summary
            data = built.texts.get(s.path, {})
            entries.append(
                {
                    "id": s.id,
                    "title": str(data.get("title", s.title)),
                    "item_zh": _item_zh(snapshot.catalogue, s),
                    "date_zh": zh_date(s.consulted_on if entry.consulting else s.published_on),
                    "text": blot(snapshot, excerpt(data)),
                    "consulting": entry.consulting,
                    "closes_zh": zh_date(s.closes_on),
                    "follows_zh": follows.get(s.id, ""),
                }
            )
        sheets.append(
            {
                "number": sheet.number,
                "page": sheet.page,
                "pages": sheet.pages,
                "category_zh": category.zh if category else sheet.category,
                "code": sheet.verification,
                "qr": qr(verify_target(settings, built.scope, sheet.verification)),
                "entries": entries,
            }
        )
    context = {
        "board": {
            "unit": settings.unit,
            "title": settings.board_title,
            "scope": built.scope,
            "scope_zh": scope_zh(built.scope, built.audience, settings.audiences),
            "on_zh": zh_date(built.on),
            "contact": settings.contact,
            "supervisors": _supervisors(settings),
            "commit": snapshot.commit,
            "sheets": sheets,
            "verify_url": verify_page(settings, built.scope),
        },
        "css": css(office.root),
    }
    return _page(office, "board", fmt, context)


def _follows_shown(built: Board) -> dict[str, str]:
    """What each correction on the board says it replaces: the record it follows by
    id, where the board's readers may see that one (接续 ZZ-2026-101), else only that
    it follows an earlier record."""
    posted = [e.summary for sheet in built.sheets for e in sheet.entries if e.summary.follows]
    if not posted:
        return {}
    visible = {
        s.id
        for s in built.snapshot.summaries()
        if board_rules.allowed(s, built.scope, built.audience)
    }
    return {s.id: f"接续 {s.follows}" if s.follows in visible else "接续此前记录" for s in posted}


def _page(
    office: Office, name: str, fmt: str, context: Mapping[str, Any], files: Files | None = None
) -> Page:
    """The template ``name`` in ``fmt``: ``pdf`` is typeset from ``name.typ.j2``."""
    if fmt == "pdf":
        return typeset_template(office.root, f"{name}.typ.j2", context, files)
    return Page(render_template(office.root, f"{name}.{fmt}.j2", context, files))


# --- the bulletin ----------------------------------------------------------------------


@dataclass
class BulletinDoc:
    snapshot: Snapshot
    data: board_rules.Bulletin
    texts: dict[str, dict[str, Any]]
    issued: date

    @property
    def code(self) -> str:
        return self.data.code(commit=self.snapshot.commit, issued=self.issued)


def build_bulletin(
    snapshot: Snapshot,
    *,
    period: Quarter,
    scope: str,
    issued: date,
    audience: str | None = None,
) -> BulletinDoc:
    data = board_rules.bulletin(
        snapshot.summaries(),
        period=period,
        scope=scope,
        rules=snapshot.settings.rules,
        catalogue=snapshot.catalogue,
        audience=audience,
    )
    data.adoptions = adoptions_of(snapshot, data)
    texts = dict(snapshot.records(s.path for s in data.published))
    for s in data.published:
        if s.published_on not in period:  # only its preliminary plan came out this quarter
            texts[s.path] = snapshot.preliminary(s) or texts.get(s.path, {})
    texts = _redacted(snapshot, texts)
    return BulletinDoc(snapshot, data, texts, issued)


def adoptions_of(snapshot: Snapshot, bulletin: board_rules.Bulletin) -> dict[str, str]:
    """What became of the opinions on each formal plan of ``bulletin``."""
    return adoption_summaries(snapshot, [s.id for s in board_rules.formal_plans(bulletin)])


def adoption_summaries(snapshot: Snapshot, plans: Sequence[str]) -> dict[str, str]:
    """What became of the opinions on each of ``plans`` (采纳情况), as ``snapshot``
    holds them, naming nobody [SPEC 14]."""
    heard = snapshot.opinions_on(plans)
    return {rid: adoption(heard.get(rid, [])).summary_zh() for rid in plans}


def _redacted(snapshot: Snapshot, texts: Mapping[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Record texts with real-name reporters' names and contacts blotted out as they
    will print: a reporter is never identified on paper, whatever a record's author
    wrote, and however it was written [SPEC 11]."""
    sensitive = snapshot.sensitive()
    if not sensitive:
        return dict(texts)
    return {path: blot_record(data, sensitive) for path, data in texts.items()}


def blot_record(data: Mapping[str, Any], sensitive: Sequence[str]) -> dict[str, Any]:
    """A record's printed texts (title, summary, body and the reasons and notes of its
    steps) with every reporter blotted out."""

    out = dict(data)
    for key in ("title", "summary"):
        if isinstance(out.get(key), str):
            out[key] = redact(out[key], sensitive)
    if isinstance(out.get("body"), str):
        out["body"] = blot_markdown(out["body"], sensitive)
    for step, key in (("withdrawal", "reason"), ("rejection", "reason"), ("decision", "note")):
        facts = out.get(step)
        if isinstance(facts, Mapping) and isinstance(facts.get(key), str):
            out[step] = {**facts, key: redact(facts[key], sensitive)}
    return out


def blot(snapshot: Snapshot, text: str) -> str:
    """Any other text that reaches paper, blotted as a record's text is."""

    sensitive = snapshot.sensitive()
    return redact(text, sensitive) if sensitive else text


def committed_files(snapshot: Snapshot) -> Files:
    """The office's files as the printed commit holds them (images in bodies)."""

    def read(path: str) -> bytes | None:
        return snapshot.git.blob(snapshot.commit, path)

    return read


def bulletin_page(office: Office, doc: BulletinDoc, fmt: str) -> Page:
    """The bulletin as Markdown, HTML or (``pdf``) Typst source."""
    snapshot, settings, data = doc.snapshot, doc.snapshot.settings, doc.data
    catalogue = snapshot.catalogue

    def record(s: Summary) -> dict[str, Any]:
        text = doc.texts.get(s.path, {})
        consulting = s.consulted_on in data.period and s.published_on not in data.period
        return {
            "id": s.id,
            "title": str(text.get("title", s.title)),
            "item_zh": _item_zh(catalogue, s),
            "scope_zh": SCOPE_TITLES.get(s.scope, (s.scope, s.scope))[1],
            "cadence_zh": CADENCE_TITLES.get(s.cadence, (s.cadence, s.cadence))[1],
            "period": Quarter.parse(s.period).zh if s.period else None,
            "date_zh": zh_date(s.consulted_on if consulting else s.published_on),
            "channels": channel_names(settings, s.channels),
            "summary": str(text.get("summary") or ""),
            "body": str(text.get("body") or ""),
            "consulting": consulting,
            "follows": data.follows(s),
            "withdrawn_zh": zh_date(s.withdrawn_on),
            "reason": blot(snapshot, s.withdrawal_reason or ""),
            "adoption": data.adoptions.get(s.id, ""),
        }

    sections = []
    table = []
    for category in catalogue:
        mine = [s for s in data.published if s.category == category.slug]
        if mine:
            sections.append({"zh": category.zh, "records": [record(s) for s in mine]})
        counts = [sum(1 for s in mine if s.cadence == c) for c in CADENCE_ORDER]
        table.append({"zh": category.zh, "counts": counts, "total": sum(counts)})
    context = {
        "b": {
            "unit": settings.unit,
            "period": str(data.period),
            "period_zh": data.period.zh,
            # a quarter not yet over: what was published up to the day it was printed
            "so_far_zh": f"（截至{zh_date(doc.issued)}）" if doc.issued < data.period.end else "",
            "scope_zh": scope_zh(data.scope, data.audience, settings.audiences),
            "issued_zh": zh_date(doc.issued),
            "contact": settings.contact,
            "code": doc.code,
            "qr": (typeset.qr if fmt == "pdf" else qr_svg)(
                verify_target(settings, doc.data.scope, doc.code)
            ),
            "verify_url": verify_page(settings, doc.data.scope),
            "cadences": [{"zh": CADENCE_TITLES[c][1]} for c in CADENCE_ORDER],
            "table": table,
            "cadence_totals": [data.by_cadence.get(c, 0) for c in CADENCE_ORDER],
            "total": len(data.published),
            "internal": data.by_scope.get("internal", 0),
            "public": data.by_scope.get("public", 0),
            "quarterly": data.quarterly,
            "on_time": data.on_time,
            "sections": sections,
            "corrections": [record(s) for s in data.corrections],
            "withdrawn": [record(s) for s in data.withdrawn],
        },
        "css": css(office.root),
    }
    return _page(office, "bulletin", fmt, context, committed_files(snapshot))


# --- the yearly report ---------------------------------------------------------------


def bars(values: Sequence[tuple[str, int]], *, width: int = 420, row: int = 18) -> dict[str, Any]:
    """A horizontal bar chart's geometry, for a template to draw as inline SVG:
    one bar per (label, value), scaled to the largest."""
    label_width = 120
    longest = max((v for _label, v in values), default=0) or 1
    room = width - label_width - 40
    items = []
    for index, (label, value) in enumerate(values):
        length = round(room * value / longest) if value else 0
        items.append(
            {
                "label": label,
                "value": value,
                "y": index * row,
                "bar_x": label_width,
                "bar_w": length,
                "value_x": label_width + length + 4,
            }
        )
    return {"width": width, "height": max(row, row * len(values)), "row": row, "bars": items}


def stats_page(office: Office, stated: Stated, issued: date, fmt: str) -> Page:
    """The yearly (or quarterly) report of the disclosure programme, modelled on the
    annual reports that government information offices publish: figures only."""
    f, settings = stated.figures, stated.settings
    per_category = [
        {"code": code, "zh": zh, "public": pub, "internal": inner, "total": pub + inner}
        for code, _slug, zh, pub, inner in f.by_category
    ]
    cadences = [
        {"zh": CADENCE_TITLES[c][1], "count": n}
        for c, n in f.by_cadence.items()
        if c in CADENCE_TITLES
    ]
    channels = [
        {
            "zh": settings.channels.get(c) or CHANNEL_TITLES.get(c, (c, c))[1],
            "count": n,
        }
        for c, n in f.by_channel.items()
        if n
    ]
    months = _month_labels(f.span.start, len(f.by_month))
    problems = []
    if f.quarterly_late:
        problems.append(f"季度更新有{f.quarterly_late}项未在规定期限内公开。")
    if f.quarterly_missing:
        names = "、".join(title for _subject, title in f.quarterly_missing)
        problems.append(
            f"截至{zh_date(f.as_of)}，有{len(f.quarterly_missing)}项季度更新尚未公开：{names}。"
        )
    others = {k: n for k, n in f.overdue.items() if k not in ("quarterly", "report", "request")}
    if others:
        kinds = "、".join(
            f"{KIND_TITLES[k][1]}{n}项" for k, n in others.items() if k in KIND_TITLES
        )
        problems.append(
            f"截至{zh_date(f.as_of)}，另有{sum(others.values())}项公开事项逾期未公开：{kinds}。"
        )
    if f.silent:
        names = "、".join(f"{zh}（{code}）" for code, zh in f.silent)
        problems.append(f"党务公开目录中有{len(f.silent)}项{f.span.zh}没有公开任何信息：{names}。")
    if f.overdue_reports:
        problems.append(f"有{f.overdue_reports}件实名举报超过答复期限尚未答复。")
    if f.answered_late:
        problems.append(f"有{f.answered_late}件实名举报逾期答复。")
    if f.requests.overdue:
        problems.append(f"有{f.requests.overdue}件依申请公开超过答复期限尚未答复。")
    if f.requests.late:
        problems.append(f"有{f.requests.late}件依申请公开逾期答复。")
    context = {
        "r": {
            "unit": settings.unit,
            "span_zh": f.span.zh,
            "yearly": len(f.span.label) == 4,
            "issued_zh": zh_date(issued),
            "as_of_zh": zh_date(f.as_of),
            "commit": stated.commit[:10],
            "contact": settings.contact,
            "published": f.published,
            "public": f.by_scope.get("public", 0),
            "internal": f.by_scope.get("internal", 0),
            "withdrawn": f.withdrawn,
            "withheld": f.withheld,
            "categories": per_category,
            "cadences": cadences,
            "channels": channels,
            "category_chart": bars([(zh, pub + inner) for _c, _s, zh, pub, inner in f.by_category]),
            "month_chart": bars(list(zip(months, f.by_month, strict=True))),
            "quarterly_on_time": f.quarterly_on_time,
            "quarterly_late": f.quarterly_late,
            "quarterly_missing": [t for _s, t in f.quarterly_missing],
            "timed": len(f.submit_to_publish),
            "median_days": None if f.median_days is None else f"{f.median_days:g}",
            "max_days": f.max_days,
            "pre_disclosures": f.pre_disclosures,
            "opinions": f.opinions,
            "reports": f.reports,
            "real_name": f.real_name_reports,
            "answered_in_time": f.answered_in_time,
            "answered_late": f.answered_late,
            "overdue_reports": f.overdue_reports,
            "open_reports": f.open_reports,
            "requests": {
                "received": f.requests.received,
                "in_time": f.requests.in_time,
                "late": f.requests.late,
                "overdue": f.requests.overdue,
                "refused": f.requests.refused,
                "open": f.requests.received
                - f.requests.in_time
                - f.requests.late
                - f.requests.overdue,
            },
            "problems": problems,
        },
        "css": css(office.root),
    }
    return _page(office, "stats", fmt, context)


def _month_labels(start: date, count: int) -> list[str]:
    labels = []
    year, month = start.year, start.month
    for _n in range(count):
        labels.append(f"{month}月")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return labels


# --- the 党务公开目录 ---------------------------------------------------------------------


def catalogue_page(
    office: Office, catalogue: Catalogue, settings: Settings, issued: date, fmt: str
) -> Page:
    """The disclosure catalogue (党务公开目录) as offices post it: per item, what is
    disclosed, to whom, in what form, by when, by which department and under what."""
    categories = []
    number = 0
    for category in catalogue:
        items = []
        for item in category.items:
            number += 1
            channels = item.channels or settings.channels_for(item.scope)
            items.append(
                {
                    "number": number,
                    "code": item.code,
                    "zh": item.zh,
                    "scope": SCOPE_TITLES[item.scope][1],
                    "form": "、".join(channel_names(settings, channels)),
                    "limit": time_limit(item, settings.rules),
                    "department": item.department,
                    "basis": item.basis,
                }
            )
        categories.append({"code": category.code, "zh": category.zh, "rows": items})
    context = {
        "c": {
            "unit": settings.unit,
            "issued_zh": zh_date(issued),
            "categories": categories,
            "count": number,
            "contact": settings.contact,
        },
        "css": css(office.root),
    }
    return _page(office, "catalogue", fmt, context)


# --- the evaluation dossier -----------------------------------------------------------


def dossier_page(
    office: Office, unit: str, year: int, checks: Sequence[Any], commit: str, issued: date
) -> Page:
    """The year by the plan's five checkpoints, each with its evidence and shortfalls."""
    numerals = "一二三四五六七八九十"
    context = {
        "d": {
            "unit": unit,
            "year": year,
            "issued_zh": zh_date(issued),
            "commit": commit[:10],
            "checks": [
                {
                    "heading": f"{numerals[n]}、{c.title}",
                    "verdict": "达标" if c.met else "存在不足",
                    "met": c.met,
                    "evidence": list(c.evidence),
                    "shortfalls": list(c.shortfalls),
                }
                for n, c in enumerate(checks)
            ],
        },
        "css": css(office.root),
    }
    return _page(office, "dossier", "pdf", context)


def archive_page(office: Office, contents: Mapping[str, Any], fmt: str) -> Page:
    """The table of contents of a year's archive (归档目录): each part, each file by
    its path in the archive and what it is; ``html`` links to them."""
    return _page(office, "archive", fmt, {"a": contents, "css": css(office.root)})
