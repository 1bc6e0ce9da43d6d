"""Validation: JSON Schema plus the cross-field rules, as located Problems.

Every problem names its file, line and column, says what is wrong in the
office's terms, and suggests the fix where one is obvious. Nothing here raises
for bad input: problems are returned so that one run reports them all.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import json
import marshal
import os
import re
import sys
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, cached_property, partial
from pathlib import Path, PurePosixPath
from types import CodeType
from typing import TYPE_CHECKING, Any

from dangwu import yamlio
from dangwu.errors import DangwuError, Problem
from dangwu.i18n import N_, _, alternatives
from dangwu.model.catalogue import (
    AUDIENCE_CHANNELS,
    CADENCE_TITLES,
    CHANNEL_TITLES,
    INTERNAL_CHANNELS,
    SCOPE_TITLES,
    Catalogue,
)
from dangwu.model.office import SETTINGS_FILE
from dangwu.model.record import ID_RE, Summary, blob_id, summarize
from dangwu.model.words import FIRST_YEAR, LAST_YEAR, code_of, in_our_years, shown, suggest
from dangwu.resources import own_or_shipped, shipped, user_cache
from dangwu.rules.workflow import STATUS_TITLES

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError


TYPE_NAMES = {
    "string": N_("text"),
    "integer": N_("a whole number"),
    "number": N_("a number"),
    "boolean": N_("true or false"),
    "array": N_("a list"),
    "object": N_("a mapping of fields"),
    "null": N_("empty"),
}


def schema_path(name: str, office_root: Path | None) -> Path:
    """The office's own schema if it has one, else the shipped one."""
    return own_or_shipped(office_root, "schemas", name)


class Schema:
    """A schema in force, and its two checks: a compiled one (fastjsonschema, ten times
    faster) that says only whether a file is valid, and jsonschema's, which says what
    is wrong and where. Nearly every file is valid: jsonschema (0.1 s to import) is
    made only for one the first refuses, or for a schema the compiled check cannot
    judge exactly as jsonschema does (tests/test_validate_fast.py)."""

    def __init__(self, data: Any) -> None:
        self.data = data

    @cached_property
    def full(self) -> Draft202012Validator:
        from jsonschema import Draft202012Validator, FormatChecker

        checker = FormatChecker(formats=())
        checker.checks("date")(is_date)
        checker.checks("date-time")(_is_datetime)
        inlined = _inline_refs(self.data, self.data)
        return Draft202012Validator(inlined, format_checker=checker)

    @cached_property
    def fast(self) -> Callable[[Any], Any] | None:
        return _compiled(self.data) if isinstance(self.data, Mapping) else None

    def iter_errors(self, data: Any) -> Iterator[ValidationError]:
        return self.full.iter_errors(data)


@cache
def _schema_at(path: Path, mtime_ns: int, own: str | None) -> Schema:
    """The schema at ``path``; ``own`` is its path in the office when the office wrote
    it. Only an office's own schema is checked against JSON Schema's rules here
    (about 40 ms each): the shipped ones are checked by the tests. A broken one stops
    the command (not each file it would check): the office must mend it."""
    try:
        doc = yamlio.load(path.read_text(encoding="utf-8"))
    except yamlio.YamlProblem as exc:
        raise DangwuError(str(exc.at(own or str(path)))) from None
    if own is not None:
        _check_own_schema(doc, own)
    return Schema(doc.data)


# Keywords the compiled check judges as jsonschema does (draft 2020-12); a schema with
# any other gets no compiled check, nor one that points out of itself (_points_out). A
# local "$ref" is kept (compiled once, shared), its sibling keywords moved beside it
# into an allOf: draft 7, which fastjsonschema follows, would ignore them. Compiling
# costs ~40 ms for the record schema.
_FAST_KEYWORDS = frozenset(
    {
        "$schema", "$id", "$comment", "$defs", "$ref", "title", "description", "default",
        "examples", "type", "properties", "required", "additionalProperties", "items",
        "enum", "const", "pattern", "minLength", "maxLength", "minimum", "maximum",
        "minItems", "maxItems", "uniqueItems", "format", "allOf", "anyOf", "oneOf", "not",
        "minProperties", "maxProperties", "propertyNames", "patternProperties",
        "exclusiveMinimum", "exclusiveMaximum",
    }
)  # fmt: skip
_NOT_ASSERTIONS = frozenset({"$comment", "title", "description", "default", "examples"})


