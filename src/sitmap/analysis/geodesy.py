"""Measure on the WGS84 ellipsoid: geodesic lengths, distances and areas, and a metric CRS.

Every coordinate given to or returned by this module is WGS84 longitude/latitude in degrees
(x = longitude, y = latitude, RFC 7946 order), except the projected coordinates of
:func:`to_metric`/:func:`from_metric`, which are metres in :data:`METRIC_CRS`. Lengths and
distances are metres, areas square metres, always measured on the ellipsoid with
:data:`GEOD` (Karney's geodesics), never in a projection.

Inputs are checked at the boundary: a non-finite coordinate or a latitude outside [-90, 90]
raises :class:`~sitmap.errors.CorridorError` (a ``ValueError``) naming the geometry, the vertex
and the value. Longitudes need not be wrapped (370 is 10).
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import pyproj
import shapely
from numpy.typing import ArrayLike, NDArray
from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from sitmap.errors import NO_FEATURE, CorridorError, Problem

__all__ = [
    "GEOD",
    "LONLAT_CRS",
    "METRIC_CRS",
    "distance_m",
    "distances_m",
    "from_metric",
    "geodesic_area_m2",
    "lengths_m",
    "line_length_m",
    "nearest_distances_m",
    "to_metric",
]

GEOD: Final = pyproj.Geod(ellps="WGS84")
"""The WGS84 ellipsoid; every length, distance and area in sitmap is measured on it."""

LONLAT_CRS: Final = pyproj.CRS.from_epsg(4326)
"""WGS84 longitude/latitude in degrees (used with ``always_xy=True``: x = lon, y = lat)."""

METRIC_CRS: Final = pyproj.CRS.from_epsg(32636)
"""UTM zone 36N on WGS84 (EPSG:32636), metres: the projection for overlays around Gaza.

