"""Reading and writing YAML safely, and locating problems in it.

Two readers serve two jobs. The *fast* reader (libyaml through PyYAML) turns a
file into plain data for validation and listings; it follows the YAML 1.2 core
schema, keeps dates as text (so ``2026-02-30`` is a validation problem, not a
crash), and refuses what a record never needs and an attacker loves: aliases,
tags, duplicate keys, huge files, deep nesting. It keeps the node tree so a
problem found later can be pointed at by line and column without parsing again.

The *round-trip* reader (ruamel.yaml) is used only to edit a file, so its
comments, key order and quoting survive.
"""

from __future__ import annotations

import errno
import io
import os
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, cast

from dangwu.errors import Problem
from dangwu.i18n import N_, _
from dangwu.resources import link_said

if TYPE_CHECKING:  # PyYAML is imported by the first parse: `show` of a known record needs none
    import yaml

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 32

_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL_TRUE = re.compile(r"^(?:true|True|TRUE)$")
_BOOL_FALSE = re.compile(r"^(?:false|False|FALSE)$")
_INT = re.compile(r"^[-+]?[0-9]+$")
_INT_OCT = re.compile(r"^0o[0-7]+$")
_INT_HEX = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_INF = re.compile(r"^[-+]?\.(?:inf|Inf|INF)$")
_NAN = re.compile(r"^\.(?:nan|NaN|NAN)$")

_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_ALLOWED_EXPLICIT = {_STR, _SEQ, _MAP}

_BOMS = (
    (b"\xef\xbb\xbf", "UTF-8"),
    (b"\xff\xfe\x00\x00", "UTF-32 LE"),
    (b"\x00\x00\xfe\xff", "UTF-32 BE"),
    (b"\xff\xfe", "UTF-16 LE"),
    (b"\xfe\xff", "UTF-16 BE"),
)


class YamlProblem(Exception):
    """A file could not be read as YAML; carries a 1-based location."""

    def __init__(self, line: int | None, col: int | None, message: str, hint: str | None = None):
        super().__init__(message)
        self.line = line
        self.col = col
        self.message = message
        self.hint = hint

    def at(self, path: str) -> Problem:
        return Problem(path, self.line, self.col, self.message, self.hint)


@cache
def _node_loader() -> type[yaml.CSafeLoader]:
    """libyaml's composer with no implicit typing: we resolve scalars ourselves.

    libyaml calls these three methods for every node; answering them directly
    instead of through PyYAML's resolver tables saves a quarter of the parse.
    """
    import yaml

    class NodeLoader(yaml.CSafeLoader):
        def resolve(self, kind: type[yaml.Node], value: Any, implicit: Any) -> str:
            if kind is yaml.ScalarNode:
                return _STR
            if kind is yaml.SequenceNode:
                return _SEQ
            return _MAP

        def descend_resolver(self, parent: Any, index: Any) -> None:
            return None

        def ascend_resolver(self) -> None:
            return None

    return NodeLoader


@dataclass
class Document:
    """Plain data read from a YAML text, with the node tree for locating problems."""

    data: Any
    root: yaml.Node | None = field(repr=False)

    def locate(self, path: Sequence[str | int], *, key: bool = False) -> tuple[int, int]:
        """1-based line and column of the value (or the key) at ``path``.

        Falls back to the nearest existing parent when the path does not exist,
        which is where a missing field belongs.
        """
        node = self.root
        if node is None:
            return (1, 1)
        mark = node.start_mark
        last = len(path) - 1
        for depth, step in enumerate(path):
            found: yaml.Node | None = None
            if _kind(node) == "mapping" and isinstance(step, str):
                for knode, vnode in node.value:
                    if knode.value == step:
                        found = knode if key and depth == last else vnode
                        break
            elif (
                _kind(node) == "sequence" and isinstance(step, int) and 0 <= step < len(node.value)
            ):
                found = node.value[step]
            if found is None:
                break
            node = found
            mark = node.start_mark
        return (mark.line + 1, mark.column + 1)


