"""Generate hostile and awkward layer files for the import tests (nothing large is committed).

Each function returns the bytes of one file; the tests give them names. Coordinates are
WGS84 lon/lat in Rafah unless a case says otherwise.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import sqlite3
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely

SCRIPT = "<script>alert('x')</script>"
IMG = '<img src=x onerror="alert(1)">'
RAFAH = (34.25, 31.28)


def feature(geometry: Any = ..., *, ident: Any = None, **props: Any) -> dict[str, Any]:
    """A GeoJSON Feature; a Point in Rafah unless ``geometry`` is given (None: no place)."""
    if geometry is ...:
        geometry = {"type": "Point", "coordinates": list(RAFAH)}
    out: dict[str, Any] = {"type": "Feature", "properties": props, "geometry": geometry}
    if ident is not None:
        out["id"] = ident
    return out


def collection(*features: dict[str, Any], **members: Any) -> dict[str, Any]:
    return {"type": "FeatureCollection", **members, "features": list(features)}


def dumps(doc: Any) -> bytes:
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def square(lon: float = RAFAH[0], lat: float = RAFAH[1], size: float = 0.01) -> dict[str, Any]:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


# --- GeoJSON ---------------------------------------------------------------------------


def script_in_properties() -> bytes:
    """Script and HTML in property keys and values; a valid layer otherwise."""
    return dumps(
        collection(
            feature(**{"id": "a", "name": SCRIPT, IMG: "key is html", "note": f"x{IMG}y"}),
            feature(square(), **{"id": "b", SCRIPT: SCRIPT}),
        )
    )


def bowtie_polygon() -> bytes:
    """A self-intersecting polygon (a bow tie) next to a valid one."""
    lon, lat = RAFAH
    ring = [[lon, lat], [lon + 0.01, lat + 0.01], [lon + 0.01, lat], [lon, lat + 0.01], [lon, lat]]
    return dumps(
        collection(
            feature(square(), id="fine"),
            feature({"type": "Polygon", "coordinates": [ring]}, id="bowtie"),
        )
    )


def empty_and_null_geometries() -> bytes:
    return dumps(
        collection(
            feature(id="point"),
            feature({"type": "Point", "coordinates": []}, id="empty-point"),
            feature({"type": "GeometryCollection", "geometries": []}, id="empty-collection"),
            feature(None, id="no-place"),
        )
    )


def nan_and_infinite_coordinates() -> bytes:
    """Non-standard JSON tokens NaN/Infinity, and 1e400 (infinite as a float)."""
    return (
        b'{"type": "FeatureCollection", "features": ['
        b'{"type": "Feature", "properties": {"id": "nan"},'
        b' "geometry": {"type": "Point", "coordinates": [NaN, 31.28]}},'
        b'{"type": "Feature", "properties": {"id": "inf"},'
        b' "geometry": {"type": "Point", "coordinates": [34.25, Infinity]}},'
        b'{"type": "Feature", "properties": {"id": "big"},'
        b' "geometry": {"type": "Point", "coordinates": [1e400, 31.28]}}]}'
    )


def huge_coordinates() -> bytes:
    digits = "1" + "0" * 400
    return (
        b'{"type": "FeatureCollection", "features": ['
        b'{"type": "Feature", "properties": {"id": "e300"},'
        b' "geometry": {"type": "Point", "coordinates": [1e300, 1e300]}},'
        b'{"type": "Feature", "properties": {"id": "digits"},'
        b' "geometry": {"type": "Point", "coordinates": [' + digits.encode() + b", 31.28]}}]}"
    )


def huge_integer() -> bytes:
    """An integer beyond Python's 4300-digit parsing limit."""
    return b'{"type": "FeatureCollection", "features": [], "n": 1' + b"0" * 5000 + b"}"


def projected_without_crs() -> bytes:
    return dumps(collection(feature({"type": "Point", "coordinates": [3812345.0, 3467891.0]})))


def projected_with_legacy_crs() -> bytes:
    """UTM zone 36N metres (Rafah) with a legacy crs member naming EPSG:32636."""
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32636"}}
    return dumps(
        collection(
            feature({"type": "Point", "coordinates": [616000.0, 3461000.0]}, id="utm"),
            crs=crs,
        )
    )


