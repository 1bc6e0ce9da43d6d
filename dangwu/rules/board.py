"""What goes on the notice board and into the quarterly bulletin [seed 三(一), 三(二)].

Pure: takes record summaries, a date and the office's rules, returns what to
print. Scope is a security boundary: a public output is built only from public
records, never from anything else.

The board on a date [SPEC section 7]:
* standing and quarterly records: the newest published record of each item
  (a newer record of the item replaces the older on the board);
* timely and follow-up records published within the office's recent days;
* pre-disclosures in their comment window, marked 征求意见 with the closing date;
* never a record that a newer published record follows (it has been replaced),
  nor a withdrawn one; and only records whose channels include this board.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import unquote, urlsplit

from dangwu.errors import UsageError
from dangwu.i18n import _
from dangwu.model.catalogue import Catalogue
from dangwu.model.office import Rules
from dangwu.model.record import Summary
from dangwu.rules.schedule import Quarter, quarterly_due
from dangwu.rules.workdays import Calendar

SCOPES = ("public", "internal")
# states of a pre-disclosure between its preliminary and its formal publication
REVISING = frozenset({"consulting", "draft", "submitted", "decided", "approved"})
BOARD_CHANNEL = {"public": "public-board", "internal": "internal-board"}
LINES_PER_SHEET = 27  # what one A4 sheet holds below its header, in lines of body text
CHARS_PER_LINE = 36


@dataclass(frozen=True)
class Entry:
    """One record on the board."""

    summary: Summary
    consulting: bool = False  # a preliminary plan, out for comment

    @property
    def key(self) -> tuple[str, str, str, bool]:
        if self.consulting:  # what is up is the preliminary plan, whatever is revised since
            return (self.summary.id, self.summary.consulted_content or "", "consulting", True)
        return (self.summary.id, self.summary.content, self.summary.status, False)


@dataclass
class Sheet:
    """One printed A4 sheet: a category's records, or a page of them."""

    category: str  # slug
    code: str  # the category's code, e.g. ZZ
    page: int  # within the category
    pages: int  # of the category
    entries: list[Entry] = field(default_factory=list)
    number: int = 0  # within the whole board
    verification: str = ""

    def content_key(self) -> str:
        data = json.dumps([e.key for e in self.entries], ensure_ascii=False)
        return hashlib.sha256(data.encode("utf-8")).hexdigest()


# the board letter of a code: public, internal, or the internal board of one audience
# (特定: not a hexadecimal digit, so a code typed without hyphens reads one way)
LETTERS = {"public": "P", "internal": "I"}
AUDIENCE_LETTER = "T"
SOME_AUDIENCE = "*"  # what a typed code says of its audience: one, not which


def allowed(summary: Summary, scope: str, audience: str | None = None) -> bool:
    """Whether a record may appear in an output of ``scope`` at all: a record for one
    audience (对特定党的组织、党员公开) only in that audience's internal outputs, never
    in the office-wide ones [SPEC 14]; an audience's outputs hold the office-wide
    internal and public records besides its own."""
    if summary.audience is not None:
        return scope == "internal" and audience == summary.audience
    if scope == "public":
        return summary.scope == "public"
    return summary.scope in ("internal", "public")


def audience_of(audiences: Mapping[str, str], scope: str, audience: str | None) -> str | None:
    """An audience asked for on the command line: one of the office's, and only for an
    internal output."""
    if audience is None:
        return None
    if scope != "internal":
        raise UsageError(
            _("--audience is for internal outputs: a public one is for everyone"),
            hint=_("add --scope internal"),
        )
    return known_audience(audiences, audience)


def known_audience(audiences: Mapping[str, str], audience: str) -> str:
    """``--audience`` as typed: the key of one of the office's audiences, given by
    its key or by its name as dangwu prints it (第一党支部); else refused, naming
    them all."""
    if audience in audiences:
        return audience
    named = [key for key, name in audiences.items() if name == audience.strip()]
    if len(named) == 1:
        return named[0]
    listed = ", ".join(f"{key} ({name})" for key, name in audiences.items())
    raise UsageError(
        _("--audience: '{key}' is not one of the office's audiences").format(key=audience),
        hint=_("the office's audiences: {audiences}").format(audiences=listed)
        if audiences
        else _("name it under audiences: in dangwu.yaml"),
    )


