"""What people type, read as the values dangwu keeps: a code or its Chinese name (or
the unambiguous start of either), a day or a quarter written the Chinese way, a
person by roster key, name or email. Refusals show each code with its Chinese name
and offer the nearest one. Pure: no disk, no clock (the caller gives today)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date
from functools import cache
from typing import TYPE_CHECKING

from dangwu.errors import UsageError
from dangwu.i18n import _, language

if TYPE_CHECKING:
    from dangwu.model.office import Person

# code -> (English title, Chinese name), as the *_TITLES tables of the model give them
# code -> (English title, Chinese name, other Chinese names people use for it...)
Titles = Mapping[str, tuple[str, ...]]


def plain(text: str) -> str:
    """What was typed, with full-width letters, digits and spaces made ordinary."""
    return unicodedata.normalize("NFKC", text).strip()


def shown(code: str, titles: Titles | None = None) -> str:
    """A code as refusals and help show it: ``public（社会公开）`` in Chinese,
    ``public (社会公开)`` in English; the code alone when it has no Chinese name."""
    return named(code, titles[code][1] if titles and code in titles else None)


def named(code: str, name: str | None) -> str:
    """A code with the name beside it, in the brackets of the reader's language."""
    if not name or name == code:
        return code
    return f"{code}（{name}）" if language() == "zh_CN" else f"{code} ({name})"


def one_of(option: str, value: str, choices: Sequence[str] | Titles) -> str:
    """The code ``value`` names: the code itself (any case), its English title or its
    Chinese name, or the start of exactly one of them. Else a usage error naming the
    option, listing the codes with their Chinese names and the nearest one."""
    titles: Titles = choices if isinstance(choices, Mapping) else {}
    codes = list(choices)
    text = plain(value)
    names = _names(choices)
    found = _matching(text, names)
    if len(found) == 1:
        return found.pop()
    listed = _(", ").join(shown(c, titles) for c in codes)
    if found:
        raise UsageError(
            _("{option}: '{value}' could be {choices}").format(
                option=option,
                value=value,
                choices=_(", ").join(shown(c, titles) for c in codes if c in found),
            ),
            hint=_("type more of it; the choices are {choices}").format(choices=listed),
        )
    near = nearest(text, names)
    raise UsageError(
        _("{option}: '{value}' is not one of {choices}").format(
            option=option, value=value, choices=listed
        ),
        hint=_("did you mean '{choice}'?").format(choice=shown(near.pop(), titles))
        if len(near) == 1
        else None,
    )


def candidates(value: str, choices: Sequence[str] | Titles) -> set[str]:
    """The codes ``value`` could name: the one it names exactly, else every one whose
    code or name starts so (none, one, or several when it is ambiguous)."""
    return _matching(plain(value), _names(choices))


def code_of(value: str, choices: Sequence[str] | Titles) -> str | None:
    """The one code ``value`` names (as :func:`one_of` reads it), or None."""
    found = _matching(plain(value), _names(choices))
    return found.pop() if len(found) == 1 else None


def _names(choices: Sequence[str] | Titles) -> dict[str, set[str]]:
    """Every way of naming each code, folded: the code, its English title (and that
    title in the reader's language) and its Chinese names."""
    titles: Titles = choices if isinstance(choices, Mapping) else {}
    names: dict[str, set[str]] = {}
    for code in choices:
        names.setdefault(code.casefold(), set()).add(code)
        if code in titles:
            english, *chinese = titles[code]
            for name in (english, _(english), *chinese):
                names.setdefault(name.casefold(), set()).add(code)
    return names


def _matching(text: str, names: Mapping[str, set[str]]) -> set[str]:
    """The codes named exactly, else those whose names start so (several: ambiguous)."""
    wanted = text.casefold()
    if not wanted:
        return set()
    exact = names.get(wanted, set())
    if len(exact) == 1:
        return set(exact)
    return {c for name, found in names.items() if name.startswith(wanted) for c in found}


def _close_matches(word: str, possibilities: list[str], n: int, cutoff: float) -> list[str]:
    """difflib's, imported when a name is missed (not at every start-up)."""
    import difflib

    return difflib.get_close_matches(word, possibilities, n=n, cutoff=cutoff)


