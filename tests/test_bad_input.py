"""Bad input: every broken, hostile or odd file a person (or a pulled commit) can put
into an office, and what dangwu must say about it.

Each case installs one file of ``tests/corpus/`` (or bytes made at run time) into a
fresh office and runs ``dangwu validate`` and, where it matters, ``show``, ``list`` and
``set``. Every run must:

* exit 1 for a validation or rule failure and 2 for a usage error (SPEC section 10);
* name the file and the place like a compiler, ``path:LINE:COL: message``, with the
  key words of the problem (SPEC section 2), or ``path: message`` for a problem of the
  whole file;
* print no traceback and no "this is a bug";
* leave the repository exactly as it was: HEAD, index, status and every file.
"""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import Office, Result, commit_as

CORPUS = Path(__file__).resolve().parent / "corpus"
REC = "records/zuzhi-jianshe/ZZ-2026-101.yaml"
ZF_IN_ZZ = "records/zuzhi-jianshe/ZF-2026-101.yaml"
SETTINGS = "dangwu.yaml"
CATALOGUE = "schemas/catalogue.yaml"
MARKER = "pwned.txt"  # what the !!python tag in the corpus would create if it ran


def corpus(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


def valid_text() -> str:
    return corpus("valid-record.yaml").decode("utf-8")


# --- what a problem must look like ----------------------------------------------------


@dataclass(frozen=True)
class Want:
    """One problem dangwu must report: where, and words its line must contain.

    ``line is None`` means a problem of the whole file, printed as ``path: message``.
    A word given as a tuple is satisfied by any one of its alternatives.
    """

    line: int | None
    col: int | None
    words: tuple[str | tuple[str, ...], ...]

    def prefix(self, path: str) -> str:
        return f"{path}: " if self.line is None else f"{path}:{self.line}:{self.col}: "


def at(line: int, col: int, *words: str | tuple[str, ...]) -> Want:
    return Want(line, col, words)


def whole(*words: str | tuple[str, ...]) -> Want:
    return Want(None, None, words)


def assert_clean_failure(result: Result, code: int) -> None:
    """The exit code asked for, and nothing that looks like a crash."""
    out = result.output
    assert "Traceback" not in out, out
    assert "this is a bug" not in out, out
    assert result.exit_code == code, f"exit {result.exit_code}, expected {code}:\n{out}"


def problem_lines(output: str, path: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(f"{path}:")]


def assert_reports(output: str, path: str, wants: Sequence[Want], *, exact: bool = True) -> None:
    """Each wanted problem is on a line of its own that starts with its location."""
    lines = problem_lines(output, path)
    for want in wants:
        prefix = want.prefix(path)
        matching = [line for line in lines if line.startswith(prefix)]
        assert matching, f"no problem reported at {prefix!r}; the output was:\n{output}"
        for word in want.words:
            options = word if isinstance(word, tuple) else (word,)
            assert any(any(o in line for o in options) for line in matching), (
                f"{prefix!r} does not say {word!r}; the output was:\n{output}"
            )
    if exact:
        assert len(lines) == len(wants), (
            f"expected {len(wants)} problem(s) in {path}, got {len(lines)}:\n{output}"
        )


def run_unchanged(office: Office, *args: str) -> Result:
    """Run dangwu and check that it left the repository exactly as it was."""
    before = office.state()
    result = office.run(*args)
    after = office.state()
    assert after == before, f"dangwu {' '.join(args)} changed the repository:\n{result.output}"
    return result


# --- the cases --------------------------------------------------------------------------


def _replace_title(text: str, new: str) -> str:
    return text.replace("2026年第三季度党费收缴管理情况", new, 1)


def gbk() -> bytes:
    return valid_text().encode("gbk")


def gbk_after_ascii() -> bytes:
    text = valid_text()
    first = text.splitlines()[0]
    return text.replace(first, "# disclosure record", 1).encode("gbk")


def utf8_bom() -> bytes:
    return b"\xef\xbb\xbf" + valid_text().encode("utf-8")


def utf16_bom() -> bytes:
    return b"\xff\xfe" + valid_text().encode("utf-16-le")


def raw_control(char: str) -> Callable[[], bytes]:
    def make() -> bytes:
        return _replace_title(valid_text(), f"2026年第三季度党费{char}收缴管理情况").encode()

    make.__name__ = f"raw_control_{ord(char):02x}"
    return make


def symlink_attachment(root: Path) -> None:
    (root / "files").mkdir()
    os.symlink("/etc/passwd", root / "files" / "passwd.pdf")


def symlink_record(root: Path) -> None:
    (root / REC).parent.mkdir(parents=True, exist_ok=True)
    os.symlink("/etc/passwd", root / REC)


@dataclass(frozen=True)
class Case:
    id: str
    source: str | Callable[[], bytes] | None  # a corpus file, bytes made now, or None
    wants: tuple[Want, ...]
    path: str = REC
    setup: Callable[[Path], None] | None = None
    # `show` cannot read the file either, and must report the same problems
    unreadable: bool = False
    # run `set` on it too: it must refuse and point at the problem in the file on disk
    also_set: bool = False
    # texts that must not appear anywhere in the output
    absent: tuple[str, ...] = ()

    def content(self) -> bytes | None:
        if self.source is None:
            return None
        if isinstance(self.source, str):
            return corpus(self.source)
        return self.source()


def case(id: str, source: str | Callable[[], bytes] | None, *wants: Want, **kw) -> Case:
    return Case(id, source, wants, **kw)


RECORD_CASES = [
    # YAML syntax
    case(
        "unclosed-quote", "unclosed-quote.yaml", at(5, 8, "YAML syntax", "quote"), unreadable=True
    ),
    case("bad-indent", "bad-indent.yaml", at(3, 11, "YAML syntax"), unreadable=True),
    case("bad-indent-nested", "bad-indent-nested.yaml", at(13, 2, "YAML syntax"), unreadable=True),
    case("stray-bracket", "stray-bracket.yaml", at(7, 37, "YAML syntax"), unreadable=True),
    case("bad-escape", "bad-escape.yaml", at(5, 11, "YAML syntax", "escape"), unreadable=True),
    case("tab-indent", "tab-indent.yaml", at(12, 1, "tab"), unreadable=True, also_set=True),
    case(
        "duplicate-key",
        "duplicate-key.yaml",
        at(9, 1, "duplicate key 'title'"),
        unreadable=True,
        also_set=True,
    ),
    case(
        "two-documents",
        "two-documents.yaml",
        at(10, 1, "more than one YAML document"),
        unreadable=True,
    ),
    case(
        "list-not-mapping", "list-not-mapping.yaml", at(2, 1, "must be a mapping"), unreadable=True
    ),
    case(
        "scalar-not-mapping",
        "scalar-not-mapping.yaml",
        at(2, 1, "must be a mapping"),
        unreadable=True,
    ),
    case("complex-key", "complex-key.yaml", at(10, 3, "key", "plain text"), unreadable=True),
    case("deep-nesting", "deep-nesting.yaml", at(14, 39, "nested too deeply"), unreadable=True),
    case("empty", "empty.yaml", at(1, 1, "empty"), unreadable=True),
    case("only-comments", "only-comments.yaml", at(1, 1, "empty"), unreadable=True),
    # what YAML can do that a record must not
    case(
        "python-tag",
        "python-tag.yaml",
        at(5, 8, "YAML tag", "!!python/object/apply:os.system", "not allowed"),
        unreadable=True,
        also_set=True,
    ),
    case(
        "custom-tag", "custom-tag.yaml", at(6, 8, "YAML tag !foo", "not allowed"), unreadable=True
    ),
    case("alias-bomb", "alias-bomb.yaml", at(11, 12, "aliases"), unreadable=True, also_set=True),
    case("merge-key", "merge-key.yaml", at(11, 3, "merge keys", "<<"), unreadable=True),
    # encodings and characters
    case("gbk", gbk, at(1, 3, "not valid UTF-8", "GBK"), unreadable=True, also_set=True),
    case("gbk-after-ascii", gbk_after_ascii, at(5, 12, "not valid UTF-8", "GBK"), unreadable=True),
    case("utf8-bom", utf8_bom, at(1, 1, "BOM", "UTF-8"), unreadable=True),
    case("utf16-bom", utf16_bom, at(1, 1, "BOM", "UTF-16"), unreadable=True),
    case(
        "control-char-bel",
        raw_control("\x07"),
        at(5, 19, "control character", "U+0007"),
        unreadable=True,
    ),
    case(
        "control-char-nul",
        raw_control("\x00"),
        at(5, 19, "control character", "U+0000"),
        unreadable=True,
    ),
    case(
        "control-char-esc",
        raw_control("\x1b"),
        at(5, 19, "control character", "U+001B"),
        unreadable=True,
    ),
    case(
        "control-char-escaped", "control-char-escaped.yaml", at(5, 8, "title", "control character")
    ),
    # YAML reads a tab after a key's colon as a space, but dangwu could not edit such a
    # file in place: every command says so, where set once failed as a bug
    case(
        "tab-after-colon",
        lambda: valid_text().replace("title: ", "title:\t", 1).encode(),
        at(5, 7, "a tab dangwu cannot keep"),
        unreadable=True,
        also_set=True,
    ),
    # types
    case("major-quoted-yes", "major-quoted-yes.yaml", at(10, 8, "major", "true or false", "'yes'")),
    case("major-bare-yes", "major-bare-yes.yaml", at(10, 8, "major", "true or false", "'yes'")),
    case(
        "title-number",
        "title-number.yaml",
        at(5, 8, "title", "expected text", "2026"),
        also_set=True,
    ),
    case("title-null", "title-null.yaml", at(5, 7, "title", "expected text", "nothing")),
    case("channels-string", "channels-string.yaml", at(7, 11, "channels", "a list", "'meeting'")),
    # fields and values
    case(
        "unknown-field-near-miss",
        "unknown-field-near-miss.yaml",
        at(2, 1, "missing required field 'scope'"),
        at(6, 1, "unknown field 'scpoe'", "did you mean 'scope'?"),
    ),
    case(
        "scope-enum-typo",
        "scope-enum-typo.yaml",
        at(
            6,
            8,
            "scope: 'publik' is not one of internal (党内公开), public (社会公开)",
            "did you mean 'public'?",
        ),
        also_set=True,
    ),
    case(
        "channel-enum-typo",
        "channel-enum-typo.yaml",
        at(7, 28, "channels[1]", "'wechat'", "is not one of"),
    ),
    case(
        "status-enum-typo",
        "status-enum-typo.yaml",
        at(10, 9, "'publishd'", "is not one of", "did you mean 'published'?"),
    ),
    case("channels-twice", "channels-twice.yaml", at(7, 11, "channels", "twice")),
    case("id-missing", "id-missing.yaml", at(2, 1, "missing required field 'id'")),
    case("title-multi-line", "title-multi-line.yaml", at(5, 8, "title", "single line")),
    case("title-line-separator", "title-line-separator.yaml", at(5, 8, "title", "single line")),
    case("title-too-long", "title-too-long.yaml", at(5, 8, "title", "too long", "200")),
    # rules across fields
    case(
        "impossible-date",
        "impossible-date.yaml",
        at(9, 13, "event_date", "2026-02-30", "not a real date"),
    ),
    case(
        "quarterly-without-period", "quarterly-without-period.yaml", at(2, 1, "quarterly", "period")
    ),
    case(
        "timely-without-event-date",
        "timely-without-event-date.yaml",
        at(2, 1, "timely", "event_date"),
    ),
    case("period-q5", "period-q5.yaml", at(9, 9, "'2026Q5'", "not a quarter"), also_set=True),
    case(
        "internal-on-public-channel",
        "internal-on-public-channel.yaml",
        at(7, 28, "'website'", "public channel", "internal"),
    ),
    case(
        "category-not-folder",
        "category-not-folder.yaml",
        at(3, 11, "'zuofeng-jianshe'", "does not match the folder", "records/zuzhi-jianshe/"),
        path=ZF_IN_ZZ,
    ),
    case(
        "id-not-file-name",
        "id-not-file-name.yaml",
        at(2, 5, "'ZZ-2026-102'", "does not match the file name", "ZZ-2026-101.yaml"),
    ),
    case(
        "id-code-not-category",
        "id-code-not-category.yaml",
        at(2, 5, "ZF", "zuzhi-jianshe", "ZZ"),
        path=ZF_IN_ZZ,
    ),
    case(
        "item-not-in-category",
        "item-not-in-category.yaml",
        at(4, 7, "'party-due'", "not an item of zuzhi-jianshe", "did you mean 'party-dues'?"),
    ),
    case(
        "follows-nothing",
        "follows-nothing.yaml",
        at(10, 10, "there is no record ZZ-2026-099"),
        # the only record there is, is this one, which it may not follow
        absent=("did you mean 'ZZ-2026-101'",),
    ),
    case("follows-itself", "follows-itself.yaml", at(10, 10, "cannot follow itself")),
    # attachments
    case(
        "attachment-dotdot",
        "attachment-dotdot.yaml",
        at(10, 15, "'../../etc/passwd'", "outside the office repository"),
    ),
    case(
        "attachment-absolute",
        "attachment-absolute.yaml",
        at(10, 15, "'/etc/passwd'", "outside the office repository"),
    ),
    case(
        "attachment-missing",
        "attachment-missing.yaml",
        at(10, 15, "'files/minutes.pdf'", "does not exist"),
    ),
    case(
        "attachment-symlink-outside",
        "attachment-symlink-outside.yaml",
        at(10, 15, "'files/passwd.pdf'", "outside the office repository"),
        setup=symlink_attachment,
    ),
    case("attachment-in-git-dir", "attachment-in-git-dir.yaml", at(10, 15, "'.git/config'", "git")),
    # files and folders under records/ that are not records
    case(
        "not-yaml-file",
        "notes.txt",
        whole("not a record file"),
        path="records/zuzhi-jianshe/notes.txt",
    ),
    case(
        "yml-extension",
        "valid-record.yaml",
        whole("not a record file"),
        path="records/zuzhi-jianshe/ZZ-2026-101.yml",
    ),
    case(
        "file-directly-under-records",
        "notes.txt",
        whole("not a record file"),
        path="records/notes.txt",
    ),
    case(
        "folder-not-a-category",
        "valid-record.yaml",
        whole("records/zuzhi-jianshee/", "not a category", "did you mean 'zuzhi-jianshe'?"),
        path="records/zuzhi-jianshee/ZZ-2026-101.yaml",
    ),
    case(
        "emoji-code-file-name",
        "notes.txt",
        whole("not a record file"),
        path="records/zuzhi-jianshe/:x:.txt",
    ),
    # a record that is a link to a file outside the office: refused, and never read
    case(
        "record-symlink-outside",
        None,
        whole(("outside the office repository", "symbolic link")),
        setup=symlink_record,
        unreadable=True,
        absent=("root:", "/bin/", "root❌"),
    ),
]
CASES = {c.id: c for c in RECORD_CASES}


def install(office: Office, c: Case) -> None:
    content = c.content()
    if content is not None:
        office.write(c.path, content)
    if c.setup is not None:
        c.setup(office.root)


@pytest.mark.parametrize("c", RECORD_CASES, ids=lambda c: c.id)
def test_validate_reports_the_bad_record(office: Office, c: Case) -> None:
    install(office, c)
    result = run_unchanged(office, "validate")
    assert_clean_failure(result, 1)
    assert_reports(result.output, c.path, c.wants)
    for text in c.absent:
        assert text not in result.output, result.output


# `list` goes through the same checks as `validate`; a sample of every kind is enough
LIST_CASES = [
    CASES[name]
    for name in (
        "unclosed-quote",
        "duplicate-key",
        "python-tag",
        "alias-bomb",
        "gbk",
        "utf8-bom",
        "control-char-bel",
        "empty",
        "list-not-mapping",
        "scope-enum-typo",
        "control-char-escaped",
        "follows-nothing",
        "category-not-folder",
        "attachment-symlink-outside",
        "record-symlink-outside",
    )
]


@pytest.mark.parametrize("c", LIST_CASES, ids=lambda c: c.id)
def test_list_skips_the_bad_record_and_says_so(office: Office, c: Case) -> None:
    install(office, c)
    result = run_unchanged(office, "list")
    assert_clean_failure(result, 0)
    assert "1 file has problems and is not listed" in result.output, result.output
    assert "dangwu validate" in result.output, result.output
    assert "ZZ-2026-101" not in result.stdout, result.output
    for text in c.absent:
        assert text not in result.output, result.output


READ_CASES = [c for c in RECORD_CASES if c.unreadable and c.path == REC]


@pytest.mark.parametrize("c", READ_CASES, ids=lambda c: c.id)
def test_show_refuses_an_unreadable_record_with_the_same_problem(office: Office, c: Case) -> None:
    install(office, c)
    result = run_unchanged(office, "show", "ZZ-2026-101")
    assert_clean_failure(result, 1)
    assert_reports(result.output, c.path, c.wants)
    for text in c.absent:
        assert text not in result.output, result.output


SET_CASES = [c for c in RECORD_CASES if c.also_set]


@pytest.mark.parametrize("c", SET_CASES, ids=lambda c: c.id)
def test_set_refuses_a_bad_record_and_points_into_the_file_on_disk(office: Office, c: Case) -> None:
    """`set summary=...` inserts a line after the title; a problem already in the file
    must still be reported where it is in the file, not where it would be."""
    install(office, c)
    result = run_unchanged(office, "set", "ZZ-2026-101", "summary=本季度党费收缴情况")
    assert_clean_failure(result, 1)
    assert_reports(result.output, c.path, c.wants)


CONTROLS = {
    "valid-record": {REC: "valid-record.yaml"},
    "valid-office": {SETTINGS: "office-valid.yaml", REC: "valid-record.yaml"},
    "valid-catalogue": {CATALOGUE: "catalogue-valid.yaml", REC: "valid-record.yaml"},
    "zf-record-in-its-own-folder": {
        "records/zuofeng-jianshe/ZF-2026-101.yaml": "category-not-folder.yaml"
    },
}


@pytest.mark.parametrize("files", CONTROLS.values(), ids=CONTROLS.keys())
def test_the_files_the_corpus_is_made_from_are_valid(office: Office, files: dict[str, str]) -> None:
    """The control: each bad case fails because of its one defect, not its base."""
    for relpath, name in files.items():
        office.write(relpath, corpus(name))
    result = run_unchanged(office, "validate")
    assert_clean_failure(result, 0)
    assert "no problems" in result.output, result.output


# --- hostile content that is fine as content -------------------------------------------


@pytest.mark.parametrize(
    "name, title",
    [
        ("title-html-markup.yaml", "<script>alert(1)</script> [bold red]通知[/bold red]"),
        ("title-emoji-code.yaml", ":x: 紧急通知 :warning:"),
    ],
)
def test_hostile_title_is_content_and_shown_verbatim(office: Office, name: str, title: str) -> None:
    office.write(REC, corpus(name))
    result = run_unchanged(office, "validate")
    assert_clean_failure(result, 0)
    shown = run_unchanged(office, "show", "ZZ-2026-101")
    assert_clean_failure(shown, 0)
    assert title in shown.stdout, shown.output
    listed = run_unchanged(office, "list")
    assert_clean_failure(listed, 0)
    assert title in listed.stdout, listed.output


# --- the cases with a cost: time, memory, code execution -------------------------------


def test_fifty_megabyte_record_is_refused_quickly(office: Office, tmp_path: Path) -> None:
    assert office.root.is_relative_to(tmp_path)  # never anywhere that could be committed
    path = office.root / REC
    path.parent.mkdir(parents=True)
    line = b"  " + b"x" * 97 + b"\n"
    with path.open("wb") as fh:
        fh.write(corpus("valid-record.yaml") + b"body: |\n")
        fh.write(line * ((50 * 1024 * 1024 - fh.tell()) // len(line)))
    assert path.stat().st_size > 49 * 1024 * 1024
    for args, code in (
        (("validate",), 1),
        (("show", "ZZ-2026-101"), 1),
        (("list",), 0),
        (("set", "ZZ-2026-101", "title=新标题"), 1),
    ):
        started = time.perf_counter()
        result = run_unchanged(office, *args)
        elapsed = time.perf_counter() - started
        assert elapsed < 2, f"dangwu {' '.join(args)} took {elapsed:.1f} s"
        assert_clean_failure(result, code)
        if code == 1:
            assert_reports(result.output, REC, [whole("50.0 MB", "at most", "MB")])


def test_alias_bomb_is_refused_quickly_in_bounded_memory(office: Office) -> None:
    office.write(REC, corpus("alias-bomb.yaml"))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    for args, code in (
        (("validate",), 1),
        (("show", "ZZ-2026-101"), 1),
        (("list",), 0),
        (("set", "ZZ-2026-101", "title=新标题"), 1),
    ):
        started = time.perf_counter()
        result = run_unchanged(office, *args)
        elapsed = time.perf_counter() - started
        assert elapsed < 2, f"dangwu {' '.join(args)} took {elapsed:.1f} s"
        assert_clean_failure(result, code)
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown < 200 * 1024, f"max RSS grew by {grown // 1024} MB"


def test_python_tag_is_never_executed(office: Office) -> None:
    office.write(REC, corpus("python-tag.yaml"))
    commit_as(office.root, "dumy", "a record with a python tag", REC)
    for args in (
        ("validate",),
        ("validate", "--json"),
        ("show", "ZZ-2026-101"),
        ("show", "ZZ-2026-101", "--json"),
        ("list",),
        ("list", "--json"),
        ("set", "ZZ-2026-101", "title=新标题"),
    ):
        result = run_unchanged(office, *args)
        assert "Traceback" not in result.output, result.output
        assert not (office.root / MARKER).exists(), f"dangwu {' '.join(args)} ran the tag"
        assert not (Path.cwd() / MARKER).exists()


def test_python_tag_in_dangwu_yaml_is_never_executed(office: Office) -> None:
    office.write(SETTINGS, corpus("office-python-tag.yaml"))
    commit_as(office.root, "linht", "settings with a python tag", SETTINGS)
    for args in (("validate",), ("list",), ("set", "ZZ-2026-101", "title=新标题")):
        result = run_unchanged(office, *args)
        assert "Traceback" not in result.output, result.output
        assert not (office.root / MARKER).exists(), f"dangwu {' '.join(args)} ran the tag"
    result = run_unchanged(office, "validate")
    assert_clean_failure(result, 1)
    assert_reports(
        result.output,
        SETTINGS,
        [at(2, 7, "YAML tag", "!!python/object/apply:os.system", "not allowed")],
    )


# --- ids and paths on the command line ---------------------------------------------------


@pytest.mark.parametrize(
    "args, code, words",
    [
        (("show", "../../etc/passwd"), 2, ["'../../etc/passwd' is not a record id"]),
        (("show", "ZZ-2026-101/../x"), 2, ["'ZZ-2026-101/../x' is not a record id"]),
        (("show", "ZZ-2026-101.yaml"), 2, ["is not a record id"]),
        (("show", REC), 2, ["is not a record id"]),
        (("show", "/etc/passwd"), 2, ["is not a record id"]),
        (("set", "../x", "title=a"), 2, ["'../x' is not a record id"]),
        (("set", "ZZ-2026-101/../../x", "title=a"), 2, ["is not a record id"]),
        (("edit", "../../etc/passwd"), 2, ["is not a record id"]),
        (("validate", "../../etc/passwd"), 2, ["outside the office repository"]),
        (("validate", "/etc/passwd"), 2, ["outside the office repository"]),
        (("validate", "records/zuzhi-jianshe/ZZ-2026-999.yaml"), 2, ["does not exist"]),
        (("set", "ZZ-2026-101", "scpoe=public"), 2, ["'scpoe'", "did you mean 'scope'?"]),
        (("set", "ZZ-2026-101", "period+=2026Q4"), 2, ["+=", "lists"]),
        (("list", "--scope", "publik"), 2, ["'publik'", "did you mean 'public (社会公开)'?"]),
        (("list", "--period", "2026Q5"), 2, ["'2026Q5'", "not a quarter"]),
        (
            (
                "new",
                "zuzhi-jianshe",
                "--item",
                "party-dues",
                "--period",
                "2026Q3",
                "--title",
                "第一行\n第二行",
            ),
            2,
            ["--title", "single line"],
        ),
        (("show", "ZZ-2026-999"), 1, ["no record ZZ-2026-999"]),
        (("set", "ZZ-2026-101", "status=published"), 1, ["status", "written by dangwu"]),
        # a year beyond those dangwu keeps is a slip of the keyboard, said as such
        (
            (
                "new",
                "gongzuo-dongtai",
                "--item",
                "party-activities",
                "--title",
                "t",
                "--event-date",
                "9999-12-31",
            ),
            2,
            ["--event-date: '9999-12-31' is outside the years dangwu keeps records of"],
        ),
        (("due", "--on", "0001-01-01"), 2, ["'0001-01-01' is outside the years"]),
        (("bulletin", "9999Q4"), 2, ["'9999Q4' is outside the years"]),
        (("bulletin", "0000Q1"), 2, ["'0000Q1' is outside the years"]),
        (("stats", "--year", "9999"), 2, ["'9999' is outside the years"]),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, tuple) else None,
)
def test_bad_command_line_is_refused(
    office: Office, args: tuple[str, ...], code: int, words: list[str]
) -> None:
    office.write(REC, corpus("valid-record.yaml"))
    commit_as(office.root, "dumy", "a valid record", REC)
    result = run_unchanged(office, *args)
    assert_clean_failure(result, code)
    for word in words:
        assert word in result.output, result.output
    assert "root:" not in result.output, result.output


def test_a_date_beyond_our_years_written_by_hand_is_named_and_counts_for_nothing(
    office: Office,
) -> None:
    """9999-12-31 committed with plain git: validate names it; the deadlines, the
    figures and the dossier pass it by (counting days near the year 9999 overflows)."""
    text = valid_text().replace("cadence: quarterly", "cadence: timely")
    text = text.replace("period: 2026Q3", "event_date: 9999-12-31")
    office.write(REC, text)
    commit_as(office.root, "dumy", "a record by hand", REC)
    said = office.run("validate")
    assert said.exit_code == 1
    assert "event_date: '9999-12-31' is outside the years dangwu keeps records of" in said.output
    for args in (("due",), ("stats", "--year", "2026"), ("dossier", "--year", "2026")):
        result = office.run(*args)
        assert result.exit_code == 0, (args, result.output)


@pytest.mark.parametrize(
    "assignment, want",
    [
        ("title=第一行\n第二行", at(5, 8, "title", "single line")),
        ("title=" + "党" * 201, at(5, 8, "title", "too long")),
        (
            "attachments+=../../etc/passwd",
            at(10, 15, "'../../etc/passwd'", "outside the office repository"),
        ),
        ("attachments+=/etc/passwd", at(10, 15, "'/etc/passwd'", "outside the office repository")),
        ("period=2026Q5", at(9, 9, "'2026Q5'", "not a quarter")),
        ("scope=publik", at(6, 8, "'publik'", "is not one of", "did you mean 'public'?")),
        ("channels+=website", at(7, 38, "channels[2]", "'website'", "public channel")),
        ("follows=ZZ-2026-099", at(10, 10, "there is no record ZZ-2026-099")),
    ],
    ids=lambda v: v.split("=")[0] + "=" + v.split("=", 1)[1][:20] if isinstance(v, str) else None,
)
def test_set_refuses_a_value_that_would_make_the_record_invalid(
    office: Office, assignment: str, want: Want
) -> None:
    office.write(REC, corpus("valid-record.yaml"))
    commit_as(office.root, "dumy", "a valid record", REC)
    result = run_unchanged(office, "set", "ZZ-2026-101", assignment)
    assert_clean_failure(result, 1)
    assert_reports(result.output, REC, [want])


# --- the office itself ----------------------------------------------------------------------


def _files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_folder_with_dangwu_yaml_but_no_git(tmp_path: Path, office: Office) -> None:
    folder = tmp_path / "not-git"
    folder.mkdir()
    (folder / SETTINGS).write_bytes(corpus("office-valid.yaml"))
    (folder / REC).parent.mkdir(parents=True)
    (folder / REC).write_bytes(corpus("valid-record.yaml"))
    before = _files(folder)
    for args in (("validate",), ("list",), ("show", "ZZ-2026-101")):
        result = office.run("-C", str(folder), *args)
        assert_clean_failure(result, 1)
        assert "not a git repository" in result.output, result.output
        assert str(folder) in result.output, result.output
        assert _files(folder) == before
        assert not (folder / ".git").exists()


@pytest.mark.parametrize("with_git", [False, True], ids=["plain-folder", "git-repository"])
def test_folder_without_dangwu_yaml_says_how_to_create_one(
    tmp_path: Path, office: Office, with_git: bool
) -> None:
    folder = tmp_path / "no-settings"
    folder.mkdir()
    if with_git:
        subprocess.run(["git", "init", "-q", str(folder)], check=True)
    before = _files(folder)
    result = office.run("-C", str(folder), "validate")
    assert_clean_failure(result, 1)
    assert "no dangwu.yaml" in result.output, result.output
    assert "dangwu init" in result.output, result.output
    assert _files(folder) == before
    assert not (folder / SETTINGS).exists()


def test_a_folder_inside_an_office_named_with_C_says_which_office(office: Office) -> None:
    """-C office/records names a folder of an office, not one to make an office in."""
    inside = office.root / "records"
    inside.mkdir(exist_ok=True)
    result = office.run("-C", str(inside), "list")
    assert_clean_failure(result, 1)
    assert f"it is a folder inside the office {office.root}: name that, -C {office.root}" in (
        result.output
    )
    assert "dangwu init" not in result.output, result.output


SHIPPED_RECORD_SCHEMA = Path(__file__).resolve().parent.parent / "schemas" / "record.schema.yaml"


@pytest.mark.parametrize(
    "broken, where, words",
    [
        (
            lambda text: text.replace("type: object", "type: objectt", 1),
            "schemas/record.schema.yaml:11:7: ",
            ["not a valid JSON Schema", "'objectt'"],
        ),
        (lambda text: text + "\n  - [\n", "schemas/record.schema.yaml:", ["YAML"]),
    ],
    ids=["not-json-schema", "not-yaml"],
)
def test_an_offices_own_broken_schema_is_one_located_error(
    office: Office, broken: Callable[[str], str], where: str, words: list[str]
) -> None:
    """The shipped schemas are checked by the tests, an office's own ones when they are
    used: one line naming the place, not a bug report and not one line per record."""
    office.write(REC, corpus("valid-record.yaml"))
    commit_as(office.root, "dumy", "a record", REC)
    office.write("schemas/record.schema.yaml", broken(SHIPPED_RECORD_SCHEMA.read_text("utf-8")))
    for args in (("validate",), ("list",)):
        result = run_unchanged(office, *args)
        assert_clean_failure(result, 1)
        said = [line for line in result.output.splitlines() if where in line]
        assert len(said) == 1, (args, result.output)
        assert all(word in said[0] for word in words), (args, result.output)


OFFICE_CASES = [
    case(
        "office-syntax-error",
        "office-syntax-error.yaml",
        at(3, 14, "YAML syntax", "quote"),
        path=SETTINGS,
    ),
    case(
        "office-unknown-field",
        "office-unknown-field.yaml",
        at(3, 1, "unknown field 'board_titel'", "did you mean 'board_title'?"),
        path=SETTINGS,
    ),
    case(
        "office-role-typo",
        "office-role-typo.yaml",
        at(17, 13, "'clerck'", "is not one of", "did you mean 'clerk'?"),
        path=SETTINGS,
    ),
    case(
        "office-duplicate-email",
        "office-duplicate-email.yaml",
        at(11, 12, "HANZG@example.org", "also the email of 'hanzg'"),
        path=SETTINGS,
    ),
    case(
        "office-clerk-without-id-block",
        "office-clerk-without-id-block.yaml",
        at(15, 5, "roster.dumy", "id_block"),
        path=SETTINGS,
    ),
    case(
        "office-id-block-twice",
        "office-id-block-twice.yaml",
        at(18, 15, "id_block", "block 2", "'linht'"),
        path=SETTINGS,
    ),
    case(
        "office-nobody-may-change-roster",
        "office-nobody-may-change-roster.yaml",
        at(5, 3, "nobody may change the roster"),
        path=SETTINGS,
    ),
    case(
        "office-bad-roster-key",
        "office-bad-roster-key.yaml",
        at(14, 3, "'Du Mingyuan'", "key"),
        path=SETTINGS,
    ),
    case(
        "office-unit-empty",
        "office-unit-empty.yaml",
        at(2, 6, "unit", "expected text"),
        path=SETTINGS,
    ),
    case(
        "office-rule-below-minimum",
        "office-rule-below-minimum.yaml",
        at(5, 24, "rules.pre_disclosure_days", "at least 15"),
        path=SETTINGS,
    ),
    case("office-list", "office-list.yaml", at(1, 1, "must be a mapping"), path=SETTINGS),
    case(
        "office-python-tag",
        "office-python-tag.yaml",
        at(2, 7, "YAML tag", "!!python/object/apply:os.system", "not allowed"),
        path=SETTINGS,
    ),
    case(
        "catalogue-syntax-error",
        "catalogue-syntax-error.yaml",
        at(7, 9, "YAML syntax", "quote"),
        path=CATALOGUE,
    ),
    case(
        "catalogue-cadence-typo",
        "catalogue-cadence-typo.yaml",
        at(9, 125, "'quartely'", "is not one of", "did you mean 'quarterly'?"),
        path=CATALOGUE,
    ),
    case(
        "catalogue-unknown-field",
        "catalogue-unknown-field.yaml",
        at(11, 5, "missing required field", "items"),
        at(15, 5, "unknown field", "'categories[1].itmes'", "did you mean 'items'?"),
        path=CATALOGUE,
    ),
    case(
        "catalogue-code-twice",
        "catalogue-code-twice.yaml",
        at(12, 11, "'ZZ'", "two"),
        path=CATALOGUE,
    ),
]


@pytest.mark.parametrize("c", OFFICE_CASES, ids=lambda c: c.id)
@pytest.mark.parametrize("committed", [False, True], ids=["working-tree", "committed"])
def test_validate_reports_a_bad_office_file(office: Office, c: Case, committed: bool) -> None:
    office.write(REC, corpus("valid-record.yaml"))
    install(office, c)
    if committed:
        commit_as(office.root, "linht", f"a broken {c.path}", c.path)
    result = run_unchanged(office, "validate")
    assert_clean_failure(result, 1)
    assert_reports(result.output, c.path, c.wants)
    assert not problem_lines(result.output, REC), result.output
    if committed:
        return
    # a command that needs the broken file reports the same problem
    needs = ("list",) if c.path == CATALOGUE else ("show", "ZZ-2026-101")
    result = run_unchanged(office, *needs)
    assert_clean_failure(result, 1)
    assert_reports(result.output, c.path, c.wants)


@pytest.mark.parametrize("broken", ["tab", "role"])
def test_a_step_under_a_broken_committed_roster_says_how_to_recover(
    office: Office, broken: str
) -> None:
    good = office.read(SETTINGS)
    if broken == "tab":
        text = good.replace("\n  ", "\n\t", 1)
    else:
        text = good.replace("roles: [clerk]", "roles: [clerck]", 1)
    office.write(SETTINGS, text)
    commit_as(office.root, "linht", "a broken roster", SETTINGS)
    office.write(SETTINGS, good)  # put right on disk, but not yet committed
    result = run_unchanged(office, "new", "zuzhi-jianshe", "--item", "party-dues", "--title", "题")
    assert_clean_failure(result, 1)
    assert re.search(r"^dangwu\.yaml \(committed\):\d+:\d+: ", result.stderr, re.M), result.output
    assert "git revert COMMIT" in result.stderr


def test_validate_names_dangwu_yaml_when_asked_for_it_alone(office: Office) -> None:
    office.write(SETTINGS, corpus("office-role-typo.yaml"))
    office.write(REC, corpus("scope-enum-typo.yaml"))
    result = run_unchanged(office, "validate", SETTINGS)
    assert_clean_failure(result, 1)
    assert_reports(result.output, SETTINGS, OFFICE_CASES[2].wants)
    assert not problem_lines(result.output, REC), result.output


# --- all problems of all files, in one run -------------------------------------------------


def test_validate_reports_every_problem_of_every_file_in_one_run(office: Office) -> None:
    broken = {
        REC: corpus("scope-enum-typo.yaml"),
        "records/zuzhi-jianshe/ZZ-2026-102.yaml": corpus("duplicate-key.yaml").replace(
            b"ZZ-2026-101", b"ZZ-2026-102"
        ),
        "records/zuofeng-jianshe/ZF-2026-101.yaml": corpus("category-not-folder.yaml").replace(
            b"period: 2026Q3", b"period: 2026Q5\nscpoe: internal\nfollows: ZF-2026-001"
        ),
    }
    valid = "records/gongzuo-dongtai/DT-2026-101.yaml"
    for relpath, data in broken.items():
        office.write(relpath, data)
    office.write(
        valid,
        corpus("impossible-date.yaml")
        .decode()
        .replace("ZZ-2026-101", "DT-2026-101")
        .replace("zuzhi-jianshe", "gongzuo-dongtai")
        .replace("party-elections", "party-activities")
        .replace("2026-02-30", "2026-09-30"),
    )
    office.write(SETTINGS, corpus("office-unknown-field.yaml"))
    wants = {
        REC: [at(6, 8, "scope: 'publik' is not one of")],
        "records/zuzhi-jianshe/ZZ-2026-102.yaml": [at(9, 1, "duplicate key 'title'")],
        "records/zuofeng-jianshe/ZF-2026-101.yaml": [
            at(9, 9, "'2026Q5'", "not a quarter"),
            at(10, 1, "unknown field 'scpoe'", "did you mean 'scope'?"),
            at(11, 10, "there is no record ZF-2026-001"),
        ],
        SETTINGS: [at(3, 1, "unknown field 'board_titel'")],
    }

    result = run_unchanged(office, "validate")
    assert_clean_failure(result, 1)
    for relpath, expected in wants.items():
        assert_reports(result.output, relpath, expected)
    assert not problem_lines(result.output, valid), result.output

    result = run_unchanged(office, "validate", "--json")
    assert_clean_failure(result, 1)
    report = json.loads(result.stdout)
    problems = report["problems"]
    assert report["files"] >= 5, report
    for p in problems:
        assert set(p) >= {"path", "line", "col", "message"}, p
    assert {p["path"] for p in problems} == set(wants), problems
    for relpath, expected in wants.items():
        mine = [p for p in problems if p["path"] == relpath]
        assert len(mine) == len(expected), mine
        for want in expected:
            hits = [p for p in mine if (p["line"], p["col"]) == (want.line, want.col)]
            assert hits, (relpath, want, mine)
            for word in want.words:
                assert any(word in f"{p['message']} ({p['hint']})" for p in hits), (word, hits)


# --- the working tree counts, committed or not -------------------------------------------


SAME_EVERYWHERE = [
    "scope-enum-typo",
    "duplicate-key",
    "follows-nothing",
    "attachment-missing",
    "gbk",
    "python-tag",
    "two-documents",
    "internal-on-public-channel",
    "category-not-folder",
    "empty",
]


HOW = ("untracked", "staged", "committed", "modified")


@pytest.mark.parametrize("name", SAME_EVERYWHERE)
def test_validate_judges_the_working_tree_however_the_file_got_there(
    office_factory: Callable, name: str
) -> None:
    """untracked, staged, committed, or a committed valid record broken afterwards in the
    working tree only: validate says the same."""
    c = CASES[name]
    outputs = {}
    for how in HOW:
        office = office_factory(how)
        if how == "modified":
            office.write(c.path, corpus("valid-record.yaml"))
            commit_as(office.root, "dumy", "a valid record", c.path)
        install(office, c)
        if how == "staged":
            office.git("add", "--", c.path)
        elif how == "committed":
            commit_as(office.root, "dumy", "a broken record", c.path)
        result = run_unchanged(office, "validate")
        assert_clean_failure(result, 1)
        assert_reports(result.output, c.path, c.wants)
        outputs[how] = result.output
    assert len(set(outputs.values())) == 1, outputs


def test_every_corpus_file_is_used() -> None:
    used = {c.source for c in RECORD_CASES + OFFICE_CASES if isinstance(c.source, str)}
    used |= {
        "valid-record.yaml",
        "office-valid.yaml",
        "catalogue-valid.yaml",
        "title-html-markup.yaml",
        "title-emoji-code.yaml",
    }
    present = {p.name for p in CORPUS.iterdir() if p.name != "README.md"}
    assert present == used, (present - used, used - present)


def test_the_checks_of_this_module_can_fail(office: Office) -> None:
    """The harness is not vacuous: a change to the repository, a wrong place and a
    missing word are each caught."""
    office.write(REC, corpus("valid-record.yaml"))
    commit_as(office.root, "dumy", "a valid record", REC)
    with pytest.raises(AssertionError, match="changed the repository"):
        run_unchanged(office, "set", "ZZ-2026-101", "title=新标题")
    office.write(REC, corpus("scope-enum-typo.yaml"))
    output = office.run("validate").output
    assert_reports(output, REC, [at(6, 8, "publik")])
    with pytest.raises(AssertionError, match="no problem reported"):
        assert_reports(output, REC, [at(6, 9, "publik")])
    with pytest.raises(AssertionError, match="does not say"):
        assert_reports(output, REC, [at(6, 8, "publik", "tab")])
    with pytest.raises(AssertionError, match="problem"):
        assert_reports(output, REC, [at(6, 8, "publik"), at(6, 8, "publik")])
    with pytest.raises(AssertionError, match="exit 1, expected 0"):
        assert_clean_failure(office.run("validate"), 0)
