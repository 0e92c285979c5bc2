"""Honest ranges: how far a corridor's measures can move given the accuracy of what they use.

Every feature states ``accuracy_m``, how far its true position may lie from where it is
drawn. A corridor's measures inherit that: its length from its own ends' accuracy, its
length inside the controlled area from the area's accuracy (and the line's), its
control-line crossings from the line's band, its distances from each place's accuracy.
Each measure gets a :class:`Range` (``low <= value <= high``), in the measure's unit.

How each range is found (WGS84 lon/lat in, metres out, lengths geodesic):

- **Length**: each end of the corridor may lie ``a`` metres (the line's own accuracy)
  from where it is drawn, so ``L - 2a .. L + 2a`` (never below 0). A line drawn by a
  reader is taken as exact (``a = 0``); a situation's illustrative option is not.
- **Inside the controlled area**: the area is shrunk and grown by ``d`` = the area's
  accuracy plus the line's, in :data:`~sitmap.analysis.geodesy.METRIC_CRS` (UTM 36N,
  built once with pyproj, ``always_xy=True``; 0.02 % scale error near Gaza, far below
  any accuracy), and the corridor's geodesic length inside the shrunk and the grown area
  are the low and high ends. The share of the line follows.
- **Control-line crossings**: the line is widened into a band of ``d`` metres each side.
  Each passage of the corridor through the band whose ends lie on opposite sides crosses
  the true line (somewhere in the band) an odd number of times, at least once; one that
  enters and leaves on the same side crosses it an even number of times, possibly none.
  So each passage counts ``c mod 2 .. max(c, 2 - c mod 2)`` for the ``c`` crossings
  measured in it, assuming the true line crosses a passage at most twice more than
  measured; a passage holding an end of the corridor counts ``0 .. max(c, 1)``.
- **Distances to places**: ``D - a_p - a .. D + a_p + a`` for the place's accuracy
  ``a_p``; the nearest crossing's range is the smallest low and smallest high over every
  crossing (another crossing may turn out nearer).
- **Minutes** follow the length at the stated speeds.

Figures are rounded to what is known when shown (:func:`km_range_text`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from sitmap.analysis import geodesy
from sitmap.analysis._overlay import Measures
from sitmap.analysis.areas import AreaIndex
from sitmap.caching import DerivedCache
from sitmap.schema import LayerKind
from sitmap.situation import Situation

__all__ = [
    "Range",
    "ReportRanges",
    "SituationAccuracy",
    "buffered",
    "count_range_text",
    "crossing_ranges",
    "inside_ranges",
    "km_range_text",
    "length_ranges",
    "minutes_range_text",
    "percent_range_text",
    "report_ranges",
    "situation_accuracy",
    "stated_accuracy",
]

_SIMPLIFY_M: Final = 2.0
"""Largest simplification of a buffered outline, metres (less for small buffers)."""
_ON_LINE_DEG: Final = 1e-9
_COLUMNS: Final = ["name", "kind", "accuracy_m", "geometry"]


@dataclass(frozen=True, slots=True)
class Range:
    """A measure's plausible span: ``low <= value <= high``, in the measure's unit."""

    low: float
    high: float

    def __contains__(self, value: object) -> bool:
        """Whether ``value`` lies in the range (ends included)."""
        return isinstance(value, int | float) and self.low <= value <= self.high

    def per(self, divisor: float) -> Range:
        """The range divided by a positive number (metres by metres per minute)."""
        return Range(self.low / divisor, self.high / divisor)


@dataclass(frozen=True, slots=True)
class ReportRanges:
    """The ranges of one corridor's measures, and the accuracies they come from."""

    length_m: Range
    length_in_controlled_m: Range
    share_in_controlled: Range
    control_line_crossings: Range
    nearest_crossing_m: Range | None
    nearest_sensitive_m: tuple[Range, ...]
    walk_minutes: Range
    drive_minutes: Range
    basis: str
    """What the ranges assume, in words (each accuracy used, metres)."""