def unknown_legacy_crs() -> bytes:
    crs = {"type": "name", "properties": {"name": "+proj=utm +zone=36 +nadgrids=@http://x/y"}}
    return dumps(collection(feature(), crs=crs))


def swapped_axes() -> bytes:
    """[lat, lon] instead of [lon, lat]: both in range, so only the situation can tell."""
    return dumps(collection(feature({"type": "Point", "coordinates": [RAFAH[1], RAFAH[0]]})))


def latitude_out_of_range() -> bytes:
    return dumps(collection(feature({"type": "Point", "coordinates": [31.28, 134.25]}, id="far")))


def deeply_nested() -> bytes:
    return b"[" * 100_000 + b"]" * 100_000


def deeply_nested_property() -> bytes:
    value: Any = "bottom"
    for _ in range(200):
        value = [value]
    return dumps(collection(feature(id="deep", deep=value)))


def reference_like() -> bytes:
    """Shaped like the gazamaps layers: legacy crs member, epoch-ms dates, nulls, int ids."""
    crs = {"type": "name", "properties": {"name": "EPSG:4326"}}
    features = [
        feature(
            square(34.22 + 0.012 * i, 31.22 + 0.004 * i, 0.01),
            ident=i + 1,
            OBJECTID=i + 1,
            Block=600 + i,
            Area=0.91352187397598328,
            Date=None if i % 3 else 1_700_000_000_000 + i * 86_400_000,
            StatusText=None if i % 2 else "Displaced",
            GazaMaps="https://gazamaps.com/displacement/",
            Shape__Area=8.6674796875740867e-05,
        )
        for i in range(30)
    ]
    return dumps(collection(*features, crs=crs, properties={"exceededTransferLimit": True}))


def control_characters_in_keys() -> bytes:
    """NUL and line breaks in names, a name cleaning makes a duplicate, reserved and empty names."""
    first = feature(id="keys")
    first["properties"].update(
        {"a\x00b": 1, "ab": 2, "line\nbreak": 3, "geometry": "a property", "": 4, "\x1b[31m": 5}
    )
    return dumps(collection(first, feature(id="values", text="nul\x00inside", long="x" * 12_000)))


def many_points(count: int) -> bytes:
    return dumps(collection(*(feature(id=f"p{i}") for i in range(count))))


def long_line(vertices: int) -> bytes:
    coords = [[RAFAH[0] + i * 1e-6, RAFAH[1]] for i in range(vertices)]
    return dumps(collection(feature({"type": "LineString", "coordinates": coords}, id="long")))


def utf16_geojson(*, bom: bool = True) -> bytes:
    text = json.dumps(collection(feature(id="utf16", name="رفح")), ensure_ascii=False)
    return text.encode("utf-16" if bom else "utf-16-le")


def utf8_bom_geojson() -> bytes:
    return b"\xef\xbb\xbf" + dumps(collection(feature(id="bom")))


def latin1_geojson() -> bytes:
    return b'{"type": "FeatureCollection", "features": [], "x": "caf\xe9"}'


# --- KML / KMZ ------------------------------------------------------------------------

KML_NS = "http://www.opengis.net/kml/2.2"


def kml(placemarks: str = "", *, head: str = "", document: str = "") -> bytes:
    if not placemarks:
        placemarks = point_placemark("Rafah", f"<b>{SCRIPT}</b>")
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n{head}'
        f'<kml xmlns="{KML_NS}"><Document><name>doc</name>{document}{placemarks}'
        "</Document></kml>"
    ).encode()


def point_placemark(
    name: str, description: str = "", lon: float = RAFAH[0], lat: float = RAFAH[1]
) -> str:
    def escape(text: str) -> str:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    return (
        f"<Placemark><name>{escape(name)}</name><description>{escape(description)}</description>"
        f'<ExtendedData><Data name="kind"><value>{escape(IMG)}</value></Data></ExtendedData>'
        f"<Point><coordinates>{lon},{lat},0</coordinates></Point></Placemark>"
    )


def billion_laughs_kml() -> bytes:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    head = f"<!DOCTYPE kml [{entities}]>\n"
    return kml(point_placemark("&lol9;"), head=head).replace(b"&amp;lol9;", b"&lol9;")


