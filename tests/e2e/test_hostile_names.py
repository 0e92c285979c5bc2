"""Names from uploads and users in a browser: Markdown images, links and addresses stay text
(nothing is fetched, nothing is a link), and an override does not show a name reversed."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from .conftest import UPLOADER, PageLog, Screenshot, StartApp, StMap, type_name

BEACON = "http://beacon.example/b.png"
AREA = f"![x]({BEACON}) [click](http://beacon.example/c) www.beacon.example"
CORRIDOR = "Exit [here](http://beacon.example/d) see http://beacon.example/e"
FILE = "report\u202etxt.kml"
SHOWN_FILE = "report\ufffdtxt.kml"


def placemark_kml() -> bytes:
    """One Placemark with a hostile name, an area over the whole situation."""
    ring = "34.1,31.15 34.6,31.15 34.6,31.65 34.1,31.65 34.1,31.15"
    name = AREA.replace("&", "&amp;").replace("<", "&lt;")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark>'
        f"<name>{name}</name><Polygon><outerBoundaryIs><LinearRing>"
        f"<coordinates>{ring}</coordinates></LinearRing></outerBoundaryIs></Polygon>"
        "</Placemark></Document></kml>"
    ).encode()


@pytest.fixture
def fresh_app(start_app: StartApp, tmp_path_factory: pytest.TempPathFactory):
    db = tmp_path_factory.mktemp("hostile") / "sketches.sqlite3"
    return start_app(env={"SITMAP_DB": str(db)})


def no_beacon(page: Page) -> None:
    """No element of the page (outside the map) is an image or link to the beacon host."""
    expect(page.locator("img[src*='beacon']")).to_have_count(0)
    expect(page.locator("a[href*='beacon']")).to_have_count(0)


def test_markdown_in_names_is_shown_as_text_and_fetches_nothing(
    fresh_app, page: Page, st_map: StMap, page_log: PageLog, screenshot: Screenshot
) -> None:
    page.goto(fresh_app.url)
    st_map.wait(min_layers=10)
    type_name(page)
    uploader = page.locator(UPLOADER)
    uploader.set_input_files(
        files=[
            {
                "name": FILE,
                "mimeType": "application/vnd.google-earth.kml+xml",
                "buffer": placemark_kml(),
            }
        ]
    )
    sidebar = page.locator("[data-testid='stSidebar']")
    expect(sidebar.get_by_text(f"Uploaded, unverified: {SHOWN_FILE}")).to_be_visible()
    expect(sidebar.get_by_role("button", name=f"Remove {SHOWN_FILE}")).to_be_visible()

    st_map.draw_polyline([(0.40, 0.40), (0.48, 0.55), (0.58, 0.65)])
    card = page.locator("[data-testid='stTable']").first
    expect(card).to_contain_text("Starts in")
    shown = card.inner_text().replace("\u2060", "")
    assert f"{AREA} (uploaded: {SHOWN_FILE})" in shown, shown
    no_beacon(page)

    page.get_by_label("Corridor name").fill(CORRIDOR)
    page.get_by_role("button", name="Save").click()
    saved = page.get_by_text("Saved \u201cExit", exact=False)
    expect(saved).to_be_visible()
    assert saved.inner_text().replace("\u2060", "") == f"Saved \u201c{CORRIDOR}\u201d (revision 1)."
    no_beacon(page)
    screenshot("hostile-names")
    page_log.assert_clean()
    assert not [url for url in page_log.requests if "beacon" in url]
