"""Repair what others' data gets slightly wrong, in uploads only, saying what changed.

Coordinates are WGS 84 lon/lat degrees. Two repairs, both noted per feature:

- a coordinate beyond +/-180 (longitude) or +/-90 (latitude) by at most
  :data:`CLAMP_TOLERANCE_DEG` (rounding in the exporting tool: Natural Earth's Russia
  reaches 180.00000000000006) is clamped to the limit;
- an invalid geometry (self-intersection, ring touching itself, wrong nesting) is
  repaired with shapely's ``make_valid`` (GEOS, ``structure`` method for polygons: what
  QGIS's "Fix geometries" does) and kept, with its geodesic area before and after.

A situation's own files are never repaired: :mod:`sitmap.validation` refuses them as is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pyproj
import shapely

from sitmap.validation import invalid_reasons, range_problem

__all__ = [
    "CLAMP_TOLERANCE_DEG",
    "MAX_REPAIR_NOTES",
    "clamp_near_limits",
    "clamp_positions",
    "clamped_note",
    "offending_vertex_problem",
    "repair_invalid",
]

CLAMP_TOLERANCE_DEG = 1e-9
"""Largest overshoot past +/-180 or +/-90 degrees that is clamped (about 0.1 mm)."""
MAX_REPAIR_NOTES = 100
"""Repaired features named one by one; past this, one note counts the rest."""

_GEOD = pyproj.Geod(ellps="WGS84")
_POLYGONAL = ("Polygon", "MultiPolygon")


def _overshoot(xy: np.ndarray) -> np.ndarray:
    """Rows of (n, 2) lon/lat whose overshoot past the limits is within the tolerance."""
    over_x = np.abs(xy[:, 0]) - 180.0
    over_y = np.abs(xy[:, 1]) - 90.0
    with np.errstate(invalid="ignore"):
        near = ((over_x > 0) & (over_x <= CLAMP_TOLERANCE_DEG)) | (
            (over_y > 0) & (over_y <= CLAMP_TOLERANCE_DEG)
        )
    return np.asarray(near)


def _clamped(xy: np.ndarray) -> np.ndarray:
    out = xy.copy()
    out[:, 0] = np.clip(out[:, 0], -180.0, 180.0)
    out[:, 1] = np.clip(out[:, 1], -90.0, 90.0)
    return out


def clamp_near_limits(
    geoms: np.ndarray, labels: Sequence[str], note: Callable[[str], None]
) -> None:
    """Clamp, in place, coordinates within the tolerance past +/-180 or +/-90 (noted).

    Coordinates further out are left for the range check to refuse.
    """
    present = np.flatnonzero(~shapely.is_missing(geoms))
    if not len(present):
        return
    coords, owner = shapely.get_coordinates(geoms[present], return_index=True)
    near = _overshoot(coords)
    if not near.any():
        return
    fixed = [int(present[i]) for i in np.unique(owner[near])]
    for index in fixed:
        geoms[index] = shapely.transform(geoms[index], _clamped)
    note(clamped_note([str(labels[i]) for i in fixed]))


def clamped_note(labels: Sequence[str]) -> str:
    """The note naming the features whose near-limit coordinates were clamped."""
    named = ", ".join(labels[:10]) + (f" (+{len(labels) - 10} more)" if len(labels) > 10 else "")
    return (
        f"coordinates within {CLAMP_TOLERANCE_DEG:g} degrees past +/-180 or +/-90 (rounding "
        f"in the tool that wrote the file) clamped to the limit in {named}"
    )


def clamp_positions(xy: np.ndarray) -> tuple[np.ndarray, bool]:
    """(n, 2) lon/lat with near-limit overshoots clamped, and whether any was."""
    near = _overshoot(xy)
    return (_clamped(xy), True) if near.any() else (xy, False)


def offending_vertex_problem(xy: np.ndarray) -> str | None:
    """Validation's range message for (n, 2) lon/lat, quoting the first vertex out of range.

    None when every vertex is in range.
    """
    bad = np.flatnonzero((np.abs(xy[:, 0]) > 180) | (np.abs(xy[:, 1]) > 90))
    if not len(bad):
        return None
    first = int(bad[0])
    order = np.r_[first, np.arange(first), np.arange(first + 1, len(xy))]
    found = range_problem(xy[order], None)
    if found is None:
        return None
    return found + f" (vertex {first + 1} of {len(xy)})"


_GEOS_WORDS = {
    "Ring Self-intersection": "a ring touches itself",
    "Self-intersection": "edges cross",
    "self-intersection": "edges cross",
    "Interior is disconnected": "a hole cuts the polygon in pieces",
    "Hole lies outside shell": "a hole lies outside its polygon",
    "Nested holes": "a hole lies inside another hole",
    "Nested shells": "one polygon of the multipolygon lies inside another",
    "Duplicate Rings": "a ring is repeated",
    "Too few points in geometry component": "a part has too few distinct points",
    "Invalid Coordinate": "a coordinate is not a number",
    "Ring not closed": "a ring is not closed",
}
"""GEOS's validity reasons in words about the file (GEOS's own text kept otherwise)."""


def _in_words(reason: str) -> str:
    """A GEOS validity reason (``Ring Self-intersection[x y]``) said about the file."""
    name, _, where = reason.partition("[")
    words = _GEOS_WORDS.get(name.strip(), name.strip())
    place = where.rstrip("]").split()
    if len(place) >= 2:
        return f"{words} near lon {place[0]}, lat {place[1]}"
    if " near " in name:
        head, _, rest = name.partition(" near ")
        return f"{_GEOS_WORDS.get(head.strip(), head.strip())} near {rest}"
    return words


def _area_km2(geom: shapely.Geometry) -> float:
    """Geodesic area (WGS 84 ellipsoid) of the polygons in ``geom``, square kilometres."""
    total = 0.0
    for part in shapely.get_parts(shapely.get_parts(geom)):
        if part.geom_type in _POLYGONAL:
            for poly in shapely.get_parts(part):
                area, _ = _GEOD.geometry_area_perimeter(poly)
                total += abs(area)
    return total / 1e6


def _made_valid(geom: shapely.Geometry) -> shapely.Geometry:
    """GEOS make_valid: polygons by their structure (collapsed parts dropped), else linework."""
    if geom.geom_type in _POLYGONAL:
        return shapely.make_valid(geom, method="structure", keep_collapsed=False)
    return shapely.make_valid(geom)


def repair_invalid(
    geoms: np.ndarray,
    labels: Sequence[str],
    indices: Sequence[int],
    note: Callable[[str], None],
) -> dict[int, str]:
    """Repair, in place, the invalid geometries at ``indices``; notes name each one.

    Returns the problems of those that cannot be repaired (GEOS cannot build them, or
    nothing is left once repaired), by index.
    """
    reasons = invalid_reasons({int(i): geoms[i] for i in indices})
    problems: dict[int, str] = {}
    repaired: list[str] = []
    for index, reason in reasons.items():
        geom = geoms[index]
        try:
            fixed = _made_valid(geom)
        except shapely.errors.GEOSException:
            fixed = None
        if fixed is None or fixed.is_empty or not fixed.is_valid:
            problems[index] = f"{reason}, and it cannot be repaired (nothing valid is left)"
            continue
        geoms[index] = fixed
        what = _in_words(reason.removeprefix("invalid geometry: "))
        change = (
            f"{geom.geom_type} → {fixed.geom_type}" if fixed.geom_type != geom.geom_type else ""
        )
        if geom.geom_type in _POLYGONAL:
            before, after = _area_km2(geom), _area_km2(fixed)
            change = ", ".join(
                c for c in (change, f"area {before:.6g} km² before, {after:.6g} km² after") if c
            )
        repaired.append(f"{labels[index]} ({what}{'; ' + change if change else ''})")
    for text in repaired[:MAX_REPAIR_NOTES]:
        note(f"invalid geometry repaired (shapely make_valid) and kept: {text}")
    if len(repaired) > MAX_REPAIR_NOTES:
        note(f"{len(repaired) - MAX_REPAIR_NOTES:,} more invalid geometries repaired and kept")
    return problems