def _only_known_keywords(node: Any, top: bool = True) -> bool:
    if isinstance(node, bool):
        return True
    if not isinstance(node, dict) or not set(node) <= _FAST_KEYWORDS:
        return False
    if not top and "$schema" in node:
        return False  # another draft's rules: left to jsonschema
    if any(k in node and not isinstance(node[k], dict) for k in _SCHEMA_MAPS):
        return False
    if any(k in node and not isinstance(node[k], list) for k in _SCHEMA_LISTS):
        return False
    return all(_only_known_keywords(inner, False) for _path, inner in _subschemas(node))


_SCHEMA_MAPS = ("properties", "patternProperties", "$defs")  # names -> schemas
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf")  # lists of schemas
_SCHEMA_ONE = ("items", "additionalProperties", "not", "propertyNames")  # a schema


def _subschemas(node: Any) -> Iterator[tuple[list[str | int], Any]]:
    """The schemas directly inside schema ``node``, each with its path from it (the
    values of enum, const, default and examples are data, not schemas)."""
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            yield from (([key, str(name)], inner) for name, inner in value.items())
        elif key in _SCHEMA_LISTS and isinstance(value, list):
            yield from (([key, index], inner) for index, inner in enumerate(value))
        elif key in _SCHEMA_ONE:
            yield [key], value


def _refs_alone(node: Any) -> Any:
    """Schema ``node`` with every "$ref" standing alone: its sibling assertions in an
    allOf beside it."""
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {name: _refs_alone(inner) for name, inner in value.items()}
        elif key in _SCHEMA_LISTS and isinstance(value, list):
            out[key] = [_refs_alone(inner) for inner in value]
        elif key in _SCHEMA_ONE:
            out[key] = _refs_alone(value)
        else:
            out[key] = value  # a keyword's value, or data (enum, const, examples)
    if "$ref" in out and set(out) - _NOT_ASSERTIONS - {"$ref"}:
        rest = {k: v for k, v in out.items() if k != "$ref"}
        return {"allOf": [{"$ref": out["$ref"]}, rest]}
    return out


def _points_out(value: Any, top: bool = True) -> bool:
    """Whether anything in ``value``, data included, reads as a reference fastjsonschema
    would fetch: its resolver follows a "$ref" wherever it stands, even in a const, and
    an "$id" below the top is a new base to fetch references from."""
    if isinstance(value, dict):
        ref = value.get("$ref")
        if ref is not None and not (isinstance(ref, str) and ref.startswith("#/")):
            return True
        if not top and "$id" in value:
            return True
        return any(_points_out(inner, False) for inner in value.values())
    if isinstance(value, list):
        return any(_points_out(inner, False) for inner in value)
    return False


def _compiled(schema: Mapping[str, Any]) -> Callable[[Any], Any] | None:
    if not _only_known_keywords(schema) or _points_out(schema):
        return None
    try:
        import fastjsonschema

        plain = {k: v for k, v in schema.items() if k not in ("$schema", "$id")}
        formats = {"date": is_date, "date-time": _is_datetime}
        scope: dict[str, Any] = {}
        exec(_validator_code(fastjsonschema, _refs_alone(plain), formats), scope)
        return partial(scope["validate"], custom_formats=formats)
    except Exception:  # not installed, or a schema it cannot compile: jsonschema alone
        return None