def decode(raw: bytes) -> str:
    """Bytes to text, refusing anything but UTF-8 without a byte-order mark."""
    for bom, name in _BOMS:
        if raw.startswith(bom):
            raise YamlProblem(
                1,
                1,
                _("the file starts with a {encoding} byte-order mark (BOM)").format(encoding=name),
                _("save it as UTF-8 without BOM"),
            )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        col = len(raw[line_start : exc.start].decode("utf-8", "replace")) + 1
        hint = _("save it as UTF-8")
        try:
            raw.decode("gb18030")
        except UnicodeDecodeError:
            pass
        else:
            hint = _("it looks like GBK/GB18030; convert it with: iconv -f GBK -t UTF-8")
        raise YamlProblem(
            line,
            col,
            _(
                "the file is not valid UTF-8 (byte 0x{byte:02x} cannot start a character here)"
            ).format(byte=raw[exc.start]),
            hint,
        ) from None


def read_bytes(path: str | Path, limit: int = MAX_BYTES, *, plain_file: bool = True) -> bytes:
    """Read a file, refusing one too large to be a record before reading it.
    (:func:`read_file` also gives what ``fstat`` said of the open file.)

    With ``plain_file`` (for anything inside the office) a symbolic link, a pipe
    or a device is refused without being opened for reading: a record that is a
    link to /etc/passwd must not be read, and a FIFO must not hang the tool.
    """
    return read_file(path, limit, plain_file=plain_file)[0]


def read_file(
    path: str | Path, limit: int = MAX_BYTES, *, plain_file: bool = True
) -> tuple[bytes, os.stat_result]:
    """:func:`read_bytes`, with the ``fstat`` of the file it read, taken before reading:
    a file written while it is read then never looks unchanged since."""
    flags = os.O_RDONLY | (os.O_NOFOLLOW | os.O_NONBLOCK if plain_file else 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if plain_file and exc.errno == errno.ELOOP:
            raise YamlProblem(None, None, *link_said()) from None
        raise
    try:
        info = os.fstat(fd)
        if plain_file and not stat.S_ISREG(info.st_mode):
            raise YamlProblem(None, None, _("is not a regular file"))
        size = info.st_size
        if size > limit:
            raise YamlProblem(
                None,
                None,
                _("the file is {size} but a record may be at most {limit}").format(
                    size=human_size(size), limit=human_size(limit)
                ),
                _("put long documents in attachments"),
            )
        chunks = []
        remaining = limit + 1
        while remaining > 0:
            chunk = os.read(fd, remaining)
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:
        raise YamlProblem(
            None,
            None,
            _("the file is larger than {limit}").format(limit=human_size(limit)),
            None,
        )
    return data, info


def human_size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} B"


def load(text: str) -> Document:
    """Parse one YAML document into plain data (dict/list/str/int/float/bool/None)."""
    if not text.strip():
        raise YamlProblem(1, 1, _("the file is empty"))
    import yaml

    loader = _node_loader()(text)
    try:
        try:
            root = loader.get_single_node()
        except yaml.composer.ComposerError as exc:
            if "expected a single document" in str(exc):
                mark = exc.problem_mark
                raise YamlProblem(
                    mark.line + 1 if mark else None,
                    mark.column + 1 if mark else None,
                    _("the file holds more than one YAML document (a second '---')"),
                ) from None
            raise
    except yaml.MarkedYAMLError as exc:
        raise _from_marked(exc, text) from None
    except yaml.YAMLError as exc:  # reader errors carry a position of their own
        raise _from_reader(exc, text) from None
    finally:
        loader.dispose()
    if root is None:
        raise YamlProblem(1, 1, _("the file is empty"))
    seen: set[int] = set()
    try:
        data = _construct(root, seen, 0, text)
    except _ControlIn as control:
        _refuse_control(root, control)
    if "\t" in text:
        _editable(text)
    return Document(data, root)


def _editable(text: str) -> None:
    """Refuse what dangwu could read but not edit in place: a tab that YAML takes as a
    space (after a key's colon) but the round-trip reader that keeps a file's comments
    and layout refuses. Asked only of a text with a tab in it."""
    from ruamel.yaml.error import MarkedYAMLError

    try:
        _round_trip_yaml().load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlProblem(
            mark.line + 1 if mark else None,
            mark.column + 1 if mark else None,
            _("YAML syntax: a tab dangwu cannot keep when it edits the file"),
            _("use a space instead of the tab"),
        ) from None


# --- the facts dangwu writes, read quickly ------------------------------------------
#
# A record's history holds tens of thousands of small entries that dangwu itself wrote
# (``approval:`` with ``by``, ``at``, ``content``...). load_simple reads exactly those
# shapes without the YAML machinery, and gives up (None) on anything else, which is
# then read by load(): where it answers, it answers what load() would.

