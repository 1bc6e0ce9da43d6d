"""The secrecy review (保密审查): what a disclosure record must not carry.

The scan is pure: it takes text (or a parsed record) and returns findings. It
looks for five kinds of thing, and errs on the side of flagging, because an
approver can override a finding with a reason but nobody can take back a
published secret.

``classification`` (密级标志)
    * 绝密, 机密 and 秘密 anywhere, with their star forms (``秘密★1年``,
      ``机密★``, ``★绝密``) and with a space inside (``秘 密``), **except** where
      the word names a kind of secret being talked about rather than marking
      the record: directly after 国家, 党内, 工作 or 商业 (保守党内秘密,
      不得泄露国家秘密, 商业机密), or after a verb of keeping or leaking
      (保守, 严守, 泄露, 泄漏) within the twelve characters before it and in
      the same clause (保守党和国家的秘密, 严守党的秘密). A starred form is
      always a mark.
      Flagged: 秘密文件, 本材料属于秘密, 密级：秘密, 机密, 秘密★1年, 保守秘密★.
      Not flagged: 正确处理好党务公开与保守党内秘密的关系, 保守秘密, 国家秘密.
    * 内部 only where it is used as a mark: 内部资料, 内部文件, 内部材料,
      内部刊物, 内部使用, 内部传阅, 内部事项, 内部发行, 内部参考, 内部掌握;
      内部★ and ★内部; 内部 alone in brackets or quotes (（内部）, 【内部】,
      [内部], “内部”); 密级：内部; and 内部 alone on a line. Ordinary prose is not
      flagged: 局机关内部网, 内部控制, 党内部署 (党内 + 部署, not 内部).

``id-card`` (居民身份证号码)
    18 characters, 17 digits and a digit or X, whose GB 11643-1999 check digit
    is right and whose birth date (YYYYMMDD) is a real date from 1900 to today,
    not inside a longer run of digits or letters; written whole or as 6-8-4
    groups. Also the old 15-digit form whose YYMMDD is a real date in the
    1900s, not inside a longer run of digits or letters.

``mobile`` (手机号码)
    11 digits starting 13-19, whole or in up to four groups split by spaces or
    hyphens (3-4-4, 4-3-4, 3-8), or digit by digit, optionally after +86, 86,
    0086 or (+86), not inside a longer run of digits (letters may touch it:
    TEL13812345678), also in Chinese numerals (一三八一二三四五六七八). Landlines
    (0758-2281234) start with 0 and are not flagged, nor a list of small numbers
    (1 3 5 7 9 11 13 15).

``bank-card`` (银行卡号)
    16 to 19 digits, whole or in groups of four split by spaces or hyphens,
    that pass the Luhn check, are not an ID-card number and are not inside a
    longer run of digits or letters (a code like 91440100MA5D... is not a card).

``reporter``
    Any of the caller's ``sensitive`` strings (real-name reporters' names and
    contacts) of two characters or more; ASCII letters match in any case, and
    an entry that starts or ends with an ASCII letter or digit does not match
    inside a longer word (``li`` does not match ``policy``).

Full-width digits, letters and punctuation (１３８, ＋８６) are read as their
ASCII forms. Amounts (42,600), years (2026年), dates and landlines are not
flagged. Every excerpt of personal data is masked, so a finding does not
spread what it found.
"""

from __future__ import annotations

import functools
import html
import importlib.resources
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import yaml

from dangwu import yamlio
from dangwu.i18n import _

CLASSIFICATION = "classification"
ID_CARD = "id-card"
MOBILE = "mobile"
BANK_CARD = "bank-card"
REPORTER = "reporter"

#: The fields people write whose text is scanned (attachments: the paths only).
SCANNED_FIELDS = ("title", "summary", "body", "attachments")


@dataclass(frozen=True)
class Finding:
    """Something a record must not disclose, located in the record file."""

    kind: str
    field: str
    line: int
    col: int
    excerpt: str
    message: str


@dataclass(frozen=True)
class _Hit:
    """A finding within one text: character offsets, before it is located."""

    start: int
    end: int
    kind: str
    excerpt: str
    message: str


# --- reading the text ---------------------------------------------------------------

# One character for one character, so offsets in the normalised text are offsets
# in the original: full-width digits, letters and signs, and the dashes and spaces
# people type between digit groups. Full-width brackets and colons are common in
# Chinese text and cheaper to name in the patterns themselves.
_NORMALISE: dict[int, int] = {0xFF10 + i: ord("0") + i for i in range(10)}
_NORMALISE.update({0xFF21 + i: ord("A") + i for i in range(26)})
_NORMALISE.update({0xFF41 + i: ord("a") + i for i in range(26)})
_NORMALISE.update({ord(c): ord("-") for c in "\u2010\u2011\u2012\u2013\u2014\u2212\uff0d"})
_NORMALISE.update({0x3000: ord(" "), 0xA0: ord(" "), 0xFF0B: ord("+")})
_NARROW = {chr(wide): chr(narrow) for wide, narrow in _NORMALISE.items()}
_WIDE = re.compile("[" + "".join(re.escape(c) for c in sorted(_NARROW)) + "]")


