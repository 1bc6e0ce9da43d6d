"""Parse-once caches in ``.git/dangwu/``, keyed by git blob id.

A file whose bytes have not changed has the same blob id, so what we learnt
about it last time (its summary, its problems) still holds. The key also
carries a fingerprint of everything else the answer depends on: dangwu's
version and the schemas and catalogue in force. Problems found are words in the
language of the run that found them, so they are kept with that language and
found again by a reader of another.
Caches are an optimisation only: an unreadable or unwritable cache is ignored.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dangwu import __version__, i18n
from dangwu.model.record import Summary
from dangwu.resources import shipped

if TYPE_CHECKING:
    from dangwu.store.office import Office


# what a file's verdict depends on, besides the file: the catalogue and every schema
SCHEMA_FILES = (
    "catalogue.yaml",
    "record.schema.yaml",
    "office.schema.yaml",
    "catalogue.schema.yaml",
    "report.schema.yaml",
    "feedback.schema.yaml",
    "request.schema.yaml",
)


def fingerprint(office: Office, *extra: str) -> str:
    """What cached answers depend on besides the file itself."""
    import hashlib

    return hashlib.sha1(_depends(office, *extra).encode(), usedforsecurity=False).hexdigest()


def _depends(office: Office, *extra: str) -> str:
    parts = [__version__, *extra]
    for name in SCHEMA_FILES:
        for candidate in (office.root / "schemas" / name, shipped("schemas", name)):
            with contextlib.suppress(OSError):
                stat = candidate.stat()
                parts.append(f"{candidate}:{stat.st_mtime_ns}:{stat.st_size}")
    return "\0".join(parts)


def read_json(path: Path) -> Any:
    try:
        with path.open("rb") as fh:
            return json.loads(fh.read())
    except (OSError, ValueError):
        return None


def write_json(path: Path, value: Any) -> None:
    """Write atomically; give up quietly where the repository is read-only."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())
        tmp.replace(path)
    except OSError:
        pass


SUPERVISION_MARKERS = "checked-v1.json"  # the reports, opinions and requests found valid


class Markers:
    """Small files already known to be valid, each kept with the data it holds, so a
    start-up reads JSON rather than parsing and checking YAML again: dangwu.yaml and
    the catalogue (``Office.markers``, read by every command: its file is read once
    for both), and the reports, opinions and requests ``validate`` read (a file of
    their own, as they may be thousands that other commands need not read)."""

    def __init__(self, office: Office, name: str = "valid-v2.json") -> None:
        self.office = office
        self.path = office.state_dir / name
        self._unsaved = False

    @cached_property
    def _known(self) -> dict[str, Any]:
        known = read_json(self.path)
        return known if isinstance(known, dict) else {}

    @cached_property
    def _basis(self) -> str:
        return _depends(self.office)

    def _key(self, relpath: str, text: str) -> str:
        # the text itself, not a hash of it: a start-up then computes no hash at all
        return f"{self._basis}\0{relpath}\0{text}"

    def checked(self, relpath: str, text: str) -> Any | None:
        """The data of ``text`` when it was found valid before, else None."""
        entry = self._known.get(relpath)
        if isinstance(entry, list) and len(entry) == 2 and entry[0] == self._key(relpath, text):
            return entry[1]
        return None

    def mark_valid(self, relpath: str, text: str, data: Any, *, save: bool = True) -> None:
        """Remember ``text`` as valid, holding ``data`` (kept only where JSON gives
        back the same data: a mapping with a number for a key would come back a string).
        ``save=False``: kept until :meth:`save`, for many files found at once."""
        try:
            if json.loads(json.dumps(data, ensure_ascii=False)) != data:
                return
        except (TypeError, ValueError):
            return
        entry = [self._key(relpath, text), data]
        if self._known.get(relpath) != entry:
            self._known[relpath] = entry
            self._unsaved = True
        if save:
            self.save()

    def save(self) -> None:
        """Write what was kept since the last save (nothing new: nothing written)."""
        if self._unsaved:
            write_json(self.path, self._known)
            self._unsaved = False