def _validator_code(
    fastjsonschema: Any, schema: Mapping[str, Any], formats: Mapping[str, object]
) -> CodeType:
    """The compiled check of ``schema`` as Python bytecode, kept in the user's cache
    as ``__pycache__`` keeps a module's. Writing the check's source takes fastjsonschema
    5 ms for the record schema and Python 12 ms to compile it, in every command and
    every server hook that validates; the kept bytecode loads in 0.2 ms. The key is
    everything the code depends on: the schema, the format names, fastjsonschema's
    version and this Python's bytecode."""
    canonical = json.dumps(
        [sys.implementation.cache_tag, fastjsonschema.VERSION, sorted(formats), schema],
        sort_keys=True,
        ensure_ascii=False,
        default=lambda value: f"{type(value).__name__}:{value!r}",
    )
    key = hashlib.sha256(canonical.encode()).hexdigest()
    folder = user_cache("validators")
    kept = folder / f"{key}.code" if folder is not None else None
    if kept is not None:
        with contextlib.suppress(OSError, ValueError, EOFError, TypeError):
            code = marshal.loads(kept.read_bytes())
            if isinstance(code, CodeType):
                return code
    source = fastjsonschema.compile_to_code(schema, formats=dict(formats))
    code = compile(source, "<the compiled check of a schema>", "exec")
    if kept is not None:  # an unwritable cache is no reason to stop
        with contextlib.suppress(OSError):
            kept.parent.mkdir(parents=True, exist_ok=True)
            fresh = kept.with_name(f".{kept.name}.{os.getpid()}.{threading.get_ident()}")
            fresh.write_bytes(marshal.dumps(code))
            fresh.replace(kept)
    return code


def compile_fast(schema: Schema) -> bool:
    """Compile the schema's fast check (once; done before workers fork, which then
    share it); whether it has one."""
    return schema.fast is not None


def fast_says_valid(schema: Schema, data: Any) -> bool | None:
    """The compiled check's verdict (None when the schema has none)."""
    fast = schema.fast
    if fast is None:
        return None
    try:
        fast(data)
    except Exception:  # JsonSchemaException, or a value it cannot judge
        return False
    return True