def _narrowed(text: str) -> str:
    """``text`` with the characters of _NORMALISE replaced, one for one (a regular
    expression finds the few there are faster than str.translate walks them all)."""
    if _WIDE.search(text) is None:
        return text
    return _WIDE.sub(lambda match: _NARROW[match.group()], text)


# Eleven digits or more, single spaces or hyphens allowed between them: every
# number looked for lies in such a run (its prefix, like "(+86) ", just before).
_RUN = re.compile(r"[0-9](?:[ -]?[0-9]){10,}")
_RUN_CONTEXT = 6
_SEPARATOR = re.compile(r"[ -]")
_PERIOD = r"(?: *(?:[0-9]+ *(?:年|个月|月|天|日)|长期))?"

# in simplified and traditional characters (絕密, 機密) and the variant 祕密
_MARK_WORD = r"(?:[绝絕] ?密|[机機] ?密|[秘祕] ?密)"
_STAR_TAIL = r"(?: *[★☆]" + _PERIOD + r")?"
# two branches rather than an optional leading star: a pattern that starts with
# known characters lets the regular expression engine skip ahead to them
_MARK = re.compile(r"[★☆] *" + _MARK_WORD + _STAR_TAIL + "|" + _MARK_WORD + _STAR_TAIL)
_SECRET_KINDS = ("国家", "党内", "工作", "商业")
_KEEPING_VERBS = ("保守", "严守", "泄露", "泄漏")
_CLAUSE_END = re.compile(r"[，。；：、！？,.;:!?\n()\[\]【】“”\"'‘’《》]")
_VERB_REACH = 12

_INTERNAL = re.compile(
    r"内部(?:资料|文件|材料|刊物|使用|传阅|事项|发行|参考|掌握)"
    r"|[★☆] *内部"
    r"|内部 *[★☆]" + _PERIOD + r"|[(（\[【〔「『“‘\"'《<] *内部 *[)）\]】〕」』”’\"'》>]"
    r"|密级 *[:：]? *内部"
    r"|(?P<alone>内部)[ \r]*$",
    re.MULTILINE,
)

_ID18 = re.compile(
    r"(?<![0-9A-Za-z])[1-9][0-9]{5}(?P<sep>[ -]?)(?:19|20)[0-9]{6}(?P=sep)[0-9]{3}[0-9Xx]"
    r"(?![0-9A-Za-z])"
)
_ID15 = re.compile(r"(?<![0-9A-Za-z])[1-9][0-9]{14}(?![0-9A-Za-z])")
_BANK = re.compile(
    r"(?<![0-9A-Za-z])(?:[1-9][0-9]{15,18}"
    r"|[1-9][0-9]{3}(?P<sep>[ -])[0-9]{4}(?P=sep)[0-9]{4}(?P=sep)[0-9]{4}(?:(?P=sep)[0-9]{1,3})?)"
    r"(?![0-9A-Za-z])"
)
# eleven digits starting 13-19, a space or hyphen allowed between any two: written
# whole, 3-4-4, 4-3-4 or 3-8, and digit by digit (1 3 8 1 ...); see _mobile_grouping
_MOBILE = re.compile(
    r"(?<![0-9+])(?P<prefix>(?:\+|00)?86[ -]?|[(（]\+?86[)）] ?)?"
    r"(?P<number>1[ -]?[3-9](?:[ -]?[0-9]){9})(?![0-9])"
)


def _mobile_grouping(number: str) -> bool:
    """Whether the digits of a mobile-shaped run are grouped as a number is written:
    at most three breaks, or every digit apart (a clerk spacing them out); a list
    of numbers (1 3 5 7 9 11 13 15) is neither."""
    groups = _SEPARATOR.split(number)
    return len(groups) <= 4 or all(len(group) == 1 for group in groups)


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_check_character(first17: str) -> str:
    """The GB 11643-1999 check character (0-9 or X) for 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def luhn_ok(digits: str) -> bool:
    """Whether a string of digits passes the Luhn check (ISO/IEC 7812)."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if index % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _birth_date(year: int, month: int, day: int, today: date) -> bool:
    try:
        born = date(year, month, day)
    except ValueError:
        return False
    return date(1900, 1, 1) <= born <= today


def _valid_id18(number: str, today: date) -> bool:
    if id_check_character(number[:17]) != number[17].upper():
        return False
    return _birth_date(int(number[6:10]), int(number[10:12]), int(number[12:14]), today)


def _valid_id15(number: str, today: date) -> bool:
    return _birth_date(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12]), today)


# --- what is printed ---------------------------------------------------------------
#
# A record is checked, and blotted, as it will be printed [SPEC 11]: entities decoded,
# Markdown's inline markup dropped, Unicode compatibility forms folded (NFKC: ＡＢ１
# is AB1) and invisible characters removed. Each character of that view remembers
# the span of the original it came from, so a finding points into the file and a
# blot covers everything that printed the secret.

