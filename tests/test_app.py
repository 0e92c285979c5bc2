"""The page without a browser (Streamlit's AppTest): it builds, and bad data becomes a message."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO


@pytest.fixture(autouse=True)
def private_store(tmp_path, monkeypatch) -> None:
    """Each test saves into its own SQLite file; the app's cached store is dropped."""
    import streamlit as st

    monkeypatch.setenv("SITMAP_DB", str(tmp_path / "sketches.sqlite3"))
    st.cache_resource.clear()


def run_app(monkeypatch: pytest.MonkeyPatch, situation: str | None = None) -> AppTest:
    if situation is not None:
        monkeypatch.setenv("SITMAP_SITUATION", situation)
    return AppTest.from_file(str(REPO / "app.py"), default_timeout=60).run()


def test_page_builds_with_every_panel(monkeypatch) -> None:
    at = run_app(monkeypatch)
    assert not at.exception
    assert [c.label.replace("\\", "") for c in at.sidebar.checkbox][:2] == [
        "Land and neighbouring states (context)",
        "Boundaries",
    ]
    assert at.sidebar.slider[0].value.isoformat() == "2025-11-28"
    assert any("16 events up to 2025-11-28" in c.value for c in at.caption)


def test_the_slider_filters_the_events_panel(monkeypatch) -> None:
    at = run_app(monkeypatch)
    at.sidebar.slider[0].set_value(dt.date(2025, 11, 9)).run()
    assert not at.exception
    assert any("6 events up to 2025-11-09" in c.value for c in at.caption)


def test_broken_situation_is_a_message_not_a_traceback(monkeypatch, situation_copy) -> None:
    (situation_copy / "places.geojson").write_text('{"type": "FeatureCollection", "features": [')
    doc = json.loads((situation_copy / "events.geojson").read_text())
    doc["features"][0]["properties"]["time_precision"] = "hour"
    (situation_copy / "events.geojson").write_text(json.dumps(doc))
    at = run_app(monkeypatch, str(situation_copy))
    assert not at.exception
    assert "cannot be shown" in at.error[0].value
    shown = at.code[0].value
    assert "places.geojson: -: not valid JSON" in shown
    assert "events.geojson: ev_2025-10-10_ceasefire: property 'time_precision'" in shown


def fake_map(drawings):
    """st_folium stand-in: returns the given drawings, as the component would."""

    def st_folium(*args, **kwargs):
        return {"all_drawings": drawings}

    return st_folium


def test_a_drawing_is_measured_at_once(monkeypatch) -> None:
    import streamlit_folium

    line = {
        "type": "Feature",
        "properties": {},
        "geometry": {"type": "LineString", "coordinates": [[34.28, 31.27], [34.26, 31.30]]},
    }
    monkeypatch.setattr(streamlit_folium, "st_folium", fake_map([line]))
    at = run_app(monkeypatch)
    assert not at.exception
    assert any("Your drawing 1" in m.value for m in at.markdown)
    card = at.table[0].value
    assert card.loc["Length", "Value"].endswith(" km")
    assert "min at 4 km/h" in card.loc["On foot", "Value"]


def test_a_drawing_outside_the_situation_is_explained(monkeypatch) -> None:
    import streamlit_folium

    line = {
        "type": "Feature",
        "properties": {},
        "geometry": {"type": "LineString", "coordinates": [[34.28, 31.27], [35.5, 31.9]]},
    }
    monkeypatch.setattr(streamlit_folium, "st_folium", fake_map([line]))
    at = run_app(monkeypatch)
    assert not at.exception
    assert any("Your drawing 1 cannot be measured" in e.value for e in at.error)
    assert "leaves the situation extent" in at.code[0].value
