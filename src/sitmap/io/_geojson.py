"""Read GeoJSON layers through validation's parser and checks (WGS84 lon/lat degrees).

A lone Feature or geometry is read as a collection of one; a legacy ``crs`` member naming
another CRS is honoured by reprojecting every position to EPSG:4326 (with a note).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyproj
import shapely

from sitmap.errors import ImportRefusedError, Problem, ValidationError
from sitmap.io._readcontext import Part, ReadContext
from sitmap.io._repair import (
    clamp_positions,
    clamped_note,
    offending_vertex_problem,
    repair_invalid,
)
from sitmap.io._words import geojson_problem_in_words
from sitmap.io.crs import WGS84, crs_from_name, crs_label, is_wgs84, transform_positions
from sitmap.validation import CheckedLayer, check_collection, feature_label, parse_geojson

__all__ = [
    "read_geojson",
]

_GEOJSON_TYPES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon")


def read_geojson(reader: ReadContext, data: bytes) -> Part:
    """GeoJSON through validation's parser and checks (structure, range, validity)."""
    try:
        doc = parse_geojson(data, file=reader.file)
    except ValidationError as err:
        raise ImportRefusedError(err.problems) from None
    doc = _as_collection(reader, doc)
    if isinstance(doc, dict) and "type" not in doc:
        reader.fail(
            'not GeoJSON: the JSON has no "type" member (a GeoJSON layer is '
            '{"type": "FeatureCollection", "features": [...]})'
        )
    features = doc.get("features") if isinstance(doc, dict) else None
    if isinstance(features, list) and len(features) > reader.limits.max_features:
        reader.fail(reader.too_many_features(len(features)))
    crs = _legacy_crs(reader, doc) if isinstance(doc, dict) else None
    if isinstance(features, list):
        _check_vertex_counts(reader, features)
        _nullify_empty(features)
        if crs is not None:
            transform_positions(features, pyproj.Transformer.from_crs(crs, WGS84, always_xy=True))
    checked = check_collection(doc, file=reader.file, kind=None, extent=None, allow_crs_member=True)
    if (
        checked.problems
        and isinstance(features, list)
        and _clamp_features(reader, features, checked)
    ):
        checked = check_collection(
            doc, file=reader.file, kind=None, extent=None, allow_crs_member=True
        )
    shapes = checked.shapes
    invalid = _invalid_indices(shapes)
    invalid_labels = {checked.labels[i] for i in invalid}
    index_of: dict[str, int] = {}
    for index, label in enumerate(checked.labels):
        index_of.setdefault(label, index)
    problems = [
        _in_words(p, features, index_of)
        for p in checked.problems
        if not (p.problem.startswith(_INVALID) and p.feature in invalid_labels)
    ]
    if problems or not isinstance(features, list):
        raise ImportRefusedError(problems or checked.problems)
    geoms = np.empty(len(features), dtype=object)
    for index, shape in shapes.items():
        geoms[index] = shape
    unrepaired = repair_invalid(geoms, checked.labels, invalid, reader.note)
    if unrepaired:
        raise ImportRefusedError(
            [Problem(reader.file, checked.labels[i], unrepaired[i]) for i in sorted(unrepaired)]
        )
    props = [f.get("properties") if isinstance(f.get("properties"), dict) else {} for f in features]
    keys = list(dict.fromkeys(key for p in props for key in p))
    if len(keys) > reader.limits.max_fields:
        reader.fail(reader.too_many_fields(len(keys)))
    columns = {key: [p.get(key) for p in props] for key in keys}
    if any(_has_z(f.get("geometry")) for f in features):
        reader.note("Z (height) values dropped")
    part = Part(geoms=geoms, columns=columns, labels=checked.labels, checked=True)
    part.source_crs = "EPSG:4326 (WGS 84; GeoJSON, RFC 7946)"
    if crs is not None:
        part.source_crs, part.reprojected = crs_label(crs), True
        reader.note(
            f"reprojected from {part.source_crs} (named by the legacy 'crs' member) to EPSG:4326"
        )
    return part


def _check_vertex_counts(reader: ReadContext, features: list[Any]) -> None:
    """Refuse features with too many positions before anything builds their geometry."""
    limit = reader.limits.max_vertices
    problems = []
    for index, feature in enumerate(features):
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        if (count := _position_count(geometry)) > limit:
            problem = (
                f"has {count:,} vertices; the limit is {limit:,} per feature "
                "(SITMAP_IMPORT_MAX_VERTICES): simplify it"
            )
            problems.append(Problem(reader.file, feature_label(feature, index), problem))
    if problems:
        raise ImportRefusedError(problems)


def _as_collection(reader: ReadContext, doc: Any) -> Any:
    """Wrap a lone Feature or geometry in a FeatureCollection (noted)."""
    if not isinstance(doc, dict):
        return doc
    kind = doc.get("type")
    if kind == "Feature":
        reader.note("a single GeoJSON Feature, read as a collection of one")
        return {"type": "FeatureCollection", "features": [doc]}
    if kind in (*_GEOJSON_TYPES, "GeometryCollection"):
        reader.note(f"a bare GeoJSON {kind}, read as one feature without properties")
        return {
            "type": "FeatureCollection",
            "features": [{"type": "Feature", "properties": {}, "geometry": doc}],
        }
    return doc


