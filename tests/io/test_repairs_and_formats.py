"""Issue 14: others' slight mistakes repaired (noted), KML read without loss, plain words,
GPX/FlatGeobuf/GeoParquet, and event tables made into events for the timeline."""

from __future__ import annotations

import json
from typing import Any

import geopandas as gpd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from sitmap.errors import ImportRefusedError
from sitmap.io.events import (
    ACLED_ACCURACY_M,
    ACLED_TIME_PRECISION,
    EventColumns,
    events_from_layer,
    events_geojson,
    events_summary,
)
from sitmap.io.imports import ImportFormat, read_upload
from sitmap.schema import LayerKind
from sitmap.validation import check_collection

KML_HEAD = '<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2" xmlns:gx="http://www.google.com/kml/ext/2.2">'
BOWTIE = [[34.2, 31.2], [34.3, 31.3], [34.3, 31.2], [34.2, 31.3], [34.2, 31.2]]


def geojson(*geometries: dict[str, Any], ids: list[str] | None = None) -> bytes:
    features = [
        {
            "type": "Feature",
            "properties": {"id": (ids or [f"f{i}" for i in range(9)])[i]},
            "geometry": g,
        }
        for i, g in enumerate(geometries)
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def kml(body: str) -> bytes:
    return f"{KML_HEAD}{body}</kml>".encode()


# ---------------------------------------------------------------- repairs
def test_a_self_intersecting_polygon_is_repaired_kept_and_named_with_its_areas() -> None:
    layer = read_upload(geojson({"type": "Polygon", "coordinates": [BOWTIE]}), filename="b.geojson")
    assert layer.feature_count == 1
    shape = layer.frame.geometry.iloc[0]
    assert shape.is_valid and shape.geom_type == "MultiPolygon"
    [note] = [n for n in layer.notes if "repaired" in n]
    assert note.startswith(
        "invalid geometry repaired (shapely make_valid) and kept: f0 (edges cross"
    )
    assert "km² before" in note and "km² after" in note


def test_a_shapefile_style_self_touching_ring_from_gdal_is_repaired_too() -> None:
    ring = [(0, 0), (4, 0), (4, 4), (2, 4), (2, 2), (3, 3), (1, 3), (2, 2), (2, 4), (0, 4), (0, 0)]
    frame = gpd.GeoDataFrame({"name": ["x"]}, geometry=[shapely.Polygon(ring)], crs=4326)
    path_bytes = _gpkg_bytes(frame)
    layer = read_upload(path_bytes, filename="t.gpkg")
    assert layer.frame.geometry.iloc[0].is_valid
    assert any(n.startswith("invalid geometry repaired") for n in layer.notes)


def _gpkg_bytes(frame: gpd.GeoDataFrame, suffix: str = ".gpkg", **kw: Any) -> bytes:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"x{suffix}"
        if suffix == ".parquet":
            frame.to_parquet(path)
        else:
            frame.to_file(path, **kw)
        return path.read_bytes()


@pytest.mark.parametrize("x", [180.00000000000006, -180.0000000001, 180 + 1e-9])
def test_coordinates_a_hair_past_the_antimeridian_are_clamped(x: float) -> None:
    line = {"type": "LineString", "coordinates": [[170.0, 60.0], [x, 61.0]]}
    layer = read_upload(geojson(line), filename="ru.geojson")
    assert layer.bounds is not None and max(abs(layer.bounds[0]), abs(layer.bounds[2])) == 180.0
    assert any("clamped to the limit in f0" in n for n in layer.notes)


def test_a_coordinate_really_out_of_range_is_refused_quoting_that_vertex() -> None:
    line = {"type": "LineString", "coordinates": [[170.0, 60.0], [171.0, 60.0], [181.5, 61.0]]}
    with pytest.raises(
        ImportRefusedError,
        match=r"f0: coordinates such as \[181\.5, 61\] are out of range .*\(vertex 3 of 3\)",
    ):
        read_upload(geojson(line), filename="far.geojson")


def test_a_situation_file_stays_strict() -> None:
    doc = json.loads(geojson({"type": "Polygon", "coordinates": [BOWTIE]}))
    checked = check_collection(doc, file="s.geojson", kind=None, extent=None)
    assert [p.problem for p in checked.problems] == [
        "invalid geometry: self-intersection near lon 34.25, lat 31.25"
    ]


# ---------------------------------------------------------------- KML without loss
def test_placemarks_at_the_root_each_become_a_feature() -> None:
    body = "".join(
        f"<Placemark><name>P{i}</name><Point><coordinates>34.2{i},31.2</coordinates></Point></Placemark>"
        for i in range(3)
    )
    layer = read_upload(kml(body), filename="root.kml")
    assert layer.feature_count == 3
    assert layer.frame["name"].tolist() == ["P0", "P1", "P2"]


def test_tracks_become_lines_keeping_their_times() -> None:
    track = (
        "<gx:Track><when>2025-11-09T10:00:00Z</when><when>2025-11-09T10:05:00Z</when>"
        "<gx:coord>34.24 31.28 0</gx:coord><gx:coord>34.25 31.29 0</gx:coord></gx:Track>"
    )
    multi = f"<gx:MultiTrack>{track}{track.replace('34.2', '34.3')}</gx:MultiTrack>"
    layer = read_upload(
        kml(f"<Document><Placemark>{track}</Placemark><Placemark>{multi}</Placemark></Document>"),
        filename="tracks.kml",
    )
    assert [g.geom_type for g in layer.frame.geometry] == ["LineString", "MultiLineString"]
    assert layer.frame["coordinate_times"].iloc[0] == [
        "2025-11-09T10:00:00Z",
        "2025-11-09T10:05:00Z",
    ]
    assert len(layer.frame["coordinate_times"].iloc[1]) == 2


def test_a_bare_linear_ring_is_a_line() -> None:
    ring = "34.2,31.2 34.3,31.2 34.3,31.3 34.2,31.2"
    layer = read_upload(
        kml(f"<Placemark><LinearRing><coordinates>{ring}</coordinates></LinearRing></Placemark>"),
        filename="ring.kml",
    )
    assert layer.geometry_types == ("LineString",)


@pytest.mark.parametrize(
    ("ring", "match"),
    [
        (
            "34.2,31.2 34.3,31.2 34.3,31.3 34.2,31.3",
            r"a polygon ring is not closed \(first and last",
        ),
        ("34.2,31.2 34.3,31.2 34.3,31.3", r"a polygon ring needs at least 4 positions"),
    ],
)
def test_an_open_or_short_ring_is_refused_as_geojson_refuses_it(ring: str, match: str) -> None:
    polygon = f"<Polygon><outerBoundaryIs><LinearRing><coordinates>{ring}</coordinates></LinearRing></outerBoundaryIs></Polygon>"
    with pytest.raises(ImportRefusedError, match=r"open\.kml: Placemark 1 \(Zone\): " + match):
        read_upload(kml(f"<Placemark><name>Zone</name>{polygon}</Placemark>"), filename="open.kml")
    coords = [[float(v) for v in p.split(",")] for p in ring.split()]
    with pytest.raises(ImportRefusedError, match=r"f0: " + match):
        read_upload(geojson({"type": "Polygon", "coordinates": [coords]}), filename="open.geojson")


def test_a_coordinate_that_is_not_a_number_is_named_as_such() -> None:
    with pytest.raises(
        ImportRefusedError, match=r"bad\.kml: Placemark 1: coordinates: 'no' is not a number"
    ):
        read_upload(
            kml("<Placemark><Point><coordinates>no,no</coordinates></Point></Placemark>"),
            filename="bad.kml",
        )


def test_placemarks_without_geometry_are_kept_as_rows_and_counted() -> None:
    body = "<Placemark><name>only a name</name></Placemark><Placemark><Point><coordinates>34.2,31.2</coordinates></Point></Placemark>"
    layer = read_upload(kml(body), filename="mixed.kml")
    assert layer.feature_count == 2
    assert any("1 feature without geometry" in n for n in layer.notes)


def test_a_kml_with_no_placemark_is_refused() -> None:
    with pytest.raises(ImportRefusedError, match=r"KML holds no Placemark"):
        read_upload(kml("<Document><name>empty</name></Document>"), filename="empty.kml")


# ---------------------------------------------------------------- words
@pytest.mark.parametrize(
    ("geometry", "match"),
    [
        (
            {"type": "Point", "coordinates": [34.2]},
            r"a position has 1 value \(\[34\.2\]\); a position is \[longitude, latitude\]",
        ),
        (
            {"type": "MultiPoint", "coordinates": [34.2, 31.2]},
            r"found a number \(34\.2\) where a position \[longitude, latitude\] belongs",
        ),
        (
            {"type": "LineString", "coordinates": [[[34.2, 31.2], [34.3, 31.2]]]},
            r"nested one level too deep",
        ),
        ({"type": "Point", "coordinates": ["34.2", 31.2]}, r"coordinate '34\.2' is not a number"),
    ],
)
def test_bad_positions_are_named_in_plain_words(geometry: dict[str, Any], match: str) -> None:
    with pytest.raises(ImportRefusedError, match=match) as err:
        read_upload(geojson(geometry), filename="x.geojson")
    assert "nested 0 levels" not in str(err.value)


@pytest.mark.parametrize(
    ("doc", "match"),
    [
        (
            {
                "type": "FeatureCollection",
                "features": [{"type": "Feature", "properties": {}, "geometry": False}],
            },
            r"geometry must be an object or null, not true/false",
        ),
        ({"monthly": [1, 2]}, r'not GeoJSON: the JSON has no "type" member'),
        (
            {
                "type": "FeatureCollection",
                "features": [{"type": "Feature", "properties": 3, "geometry": None}],
            },
            r"properties must be an object, not a number",
        ),
    ],
)
def test_no_python_names_reach_a_message(doc: Any, match: str) -> None:
    with pytest.raises(ImportRefusedError, match=match) as err:
        read_upload(json.dumps(doc).encode(), filename="x.json")
    assert not any(name in str(err.value) for name in ("NoneType", "dict", " bool", "int)"))


def test_gdal_words_are_translated() -> None:
    from sitmap.io._words import gdal_in_words

    said = gdal_in_words(
        "IllegalArgumentException: Points of LinearRing do not form a closed linestring"
    )
    assert said.startswith("a polygon ring is not closed")
    assert gdal_in_words("something new") == "something new"


# ---------------------------------------------------------------- more formats
def _frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": ["Rafah crossing", "block"], "n": [1, None]},
        geometry=[shapely.Point(34.25, 31.28), shapely.box(34.2, 31.2, 34.3, 31.3)],
        crs=4326,
    )