_SIMPLE_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
# the line breaks YAML reads where an editor may show none, by name: NEL, LINE
# SEPARATOR, PARAGRAPH SEPARATOR, and a CR not followed by \n (CRLF is an ordinary
# line end)
HIDDEN_BREAKS = {
    "\r": "CARRIAGE RETURN",
    "\x85": "NEXT LINE",
    "\u2028": "LINE SEPARATOR",
    "\u2029": "PARAGRAPH SEPARATOR",
}
HIDDEN_BREAK = re.compile("\r(?!\n)|[\x85\u2028\u2029]")
# line breaks in YAML besides \n and \r
_OTHER_BREAKS = tuple(mark for mark in HIDDEN_BREAKS if mark != "\r")


def has_hidden_break(text: str) -> bool:
    """Whether ``text`` holds one of HIDDEN_BREAKS. Asked of every record and every
    version of one: ``in`` first (a tenth of the pattern's time on 10,000 records),
    the pattern only where a CR stands (CRLF files)."""
    if "\r" in text:
        return HIDDEN_BREAK.search(text) is not None
    return any(mark in text for mark in _OTHER_BREAKS)


# a plain scalar that cannot be anything but itself: no indicator first, no ': ', no
# ' #', no quote, no surrounding space
_SIMPLE_PLAIN = re.compile(r"""[^\s\-?:,\[\]{}#&*!|>'"%@`](?:[^:#'"\n]|:(?! |$))*(?<! )\Z""")
_SIMPLE_ITEM = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.@-]*\Z")
_SIMPLE_QUOTED = re.compile(r"'(?:[^'\n]|'')*'\Z")


def load_simple(text: str) -> Any | None:
    """``load(text).data`` for one top-level entry of the simple shape dangwu writes
    (``key: scalar``, or ``key:`` and two-space indented ``sub: value`` lines whose
    values are plain or single-quoted scalars or flow lists of plain words); None for
    anything else."""
    if not text.endswith("\n") or "\t" in text or "\r" in text or "#" in text:
        return None
    if any(mark in text for mark in _OTHER_BREAKS):
        return None  # YAML breaks lines there too: load() reads it
    if _not_printable().search(text) is not None:
        return None  # load() says what is wrong with it
    lines = text[:-1].split("\n")
    key, sep, rest = lines[0].partition(":")
    if not sep or not _SIMPLE_KEY.match(key):
        return None
    if rest:
        if len(lines) != 1 or not rest.startswith(" "):
            return None
        value = _simple_value(rest[1:])
        return None if value is _NOTHING else {key: value}
    if len(lines) < 2:
        return None
    entry: dict[str, Any] = {}
    index = 1
    while index < len(lines):
        line = lines[index]
        index += 1
        if not line.startswith("  ") or line.startswith("   "):
            return None
        sub, sep, rest = line[2:].partition(":")
        if not sep or not _SIMPLE_KEY.match(sub) or sub in entry:
            return None
        if not rest:  # a block sequence of plain words: "  - word" or "    - word"
            items: list[Any] = []
            dash = -1
            while index < len(lines) and lines[index].lstrip(" ").startswith("- "):
                item = lines[index]
                indent = len(item) - len(item.lstrip(" "))
                if indent not in (2, 4) or (items and indent != dash):
                    return None
                dash = indent
                word = item[dash + 2 :]
                if not _SIMPLE_ITEM.match(word):
                    return None
                items.append(_plain_value(word))
                index += 1
            if not items:
                return None
            entry[sub] = items
            continue
        if not rest.startswith(" "):
            return None
        value = _simple_value(rest[1:])
        if value is _NOTHING:
            return None
        entry[sub] = value
    return {key: entry}


_NOTHING = object()


def _simple_value(raw: str) -> Any:
    if not raw or raw != raw.strip():
        return _NOTHING
    if raw[0] == "'":
        return raw[1:-1].replace("''", "'") if _SIMPLE_QUOTED.match(raw) else _NOTHING
    if raw[0] == "[":
        if not raw.endswith("]"):
            return _NOTHING
        inner = raw[1:-1]
        if not inner:
            return []
        items = inner.split(", ")
        if not all(_SIMPLE_ITEM.match(item) for item in items):
            return _NOTHING
        return [_plain_value(item) for item in items]
    return _plain_value(raw) if _SIMPLE_PLAIN.match(raw) else _NOTHING