class Parsed:
    """The fields of record files read before, one small file per record in
    ``.git/dangwu/parsed-v1/`` holding the text it was read from. Keyed by the whole
    text rather than by ``stat``, so no clock and no race can make it answer for a
    file that changed; good for this version of dangwu only (the parser may change)."""

    def __init__(self, office: Office) -> None:
        self.folder = office.state_dir / "parsed-v1"

    def _path(self, relpath: str) -> Path:
        # records/<category>/<ID>.yaml: the category and id are checked names
        return self.folder / relpath.replace("/", "~")

    def get(self, relpath: str, text: str) -> dict[str, Any] | None:
        known = read_json(self._path(relpath).with_suffix(".json"))
        if (
            isinstance(known, list)
            and len(known) == 3
            and known[0] == __version__
            and known[1] == text
            and isinstance(known[2], dict)
        ):
            return known[2]
        return None

    def put(self, relpath: str, text: str, data: dict[str, Any]) -> None:
        """Keep ``data`` where JSON gives back the very same (it would not for NaN)."""
        try:
            if json.loads(json.dumps(data, ensure_ascii=False)) != data:
                return
        except (TypeError, ValueError):
            return
        write_json(self._path(relpath).with_suffix(".json"), [__version__, text, data])


# a file changed this recently may change again within the same tick of the file
# system's clock and keep every figure stat gives: git calls it "racily clean" (a
# tick is 2 s on a FAT-formatted USB stick, nanoseconds on ext4)
RACY_NS = 3_000_000_000


def stat_key(info: os.stat_result, now_ns: int | None = None) -> list[int] | None:
    """What ``stat`` says of a record file, to know it unchanged next time without
    reading it, as git's index does; None when it changed in the last three seconds.
    The change time is in it: no one but root can set it, so a file put back with
    its old modification time (``touch -r``) is still read again."""
    now = time.time_ns() if now_ns is None else now_ns
    if max(info.st_mtime_ns, info.st_ctime_ns) >= now - RACY_NS:
        return None
    return [info.st_mtime_ns, info.st_ctime_ns, info.st_size, info.st_ino, info.st_mode]


class RecordCache:
    """What is known of each record file: path -> (blob id, summary, problems, the
    :func:`stat_key` of the file those were read from)."""

    def __init__(self, office: Office) -> None:
        self.path = office.state_dir / "records-v3.json"
        # good for this shape of Summary only (a field added reads as None otherwise)
        self.fingerprint = fingerprint(office, ",".join(Summary.__dataclass_fields__))
        self.language = i18n.language()
        stored = read_json(self.path)
        self.entries: dict[str, list[Any]] = {}
        self.changed = False
        if isinstance(stored, dict) and stored.get("fingerprint") == self.fingerprint:
            entries = stored.get("entries")
            if isinstance(entries, dict):
                self.entries = entries
            if stored.get("language") != self.language:
                # a file's problems are said again in this reader's language
                self.entries = {
                    k: v
                    for k, v in self.entries.items()
                    if isinstance(v, list) and len(v) == 4 and not v[2]
                }
                self.changed = True

    def get(self, relpath: str, blob: str) -> tuple[Summary | None, list[Any]] | None:
        entry = self.entries.get(relpath)
        if not entry or entry[0] != blob:
            return None
        return self._known(relpath, entry)

    def unchanged(self, relpath: str, path: str) -> tuple[Summary | None, list[Any]] | None:
        """What is known of the file at ``path`` when ``lstat`` shows it as it was when
        it was read (None: read it)."""
        entry = self.entries.get(relpath)
        if not entry or len(entry) != 4 or entry[3] is None:
            return None
        try:
            info = os.lstat(path)
        except OSError:
            return None
        key = [info.st_mtime_ns, info.st_ctime_ns, info.st_size, info.st_ino, info.st_mode]
        return self._known(relpath, entry) if key == entry[3] else None

    @staticmethod
    def _known(relpath: str, entry: list[Any]) -> tuple[Summary | None, list[Any]] | None:
        try:
            summary = Summary.from_cache(relpath, entry[0], entry[1]) if entry[1] else None
        except TypeError:  # written by another shape of Summary
            return None
        return summary, entry[2]

    def put(
        self,
        relpath: str,
        blob: str,
        summary: Summary | None,
        problems: list[Any],
        key: list[int] | None,
    ) -> None:
        self.entries[relpath] = [blob, summary.cached() if summary else None, problems, key]
        self.changed = True

    def restat(self, relpath: str, key: list[int] | None) -> None:
        """The file at ``relpath`` holds the same bytes, with another stat."""
        entry = self.entries[relpath]
        if len(entry) == 4 and entry[3] != key:
            entry[3] = key
            self.changed = True

    def save(self, present: set[str]) -> None:
        stale = set(self.entries) - present
        for relpath in stale:
            del self.entries[relpath]
        if self.changed or stale:
            write_json(
                self.path,
                {
                    "fingerprint": self.fingerprint,
                    "language": self.language,
                    "entries": self.entries,
                },
            )
