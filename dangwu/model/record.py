"""A disclosure record as a value: its id, its fields in order, its content hash,
and the Summary that selection, boards, due and stats read instead of the text."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import Any

from dangwu.errors import RecordNotFound, UsageError
from dangwu.i18n import N_, _
from dangwu.model.catalogue import Catalogue, Category

RECORDS_DIR = "records"


def is_record_path(path: str) -> bool:
    """Whether a path of the repository is a record's file (records/<category>/<id>.yaml)."""
    return path.startswith(f"{RECORDS_DIR}/") and path.endswith(".yaml")


ID_RE = re.compile(r"^([A-Z]{2,4})-([0-9]{4})-([0-9]{3,6})$")


# Content, written by people, in the order a record file lists it.
CONTENT_FIELDS = (
    "id",
    "category",
    "item",
    "title",
    "summary",
    "body",
    "scope",
    "audience",
    "channels",
    "cadence",
    "period",
    "event_date",
    "follows",
    "final",
    "major",
    "pre_disclosure",
    "attachments",
)


# The facts of the procedure, written only by dangwu.
TOOL_FIELDS = (
    "status",
    "created",
    "submitted",
    "rejection",
    "decision",
    "approval",
    "consultation",
    "publication",
    "withdrawal",
)


FIELD_ORDER = CONTENT_FIELDS + TOOL_FIELDS

# what a collective decision may decide [seed 四(二)]
OUTCOME_TITLES = {
    "publish": (N_("publish"), "决定公开"),
    "revise": (N_("revise"), "退回修改"),
    "withhold": (N_("withhold"), "不予公开"),
}


def parse_id(text: str) -> str:
    """A record id typed by a person, checked before it comes near a path."""
    candidate = text.strip().upper()
    if not ID_RE.match(candidate):
        raise UsageError(
            _("'{text}' is not a record id").format(text=text),
            hint=_("ids look like ZZ-2026-101; see them with: dangwu list"),
        )
    return candidate


def relpath_for(category: Category, record_id: str) -> str:
    return f"{RECORDS_DIR}/{category.slug}/{record_id}.yaml"


def category_of(catalogue: Catalogue, record_id: str) -> Category:
    code = record_id.split("-")[0]
    category = catalogue.by_code(code)
    if category is None:
        raise RecordNotFound(
            _("no record {id}: no category of the catalogue has the code {code}").format(
                id=record_id, code=code
            ),
            hint=_("codes are {codes}").format(codes=", ".join(c.code for c in catalogue)),
        )
    return category


def blob_id(data: bytes) -> str:
    """The id git gives these bytes as a blob."""
    import hashlib

    digest = hashlib.sha1(b"blob %d\0" % len(data), usedforsecurity=False)
    digest.update(data)
    return digest.hexdigest()


def content_of(data: Mapping[str, Any]) -> dict[str, Any]:
    return {key: data[key] for key in CONTENT_FIELDS if key in data}


def content_hash(data: Mapping[str, Any]) -> str:
    """A hash of what people wrote, independent of formatting and of the steps."""
    import hashlib

    canonical = json.dumps(
        content_of(data), ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str
    )
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def blocks_of(id_block: int) -> Iterator[int]:
    """A person's blocks of hundreds: block 3 owns 301-399, then 1201-1299, 2101-2199, ..."""
    block = id_block
    while True:
        yield block
        block += 9


def owner_block(number: int) -> int | None:
    """Which id_block a record number belongs to (None below 100)."""
    hundred = number // 100
    if hundred == 0:
        return None
    return (hundred - 1) % 9 + 1