def _from_marked(exc: yaml.MarkedYAMLError, text: str) -> YamlProblem:
    problem = (exc.problem or exc.context or "invalid YAML").strip()
    mark = exc.problem_mark or exc.context_mark
    if exc.context_mark is not None and (
        "end of stream" in problem or mark is None or mark.line >= text.count("\n") + 1
    ):
        # an unclosed quote or bracket: where it was opened says more than the file's end
        mark = exc.context_mark
    if exc.context and exc.problem and "while" in exc.context:
        message = _("YAML syntax: {problem} ({context})").format(
            problem=_libyaml(exc.problem), context=_libyaml(exc.context)
        )
    else:
        message = _("YAML syntax: {problem}").format(problem=_libyaml(problem))
    hint = None
    if mark is not None and _char_at(text, mark.line, mark.column) == "\t":
        message = _("YAML syntax: a tab character is used for indentation")
        hint = _("indent with spaces")
    if mark is None:
        return YamlProblem(None, None, message, hint)
    return YamlProblem(mark.line + 1, mark.column + 1, message, hint)


# libyaml's own words for what it found wrong, so that they can be said in the
# user's language; anything else it says is shown as it says it
_LIBYAML = {
    text: text
    for text in (
        N_("found unexpected end of stream"),
        N_("mapping values are not allowed in this context"),
        N_("mapping values are not allowed here"),
        N_("did not find expected key"),
        N_("did not find expected node content"),
        N_("did not find expected ',' or ']'"),
        N_("did not find expected ',' or '}'"),
        N_("did not find expected '-' indicator"),
        N_("did not find expected <document start>"),
        N_("found unknown escape character"),
        N_("could not find expected ':'"),
        N_("found character that cannot start any token"),
        N_("block sequence entries are not allowed in this context"),
        N_("found a tab character that violates indentation"),
        N_("found a tab character where an indentation space is expected"),
        N_("found unexpected document indicator"),
        N_("found undefined tag handle"),
        N_("found incompatible YAML document"),
        N_("while scanning for the next token"),
        N_("while scanning a quoted scalar"),
        N_("while scanning a plain scalar"),
        N_("while scanning a simple key"),
        N_("while scanning a block scalar"),
        N_("while scanning an anchor"),
        N_("while scanning an alias"),
        N_("while scanning a tag"),
        N_("while scanning a directive"),
        N_("while parsing a quoted scalar"),
        N_("while parsing a block mapping"),
        N_("while parsing a flow mapping"),
        N_("while parsing a block collection"),
        N_("while parsing a flow sequence"),
        N_("while parsing a flow node"),
        N_("while parsing a block node"),
        N_("while parsing a node"),
    )
}


def _libyaml(text: str) -> str:
    text = text.strip()
    return _(text) if text in _LIBYAML else text


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.split("\n")
    if 0 <= line < len(lines) and 0 <= column < len(lines[line]):
        return lines[line][column]
    return ""


# Characters YAML refuses in a file (outside c-printable), and control characters a
# double-quoted "\a"-style escape could still smuggle into a value.
@cache
def _not_printable() -> re.Pattern[str]:
    # compiled when first needed: its ranges take 3 ms to compile, a thirtieth of `show`
    return re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _from_reader(exc: yaml.YAMLError, text: str) -> YamlProblem:
    found = _not_printable().search(text)
    if found is None:
        return YamlProblem(None, None, _("YAML: {problem}").format(problem=str(exc)))
    index = found.start()
    line = text.count("\n", 0, index) + 1
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    return YamlProblem(
        line,
        col,
        _("the file contains a control character U+{code:04X} that YAML does not allow").format(
            code=ord(found.group())
        ),
        _("remove it; a text editor may show it as ^{letter} or not at all").format(
            letter=chr(ord(found.group()) + 64) if ord(found.group()) < 32 else "?"
        ),
    )


def _kind(node: yaml.Node) -> str:
    """The kind of a PyYAML node ("scalar", "sequence" or "mapping"), asked without
    importing its classes: they say it in ``id``, which the type stubs leave out."""
    return node.id  # type: ignore[attr-defined,no-any-return]


class _ControlIn(Exception):
    """A double-quoted scalar holding a control character: found fast, said by load()
    with the path of fields that leads to it."""

    def __init__(self, node: yaml.ScalarNode, code: int) -> None:
        self.node, self.code = node, code


