"""Uploads: every format read by content, every hostile file refused with its problem named."""

from __future__ import annotations

import io
import json
import math
import re
import socket
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitmap.errors import ImportRefusedError
from sitmap.io.imports import ImportedLayer, ImportFormat, ImportLimits, read_path, read_upload
from sitmap.schema import Extent
from sitmap.validation import check_collection, parse_geojson
from tests import hostile

REFERENCE = Path("/work/shared/reference")
RAFAH_EXTENT = Extent(west=34.2, south=31.2, east=34.6, north=31.6)
SMALL = ImportLimits(max_features=5, max_vertices=50, max_fields=3, zip_max_entries=5)


def refused(data: bytes, name: str, **options: Any) -> list[str]:
    """The problem lines of a refused file; each must start with the file's name."""
    with pytest.raises(ImportRefusedError) as info:
        read_upload(data, filename=name, **options)
    lines = [str(p) for p in info.value.problems]
    assert lines
    assert all(line.startswith(f"{name}: ") for line in lines), lines
    assert "internal error" not in str(info.value)
    return lines


def assert_json_safe(layer: ImportedLayer) -> None:
    """Every property value is plain JSON (no NaN/inf), every geometry valid WGS84."""
    frame = layer.frame
    assert frame.crs is not None
    assert frame.crs.to_epsg() == 4326
    properties = [c for c in frame.columns if c != frame.geometry.name]
    for column in properties:
        assert frame[column].dtype == object
        json.dumps(frame[column].tolist(), allow_nan=False)
    located = frame.geometry[frame.geometry.notna()]
    assert shapely.is_valid(located.array).all()
    if layer.bounds is not None:
        west, south, east, north = layer.bounds
        assert -180 <= west <= east <= 180
        assert -90 <= south <= north <= 90
    assert layer.feature_count == len(frame)
    document = parse_geojson(layer.to_geojson().encode(), file="out")
    assert not check_collection(document, file="out", kind=None, extent=None).problems


# --- accepted as they are ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "count"),
    [
        ("evacuation_blocks_gazamaps_via_btselem.geojson", 2000),
        ("army_held_zone_2025-09-09_gazamaps_via_btselem.geojson", 359),
    ],
)
def test_real_third_party_layers_are_accepted_as_they_are(name: str, count: int) -> None:
    path = REFERENCE / name
    if not path.is_file():
        pytest.skip("reference layers live in /work/shared (not in CI)")
    layer = read_path(path)
    assert layer.format is ImportFormat.GEOJSON
    assert layer.feature_count == count
    assert layer.geometry_types in (("MultiPolygon", "Polygon"), ("Polygon",))
    assert any("legacy 'crs' member (EPSG:4326) ignored" in n for n in layer.notes)
    assert_json_safe(layer)


def test_layer_shaped_like_the_reference_is_accepted() -> None:
    layer = read_upload(hostile.reference_like(), filename="blocks.geojson")
    assert layer.feature_count == 30
    assert layer.notes == ("legacy 'crs' member (EPSG:4326) ignored: GeoJSON is WGS84 lon/lat",)
    dates = layer.frame["Date"].tolist()
    assert dates[0] == 1_700_000_000_000
    assert dates[1] is None
    assert layer.frame["StatusText"].tolist()[:2] == ["Displaced", None]
    assert layer.bounds is not None
    assert RAFAH_EXTENT.contains(*layer.bounds[:2])
    assert_json_safe(layer)


def test_script_and_html_stay_data_in_keys_values_and_names() -> None:
    name = f"{hostile.SCRIPT}.geojson"
    layer = read_upload(hostile.script_in_properties(), filename=name)
    assert layer.filename == name
    assert layer.frame.loc[0, "name"] == hostile.SCRIPT
    assert layer.frame.loc[0, hostile.IMG] == "key is html"
    assert layer.frame.loc[1, hostile.SCRIPT] == hostile.SCRIPT
    assert_json_safe(layer)


def test_property_names_are_cleaned_and_kept_unique() -> None:
    layer = read_upload(hostile.control_characters_in_keys(), filename="keys.geojson")
    columns = list(layer.frame.columns)
    for name in ("ab", "ab_2", "linebreak", "geometry_2", "field", "[31m", "text", "long"):
        assert name in columns
    assert layer.frame.loc[0, "ab"] == 2, "an already clean name keeps its spelling"
    assert layer.frame.loc[0, "geometry_2"] == "a property"
    assert layer.frame.loc[1, "text"] == "nulinside"
    assert len(layer.frame.loc[1, "long"]) == 10_000
    assert any(n.startswith("property names cleaned") for n in layer.notes)
    assert "1 text longer than 10,000 characters cut" in layer.notes
    assert_json_safe(layer)


