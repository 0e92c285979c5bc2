"""Hold the measures of corridors as plain data and write them as JSON (metres, minutes, km/h).

A :class:`CorridorReport` is what :func:`sitmap.analysis.corridors.measure_many` returns for one
corridor; :func:`reports_json` is the ``sitmap measure`` output.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, NamedTuple

from sitmap.analysis.uncertainty import (
    Range,
    ReportRanges,
    km_range_text,
    percent_range_text,
)

__all__ = [
    "CLI_KEYS",
    "SPEED_NOTE",
    "AreaLength",
    "Assumptions",
    "CorridorReport",
    "NearestPlace",
    "report_rows",
    "reports_json",
]

CLI_KEYS: Final = (
    "id",
    "length_m",
    "length_m_min",
    "length_m_max",
    "start_in",
    "end_in",
    "control_line_crossings",
    "control_line_crossings_min",
    "control_line_crossings_max",
    "length_in_controlled_m",
    "length_in_controlled_m_min",
    "length_in_controlled_m_max",
    "passes_through",
    "nearest_crossing",
    "walk_minutes",
    "walk_minutes_min",
    "walk_minutes_max",
    "drive_minutes",
    "drive_minutes_min",
    "drive_minutes_max",
    "assumptions",
    "ranges_from",
)
"""The keys of :meth:`CorridorReport.to_json`, in order: the ``sitmap measure`` contract.

