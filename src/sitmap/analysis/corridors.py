"""Measure corridors against a situation and compare them (pure functions, DESIGN section 4).

A corridor is a LineString (or MultiLineString) in WGS84 lon/lat degrees. Its report gives
geodesic lengths in metres (WGS84 ellipsoid, :data:`sitmap.analysis.geodesy.GEOD`), the named areas
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
  :func:`sitmap.analysis.geodesy.nearest_distances_m` (error below 5 mm near Gaza).
- Walk and drive minutes assume constant speed along the drawn line: no terrain,
  checkpoints, waiting or detours.

Everything is vectorised over all corridors at once (STRtree queries, shapely array
functions, one geodesic call per measure); Python loops only build the report objects.

This module measures, ranks and builds reports; its parts live beside it:
:mod:`.reports` (the report records and their JSON), :mod:`.areas` (the cached index of a
situation's areas, lines and places), :mod:`._overlay` (segments cut by area edges, lengths
inside, control-line crossings) and :mod:`.lines` (checking lines before measuring).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final, Literal, get_args

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from sitmap.analysis._overlay import Measures, measure_arrays
from sitmap.analysis.areas import AreaIndex, NamedArea, area_index
from sitmap.analysis.lines import corridor_problems
from sitmap.analysis.reports import (
    CLI_KEYS,
    SPEED_NOTE,
    AreaLength,
    Assumptions,
    CorridorReport,
    NearestPlace,
    reports_json,
)
from sitmap.analysis.timeline import situation_at
from sitmap.analysis.uncertainty import ReportRanges, report_ranges
from sitmap.errors import NO_FEATURE, CorridorError, Problem
from sitmap.situation import Situation

__all__ = [
    "CLI_KEYS",
    "NEAREST_SENSITIVE_COUNT",
    "SPEED_NOTE",
    "AreaIndex",
    "AreaLength",
    "Assumptions",
    "CompareBy",
    "ComparisonRow",
    "CorridorReport",
    "NamedArea",
    "NearestPlace",
    "area_index",
    "compare",
    "corridor_problems",
    "measure",
    "measure_many",
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

NEAREST_SENSITIVE_COUNT: Final = 3
"""How many sensitive places (hospitals, shelters) a report lists, nearest first."""


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
    as_of: dt.date | None = None,
    accuracy_m: float = 0.0,
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
        as_of=as_of,
        accuracies_m=[accuracy_m],
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
    as_of: dt.date | None = None,
    accuracies_m: Sequence[float] | None = None,
) -> list[CorridorReport]:
    """Measure many corridors (WGS84 lon/lat) at once; one report each, in input order.

    ``idents`` default to the index, ``names`` to None; speeds (km/h) default to the
    manifest's ``analysis.walk_kmh``/``drive_kmh``. Every corridor is checked first
    (:func:`corridor_problems`): any failure raises :class:`CorridorError` listing them all,
    labelled ``file`` and each ident. Lengths are metres on the WGS84 ellipsoid.

    The corridors are measured against the situation as it stood on ``as_of`` (features
    not yet reported or already superseded left out; None: every date) and never against
    rival versions of a feature (:func:`sitmap.analysis.timeline.situation_at`). Each
    report carries the ranges of its measures (:mod:`sitmap.analysis.uncertainty`), from
    the accuracy of what it was measured against and ``accuracies_m``, each corridor's
    own positional accuracy in metres (default 0: a line exactly as drawn).
    """
    situation = situation_at(situation, as_of)
    count = len(lines)
    ids: list[str | int] = list(range(count)) if idents is None else list(idents)
    labels: list[str | None] = [None] * count if names is None else list(names)
    accuracy = [0.0] * count if accuracies_m is None else [float(a) for a in accuracies_m]
    if len(ids) != count or len(labels) != count or len(accuracy) != count:
        problem = f"got {count} corridors but {len(ids)} idents and {len(labels)} names"
        if len(accuracy) != count:
            problem += f" and {len(accuracy)} accuracies"
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
        measures = measure_arrays(geoms, index)
    assumptions = Assumptions(walk_kmh=float(walk), drive_kmh=float(drive))
    line_m = np.array([a if math.isfinite(a) and a > 0 else 0.0 for a in accuracy])
    sensitive = _sensitive_order(measures, index)
    ranges = report_ranges(
        geoms,
        measures,
        index,
        situation,
        line_m,
        walk_kmh=assumptions.walk_kmh,
        drive_kmh=assumptions.drive_kmh,
        sensitive_order=sensitive,
    )
    return _reports(measures, index, ids, labels, assumptions, sensitive, ranges)


def _sensitive_order(m: Measures, index: AreaIndex) -> list[list[int]]:
    """Per corridor, the index positions of its nearest sensitive places, nearest first."""
    ncross = index.crossing_count
    order = np.argsort(m.distances[:, ncross:], axis=1, kind="stable")
    return (order[:, :NEAREST_SENSITIVE_COUNT] + ncross).tolist()


def _reports(
    m: Measures,
    index: AreaIndex,
    ids: list[str | int],
    names: list[str | None],
    assumptions: Assumptions,
    sensitive_order: list[list[int]],
    ranges: list[ReportRanges],
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
                crossing_points=tuple((float(x), float(y)) for x, y in crossings),
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
                area_label=index.area_label,
                line_label=index.line_label,
                ranges=ranges[i],
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
