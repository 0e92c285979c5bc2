"""Keyboard and screen-reader access on the map: named features, the script in every map."""

from __future__ import annotations

import datetime as dt

from sitmap.mapview import base_map, layer_geojson
from sitmap.mapview.layers import feature_label
from sitmap.mapview.standalone import standalone_html
from sitmap.situation import Situation, load_situation
from tests.conftest import collection, point_feature

from .conftest import view

DAY = dt.date(2025, 11, 28)


def test_every_feature_carries_its_name_kind_and_layer(rafah: Situation) -> None:
    for layer_id in ("neighbourhoods", "places", "control", "corridors"):
        title = rafah.layer(layer_id).spec.title
        for feature in layer_geojson(rafah, layer_id, DAY)["features"]:
            label = feature["properties"]["_label"]
            assert label.endswith(f"; layer: {title}".replace("'", "&#x27;"))
    jenina = next(
        f
        for f in layer_geojson(rafah, "neighbourhoods", DAY)["features"]
        if f["properties"]["_id"] == "jenina"
    )
    assert jenina["properties"]["_label"].startswith("Jenina")
    assert "; Neighbourhood (estimate); " in jenina["properties"]["_label"]


def test_a_label_from_data_is_escaped(write_places, situation_copy) -> None:
    name = "<img src=x onerror=alert(1)> {{ 7*7 }}"
    write_places(collection(point_feature("evil", name=name)))
    situation = load_situation(situation_copy)
    (feature,) = layer_geojson(situation, "places", DAY)["features"]
    label = feature["properties"]["_label"]
    assert "<" not in label and "{{" not in label
    assert feature_label({"name": name, "kind": "landmark"}, "Places").startswith(name)


def test_the_keyboard_script_is_in_the_page_map_and_the_offline_file(rafah: Situation) -> None:
    html = base_map(rafah).get_root().render()
    assert "/* a11y.js */" in html  # carried in the map's script, not linked
    assert html.index("/* a11y.js */") < html.index("L.sitmapKeyboard(")
    assert html.index("window.sitmapEvents =") < html.index("L.sitmapKeyboard(")
    offline = standalone_html(rafah, view(rafah))
    assert "/* a11y.js */" in offline and "L.sitmapKeyboard(" in offline
