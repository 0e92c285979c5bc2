"""The situation's own layers, as shown, exported with their provenance: GeoJSON, KML, GPKG."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pyogrio
import pytest

from sitmap.analysis.timeline import valid_at
from sitmap.errors import SitmapError
from sitmap.io.layerexports import LAYERS_NOTE, PROVENANCE, layers_bytes, shown_records
from sitmap.situation import Situation, load_situation
from tests.conftest import RAFAH

DAY = dt.date(2025, 11, 28)
SINCE = dt.date(2025, 11, 1)


@pytest.fixture(scope="module")
def rafah() -> Situation:
    return load_situation(RAFAH)


@pytest.fixture(scope="module")
def records(rafah: Situation) -> dict:
    return shown_records(rafah, frozenset(rafah.layers), DAY, since=SINCE)


def expected(rafah: Situation) -> dict[tuple[str, str], dict]:
    """Every shown feature's provenance, from the situation's frames."""
    found = {}
    for layer_id, layer in rafah.layers.items():
        frame = layer.frame
        if layer.spec.kind.value == "events":
            days = frame["time"].dt.date
            frame = frame[(days >= SINCE) & (days <= DAY)]
        else:
            frame = frame[valid_at(frame, DAY)]
        for row in frame.to_dict("records"):
            accuracy = row["accuracy_m"]
            found[(layer_id, str(row["id"]))] = {
                "source": list(row["source"]),
                "as_of": None if row["as_of"] is None else row["as_of"].isoformat(),
                "accuracy_m": None if accuracy != accuracy else int(accuracy),
                "approximate": bool(row["approximate"]),
            }
    return found


def test_what_is_shown_is_exported_once_each(rafah: Situation, records: dict) -> None:
    shown = {(layer, row["properties"]["id"]) for layer, rows in records.items() for row in rows}
    assert shown == set(expected(rafah))
    assert "evacuation_2024" in records and records["events"]  # every layer asked, events of range
    hidden = shown_records(rafah, frozenset({"control"}), dt.date(2025, 10, 10))
    assert set(hidden) == {"control"}
    assert all(r["properties"]["as_of"] <= "2025-10-10" for r in hidden["control"])


def test_geojson_keeps_provenance_as_json_values(rafah: Situation, records: dict) -> None:
    doc = json.loads(layers_bytes(records, fmt="geojson"))
    assert doc["type"] == "FeatureCollection"
    want = expected(rafah)
    assert len(doc["features"]) == len(want)
    for feature in doc["features"]:
        props = feature["properties"]
        key = (props["layer"], props["id"])
        got = {name: props.get(name) for name in PROVENANCE}
        assert got == want[key], key
        assert props["situation"] == rafah.id and props["note"] == LAYERS_NOTE
    jenina = next(f for f in doc["features"] if f["properties"].get("name_ar") == "الجنينة")
    assert jenina["geometry"]["type"] in {"Polygon", "MultiPolygon"}
    events = [f for f in doc["features"] if f["properties"]["layer"] == "events"]
    assert all(f["properties"]["time"].endswith("Z") for f in events)


def test_geopackage_round_trips_one_table_per_layer(
    rafah: Situation, records: dict, tmp_path: Path
) -> None:
    path = tmp_path / "shown.gpkg"
    path.write_bytes(layers_bytes(records, fmt="gpkg"))
    tables = {name for name, _kind in pyogrio.list_layers(path)}
    assert tables == {layer for layer, rows in records.items() if rows}
    want = expected(rafah)
    for table in tables:
        frame = pyogrio.read_dataframe(path, layer=table)
        assert frame.crs.to_epsg() == 4326
        for row in frame.to_dict("records"):
            accuracy = row["accuracy_m"]
            got = {
                "source": row["source"].split("; "),
                "as_of": row["as_of"] if isinstance(row["as_of"], str) else None,
                "accuracy_m": None if accuracy is None or accuracy != accuracy else int(accuracy),
                "approximate": bool(row["approximate"]),
            }
            assert got == want[(table, row["id"])], (table, row["id"])


def test_kml_round_trips_every_placemark_with_its_provenance(
    rafah: Situation, records: dict, tmp_path: Path
) -> None:
    path = tmp_path / "shown.kml"
    path.write_bytes(layers_bytes(records, fmt="kml"))
    assert b"<Placemark" in path.read_bytes()
    frame = pyogrio.read_dataframe(path)
    want = expected(rafah)
    assert len(frame) == len(want)
    ids = frame["id2"] if "id2" in frame else frame["id"]  # LIBKML reads 'id' as its own
    for ident, row in zip(ids, frame.to_dict("records"), strict=True):
        accuracy = row["accuracy_m"]
        got = {
            "source": row["source"].split("; "),
            "as_of": row["as_of"] or None,
            "accuracy_m": None if accuracy is None or accuracy != accuracy else int(accuracy),
            "approximate": bool(row["approximate"]),
        }
        assert got == want[(row["layer"], ident)], ident
    names = set(frame["Name"] if "Name" in frame else frame["name"])
    assert any("Jenina" in str(n) for n in names)


def test_nothing_shown_or_an_unknown_format_is_refused(rafah: Situation) -> None:
    with pytest.raises(SitmapError, match="nothing to export"):
        layers_bytes({"control": []}, fmt="gpkg")
    with pytest.raises(SitmapError, match="unknown layer export format"):
        layers_bytes(shown_records(rafah, frozenset({"control"}), DAY), fmt="shp")