@pytest.mark.parametrize(
    ("suffix", "fmt", "crs"),
    [(".fgb", ImportFormat.FLATGEOBUF, 4326), (".parquet", ImportFormat.GEOPARQUET, 32636)],
)
def test_flatgeobuf_and_geoparquet_are_read_and_reprojected(
    suffix: str, fmt: ImportFormat, crs: int
) -> None:
    data = _gpkg_bytes(_frame().to_crs(crs), suffix=suffix)
    layer = read_upload(data, filename=f"blocks{suffix}")
    assert layer.format is fmt
    assert layer.feature_count == 2
    assert layer.frame["name"].tolist() == ["Rafah crossing", "block"]
    assert layer.bounds == pytest.approx((34.2, 31.2, 34.3, 31.3), abs=1e-6)


def test_a_parquet_table_without_geometry_is_refused_saying_so() -> None:
    import io

    import pandas as pd

    buffer = io.BytesIO()
    pd.DataFrame({"a": [1, 2]}).to_parquet(buffer)
    with pytest.raises(ImportRefusedError, match=r"a Parquet table without GeoParquet metadata"):
        read_upload(buffer.getvalue(), filename="t.parquet")


def test_gpx_waypoints_routes_and_tracks() -> None:
    gpx = (
        b'<?xml version="1.0"?><gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1">'
        b'<wpt lat="31.28" lon="34.25"><name>W</name><time>2025-11-09T10:00:00Z</time></wpt>'
        b'<rte><name>R</name><rtept lat="31.28" lon="34.25"/><rtept lat="31.29" lon="34.26"/></rte>'
        b'<trk><name>T</name><trkseg><trkpt lat="31.28" lon="34.25"/><trkpt lat="31.3" lon="34.27"/></trkseg></trk>'
        b"</gpx>"
    )
    layer = read_upload(gpx, filename="walk.gpx")
    assert layer.format is ImportFormat.GPX
    assert layer.feature_count == 3
    assert set(layer.geometry_types) == {"Point", "LineString", "MultiLineString"}
    assert layer.frame["name"].tolist() == ["W", "R", "T"]