def select(
    summaries: Iterable[Summary],
    *,
    scope: str,
    on: date,
    rules: Rules,
    audience: str | None = None,
) -> list[Entry]:
    """The records on the board of ``scope`` (of one ``audience``) on ``on``."""
    if scope not in SCOPES:
        raise UsageError(_("--scope must be public or internal"))
    channel = BOARD_CHANNEL[scope]
    every = list(summaries)
    live = [s for s in every if s.status == "published" and s.published_on and s.published_on <= on]
    live_paths = {s.path for s in live}
    # a correction takes what it follows off the board where its readers see it: an
    # internal update of a public record does not empty the public board
    replaced = {s.follows for s in live if s.follows and allowed(s, scope, audience)}
    entries: list[Entry] = []
    newest: dict[Slot, Summary] = {}
    recent = on - timedelta(days=rules.board_recent_days)
    for s in every:
        if not allowed(s, scope, audience):
            continue
        if s.consulted and s.status in REVISING:
            # the preliminary plan stays up for its whole window, while the office
            # revises the formal plan behind it
            opened, closes = s.consulted_on, s.closes_on
            posted = channel in (s.consulted_channels or s.channels)
            if posted and opened and opened <= on and (closes is None or on <= closes):
                entries.append(Entry(s, consulting=True))
            continue
        if channel not in (s.published_channels or s.channels):
            continue
        if s.path not in live_paths or s.id in replaced:
            continue
        if s.cadence in ("standing", "quarterly"):
            slot = (s.category, s.item, s.audience or "")
            held = newest.get(slot)
            if held is None or _newer(s, held):
                newest[slot] = s
        elif s.published_on and s.published_on > recent:
            entries.append(Entry(s))
    entries += [Entry(s) for s in newest.values()]
    return entries


def may_be_posted(summary: Summary, *, scope: str, since: date, rules: Rules) -> bool:
    """Whether a record, as it stands, could be on the board of ``scope`` on some day
    from ``since`` on, or take another off it, whatever the other records are:
    ``select`` on those days needs only these of a long history (a standing or
    quarterly item stays until a newer one replaces it; a timely one for
    ``rules.board_recent_days``)."""
    published = summary.status == "published" and summary.published_on is not None
    if published and summary.follows:
        return True  # it takes the record it corrects off the board
    if not allowed(summary, scope):
        return False
    if summary.consulted and summary.status in REVISING:
        return True  # its window may close later than its file says (a server's receipt)
    if not published or summary.published_on is None:
        return False
    if summary.cadence in ("standing", "quarterly"):
        return True
    return summary.published_on > since - timedelta(days=rules.board_recent_days)


def _newer(a: Summary, b: Summary) -> bool:
    return _age(a) > _age(b)


def _age(s: Summary) -> tuple[str, str, str]:
    """How new a standing or quarterly record is in its slot: its period, then when it
    was published; its id settles a tie, whatever order the records come in."""
    return (s.period or "", s.published or "", s.id)


# a catalogue item (category and item) as the office discloses it, or as one audience
# does: a branch's own record of an item stands beside the office-wide one on the
# branch's board, and does not take it down
Slot = tuple[str, str, str]


def slot_of(summary: Summary) -> Slot | None:
    """The item a published standing or quarterly record holds on the board, where
    only the newest is up; None for any other record, and for a correction (which
    must be kept whatever its age: it takes the record it corrects off)."""
    if summary.status != "published" or summary.follows:
        return None
    if summary.cadence not in ("standing", "quarterly"):
        return None
    return (summary.category, summary.item, summary.audience or "")


