"""The audit reads the facts dangwu wrote with a fast reader (yamlio.load_simple); it
must answer exactly what the YAML reader answers, or leave the text to it. A
difference would let a hand-written fact mean one thing to the audit and another to
the tool, so this is checked on what dangwu writes and on what an attacker might."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from dangwu import yamlio

KEYS = st.sampled_from(["by", "at", "content", "signed", "reason", "note", "group", "channels"])
WORDS = st.text(alphabet="abc-_.@0123456789", min_size=1, max_size=8)
SCALARS = st.one_of(
    st.text(max_size=30),
    st.integers(-(10**6), 10**6),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=False),
    st.sampled_from(["2026-09-05", "yes", "no", "~", "null", "0x1F", "0o17", ".inf", "1e3", "'"]),
)
VALUES = st.one_of(SCALARS, st.lists(WORDS, max_size=4))


def same_as_yaml(text: str) -> None:
    fast = yamlio.load_simple(text)
    try:
        slow = yamlio.load(text).data
    except yamlio.YamlProblem:
        assert fast is None, (text, fast)
        return
    if fast is not None:
        assert fast == slow and type(fast) is type(slow), (text, fast, slow)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="abcdefgh", min_size=1, max_size=6), st.dictionaries(KEYS, VALUES))
def test_what_dangwu_writes_reads_the_same(key: str, facts: dict) -> None:
    text = yamlio.dump_round_trip({key: yamlio.as_yaml_tree(facts) if facts else "x"})
    same_as_yaml(text)


@settings(max_examples=600, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["", "  ", "   ", " ", "  - ", "    - ", "  -  "]),
            st.text(alphabet="ab_:", min_size=0, max_size=4),
            st.sampled_from([": ", ":", " : ", ":  ", ""]),
            st.text(max_size=25),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_what_anyone_might_write_reads_the_same(lines: list) -> None:
    text = "".join(f"{indent}{key}{sep}{value}\n" for indent, key, sep, value in lines)
    same_as_yaml(text)


def test_the_usual_facts_take_the_fast_way() -> None:
    text = (
        "approval:\n  by: wujh\n  at: '2026-03-10T09:15:00+08:00'\n"
        "  content: sha256:42a4e1eb\n  signed: true\n"
    )
    assert yamlio.load_simple(text) == yamlio.load(text).data
    assert yamlio.load_simple("publication:\n  channels: [website, public-board]\n") == {
        "publication": {"channels": ["website", "public-board"]}
    }
    assert yamlio.load_simple("status: published\n") == {"status": "published"}
    block = "decision:\n  attendees:\n  - hanzg\n  - zhoulx\n  group: 7\n"
    assert yamlio.load_simple(block) == yamlio.load(block).data


def test_the_audits_review_finds_as_many_as_the_live_review() -> None:
    """The audit replays an approval knowing only how many findings the record had; it
    counts them from the record's texts, the live review from the file: the same."""
    from conftest import ROOT

    from dangwu.rules import secrecy
    from dangwu.store import records

    texts = [yamlio.read_bytes(ROOT / p) for p in records.record_files(ROOT)]
    texts.append(
        "id: ZF-2026-103\ntitle: 赵**建**国来信\nsummary: 电话139&#49;2345678\nbody: |\n"
        "  其一：[赵](#x)建国。\n\n  其二：秘密★1年，身份证11010519491231002X。\n"
        "attachments: [files/a.pdf]\n".encode()
    )
    for raw in texts:
        doc = yamlio.load(yamlio.decode(raw))
        live = secrecy.scan(doc, today=secrecy.date(2026, 12, 1))
        replayed = secrecy.what_is_found(
            secrecy.scanned_texts(doc.data), today=secrecy.date(2026, 12, 1)
        )
        assert len(live) == len(replayed), (doc.data.get("id"), live, replayed)
    assert len(replayed) == 3  # the number, the mark, the ID card (no reporters here)


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["", "  ", "- ", "-", "#", " ", "\t"]),
            st.text(alphabet="ab_-:# \t\r", max_size=6),
        ),
        min_size=1,
        max_size=8,
    ),
    st.booleans(),
    st.sampled_from(["status: x\n", "# header\n\nid: 1\n", "", "\n", "  \n"]),
)
def test_a_file_is_cut_into_its_entries_the_quick_way_as_the_plain_way(
    lines: list, newline: bool, head: str
) -> None:
    from dangwu.store.history import top_level_blocks

    text = head + "\n".join(a + b for a, b in lines) + ("\n" if newline else "")
    assert top_level_blocks(text) == entries_line_by_line(text)


def entries_line_by_line(text: str) -> list[tuple[str, str]] | None:
    """The plain way, for comparison: walk the lines in the first column; each is a
    ``key:`` (a new entry), a block sequence item, or the file is not laid out plainly."""
    import re

    blocks: list[tuple[str, str]] = []
    key: str | None = None
    start = 0
    for line in re.finditer(r"^[^ \t#\r\n].*", text, re.MULTILINE):
        found = line.group()
        if found == "-" or found.startswith("- "):
            continue
        match = re.match(r"([A-Za-z_][A-Za-z0-9_-]*):(?:[ \t]|$)", found)
        if match is None:
            return None
        if key is not None:
            blocks.append((key, text[start : line.start()]))
        key, start = match.group(1), line.start()
    if key is not None:
        blocks.append((key, text[start:]))
    return blocks


def test_other_yaml_line_breaks_go_to_the_full_reader():
    # found by the property above: YAML also breaks lines at NEL, U+2028 and U+2029,
    # so the fast reader must not read a value holding one
    for mark in ("\x85", "\u2028", "\u2029"):
        text = f"a:\n  by: '{mark}    '\n"
        assert yamlio.load_simple(text) is None
        same_as_yaml(text)


def test_a_fact_behind_a_line_break_an_editor_hides_is_read_as_the_rules_read_it():
    """A lone CR, NEL, LS or PS is a line break to YAML: a key after one is a fact of
    the record, to the audit and the live check as to the rules (found by a review
    as a dishonest clerk: cut at "\\n" only, it was content to them)."""
    from dangwu.store.history import version_of

    for mark in ("\r", "\x85", "\u2028", "\u2029"):
        text = (
            "id: MB-2026-201\ntitle: t\n"
            f"summary: short{mark}consultation:{mark}  by: clerk{mark}  closes: '2026-11-20'\n"
            "status: approved\n"
        )
        facts = version_of("", text.encode("utf-8")).facts()
        loaded = yamlio.load(text).data
        assert facts == {k: loaded[k] for k in ("status", "consultation")}, (mark, facts)
        assert facts["consultation"] == {"by": "clerk", "closes": "2026-11-20"}
    # a file with CRLF line ends reads as any other
    crlf = "id: MB-2026-201\r\ntitle: t\r\nstatus: approved\r\n"
    assert version_of("", crlf.encode("utf-8")).facts() == {"status": "approved"}


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab:\n\r\x85\u2028\u2029 ", max_size=12))
def test_the_quick_question_for_hidden_breaks_answers_as_the_pattern(text: str) -> None:
    assert yamlio.has_hidden_break(text) == (yamlio.HIDDEN_BREAK.search(text) is not None)
