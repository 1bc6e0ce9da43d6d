"""rules/site.py on hand-made summaries: what a web site shows, no git, no disk."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dangwu.model.office import Rules
from dangwu.model.record import Summary
from dangwu.rules import board, site

BASE = Summary(
    path="records/zhidu-jianshe/ZD-2026-101.yaml",
    blob="b1",
    id="ZD-2026-101",
    category="zhidu-jianshe",
    item="integrity-rules",
    title="机关廉洁自律若干规定",
    scope="public",
    cadence="standing",
    status="published",
    channels=("public-board", "website"),
    content="c1",
    published="2026-10-03T10:00:00+08:00",
    published_channels=("public-board", "website"),
)
ON = date(2026, 10, 20)


def summary(**changes: object) -> Summary:
    return replace(BASE, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "channel", "state"),
    [
        ({}, "website", "published"),
        ({}, "city-portal", None),
        ({"published_channels": ("public-board",)}, "website", None),  # went out elsewhere
        ({"status": "withdrawn", "withdrawn": "2026-10-10"}, "website", "withdrawn"),
        ({"status": "draft", "published": None, "published_channels": ()}, "website", None),
        (
            {
                "status": "submitted",
                "published": None,
                "published_channels": (),
                "consulted": "2026-10-01",
                "consulted_channels": ("website",),
            },
            "website",
            "consulting",
        ),
        (
            {
                "status": "withdrawn",
                "published": None,
                "published_channels": (),
                "consulted": "2026-10-01",
                "consulted_channels": ("website",),
            },
            "website",
            "withdrawn",
        ),
    ],
)
def test_how_a_record_stands_on_a_web_channel(changes, channel, state):
    assert site.on_channel(summary(**changes), channel)[0] == state


def test_the_public_site_never_holds_an_internal_record_whatever_its_channels():
    internal = summary(id="ZZ-2026-101", scope="internal", path="records/zz/ZZ-2026-101.yaml")
    chosen = site.select([BASE, internal], scope="public", on=ON)
    assert set(chosen.shown) == {"ZD-2026-101"}
    intranet = site.select([summary(published_channels=("intranet",))], scope="internal", on=ON)
    assert set(intranet.shown) == {"ZD-2026-101"}


def test_a_record_published_after_the_day_is_not_there_yet():
    later = summary(published="2026-11-01T10:00:00+08:00")
    assert site.select([later], scope="public", on=ON).shown == {}


def test_a_replaced_record_names_the_records_that_follow_it():
    newer = summary(
        id="ZD-2026-102", path="records/x/ZD-2026-102.yaml", follows="ZD-2026-101",
        published="2026-10-15T10:00:00+08:00",
    )  # fmt: skip
    chosen = site.select([BASE, newer], scope="public", on=ON)
    assert chosen.shown["ZD-2026-101"].followed_by == ("ZD-2026-102",)
    assert [s.id for s in chosen.latest()] == ["ZD-2026-102", "ZD-2026-101"]


def test_open_consultations_close_soonest_first_and_closed_ones_leave_the_list():
    def consulting(rid: str, closes: str) -> Summary:
        return summary(
            id=rid, path=f"records/x/{rid}.yaml", status="submitted", published=None,
            published_channels=(), consulted="2026-10-01", closes=closes,
            consulted_channels=("website",),
        )  # fmt: skip

    chosen = site.select(
        [
            consulting("A-1", "2026-10-30"),
            consulting("B-1", "2026-10-25"),
            consulting("C-1", "2026-10-19"),
        ],
        scope="public",
        on=ON,
    )
    assert [s.id for s in chosen.consulting()] == ["B-1", "A-1"]


def test_which_commit_could_have_been_printed_from_on_which_day():
    d = date
    line = [("a", d(2026, 10, 1)), ("b", d(2026, 10, 1)), ("c", d(2026, 10, 3))]
    assert site.heads_by_day(line, d(2026, 10, 1), d(2026, 10, 4)) == [
        ("a", d(2026, 10, 1)),
        ("b", d(2026, 10, 1)),
        ("b", d(2026, 10, 2)),
        ("b", d(2026, 10, 3)),
        ("c", d(2026, 10, 3)),
        ("c", d(2026, 10, 4)),
    ]
    # the window cuts the line: a commit made before the first day was the last at dawn
    assert site.heads_by_day(line, d(2026, 10, 2), d(2026, 10, 2)) == [("b", d(2026, 10, 2))]


def test_a_commit_became_the_offices_when_the_server_had_it_and_never_before_its_parent():
    d = date
    claimed = [d(2026, 10, 1), d(2026, 10, 6), d(2026, 10, 7), d(2026, 10, 25)]
    # the second dated 10-06 by the clerk's clock, received 10-20; the third, pushed with
    # it, received then too; the last has no receipt (not pushed yet): its own date
    received = [d(2026, 10, 1), d(2026, 10, 20), None, None]
    assert site.days_made(claimed, received) == [
        d(2026, 10, 1),
        d(2026, 10, 20),
        d(2026, 10, 20),
        d(2026, 10, 25),
    ]
    # a receipt earlier than the date a commit claims changes nothing
    assert site.days_made([d(2026, 10, 6)], [d(2026, 10, 2)]) == [d(2026, 10, 6)]
    assert site.days_made([], []) == []


@pytest.mark.parametrize(
    ("changes", "shows"),
    [
        ({}, True),
        ({"scope": "internal"}, False),
        ({"status": "draft", "published": None}, False),
        ({"status": "submitted", "published": None, "consulted": "2026-10-01"}, True),
    ],
)
def test_which_changes_can_alter_a_public_sheet(changes, shows):
    assert site.shows_publicly(summary(**changes)) is shows
    assert site.shows_publicly(None) is False


def test_what_came_out_in_each_quarter_newest_first():
    from dangwu.rules.schedule import Quarter

    older = summary(id="ZD-2026-090", path="records/x/ZD-2026-090.yaml", published="2026-08-01")
    open_ = summary(
        id="ZD-2026-103", path="records/x/ZD-2026-103.yaml", status="submitted", published=None,
        published_channels=(), consulted="2026-10-05", consulted_channels=("website",),
    )  # fmt: skip
    grouped = site.by_quarter(site.select([BASE, older, open_], scope="public", on=ON))
    assert list(grouped) == [Quarter(2026, 4), Quarter(2026, 3)]  # a consultation is not
    assert [s.id for s in grouped[Quarter(2026, 4)]] == ["ZD-2026-101"]


# --- the verify walk keeps only what the board could show -------------------------------

_DAYS = st.dates(date(2026, 1, 1), date(2026, 6, 30))


@st.composite
def _records(draw: st.DrawFn) -> list[Summary]:
    """A small office's records: a few slots, corrections, windows, every status."""
    out = []
    for n in range(draw(st.integers(0, 6))):
        published = draw(st.none() | _DAYS)
        consulted = draw(st.none() | _DAYS)
        out.append(
            summary(
                id=f"ZD-2026-{101 + n}",
                path=f"records/zd/ZD-2026-{101 + n}.yaml",
                item=draw(st.sampled_from(["a", "b"])),
                scope=draw(st.sampled_from(["public", "internal"])),
                cadence=draw(st.sampled_from(["standing", "quarterly", "timely", "follow-up"])),
                status=draw(
                    st.sampled_from(["published"] * 3 + ["withdrawn", "draft", "submitted"])
                ),
                period=draw(st.sampled_from([None, "2026Q1", "2026Q2"])),
                follows=draw(
                    st.none() | st.sampled_from([f"ZD-2026-{101 + k}" for k in range(n + 1)])
                ),
                published=f"{published}T10:00:00+08:00" if published else None,
                consulted=consulted.isoformat() if consulted else None,
                closes=draw(st.none() | _DAYS.map(date.isoformat)),
                channels=draw(st.sampled_from([("public-board",), ("website",)])),
                published_channels=draw(st.sampled_from([(), ("public-board",), ("website",)])),
            )
        )
    return out