def external_entity_kml(target: str = "file:///etc/passwd") -> bytes:
    head = f'<!DOCTYPE kml [<!ENTITY xxe SYSTEM "{target}">]>\n'
    return kml(point_placemark("&xxe;"), head=head).replace(b"&amp;xxe;", b"&xxe;")


def network_link_kml() -> bytes:
    link = (
        "<NetworkLink><name>remote</name><Link><href>http://127.0.0.1:9/x.kml</href></Link>"
        "</NetworkLink><GroundOverlay><Icon><href>http://127.0.0.1:9/i.png</href></Icon>"
        '</GroundOverlay><styleUrl note="a > in a quoted value"/>'
    )
    return kml(document=link)


def not_kml_xml() -> bytes:
    return b'<?xml version="1.0"?><gpx version="1.1"><wpt lat="31.28" lon="34.25"/></gpx>'


def malformed_xml() -> bytes:
    return kml()[:-20]


def utf16_kml() -> bytes:
    return kml().decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")


def zipped(entries: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def kmz() -> bytes:
    return zipped({"doc.kml": kml(), "files/icon.png": b"\x89PNG not really"})


# --- zip ----------------------------------------------------------------------------


def zip_slip() -> bytes:
    return zipped({"../../evil.kml": kml(), "/etc/cron.d/evil": b"x", "ok.kml": kml()})


def zip_bomb(megabytes: int = 300) -> bytes:
    """One entry of zeros that unpacks far beyond the limits (a few hundred KB packed)."""
    buffer = io.BytesIO()
    block = b"\0" * (1 << 20)
    with (
        zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("layer.kml", "w", force_zip64=True) as entry,
    ):
        for _ in range(megabytes):
            entry.write(block)
    return buffer.getvalue()


def ratio_bomb() -> bytes:
    """Under the size limit, but 20 MB of zeros from a few KB: an absurd ratio."""
    return zip_bomb(20)


def lying_zip() -> bytes:
    """An entry whose central directory claims 100 bytes; it really unpacks to 5 MB."""
    data = bytearray(zipped({"doc.kml": b" " * 5_000_000}))
    central = data.rfind(b"PK\x01\x02")
    data[central + 24 : central + 28] = (100).to_bytes(4, "little")
    return bytes(data)


def many_entries(count: int = 150) -> bytes:
    return zipped({f"f{i}.txt": b"x" for i in range(count)})


def symlink_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo("doc.kml")
        info.create_system = 3
        info.external_attr = 0o120777 << 16
        archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


def encrypted_zip() -> bytes:
    """An entry flagged as encrypted (zipfile cannot write one, so the flag is patched in)."""
    data = bytearray(zipped({"doc.kml": b"ciphertext, supposedly"}))
    data[6] |= 0x1  # local file header: general purpose flags
    central = data.rfind(b"PK\x01\x02")
    data[central + 8] |= 0x1
    return bytes(data)


def useless_zip() -> bytes:
    return zipped({"readme.txt": b"hello", f"{SCRIPT}.doc": b"x"})


def frame(crs: str = "EPSG:4326", *, utm: bool = False) -> gpd.GeoDataFrame:
    """Three polygons in Rafah, with script in a value; UTM 36N metres when ``utm``."""
    shapes = [shapely.box(34.24 + i * 0.01, 31.27, 34.245 + i * 0.01, 31.29) for i in range(3)]
    layer = gpd.GeoDataFrame(
        {"name": ["a", SCRIPT, "zone"], "count": [1, 2, None]}, geometry=shapes, crs="EPSG:4326"
    )
    return layer.to_crs("EPSG:32636") if utm else layer.to_crs(crs)


def shapefile_zip(
    layer: gpd.GeoDataFrame | None = None, *, leave_out: tuple[str, ...] = (), stem: str = "roads"
) -> bytes:
    """A zipped Shapefile written by GDAL, without the parts named in ``leave_out``."""
    layer = frame() if layer is None else layer
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{stem}.shp"
        layer.to_file(path, engine="pyogrio")
        entries = {
            f"{stem}/{part.name}": part.read_bytes()
            for part in sorted(Path(folder).iterdir())
            if part.suffix not in leave_out
        }
    return zipped(entries)


def geopackage(layer: gpd.GeoDataFrame | None = None) -> bytes:
    layer = frame() if layer is None else layer
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "layer.gpkg"
        layer.to_file(path, layer="places", engine="pyogrio")
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE notes (text TEXT)")
        return path.read_bytes()


def geopackage_rich(*, bowtie: bool = False) -> bytes:
    """Two layers; dates, NaN and infinity, a BLOB column; a bow tie in the second if asked."""
    layer = frame()
    layer["when"] = [dt.datetime(2025, 11, 10, 12, 30), None, dt.datetime(2025, 11, 11)]
    layer["ratio"] = [0.5, math.nan, math.inf]
    lon, lat = RAFAH
    ring = [(lon, lat), (lon + 0.01, lat + 0.01), (lon + 0.01, lat), (lon, lat + 0.01)]
    shape = shapely.Polygon(ring) if bowtie else shapely.box(lon, lat, lon + 0.01, lat + 0.01)
    second = gpd.GeoDataFrame({"id": ["tie"]}, geometry=[shape], crs="EPSG:4326")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "rich.gpkg"
        layer.to_file(path, layer="places", engine="pyogrio")
        second.to_file(path, layer="zones", engine="pyogrio")
        with sqlite3.connect(path) as db:
            triggers = db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'"
            ).fetchall()
            for (name,) in triggers:
                db.execute(f'DROP TRIGGER "{name}"')
            db.execute("ALTER TABLE places ADD COLUMN blob BLOB")
            db.execute("UPDATE places SET blob = x'00ff'")
        return path.read_bytes()


