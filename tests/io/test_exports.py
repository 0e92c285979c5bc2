"""Tests for sitmap.io.exports: corridors with their measures as GeoJSON, KML and GeoPackage."""

from __future__ import annotations

import json
from pathlib import Path

import defusedxml.ElementTree as SafeET
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, MultiLineString, Point

from sitmap.analysis.corridors import measure_many
from sitmap.errors import CorridorError
from sitmap.io import exports
from sitmap.io.exports import EXPORT_NOTE, ExportItem
from sitmap.situation import Situation, load_situation
from sitmap.validation import check_collection
from tests.conftest import RAFAH

KML_NS = {"k": "http://www.opengis.net/kml/2.2"}
HOSTILE = [
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    "]]><![CDATA[ & &amp; \"quoted\" 'single'",
    "Option A: خروج — יציאה 🚑",
]
FORMATS = ("geojson", "kml", "gpkg")


@pytest.fixture(scope="module")
def rafah() -> Situation:
    return load_situation(RAFAH)


@pytest.fixture(scope="module")
def items(rafah: Situation) -> list[ExportItem]:
    frame = rafah.layer("corridors").frame
    lines = list(frame.geometry)
    lines.append(
        MultiLineString([[(34.25, 31.28), (34.26, 31.29)], [(34.27, 31.29), (34.28, 31.3)]])
    )
    reports = measure_many(lines, rafah, idents=[*frame["id"], "multi"])
    names = [*HOSTILE[:3], HOSTILE[3]]
    return [
        ExportItem(
            name=name,
            geometry=line,
            report=report,
            author="analyst <b>one</b>" if i == 0 else None,
            revision=i + 1 if i % 2 == 0 else None,
            notes="checked against the 19 Oct map" if i == 1 else None,
        )
        for i, (name, line, report) in enumerate(zip(names, lines, reports, strict=True))
    ]


def text(value: object) -> str:
    """A string column's value; an empty string may come back as missing."""
    return "" if pd.isna(value) else str(value)


def read_back(data: bytes, fmt: str, tmp_path: Path):
    path = tmp_path / f"corridors{exports.EXTENSIONS[fmt]}"
    path.write_bytes(data)
    return pyogrio.read_dataframe(path)


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_keeps_geometry_and_measures(
    items: list[ExportItem], fmt: str, tmp_path: Path
) -> None:
    frame = read_back(exports.export_bytes(items, fmt=fmt), fmt, tmp_path)
    assert len(frame) == len(items)
    names = frame["Name"] if fmt == "kml" else frame["name"]
    assert list(names) == [item.name for item in items]
    for row, item in zip(frame.itertuples(), items, strict=True):
        r = item.report
        got = shapely.get_coordinates(row.geometry)
        assert np.allclose(got, shapely.get_coordinates(item.geometry), rtol=0, atol=1e-12)
        assert row.length_m == pytest.approx(r.length_m, rel=1e-12)
        assert row.length_in_controlled_m == pytest.approx(r.length_in_controlled_m, rel=1e-12)
        assert int(row.control_line_crossings) == r.control_line_crossings
        assert text(row.start_in) == "; ".join(r.start_in)
        assert text(row.end_in) == "; ".join(r.end_in)
        assert row.nearest_crossing == r.nearest_crossing.name
        assert row.nearest_crossing_m == pytest.approx(r.nearest_crossing.distance_m, abs=1e-9)
        assert row.walk_minutes == pytest.approx(r.walk_minutes, rel=1e-12)
        assert row.drive_minutes == pytest.approx(r.drive_minutes, rel=1e-12)
        assert (row.walk_kmh, row.drive_kmh) == (4.0, 20.0)
        assert row.note == EXPORT_NOTE
        assert row.corridor_id == str(r.id)
    assert frame["author"].iloc[0] == "analyst <b>one</b>"
    assert list(frame["revision"].fillna(0)) == [1, 0, 3, 0]
    assert frame["geometry"].iloc[3].geom_type == "MultiLineString"


def test_geojson_is_rfc7946_with_every_measure(items: list[ExportItem]) -> None:
    doc = json.loads(exports.to_geojson(items))
    assert "crs" not in doc
    checked = check_collection(doc, file="export", kind=None, extent=None)
    assert checked.problems == []
    props = doc["features"][0]["properties"]
    assert props["name"] == HOSTILE[0]
    assert props["note"] == EXPORT_NOTE
    assert props["control_line_crossings"] == 1
    assert props["crossing_points"].count(" ") == 1  # "lon lat"
    assert "Tunnel enclave, Jenina (reported; estimate)" in props["passes_through"]
    assert "Abu Youssef al-Najjar hospital" in props["nearest_sensitive"]
    assert "illustrative sketch" in props["description"]
    assert doc["features"][0]["id"] == "corridor_exit_outside_held_area"