@dataclass(frozen=True, slots=True)
class SituationAccuracy:
    """The positional accuracy (metres) of what corridors are measured against."""

    controlled_m: float
    control_line_m: float
    places_m: NDArray[np.float64]
    """One per place of the index (crossings, then sensitive places), in its order."""


def situation_accuracy(situation: Situation, index: AreaIndex, /) -> SituationAccuracy:
    """The accuracy of the controlled area, the control line and each place of ``index``.

    A controlled area or a line made of several features takes the largest accuracy among
    them; places are matched to the index by name (the largest accuracy of a name).
    """
    analysis = situation.manifest.analysis
    shaped = [
        layer.frame[["name", "kind", "accuracy_m", "geometry"]]
        for layer in situation.layers.values()
        if layer.spec.kind is not LayerKind.EVENTS and len(layer.frame)
    ]
    frame = pd.concat(shaped, ignore_index=True) if shaped else pd.DataFrame(columns=_COLUMNS)
    frame = frame[frame["geometry"].map(lambda g: g is not None and not g.is_empty).astype(bool)]

    def largest(kinds: Sequence[str]) -> float:
        rows = frame[frame["kind"].isin(list(kinds))]
        values = [float(v) for v in rows["accuracy_m"] if v is not None and v == v]
        return max(values, default=0.0)

    by_name: dict[str, float] = {}
    for name, value in zip(frame["name"], frame["accuracy_m"], strict=True):
        if isinstance(name, str) and value is not None and value == value:
            by_name[name] = max(by_name.get(name, 0.0), float(value))
    places = np.array([by_name.get(str(n), 0.0) for n in index.place_names], dtype=np.float64)
    return SituationAccuracy(
        controlled_m=largest(analysis.controlled_area_kinds),
        control_line_m=largest(analysis.control_line_kinds),
        places_m=places,
    )


_BUFFERS: DerivedCache[BaseGeometry] = DerivedCache("accuracy buffers", maxsize=64)


def buffered(geometry: BaseGeometry, metres: float, /) -> BaseGeometry:
    """``geometry`` (lon/lat) grown (``metres`` > 0) or shrunk (< 0) by that many metres.

    Buffered in :data:`~sitmap.analysis.geodesy.METRIC_CRS` (vertices moved, straight
    segments kept straight: about 10 m of bow over 30 km near Gaza), outlines simplified by
    at most 2 m (1 % of the buffer), then brought back to lon/lat: a few metres beside
    accuracies of tens to thousands. A line or point grown gives its band or halo.
    Shrinking a line or a point, or an area by more than its half-width, gives an empty
    polygon.
    """
    if metres == 0 or geometry.is_empty:
        return geometry
    key = (shapely.to_wkb(geometry), round(float(metres), 3))
    return _BUFFERS.get_or_make(key, lambda: _buffered(geometry, float(metres)))


def _buffered(geometry: BaseGeometry, metres: float) -> BaseGeometry:
    projected = geodesy.to_metric(geometry)
    grown = shapely.buffer(projected, metres, quad_segs=8)
    if grown.is_empty:
        return grown
    # a few metres off is nothing beside an accuracy of tens to thousands of metres, and
    # fewer vertices make every overlay with the result several times faster
    grown = shapely.simplify(grown, min(_SIMPLIFY_M, abs(metres) / 100))
    back = geodesy.from_metric(grown)
    assert isinstance(back, BaseGeometry)
    return shapely.make_valid(back) if not back.is_valid else back


