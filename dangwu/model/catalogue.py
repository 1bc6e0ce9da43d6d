"""The disclosure catalogue (公开目录): categories, item types, channels, cadences."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dangwu.errors import DangwuError, UsageError
from dangwu.i18n import N_, _, term
from dangwu.model.office import Rules
from dangwu.model.words import candidates, shown, suggest

SCOPES = ("internal", "public")
CADENCES = ("standing", "quarterly", "timely", "follow-up")
INTERNAL_CHANNELS = ("meeting", "circular", "internal-board", "intranet")
PUBLIC_CHANNELS = ("newspaper", "city-portal", "website", "public-board")
CHANNELS = INTERNAL_CHANNELS + PUBLIC_CHANNELS
# where a record for one audience (对特定党的组织、党员公开) goes: its own board, pages
# and meetings; a circular goes to every branch [SPEC 14]
AUDIENCE_CHANNELS = ("meeting", "internal-board", "intranet")

SCOPE_TITLES = {"internal": (N_("internal"), "党内公开"), "public": (N_("public"), "社会公开")}


def scope_zh(scope: str, audience: str | None, audiences: Mapping[str, str]) -> str:
    """Whom something is disclosed to, as what is printed or put online says it:
    社会公开, 党内公开, or 党内公开·局机关第一党支部 for one audience's."""
    said = SCOPE_TITLES[scope][1] if scope in SCOPE_TITLES else scope
    return f"{said}·{audiences.get(audience, audience)}" if audience else said


def scope_term(scope: str, audience: str | None, audiences: Mapping[str, str]) -> str:
    """The same in the user's language, as the terminal says it: internal, or
    internal · 局机关第一党支部 for one audience's."""
    said = term(SCOPE_TITLES[scope]) if scope in SCOPE_TITLES else scope
    return f"{said} · {audiences.get(audience, audience)}" if audience else said


CADENCE_TITLES = {
    "standing": (N_("standing"), "长期公开"),
    "quarterly": (N_("quarterly"), "每季度更新"),
    "timely": (N_("timely"), "及时公开"),
    "follow-up": (N_("follow-up"), "跟踪公开"),
}
CHANNEL_TITLES = {
    "meeting": (N_("disclosure meeting"), "党务公开会议"),
    "circular": (N_("printed circular"), "印发党务公开信息"),
    "internal-board": (N_("internal notice board"), "内部党务公开栏"),
    "intranet": (N_("intranet"), "内部网"),
    "newspaper": (N_("newspaper"), "报纸"),
    "city-portal": (N_("city portal"), "市公众信息网"),
    "website": (N_("unit website"), "单位对外网站"),
    "public-board": (N_("public notice board"), "对外党务公开栏"),
}


