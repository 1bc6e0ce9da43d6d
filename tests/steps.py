"""Helpers shared by the tests that take records through dangwu's steps in October
2026: the clock, a step that must succeed, a step that must be refused, and a plan
out for comment."""

from __future__ import annotations

import json

from conftest import Office


def at(day: int, hour: int = 10, month: int = 10) -> str:
    """The tool's clock on a day of 2026 (October unless said)."""
    return f"2026-{month:02d}-{day:02d}T{hour:02d}:00:00+08:00"


def ok(office: Office, *args: str, **kw):
    result = office.run(*args, **kw)
    assert result.exit_code == 0, (args, result.output)
    assert "Traceback" not in result.output
    return result


def refused(office: Office, *args: str, expect: str, code: int = 1, **kw):
    """Run a command that must be refused: its exit code, the reason, and nothing
    written."""
    before = office.state()
    result = office.run(*args, **kw)
    assert result.exit_code == code, result.output
    assert expect in result.stderr, result.output
    assert "Traceback" not in result.output
    assert office.state() == before
    return result


def trailers(office: Office, rev: str = "HEAD") -> dict[str, str]:
    raw = office.git("log", "-1", "--format=%(trailers:only,unfold)", rev)
    return dict(line.split(": ", 1) for line in raw.splitlines() if line)


def data(office: Office, rid: str) -> dict:
    return json.loads(ok(office, "show", rid, "--json").stdout)


def consulting(office: Office) -> str:
    """A pre-disclosure out for comment from 10-05 to 10-19."""
    rid = office.new(
        "--pre-disclosure",
        "--summary",
        "征求意见稿",
        "--body",
        "初步方案。",
        category="zhidu-jianshe",
        item="integrity-rules",
        title="机关廉洁自律若干规定",
        now=at(1),
    )
    ok(office, "submit", rid, now=at(1, 11))
    ok(office, "approve", rid, as_="zhoulx", now=at(2))
    ok(office, "publish", rid, now=at(5))
    return rid


def answer(office: Office, number: int, *, now: str, **kw):
    """The office answers report ``number`` and tells the reporter by telephone."""
    return ok(
        office,
        "report",
        "answer",
        str(number),
        "--text",
        "已核实",
        "--notified",
        "电话告知本人",
        now=now,
        **kw,
    )