def _inline_refs(node: Any, schema: Mapping[str, Any], depth: int = 0) -> Any:
    """Replace local ``$ref``s by what they point at.

    Equivalent for our (non-recursive) schemas, and resolving references once
    here instead of for every record makes validation a fifth faster.
    """
    if depth > 20:
        return node
    if isinstance(node, list):
        return [_inline_refs(item, schema, depth) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target: Any = schema
        for part in ref[2:].split("/"):
            target = target[part]
        resolved = _inline_refs(target, schema, depth + 1)
        rest = {k: _inline_refs(v, schema, depth) for k, v in node.items() if k != "$ref"}
        return (
            {**resolved, **rest} if not set(rest) & set(resolved) else {"allOf": [resolved, rest]}
        )
    return {k: (v if k == "$defs" else _inline_refs(v, schema, depth)) for k, v in node.items()}


def validator(name: str, office_root: Path | None) -> Schema:
    return validator_at(schema_path(name, office_root), name)


def validator_at(path: Path, name: str) -> Schema:
    """The schema ``name`` found at ``path`` (:func:`schema_path`): which office it
    serves makes no difference beyond which file it is."""
    own = None if path == shipped("schemas", name) else f"schemas/{name}"
    return _schema_at(path, path.stat().st_mtime_ns, own)


def _check_own_schema(doc: yamlio.Document, relpath: str) -> None:
    """An office's own schema that JSON Schema itself refuses, said where it is wrong."""
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import best_match

    hint = _("correct it, or delete it to use the schema dangwu ships")
    error = best_match(Draft202012Validator(Draft202012Validator.META_SCHEMA).iter_errors(doc.data))
    if error is not None:
        line, col = doc.locate(list(error.absolute_path))
        said = _("not a valid JSON Schema: {error}").format(error=error.message)
        raise DangwuError(str(Problem(relpath, line, col, said)), hint=hint)
    elsewhere = _reference_out(doc.data, [])
    if elsewhere is not None:  # dangwu fetches nothing: a schema is whole in itself
        line, col = doc.locate(elsewhere)
        said = _("{field}: only a reference within the schema (#/...) is allowed").format(
            field=elsewhere[-1]
        )
        raise DangwuError(str(Problem(relpath, line, col, said)), hint=hint)


def _reference_out(node: Any, path: list[str | int]) -> list[str | int] | None:
    """Where schema ``node`` points out of itself: a "$ref" to anything but a part of
    it, or an "$id" below the top (a new base its references would be fetched from)."""
    if not isinstance(node, dict):
        return None
    ref = node.get("$ref")
    if ref is not None and not (isinstance(ref, str) and ref.startswith("#")):
        return [*path, "$ref"]
    if path and "$id" in node:
        return [*path, "$id"]
    for inner_path, inner in _subschemas(node):
        found = _reference_out(inner, [*path, *inner_path])
        if found is not None:
            return found
    return None


def is_date(value: object) -> bool:
    """A date written as 2026-12-04 (or read as a date), of a year dangwu keeps."""
    if isinstance(value, date):
        return in_our_years(value.year)
    if not isinstance(value, str):
        return True
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    try:
        return in_our_years(date.fromisoformat(value).year)
    except ValueError:
        return False


def _is_datetime(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not re.fullmatch(
        r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)", value
    ):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


# --- JSON Schema errors in the office's words -----------------------------------


def _titles_of(codes: Sequence[str]) -> Mapping[str, tuple[str, ...]] | None:
    """The names of a field's codes (scope, cadence, channel, status), if they are one
    of those: an error then lists them with their Chinese names."""
    for titles in (SCOPE_TITLES, CADENCE_TITLES, CHANNEL_TITLES, STATUS_TITLES):
        if set(codes) <= set(titles):
            return titles
    return None


def field_label(path: Sequence[str | int]) -> str:
    label = ""
    for step in path:
        if isinstance(step, int):
            label += f"[{step}]"
        else:
            label += ("." if label else "") + step
    return label


def schema_problems(doc: yamlio.Document, relpath: str, schema: Schema) -> list[Problem]:
    if fast_says_valid(schema, doc.data):
        return []
    problems: list[Problem] = []
    for error in schema.iter_errors(doc.data):
        problems.extend(_translate(error, doc, relpath))
    # jsonschema reports each missing field of a mapping as its own error, and each
    # is translated into all of them: say each once
    return list(dict.fromkeys(problems))


def _translate(error: ValidationError, doc: yamlio.Document, relpath: str) -> list[Problem]:
    path = list(error.absolute_path)
    label = field_label(path)
    kind = error.validator
    expected: Any = error.validator_value
    schema: Mapping[str, Any] = error.schema if isinstance(error.schema, Mapping) else {}
    value: Any = error.instance
    line, col = doc.locate(path)

    def at(
        message: str,
        hint: str | None = None,
        where: Sequence[str | int] | None = None,
        key: bool = False,
    ) -> Problem:
        if where is None:
            return Problem(relpath, line, col, message, hint)
        wl, wc = doc.locate(where, key=key)
        return Problem(relpath, wl, wc, message, hint)

    prefix = f"{label}: " if label else ""
    if "propertyNames" in error.relative_schema_path:
        where = [*path, str(value)]
        return [
            at(
                _("{field}: '{key}' is not a valid key").format(field=label, key=value),
                _("use lower-case ASCII letters, digits, '-' or '_', starting with a letter"),
                where,
                key=True,
            )
        ]
    if kind == "additionalProperties" and isinstance(value, Mapping):
        allowed = sorted((schema.get("properties") or {}).keys())
        extras = [k for k in value if k not in allowed]
        out = []
        for extra in extras:
            hint = suggest(str(extra), allowed) if allowed else None
            where = [*path, str(extra)]
            if allowed:
                message = _("unknown field '{field}'").format(field=field_label(where))
            else:
                message = _("'{field}' is not allowed here").format(field=field_label(where))
            out.append(at(message, hint, where, key=True))
        return out
    if kind == "required" and isinstance(value, Mapping):
        missing = [r for r in expected if r not in value]
        return [
            at(_("missing required field '{field}'").format(field=field_label([*path, m])))
            for m in missing
        ]
    if kind == "enum":
        choices = [str(c) for c in expected]
        titles = _titles_of(choices)
        listed: object = _(", ").join(shown(c, titles) for c in choices) if titles else choices
        code = code_of(value, titles) if titles and isinstance(value, str) else None
        if code is not None:  # a Chinese name where the file holds the code
            hint = _("write the code: {code}").format(code=shown(code, titles))
        else:
            hint = suggest(str(value), choices) if isinstance(value, str) else None
        return [
            at(
                prefix + _("{value!r} is not one of {choices}").format(value=value, choices=listed),
                hint,
            )
        ]
    if kind == "const":
        return [at(prefix + _("must be {value!r}").format(value=expected))]
    if kind == "type":
        names = [
            _(TYPE_NAMES.get(t, t)) for t in ([expected] if isinstance(expected, str) else expected)
        ]
        return [
            at(
                prefix
                + _("expected {expected}, found {found}").format(
                    expected=alternatives(names), found=_describe(value)
                ),
                _quote_hint(value, expected),
            )
        ]
    if kind == "pattern":
        return [at(prefix + _pattern_message(path, value))]
    if kind == "format":
        if expected == "date":
            written = str(value)
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", written) and not in_our_years(int(written[:4])):
                said = _("{value!r} is outside the years dangwu keeps records of ({first}-{last})")
                return [at(prefix + said.format(value=written, first=FIRST_YEAR, last=LAST_YEAR))]
            return [
                at(
                    prefix + _("{value!r} is not a real date").format(value=value),
                    _("write dates as YYYY-MM-DD"),
                )
            ]
        return [
            at(
                prefix + _("{value!r} is not a date and time").format(value=value),
                _("write it as YYYY-MM-DDTHH:MM:SS+08:00"),
            )
        ]
    if kind == "minLength":
        return [at(prefix + _("must not be empty"))]
    if kind == "maxLength":
        return [
            at(
                prefix
                + _("is too long ({n} characters, at most {limit})").format(
                    n=len(value), limit=expected
                )
            )
        ]
    if kind == "minItems":
        return [at(prefix + _("needs at least {n} entries").format(n=expected))]
    if kind == "maxItems":
        return [at(prefix + _("may have at most {n} entries").format(n=expected))]
    if kind == "uniqueItems":
        return [at(prefix + _("lists the same entry twice"))]
    if kind == "minimum":
        return [at(prefix + _("must be at least {n}").format(n=expected))]
    if kind == "maximum":
        return [at(prefix + _("must be at most {n}").format(n=expected))]
    if kind == "minProperties":
        return [at(prefix + _("must not be empty"))]
    return [at(prefix + error.message)]


def _describe(value: Any) -> str:
    if value is None:
        return _("nothing")
    if isinstance(value, bool):
        return _("{value} (true/false)").format(value=str(value).lower())
    if isinstance(value, int | float):
        return _("the number {value}").format(value=value)
    if isinstance(value, str):
        shown = value if len(value) <= 30 else value[:27] + "..."
        return _("the text {value!r}").format(value=shown)
    if isinstance(value, list):
        return _("a list")
    if isinstance(value, dict):
        return _("a mapping")
    return type(value).__name__


def _quote_hint(value: Any, expected: Any) -> str | None:
    if expected == "string" and value is not None and not isinstance(value, list | dict):
        return _("put the value in quotes to make it text")
    if expected == "array" and isinstance(value, str):
        return _("write a list, e.g. [{value}]").format(value=value)
    return None


def _pattern_message(path: Sequence[str | int], value: Any) -> str:
    name = next((p for p in reversed(path) if isinstance(p, str)), "")
    if name in ("id", "follows"):
        return _("{value!r} is not a record id like ZZ-2026-101").format(value=value)
    if name == "period":
        return _("{value!r} is not a quarter; write it like 2026Q3 (Q1 to Q4)").format(value=value)
    if name == "title":
        return _("the title must be a single line")
    if name in ("category", "item", "slug"):
        return _("{value!r} is not a slug (lower-case ASCII words joined by '-')").format(
            value=value
        )
    if name in ("by", "attendees") or (path and path[-2:-1] == ["attendees"]):
        return _("{value!r} is not a roster key").format(value=value)
    if name == "email":
        return _("{value!r} is not an email address").format(value=value)
    if name == "content":
        return _("{value!r} is not a content hash").format(value=value)
    if name == "code":
        return _("{value!r} is not a catalogue code").format(value=value)
    return _("{value!r} does not have the expected form").format(value=value)


# --- records ---------------------------------------------------------------------


def record_path_parts(relpath: str) -> tuple[str, str] | None:
    """('zuzhi-jianshe', 'ZZ-2026-101') for records/zuzhi-jianshe/ZZ-2026-101.yaml."""
    parts = relpath.split("/")
    if len(parts) != 3 or parts[0] != "records" or not parts[2].endswith(".yaml"):
        return None
    if not parts[1] or parts[2] == ".yaml":
        return None
    return parts[1], parts[2][: -len(".yaml")]


def record_rules(doc: yamlio.Document, relpath: str, catalogue: Catalogue) -> list[Problem]:
    """The rules of one record that involve more than one field (SPEC section 2)."""
    data = doc.data
    if not isinstance(data, dict):
        return []
    problems: list[Problem] = []

    def add(
        field: Sequence[str | int], message: str, hint: str | None = None, key: bool = False
    ) -> None:
        line, col = doc.locate(field, key=key)
        problems.append(Problem(relpath, line, col, message, hint))

    parts = record_path_parts(relpath)
    folder, stem = parts if parts else (None, None)
    category_slug = data.get("category")
    category = catalogue.by_slug(category_slug) if isinstance(category_slug, str) else None
    if isinstance(category_slug, str) and category is None:
        add(
            ["category"],
            _("category: '{value}' is not in the catalogue").format(value=category_slug),
            suggest(category_slug, [c.slug for c in catalogue]),
        )
    if folder is not None and isinstance(category_slug, str) and category_slug != folder:
        add(
            ["category"],
            _("category: '{value}' does not match the folder records/{folder}/").format(
                value=category_slug, folder=folder
            ),
            _("move the file to records/{value}/ or correct the category").format(
                value=category_slug
            ),
        )
    record_id = data.get("id")
    if isinstance(record_id, str):
        if stem is not None and record_id != stem:
            add(
                ["id"],
                _("id: '{value}' does not match the file name {stem}.yaml").format(
                    value=record_id, stem=stem
                ),
                _("ids never change; rename the file or restore the id"),
            )
        if category is not None and ID_RE.match(record_id):
            code = record_id.split("-")[0]
            if code != category.code:
                add(
                    ["id"],
                    _(
                        "id: '{value}' starts with {code} but {category} records start with {right}"
                    ).format(
                        value=record_id, code=code, category=category.slug, right=category.code
                    ),
                )
    item = data.get("item")
    if category is not None and isinstance(item, str) and not category.has_item(item):
        add(
            ["item"],
            _("item: '{value}' is not an item of {category} ({zh})").format(
                value=item, category=category.slug, zh=category.zh
            ),
            suggest(item, [i.slug for i in category.items])
            or _("see: dangwu catalogue {category}").format(category=category.slug),
        )
    channels = data.get("channels")
    if data.get("scope") == "internal" and isinstance(channels, list):
        for index, channel in enumerate(channels):
            if (
                isinstance(channel, str)
                and channel not in INTERNAL_CHANNELS
                and channel in ("newspaper", "city-portal", "website", "public-board")
            ):
                add(
                    ["channels", index],
                    _(
                        "channels[{i}]: '{channel}' is a public channel, but the record is internal"
                    ).format(i=index, channel=channel),
                    _(
                        "an internal record may use only {channels}; or make it scope: public"
                    ).format(channels=", ".join(INTERNAL_CHANNELS)),
                )
    if "audience" in data:
        if data.get("scope") == "public":  # a scope of neither kind is reported as such
            add(
                ["audience"],
                _("audience: only an internal record is disclosed to a part of the organisation"),
                _("make it scope: internal, or remove audience"),
            )
        if isinstance(channels, list):
            for index, channel in enumerate(channels):
                if isinstance(channel, str) and channel not in AUDIENCE_CHANNELS:
                    add(
                        ["channels", index],
                        _(
                            "channels[{i}]: '{channel}' reaches people outside the audience "
                            "the record is for"
                        ).format(i=index, channel=channel),
                        _("a record for one audience may use only {channels}").format(
                            channels=", ".join(AUDIENCE_CHANNELS)
                        ),
                    )
    cadence = data.get("cadence")
    if cadence == "quarterly" and "period" not in data:
        add([], _("a quarterly record needs a period"), _("add e.g. period: 2026Q3"))
    if cadence == "timely" and "event_date" not in data:
        add([], _("a timely record needs an event_date"), _("add e.g. event_date: 2026-09-30"))
    if data.get("final") and cadence != "follow-up":
        add(
            ["final"],
            _("final: only a follow-up record ends a chain (this one is {cadence})").format(
                cadence=cadence
            ),
            _("remove final, or make it cadence: follow-up"),
        )
    follows = data.get("follows")
    if isinstance(follows, str) and follows == record_id:
        add(["follows"], _("follows: a record cannot follow itself"))
    attachments = data.get("attachments")
    if isinstance(attachments, list):
        for index, attachment in enumerate(attachments):
            if isinstance(attachment, str):
                reason = unsafe_attachment(attachment)
                if reason:
                    add(["attachments", index], f"attachments[{index}]: {reason}")
    return problems


def hidden_problems(text: str, doc: yamlio.Document, relpath: str) -> list[Problem]:
    """Characters that print as nothing or reorder what is printed (bidi controls,
    zero-width spaces, ...): a record may not hold them [SPEC 11], wherever they are."""
    # the secrecy rules compile large character classes: only a record's text needs them
    from dangwu.rules.secrecy import HIDDEN, hidden_characters

    problems = []
    for offset, name in hidden_characters(text):
        line = text.count("\n", 0, offset) + 1
        col = offset - (text.rfind("\n", 0, offset) + 1) + 1
        problems.append(_hidden(relpath, line, col, name))
    for found in yamlio.HIDDEN_BREAK.finditer(text) if yamlio.has_hidden_break(text) else ():
        # YAML starts a new line there, where an editor may show none: a key after
        # one is a key of the record, though it looks like part of a value [SPEC 11]
        offset = found.start()
        line = text.count("\n", 0, offset) + 1
        col = offset - (text.rfind("\n", 0, offset) + 1) + 1
        char = found.group()
        problems.append(
            Problem(
                relpath,
                line,
                col,
                _(
                    "line break {name} that editors may not show, where YAML starts a new "
                    "line: a record breaks lines with newlines only"
                ).format(name=f"U+{ord(char):04X} {yamlio.HIDDEN_BREAKS[char]}"),
                _("delete it, or put a real line break there"),
            )
        )
    if problems or ("\\" not in text and "&" not in text):
        # a value holds a character its text does not only by an escape ("\u202e")
        # or an entity (&#x202e;): without either, the scan above saw them all
        return problems

    def walk(value: Any, path: list[str | int]) -> None:
        if isinstance(value, str):
            # written as a YAML escape ("\u202e") or an HTML entity (&#x202e;, which
            # Markdown prints as the character itself): point at the value
            found = HIDDEN.search(value) or (
                HIDDEN.search(html.unescape(value)) if "&" in value else None
            )
            if found is not None:
                line, col = doc.locate(path)
                char = found.group()
                name = f"U+{ord(char):04X} {unicodedata.name(char, '')}".strip()
                problems.append(_hidden(relpath, line, col, name))
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, [*path, str(key)])
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, [*path, index])

    walk(doc.data, [])
    return problems