@pytest.mark.parametrize(
    ("name", "make", "fmt", "note"),
    [
        (
            "empty.geojson",
            hostile.empty_and_null_geometries,
            "GeoJSON",
            "3 features without geometry",
        ),
        (
            "utm.geojson",
            hostile.projected_with_legacy_crs,
            "GeoJSON",
            r"reprojected from EPSG:32636 \(WGS 84 / UTM zone 36N\) \(named by the legacy",
        ),
        (
            "utf16.geojson",
            hostile.utf16_geojson,
            "GeoJSON",
            "text was UTF-16-LE; converted to UTF-8",
        ),
        (
            "bare.geojson",
            lambda: hostile.utf16_geojson(bom=False),
            "GeoJSON",
            "UTF-16-LE without a byte-order mark",
        ),
        ("bom.geojson", hostile.utf8_bom_geojson, "GeoJSON", None),
        (
            "links.kml",
            hostile.network_link_kml,
            "KML",
            "ignored 1 NetworkLink, 1 GroundOverlay: linked files",
        ),
        ("utf16.kml", hostile.utf16_kml, "KML", "UTF-16-LE"),
        ("layer.kmz", hostile.kmz, "KMZ", None),
        ("roads.zip", hostile.shapefile_zip, "zipped Shapefile", None),
        (
            "roads.zip",
            lambda: hostile.shapefile_zip(hostile.frame(utm=True)),
            "zipped Shapefile",
            r"reprojected from EPSG:32636",
        ),
        (
            "noprj.zip",
            lambda: hostile.shapefile_zip(leave_out=(".prj",)),
            "zipped Shapefile",
            "no CRS declared; coordinates are longitude/latitude",
        ),
        (
            "places.gpkg",
            lambda: hostile.geopackage(hostile.frame(utm=True)),
            "GeoPackage",
            "tables without geometry skipped: 'notes'",
        ),
        ("incidents.csv", hostile.csv_incidents, "CSV", "CSV columns 'Latitude'/'Longitude' used"),
        ("mixed.csv", hostile.csv_mixed_types, "CSV", "no CRS declared"),
        ("semicolons.csv", hostile.csv_semicolon_decimal_comma, "CSV", "decimal commas"),
        ("shapes.csv", hostile.csv_wkt, "CSV", "CSV column 'geometry' read as WKT"),
        ("sheet.txt", hostile.csv_utf16_tab, "CSV", "UTF-16-LE"),
        ("misnamed.gpkg", hostile.reference_like, "GeoJSON", "named .gpkg but holds GeoJSON text"),
        (
            "zipped.zip",
            lambda: hostile.zipped({"a/layer.geojson": hostile.reference_like()}),
            "GeoJSON",
            "read 'a/layer.geojson' from the zip",
        ),
    ],
)
def test_awkward_but_readable_files_are_accepted_with_a_note(
    name: str, make: Callable[[], bytes], fmt: str, note: str | None
) -> None:
    layer = read_upload(make(), filename=name)
    assert layer.format.value == fmt
    if note is not None:
        assert any(re.search(note, n) for n in layer.notes), layer.notes
    assert_json_safe(layer)


def test_reprojected_layers_land_where_they_were() -> None:
    expected = hostile.frame().total_bounds
    for data, name in (
        (hostile.shapefile_zip(hostile.frame(utm=True)), "roads.zip"),
        (hostile.geopackage(hostile.frame(utm=True)), "places.gpkg"),
    ):
        layer = read_upload(data, filename=name)
        assert layer.reprojected
        assert layer.source_crs == "EPSG:32636 (WGS 84 / UTM zone 36N)"
        assert abs(layer.frame.total_bounds - expected).max() < 1e-6