# Unicode's invisible format characters (category Cf, Unicode 15), as ranges: bidi
# controls that reorder what is printed, zero-width spaces and joiners, soft hyphens,
# tags. Kept here as ranges because finding them by category would walk all of
# Unicode; a test checks the list against the unicodedata of the Python running it.
FORMAT_RANGES = (
    (0x00AD, 0x00AD),
    (0x0600, 0x0605),
    (0x061C, 0x061C),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x180E, 0x180E),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x206F),
    (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
)
# Letters, marks and symbols that print as nothing: the combining grapheme joiner, Hangul
# fillers, the Khmer inherent vowels (which Unicode says not to use) and the blank
# Braille pattern.
BLANK_RANGES = (
    (0x034F, 0x034F),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x2800, 0x2800),
    (0x3164, 0x3164),
    (0xFFA0, 0xFFA0),
)
# Variation selectors change a glyph's look, never which character it is.
SELECTOR_RANGES = ((0xFE00, 0xFE0F), (0xE0100, 0xE01EF))


def _class(ranges: Iterable[tuple[int, int]]) -> str:
    return "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    )


# what a record may not contain (validate says where)
HIDDEN = re.compile(f"[{_class((*FORMAT_RANGES, *BLANK_RANGES))}]")
_UNPRINTED = f"{_class((*FORMAT_RANGES, *BLANK_RANGES, *SELECTOR_RANGES))}"
_DROPPED = re.compile(f"[{_UNPRINTED}]")
# Markdown's inline markup: emphasis, code, strike-through, escapes
MARKUP = "*_`~\\"
_ENTITY = re.compile(r"&(?:#[0-9]{1,7};|#[xX][0-9A-Fa-f]{1,6};|[A-Za-z][A-Za-z0-9]{1,31};)")


def hidden_characters(text: str) -> list[tuple[int, str]]:
    """Where ``text`` has characters that print as nothing or reorder what is printed:
    (offset, U+XXXX name)."""
    return [
        (m.start(), f"U+{ord(m.group()):04X} {unicodedata.name(m.group(), '')}".strip())
        for m in HIDDEN.finditer(text)
    ]


