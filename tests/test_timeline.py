"""Time: events and features as of a day, claims grouped by question."""

from __future__ import annotations

import datetime as dt

import pytest

from sitmap.situation import load_situation
from sitmap.timeline import claim_groups, claims_until, event_rows, events_until, valid_at
from tests.conftest import RAFAH


@pytest.fixture(scope="module")
def rafah():
    return load_situation(RAFAH)


def test_events_until_includes_the_whole_day_and_sorts(rafah) -> None:
    events = rafah.layer("events").frame
    kept = events_until(events, dt.date(2025, 11, 9))
    assert list(kept["id"])[-2:] == ["ev_2025-11-09_turkey", "ev_2025-11-09_goldin"]  # 00:00, 13:00
    assert len(kept) == 6
    times = list(kept["time"])
    assert times == sorted(times)


def test_event_rows_list_the_latest_and_count_all(rafah) -> None:
    events = rafah.layer("events").frame
    rows, total = event_rows(events, dt.date(2025, 11, 28), limit=3)
    assert total == 16
    assert len(rows) == 3
    assert rows["time"].is_monotonic_increasing
    assert rows["title"].iloc[-1].startswith("Israeli army says 30")


def test_valid_at_respects_valid_from(rafah) -> None:
    control = rafah.layer("control").frame
    assert not valid_at(control, dt.date(2025, 10, 9))[
        control["id"] == "yellow_line_2025-10-19"
    ].all()
    assert valid_at(control, dt.date(2025, 10, 10))[control["id"] == "yellow_line_2025-10-19"].all()


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
