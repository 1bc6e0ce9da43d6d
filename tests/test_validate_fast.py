"""The compiled schema check says "valid" exactly when jsonschema does.

Validation of many files asks the compiled check (fastjsonschema) first and trusts a
"valid"; only an invalid file goes on to jsonschema for its located problems. So the two must agree
on every file: the sample office's, the bad-input corpus, and many generated variants
of a good record, its values replaced by values of every kind.
"""

from __future__ import annotations

import copy
import marshal
import socket
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dangwu import yamlio
from dangwu.check import validate
from dangwu.errors import DangwuError

SCHEMAS = sorted(p.name for p in (ROOT / "schemas").glob("*.schema.yaml"))


def verdicts(name: str, data: Any) -> tuple[bool | None, bool]:
    checker = validate.validator(name, None)
    validate.compile_fast(checker)
    return validate.fast_says_valid(checker, data), not list(checker.iter_errors(data))


def load(path: Path) -> Any:
    try:
        return yamlio.load(yamlio.decode(path.read_bytes())).data
    except yamlio.YamlProblem:
        return None


@pytest.mark.parametrize("name", SCHEMAS)
def test_every_shipped_schema_has_a_compiled_check(name):
    checker = validate.validator(name, None)
    assert validate.compile_fast(checker)
    assert validate.fast_says_valid(checker, {}) is not None


@pytest.mark.parametrize("name", SCHEMAS)
def test_every_shipped_schema_is_a_valid_json_schema(name):
    """dangwu trusts its own schemas at run time (checking one costs 40 ms of every
    command that reads the files it governs): here is where they are checked."""
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    schema = yamlio.load((ROOT / "schemas" / name).read_text("utf-8")).data
    Draft202012Validator.check_schema(schema)
    broken = {**schema, "type": "objectt"}
    with pytest.raises(SchemaError, match="objectt"):
        Draft202012Validator.check_schema(broken)


def samples(demo: Path) -> list[tuple[str, Path]]:
    found = [("record.schema.yaml", p) for p in sorted((demo / "records").rglob("*.yaml"))]
    found += [("report.schema.yaml", p) for p in sorted((demo / "reports").glob("*.yaml"))]
    found += [("feedback.schema.yaml", p) for p in sorted((demo / "feedback").rglob("*.yaml"))]
    found += [("office.schema.yaml", demo / "dangwu.yaml")]
    found += [("catalogue.schema.yaml", ROOT / "schemas" / "catalogue.yaml")]
    found += [("record.schema.yaml", p) for p in sorted((ROOT / "tests" / "corpus").glob("*"))]
    return found


def test_the_two_agree_on_the_sample_and_the_corpus(demo_seed):
    seen = []
    disagree = []
    for name, path in samples(demo_seed):
        data = load(path)
        if data is None:
            continue
        fast, slow = verdicts(name, data)
        seen.append(fast)
        if fast != slow:
            disagree.append((path.name, fast, slow))
    assert disagree == []
    assert len(seen) > 60 and seen.count(True) > 20 and seen.count(False) > 10


GOOD = load(ROOT / "records" / "zuzhi-jianshe" / "ZZ-2026-102.yaml")
FIELDS = sorted(GOOD)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    st.sampled_from(
        [
            "2026-02-30",
            "2026-11-18",
            "2026-11-18T09:26:00+08:00",
            "2026-11-18 09:26",
            "2026-13-01T00:00:00Z",
            "ZZ-2026-101",
            "zz-2026-101",
            "public",
            "internal",
            "draft",
            "published",
            "",
            " ",
        ]
    ),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    changes=st.lists(
        st.tuples(st.sampled_from([*FIELDS, "extra", "status"]), values | st.just(...)),
        max_size=3,
    ),
    inner=st.sampled_from(["decision", "approval", "publication", "created"]),
    value=values,
)
def test_the_two_agree_on_generated_records(changes, inner, value):
    data = copy.deepcopy(GOOD)
    for field, new in changes:
        if new is ...:
            data.pop(field, None)  # a field left out
        else:
            data[field] = new
    if isinstance(data.get(inner), dict):
        data[inner]["at"] = value  # deep inside a step's facts
    fast, slow = verdicts("record.schema.yaml", data)
    assert fast == slow, data


def test_the_fast_check_refuses_what_jsonschema_refuses():
    assert verdicts("record.schema.yaml", GOOD) == (True, True)
    assert verdicts("record.schema.yaml", {**GOOD, "status": 123}) == (False, False)
    assert verdicts("record.schema.yaml", {**GOOD, "event_date": "2026-02-30"}) == (False, False)


def test_a_schema_with_a_keyword_the_compiled_check_does_not_know_gets_none(tmp_path):
    schemas = tmp_path / "schemas"
    schemas.mkdir()
    (schemas / "record.schema.yaml").write_text(
        "$schema: https://json-schema.org/draft/2020-12/schema\n"
        "type: object\n"
        "unevaluatedProperties: false\n",
        "utf-8",
    )
    checker = validate.validator("record.schema.yaml", tmp_path)
    assert not validate.compile_fast(checker)
    assert validate.fast_says_valid(checker, {"x": 1}) is None
    assert list(checker.iter_errors({"x": 1}))  # jsonschema alone still judges it


def own_schema(root: Path, text: str) -> validate.Schema:
    (root / "schemas").mkdir(exist_ok=True)
    (root / "schemas" / "record.schema.yaml").write_text(text, "utf-8")
    return validate.validator("record.schema.yaml", root)


