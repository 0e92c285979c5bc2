"""The legend is the map's own: built from style_for, one row per symbol drawn, and the
three kinds of uncertain line (estimate, illustration, upload) look different."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from sitmap.mapview import assets
from sitmap.mapview.basemap import legend_html
from sitmap.mapview.styles import (
    EVENT_STYLE,
    SKETCH_STYLE,
    UPLOAD_STYLE,
    LegendEntry,
    legend_entries,
    legend_key,
    style_for,
)
from sitmap.schema import LayerKind
from sitmap.situation import load_situation
from tests.conftest import RAFAH


@pytest.fixture(scope="module")
def rafah():
    return load_situation(RAFAH)


def drawn_features(situation):
    """(props, geometry type) of every located feature the map can draw."""
    for layer in situation.layers.values():
        if layer.spec.kind is LayerKind.EVENTS:
            continue
        for props, geometry in zip(
            layer.frame.drop(columns="geometry").to_dict("records"),
            layer.frame.geometry,
            strict=True,
        ):
            if geometry is not None and not geometry.is_empty:
                clean = {k: v for k, v in props.items() if not (isinstance(v, float) and v != v)}
                yield clean, geometry.geom_type


class Swatches(HTMLParser):
    """Each legend row's keys and the attributes of the SVG shape in its swatch."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, dict[str, str]] = {}
        self._keys: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        found = dict(attrs)
        if "sitmap-legend-row" in (found.get("class") or ""):
            self._keys = (found.get("data-key") or "").split()
        elif tag in {"rect", "line", "circle"}:
            for key in self._keys:
                self.rows[key] = {"tag": tag, **found}


def swatches(situation) -> dict[str, dict[str, str]]:
    parser = Swatches()
    parser.feed(legend_html(legend_entries(situation)))
    return parser.rows


def assert_swatch_draws(swatch: dict[str, str], style: dict, where: str) -> None:
    assert swatch["stroke"] == style["color"], where
    assert float(swatch["stroke-width"]) == float(style["weight"]), where
    assert float(swatch["stroke-opacity"]) == float(style.get("opacity", 1)), where
    assert swatch.get("stroke-dasharray") == style.get("dashArray"), where
    if swatch["tag"] != "line":
        assert swatch["fill"] == style.get("fillColor", style["color"]), where
        assert float(swatch["fill-opacity"]) == float(style.get("fillOpacity", 0.2)), where


def test_every_legend_swatch_draws_like_the_features_it_stands_for(rafah) -> None:
    """Fails whenever a legend symbol's colour, weight, dash or fill differs from the map."""
    rows = swatches(rafah)
    for props, _geometry in drawn_features(rafah):
        key = legend_key(props)
        assert key in rows, f"{props['id']} ({key}) is drawn but not in the legend"
        assert_swatch_draws(rows[key], style_for(props), f"{props['id']} ({key})")


def test_the_legend_has_a_row_for_every_combination_drawn_and_no_other(rafah) -> None:
    drawn = {legend_key(props) for props, _ in drawn_features(rafah)}
    listed = {key for entry in legend_entries(rafah) for key in entry.keys}
    assert listed == drawn | {"event", "sketch", "upload"}


def test_swatch_shapes_follow_geometry(rafah) -> None:
    rows = swatches(rafah)
    assert rows["control_line:estimate"]["tag"] == "line"
    assert rows["tunnel_enclave:estimate"]["tag"] == "rect"
    assert rows["crossing"]["tag"] == "circle"


def test_events_sketches_and_uploads_are_in_the_legend_as_drawn(rafah) -> None:
    rows = swatches(rafah)
    assert_swatch_draws(rows["event"], EVENT_STYLE, "event")
    assert_swatch_draws(rows["sketch"], SKETCH_STYLE, "sketch")
    assert_swatch_draws(rows["upload"], UPLOAD_STYLE, "upload")


def test_the_events_canvas_draws_in_the_legend_colour() -> None:
    script = (assets.own_dir() / "sitmap.js").read_text(encoding="utf-8")
    options = re.search(r"options:\s*\{[^}]*pane:\s*\"sitmapPoints\"[^}]*\}", script)
    assert options is not None
    assert f'color: "{EVENT_STYLE["fillColor"]}"' in options.group(0)
    assert f'stroke: "{EVENT_STYLE["color"]}"' in options.group(0)


def test_estimate_illustration_and_upload_look_different() -> None:
    estimate = style_for({"kind": "tunnel_enclave", "approximate": True})
    surveyed = style_for({"kind": "tunnel_enclave", "approximate": False})
    illustrative = style_for(
        {"kind": "corridor", "status": "discussed", "approximate": True, "illustrative": True}
    )
    upload = UPLOAD_STYLE
    dashes = {estimate["dashArray"], illustrative["dashArray"], upload["dashArray"]}
    assert len(dashes) == 3, "three different line patterns"
    assert "dashArray" not in surveyed
    assert estimate["fillOpacity"] < surveyed["fillOpacity"], "an estimate's fill is lighter"
    # dotted: dashes no longer than the line is wide (round caps make them dots)
    dash, gap = (float(x) for x in illustrative["dashArray"].split())
    assert dash <= 1 < gap and illustrative["lineCap"] == "round"
    # dash-dot: a long dash, then a short one
    assert len(upload["dashArray"].split()) == 4
    colours = {style_for({"kind": k})["color"] for k in ("army_held_area", "tunnel_enclave")}
    assert upload["color"] not in colours | {illustrative["color"]}


def test_a_corridor_agreed_and_surveyed_is_solid() -> None:
    style = style_for({"kind": "corridor", "status": "agreed", "illustrative": False})
    assert "dashArray" not in style


def test_the_legend_names_each_symbol_with_its_uncertainty(rafah) -> None:
    titles = {key: entry.title for entry in legend_entries(rafah) for key in entry.keys}
    assert "estimate" in titles["tunnel_enclave:estimate"]
    assert "illustrative" in titles["corridor:discussed:illustrative"]
    assert "unverified" in titles["upload"]
    assert "Yellow line" in titles["control_line:estimate"]


def test_legend_text_is_escaped() -> None:
    html = legend_html([LegendEntry(("x",), "<img src=x onerror=alert(1)>", "area", UPLOAD_STYLE)])
    assert "<img" not in html
    assert "&lt;img" in html