@dataclass(frozen=True)
class Summary:
    """What selection needs to know of a record, without its text."""

    path: str
    blob: str
    id: str
    category: str
    item: str
    title: str
    scope: str
    cadence: str
    status: str
    channels: tuple[str, ...]
    content: str
    audience: str | None = None  # a named part of the organisation it is disclosed to
    period: str | None = None
    event_date: str | None = None
    follows: str | None = None
    published: str | None = None  # when it was published (the formal plan, for a pre-disclosure)
    consulted: str | None = None  # when the preliminary plan was published for comment
    closes: str | None = None  # the last day of its comment window
    withdrawn: str | None = None
    withdrawal_reason: str | None = None
    major: bool = False
    pre_disclosure: bool = False
    published_channels: tuple[str, ...] = ()  # where it was published (may differ)
    consulted_channels: tuple[str, ...] = ()
    consulted_content: str | None = None  # the hash of the preliminary plan
    submitted: str | None = None  # when it was (last) submitted
    decided: str | None = None  # when the leading group decided on it
    approved_by: str | None = None  # the roster key of who approved it (审核人)
    final: bool = False  # the last report of a follow-up chain
    attachments: tuple[str, ...] = ()
    # each attachment's git blob id as approved ("" where the approval named none):
    # what goes out with the record is that file, whatever its path holds later
    attached: tuple[str, ...] = ()
    created: str | None = None  # when it was drafted
    created_by: str | None = None  # who drafted it

    def cached(self) -> list[Any]:
        """The summary as the caches keep it, keyed by blob: its values without path and
        blob, in field order (half the bytes of a mapping, and twice as fast to read
        back; the caches' stamps name the fields, so another order is never misread)."""
        values = self.__dict__  # also holds the days worked out, which are not kept
        return [values[name] for name in _CACHED]

    @classmethod
    def from_cache(cls, path: str, blob: str, entry: Sequence[Any]) -> Summary:
        """The summary that :meth:`cached` wrote (JSON gives lists for tuples). Made
        without ``__init__``, whose frozen assignments cost five times as much: read
        10,000 times by every command that selects from a large office."""
        if not isinstance(entry, list) or len(entry) != len(_CACHED):
            raise TypeError(f"a cached summary has {len(_CACHED)} values")
        summary = object.__new__(cls)
        fields = summary.__dict__
        fields.update(zip(_CACHED, entry, strict=True))
        fields["path"] = path
        fields["blob"] = blob
        for name in _TUPLES:
            fields[name] = tuple(fields[name] or ())
        return summary

    def stamps(self) -> dict[str, str]:
        """Each attachment the approval stamped, and the blob it stamped."""
        return {n: b for n, b in zip(self.attachments, self.attached, strict=False) if b}

    def attachment_as_approved(self, name: str, blob: str) -> bool:
        """Whether ``blob`` (the file ``name`` as committed) is the one the approval
        stamped; an approval that named none (made before approvals did) passes it."""
        approved = self.stamps().get(name)
        return not approved or approved == blob

    def listed(self) -> dict[str, Any]:
        """One row of ``dangwu list --json``: every key always there, null when the
        record does not say."""
        return {
            "path": self.path,
            "id": self.id,
            "category": self.category,
            "item": self.item,
            "title": self.title,
            "status": self.status,
            "scope": self.scope,
            "audience": self.audience,
            "cadence": self.cadence,
            "period": self.period,
            "event_date": self.event_date,
            "follows": self.follows,
            "final": self.final,
            "major": self.major,
            "pre_disclosure": self.pre_disclosure,
            "channels": list(self.channels),
            "attachments": list(self.attachments),
            "created_at": self.created,
            "created_by": self.created_by,
        }

    @cached_property  # read thousands of times when a board or a bulletin is laid out
    def published_on(self) -> date | None:
        return day_of(self.published)

    @cached_property  # read thousands of times when a board or a bulletin is laid out
    def consulted_on(self) -> date | None:
        return day_of(self.consulted)

    @cached_property  # read thousands of times when a board or a bulletin is laid out
    def withdrawn_on(self) -> date | None:
        return day_of(self.withdrawn)

    @cached_property  # read thousands of times when a board or a bulletin is laid out
    def closes_on(self) -> date | None:
        return day_of(self.closes)


_TUPLES = tuple(
    name for name, spec in Summary.__dataclass_fields__.items() if "tuple" in str(spec.type)
)
_CACHED = tuple(name for name in Summary.__dataclass_fields__ if name not in ("path", "blob"))


def day_of(stamp: str | None) -> date | None:
    if not stamp:
        return None
    with contextlib.suppress(ValueError):
        return datetime.fromisoformat(stamp).date() if "T" in stamp else date.fromisoformat(stamp)
    return None


def facts_of(data: Mapping[str, Any]) -> dict[str, Any]:
    """The procedure facts a record's data holds: its status and its steps' facts."""
    return {k: data[k] for k in TOOL_FIELDS if k in data}


def approved_attachments(data: Mapping[str, Any]) -> dict[str, str]:
    """Each attached file's git blob id as the record's approval stamped it (path ->
    blob, as the file says it); none where the approval named none."""
    approval = data.get("approval")
    stamped = approval.get("attachments") if isinstance(approval, Mapping) else None
    if not isinstance(stamped, Mapping):
        return {}
    return {str(path): str(blob) for path, blob in stamped.items()}


def summarize(path: str, blob: str, data: Mapping[str, Any]) -> Summary | None:
    """A record's Summary, or None when the file is not a usable record."""

    def text(key: str) -> str | None:
        value = data.get(key)
        return str(value) if value is not None else None

    def channels(name: str) -> tuple[str, ...]:
        facts = data.get(name)
        if isinstance(facts, Mapping) and isinstance(facts.get("channels"), list):
            return tuple(str(c) for c in facts["channels"])
        return ()

    def fact(name: str, key: str) -> str | None:
        facts = data.get(name)
        if isinstance(facts, Mapping) and facts.get(key) is not None:
            return str(facts[key])
        return None

    attachments = tuple(str(a) for a in data.get("attachments") or ())
    stamped = approved_attachments(data)
    attached = tuple(stamped.get(a, "") for a in attachments) if stamped else ()
    try:
        return Summary(
            path=path,
            blob=blob,
            id=str(data["id"]),
            category=str(data["category"]),
            item=str(data["item"]),
            title=str(data["title"]),
            scope=str(data["scope"]),
            cadence=str(data["cadence"]),
            status=str(data.get("status", "draft")),
            channels=tuple(str(c) for c in data.get("channels") or ()),
            content=content_hash(data),
            audience=text("audience"),
            period=text("period"),
            event_date=text("event_date"),
            follows=text("follows"),
            published=fact("publication", "at"),
            consulted=fact("consultation", "at"),
            closes=fact("consultation", "closes"),
            withdrawn=fact("withdrawal", "at"),
            withdrawal_reason=fact("withdrawal", "reason"),
            major=bool(data.get("major")),
            pre_disclosure=bool(data.get("pre_disclosure")),
            published_channels=channels("publication"),
            consulted_channels=channels("consultation"),
            consulted_content=fact("consultation", "content"),
            submitted=fact("submitted", "at"),
            decided=fact("decision", "at"),
            approved_by=fact("approval", "by"),
            final=bool(data.get("final")),
            attachments=attachments,
            attached=attached,
            created=fact("created", "at"),
            created_by=fact("created", "by"),
        )
    except (KeyError, TypeError):
        return None
