"""The map loads nothing from the internet, and every file it loads is installed."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import branca.colormap
import folium
import folium.elements
import folium.plugins
import pytest
import streamlit_folium

from sitmap.errors import AssetsMissingError
from sitmap.mapview import assets

POLYGON = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"name": "Sector A"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[34.24, 31.28], [34.26, 31.28], [34.26, 31.30], [34.24, 31.28]]],
            },
        }
    ],
}
POINTS = [[31.29 + i / 1000, 34.25 + i / 1000] for i in range(20)]


@pytest.fixture(autouse=True)
def local_assets() -> None:
    """Every test here sees folium pointed at static/vendor."""
    assets.use_local_assets()


def demo_map() -> folium.Map:
    """A map with every kind of layer and control sitmap uses."""
    m = folium.Map(location=[31.29, 34.25], zoom_start=13, tiles=None, control_scale=True)
    m.options["maxZoom"] = 18  # MarkerCluster needs it when there is no tile layer
    sectors = folium.FeatureGroup(name="Sectors").add_to(m)
    folium.GeoJson(
        POLYGON,
        popup=folium.GeoJsonPopup(fields=["name"]),
        tooltip=folium.GeoJsonTooltip(fields=["name"]),
    ).add_to(sectors)
    units = folium.FeatureGroup(name="Units").add_to(m)
    folium.Marker(
        [31.29, 34.25], popup=folium.Popup("HQ Alpha"), tooltip=folium.Tooltip("HQ")
    ).add_to(units)
    cluster = folium.plugins.MarkerCluster(name="Cluster").add_to(m)
    for lat, lon in POINTS:
        folium.Marker([lat, lon]).add_to(cluster)
    folium.plugins.FastMarkerCluster(POINTS, name="Fast cluster").add_to(m)
    folium.plugins.Draw(export=False).add_to(m)
    folium.plugins.Fullscreen().add_to(m)
    folium.LayerControl().add_to(m)
    return m


def local_path(url: str) -> Path:
    """The file under static/vendor that a local asset URL names."""
    prefix = assets.DEFAULT_BASE_URL + "/"
    assert url.startswith(prefix), f"{url} is not under {prefix}"
    return assets.static_dir() / url.removeprefix(prefix)


def links_in(html: str) -> list[str]:
    """Every script src and link href of an HTML page."""
    return re.findall(r"<(?:script|link)\b[^>]*?\b(?:src|href)=\"([^\"]+)\"", html)


def captured_component_args(m: folium.Map, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Run the real st_folium and keep what it would send to the browser."""
    captured: dict[str, Any] = {}

    def fake_component(**kwargs: Any) -> dict[str, Any]:
        captured.update(kwargs)
        return kwargs["default"]

    monkeypatch.setattr(streamlit_folium, "_component_func", fake_component)
    streamlit_folium.st_folium(m, returned_objects=["all_drawings"], key="test")
    return captured


def st_folium_walk(m: folium.Map) -> tuple[list[str], list[str]]:
    """streamlit-folium 0.27's own collection of css/js links, reproduced."""

    def walk(fig: Any) -> Any:
        if isinstance(fig, branca.colormap.ColorMap):
            yield fig
        if isinstance(fig, folium.elements.JSCSSMixin):
            yield fig
        for child in getattr(fig, "_children", {}).values():
            yield from walk(child)

    css: list[str] = []
    js: list[str] = []
    for elem in walk(m):
        css.extend(href for _, href in getattr(elem, "default_css", []))
        js.extend(src for _, src in getattr(elem, "default_js", []))
    return list(dict.fromkeys(css)), list(dict.fromkeys(js))


def test_rendered_page_loads_nothing_from_the_internet() -> None:
    html = demo_map().get_root().render()
    assert assets.external_urls(html) == []
    names = links_in(html)
    assert any(n.endswith("/leaflet.js") for n in names)
    for url in names:
        assert local_path(url).is_file(), url


def test_st_folium_sends_only_installed_local_links(monkeypatch: pytest.MonkeyPatch) -> None:
    args = captured_component_args(demo_map(), monkeypatch)
    links = [*args["js_links"], *args["css_links"]]
    assert links, "st_folium collected no links at all"
    for url in links:
        assert assets.is_local_url(url), url
        assert local_path(url).is_file(), url
    page_text = "\n".join(str(args[k] or "") for k in ("script", "header", "html"))
    assert assets.external_urls(page_text) == []


