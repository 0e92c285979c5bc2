"""The offline map file: opened from disk (file://) in Chromium, it asks for nothing and
draws every layer, its labels, popups and the events of the range."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from playwright.sync_api import Browser, Request, Route, expect

from sitmap.analysis.timeline import valid_at
from sitmap.mapview import ViewState
from sitmap.mapview.standalone import standalone_html
from sitmap.mapview.timecontrol import TIME_TEXTS
from sitmap.schema import LayerKind
from sitmap.settings import DEFAULT_SITUATION
from sitmap.situation import load_situation

from .conftest import ARTIFACTS

_LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")


def test_the_offline_map_file_opens_from_disk_with_no_request_and_draws_every_layer(
    browser: Browser, tmp_path: Path
) -> None:
    situation = load_situation(DEFAULT_SITUATION)
    layers = frozenset(situation.layers)  # every layer, the historic one too
    as_of = situation.manifest.as_of
    view = ViewState(layers=layers, as_of=as_of, since=dt.date(2025, 11, 1), language="ar")
    path = tmp_path / "rafah-offline.html"
    path.write_text(standalone_html(situation, view), encoding="utf-8")

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    requests: list[str] = []
    errors: list[str] = []

    def record(request: Request) -> None:
        requests.append(request.url)

    def refuse(route: Route) -> None:
        route.abort("internetdisconnected")

    context.on("request", record)
    context.route(re.compile(r"^(?!file:|data:|blob:)"), refuse)
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    try:
        page.goto(path.as_uri())
        expect(page.locator(".leaflet-container")).to_be_visible()
        drawn = [
            layer_id
            for layer_id, layer in situation.layers.items()
            if layer.spec.kind is not LayerKind.EVENTS
            and valid_at(layer.frame, as_of).any()
            and layer.frame.geometry.notna().any()
        ]
        assert len(drawn) >= 6
        for layer_id in drawn:
            expect(page.locator(f"path.sitmap-layer-{layer_id}").first).to_be_attached()
        page.wait_for_function("() => window.sitmapEvents && window.sitmapEvents.keptCount() > 0")
        # labels in the chosen language: Jenina's Arabic name, in logical order
        expect(page.locator(".sitmap-label", has_text="الجنينة").first).to_be_attached()
        expect(page.locator(".sitmap-legend")).to_contain_text("Tunnel enclave")
        expect(page.locator(".sitmap-disclaimer")).to_contain_text("implies no endorsement")
        # a popup: the corridor option's line says it is an illustration
        page.locator("path.sitmap-layer-corridors").first.click(force=True)
        expect(page.locator(".leaflet-popup-content")).to_contain_text("Illustrative line")
        # the map's own timeline steps with no page behind it (its report goes nowhere)
        day = page.locator(".sitmap-time-day")
        expect(day).to_have_text(f"{TIME_TEXTS['map_of']} {as_of:%a %d %b %Y}")
        page.get_by_role("button", name=TIME_TEXTS["back"]).click()
        expect(day).to_have_text(
            f"{TIME_TEXTS['map_of']} {as_of - dt.timedelta(days=1):%a %d %b %Y}"
        )
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "offline-map-file.png"))
    finally:
        context.close()
    network = [url for url in requests if not url.startswith(_LOCAL_SCHEMES)]
    assert network == [], f"the offline file asked the network for {network}"
    assert [url for url in requests if url.startswith("file:")] == [path.as_uri()]
    assert errors == []
