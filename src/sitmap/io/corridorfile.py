"""Read a GeoJSON file of corridor lines (WGS84 lon/lat degrees) for measuring.

:func:`read_corridor_file` reads the lines of a file for ``sitmap measure`` and ``sitmap
export``, refusing it with every problem listed (each line checked by
:func:`sitmap.analysis.lines.corridor_problems`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shapely.geometry.base import BaseGeometry

from sitmap.analysis.lines import LINE_TYPES, corridor_problems
from sitmap.errors import NO_FEATURE, CorridorError, Problem
from sitmap.schema import Extent
from sitmap.validation import check_collection, parse_geojson, read_json_bytes

__all__ = ["CorridorInput", "read_corridor_file"]


@dataclass(frozen=True, slots=True)
class CorridorInput:
    """One line feature read from a file: its id (feature id, else index), name, geometry."""

    id: str | int
    name: str | None
    geometry: BaseGeometry
    properties: dict[str, Any]


def _as_collection(doc: Any) -> Any:
    """Take a FeatureCollection, a single Feature, or a bare (Multi)LineString geometry."""
    if isinstance(doc, dict) and doc.get("type") == "Feature":
        return {"type": "FeatureCollection", "features": [doc]}
    if isinstance(doc, dict) and doc.get("type") in LINE_TYPES:
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
        elif shape is not None and shape.geom_type not in LINE_TYPES:
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
