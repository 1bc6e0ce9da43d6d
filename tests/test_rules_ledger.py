"""The ledgers (dangwu.rules.ledger) called directly on generated offices: the same facts
give the same counts as the yearly figures of stats, whatever the records say. No git,
no disk."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dangwu.model.catalogue import Catalogue, Category, Item
from dangwu.model.meeting import Meeting, Minutes
from dangwu.model.office import Rules
from dangwu.model.record import Summary
from dangwu.model.supervision import Feedback
from dangwu.rules import ledger
from dangwu.rules.stats import Span, figures
from dangwu.rules.workdays import Calendar


@pytest.fixture(autouse=True)
def isolated_git(monkeypatch: pytest.MonkeyPatch) -> None:
    """No git and no home here: the suite's fixture of this name is not needed."""
    monkeypatch.setenv("DANGWU_LANG", "en")


CHINA = timezone(timedelta(hours=8))
ITEMS = (
    Item("ZD06", "integrity-rules", "廉洁自律规定", "Rules", "public", "standing", "zhidu-jianshe"),
    Item("ZD07", "dues", "党费", "Dues", "internal", "quarterly", "zhidu-jianshe"),
)
CATALOGUE = Catalogue(
    (Category("zhidu-jianshe", "ZD", "制度建设", "Rules", ITEMS),), Path("catalogue.yaml")
)
BASE = Summary(
    path="records/zhidu-jianshe/ZD-2026-101.yaml",
    blob="b",
    id="ZD-2026-101",
    category="zhidu-jianshe",
    item="integrity-rules",
    title="标题",
    scope="public",
    cadence="standing",
    status="draft",
    channels=("public-board", "website"),
    content="c",
)
days = st.dates(date(2025, 6, 1), date(2027, 6, 30))


def stamp(day: date) -> str:
    return datetime(day.year, day.month, day.day, 10, tzinfo=CHINA).isoformat()


@st.composite
def records(draw: st.DrawFn, n: int) -> Summary:
    item = draw(st.sampled_from(ITEMS))
    status = draw(st.sampled_from(["draft", "approved", "published", "withdrawn", "consulting"]))
    published = draw(days) if status in ("published", "withdrawn") else None
    consulted = draw(st.one_of(st.none(), days)) if status != "draft" else None
    withdrawn = (
        published + timedelta(days=draw(st.integers(1, 90)))
        if status == "withdrawn" and published
        else None
    )
    return replace(
        BASE,
        path=f"records/zhidu-jianshe/ZD-2026-{100 + n}.yaml",
        id=f"ZD-2026-{100 + n}",
        item=item.slug,
        cadence=item.cadence,
        status=status,
        published=stamp(published) if published else None,
        consulted=stamp(consulted) if consulted else None,
        closes=(consulted + timedelta(days=15)).isoformat() if consulted else None,
        withdrawn=stamp(withdrawn) if withdrawn else None,
    )


@st.composite
def offices(draw: st.DrawFn) -> tuple[list[Summary], list[Meeting], list[Feedback]]:
    summaries = [draw(records(n)) for n in range(draw(st.integers(0, 12)))]
    meetings = []
    for number in range(1, draw(st.integers(0, 4)) + 1):
        when = draw(days)
        held = datetime(when.year, when.month, when.day, 9, tzinfo=CHINA)
        minutes = (
            Minutes(("hanzg",), (), (), "同意", "dumy", stamp(when))
            if draw(st.booleans())
            else None
        )
        meetings.append(
            Meeting(
                when.year,
                number,
                "disclosure",
                "会议",
                held,
                "会议室",
                "hanzg",
                ("hanzg",),
                (),
                "dumy",
                stamp(when),
                minutes,
            )
        )
    opinions = [
        Feedback(f"feedback/{n}.yaml", "ZD-2026-101", draw(days), "意见", "chensh", "")
        for n in range(draw(st.integers(0, 5)))
    ]
    return summaries, meetings, opinions


@settings(max_examples=200, deadline=None)
@given(offices(), st.sampled_from([2025, 2026, 2027]))
def test_the_ledgers_count_what_the_yearly_figures_count(office, year):
    summaries, meetings, opinions = office
    books = {
        book.key: book
        for book in ledger.build(
            year,
            summaries,
            {},
            meetings,
            opinions,
            catalogue=CATALOGUE,
            name_of=str,
            channel_of=str,
            shown=str,
        )
    }
    stated = figures(
        summaries,
        [],
        opinions,
        span=Span.year(year),
        today=date(year, 12, 31),
        calendar=Calendar(Rules()),
        catalogue=CATALOGUE,
    )
    kinds = [row[7] for row in books["disclosures"].rows]
    assert kinds.count("正式公开") == stated.published
    assert kinds.count("征求意见") == stated.pre_disclosures
    withdrawn = {s.id for s in summaries if s.withdrawn_on}
    assert all(bool(row[9]) == (row[2] in withdrawn) for row in books["disclosures"].rows)
    numbered = [row for row in books["meetings"].rows if row[2]]
    assert len(numbered) == sum(1 for m in meetings if m.when.year == year)
    received = sum(1 for f in opinions if f.received.year == year)
    assert len(books["opinions"].rows) == len(books["handling"].rows) == received
    for book in books.values():
        assert [row[0] for row in book.rows] == [str(n) for n in range(1, len(book.rows) + 1)]
        assert all(len(row) == len(book.columns) for row in book.rows)
