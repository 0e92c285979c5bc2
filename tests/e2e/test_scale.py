"""Many events in the app: 20,000 synthetic ones, drawn, counted, clickable, offline.

Above 10,000 points in view the canvas draws a density image instead of outlined dots;
the payload arrives deflated and is inflated in the page. No timing is asserted here
(``python -m bench`` measures).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from sitmap.analysis.timeline import end_of_day_utc
from sitmap.demo import write_demo_situation
from sitmap.situation import load_situation

from .conftest import PageLog, Screenshot, StartApp, StMap

EVENTS = 20_000


@pytest.fixture(scope="module")
def big_situation(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_demo_situation(EVENTS, seed=3, target=tmp_path_factory.mktemp("big") / "demo")


def kept_until(folder: Path, day: dt.date) -> int:
    events = load_situation(folder).layer("events").frame
    return int((events["time"] < end_of_day_utc(day)).sum())


def test_twenty_thousand_events_are_drawn_and_clickable(
    start_app: StartApp,
    page: Page,
    st_map: StMap,
    page_log: PageLog,
    screenshot: Screenshot,
    big_situation: Path,
) -> None:
    as_of = load_situation(big_situation).manifest.as_of
    page.goto(start_app(env={"SITMAP_SITUATION": str(big_situation)}).url)
    frame = st_map.wait(min_layers=10)
    handle = st_map.frame_handle()
    handle.wait_for_function(
        f"() => window.sitmapEvents && window.sitmapEvents.keptCount() === "
        f"{kept_until(big_situation, as_of)}"
    )
    assert handle.evaluate("() => window.sitmapEvents.drawnCount()") > 10_000
    box = frame.locator(".leaflet-container").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] * 0.45, box["y"] + box["height"] * 0.55)
    expect(frame.locator(".leaflet-popup-content")).to_contain_text("SYNTHETIC event")
    listed = frame.locator(".sitmap-eventlist li button")
    if listed.count():  # several events under the pointer: the list names each; open one
        listed.first.click()
    popup = frame.locator(".leaflet-popup-content .sitmap-popup:not(.sitmap-eventlist)")
    expect(popup).to_contain_text("SYNTHETIC event")
    expect(popup).to_contain_text("Synthetic events (not real)")
    expect(popup).to_contain_text("not a real report")
    screenshot("scale-20000-events")
    page_log.assert_clean()


def test_the_slider_filters_twenty_thousand_events(
    start_app: StartApp, page: Page, st_map: StMap, page_log: PageLog, big_situation: Path
) -> None:
    situation = load_situation(big_situation)
    page.goto(start_app(env={"SITMAP_SITUATION": str(big_situation)}).url)
    st_map.wait(min_layers=10)
    handle = st_map.frame_handle()
    handle.wait_for_function("() => window.sitmapEvents && window.sitmapEvents.keptCount() > 0")
    slider = page.get_by_role("slider").last  # the range's end: the map's day
    slider.focus()
    slider.press("Home")
    first_day = situation.manifest.start
    expected = kept_until(big_situation, first_day)
    assert 0 < expected < EVENTS
    handle.wait_for_function(f"() => window.sitmapEvents.keptCount() === {expected}")
    page_log.assert_clean()
