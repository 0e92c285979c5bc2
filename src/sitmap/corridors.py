"""Measure corridors against a situation and compare them (pure functions, DESIGN section 4).

A corridor is a LineString (or MultiLineString) in WGS84 lon/lat degrees. Its report gives
geodesic lengths in metres (WGS84 ellipsoid, :data:`sitmap.geodesy.GEOD`), the named areas
holding its ends and crossed on the way, where it meets the control line, how close it
passes to crossings and sensitive places, and travel times in minutes at stated speeds.

How it is measured (and how exact it is):

- **Overlays run in lon/lat.** A segment is the straight line between its vertices in
  lon/lat, as GeoJSON, shapely and the map read it. Each corridor segment is cut where an
  area boundary crosses it (segment-edge intersections in lon/lat, found through an
  STRtree of the areas' edges); each piece between cuts is inside or outside an area by
  its midpoint (a boundary counts as inside, as in a closed overlay), and each stretch
  inside an area is measured on the ellipsoid between its ends. This is exactly clipping
  every segment by the area and measuring the pieces geodesically. The cut points lie on
  the lon/lat chord, not on the geodesic through the same vertices; near Gaza the two are
  at most 0.014 m apart on a 1 km segment, 0.9 m on 8 km and 1.4 m on 10 km (growing with
  the square of the segment length), which moves a length inside an area by that much
  divided by the sine of the crossing angle: far below the positional accuracy of any area
  (tens to hundreds of metres). No projection is involved, so the overlay adds no scale
  error. A length inside an area is capped at the corridor's length.
- **Control-line crossings** count the separate places where the corridor meets a control
  line, in order along the corridor: each point of contact counts once (a crossing, or a
  touch that turns back), a stretch run along the line counts once however long it is, a
  vertex lying on the line counts once (not once per segment), and a self-crossing
  corridor that meets the line twice at the same spot counts twice. The parts of a
  MultiLineString are parts of one corridor (lengths add up; contacts are never merged
  across parts); it starts at the first part's first point and ends at the last part's
  last point.
- **Nearest** distances are from anywhere on the corridor to the place, found with
  :func:`sitmap.geodesy.nearest_distances_m` (error below 5 mm near Gaza).
- Walk and drive minutes assume constant speed along the drawn line: no terrain,
  checkpoints, waiting or detours.

Everything is vectorised over all corridors at once (STRtree queries, shapely array
functions, one geodesic call per measure); Python loops only build the report objects.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal, NamedTuple, get_args

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from sitmap import geodesy
from sitmap.errors import NO_FEATURE, CorridorError, Problem
from sitmap.schema import Extent
from sitmap.situation import Situation
from sitmap.validation import check_collection, parse_geojson, read_json_bytes

__all__ = [
    "CLI_KEYS",
    "NEAREST_SENSITIVE_COUNT",
    "AreaIndex",
    "AreaLength",
    "Assumptions",
    "CompareBy",
    "ComparisonRow",
    "CorridorInput",
    "CorridorReport",
    "NamedArea",
    "NearestPlace",
    "area_index",
    "compare",
    "corridor_problems",
    "measure",
    "measure_many",
    "read_corridor_file",
    "reports_json",
]

CompareBy = Literal[
    "length_m",
    "length_in_controlled_m",
    "control_line_crossings",
    "walk_minutes",
    "nearest_crossing_m",
]
"""The measures :func:`compare` can rank on (smaller is better for each)."""

CLI_KEYS: Final = (
    "id",
    "length_m",
    "start_in",
    "end_in",
    "control_line_crossings",
    "length_in_controlled_m",
    "passes_through",
    "nearest_crossing",
    "walk_minutes",
    "drive_minutes",
    "assumptions",
)
"""The keys of :meth:`CorridorReport.to_json`, in order: the ``sitmap measure`` contract."""

NEAREST_SENSITIVE_COUNT: Final = 3
"""How many sensitive places (hospitals, shelters) a report lists, nearest first."""

SPEED_NOTE: Final = (
    "constant speed along the drawn line; no terrain, checkpoints, waiting or detours"
)

_LINE_TYPES: Final = frozenset({"LineString", "MultiLineString"})
_POLYGON_TYPES: Final = frozenset({"Polygon", "MultiPolygon"})
_MULTI_IDS: Final = np.array(
    [
        shapely.GeometryType.MULTIPOINT,
        shapely.GeometryType.MULTILINESTRING,
        shapely.GeometryType.MULTIPOLYGON,
        shapely.GeometryType.GEOMETRYCOLLECTION,
    ]
)
_SAME_PLACE: Final = 1e-9
"""Cuts or contacts closer than this along a corridor (fraction of a segment) are one place."""
_TOUCH: Final = 1e-9
"""Tolerance (fraction of a segment or edge) for a segment meeting an area boundary edge."""
_PARALLEL: Final = 1e-12
"""A segment and an edge whose directions' sine is below this are parallel."""


# --- plain data ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NamedArea:
    """A named polygon a corridor can start, end or pass in (WGS84 lon/lat degrees)."""

    name: str
    kind: str
    geometry: BaseGeometry
    approximate: bool = False
    id: str | None = None


class AreaLength(NamedTuple):
    """How much of a corridor (metres, geodesic) lies in one named area (a small record)."""

    area: str
    length_m: float


class NearestPlace(NamedTuple):
    """A place near a corridor: its name, kind and geodesic distance in metres."""

    name: str
    kind: str
    distance_m: float


@dataclass(frozen=True, slots=True)
class Assumptions:
    """The speeds (km/h) behind the travel times, stated with every result."""

    walk_kmh: float
    drive_kmh: float
    note: str = SPEED_NOTE