def typing_distance(a: str, b: str) -> int:
    """How many keys' worth of mistyping turn ``a`` into ``b``: letters left out,
    added, changed, or two neighbours swapped (hanzg for hangz is one slip)."""
    before: list[int] | None = None
    row = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + cost)
            if (
                before is not None
                and i > 1
                and j > 1
                and a[i - 1] == b[j - 2]
                and a[i - 2] == b[j - 1]
            ):
                current[j] = min(current[j], before[j - 2] + 1)
        before, row = row, current
    return row[len(b)]


def _nearest(wrong: str, choices: list[str]) -> str | None:
    """Of the choices that look like ``wrong``, the fewest slips away from it."""
    close = _close_matches(wrong, choices, n=4, cutoff=0.6)
    if not close:
        return None
    return min(close, key=lambda c: (typing_distance(wrong, c), close.index(c)))


def suggest(wrong: str, choices: list[str]) -> str | None:
    """'did you mean ...?' for a near miss, or None."""
    close = _nearest(wrong, choices)
    if close is None:
        lowered = {c.lower(): c for c in choices}
        low = _nearest(wrong.lower(), list(lowered))
        close = lowered[low] if low is not None else None
    if close is not None:
        return _("did you mean '{choice}'?").format(choice=close)
    return None


def nearest(text: str, names: Mapping[str, set[str]]) -> set[str]:
    """The codes whose name is nearest ``text`` (empty when none is near)."""
    close = _nearest(text.casefold(), list(names))
    return set(names[close]) if close is not None else set()


# --- days and quarters --------------------------------------------------------------

