"""Workbench glue: drawings in, report rows and escaped layers out."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import LineString, Point, Polygon

from sitmap import workbench
from sitmap.corridors import measure
from sitmap.situation import load_situation
from sitmap.store import Revision
from tests.conftest import RAFAH

HOSTILE = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def rafah():
    return load_situation(RAFAH)


def drawing(coords) -> dict:
    return {
        "type": "Feature",
        "properties": {},
        "geometry": {"type": "LineString", "coordinates": coords},
    }


def test_drawn_lines_keep_only_usable_polylines() -> None:
    drawings = [
        drawing([[34.25, 31.28], [34.27, 31.29]]),
        drawing([[34.25, 31.28]]),  # one point: still being drawn
        drawing([[34.25, 31.28], [34.25, 31.28]]),  # zero length
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [34.25, 31.28]}},
        "garbage",
        {"geometry": {"type": "LineString", "coordinates": [[34.2, "x"], [34.3, 31.3]]}},
    ]
    lines = workbench.drawn_lines(drawings)
    assert [list(line.coords) for line in lines] == [[(34.25, 31.28), (34.27, 31.29)]]
    assert workbench.drawn_lines(None) == []


def test_report_rows_state_units_and_assumptions(rafah) -> None:
    option_a = next(
        c for c in workbench.candidates(rafah) if c.id == "corridor_exit_outside_held_area"
    )
    line = option_a.geometry
    rows = dict(
        workbench.report_rows(
            measure(line, rafah), area_label="army-held area", line_label="yellow line"
        )
    )
    assert rows["Length"].endswith(" km")
    assert "% of the line" in rows["In the army-held area"]
    assert rows["Crosses the yellow line"].startswith("1 time")
    assert rows["On foot"].endswith("at 4 km/h")
    assert "no terrain" in rows["Assumes"]


def test_candidates_are_the_situation_options(rafah) -> None:
    names = [c.name for c in workbench.candidates(rafah)]
    assert len(names) == 3
    assert all("illustrative" in n for n in names)


def revision(name: str, content: dict, kind: str = "corridor") -> Revision:
    import json

    return Revision(
        sketch_id="abc",
        revision=2,
        kind=kind,
        name=name,
        author=HOSTILE,
        created_at="2025-11-10T09:00:00Z",
        notes=HOSTILE,
        situation="rafah-2025-11",
        deleted=False,
        created_by="dana",
        content_json=json.dumps(content),
    )


def test_sketch_layer_escapes_names_authors_and_notes(rafah) -> None:
    rev = revision(HOSTILE, {"type": "LineString", "coordinates": [[34.25, 31.28], [34.27, 31.29]]})
    report = measure(workbench.saved_candidates([rev])[0].geometry, rafah)
    layer = workbench.sketch_layer([rev], {"abc": report})
    props = layer.features["features"][0]["properties"]
    assert HOSTILE not in props["_popup"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in props["_popup"]
    assert "implies no endorsement" in props["_popup"]
    assert layer.id == workbench.SKETCH_LAYER_ID


def test_upload_layer_labels_and_escapes() -> None:
    frame = gpd.GeoDataFrame(
        {HOSTILE: ["<img src=x onerror=alert(2)>"], "name": ["Block 1"]},
        geometry=[Polygon([(34.2, 31.2), (34.3, 31.2), (34.3, 31.3), (34.2, 31.2)])],
        crs="EPSG:4326",
    )
    layer = workbench.upload_layer("evil<script>.geojson", frame, layer_id="upload:1")
    props = layer.features["features"][0]["properties"]
    assert "<img" not in props["_popup"] and "<script>" not in props["_popup"]
    assert "Uploaded, unverified: evil&lt;script&gt;.geojson" in props["_popup"]
    assert "Block 1" in props["_tooltip"]
    assert layer.title == "Uploaded, unverified: evil<script>.geojson"
    areas = workbench.upload_areas("evil.geojson", frame)
    assert [a.name for a in areas] == ["Block 1 (uploaded: evil.geojson)"]


def test_stored_layer_round_trips_through_the_store_shape() -> None:
    content = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"a": 1},
                "geometry": {"type": "Point", "coordinates": [34.25, 31.28]},
            }
        ],
    }
    frame = workbench.stored_layer_frame(revision("x.geojson", content, kind="layer"))
    assert frame.crs.to_epsg() == 4326
    assert frame.geometry.iloc[0].equals(Point(34.25, 31.28))


def test_line_content_is_geojson_lon_lat() -> None:
    content = workbench.line_content(LineString([(34.123456789, 31.1), (34.2, 31.2)]))
    assert content == {"type": "LineString", "coordinates": [[34.123457, 31.1], [34.2, 31.2]]}