@dataclass(frozen=True, slots=True)
class CorridorReport:
    """The measures of one corridor (DESIGN section 4): metres, minutes, lon/lat degrees.

    ``start_in``/``end_in`` name the areas holding each end, most specific (smallest) first;
    empty when outside every area. ``passes_through`` lists every area the corridor runs
    in, in the order it first enters them. ``approximate_inputs`` names the estimated
    geometries a measure depends on, so a reader knows it was taken against an estimate.
    """

    id: str | int
    name: str | None
    situation: str
    length_m: float
    start_in: tuple[str, ...]
    end_in: tuple[str, ...]
    control_line_crossings: int
    crossing_points: tuple[tuple[float, float], ...]
    length_in_controlled_m: float
    passes_through: tuple[AreaLength, ...]
    nearest_crossing: NearestPlace | None
    nearest_sensitive: tuple[NearestPlace, ...]
    walk_minutes: float
    drive_minutes: float
    assumptions: Assumptions
    approximate_inputs: tuple[str, ...] = ()

    @property
    def share_in_controlled(self) -> float:
        """The fraction (0..1) of the length that lies in the controlled area."""
        return self.length_in_controlled_m / self.length_m if self.length_m > 0 else 0.0

    def to_json(self) -> dict[str, Any]:
        """The ``sitmap measure`` JSON object: exactly :data:`CLI_KEYS`, plain JSON types."""
        nearest = self.nearest_crossing
        return {
            "id": self.id,
            "length_m": self.length_m,
            "start_in": list(self.start_in),
            "end_in": list(self.end_in),
            "control_line_crossings": self.control_line_crossings,
            "length_in_controlled_m": self.length_in_controlled_m,
            "passes_through": [
                {"area": item.area, "length_m": item.length_m} for item in self.passes_through
            ],
            "nearest_crossing": (
                None
                if nearest is None
                else {"name": nearest.name, "distance_m": nearest.distance_m}
            ),
            "walk_minutes": self.walk_minutes,
            "drive_minutes": self.drive_minutes,
            "assumptions": {
                "walk_kmh": self.assumptions.walk_kmh,
                "drive_kmh": self.assumptions.drive_kmh,
                "note": self.assumptions.note,
            },
        }

    def to_dict(self) -> dict[str, Any]:
        """Every field as plain JSON types (for the page and exports)."""
        out = self.to_json()
        out.update(
            name=self.name,
            situation=self.situation,
            crossing_points=[list(point) for point in self.crossing_points],
            nearest_sensitive=[
                {"name": p.name, "kind": p.kind, "distance_m": p.distance_m}
                for p in self.nearest_sensitive
            ],
            approximate_inputs=list(self.approximate_inputs),
        )
        if self.nearest_crossing is not None:
            out["nearest_crossing"]["kind"] = self.nearest_crossing.kind
        return out


@dataclass(frozen=True, slots=True)
class ComparisonRow:
    """One corridor's place in a comparison: rank 1 is best (smallest value)."""

    rank: int
    id: str | int
    name: str | None
    value: float | None
    difference: float | None
    """``value`` minus the best value (0 for the best; None when the value is unknown)."""
    report: CorridorReport = field(repr=False)


@dataclass(frozen=True, slots=True)
class CorridorInput:
    """One line feature read from a file: its id (feature id, else index), name, geometry."""

    id: str | int
    name: str | None
    geometry: BaseGeometry
    properties: dict[str, Any]


# --- the index of a situation ------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class AreaIndex:
    """What corridors are measured against, built once per situation (lon/lat degrees).

    ``overlay`` holds the named areas (``area_*`` arrays, same order) followed, when the
    situation has one, by the union of its controlled areas; ``tree`` indexes ``overlay``.
    ``edge_a``/``edge_q``/``edge_len`` are the start, vector and length (lon/lat degrees) of
    every distinct edge of every overlay ring (``edge_tree`` indexes them); ``edge_areas``
    lists which overlay areas each edge bounds (CSR: start offsets per edge, then area
    indices). ``lock`` serialises measuring with one index across threads.
    """

    situation: str
    extent: Extent
    walk_kmh: float
    drive_kmh: float
    area_names: NDArray[np.object_]
    area_kinds: NDArray[np.object_]
    area_approximate: NDArray[np.bool_]
    area_m2: NDArray[np.float64]
    overlay: NDArray[np.object_]
    tree: shapely.STRtree
    edge_a: NDArray[np.float64]
    edge_q: NDArray[np.float64]
    edge_len: NDArray[np.float64]
    edge_areas: tuple[NDArray[np.intp], NDArray[np.intp]]
    edge_tree: shapely.STRtree
    controlled_names: tuple[str, ...]
    controlled_approximate: tuple[str, ...]
    control_lines: NDArray[np.object_]
    control_approximate: tuple[str, ...]
    control_tree: shapely.STRtree
    place_names: NDArray[np.object_]
    place_kinds: NDArray[np.object_]
    place_approximate: NDArray[np.bool_]
    place_geoms: NDArray[np.object_]
    crossing_count: int
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def named_count(self) -> int:
        return len(self.area_names)

    @property
    def has_controlled(self) -> bool:
        return len(self.overlay) > self.named_count


_INDEX_CACHE: dict[tuple[Path, tuple[tuple[str, int, int], ...]], AreaIndex] = {}
_INDEX_LOCK = threading.Lock()
_INDEX_CACHE_SIZE = 4


def _kind_rows(situation: Situation, kinds: Iterable[str]) -> Any:
    frame = situation.features(kinds=list(kinds))
    return frame[~(frame.geometry.isna() | frame.geometry.is_empty)]


def _situation_areas(situation: Situation) -> list[NamedArea]:
    """Polygonal features of the manifest's area layers, in layer order."""
    out: list[NamedArea] = []
    for layer_id in situation.manifest.analysis.area_layers:
        frame = situation.layer(layer_id).frame
        polygonal = frame[frame.geometry.geom_type.isin(list(_POLYGON_TYPES))]
        out.extend(
            NamedArea(str(name), str(kind), geom, bool(approx), str(ident))
            for name, kind, geom, approx, ident in zip(
                polygonal["name"],
                polygonal["kind"],
                polygonal.geometry,
                polygonal["approximate"],
                polygonal["id"],
                strict=True,
            )
        )
    return out