def _hidden(relpath: str, line: int, col: int, name: str) -> Problem:
    return Problem(
        relpath,
        line,
        col,
        _("invisible character {name}: it would print as nothing, or reorder the text").format(
            name=name
        ),
        _("delete it; type the text again if unsure where it is"),
    )


def unsafe_attachment(attachment: str) -> str | None:
    """Why an attachment path may not be used, judged on the text alone."""
    if "\x00" in attachment or "\\" in attachment:
        return _("'{path}' is not a valid path").format(path=attachment)
    pure = PurePosixPath(attachment)
    if pure.is_absolute() or re.match(r"^[A-Za-z]:", attachment):
        return _("'{path}' is outside the office repository; use a path inside it").format(
            path=attachment
        )
    if ".." in pure.parts:
        return _("'{path}' is outside the office repository; use a path inside it").format(
            path=attachment
        )
    if pure.parts and pure.parts[0] == ".git":
        return _("'{path}' is inside git's own folder").format(path=attachment)
    if pure.parts and pure.parts[0] in ("reports", "requests", "feedback"):
        # reports and requests name the people behind them, opinions their givers: never
        # part of a disclosure
        return _("'{path}' is a report, a request or an opinion, which are never disclosed").format(
            path=attachment
        )
    own = pure.suffix in (".yaml", ".yml") and pure.parts[:1] in (
        ("records",),
        ("meetings",),
        ("circulars",),
        ("schemas",),
    )
    if own or attachment == SETTINGS_FILE:
        # an internal record attached to a public one would go out whole with it
        return _(
            "'{path}' is one of the office's own records or settings, which go out only by "
            "their own steps, never attached to another"
        ).format(path=attachment)
    return None