def test_gpx_with_a_doctype_is_refused_before_gdal_sees_it() -> None:
    gpx = b'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY x "y">]><gpx></gpx>'
    with pytest.raises(ImportRefusedError, match=r"DOCTYPE"):
        read_upload(gpx, filename="evil.gpx")


# ---------------------------------------------------------------- events
ACLED_HEADER = "event_id_cnty,event_date,time_precision,event_type,sub_event_type,actor1,actor2,location,latitude,longitude,geo_precision,source,notes,fatalities"


def acled(*rows: str) -> bytes:
    return ("\n".join((ACLED_HEADER, *rows)) + "\n").encode()


ROW = "PSE1,2025-11-09,1,Explosions/Remote violence,Air/drone strike,Military Forces of Israel,Civilians (Palestine),Rafah,31.28,34.25,1,Al Jazeera; Times of Israel,A strike hit a house.,3"


def test_an_acled_table_becomes_events_that_validate() -> None:
    rows = [
        ROW,
        ROW.replace("PSE1,", "PSE2,")
        .replace(",1,Expl", ",2,Expl")
        .replace(",34.25,1,", ",34.25,3,"),
    ]
    table = events_from_layer(read_upload(acled(*rows), filename="acled.csv"))
    features = table.collection["features"]
    first, second = (f["properties"] for f in features)
    assert first["id"] == "PSE1" and first["time"] == "2025-11-09T00:00:00Z"
    assert first["time_precision"] == "day" and second["time_precision"] == "week"
    assert first["accuracy_m"] == 2_000 and first["approximate"] is False
    assert second["accuracy_m"] == 50_000 and second["approximate"] is True
    assert first["source"] == ["al-jazeera", "times-of-israel"]
    assert first["source_names"] == ["Al Jazeera", "Times of Israel"]
    assert first["actors"] == ["Military Forces of Israel", "Civilians (Palestine)"]
    assert first["title"] == "Air/drone strike in Rafah"
    assert first["fatalities"] == 3
    assert features[0]["geometry"] == {"type": "Point", "coordinates": [34.25, 31.28]}
    checked = check_collection(
        json.loads(events_geojson(table)), file="e", kind=LayerKind.EVENTS, extent=None
    )
    assert checked.problems == []
    assert "events: 2 (2 with a place)" in events_summary(table)