def stated_accuracy(value: object, /) -> float:
    """A line's own ``accuracy_m`` as metres: a finite number >= 0, else 0 (as drawn)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0.0
    return float(value) if math.isfinite(value) and value >= 0 else 0.0


def length_ranges(lengths: NDArray[np.float64], line_accuracy: NDArray[np.float64]) -> list[Range]:
    """Each corridor's length range: its ends may each move by the line's accuracy."""
    return [
        Range(max(0.0, length - 2 * acc), length + 2 * acc)
        for length, acc in zip(lengths.tolist(), line_accuracy.tolist(), strict=True)
    ]


def _inside_length(lines: NDArray[np.object_], area: BaseGeometry) -> NDArray[np.float64]:
    out = np.zeros(len(lines))
    if area.is_empty or not len(lines):
        return out
    shapely.prepare(area)  # the predicates below then run on an index of its edges
    within = shapely.contains(area, lines)
    out[within] = geodesy.lengths_m(lines[within])
    rest = shapely.intersects(area, lines) & ~within
    if rest.any():
        out[rest] = geodesy.lengths_m(shapely.intersection(lines[rest], area))
    return out


def inside_ranges(
    lines: NDArray[np.object_],
    values: NDArray[np.float64],
    area: BaseGeometry | None,
    widen_m: NDArray[np.float64],
) -> list[Range]:
    """Each corridor's length inside ``area`` when the area is shrunk and grown by
    ``widen_m`` (one per corridor: the area's accuracy plus the line's), bracketing the
    measured ``values``.
    """
    out: list[Range] = [Range(v, v) for v in values.tolist()]
    if area is None or area.is_empty:
        return out
    for d in np.unique(widen_m):
        rows = np.flatnonzero(widen_m == d)
        if d <= 0:
            continue
        low = _inside_length(lines[rows], buffered(area, -float(d)))
        high = _inside_length(lines[rows], buffered(area, float(d)))
        for i, lo, hi in zip(rows.tolist(), low.tolist(), high.tolist(), strict=True):
            v = float(values[i])
            out[i] = Range(min(lo, v), max(hi, v))
    return out


def crossing_ranges(
    lines: NDArray[np.object_],
    crossings: Sequence[Sequence[tuple[float, float]]],
    control: BaseGeometry | None,
    widen_m: NDArray[np.float64],
) -> list[Range]:
    """Each corridor's range of control-line crossings, against the line's band of
    ``widen_m`` metres each side (see the module's notes).
    """
    counts = [len(c) for c in crossings]
    out = [Range(c, c) for c in counts]
    if control is None or control.is_empty:
        return out
    for i, line in enumerate(lines.tolist()):
        d = float(widen_m[i])
        if d <= 0:
            continue
        band = buffered(control, d)
        shapely.prepare(band)
        if not shapely.intersects(band, line):
            continue  # never near the line: no crossing, for sure
        pieces = shapely.get_parts(shapely.intersection(line, band))
        pieces = pieces[shapely.length(pieces) > 0]
        ends = shapely.points(shapely.get_coordinates(line)[[0, -1]])
        points = shapely.points(np.array(crossings[i], dtype=np.float64).reshape(-1, 2))
        low = high = 0
        for piece in pieces.tolist():
            c = int(np.count_nonzero(shapely.dwithin(piece, points, _ON_LINE_DEG)))
            if shapely.dwithin(piece, ends, _ON_LINE_DEG).any():
                low, high = low, high + max(c, 1)
            else:
                low, high = low + c % 2, high + max(c, 2 - c % 2)
        out[i] = Range(min(low, counts[i]), max(high, counts[i]))
    return out


def _decimals(low: float, high: float) -> int:
    """Decimals of a km figure worth showing for a range this wide (metres)."""
    half = (high - low) / 2
    if half < 50:
        return 2
    return 1 if half < 5_000 else 0


def km_range_text(value_m: float, span: Range | None, /, *, unit: bool = True) -> str:
    """'4.8 km (3.3–6.3)': the figure and its range in km, rounded to what is known;
    '4.80 km' when the range is nil. ``unit=False`` leaves out ' km' (a table's column
    names it).
    """
    km = " km" if unit else ""
    if span is None or span.high - span.low < 1.0:
        return f"{value_m / 1000:.2f}{km}"
    places = _decimals(span.low, span.high)
    return (
        f"{value_m / 1000:.{places}f}{km} "
        f"({span.low / 1000:.{places}f}\u2013{span.high / 1000:.{places}f})"
    )


def minutes_range_text(value: float, span: Range | None, /) -> str:
    """'72 (50–95)': minutes and their range, whole minutes; '72' when the range is nil."""
    if span is None or round(span.low) == round(span.high):
        return f"{value:.0f}"
    return f"{value:.0f} ({span.low:.0f}\u2013{span.high:.0f})"


def percent_range_text(span: Range, /) -> str:
    """'85–100 %': a share (0..1) range in whole percent, or one figure when nil."""
    low, high = round(span.low * 100), round(span.high * 100)
    return f"{low} %" if low == high else f"{low}\u2013{high} %"


def count_range_text(value: int, span: Range | None, /) -> str:
    """'1 (0–2)': a count and its range, or the count alone when the range is nil."""
    if span is None or span.low == span.high:
        return str(value)
    return f"{value} ({int(span.low)}\u2013{int(span.high)})"


def _place_ranges(
    distances: NDArray[np.float64], place_m: NDArray[np.float64], line_m: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Low and high distance (metres) to every place, per corridor (rows) and place."""
    widen = place_m[None, :] + line_m[:, None]
    return np.maximum(distances - widen, 0.0), distances + widen


def report_ranges(
    geoms: NDArray[np.object_],
    measures: Measures,
    index: AreaIndex,
    situation: Situation,
    line_accuracy: NDArray[np.float64],
    *,
    walk_kmh: float,
    drive_kmh: float,
    sensitive_order: Sequence[Sequence[int]],
) -> list[ReportRanges]:
    """The ranges of every corridor's measures (see the module's notes), in input order.

    ``sensitive_order`` lists, per corridor, the index places its report names as
    nearest sensitive places (index positions, as in the report).
    """
    acc = situation_accuracy(situation, index)
    lengths = measures.length_m
    controlled = np.minimum(measures.controlled_m, lengths)
    area = index.overlay[-1] if index.has_controlled else None
    control = shapely.union_all(index.control_lines) if len(index.control_lines) else None
    length_r = length_ranges(lengths, line_accuracy)
    inside_r = inside_ranges(geoms, controlled, area, line_accuracy + acc.controlled_m)
    cross_r = crossing_ranges(
        geoms, measures.crossings, control, line_accuracy + acc.control_line_m
    )
    low, high = _place_ranges(measures.distances, acc.places_m, line_accuracy)
    ncross = index.crossing_count
    out = []
    for i in range(len(geoms)):
        length = float(lengths[i])
        share = Range(0.0, 0.0)
        if length > 0:
            share = Range(min(inside_r[i].low / length, 1.0), min(inside_r[i].high / length, 1.0))
        nearest = None
        if ncross:
            nearest = Range(float(low[i, :ncross].min()), float(high[i, :ncross].min()))
        sensitive = tuple(Range(float(low[i, j]), float(high[i, j])) for j in sensitive_order[i])
        line_m = float(line_accuracy[i])
        basis = (
            f"positional accuracy: corridor \u00b1{line_m:g} m, {index.area_label} "
            f"\u00b1{acc.controlled_m:g} m, {index.line_label} \u00b1{acc.control_line_m:g} m, "
            "each place its own"
        )
        out.append(
            ReportRanges(
                length_m=length_r[i],
                length_in_controlled_m=inside_r[i],
                share_in_controlled=share,
                control_line_crossings=cross_r[i],
                nearest_crossing_m=nearest,
                nearest_sensitive_m=sensitive,
                walk_minutes=length_r[i].per(walk_kmh * 1000 / 60),
                drive_minutes=length_r[i].per(drive_kmh * 1000 / 60),
                basis=basis,
            )
        )
    return out
