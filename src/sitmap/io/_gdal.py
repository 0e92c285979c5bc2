"""Read datasets through GDAL (pyogrio) with limits checked first and the network kept off.

GDAL only ever opens files in the reading process's private folder, under names sitmap
made; :data:`GDAL_CONFIG` is set in every reading process before it reads.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely

from sitmap.errors import NO_FEATURE, ImportRefusedError, Problem
from sitmap.io._readcontext import Labels, Part, ReadContext
from sitmap.io._words import gdal_in_words
from sitmap.io.crs import undefined_to_none
from sitmap.io.formats import ImportFormat

__all__ = [
    "CRS_HINT",
    "GDAL_CONFIG",
    "read_gdal",
    "read_gdal_bytes",
    "read_gpkg",
]

GDAL_CONFIG = {
    # Never reach the network, whatever a file names.
    "GDAL_HTTP_PROXY": "127.0.0.1:9",
    "GDAL_HTTP_TIMEOUT": "1",
    "GDAL_HTTP_CONNECTTIMEOUT": "1",
    "GDAL_HTTP_MAX_RETRY": "0",
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".sitmap-no-network",
    "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",
    "OGR_SQLITE_ALLOW_EXTERNAL_ACCESS": "NO",
    "LIBKML_RESOLVE_STYLE": "NO",
    "LIBKML_EXTERNAL_STYLE": "NO",
    "PROJ_NETWORK": "OFF",
    # Read only what is there.
    "SHAPE_RESTORE_SHX": "NO",
    "GDAL_NUM_THREADS": "1",
    "CPL_DEBUG": "OFF",
}

CRS_HINT = "set the layer's CRS, or export it as EPSG:4326"
"""What to do when coordinates do not read as longitude/latitude, in a format that declares
its CRS (GeoPackage, FlatGeobuf, GeoParquet)."""


_GPKG_IDS = (b"GPKG", b"GP10", b"GP11")
"""The application ids (header bytes 68-71) that mark an SQLite file as a GeoPackage."""


def read_gpkg(reader: ReadContext, data: bytes) -> list[Part]:
    """A GeoPackage: every layer with geometry (attribute-only tables are skipped)."""
    if data[68:72] not in _GPKG_IDS:
        reader.fail(
            "an SQLite database but not a GeoPackage (no GeoPackage id in its header); "
            "export the layer as GeoPackage"
        )
    return read_gdal_bytes(reader, data, suffix=".gpkg", fmt=ImportFormat.GEOPACKAGE, hint=CRS_HINT)


def read_gdal_bytes(
    reader: ReadContext,
    data: bytes,
    /,
    *,
    suffix: str,
    fmt: ImportFormat,
    hint: str,
    only: tuple[str, ...] | None = None,
) -> list[Part]:
    """``data`` written into the private folder as a ``suffix`` file, then read as
    :func:`read_gdal` reads it.
    """
    path = reader.path(suffix)
    path.write_bytes(data)
    return read_gdal(reader, path, fmt=fmt, hint=hint, only=only)


def read_gdal(
    reader: ReadContext,
    path: Path,
    *,
    fmt: ImportFormat,
    hint: str,
    layer_name: str | None = None,
    only: tuple[str, ...] | None = None,
) -> list[Part]:
    """Every layer of a dataset in the private folder, with pyogrio; limits before reading.

    ``only`` names the layers to read (GPX: waypoints, routes, tracks), empty ones skipped.
    """
    import pyogrio  # loaded in the reader process only (warmed by the zygote)

    spatial = _spatial_layers(reader, path, fmt=fmt, only=only)
    parts: list[Part] = []
    total = 0
    for name, _ in spatial:
        try:
            info = pyogrio.read_info(path, layer=name)
            count = int(info.get("features", -1))
            if count > reader.limits.max_features - total:
                reader.fail(reader.too_many_features(total + count))
            if len(info.get("fields", ())) > reader.limits.max_fields:
                reader.fail(reader.too_many_fields(len(info["fields"])))
            frame = pyogrio.read_dataframe(
                path,
                layer=name,
                max_features=reader.limits.max_features - total + 1,
                datetime_as_string=True,
                on_invalid="raise",
            )
        except ImportRefusedError:
            raise
        except MemoryError:
            raise
        except shapely.errors.GEOSException:
            label = layer_name if layer_name is not None else name if len(spatial) > 1 else None
            _refuse_unreadable(reader, path, layer=name, prefix=label)
        except Exception as err:
            text = _gdal_text(reader, err)
            if "memory" in text.lower():
                raise MemoryError from None
            reader.fail(f"cannot be read as {fmt.value}: {text}")
        if only is not None and not len(frame):
            continue
        total += len(frame)
        if total > reader.limits.max_features:
            reader.fail(reader.too_many_features(total))
        geometry = frame.geometry.name
        columns = {str(c): _column_values(frame[c]) for c in frame.columns if c != geometry}
        label = layer_name if layer_name is not None else name if len(spatial) > 1 else None
        part = Part(
            geoms=np.asarray(frame.geometry.array, dtype=object),
            columns=columns,
            labels=Labels(columns.get("id"), len(frame), prefix=label),
            crs=undefined_to_none(frame.crs),
            layer=label,
            projected_hint=hint,
        )
        parts.append(part)
    return parts


def _spatial_layers(
    reader: ReadContext, path: Path, *, fmt: ImportFormat, only: tuple[str, ...] | None
) -> list[tuple[str, Any]]:
    """The layers to read: with geometry (and among ``only``, not empty, when given)."""
    import pyogrio

    try:
        listed = pyogrio.list_layers(path)
    except Exception as err:
        reader.fail(f"cannot be opened as {fmt.value}: {_gdal_text(reader, err)}")
    layers = [(str(name), gtype) for name, gtype in listed]
    if only is not None:
        layers = [
            (name, gtype)
            for name, gtype in layers
            if name in only and pyogrio.read_info(path, layer=name).get("features", 0)
        ]
        if not layers:
            reader.fail(f"{fmt.value} holds no {', '.join(only)}: nothing to draw")
    spatial = [(name, gtype) for name, gtype in layers if gtype is not None]
    skipped = [name for name, gtype in layers if (name, gtype) not in spatial]
    if skipped:
        reader.note(f"tables without geometry skipped: {', '.join(repr(n) for n in skipped[:10])}")
    if not spatial:
        reader.fail(f"{fmt.value} holds no layer with geometry")
    return spatial


def _refuse_unreadable(reader: ReadContext, path: Path, *, layer: str, prefix: str | None) -> None:
    """Name every feature whose geometry data GEOS cannot build (never dropped silently)."""
    import pyogrio.raw

    _, _, wkbs, _ = pyogrio.raw.read(
        path, layer=layer, max_features=reader.limits.max_features + 1, read_geometry=True
    )
    labels = Labels(None, len(wkbs), prefix=prefix)
    problems = []
    for index, wkb in enumerate(wkbs):
        if wkb is None:
            continue
        try:
            shapely.from_wkb(wkb)
        except shapely.errors.GEOSException as err:
            problems.append(Problem(reader.file, labels[index], gdal_in_words(str(err))))
    if not problems:
        problems.append(Problem(reader.file, NO_FEATURE, "holds geometry that cannot be read"))
    raise ImportRefusedError(problems)


def _gdal_text(reader: ReadContext, err: BaseException) -> str:
    """GDAL's message without the private folder's path."""
    text = str(err).replace(str(reader.workdir) + os.sep, "").replace(str(reader.workdir), "")
    return gdal_in_words(text.strip()[:300]) or "the reading library failed without a reason"


def _column_values(series: pd.Series) -> list[Any]:
    """A column's values as Python objects; GDAL's nulls (NaN, NaT, NA) as None."""
    values = series.astype(object)
    return values.where(series.notna(), None).tolist()
