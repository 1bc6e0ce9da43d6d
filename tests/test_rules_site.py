"""rules/site.py on hand-made summaries: what a web site shows, no git, no disk."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from dangwu.model.record import Summary
from dangwu.rules import site

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