@settings(max_examples=600, deadline=None)
@given(
    records=_records(),
    since=_DAYS,
    later=st.integers(0, 120),
    scope=st.sampled_from(["public", "internal"]),
)
def test_the_board_of_any_day_from_since_needs_only_what_may_be_posted(
    records: list[Summary], since: date, later: int, scope: str
):
    """The verify walk lays out hundreds of boards over a long history and hands
    each only the records ``may_be_posted`` keeps, and of an item's standing records
    only those ``still_up`` keeps: every such board, whatever the order its records
    come in, must be the one made of every record."""
    rules = Rules()
    on = since + timedelta(days=later)
    kept = [s for s in records if board.may_be_posted(s, scope=scope, since=since, rules=rules)]
    fewest = board.posted(records, scope=scope, since=since, rules=rules)
    every = board.select(records, scope=scope, on=on, rules=rules)
    for few in (kept, fewest, list(reversed(fewest))):
        chosen = board.select(few, scope=scope, on=on, rules=rules)
        assert sorted((e.summary.id, e.consulting) for e in every) == sorted(
            (e.summary.id, e.consulting) for e in chosen
        )


def test_an_old_timely_record_is_not_kept_but_an_old_standing_one_is():
    rules = Rules()
    old = summary(cadence="timely", published="2025-01-03T10:00:00+08:00")
    assert not board.may_be_posted(old, scope="public", since=ON, rules=rules)
    assert board.may_be_posted(
        replace(old, cadence="standing"), scope="public", since=ON, rules=rules
    )
    internal_fix = replace(old, scope="internal", follows="ZD-2026-100")
    assert board.may_be_posted(internal_fix, scope="public", since=ON, rules=rules)