def test_csv_columns_keep_types_and_mixed_columns_stay_text() -> None:
    layer = read_upload(hostile.csv_mixed_types(), filename="mixed.csv")
    assert layer.frame["value"].tolist() == ["12", "n/a", "3.5"]
    assert layer.frame["flag"].tolist() == ["true", "false", None]
    assert layer.frame["lon"].tolist() == [34.25, 34.26, 34.27]
    incidents = read_upload(hostile.csv_incidents(), filename="incidents.csv")
    assert incidents.frame["code"].tolist() == ["007", "x12", None], "leading zeros kept"
    assert incidents.frame["count"].tolist() == [3, 4, None]
    assert incidents.frame.geometry.isna().tolist() == [False, False, True]


def test_geopackage_layers_dates_non_finite_numbers_and_blobs() -> None:
    layer = read_upload(hostile.geopackage_rich(), filename="rich.gpkg")
    frame = layer.frame
    assert frame["layer"].tolist() == ["places"] * 3 + ["zones"]
    assert frame["when"].tolist()[:3] == ["2025-11-10T12:30:00", None, "2025-11-11T00:00:00"]
    assert frame["ratio"].tolist()[:3] == [0.5, None, None]
    assert "blob" not in frame.columns
    assert "binary fields dropped: 'blob'" in layer.notes
    assert "1 value not a finite number (NaN, infinity): emptied" in layer.notes
    assert_json_safe(layer)
    repaired = read_upload(hostile.geopackage_rich(bowtie=True), filename="rich.gpkg")
    assert repaired.frame.geometry.is_valid.all()
    assert any(
        n.startswith("invalid geometry repaired (shapely make_valid) and kept: zones/tie (")
        for n in repaired.notes
    )


def test_several_shapefiles_in_one_zip_are_layers() -> None:
    one = hostile.shapefile_zip(stem="roads")
    two = hostile.shapefile_zip(hostile.frame(utm=True), stem="zones")
    entries = {}
    for data in (one, two):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries |= {name: archive.read(name) for name in archive.namelist()}
    layer = read_upload(hostile.zipped(entries), filename="both.zip")
    assert layer.frame["layer"].tolist() == ["roads"] * 3 + ["zones"] * 3
    assert layer.source_crs == "EPSG:4326 (WGS 84); EPSG:32636 (WGS 84 / UTM zone 36N)"
    assert_json_safe(layer)


def test_csv_duplicate_column_names_are_kept_apart() -> None:
    layer = read_upload(b"lon,lat,name,name\n34.25,31.28,a,b\n", filename="dup.csv")
    assert layer.frame.loc[0, "name"] == "a"
    assert layer.frame.loc[0, "name_2"] == "b"


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("metres.kml", lambda: hostile.kml(hostile.point_placemark("x", lon=616000, lat=3461000))),
        (
            "metres.gpkg",
            lambda: hostile.geopackage(hostile.frame(utm=True).set_crs(4326, allow_override=True)),
        ),
    ],
)
def test_metres_declared_as_degrees_are_refused(name: str, make: Callable[[], bytes]) -> None:
    with pytest.raises(
        ImportRefusedError, match=r"look projected .*yet the file declares EPSG:4326"
    ):
        read_upload(make(), filename=name)


def test_links_in_kml_are_never_fetched() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        url = f"http://127.0.0.1:{port}"
        links = (
            f"<NetworkLink><Link><href>{url}/net.kml</href></Link></NetworkLink>"
            f"<Style id='s'><IconStyle><Icon><href>{url}/icon.png</href></Icon></IconStyle></Style>"
            f"<GroundOverlay><Icon><href>{url}/map.png</href></Icon></GroundOverlay>"
        )
        placemark = hostile.point_placemark("p").replace(
            "<Point>", f"<styleUrl>{url}/s.kml#s</styleUrl><Point>"
        )
        layer = read_upload(hostile.kml(placemark, document=links), filename="links.kml")
        server.settimeout(0.2)
        with pytest.raises(TimeoutError):
            server.accept()
    assert layer.feature_count == 1
    assert "KML styles ignored (the map draws uploads in its own style)" in layer.notes


def test_summary_names_format_count_types_crs_and_bounds() -> None:
    layer = read_upload(hostile.shapefile_zip(hostile.frame(utm=True)), filename="roads.zip")
    text = layer.summary()
    assert "format: zipped Shapefile" in text
    assert "features: 3" in text
    assert "geometry types: Polygon" in text
    assert "CRS: EPSG:32636 (WGS 84 / UTM zone 36N), reprojected to EPSG:4326" in text
    assert "bounds (WGS 84 degrees): west 34.24000, south 31.27000" in text
    assert "note: reprojected from EPSG:32636" in text
    names = read_upload(hostile.csv_incidents(), filename="a\x1b[31m.csv").summary()
    assert "\x1b" not in names
    assert "file: a\\x1b[31m.csv" in names


