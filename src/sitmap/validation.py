"""Validate GeoJSON layers and situation folders, collecting every problem at once.

One place backs ``sitmap validate``, the situation loader and uploads. Checks, in order:
bytes (size, encoding), JSON (syntax, NaN, nesting), RFC 7946 structure, coordinates
(finite, in range, likely lat/lon swap or projected metres, inside the situation extent),
geometry validity (self-intersections named), properties (pydantic models of ``schema``),
and references across files (unique ids, known source ids). Coordinates are WGS84 lon/lat.
"""

from __future__ import annotations

import codecs
import contextlib
import datetime as dt
import gc
import json
import math
import operator
import os
import re
import struct
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from sitmap.errors import NO_FEATURE, Problem, ValidationError
from sitmap.schema import (
    CorridorProps,
    CorridorStatus,
    EventProps,
    Extent,
    FeatureProps,
    LayerKind,
    TimePrecision,
    props_model,
)

__all__ = [
    "DEFAULT_MAX_MB",
    "CheckedLayer",
    "check_collection",
    "check_geojson_file",
    "feature_label",
    "inside_extent",
    "invalid_reasons",
    "max_layer_bytes",
    "model_problems",
    "parse_geojson",
    "pydantic_problems",
    "range_problem",
    "read_json_bytes",
]

DEFAULT_MAX_MB = 100.0
"""Largest layer file accepted by default, megabytes (10^6 bytes)."""


def max_layer_bytes() -> int:
    """Largest layer file accepted, bytes: env ``SITMAP_MAX_LAYER_MB``, else 100 MB."""
    try:
        megabytes = float(os.environ.get("SITMAP_MAX_LAYER_MB", DEFAULT_MAX_MB))
    except ValueError:
        megabytes = DEFAULT_MAX_MB
    return int(megabytes * 1_000_000)


MAX_PROPERTY_DEPTH = 32
"""Deepest nesting of lists/objects accepted inside a feature's properties."""

_POSITION_DEPTH = {
    "Point": 0,
    "MultiPoint": 1,
    "LineString": 1,
    "MultiLineString": 2,
    "Polygon": 2,
    "MultiPolygon": 3,
}
_GEOMETRY_TYPES = (*_POSITION_DEPTH, "GeometryCollection")
_MAX_FLOAT = sys.float_info.max


@dataclass
class CheckedLayer:
    """What checking one FeatureCollection found: its problems and its valid parts."""

    file: str
    problems: list[Problem] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    geometry_types: set[str] = field(default_factory=set)
    built_shapes: dict[int, Any] = field(default_factory=dict)
    """Geometries built one feature at a time, by feature index (see ``shapes``)."""
    points: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    """Plain 2D points not made into shapely geometries yet: (feature indices, [lon, lat])."""
    models: dict[int, FeatureProps] = field(default_factory=dict)
    """Properties validated one feature at a time, as models, by feature index."""
    bulk: list[BulkRows] = field(default_factory=list)
    """Properties validated in bulk, column by column (no model objects: 100,000 events)."""
    property_names: dict[str, None] = field(default_factory=dict)
    """Every property name, in order of first appearance in the file."""
    has_z: bool = False
    """Whether some well-formed geometry has a third (Z) coordinate (dropped in ``shapes``)."""
    model: type[FeatureProps] | None = None
    """The properties model the features were checked against (None: not checked)."""

    @property
    def feature_count(self) -> int:
        return len(self.labels)

    @property
    def shapes(self) -> dict[int, Any]:
        """2D shapely geometry of each feature (by index) whose geometry is well formed and
        in range; plain points are made on first use (``geometries`` makes them without
        this dict)."""
        if self.points:
            merged = dict(self.built_shapes)
            for rows, xy in self.points:
                merged.update(zip(rows.tolist(), shapely.points(xy), strict=True))
            self.built_shapes = {index: merged[index] for index in sorted(merged)}
            self.points = []
        return self.built_shapes

    @shapes.setter
    def shapes(self, value: dict[int, Any]) -> None:
        self.built_shapes, self.points = dict(value), []

    def geometries(self, indices: Sequence[int]) -> np.ndarray:
        """The geometries of the features at ``indices`` (ascending), None where a feature
        has none, as an object array; plain points are made straight into it."""
        wanted = np.asarray(indices, dtype=np.int64)
        out = np.full(len(wanted), None, dtype=object)
        if not len(wanted):
            return out
        for index, shape in self.built_shapes.items():
            at = int(np.searchsorted(wanted, index))
            if at < len(wanted) and wanted[at] == index:
                out[at] = shape
        for rows, xy in self.points:
            at = np.searchsorted(wanted, rows)
            found = wanted[np.minimum(at, len(wanted) - 1)] == rows
            out[at[found]] = shapely.points(xy[found])
        return out

    @property
    def props(self) -> Sequence[FeatureProps | None]:
        """Each feature's validated properties as a model (None where invalid or unchecked).

        Bulk-validated features get their model built on access; prefer ``valid_columns``
        and ``references`` for many features.
        """
        return _PropsView(self)

    def add(self, feature: str, problem: str) -> None:
        self.problems.append(Problem(self.file, feature, problem))

    def valid_indices(self) -> list[int]:
        """Indices of the features whose properties validated, in file order."""
        found = [index for rows in self.bulk for index in rows.rows]
        if self.models:
            found = sorted([*found, *self.models])
        return found

    def references(self) -> Iterator[tuple[str, str, list[str]]]:
        """(label, id, cited source ids: sources, then claim sources) of each feature whose
        properties validated, in file order."""
        for index, where in self._locate():
            if isinstance(where, tuple):
                rows, j = where
                yield self.labels[index], rows.columns["id"][j], list(rows.columns["source"][j])
            else:
                cited = list(where.source) + [claim.source for claim in where.claims]
                yield self.labels[index], where.id, cited

    def valid_columns(self) -> tuple[list[int], dict[str, list[Any]]]:
        """The features whose properties validated: their indices, and their properties
        column by column as each model's ``model_dump()`` gives them: model fields in
        declaration order, then extra properties in order of first appearance (NaN where
        a feature lacks one, as ``pandas.DataFrame.from_records`` has it)."""
        return self.valid_indices(), dict(self.iter_valid_columns())

    def iter_valid_columns(self, *, consume: bool = False) -> Iterator[tuple[str, list[Any]]]:
        """``valid_columns()`` one column at a time. With ``consume``, the layer lets go of
        each column as it hands it over (for building a frame of 100,000 features without
        two copies of every value); ask only once then."""
        if self.model is None:
            return
        fields = list(self.model.model_fields)
        names = dict.fromkeys(name for rows in self.bulk for name in rows.columns)
        dumps = {index: model.model_dump() for index, model in self.models.items()}
        for dump in dumps.values():
            names.update(dict.fromkeys(dump))
        order = {name: i for i, name in enumerate(self.property_names)}
        extras = sorted((n for n in names if n not in fields), key=lambda n: order.get(n, -1))
        if not dumps:
            for name in [*fields, *extras]:
                column: list[Any] = []
                for rows in self.bulk:
                    values = rows.columns.pop(name) if consume else rows.columns.get(name)
                    if values is None:
                        column.extend([math.nan] * len(rows.rows))
                    elif name in extras:
                        column.extend(math.nan if v is _ABSENT else v for v in values)
                    else:
                        column.extend(values)
                    del values
                yield name, column
                del column
            return
        located = list(self._locate())
        if consume:
            self.models, self.bulk = {}, []
        for name in [*fields, *extras]:
            column = []
            for index, where in located:
                if isinstance(where, tuple):
                    values = where[0].columns.get(name)
                    value = _ABSENT if values is None else values[where[1]]
                else:
                    value = dumps[index].get(name, _ABSENT)
                column.append(math.nan if value is _ABSENT else value)
            yield name, column
            del column

    def _locate(self) -> Iterator[tuple[int, tuple[BulkRows, int] | FeatureProps]]:
        """Each validated feature's index and where its properties are, in file order."""
        bulk = ((index, (rows, j)) for rows in self.bulk for j, index in enumerate(rows.rows))
        if not self.models:
            yield from bulk
            return
        merged: list[tuple[int, tuple[BulkRows, int] | FeatureProps]] = [
            *bulk,
            *self.models.items(),
        ]
        merged.sort(key=lambda item: item[0])
        yield from merged