def _check_extra_areas(extra: Sequence[NamedArea]) -> None:
    problems = []
    for index, area in enumerate(extra):
        label = area.id or area.name or f"#{index}"
        geom = area.geometry
        kind = getattr(geom, "geom_type", type(geom).__name__)
        if kind not in _POLYGON_TYPES:
            problems.append(Problem("extra areas", label, f"not a Polygon ({kind})"))
        elif geom.is_empty or not geom.is_valid:
            reason = "empty" if geom.is_empty else shapely.is_valid_reason(geom)
            problems.append(Problem("extra areas", label, f"unusable polygon: {reason}"))
    if problems:
        raise CorridorError(problems)


def _build_index(situation: Situation, extra: Sequence[NamedArea]) -> AreaIndex:
    analysis = situation.manifest.analysis
    areas = _situation_areas(situation) + list(extra)
    geoms = np.array([shapely.force_2d(a.geometry) for a in areas], dtype=object)
    area_m2 = np.array([geodesy.geodesic_area_m2(g) for g in geoms], dtype=np.float64)
    controlled_kinds = set(analysis.controlled_area_kinds)
    controlled_rows = _kind_rows(situation, controlled_kinds)
    controlled_rows = controlled_rows[controlled_rows.geometry.geom_type.isin(list(_POLYGON_TYPES))]
    controlled_geoms = list(controlled_rows.geometry)
    controlled_names = list(controlled_rows["name"])
    controlled_approx = list(controlled_rows.loc[controlled_rows["approximate"], "name"])
    for area in extra:
        if area.kind in controlled_kinds:
            controlled_geoms.append(area.geometry)
            controlled_names.append(area.name)
            if area.approximate:
                controlled_approx.append(area.name)
    overlay = geoms
    if controlled_geoms:
        union = shapely.union_all(np.array(controlled_geoms, dtype=object))
        overlay = np.concatenate([geoms, np.array([shapely.force_2d(union)], dtype=object)])
    shapely.prepare(overlay)
    edge_a, edge_b, edge_areas = _edges(overlay)

    lines = _kind_rows(situation, analysis.control_line_kinds)
    control = np.asarray(lines.geometry.values, dtype=object)
    polygonal = np.isin(
        shapely.get_type_id(control),
        [shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON],
    )
    control[polygonal] = shapely.boundary(control[polygonal])
    control = shapely.force_2d(control)
    shapely.prepare(control)

    crossings = _kind_rows(situation, analysis.crossing_kinds)
    sensitive = _kind_rows(situation, analysis.sensitive_kinds)
    places = [crossings, sensitive]
    names = np.concatenate([np.asarray(p["name"], dtype=object) for p in places])
    kinds = np.concatenate([np.asarray(p["kind"], dtype=object) for p in places])
    approx = np.concatenate([np.asarray(p["approximate"], dtype=bool) for p in places])
    place_geoms = np.concatenate([np.asarray(p.geometry.values, dtype=object) for p in places])
    index = AreaIndex(
        situation=situation.id,
        extent=situation.manifest.extent,
        walk_kmh=analysis.walk_kmh,
        drive_kmh=analysis.drive_kmh,
        area_names=np.array([a.name for a in areas], dtype=object),
        area_kinds=np.array([a.kind for a in areas], dtype=object),
        area_approximate=np.array([a.approximate for a in areas], dtype=bool),
        area_m2=area_m2,
        overlay=overlay,
        tree=shapely.STRtree(overlay),
        edge_a=edge_a,
        edge_q=edge_b - edge_a,
        edge_len=np.hypot(*(edge_b - edge_a).T),
        edge_areas=edge_areas,
        edge_tree=shapely.STRtree(shapely.linestrings(np.stack([edge_a, edge_b], axis=1))),
        controlled_names=tuple(str(n) for n in controlled_names),
        controlled_approximate=tuple(str(n) for n in controlled_approx),
        control_lines=control,
        control_approximate=tuple(str(n) for n in lines.loc[lines["approximate"], "name"]),
        control_tree=shapely.STRtree(control),
        place_names=names,
        place_kinds=kinds,
        place_approximate=approx,
        place_geoms=shapely.force_2d(place_geoms),
        crossing_count=len(crossings),
    )
    # Build GEOS's lazy prepared-geometry indexes now, before threads share them.
    centre = situation.manifest.view
    shapely.intersects_xy(overlay, centre.lon, centre.lat)
    return index


def _edges(
    polygons: NDArray[np.object_],
) -> tuple[NDArray[np.float64], NDArray[np.float64], tuple[NDArray[np.intp], NDArray[np.intp]]]:
    """Every distinct edge (start and end lon/lat) of the polygons' rings, and their areas.

    Areas share borders (and the controlled union repeats its parts), so each edge is kept
    once, whichever way it runs; the third result maps each edge to the polygons it bounds
    as CSR arrays (offsets into the area indices, one more than there are edges).
    """
    parts, part_of = _explode(polygons)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, ring_of = shapely.get_coordinates(rings, return_index=True)
    start = np.flatnonzero(ring_of[:-1] == ring_of[1:])
    a, b = coords[start], coords[start + 1]
    area = part_of[ring_part[ring_of[start]]]
    moves = np.any(a != b, axis=1)
    a, b, area = a[moves], b[moves], area[moves]
    forward = (a[:, 0] < b[:, 0]) | ((a[:, 0] == b[:, 0]) & (a[:, 1] < b[:, 1]))
    ends = np.where(forward[:, None], np.hstack([a, b]), np.hstack([b, a]))
    unique, edge_of = np.unique(ends, axis=0, return_inverse=True)
    pairs = np.unique(np.stack([edge_of.ravel(), area], axis=1), axis=0)
    offsets = np.searchsorted(pairs[:, 0], np.arange(len(unique) + 1))
    return unique[:, :2].copy(), unique[:, 2:].copy(), (offsets, pairs[:, 1].copy())


