"""Positional accuracy on the map: a band along each line, a halo round each point and area.

Each feature of the visible layers that states ``accuracy_m`` is drawn with the ground
its true position may occupy: a line's band (the line grown by its accuracy), a point's
halo (a disc of that radius), an area's ring (grown minus shrunk by it). Buffers are
taken in a metric CRS (:func:`sitmap.analysis.uncertainty.buffered`). The shapes are
not clickable (``interactive: false``): clicks go through to the features under them.
Each shape carries its feature's span of days (``_from``/``_until``): the map shows
those of the chosen day. One feature group, shown when the reader ticks "Show
positional accuracy".
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

import folium
import shapely
from shapely.geometry.base import BaseGeometry

from sitmap.analysis.timeline import shown_spans_ms
from sitmap.analysis.uncertainty import buffered
from sitmap.caching import DerivedCache
from sitmap.mapview.elements import GeoJsonText, geojson_text, shown_span
from sitmap.mapview.styles import POINT_RADIUS_PX
from sitmap.schema import LayerKind
from sitmap.situation import Situation

__all__ = [
    "ACCURACY_LABEL",
    "ACCURACY_STYLE",
    "accuracy_geojson",
    "accuracy_group",
    "accuracy_shape",
]

ACCURACY_LABEL: Final = "Show positional accuracy"
"""The sidebar checkbox that draws every feature's accuracy."""
ACCURACY_HELP: Final = (
    "Draw the ground each shown feature may truly lie on, from its stated positional "
    "accuracy: a band along lines, a halo round points and areas."
)

ACCURACY_STYLE: Final = {
    "stroke": False,
    "fill": True,
    "fillColor": "#7b3294",
    "fillOpacity": 0.14,
    "className": "sitmap-accuracy",
}
"""A faint purple wash, no outline: the ground a feature may truly lie on."""

_DISPLAY_GRID_DEG: Final = 1e-5
_DISPLAY_TOLERANCE_DEG: Final = 5e-5


def accuracy_shape(geometry: BaseGeometry, metres: float, /) -> BaseGeometry:
    """The ground within ``metres`` of where a feature is drawn: a band, halo or ring."""
    if metres <= 0 or geometry is None or geometry.is_empty:
        return shapely.Polygon()
    grown = buffered(geometry, metres)
    if geometry.geom_type in {"Polygon", "MultiPolygon"}:
        shrunk = buffered(geometry, -metres)
        if not shrunk.is_empty:
            return shapely.difference(grown, shrunk)
    return grown


_SHAPES: DerivedCache[dict[str, Any]] = DerivedCache("accuracy shapes", maxsize=64)


def accuracy_geojson(situation: Situation, layer_id: str, /) -> dict[str, Any]:
    """One layer's accuracy shapes as GeoJSON, each with its feature's span of days
    (cached per layer).
    """
    key = (situation.key, layer_id)
    return _SHAPES.get_or_make(key, lambda: _accuracy_geojson(situation, layer_id))


def _accuracy_geojson(situation: Situation, layer_id: str) -> dict[str, Any]:
    frame = situation.layer(layer_id).frame
    if not len(frame) or "accuracy_m" not in frame:
        return {"type": "FeatureCollection", "features": []}
    features = []
    for ident, metres, geometry, (start, end) in zip(
        frame.get("id", []),
        frame["accuracy_m"],
        frame.geometry,
        shown_spans_ms(frame),
        strict=False,
    ):
        if not isinstance(metres, int | float) or metres != metres or metres <= 0:
            continue
        shape = accuracy_shape(geometry, float(metres))
        if shape.is_empty:
            continue
        shape = shapely.set_precision(
            shapely.simplify(shape, _DISPLAY_TOLERANCE_DEG), _DISPLAY_GRID_DEG
        )
        features.append(
            {
                "type": "Feature",
                "geometry": shape.__geo_interface__,
                "properties": {"_id": f"accuracy:{ident}", "style": dict(ACCURACY_STYLE)}
                | shown_span(start, end),
            }
        )
    return {"type": "FeatureCollection", "features": features}


def accuracy_group(situation: Situation, layers: Iterable[str], /) -> folium.FeatureGroup:
    """The accuracy of every feature of the visible situation layers (events left out)."""
    group = folium.FeatureGroup(name="Positional accuracy", control=False)
    shown = set(layers)
    for layer_id, layer in situation.layers.items():
        if layer_id not in shown or layer.spec.kind is LayerKind.EVENTS:
            continue
        data = accuracy_geojson(situation, layer_id)
        if data["features"]:
            GeoJsonText(geojson_text(data), radius=POINT_RADIUS_PX, interactive=False).add_to(group)
    return group