@dataclass(frozen=True)
class BulkRows:
    """Properties of some features, validated column by column (``_BulkCheck``).

    ``columns`` holds, per property name, one value per row: the model's field values as
    ``model_dump()`` gives them, and extra properties as given (``_ABSENT`` where a row
    lacks one). ``rows`` are the features' indices in the layer. Equal lists (sources,
    actors, no claims) are one shared object: read-only values.
    """

    rows: list[int]
    columns: dict[str, list[Any]]

    def dump(self, j: int) -> dict[str, Any]:
        """Row ``j`` as ``model_dump()`` would give it."""
        return {k: v[j] for k, v in self.columns.items() if v[j] is not _ABSENT}


class _PropsView(Sequence[FeatureProps | None]):
    """``CheckedLayer.props``: models by feature index, built on access for bulk rows."""

    def __init__(self, layer: CheckedLayer) -> None:
        self._layer = layer
        self._bulk: dict[int, tuple[BulkRows, int]] | None = None

    def __len__(self) -> int:
        return self._layer.feature_count

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        model = self._layer.models.get(index)
        if model is not None:
            return model
        if self._bulk is None:
            self._bulk = {
                i: (rows, j) for rows in self._layer.bulk for j, i in enumerate(rows.rows)
            }
        found = self._bulk.get(index)
        if found is None:
            return None
        rows, j = found
        assert self._layer.model is not None
        return self._layer.model.model_validate(rows.dump(j))


def read_json_bytes(path: Path, /, *, file: str, max_bytes: int | None = None) -> bytes:
    """Read a file's bytes, refusing a missing, unreadable or oversized file."""
    max_bytes = max_layer_bytes() if max_bytes is None else max_bytes
    try:
        size = path.stat().st_size
        if size > max_bytes:
            problem = (
                f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit for a layer"
                " (set SITMAP_MAX_LAYER_MB to raise it)"
            )
            raise ValidationError([Problem(file, NO_FEATURE, problem)])
        return path.read_bytes()
    except FileNotFoundError:
        raise ValidationError([Problem(file, NO_FEATURE, "file does not exist")]) from None
    except IsADirectoryError:
        problem = "is a directory without a situation.toml, not a GeoJSON file"
        raise ValidationError([Problem(file, NO_FEATURE, problem)]) from None
    except OSError as err:
        problem = f"cannot be read: {err.strerror or err}"
        raise ValidationError([Problem(file, NO_FEATURE, problem)]) from None


def _decode(data: bytes, file: str) -> str:
    def refuse(problem: str) -> ValidationError:
        return ValidationError([Problem(file, NO_FEATURE, problem)])

    if not data.strip():
        msg = "file is empty" if not data else "file holds only whitespace"
        raise refuse(msg)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(data) > 1 and b"\x00" in data[:4]):
        msg = "file is UTF-16 or UTF-32 encoded; GeoJSON must be UTF-8 (RFC 8259)"
        raise refuse(msg)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        byte = data[err.start]
        problem = (
            f"not UTF-8 text (byte 0x{byte:02x} at offset {err.start}); "
            "GeoJSON must be UTF-8 (RFC 8259); re-save the file as UTF-8"
        )
        raise refuse(problem) from None


def parse_geojson(data: bytes, /, *, file: str) -> Any:
    """Decode and parse GeoJSON bytes; raise ValidationError naming what is wrong."""
    return _parse_text(_decode(data, file), file)