def test_of_an_items_standing_records_the_older_than_one_surely_up_are_left_out():
    def standing(n: int, day: str, **changes: object) -> Summary:
        return summary(
            id=f"ZD-2026-{n}", cadence="standing", published=f"{day}T10:00:00+08:00", **changes
        )

    older, solid, newer = (
        standing(101, "2026-01-05"),
        standing(102, "2026-02-05"),
        standing(103, "2026-11-05"),
    )
    up = board.still_up([older, newer, solid], scope="public", since=ON, corrected=set())
    assert [s.id for s in up] == ["ZD-2026-103", "ZD-2026-102"]
    # a record correcting the middle one (even a draft) may take it off: the older stays
    up = board.still_up([older, newer, solid], scope="public", since=ON, corrected={"ZD-2026-102"})
    assert [s.id for s in up] == ["ZD-2026-103", "ZD-2026-102", "ZD-2026-101"]
    elsewhere = replace(solid, published_channels=("website",))
    up = board.still_up([older, elsewhere], scope="public", since=ON, corrected=set())
    assert [s.id for s in up] == ["ZD-2026-102", "ZD-2026-101"]


# the verify page stamps some 70,000 codes and asks a quarter of every record: both are
# computed faster than they are defined, and must say the same


@given(st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", max_size=40))
def test_the_copying_check_is_iso_7064_mod_37_36(text: str) -> None:
    values = {c: v for v, c in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")}
    product = 36
    for char in text:
        product = ((product + values[char]) % 36 or 36) * 2 % 37
    assert board.copy_check(text) == "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[(37 - product) % 36]


def test_a_quarter_holds_the_days_from_its_first_to_its_last() -> None:
    from dangwu.rules.schedule import Quarter

    day = date(2023, 12, 25)
    while day < date(2029, 1, 8):
        for quarter in (Quarter.of(day), Quarter.of(day).next, Quarter.of(day).previous):
            assert (day in quarter) == (quarter.start <= day <= quarter.end)
        day += timedelta(days=1)
    assert "2026-10-01" not in Quarter(2026, 4) and None not in Quarter(2026, 4)