def area_index(situation: Situation, /, *, extra_areas: Sequence[NamedArea] = ()) -> AreaIndex:
    """The index corridors of ``situation`` are measured against (cached per situation).

    The situation's own index is built once per loaded version (path and file stamps);
    ``extra_areas`` (e.g. an uploaded layer's polygons, lon/lat) give a fresh index that adds
    them to the named areas, and to the controlled area when their kind is a controlled kind.
    """
    if extra_areas:
        _check_extra_areas(extra_areas)
        return _build_index(situation, extra_areas)
    key = (situation.path, situation.stamp)
    with _INDEX_LOCK:
        cached = _INDEX_CACHE.get(key)
    if cached is not None:
        return cached
    built = _build_index(situation, ())
    with _INDEX_LOCK:
        if len(_INDEX_CACHE) >= _INDEX_CACHE_SIZE:
            _INDEX_CACHE.pop(next(iter(_INDEX_CACHE)))
        _INDEX_CACHE[key] = built
    return built


# --- checking corridors ------------------------------------------------------------------


def corridor_problems(
    lines: Sequence[Any] | NDArray[np.object_],
    /,
    *,
    extent: Extent,
    labels: Sequence[str] | None = None,
    file: str = "corridor",
) -> list[Problem]:
    """Every reason the given geometries cannot be measured as corridors (empty when none).

    Each must be a LineString or MultiLineString with at least 2 distinct points, finite
    coordinates, and every vertex inside ``extent`` (WGS84 degrees). Checks run on arrays;
    messages are built only for the geometries that fail.
    """
    arr = np.empty(len(lines), dtype=object)
    arr[:] = list(lines)
    names = [str(i) for i in range(len(arr))] if labels is None else [str(x) for x in labels]
    ok_input = np.asarray(shapely.is_valid_input(arr), dtype=bool)
    geoms = np.where(ok_input, arr, None)
    type_ids = shapely.get_type_id(geoms)
    is_line = np.isin(
        type_ids, [shapely.GeometryType.LINESTRING, shapely.GeometryType.MULTILINESTRING]
    )
    usable = is_line & ~shapely.is_empty(geoms)
    coords, owner = shapely.get_coordinates(np.where(usable, geoms, None), return_index=True)
    finite = np.isfinite(coords).all(axis=1)
    inside = (
        finite
        & (coords[:, 0] >= extent.west)
        & (coords[:, 0] <= extent.east)
        & (coords[:, 1] >= extent.south)
        & (coords[:, 1] <= extent.north)
    )
    n = len(arr)
    bad_finite = np.bincount(owner, weights=~finite, minlength=n) > 0
    outside = np.bincount(owner, weights=~inside, minlength=n) > 0
    first = np.searchsorted(owner, np.arange(n))
    first = np.minimum(first, max(len(coords) - 1, 0))
    if len(coords):
        differs = np.any(coords != coords[first[owner]], axis=1)
        distinct = np.bincount(owner, weights=differs, minlength=n) > 0
    else:
        distinct = np.zeros(n, dtype=bool)
    bad = ~usable | bad_finite | outside | ~distinct
    problems: list[Problem] = []
    for i in np.flatnonzero(bad):
        problems.append(Problem(file, names[i], _line_problem(arr[i], coords[owner == i], extent)))
    return problems


def _line_problem(geom: Any, xy: NDArray[np.float64], extent: Extent) -> str:
    """Say why one geometry is not a measurable corridor (called only for failures)."""
    if geom is None:
        return "no geometry; a corridor is a LineString"
    if not isinstance(geom, BaseGeometry):
        return f"{type(geom).__name__} is not a geometry; a corridor is a LineString"
    if geom.geom_type not in _LINE_TYPES:
        return f"not a LineString ({geom.geom_type}); a corridor is a line"
    if geom.is_empty:
        return f"empty {geom.geom_type}; a corridor needs at least 2 distinct points"
    finite = np.isfinite(xy).all(axis=1)
    if not finite.all():
        x, y = (float(v) for v in xy[~finite][0])
        return f"coordinate ({x!r}, {y!r}) is not a finite number"
    out = ~(
        (xy[:, 0] >= extent.west)
        & (xy[:, 0] <= extent.east)
        & (xy[:, 1] >= extent.south)
        & (xy[:, 1] <= extent.north)
    )
    if out.any():
        x, y = xy[out][0]
        box = f"lon {extent.west}..{extent.east}, lat {extent.south}..{extent.north}"
        swapped = xy[:, ::-1]
        if np.all(
            (swapped[:, 0] >= extent.west)
            & (swapped[:, 0] <= extent.east)
            & (swapped[:, 1] >= extent.south)
            & (swapped[:, 1] <= extent.north)
        ):
            return (
                f"corridor leaves the situation extent at lon {x:.6g}, lat {y:.6g}; its "
                "coordinates look like [lat, lon]: GeoJSON order is [lon, lat]"
            )
        return f"corridor leaves the situation extent at lon {x:.6g}, lat {y:.6g} ({box})"
    return "needs at least 2 distinct points (all its points coincide)"


# --- measuring ----------------------------------------------------------------------------


def measure(
    line: BaseGeometry,
    situation: Situation,
    /,
    *,
    extra_areas: Sequence[NamedArea] = (),
    name: str | None = None,
    ident: str | int = 0,
    walk_kmh: float | None = None,
    drive_kmh: float | None = None,
) -> CorridorReport:
    """Measure one corridor (WGS84 lon/lat) against a situation; see :func:`measure_many`."""
    return measure_many(
        [line],
        situation,
        extra_areas=extra_areas,
        names=[name],
        idents=[ident],
        walk_kmh=walk_kmh,
        drive_kmh=drive_kmh,
    )[0]


