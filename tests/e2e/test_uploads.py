"""Uploads in a browser: a hostile layer shows as text and runs nothing; a bad file is refused;
a click while a file is read loses neither the click nor the file."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from .conftest import UPLOADER, PageLog, Screenshot, StartApp, StMap, type_name

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"


@pytest.fixture
def fresh_app(start_app: StartApp, tmp_path_factory: pytest.TempPathFactory):
    db = tmp_path_factory.mktemp("uploads") / "sketches.sqlite3"
    return start_app(env={"SITMAP_DB": str(db)})


def hostile_layer() -> bytes:
    feature = {
        "type": "Feature",
        "properties": {"name": IMG, SCRIPT: "<b onmouseover=alert(3)>x</b>"},
        "geometry": {
            "type": "Polygon",
            "coordinates": [
                [[34.26, 31.27], [34.28, 31.27], [34.28, 31.29], [34.26, 31.29], [34.26, 31.27]]
            ],
        },
    }
    return json.dumps({"type": "FeatureCollection", "features": [feature]}).encode()


def plain_layer() -> bytes:
    feature = {
        "type": "Feature",
        "properties": {"name": "field"},
        "geometry": {
            "type": "Polygon",
            "coordinates": [
                [[34.24, 31.27], [34.25, 31.27], [34.25, 31.28], [34.24, 31.28], [34.24, 31.27]]
            ],
        },
    }
    return json.dumps({"type": "FeatureCollection", "features": [feature]}).encode()


def test_hostile_upload_shows_as_text_and_a_bad_file_is_refused(
    fresh_app, page: Page, st_map: StMap, page_log: PageLog, screenshot: Screenshot
) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(fresh_app.url)
    frame = st_map.wait(min_layers=10)
    drawn_before = frame.locator("path.sitmap-f").count()
    type_name(page)  # a layer is added only once a name says who added it
    uploader = page.locator(UPLOADER)
    uploader.set_input_files(
        files=[
            {
                "name": f"{SCRIPT}.geojson",
                "mimeType": "application/geo+json",
                "buffer": hostile_layer(),
            }
        ]
    )
    expect(page.get_by_text(f"Uploaded, unverified: {SCRIPT}.geojson")).to_be_visible()
    upload = frame.locator("path.sitmap-upload")
    expect(upload).to_have_count(1)
    upload.hover(force=True)
    expect(frame.locator(".leaflet-tooltip")).to_contain_text(IMG)
    upload.click(force=True)
    popup = frame.locator(".leaflet-popup-content")
    expect(popup).to_contain_text(f"Uploaded, unverified: {SCRIPT}.geojson")
    expect(popup).to_contain_text("<b onmouseover=alert(3)>x</b>")
    expect(frame.locator("img[src='x']")).to_have_count(0)
    screenshot("upload-hostile")

    uploader.set_input_files(
        files=[
            {
                "name": "blocks.gpkg",
                "mimeType": "application/octet-stream",
                "buffer": b"\x00\x17random" * 64,
            }
        ]
    )
    refused = page.get_by_text("blocks.gpkg was not added:")
    expect(refused).to_be_visible()
    expect(page.get_by_text("not a GeoPackage", exact=False)).to_be_visible()
    expect(frame.locator("path.sitmap-f")).to_have_count(drawn_before + 1)  # nothing lost
    # another run (a layer switched off and on) keeps the refusal beside the uploader
    boundaries = page.locator("[data-testid='stSidebar'] [data-testid='stCheckbox']").filter(
        has_text="Boundaries"
    )
    boundaries.click()
    expect(frame.locator("path.sitmap-layer-boundaries")).to_have_count(0)
    boundaries.click()
    expect(frame.locator("path.sitmap-layer-boundaries").first).to_be_attached()
    expect(refused).to_be_visible()
    screenshot("upload-refused")
    assert dialogs == []
    page_log.assert_clean()


def test_a_click_while_a_file_is_read_loses_nothing(
    fresh_app, page: Page, st_map: StMap, page_log: PageLog
) -> None:
    """One script run at a time (``runner.fastReruns = false`` in .streamlit/config.toml).

    With Streamlit's default, a rerun asked for during a run starts a second run beside the
    first: the first run's outcome never reaches the page (here the new layer stays hidden
    until the next click), and both runs write the session's widget values, so the newer run
    may see stale ones: replacing a file sends two reruns (uploader empty, then the new file),
    so the new file could go unread and its refusal unshown (the test above, once). A fresh
    server's first upload waits for the reading helper to start (a second or more), so
    "Checking ..." shows and the click lands while the file is read; if the read ends first,
    the click comes after it and only the plain path is checked.
    """
    page.goto(fresh_app.url)
    frame = st_map.wait(min_layers=10)
    type_name(page)
    uploader = page.locator(UPLOADER)
    layer = page.locator("[data-testid='stSidebar'] [data-testid='stCheckbox']").first
    expect(layer.locator("input")).to_be_checked()
    uploader.set_input_files(
        files=[
            {"name": "field.geojson", "mimeType": "application/geo+json", "buffer": plain_layer()}
        ]
    )
    checking = page.get_by_text("Checking field.geojson")
    added = page.get_by_text("Uploaded, unverified: field.geojson")
    expect(checking.or_(added).first).to_be_visible()
    layer.locator("label").click()  # during the read when "Checking ..." is still shown
    expect(added.first).to_be_visible()
    expect(frame.locator("path.sitmap-upload")).to_have_count(1)
    expect(layer.locator("input")).not_to_be_checked()
    page_log.assert_clean()
