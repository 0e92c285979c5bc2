"""The timeline under the map: every day counted, and the play control's steps."""

from __future__ import annotations

import datetime as dt

import pytest

from sitmap.page.timeline import events_per_day, histogram_html, next_step
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


def test_play_steps_a_day_and_loops_at_the_end(rafah) -> None:
    manifest = rafah.manifest
    start = manifest.start
    assert next_step((start, dt.date(2025, 11, 9)), manifest) == (start, dt.date(2025, 11, 10))
    assert next_step((start, manifest.end), manifest) == (start, start)


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
