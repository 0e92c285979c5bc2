"""Export measured corridors as GeoJSON, KML and GeoPackage files (bytes, WGS84 lon/lat).

Every exported feature is one corridor: its line (WGS84 longitude/latitude, EPSG:4326) and
flat properties that every format can hold: name, author, revision and notes when known,
the measures of its :class:`~sitmap.analysis.corridors.CorridorReport` (metres, minutes, km/h; lists
joined with ``"; "``) and a note that the line is an illustrative sketch implying no
endorsement. GeoJSON is written directly (RFC 7946, full precision); KML and GeoPackage
through pyogrio/GDAL, which escapes every name and value as XML or SQL data.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal, get_args

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from sitmap.analysis.corridors import CorridorReport
from sitmap.errors import NO_FEATURE, CorridorError, PathRefusedError, Problem

__all__ = [
    "EXPORT_NOTE",
    "EXTENSIONS",
    "LAYER_NAME",
    "MEDIA_TYPES",
    "ExportFormat",
    "ExportItem",
    "export_bytes",
    "export_frame",
    "not_a_regular_file",
    "to_geojson",
    "to_gpkg",
    "to_kml",
    "write_file",
]

ExportFormat = Literal["geojson", "kml", "gpkg"]
"""The file formats corridors can be exported to."""

EXPORT_NOTE: Final = "illustrative sketch; implies no endorsement"
"""Carried by every exported feature (property ``note``)."""

LAYER_NAME: Final = "corridors"
"""The layer (GeoPackage table, KML folder) exported corridors are written to."""

EXTENSIONS: Final[dict[str, str]] = {"geojson": ".geojson", "kml": ".kml", "gpkg": ".gpkg"}
"""File name extension of each format, for download buttons and ``--out`` defaults."""

MEDIA_TYPES: Final[dict[str, str]] = {
    "geojson": "application/geo+json",
    "kml": "application/vnd.google-earth.kml+xml",
    "gpkg": "application/geopackage+sqlite3",
}
"""IANA media type of each format, for download buttons."""

_SEPARATOR: Final = "; "
_WGS84: Final = "EPSG:4326"


@dataclass(frozen=True, slots=True)
class ExportItem:
    """One corridor to export: its name, its line (WGS84 lon/lat) and its measured report."""

    name: str
    geometry: BaseGeometry
    report: CorridorReport
    author: str | None = None
    revision: int | None = None
    notes: str | None = None


def _joined(values: Sequence[str]) -> str:
    return _SEPARATOR.join(values)


def _metres(value: float) -> str:
    return f"{value:,.0f} m"


def _description(item: ExportItem) -> str:
    """A short plain-text summary (KML balloons and other readers show it as text)."""
    r = item.report
    km = r.length_m / 1000
    lines = [
        f"Length {km:.2f} km; {r.length_in_controlled_m / 1000:.2f} km "
        f"({r.share_in_controlled:.0%}) in the {r.area_label}; "
        f"{r.control_line_crossings} crossing(s) of the {r.line_label}.",
        f"Walk {r.walk_minutes:.0f} min at {r.assumptions.walk_kmh:g} km/h; "
        f"drive {r.drive_minutes:.0f} min at {r.assumptions.drive_kmh:g} km/h "
        f"({r.assumptions.note}).",
    ]
    if r.nearest_crossing is not None:
        near = r.nearest_crossing
        lines.append(f"Nearest crossing: {near.name}, {_metres(near.distance_m)}.")
    if r.approximate_inputs:
        lines.append(f"Measured against estimates: {_joined(r.approximate_inputs)}.")
    lines.append(f"Note: {EXPORT_NOTE}.")
    return "\n".join(lines)


def _shown_name(item: ExportItem) -> str:
    """The name as every format keeps it: without surrounding blanks (GDAL's KML driver
    drops leading ones), the corridor's id when nothing is left.
    """
    return item.name.strip() or str(item.report.id)


def _properties(item: ExportItem) -> dict[str, Any]:
    """The flat properties of one exported corridor (same keys in every format)."""
    r = item.report
    near = r.nearest_crossing
    return {
        "name": _shown_name(item),
        "description": _description(item),
        "corridor_id": str(r.id),
        "situation": r.situation,
        "author": item.author,
        "revision": item.revision,
        "notes": item.notes,
        "note": EXPORT_NOTE,
        "length_m": r.length_m,
        "length_in_controlled_m": r.length_in_controlled_m,
        "share_in_controlled": r.share_in_controlled,
        "control_line_crossings": r.control_line_crossings,
        "crossing_points": _joined([f"{lon:.6f} {lat:.6f}" for lon, lat in r.crossing_points]),
        "start_in": _joined(r.start_in),
        "end_in": _joined(r.end_in),
        "passes_through": _joined([f"{p.area}: {_metres(p.length_m)}" for p in r.passes_through]),
        "nearest_crossing": None if near is None else near.name,
        "nearest_crossing_m": None if near is None else near.distance_m,
        "nearest_sensitive": _joined(
            [f"{p.name}: {_metres(p.distance_m)}" for p in r.nearest_sensitive]
        ),
        "walk_minutes": r.walk_minutes,
        "drive_minutes": r.drive_minutes,
        "walk_kmh": r.assumptions.walk_kmh,
        "drive_kmh": r.assumptions.drive_kmh,
        "approximate_inputs": _joined(r.approximate_inputs),
    }


def _check(items: Sequence[ExportItem]) -> None:
    problems: list[Problem] = []
    if not items:
        problems.append(Problem("export", NO_FEATURE, "no corridors to export"))
    for index, item in enumerate(items):
        label = item.name or f"#{index}"
        kind = getattr(item.geometry, "geom_type", type(item.geometry).__name__)
        if kind not in {"LineString", "MultiLineString"} or item.geometry.is_empty:
            problem = f"cannot export a {kind} as a corridor; it must be a non-empty line"
            problems.append(Problem("export", label, problem))
    if problems:
        raise CorridorError(problems)


def export_frame(items: Sequence[ExportItem], /) -> gpd.GeoDataFrame:
    """The corridors as a GeoDataFrame (EPSG:4326), one row each, with the flat properties.

    Integer columns (crossings, revision) are 32-bit so that KML keeps them as integers.
    """
    _check(items)
    frame = pd.DataFrame.from_records([_properties(item) for item in items])
    frame["control_line_crossings"] = frame["control_line_crossings"].astype(np.int32)
    frame["revision"] = pd.array(frame["revision"].tolist(), dtype="Int32")
    for column in ("author", "notes", "nearest_crossing"):
        frame[column] = frame[column].astype(object)
    frame["nearest_crossing_m"] = frame["nearest_crossing_m"].astype(np.float64)
    geometry = shapely.force_2d(np.array([item.geometry for item in items], dtype=object))
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=_WGS84)


def to_geojson(items: Sequence[ExportItem], /) -> bytes:
    """The corridors as an RFC 7946 GeoJSON FeatureCollection (UTF-8 bytes)."""
    _check(items)
    features = []
    for item in items:
        props = _properties(item)
        features.append(
            {
                "type": "Feature",
                "id": props["corridor_id"],
                "properties": props,
                "geometry": shapely.geometry.mapping(shapely.force_2d(item.geometry)),
            }
        )
    doc = {"type": "FeatureCollection", "features": features}
    return json.dumps(doc, ensure_ascii=False, allow_nan=False, indent=1).encode("utf-8")


def _via_gdal(items: Sequence[ExportItem], driver: str, suffix: str, **options: Any) -> bytes:
    """Write the corridors with a GDAL driver to a temporary file and return its bytes."""
    import pyogrio  # here, not at the top: the app process should not load GDAL until needed

    frame = export_frame(items)
    with tempfile.TemporaryDirectory(prefix="sitmap-export-") as folder:
        path = Path(folder) / f"{LAYER_NAME}{suffix}"
        pyogrio.write_dataframe(frame, path, driver=driver, layer=LAYER_NAME, **options)
        return path.read_bytes()


def to_kml(items: Sequence[ExportItem], /) -> bytes:
    """The corridors as KML (GDAL's KML driver): placemarks with their measures.

    Each placemark's ``name`` is the corridor's name and its ``description`` a plain-text
    summary; every property is also in ``ExtendedData``. GDAL escapes all text as XML.
    """
    return _via_gdal(
        items,
        "KML",
        ".kml",
        dataset_options={"NameField": "name", "DescriptionField": "description"},
    )


def to_gpkg(items: Sequence[ExportItem], /) -> bytes:
    """The corridors as a GeoPackage (one ``corridors`` table, EPSG:4326)."""
    return _via_gdal(items, "GPKG", ".gpkg")


def export_bytes(items: Sequence[ExportItem], /, *, fmt: ExportFormat | str) -> bytes:
    """The corridors in one of the export formats (see :data:`EXTENSIONS`)."""
    if fmt == "geojson":
        return to_geojson(items)
    if fmt == "kml":
        return to_kml(items)
    if fmt == "gpkg":
        return to_gpkg(items)
    choices = ", ".join(get_args(ExportFormat))
    problem = f"unknown export format {fmt!r}; choose one of {choices}"
    raise CorridorError([Problem("export", NO_FEATURE, problem)])


def not_a_regular_file(path: str | os.PathLike[str], /) -> str | None:
    """What ``path`` is when it exists and is not a regular file (following symbolic links):
    ``"a directory"``, ``"a device"``, ``"a FIFO (named pipe)"``, ``"a socket"``; else None.
    """
    try:
        mode = Path(path).stat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        return None
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    return "a socket" if stat.S_ISSOCK(mode) else "not a regular file"


def write_file(path: str | os.PathLike[str], data: bytes, /) -> None:
    """Write ``data`` to ``path`` whole or not at all, without following planted links.

    The bytes go to a new temporary file in the same folder, created exclusively
    (``O_EXCL``, a random name: a symbolic link or file already there is never opened),
    fsynced, given the usual permissions (0666 less the umask) and renamed over ``path``.
    A ``path`` that exists and is not a regular file (a folder, a device, a FIFO) is
    refused with :class:`~sitmap.errors.PathRefusedError` and left as it is. Raises
    ``OSError`` when the folder cannot be written.
    """
    target = Path(path)
    if (what := not_a_regular_file(target)) is not None:
        problem = f"is {what}, not a regular file; not replaced"
        raise PathRefusedError(problem, file=str(target))
    fd, partial = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
            umask = os.umask(0o022)
            os.umask(umask)
            os.fchmod(out.fileno(), 0o666 & ~umask)
        Path(partial).replace(target)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(partial).unlink()
        raise
