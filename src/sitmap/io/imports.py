"""Read a layer a person brings (upload or file) into a checked WGS84 GeoDataFrame, or refuse it.

Formats are recognised by content; the name's extension only breaks ties and explains a
mismatch: GeoJSON, KML, KMZ, GeoPackage, zipped Shapefile, and CSV with longitude/latitude
(or WKT) columns. Declared coordinate systems (Shapefile .prj, GeoPackage SRS, a legacy GeoJSON
``crs`` member) are honoured and reprojected to EPSG:4326, with a note; projected coordinates
that declare no CRS are refused. Every file is read in its own short-lived process, forked
from a helper started once, with bounded memory, CPU and wall time, in a private temporary
folder, without network access (new network namespace where Linux allows it; GDAL and PROJ
set never to fetch in any case). The upload's names are never used as paths.

What refuses a whole file, with every problem listed as ``FILE: FEATURE: PROBLEM``: the format,
the limits below, hostile structure (XML DTDs and entities, zip entries outside the archive,
zip bombs), broken or out-of-range coordinates, invalid geometries (each one named: silently
dropping data is worse than asking for a fixed file). What is accepted with a note: features
with no or empty geometry (kept as attribute-only rows, not drawn), Z values (dropped),
reprojection, an ignored legacy ``crs`` member, cleaned property names, cut long texts,
non-finite numbers in properties (emptied), binary fields (dropped), linked KML content
(NetworkLinks, overlays, models, styles: never fetched, removed).

Property values are kept as data, ``<script>`` included: escaping is the renderer's job.

Limits (environment variable, default):

| Limit | Variable | Default |
|---|---|---|
| file size | ``SITMAP_IMPORT_MAX_MB`` | 50 MB |
| features per file | ``SITMAP_IMPORT_MAX_FEATURES`` | 100,000 |
| vertices per feature | ``SITMAP_IMPORT_MAX_VERTICES`` | 100,000 |
| property names per file | ``SITMAP_IMPORT_MAX_FIELDS`` | 1,000 |
| zip: entries | ``SITMAP_IMPORT_ZIP_MAX_ENTRIES`` | 100 |
| zip: total uncompressed size | ``SITMAP_IMPORT_ZIP_MAX_UNCOMPRESSED_MB`` | 200 MB |
| zip: uncompressed / compressed (checked past 1 MB) | ``SITMAP_IMPORT_ZIP_MAX_RATIO`` | 100 |
| time to read one file | ``SITMAP_IMPORT_TIMEOUT_S`` | 10 s |
| memory of the reading process (address space) | ``SITMAP_IMPORT_MAX_MEMORY_MB`` | 1024 MB |

Fixed: texts are cut at 10,000 characters and property names at 200; a value that is not a
number or unset keeps the default. MB are 10^6 bytes, except memory (MiB, 2^20 bytes).

The work is shared with the modules beside this one: :mod:`sitmap.io._sandbox` (the reading
process), :mod:`sitmap.io._readers` (recognising the format, common checks), the format readers
:mod:`sitmap.io._geojson`, :mod:`sitmap.io._kml`, :mod:`sitmap.io._zipfiles`, :mod:`sitmap.io._gdal`
and :mod:`sitmap.io._csvpoints`, :mod:`sitmap.io._cleaning` (cleaning), :mod:`sitmap.io.crs`,
:mod:`sitmap.io.formats`, :mod:`sitmap.io.limits` and :mod:`sitmap.io._readcontext`.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from sitmap.io._sandbox import UPLOAD, geometries_from_payload, run_isolated
from sitmap.io.crs import WGS84
from sitmap.io.formats import ImportFormat
from sitmap.io.limits import ImportLimits, refuse, too_big
from sitmap.schema import Extent

__all__ = [
    "ImportFormat",
    "ImportLimits",
    "ImportedLayer",
    "read_path",
    "read_upload",
]


@dataclass(frozen=True)
class ImportedLayer:
    """A layer read and checked: features in EPSG:4326 and what was done to get them.

    ``frame`` holds one row per feature; geometry is None for attribute-only rows; every
    property column has object dtype and JSON values (str, int, float, bool, None, list,
    dict; no NaN or infinity; dates as ISO 8601 text). ``bounds`` is (west, south, east,
    north) in degrees, None when no feature has a geometry.
    """

    filename: str
    format: ImportFormat
    frame: gpd.GeoDataFrame
    source_crs: str | None
    reprojected: bool
    notes: tuple[str, ...]
    geometry_types: tuple[str, ...]
    bounds: tuple[float, float, float, float] | None
    feature_count: int

    def summary(self) -> str:
        """What was read, for people: several lines, control characters escaped."""
        located = int(self.frame.geometry.notna().sum())
        without = self.feature_count - located
        lines = [
            f"file: {self.filename}",
            f"format: {self.format.value}",
            f"features: {self.feature_count}"
            + (f" ({without} without geometry, not drawn)" if without else ""),
            f"geometry types: {', '.join(self.geometry_types) or 'none'}",
        ]
        if self.source_crs is None:
            lines.append("CRS: none declared; read as EPSG:4326 (WGS 84 longitude/latitude)")
        elif self.reprojected:
            lines.append(f"CRS: {self.source_crs}, reprojected to EPSG:4326 (WGS 84)")
        else:
            lines.append(f"CRS: {self.source_crs}")
        if self.bounds is None:
            lines.append("bounds: none (no feature has a geometry)")
        else:
            west, south, east, north = self.bounds
            lines.append(
                f"bounds (WGS 84 degrees): west {west:.5f}, south {south:.5f}, "
                f"east {east:.5f}, north {north:.5f}"
            )
        columns = [str(c) for c in self.frame.columns if c != self.frame.geometry.name]
        shown = ", ".join(columns[:30]) + (
            f", ... ({len(columns) - 30} more)" if len(columns) > 30 else ""
        )
        lines.append(f"properties ({len(columns)}): {shown or 'none'}")
        lines.extend(f"note: {note}" for note in self.notes)
        return "\n".join(_printable(line) for line in lines)

    def to_geojson(self) -> str:
        """The layer as an RFC 7946 FeatureCollection (WGS84 lon/lat), UTF-8 text."""
        return self.frame.to_json(drop_id=True, ensure_ascii=False)


def read_upload(
    data: bytes,
    /,
    *,
    filename: str,
    limits: ImportLimits | None = None,
    extent: Extent | None = None,
) -> ImportedLayer:
    """Read uploaded bytes; ``filename`` names the file in messages and breaks format ties.

    ``extent`` (WGS84 degrees; the situation's) lets a layer whose longitude and latitude are
    swapped be named as such. Raises ImportRefusedError listing every problem found.
    """
    limits = ImportLimits.from_env() if limits is None else limits
    file = _display_name(filename)
    if len(data) > limits.max_bytes:
        refuse(file, too_big(len(data), limits))
    if not data:
        refuse(file, "file is empty (0 bytes)")
    workdir = Path(tempfile.mkdtemp(prefix="sitmap-import-"))
    try:
        (workdir / UPLOAD).write_bytes(data)
        bounds = None if extent is None else (extent.west, extent.south, extent.east, extent.north)
        payload = run_isolated(workdir, file, limits, bounds)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return _layer_from_payload(payload, file)


def read_path(
    path: str | os.PathLike[str],
    /,
    *,
    limits: ImportLimits | None = None,
    extent: Extent | None = None,
) -> ImportedLayer:
    """Read a file from disk as :func:`read_upload` reads an upload; the path names it."""
    limits = ImportLimits.from_env() if limits is None else limits
    file = str(path)
    where = Path(path)
    try:
        if where.is_dir():
            refuse(file, "is a folder, not a file (zip a Shapefile's files together)")
        if not where.exists():
            refuse(file, "file does not exist")
        if not where.is_file():
            refuse(file, "is not a regular file")
        size = where.stat().st_size
        if size > limits.max_bytes:
            refuse(file, too_big(size, limits))
        with where.open("rb") as handle:
            data = handle.read(limits.max_bytes + 1)
    except OSError as err:
        refuse(file, f"cannot be read: {err.strerror or err}")
    return read_upload(data, filename=file, limits=limits, extent=extent)


def _layer_from_payload(payload: dict[str, Any], file: str) -> ImportedLayer:
    """Build the layer from the child's JSON answer (plain data: nothing is unpickled)."""
    geoms = geometries_from_payload(payload["wkb"], payload["wkb_sizes"])
    columns = {name: pd.Series(values, dtype=object) for name, values in payload["columns"]}
    frame = gpd.GeoDataFrame(
        pd.DataFrame(columns, index=pd.RangeIndex(len(geoms))),
        geometry=gpd.GeoSeries(geoms, crs=WGS84),
    )
    present = geoms[~shapely.is_missing(geoms)] if len(geoms) else geoms
    bounds = None
    if len(present):
        west, south, east, north = (float(v) for v in shapely.total_bounds(present))
        bounds = (west, south, east, north)
    return ImportedLayer(
        filename=file,
        format=ImportFormat(payload["format"]),
        frame=frame,
        source_crs=payload["source_crs"],
        reprojected=bool(payload["reprojected"]),
        notes=tuple(payload["notes"]),
        geometry_types=tuple(sorted({g.geom_type for g in present})),
        bounds=bounds,
        feature_count=len(frame),
    )


def _display_name(filename: str) -> str:
    """The name as given, shortened when absurdly long (it is never used as a path)."""
    name = str(filename) or "upload"
    return name if len(name) <= 200 else f"{name[:120]}...{name[-60:]}"


def _printable(text: str) -> str:
    """Control characters escaped, so names cannot drive a terminal."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch == " " else repr(ch)[1:-1] for ch in text)
