"""Rival versions of a geometry: where each source places one thing, and how far apart.

A feature with an ``about`` property is a *version* of the feature with that id: the
same thing (a hospital, a neighbourhood, a line) as one claimant places it, with its own
date (``as_of``), sources, accuracy and ``confidence``. The feature itself is the first
version (its claimant is its ``claimant`` property, else "this map").

Two versions differ by:

- **the area between them** (km², geodesic): for two areas, the area of their symmetric
  difference; for two lines, the area enclosed between them (the lines joined end to
  nearest end, the rings they make); none for points. Measured with
  ``pyproj.Geod.geometry_area_perimeter`` on the WGS84 ellipsoid.
- **the largest offset** (m, geodesic, Hausdorff-like): both geometries densified to
  vertices at most about 20 m apart, then the largest, over every vertex of each, of the
  geodesic distance to the nearest point of the other (found with shapely in
  :data:`~sitmap.analysis.geodesy.METRIC_CRS`, measured with pyproj's ``Geod.inv``). A
  point inside an area is 0 m from it. Two points: the geodesic distance between them.

Geometries are WGS84 lon/lat throughout.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import shapely
from shapely.geometry import LineString, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

from sitmap.analysis import geodesy
from sitmap.analysis.timeline import valid_at
from sitmap.analysis.uncertainty import buffered
from sitmap.errors import NO_FEATURE, CorridorError, Problem
from sitmap.schema import LayerKind
from sitmap.situation import Situation

__all__ = [
    "OWN_CLAIMANT",
    "Difference",
    "Version",
    "VersionMeasure",
    "accuracy_versions",
    "area_between_km2",
    "compare_versions",
    "contested",
    "difference",
    "largest_offset_m",
    "measure_against_versions",
    "versions_of",
]

OWN_CLAIMANT: Final = "this map"
"""The claimant of a feature that names none: the situation's own drawing."""

_DENSIFY_M: Final = 20.0
_LINEAR: Final = frozenset({"LineString", "MultiLineString", "LinearRing"})
_AREAL: Final = frozenset({"Polygon", "MultiPolygon"})


@dataclass(frozen=True, slots=True)
class Version:
    """One claimant's version of a thing: its geometry, who, when, from what, how sure."""

    id: str
    about: str
    name: str
    claimant: str
    date: dt.date | None
    source: tuple[str, ...]
    confidence: str | None
    accuracy_m: float
    geometry: BaseGeometry


@dataclass(frozen=True, slots=True)
class Difference:
    """How two versions differ: the area between them (km², None for points) and the
    largest offset between them (metres).
    """

    first: str
    second: str
    area_between_km2: float | None
    largest_offset_m: float


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _version(row: dict[str, Any], geometry: BaseGeometry, about: str) -> Version:
    source = row.get("source")
    accuracy = row.get("accuracy_m")
    return Version(
        id=str(row["id"]),
        about=about,
        name=str(row.get("name") or row["id"]),
        claimant=_text(row.get("claimant")) or OWN_CLAIMANT,
        date=row.get("as_of") if isinstance(row.get("as_of"), dt.date) else None,
        source=tuple(source) if isinstance(source, list | tuple) else (),
        confidence=_text(row.get("confidence")),
        accuracy_m=float(accuracy) if isinstance(accuracy, int | float) else 0.0,
        geometry=geometry,
    )


def _shaped(situation: Situation, as_of: dt.date | None) -> list[tuple[dict[str, Any], Any]]:
    out: list[tuple[dict[str, Any], Any]] = []
    for layer in situation.layers.values():
        if layer.spec.kind is LayerKind.EVENTS:
            continue
        frame = layer.frame
        if as_of is not None and len(frame):
            frame = frame[valid_at(frame, as_of).to_numpy()]
        rows = frame.drop(columns="geometry").to_dict("records")
        out.extend((row, geom) for row, geom in zip(rows, frame.geometry, strict=True))
    return [(row, geom) for row, geom in out if geom is not None and not geom.is_empty]


def contested(situation: Situation, /, *, as_of: dt.date | None = None) -> dict[str, list[Version]]:
    """Every feature that has rival versions: its id -> the feature itself first, then
    each version (oldest first), as they stood on ``as_of`` (None: every date).
    """
    shaped = _shaped(situation, as_of)
    own = {str(row["id"]): (row, geom) for row, geom in shaped if not _text(row.get("about"))}
    rivals: dict[str, list[Version]] = {}
    for row, geom in shaped:
        about = _text(row.get("about"))
        if about and about in own:
            rivals.setdefault(about, []).append(_version(row, geom, about))
    out: dict[str, list[Version]] = {}
    for about, found in rivals.items():
        row, geom = own[about]
        found.sort(key=lambda v: (v.date or dt.date.min, v.claimant))
        out[about] = [_version(row, geom, about), *found]
    return out