def _parse_text(text: str, file: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        where = f"line {err.lineno}, column {err.colno}"
        if err.pos >= len(text.rstrip()):
            problem = f"not valid JSON: the file ends too early ({where}); is it truncated?"
        else:
            problem = f"not valid JSON: {err.msg} ({where})"
        raise ValidationError([Problem(file, NO_FEATURE, problem)]) from None
    except RecursionError:
        problem = "not usable JSON: nested too deeply to parse (thousands of levels)"
        raise ValidationError([Problem(file, NO_FEATURE, problem)]) from None
    except ValueError:  # an integer longer than Python's limit (4300 digits)
        problem = "not usable JSON: a number has thousands of digits"
        raise ValidationError([Problem(file, NO_FEATURE, problem)]) from None


def feature_label(feature: Any, index: int) -> str:
    """Name a feature in messages: its ``id`` property, its GeoJSON ``id``, else ``#index``."""
    if isinstance(feature, dict):
        props = feature.get("properties")
        for candidate in (props.get("id") if isinstance(props, dict) else None, feature.get("id")):
            if isinstance(candidate, str) and candidate.strip() and len(candidate) <= 200:
                return candidate.strip()
            if isinstance(candidate, int) and not isinstance(candidate, bool):
                return str(candidate)
    return f"#{index}"


def pydantic_problems(err: PydanticValidationError) -> Iterator[str]:
    """Turn a pydantic error into short sentences that name the property."""
    for item in err.errors(include_url=False):
        loc = ".".join(str(part) for part in item["loc"])
        if item["type"] == "missing":
            yield f"missing required property {loc!r}"
            continue
        msg = str(item["msg"]).removeprefix("Value error, ")
        value = item.get("input")
        shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
        if loc and repr(value) in msg:
            yield f"property {loc!r}: {msg}"
        elif loc:
            yield f"property {loc!r}: {msg} (got {shown})"
        else:
            yield msg


def _position_groups(coords: Any, depth: int) -> Iterator[list[Any]]:
    """Yield, in order, the lists that should hold positions (a Point's position alone).

    ``coords`` is ``depth`` levels above positions; a non-list where a list belongs is
    yielded as ``[None]`` so that the caller names it.
    """
    if depth == 0:
        yield [coords]
        return
    stack = [(coords, depth)]
    while stack:
        value, level = stack.pop()
        if not isinstance(value, list):
            yield [None]
        elif level == 1:
            yield value
        else:
            stack.extend((item, level - 1) for item in reversed(value))


def _plain_positions(group: list[Any]) -> bool:
    """Fast path: every item is a list of 2-3 finite ints/floats (no bool); else check slowly."""
    if not set(map(type, group)) <= {list} or not set(map(len, group)) <= {2, 3}:
        return False
    numbers = list(chain.from_iterable(group))
    if not set(map(type, numbers)) <= {float, int}:
        return False
    try:
        if len(numbers) < 64:
            return all(map(math.isfinite, numbers))
        return bool(np.isfinite(np.array(numbers, dtype=float)).all())
    except OverflowError:
        return False


def _position_problem(pos: Any, gtype: str, depth: int) -> str | None:
    """What is wrong with one position of a ``gtype`` geometry; None when well formed."""
    if not isinstance(pos, list) or not 2 <= len(pos) <= 3:
        return f"{gtype} coordinates must be nested {depth} levels above [lon, lat] positions"
    for number in pos:
        if isinstance(number, bool) or not isinstance(number, int | float):
            return f"coordinate {number!r} is not a number"
        if isinstance(number, int) and not -_MAX_FLOAT <= number <= _MAX_FLOAT:
            return f"coordinate with {len(str(abs(number)))} digits is too large to be a number"
        if not math.isfinite(number):
            return f"coordinate {number} is not a finite number (NaN or infinity)"
    return None


def _structure_problem(geometry: Any) -> str | None:
    """RFC 7946 shape of one geometry object; None when well formed."""
    if not isinstance(geometry, dict):
        return f"geometry must be an object or null, not {type(geometry).__name__}"
    gtype = geometry.get("type")
    if gtype not in _GEOMETRY_TYPES:
        return f"unknown geometry type {gtype!r}"
    if gtype == "GeometryCollection":
        parts = geometry.get("geometries")
        if not isinstance(parts, list):
            return "GeometryCollection needs a 'geometries' array"
        if not parts:
            return "empty GeometryCollection; use null geometry for a feature with no place"
        for part in parts:
            if isinstance(part, dict) and part.get("type") == "GeometryCollection":
                return "nested GeometryCollection (RFC 7946 section 3.1.8 advises against it)"
            if problem := _structure_problem(part):
                return problem
        return None
    coords = geometry.get("coordinates")
    if not isinstance(coords, list):
        return f"{gtype} needs a 'coordinates' array"
    depth = _POSITION_DEPTH[gtype]
    for group in _position_groups(coords, depth):
        if _plain_positions(group):
            continue
        for pos in group:
            if problem := _position_problem(pos, gtype, depth):
                return problem
    if not coords:
        return f"empty {gtype} (no coordinates); use null geometry for a feature with no place"
    if gtype == "LineString" and len(coords) < 2:
        return "a LineString needs at least 2 positions"
    if gtype == "MultiLineString" and any(len(line) < 2 for line in coords):
        return "each line of a MultiLineString needs at least 2 positions"
    rings = [coords] if gtype == "Polygon" else coords if gtype == "MultiPolygon" else []
    for polygon in rings:
        for ring in polygon:
            if len(ring) < 4:
                return "a polygon ring needs at least 4 positions"
            if ring[0][:2] != ring[-1][:2]:
                return "a polygon ring is not closed (first and last positions differ)"
    return None


def _xy(positions: list[Any]) -> np.ndarray:
    """The [lon, lat] of well-formed positions (2 or 3 numbers each), as an (n, 2) array."""
    if set(map(len, positions)) == {2}:
        flat = np.fromiter(chain.from_iterable(positions), float, count=2 * len(positions))
        return flat.reshape(-1, 2)
    return np.asarray([pos[:2] for pos in positions], dtype=float).reshape(-1, 2)


_WKB_CODES = {
    "Point": 1,
    "LineString": 2,
    "Polygon": 3,
    "MultiPoint": 4,
    "MultiLineString": 5,
    "MultiPolygon": 6,
    "GeometryCollection": 7,
}


def _wkb_head(gtype: str, count: int | None = None) -> bytes:
    head = struct.pack("<BI", 1, _WKB_CODES[gtype])
    return head if count is None else head + struct.pack("<I", count)


def _wkb_lines(lines: list[np.ndarray]) -> bytes:
    return b"".join(struct.pack("<I", len(line)) + line.tobytes() for line in lines)


def _geometry_wkb(geometry: dict[str, Any]) -> tuple[bytes, np.ndarray]:
    """A well-formed GeoJSON geometry as 2D little-endian WKB, and all its [lon, lat].

    Built directly from the coordinates (no JSON round trip); GEOS parses all of a layer's
    WKB at once.
    """
    gtype = geometry["type"]
    if gtype == "GeometryCollection":
        built = [_geometry_wkb(part) for part in geometry["geometries"]]
        wkb = _wkb_head(gtype, len(built)) + b"".join(part for part, _ in built)
        return wkb, np.concatenate([xy for _, xy in built])
    coords = geometry["coordinates"]
    if gtype == "Point":
        xy = _xy([coords])
        return _wkb_head(gtype) + xy.tobytes(), xy
    if gtype == "LineString":
        xy = _xy(coords)
        return _wkb_head(gtype) + _wkb_lines([xy]), xy
    if gtype == "MultiPoint":
        xy = _xy(coords)
        points = b"".join(_wkb_head("Point") + point.tobytes() for point in xy)
        return _wkb_head(gtype, len(xy)) + points, xy
    if gtype == "MultiLineString":
        lines = [_xy(line) for line in coords]
        parts = b"".join(_wkb_head("LineString") + _wkb_lines([line]) for line in lines)
        return _wkb_head(gtype, len(lines)) + parts, np.concatenate(lines)
    polygons = [
        [_xy(ring) for ring in polygon] for polygon in ([coords] if gtype == "Polygon" else coords)
    ]
    rings = [ring for polygon in polygons for ring in polygon]
    xy = np.concatenate(rings) if rings else np.empty((0, 2))
    if gtype == "Polygon":
        return _wkb_head(gtype, len(polygons[0])) + _wkb_lines(polygons[0]), xy
    parts = b"".join(_wkb_head("Polygon", len(p)) + _wkb_lines(p) for p in polygons)
    return _wkb_head(gtype, len(polygons)) + parts, xy


def range_problem(xy: np.ndarray, extent: Extent | None) -> str | None:
    """Name coordinates out of range: projected metres, a lat/lon swap, or outside the extent.

    ``xy`` is an (n, 2) array of [lon, lat] that should be WGS84 degrees; None when in range.
    """
    if xy.size == 0:
        return None
    lon, lat = xy[:, 0], xy[:, 1]
    sample = f"[{lon[0]:.6g}, {lat[0]:.6g}]"
    if np.abs(xy).max() > 360:
        return (
            f"coordinates such as {sample} look projected (metres, not degrees); "
            "GeoJSON must be WGS84 longitude/latitude (RFC 7946): reproject to EPSG:4326"
        )
    lon_ok = bool(np.all(np.abs(lon) <= 180))
    lat_ok = bool(np.all(np.abs(lat) <= 90))
    if lon_ok and lat_ok:
        if extent is None or inside_extent(xy, extent):
            return None
        if inside_extent(xy[:, ::-1], extent):
            return (
                f"coordinates such as {sample} look like [lat, lon]: swapped, they fall in the "
                "situation; GeoJSON order is [lon, lat]"
            )
        return (
            f"coordinates such as {sample} lie outside the situation extent (lon "
            f"{extent.west}..{extent.east}, lat {extent.south}..{extent.north})"
        )
    if not lat_ok and np.all(np.abs(lat) <= 180) and np.all(np.abs(lon) <= 90):
        return f"latitude out of range in {sample}: likely [lat, lon] order; GeoJSON is [lon, lat]"
    return f"coordinates such as {sample} are out of range (lon -180..180, lat -90..90)"


def inside_extent(xy: np.ndarray, extent: Extent) -> bool:
    """Whether every [lon, lat] row of ``xy`` lies in the extent (edges included)."""
    return bool(
        np.all((xy[:, 0] >= extent.west) & (xy[:, 0] <= extent.east))
        and np.all((xy[:, 1] >= extent.south) & (xy[:, 1] <= extent.north))
    )


def _value_problem(value: Any, name: str) -> str | None:
    """Non-finite numbers or runaway nesting anywhere inside one property value."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_PROPERTY_DEPTH:
            return f"property {name!r} is nested more than {MAX_PROPERTY_DEPTH} levels deep"
        if isinstance(item, float) and not math.isfinite(item):
            return f"property {name!r} holds {item}, which is not a JSON number"
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return None


def invalid_reasons(shapes: dict[int, Any]) -> dict[int, str]:
    """GEOS validity of shapely geometries by key; self-intersections named with a place."""
    if not shapes:
        return {}
    keys = list(shapes)
    reasons = shapely.is_valid_reason(np.asarray([shapes[k] for k in keys], dtype=object))
    found: dict[int, str] = {}
    for key, reason in zip(keys, reasons, strict=True):
        if reason is None:
            found[key] = "geometry cannot be built (GEOS refused it)"
        elif reason != "Valid Geometry":
            text = str(reason)
            if text.startswith("Self-intersection"):
                where = text.partition("[")[2].rstrip("]").split()
                place = f" near lon {where[0]}, lat {where[1]}" if len(where) >= 2 else ""
                found[key] = f"invalid geometry: self-intersection{place}"
            else:
                found[key] = f"invalid geometry: {text}"
    return found


def _geometries(
    features: list[Any],
) -> tuple[dict[int, str], dict[int, bytes], dict[int, np.ndarray]]:
    """By feature index: structure problems, else WKB and [lon, lat] of each geometry."""
    structure: dict[int, str] = {}
    wkbs: dict[int, bytes] = {}
    xys: dict[int, np.ndarray] = {}
    for index, feature in enumerate(features):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            continue
        geometry = feature.get("geometry")
        if geometry is None:
            continue
        if problem := _structure_problem(geometry):
            structure[index] = problem
        else:
            wkbs[index], xys[index] = _geometry_wkb(geometry)
    return structure, wkbs, xys


def _out_of_range(xys: dict[int, np.ndarray], extent: Extent | None) -> set[int]:
    """Indices whose positions are not all in lon/lat range (and the extent): one pass for all."""
    if not xys:
        return set()
    keys = list(xys)
    arrays = [xys[key] for key in keys]
    xy = np.concatenate(arrays)
    lon, lat = xy[:, 0], xy[:, 1]
    bad = (np.abs(lon) > 180) | (np.abs(lat) > 90)
    if extent is not None:
        bad |= (lon < extent.west) | (lon > extent.east)
        bad |= (lat < extent.south) | (lat > extent.north)
    owners = np.repeat(np.arange(len(keys)), [len(a) for a in arrays])
    return {keys[i] for i in np.unique(owners[bad])}


def check_collection(
    doc: Any,
    /,
    *,
    file: str,
    kind: LayerKind | None,
    extent: Extent | None,
    allow_crs_member: bool = False,
) -> CheckedLayer:
    """Check one parsed GeoJSON document as a situation layer; collect every problem.

    ``kind`` picks the properties model (None: structure and geometry only); ``extent``
    (WGS84 degrees) bounds the coordinates. Cross-file checks (ids, sources) are the
    caller's: the result keeps each feature's validated properties for them.
    """
    out = CheckedLayer(file=file)
    features = _top_level(doc, out, allow_crs_member=allow_crs_member)
    if features is None:
        return out
    check = _FeatureCheck(out, kind=kind, extent=extent)
    with _gc_paused():
        for start in range(0, len(features), _BATCH):
            check.batch(features[start : start + _BATCH], start)
        check.finish()
    return out


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while many acyclic objects are made (parsed JSON,
    checked values): each full collection would walk millions of them for nothing
    (measured: a third of the time of checking 100,000 events). Reference counting
    still frees everything."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _top_level(doc: Any, out: CheckedLayer, *, allow_crs_member: bool) -> list[Any] | None:
    """A FeatureCollection's own members (problems go to ``out``); its features, or None
    when there are none to check."""
    if not isinstance(doc, dict):
        out.add(NO_FEATURE, f"top level must be a GeoJSON object, not {type(doc).__name__}")
        return None
    if doc.get("type") != "FeatureCollection":
        shown = doc.get("type")
        out.add(NO_FEATURE, f"top level must be a FeatureCollection, not {shown!r}")
        return None
    if "crs" in doc and not allow_crs_member:
        out.add(
            NO_FEATURE,
            "legacy 'crs' member: RFC 7946 GeoJSON is always WGS84 lon/lat; remove the member",
        )
    features = doc.get("features")
    if not isinstance(features, list):
        out.add(NO_FEATURE, "a FeatureCollection needs a 'features' array")
        return None
    return features


_BATCH = 5_000
"""Features checked (and, from a file, parsed) at a time."""


class _FeatureCheck:
    """The per-feature checks of one layer, batch after batch; the same problems, in the
    same order, as one pass over all features.

    Two bulk paths take the common case without per-feature Python work: plain 2D Points
    in range (one array, ``shapely.points``) and properties whose values the column checks
    of ``_BulkCheck`` accept. Anything they do not accept in full goes through the
    per-feature checks, which alone write problems, so every message stays the same.
    """

    def __init__(self, out: CheckedLayer, *, kind: LayerKind | None, extent: Extent | None):
        self.out = out
        self.extent = extent
        self.model = props_model(kind) if kind is not None else None
        out.model = self.model
        self.props = _BulkCheck(self.model)
        self.slow_shapes: dict[int, Any] = {}
        self.points: list[tuple[np.ndarray, np.ndarray]] = []
        self.key_orders: set[tuple[str, ...]] = set()

    def batch(self, features: list[Any], offset: int) -> None:
        """Check ``features``, the layer's features from index ``offset`` on."""
        out, model, extent = self.out, self.model, self.extent
        fast_rows, fast_xy = _plain_points(features, extent)
        fast_geometry = [False] * len(features)
        for i in fast_rows:
            fast_geometry[i] = True
        props_ok, rows = self.props.check(features, offset)
        if rows is not None:
            out.bulk.append(rows)
        self._names(features)
        slow = [None if fast else f for f, fast in zip(features, fast_geometry, strict=True)]
        structure, wkbs, xys = _geometries(slow)
        flagged = _out_of_range(xys, extent)
        built: dict[int, bytes] = {}
        for i, feature in enumerate(features):
            index = offset + i
            label = feature_label(feature, index)
            out.labels.append(label)
            if fast_geometry[i] and props_ok[i]:
                continue
            if not isinstance(feature, dict) or feature.get("type") != "Feature":
                out.add(label, 'not a GeoJSON Feature (needs "type": "Feature")')
                continue
            geometry = feature.get("geometry", ...)
            if fast_geometry[i]:
                pass
            elif geometry is ...:
                out.add(label, "missing 'geometry' member (use null for no place)")
            elif geometry is not None:
                if problem := structure.get(i):
                    out.add(label, problem)
                    geometry = None
                else:
                    out.geometry_types.add(geometry["type"])
                    out.has_z = out.has_z or _has_z(geometry)
                    if i in flagged and (problem := range_problem(xys[i], extent)):
                        out.add(label, problem)
                    else:
                        built[i] = wkbs[i]
            if props_ok[i]:
                continue
            props = feature.get("properties", ...)
            if props is ... or props is None:
                if model is not None:
                    problem = "properties are missing; every feature needs id, name, source..."
                    out.add(label, problem)
                continue
            if not isinstance(props, dict):
                out.add(label, f"properties must be an object, not {type(props).__name__}")
                continue
            bad_values = [p for k, v in props.items() if (p := _value_problem(v, str(k)))]
            for problem in bad_values:
                out.add(label, problem)
            if model is None or bad_values:
                continue
            try:
                validated = model.model_validate(props)
            except PydanticValidationError as err:
                for problem in pydantic_problems(err):
                    out.add(label, problem)
                continue
            if (
                isinstance(validated, EventProps)
                and geometry is not None
                and validated.accuracy_m is None
            ):
                out.add(label, "missing required property 'accuracy_m' (the event has a place)")
            out.models[index] = validated
        if built:
            made = shapely.from_wkb(list(built.values()), on_invalid="ignore")
            for i, shape in zip(built, made, strict=True):
                self.slow_shapes[offset + i] = shape
        if fast_rows:
            out.geometry_types.add("Point")
            self.points.append((np.asarray(fast_rows) + offset, fast_xy))

    def finish(self) -> None:
        """Geometry validity (GEOS), named after every per-feature problem. Plain points
        stay coordinates (``CheckedLayer.points``) until used: made among the batches'
        parsed JSON, 100,000 long-lived small objects would pin its memory."""
        for index, problem in invalid_reasons(self.slow_shapes).items():
            self.out.add(self.out.labels[index], problem)
        self.out.built_shapes = self.slow_shapes
        self.out.points = self.points

    def _names(self, features: list[Any]) -> None:
        """Record property names as GDAL orders a GeoJSON layer's fields: in order of first
        appearance, a name first seen in a later feature placed after the name that
        precedes it there."""
        seen = self.key_orders
        for feature in features:
            props = feature.get("properties") if type(feature) is dict else None
            if type(props) is dict:
                keys = tuple(props)
                if keys not in seen:
                    seen.add(keys)
                    self._add_names(keys)

    def _add_names(self, keys: tuple[str, ...]) -> None:
        names = self.out.property_names
        if all(key in names for key in keys):
            return
        order = list(names)
        for position, key in enumerate(keys):
            if key not in names:
                after = order.index(keys[position - 1]) + 1 if position else len(order)
                order.insert(after, key)
                names[key] = None
        self.out.property_names = dict.fromkeys(order)


def _has_z(geometry: dict[str, Any]) -> bool:
    """Whether a well-formed geometry has some position with a third coordinate."""
    if geometry["type"] == "GeometryCollection":
        return any(_has_z(part) for part in geometry["geometries"])
    groups = _position_groups(geometry["coordinates"], _POSITION_DEPTH[geometry["type"]])
    return any(len(position) == 3 for group in groups for position in group)


_NUMBER_TYPES = (int, float)


def _plain_points(features: list[Any], extent: Extent | None) -> tuple[list[int], np.ndarray]:
    """Indices of the Features whose geometry is a Point of two finite numbers in range
    (lon -180..180, lat -90..90, inside ``extent``), and those [lon, lat] as an array."""
    rows: list[int] = []
    coords: list[list[Any]] = []
    for i, feature in enumerate(features):
        if type(feature) is not dict or feature.get("type") != "Feature":
            continue
        geometry = feature.get("geometry")
        if type(geometry) is not dict or geometry.get("type") != "Point":
            continue
        position = geometry.get("coordinates")
        if (
            type(position) is list
            and len(position) == 2
            and type(position[0]) in _NUMBER_TYPES
            and type(position[1]) in _NUMBER_TYPES
        ):
            rows.append(i)
            coords.append(position)
    if not rows:
        return [], np.empty((0, 2))
    try:
        xy = np.array(coords, dtype=float)
    except OverflowError:  # an integer too large for a float: leave them all to the slow path
        return [], np.empty((0, 2))
    lon, lat = xy[:, 0], xy[:, 1]
    with np.errstate(invalid="ignore"):
        good = np.isfinite(lon) & np.isfinite(lat) & (np.abs(lon) <= 180) & (np.abs(lat) <= 90)
        if extent is not None:
            good &= (lon >= extent.west) & (lon <= extent.east)
            good &= (lat >= extent.south) & (lat <= extent.north)
    keep = np.flatnonzero(good)
    return [rows[k] for k in keep.tolist()], xy[keep]


# --- Properties in bulk ------------------------------------------------------------------
# Each property model field gets a column check that accepts only values that pydantic
# accepts too, and returns what ``model_dump()`` would hold; anything else is _BAD and the
# feature goes through ``model.model_validate``. The tests compare both paths.


class _Marker:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


_ABSENT: Any = _Marker("<absent>")
"""A property the feature does not have."""
_BAD: Any = _Marker("<left to the per-feature checks>")
"""A value the bulk checks leave to the per-feature path."""
_IDENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:\-]{0,127}")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ISO_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?(?:Z|[+-][0-9]{2}:[0-9]{2})"
)
_TEXT_MAX = 2_000
_LONG_TEXT_MAX = 10_000
_INT64_MAX = 2**63 - 1

