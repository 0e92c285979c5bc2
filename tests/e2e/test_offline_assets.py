"""With no internet, the map is complete: layers, controls, popups, drawing round-trip."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import PageLog, Screenshot, StartApp, StMap

PROBE = "tests/e2e/apps/offline_probe.py"


@pytest.fixture
def probe(start_app: StartApp, page: Page) -> Page:
    """The probe app, open in the test's page."""
    page.goto(start_app(PROBE).url)
    return page


def test_map_draws_its_layers_and_controls_without_the_internet(
    probe: Page, st_map: StMap, page_log: PageLog, screenshot: Screenshot
) -> None:
    frame = st_map.wait(min_layers=3)  # the sector polygon, the HQ marker, a cluster
    expect(frame.locator(".leaflet-overlay-pane path.leaflet-interactive")).to_have_count(1)
    expect(frame.locator(".marker-cluster")).to_have_text("3")
    expect(frame.locator(".leaflet-draw-draw-polyline")).to_be_visible()
    expect(frame.locator(".leaflet-control-zoom-fullscreen")).to_be_visible()
    expect(frame.locator(".leaflet-control-scale-line").first).to_contain_text("km")
    expect(frame.locator(".leaflet-control-layers")).to_be_visible()
    # The default marker image comes from static/vendor (leaflet-icon-path.js).
    st_map.frame_handle().wait_for_function(
        "() => [...document.querySelectorAll('img.leaflet-marker-icon')]"
        ".some(img => img.complete && img.naturalWidth > 0)"
    )
    path = screenshot("offline-probe")
    assert path.stat().st_size > 10_000
    page_log.assert_clean()


def test_tooltip_popups_layer_control_and_fullscreen_respond(
    probe: Page, st_map: StMap, page_log: PageLog, screenshot: Screenshot
) -> None:
    frame = st_map.wait(min_layers=2)
    sector = frame.locator(".leaflet-overlay-pane path.leaflet-interactive")
    sector.hover()
    expect(frame.locator(".leaflet-tooltip")).to_contain_text("Sector A")
    sector.click()
    expect(frame.locator(".leaflet-popup-content")).to_contain_text("Sector A")
    frame.locator(".leaflet-marker-icon:not(.marker-cluster)").click()
    expect(frame.locator(".leaflet-popup-content", has_text="HQ Alpha")).to_be_visible()
    expect(frame.locator(".leaflet-popup-content")).to_have_count(1)  # the first closed
    screenshot("offline-probe-popup")
    frame.locator(".leaflet-control-layers").hover()
    expect(frame.locator(".leaflet-control-layers-overlays")).to_contain_text("Sectors")
    expect(frame.locator(".leaflet-control-layers-overlays")).to_contain_text("Units")
    fullscreen = frame.locator(".leaflet-control-zoom-fullscreen")
    fullscreen.click()
    expect(fullscreen).to_have_class(re.compile(r"\bleaflet-fullscreen-on\b"))
    page_log.assert_clean()


def test_a_drawn_line_reaches_python(
    probe: Page, st_map: StMap, page_log: PageLog, screenshot: Screenshot
) -> None:
    st_map.wait(min_layers=2)
    expect(probe.get_by_text("DRAWINGS: 0")).to_be_visible()
    st_map.draw_polyline([(0.2, 0.8), (0.5, 0.85), (0.8, 0.8)])
    expect(probe.get_by_text("DRAWINGS: 1")).to_be_visible()
    expect(st_map.frame().locator(".leaflet-overlay-pane path")).to_have_count(2)  # kept
    screenshot("offline-probe-drawn")
    page_log.assert_clean()


def test_harness_sees_a_map_that_would_load_from_a_cdn(
    start_app: StartApp, page: Page, st_map: StMap, page_log: PageLog
) -> None:
    server = start_app(PROBE, env={"SITMAP_PROBE_CDN": "1"})
    leaflet_cdn = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"
    with page.expect_event("requestfailed", predicate=lambda r: r.url == leaflet_cdn):
        page.goto(server.url)
    expect(st_map.frame().locator(".leaflet-container")).to_have_count(0)  # blank
    assert leaflet_cdn in page_log.external_requests()
    with pytest.raises(AssertionError, match="left this machine"):
        page_log.assert_offline()
