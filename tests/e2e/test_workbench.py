"""The corridor workbench in a browser: draw, see the measures, save, reload, still there."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from .conftest import PageLog, Screenshot, StartApp, StMap, type_name


@pytest.fixture
def fresh_app(start_app: StartApp, tmp_path_factory: pytest.TempPathFactory):
    db = tmp_path_factory.mktemp("store") / "sketches.sqlite3"
    return start_app(env={"SITMAP_DB": str(db)})


def test_draw_measure_save_reload(
    fresh_app, page: Page, st_map: StMap, page_log: PageLog, screenshot: Screenshot
) -> None:
    page.goto(fresh_app.url)
    st_map.wait(min_layers=10)
    type_name(page)
    st_map.draw_polyline([(0.40, 0.40), (0.48, 0.55), (0.58, 0.65)])
    expect(page.get_by_text("Your drawing 1: measured against the situation")).to_be_visible()
    card = page.locator("[data-testid='stTable']").first
    expect(card).to_contain_text("Length")
    expect(card).to_contain_text(re.compile(r"\d+\.\d\d km"))
    expect(card).to_contain_text("In the army-held area")
    expect(card).to_contain_text("min at 4 km/h")
    page.get_by_label("Corridor name").fill("Exit north <b>test</b>")
    page.get_by_role("button", name="Save").click()
    expect(
        page.get_by_text("Saved \u201cExit north <b>test</b>\u201d (revision 1).")
    ).to_be_visible()
    frame = st_map.frame()
    expect(frame.locator("path.sitmap-layer-sketches")).to_have_count(1)
    screenshot("workbench-saved")

    page.reload()
    frame = st_map.wait(min_layers=10)
    expect(frame.locator("path.sitmap-layer-sketches")).to_have_count(1)
    saved = page.locator("[data-testid='stSelectbox']").filter(has_text="Saved corridors")
    expect(saved.locator("input")).to_have_value("Exit north <b>test</b> (rev. 1, Dana)")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download GEOJSON").click()
    exported = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    (feature,) = exported["features"]
    assert feature["properties"]["name"] == "Exit north <b>test</b>"
    assert feature["properties"]["author"] == "Dana"
    assert feature["properties"]["length_m"] > 100
    assert feature["geometry"]["type"] == "LineString"
    page_log.assert_clean()
