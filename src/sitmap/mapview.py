"""Build the folium map of a situation: a stable base map plus the layers of a view.

The base map (controls, legend, disclaimer, every located event as compact data on one
canvas) depends only on the situation, so its JS stays the same between reruns and the
streamlit-folium component never remounts (a drawing in progress survives). What a
person changes (visible layers, the 'as of' date, saved sketches, uploads) goes into
``view_groups``: feature groups that streamlit-folium swaps in place.

Axis order: GeoJSON and the events payload are [lon, lat]; folium locations are
[lat, lon]. Every string from data reaches the page escaped (``popups``) or as
``textContent`` (the events canvas).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import folium
import folium.plugins
import numpy as np
import pandas as pd
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template
from folium.utilities import JsCode

from sitmap import assets
from sitmap.popups import esc, popup_html, source_text, tooltip_html
from sitmap.schema import LayerKind
from sitmap.situation import Situation
from sitmap.styles import LEGEND, POINT_RADIUS_PX, SEA_COLOUR, style_for
from sitmap.timeline import end_of_day_utc, valid_at

__all__ = [
    "ExtraLayer",
    "Tiles",
    "ViewState",
    "base_map",
    "events_payload",
    "full_map",
    "layer_geojson",
    "view_groups",
]

Tiles = Literal["none", "osm"]
"""Background: 'none' (offline default: land drawn from the situation) or OSM tiles (opt-in)."""

OSM_TILES_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"  # opt-in only: needs internet
MAX_ZOOM = 18

_BIND = JsCode(
    """function (feature, layer) {
        var p = feature.properties || {};
        if (p._tooltip) layer.bindTooltip(p._tooltip, {sticky: true, className: "sitmap-tooltip"});
        if (p._popup) layer.bindPopup(p._popup, {maxWidth: 440, minWidth: 260, maxHeight: 340});
    }"""
)


@dataclass(frozen=True)
class ViewState:
    """What a person chose to see: layer ids, the 'as of' day (UTC), the background."""

    layers: frozenset[str]
    as_of: dt.date
    tiles: Tiles = "none"


@dataclass(frozen=True)
class ExtraLayer:
    """A layer that is not part of the situation files (sketches, uploads).

    ``features`` is a GeoJSON FeatureCollection whose properties already hold
    escaped ``_popup``/``_tooltip`` HTML and a Leaflet ``style``.
    """

    id: str
    title: str
    features: Mapping[str, Any]
    extra_styles: Mapping[str, Any] = field(default_factory=dict)


_CSS = f"""<style>
.leaflet-container {{ background: {SEA_COLOUR}; font: 13px/1.35 system-ui, sans-serif; }}
.sitmap-popup {{ font-size: 12.5px; line-height: 1.35; }}
.sitmap-popup table {{ border-collapse: collapse; margin: 4px 0; }}
.sitmap-popup th {{ text-align: left; padding: 1px 8px 1px 0; color: #555; vertical-align: top;
  font-weight: 600; white-space: nowrap; }}
