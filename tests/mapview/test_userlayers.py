"""Saved corridors and uploads as map layers: labelled, every value escaped."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pytest
import shapely
import shapely.geometry
from shapely.geometry import LineString, Polygon

from sitmap.analysis import measure
from sitmap.mapview import SKETCH_LAYER_ID, sketch_layer, upload_layer
from sitmap.situation import load_situation
from sitmap.store import Revision
from tests.conftest import HOSTILE_SCRIPT, RAFAH, stored_revision

HOSTILE = HOSTILE_SCRIPT


@pytest.fixture(scope="module")
def rafah():
    return load_situation(RAFAH)


def test_sketch_layer_escapes_names_authors_and_notes(rafah) -> None:
    rev = stored_revision(
        HOSTILE, {"type": "LineString", "coordinates": [[34.25, 31.28], [34.27, 31.29]]}
    )
    report = measure(LineString(rev.content["coordinates"]), rafah)
    layer = sketch_layer([rev], {"abc": report})
    props = layer.features["features"][0]["properties"]
    assert HOSTILE not in props["_popup"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in props["_popup"]
    assert "implies no endorsement" in props["_popup"]
    assert layer.id == SKETCH_LAYER_ID


def test_upload_layer_labels_and_escapes() -> None:
    frame = gpd.GeoDataFrame(
        {HOSTILE: ["<img src=x onerror=alert(2)>"], "name": ["Block 1"]},
        geometry=[Polygon([(34.2, 31.2), (34.3, 31.2), (34.3, 31.3), (34.2, 31.2)])],
        crs="EPSG:4326",
    )
    layer = upload_layer("evil<script>.geojson", frame, layer_id="upload:1")
    props = layer.features["features"][0]["properties"]
    assert "<img" not in props["_popup"] and "<script>" not in props["_popup"]
    assert "Uploaded, unverified: evil&lt;script&gt;.geojson" in props["_popup"]
    assert "Block 1" in props["_tooltip"]
    assert layer.title == "Uploaded, unverified: evil<script>.geojson"


# --- uploads drawn simplified, built once, bounded (issue 13) ------------------------------


def wiggly_ring(vertices: int = 20_000) -> Polygon:
    """An area near Rafah whose outline wobbles by a few centimetres: many vertices."""
    angle = np.linspace(0, 2 * np.pi, vertices, endpoint=False)
    radius = 0.005 + 2e-7 * np.sin(angle * 4_000)
    return Polygon(np.c_[34.26 + radius * np.cos(angle), 31.28 + radius * np.sin(angle)])


def layer_revision(name: str, shapes: list, sketch_id: str = "ring1", **props) -> Revision:
    features = [
        {
            "type": "Feature",
            "properties": {"name": f"{name} {i}", **props},
            "geometry": shapely.geometry.mapping(shape),
        }
        for i, shape in enumerate(shapes)
    ]
    return Revision(
        sketch_id=sketch_id,
        revision=1,
        kind="layer",
        name=name,
        author="dana",
        created_at="2025-11-10T09:00:00Z",
        notes="",
        situation="rafah-2025-11",
        deleted=False,
        created_by="dana",
        content_json=json.dumps({"type": "FeatureCollection", "features": features}),
    )


def drawn_coordinates(layer) -> np.ndarray:
    shapes = [shapely.geometry.shape(f["geometry"]) for f in layer.features["features"]]
    return shapely.get_coordinates(shapes)


def test_an_upload_is_drawn_simplified_but_measured_in_full(rafah) -> None:
    from sitmap.analysis import NamedArea
    from sitmap.page.uploads import uploaded_layers

    full = wiggly_ring()
    revision = layer_revision("ring.geojson", [full])
    user = uploaded_layers([revision])
    drawn = drawn_coordinates(user.layers[0])
    assert len(drawn) < len(full.exterior.coords) / 10, "drawn simplified"
    assert np.array_equal(drawn, np.round(drawn, 6)), "drawn with 6 decimals (about 0.1 m)"
    assert (
        shapely.geometry.shape(user.layers[0].features["features"][0]["geometry"]).distance(
            full.exterior
        )
        < 1e-5
    )

    (area,) = user.areas
    assert area.geometry.equals_exact(full, 0), "measured against the shape as uploaded"
    line = LineString([(34.245, 31.279), (34.275, 31.283)])
    as_uploaded = NamedArea("ring.geojson 0 (uploaded: ring.geojson)", "uploaded", full, True)
    assert measure(line, rafah, extra_areas=user.areas) == measure(
        line, rafah, extra_areas=[as_uploaded]
    )


def test_a_stored_upload_is_built_once_and_forgotten_once_gone(monkeypatch, rafah, tmp_path):
    from sitmap.page import uploads
    from sitmap.page.workspace import open_workspace
    from sitmap.store import SketchDraft, open_store

    calls = {"drawn": 0, "read": 0}
    draw, read = uploads.upload_display, uploads.stored_rows

    def counting_draw(*args, **kwargs):
        calls["drawn"] += 1
        return draw(*args, **kwargs)

    def counting_read(*args, **kwargs):
        calls["read"] += 1
        return read(*args, **kwargs)

    monkeypatch.setattr(uploads, "upload_display", counting_draw)
    monkeypatch.setattr(uploads, "stored_rows", counting_read)
    store = open_store(str(tmp_path / "s.sqlite3"))
    content = json.loads(layer_revision("blocks.geojson", [wiggly_ring(500)]).content_json)
    draft = SketchDraft(kind="layer", name="blocks.geojson", content=content, situation=rafah.id)
    saved = store.save(draft, base_revision=None, author="dana")

    first = open_workspace(rafah, store, author="dana")
    assert calls == {"drawn": 1, "read": 2}, "drawn once, its areas read once to measure"
    again = open_workspace(rafah, store, author="lee")
    assert calls == {"drawn": 1, "read": 2}, "nothing of the upload is built or read again"
    assert again.extra == first.extra and again.measured == first.measured
    assert len(again.user.areas) == 1 and calls["read"] == 2, "counted without reading"

    from sitmap.page.workbench import measure_corridors

    every_area = measure_corridors(rafah, again.measured.items, areas=tuple(again.user.areas))
    assert again.measured.reports == every_area.reports, "the same figures as against all"

    store.delete(saved.sketch_id, base_revision=saved.revision, author="dana")
    open_workspace(rafah, store, author="dana")
    store.save(draft, base_revision=None, author="dana")  # a new sketch: built afresh
    open_workspace(rafah, store, author="dana")
    assert calls["drawn"] == 2
    assert uploads._DRAWN.get(uploads.revision_key(saved)) is None, "removed: forgotten"


def test_the_largest_accepted_upload_stays_under_the_map_bound() -> None:
    from sitmap.io.limits import ImportLimits
    from sitmap.mapview.userlayers import MAX_DISPLAY_BYTES, map_bytes, upload_display

    limits = ImportLimits()
    count = limits.max_features
    side = int(np.ceil(np.sqrt(count)))
    i = np.arange(count)
    x, y = 34.2 + (i % side) * 4e-4, 31.215 + (i // side) * 4e-4
    squares = shapely.box(x, y, x + 2e-4, y + 2e-4)
    props = [{"name": f"block {k}", "note": HOSTILE * 20} for k in range(count)]
    many = upload_display("blocks.geojson", squares, props, layer_id="upload:1")
    assert many.features == count
    assert map_bytes(many.layer.features) <= MAX_DISPLAY_BYTES
    assert many.nbytes == pytest.approx(map_bytes(many.layer.features), rel=0.01)
    assert 100 <= len(many.layer.features["features"]) <= 1_100, "drawn as a grid"
    counts = [f["properties"]["_popup"] for f in many.layer.features["features"]]
    assert all("of 100,000" in popup for popup in counts)

    angle = np.linspace(0, 2 * np.pi, limits.max_vertices - 1, endpoint=False)
    jagged = 0.01 + 1e-4 * (np.arange(len(angle)) % 2)  # a saw-tooth edge: hard to simplify
    ring = Polygon(np.c_[34.27 + jagged * np.cos(angle), 31.28 + jagged * np.sin(angle)])
    big = upload_display("coast.geojson", [ring], [{"name": "coast"}], layer_id="upload:2")
    assert map_bytes(big.layer.features) <= MAX_DISPLAY_BYTES
    assert big.exact_zoom is not None and big.exact_zoom < 18, "simplified for a coarser zoom"
    assert "simplified for display" in big.layer.title


def test_popups_and_titles_say_the_drawing_is_simplified_and_from_what() -> None:
    from sitmap.mapview.userlayers import upload_display

    name = f"{HOSTILE}.geojson"
    small = upload_display(name, [wiggly_ring(200)], [{"name": "ring"}], layer_id="upload:1")
    grid = upload_display(
        name,
        shapely.points(np.linspace(34.2, 34.3, 5_000), np.linspace(31.2, 31.3, 5_000)),
        [{}] * 5_000,
        layer_id="upload:2",
    )
    for display in (small, grid):
        for feature in display.layer.features["features"]:
            popup = feature["properties"]["_popup"]
            assert "simplified for display" in popup
            assert "Uploaded, unverified: &lt;script&gt;" in popup and HOSTILE not in popup
            assert HOSTILE not in feature["properties"]["_tooltip"]
    assert (
        "measures use the full shape" in small.layer.features["features"][0]["properties"]["_popup"]
    )
    assert "5,000 features, drawn as" in grid.layer.title
    assert "simplified for display" in grid.layer.title
