"""Cut corridor segments by area edges and control lines (lon/lat degrees; lengths in metres).

The vectorised core of :func:`sitmap.analysis.corridors.measure_many`: every corridor's segments at
once, cut where area boundaries cross them, each piece inside or outside by its midpoint,
lengths inside each area measured geodesically (WGS84), the areas holding each end, where
the corridor meets the control lines, and distances to places. How exact this is: see the
:mod:`sitmap.analysis.corridors` docstring.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import shapely
from numpy.typing import NDArray

from sitmap.analysis import geodesy
from sitmap.analysis.areas import AreaIndex, explode

__all__ = [
    "Measures",
    "measure_arrays",
]

_SAME_PLACE: Final = 1e-9
"""Cuts or contacts closer than this along a corridor (fraction of a segment) are one place."""
_TOUCH: Final = 1e-9
"""Tolerance (fraction of a segment or edge) for a segment meeting an area boundary edge."""
_PARALLEL: Final = 1e-12
"""A segment and an edge whose directions' sine is below this are parallel."""


@dataclass(frozen=True)
class Measures:
    """Raw per-corridor arrays from :func:`measure_arrays` (index = corridor)."""

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
    inside = np.asarray(length, dtype=np.float64)
    return inside.reshape(count, n_area), entry.reshape(count, n_area)


def _ranks(counts: NDArray[np.intp]) -> NDArray[np.intp]:
    """0, 1, ..., c - 1 for each count c, concatenated (to expand repeated ranges)."""
    return np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)


def _crossings(segs: _Segments, count: int, index: AreaIndex) -> list[list[tuple[float, float]]]:
    """Where each corridor meets the control lines, in order along it (lon, lat).

    Works segment by segment: each contact becomes an interval of positions along the
    corridor (see :class:`_Segments`); contacts at the same position, or overlapping
    stretches, merge into one place (see the :mod:`sitmap.analysis.corridors` docstring).
    """
    seg, ctrl = index.control_tree.query(segs.geoms, predicate="intersects")
    if len(seg) == 0:
        return [[] for _ in range(count)]
    contact = shapely.intersection(segs.geoms[seg], index.control_lines[ctrl])
    pieces, piece_of = explode(contact)
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


def measure_arrays(geoms: NDArray[np.object_], index: AreaIndex) -> Measures:
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
    return Measures(
        length_m=length_m,
        start_areas=_areas_at(first, index),
        end_areas=_areas_at(last, index),
        through=through,
        controlled_m=controlled_m,
        crossings=_crossings(segs, n, index),
        distances=distances,
    )