def measure_many(
    lines: Sequence[BaseGeometry] | NDArray[np.object_],
    situation: Situation,
    /,
    *,
    extra_areas: Sequence[NamedArea] = (),
    names: Sequence[str | None] | None = None,
    idents: Sequence[str | int] | None = None,
    walk_kmh: float | None = None,
    drive_kmh: float | None = None,
    file: str = "corridor",
) -> list[CorridorReport]:
    """Measure many corridors (WGS84 lon/lat) at once; one report each, in input order.

    ``idents`` default to the index, ``names`` to None; speeds (km/h) default to the
    manifest's ``analysis.walk_kmh``/``drive_kmh``. Every corridor is checked first
    (:func:`corridor_problems`): any failure raises :class:`CorridorError` listing them all,
    labelled ``file`` and each ident. Lengths are metres on the WGS84 ellipsoid.
    """
    count = len(lines)
    ids: list[str | int] = list(range(count)) if idents is None else list(idents)
    labels: list[str | None] = [None] * count if names is None else list(names)
    if len(ids) != count or len(labels) != count:
        problem = f"got {count} corridors but {len(ids)} idents and {len(labels)} names"
        raise CorridorError([Problem(file, NO_FEATURE, problem)])
    index = area_index(situation, extra_areas=extra_areas)
    walk = index.walk_kmh if walk_kmh is None else walk_kmh
    drive = index.drive_kmh if drive_kmh is None else drive_kmh
    speed_problems = [
        Problem(file, NO_FEATURE, f"{what} speed {value!r} km/h must be a positive number")
        for what, value in (("walking", walk), ("driving", drive))
        if isinstance(value, bool)
        or not (isinstance(value, int | float) and math.isfinite(value) and value > 0)
    ]
    problems = speed_problems + corridor_problems(
        lines, extent=index.extent, labels=[str(i) for i in ids], file=file
    )
    if problems:
        raise CorridorError(problems)
    if count == 0:
        return []
    geoms = np.empty(count, dtype=object)
    geoms[:] = list(lines)
    if shapely.has_z(geoms).any():
        geoms = shapely.force_2d(geoms)
    with index.lock:
        measures = _measure_arrays(geoms, index)
    assumptions = Assumptions(walk_kmh=float(walk), drive_kmh=float(drive))
    return _reports(measures, index, ids, labels, assumptions)


@dataclass(frozen=True)
class _Measures:
    """Raw per-corridor arrays from :func:`_measure_arrays` (index = corridor)."""

    length_m: NDArray[np.float64]
    start_areas: list[list[int]]
    end_areas: list[list[int]]
    through: list[list[tuple[int, float]]]
    controlled_m: NDArray[np.float64]
    crossings: list[list[tuple[float, float]]]
    distances: NDArray[np.float64]


def _group(owner: NDArray[np.intp], values: list[Any], count: int) -> list[list[Any]]:
    """Split ``values`` (in ``owner`` order) into one list per corridor."""
    out: list[list[Any]] = [[] for _ in range(count)]
    for who, value in zip(owner.tolist(), values, strict=True):
        out[who].append(value)
    return out


@dataclass(frozen=True)
class _Segments:
    """Every non-degenerate segment of every corridor, in order (lon/lat degrees).

    ``pos`` is the index of the segment's first vertex in ``coords`` (all corridors'
    vertices, in order): position ``pos + t`` (0 <= t <= 1) runs along a corridor, and the
    parts of a multi-line are at least a whole step apart.
    """

    coords: NDArray[np.float64]
    vertex_line: NDArray[np.intp]
    a: NDArray[np.float64]
    b: NDArray[np.float64]
    pos: NDArray[np.intp]
    line: NDArray[np.intp]
    geoms: NDArray[np.object_]
    r: NDArray[np.float64]
    r_len: NDArray[np.float64]

    @classmethod
    def of(cls, geoms: NDArray[np.object_]) -> _Segments:
        parts, part_line = shapely.get_parts(geoms, return_index=True)
        coords, part_of = shapely.get_coordinates(parts, return_index=True)
        start = np.flatnonzero(part_of[:-1] == part_of[1:])
        a, b = coords[start], coords[start + 1]
        moves = np.any(a != b, axis=1)
        start, a, b = start[moves], a[moves], b[moves]
        vertex_line = part_line[part_of]
        geoms = shapely.linestrings(np.stack([a, b], axis=1))
        r = b - a
        r_len = np.hypot(r[:, 0], r[:, 1])
        return cls(coords, vertex_line, a, b, start, vertex_line[start], geoms, r, r_len)


