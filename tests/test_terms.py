"""Supervisors serve terms [SPEC 14]: term_start and term_end on the roster, 2 years by
default, at most two in a row; `due` says when one ends; `roster add` starts a new
supervisor's term; `roster set --term-end` renews it within the limit."""

from __future__ import annotations

import json
from datetime import date

import pytest
from conftest import Office
from steps import at, ok, refused

from dangwu.model.office import Person, Rules
from dangwu.rules.terms import longest_service, term_end


def supervisor(start: str | None, end: str | None = None) -> Person:
    return Person(
        "chensh", "陈淑华", "c@example.org", ("supervisor",),
        term_start=date.fromisoformat(start) if start else None,
        term_end=date.fromisoformat(end) if end else None,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("start", "end", "rules", "ends"),
    [
        ("2025-03-01", None, Rules(), date(2027, 2, 28)),
        ("2024-02-29", None, Rules(), date(2026, 2, 27)),  # a leap day, two years on
        ("2025-03-01", None, Rules(supervisor_term_years=3), date(2028, 2, 29)),
        ("2025-03-01", "2029-02-28", Rules(), date(2029, 2, 28)),  # renewed
        (None, None, Rules(), None),
    ],
)
def test_a_term_ends_one_term_after_it_starts_unless_the_roster_says(start, end, rules, ends):
    assert term_end(supervisor(start, end), rules) == ends


def test_two_terms_is_the_longest_run():
    assert longest_service(date(2025, 3, 1), Rules()) == date(2029, 2, 28)
    assert longest_service(date(2025, 3, 1), Rules(supervisor_terms=1)) == date(2027, 2, 28)


def set_terms(office: Office, lines: str) -> None:
    """Put term lines under chensh in dangwu.yaml, as an office head editing by hand."""
    text = office.read("dangwu.yaml").replace("    term_start: '2025-01-15'\n", "")
    anchor = "    email: chensh@example.org\n"
    assert anchor in text
    office.write("dangwu.yaml", text.replace(anchor, anchor + lines))


@pytest.mark.parametrize(
    ("lines", "field", "expect"),
    [
        (
            "    term_start: '2025-03-01'\n    term_end: '2029-03-01'\n",
            "term_end",
            "beyond 2 consecutive terms",
        ),
        (
            "    term_start: '2025-03-01'\n    term_end: '2025-02-01'\n",
            "term_end",
            "is not after term_start",
        ),
        ("    term_end: '2027-03-01'\n", "term_end", "give term_start as well"),
    ],
)
def test_a_wrong_term_is_named_at_its_line(office: Office, lines: str, field: str, expect: str):
    set_terms(office, lines)
    result = office.run("validate", "dangwu.yaml")
    assert result.exit_code == 1, result.output
    text = office.read("dangwu.yaml").splitlines()
    line = next(i for i, t in enumerate(text, 1) if t.strip().startswith(f"{field}:"))
    said = [x for x in result.stdout.splitlines() if f"roster.chensh.{field}" in x]
    assert said and said[0].startswith(f"dangwu.yaml:{line}:"), result.output
    assert expect in said[0]


def test_only_supervisors_serve_terms(office: Office):
    text = office.read("dangwu.yaml")
    anchor = "    email: dumy@example.org\n"
    office.write("dangwu.yaml", text.replace(anchor, anchor + "    term_start: '2025-03-01'\n"))
    result = office.run("validate", "dangwu.yaml")
    assert result.exit_code == 1
    assert "roster.dumy.term_start: only supervisors serve terms" in result.stdout


def terms_due(office: Office, now: str) -> list[dict]:
    owed = json.loads(ok(office, "due", "--json", now=now).stdout)
    return [o for o in owed if o["kind"] == "term"]


def test_due_says_a_quarter_ahead_when_a_term_ends(office: Office):
    ok(office, "roster", "set", "chensh", "--term-start", "2025-01-01", as_="linht")
    assert terms_due(office, at(1, month=9)) == []  # ends 2026-12-31: not yet a quarter off
    soon = terms_due(office, at(5))
    assert [(o["subject"], o["due"], o["overdue"]) for o in soon] == [
        ("chensh", "2026-12-31", False)
    ]
    assert "陈淑华" in soon[0]["title"]
    late = json.loads(ok(office, "due", "--json", "--on", "2027-01-04", now=at(5)).stdout)
    assert [o["overdue"] for o in late if o["kind"] == "term"] == [True]
    # renewed for a second term: nothing owed until the next one ends
    said = ok(office, "roster", "set", "chensh", "--term-end", "2028-12-31", as_="linht", now=at(6))
    assert "term_end: - -> 2028-12-31" in said.stdout
    assert terms_due(office, at(7)) == []
    # a third term is refused, and nothing is written
    refused(office, "roster", "set", "chensh", "--term-end", "2030-12-31", as_="linht",
            now=at(8), expect="beyond 2 consecutive terms")  # fmt: skip


def test_a_new_supervisor_starts_a_term_today(office: Office):
    ok(office, "roster", "add", "liuq", "--name", "刘强", "--email", "liuq@example.org",
       "--role", "supervisor", as_="linht", now=at(12))  # fmt: skip
    listed = {p["key"]: p for p in json.loads(ok(office, "roster", "list", "--json").stdout)}
    assert (listed["liuq"]["term_start"], listed["liuq"]["term_end"]) == (
        "2026-10-12", "2028-10-11",
    )  # fmt: skip
    assert listed["dumy"]["term_end"] is None
    assert "2028-10-11" in ok(office, "roster", "list").stdout
    refused(office, "roster", "add", "wangw", "--name", "王五", "--email", "w@example.org",
            "--role", "clerk", "--term-start", "2026-10-12", as_="linht", now=at(12),
            expect="only supervisors serve terms", code=2)  # fmt: skip