Check = Callable[[Any], Any]


def _ident(value: Any) -> Any:
    return value if type(value) is str and _IDENT.fullmatch(value) else _BAD


def _text(limit: int) -> Check:
    def check(value: Any) -> Any:
        if (
            type(value) is str
            and 0 < len(value) <= limit
            and not value[0].isspace()  # pydantic would strip it: leave that to pydantic
            and not value[-1].isspace()
            and (value.isascii() or _utf8(value))
        ):
            return value
        return _BAD

    return check


def _utf8(value: str) -> bool:
    """Whether a str is real Unicode text (JSON escapes can make lone surrogates)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _date(value: Any) -> Any:
    if type(value) is str and _ISO_DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    return _BAD


def _utc(value: Any) -> Any:
    if type(value) is str and _ISO_TIME.fullmatch(value):
        try:
            return dt.datetime.fromisoformat(value).astimezone(dt.UTC)
        except ValueError:
            pass
    return _BAD


def _count(value: Any) -> Any:
    return value if type(value) is int and 0 <= value <= _INT64_MAX else _BAD


def _flag(value: Any) -> Any:
    return value if type(value) is bool else _BAD


def _choice(values: Iterable[str]) -> Check:
    allowed = frozenset(values)

    def check(value: Any) -> Any:
        return value if type(value) is str and value in allowed else _BAD

    return check


def _strings(item: Check) -> Check:
    """A non-empty list of strings that each pass ``item``. Equal lists are checked once
    and share one list object in the results (100,000 events citing one source hold one
    list, not 100,000): values are read-only."""
    known: dict[tuple[str, ...], Any] = {}

    def check(value: Any) -> Any:
        if type(value) is not list or not value or not all(type(v) is str for v in value):
            return _BAD
        key = tuple(value)
        hit = known.get(key)
        if hit is None:
            hit = known[key] = list(key) if all(item(v) is not _BAD for v in key) else _BAD
        return hit

    return check


def _no_claims(value: Any) -> Any:
    return value if type(value) is list and not value else _BAD


def _specs(model: type[FeatureProps]) -> dict[str, tuple[Check, bool, bool]] | None:
    """For each field of ``model``: its value check, whether it is required, and whether
    to remember checked strings (fields with few distinct values); None for a model the
    bulk path does not know."""
    text, long_text = _text(_TEXT_MAX), _text(_LONG_TEXT_MAX)
    specs: dict[str, tuple[Check, bool, bool]] = {
        "id": (_ident, True, False),
        "name": (text, True, False),
        "kind": (_ident, True, True),
        "source": (_strings(_ident), True, False),
        "as_of": (_date, True, True),
        "accuracy_m": (_count, True, False),
        "approximate": (_flag, True, False),
        "description": (long_text, False, True),
        "name_ar": (text, False, True),
        "name_he": (text, False, True),
        "valid_from": (_date, False, True),
        "valid_to": (_date, False, True),
        "claims": (_no_claims, False, False),  # see _BulkCheck.check
    }
    if model is EventProps:
        specs |= {
            "name": (text, False, False),
            "as_of": (_date, False, True),
            "accuracy_m": (_count, False, False),
            "title": (text, True, False),
            "time": (_utc, True, False),
            "time_precision": (_choice(p.value for p in TimePrecision), True, True),
            "dating": (long_text, True, True),
            "actors": (_strings(text), True, False),
        }
    elif model is CorridorProps:
        specs |= {
            "proposed_by": (text, True, True),
            "status": (_choice(s.value for s in CorridorStatus), True, True),
            "destination": (text, True, True),
            "mode": (text, True, True),
            "illustrative": (_flag, True, False),
        }
    elif model is not FeatureProps:
        return None
    decorators = model.__pydantic_decorators__
    if (
        set(specs) != set(model.model_fields)
        or set(decorators.model_validators) != {"_check"}
        or decorators.field_validators
        or decorators.validators
        or decorators.root_validators
    ):
        return None  # the schema changed: every feature takes the per-feature path
    return specs


def _plain_key(name: str) -> bool:
    """An extra property name pydantic surely stores as given."""
    return name.isidentifier() and not name.startswith(("_", "model_"))


def _flat(props: dict[str, Any]) -> bool:
    """Whether no property value can have a problem of ``_value_problem``."""
    for value in props.values():
        kind = type(value)
        if kind is str or kind is int or kind is bool or value is None:
            continue
        if kind is float and math.isfinite(value):
            continue
        if kind is list and all(type(item) is str for item in value):
            continue
        return False
    return True


class _BulkCheck:
    """Properties of many features, checked column by column against one model."""

    def __init__(self, model: type[FeatureProps] | None) -> None:
        self.model = model
        self.specs = _specs(model) if model is not None else None
        self.known: dict[str, dict[str, Any]] = {name: {} for name in self.specs or {}}
        self.key_sets: dict[tuple[str, ...], tuple[str, ...] | None] = {}
        self.no_claims: list[Any] = []

    def check(self, features: list[Any], offset: int) -> tuple[list[bool], BulkRows | None]:
        """Which features' properties are accepted in bulk, and their values."""
        accepted = [False] * len(features)
        picked: list[int] = []
        props_list: list[dict[str, Any]] = []
        for i, feature in enumerate(features):
            if type(feature) is dict and feature.get("type") == "Feature":
                props = feature.get("properties")
                if type(props) is dict:
                    picked.append(i)
                    props_list.append(props)
        if self.model is None:
            for i, props in zip(picked, props_list, strict=True):
                accepted[i] = _flat(props)
            return accepted, None
        if self.specs is None or not picked:
            return accepted, None
        good = np.ones(len(picked), dtype=bool)
        extras: list[tuple[str, ...]] = []
        groups: dict[tuple[str, ...], list[int]] = {}
        for j, props in enumerate(props_list):
            keys = tuple(props)
            groups.setdefault(keys, []).append(j)
            found = self._extra_names(keys)
            if found is None:
                good[j] = False
                found = ()
            extras.append(found)
        given = _transpose(props_list, groups)
        columns: dict[str, list[Any]] = {}
        for name, (check, required, remember) in self.specs.items():
            raw = given.get(name) or [_ABSENT] * len(props_list)
            if name == "claims":  # absent or [] (one shared empty list); null is not a list
                empty = self.no_claims
                values = [
                    empty if value is _ABSENT or _no_claims(value) is not _BAD else _BAD
                    for value in raw
                ]
            else:
                known = self.known[name] if remember else None
                values = _apply(check, raw, required=required, known=known)
            if _BAD in values:
                good &= np.fromiter((v is not _BAD for v in values), dtype=bool, count=len(values))
            columns[name] = values
        self._model_rules(features, picked, columns, good)
        extra_names: dict[str, None] = {}
        for j in np.flatnonzero(good).tolist():
            for name in extras[j]:
                if _value_problem(props_list[j][name], name):
                    good[j] = False
                    break
            else:
                extra_names.update(dict.fromkeys(extras[j]))
        keep = np.flatnonzero(good).tolist()
        if not keep:
            return accepted, None
        for j in keep:
            accepted[picked[j]] = True
        if len(keep) < len(picked):
            columns = {name: [values[j] for j in keep] for name, values in columns.items()}
        for name in extra_names:
            columns[name] = [props_list[j].get(name, _ABSENT) for j in keep]
        return accepted, BulkRows(rows=[offset + picked[j] for j in keep], columns=columns)

    def _extra_names(self, keys: tuple[str, ...]) -> tuple[str, ...] | None:
        """The names among ``keys`` that are not model fields; None if one is unusual."""
        if keys not in self.key_sets:
            assert self.specs is not None
            extra = tuple(k for k in keys if k not in self.specs)
            self.key_sets[keys] = extra if all(_plain_key(k) for k in extra) else None
        return self.key_sets[keys]

    def _model_rules(
        self,
        features: list[Any],
        picked: list[int],
        columns: dict[str, list[Any]],
        good: np.ndarray,
    ) -> None:
        """What the model validator and the located-event rule check, row by row."""
        approximate, description = columns["approximate"], columns["description"]
        valid_from, valid_to = columns["valid_from"], columns["valid_to"]
        accuracy = columns["accuracy_m"] if self.model is EventProps else None
        for j in np.flatnonzero(good).tolist():
            estimate_unexplained = approximate[j] is True and description[j] is None
            start, end = valid_from[j], valid_to[j]
            backwards = start is not None and end is not None and start > end
            located_without_accuracy = (
                accuracy is not None
                and accuracy[j] is None
                and features[picked[j]].get("geometry", ...) is not None
            )
            if estimate_unexplained or backwards or located_without_accuracy:
                good[j] = False


