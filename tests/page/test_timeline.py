"""The timeline under the map: every day counted, and the ranges the map reports."""

from __future__ import annotations

import datetime as dt

import pytest

from sitmap.page.timeline import ReportedRange, events_per_day, histogram_html, reported_range
from sitmap.situation import load_situation
from tests.conftest import RAFAH


@pytest.fixture(scope="module")
def rafah():
    return load_situation(RAFAH)


def test_every_day_of_the_situation_has_a_count(rafah) -> None:
    counts = events_per_day(rafah)
    manifest = rafah.manifest
    assert counts["day"].iloc[0] == manifest.start and counts["day"].iloc[-1] == manifest.end
    assert len(counts) == (manifest.end - manifest.start).days + 1
    events = rafah.layer("events").frame
    inside = events["time"].dt.date.between(manifest.start, manifest.end)
    assert counts["events"].sum() == int(inside.sum())


def test_the_range_the_map_stepped_to_is_read_from_its_report(rafah) -> None:
    manifest = rafah.manifest
    tags = ["seq=7", "since=2025-11-01", "until=2025-11-10"]
    assert reported_range(tags, manifest) == ReportedRange(
        7, (dt.date(2025, 11, 1), dt.date(2025, 11, 10))
    )
    assert reported_range(list(reversed(tags)), manifest) is not None  # any order


@pytest.mark.parametrize(
    "tags",
    [
        None,
        [],
        "seq=1",
        ["seq=1", "since=2025-11-01"],
        ["seq=x", "since=2025-11-01", "until=2025-11-10"],
        ["seq=0", "since=2025-11-01", "until=2025-11-10"],
        ["seq=1", "since=2025-11-10", "until=2025-11-01"],
        ["seq=1", "since=2020-01-01", "until=2025-11-01"],
        ["seq=1", "since=2025-11-01", "until=2099-01-01"],
        ["seq=1", "since=1 Nov", "until=2025-11-10"],
        ["seq=1", "from=2025-11-01", "until=2025-11-10"],
        ["seq=1", "since=2025-11-01", "until=2025-11-10", "x=1"],
    ],
)
def test_a_report_the_map_does_not_make_is_ignored(rafah, tags) -> None:
    assert reported_range(tags, rafah.manifest) is None


def test_the_histogram_darkens_the_chosen_days_and_names_the_busiest(rafah) -> None:
    counts = events_per_day(rafah)
    html = histogram_html(counts, since=dt.date(2025, 11, 1), until=dt.date(2025, 11, 10))
    assert html.count("<div title=") == len(counts)  # one bar per day, empty days too
    busiest = counts.loc[counts["events"].idxmax()]
    assert f"most on {busiest['day']:%d %b %Y}: {busiest['events']}" in html
    assert "chosen 01 Nov to 10 Nov 2025" in html
    assert 'title="Wed 05 Nov' in html and "<script" not in html
    assert html.count("background:#1f5fbf") == 10  # the ten chosen days are dark
    assert ">03 Nov</span>" in html  # Mondays are dated under the bars