# --- refused, with the problem named -----------------------------------------------------


@pytest.mark.parametrize(
    ("name", "make", "feature", "match"),
    [
        ("zero.geojson", lambda: b"", "-", r"file is empty \(0 bytes\)"),
        (
            "nan.geojson",
            hostile.nan_and_infinite_coordinates,
            "nan",
            r"coordinate nan is not a finite number",
        ),
        (
            "nan.geojson",
            hostile.nan_and_infinite_coordinates,
            "big",
            r"coordinate inf is not a finite number",
        ),
        ("huge.geojson", hostile.huge_coordinates, "e300", r"look projected"),
        (
            "huge.geojson",
            hostile.huge_coordinates,
            "digits",
            r"coordinate with 401 digits is too large",
        ),
        ("huge.geojson", hostile.huge_integer, "-", r"a number has thousands of digits"),
        (
            "metres.geojson",
            hostile.projected_without_crs,
            "#0",
            r"look projected .*reproject to EPSG:4326",
        ),
        (
            "crs.geojson",
            hostile.unknown_legacy_crs,
            "-",
            r"legacy 'crs' member names '\+proj=utm.*which sitmap does not know",
        ),
        (
            "far.geojson",
            hostile.latitude_out_of_range,
            "far",
            r"latitude out of range .*likely \[lat, lon\]",
        ),
        ("deep.json", hostile.deeply_nested, "-", r"nested too deeply"),
        (
            "deep.geojson",
            hostile.deeply_nested_property,
            "deep",
            r"property 'deep' is nested more than 32 levels",
        ),
        (
            "latin1.geojson",
            hostile.latin1_geojson,
            "-",
            r"not UTF-8 text \(byte 0xe9 at offset 55\)",
        ),
        (
            "truncated.geojson",
            lambda: hostile.reference_like()[:-10],
            "-",
            r"not valid JSON: .*line 1",
        ),
        (
            "laughs.kml",
            hostile.billion_laughs_kml,
            "-",
            r"DOCTYPE declaration: refused.*billion laughs",
        ),
        (
            "xxe.kml",
            hostile.external_entity_kml,
            "-",
            r"DOCTYPE declaration: refused.*external-entity",
        ),
        ("xxe.kml", lambda: hostile.external_entity_kml("http://127.0.0.1:9/x"), "-", r"DOCTYPE"),
        (
            "drawing.svg",
            lambda: b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>',
            "-",
            r"XML, but not KML or GPX \(root element <svg>\)",
        ),
        ("broken.kml", hostile.malformed_xml, "-", r"not well-formed XML: .*line 2"),
        ("slip.zip", hostile.zip_slip, "entry '../../evil.kml'", r"climbs out of the archive"),
        ("slip.zip", hostile.zip_slip, "entry '/etc/cron.d/evil'", r"absolute path"),
        ("bomb.zip", hostile.zip_bomb, "-", r"would unpack to 315 MB; the limit is 200 MB"),
        ("ratio.zip", hostile.ratio_bomb, "-", r"expands [\d,]+ times .*likely zip bomb"),
        ("lying.kmz", hostile.lying_zip, "entry 'doc.kml'", r"is damaged \(Bad CRC-32"),
        ("many.zip", hostile.many_entries, "-", r"holds 150 entries; the limit is 100"),
        ("link.kmz", hostile.symlink_zip, "entry 'doc.kml'", r"symbolic link"),
        (
            "secret.kmz",
            hostile.encrypted_zip,
            "entry 'doc.kml'",
            r"encrypted \(password-protected\)",
        ),
        (
            "nothing.zip",
            hostile.useless_zip,
            "-",
            r"no Shapefile \(\.shp\) or KML \(\.kml\) inside; it holds 'readme.txt'",
        ),
        (
            "noshx.zip",
            lambda: hostile.shapefile_zip(leave_out=(".shx",)),
            "entry 'roads/roads.shp'",
            r"has no \.shx beside it",
        ),
        (
            "nodbf.zip",
            lambda: hostile.shapefile_zip(leave_out=(".dbf",)),
            "entry 'roads/roads.shp'",
            r"has no \.dbf beside it",
        ),
        (
            "metres.zip",
            lambda: hostile.shapefile_zip(hostile.frame(utm=True), leave_out=(".prj",)),
            "-",
            r"coordinates look projected \(e\.g\. \d+, \d+\) and the file declares no CRS; add its \.prj file",
        ),
        (
            "noise.gpkg",
            hostile.random_bytes,
            "-",
            r"named \.gpkg but is not a GeoPackage \(not an SQLite file\): binary data",
        ),
        ("plain.gpkg", hostile.plain_sqlite, "-", r"an SQLite database but not a GeoPackage"),
        (
            "cut.gpkg",
            lambda: hostile.geopackage()[:3000],
            "-",
            r"cannot be opened as GeoPackage: the database is damaged \(the reading library",
        ),
        (
            "noise.bin",
            hostile.random_bytes,
            "-",
            r"binary data, not text \(it starts with bytes 38 b4",
        ),
        ("image.kml", hostile.png_named_kml, "-", r"is a PNG image, not a map layer"),
        (
            "roads.shp",
            hostile.bare_shp,
            "-",
            r"a Shapefile part on its own; zip the \.shp, \.shx, \.dbf",
        ),
        (
            "bad.csv",
            hostile.csv_bad_numbers,
            "row 3",
            r"longitude '34\.2x' in column 'lon' is not a number",
        ),
        (
            "bad.csv",
            hostile.csv_bad_numbers,
            "row 4",
            r"latitude 'NaN' in column 'lat' is not a number",
        ),
        ("bad.csv", hostile.csv_bad_numbers, "row 5", r"has a longitude but no latitude"),
        (
            "places.csv",
            hostile.csv_no_coordinates,
            "-",
            r"no longitude/latitude columns found; columns are: 'place', 'when'",
        ),
        ("swapped.csv", hostile.csv_swapped, "-", r"columns 'lat' and 'lon' look swapped"),
        (
            "metres.csv",
            hostile.csv_projected,
            "-",
            r"coordinates look projected \(e\.g\. 616000, 3461000\)",
        ),
        (
            "ragged.csv",
            hostile.csv_ragged,
            "row 2",
            r"has 4 cells but the header has 3 \(an unquoted comma\?\)",
        ),
    ],
)
def test_bad_or_hostile_files_are_refused_naming_the_problem(
    name: str, make: Callable[[], bytes], feature: str, match: str
) -> None:
    with pytest.raises(ImportRefusedError, match=match) as info:
        read_upload(make(), filename=name)
    lines = [str(p) for p in info.value.problems]
    assert all(line.startswith(f"{name}: ") for line in lines), lines
    assert any(line.startswith(f"{name}: {feature}: ") for line in lines), lines
    assert "internal error" not in str(info.value)