def _transpose(
    rows: list[dict[str, Any]], groups: dict[tuple[str, ...], list[int]]
) -> dict[str, list[Any]]:
    """Dicts as columns (``_ABSENT`` where a row lacks a key); ``groups`` holds the rows
    of each key order. Rows sharing keys are read by one ``itemgetter`` each."""
    if len(groups) == 1:
        keys = next(iter(groups))
        if len(keys) < 2:
            return {key: [row[key] for row in rows] for key in keys}
        values = zip(*map(operator.itemgetter(*keys), rows), strict=True)
        return dict(zip(keys, map(list, values), strict=True))
    columns: dict[str, list[Any]] = {}
    for keys, members in groups.items():
        for key in keys:
            column = columns.get(key)
            if column is None:
                column = columns[key] = [_ABSENT] * len(rows)
            for j in members:
                column[j] = rows[j][key]
    return columns


def _apply(
    check: Check, raw: list[Any], *, required: bool, known: dict[str, Any] | None
) -> list[Any]:
    """``check`` on each present value: an absent one is _BAD when ``required``, else
    None, as null is. With ``known``, each distinct string is checked once (and the rows
    share one copy of it)."""
    if known is None:
        if required:
            return [_BAD if value is _ABSENT else check(value) for value in raw]
        return [None if value is _ABSENT or value is None else check(value) for value in raw]
    out = []
    append, get = out.append, known.get
    for value in raw:
        if type(value) is str:
            hit = get(value, _ABSENT)
            if hit is _ABSENT:
                hit = known[value] = check(value)
            append(hit)
        elif value is _ABSENT or value is None:
            append(_BAD if required else None)  # no check takes None
        else:
            append(check(value))
    return out