@dataclass(frozen=True)
class Printed:
    """A text as it prints, and where each of its characters came from: character
    ``i`` of ``text`` is ``original[starts[i]:ends[i]]`` (``starts`` None: the same
    place, the text needed no change)."""

    text: str
    original: str
    starts: tuple[int, ...] | None = None
    ends: tuple[int, ...] | None = None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original that printed ``text[start:end]``."""
        if self.starts is None or self.ends is None:
            return start, end
        if start >= end:
            at = self.starts[start] if start < len(self.starts) else len(self.original)
            return at, at
        return self.starts[start], self.ends[end - 1]


# Full-width punctuation and the ideographic space: NFKC folds them to ASCII, but they
# hide nothing (the patterns read both forms), and Chinese text is full of them.
_WIDE_PUNCTUATION = re.compile("[\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]")
# Characters NFKC leaves alone, or folds harmlessly, in which nearly all text is
# written: ASCII, CJK ideographs, CJK and general punctuation, full-width forms.
_NFKC_UNCERTAIN = re.compile(
    "[^\n\t\r\x20-\x7e\u00b7\u00d7\u2010-\u2027\u2030-\u203a\u3001-\u3035\u3037"
    "\u303b-\u303f\u4e00-\u9fff\uff01-\uff5e]"
)
_MARKUP_OR_ENTITY = re.compile(f"[&{re.escape(MARKUP)}]")
# what prints as nothing though str.isprintable() calls it printable (no Cf: those are
# not printable), split so the common case never meets the slow astral ranges
_BLANK_BMP = re.compile(
    f"[{_class(r for r in (*BLANK_RANGES, *SELECTOR_RANGES) if r[1] <= 0xFFFF)}]"
)
_BLANK_ASTRAL = re.compile(f"[{_class(r for r in SELECTOR_RANGES if r[0] > 0xFFFF)}]")


def _plain(text: str, markup: bool) -> bool:
    """Whether ``text`` prints as it is written (after _narrowed): no entity, no markup,
    nothing invisible, nothing NFKC would fold (but wide punctuation). Each test is one
    pass in C; this is the path nearly every text takes."""
    if ("&" in text) if not markup else _MARKUP_OR_ENTITY.search(text) is not None:
        return False
    if not text.replace("\n", "").replace("\t", "").replace("\r", "").isprintable():
        return False  # format characters (bidi, zero-width...) and controls
    if _BLANK_BMP.search(text) is not None:
        return False
    if len(text.encode("utf-16-le")) != 2 * len(text) and _BLANK_ASTRAL.search(text):
        return False
    if _NFKC_UNCERTAIN.search(text) is None:
        return True
    return unicodedata.is_normalized("NFKC", text) or unicodedata.is_normalized(
        "NFKC", _WIDE_PUNCTUATION.sub("", text)
    )


def printed(text: str, *, markup: bool = True) -> Printed:
    """``text`` as it prints: entities decoded, compatibility forms folded (NFKC),
    invisible characters dropped and, with ``markup``, Markdown's inline markup
    characters dropped."""
    narrow = _narrowed(text)  # one character for one: offsets hold
    if _plain(narrow, markup):
        return Printed(narrow, text)
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []

    def emit(piece: str, start: int, end: int) -> None:
        for char in unicodedata.normalize("NFKC", piece):
            if _DROPPED.match(char) is None:
                chars.append(char)
                starts.append(start)
                ends.append(end)

    i = 0
    while i < len(narrow):
        char = narrow[i]
        if char == "&":
            entity = _ENTITY.match(narrow, i)
            if entity is not None:
                decoded = html.unescape(entity.group())
                if decoded != entity.group():
                    emit(_narrowed(decoded), i, entity.end())
                    i = entity.end()
                    continue
        if not (markup and char in MARKUP):
            emit(char, i, i + 1)
        i += 1
    return Printed("".join(chars), text, tuple(starts), tuple(ends))


# --- masking -------------------------------------------------------------------------


def _mask_digits(original: str, normal: str, keep_first: int, keep_last: int) -> str:
    """Star every digit (and X) but the first and last few; keep separators."""
    positions = [i for i, c in enumerate(normal) if c.isdigit() or c in "Xx"]
    hidden = set(positions[keep_first : len(positions) - keep_last])
    return "".join("*" if i in hidden else c for i, c in enumerate(original))


def mask_contact(value: str) -> str:
    """All but the first character starred; an e-mail address keeps its domain."""
    local, at, domain = value.partition("@")
    if at and local:
        return local[0] + "*" * (len(local) - 1) + "@" + domain
    return value[:1] + "*" * (len(value) - 1)


# --- the engine ----------------------------------------------------------------------


def _is_discussion(normal: str, start: int) -> bool:
    """Whether a secrecy word at ``start`` names a kind of secret being talked about."""
    if normal.endswith(_SECRET_KINDS, 0, start):
        return True
    reach = max(0, start - _VERB_REACH)
    for verb in _KEEPING_VERBS:
        at = normal.rfind(verb, reach, start)
        if at >= 0 and _CLAUSE_END.search(normal, at, start) is None:
            return True
    return False


def _classification(original: str, normal: str) -> list[_Hit]:
    hits: list[_Hit] = []
    if "密" in normal:
        for match in _MARK.finditer(normal):
            starred = "★" in match.group() or "☆" in match.group()
            if not starred and _is_discussion(normal, match.start()):
                continue
            hits.append(_mark_hit(original, match.start(), match.end()))
    if "内部" in normal:
        for match in _INTERNAL.finditer(normal):
            start = match.start()
            if match.group("alone") and normal[normal.rfind("\n", 0, start) + 1 : start].strip(" "):
                continue  # 内部 ends the line but does not stand alone on it
            hits.append(_mark_hit(original, start, match.end()))
    return hits


def _mark_hit(original: str, start: int, end: int) -> _Hit:
    mark = original[start:end].strip()
    start += len(original[start:end]) - len(original[start:end].lstrip())
    return _Hit(
        start,
        start + len(mark),
        CLASSIFICATION,
        mark,
        _("classification mark '{mark}' — a public record must not carry it").format(mark=mark),
    )


# a number written in Chinese numerals, as a number is read aloud (一三八一二三四五六七八,
# 幺 and 两 as in speech): read as digits where seven or more stand together, so a
# date (二〇二六年) or a numeral before digits (其一13812345678) stays as it is
_CHINESE_NUMERAL_RUN = re.compile(
    r"[〇零一二三四五六七八九幺两](?:[ -]?[〇零一二三四五六七八九幺两]){6,}"
)
_AS_DIGITS = str.maketrans("〇零一二三四五六七八九幺两", "0012345678912")


def _numbers(original: str, normal: str, today: date) -> list[_Hit]:
    # one character for one: what is found is placed in the original as it is
    normal = _CHINESE_NUMERAL_RUN.sub(lambda m: m.group().translate(_AS_DIGITS), normal)
    hits: list[_Hit] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    def add(start: int, end: int, kind: str, excerpt: str, message: str) -> None:
        taken.append((start, end))
        hits.append(_Hit(start, end, kind, excerpt, message))

    for run in _RUN.finditer(normal):
        # the exact patterns look only around the run, where a number can be
        lo, hi = max(0, run.start() - _RUN_CONTEXT), min(len(normal), run.end() + 1)
        digits = len(_SEPARATOR.sub("", run.group()))
        for match in _ID18.finditer(normal, lo, hi) if digits >= 17 else ():
            s, e = match.span()
            if free(s, e) and _valid_id18(_SEPARATOR.sub("", match.group()), today):
                excerpt = _mask_digits(original[s:e], normal[s:e], 3, 4)
                add(s, e, ID_CARD, excerpt, _id_message(excerpt))
        for match in _BANK.finditer(normal, lo, hi) if digits >= 16 else ():
            s, e = match.span()
            number = _SEPARATOR.sub("", match.group())
            if (
                free(s, e)
                and luhn_ok(number)
                and not (len(number) == 18 and _valid_id18(number, today))
            ):
                excerpt = _mask_digits(original[s:e], normal[s:e], 4, 4)
                add(
                    s,
                    e,
                    BANK_CARD,
                    excerpt,
                    _("looks like a bank card number ({excerpt})").format(excerpt=excerpt),
                )
        for match in _ID15.finditer(normal, lo, hi) if digits >= 15 else ():
            s, e = match.span()
            if free(s, e) and _valid_id15(match.group(), today):
                excerpt = _mask_digits(original[s:e], normal[s:e], 3, 4)
                add(s, e, ID_CARD, excerpt, _id_message(excerpt))
        for match in _MOBILE.finditer(normal, lo, hi):
            s, e = match.span()
            if not free(s, e) or not _mobile_grouping(match.group("number")):
                continue
            n = s + len(match.group("prefix") or "")
            excerpt = original[s:n] + _mask_digits(original[n:e], normal[n:e], 3, 4)
            add(
                s,
                e,
                MOBILE,
                excerpt,
                _("looks like a mobile phone number ({excerpt})").format(excerpt=excerpt),
            )
    return hits


def _id_message(excerpt: str) -> str:
    return _("looks like a mainland ID-card number ({excerpt})").format(excerpt=excerpt)


def _sensitive_pattern(sensitive: Iterable[str]) -> re.Pattern[str] | None:
    return _compiled(tuple(sorted({e for e in sensitive if isinstance(e, str)})))


@functools.lru_cache(maxsize=32)
def _compiled(sensitive: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern for all the reporters' names and contacts, longest first, matched
    as printed: spaces or line breaks between the characters do not hide them."""
    entries: dict[str, str] = {}
    for entry in sensitive:
        if not isinstance(entry, str):
            continue
        normal = re.sub(r"\s+", "", printed(entry, markup=False).text)
        if len(normal) >= 2:
            entries.setdefault(normal.lower(), normal)
    if not entries:
        return None
    parts = []
    for entry in sorted(entries.values(), key=lambda e: (-len(e), e)):
        first = _char(entry[0])
        # a word is not found inside a longer word, nor a number inside a longer number
        edge = "[0-9\uff10-\uff19]" if entry.isdigit() else "[0-9A-Za-z]"
        # the look-behind follows the first character, so the pattern keeps a literal
        # first character that the regular expression engine can skip ahead to
        if entry[0].isascii() and entry[0].isalnum():
            first += f"(?<!{edge}{first})"
        after = f"(?!{edge})" if entry[-1].isascii() and entry[-1].isalnum() else ""
        parts.append(first + "".join(_GAP + _char(c) for c in entry[1:]) + after)
    return re.compile("|".join(parts), re.IGNORECASE | re.ASCII)