def test_a_table_column_named_like_a_sitmap_field_is_kept_apart() -> None:
    """A table's own 'about' column is kept as 'table_about', never read as sitmap's
    (which would make the event a rival version of another feature)."""
    header = ACLED_HEADER + ",about"
    csv = f"{header}\n{ROW},the strike on the house\n".encode()
    table = events_from_layer(read_upload(csv, filename="acled.csv"))
    (props,) = (f["properties"] for f in table.collection["features"])
    assert props["table_about"] == "the strike on the house" and "about" not in props


def test_the_precision_tables_are_acleds() -> None:
    assert ACLED_TIME_PRECISION == {1: "day", 2: "week", 3: "month"}
    assert [ACLED_ACCURACY_M[c][0] for c in (1, 2, 3)] == [2_000, 10_000, 50_000]


def test_rows_that_cannot_be_dated_or_have_unknown_codes_are_named() -> None:
    bad_date = ROW.replace("2025-11-09", "someday")
    bad_code = ROW.replace("PSE1,", "PSE3,").replace(",1,Expl", ",7,Expl")
    with pytest.raises(ImportRefusedError) as err:
        events_from_layer(read_upload(acled(ROW, bad_date, bad_code), filename="a.csv"))
    lines = [str(p) for p in err.value.problems]
    assert lines == [
        "a.csv: row 3 (PSE1): cannot be dated: 'event_date' holds 'someday', not a date",
        "a.csv: row 4 (PSE3): time_precision '7' is not an ACLED code (1 day, 2 week, 3 month)",
    ] or lines == [
        "a.csv: row 3 (PSE1): cannot be dated: 'event_date' holds 'someday', not a date",
        "a.csv: row 4 (PSE3): time_precision 7 is not an ACLED code (1 day, 2 week, 3 month)",
    ]


def test_a_plain_table_with_mapped_columns_and_stated_defaults() -> None:
    data = b"when,what,who,lon,lat\n07 Nov 2025,Crossing closed,COGAT,34.25,31.28\n"
    options = EventColumns(
        date="when", title="what", actors=("who",), precision="week", accuracy_m=500
    )
    table = events_from_layer(read_upload(data, filename="mine.csv"), options=options)
    props = table.collection["features"][0]["properties"]
    assert props["time"] == "2025-11-07T00:00:00Z" and props["time_precision"] == "week"
    assert props["title"] == "Crossing closed" and props["actors"] == ["COGAT"]
    assert props["accuracy_m"] == 500 and props["approximate"] is True
    assert props["source"] == ["mine.csv"]
    assert any("the table itself is cited" in n for n in table.notes)


def test_a_missing_date_column_or_a_wrong_option_is_refused_naming_the_columns() -> None:
    layer = read_upload(b"name,lon,lat\nx,34.25,31.28\n", filename="nodate.csv")
    with pytest.raises(ImportRefusedError, match=r"no date column found .*'name', 'lon', 'lat'"):
        events_from_layer(layer)
    with pytest.raises(ImportRefusedError, match=r"no column named 'when' \(for the event date\)"):
        events_from_layer(layer, options=EventColumns(date="when"))


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["2025-11-09", "9 Nov 2025", "2025-11-09T10:00:00Z", "", "soon", "13/13/2025"]
        ),
        min_size=1,
        max_size=5,
    )
)
def test_any_dates_give_events_or_named_rows(dates: list[str]) -> None:
    body = "date,lon,lat\n" + "".join(f"{d},34.25,31.28\n" for d in dates)
    layer = read_upload(body.encode(), filename="d.csv")
    try:
        table = events_from_layer(layer)
    except ImportRefusedError as err:
        assert all(
            p.feature.startswith("row ") and "cannot be dated" in p.problem for p in err.problems
        )
    else:
        assert table.count == len(dates)