def versions_of(
    situation: Situation, ident: str, /, *, as_of: dt.date | None = None
) -> list[Version]:
    """The versions of one feature (itself first); just itself when no one disputes it;
    empty when there is no such feature (on ``as_of``).
    """
    found = contested(situation, as_of=as_of).get(ident)
    if found is not None:
        return found
    for row, geom in _shaped(situation, as_of):
        if str(row["id"]) == ident and not _text(row.get("about")):
            return [_version(row, geom, ident)]
    return []


# --- measuring the difference -------------------------------------------------------------


def _polygon_area_m2(geometry: BaseGeometry) -> float:
    """Geodesic area (m²) of the polygonal parts, with pyproj's geometry_area_perimeter."""
    parts = shapely.get_parts(np.array([geometry], dtype=object))
    while np.isin(shapely.get_type_id(parts), [4, 5, 6, 7]).any():
        parts = shapely.get_parts(parts)
    total = 0.0
    for part in parts.tolist():
        if isinstance(part, Polygon) and not part.is_empty:
            area, _ = geodesy.GEOD.geometry_area_perimeter(orient(part, 1.0))
            total += abs(area)
    return total


def _line_ring_area(a: BaseGeometry, b: BaseGeometry) -> float:
    """The area (m²) enclosed between two lines joined end to nearest end."""
    ca, cb = shapely.get_coordinates(a), shapely.get_coordinates(b)
    straight = np.hypot(*(ca[0] - cb[0])) + np.hypot(*(ca[-1] - cb[-1]))
    crossed = np.hypot(*(ca[0] - cb[-1])) + np.hypot(*(ca[-1] - cb[0]))
    if crossed < straight:
        cb = cb[::-1]
    joins = [LineString([ca[0], cb[0]]), LineString([ca[-1], cb[-1]])]
    noded = shapely.union_all(np.array([a, b, *joins], dtype=object))
    rings = shapely.polygonize(shapely.get_parts(noded))
    return sum(_polygon_area_m2(p) for p in shapely.get_parts(rings).tolist())


def area_between_km2(a: BaseGeometry, b: BaseGeometry, /) -> float | None:
    """The area between two versions (km², geodesic): symmetric difference for areas, the
    enclosed rings for two (single) lines; None when either is a point or a multi-line.
    """
    kinds = {a.geom_type, b.geom_type}
    if kinds <= _AREAL:
        return _polygon_area_m2(shapely.symmetric_difference(a, b)) / 1e6
    if kinds == {"LineString"}:
        return _line_ring_area(a, b) / 1e6
    return None  # points, multi-lines, or a line against an area: no area between them


def _vertices(geometry: BaseGeometry) -> np.ndarray:
    """The geometry's vertices after densifying to about 20 m (metric coordinates)."""
    projected = geodesy.to_metric(geometry, densify_deg=0.0002)
    dense = shapely.segmentize(projected, _DENSIFY_M)
    return shapely.get_coordinates(dense)


def _segments(geometry: BaseGeometry) -> np.ndarray:
    """The geometry's edges (an area's boundary) as two-point lines; a point as itself."""
    edges = shapely.boundary(geometry) if geometry.geom_type in _AREAL else geometry
    parts = shapely.get_parts(np.array([edges], dtype=object))
    while np.isin(shapely.get_type_id(parts), [4, 5, 6, 7]).any():
        parts = shapely.get_parts(parts)
    lines = parts[np.isin(shapely.get_type_id(parts), [1, 2])]
    points = parts[shapely.get_type_id(parts) == 0]
    coords, owner = shapely.get_coordinates(lines, return_index=True)
    start = np.flatnonzero(owner[:-1] == owner[1:])
    segments = shapely.linestrings(np.stack([coords[start], coords[start + 1]], axis=1))
    return np.concatenate([np.asarray(segments, dtype=object), points])


