"""Labels and legend in a browser: names readable without hovering, thinned when zoomed
out, Arabic right-to-left, the legend open on a desktop screen and true to the map."""

from __future__ import annotations

import pytest
from playwright.sync_api import FrameLocator, Page, expect

from sitmap.mapview.styles import EVENT_STYLE

from .conftest import PageLog, Screenshot, StartApp, StMap

APP = "app.py"
SHOWN = ".sitmap-label:not(.sitmap-label-hidden)"

# What someone with 30 seconds must read at the first view, by feature id.
KEY_LABELS = {
    "jenina": "Jenina",
    "tunnel_enclave_jenina": "Tunnel enclave",
    "yellow_line_2025-10-19": "Yellow line",
    "rafah_crossing": "Rafah crossing",
}


def open_map(page: Page, start_app: StartApp, st_map: StMap, query: str = "") -> FrameLocator:
    page.goto(start_app(APP).url + query)
    frame = st_map.wait(min_layers=10)
    st_map.frame_handle().wait_for_function(
        "() => window.sitmapLabels && window.sitmapLabels.shown().length > 0"
    )
    return frame


def label(frame: FrameLocator, feature_id: str):
    return frame.locator(f'.sitmap-label[data-id="{feature_id}"]')


def inside(outer: dict, inner: dict) -> bool:
    return (
        inner["x"] >= outer["x"]
        and inner["y"] >= outer["y"]
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"]
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"]
    )


def test_key_labels_are_readable_without_hovering(
    page: Page, start_app: StartApp, st_map: StMap, page_log: PageLog, screenshot: Screenshot
) -> None:
    page.set_viewport_size({"width": 1400, "height": 1000})
    frame = open_map(page, start_app, st_map)
    box = frame.locator(".leaflet-container").bounding_box()
    assert box is not None
    for feature_id, words in KEY_LABELS.items():
        shown = label(frame, feature_id)
        expect(shown).to_be_visible()
        expect(shown).not_to_have_class("sitmap-label-hidden")
        expect(shown).to_contain_text(words)
        where = shown.bounding_box()
        assert where is not None and inside(box, where), f"{feature_id} is off the map: {where}"
    # Estimates look like estimates: marked and italic.
    expect(label(frame, "jenina")).to_have_text("~Jenina neighbourhood")
    expect(label(frame, "jenina")).to_have_css("font-style", "italic")
    expect(label(frame, "rafah_crossing")).to_have_css("font-style", "normal")
    # Labels never catch a click: the pane and every label let it through.
    expect(label(frame, "jenina")).to_have_css("pointer-events", "none")
    expect(frame.locator(".leaflet-sitmapLabels-pane")).to_have_css("pointer-events", "none")
    # No two labels drawn over each other.
    rects = st_map.frame_handle().evaluate(
        f"""() => Array.from(document.querySelectorAll('{SHOWN}'))
            .map(e => {{ const r = e.getBoundingClientRect();
                        return [r.left, r.top, r.right, r.bottom]; }})"""
    )
    for i, a in enumerate(rects):
        for b in rects[i + 1 :]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (a, b)
    screenshot("labels-desktop-1400")
    page_log.assert_clean()


def test_clicking_a_label_reaches_the_feature_under_it(
    page: Page, start_app: StartApp, st_map: StMap
) -> None:
    frame = open_map(page, start_app, st_map)
    target = label(frame, "jenina")
    expect(target).to_be_visible()
    where = target.bounding_box()
    assert where is not None
    page.mouse.click(where["x"] + where["width"] / 2, where["y"] + where["height"] / 2)
    expect(frame.locator(".leaflet-popup-content")).to_be_visible()


def test_zooming_out_hides_lower_priority_labels_that_collide(
    page: Page, start_app: StartApp, st_map: StMap, page_log: PageLog
) -> None:
    frame = open_map(page, start_app, st_map)
    handle = st_map.frame_handle()
    expect(label(frame, "jenina")).not_to_have_class("sitmap-label-hidden")
    # zoom out, again if a run of the page set the map's view back meanwhile
    handle.wait_for_function(
        """() => { const m = window.sitmapLabels._map;
                   if (m.getZoom() !== 10) m.setZoom(10, {animate: false});
                   return m.getZoom() === 10 && !window.sitmapLabels.shown().includes('jenina'); }"""
    )
    # The enclave (priority 1) keeps its label; Jenina (2), on the same spot, gives way.
    expect(label(frame, "tunnel_enclave_jenina")).to_be_visible()
    expect(label(frame, "jenina")).to_be_hidden()
    shown = handle.evaluate("() => window.sitmapLabels.shown()")
    hidden = frame.locator(".sitmap-label.sitmap-label-hidden")
    assert hidden.count() > 0
    priorities = handle.evaluate(
        f"""() => Array.from(document.querySelectorAll('{SHOWN}'))
            .map(e => Number(e.dataset.priority))"""
    )
    assert priorities == sorted(priorities), "labels are placed in priority order"
    # Zooming back in brings Jenina back.
    handle.wait_for_function(
        """() => { const m = window.sitmapLabels._map;
                   if (m.getZoom() !== 14) m.setZoom(14, {animate: false});
                   return window.sitmapLabels.shown().includes('jenina'); }"""
    )
    assert "tunnel_enclave_jenina" in shown
    page_log.assert_clean()