def _construct(node: yaml.Node, seen: set[int], depth: int, text: str) -> Any:
    """Plain data from a node, refusing what a record may not hold. Run for every node
    of every file read: a scalar inside a mapping or a list is made in place."""
    if id(node) in seen:
        line, col = _first_alias(text)
        raise YamlProblem(
            line,
            col,
            _("YAML anchors and aliases (&name, *name) are not allowed"),
            _("write the value out in full"),
        )
    seen.add(id(node))
    if depth > MAX_DEPTH:
        mark = node.start_mark
        raise YamlProblem(mark.line + 1, mark.column + 1, _("the data is nested too deeply"))
    tag = node.tag
    if tag not in _ALLOWED_EXPLICIT:
        _refuse_tag(node)
    kind = node.id  # type: ignore[attr-defined]  # _kind, inlined
    if kind == "scalar":
        return _scalar(cast("yaml.ScalarNode", node))
    if kind == "sequence":
        return [_construct(item, seen, depth + 1, text) for item in node.value]
    result: dict[str, Any] = {}
    for knode, vnode in node.value:
        if knode.id != "scalar":
            mark = knode.start_mark
            raise YamlProblem(mark.line + 1, mark.column + 1, _("a mapping key must be plain text"))
        if knode.tag not in _ALLOWED_EXPLICIT:
            _refuse_tag(knode)
        style = knode.style
        if not style and knode.value == "<<":
            mark = knode.start_mark
            raise YamlProblem(
                mark.line + 1, mark.column + 1, _("YAML merge keys (<<) are not allowed")
            )
        key = str(_scalar(knode))
        if key in result:
            mark = knode.start_mark
            raise YamlProblem(
                mark.line + 1,
                mark.column + 1,
                _("duplicate key '{key}'").format(key=key),
                _("each field may appear only once"),
            )
        if (
            vnode.id == "scalar"
            and depth < MAX_DEPTH
            and id(vnode) not in seen
            and vnode.tag in _ALLOWED_EXPLICIT
        ):
            seen.add(id(vnode))  # the common case, made here: most values are text
            result[key] = _scalar(vnode)
        else:
            result[key] = _construct(vnode, seen, depth + 1, text)
    return result


def _scalar(node: yaml.ScalarNode) -> Any:
    style = node.style
    if style == '"':
        found = _CONTROL.search(node.value)
        if found is not None:
            raise _ControlIn(node, ord(found.group()))
    if style:  # quoted or block scalars are always text
        return node.value
    return _plain_value(node.value)


def _refuse_tag(node: yaml.Node) -> NoReturn:
    mark = node.start_mark
    raise YamlProblem(
        mark.line + 1,
        mark.column + 1,
        _("YAML tag {tag} is not allowed").format(tag=_short_tag(node.tag)),
        _("remove the tag; records hold plain text, numbers, lists and mappings"),
    )


def _label_of(root: yaml.Node, wanted: yaml.Node) -> str:
    """The path of fields from ``root`` to node ``wanted`` (``a.b[2]``), "" for the root
    or a key."""

    def walk(node: yaml.Node, label: str) -> str | None:
        if node is wanted:
            return label
        if _kind(node) == "sequence":
            for index, item in enumerate(node.value):
                found = walk(item, f"{label}[{index}]")
                if found is not None:
                    return found
        elif _kind(node) == "mapping":
            for knode, vnode in node.value:
                if knode is wanted:
                    return label
                # the key as _construct made it (every key before ``wanted`` was made)
                key = str(_scalar(knode))
                found = walk(vnode, f"{label}.{key}" if label else key)
                if found is not None:
                    return found
        return None

    return walk(root, "") or ""


def _refuse_control(root: yaml.Node, control: _ControlIn) -> NoReturn:
    """A double-quoted escape (\\a, \\e, \\x07) must not put a control character in a
    value: printed on a terminal it could ring, clear or rewrite the screen."""
    mark = control.node.start_mark
    message = _("the text contains a control character U+{code:04X}").format(code=control.code)
    label = _label_of(root, control.node)
    raise YamlProblem(
        mark.line + 1,
        mark.column + 1,
        f"{label}: {message}" if label else message,
        _("remove the escape sequence"),
    )


def _short_tag(tag: str) -> str:
    prefix = "tag:yaml.org,2002:"
    return "!!" + tag[len(prefix) :] if tag.startswith(prefix) else tag


_MAYBE_TYPED = frozenset("-+.0123456789~nNtTfF")


