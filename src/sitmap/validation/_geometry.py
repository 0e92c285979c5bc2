"""Check GeoJSON geometries: RFC 7946 structure, coordinate ranges, WKB and GEOS validity.

Coordinates are WGS84 lon/lat degrees. A well-formed geometry is built as 2D WKB straight
from its coordinates (GEOS parses a whole batch at once); plain 2D points in range skip
that and stay an array of [lon, lat] (:func:`plain_points`).
"""

from __future__ import annotations

import math
import struct
import sys
from collections.abc import Iterator
from itertools import chain
from typing import Any

import numpy as np
import shapely

from sitmap.schema import Extent

__all__ = [
    "check_geometries",
    "has_z",
    "inside_extent",
    "invalid_reasons",
    "out_of_range",
    "plain_points",
    "range_problem",
]

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
        return _collection_problem(geometry.get("geometries"))
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
    return _size_problem(coords, gtype)


def _collection_problem(parts: Any) -> str | None:
    """RFC 7946 shape of a GeometryCollection's ``geometries``; None when well formed."""
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


def _size_problem(coords: list[Any], gtype: str) -> str | None:
    """Empty coordinates, lines of fewer than 2 positions, short or open polygon rings.

    ``coords`` are those of a ``gtype`` geometry whose positions are all well formed;
    None when every part is large enough and every ring closed.
    """
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


def check_geometries(
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


def out_of_range(xys: dict[int, np.ndarray], extent: Extent | None) -> set[int]:
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


def has_z(geometry: dict[str, Any]) -> bool:
    """Whether a well-formed geometry has some position with a third coordinate."""
    if geometry["type"] == "GeometryCollection":
        return any(has_z(part) for part in geometry["geometries"])
    groups = _position_groups(geometry["coordinates"], _POSITION_DEPTH[geometry["type"]])
    return any(len(position) == 3 for group in groups for position in group)


_NUMBER_TYPES = (int, float)


def plain_points(features: list[Any], extent: Extent | None) -> tuple[list[int], np.ndarray]:
    """Indices of the Features whose geometry is a Point of two finite numbers in range
    (lon -180..180, lat -90..90, inside ``extent``), and those [lon, lat] as an array.
    """
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
