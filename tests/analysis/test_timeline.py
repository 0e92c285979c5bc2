"""Time: events and features as of a day, claims grouped by question."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sitmap.analysis.timeline import (
    claim_groups,
    claims_until,
    day_cutoff_ms,
    event_rows,
    shown_spans_ms,
    valid_at,
)
from sitmap.situation import load_situation
from tests.conftest import RAFAH


@pytest.fixture(scope="module")
def rafah():
    return load_situation(RAFAH)


def test_event_rows_include_the_whole_day_and_sort(rafah) -> None:
    events = rafah.layer("events").frame
    rows, total = event_rows(events, dt.date(2025, 11, 9))
    assert total == len(rows) == 8  # with 5 Nov (Army Radio) and 6 Nov (Witkoff)
    assert rows["time"].is_monotonic_increasing
    assert [t.strftime("%d %H:%M") for t in rows["time"]][-2:] == ["09 00:00", "09 13:00"]


def test_event_rows_list_the_latest_and_count_all(rafah) -> None:
    events = rafah.layer("events").frame
    rows, total = event_rows(events, dt.date(2025, 11, 28), limit=3)
    assert total == 19  # with 5 Nov, 6 Nov and 20 Nov (issue 12)
    assert len(rows) == 3
    assert rows["time"].is_monotonic_increasing
    assert rows["title"].iloc[-1].startswith("Israeli army says 30")


def test_valid_at_respects_valid_from(rafah) -> None:
    control = rafah.layer("control").frame
    line = control["id"] == "yellow_line_2025-10-19"  # the line as drawn on the map of 19 Oct
    assert not valid_at(control, dt.date(2025, 10, 18))[line].all()
    assert valid_at(control, dt.date(2025, 10, 19))[line].all()


def test_claims_until_counts_the_hidden_ones() -> None:
    claims = [{"date": dt.date(2025, 11, 7)}, {"date": dt.date(2025, 11, 28)}]
    assert claims_until(claims, dt.date(2025, 11, 10)) == ([claims[0]], 1)
    assert claims_until(None, dt.date(2025, 11, 10)) == ([], 0)


def test_claim_groups_put_rival_claims_side_by_side(rafah) -> None:
    groups = {g.about: g for g in claim_groups(rafah, dt.date(2025, 11, 28))}
    who = groups["Who is in the tunnels"]
    parties = {row.by for row in who.rows}
    assert "Israeli defence sources" in parties
    assert "A senior Turkish official (to Reuters)" in parties
    says = [row.says for row in who.rows]
    assert len(says) == len(set(zip(says, [r.by for r in who.rows], strict=True)))  # no duplicates
    early = {g.about for g in claim_groups(rafah, dt.date(2025, 11, 8))}
    assert "Who is in the tunnels" not in early  # claims made on 9-10 Nov
    assert "How many are in the tunnels" in early  # 7 Nov (Okaz)


def test_the_situation_as_of_a_day_leaves_out_later_features_and_versions() -> None:
    import datetime as dt

    from sitmap.analysis.timeline import situation_at
    from sitmap.situation import load_situation
    from tests.conftest import RAFAH

    rafah = load_situation(RAFAH)
    then = situation_at(rafah, dt.date(2025, 10, 10))
    now = situation_at(rafah, dt.date(2025, 11, 28))
    control_then = set(then.layer("control").frame["id"])
    assert "tunnel_enclave_jenina" not in control_then  # reported 5 Nov
    assert "army_held_area_2025-10-19" not in control_then  # mapped from 19 Oct
    assert "tunnel_enclave_jenina" in set(now.layer("control").frame["id"])
    for day in (then, now, situation_at(rafah)):  # rival versions are never the situation
        assert len(day.layer("versions_wikipedia").frame) == 0
        assert "najjar_hospital" in set(day.layer("places").frame["id"])
    assert then.key != now.key != rafah.key  # what is derived from each is cached apart
    assert situation_at(rafah, dt.date(2025, 10, 10)) is then


DAYS = st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2026, 12, 31))


@given(
    st.lists(st.tuples(st.none() | DAYS, st.none() | DAYS, st.none() | DAYS), min_size=1),
    DAYS,
)
def test_a_span_holds_a_day_exactly_when_the_feature_is_valid_that_day(rows, day) -> None:
    """The map's script tests from <= cutoff < until; Python tests valid_at: one answer."""
    frame = gpd.GeoDataFrame(
        {
            "valid_from": [r[0] for r in rows],
            "as_of": [r[1] for r in rows],
            "valid_to": [r[2] for r in rows],
        },
        geometry=[None] * len(rows),
    )
    cutoff = day_cutoff_ms(day)
    shown = [
        (start is None or start <= cutoff) and (end is None or cutoff < end)
        for start, end in shown_spans_ms(frame)
    ]
    assert shown == list(valid_at(frame, day))