# --- Files, read and parsed in batches ----------------------------------------------------

_DECODER = json.JSONDecoder()
_WHITESPACE = re.compile(r"[ \t\n\r]*")  # JSON's, as json.decoder.WHITESPACE
_CHUNK_BYTES = 1 << 22
"""Bytes read from a layer file at a time (4 MiB)."""


class _NotStreamable(Exception):  # noqa: N818 (a signal, not an error)
    """Not a plain JSON object with a 'features' array, or not readable as one: let the
    whole-file path read it and name what is wrong."""


def check_geojson_file(
    path: Path,
    /,
    *,
    file: str,
    kind: LayerKind | None,
    extent: Extent | None,
    allow_crs_member: bool = False,
) -> CheckedLayer:
    """Read, parse and check one GeoJSON layer file: the result of
    ``check_collection(parse_geojson(read_json_bytes(path)))``, with the same problems.

    The file is read in chunks and its features are parsed and checked in batches, so a
    large file never exists whole in memory, as bytes, text or parsed document (a 50 MB
    layer of 100,000 events parses to over 200 MB of Python objects): the peak is one
    chunk plus one batch. A file that is not plain (too large, not UTF-8, not a JSON
    object, broken JSON...) is read whole as before, for the same messages. Raises
    ValidationError for a file that cannot be read or parsed.
    """
    try:
        with _gc_paused():
            return _check_stream(
                path, file=file, kind=kind, extent=extent, allow_crs_member=allow_crs_member
            )
    except _NotStreamable:
        pass
    with _gc_paused():
        doc = parse_geojson(read_json_bytes(path, file=file), file=file)
    return check_collection(
        doc, file=file, kind=kind, extent=extent, allow_crs_member=allow_crs_member
    )