def test_swapped_axes_are_named_against_the_situation() -> None:
    accepted = read_upload(hostile.swapped_axes(), filename="swapped.geojson")
    assert accepted.bounds == (31.28, 34.25, 31.28, 34.25), (
        "in range: nothing to tell without a situation"
    )
    with pytest.raises(ImportRefusedError, match=r"longitude and latitude look swapped"):
        read_upload(hostile.swapped_axes(), filename="swapped.geojson", extent=RAFAH_EXTENT)
    rows = hostile.csv_text([["lon", "lat"], [31.28, 34.25]])
    with pytest.raises(ImportRefusedError, match=r"look swapped.*wrong way round"):
        read_upload(rows, filename="swapped.csv", extent=RAFAH_EXTENT)


@pytest.mark.parametrize(
    ("make", "name", "match"),
    [
        (
            lambda: hostile.many_points(6),
            "points.geojson",
            r"holds 6 features; the limit is 5 \(SITMAP_IMPORT_MAX_FEATURES\)",
        ),
        (
            lambda: hostile.long_line(51),
            "line.geojson",
            r"long: has 51 vertices; the limit is 50 per feature",
        ),
        (
            lambda: hostile.csv_text([["lon", "lat"]] + [[34.25, 31.28]] * 6),
            "rows.csv",
            r"holds more than 5 features",
        ),
        (
            lambda: hostile.csv_text([["lon", "lat", "a", "b"], [34.25, 31.28, 1, 2]]),
            "wide.csv",
            r"has 4 property names; the limit is 3",
        ),
        (
            lambda: hostile.zipped({f"f{i}": b"" for i in range(6)}),
            "six.zip",
            r"holds 6 entries; the limit is 5",
        ),
        (
            lambda: hostile.shapefile_zip(hostile.frame().iloc[[0] * 6]),
            "roads.zip",
            r"holds 6 features; the limit is 5",
        ),
    ],
)
def test_limits_are_applied(make: Callable[[], bytes], name: str, match: str) -> None:
    with pytest.raises(ImportRefusedError, match=match):
        read_upload(make(), filename=name, limits=SMALL)


