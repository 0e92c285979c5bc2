"""Recognise an upload's format by its content: magic numbers, byte-order marks, extensions.

The name's extension only breaks ties and explains a mismatch; the readers that use these
marks are in :mod:`sitmap.io._readers`.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import PurePosixPath

__all__ = [
    "BINARY_EXTENSIONS",
    "DATA_EXTENSIONS",
    "FGB_MAGIC",
    "OTHER_MAGIC",
    "PARQUET_MAGIC",
    "SHAPEFILE_PARTS",
    "SHP_MAGIC",
    "SQLITE_MAGIC",
    "SUPPORTED",
    "ZIP_MAGIC",
    "ImportFormat",
    "extension",
    "looks_like",
    "text_encoding",
]


class ImportFormat(StrEnum):
    """The formats sitmap reads."""

    GEOJSON = "GeoJSON"
    KML = "KML"
    KMZ = "KMZ"
    GEOPACKAGE = "GeoPackage"
    SHAPEFILE_ZIP = "zipped Shapefile"
    CSV = "CSV"
    GPX = "GPX"
    FLATGEOBUF = "FlatGeobuf"
    GEOPARQUET = "GeoParquet"


ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
SQLITE_MAGIC = b"SQLite format 3\x00"
SHP_MAGIC = b"\x00\x00\x27\x0a"
FGB_MAGIC = b"fgb\x03"
PARQUET_MAGIC = b"PAR1"
OTHER_MAGIC = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office file (save it as CSV)"),
)
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
BINARY_EXTENSIONS = {
    ".gpkg": "a GeoPackage (not an SQLite file)",
    ".zip": "a zip archive",
    ".kmz": "a KMZ (zip) archive",
    ".shp": "a Shapefile",
    ".fgb": "a FlatGeobuf file",
    ".parquet": "a GeoParquet file",
}
SHAPEFILE_PARTS = (".shx", ".dbf", ".prj", ".cpg")
DATA_EXTENSIONS = (".geojson", ".json", ".gpkg", ".csv", ".kml", ".gpx", ".fgb", ".parquet")
SUPPORTED = (
    "sitmap reads GeoJSON, KML/KMZ, GeoPackage, zipped Shapefile, CSV, GPX, FlatGeobuf "
    "and GeoParquet"
)


def extension(name: str) -> str:
    """A file name's extension, lower case ('.kmz'), whatever its slashes."""
    return PurePosixPath(name.replace("\\", "/")).suffix.lower()


def text_encoding(data: bytes) -> tuple[str | None, bytes]:
    """The Unicode encoding of text (by BOM, or UTF-16 without one), and its BOM; None: binary."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding, bom
    head = data[:1024]
    if b"\x00" not in head:
        return "utf-8", b""
    even, odd = head[0::2], head[1::2]
    if even.count(0) == 0 and odd.count(0) >= len(odd) // 2:
        return "utf-16-le", b""
    if odd.count(0) == 0 and even.count(0) >= len(even) // 2:
        return "utf-16-be", b""
    return None, b""


def looks_like(data: bytes, encoding: str | None) -> str:
    """What the start of a file looks like, for a message: its first bytes or text."""
    if encoding is None:
        shown = " ".join(f"{b:02x}" for b in data[:8])
        return f"binary data, not text (it starts with bytes {shown})"
    return "text that is not GeoJSON, KML or GPX"