def _ends(segs: _Segments, count: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The first and last position (lon, lat) of every corridor."""
    lines = np.arange(count)
    first = np.searchsorted(segs.vertex_line, lines, side="left")
    last = np.searchsorted(segs.vertex_line, lines, side="right") - 1
    return segs.coords[first], segs.coords[last]


def _areas_at(xy: NDArray[np.float64], index: AreaIndex) -> list[list[int]]:
    """Named areas (indices) holding each point, smallest area first; boundaries count."""
    pt, area = index.tree.query(shapely.points(xy))
    named = area < index.named_count
    pt, area = pt[named], area[named]
    hit = shapely.intersects_xy(index.overlay[area], xy[pt, 0], xy[pt, 1])
    pt, area = pt[hit], area[hit]
    order = np.lexsort((index.area_m2[area], pt))
    return _group(pt[order], area[order].tolist(), len(xy))


def _cross2(u: NDArray[np.float64], v: NDArray[np.float64]) -> NDArray[np.float64]:
    return u[:, 0] * v[:, 1] - u[:, 1] * v[:, 0]


def _cuts(
    segs: _Segments, index: AreaIndex
) -> tuple[NDArray[np.intp], NDArray[np.float64], NDArray[np.intp]]:
    """Where area boundaries cut the segments: segment, fraction t in [0, 1], edge.

    Every edge of every overlay polygon whose box meets a segment's box is intersected with
    it in lon/lat; an edge lying along a segment cuts it at both of the edge's ends. A small
    tolerance keeps a segment through a polygon vertex from slipping between two edges
    (a spurious extra cut only splits a piece in two).
    """
    seg, edge = index.edge_tree.query(segs.geoms)
    r, q = segs.r[seg], index.edge_q[edge]
    w = index.edge_a[edge] - segs.a[seg]
    denom = _cross2(r, q)
    w_x_r = _cross2(w, r)
    parallel = np.abs(denom) <= _PARALLEL * segs.r_len[seg] * index.edge_len[edge]
    with np.errstate(divide="ignore", invalid="ignore"):
        t = _cross2(w, q) / denom
        u = w_x_r / denom
    crossing = ~parallel & (t >= -_TOUCH) & (t <= 1 + _TOUCH) & (u >= -_TOUCH) & (u <= 1 + _TOUCH)
    maybe = np.flatnonzero(parallel)
    w_len = np.hypot(w[maybe, 0], w[maybe, 1])
    collinear = maybe[np.abs(w_x_r[maybe]) <= _PARALLEL * w_len * segs.r_len[seg[maybe]]]
    rr = segs.r_len[seg[collinear]] ** 2
    rc, wc = r[collinear], w[collinear]
    t0 = np.einsum("ij,ij->i", wc, rc) / rr
    t1 = np.einsum("ij,ij->i", wc + q[collinear], rc) / rr
    cut_seg = np.concatenate([seg[crossing], seg[collinear], seg[collinear]])
    cut_t = np.clip(np.concatenate([t[crossing], t0, t1]), 0.0, 1.0)
    cut_edge = np.concatenate([edge[crossing], edge[collinear], edge[collinear]])
    return cut_seg, cut_t, cut_edge


def _overlay(
    segs: _Segments, count: int, index: AreaIndex
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Geodesic metres of each corridor inside each overlay area, and where it first enters.

    Returns two (corridors x overlay areas) arrays: the length inside (metres) and the
    position along the corridor of the first piece inside (inf when none). Each segment is
    cut wherever an area boundary crosses it; each piece between cuts is wholly inside or
    outside every area, decided by its midpoint (boundaries count as inside, as in a closed
    overlay). A segment no edge of an area cuts is wholly inside or outside that area: one
    test decides it. What lies inside an area is measured geodesically per segment, one
    stretch at a time (adjacent inside pieces joined), exactly as clipping each segment by
    that area alone and measuring the clipped pieces would.
    """
    n_seg, n_area = len(segs.pos), len(index.overlay)
    cut_seg, cut_t, cut_edge = _cuts(segs, index)
    every = np.arange(n_seg)
    seg = np.concatenate([every, every, cut_seg])
    t = np.concatenate([np.zeros(n_seg), np.ones(n_seg), cut_t])
    order = np.lexsort((t, seg))
    seg, t = seg[order], t[order]
    piece = np.flatnonzero((seg[:-1] == seg[1:]) & (t[1:] - t[:-1] > _SAME_PLACE))
    p_seg, lo, hi = seg[piece], t[piece], t[piece + 1]
    mid = segs.a[p_seg] + ((lo + hi) / 2)[:, None] * (segs.b[p_seg] - segs.a[p_seg])
    # which (segment, area) pairs an edge of the area cuts
    offsets, edge_area = index.edge_areas
    per_edge = offsets[cut_edge + 1] - offsets[cut_edge]
    cut_area = edge_area[np.repeat(offsets[cut_edge], per_edge) + _ranks(per_edge)]
    cut_keys = np.unique(np.repeat(cut_seg, per_edge) * n_area + cut_area)
    # areas whose box meets a segment: uncut ones test the segment's midpoint once ...
    pair_seg, pair_area = index.tree.query(segs.geoms)
    is_cut = np.isin(pair_seg * n_area + pair_area, cut_keys)
    whole_seg, whole_area = pair_seg[~is_cut], pair_area[~is_cut]
    centre = (segs.a[whole_seg] + segs.b[whole_seg]) / 2
    inside = shapely.intersects_xy(index.overlay[whole_area], centre[:, 0], centre[:, 1])
    whole_seg, whole_area = whole_seg[inside], whole_area[inside]
    # ... cut ones test every piece of the segment, and join adjacent inside pieces
    cut_pair = np.flatnonzero(is_cut)
    reps = np.bincount(p_seg, minlength=n_seg)[pair_seg[cut_pair]]
    test_pair = np.repeat(cut_pair, reps)
    test_piece = np.repeat(np.searchsorted(p_seg, pair_seg[cut_pair]), reps) + _ranks(reps)
    inside = shapely.intersects_xy(
        index.overlay[pair_area[test_pair]], mid[test_piece, 0], mid[test_piece, 1]
    )
    test_pair, test_piece = test_pair[inside], test_piece[inside]
    joins = (test_pair[1:] == test_pair[:-1]) & (test_piece[1:] == test_piece[:-1] + 1)
    breaks = np.ones(len(test_pair) + 1, dtype=bool)
    breaks[1:-1] = ~joins
    first, last = np.flatnonzero(breaks[:-1]), np.flatnonzero(breaks[1:])
    run_pair, run_lo, run_hi = test_pair[first], lo[test_piece[first]], hi[test_piece[last]]
    # measure whole segments and joined stretches in one geodesic call
    stretch_seg = np.concatenate([whole_seg, pair_seg[run_pair]])
    stretch_area = np.concatenate([whole_area, pair_area[run_pair]])
    t0 = np.concatenate([np.zeros(len(whole_seg)), run_lo])
    t1 = np.concatenate([np.ones(len(whole_seg)), run_hi])
    a, r = segs.a[stretch_seg], segs.b[stretch_seg] - segs.a[stretch_seg]
    start, end = a + t0[:, None] * r, a + t1[:, None] * r
    _, _, metres = geodesy.GEOD.inv(start[:, 0], start[:, 1], end[:, 0], end[:, 1])
    key = segs.line[stretch_seg] * n_area + stretch_area
    length = np.bincount(key, weights=metres, minlength=count * n_area)
    entry = np.full(count * n_area, np.inf)
    np.minimum.at(entry, key, segs.pos[stretch_seg] + t0)
    return length.reshape(count, n_area), entry.reshape(count, n_area)


def _ranks(counts: NDArray[np.intp]) -> NDArray[np.intp]:
    """0, 1, ..., c - 1 for each count c, concatenated (to expand repeated ranges)."""
    return np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)


