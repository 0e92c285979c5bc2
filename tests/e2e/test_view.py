"""The map at a glance in a browser: readable tables, everything clickable, a timeline that
moves everything, a view you can send, a place you can find, uploads never lost."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect
from shapely.geometry import Point

from sitmap.mapview.timecontrol import PLAY_LABEL, TIME_TEXTS
from sitmap.situation import load_situation
from tests.conftest import RAFAH

from .conftest import UPLOADER, PageLog, Screenshot, StartApp, StMap, type_name


def busiest_point() -> tuple[tuple[float, float], int]:
    """(lat, lon) where most located events lie, and how many lie there."""
    events = load_situation(RAFAH).layer("events").frame
    located = events[events.geometry.notna()]
    counts = Counter((round(g.y, 6), round(g.x, 6)) for g in located.geometry)
    return counts.most_common(1)[0]


@pytest.fixture
def fresh_app(start_app: StartApp, tmp_path_factory: pytest.TempPathFactory):
    db = tmp_path_factory.mktemp("view") / "sketches.sqlite3"
    return start_app(env={"SITMAP_DB": str(db)})


def url_of(app, query: str) -> str:
    return f"{app.url.rstrip('/')}/?{query}"


def click_at(page: Page, st_map: StMap, lat: float, lon: float) -> None:
    """Click the map where (lat, lon) is drawn, once it has stopped panning (a popup's
    pan into view moves the point)."""
    handle = st_map.frame_handle()
    handle.wait_for_function("() => !(window.sitmapMap._panAnim || {})._inProgress")
    point = handle.evaluate(
        "([lat, lon]) => { const p = window.sitmapMap.latLngToContainerPoint([lat, lon]);"
        " return {x: p.x, y: p.y}; }",
        [lat, lon],
    )
    box = st_map.frame().locator(".leaflet-container").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])


def click_until(page: Page, st_map: StMap, lat: float, lon: float, shown) -> None:
    """Click (lat, lon) until ``shown`` appears: the map may still settle on its view
    (streamlit-folium re-applies the centre after the first rerun), moving the point."""
    st_map.until_shown(lambda: click_at(page, st_map, lat, lon), shown)


def query_of(page: Page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(page.url).query).items()}


def test_tables_show_their_point_at_1400_px(
    fresh_app, page: Page, st_map: StMap, page_log: PageLog, screenshot: Screenshot
) -> None:
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(fresh_app.url)
    st_map.wait(min_layers=10)
    grids = page.locator("[data-testid='stDataFrame']")
    expect(grids.first).to_be_visible()
    comparison = grids.first
    comparison.scroll_into_view_if_needed()
    # no horizontal scrolling: the grid's scroller is as wide as its content
    overflow = comparison.evaluate(
        "el => { const s = el.querySelector('.dvn-scroller');"
        " return s ? s.scrollWidth - s.clientWidth : -1; }"
    )
    assert 0 <= overflow <= 2, f"the comparison scrolls sideways by {overflow} px"
    page.get_by_role("tab", name="Who says what").click()
    claims = page.get_by_role("tabpanel").filter(has_text="one party's claim")
    expect(claims.locator("li").filter(has_text="Turkish official").first).to_be_visible()
    expect(claims).to_contain_text("'civilians' (2025-11-09")  # who, what they say, when
    screenshot("view-1400")
    page_log.assert_clean()


def test_the_enclave_is_clickable_with_jenina_on(
    fresh_app, page: Page, st_map: StMap, page_log: PageLog
) -> None:
    situation = load_situation(RAFAH)
    enclave = situation.features(kinds=["tunnel_enclave"]).geometry.iloc[0]
    jenina = situation.features(kinds=["neighbourhood"]).set_index("id").geometry["jenina"]
    centre = enclave.centroid  # where the events lie: click 250 m north of them
    inside = Point(centre.x, centre.y + 0.00225)
    assert enclave.contains(inside) and jenina.contains(inside)  # the smaller must take it
    query = f"layers=control,neighbourhoods&zoom=15&lat={inside.y:.5f}&lon={inside.x:.5f}"
    page.goto(url_of(fresh_app, query))
    frame = st_map.wait(min_layers=2)
    expect(frame.locator("path.sitmap-fid-jenina")).to_have_count(1)
    popup = frame.locator(".leaflet-popup-content", has_text="Tunnel enclave")
    click_until(page, st_map, inside.y, inside.x, popup)
    page_log.assert_clean()


def test_every_event_at_one_point_is_reachable(
    fresh_app, page: Page, st_map: StMap, page_log: PageLog, screenshot: Screenshot
) -> None:
    (lat, lon), count = busiest_point()
    assert count >= 2
    page.goto(url_of(fresh_app, f"layers=events&to=2025-11-30&zoom=14&lat={lat}&lon={lon}"))
    st_map.wait(min_layers=0)
    handle = st_map.frame_handle()
    handle.wait_for_function(
        f"() => window.sitmapEvents && window.sitmapEvents.keptCount() >= {count}"
    )
    frame = st_map.frame()
    listed = frame.locator(".sitmap-eventlist li button")
    click_until(page, st_map, lat, lon, listed.first)
    titles = listed.all_inner_texts()
    assert len(titles) >= count  # every event there, and any place under them
    screenshot("view-colocated-events")
    for n in (len(titles) - 1, 0):  # the oldest event, then the first entry
        handle.evaluate("() => window.sitmapMap.closePopup()")
        # a closed popup fades for 200 ms before it leaves the page: wait until it has
        expect(frame.locator(".leaflet-popup")).to_have_count(0)
        click_until(page, st_map, lat, lon, listed.first)
        listed.nth(n).click()
        opened = frame.locator(".leaflet-popup-content .sitmap-popup:not(.sitmap-eventlist)")
        expect(opened.locator(".sitmap-title")).to_contain_text(titles[n])
    page_log.assert_clean()


def test_a_link_reopens_the_same_view_and_changes_write_the_link(
    fresh_app, page: Page, st_map: StMap, page_log: PageLog
) -> None:
    page.goto(
        url_of(
            fresh_app,
            "layers=control,places&from=2025-11-01&to=2025-11-12&lat=31.28&lon=34.25&zoom=12"
            "&lang=ar&sel=rafah_crossing",
        )
    )
    frame = st_map.wait(min_layers=2)
    expect(frame.locator("path.sitmap-layer-places").first).to_be_attached()
    expect(frame.locator("path.sitmap-layer-corridors")).to_have_count(0)
    expect(frame.locator(".leaflet-popup-content")).to_contain_text("Rafah crossing")
    page.get_by_role("tab", name="Events").click()
    expect(page.get_by_text("events from 2025-11-01 up to 2025-11-12", exact=False)).to_be_visible()
    centre = st_map.frame_handle().evaluate(
        "() => { const c = window.sitmapMap.getCenter(); return [c.lat, c.lng]; }"
    )
    assert centre[0] == pytest.approx(31.28, abs=0.05) and centre[1] == pytest.approx(
        34.25, abs=0.05
    )
    assert query_of(page)["lang"] == "ar"
    page.get_by_text("Events", exact=True).first.click()  # a layer toggle writes the link
    expect(page).to_have_url(re.compile(r"layers=control%2Cevents%2Cplaces"))
    query = query_of(page)
    assert (query["from"], query["to"]) == ("2025-11-01", "2025-11-12")
    page_log.assert_clean()


def test_find_a_place_by_its_arabic_name(
    fresh_app, page: Page, st_map: StMap, page_log: PageLog
) -> None:
    page.goto(fresh_app.url)
    frame = st_map.wait(min_layers=10)
    box = page.get_by_role("textbox", name="Find a place")
    found = page.get_by_role("button", name=re.compile("^Jenina"))
    for _ in range(3):  # typing may land while the page still reruns: type again
        box.fill("الجنينة")
        box.press("Enter")
        try:
            expect(found).to_be_visible(timeout=10_000)
        except AssertionError:
            continue
        break
    for _ in range(3):  # a click landing while the page still reruns can be lost: again
        found.click()
        try:
            expect(page).to_have_url(re.compile(r"sel=jenina"), timeout=10_000)
        except AssertionError:
            continue
        break
    expect(frame.locator(".leaflet-popup-content")).to_contain_text("Jenina")
    expect(page).to_have_url(re.compile(r"sel=jenina"))
    page_log.assert_clean()


def test_play_moves_events_and_zones(
    fresh_app, page: Page, st_map: StMap, page_log: PageLog
) -> None:
    page.goto(url_of(fresh_app, "to=2025-11-03"))  # before the enclave and the options
    frame = st_map.wait(min_layers=5)
    expect(frame.locator("path.sitmap-layer-corridors")).to_have_count(0)  # not yet reported
    expect(frame.locator("path.sitmap-fid-tunnel_enclave_jenina")).to_have_count(0)
    frame.get_by_role("button", name=PLAY_LABEL).click()  # the map's own control
    expect(frame.locator("path.sitmap-layer-corridors")).to_have_count(3, timeout=60_000)
    expect(frame.locator("path.sitmap-fid-tunnel_enclave_jenina")).to_have_count(1)
    frame.get_by_role("button", name=TIME_TEXTS["stop"]).click()
    shown = frame.locator(".sitmap-time-day").inner_text()
    # the page follows the day the map stopped at: the link and the events panel
    expect(page).to_have_url(re.compile(r"to=2025-11-(1\d|2\d|30)"))
    day = query_of(page)["to"]
    assert dt.date.fromisoformat(day).strftime("%d %b %Y") in shown
    page_log.assert_clean()


def test_a_step_on_the_map_needs_no_rerun_and_the_page_follows(
    fresh_app, page: Page, st_map: StMap, page_log: PageLog, screenshot: Screenshot
) -> None:
    page.goto(url_of(fresh_app, "to=2025-11-05"))  # the day the enclave is first reported
    frame = st_map.wait(min_layers=5)
    st_map.wait_whole_page()
    enclave = frame.locator("path.sitmap-fid-tunnel_enclave_jenina")
    expect(enclave).to_have_count(1)
    # a step back is drawn by the map itself, before any rerun could run: count the
    # enclave's path in the same task as the click
    gone = st_map.frame_handle().evaluate(
        """() => { document.querySelector('.sitmap-time-back').click();
        return document.querySelectorAll('path.sitmap-fid-tunnel_enclave_jenina').length; }"""
    )
    assert gone == 0
    expect(frame.locator(".sitmap-time-day")).to_have_text("Map of Tue 04 Nov 2025")
    expect(page).to_have_url(re.compile(r"to=2025-11-04"))  # the page took the step
    expect(enclave).to_have_count(0)  # and its rerun kept the map's day
    frame.get_by_role("button", name=TIME_TEXTS["next"]).click()
    expect(enclave).to_have_count(1)
    expect(page).to_have_url(re.compile(r"to=2025-11-05"))
    page_log.assert_clean()


def test_an_upload_needs_a_name_first_and_is_kept_and_shown(
    fresh_app, page: Page, st_map: StMap, page_log: PageLog, screenshot: Screenshot
) -> None:
    page.goto(fresh_app.url)
    frame = st_map.wait(min_layers=10)
    expect(page.get_by_text("Type your name above to add a layer")).to_be_visible()
    uploader = page.locator(UPLOADER)
    expect(uploader).to_be_disabled()
    type_name(page)
    square = {
        "type": "Feature",
        "properties": {"name": "Block 7"},
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[34.30, 31.30], [34.31, 31.30], [34.31, 31.31], [34.30, 31.30]]],
        },
    }
    data = json.dumps({"type": "FeatureCollection", "features": [square]}).encode()
    uploader.set_input_files(
        files=[{"name": "blocks.geojson", "mimeType": "application/geo+json", "buffer": data}]
    )
    expect(frame.locator("path.sitmap-upload")).to_have_count(1)
    page_log.assert_clean()
    again = page.context.new_page()  # a reload, in a new tab: the upload is still shown
    again.goto(page.url)
    shown = StMap(again).wait(min_layers=10)
    expect(shown.locator("path.sitmap-upload")).to_have_count(1)
    again.screenshot(path="test-artifacts/view-upload-kept.png")


def test_a_phone_keeps_popups_on_screen(
    fresh_app, page: Page, st_map: StMap, page_log: PageLog, screenshot: Screenshot
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(url_of(fresh_app, "sel=najjar_hospital"))
    frame = st_map.wait(min_layers=10)
    expect(frame.locator(".leaflet-popup")).to_be_visible()
    # once it has panned into view, the popup lies inside the map, clear of its edges
    st_map.frame_handle().wait_for_function(
        """() => { const p = document.querySelector('.leaflet-popup').getBoundingClientRect();
        const m = window.sitmapMap.getContainer().getBoundingClientRect();
        return p.width > 100 && p.left >= m.left && p.right <= m.right && p.top >= m.top; }"""
    )
    screenshot("view-phone-popup")
    page_log.assert_clean()