def still_up(
    members: Iterable[Summary], *, scope: str, since: date, corrected: Container[str]
) -> list[Summary]:
    """Of one item's standing or quarterly records (see ``slot_of``), those that could
    be its newest on the board of ``scope`` on a day from ``since`` on: the newest
    that is surely up on every such day (published by then, on the board's channel,
    corrected by no record: ``corrected`` holds the ids some record follows), and
    every newer one. The older are never the newest while these records stand."""
    channel = BOARD_CHANNEL[scope]
    ordered = sorted(members, key=_age, reverse=True)
    for n, s in enumerate(ordered):
        up = s.published_on is not None and s.published_on <= since and allowed(s, scope)
        if up and channel in (s.published_channels or s.channels) and s.id not in corrected:
            return ordered[: n + 1]
    return ordered


def posted(summaries: Iterable[Summary], *, scope: str, since: date, rules: Rules) -> list[Summary]:
    """Of a history's records, those ``select`` needs for any day from ``since`` on."""
    every = list(summaries)
    corrected = {s.follows for s in every if s.follows}
    slots: dict[Slot, list[Summary]] = {}
    out = []
    for s in every:
        if not may_be_posted(s, scope=scope, since=since, rules=rules):
            continue
        slot = slot_of(s)
        if slot is None:
            out.append(s)
        else:
            slots.setdefault(slot, []).append(s)
    for members in slots.values():
        out += still_up(members, scope=scope, since=since, corrected=corrected)
    return out


def sheets(entries: Sequence[Entry], catalogue: Catalogue, excerpts: dict[str, str]) -> list[Sheet]:
    """The entries laid out on sheets: one or more per category, catalogue order.

    ``excerpts`` gives the text each record shows (its summary), to judge how
    much fits on a sheet; an item's title is never separated from its text.
    """
    out: list[Sheet] = []
    for category in catalogue:
        order = {item.slug: n for n, item in enumerate(category.items)}
        mine = sorted(
            (e for e in entries if e.summary.category == category.slug),
            key=lambda e: (
                not e.consulting,
                order.get(e.summary.item, 99),
                -_stamp(e.summary.published or e.summary.consulted),
                e.summary.id,
            ),
        )
        if not mine:
            continue
        pages: list[list[Entry]] = [[]]
        used = 0
        for entry in mine:
            cost = _lines(entry, excerpts.get(entry.summary.path, ""))
            if pages[-1] and used + cost > LINES_PER_SHEET:
                pages.append([])
                used = 0
            pages[-1].append(entry)
            used += cost
        for number, page in enumerate(pages, 1):
            out.append(Sheet(category.slug, category.code, number, len(pages), page))
    for number, sheet in enumerate(out, 1):
        sheet.number = number
    return out


def _stamp(value: str | None) -> float:
    if not value:
        return 0.0

    try:
        return datetime.fromisoformat(value).timestamp()
    except ValueError:
        return 0.0


def _lines(entry: Entry, text: str) -> int:
    title = len(entry.summary.title) // 28 + 1
    body = len(text) // CHARS_PER_LINE + 1
    return title + body + 2 + (2 if entry.consulting else 0)


# --- verification codes ---------------------------------------------------------------

# the code as people copy it: any case, hyphens and spaces anywhere or nowhere; the last
# group is the sheet's check (4) and, since sheets carry it, a copying check (1)
# as printed, the hyphens saying where each part ends
_HYPHENATED = re.compile(
    r"([0-9A-F]{7,40})-([IPT])([A-Z]{2,4})(\d{1,3})-(\d{6})-([A-Z0-9]{4})([0-9A-Z])?"
)
# without its hyphens, a code whose check starts with figures reads more than one way
# (…-IZZ1-261118-96ZYU): each length of the sheet's number is tried, by its day
_RUN_TOGETHER = [
    re.compile(
        rf"([0-9A-F]{{7,40}}?)([IPT])([A-Z]{{2,4}})(\d{{{n}}})(\d{{6}})([A-Z0-9]{{4}})([0-9A-Z])?"
    )
    for n in (1, 2, 3)
]
# Letters for the check: no I, L, O, U, 0 or 1, which a person misreads or mistypes.
CHECK_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ALNUM_VALUE = {char: value for value, char in enumerate(_ALNUM)}
# what a hyphen becomes when text is copied out of a PDF or a word processor
_SEPARATORS = dict.fromkeys(map(ord, " -‐‑‒–—―−－\u00ad\t\n"), None)
_SEPARATED = re.compile("[" + re.escape("".join(map(chr, _SEPARATORS))) + "]+")


