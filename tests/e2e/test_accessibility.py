"""Accessibility in Chromium: axe-core finds nothing serious in sitmap's own content, and a
keyboard reaches every map feature by name and every event, and opens them.

axe-core is pinned in package.json (devDependencies) and installed by ``make assets``
(``npm ci``); it is injected into the Streamlit page and into the map's iframe.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Frame, Page, expect

from sitmap.page.texts import TABS
from tests.e2e.server import REPO

from .conftest import PageLog, Screenshot, StartApp, StMap

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = frozenset({"serious", "critical"})

PAGE_EXCLUDED: tuple[str, ...] = ()
"""Selectors of Streamlit's own chrome left out of the page check. None today: with
captions darkened by the page's CSS (``texts.PAGE_CSS``: Streamlit's are 3.9:1), axe-core
finds no serious or critical violation on the page, in any tab. Add one here, with the
reason, only for markup sitmap cannot change."""

MAP_EXCLUDED: tuple[str, ...] = ()
"""The same for the map's iframe (Leaflet, leaflet.draw and sitmap's own controls)."""

_RUN = """async ([exclude]) => {
    const context = exclude.length ? {include: [document], exclude: exclude.map(s => [s])}
                                   : document;
    const result = await axe.run(context, {resultTypes: ["violations"]});
    return result.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map(n => n.target.join(" ") + ": " + (n.failureSummary || "")),
    }));
}"""


def axe_violations(target: Page | Frame, exclude: tuple[str, ...]) -> list[str]:
    """Serious and critical axe-core violations in a page or frame, ``exclude`` left out:
    one line per element, 'rule (impact): element: what is wrong'."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `make assets` (npm ci installs axe-core)")
    # Streamlit fades what a rerun is replacing: measure colours once nothing is stale
    target.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')")
    if not target.evaluate("() => typeof window.axe !== 'undefined'"):
        target.add_script_tag(path=str(AXE))
    found = target.evaluate(_RUN, [list(exclude)])
    return [
        f"{v['id']} ({v['impact']}): {node}"
        for v in found
        if v["impact"] in SERIOUS
        for node in v["nodes"]
    ]


@pytest.fixture
def fresh_app(start_app: StartApp, tmp_path_factory: pytest.TempPathFactory):
    db = tmp_path_factory.mktemp("a11y") / "sketches.sqlite3"
    return start_app(env={"SITMAP_DB": str(db)})


def test_axe_finds_nothing_serious_in_the_page_and_the_map(
    fresh_app, page: Page, st_map: StMap, page_log: PageLog, screenshot: Screenshot
) -> None:
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(fresh_app.url)
    frame = st_map.wait(min_layers=10)
    st_map.wait_whole_page()  # not the first run's page, which is the map alone
    for tab in TABS:  # each tab's own content, shown
        page.get_by_role("tab", name=tab).click()
        expect(page.get_by_role("tab", name=tab)).to_have_attribute("aria-selected", "true")
        # only the open tab is built, by a rerun: wait for its content
        built = page.get_by_role("tabpanel").locator("[data-testid='stElementContainer']")
        expect(built.first).to_be_visible()
        assert axe_violations(page, PAGE_EXCLUDED) == [], tab
    page.get_by_role("tab", name="Text view").click()
    text_view = page.get_by_role("region", name="Text view")
    expect(text_view.locator("caption").first).to_have_text(re.compile(r"^Layers \(\d+\)$"))
    expect(text_view.get_by_role("rowheader", name="Rafah crossing (to Egypt)")).to_be_attached()
    expect(text_view.get_by_role("columnheader", name="Valid from").first).to_be_attached()
    assert axe_violations(page, PAGE_EXCLUDED) == []
    # the map as drawn, then with the events list and a popup open
    handle = st_map.frame_handle()
    assert axe_violations(handle, MAP_EXCLUDED) == []
    frame.get_by_role("button", name=re.compile(r"^Events in view \(\d+\)$")).click()
    frame.locator(".sitmap-kbd-events li button").first.click()
    expect(frame.locator(".leaflet-popup-content")).to_be_visible()
    # Leaflet fades a popup in: measure its colours once it is opaque
    handle.wait_for_function(
        "() => getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'"
    )
    assert axe_violations(handle, MAP_EXCLUDED) == []
    text_view.locator("caption").first.scroll_into_view_if_needed()
    page.get_by_role("tab", name="Text view").scroll_into_view_if_needed()
    screenshot("text-view-1400")
    page_log.assert_clean()


def tab_until(page: Page, frame: Frame, name: re.Pattern[str], *, most: int = 80) -> str:
    """Press Tab until the focused element's name (its aria-label, else its text) matches;
    that name."""
    for _ in range(most):
        page.keyboard.press("Tab")
        label = frame.evaluate(
            "() => { const e = document.activeElement; if (!e) return '';"
            " return e.getAttribute('aria-label') || e.textContent.trim(); }"
        )
        if name.search(label):
            return str(label)
    pytest.fail(f"{most} presses of Tab never reached {name.pattern!r}")


def test_a_keyboard_reaches_features_by_name_and_events(
    fresh_app, page: Page, st_map: StMap, page_log: PageLog
) -> None:
    page.goto(fresh_app.url)
    frame = st_map.wait(min_layers=10)
    handle = st_map.frame_handle()
    # every feature path is a named button; none is an unnamed tab stop
    unnamed = handle.evaluate(
        "() => [...document.querySelectorAll('.leaflet-overlay-pane path')]"
        ".filter(p => p.tabIndex >= 0 && !p.getAttribute('aria-label')).length"
    )
    assert unnamed == 0
    frame.locator(".leaflet-container").focus()
    label = tab_until(page, handle, re.compile(r"^Jenina"))
    assert "Neighbourhood (estimate)" in label and "layer: Neighbourhoods" in label
    jenina = frame.get_by_role("button", name=re.compile(r"^Jenina"))
    expect(jenina).to_be_focused()
    page.keyboard.press("Enter")
    popup = frame.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("Jenina")
    expect(popup).to_be_focused()  # a screen reader reads it next
    page.keyboard.press("Escape")
    expect(popup).to_have_count(0)
    expect(jenina).to_be_focused()
    # events: on a canvas, reached through the "Events in view" list
    tab_until(page, handle, re.compile(r"^Events in view \(\d+\)$"))
    toggle = frame.get_by_role("button", name=re.compile(r"^Events in view"))
    expect(toggle).to_be_focused()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    first = frame.locator(".sitmap-kbd-events li button").first
    title = first.inner_text()
    page.keyboard.press("Tab")
    expect(first).to_be_focused()
    page.keyboard.press(" ")
    expect(popup).to_contain_text(title)
    page_log.assert_clean()