def test_arabic_labels_read_right_to_left(
    page: Page, start_app: StartApp, st_map: StMap, page_log: PageLog, screenshot: Screenshot
) -> None:
    frame = open_map(page, start_app, st_map, "?lang=ar")
    jenina = label(frame, "jenina")
    expect(jenina).to_have_text("~الجنينة")
    expect(jenina).to_have_attribute("dir", "rtl")
    expect(jenina).to_have_attribute("lang", "ar")
    expect(jenina).to_have_css("direction", "rtl")
    # No Arabic name in the data: English, left to right, said so.
    enclave = label(frame, "tunnel_enclave_jenina")
    expect(enclave).to_have_attribute("lang", "en")
    expect(enclave).to_have_attribute("dir", "ltr")
    # The JS API switches language in place.
    st_map.frame_handle().evaluate("() => window.sitmapLabels.setLanguage('en')")
    expect(jenina).to_have_attribute("dir", "ltr")
    expect(jenina).to_contain_text("Jenina")
    st_map.frame_handle().evaluate("() => window.sitmapLabels.setLanguage('ar')")
    expect(jenina).to_have_attribute("dir", "rtl")
    screenshot("labels-arabic")
    page_log.assert_clean()


@pytest.mark.parametrize(
    ("width", "height", "is_open"),
    [(1400, 1000, True), (390, 844, False)],
    ids=["desktop", "phone"],
)
def test_legend_is_open_on_a_desktop_screen_and_closed_on_a_phone(
    page: Page,
    start_app: StartApp,
    st_map: StMap,
    screenshot: Screenshot,
    width: int,
    height: int,
    is_open: bool,
) -> None:
    page.set_viewport_size({"width": width, "height": height})
    frame = open_map(page, start_app, st_map)
    details = frame.locator(".sitmap-legend details")
    rows = frame.locator(".sitmap-legend-row")
    if is_open:
        expect(details).to_have_attribute("open", "")
        expect(rows.filter(has_text="Tunnel enclave")).to_be_visible()
        expect(rows.filter(has_text="Uploaded layer")).to_be_visible()
    else:
        expect(details).not_to_have_attribute("open", "")
        expect(rows.first).to_be_hidden()
    frame.locator(".sitmap-legend summary").click()  # collapsible both ways
    expect(rows.first).to_be_visible() if not is_open else expect(rows.first).to_be_hidden()
    if not is_open:
        frame.locator(".sitmap-legend summary").click()
    screenshot(f"labels-legend-{width}x{height}")


def test_the_legend_event_dot_is_the_colour_events_are_drawn_in(
    page: Page, start_app: StartApp, st_map: StMap
) -> None:
    frame = open_map(page, start_app, st_map)
    drawn = st_map.frame_handle().evaluate("() => window.sitmapEvents.options.color")
    swatch = frame.locator('.sitmap-legend-row[data-key="event"] circle')
    expect(swatch).to_have_attribute("fill", drawn)
    assert drawn == EVENT_STYLE["fillColor"]


# Puts the Rafah crossing just beyond the map's right edge, then opens its popup: Leaflet
# pans the popup into view, where it comes to rest under the open legend.
_POPUP_BEYOND_RIGHT_EDGE = """() => {
    const map = window.sitmapMap;
    let crossing = null;
    map.eachLayer(l => {
        if (l.feature && l.feature.properties._id === "rafah_crossing") crossing = l;
    });
    const at = map.latLngToContainerPoint(crossing.getLatLng());
    const size = map.getSize();
    map.panBy([at.x - (size.x + 150), at.y - 250], {animate: false});
    crossing.openPopup();
}"""


@pytest.mark.parametrize(("width", "height"), [(1400, 1000), (390, 844)], ids=["desktop", "phone"])
def test_a_popup_that_comes_to_rest_under_the_legend_can_be_closed(
    page: Page, start_app: StartApp, st_map: StMap, width: int, height: int
) -> None:
    page.set_viewport_size({"width": width, "height": height})
    frame = open_map(page, start_app, st_map)
    details = frame.locator(".sitmap-legend details")
    if width < 700:
        frame.locator(".sitmap-legend summary").click()  # a phone's reader opens it
    expect(details).to_have_attribute("open", "")
    st_map.frame_handle().evaluate(_POPUP_BEYOND_RIGHT_EDGE)
    popup = frame.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("Rafah crossing")
    expect(details).not_to_have_attribute("open", "")  # folded, out of the popup's way
    # a real click, which Playwright refuses when anything lies over the button
    frame.locator(".leaflet-popup-close-button").click(timeout=5_000)
    expect(popup).to_have_count(0)
    expect(details).to_have_attribute("open", "")  # unfolded again