def copy_check(text: str) -> str:
    """ISO/IEC 7064 MOD 37,36 over the letters and digits of ``text``: one character
    that catches any single character copied wrong and nearly every two neighbours
    swapped (measured: all 2.2 million single changes of 3,000 random codes, and all
    but 0.15% of their swaps)."""
    product = 36
    for char in text:
        product = _NEXT_PRODUCT[product][char]
    return _ALNUM[(37 - product) % 36]


# copy_check's step for each product so far and character: ((product + value) mod 36,
# 36 for 0) * 2 mod 37, looked up (a site's verify page checks some 70,000 codes)
_NEXT_PRODUCT = [
    {char: ((product + value) % 36 or 36) * 2 % 37 for char, value in _ALNUM_VALUE.items()}
    for product in range(37)
]


def has_copy_check(text: str) -> bool:
    """Whether a typed code carries the copying check (the sheets printed since it
    was added do)."""
    groups = _groups(text)
    return bool(groups and groups[6] is not None)


def _groups(text: str) -> tuple[str | None, ...] | None:
    """The parts of a typed code: commit, board letter, category, sheet, day, check and
    copying check; None when it is no code at all. Where the hyphens are there, they
    say where each part ends."""
    parts = [p for p in _SEPARATED.split(text.strip().upper()) if p]
    hyphenated = _HYPHENATED.fullmatch("-".join(parts))
    if hyphenated:
        return hyphenated.groups()
    together = "".join(parts)
    readings = [m.groups() for r in _RUN_TOGETHER if (m := r.fullmatch(together))]
    return next((g for g in readings if _day(str(g[4]))), readings[0] if readings else None)


def _day(yymmdd: str) -> date | None:
    """The day a code's six figures name, if there is one."""
    try:
        return date(2000 + int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:]))
    except ValueError:
        return None


def _copied_right(text: str) -> bool:
    return copy_check(text[:-1]) == text[-1]


@dataclass(frozen=True)
class Code:
    """What a sheet's verification code says: which commit, board, sheet and day."""

    commit: str
    scope: str
    category_code: str
    page: int
    on: date
    audience: str = ""  # the audience's key; SOME_AUDIENCE as typed, before it is found

    def check(self, content_key: str, full_commit: str) -> str:
        parts = [
            full_commit,
            self.scope,
            self.category_code,
            str(self.page),
            self.on.isoformat(),
            content_key,
        ]
        seed = "|".join(parts + ([self.audience] if self.audience else []))
        digest = hashlib.sha256(seed.encode("utf-8")).digest()
        a, b, c, d = digest[:4]
        n = len(CHECK_ALPHABET)
        return (
            CHECK_ALPHABET[a % n]
            + CHECK_ALPHABET[b % n]
            + CHECK_ALPHABET[c % n]
            + CHECK_ALPHABET[d % n]
        )

    def text(self, content_key: str, full_commit: str) -> str:
        letter = AUDIENCE_LETTER if self.audience else LETTERS[self.scope]
        body = (
            f"{full_commit[:8]}-{letter}{self.category_code}{self.page}-"
            f"{self.on.year % 100:02d}{self.on.month:02d}{self.on.day:02d}-"
            f"{self.check(content_key, full_commit)}"
        )
        return body + copy_check(body.replace("-", "").upper())


def from_address(text: str) -> str:
    """The code in what a phone read from a sheet's QR code: the verify page's address
    (``https://…/verify/?c=CODE``) holds it after ``c=``; anything else is the code."""
    found = re.search(r"[?&#]c=([^&#\s]+)", text) if "/" in text else None
    if found is None:
        return text
    return unquote(found.group(1))