def audience_problem(
    relpath: str, doc: yamlio.Document | None, audience: str | None, audiences: Iterable[str]
) -> Problem | None:
    """A record's audience that is not one of the office's (dangwu.yaml's audiences:)."""
    known = list(audiences)
    if audience is None or audience in known:
        return None
    line, col = doc.locate(["audience"]) if doc else (None, None)
    return Problem(
        relpath,
        line,
        col,
        _("audience: '{key}' is not one of the office's audiences").format(key=audience),
        suggest(audience, known) or _("name it under audiences: in dangwu.yaml"),
    )


def attachment_problems(
    root: Path, relpath: str, doc: yamlio.Document | None, attachments: Iterable[tuple[int, str]]
) -> list[Problem]:
    """Attachments must exist, be files, and stay inside the repository after symlinks."""
    problems = []
    real_root = root.resolve()
    for index, attachment in attachments:
        if unsafe_attachment(attachment):
            continue  # already reported by record_rules
        target = root / attachment
        line, col = doc.locate(["attachments", index]) if doc else (None, None)
        try:
            resolved = target.resolve()
        except (OSError, RuntimeError):
            resolved = target
        if not resolved.is_relative_to(real_root):
            problems.append(
                Problem(
                    relpath,
                    line,
                    col,
                    _("attachments[{i}]: '{path}' leads outside the office repository").format(
                        i=index, path=attachment
                    ),
                )
            )
        elif not target.is_file():
            problems.append(
                Problem(
                    relpath,
                    line,
                    col,
                    _("attachments[{i}]: '{path}' does not exist").format(i=index, path=attachment),
                    _("add the file to the repository or remove it from the list"),
                )
            )
        elif target.is_symlink():
            # git keeps the link, not the file: the review would read one file and the
            # approval stamp, the site and the archive another (the link's own text)
            problems.append(
                Problem(
                    relpath,
                    line,
                    col,
                    _(
                        "attachments[{i}]: '{path}' is a symbolic link: what would go out "
                        "is the link, not the file it points to"
                    ).format(i=index, path=attachment),
                    _("attach the file itself (copy it in place of the link)"),
                )
            )
    return problems


