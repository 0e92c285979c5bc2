"""Positional accuracy on the map: one checkbox draws a band, halo or ring per feature."""

from __future__ import annotations

import dataclasses
import math

import pytest
from pyproj import Geod
from shapely.geometry import LineString, Point, box, shape

from sitmap.analysis.geodesy import geodesic_area_m2
from sitmap.mapview import full_map
from sitmap.mapview.accuracy import accuracy_geojson, accuracy_shape
from tests.mapview.conftest import view

GEOD = Geod(ellps="WGS84")


def test_the_accuracy_is_drawn_only_when_asked(rafah) -> None:
    plain = view(rafah)
    html = full_map(rafah, plain).get_root().render()
    assert "sitmap-accuracy" not in html
    shown = dataclasses.replace(plain, accuracy=True)
    html = full_map(rafah, shown).get_root().render()
    assert "sitmap-accuracy" in html
    assert "interactive: false" in html  # clicks go through to the features


def test_each_feature_with_an_accuracy_gets_its_shape(rafah) -> None:
    data = accuracy_geojson(rafah, "places")
    ids = {f["properties"]["_id"] for f in data["features"]}
    assert "accuracy:najjar_hospital" in ids
    hospital = next(
        shape(f["geometry"])
        for f in data["features"]
        if f["properties"]["_id"] == "accuracy:najjar_hospital"
    )
    # a point's halo: a disc of its accuracy (2600 m)
    assert geodesic_area_m2(hospital) == pytest.approx(math.pi * 2600**2, rel=0.02)


def test_a_line_gets_a_band_and_an_area_a_ring() -> None:
    line = LineString([(34.25, 31.28), (34.27, 31.28)])
    band = accuracy_shape(line, 100)
    _, _, length = GEOD.inv(34.25, 31.28, 34.27, 31.28)
    assert geodesic_area_m2(band) == pytest.approx(length * 200 + math.pi * 100**2, rel=0.02)
    square = box(34.25, 31.25, 34.27, 31.27)
    ring = accuracy_shape(square, 200)
    assert not ring.contains(square.centroid)  # the middle is surely inside
    assert ring.contains(Point(34.25, 31.26))  # the outline is not sure
    assert accuracy_shape(square, 0).is_empty