def _legacy_crs(reader: ReadContext, doc: dict[str, Any]) -> pyproj.CRS | None:
    """The CRS a legacy ``crs`` member names when it is not WGS84; notes what was done."""
    member = doc.get("crs")
    if member is None:
        return None
    name = member.get("properties", {}).get("name") if isinstance(member, dict) else None
    if isinstance(member, dict) and member.get("type") == "link":
        reader.note("legacy 'crs' link ignored (never followed); coordinates read as WGS84")
        return None
    if not isinstance(name, str):
        reader.fail("legacy 'crs' member is malformed; remove it (GeoJSON is WGS84 lon/lat)")
    crs = crs_from_name(name)
    if crs is None:
        reader.fail(
            f"legacy 'crs' member names {name[:80]!r}, which sitmap does not know; remove it "
            "(RFC 7946 GeoJSON is always WGS84 lon/lat) or export the file as EPSG:4326"
        )
    if is_wgs84(crs):
        reader.note(f"legacy 'crs' member ({name[:80]}) ignored: GeoJSON is WGS84 lon/lat")
        return None
    return crs


def _has_z(geometry: Any) -> bool:
    """Whether a GeoJSON geometry's first position has a non-zero third number (a height)."""
    if not isinstance(geometry, dict):
        return False
    value: Any = geometry.get("coordinates")
    while isinstance(value, list) and value and isinstance(value[0], list):
        value = value[0]
    return isinstance(value, list) and len(value) == 3 and value[2] not in (0, None)


_DEPTHS = {"MultiPoint": 1, "LineString": 1, "MultiLineString": 2, "Polygon": 2, "MultiPolygon": 3}


def _position_count(geometry: Any) -> int:
    """How many positions a GeoJSON geometry lists (lengths only; malformed parts count 0)."""
    if not isinstance(geometry, dict):
        return 0
    if geometry.get("type") == "GeometryCollection":
        parts = geometry.get("geometries")
        return sum(map(_position_count, parts)) if isinstance(parts, list) else 0
    depth = _DEPTHS.get(str(geometry.get("type")), 0)
    level = [geometry.get("coordinates")]
    for _ in range(depth - 1):
        level = [item for value in level if isinstance(value, list) for item in value]
    return sum(len(value) for value in level if isinstance(value, list)) if depth else 1


def _nullify_empty(features: list[Any]) -> None:
    """Features whose geometry has no coordinates become attribute-only (null geometry)."""
    for feature in features:
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        if not isinstance(geometry, dict):
            continue
        if (geometry.get("type") in _GEOJSON_TYPES and geometry.get("coordinates") == []) or (
            geometry.get("type") == "GeometryCollection" and geometry.get("geometries") == []
        ):
            feature["geometry"] = None


_INVALID = "invalid geometry: "
_OUT_OF_RANGE = "are out of range ("
"""Validation's words for an invalid geometry and for coordinates out of lon/lat range."""


def _invalid_indices(shapes: dict[int, Any]) -> list[int]:
    """Indices of the built geometries GEOS finds invalid (but can build)."""
    if not shapes:
        return []
    keys = list(shapes)
    valid = shapely.is_valid(np.asarray([shapes[k] for k in keys], dtype=object))
    return [k for k, ok in zip(keys, valid, strict=True) if not ok and shapes[k] is not None]


def _positions(value: Any) -> list[list[Any]]:
    """Every position (a list starting with two numbers) nested in GeoJSON coordinates."""
    found: list[list[Any]] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if not isinstance(item, list):
            continue
        if len(item) >= 2 and all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in item[:2]
        ):
            found.append(item)
        else:
            stack.extend(reversed(item))
    return found


def _geometry_positions(geometry: Any) -> list[list[Any]]:
    if not isinstance(geometry, dict):
        return []
    if geometry.get("type") == "GeometryCollection":
        parts = geometry.get("geometries")
        return [p for g in parts for p in _geometry_positions(g)] if isinstance(parts, list) else []
    return _positions(geometry.get("coordinates"))


def _range_indices(checked: CheckedLayer) -> list[int]:
    """Indices of the features refused for coordinates out of lon/lat range."""
    named = {p.feature for p in checked.problems if _OUT_OF_RANGE in p.problem}
    return [i for i, label in enumerate(checked.labels) if label in named]


def _clamp_features(reader: ReadContext, features: list[Any], checked: CheckedLayer) -> bool:
    """Clamp near-limit overshoots in the features refused as out of range (noted).

    Returns whether any position changed (the collection is then checked again).
    """
    fixed: list[str] = []
    for index in _range_indices(checked):
        feature = features[index]
        positions = _geometry_positions(feature.get("geometry"))
        if not positions:
            continue
        xy = np.array([p[:2] for p in positions], dtype=float)
        clamped, changed = clamp_positions(xy)
        if changed:
            for position, (x, y) in zip(positions, clamped.tolist(), strict=True):
                position[0], position[1] = x, y
            fixed.append(checked.labels[index])
    if fixed:
        reader.note(clamped_note(fixed))
    return bool(fixed)


def _in_words(problem: Problem, features: Any, index_of: dict[str, int]) -> Problem:
    """A problem in a person's words; a range problem quoting the first vertex out of range."""
    index = index_of.get(problem.feature)
    feature = features[index] if isinstance(features, list) and index is not None else None
    geometry = feature.get("geometry") if isinstance(feature, dict) else None
    if _OUT_OF_RANGE in problem.problem and (positions := _geometry_positions(geometry)):
        found = offending_vertex_problem(np.array([p[:2] for p in positions], dtype=float))
        return Problem(problem.file, problem.feature, found) if found else problem
    return geojson_problem_in_words(problem, geometry)