Chosen on purpose: the Gaza Strip (34.2-34.6 E, 31.2-31.6 N) lies inside zone 36 (30-36 E),
about 1.4 degrees east of its central meridian (33 E), where the scale error is about 0.02 %
(0.2 m per km). It is on the WGS84 datum itself, so converting to and from lon/lat is a pure
projection with no datum shift, no grid files and no loss (round trip below 1e-9 degrees),
unlike the local Israeli TM grid (EPSG:2039) or the Palestine 1923 grid, which need a datum
transformation. It is what ``GeoDataFrame.estimate_utm_crs()`` picks for the region. Geometry
far from 33 E is distorted; that only affects which points are found nearest, because
distances are always measured geodesically.
"""

# Built once; pyproj Transformers are thread-safe (Streamlit runs sessions in threads).
_TO_METRIC: Final = pyproj.Transformer.from_crs(LONLAT_CRS, METRIC_CRS, always_xy=True)
_FROM_METRIC: Final = pyproj.Transformer.from_crs(METRIC_CRS, LONLAT_CRS, always_xy=True)

_MULTI_TYPE_IDS: Final = np.array(
    [
        shapely.GeometryType.MULTIPOINT,
        shapely.GeometryType.MULTILINESTRING,
        shapely.GeometryType.MULTIPOLYGON,
        shapely.GeometryType.GEOMETRYCOLLECTION,
    ]
)
_MAX_PROBLEMS: Final = 10
_NEAREST_DENSIFY_DEG: Final = 0.005


def _refuse(problems: list[tuple[str, str]], total: int) -> CorridorError:
    """Build a CorridorError from (feature, problem) pairs, noting any left out."""
    found = [Problem(NO_FEATURE, feature, problem) for feature, problem in problems]
    if total > len(problems):
        found.append(Problem(NO_FEATURE, NO_FEATURE, f"and {total - len(problems)} more"))
    return CorridorError(found)


def _check_lonlat(lon: NDArray[np.float64], lat: NDArray[np.float64], what: NDArray[Any]) -> None:
    """Refuse non-finite coordinates and latitudes outside [-90, 90] (degrees).

    ``what`` labels each coordinate pair in messages (e.g. "geometry 3, vertex 1").
    """
    with np.errstate(invalid="ignore"):
        bad = ~(np.isfinite(lon) & np.isfinite(lat) & (np.abs(lat) <= 90.0))
    if not bad.any():
        return
    where = np.flatnonzero(bad)
    problems = []
    for i in where[:_MAX_PROBLEMS]:
        x, y = float(lon[i]), float(lat[i])
        if not (np.isfinite(x) and np.isfinite(y)):
            problem = f"coordinate ({x!r}, {y!r}) is not finite"
        else:
            problem = f"latitude {y!r} is outside [-90, 90] degrees"
        problems.append((str(what[i]), problem))
    raise _refuse(problems, len(where))


def _as_geometry_array(geoms: ArrayLike) -> NDArray[np.object_]:
    """Return ``geoms`` as an object array, refusing anything that is not a geometry or None."""
    arr = np.asarray(geoms, dtype=object)
    ok = shapely.is_valid_input(arr)
    if not np.all(ok):
        where = np.flatnonzero(~np.ravel(ok))
        flat = np.ravel(arr)
        problems = [
            (f"geometry {i}", f"{type(flat[i]).__name__} {flat[i]!r:.60} is not a geometry")
            for i in where[:_MAX_PROBLEMS]
        ]
        raise _refuse(problems, len(where))
    return arr


def _simple_parts(flat: NDArray[np.object_]) -> tuple[NDArray[np.object_], NDArray[np.intp]]:
    """Explode multi-geometries and (nested) collections into single parts.

    Returns the parts and, for each part, the index of its geometry in ``flat``. Polygons are
    replaced by their rings (exterior and interiors). Loops once per nesting level, not per
    geometry.
    """
    parts, owner = flat, np.arange(len(flat))
    while True:
        is_multi = np.isin(shapely.get_type_id(parts), _MULTI_TYPE_IDS)
        if not is_multi.any():
            break
        sub, sub_idx = shapely.get_parts(parts, return_index=True)
        parts, owner = sub, owner[sub_idx]
    is_polygon = shapely.get_type_id(parts) == shapely.GeometryType.POLYGON
    if is_polygon.any():
        rings, ring_idx = shapely.get_rings(parts[is_polygon], return_index=True)
        parts = np.concatenate([parts[~is_polygon], rings])
        owner = np.concatenate([owner[~is_polygon], owner[is_polygon][ring_idx]])
    return parts, owner


def lengths_m(geoms: ArrayLike) -> NDArray[np.float64]:
    """Geodesic length in metres of every geometry in ``geoms`` (WGS84 lon/lat), vectorised.

    Lines count their length, every part of a multi-geometry or (nested) collection counts,
    polygons count their perimeter (exterior plus interior rings), points and empty geometries
    count 0.0, and a missing geometry (None) gives NaN. The result has the shape of ``geoms``.
    All segments are measured with one call on arrays; no Python loop runs per geometry.
    """
    arr = _as_geometry_array(geoms)
    flat = np.ravel(arr)
    out = np.zeros(flat.shape, dtype=np.float64)
    out[shapely.is_missing(flat)] = np.nan
    parts, owner = _simple_parts(flat)
    coords, part_idx = shapely.get_coordinates(parts, return_index=True)
    if len(coords):
        lon, lat = coords[:, 0], coords[:, 1]
        if not _all_ok(lon, lat):
            vertex = np.arange(len(coords)) - np.searchsorted(part_idx, part_idx)
            labels = np.char.add(
                np.char.add("geometry ", owner[part_idx].astype(str)),
                np.char.add(", vertex ", vertex.astype(str)),
            )
            _check_lonlat(lon, lat, labels)
        same_part = part_idx[:-1] == part_idx[1:]
        start = np.flatnonzero(same_part)
        _, _, seg = GEOD.inv(lon[start], lat[start], lon[start + 1], lat[start + 1])
        out += np.bincount(owner[part_idx[start]], weights=seg, minlength=len(flat))
    return out.reshape(arr.shape)


def _all_ok(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> bool:
    """True when every coordinate is finite with latitude in [-90, 90] (the fast path)."""
    with np.errstate(invalid="ignore"):
        return bool(np.all(np.isfinite(lon) & np.isfinite(lat) & (np.abs(lat) <= 90.0)))


def line_length_m(line: BaseGeometry) -> float:
    """Geodesic length in metres of one geometry in WGS84 lon/lat, usually a (Multi)LineString.

    Same rules as :func:`lengths_m` (polygons give their perimeter, points and empty geometries
    0.0), measured part by part; use :func:`lengths_m` for many geometries.
    """
    if not isinstance(line, BaseGeometry):
        problem = f"{type(line).__name__} {line!r:.60} is not a geometry"
        raise _refuse([(NO_FEATURE, problem)], 1)
    total = 0.0
    parts = [line]
    while parts:
        part = parts.pop()
        if hasattr(part, "geoms"):
            parts.extend(part.geoms)
        elif part.geom_type == "Polygon":
            parts.extend([part.exterior, *part.interiors])
        elif not part.is_empty and part.geom_type != "Point":
            coords = shapely.get_coordinates(part)
            lon, lat = coords[:, 0], coords[:, 1]
            if not _all_ok(lon, lat):
                labels = np.array([f"vertex {i}" for i in range(len(coords))])
                _check_lonlat(lon, lat, labels)
            total += float(GEOD.line_length(lon, lat))
    return total


def distance_m(a_lonlat: tuple[float, float], b_lonlat: tuple[float, float]) -> float:
    """Geodesic distance in metres between two WGS84 (lon, lat) points in degrees."""
    return float(distances_m(a_lonlat[0], a_lonlat[1], b_lonlat[0], b_lonlat[1]))


def distances_m(
    lons1: ArrayLike, lats1: ArrayLike, lons2: ArrayLike, lats2: ArrayLike
) -> NDArray[np.float64]:
    """Geodesic distances in metres between WGS84 points given as lon/lat arrays in degrees.

    The four arrays broadcast against each other; the result has the broadcast shape.
    """
    x1, y1, x2, y2 = np.broadcast_arrays(
        *(np.asarray(v, dtype=np.float64) for v in (lons1, lats1, lons2, lats2))
    )
    shape = x1.shape
    x1, y1, x2, y2 = (np.ravel(v) for v in (x1, y1, x2, y2))
    for name, lon, lat in (("first point", x1, y1), ("second point", x2, y2)):
        if not _all_ok(lon, lat):
            _check_lonlat(lon, lat, np.array([f"{name} {i}" for i in range(len(lon))]))
    _, _, dist = GEOD.inv(x1, y1, x2, y2)
    return np.asarray(dist, dtype=np.float64).reshape(shape)


def _check_geometries(arr: NDArray[np.object_]) -> None:
    """Refuse geometries with a non-finite coordinate or a latitude outside [-90, 90]."""
    coords, idx = shapely.get_coordinates(np.ravel(arr), return_index=True)
    if len(coords) and not _all_ok(coords[:, 0], coords[:, 1]):
        _check_lonlat(coords[:, 0], coords[:, 1], np.char.add("geometry ", idx.astype(str)))


def _densify(arr: NDArray[np.object_], max_segment: float) -> NDArray[np.object_]:
    """Add vertices so that no segment is longer than ``max_segment`` (in the input's units)."""
    try:
        return shapely.segmentize(arr, max_segment)
    except shapely.errors.GEOSException:
        # GEOS refuses a zero-length part ("point array must contain 0 or >1 elements"):
        # rare degenerate input, so densify geometry by geometry, part by part.
        out = np.empty(arr.size, dtype=object)
        out[:] = [_densify_one(g, max_segment) for g in np.ravel(arr)]
        return out.reshape(arr.shape)


def _densify_one(geom: BaseGeometry | None, max_segment: float) -> BaseGeometry | None:
    """Densify one geometry, leaving zero-length parts as they are."""
    if geom is None or geom.is_empty:
        return geom
    try:
        return shapely.segmentize(geom, max_segment)
    except shapely.errors.GEOSException:
        pass
    if isinstance(geom, Polygon):
        rings = [_densify_one(r, max_segment) for r in (geom.exterior, *geom.interiors)]
        return Polygon(rings[0], rings[1:])
    if hasattr(geom, "geoms"):
        return type(geom)([_densify_one(part, max_segment) for part in geom.geoms])
    return geom  # a line whose points all coincide: nothing to add


def _transform(arr: NDArray[np.object_], transformer: pyproj.Transformer, *, single: bool) -> Any:
    """Apply ``transformer`` to every coordinate of an array of geometries."""
    out = shapely.transform(arr, transformer.transform, interleaved=False)
    coords, idx = shapely.get_coordinates(np.ravel(out), return_index=True)
    if not np.isfinite(coords).all():
        where = np.unique(idx[~np.isfinite(coords).all(axis=1)])
        problem = f"cannot be projected between {LONLAT_CRS.name} and {METRIC_CRS.name}"
        raise _refuse([(f"geometry {i}", problem) for i in where[:_MAX_PROBLEMS]], len(where))
    return np.asarray(out, dtype=object).item() if single else out


def to_metric(
    geoms: BaseGeometry | NDArray[np.object_], *, densify_deg: float | None = None
) -> BaseGeometry | NDArray[np.object_]:
    """Project WGS84 lon/lat geometry (degrees) to :data:`METRIC_CRS` (metres, UTM 36N).

    Takes one geometry or an array of them and returns the same. Only vertices move, so a
    segment straight in lon/lat (as GeoJSON and shapely read it) becomes straight in metres
    and bows away from the original by up to about 10 m over 30 km near Gaza; pass
    ``densify_deg`` (a maximum segment length in degrees, 0.001 is about 100 m) to add
    vertices first so the projected geometry follows the lon/lat segments.
    """
    arr = _as_geometry_array(geoms)
    _check_geometries(arr)
    if densify_deg is not None:
        arr = _densify(arr, densify_deg)
    return _transform(arr, _TO_METRIC, single=isinstance(geoms, BaseGeometry))


def from_metric(
    geoms: BaseGeometry | NDArray[np.object_], *, densify_m: float | None = None
) -> BaseGeometry | NDArray[np.object_]:
    """Unproject geometry in :data:`METRIC_CRS` (metres) back to WGS84 lon/lat (degrees).

    ``densify_m`` (a maximum segment length in metres) adds vertices first, so that segments
    straight in metres stay close to straight in the result (see :func:`to_metric`).
    """
    arr = _as_geometry_array(geoms)
    if densify_m is not None:
        arr = _densify(arr, densify_m)
    return _transform(arr, _FROM_METRIC, single=isinstance(geoms, BaseGeometry))


def nearest_distances_m(
    points_or_lines: BaseGeometry | ArrayLike, targets: ArrayLike
) -> NDArray[np.float64]:
    """Geodesic distance in metres from geometry to the nearest point of each target.

    Both are WGS84 lon/lat and broadcast against each other (one corridor against an array of
    landmarks gives one distance per landmark). The nearest pair of points is found in
    :data:`METRIC_CRS` with ``shapely.shortest_line``, after densifying both to segments of at
    most 0.005 degrees (about 500 m) so that segments straight in lon/lat stay close to
    straight (the remaining error is below 5 mm near Gaza); the distance between the two
    points is then measured on the ellipsoid. Overlapping geometries (a point inside an area)
    give 0.0; an empty or missing geometry on either side gives NaN.
    """
    src = _as_geometry_array(points_or_lines)
    tgt = _as_geometry_array(targets)
    src_m = to_metric(src, densify_deg=_NEAREST_DENSIFY_DEG)
    tgt_m = to_metric(tgt, densify_deg=_NEAREST_DENSIFY_DEG)
    shapely.prepare(src_m)  # GEOS then searches an index of segments, not every pair
    shapely.prepare(tgt_m)
    lines = np.asarray(shapely.shortest_line(src_m, tgt_m), dtype=object)
    out = np.full(lines.shape, np.nan)
    ok = np.asarray(~(shapely.is_missing(lines) | shapely.is_empty(lines)))
    if ok.any():
        coords = shapely.get_coordinates(lines[ok])
        lon, lat = _FROM_METRIC.transform(coords[:, 0], coords[:, 1])
        _, _, dist = GEOD.inv(lon[0::2], lat[0::2], lon[1::2], lat[1::2])
        out[ok] = dist
    return out


def geodesic_area_m2(polygon: BaseGeometry) -> float:
    """Geodesic area in square metres of a WGS84 lon/lat (Multi)Polygon, holes subtracted.

    Ring orientation does not matter. A GeometryCollection counts its polygonal parts only
    (overlay results mix polygons with lines and points); an empty geometry gives 0.0.
    Other geometry types are refused with :class:`~sitmap.errors.CorridorError`.
    """
    kind = getattr(polygon, "geom_type", type(polygon).__name__)
    if kind not in {"Polygon", "MultiPolygon", "GeometryCollection"}:
        problem = f"expected a Polygon or MultiPolygon to measure its area, got {kind}"
        raise _refuse([(NO_FEATURE, problem)], 1)
    flat = np.array([polygon], dtype=object)
    parts = flat
    while np.isin(shapely.get_type_id(parts), _MULTI_TYPE_IDS).any():
        parts = shapely.get_parts(parts)
    total = 0.0
    for part in parts[shapely.get_type_id(parts) == shapely.GeometryType.POLYGON]:
        for i, ring in enumerate([part.exterior, *part.interiors]):
            coords = shapely.get_coordinates(ring)
            if len(coords) < 3:
                continue
            lon, lat = coords[:, 0], coords[:, 1]
            if not _all_ok(lon, lat):
                labels = np.array([f"ring {i}, vertex {j}" for j in range(len(coords))])
                _check_lonlat(lon, lat, labels)
            area, _ = GEOD.polygon_area_perimeter(lon, lat)
            total += abs(area) if i == 0 else -abs(area)
    return total
