"""Read GPX, FlatGeobuf and GeoParquet uploads, with the same limits and sandbox as the rest.

GPX (always WGS 84 lon/lat) and FlatGeobuf go through GDAL (pyogrio); GeoParquet through
geopandas (pyarrow), its row and column counts checked from the file's metadata first.
GPX's ``route_points`` and ``track_points`` layers repeat the routes and tracks vertex by
vertex and are not read; waypoints, routes and tracks are.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sitmap.io._cleaning import counted
from sitmap.io._gdal import CRS_HINT, read_gdal_bytes
from sitmap.io._readcontext import Labels, Part, ReadContext
from sitmap.io.crs import undefined_to_none
from sitmap.io.formats import ImportFormat

__all__ = [
    "GPX_LAYERS",
    "read_flatgeobuf",
    "read_geoparquet",
    "read_gpx",
]

GPX_LAYERS = ("waypoints", "routes", "tracks")
"""The GPX layers read (GDAL's names)."""


def read_gpx(reader: ReadContext, data: bytes) -> list[Part]:
    """GPX waypoints (points), routes and tracks (lines), with their times and names."""
    return read_gdal_bytes(
        reader,
        data,
        suffix=".gpx",
        fmt=ImportFormat.GPX,
        hint="GPX coordinates are longitude/latitude degrees",
        only=GPX_LAYERS,
    )


def read_flatgeobuf(reader: ReadContext, data: bytes) -> list[Part]:
    """A FlatGeobuf file (one layer; its CRS honoured)."""
    return read_gdal_bytes(reader, data, suffix=".fgb", fmt=ImportFormat.FLATGEOBUF, hint=CRS_HINT)


def read_geoparquet(reader: ReadContext, data: bytes) -> list[Part]:
    """A GeoParquet file: rows and columns counted from its metadata before reading."""
    import geopandas as gpd
    import pyarrow.parquet as pq

    path = reader.path(".parquet")
    path.write_bytes(data)
    try:
        meta = pq.read_metadata(path)
    except Exception as err:  # pyarrow's errors have no common base
        reader.fail(f"a damaged Parquet file ({str(err)[:200]})")
    if meta.num_rows > reader.limits.max_features:
        reader.fail(reader.too_many_features(meta.num_rows))
    if meta.num_columns > reader.limits.max_fields + 1:
        reader.fail(reader.too_many_fields(meta.num_columns - 1))
    if b"geo" not in (meta.metadata or {}):
        reader.fail(
            "a Parquet table without GeoParquet metadata (no geometry column declared); "
            "export it as GeoParquet, or as CSV with longitude/latitude columns"
        )
    try:
        frame = gpd.read_parquet(path)
    except MemoryError:
        raise
    except Exception as err:
        reader.fail(f"cannot be read as GeoParquet: {str(err)[:200]}")
    geometry = frame.geometry.name
    columns = {
        str(c): _values(frame[c].tolist()) for c in frame.columns if c != frame.geometry.name
    }
    if len(frame) and frame.geometry.isna().all():
        reader.note(f"{counted(len(frame), 'row')} without geometry in column {geometry!r}")
    return [
        Part(
            geoms=np.asarray(frame.geometry.array, dtype=object),
            columns=columns,
            labels=Labels(columns.get("id"), len(frame)),
            crs=undefined_to_none(frame.crs),
            projected_hint=CRS_HINT,
        )
    ]


def _values(values: list[Any]) -> list[Any]:
    """Missing values (NaN, NaT, NA) as None; the cleaner makes the rest JSON-safe."""
    import pandas as pd

    return [None if _missing(v, pd) else v for v in values]


def _missing(value: Any, pd: Any) -> bool:
    if isinstance(value, list | tuple | dict | np.ndarray):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
