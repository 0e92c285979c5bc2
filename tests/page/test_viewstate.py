"""The view a URL asks for: unknown layers ignored, dates clamped, the view written back."""

from __future__ import annotations

import datetime as dt

import pytest

from sitmap.mapview import ViewState, default_layers
from sitmap.page.viewstate import (
    first_view,
    layer_choices,
    query_date,
    query_layers,
    query_view,
    view_query,
)
from sitmap.situation import load_situation
from tests.conftest import RAFAH


@pytest.fixture(scope="module")
def rafah():
    return load_situation(RAFAH)


def test_unknown_layers_are_ignored_and_none_means_defaults() -> None:
    known = ["a", "b"]
    assert query_layers({"layers": "b,<script>,a"}, known, frozenset()) == {"a", "b"}
    assert query_layers({}, known, frozenset({"a"})) == {"a"}
    assert query_layers({"layers": ""}, known, frozenset({"a"})) == frozenset()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2025-11-09", dt.date(2025, 11, 9)),
        ("1999-01-01", dt.date(2025, 10, 10)),  # clamped to the start
        ("2031-01-01", dt.date(2025, 11, 30)),  # clamped to the end
        ("not a date", dt.date(2025, 11, 28)),  # the situation's as_of
    ],
)
def test_dates_are_clamped_into_the_situation(rafah, raw: str, expected: dt.date) -> None:
    assert query_date({"as_of": raw}, rafah.manifest) == expected


def test_a_view_round_trips_through_its_query(rafah) -> None:
    view = ViewState(layers=frozenset({"places", "control"}), as_of=dt.date(2025, 11, 9))
    query = view_query(view)
    assert query == {"layers": "control,places", "to": "2025-11-09"}
    known = list(rafah.layers)
    assert query_layers(query, known, frozenset()) == view.layers
    assert query_date(query, rafah.manifest) == view.as_of


def test_a_full_view_round_trips_and_bad_values_fall_back(rafah) -> None:
    view = ViewState(
        layers=frozenset({"places"}),
        as_of=dt.date(2025, 11, 12),
        since=dt.date(2025, 11, 1),
        tiles="osm",
        language="ar",
        centre=(31.28, 34.25),
        zoom=12,
        selected="rafah_crossing",
    )
    assert query_view(view_query(view), rafah.manifest, view.layers) == view
    assert query_view({"as_of": "2025-11-09"}, rafah.manifest, frozenset()).as_of == dt.date(
        2025, 11, 9
    )  # older links
    junk = {
        "lat": "nan",
        "lon": "999",
        "zoom": "x",
        "lang": "fr",
        "tiles": "evil",
        "sel": "a" * 999,
    }
    plain = query_view(junk, rafah.manifest, frozenset())
    assert (plain.centre, plain.zoom, plain.language, plain.tiles, plain.selected) == (
        None,
        None,
        "en",
        "none",
        None,
    )
    late = query_view({"from": "2025-11-20", "to": "2025-11-10"}, rafah.manifest, frozenset())
    assert late.since == late.as_of == dt.date(2025, 11, 10)  # the range never runs backwards


def test_the_url_decides_only_the_first_run(rafah) -> None:
    first = layer_choices(rafah, (), {"layers": "places"}, first_run=True)
    assert {c.id for c in first if c.shown} == {"places"}
    later = layer_choices(rafah, (), {"layers": "places"}, first_run=False)
    assert all(c.shown for c in later)
    plain = layer_choices(rafah, (), {}, first_run=True)
    assert {c.id for c in plain if c.shown} == default_layers(rafah)


def test_the_first_view_is_what_the_sidebar_will_show(rafah) -> None:
    query = {"layers": "control,events,nosuch", "to": "2025-11-12", "lang": "ar", "sel": "jenina"}
    first = first_view(rafah, [], query)
    chosen = layer_choices(rafah, [], query, first_run=True)
    assert first == query_view(query, rafah.manifest, frozenset(c.id for c in chosen if c.shown))
    assert first.layers == {"control", "events"}
    assert (first.as_of, first.language, first.selected) == (dt.date(2025, 11, 12), "ar", "jenina")
    assert first_view(rafah, [], {}).layers == default_layers(rafah)


def test_a_link_selects_only_an_id(rafah) -> None:
    for bad in ("{{ 7*7 }}", "<img src=x>", "a b", "x" * 300):
        assert query_view({"sel": bad}, rafah.manifest, frozenset()).selected is None
    assert (
        query_view({"sel": "upload:ab-12"}, rafah.manifest, frozenset()).selected == "upload:ab-12"
    )
