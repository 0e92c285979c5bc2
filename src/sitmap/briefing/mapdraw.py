"""The briefing's map as SVG shapes: the page's layers at the view's date, styled alike.

Every visible situation layer is drawn in the situation's draw order with the style the
page uses (:func:`sitmap.mapview.styles.style_for`: colour, weight, fill, dashes for
estimates and illustrations), then the view's own layers (saved corridors, uploads, with
the style they carry), then the located events of the time range as the page's red dots.
Shapes only: every word on the map is HTML laid over it (:mod:`.maplabels`), so Arabic
and Hebrew are shaped and ordered by the text engine, and searchable in the PDF.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from sitmap.analysis.timeline import end_of_day_utc, start_of_day_utc, valid_at
from sitmap.briefing.projection import MapFrame, clipped, svg_path
from sitmap.escaping import esc
from sitmap.mapview import ExtraLayer, ViewState
from sitmap.mapview.styles import EVENT_STYLE, POINT_RADIUS_PX, SEA_COLOUR, legend_key, style_for
from sitmap.schema import LayerKind
from sitmap.situation import Situation

__all__ = [
    "MapShapes",
    "as_of_text",
    "draw_map",
    "event_sources",
    "shown_events",
    "shown_features",
]

_LEAFLET_DEFAULTS: dict[str, Any] = {
    "color": "#3388ff",
    "weight": 3,
    "opacity": 1,
    "fillOpacity": 0.2,
    "lineCap": "round",
    "lineJoin": "round",
}


@dataclass
class MapShapes:
    """The map's SVG markup and what it drew: legend keys, feature ids, source ids."""

    svg: str
    events_svg: str = ""
    """The events' dots: drawn over the labels, as the page draws them over the land."""
    event_boxes: list[tuple[float, float, float, float]] = field(default_factory=list)
    """Each dot's box (left, top, width, height), px: labels keep clear where they can."""
    legend_keys: set[str] = field(default_factory=set)
    feature_ids: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


def _attrs(style: Mapping[str, Any], *, area: bool) -> str:
    """SVG presentation attributes of a Leaflet path style (Leaflet's defaults filled in)."""
    s = {**_LEAFLET_DEFAULTS, **style}
    filled = area if "fill" not in s else bool(s["fill"])
    parts = [
        f'stroke="{esc(s["color"])}"',
        f'stroke-width="{esc(s["weight"])}"',
        f'stroke-opacity="{esc(s["opacity"])}"',
        f'stroke-linecap="{esc(s["lineCap"])}"',
        f'stroke-linejoin="{esc(s["lineJoin"])}"',
    ]
    if s.get("dashArray"):
        parts.append(f'stroke-dasharray="{esc(s["dashArray"])}"')
    if filled:
        fill = s.get("fillColor", s["color"])
        parts.append(f'fill="{esc(fill)}" fill-opacity="{esc(s["fillOpacity"])}"')
        parts.append('fill-rule="evenodd"')
    else:
        parts.append('fill="none"')
    return " ".join(parts)


def _shape(frame: MapFrame, geometry: BaseGeometry, style: Mapping[str, Any]) -> str:
    """One feature as SVG: paths for areas and lines, circles for points."""
    kind = geometry.geom_type
    if kind in {"Point", "MultiPoint"}:
        circles = []
        for point in getattr(geometry, "geoms", [geometry]):
            x, y = frame.xy(point.x, point.y)
            if frame.inside(x, y, margin=-POINT_RADIUS_PX):
                circles.append(
                    f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{POINT_RADIUS_PX}" '
                    f"{_attrs({**style, 'fill': True}, area=True)}/>"
                )
        return "".join(circles)
    cut = clipped(frame, geometry)
    if cut.is_empty:
        return ""
    area = kind in {"Polygon", "MultiPolygon"}
    return f'<path d="{svg_path(frame, cut)}" {_attrs(style, area=area)}/>'


def _clean(props: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in props.items() if not (v is None or (isinstance(v, float) and v != v))}