def _crossings(segs: _Segments, count: int, index: AreaIndex) -> list[list[tuple[float, float]]]:
    """Where each corridor meets the control lines, in order along it (lon, lat).

    Works segment by segment: each contact becomes an interval of positions along the
    corridor (see :class:`_Segments`); contacts at the same position, or overlapping
    stretches, merge into one place (see the module docstring).
    """
    seg, ctrl = index.control_tree.query(segs.geoms, predicate="intersects")
    if len(seg) == 0:
        return [[] for _ in range(count)]
    contact = shapely.intersection(segs.geoms[seg], index.control_lines[ctrl])
    pieces, piece_of = _explode(contact)
    pxy, coord_of = shapely.get_coordinates(pieces, return_index=True)
    s = seg[piece_of[coord_of]]
    a, r = segs.a[s], segs.b[s] - segs.a[s]
    t = np.clip(np.einsum("ij,ij->i", pxy - a, r) / np.einsum("ij,ij->i", r, r), 0, 1)
    pos = segs.pos[s] + t
    lo = np.full(len(pieces), np.inf)
    hi = np.full(len(pieces), -np.inf)
    np.minimum.at(lo, coord_of, pos)
    np.maximum.at(hi, coord_of, pos)
    valid = np.isfinite(lo)
    lo, hi = lo[valid], hi[valid]
    owner = segs.vertex_line[np.floor(lo).astype(np.intp)]
    order = np.lexsort((lo, owner))
    lo, hi, owner = lo[order], hi[order], owner[order]
    reach = np.maximum.accumulate(hi)
    new = np.ones(len(lo), dtype=bool)
    new[1:] = (lo[1:] > reach[:-1] + _SAME_PLACE) | (owner[1:] != owner[:-1])
    place = lo[new]
    k = np.floor(place).astype(np.intp)
    after = segs.coords[np.minimum(k + 1, len(segs.coords) - 1)]
    xy = segs.coords[k] + (place - k)[:, None] * (after - segs.coords[k])
    return _group(owner[new], xy.tolist(), count)


def _explode(geoms: NDArray[np.object_]) -> tuple[NDArray[np.object_], NDArray[np.intp]]:
    """Single parts of every geometry (collections flattened) and the owner of each."""
    parts, owner = geoms, np.arange(len(geoms))
    while len(parts) and np.isin(shapely.get_type_id(parts), _MULTI_IDS).any():
        sub, idx = shapely.get_parts(parts, return_index=True)
        parts, owner = sub, owner[idx]
    return parts, owner


def _measure_arrays(geoms: NDArray[np.object_], index: AreaIndex) -> _Measures:
    n = len(geoms)
    segs = _Segments.of(geoms)
    length_m = geodesy.lengths_m(geoms)
    first, last = _ends(segs, n)
    inside, entry = _overlay(segs, n, index)
    inside = np.minimum(inside, length_m[:, None])
    named = index.named_count
    controlled_m = inside[:, named] if index.has_controlled else np.zeros(n)
    line, area = np.nonzero(inside[:, :named] > 0)
    order = np.lexsort((index.area_m2[area], entry[line, area], line))
    line, area = line[order], area[order]
    through = _group(line, list(zip(area.tolist(), inside[line, area].tolist(), strict=True)), n)
    if len(index.place_geoms):
        distances = geodesy.nearest_distances_m(geoms[:, None], index.place_geoms[None, :])
    else:
        distances = np.zeros((n, 0))
    return _Measures(
        length_m=length_m,
        start_areas=_areas_at(first, index),
        end_areas=_areas_at(last, index),
        through=through,
        controlled_m=controlled_m,
        crossings=_crossings(segs, n, index),
        distances=distances,
    )


def _reports(
    m: _Measures,
    index: AreaIndex,
    ids: list[str | int],
    names: list[str | None],
    assumptions: Assumptions,
) -> list[CorridorReport]:
    """Build one report per corridor from the measured arrays (plain Python values)."""
    count = len(ids)
    area_names: list[str] = [str(n) for n in index.area_names]
    area_estimate = index.area_approximate.tolist()
    place_names = [str(n) for n in index.place_names]
    place_kinds = [str(k) for k in index.place_kinds]
    place_estimate = index.place_approximate.tolist()
    ncross = index.crossing_count
    distances = m.distances.tolist()
    nearest = np.argmin(m.distances[:, :ncross], axis=1).tolist() if ncross else [None] * count
    sensitive = np.argsort(m.distances[:, ncross:], axis=1, kind="stable")
    sensitive_order = (sensitive[:, :NEAREST_SENSITIVE_COUNT] + ncross).tolist()
    lengths = m.length_m.tolist()
    controlled_m = np.minimum(m.controlled_m, m.length_m).tolist()
    walk_m_per_min = assumptions.walk_kmh * 1000 / 60
    drive_m_per_min = assumptions.drive_kmh * 1000 / 60
    out = []
    for i in range(count):
        length, controlled, crossings = lengths[i], controlled_m[i], m.crossings[i]
        through, starts, ends = m.through[i], m.start_areas[i], m.end_areas[i]
        row = distances[i]
        used = [a for a, _ in through] + starts + ends
        estimates = [area_names[a] for a in used if area_estimate[a]]
        near = None
        c = nearest[i]
        if c is not None:
            near = NearestPlace(place_names[c], place_kinds[c], row[c])
            if place_estimate[c]:
                estimates.append(place_names[c])
        order = sensitive_order[i]
        estimates += [place_names[j] for j in order if place_estimate[j]]
        if controlled > 0:
            estimates += index.controlled_approximate
        if crossings:
            estimates += index.control_approximate
        out.append(
            CorridorReport(
                id=ids[i],
                name=names[i],
                situation=index.situation,
                length_m=length,
                start_in=tuple([area_names[a] for a in starts]),
                end_in=tuple([area_names[a] for a in ends]),
                control_line_crossings=len(crossings),
                crossing_points=tuple(map(tuple, crossings)),
                length_in_controlled_m=controlled,
                passes_through=tuple([AreaLength(area_names[a], v) for a, v in through]),
                nearest_crossing=near,
                nearest_sensitive=tuple(
                    [NearestPlace(place_names[j], place_kinds[j], row[j]) for j in order]
                ),
                walk_minutes=length / walk_m_per_min,
                drive_minutes=length / drive_m_per_min,
                assumptions=assumptions,
                approximate_inputs=tuple(dict.fromkeys(estimates)),
            )
        )
    return out


