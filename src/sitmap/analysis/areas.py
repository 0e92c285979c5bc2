"""Index the areas corridors are measured against, once per situation (WGS84 lon/lat degrees).

The index holds the named areas, the union of the controlled areas, every distinct edge of
their rings, the control lines and the places (crossings, sensitive places), with STRtrees
over them; :func:`area_index` caches it per loaded version of a situation.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from sitmap.analysis import geodesy
from sitmap.caching import DerivedCache
from sitmap.errors import CorridorError, Problem
from sitmap.schema import Extent
from sitmap.situation import Situation

__all__ = [
    "AreaIndex",
    "NamedArea",
    "area_index",
    "explode",
]

_POLYGON_TYPES: Final = frozenset({"Polygon", "MultiPolygon"})
_MULTI_IDS: Final = np.array(
    [
        shapely.GeometryType.MULTIPOINT,
        shapely.GeometryType.MULTILINESTRING,
        shapely.GeometryType.MULTIPOLYGON,
        shapely.GeometryType.GEOMETRYCOLLECTION,
    ]
)


@dataclass(frozen=True, slots=True)
class NamedArea:
    """A named polygon a corridor can start, end or pass in (WGS84 lon/lat degrees)."""

    name: str
    kind: str
    geometry: BaseGeometry
    approximate: bool = False
    id: str | None = None


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
    area_label: str
    line_label: str
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
        """How many named areas (the first rows of ``overlay``)."""
        return len(self.area_names)

    @property
    def has_controlled(self) -> bool:
        """Whether the situation has a controlled area (the last row of ``overlay``)."""
        return len(self.overlay) > self.named_count


_INDEXES: DerivedCache[AreaIndex] = DerivedCache("area indexes", maxsize=4)
"""Each situation's own index, by situation key (folder and file stamp)."""


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
        area_label=analysis.controlled_area_label,
        line_label=analysis.control_line_label,
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
    parts, part_of = explode(polygons)
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
    return _INDEXES.get_or_make(situation.key, lambda: _build_index(situation, ()))


def explode(geoms: NDArray[np.object_]) -> tuple[NDArray[np.object_], NDArray[np.intp]]:
    """Single parts of every geometry (collections flattened) and the owner of each."""
    parts, owner = geoms, np.arange(len(geoms))
    while len(parts) and np.isin(shapely.get_type_id(parts), _MULTI_IDS).any():
        sub, idx = shapely.get_parts(parts, return_index=True)
        parts, owner = sub, owner[idx]
    return parts, owner
