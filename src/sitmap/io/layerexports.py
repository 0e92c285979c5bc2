"""Export what the map shows of a situation: its layers as GeoJSON, KML and GeoPackage.

The features are those of the view: the visible layers' features valid on the 'as of'
day, and the events of the time range. Every feature keeps its provenance: ``source``
(the source ids), ``as_of`` (when it was reported), ``accuracy_m``, ``approximate`` and
its ``description``; its ``layer`` and the situation are added, and a ``note`` that lines
imply no endorsement. GeoJSON keeps lists (sources, actors, claims) as lists; KML and
GeoPackage, which hold flat values, join sources and actors with ``"; "`` and keep the
claims as JSON text. Dates are ISO 8601 text (times in UTC with ``Z``). GeoPackage has
one table per layer; KML one folder, each placemark naming its layer. Lon/lat WGS84.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import tempfile
from collections.abc import Collection
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import pandas as pd

from sitmap.analysis.timeline import end_of_day_utc, start_of_day_utc, valid_at
from sitmap.errors import SitmapError
from sitmap.schema import LayerKind
from sitmap.situation import Situation

__all__ = [
    "LAYERS_NOTE",
    "PROVENANCE",
    "layers_bytes",
    "layers_geojson",
    "shown_records",
]

LAYERS_NOTE: Final = "drawn from the sources cited; implies no endorsement of any line or claim"
"""Carried by every exported feature (property ``note``)."""

PROVENANCE: Final = ("source", "as_of", "accuracy_m", "approximate")
"""The properties that say where a feature comes from and how sure it is; always kept."""

_FIRST: Final = (
    "layer",
    "id",
    "name",
    "name_ar",
    "name_he",
    "kind",
    "source",
    "as_of",
    "accuracy_m",
    "approximate",
    "description",
    "valid_from",
    "valid_to",
    "accessed",
)
_LISTS: Final = ("source", "actors")
_WGS84: Final = "EPSG:4326"


def _missing(value: Any) -> bool:
    if value is None or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _plain(value: Any) -> Any:
    """A property value as JSON: dates ISO text, times UTC with Z, numbers as numbers."""
    if isinstance(value, pd.Timestamp | dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if hasattr(value, "item"):  # numpy scalars
        return _plain(value.item())
    return value


def _rows(situation: Situation, layer_id: str, frame: pd.DataFrame) -> list[dict[str, Any]]:
    rows = []
    for props, geometry in zip(
        frame.drop(columns="geometry").to_dict("records"), frame.geometry, strict=True
    ):
        clean = {k: _plain(v) for k, v in props.items() if not _missing(v)}
        if clean.get("claims") == []:
            del clean["claims"]
        if "name" not in clean and "title" in clean:
            clean["name"] = clean["title"]
        ordered = {k: clean[k] for k in _FIRST if k in clean} | clean
        ordered["layer"] = layer_id
        ordered["situation"] = situation.id
        ordered["note"] = LAYERS_NOTE
        empty = geometry is None or geometry.is_empty
        rows.append({"properties": ordered, "geometry": None if empty else geometry})
    return rows


def shown_records(
    situation: Situation,
    layers: Collection[str],
    as_of: dt.date,
    /,
    *,
    since: dt.date | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """By layer id (draw order): each shown feature's properties (plain JSON values,
    provenance kept) and its shapely geometry (None for an event with no place).
    """
    found: dict[str, list[dict[str, Any]]] = {}
    for layer_id, layer in situation.layers.items():
        if layer_id not in layers:
            continue
        frame = layer.frame
        if layer.spec.kind is LayerKind.EVENTS:
            times = pd.to_datetime(frame["time"], utc=True)
            inside = times < end_of_day_utc(as_of)
            if since is not None:
                inside &= times >= start_of_day_utc(since)
            frame = frame[inside.to_numpy()]
        else:
            frame = frame[valid_at(frame, as_of)]
        found[layer_id] = _rows(situation, layer_id, frame)
    return found


def layers_geojson(records: dict[str, list[dict[str, Any]]], /) -> bytes:
    """The shown features as one RFC 7946 FeatureCollection (UTF-8), lists kept as lists."""
    features = [
        {
            "type": "Feature",
            "id": f"{row['properties']['layer']}:{row['properties']['id']}",
            "properties": row["properties"],
            "geometry": None if row["geometry"] is None else row["geometry"].__geo_interface__,
        }
        for rows in records.values()
        for row in rows
    ]
    doc = {"type": "FeatureCollection", "features": features}
    return json.dumps(doc, ensure_ascii=False, allow_nan=False, indent=1).encode("utf-8")


def _flat(value: Any, key: str) -> Any:
    if isinstance(value, list) and key in _LISTS:
        return "; ".join(str(v) for v in value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def _frame(rows: list[dict[str, Any]]) -> gpd.GeoDataFrame:
    """Flat columns every GDAL format holds: lists joined, claims JSON, integers nullable."""
    table = pd.DataFrame.from_records(
        [{k: _flat(v, k) for k, v in row["properties"].items()} for row in rows]
    )
    if "accuracy_m" in table:
        table["accuracy_m"] = pd.array(
            [None if _missing(v) else int(v) for v in table["accuracy_m"]], dtype="Int32"
        )
    for column in table.columns:
        values = [v for v in table[column] if not _missing(v)]
        if values and all(isinstance(v, bool) for v in values):
            table[column] = pd.array(
                [None if _missing(v) else bool(v) for v in table[column]], dtype="boolean"
            )
        elif table[column].dtype == object:
            table[column] = table[column].map(lambda v: None if _missing(v) else str(v))
    geometry = gpd.GeoSeries([row["geometry"] for row in rows], crs=_WGS84)
    return gpd.GeoDataFrame(table, geometry=geometry, crs=_WGS84)


def layers_bytes(records: dict[str, list[dict[str, Any]]], /, *, fmt: str) -> bytes:
    """The shown features as ``geojson``, ``kml`` or ``gpkg`` bytes."""
    if fmt == "geojson":
        return layers_geojson(records)
    if fmt not in {"kml", "gpkg"}:
        msg = f"unknown layer export format {fmt!r}; choose geojson, kml or gpkg"
        raise SitmapError(msg, file="export")
    import pyogrio  # here: the app loads GDAL only when a file is asked for

    kept = {layer: rows for layer, rows in records.items() if rows}
    if not kept:
        msg_0 = "no feature is shown: nothing to export"
        raise SitmapError(msg_0, file="export")
    with tempfile.TemporaryDirectory(prefix="sitmap-layers-") as folder:
        path = Path(folder) / f"situation.{fmt}"
        if fmt == "kml":
            every = pd.concat([_frame(rows) for rows in kept.values()], ignore_index=True)
            frame = gpd.GeoDataFrame(every, geometry="geometry", crs=_WGS84)
            options = {"NameField": "name", "DescriptionField": "description"}
            pyogrio.write_dataframe(
                frame, path, driver="KML", layer="situation", dataset_options=options
            )
        else:
            for layer, rows in kept.items():
                pyogrio.write_dataframe(_frame(rows), path, driver="GPKG", layer=layer)
        return path.read_bytes()