class _Reader:
    """JSON text read from a binary file in chunks; ``buf[i:]`` is still to be parsed."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.decoder = codecs.getincrementaldecoder("utf-8-sig")("strict")
        self.buf = ""
        self.i = 0
        self.eof = False
        first = stream.read(_CHUNK_BYTES)
        if first.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in first[:4]:
            raise _NotStreamable  # UTF-16/32: named by _decode
        self._add(first)

    def _add(self, data: bytes) -> None:
        try:
            text = self.decoder.decode(data, final=not data)
        except UnicodeDecodeError:
            raise _NotStreamable from None
        self.eof = not data
        self.buf = self.buf[self.i :] + text
        self.i = 0

    def more(self) -> bool:
        """Read on (at least as much as is left, so a long value is re-read few times);
        False at the end of the file."""
        if self.eof:
            return False
        self._add(self.stream.read(max(_CHUNK_BYTES, len(self.buf) - self.i)))
        return True

    def skip_space(self) -> str:
        """Skip whitespace; the next character ('' at the end)."""
        while True:
            self.i = _WHITESPACE.match(self.buf, self.i).end()
            if self.i < len(self.buf) or not self.more():
                return self.buf[self.i : self.i + 1]

    def take(self, char: str) -> None:
        """The next character, after whitespace, must be ``char``."""
        if self.skip_space() != char:
            raise _NotStreamable
        self.i += 1

    def value(self) -> Any:
        """The next JSON value (whitespace before it skipped)."""
        self.skip_space()
        while True:
            try:
                value, end = _DECODER.scan_once(self.buf, self.i)
            except (StopIteration, ValueError):  # cut by the chunk's end, or broken
                if self.more():
                    continue
                raise _NotStreamable from None
            except RecursionError:
                raise _NotStreamable from None
            if end == len(self.buf) and self.more():  # a number may go on
                continue
            self.i = end
            return value

    def key(self) -> str:
        """The next object key (a string, then ':')."""
        if self.skip_space() != '"':
            raise _NotStreamable
        while True:
            try:
                key, end = json.decoder.scanstring(self.buf, self.i + 1, True)  # type: ignore[attr-defined]
            except ValueError:
                if self.more():
                    continue
                raise _NotStreamable from None
            self.i = end
            self.take(":")
            return key


def _check_stream(
    path: Path,
    *,
    file: str,
    kind: LayerKind | None,
    extent: Extent | None,
    allow_crs_member: bool,
) -> CheckedLayer:
    try:
        if path.stat().st_size > max_layer_bytes():
            raise _NotStreamable
        stream = path.open("rb")
    except OSError:
        raise _NotStreamable from None
    out = CheckedLayer(file=file)
    check = _FeatureCheck(out, kind=kind, extent=extent)
    members: dict[str, Any] = {}
    with stream:
        reader = _Reader(stream)
        reader.take("{")
        if reader.skip_space() == "}":
            raise _NotStreamable
        while True:
            key = reader.key()
            if key in members:  # json keeps a repeated key's last value
                raise _NotStreamable
            if key == "features" and reader.skip_space() == "[":
                reader.i += 1
                _stream_features(reader, check)
                members[key] = []
            else:
                members[key] = reader.value()
            following = reader.skip_space()
            reader.i += 1
            if following == "}":
                break
            if following != ",":
                raise _NotStreamable
        if reader.skip_space() != "":  # anything after the object
            raise _NotStreamable
    if members.get("features") != []:  # missing, or given as something else
        raise _NotStreamable
    top = CheckedLayer(file=file)
    if _top_level(members, top, allow_crs_member=allow_crs_member) is None:
        return top
    check.finish()
    out.problems[:0] = top.problems
    return out


def _stream_features(reader: _Reader, check: _FeatureCheck) -> None:
    """Parse and check the features array, from just after its '[' to just after its ']'."""
    batch: list[Any] = []
    offset = 0
    if reader.skip_space() == "]":
        reader.i += 1
        return
    while True:
        batch.append(reader.value())
        if len(batch) == _BATCH:
            check.batch(batch, offset)
            offset += len(batch)
            batch = []
        following = reader.skip_space()
        reader.i += 1
        if following == "]":
            break
        if following != ",":
            raise _NotStreamable
    if batch:
        check.batch(batch, offset)


def model_problems(
    model: type[BaseModel], data: Any, *, file: str, feature: str
) -> tuple[BaseModel | None, list[Problem]]:
    """Validate ``data`` against a model, returning it or every problem as lines."""
    try:
        return model.model_validate(data), []
    except PydanticValidationError as err:
        return None, [Problem(file, feature, p) for p in pydantic_problems(err)]
