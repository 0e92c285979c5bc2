"""The Rafah map in a browser, offline: layers, toggles, popups, escaping, the time slider."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from sitmap.analysis.timeline import valid_at
from sitmap.mapview import popup_html
from sitmap.situation import load_situation
from tests.conftest import RAFAH

from .conftest import PageLog, Screenshot, StartApp, StMap

HOSTILE = "<img src=x onerror=alert(1)>"
AS_OF = dt.date(2025, 11, 28)


def expected_paths() -> dict[str, int]:
    """Drawn SVG paths per default map layer (one per located, valid feature)."""
    situation = load_situation(RAFAH)
    counts = {}
    for layer_id, layer in situation.layers.items():
        if layer.spec.kind.value == "events" or not layer.spec.visible:
            continue
        frame = layer.frame[valid_at(layer.frame, AS_OF)]
        counts[layer_id] = int(frame.geometry.notna().sum())
    return counts


def located_events() -> int:
    """Located events on the map of AS_OF (the first view's day)."""
    events = load_situation(RAFAH).layer("events").frame
    return int((events.geometry.notna() & (events["time"].dt.date <= AS_OF)).sum())


@pytest.fixture
def rafah_page(start_app: StartApp, page: Page) -> Page:
    page.goto(start_app().url)
    return page


def test_every_default_layer_is_drawn_offline(
    rafah_page: Page, st_map: StMap, page_log: PageLog, screenshot: Screenshot
) -> None:
    frame = st_map.wait(min_layers=10)
    for layer_id, count in expected_paths().items():
        expect(frame.locator(f"path.sitmap-layer-{layer_id}")).to_have_count(count)
    st_map.frame_handle().wait_for_function(
        f"() => window.sitmapEvents && window.sitmapEvents.keptCount() === {located_events()}"
    )
    expect(frame.locator(".leaflet-draw-draw-polyline")).to_be_visible()
    expect(frame.locator(".leaflet-control-zoom-fullscreen")).to_be_visible()
    expect(frame.locator(".leaflet-control-scale-line").first).to_contain_text("m")
    expect(frame.locator(".sitmap-legend")).to_contain_text("Yellow line")
    expect(frame.locator(".sitmap-disclaimer")).to_contain_text("implies no endorsement")
    rafah_page.get_by_role("tab", name="Events").click()
    events = load_situation(RAFAH).layer("events").frame
    total = int((events["time"].dt.date <= AS_OF).sum())
    expect(rafah_page.get_by_text(f"{total} events up to 2025-11-28")).to_be_visible()
    screenshot("rafah-map")
    page_log.assert_clean()


def test_unchecking_a_layer_removes_its_features(
    rafah_page: Page, st_map: StMap, page_log: PageLog
) -> None:
    frame = st_map.wait(min_layers=10)
    control = frame.locator("path.sitmap-layer-control")
    expect(control).to_have_count(expected_paths()["control"])
    rafah_page.get_by_text("Control: army-held area", exact=False).click()
    expect(control).to_have_count(0)
    expect(frame.locator("path.sitmap-layer-places")).to_have_count(expected_paths()["places"])
    # the link follows (its query is written in the same rerun, maybe after the map)
    expect(rafah_page).to_have_url(re.compile(r"[?&]layers=(?![^&]*control)"))
    rafah_page.get_by_text("Control: army-held area", exact=False).click()
    expect(control).to_have_count(expected_paths()["control"])
    page_log.assert_clean()


def test_a_popup_shows_its_sources_and_claims(
    rafah_page: Page, st_map: StMap, page_log: PageLog, screenshot: Screenshot
) -> None:
    frame = st_map.wait(min_layers=10)
    popup = frame.locator(".leaflet-popup-content")
    crossing = frame.locator(".leaflet-popup-content", has_text="Rafah crossing")
    st_map.until_shown(
        lambda: frame.locator("path.sitmap-fid-rafah_crossing").click(force=True), crossing
    )
    expect(popup).to_contain_text("Rafah crossing")
    expect(popup).to_contain_text("Wikipedia (en)")
    expect(popup).to_contain_text("\u00b1200 m")
    frame.locator(".leaflet-popup-close-button").click()
    expect(popup).to_have_count(0)
    st_map.frame_handle().wait_for_function(
        "() => window.sitmapEvents && window.sitmapEvents.drawnCount() > 0"
    )  # events drawn (they arrive deflated, after the areas)
    frame.locator("path.sitmap-fid-najjar_hospital").click(force=True)
    # the hospital's estimated point lies under events: the list there names it first
    frame.locator(".sitmap-eventlist button", has_text="al-Najjar").click()
    popup = frame.locator(".leaflet-popup-content .sitmap-popup:not(.sitmap-eventlist)")
    expect(popup).to_contain_text("al-Najjar")
    expect(popup).to_contain_text("Claims (attributed, not facts)")
    expect(popup).to_contain_text("Institute for Palestine Studies")
    screenshot("rafah-popup")
    page_log.assert_clean()


def test_moving_the_slider_hides_later_events(
    rafah_page: Page, st_map: StMap, page_log: PageLog
) -> None:
    st_map.wait(min_layers=10)
    handle = st_map.frame_handle()
    handle.wait_for_function(f"() => window.sitmapEvents.keptCount() === {located_events()}")
    slider = rafah_page.get_by_role("slider").last  # the range's end: the map's day
    slider.focus()
    slider.press("Home")  # 2025-10-10: the ceasefire, which has no place on the map
    rafah_page.get_by_role("tab", name="Events").click()
    expect(rafah_page.get_by_text("1 events up to 2025-10-10")).to_be_visible()
    handle.wait_for_function("() => window.sitmapEvents.keptCount() === 0")
    assert "to=2025-10-10" in rafah_page.url
    page_log.assert_clean()


@pytest.fixture(scope="module")
def hostile_situation(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Rafah situation plus a place and an event whose texts are HTML."""
    target = tmp_path_factory.mktemp("hostile") / "rafah-2025-11"
    shutil.copytree(RAFAH, target)
    places = json.loads((target / "places.geojson").read_text())
    places["features"].append(
        {
            "type": "Feature",
            "properties": {
                "id": "hostile_place",
                "name": HOSTILE,
                "name_ar": "<script>alert(3)</script>",
                "kind": "landmark",
                "source": ["wikipedia_rafah"],
                "as_of": "2025-11-10",
                "accuracy_m": 100,
                "approximate": False,
                "description": "<b onmouseover=alert(2)>bold?</b>",
            },
            "geometry": {"type": "Point", "coordinates": [34.235, 31.305]},  # alone
        }
    )
    (target / "places.geojson").write_text(json.dumps(places))
    return target


def test_html_in_data_shows_as_text_and_runs_nothing(
    start_app: StartApp,
    page: Page,
    st_map: StMap,
    page_log: PageLog,
    screenshot: Screenshot,
    hostile_situation: Path,
) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(start_app(env={"SITMAP_SITUATION": str(hostile_situation)}).url)
    frame = st_map.wait(min_layers=10)
    marker = frame.locator("path.sitmap-fid-hostile_place")
    tooltip = frame.locator(".leaflet-tooltip", has_text=HOSTILE)
    st_map.until_shown(lambda: marker.hover(force=True), tooltip)
    popup = frame.locator(".leaflet-popup-content")
    st_map.until_shown(lambda: marker.click(force=True), popup.filter(has_text=HOSTILE))
    expect(popup).to_contain_text("<b onmouseover=alert(2)>bold?</b>")
    expect(frame.locator("img[src='x']")).to_have_count(0)
    expect(frame.locator(".leaflet-popup-content b[onmouseover]")).to_have_count(0)
    screenshot("hostile-popup")
    assert dialogs == []
    page_log.assert_clean()


@pytest.fixture(scope="module")
def later_claim_situation(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Rafah, with a claim dated after the 21 Nov event added to it (a located event)."""
    target = tmp_path_factory.mktemp("later") / "rafah-2025-11"
    shutil.copytree(RAFAH, target)
    events = json.loads((target / "events.geojson").read_text())
    event = next(f for f in events["features"] if f["properties"]["id"] == EVENT_WITH_CLAIMS)
    event["properties"]["claims"].append(
        {
            "about": "A later question",
            "by": "A later party",
            "says": "said after the day shown",
            "source": event["properties"]["source"][0],
            "date": "2025-11-25",
        }
    )
    (target / "events.geojson").write_text(json.dumps(events))
    return target


EVENT_WITH_CLAIMS = "ev_2025-11-21_emerged"


def python_event_popup(folder: Path, day: dt.date) -> str:
    """The Python popup of the event, as the map's other features get theirs."""
    situation = load_situation(folder)
    events = situation.layer("events").frame
    row = events[events["id"] == EVENT_WITH_CLAIMS].drop(columns="geometry").iloc[0]
    props = {k: v for k, v in row.to_dict().items() if not _missing(v)}
    return popup_html(props, situation.sources, as_of=day)


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def test_the_event_popup_is_the_python_popup(
    start_app: StartApp,
    page: Page,
    st_map: StMap,
    page_log: PageLog,
    screenshot: Screenshot,
    later_claim_situation: Path,
) -> None:
    day = dt.date(2025, 11, 22)
    app = start_app(env={"SITMAP_SITUATION": str(later_claim_situation)})
    page.goto(f"{app.url.rstrip('/')}/?as_of={day.isoformat()}")
    frame = st_map.wait(min_layers=10)
    handle = st_map.frame_handle()
    handle.wait_for_function("() => window.sitmapEvents && window.sitmapEvents.keptCount() > 0")
    events = load_situation(later_claim_situation).layer("events").frame.set_index("id")
    name = events.loc[EVENT_WITH_CLAIMS, "name"]
    listed = frame.locator(".sitmap-eventlist button", has_text=str(name))

    def click_the_event() -> None:  # where it is now: the map may still settle on its view
        point = handle.evaluate(
            "(id) => { const ev = window.sitmapEvents; const p = ev.pointOf(ev.indexOf(id));"
            " return {x: p.x, y: p.y}; }",
            EVENT_WITH_CLAIMS,
        )
        box = frame.locator(".leaflet-container").bounding_box()
        assert box is not None
        page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])

    st_map.until_shown(click_the_event, listed)
    listed.click()  # other events and the hospital share its point: the list names it
    popup = frame.locator(".leaflet-popup-content .sitmap-popup:not(.sitmap-eventlist)")
    expect(popup).to_contain_text("1 later claim(s) hidden: after 2025-11-22")
    expect(popup).not_to_contain_text("A later party")
    shown = popup.evaluate("node => node.textContent")
    expected = handle.evaluate(
        "(html) => { const div = document.createElement('div'); div.innerHTML = html;"
        " return div.firstChild.textContent; }",
        python_event_popup(later_claim_situation, day),
    )
    assert shown == expected
    assert "21 Nov incident" in shown  # claims grouped under their question
    screenshot("event-popup")
    page_log.assert_clean()
