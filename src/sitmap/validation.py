"""Validate GeoJSON layers and situation folders, collecting every problem at once.

One place backs ``sitmap validate``, the situation loader and uploads. Checks, in order:
bytes (size, encoding), JSON (syntax, NaN, nesting), RFC 7946 structure, coordinates
(finite, in range, likely lat/lon swap or projected metres, inside the situation extent),
geometry validity (self-intersections named), properties (pydantic models of ``schema``),
and references across files (unique ids, known source ids). Coordinates are WGS84 lon/lat.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from sitmap.errors import NO_FEATURE, Problem, ValidationError
from sitmap.schema import EventProps, Extent, FeatureProps, LayerKind, props_model

__all__ = [
    "DEFAULT_MAX_MB",
    "CheckedLayer",
    "check_collection",
    "feature_label",
    "max_layer_bytes",
    "model_problems",
    "parse_geojson",
    "pydantic_problems",
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


@dataclass
class CheckedLayer:
    """What checking one FeatureCollection found: its problems and its valid parts."""

    file: str
    problems: list[Problem] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    props: list[FeatureProps | None] = field(default_factory=list)
    geometry_types: set[str] = field(default_factory=set)

    @property
    def feature_count(self) -> int:
        return len(self.labels)

    def add(self, feature: str, problem: str) -> None:
        self.problems.append(Problem(self.file, feature, problem))


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
    text = _decode(data, file)
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


def _positions(coords: Any, depth: int) -> Iterator[Any]:
    """Yield each position of a coordinates array that is ``depth`` levels above positions."""
    stack = [(coords, depth)]
    while stack:
        value, level = stack.pop()
        if level == 0:
            yield value
        elif isinstance(value, list):
            stack.extend((item, level - 1) for item in reversed(value))
        else:
            yield None


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
    for pos in _positions(coords, depth):
        if not isinstance(pos, list) or not 2 <= len(pos) <= 3:
            return f"{gtype} coordinates must be nested {depth} levels above [lon, lat] positions"
        for number in pos:
            if isinstance(number, bool) or not isinstance(number, int | float):
                return f"coordinate {number!r} is not a number"
            if not math.isfinite(number):
                return f"coordinate {number} is not a finite number (NaN or infinity)"
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


def _all_positions(geometry: dict[str, Any]) -> np.ndarray:
    """Every [lon, lat] of a well-formed geometry, as an (n, 2) float array."""
    if geometry["type"] == "GeometryCollection":
        parts = [_all_positions(part) for part in geometry["geometries"]]
        return np.concatenate(parts) if parts else np.empty((0, 2))
    found = [p[:2] for p in _positions(geometry["coordinates"], _POSITION_DEPTH[geometry["type"]])]
    return np.asarray(found, dtype=float).reshape(-1, 2)


def _range_problem(xy: np.ndarray, extent: Extent | None) -> str | None:
    """Name coordinates out of range: projected metres, a lat/lon swap, or outside the extent."""
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
        if extent is None or _inside(xy, extent):
            return None
        if _inside(xy[:, ::-1], extent):
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


def _inside(xy: np.ndarray, extent: Extent) -> bool:
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


def _validity_problems(geometries: dict[int, dict[str, Any]]) -> dict[int, str]:
    """Shapely validity of well-formed geometries; self-intersections named with a place."""
    if not geometries:
        return {}
    keys = list(geometries)
    texts = [json.dumps(geometries[k]) for k in keys]
    shapes = shapely.from_geojson(texts, on_invalid="ignore")
    reasons = shapely.is_valid_reason(shapes)
    found: dict[int, str] = {}
    for key, shape, reason in zip(keys, shapes, reasons, strict=True):
        if shape is None:
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
    if not isinstance(doc, dict):
        out.add(NO_FEATURE, f"top level must be a GeoJSON object, not {type(doc).__name__}")
        return out
    if doc.get("type") != "FeatureCollection":
        shown = doc.get("type")
        out.add(NO_FEATURE, f"top level must be a FeatureCollection, not {shown!r}")
        return out
    if "crs" in doc and not allow_crs_member:
        out.add(
            NO_FEATURE,
            "legacy 'crs' member: RFC 7946 GeoJSON is always WGS84 lon/lat; remove the member",
        )
    features = doc.get("features")
    if not isinstance(features, list):
        out.add(NO_FEATURE, "a FeatureCollection needs a 'features' array")
        return out
    model = props_model(kind) if kind is not None else None
    to_check: dict[int, dict[str, Any]] = {}
    for index, feature in enumerate(features):
        label = feature_label(feature, index)
        out.labels.append(label)
        out.props.append(None)
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            out.add(label, 'not a GeoJSON Feature (needs "type": "Feature")')
            continue
        geometry = feature.get("geometry", ...)
        if geometry is ...:
            out.add(label, "missing 'geometry' member (use null for no place)")
        elif geometry is not None:
            if problem := _structure_problem(geometry):
                out.add(label, problem)
                geometry = None
            else:
                out.geometry_types.add(geometry["type"])
                if problem := _range_problem(_all_positions(geometry), extent):
                    out.add(label, problem)
                else:
                    to_check[index] = geometry
        props = feature.get("properties", ...)
        if props is ... or props is None:
            if model is not None:
                out.add(label, "properties are missing; every feature needs id, name, source...")
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
        out.props[index] = validated
    for index, problem in _validity_problems(to_check).items():
        out.add(out.labels[index], problem)
    return out


def model_problems(
    model: type[BaseModel], data: Any, *, file: str, feature: str
) -> tuple[BaseModel | None, list[Problem]]:
    """Validate ``data`` against a model, returning it or every problem as lines."""
    try:
        return model.model_validate(data), []
    except PydanticValidationError as err:
        return None, [Problem(file, feature, p) for p in pydantic_problems(err)]