def elsewhere(text: str, site_url: str) -> str | None:
    """Where an address read from a QR code leads, when it is not the office's own
    verify page (``site_url``/verify/): a sheet carrying a real code with a QR code
    of someone else's is not what the office printed. None when it is the office's,
    when the office has no site address, or when ``text`` is a code, not an address."""
    if not site_url or "/" not in text or from_address(text) == text:
        return None
    found, own = urlsplit(text.strip()), urlsplit(site_url.rstrip("/") + "/verify/")
    same_site = (found.scheme.lower(), found.netloc.lower()) == (
        own.scheme.lower(),
        own.netloc.lower(),
    )
    page = own.path.rstrip("/")
    if same_site and found.path.rstrip("/") in (page, f"{page}/index.html"):
        return None
    return f"{found.scheme}://{found.netloc}{found.path}"


def parse_code(text: str) -> tuple[Code, str]:
    """A typed code: (what it names, its check letters). Hyphens, spaces and case do
    not matter; a code whose copying check fails was copied wrong, and is said so."""
    text = from_address(text)
    cleaned = text.translate(_SEPARATORS).upper()
    match = _groups(text)
    if match is None:
        raise UsageError(
            _(
                "'{code}' is not a verification code; they look like 7f3a9c2e-PZZ1-261126-QX4TK"
            ).format(code=text.strip()),
            hint=_("copy all of it from the foot of the sheet, after 核验码"),
        )
    if match[6] is not None and not _copied_right(cleaned):
        # a code copied wrong and a code made up look alike here: most likely the first
        raise UsageError(
            _(
                "'{code}' does not check out: most likely a character was copied wrong or "
                "two were swapped (抄错了)"
            ).format(code=text.strip()),
            hint=_(
                "compare it with the sheet character by character and type it again; if it "
                "is exactly as printed, this office did not print that sheet"
            ),
        )
    commit, letter, category, page, day, check, _copy = (str(part) for part in match)
    commit = commit.lower()
    on = _day(day)
    if on is None:
        raise UsageError(_("'{code}' names a day that does not exist").format(code=text))
    scope = "public" if letter == "P" else "internal"
    audience = SOME_AUDIENCE if letter == AUDIENCE_LETTER else ""
    return Code(commit, scope, category, int(page), on, audience), check


def stamp(
    sheets_: Sequence[Sheet], *, scope: str, on: date, commit: str, audience: str | None = None
) -> None:
    """Give each sheet its verification code."""
    for sheet in sheets_:
        code = Code(commit[:8], scope, sheet.code, sheet.page, on, audience or "")
        sheet.verification = code.text(sheet.content_key(), commit)


# --- the quarterly bulletin -------------------------------------------------------------


@dataclass
class Bulletin:
    period: Quarter
    scope: str
    published: list[Summary]  # published (or first published for comment) in the quarter
    withdrawn: list[Summary]  # withdrawn in the quarter
    corrections: list[Summary]  # published in the quarter and continuing or correcting another
    by_category: dict[str, int]
    by_cadence: dict[str, int]
    by_scope: dict[str, int]
    quarterly: int  # quarterly updates published in the quarter
    on_time: int  # of which by their deadline
    audience: str | None = None  # the audience it is for, if one
    # what became of the opinions on each formal plan published in the quarter (采纳情况),
    # by record id: printed under the plan, and part of what the code vouches for
    adoptions: dict[str, str] = field(default_factory=dict)
    # the records this bulletin's readers may see: a correction of one of the others
    # (a public update of an internal record) does not name it
    visible: frozenset[str] = frozenset()

    def follows(self, s: Summary) -> str | None:
        """What a correction says it continues: the record's id, where its readers
        may see it."""
        if not s.follows:
            return None
        return s.follows if s.follows in self.visible else "此前记录"

    def content_key(self) -> str:
        """What the bulletin shows, as a hash: each record with its content and state,
        the withdrawals, and the formal plans' adoption summaries."""
        shown = [
            [str(self.period), self.scope],
            [[s.id, s.content, s.status, s.consulted_content or ""] for s in self.published],
            [[s.id, s.withdrawn or ""] for s in self.withdrawn],
        ]
        if self.adoptions:  # bulletins without a formal plan keep the codes they had
            shown.append(sorted(self.adoptions.items()))
        return hashlib.sha256(json.dumps(shown, ensure_ascii=False).encode()).hexdigest()

    def code(self, *, commit: str, issued: date) -> str:
        """The bulletin's verification code (``bulletin_code``)."""
        return bulletin_code(
            self.period, self.scope, self.content_key(), commit, issued, self.audience
        )