# each digit as a number may be written out in Chinese (一三九… for 139…), in the
# financial forms, simplified or traditional, or as a number is read aloud (幺 for 1)
_NUMERALS = (
    "〇零",
    "一壹幺",
    "二贰貳两兩",
    "三叁參",
    "四肆",
    "五伍",
    "六陆陸",
    "七柒",
    "八捌",
    "九玖",
)
# variant forms a reader takes for the same character that OpenCC's simplified and
# traditional tables do not pair
_MORE_FORMS = ("国國囯圀",)


def _char(c: str) -> str:
    """One character of a name or number as the pattern finds it: a digit in its
    full-width form or as a Chinese numeral too (１３９ and 一三九 are 139 to a
    reader), a Chinese character in its traditional or simplified form too (趙建國
    is 赵建国)."""
    if "0" <= c <= "9":
        return f"[{c}{chr(0xFF10 + int(c))}{_NUMERALS[int(c)]}]"
    forms = _forms(c) if ord(c) > 0x2E7F else frozenset()
    if len(forms) > 1:
        return "[" + "".join(sorted(forms)) + "]"
    return re.escape(c)


@functools.cache
def _forms(c: str) -> frozenset[str]:
    """A Chinese character with its other forms, simplified and traditional, from
    OpenCC's character tables: every line of them that holds it (a table is read
    once, and searched only for the characters of names looked for)."""
    found = {c}
    for more in _MORE_FORMS:
        if c in more:
            found.update(more)
    for table in _tables():
        at = table.find(c)
        while at != -1:
            start = table.rfind("\n", 0, at) + 1
            end = table.find("\n", at)
            source, _tab, targets = table[start : end if end != -1 else None].partition("\t")
            group = {source.strip(), *targets.split()}
            if c in group:
                found |= group
            at = table.find(c, end) if end != -1 else -1
    found.discard("")
    return frozenset(found)


@functools.cache
def _tables() -> tuple[str, ...]:
    files = importlib.resources.files("opencc") / "dictionary"
    return tuple((files / n).read_text("utf-8") for n in ("STCharacters.txt", "TSCharacters.txt"))