def test_hostile_names_stay_text_in_kml(items: list[ExportItem]) -> None:
    data = exports.to_kml(items)
    assert b"<script>" not in data and b"<img" not in data and b"<b>" not in data
    root = SafeET.fromstring(data)
    placemarks = root.findall(".//k:Placemark", KML_NS)
    assert [p.find("k:name", KML_NS).text for p in placemarks] == [i.name for i in items]
    simple = {d.get("name"): d.text for d in placemarks[0].findall(".//k:SimpleData", KML_NS)}
    assert simple["author"] == "analyst <b>one</b>"
    assert simple["note"] == EXPORT_NOTE
    assert "no endorsement" in placemarks[0].find("k:description", KML_NS).text


@settings(max_examples=25, deadline=None)
@given(
    st.text(
        st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\r"),
        min_size=1,
        max_size=40,
    )
)
def test_any_printable_name_survives_kml_and_gpkg(
    items: list[ExportItem], tmp_path_factory: pytest.TempPathFactory, name: str
) -> None:
    item = ExportItem(name=name, geometry=items[0].geometry, report=items[0].report)
    shown = name.strip() or str(items[0].report.id)  # surrounding blanks are not kept
    root = SafeET.fromstring(exports.to_kml([item]))
    assert root.find(".//k:Placemark/k:name", KML_NS).text == shown
    frame = read_back(exports.to_gpkg([item]), "gpkg", tmp_path_factory.mktemp("gpkg"))
    assert frame["name"].iloc[0] == shown
    assert json.loads(exports.to_geojson([item]))["features"][0]["properties"]["name"] == shown


def test_gpkg_is_one_corridors_table_in_wgs84(items: list[ExportItem], tmp_path: Path) -> None:
    path = tmp_path / "c.gpkg"
    path.write_bytes(exports.to_gpkg(items))
    info = pyogrio.read_info(path)
    assert info["layer_name"] == exports.LAYER_NAME
    assert info["crs"] == "EPSG:4326"
    assert info["features"] == len(items)


def test_export_frame_types(items: list[ExportItem]) -> None:
    frame = exports.export_frame(items)
    assert frame.crs == "EPSG:4326"
    assert frame["control_line_crossings"].dtype == np.int32
    assert str(frame["revision"].dtype) == "Int32"


def test_media_types_and_extensions_cover_every_format() -> None:
    assert set(exports.EXTENSIONS) == set(exports.MEDIA_TYPES) == set(FORMATS)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ([], r"export: -: no corridors to export"),
        ("point", r"export: Somewhere: cannot export a Point as a corridor"),
        ("empty", r"cannot export a LineString as a corridor; it must be a non-empty line"),
    ],
)
@pytest.mark.parametrize("fmt", FORMATS)
def test_nothing_to_export_is_refused(
    items: list[ExportItem], bad: object, message: str, fmt: str
) -> None:
    if bad == "point":
        bad = [ExportItem("Somewhere", Point(34.25, 31.28), items[0].report)]
    elif bad == "empty":
        bad = [ExportItem("Empty", LineString(), items[0].report)]
    with pytest.raises(CorridorError, match=message):
        exports.export_bytes(bad, fmt=fmt)  # type: ignore[arg-type]


def test_unknown_format_is_refused(items: list[ExportItem]) -> None:
    with pytest.raises(CorridorError, match=r"unknown export format 'shp'; choose one of geojson"):
        exports.export_bytes(items, fmt="shp")  # type: ignore[arg-type]


def test_write_file_is_whole_or_nothing_and_refuses_what_is_not_a_file(tmp_path: Path) -> None:
    import os

    from sitmap.errors import PathRefusedError

    target = tmp_path / "c.kml"
    exports.write_file(target, b"<kml/>")
    assert target.read_bytes() == b"<kml/>"
    exports.write_file(target, b"<kml>2</kml>")
    assert target.read_bytes() == b"<kml>2</kml>"
    pipe = tmp_path / "pipe.kml"
    os.mkfifo(pipe)
    with pytest.raises(PathRefusedError, match=r"pipe\.kml: -: is a FIFO \(named pipe\), not a"):
        exports.write_file(pipe, b"x")
    with pytest.raises(PathRefusedError, match=r"is a directory, not a regular file; not replaced"):
        exports.write_file(tmp_path, b"x")
    with pytest.raises(PathRefusedError, match=r"/dev/null: -: is a device"):
        exports.write_file("/dev/null", b"x")
    with pytest.raises(FileNotFoundError):
        exports.write_file(tmp_path / "missing" / "c.kml", b"x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.kml", "pipe.kml"]
