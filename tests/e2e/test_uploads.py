"""Uploads in a browser: a hostile layer shows as text and runs nothing; a bad file is refused."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from .conftest import PageLog, Screenshot, StartApp, StMap

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


def test_hostile_upload_shows_as_text_and_a_bad_file_is_refused(
    fresh_app, page: Page, st_map: StMap, page_log: PageLog, screenshot: Screenshot
) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(fresh_app.url)
    frame = st_map.wait(min_layers=10)
    drawn_before = frame.locator("path.sitmap-f").count()
    name = page.get_by_label("Your name (saved with sketches and uploads)")
    name.fill("Dana")
    name.press("Enter")
    uploader = page.locator("[data-testid='stFileUploaderDropzoneInput']")
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
    expect(page.get_by_text("blocks.gpkg was not added:")).to_be_visible()
    expect(page.get_by_text("not a GeoPackage", exact=False)).to_be_visible()
    expect(frame.locator("path.sitmap-f")).to_have_count(drawn_before + 1)  # nothing lost
    screenshot("upload-refused")
    assert dialogs == []
    page_log.assert_clean()