# --- comparing ----------------------------------------------------------------------------


def _value(report: CorridorReport, by: CompareBy) -> float | None:
    if by == "nearest_crossing_m":
        near = report.nearest_crossing
        return None if near is None else near.distance_m
    return float(getattr(report, by))


def compare(
    reports: Sequence[CorridorReport], /, *, by: CompareBy = "length_in_controlled_m"
) -> list[ComparisonRow]:
    """Rank reports on one measure, best (smallest) first; rank 1 is best.

    Equal values share a rank (1, 1, 3) and keep their input order; a missing value (no
    crossing in the situation) ranks last with no difference. ``difference`` is the value
    minus the best value, in the measure's unit (metres, minutes or a count).
    """
    choices = get_args(CompareBy)
    if by not in choices:
        problem = f"cannot compare by {by!r}; choose one of {', '.join(choices)}"
        raise CorridorError([Problem("compare", NO_FEATURE, problem)])
    values = [_value(r, by) for r in reports]
    order = sorted(range(len(reports)), key=lambda i: (values[i] is None, values[i] or 0.0))
    known = [v for v in values if v is not None]
    best = min(known) if known else None
    rows: list[ComparisonRow] = []
    for position, i in enumerate(order):
        value = values[i]
        rank = rows[-1].rank if rows and rows[-1].value == value else position + 1
        diff = None if value is None or best is None else value - best
        report = reports[i]
        rows.append(ComparisonRow(rank, report.id, report.name, value, diff, report))
    return rows


# --- reading a file of corridors ---------------------------------------------------------


def _as_collection(doc: Any) -> Any:
    """Take a FeatureCollection, a single Feature, or a bare (Multi)LineString geometry."""
    if isinstance(doc, dict) and doc.get("type") == "Feature":
        return {"type": "FeatureCollection", "features": [doc]}
    if isinstance(doc, dict) and doc.get("type") in _LINE_TYPES:
        feature = {"type": "Feature", "properties": {}, "geometry": doc}
        return {"type": "FeatureCollection", "features": [feature]}
    return doc


def _feature_id(feature: dict[str, Any], index: int) -> str | int:
    """The feature's GeoJSON ``id``, else its ``properties.id``, else its index."""
    props = feature.get("properties")
    for candidate in (feature.get("id"), props.get("id") if isinstance(props, dict) else None):
        if isinstance(candidate, str) and candidate.strip():
            return candidate.strip()
        if isinstance(candidate, int) and not isinstance(candidate, bool):
            return candidate
    return index


def read_corridor_file(
    path: Path, /, *, extent: Extent, purpose: str = "sitmap measure"
) -> list[CorridorInput]:
    """Read a GeoJSON file of corridors (lines in WGS84 lon/lat) for measuring.

    Takes a FeatureCollection (or one Feature, or a bare LineString geometry). Structure
    and geometry are checked by :func:`sitmap.validation.check_collection`, then every line
    by :func:`corridor_problems` (inside ``extent``, at least 2 distinct points). Raises
    :class:`ValidationError` for an unreadable file and :class:`CorridorError` listing every
    problem in feature order, each as ``FILE: FEATURE: PROBLEM``; ``purpose`` names the
    command in messages.
    """
    file = str(path)
    doc = _as_collection(parse_geojson(read_json_bytes(path, file=file), file=file))
    checked = check_collection(doc, file=file, kind=None, extent=None)
    problems = list(checked.problems)
    features = doc.get("features") if isinstance(doc, dict) else None
    if not isinstance(features, list):
        raise CorridorError(problems) if problems else _no_features(file, purpose)
    if not features:
        raise _no_features(file, purpose)
    failed = {p.feature for p in problems}
    inputs: list[CorridorInput] = []
    labels: list[str] = []
    for index, feature in enumerate(features):
        label = checked.labels[index]
        if not isinstance(feature, dict) or label in failed:
            continue
        shape = checked.shapes.get(index)
        if feature.get("geometry") is None:
            problems.append(Problem(file, label, f"no geometry (null); {purpose} takes lines"))
        elif shape is not None and shape.geom_type not in _LINE_TYPES:
            problem = f"not a LineString ({shape.geom_type}); {purpose} takes lines"
            problems.append(Problem(file, label, problem))
        elif shape is not None:
            props = feature.get("properties")
            props = props if isinstance(props, dict) else {}
            name = props.get("name")
            name = name.strip() if isinstance(name, str) and name.strip() else None
            inputs.append(CorridorInput(_feature_id(feature, index), name, shape, props))
            labels.append(label)
    geoms = [item.geometry for item in inputs]
    problems += corridor_problems(geoms, extent=extent, labels=labels, file=file)
    if problems:
        order = {label: i for i, label in reversed(list(enumerate(checked.labels)))}
        problems.sort(key=lambda p: order.get(p.feature, -1))
        raise CorridorError(problems)
    return inputs


def _no_features(file: str, purpose: str) -> CorridorError:
    problem = f"no features; {purpose} takes a FeatureCollection of LineStrings"
    return CorridorError([Problem(file, NO_FEATURE, problem)])


def reports_json(reports: Sequence[CorridorReport], /) -> str:
    """The ``sitmap measure`` output: a JSON list, one :data:`CLI_KEYS` object per report."""
    return json.dumps([r.to_json() for r in reports], indent=2, ensure_ascii=False, allow_nan=False)
