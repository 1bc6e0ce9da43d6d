"""Record files on disk: finding one, listing them, reading, writing, and minting ids."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dangwu import yamlio
from dangwu.errors import InvalidFiles, RecordNotFound, UsageError
from dangwu.i18n import _
from dangwu.model.catalogue import Category
from dangwu.model.record import (
    CONTENT_FIELDS,
    FIELD_ORDER,
    RECORDS_DIR,
    TOOL_FIELDS,
    category_of,
    owner_block,
    parse_id,
    relpath_for,
)
from dangwu.model.words import suggest
from dangwu.store.cache import Parsed

if TYPE_CHECKING:
    from dangwu.model.office import Person
    from dangwu.store.office import Office


HEADER = (
    "# 党务公开记录 · disclosure record: edit the content; dangwu writes status and the steps.\n"
)


@dataclass
class RecordFile:
    """One record as read from disk."""

    relpath: str
    raw: bytes
    text: str
    doc: yamlio.Document

    @property
    def data(self) -> dict[str, Any]:
        assert isinstance(self.doc.data, dict)
        return self.doc.data

    @property
    def status(self) -> str:
        return str(self.data.get("status", "draft"))


def read_record_file(root: Path, relpath: str) -> RecordFile:
    """Read and parse one record file, raising InvalidFiles on unreadable YAML."""
    raw, text = _read(root, relpath)
    return _parsed(relpath, raw, text)


def _read(root: Path, relpath: str) -> tuple[bytes, str]:
    """A record file's bytes and text (InvalidFiles: too large, not a plain file, not
    UTF-8)."""
    try:
        raw = yamlio.read_bytes(root / relpath)
        return raw, yamlio.decode(raw)
    except yamlio.YamlProblem as exc:
        raise InvalidFiles([exc.at(relpath)]) from None


def _parsed(relpath: str, raw: bytes, text: str) -> RecordFile:
    try:
        doc = yamlio.load(text)
    except yamlio.YamlProblem as exc:
        raise InvalidFiles([exc.at(relpath)]) from None
    if not isinstance(doc.data, dict):
        line, col = doc.locate([])
        message = _("a record must be a mapping of fields (id:, title:, ...)")
        raise InvalidFiles([yamlio.YamlProblem(line, col, message).at(relpath)])
    return RecordFile(relpath, raw, text, doc)


def find(office: Office, ref: str) -> RecordFile:
    """The record a person named on the command line."""
    return read_record_file(office.root, _located(office, ref))


def read_fields(office: Office, ref: str) -> tuple[str, dict[str, Any]]:
    """The path and fields of the record a person named, to read and not to edit. A
    file read before with the same text gives back the fields it held without a YAML
    parser: importing PyYAML is a tenth of ``dangwu show``."""
    relpath = _located(office, ref)
    raw, text = _read(office.root, relpath)
    parsed = Parsed(office)
    known = parsed.get(relpath, text)
    if known is None:
        known = _parsed(relpath, raw, text).data
        parsed.put(relpath, text, known)
    return relpath, known


def _located(office: Office, ref: str) -> str:
    record_id = parse_id(ref)
    category = category_of(office.catalogue, record_id)
    relpath = relpath_for(category, record_id)
    if not (office.root / relpath).is_file():
        known = sorted(p.stem for p in (office.root / RECORDS_DIR / category.slug).glob("*.yaml"))
        raise RecordNotFound(
            _("no record {id} in {folder}").format(
                id=record_id, folder=f"records/{category.slug}/"
            ),
            hint=suggest(record_id, known) or _("see the records with: dangwu list"),
            record_id=record_id,
        )
    return relpath


def record_files(root: Path) -> Iterator[str]:
    """Every file under records/, as repository-relative POSIX paths, sorted."""
    base = root / RECORDS_DIR
    if not base.is_dir():
        return
    for folder in sorted(os.scandir(base), key=lambda e: e.name):
        if folder.name.startswith("."):
            continue
        if not folder.is_dir(follow_symlinks=False):
            yield f"{RECORDS_DIR}/{folder.name}"
            continue
        for entry in sorted(os.scandir(folder.path), key=lambda e: e.name):
            if entry.name.startswith("."):
                continue
            yield f"{RECORDS_DIR}/{folder.name}/{entry.name}"


# --- ids ---------------------------------------------------------------------------


def next_id(
    root: Path, category: Category, person: Person, year: int, taken: set[str] | None = None
) -> str:
    """The next id for ``person`` in ``category`` and ``year``.

    Each person who drafts records owns a block of numbers (``id_block`` in the
    roster), so two clerks working on two clones never mint the same id, and a
    number once used is never handed out again by its owner.
    """
    if person.id_block is None:
        raise UsageError(
            _("{name} has no id_block in the roster, so cannot draft records").format(
                name=person.name
            ),
            hint=_("an office head can re-add them with: dangwu roster add {key} ...").format(
                key=person.key
            ),
        )
    prefix = f"{category.code}-{year:04d}-"
    numbers = set()
    folder = root / RECORDS_DIR / category.slug
    names = set(taken or ())
    if folder.is_dir():
        names.update(
            entry.name[:-5] for entry in os.scandir(folder) if entry.name.endswith(".yaml")
        )
    for name in names:
        if name.startswith(prefix) and name[len(prefix) :].isdigit():
            number = int(name[len(prefix) :])
            if owner_block(number) == person.id_block:
                numbers.add(number)
    if not numbers:
        return f"{prefix}{person.id_block * 100 + 1:03d}"
    highest = max(numbers)
    if highest % 100 < 99:
        return f"{prefix}{highest + 1:03d}"
    following = (highest // 100) + 9
    return f"{prefix}{following * 100 + 1:03d}"


# --- writing -----------------------------------------------------------------------


def new_record_text(fields: Mapping[str, Any]) -> str:
    """The YAML of a new record, fields in canonical order, long text as blocks."""
    from ruamel.yaml.comments import CommentedMap

    data = CommentedMap()
    for key in FIELD_ORDER:
        if key in fields:
            data[key] = yamlio.as_yaml_tree(fields[key])
    return HEADER + yamlio.dump_round_trip(data)


# a line that starts a top-level key, and what no tail read alone may hold: a comment,
# an anchor or alias (which could point into the content), a tag, a document marker
_TOP_KEY = re.compile(r"([A-Za-z_][\w-]*):(?:[ \t]|$)")
_NOT_ALONE = re.compile(r"[#&*!]|^(?:---|\.\.\.)", re.MULTILINE)
_OTHER_BREAKS = re.compile("[\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")  # str.splitlines's


def with_tool_fields(text: str, fields: Mapping[str, Any]) -> str:
    """A record's ``text`` with its tool ``fields`` (its status, the facts of its steps)
    set, as a round-trip edit of the whole file writes it. Where the file holds its
    content first and its tool fields after, as dangwu writes every record, only that
    tail is read and written again: the content (most of a record, and 3 of the 4.6 ms
    a step spent in the round trip) is kept byte for byte."""
    assert all(key in TOOL_FIELDS for key in fields)
    start = _tool_fields_start(text) or 0  # 0: the whole file
    edited = yamlio.load_round_trip(text[start:], yamlio.guess_style(text))
    for key, value in fields.items():
        place(edited, key, value)
    return text[:start] + yamlio.dump_round_trip(edited)


def _tool_fields_start(text: str) -> int | None:
    """Where the tool fields of a record's text begin, when they all come after all of
    its content fields, the text is one plain block mapping, and what follows may be
    read alone (see ``_NOT_ALONE``); else None."""
    # lines end in LF alone: a whole round trip ends them so, and a break YAML may
    # also read as one (CR, NEL, U+2028...) is no place to cut a file
    if not text.endswith("\n") or _OTHER_BREAKS.search(text):
        return None
    start = None
    offset = 0
    for line in text[:-1].split("\n"):
        line += "\n"
        # (a comment among the tool fields is refused below, with their other marks)
        if line[0] not in (" ", "\n", "#"):
            key = _TOP_KEY.match(line)
            if key is None:
                return None
            tool = key[1] in TOOL_FIELDS
            if start is None and tool:
                start = offset
            elif (start is not None) != tool or (not tool and key[1] not in CONTENT_FIELDS):
                return None
        offset += len(line)
    if start is None or _NOT_ALONE.search(text, start):
        return None
    return start


def place(data: Any, key: str, value: Any) -> None:
    """Set ``key`` in a round-trip mapping, inserting a new key where it belongs."""
    if key in data:
        data[key] = value
        return
    order = FIELD_ORDER.index(key) if key in FIELD_ORDER else len(FIELD_ORDER)
    position = len(data)
    for index, existing in enumerate(data):
        rank = FIELD_ORDER.index(existing) if existing in FIELD_ORDER else len(FIELD_ORDER)
        if rank > order:
            position = index
            break
    data.insert(position, key, value)
