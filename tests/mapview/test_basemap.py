"""The base map: offline, stable between reruns, the same whatever the view."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import streamlit_folium

from sitmap.mapview import (
    ViewState,
    assets,
    base_map,
    default_layers,
    full_map,
)
from tests.mapview.conftest import view


def test_the_rendered_page_names_no_remote_url(rafah) -> None:
    html = full_map(rafah, view(rafah)).get_root().render()
    assert assets.external_urls(html) == []
    assert "/app/static/vendor/leaflet/leaflet.js" in html
    assert "/* sitmap.js */" in html  # carried inside the map's script (inlinescripts)


def test_online_tiles_only_when_asked(rafah) -> None:
    offline = full_map(rafah, view(rafah)).get_root().render()
    online = full_map(rafah, ViewState(default_layers(rafah), dt.date(2025, 11, 28), "osm"))
    assert "tile.openstreetmap.org" not in offline
    assert assets.external_urls(online.get_root().render()) == [
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    ]


def test_base_map_js_is_identical_between_reruns(rafah) -> None:
    m1, m2 = base_map(rafah), base_map(rafah)
    m1.render()
    m2.render()
    assert streamlit_folium.generate_js_hash(
        streamlit_folium._get_map_string(m1)
    ) == streamlit_folium.generate_js_hash(streamlit_folium._get_map_string(m2))


def test_base_map_does_not_depend_on_the_view(rafah) -> None:
    """Layers and date travel in feature groups, so the component never remounts."""
    m = base_map(rafah)
    m.render()
    js = streamlit_folium._get_map_string(m)
    assert "sitmap-layer-control" not in js  # no situation layer in the base map


def test_static_js_is_committed_with_the_library() -> None:
    assert (Path(assets.own_dir()) / "sitmap.js").is_file()


def test_each_legend_row_hides_the_features_it_stands_for(rafah) -> None:
    import re

    from sitmap.mapview.basemap import legend_html
    from sitmap.mapview.layers import layer_geojson
    from sitmap.mapview.styles import legend_entries

    classes: set[str] = set()
    for layer_id in rafah.layers:
        for feature in layer_geojson(rafah, layer_id, rafah.manifest.as_of)["features"]:
            classes |= set(feature["properties"]["style"]["className"].split())
    html = legend_html(legend_entries(rafah))
    hides = re.findall(r'data-hides="([^"]*)"', html)
    assert len(hides) == len(legend_entries(rafah)), "every symbol row is a switch"
    situation_rows = [h for h in hides if h.startswith(".sitmap-sym-")]
    assert len(situation_rows) >= 10
    for selectors in situation_rows:
        wanted = {s.strip().lstrip(".") for s in selectors.split(",")}
        assert wanted & classes, f"{selectors} hides nothing on the map"
    assert "events" in hides and ".sitmap-layer-sketches" in hides