# --- whole office ----------------------------------------------------------------


@dataclass
class Checked:
    """What validation learnt of one file."""

    relpath: str
    summary: Summary | None  # None: not a usable record
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems


def check_record_text(
    raw: bytes,
    relpath: str,
    catalogue: Catalogue,
    office_root: Path | None,
    checker: Schema | None = None,
) -> tuple[yamlio.Document | None, Summary | None, list[Problem]]:
    """Everything about one record file that depends only on its bytes and path.
    ``checker``: the office's record schema, when the caller checks many files with
    it (finding it costs two stats a file)."""
    try:
        text = yamlio.decode(raw)
        doc = yamlio.load(text)
    except yamlio.YamlProblem as exc:
        return None, None, [exc.at(relpath)]
    if not isinstance(doc.data, dict):
        line, col = doc.locate([])
        return (
            doc,
            None,
            [
                Problem(
                    relpath,
                    line,
                    col,
                    _(
                        "a record must be a mapping of fields (id:, title:, ...), not {found}"
                    ).format(found=_describe(doc.data)),
                )
            ],
        )
    if checker is None:
        checker = validator("record.schema.yaml", office_root)
    problems = schema_problems(doc, relpath, checker)
    problems += record_rules(doc, relpath, catalogue)
    problems += hidden_problems(text, doc, relpath)
    problems.sort(key=lambda p: (p.line or 0, p.col or 0))
    return doc, summarize(relpath, blob_id(raw), doc.data), problems


def _path_problem(relpath: str, catalogue: Catalogue) -> Problem | None:
    """A file under records/ that cannot be a record, judged by its path alone."""
    parts = record_path_parts(relpath)
    if parts is None:
        return Problem(
            relpath,
            None,
            None,
            _("not a record file: records live in records/<category>/<id>.yaml"),
            _("keep other files, such as attachments, outside records/"),
        )
    if catalogue.by_slug(parts[0]) is None:
        return Problem(
            relpath,
            None,
            None,
            _("records/{folder}/ is not a category of the catalogue").format(folder=parts[0]),
            suggest(parts[0], [c.slug for c in catalogue]),
        )
    return None