def test_oversized_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.geojson"
    path.write_bytes(hostile.many_points(100))
    limits = ImportLimits(max_mb=0.001)
    with pytest.raises(ImportRefusedError, match=r"file is 0\.0 MB; the limit is 0\.001 MB"):
        read_path(path, limits=limits)
    with pytest.raises(ImportRefusedError, match=r"big\.geojson: -: file is"):
        read_upload(path.read_bytes(), filename="big.geojson", limits=limits)


def test_reading_past_the_time_limit_is_stopped() -> None:
    data = hostile.many_points(20_000)
    limits = ImportLimits(timeout_s=0.01, max_features=50_000)
    with pytest.raises(ImportRefusedError, match=r"reading took longer than 0\.01 s .*was stopped"):
        read_upload(data, filename="slow.geojson", limits=limits)


def test_reading_past_the_memory_limit_is_stopped() -> None:
    data = hostile.dumps(hostile.collection(hostile.feature(id="big", text="x" * 30_000_000)))
    limits = ImportLimits(max_memory_mb=64)
    with pytest.raises(
        ImportRefusedError, match=r"greedy\.geojson: -: .*more than 64 MB of memory"
    ):
        read_upload(data, filename="greedy.geojson", limits=limits)


def test_many_problems_are_listed_up_to_a_cap() -> None:
    lon, lat = hostile.RAFAH
    ring = [[lon, lat], [lon + 0.01, lat + 0.01], [lon + 0.01, lat], [lon, lat + 0.01]]
    open_ring = {"type": "Polygon", "coordinates": [ring]}
    data = hostile.dumps(hostile.collection(*(hostile.feature(open_ring) for _ in range(80))))
    lines = refused(data, "open-rings.geojson")
    assert len(lines) == 51
    assert lines[-1] == "open-rings.geojson: -: ... and 30 more problems (30 features)"


def test_invalid_polygons_are_repaired_and_each_named() -> None:
    layer = read_upload(hostile.bowtie_polygon(), filename="bowtie.geojson")
    assert layer.frame.geometry.is_valid.all()
    assert any(
        n.startswith("invalid geometry repaired (shapely make_valid) and kept: bowtie (edges cross")
        for n in layer.notes
    )


def test_limits_come_from_the_environment() -> None:
    limits = ImportLimits.from_env(
        {
            "SITMAP_IMPORT_MAX_MB": "5",
            "SITMAP_IMPORT_TIMEOUT_S": "2.5",
            "SITMAP_IMPORT_MAX_FEATURES": "x",
        }
    )
    assert limits.max_mb == 5
    assert limits.timeout_s == 2.5
    assert limits.max_features == ImportLimits().max_features
    assert ImportLimits.from_env({}) == ImportLimits()


def test_read_path_refuses_what_is_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(ImportRefusedError, match=r"missing\.kml: -: file does not exist"):
        read_path(tmp_path / "missing.kml")
    with pytest.raises(ImportRefusedError, match=r"is a folder, not a file"):
        read_path(tmp_path)
    if Path("/dev/zero").exists():
        with pytest.raises(ImportRefusedError, match=r"/dev/zero: -: is not a regular file"):
            read_path("/dev/zero")


def test_uploads_leave_nothing_behind_and_names_are_never_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    read_upload(hostile.shapefile_zip(), filename="../../../etc/roads.zip")
    refused(hostile.zip_slip(), "slip.zip")
    refused(hostile.external_entity_kml(), "/tmp/evil.kml")
    assert list(tmp_path.iterdir()) == []


