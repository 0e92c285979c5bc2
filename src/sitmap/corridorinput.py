"""Check corridor lines and read a GeoJSON file of them (WGS84 lon/lat degrees).

:func:`corridor_problems` says why geometries cannot be measured (type, finite coordinates,
inside the situation's extent, 2 distinct points); :func:`read_corridor_file` reads the lines
of a file for ``sitmap measure`` and ``sitmap export``, refusing it with every problem listed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from sitmap.errors import NO_FEATURE, CorridorError, Problem
from sitmap.schema import Extent
from sitmap.validation import check_collection, parse_geojson, read_json_bytes

__all__ = [
    "CorridorInput",
    "corridor_problems",
    "read_corridor_file",
]

_LINE_TYPES: Final = frozenset({"LineString", "MultiLineString"})


@dataclass(frozen=True, slots=True)
class CorridorInput:
    """One line feature read from a file: its id (feature id, else index), name, geometry."""

    id: str | int
    name: str | None
    geometry: BaseGeometry
    properties: dict[str, Any]


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
