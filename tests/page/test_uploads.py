"""Uploads as the page keeps them: stored FeatureCollections back to frames and areas."""

from __future__ import annotations

import json
from dataclasses import replace

import geopandas as gpd
from shapely.geometry import Point, Polygon

from sitmap.page.uploads import stored_layer_frame, upload_areas
from tests.conftest import HOSTILE_SCRIPT, stored_revision

HOSTILE = HOSTILE_SCRIPT


def test_upload_areas_name_each_polygon_and_its_file() -> None:
    frame = gpd.GeoDataFrame(
        {HOSTILE: ["<img src=x onerror=alert(2)>"], "name": ["Block 1"]},
        geometry=[Polygon([(34.2, 31.2), (34.3, 31.2), (34.3, 31.3), (34.2, 31.2)])],
        crs="EPSG:4326",
    )
    areas = upload_areas("evil.geojson", frame)
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
    frame = stored_layer_frame(stored_revision("x.geojson", content, kind="layer"))
    assert frame.crs.to_epsg() == 4326
    assert frame.geometry.iloc[0].equals(Point(34.25, 31.28))


def test_an_event_table_joins_the_timeline_not_the_point_layers(tmp_path) -> None:
    from sitmap.mapview.eventspayload import events_payload
    from sitmap.page.uploads import (
        add_events_upload,
        is_events_upload,
        uploaded_layers,
        with_uploaded_events,
    )
    from sitmap.schema import LayerKind
    from sitmap.situation import load_situation
    from sitmap.store import open_store
    from tests.conftest import RAFAH

    situation = load_situation(RAFAH)
    store = open_store(str(tmp_path / "s.sqlite3"))
    table = (
        b"event_id_cnty,event_date,time_precision,event_type,actor1,location,latitude,longitude,"
        b"geo_precision,source\n"
        b"PSE9,2025-11-09,2,Battles,Hamas,Rafah,31.28,34.25,1,Reuters\n"
    )
    events = add_events_upload(table, "acled.csv", situation, store, author="dana")
    assert events.count == 1
    revisions = store.list(kind="layer", situation=situation.id)
    assert [is_events_upload(r) for r in revisions] == [True]
    assert uploaded_layers(revisions).layers == ()
    shown = with_uploaded_events(situation, revisions)
    layers = shown.layers_of(LayerKind.EVENTS)
    assert len(layers) == len(situation.layers_of(LayerKind.EVENTS)) + 1
    assert layers[-1].spec.title == "Uploaded events, unverified: acled.csv"
    assert shown.sources["reuters"].publisher == "Reuters"
    assert "PSE9" in events_payload(shown)
    assert with_uploaded_events(situation, []) is situation


def test_a_stored_event_table_is_validated_once(tmp_path, monkeypatch) -> None:
    from sitmap.page import uploads
    from sitmap.situation import load_situation
    from sitmap.store import open_store
    from tests.conftest import RAFAH

    situation = load_situation(RAFAH)
    store = open_store(str(tmp_path / "s.sqlite3"))
    table = (
        b"event_id_cnty,event_date,time_precision,event_type,actor1,location,latitude,longitude,"
        b"geo_precision,source\n"
        b"PSE7,2025-11-08,1,Battles,Hamas,Rafah,31.28,34.25,1,Reuters\n"
    )
    uploads.add_events_upload(table, "acled.csv", situation, store, author="dana")
    checked: list[str] = []
    check = uploads.check_collection

    def counting(content, **kwargs):
        checked.append(kwargs["file"])
        return check(content, **kwargs)

    monkeypatch.setattr(uploads, "check_collection", counting)
    revisions = store.list(kind="layer", situation=situation.id)
    first = uploads.with_uploaded_events(situation, revisions)
    again = uploads.with_uploaded_events(situation, store.list(kind="layer"))
    assert checked == ["acled.csv"], "validated on the first run only"
    assert first.key == again.key
    assert "PSE7" in set(again.layers_of(uploads.LayerKind.EVENTS)[-1].frame["id"].astype(str))


def test_stored_shapes_read_from_the_text_match_the_parsed_ones() -> None:
    from sitmap.page.uploads import stored_rows

    ring = [[34.24, 31.27], [34.25, 31.27], [34.25, 31.28], [34.24, 31.27]]
    features = [
        {"type": "Feature", "properties": {"name": "a"}, "geometry": {"type": "Polygon",
                                                                       "coordinates": [ring]}},
        {"type": "Feature", "properties": {"name": HOSTILE, "n": 2}, "geometry": {
            "type": "MultiPolygon", "coordinates": [[ring], [[[x + 0.02, y] for x, y in ring]]]}},
        {"type": "Feature", "properties": None, "geometry": {"type": "GeometryCollection",
            "geometries": [{"type": "Point", "coordinates": [34.25, 31.28]}]}},
    ]  # fmt: skip
    content = {"type": "FeatureCollection", "features": features}
    spaced = stored_revision("a.geojson", content, kind="layer")
    compact = replace(spaced, content_json=json.dumps(content, separators=(",", ":")))
    fast, fast_props = stored_rows(compact)
    slow, slow_props = stored_rows(spaced)
    assert type(fast_props).__name__ == "_StoredProperties", "read from the text"
    assert isinstance(slow_props, list), "parsed"
    assert [g.wkt for g in fast] == [g.wkt for g in slow]
    assert list(fast_props) == list(slow_props) == [{"name": "a"}, {"name": HOSTILE, "n": 2}, {}]
    with_null = {"type": "FeatureCollection", "features": [*features, {
        "type": "Feature", "properties": {}, "geometry": None}]}  # fmt: skip
    shapes, _ = stored_rows(stored_revision("b.geojson", with_null, kind="layer"))
    assert shapes[-1] is None and len(shapes) == 4
