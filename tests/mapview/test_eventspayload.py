"""The events payload: located events as compact columns, deflated, inert, read back."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from sitmap.mapview import (
    decode_events_payload,
    events_payload,
    full_map,
)
from sitmap.situation import load_situation
from tests.mapview.conftest import view


def test_events_payload_has_only_located_events(rafah) -> None:
    payload = decode_events_payload(events_payload(rafah))
    events = rafah.layer("events").frame
    located = events[events.geometry.notna()]
    assert len(payload["lon"]) == len(located) > 0
    assert all(34.1 < x < 34.6 for x in payload["lon"])  # [lon, lat], not swapped
    assert all(31.1 < y < 31.7 for y in payload["lat"])
    expected = sorted(int(t.timestamp() * 1000) for t in located["time"])
    assert sorted(payload["t"]) == expected  # epoch milliseconds, UTC
    assert dt.datetime.fromtimestamp(expected[0] / 1000, dt.UTC).year == 2025


def test_events_payload_reads_back_as_the_events(rafah) -> None:
    payload = decode_events_payload(events_payload(rafah))
    events = rafah.layer("events").frame
    located = events[events.geometry.notna()].reset_index(drop=True)
    assert payload["title"] == list(located["title"])
    assert payload["kind"] == [k.replace("_", " ") for k in located["kind"]]  # as shown
    assert payload["acc"] == [str(int(a)) for a in located["accuracy_m"]]
    assert payload["when"] == [
        f"{t.date().isoformat()} (to the {p})"
        for t, p in zip(located["time"], located["time_precision"], strict=True)
    ]
    texts = [[payload["sources"][i] for i in ids] for ids in payload["src"]]
    assert [len(t) for t in texts] == [len(s) for s in located["source"]]
    assert payload["lon"] == pytest.approx(list(located.geometry.x), abs=1e-6)


def test_columns_take_their_shortest_layout() -> None:
    import pandas as pd

    from sitmap.mapview.eventspayload import _encode

    assert _encode(pd.Series(["same"] * 50)) == {"v": ["same"]}
    coded = _encode(pd.Series(["a long repeated kind", "another long kind"] * 25))
    assert coded["v"] == ["a long repeated kind", "another long kind"]
    assert list(coded["i"]) == [0, 1] * 25
    assert list(_encode(pd.Series([f"title {i}" for i in range(50)]))["a"]) == [
        f"title {i}" for i in range(50)
    ]


def test_events_travel_deflated_and_inert(situation_copy) -> None:
    import base64
    import zlib

    path = situation_copy / "events.geojson"
    doc = json.loads(path.read_text())
    located = next(f for f in doc["features"] if f["geometry"])
    located["properties"]["name"] = "{{ 7*7 }} {% if 1 %}x{% endif %} </script><!--"
    path.write_text(json.dumps(doc))
    situation = load_situation(situation_copy)
    html = full_map(situation, view(situation)).get_root().render()
    blob = re.search(r'new SitmapPoints\(\s*"([A-Za-z0-9+/=]*)"', html)
    assert blob is not None, "the events payload is not in the page as base64"
    text = zlib.decompress(base64.b64decode(blob.group(1))).decode("utf-8")
    assert text == events_payload(situation)
    assert "{{" not in text and "{%" not in text and "<" not in text
    titles = decode_events_payload(text)["title"]
    assert "{{ 7*7 }} {% if 1 %}x{% endif %} </script><!--" in titles  # shown as typed
    assert "49" not in " ".join(titles)
