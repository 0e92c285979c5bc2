"""Validate GeoJSON layers and situation folders, collecting every problem at once.

One place backs ``sitmap validate``, the situation loader and uploads. Checks, in order:
bytes (size, encoding), JSON (syntax, NaN, nesting), RFC 7946 structure, coordinates
(finite, in range, likely lat/lon swap or projected metres, inside the situation extent),
geometry validity (self-intersections named), properties (pydantic models of ``schema``),
and references across files (unique ids, known source ids). Coordinates are WGS84 lon/lat.

This module runs the checks feature by feature and writes every problem; files are read
by :mod:`._jsonfile`, geometries checked by :mod:`._geometry`, common properties taken in
bulk by :mod:`._propertycolumns`, and the result is a :class:`.checkedlayer.CheckedLayer`.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from sitmap.errors import NO_FEATURE, Problem
from sitmap.schema import EventProps, Extent, LayerKind, props_model
from sitmap.validation._geometry import (
    check_geometries,
    has_z,
    invalid_reasons,
    out_of_range,
    plain_points,
    range_problem,
)
from sitmap.validation._jsonfile import (
    NotStreamable,
    parse_geojson,
    read_json_bytes,
    stream_collection,
)
from sitmap.validation._propertycolumns import BulkCheck, value_problem
from sitmap.validation.checkedlayer import CheckedLayer

__all__ = [
    "check_collection",
    "check_geojson_file",
    "feature_label",
    "model_problems",
    "pydantic_problems",
]


def feature_label(feature: Any, index: int) -> str:
    """Name a feature in messages: its ``id`` property, its GeoJSON ``id``, else ``#index``."""
    if isinstance(feature, dict):
        props = feature.get("properties")
        for candidate in (props.get("id") if isinstance(props, dict) else None, feature.get("id")):
            if isinstance(candidate, str) and candidate.strip() and len(candidate) <= 200:
                return candidate.strip()
            if isinstance(candidate, int) and not isinstance(candidate, bool):
                return str(candidate)
    return f"#{index}"


def pydantic_problems(err: PydanticValidationError) -> Iterator[str]:
    """Turn a pydantic error into short sentences that name the property."""
    for item in err.errors(include_url=False):
        loc = ".".join(str(part) for part in item["loc"])
        if item["type"] == "missing":
            yield f"missing required property {loc!r}"
            continue
        msg = str(item["msg"]).removeprefix("Value error, ")
        value = item.get("input")
        shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
        if loc and repr(value) in msg:
            yield f"property {loc!r}: {msg}"
        elif loc:
            yield f"property {loc!r}: {msg} (got {shown})"
        else:
            yield msg


def check_collection(
    doc: Any,
    /,
    *,
    file: str,
    kind: LayerKind | None,
    extent: Extent | None,
    allow_crs_member: bool = False,
) -> CheckedLayer:
    """Check one parsed GeoJSON document as a situation layer; collect every problem.

    ``kind`` picks the properties model (None: structure and geometry only); ``extent``
    (WGS84 degrees) bounds the coordinates. Cross-file checks (ids, sources) are the
    caller's: the result keeps each feature's validated properties for them.
    """
    out = CheckedLayer(file=file)
    features = _top_level(doc, out, allow_crs_member=allow_crs_member)
    if features is None:
        return out
    check = _FeatureCheck(out, kind=kind, extent=extent)
    with _gc_paused():
        for start in range(0, len(features), _BATCH):
            check.batch(features[start : start + _BATCH], start)
        check.finish()
    return out


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while many acyclic objects are made (parsed JSON,
    checked values): each full collection would walk millions of them for nothing
    (measured: a third of the time of checking 100,000 events). Reference counting
    still frees everything.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _top_level(doc: Any, out: CheckedLayer, *, allow_crs_member: bool) -> list[Any] | None:
    """A FeatureCollection's own members (problems go to ``out``); its features, or None
    when there are none to check.
    """
    if not isinstance(doc, dict):
        out.add(NO_FEATURE, f"top level must be a GeoJSON object, not {type(doc).__name__}")
        return None
    if doc.get("type") != "FeatureCollection":
        shown = doc.get("type")
        out.add(NO_FEATURE, f"top level must be a FeatureCollection, not {shown!r}")
        return None
    if "crs" in doc and not allow_crs_member:
        out.add(
            NO_FEATURE,
            "legacy 'crs' member: RFC 7946 GeoJSON is always WGS84 lon/lat; remove the member",
        )
    features = doc.get("features")
    if not isinstance(features, list):
        out.add(NO_FEATURE, "a FeatureCollection needs a 'features' array")
        return None
    return features