def channel_titles(own: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    """The channels by the names people may type: the office's own name for each (as
    show and the printed pages say it) first, then the plan's."""
    return {
        code: (english, own.get(code) or chinese, chinese)
        for code, (english, chinese) in CHANNEL_TITLES.items()
    }


@dataclass(frozen=True)
class Item:
    """One line of the 党务公开目录: what is disclosed, to whom (scope), how (channels),
    how often (cadence) and by when (days), who answers for it and under what."""

    code: str
    slug: str
    zh: str
    en: str
    scope: str
    cadence: str
    category: str
    channels: tuple[str, ...] = ()  # 公开方式 (none: the office's default for the scope)
    days: int | None = None  # 公开时限 (None: the office's rule for the cadence)
    time_limit: str = ""  # the office's own words for it, if the days do not say it
    department: str = ""  # 责任部门
    basis: str = ""  # 依据

    @property
    def number(self) -> int:
        return int(self.code[-2:])


@dataclass(frozen=True)
class Category:
    slug: str
    code: str
    zh: str
    en: str
    items: tuple[Item, ...]

    def item(self, ref: str) -> Item:
        """Find an item by slug, code (ZZ16), number (16) or Chinese title."""
        wanted = ref.strip()
        for item in self.items:
            if wanted.isdigit() and int(wanted) == item.number:
                return item
        titles = {i.slug: (i.en, i.zh, i.code) for i in self.items}
        found = candidates(wanted, titles)
        if len(found) == 1:
            return next(i for i in self.items if i.slug in found)
        hint: str | None
        if found:  # the start of more than one name
            hint = _("it could be {choices}").format(
                choices=_(", ").join(shown(slug, titles) for slug in titles if slug in found)
            )
        else:
            hint = suggest(wanted, [i.slug for i in self.items] + [i.zh for i in self.items])
        raise UsageError(
            _("'{item}' is not an item of {category} ({zh})").format(
                item=ref, category=self.slug, zh=self.zh
            ),
            hint=hint or _("see: dangwu catalogue {category}").format(category=self.slug),
        )

    def has_item(self, slug: str) -> bool:
        return any(item.slug == slug for item in self.items)


@dataclass(frozen=True)
class Catalogue:
    categories: tuple[Category, ...]
    path: Path

    def __iter__(self) -> Iterator[Category]:
        return iter(self.categories)

    def by_slug(self, slug: str) -> Category | None:
        for category in self.categories:
            if category.slug == slug:
                return category
        return None

    def item_of(self, category: str, item: str) -> Item | None:
        """A record's item (by the category's and the item's slugs), if listed."""
        found = self.by_slug(category)
        if found is not None:
            for candidate in found.items:
                if candidate.slug == item:
                    return candidate
        return None

    def days_of(self, category: str, item: str) -> int | None:
        """The item's own time limit in days, where the catalogue gives one."""
        found = self.item_of(category, item)
        return found.days if found is not None else None

    def by_code(self, code: str) -> Category | None:
        for category in self.categories:
            if category.code == code:
                return category
        return None

    def category(self, ref: str) -> Category:
        """Find a category by slug (zuzhi-jianshe), code (ZZ) or Chinese title (组织建设)."""
        titles = {c.slug: (c.en, c.zh, c.code) for c in self.categories}
        found = candidates(ref.strip(), titles)
        if len(found) == 1:
            return next(c for c in self.categories if c.slug in found)
        listed = _(", ").join(shown(slug, titles) for slug in titles if not found or slug in found)
        hint = suggest(
            ref.strip(), [c.slug for c in self.categories] + [c.zh for c in self.categories]
        )
        raise UsageError(
            _("'{category}' is not a category of the catalogue").format(category=ref),
            hint=(_("it could be {choices}") if found else _("one of: {choices}")).format(
                choices=listed
            )
            if found or not hint
            else hint,
        )


def from_data(data: dict[str, object], path: Path) -> Catalogue:
    categories = []
    raw_categories = data["categories"]
    assert isinstance(raw_categories, list)
    for raw in raw_categories:
        items = tuple(
            Item(
                code=i["code"],
                slug=i["slug"],
                zh=i["zh"],
                en=i["en"],
                scope=i["scope"],
                cadence=i["cadence"],
                category=raw["slug"],
                channels=tuple(i.get("channels") or ()),
                days=i.get("days"),
                time_limit=str(i.get("time_limit") or ""),
                department=str(i.get("department") or raw.get("department") or ""),
                basis=str(i.get("basis") or raw.get("basis") or ""),
            )
            for i in raw["items"]
        )
        categories.append(
            Category(slug=raw["slug"], code=raw["code"], zh=raw["zh"], en=raw["en"], items=items)
        )
    return Catalogue(tuple(categories), path)


def check_channels(data: dict[str, Any]) -> list[tuple[str, list[str | int]]]:
    """An internal item's channels are internal ones: each that is not, with where."""
    wrong: list[tuple[str, list[str | int]]] = []
    for c, category in enumerate(data["categories"]):
        for i, item in enumerate(category["items"]):
            if item.get("scope") != "internal":
                continue
            for n, channel in enumerate(item.get("channels") or ()):
                if channel not in INTERNAL_CHANNELS:
                    wrong.append((channel, ["categories", c, "items", i, "channels", n]))
    return wrong


def time_limit(item: Item, rules: Rules) -> str:
    """The item's 公开时限 as the printed catalogue words it: the office's own wording,
    else its days (or the office's ``rules`` for its cadence) said for its cadence."""
    if item.time_limit:
        return item.time_limit
    office = {
        "quarterly": rules.quarterly_days,
        "timely": rules.timely_days,
        "follow-up": rules.follow_up_quiet_days,
    }
    n = item.days if item.days is not None else office.get(item.cadence, 0)
    unit = "个工作日" if rules.day_count == "working" else "日"
    if item.cadence == "standing":
        return "长期公开，变动后及时更新"
    if item.cadence == "quarterly":
        return f"每季度结束后{n}{unit}内" if n else "每季度末更新"
    if item.cadence == "timely":
        return f"事项发生后{n}{unit}内"
    return f"跟踪公开，至少每{n}{unit}更新一次"


def check_unique(data: dict[str, Any]) -> list[tuple[str, list[str | int]]]:
    """Slugs and codes must each name one thing: each clash, with where it is."""
    seen: set[str] = set()
    clashes: list[tuple[str, list[str | int]]] = []

    def note(name: str, where: list[str | int]) -> None:
        if name in seen:
            clashes.append((name, where))
        seen.add(name)

    for c, category in enumerate(data["categories"]):
        note(category["slug"], ["categories", c, "slug"])
        note(category["code"], ["categories", c, "code"])
        for i, item in enumerate(category["items"]):
            note(f"{category['slug']}/{item['slug']}", ["categories", c, "items", i, "slug"])
            note(item["code"], ["categories", c, "items", i, "code"])
    return clashes


class CatalogueError(DangwuError):
    pass