def formal_plans(bulletin: Bulletin) -> list[Summary]:
    """The plans of a bulletin published in its quarter after comment: each says what
    became of the opinions on it."""
    return [
        s
        for s in bulletin.published
        if s.consulted and s.status == "published" and s.published_on in bulletin.period
    ]


def bulletin_code(
    period: Quarter,
    scope: str,
    content_key: str,
    commit: str,
    issued: date,
    audience: str | None = None,
) -> str:
    """The code of a bulletin of ``period`` showing ``content_key``, printed from
    ``commit`` on ``issued``: the sheet code's shape, its 'category' GB (公报) and its
    'page' the year and quarter (263: 2026Q3)."""
    page = (period.year % 100) * 10 + period.number
    code = Code(commit[:8], scope, BULLETIN, page, issued, audience or "")
    return code.text(content_key, commit)


# the code a bulletin's verification code carries where a sheet's carries its category
BULLETIN = "GB"


def bulletin_period(code: Code) -> Quarter | None:
    """The quarter a bulletin's code names (None: not a bulletin's code)."""
    if code.category_code != BULLETIN or not 1 <= code.page % 10 <= 4 or code.page < 10:
        return None
    return Quarter(2000 + code.page // 10, code.page % 10)


def bulletin(
    summaries: Iterable[Summary],
    *,
    period: Quarter,
    scope: str,
    rules: Rules,
    catalogue: Catalogue,
    audience: str | None = None,
) -> Bulletin:
    """Everything published in the quarter (for the office, or one ``audience``), by
    category in catalogue order."""
    if scope not in SCOPES:
        raise UsageError(_("--scope must be public or internal"))
    every = [s for s in summaries if allowed(s, scope, audience)]
    order = {c.slug: n for n, c in enumerate(catalogue)}

    def when(s: Summary) -> date | None:
        return s.published_on if s.published_on in period else s.consulted_on

    published = sorted(
        (s for s in every if (s.published_on in period or s.consulted_on in period)),
        key=lambda s: (order.get(s.category, 99), str(when(s)), s.id),
    )
    withdrawn = sorted((s for s in every if s.withdrawn_on in period), key=lambda s: s.id)
    corrections = [s for s in published if s.follows and s.cadence != "quarterly"]
    followed = {s.follows for s in published if s.follows}
    by_category: dict[str, int] = {}
    by_cadence: dict[str, int] = {}
    by_scope: dict[str, int] = {}
    for s in published:
        by_category[s.category] = by_category.get(s.category, 0) + 1
        by_cadence[s.cadence] = by_cadence.get(s.cadence, 0) + 1
        by_scope[s.scope] = by_scope.get(s.scope, 0) + 1
    quarterly = [s for s in published if s.cadence == "quarterly" and s.period and s.published_on]
    on_time = 0
    calendar = Calendar(rules)
    for s in quarterly:
        try:
            own = catalogue.days_of(s.category, s.item)
            deadline = quarterly_due(Quarter.parse(str(s.period)), calendar, own)
        except UsageError:
            continue
        if s.published_on and s.published_on <= deadline:
            on_time += 1
    return Bulletin(
        period,
        scope,
        published,
        withdrawn,
        corrections,
        by_category,
        by_cadence,
        by_scope,
        len(quarterly),
        on_time,
        audience,
        # only the records those published follow are asked about: kept to those
        visible=frozenset(s.id for s in every if s.id in followed) if followed else frozenset(),
    )
