"""Hold the measures of corridors as plain data and write them as JSON (metres, minutes, km/h).

A :class:`CorridorReport` is what :func:`sitmap.corridors.measure_many` returns for one
corridor; :func:`reports_json` is the ``sitmap measure`` output.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, NamedTuple

__all__ = [
    "CLI_KEYS",
    "SPEED_NOTE",
    "AreaLength",
    "Assumptions",
    "CorridorReport",
    "NearestPlace",
    "reports_json",
]

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


def reports_json(reports: Sequence[CorridorReport], /) -> str:
    """The ``sitmap measure`` output: a JSON list, one :data:`CLI_KEYS` object per report."""
    return json.dumps([r.to_json() for r in reports], indent=2, ensure_ascii=False, allow_nan=False)
