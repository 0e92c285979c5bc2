"""The page without a browser (Streamlit's AppTest): it builds, and bad data becomes a message."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from streamlit.testing.v1 import AppTest

from sitmap.page import texts
from sitmap.page.session import MAP_DRAWN_KEY, TAB_KEY
from tests.conftest import REPO


@pytest.fixture(autouse=True)
def private_store(tmp_path, monkeypatch) -> None:
    """Each test saves into its own SQLite file; the app's cached store is dropped."""
    import streamlit as st

    monkeypatch.setenv("SITMAP_DB", str(tmp_path / "sketches.sqlite3"))
    st.cache_resource.clear()


def run_app(
    monkeypatch: pytest.MonkeyPatch, situation: str | None = None, *, tab: str = "Events"
) -> AppTest:
    """The page as a reader who has opened ``tab`` sees it (only the open tab is built)."""
    if situation is not None:
        monkeypatch.setenv("SITMAP_SITUATION", situation)
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.session_state[TAB_KEY] = tab
    at.session_state[MAP_DRAWN_KEY] = True  # as once the browser has drawn the map
    return at.run()


def test_a_first_visit_gets_the_map_alone_then_the_whole_page_around_it(monkeypatch) -> None:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.run()  # a new session: the browser has drawn no map yet
    assert not at.exception
    fragment = list(at.main.children.values())[4]  # under the title, note and summary
    assert [c.type for c in fragment.children.values()] == ["component_instance"], "the map"
    assert not at.slider and not at.tabs
    assert any("The map is drawn first" in c.value for c in at.sidebar.caption)
    assert not at.sidebar.checkbox
    # the map reports its view (st_folium puts a centre in its value once drawn)
    at.session_state["situation_map-0"] = {"center": {"lat": 31.27, "lng": 34.26}, "zoom": 12}
    at.run()
    assert not at.exception
    assert at.slider and at.tabs and at.sidebar.checkbox
    fragment = list(at.main.children.values())[4]
    assert next(iter(fragment.children.values())).type == "component_instance", (
        "the map keeps its place (a map that moved would be drawn again)"
    )


def test_page_builds_with_every_panel(monkeypatch) -> None:
    at = run_app(monkeypatch)
    assert not at.exception
    assert [c.label.replace("\\", "") for c in at.sidebar.checkbox][:2] == [
        "Land and neighbouring states (context)",
        "Boundaries",
    ]
    assert [d.isoformat() for d in at.slider[0].value] == ["2025-10-10", "2025-11-28"]
    assert any("19 events up to 2025-11-28" in c.value for c in at.caption)


def test_the_slider_filters_the_events_panel(monkeypatch) -> None:
    at = run_app(monkeypatch)
    at.slider[0].set_value((dt.date(2025, 10, 10), dt.date(2025, 11, 9))).run()
    assert not at.exception
    assert any("8 events up to 2025-11-09" in c.value for c in at.caption)
    at.slider[0].set_value((dt.date(2025, 11, 6), dt.date(2025, 11, 9))).run()
    assert any("5 events from 2025-11-06 up to 2025-11-09" in c.value for c in at.caption)


def test_a_step_on_the_map_moves_the_tables_and_the_link(monkeypatch) -> None:
    """The map steps by itself and reports the range (``timeline.js``); the page takes
    the newest report, and the reader's own move of the slider wins over an older one."""
    at = run_app(monkeypatch)
    at.session_state["situation_map-0"] = {
        "selected_tags": ["seq=3", "since=2025-10-10", "until=2025-11-09"]
    }
    at.run()
    assert not at.exception
    assert any("8 events up to 2025-11-09" in c.value for c in at.caption)
    assert [d.isoformat() for d in at.slider[0].value] == ["2025-10-10", "2025-11-09"]
    assert at.query_params["to"] == "2025-11-09"
    at.slider[0].set_value((dt.date(2025, 11, 6), dt.date(2025, 11, 8)))
    at.session_state["situation_map-0"] = {  # a step the map made before it heard of that
        "selected_tags": ["seq=4", "since=2025-10-10", "until=2025-11-10"]
    }
    at.run()
    assert [d.isoformat() for d in at.slider[0].value] == ["2025-11-06", "2025-11-08"]
    assert any("3 events from 2025-11-06 up to 2025-11-08" in c.value for c in at.caption)


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
    at = run_app(monkeypatch)  # on the Events tab: a new drawing opens the workbench
    assert not at.exception
    assert any("Your drawing 1" in m.value for m in at.markdown)
    card = at.table[0].value.map(lambda v: v.replace("\\", ""))  # shown as Markdown: escaped
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
    at = run_app(monkeypatch)  # on the Events tab: a new drawing opens the workbench
    assert not at.exception
    assert any("Your drawing 1 cannot be measured" in e.value for e in at.error)
    assert any("leaves the situation extent" in c.value for c in at.code)


@pytest.mark.parametrize("tab", texts.TABS)
def test_a_situation_whose_layers_are_all_empty_shows_every_tab(
    monkeypatch, situation_copy, write_layer, tab: str
) -> None:
    for path in situation_copy.glob("*.geojson"):  # a situation at its very start
        write_layer(path.name, {"type": "FeatureCollection", "features": []})
    at = run_app(monkeypatch, str(situation_copy), tab=tab)
    assert not at.exception, at.exception
    assert not at.error