# What may stand between the characters of a name without hiding it from a reader:
# spaces, line breaks, punctuation and symbols of any width (钱·秀英, 钱-秀-英, 钱（秀）英),
# and something written like a tag (钱<span>秀</span>英, 钱<!-- x -->秀英).
_GAP = (
    "(?:[\\s\\x21-\\x2f\\x3a-\\x40\\x5b-\\x60\\x7b-\\x7e\\u00a0-\\u00bf"
    "\\u2000-\\u206f\\u2e00-\\u2e7f\\u3000-\\u303f\\u30fb\\uff01-\\uff0f\\uff1a-\\uff20"
    "\\uff3b-\\uff40\\uff5b-\\uff65]|<[^<>\\n]{0,40}>){0,4}"
)


REPORT_FIELDS = ("name", "contact")
REDACTED = "＊＊＊"


# a telephone number as people write it: seven digits or more, in groups joined by
# spaces, dashes, dots or brackets (0000-7654321, (0000) 765 4321, 139 1234 5678)
_PHONE = re.compile(r"\d(?:[\s\-\u2010-\u2015.·/()（）]{0,3}\d){6,}")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.ASCII)
_PLACE = re.compile(r"[省市区县镇乡]")
_PARTS = re.compile(r"[，,；;、。\s]+|(?:电话|手机|邮箱|地址|住址)[:：]?")


def reporter_strings(report: Mapping[str, Any]) -> list[str]:
    """The name and contact of a real-name report or a request: what must never be
    disclosed. A contact is also each number and address in it alone, however it is
    written: "电话 0000-7654321" is found as 0000 7654321 or (0000)7654321 too."""
    found = []
    for field in REPORT_FIELDS:
        value = report.get(field)
        if not isinstance(value, str) or not value.strip():
            continue
        found.append(value.strip())
        if field == "contact":
            for number in _PHONE.findall(value):
                # in ASCII digits, which the pattern finds in every form
                groups = ["".join(str(int(d)) for d in g) for g in re.findall(r"\d+", number)]
                whole = "".join(groups)
                found.append(whole)
                found += [g for g in groups if len(g) >= 7 and g != whole]
            found += _EMAIL.findall(value)
            # an address alone, and without the city or district it starts with
            # (江城市人民路12号 is found as 人民路12号); only a part with a number in
            # it, so that no organisation's name is taken for a reporter's
            for part in _PARTS.split(value):
                worded = any(unicodedata.category(c) == "Lo" for c in part)  # 路, 号
                if len(part) < 4 or not worded or not any(c.isdigit() for c in part):
                    continue
                found.append(part)
                for boundary in _PLACE.finditer(part):
                    rest = part[boundary.end() :]
                    if len(rest) >= 4 and any(c.isdigit() for c in rest):
                        found.append(rest)
    return found


def private_giver(opinion: Mapping[str, Any]) -> list[str]:
    """The name of a member of the public who gave an opinion and asked not to be
    named (``feedback add --private``): kept out of what is disclosed as a
    reporter's name is."""
    name = opinion.get("public")
    if opinion.get("private") is True and isinstance(name, str) and name.strip():
        return [name.strip()]
    return []


def redact(text: str, sensitive: Iterable[str], *, markup: bool = True) -> str:
    """``text`` with every reporter's name and contact blotted out, found as the text
    prints (``markup``: as Markdown prints it, emphasis and escapes dropped)."""
    pattern = _sensitive_pattern(sensitive)
    if pattern is None or not text:
        return text
    view = printed(text, markup=markup)
    out: list[str] = []
    last = 0
    for match in pattern.finditer(view.text):
        start, end = view.span(match.start(), match.end())
        if start < last:
            continue
        out.append(text[last:start])
        out.append(REDACTED)
        last = end
    out.append(text[last:])
    return "".join(out)


def names_anyone(text: str, sensitive: Iterable[str], *, markup: bool = True) -> bool:
    """Whether ``text``, as it prints, names a reporter or gives their contact."""
    pattern = _sensitive_pattern(sensitive)
    return pattern is not None and pattern.search(printed(text, markup=markup).text) is not None


def blot_markdown(text: str, sensitive: Iterable[str]) -> str:
    """A Markdown body with every reporter blotted out as it will print. Where the
    source hides a name that its rendering shows (a link drawn across it), the body is
    printed as its plain words instead, blotted."""
    blotted = redact(text, sensitive)
    blocks = rendered_blocks(blotted) if renders_otherwise(blotted) else []
    if any(names_anyone(words, sensitive, markup=False) for _lines, words in blocks):
        plain = [redact(words, sensitive, markup=False) for _lines, words in blocks]
        blotted = "\n\n".join(_MARKDOWN_SPECIAL.sub(r"\\\g<0>", p) for p in plain)
    return blotted


_MARKDOWN_SPECIAL = re.compile(r"[\\`*_{}\[\]()#+\-.!<>|~]")


