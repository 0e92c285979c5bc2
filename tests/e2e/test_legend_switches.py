"""The legend's rows are switches: the browser hides what a row stands for at once, alone."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Page, expect

from .conftest import PageLog, Screenshot, StartApp, StMap
from .test_labels import open_map

ENCLAVE_ROW = '.sitmap-legend-row[data-key="tunnel_enclave:estimate"]'
SWITCH = """(row) => {
    const doc = row.ownerDocument, t0 = performance.now();
    row.click();
    const path = doc.querySelector("path.sitmap-fid-tunnel_enclave_jenina");
    const label = doc.querySelector('.sitmap-label[data-id="tunnel_enclave_jenina"]');
    const hidden = getComputedStyle(path).display === "none"
        && getComputedStyle(label).display === "none";
    return {hidden, ms: performance.now() - t0};
}"""


def layers_in(url: str) -> str:
    return parse_qs(urlsplit(url).query).get("layers", [""])[0]


def test_a_legend_row_hides_its_features_and_labels_at_once_and_shows_them_again(
    page: Page, start_app: StartApp, st_map: StMap, page_log: PageLog, screenshot: Screenshot
) -> None:
    page.set_viewport_size({"width": 1400, "height": 1000})
    frame = open_map(page, start_app, st_map)
    expect(page.get_by_role("tab", name="Events")).to_be_visible()  # the whole page is in
    layers = layers_in(page.url)
    row = frame.locator(ENCLAVE_ROW)
    expect(row).to_have_attribute("role", "button")
    # hidden within the click itself: the browser alone, no rerun to wait for
    switched = row.evaluate(SWITCH)
    assert switched["hidden"], switched
    print(f"legend switch: {switched['ms']:.1f} ms")
    expect(row).to_have_attribute("aria-pressed", "true")
    expect(frame.locator("path.sitmap-fid-jenina")).to_be_visible()  # the others stay
    screenshot("legend-switched-off")
    row.press("Enter")  # the keyboard switches it back
    expect(frame.locator("path.sitmap-fid-tunnel_enclave_jenina")).to_be_visible()
    expect(row).to_have_attribute("aria-pressed", "false")
    assert layers_in(page.url) == layers, "the switch is the browser's alone: no layer changes"
    page_log.assert_clean()


def test_the_events_row_hides_the_events_and_their_list(
    page: Page, start_app: StartApp, st_map: StMap, page_log: PageLog
) -> None:
    frame = open_map(page, start_app, st_map)
    handle = st_map.frame_handle()
    handle.wait_for_function("() => window.sitmapEvents.drawnCount() > 0")
    frame.locator('.sitmap-legend-row[data-key="event"]').click()
    assert handle.evaluate("() => window.sitmapEvents.drawnCount()") == 0
    expect(frame.locator(".sitmap-kbd-toggle")).to_contain_text("(0)")
    frame.locator('.sitmap-legend-row[data-key="event"]').click()
    handle.wait_for_function("() => window.sitmapEvents.drawnCount() > 0")
    rows = json.loads(
        handle.evaluate(
            "() => JSON.stringify([...document.querySelectorAll('.sitmap-legend-row')]"
            ".map(r => r.getAttribute('aria-pressed')))"
        )
    )
    assert set(rows[:-1]) == {"false"} and rows[-1] is None  # the label note is no switch
    page_log.assert_clean()