def test_st_folium_walk_reproduced_matches_and_is_local(monkeypatch: pytest.MonkeyPatch) -> None:
    m = demo_map()
    m.get_root().render()
    css, js = st_folium_walk(m)
    args = captured_component_args(m, monkeypatch)
    assert (css, js) == (args["css_links"], args["js_links"])
    assert [u for u in css + js if not assets.is_local_url(u)] == []


def test_leaflet_is_followed_by_the_icon_path_fix_and_jquery_is_kept() -> None:
    assets.use_local_assets()  # a second call changes nothing
    names = [name for name, _ in folium.Map.default_js]
    assert names == ["leaflet", "leaflet_icon_path", "jquery"]


def test_lean_set_drops_bootstrap_fontawesome_and_awesome_markers() -> None:
    urls = " ".join(u for _, u in [*folium.Map.default_js, *folium.Map.default_css])
    for word in ("bootstrap", "fontawesome", "glyphicons", "awesome-markers", "rotate"):
        assert word not in urls


def test_another_base_url_replaces_the_first() -> None:
    assets.use_local_assets(base_url="/sitmap/app/static/vendor/")
    try:
        assert folium.Map.default_js[0][1] == "/sitmap/app/static/vendor/leaflet/leaflet.js"
    finally:
        assets.use_local_assets()
    assert folium.Map.default_js[0][1] == "/app/static/vendor/leaflet/leaflet.js"


def test_every_image_the_vendored_css_names_is_installed() -> None:
    for css in assets.static_dir().rglob("*.css"):
        for ref in re.findall(r"url\(\s*['\"]?([^'\")]+)", css.read_text(encoding="utf-8")):
            if ref.startswith(("#", "data:")):
                continue
            assert (css.parent / ref).is_file(), f"{css.name} names missing {ref}"


def test_missing_static_files_are_refused_with_the_setup_command(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(assets, "static_dir", lambda: tmp_path / "static" / "vendor")
    before = list(folium.plugins.Draw.default_js)
    with pytest.raises(AssetsMissingError, match=r"missing.*Run `make assets`"):
        assets.use_local_assets(base_url="/elsewhere")
    assert folium.plugins.Draw.default_js == before


def test_a_partly_installed_folder_names_the_missing_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in assets.required_files():
        if name != "leaflet-draw/leaflet.draw.js":
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / name).write_text("", encoding="utf-8")
    monkeypatch.setattr(assets, "static_dir", lambda: tmp_path)
    with pytest.raises(AssetsMissingError, match=r"1 of .*leaflet-draw/leaflet\.draw\.js"):
        assets.use_local_assets()


def test_offline_problems_flags_what_would_reach_a_cdn() -> None:
    assert assets.offline_problems(demo_map()) == []
    m = demo_map()
    folium.Marker([31.3, 34.3], icon=folium.Icon(color="red")).add_to(m)
    folium.plugins.MiniMap().add_to(m)
    branca.colormap.LinearColormap(["white", "red"]).add_to(m)
    problems = " ".join(assets.offline_problems(m))
    assert "Icon" in problems
    assert "MiniMap: https://" in problems
    assert "d3" in problems


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<script src="https://cdn.example/a.js"></script>', ["https://cdn.example/a.js"]),
        ("<link rel='stylesheet' href='//cdn.example/a.css'>", ["//cdn.example/a.css"]),
        ('<style>.x{background:url("https://img.example/x.png")}</style>', None),
        ("<style>@import 'https://fonts.example/f.css';</style>", None),
        ('L.tileLayer(\n  "https://{s}.tile.example/{z}/{x}/{y}.png", {})', None),
        ('<img src="http://img.example/p.png">', None),
        ('$.ajax({url: "https://data.example/l.geojson", dataType: "json"})', None),
    ],
)
def test_external_urls_finds_each_kind_of_load(html: str, expected: list[str] | None) -> None:
    urls = assets.external_urls(html)
    assert len(urls) == 1
    if expected is not None:
        assert urls == expected


@pytest.mark.parametrize(
    "html",
    [
        '<a href="https://source.example/report">source</a>',
        '<script src="/app/static/vendor/leaflet/leaflet.js"></script>',
        '<link href="http://127.0.0.1:8501/app/static/x.css">',
        '<img src="data:image/png;base64,AAAA">',
        ".leaflet-vml{behavior:url(#default#VML)}",
    ],
)
def test_external_urls_ignores_links_and_local_loads(html: str) -> None:
    assert assets.external_urls(html) == []
