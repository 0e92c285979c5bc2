"""Library scripts travel inside the map's script: streamlit-folium loads links one by one."""

from __future__ import annotations

import folium
import folium.plugins
import streamlit_folium

from sitmap.mapview import assets, base_map
from sitmap.mapview.inlinescripts import InlineScripts, inline_library_scripts

INLINED = ("jquery.min.js", "sitmap.js", "labels.js", "a11y.js")


def linked_scripts(fmap: folium.Map) -> list[str]:
    """What streamlit-folium would load, one after another, before the map's script."""
    links: list[str] = []

    def walk(element) -> None:
        links.extend(url for _name, url in getattr(element, "default_js", []))
        for child in getattr(element, "_children", {}).values():
            walk(child)

    walk(fmap)
    return list(dict.fromkeys(links))


def test_only_leaflet_and_plugins_that_hook_into_map_creation_are_linked(rafah) -> None:
    assert linked_scripts(base_map(rafah)) == [
        "/app/static/vendor/leaflet/leaflet.js",
        "/app/static/vendor/leaflet.fullscreen/Control.FullScreen.js",
        "/app/static/vendor/leaflet-draw/leaflet.draw.js",
    ]


def test_the_map_script_carries_each_library_before_its_first_use(rafah) -> None:
    fmap = base_map(rafah)
    fmap.get_root().render()
    script = streamlit_folium.generate_leaflet_string(fmap)
    starts = [script.index(f"/* {name} */") for name in INLINED]
    assert starts == sorted(starts), "in the order they were linked"
    assert starts[-1] < script.index("new SitmapPoints(")


def test_other_maps_keep_their_links(rafah) -> None:
    base_map(rafah)
    plain = folium.Map()
    folium.plugins.Draw().add_to(plain)
    assert any(url.endswith("leaflet.draw.js") for url in linked_scripts(plain))


def test_script_text_is_put_in_as_is_not_read_as_a_template() -> None:
    fmap = folium.Map()
    fmap.add_child(InlineScripts("var shown = '{{ 7*7 }}{% raw %}';\n"))
    html = fmap.get_root().render()
    assert "var shown = '{{ 7*7 }}{% raw %}';" in html


def test_a_map_whose_links_name_cdn_addresses_keeps_leaflet_linked() -> None:
    # folium's own CDN addresses (before use_local_assets): Leaflet must stay a link
    cdn = {local: url for url, local in assets.LOCAL_PATHS.items()}
    fmap = folium.Map()
    fmap.default_js = [("leaflet", cdn["leaflet/leaflet.js"]), ("jq", cdn["jquery/jquery.min.js"])]
    inline_library_scripts(fmap)
    assert linked_scripts(fmap) == [cdn["leaflet/leaflet.js"]]
    assert "/* jquery.min.js */" in fmap.get_root().render()