class _Engine:
    """The scan of one text, with the caller's sensitive strings compiled once."""

    def __init__(self, sensitive: Iterable[str], today: date | None) -> None:
        self.sensitive = _sensitive_pattern(sensitive)
        self.today = today or date.today()

    def hits(self, text: str, *, markup: bool = True) -> list[_Hit]:
        """What ``text`` must not disclose, found in the text as it prints; each hit's
        offsets are the original's."""
        view = printed(text, markup=markup)
        normal = view.text
        # excerpts quote the text as written where it reads one for one, else as printed
        original = text if view.starts is None else normal
        hits = _classification(original, normal)
        hits += _numbers(original, normal, self.today)
        if self.sensitive is not None:
            for match in self.sensitive.finditer(normal):
                s, e = match.span()
                excerpt = mask_contact(original[s:e])
                hits.append(
                    _Hit(
                        s,
                        e,
                        REPORTER,
                        excerpt,
                        _("names a real-name reporter or their contact ({excerpt})").format(
                            excerpt=excerpt
                        ),
                    )
                )
        return [_Hit(*view.span(h.start, h.end), h.kind, h.excerpt, h.message) for h in hits]


def _ordered(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(set(findings), key=lambda f: (f.line, f.col, f.kind, f.field, f.excerpt))


def scan_text(
    field: str, text: str, *, sensitive: Iterable[str] = (), today: date | None = None
) -> list[Finding]:
    """Findings in one text; line 1, column 1 is its first character.

    ``today`` bounds the birth dates an ID-card number may carry (default: the
    system date).
    """
    findings = []
    for hit in _Engine(sensitive, today).hits(text):
        line = text.count("\n", 0, hit.start) + 1
        col = hit.start - (text.rfind("\n", 0, hit.start) + 1) + 1
        findings.append(Finding(hit.kind, field, line, col, hit.excerpt, hit.message))
    return _ordered(findings)


# --- a record file -------------------------------------------------------------------


def scan(
    doc: yamlio.Document,
    *,
    sensitive: Iterable[str] = (),
    text: str | None = None,
    today: date | None = None,
) -> list[Finding]:
    """Findings in a record's title, summary, body and attachment paths.

    Lines and columns are the file's. Give the file's ``text`` for exact
    columns: without it a line inside a literal block (``body: |``) is still
    exact but its column is the block's, and a finding in a folded or quoted
    value is placed at the value's start.
    """
    root = doc.root
    if not isinstance(root, yaml.MappingNode):
        return []
    engine = _Engine(sensitive, today)
    findings = []
    for key, value in root.value:
        if not isinstance(key, yaml.ScalarNode) or key.value not in SCANNED_FIELDS:
            continue
        parent: yaml.Node = key
        if isinstance(value, yaml.SequenceNode):
            items = [(f"{key.value}[{i}]", node) for i, node in enumerate(value.value)]
            parent = value  # a block scalar's indentation counts from the dash
        else:
            items = [(key.value, value)]
        for field, node in items:
            if not isinstance(node, yaml.ScalarNode):
                continue
            hits = engine.hits(node.value, markup=key.value != "attachments")
            for hit in hits:
                line, col = _locate(node, parent, hit, text)
                findings.append(Finding(hit.kind, field, line, col, hit.excerpt, hit.message))
            if key.value == "body":
                findings += _as_rendered(engine, field, node, parent, text)
    return _ordered(findings)


# Markdown that prints other words than its source holds: links and images (their
# targets vanish, their texts join the words around them), autolinks, references.
_RENDERS_OTHERWISE = re.compile(r"\]\(|\]\[|\]\s*$|<[A-Za-z]|^ {0,3}\[[^\]]+\]:", re.MULTILINE)


def renders_otherwise(body: str) -> bool:
    """Whether a Markdown body could print other words than its source holds."""
    return ("]" in body or "<" in body) and _RENDERS_OTHERWISE.search(body) is not None


def rendered_blocks(body: str) -> list[tuple[tuple[int, int], str]]:
    """A Markdown body's paragraphs and headings as they print, with the lines (0-based,
    within the body, end excluded) each comes from."""
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark", {"html": False}).enable("table")
    blocks = []
    for token in parser.parse(body):
        if token.type != "inline" or not token.children:
            continue
        words = []
        for child in token.children:
            if child.type in ("text", "code_inline"):
                words.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                words.append("\n")
            elif child.type == "image":
                words.append(child.content)  # its alt text
        lines = (token.map[0], token.map[1]) if token.map else (0, body.count("\n") + 1)
        blocks.append((lines, "".join(words)))
    return blocks


def _as_rendered(
    engine: _Engine,
    field: str,
    node: yaml.ScalarNode,
    parent: yaml.Node,
    text: str | None,
) -> list[Finding]:
    """What a body discloses only once its Markdown is rendered (a name split by a
    link, say), placed at the paragraph it prints in."""
    body: str = node.value
    if not renders_otherwise(body):
        return []
    found = []
    lines = body.split("\n")
    for (first, last), words in rendered_blocks(body):
        source = "\n".join(lines[first:last])
        known = Counter(_found(engine, source, markup=True))
        for (kind, _what), hit in zip(
            _found(engine, words, markup=False), engine.hits(words, markup=False), strict=True
        ):
            if known[(kind, _what)] > 0:
                known[(kind, _what)] -= 1
                continue
            start = sum(len(line) + 1 for line in lines[:first])
            line, col = _locate(node, parent, _Hit(start, start, hit.kind, "", ""), text)
            message = _("{message}, once its Markdown is printed").format(message=hit.message)
            found.append(Finding(hit.kind, field, line, col, hit.excerpt, message))
    return found


def _found(engine: _Engine, text: str, *, markup: bool) -> list[tuple[str, str]]:
    """(kind, what was matched, as printed) of each hit in ``text``."""
    return [
        (hit.kind, printed(text[hit.start : hit.end], markup=markup).text)
        for hit in engine.hits(text, markup=markup)
    ]


def scanned_texts(data: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """The texts of a record that the review reads, as (field, text)."""
    found: list[tuple[str, str]] = []
    for name in SCANNED_FIELDS:
        value = data.get(name)
        if isinstance(value, str):
            found.append((name, value))
        elif isinstance(value, list):
            found += [
                (f"{name}[{i}]", item) for i, item in enumerate(value) if isinstance(item, str)
            ]
    return tuple(found)


def what_is_found(texts: Iterable[tuple[str, str]], *, today: date | None = None) -> list[str]:
    """What the review finds in a record's texts, one line each (kind, field, excerpt),
    without file positions: as many as :func:`scan` finds, for the audit's replay."""
    engine = _Engine((), today)
    found = []
    for field, text in texts:
        hits = engine.hits(text, markup=not field.startswith("attachments"))
        found += [f"{hit.kind} {field} {hit.excerpt}" for hit in hits]
        if field == "body" and renders_otherwise(text):
            lines = text.split("\n")
            for (first, last), words in rendered_blocks(text):
                known = Counter(_found(engine, "\n".join(lines[first:last]), markup=True))
                for key, hit in zip(
                    _found(engine, words, markup=False),
                    engine.hits(words, markup=False),
                    strict=True,
                ):
                    if known[key] > 0:
                        known[key] -= 1
                    else:
                        found.append(f"{hit.kind} {field} {hit.excerpt}")
    return found


def _locate(
    node: yaml.ScalarNode, parent: yaml.Node, hit: _Hit, text: str | None
) -> tuple[int, int]:
    """The 1-based file line and column of a hit inside a scalar's value."""
    value: str = node.value
    mark = node.start_mark
    if node.style == "|":
        # a literal block keeps its lines: value line N is file line N after the header
        line = mark.line + 2 + value.count("\n", 0, hit.start)
        indent = _block_indent(text, node, parent) if text is not None else None
        if indent is None:
            return (line, mark.column + 1)
        return (line, indent + hit.start - (value.rfind("\n", 0, hit.start) + 1) + 1)
    if text is not None:
        found = _find_in_source(text, node, hit)
        if found is not None:
            return found
    elif node.style == "" and mark.line == node.end_mark.line:
        return (mark.line + 1, mark.column + 1 + hit.start)
    return (mark.line + 1, mark.column + 1)


_BLOCK_HEADER = re.compile(r"[|>](?:([1-9])[+-]?|[+-]([1-9])?)?")


def _block_indent(text: str, node: yaml.ScalarNode, parent: yaml.Node) -> int | None:
    """The indentation of a block scalar's content, from its header or first line."""
    header = _BLOCK_HEADER.match(text, node.start_mark.index)
    if header is None:
        return None
    explicit = header.group(1) or header.group(2)
    if explicit:
        return int(parent.start_mark.column) + int(explicit)
    end = int(node.end_mark.index)
    position = text.find("\n", header.end())
    while 0 <= position < end:
        start = position + 1
        position = text.find("\n", start)
        line = text[start : position if position >= 0 else len(text)].rstrip("\r")
        if line.strip(" "):
            return len(line) - len(line.lstrip(" "))
    return None


def _find_in_source(text: str, node: yaml.ScalarNode, hit: _Hit) -> tuple[int, int] | None:
    """Where a hit's text stands in the file, by matching occurrences in order.

    A plain, quoted or folded scalar's value is its source with line breaks and
    indentation folded away, so the n-th occurrence of the matched text in the
    value is the n-th in the source unless the match itself was folded.
    """
    value: str = node.value
    needle = value[hit.start : hit.end]
    if not needle:
        return None
    nth = 0
    at = value.find(needle)
    while 0 <= at < hit.start:
        nth += 1
        at = value.find(needle, at + 1)
    begin = int(node.start_mark.index)
    if node.style == ">":
        begin = text.find("\n", begin) + 1
    end = int(node.end_mark.index)
    at = text.find(needle, begin, end)
    for _n in range(nth):
        if at < 0:
            break
        at = text.find(needle, at + 1, end)
    if at < 0:
        return None
    line = text.count("\n", 0, at) + 1
    return (line, at - (text.rfind("\n", 0, at) + 1) + 1)