def shown_features(
    situation: Situation, view: ViewState, /
) -> Iterable[tuple[str, dict[str, Any], BaseGeometry]]:
    """(layer id, properties, geometry) of every located feature the map of the view
    shows: visible non-event layers, valid on ``view.as_of``, in draw order.
    """
    for layer_id, layer in situation.layers.items():
        if layer.spec.kind is LayerKind.EVENTS or layer_id not in view.layers:
            continue
        frame = layer.frame[valid_at(layer.frame, view.as_of)]
        frame = frame[frame.geometry.notna()]
        for props, geometry in zip(
            frame.drop(columns="geometry").to_dict("records"), frame.geometry, strict=True
        ):
            if not geometry.is_empty:
                yield layer_id, _clean(props), geometry


def shown_events(situation: Situation, view: ViewState, /) -> pd.DataFrame:
    """The events of the view's range (``since`` to ``as_of``, UTC days), every column."""
    frames = []
    for layer in situation.layers_of(LayerKind.EVENTS):
        frame = layer.frame
        times = pd.to_datetime(frame["time"], utc=True)
        inside = times < end_of_day_utc(view.as_of)
        if view.since is not None:
            inside &= times >= start_of_day_utc(view.since)
        frames.append(frame[inside.to_numpy()])
    return pd.concat(frames) if frames else pd.DataFrame()


def _sources(props: Mapping[str, Any]) -> list[str]:
    ids = props.get("source") or []
    return [ids] if isinstance(ids, str) else [str(i) for i in ids]


def draw_map(
    situation: Situation,
    view: ViewState,
    frame: MapFrame,
    /,
    *,
    extra: Sequence[ExtraLayer] = (),
) -> MapShapes:
    """The SVG of the view's map: sea, layers in draw order, extra layers, events on top."""
    out = MapShapes("")
    body = [f'<rect width="{frame.width:.0f}" height="{frame.height:.0f}" fill="{SEA_COLOUR}"/>']
    for _layer, props, geometry in shown_features(situation, view):
        body.append(_shape(frame, geometry, style_for(props)))
        out.legend_keys.add(legend_key(props))
        out.feature_ids.append(str(props.get("id", "")))
        out.sources.extend(_sources(props))
    for own in extra:
        if own.id not in view.layers:
            continue
        for feature in own.features.get("features", []):
            if not feature.get("geometry"):
                continue
            style = dict(feature.get("properties", {}).get("style") or {})
            style.pop("className", None)
            body.append(_shape(frame, shape(feature["geometry"]), style))
            out.legend_keys.add("sketch" if own.id == "sketches" else "upload")
    events_visible = any(layer.id in view.layers for layer in situation.layers_of(LayerKind.EVENTS))
    dots = []
    if events_visible:
        events = shown_events(situation, view)
        for geometry in events.geometry if len(events) else []:
            if geometry is not None and not geometry.is_empty:
                dots.append(_shape(frame, geometry, EVENT_STYLE))
                out.legend_keys.add("event")
                for point in getattr(geometry, "geoms", [geometry]):
                    x, y = frame.xy(point.x, point.y)
                    r = POINT_RADIUS_PX
                    out.event_boxes.append((x - r, y - r, 2 * r, 2 * r))
    box = f'width="{frame.width:.0f}" height="{frame.height:.0f}" '
    box += f'viewBox="0 0 {frame.width:.0f} {frame.height:.0f}"'
    out.svg = f'<svg class="map-shapes" {box}>{"".join(body)}</svg>'
    if dots:
        out.events_svg = f'<svg class="map-events" {box}>{"".join(dots)}</svg>'

    out.sources = list(dict.fromkeys(out.sources))
    return out


def event_sources(events: pd.DataFrame, /) -> list[str]:
    """Source ids cited by events, each once, in order."""
    found: list[str] = []
    if "source" in events:
        for ids in events["source"]:
            found.extend(_sources({"source": ids}))
    return list(dict.fromkeys(found))


def as_of_text(view: ViewState, start: dt.date, /) -> str:
    """'Map as of DAY; events from DAY to DAY' for the header."""
    since = view.since or start
    return f"Map as of {view.as_of.isoformat()}; events from {since.isoformat()} to " + (
        f"{view.as_of.isoformat()} (UTC days)"
    )