def _directed_m(source: BaseGeometry, target: BaseGeometry) -> float:
    """Largest geodesic distance from a vertex of ``source`` to ``target`` (metres)."""
    xy = _vertices(source)
    target_m = geodesy.to_metric(target, densify_deg=0.0002)
    if not len(xy):
        return 0.0
    points = shapely.points(xy)
    tree = shapely.STRtree(_segments(target_m))
    (_, hit), far = tree.query_nearest(points, return_distance=True, all_matches=False)
    if target.geom_type in _AREAL:
        shapely.prepare(target_m)
        far = np.where(shapely.contains_xy(target_m, xy[:, 0], xy[:, 1]), 0.0, far)
    # the farthest few in metres, measured again on the ellipsoid (scale error ~0.02 %)
    top = np.argsort(far)[-min(len(far), 64) :]
    nearest = shapely.shortest_line(points[top], tree.geometries[hit[top]])
    ends = shapely.get_coordinates(geodesy.from_metric(nearest)).reshape(-1, 2, 2)
    dist = geodesy.distances_m(ends[:, 0, 0], ends[:, 0, 1], ends[:, 1, 0], ends[:, 1, 1])
    dist = np.where(far[top] == 0.0, 0.0, dist)
    return float(dist.max())


def largest_offset_m(a: BaseGeometry, b: BaseGeometry, /) -> float:
    """The largest offset (m, geodesic) between two versions: the larger of the two
    directed distances from every (densified) vertex of one to the other.
    """
    if a.geom_type == "Point" and b.geom_type == "Point":
        return geodesy.distance_m((a.x, a.y), (b.x, b.y))
    return max(_directed_m(a, b), _directed_m(b, a))


def difference(
    a: BaseGeometry, b: BaseGeometry, /, *, first: str = "a", second: str = "b"
) -> Difference:
    """How far apart two versions (or a reader's upload and a version) are."""
    for label, geom in ((first, a), (second, b)):
        if geom is None or geom.is_empty:
            raise CorridorError([Problem(NO_FEATURE, label, "empty geometry: nothing to compare")])
    return Difference(first, second, area_between_km2(a, b), largest_offset_m(a, b))


def compare_versions(versions: Sequence[Version], /) -> list[Difference]:
    """Every version against the first (the feature as this map draws it)."""
    if not versions:
        return []
    base = versions[0]
    return [difference(base.geometry, v.geometry, first=base.id, second=v.id) for v in versions[1:]]


def accuracy_versions(version: Version, /) -> list[Version]:
    """The feature as mapped, and its accuracy band's inner and outer edges as versions:
    an area shrunk and grown by its ``accuracy_m`` (a line or point: only grown, its band
    or halo). What the map's own uncertainty allows, not anyone's claim.
    """
    out = [version]
    metres = version.accuracy_m
    if metres <= 0:
        return out
    shapes = [("grown", metres)]
    if version.geometry.geom_type in _AREAL:
        shapes.insert(0, ("shrunk", -metres))
    for label, d in shapes:
        geom = buffered(version.geometry, d)
        if geom.is_empty:
            continue
        out.append(
            Version(
                id=f"{version.id}:{label}",
                about=version.id,
                name=f"{version.name}, {label} by its accuracy ({metres:g} m)",
                claimant=f"accuracy band ({label} by {metres:g} m)",
                date=version.date,
                source=version.source,
                confidence=None,
                accuracy_m=0.0,
                geometry=geom,
            )
        )
    return out


# --- a corridor against each version ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VersionMeasure:
    """A corridor measured against one version: metres inside it (an area), times it
    crosses it (a line), and the distance to it (0 when they meet), all geodesic.
    """

    version: Version
    inside_m: float | None
    crossings: int | None
    distance_m: float


def _crossings(line: BaseGeometry, other: BaseGeometry) -> int:
    """Separate places where two lines meet (a shared stretch counts once)."""
    met = shapely.intersection(line, other)
    if met.is_empty:
        return 0
    return len(shapely.get_parts(shapely.line_merge(met) if met.geom_type != "Point" else met))


def measure_against_versions(
    line: BaseGeometry, versions: Sequence[Version], /
) -> list[VersionMeasure]:
    """A corridor (lon/lat) against each version of one thing, side by side."""
    out = []
    for version in versions:
        geom = version.geometry
        inside = crossings = None
        if geom.geom_type in _AREAL:
            inside = float(geodesy.lengths_m(np.array([shapely.intersection(line, geom)]))[0])
        elif geom.geom_type in _LINEAR:
            crossings = _crossings(line, geom)
        # geodesy.nearest_distances_m measures to a prepared polygon's edges only: a line
        # wholly inside an area would get the distance to its outline, so meeting is 0
        distance = 0.0
        if not shapely.intersects(line, geom):
            distance = float(geodesy.nearest_distances_m(line, np.array([geom], dtype=object))[0])
        out.append(VersionMeasure(version, inside, crossings, distance))
    return out