_NUMERALS = {
    "〇": 0,
    "○": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_NUMBER = r"(\d{1,4}|[〇○零一二两三四五六七八九十]{1,4})"
# what a person may write for a day, a quarter, or a quarter inside a text; compiled
# when first used: a command that reads none from its user (most of them) does not pay
# for their Chinese numerals
_PATTERNS = {
    "day": (
        rf"^{_NUMBER}\s*[-/.年]\s*{_NUMBER}\s*[-/.月]\s*{_NUMBER}\s*[日号]?$"
        r"|^(\d{4})(\d{2})(\d{2})$",
        0,
    ),
    "quarter": (
        r"^(?:(\d{4}|[〇○零一二三四五六七八九]{4})\s*(?:年|-|\s)?\s*)?"
        r"(?:Q\s*([1-4])|第?\s*([1-4一二三四])\s*季度)$",
        re.IGNORECASE,
    ),
    "quarter in": (
        r"(\d{4}|[〇○零一二三四五六七八九]{4})\s*年\s*第?\s*([1-4一二三四])\s*季度"
        r"|(\d{4})\s*Q([1-4])",
        re.IGNORECASE,
    ),
}


@cache
def _pattern(name: str) -> re.Pattern[str]:
    source, flags = _PATTERNS[name]
    return re.compile(source, flags)


def _number(text: str) -> int | None:
    """12, ２０２６, 二〇二六 or 二十五 as a number."""
    if text.isdigit():
        return int(text)
    if all(ch in _NUMERALS for ch in text):  # a year read digit by digit: 二〇二六
        return int("".join(str(_NUMERALS[ch]) for ch in text))
    tens, _sep, units = text.partition("十")
    if _sep and len(text) <= 3:  # 十, 十二, 二十, 二十五
        high = _NUMERALS.get(tens, -1) if tens else 1
        low = _NUMERALS.get(units, -1) if units else 0
        if high > 0 and low >= 0:
            return high * 10 + low
    return None


# The years dangwu keeps records of: an office's, from before 1949 to well past anyone's
# term. A date beyond them is a slip of the keyboard (9999-12-31), and counting days
# near the year 9999 overflows.
FIRST_YEAR, LAST_YEAR = 1900, 2199


def in_our_years(year: int) -> bool:
    return FIRST_YEAR <= year <= LAST_YEAR


def _beyond_our_years(option: str, value: str) -> UsageError:
    return UsageError(
        _(
            "{option}: '{value}' is outside the years dangwu keeps records of ({first}-{last})"
        ).format(option=option, value=value, first=FIRST_YEAR, last=LAST_YEAR)
    )


def day(option: str, value: str) -> str:
    """A day as YYYY-MM-DD, from 2026-12-04, 2026/12/4, 2026.12.4, 20261204,
    2026年12月4日 or 二〇二六年十二月四日."""
    match = _pattern("day").match(plain(value))
    if match:
        parts = [g for g in match.groups() if g is not None]
        numbers = [_number(p) for p in parts]
        if None not in numbers:
            year, month, dom = (n for n in numbers if n is not None)
            try:
                written = date(year, month, dom).isoformat()
            except ValueError:
                pass
            else:
                if not in_our_years(year):
                    raise _beyond_our_years(option, value)
                return written
    raise UsageError(
        _("{option}: '{value}' is not a real date").format(option=option, value=value),
        hint=_("write it like 2026-12-04 or 2026年12月4日"),
    )


def day_written(value: object) -> date | None:
    """The day a file wrote: a date, or its ISO text (2026-05-31); None when it wrote
    none or something else (a check or a comparison of the facts then says so)."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def stamped_day(value: object) -> date | None:
    """The day of a moment a file wrote (2026-05-31T10:00:00+08:00, or the day
    alone): its first ten characters; None when it wrote none or something else."""
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def quarter_in(text: str) -> str | None:
    """The quarter a text names (2026年第四季度, 2026Q4), as 2026Q4; None if none."""
    found = _pattern("quarter in").search(plain(text))
    if found is None:
        return None
    year_text, word = (found[1], found[2]) if found[1] else (found[3], found[4])
    number, year = _number(word), _number(year_text)
    return f"{year}Q{number}" if number and year else None


def year(option: str, value: str) -> int:
    """A year, from 2026, 2026年, ２０２６ or 二〇二六年."""
    text = plain(value).removesuffix("年").strip()
    number = _number(text) if len(text) == 4 else None
    if number is None:
        raise UsageError(
            _("{option}: '{value}' is not a year").format(option=option, value=value),
            hint=_("write it like 2026 or 2026年"),
        )
    if not in_our_years(number):
        raise _beyond_our_years(option, value)
    return number


def quarter(option: str, value: str, today: date) -> str:
    """A quarter as 2026Q4, from 2026Q4, 2026-q4, 2026年第四季度, 2026年4季度, or
    第四季度 / 四季度 / Q4 alone: the latest such quarter that has begun by ``today``."""
    match = _pattern("quarter").match(plain(value))
    if match:
        year_text, digit, word = match.groups()
        number = _number(digit or word)
        year = _number(year_text) if year_text else None
        if number is not None and 1 <= number <= 4:
            if year is None:
                begun = (today.month - 1) // 3 + 1 >= number
                year = today.year if begun else today.year - 1
            if not in_our_years(year):
                raise _beyond_our_years(option, value)
            return f"{year}Q{number}"
    raise UsageError(
        _("{option}: '{value}' is not a quarter").format(option=option, value=value),
        hint=_("write it like 2026Q4 or 2026年第四季度"),
    )


# --- people ------------------------------------------------------------------------


def person(option: str, value: str, roster: Mapping[str, Person]) -> str:
    """The roster key of the person ``value`` names: a key (any case), a name or an
    email, or the start of exactly one key or name. Else a usage error with the
    nearest key."""
    text = plain(value)
    wanted = text.casefold()
    by: dict[str, set[str]] = {}
    for key, someone in roster.items():
        for name in (key, someone.name, someone.email):
            if name:
                by.setdefault(name.casefold(), set()).add(key)
    found = by.get(wanted, set())
    if not found and wanted:  # the start of one person's name or key
        found = {k for name, keys in by.items() if name.startswith(wanted) and "@" not in name
                 for k in keys}  # fmt: skip
    if len(found) == 1:
        return found.pop()
    if len(found) > 1:
        raise UsageError(
            _("{option}: '{value}' names more than one person: {keys}").format(
                option=option, value=value, keys=_(", ").join(sorted(found))
            ),
            hint=_("give the roster key instead (dangwu roster list)"),
        )
    near = nearest(text, by)
    hint = None
    if len(near) == 1:
        key = near.pop()
        hint = _("did you mean '{choice}'?").format(choice=named(key, roster[key].name))
    raise UsageError(
        _("{option}: no one on the roster is called '{value}'").format(option=option, value=value),
        hint=hint or _("see who is on it with: dangwu roster list"),
    )


def zh_date(day: date | None) -> str:
    """A day as Chinese paper writes it: 2026年12月3日."""
    return f"{day.year}年{day.month}月{day.day}日" if day else ""