_BATCH = 5_000
"""Features checked (and, from a file, parsed) at a time."""


class _SlowGeometries:
    """The geometry checks of a batch's features that ``plain_points`` did not take.

    By index in the batch: ``structure`` problems, else the ``wkbs`` and [lon, lat]
    ``xys`` of the geometries; ``flagged`` those out of range; ``built`` the WKB of the
    geometries that pass every check, for GEOS.
    """

    __slots__ = ("built", "flagged", "structure", "wkbs", "xys")

    def __init__(self, slow: list[Any], extent: Extent | None) -> None:
        self.structure, self.wkbs, self.xys = check_geometries(slow)
        self.flagged = out_of_range(self.xys, extent)
        self.built: dict[int, bytes] = {}


class _FeatureCheck:
    """The per-feature checks of one layer, batch after batch; the same problems, in the
    same order, as one pass over all features.

    Two bulk paths take the common case without per-feature Python work: plain 2D Points
    in range (one array, ``shapely.points``) and properties whose values the column checks
    of ``BulkCheck`` accept. Anything they do not accept in full goes through the
    per-feature checks, which alone write problems, so every message stays the same.
    """

    def __init__(self, out: CheckedLayer, *, kind: LayerKind | None, extent: Extent | None) -> None:
        self.out = out
        self.extent = extent
        self.model = props_model(kind) if kind is not None else None
        out.model = self.model
        self.props = BulkCheck(self.model)
        self.slow_shapes: dict[int, Any] = {}
        self.points: list[tuple[np.ndarray, np.ndarray]] = []
        self.key_orders: set[tuple[str, ...]] = set()

    def batch(self, features: list[Any], offset: int) -> None:
        """Check ``features``, the layer's features from index ``offset`` on."""
        out = self.out
        fast_rows, fast_xy = plain_points(features, self.extent)
        fast_geometry = [False] * len(features)
        for i in fast_rows:
            fast_geometry[i] = True
        props_ok, rows = self.props.check(features, offset)
        if rows is not None:
            out.bulk.append(rows)
        self._names(features)
        slow = [None if fast else f for f, fast in zip(features, fast_geometry, strict=True)]
        geometries = _SlowGeometries(slow, self.extent)
        for i, feature in enumerate(features):
            index = offset + i
            label = feature_label(feature, index)
            out.labels.append(label)
            if fast_geometry[i] and props_ok[i]:
                continue
            if not isinstance(feature, dict) or feature.get("type") != "Feature":
                out.add(label, 'not a GeoJSON Feature (needs "type": "Feature")')
                continue
            geometry = feature.get("geometry", ...)
            if not fast_geometry[i]:
                geometry = self._geometry(label, i, geometry, geometries)
            if not props_ok[i]:
                self._properties(label, index, feature, geometry)
        if geometries.built:
            made = shapely.from_wkb(list(geometries.built.values()), on_invalid="ignore")
            for i, shape in zip(geometries.built, made, strict=True):
                self.slow_shapes[offset + i] = shape
        if fast_rows:
            out.geometry_types.add("Point")
            self.points.append((np.asarray(fast_rows) + offset, fast_xy))

    def _geometry(self, label: str, i: int, geometry: Any, geometries: _SlowGeometries) -> Any:
        """Write the problems of the geometry of the batch's feature ``i`` (``...`` when the
        feature has no such member), else take its WKB into ``geometries.built``.

        Returns the geometry, None when it is not well formed (nor an object).
        """
        out = self.out
        if geometry is ...:
            out.add(label, "missing 'geometry' member (use null for no place)")
        elif geometry is not None:
            if problem := geometries.structure.get(i):
                out.add(label, problem)
                return None
            out.geometry_types.add(geometry["type"])
            out.has_z = out.has_z or has_z(geometry)
            if i in geometries.flagged and (
                problem := range_problem(geometries.xys[i], self.extent)
            ):
                out.add(label, problem)
            else:
                geometries.built[i] = geometries.wkbs[i]
        return geometry

    def _properties(self, label: str, index: int, feature: dict[str, Any], geometry: Any) -> None:
        """Write the problems of the properties of the feature at ``index`` (left out by the
        bulk checks); keep the validated model of properties without any.

        ``geometry`` is the feature's (``...`` when missing, None when null or not well
        formed): an event with a place needs an accuracy.
        """
        out, model = self.out, self.model
        props = feature.get("properties", ...)
        if props is ... or props is None:
            if model is not None:
                out.add(label, "properties are missing; every feature needs id, name, source...")
            return
        if not isinstance(props, dict):
            out.add(label, f"properties must be an object, not {type(props).__name__}")
            return
        bad_values = [p for k, v in props.items() if (p := value_problem(v, str(k)))]
        for problem in bad_values:
            out.add(label, problem)
        if model is None or bad_values:
            return
        try:
            validated = model.model_validate(props)
        except PydanticValidationError as err:
            for problem in pydantic_problems(err):
                out.add(label, problem)
            return
        if (
            isinstance(validated, EventProps)
            and geometry is not None
            and validated.accuracy_m is None
        ):
            out.add(label, "missing required property 'accuracy_m' (the event has a place)")
        out.models[index] = validated

    def finish(self) -> None:
        """Geometry validity (GEOS), named after every per-feature problem. Plain points
        stay coordinates (``CheckedLayer.points``) until used: made among the batches'
        parsed JSON, 100,000 long-lived small objects would pin its memory.
        """
        for index, problem in invalid_reasons(self.slow_shapes).items():
            self.out.add(self.out.labels[index], problem)
        self.out.built_shapes = self.slow_shapes
        self.out.points = self.points

    def _names(self, features: list[Any]) -> None:
        """Record property names as GDAL orders a GeoJSON layer's fields: in order of first
        appearance, a name first seen in a later feature placed after the name that
        precedes it there.
        """
        seen = self.key_orders
        for feature in features:
            props = feature.get("properties") if type(feature) is dict else None
            if type(props) is dict:
                keys = tuple(props)
                if keys not in seen:
                    seen.add(keys)
                    self._add_names(keys)

    def _add_names(self, keys: tuple[str, ...]) -> None:
        names = self.out.property_names
        if all(key in names for key in keys):
            return
        order = list(names)
        for position, key in enumerate(keys):
            if key not in names:
                after = order.index(keys[position - 1]) + 1 if position else len(order)
                order.insert(after, key)
                names[key] = None
        self.out.property_names = dict.fromkeys(order)