Each ``*_min``/``*_max`` pair is the range of the figure beside it, from the positional
accuracy of what it was measured against (:mod:`sitmap.analysis.uncertainty`);
``ranges_from`` says which accuracies; ``nearest_crossing`` carries
``distance_m_min``/``distance_m_max``."""

SPEED_NOTE: Final = (
    "constant speed along the drawn line; no terrain, checkpoints, waiting or detours"
)


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
    area_label: str = "controlled area"
    """The situation's name for the controlled area (``analysis.controlled_area_label``)."""
    line_label: str = "control line"
    """The situation's name for the control line (``analysis.control_line_label``)."""
    ranges: ReportRanges | None = None
    """The range of each measure from the accuracy of what it uses (None: not known)."""

    def span(self, measure: str) -> Range:
        """The range of one measure (``length_m``, ``walk_minutes``, ...), nil when unknown."""
        ranged = None if self.ranges is None else getattr(self.ranges, measure, None)
        if isinstance(ranged, Range):
            return ranged
        value = float(getattr(self, measure))
        return Range(value, value)

    @property
    def share_in_controlled(self) -> float:
        """The fraction (0..1) of the length that lies in the controlled area."""
        return self.length_in_controlled_m / self.length_m if self.length_m > 0 else 0.0

    def to_json(self) -> dict[str, Any]:
        """The ``sitmap measure`` JSON object: exactly :data:`CLI_KEYS`, plain JSON types."""
        nearest = self.nearest_crossing
        near: dict[str, Any] | None = None
        if nearest is not None:
            near = {"name": nearest.name, "distance_m": nearest.distance_m}
            span = self.ranges.nearest_crossing_m if self.ranges else None
            low, high = (span.low, span.high) if span else (nearest.distance_m,) * 2
            near |= {"distance_m_min": low, "distance_m_max": high}
        crossings = self.span("control_line_crossings")
        return {
            "id": self.id,
            **self._ranged("length_m"),
            "start_in": list(self.start_in),
            "end_in": list(self.end_in),
            "control_line_crossings": self.control_line_crossings,
            "control_line_crossings_min": int(crossings.low),
            "control_line_crossings_max": int(crossings.high),
            **self._ranged("length_in_controlled_m"),
            "passes_through": [
                {"area": item.area, "length_m": item.length_m} for item in self.passes_through
            ],
            "nearest_crossing": near,
            **self._ranged("walk_minutes"),
            **self._ranged("drive_minutes"),
            "assumptions": {
                "walk_kmh": self.assumptions.walk_kmh,
                "drive_kmh": self.assumptions.drive_kmh,
                "note": self.assumptions.note,
            },
            "ranges_from": self.ranges.basis if self.ranges else "no accuracy known",
        }

    def _ranged(self, measure: str) -> dict[str, float]:
        """A figure and its range as JSON fields: ``m``, ``m_min``, ``m_max``."""
        span = self.span(measure)
        return {
            measure: float(getattr(self, measure)),
            f"{measure}_min": span.low,
            f"{measure}_max": span.high,
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


def reports_json(reports: Sequence[CorridorReport], /) -> str:
    """The ``sitmap measure`` output: a JSON list, one :data:`CLI_KEYS` object per report."""
    return json.dumps([r.to_json() for r in reports], indent=2, ensure_ascii=False, allow_nan=False)


def _km(metres: float) -> str:
    return f"{metres / 1000:.2f} km"


def _minutes(value: float, span: Range) -> str:
    """'72 min (50–95)', or '72 min' when the range is nil."""
    if round(span.low) == round(span.high):
        return f"{value:.0f} min"
    return f"{value:.0f} min ({span.low:.0f}\u2013{span.high:.0f})"


def _places(names: Sequence[str]) -> str:
    return " \u203a ".join(names) if names else "outside every mapped area"


def report_rows(report: CorridorReport, /) -> list[tuple[str, str]]:
    """What a person reads first about a corridor, as (label, value) text rows.

    The one wording of a report: the page's card and a saved corridor's popup use it,
    with the situation's own names for the controlled area and the control line (carried
    by the report), as do the comparison table and the exports.
    """
    area_label, line_label = report.area_label, report.line_label
    ranges = report.ranges
    share = (
        percent_range_text(ranges.share_in_controlled)
        if ranges
        else f"{report.share_in_controlled * 100:.0f} %"
    )
    rows = [
        ("Length", km_range_text(report.length_m, report.span("length_m"))),
        (
            f"In the {area_label}",
            f"{km_range_text(report.length_in_controlled_m, report.span('length_in_controlled_m'))}"
            f"; {share} of the line",
        ),
    ]
    crossings = report.control_line_crossings
    where = "; ".join(f"{lon:.4f}, {lat:.4f}" for lon, lat in report.crossing_points[:4])
    counted = report.span("control_line_crossings")
    notes = []
    if counted.low != counted.high:
        notes.append(f"{int(counted.low)}\u2013{int(counted.high)} within the accuracy")
    if where:
        notes.append(f"lon, lat: {where}")
    rows.append(
        (
            f"Crosses the {line_label}",
            f"{crossings} time{'s' if crossings != 1 else ''}"
            + (f" ({'; '.join(notes)})" if notes else ""),
        )
    )
    rows.append(("Starts in", _places(report.start_in)))
    rows.append(("Ends in", _places(report.end_in)))
    if report.passes_through:
        passes = "; ".join(f"{a.area} {_km(a.length_m)}" for a in report.passes_through)
        rows.append(("Passes through", passes))
    if report.nearest_crossing is not None:
        near = report.nearest_crossing
        near_span = ranges.nearest_crossing_m if ranges else None
        rows.append(
            ("Nearest crossing", f"{near.name}, {km_range_text(near.distance_m, near_span)} away")
        )
    spans = ranges.nearest_sensitive_m if ranges else ()
    for i, place in enumerate(report.nearest_sensitive):
        far = km_range_text(place.distance_m, spans[i] if i < len(spans) else None)
        rows.append((f"Nearest {place.kind}", f"{place.name}, {far} away"))
    speeds = report.assumptions
    walk = _minutes(report.walk_minutes, report.span("walk_minutes"))
    drive = _minutes(report.drive_minutes, report.span("drive_minutes"))
    rows.append(("On foot", f"{walk} at {speeds.walk_kmh:g} km/h"))
    rows.append(("By vehicle", f"{drive} at {speeds.drive_kmh:g} km/h"))
    rows.append(("Assumes", speeds.note))
    if ranges is not None:
        rows.append(("Ranges from", ranges.basis))
    if report.approximate_inputs:
        rows.append(("Measured against estimates", ", ".join(report.approximate_inputs)))
    return rows