def test_a_reference_with_assertions_beside_it_is_judged_as_jsonschema_judges_it(tmp_path):
    """Draft 2020-12 applies what stands beside a "$ref"; draft 7, which the compiled
    check follows, would ignore it: the compiled check is given them in an allOf."""
    checker = own_schema(
        tmp_path,
        "$schema: https://json-schema.org/draft/2020-12/schema\n"
        "$defs:\n  text: {type: string, minLength: 1}\n"
        "type: object\n"
        "properties:\n  title: {$ref: '#/$defs/text', maxLength: 3, description: short}\n",
    )
    assert validate.compile_fast(checker)
    for title, valid in (("abc", True), ("abcd", False), ("", False), (7, False)):
        fast = validate.fast_says_valid(checker, {"title": title})
        assert fast is valid, title
        assert (not list(checker.iter_errors({"title": title}))) is valid, title


@pytest.mark.parametrize(
    "reference, where",
    [
        ("properties:\n  title: {$ref: 'http://127.0.0.1:9/text.json'}\n", "4:17: $ref"),
        ("properties:\n  title: {$id: 'http://127.0.0.1:9/', $ref: '#/x'}\n", "4:16: $id"),
    ],
    ids=["elsewhere", "new-base"],
)
def test_an_own_schema_pointing_out_of_itself_is_refused_where_it_does(tmp_path, reference, where):
    """A reference out of the schema would be fetched (fastjsonschema fetches a URL;
    jsonschema stops with an error of its own): dangwu fetches nothing, and says so."""
    with pytest.raises(DangwuError) as refused:
        own_schema(
            tmp_path,
            "$schema: https://json-schema.org/draft/2020-12/schema\ntype: object\n" + reference,
        )
    assert str(refused.value).startswith(f"schemas/record.schema.yaml:{where}: only a reference")
    # and were one given to it, no compiled check would be made to follow it
    given = yamlio.load("type: object\n" + reference).data
    assert validate._points_out(given) and validate._compiled(given) is None


def test_data_that_looks_like_a_reference_is_data_and_nothing_is_fetched(tmp_path):
    """The values of const, enum and examples are data: an office's schema may hold a
    "$ref" there. fastjsonschema's resolver would fetch it: such a schema gets no
    compiled check, and nothing connects to the address."""
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    listening.listen(1)
    listening.settimeout(0.2)
    address = f"http://127.0.0.1:{listening.getsockname()[1]}/x"
    waited = socket.getdefaulttimeout()
    socket.setdefaulttimeout(1.0)  # were it fetched, the fetch gives up, the test fails
    try:
        checker = own_schema(
            tmp_path,
            "$schema: https://json-schema.org/draft/2020-12/schema\n"
            "type: object\n"
            "properties:\n"
            "  link:\n"
            f"    const: {{$ref: '{address}', note: kept}}\n"
            f"    examples: [{{$ref: '{address}'}}]\n",
        )
        assert not validate.compile_fast(checker)
        same = {"$ref": address, "note": "kept"}
        for data, valid in (({"link": same}, True), ({"link": {"$ref": "x"}}, False)):
            assert validate.fast_says_valid(checker, data) is None
            assert (not list(checker.iter_errors(data))) is valid
        with pytest.raises(TimeoutError):
            listening.accept()  # no one came
    finally:
        socket.setdefaulttimeout(waited)
        listening.close()


def kept_checks(cache: Path) -> list[Path]:
    return sorted((cache / "dangwu" / "validators").glob("*.code"))


SHORT = "type: object\nproperties:\n  title: {type: string, maxLength: 3}\n"


def test_a_compiled_check_is_kept_and_used_again_by_the_next_process(tmp_path, monkeypatch):
    """The check's bytecode is kept in the user's cache (XDG_CACHE_HOME), one file per
    schema; the next run loads it and judges as the first did."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    first = validate._compiled(yamlio.load(SHORT).data)
    (kept,) = kept_checks(tmp_path / "cache")
    made = kept.stat().st_mtime_ns
    again = validate._compiled(yamlio.load(SHORT).data)
    assert kept_checks(tmp_path / "cache") == [kept] and kept.stat().st_mtime_ns == made
    for check in (first, again):
        assert check is not None
        check({"title": "abc"})
        with pytest.raises(ValueError, match="must be shorter than or equal to 3 characters"):
            check({"title": "abcd"})
    # another schema is another file: a check is never taken for another's
    other = validate._compiled(yamlio.load(SHORT.replace("3", "5")).data)
    assert other is not None and len(kept_checks(tmp_path / "cache")) == 2
    other({"title": "abcd"})


def judges_short() -> None:
    """SHORT's compiled check, asked for afresh, judges as the schema says."""
    check = validate._compiled(yamlio.load(SHORT).data)
    assert check is not None
    check({"title": "abc"})
    with pytest.raises(ValueError, match="must be shorter than or equal to 3 characters"):
        check({"title": "abcd"})


@pytest.mark.parametrize(
    "garbage",
    [b"", b"not marshal at all", b"\xe3" + b"\x00" * 40, marshal.dumps(["validate"])],
    ids=["empty", "text", "cut", "a-list"],  # marshal reads lists, numbers, strings too
)
def test_a_damaged_kept_check_is_made_again(tmp_path, monkeypatch, garbage):
    """What the file holds is run only when it is whole code; else the check is made
    again, and kept whole."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    validate._compiled(yamlio.load(SHORT).data)
    (kept,) = kept_checks(tmp_path / "cache")
    kept.write_bytes(garbage)
    judges_short()
    assert kept.read_bytes() != garbage


def test_a_cache_that_cannot_be_written_changes_nothing(tmp_path, monkeypatch):
    blocked = tmp_path / "a-file"
    blocked.write_text("", "utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))  # no folder can be made in it
    judges_short()
    monkeypatch.setenv("XDG_CACHE_HOME", "relative")  # the spec: ignored, ~/.cache used
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    assert validate._compiled(yamlio.load(SHORT).data) is not None
    assert len(kept_checks(home / ".cache")) == 1