def test_concurrent_uploads_each_get_their_own_reader() -> None:
    uploads = [
        (hostile.reference_like(), "a.geojson"),
        (hostile.csv_incidents(), "b.csv"),
        (hostile.kmz(), "c.kmz"),
        (hostile.shapefile_zip(), "d.zip"),
        (hostile.zip_slip(), "e.zip"),
        (hostile.geopackage(), "f.gpkg"),
    ]

    def read(upload: tuple[bytes, str]) -> str:
        data, name = upload
        try:
            return read_upload(data, filename=name).filename
        except ImportRefusedError as err:
            return str(err).split(":")[0]

    with ThreadPoolExecutor(max_workers=len(uploads)) as pool:
        names = list(pool.map(read, uploads))
    assert names == [name for _, name in uploads]


# --- fuzzing ----------------------------------------------------------------------------

numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(min_value=-180, max_value=180),
)
positions = st.lists(numbers, min_size=0, max_size=4)
json_values = st.recursive(
    st.none() | st.booleans() | numbers | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
geometries = st.one_of(
    st.none(),
    json_values,
    st.fixed_dictionaries(
        {
            "type": st.sampled_from(["Point", "LineString", "Polygon", "MultiPoint", "Bogus"]),
            "coordinates": st.one_of(
                positions,
                st.lists(positions, max_size=5),
                st.lists(st.lists(positions, max_size=5), max_size=3),
            ),
        }
    ),
)
features = st.fixed_dictionaries(
    {
        "type": st.sampled_from(["Feature", "Feature", "feature"]),
        "properties": st.one_of(
            st.none(), st.dictionaries(st.text(max_size=10), json_values, max_size=5)
        ),
        "geometry": geometries,
    }
)
documents = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {"type": st.just("FeatureCollection"), "features": st.lists(features, max_size=6)},
        optional={"crs": json_values},
    ),
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=documents)
def test_fuzzed_geojson_is_accepted_cleanly_or_refused_with_named_problems(document: Any) -> None:
    data = json.dumps(document, allow_nan=True).encode()
    try:
        layer = read_upload(data, filename="fuzz.geojson")
    except ImportRefusedError as err:
        assert all(str(p).startswith("fuzz.geojson: ") for p in err.problems)
        assert "internal error" not in str(err)
        return
    assert_json_safe(layer)


@settings(max_examples=60, deadline=None)
@given(
    data=st.binary(max_size=600),
    name=st.sampled_from(
        ["x.geojson", "x.kml", "x.kmz", "x.zip", "x.gpkg", "x.csv", "x", "<b>.json"]
    ),
    prefix=st.sampled_from(
        [b"", b"PK\x03\x04", b"SQLite format 3\x00", b"<kml>", b"{", b"lon,lat\n"]
    ),
)
def test_any_bytes_are_read_or_refused_never_crash(data: bytes, name: str, prefix: bytes) -> None:
    try:
        layer = read_upload(prefix + data, filename=name)
    except ImportRefusedError as err:
        assert all(str(p).startswith(f"{name}: ") for p in err.problems)
        assert "internal error" not in str(err)
        return
    assert_json_safe(layer)


# --- the command line -------------------------------------------------------------------


def test_sitmap_import_check_never_shows_a_traceback(tmp_path: Path) -> None:
    files = {
        "blocks.geojson": hostile.reference_like(),
        "laughs.kml": hostile.billion_laughs_kml(),
        "slip.zip": hostile.zip_slip(),
        "noise.gpkg": hostile.random_bytes(),
        "bad.csv": hostile.csv_bad_numbers(),
        "deep.json": hostile.deeply_nested(),
        "roads.zip": hostile.shapefile_zip(hostile.frame(utm=True)),
    }
    for name, data in files.items():
        path = tmp_path / name
        path.write_bytes(data)
        run = subprocess.run(
            [sys.executable, "-m", "sitmap.cli", "import", str(path), "--check"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert run.returncode in (0, 1), run.stderr
        assert "Traceback" not in run.stderr
        if run.returncode == 0:
            assert f"file: {path}" in run.stdout
            assert "format: " in run.stdout
            assert not run.stderr
        else:
            lines = run.stderr.splitlines()
            assert lines
            assert all(line.startswith(f"{path}: ") for line in lines), lines


def test_sitmap_import_prints_rfc7946_geojson(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from sitmap.cli import main

    path = tmp_path / "incidents.csv"
    path.write_bytes(hostile.csv_incidents())
    assert main(["import", str(path)]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["type"] == "FeatureCollection"
    assert len(document["features"]) == 3
    assert document["features"][0]["geometry"] == {"type": "Point", "coordinates": [34.25, 31.28]}
    assert not math.isnan(document["features"][0]["properties"]["count"])