.sitmap-popup td {{ padding: 1px 4px 1px 0; vertical-align: top; }}
.sitmap-title {{ font-size: 14px; margin-bottom: 4px; }}
.sitmap-desc {{ margin: 4px 0; color: #333; max-height: 9em; overflow: auto; }}
.sitmap-warn {{ background: #fff3cd; padding: 2px 6px; margin: 2px 0 4px; border-radius: 3px; }}
.sitmap-claims {{ border-top: 1px solid #ddd; margin-top: 6px; padding-top: 4px;
  max-height: 16em; overflow: auto; }}
.sitmap-claims table td, .sitmap-claims table th {{ border-bottom: 1px solid #eee;
  padding: 2px 6px 2px 0; font-size: 12px; }}
.sitmap-h {{ font-weight: 700; }}
.sitmap-about {{ font-style: italic; margin-top: 4px; }}
.sitmap-note {{ color: #777; font-size: 11px; }}
.sitmap-approx {{ color: #8a5a00; }}
.sitmap-legend, .sitmap-disclaimer {{ background: rgba(255,255,255,0.92); padding: 4px 7px;
  border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,0.3); font-size: 11px; }}
.sitmap-legend summary {{ cursor: pointer; }}
.sitmap-legend div {{ display: flex; align-items: center; gap: 6px; margin: 1px 0; }}
.sitmap-sw {{ display: inline-block; width: 18px; height: 10px; }}
.sitmap-disclaimer {{ max-width: 300px; }}
</style>"""


class _Header(MacroElement):
    """Page CSS for popups, legend and background."""

    _template = Template("""{% macro header(this, kwargs) %}""" + _CSS + """{% endmacro %}""")


class _Control(MacroElement):
    """A fixed HTML box in a map corner; ``html`` must already be escaped."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var box = L.control({position: {{ this.position|tojson }}});
            box.onAdd = function () {
                var div = L.DomUtil.create("div", {{ this.css_class|tojson }});
                div.innerHTML = {{ this.html|tojson }};
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            box.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, html: str, *, position: str, css_class: str) -> None:
        super().__init__()
        self.html = html
        self.position = position
        self.css_class = css_class


class _EventsLayer(JSCSSMixin, MacroElement):
    """Every located event as compact columns, drawn by ``SitmapPoints`` on one canvas."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = new SitmapPoints(
            {{ this.payload }}, {radius: {{ this.radius }}}
        ).addTo({{ this._parent.get_name() }});
        window.sitmapEvents = {{ this.get_name() }};
        {% endmacro %}
        """
    )
    default_js: ClassVar[list[tuple[str, str]]] = [("sitmap_js", assets.own_url("sitmap.js"))]

    def __init__(self, payload: str, *, radius: int) -> None:
        super().__init__()
        self.payload = payload
        self.radius = radius


class _EventsView(MacroElement):
    """Tell the events canvas the 'as of' cutoff and whether it is shown."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        if (window.sitmapEvents) { window.sitmapEvents.setView({{ this.cutoff_s }} * 1000,
            {{ this.visible|tojson }}); }
        {% endmacro %}
        """
    )

    def __init__(self, cutoff_s: int, *, visible: bool) -> None:
        super().__init__()
        self.cutoff_s = cutoff_s
        self.visible = visible


def _json_for_script(value: Any) -> str:
    """JSON that is safe inside a <script> element (no '</script>' or '<!--' breakout)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


_PAYLOAD_CACHE: dict[tuple[Any, ...], str] = {}
_LOCK = threading.Lock()


def events_payload(situation: Situation, /) -> str:
    """Located events as compact JSON columns for the canvas layer (cached per situation)."""
    key = (situation.path, situation.stamp)
    with _LOCK:
        if key in _PAYLOAD_CACHE:
            return _PAYLOAD_CACHE[key]
    layers = situation.layers_of(LayerKind.EVENTS)
    frames = [layer.frame for layer in layers]
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    payload = _columns(frame, situation) if len(frame) else _columns_empty()
    text = _json_for_script(payload)
    with _LOCK:
        _PAYLOAD_CACHE.clear()
        _PAYLOAD_CACHE[key] = text
    return text


_EPOCH = pd.Timestamp(0, tz="UTC")


def _columns_empty() -> dict[str, Any]:
    return {"lon": [], "lat": [], "t": [], "title": [], "when": [], "src": [], "sources": []}


def _columns(frame: pd.DataFrame, situation: Situation) -> dict[str, Any]:
    located = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
    points = located.geometry.representative_point()
    times = pd.to_datetime(located["time"], utc=True)
    source_ids = sorted({s for ids in located["source"] for s in ids} | _claim_sources(located))
    index = {s: i for i, s in enumerate(source_ids)}
    claims: dict[str, list[list[Any]]] = {}
    for row, items in enumerate(located["claims"]):
        if isinstance(items, list) and items:
            claims[str(row)] = [
                [c["by"], c["says"], index[c["source"]], c["date"].isoformat()] for c in items
            ]
    return {
        "lon": np.round(points.x.to_numpy(), 6).tolist(),
        "lat": np.round(points.y.to_numpy(), 6).tolist(),
        "t": ((times - _EPOCH) // pd.Timedelta(milliseconds=1)).astype("int64").tolist(),
        "title": located["title"].astype(str).tolist(),
        "when": [
            f"{t.date().isoformat()} (to the {p})"
            for t, p in zip(times, located["time_precision"], strict=True)
        ],
        "kind": located["kind"].astype(str).tolist(),
        "actors": [", ".join(a) if isinstance(a, list) else "" for a in located["actors"]],
        "acc": [int(a) if not pd.isna(a) else 0 for a in located["accuracy_m"]],
        "approx": [1 if a else 0 for a in located["approximate"]],
        "desc": [d if isinstance(d, str) else "" for d in located["description"]],
        "src": [[index[s] for s in ids] for ids in located["source"]],
        "sources": [source_text(s, situation.sources) for s in source_ids],
        "claims": claims,
    }


def _claim_sources(frame: pd.DataFrame) -> set[str]:
    return {c["source"] for items in frame["claims"] if isinstance(items, list) for c in items}


def base_map(situation: Situation, /, *, tiles: Tiles = "none") -> folium.Map:
    """The part of the map that only changes when the situation's files change."""
    manifest = situation.manifest
    view = manifest.view
    m = folium.Map(
        location=[view.lat, view.lon],  # folium: [lat, lon]
        zoom_start=view.zoom,
        tiles=None,
        control_scale=True,
        max_zoom=MAX_ZOOM,
        prefer_canvas=False,
    )
    m.options["maxZoom"] = MAX_ZOOM  # MarkerCluster and fitBounds need it without tiles
    frame = view.frame
    m.fit_bounds([[frame.south, frame.west], [frame.north, frame.east]])
    if tiles == "osm":
        folium.TileLayer(
            OSM_TILES_URL,
            attr="&copy; OpenStreetMap contributors",
            name="OpenStreetMap (online)",
            max_zoom=MAX_ZOOM,
        ).add_to(m)
    m.get_root().header.add_child(_Header())
    folium.plugins.Fullscreen(position="topleft").add_to(m)
    folium.plugins.Draw(
        export=False,
        position="topleft",
        draw_options={
            "polyline": {"shapeOptions": {"color": "#d01c8b", "weight": 4}},
            "polygon": False,
            "rectangle": False,
            "circle": False,
            "marker": False,
            "circlemarker": False,
        },
        edit_options={"edit": True, "remove": True},
    ).add_to(m)
    m.add_child(_Control(_legend_html(), position="topright", css_class="sitmap-legend"))
    m.add_child(
        _Control(
            "A line on this map implies no endorsement. Dashed = estimate.",
            position="bottomleft",
            css_class="sitmap-disclaimer",
        )
    )
    m.add_child(_EventsLayer(events_payload(situation), radius=POINT_RADIUS_PX))
    return m


def _legend_html() -> str:
    rows = ["<details open><summary><b>Legend</b></summary>"]
    for swatch, colour, label in LEGEND:
        if swatch == "fill":
            css = f"background:{colour};opacity:0.6"
        elif swatch == "line":
            css = f"border-top:4px solid {colour};height:0"
        elif swatch == "dash":
            css = f"border-top:4px dashed {colour};height:0"
        elif swatch == "approx":
            css = f"border:2px dashed {colour};height:6px"
        else:
            css = f"background:{colour};border-radius:50%;width:10px"
        rows.append(f'<div><span class="sitmap-sw" style="{css}"></span>{esc(label)}</div>')
    rows.append("</details>")
    return "".join(rows)


_LAYER_CACHE: dict[tuple[Any, ...], dict[str, Any]] = {}


def layer_geojson(situation: Situation, layer_id: str, as_of: dt.date, /) -> dict[str, Any]:
    """A situation layer as GeoJSON for the map: valid features only, escaped HTML props."""
    key = (situation.path, situation.stamp, layer_id, as_of)
    with _LOCK:
        cached = _LAYER_CACHE.get(key)
    if cached is not None:
        return cached
    layer = situation.layer(layer_id)
    frame = layer.frame[valid_at(layer.frame, as_of)]
    frame = frame[frame.geometry.notna()]
    features = []
    for props, geometry in zip(
        frame.drop(columns="geometry").to_dict("records"), frame.geometry, strict=True
    ):
        clean = {k: v for k, v in props.items() if not _missing(v)}
        css = f"sitmap-f sitmap-layer-{layer_id} sitmap-fid-{_css_ident(clean['id'])}"
        style = style_for(clean) | {"className": css}
        features.append(
            {
                "type": "Feature",
                "geometry": geometry.__geo_interface__,
                "properties": {
                    "_tooltip": tooltip_html(clean),
                    "_popup": popup_html(clean, situation.sources, as_of=as_of),
                    "style": style,
                },
            }
        )
    result = {"type": "FeatureCollection", "features": features}
    with _LOCK:
        if len(_LAYER_CACHE) > 256:
            _LAYER_CACHE.clear()
        _LAYER_CACHE[key] = result
    return result


def _css_ident(text: str) -> str:
    """A CSS class fragment from a feature id (ids allow '.' and ':')."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", text)


def _missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return False


def _geojson_group(name: str, data: Mapping[str, Any]) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name=name)
    folium.GeoJson(
        dict(data),
        marker=folium.CircleMarker(radius=POINT_RADIUS_PX, fill=True),
        on_each_feature=_BIND,
    ).add_to(group)
    return group


def view_groups(
    situation: Situation,
    view: ViewState,
    /,
    *,
    extra: Sequence[ExtraLayer] = (),
) -> list[folium.FeatureGroup]:
    """Feature groups for the visible layers at the view's date, in draw order."""
    groups = []
    for layer_id, layer in situation.layers.items():
        if layer.spec.kind is LayerKind.EVENTS or layer_id not in view.layers:
            continue
        groups.append(
            _geojson_group(layer.spec.title, layer_geojson(situation, layer_id, view.as_of))
        )
    for layer in extra:
        if layer.id in view.layers:
            groups.append(_geojson_group(layer.title, layer.features))
    events_visible = any(layer.id in view.layers for layer in situation.layers_of(LayerKind.EVENTS))
    control = folium.FeatureGroup(name="events view", control=False)
    cutoff = int(end_of_day_utc(view.as_of).timestamp()) - 1
    control.add_child(_EventsView(cutoff, visible=events_visible))
    groups.append(control)
    return groups


def full_map(
    situation: Situation,
    view: ViewState,
    /,
    *,
    extra: Sequence[ExtraLayer] = (),
) -> folium.Map:
    """One self-contained map (base plus view), for export and for tests without Streamlit."""
    m = base_map(situation, tiles=view.tiles)
    for group in view_groups(situation, view, extra=extra):
        group.add_to(m)
    return m


def default_layers(situation: Situation, /) -> frozenset[str]:
    """The layers a first visit shows (``visible = true`` in situation.toml)."""
    return frozenset(layer.id for layer in situation.layers.values() if layer.spec.visible)


def feature_collection(rows: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Wrap GeoJSON features in a FeatureCollection."""
    return {"type": "FeatureCollection", "features": list(rows)}