def _plain_value(value: str) -> Any:
    """What a plain (unquoted) scalar means: a number, a boolean, null, or text."""
    if value and value[0] not in _MAYBE_TYPED:
        return value  # cannot be a number, boolean or null: most text, quickly
    if _NULL.match(value):
        return None
    if _BOOL_TRUE.match(value):
        return True
    if _BOOL_FALSE.match(value):
        return False
    if _INT.match(value):
        return int(value)
    if _INT_OCT.match(value):
        return int(value[2:], 8)
    if _INT_HEX.match(value):
        return int(value[2:], 16)
    if _FLOAT.match(value):
        return float(value)
    if _INF.match(value):
        return float("-inf") if value.startswith("-") else float("inf")
    if _NAN.match(value):
        return float("nan")
    return value


def _first_alias(text: str) -> tuple[int | None, int | None]:
    import yaml

    try:
        for token in yaml.scan(text, Loader=yaml.CSafeLoader):
            if isinstance(token, yaml.AliasToken):
                mark = token.start_mark
                return (mark.line + 1, mark.column + 1)
    except yaml.YAMLError:
        pass
    return (None, None)


# --- round trip -------------------------------------------------------------------


def _round_trip_yaml(style: tuple[int, int, int] = (2, 4, 2)) -> Any:
    from ruamel.yaml import YAML

    mapping, sequence, offset = style
    rt = YAML(typ="rt")
    rt.preserve_quotes = True
    rt.width = 4096
    rt.allow_unicode = True
    rt.indent(mapping=mapping, sequence=sequence, offset=offset)
    return rt


_KEY_ONLY = re.compile(r"^( *)[^\s#-][^#]*:\s*(?:#.*)?$")


def guess_style(text: str) -> tuple[int, int, int]:
    """The indentation a file uses: (mapping indent, sequence indent, dash offset).

    Judged from the first nested mapping and the first block sequence, so an
    edit writes the file back the way it was written.
    """
    mapping: int | None = None
    sequence: tuple[int, int] | None = None
    lines = text.splitlines()
    for index, line in enumerate(lines[:-1]):
        parent = _KEY_ONLY.match(line)
        if not parent:
            continue
        child = next(
            (n for n in lines[index + 1 :] if n.strip() and not n.lstrip().startswith("#")), ""
        )
        depth = len(child) - len(child.lstrip(" "))
        step = depth - len(parent.group(1))
        if child.lstrip().startswith("- ") and step >= 0 and sequence is None:
            sequence = (step + 2, step)
        elif step > 0 and mapping is None and not child.lstrip().startswith("- "):
            mapping = step
        if mapping is not None and sequence is not None:
            break
    mapping = mapping or 2
    seq, offset = sequence or (mapping + 2, mapping)
    return (mapping, seq, offset)


def load_round_trip(text: str, style: tuple[int, int, int] | None = None) -> Any:
    """Load for editing. Only call on text that :func:`load` accepted. ``style``: the
    indentation to write it back with, when ``text`` is part of a file (the file's)."""
    style = style or guess_style(text)
    data = _round_trip_yaml(style).load(text)
    data._dangwu_style = style
    return data


def dump_round_trip(data: Any) -> str:
    rt = _round_trip_yaml(getattr(data, "_dangwu_style", (2, 4, 2)))
    out = io.StringIO()
    rt.dump(data, out)
    return out.getvalue()


def as_yaml_value(value: Any) -> Any:
    """Prepare a plain value for a round-trip document: dates stay dates, text stays
    plain, multi-line text becomes a literal block."""
    from ruamel.yaml.scalarstring import LiteralScalarString

    if isinstance(value, str):
        if "\n" in value:
            return LiteralScalarString(value if value.endswith("\n") else value + "\n")
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                return value
        return value
    if isinstance(value, list):
        return [as_yaml_value(v) for v in value]
    return value


def as_yaml_tree(value: Any) -> Any:
    """A value as a record file writes it: mappings in order, short lists of text
    inline, long text as literal blocks, dates as dates."""
    from ruamel.yaml.comments import CommentedMap

    if isinstance(value, dict):
        return CommentedMap((k, as_yaml_tree(v)) for k, v in value.items())
    if isinstance(value, list | tuple):
        if all(isinstance(v, str) and "\n" not in v for v in value):
            return flow_list(list(value))
        return [as_yaml_tree(v) for v in value]
    return as_yaml_value(value)


def flow_list(values: Sequence[Any]) -> Any:
    """A list written inline, ``[a, b]``, as short lists read best."""
    from ruamel.yaml.comments import CommentedSeq

    seq = CommentedSeq(values)
    seq.fa.set_flow_style()
    return seq