def plain_sqlite() -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "db.sqlite"
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE t (x)")
        return path.read_bytes()


def random_bytes(size: int = 4096, seed: int = 7) -> bytes:
    import random

    return random.Random(seed).randbytes(size)


# --- CSV ------------------------------------------------------------------------------


def csv_text(rows: list[list[Any]], *, delimiter: str = ",") -> bytes:
    return "\n".join(delimiter.join(str(c) for c in row) for row in rows).encode()


def csv_incidents() -> bytes:
    return csv_text(
        [
            ["id", "what", "Latitude", "Longitude", "count", "code"],
            ["i1", SCRIPT, 31.28, 34.25, 3, "007"],
            ["i2", "shelling", 31.29, 34.26, 4, "x12"],
            ["i3", "no place", "", "", "", ""],
        ]
    )


def csv_mixed_types() -> bytes:
    return csv_text(
        [
            ["lon", "lat", "value", "flag"],
            [34.25, 31.28, 12, "true"],
            [34.26, 31.29, "n/a", "false"],
            [34.27, 31.30, 3.5, ""],
        ]
    )


def csv_bad_numbers() -> bytes:
    return csv_text([["lon", "lat"], [34.25, 31.28], ["34.2x", 31.28], [34.25, "NaN"], [34.25, ""]])


def csv_no_coordinates() -> bytes:
    return csv_text([["place", "when"], ["Rafah", "2025-11-10"]])


def csv_swapped() -> bytes:
    return csv_text([["lat", "lon"], [34.25, 31.28], [134.26, 31.29]])


def csv_projected() -> bytes:
    return csv_text([["x", "y"], [616000, 3461000]])


def csv_semicolon_decimal_comma() -> bytes:
    return csv_text([["lat", "lon", "name"], ["31,28", "34,25", "a"]], delimiter=";")


def csv_ragged() -> bytes:
    return csv_text([["lon", "lat", "name"], [34.25, 31.28, "a", "surplus"]])


def csv_wkt() -> bytes:
    return b'id,geometry\nw1,"POLYGON ((34.24 31.27, 34.26 31.27, 34.26 31.29, 34.24 31.27))"\n'


def csv_utf16_tab() -> bytes:
    """Spreadsheet 'Unicode text': UTF-16 with BOM, tab-delimited."""
    return "lon\tlat\tname\n34.25\t31.28\tرفح\n".encode("utf-16")


def png_named_kml() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def bare_shp() -> bytes:
    return b"\x00\x00\x27\x0a" + b"\0" * 96