def check_geojson_file(
    path: Path,
    /,
    *,
    file: str,
    kind: LayerKind | None,
    extent: Extent | None,
    allow_crs_member: bool = False,
) -> CheckedLayer:
    """Read, parse and check one GeoJSON layer file: the result of
    ``check_collection(parse_geojson(read_json_bytes(path)))``, with the same problems.

    The file is read in chunks and its features are parsed and checked in batches, so a
    large file never exists whole in memory, as bytes, text or parsed document (a 50 MB
    layer of 100,000 events parses to over 200 MB of Python objects): the peak is one
    chunk plus one batch. A file that is not plain (too large, not UTF-8, not a JSON
    object, broken JSON...) is read whole as before, for the same messages. Raises
    ValidationError for a file that cannot be read or parsed.
    """
    try:
        with _gc_paused():
            return _check_stream(
                path, file=file, kind=kind, extent=extent, allow_crs_member=allow_crs_member
            )
    except NotStreamable:
        pass
    with _gc_paused():
        doc = parse_geojson(read_json_bytes(path, file=file), file=file)
    return check_collection(
        doc, file=file, kind=kind, extent=extent, allow_crs_member=allow_crs_member
    )


def _check_stream(
    path: Path,
    *,
    file: str,
    kind: LayerKind | None,
    extent: Extent | None,
    allow_crs_member: bool,
) -> CheckedLayer:
    """``check_geojson_file`` on a file read in chunks; NotStreamable for one to read whole."""
    out = CheckedLayer(file=file)
    check = _FeatureCheck(out, kind=kind, extent=extent)
    members = stream_collection(path, check.batch, batch_size=_BATCH)
    top = CheckedLayer(file=file)
    if _top_level(members, top, allow_crs_member=allow_crs_member) is None:
        return top
    check.finish()
    out.problems[:0] = top.problems
    return out


def model_problems(
    model: type[BaseModel], data: Any, *, file: str, feature: str
) -> tuple[BaseModel | None, list[Problem]]:
    """Validate ``data`` against a model, returning it or every problem as lines."""
    try:
        return model.model_validate(data), []
    except PydanticValidationError as err:
        return None, [Problem(file, feature, p) for p in pydantic_problems(err)]
