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

import base64
import datetime as dt
import json
import math
import re
import threading
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import folium
import folium.plugins
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, JavascriptLink, MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template
from folium.utilities import JsCode

from sitmap import assets
from sitmap.popups import esc, popup_html, source_text, tooltip_html
from sitmap.schema import LayerKind
from sitmap.situation import Situation, release_free_memory
from sitmap.styles import LEGEND, POINT_RADIUS_PX, SEA_COLOUR, style_for
from sitmap.timeline import end_of_day_utc, valid_at

__all__ = [
    "ExtraLayer",
    "Tiles",
    "ViewState",
    "base_map",
    "decode_events_payload",
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
                var details = div.querySelector("details");
                var map = {{ this._parent.get_name() }};
                if (details && map.getSize().x < {{ this.open_above_px }}) details.open = false;
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            box.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, html: str, *, position: str, css_class: str, open_above_px: int = 0) -> None:
        super().__init__()
        self.html = html
        self.open_above_px = open_above_px
        self.position = position
        self.css_class = css_class


class _EventsLayer(JSCSSMixin, MacroElement):
    """Every located event as compact columns, drawn by ``SitmapPoints`` on one canvas.

    The payload (``events_payload``) travels deflated, as base64 text that the browser
    inflates (``DecompressionStream``): 100,000 synthetic events are 7.3 MB of JSON and
    about 1.5 MB in the page, and streamlit-folium copies the map script several times
    on every rerun. Base64 holds no character that HTML or Jinja would read.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = new SitmapPoints(
            "{{ this.deflated }}", {radius: {{ this.radius }}, deflated: true}
        ).addTo({{ this._parent.get_name() }});
        window.sitmapEvents = {{ this.get_name() }};
        {% endmacro %}
        """
    )
    default_js: ClassVar[list[tuple[str, str]]] = [("sitmap_js", assets.own_url("sitmap.js"))]

    def __init__(self, payload: str, *, radius: int) -> None:
        super().__init__()
        self.deflated = _deflated(payload)
        self.radius = radius

    def render(self, **kwargs: Any) -> None:
        """Like JSCSSMixin/MacroElement.render, but the script joins the page as text:
        branca would parse it again as a Jinja template (megabytes of payload lexed on
        every render, and any '{{ }}' in it evaluated)."""
        figure = self.get_root()
        for name, url in self.default_js:
            figure.header.add_child(JavascriptLink(url), name=name)
        script = self._template.module.__dict__["script"]
        figure.script.add_child(_ScriptText(script(self, kwargs)), name=self.get_name())


class _ScriptText(Element):
    """Script text that is already rendered: put into the page as is."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self, **_kwargs: Any) -> str:
        return self.text


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


_JINJA_OPENER = re.compile(r"\{(?=[{%#])")


_PAYLOAD_CACHE: dict[tuple[Any, ...], tuple[str, str]] = {}
"""Per situation (path, file stamp): the payload's JSON text and its deflated base64 form
(every rerun builds the base map again: this makes it cost nothing)."""
_LOCK = threading.Lock()

EVENTS_PAYLOAD_VERSION = 2
"""Layout of ``events_payload``; ``SitmapPoints`` in static/sitmap/sitmap.js reads it."""
COORD_SCALE = 1_000_000
"""Event positions travel as whole millionths of a degree (about 0.1 m)."""


def events_payload(situation: Situation, /) -> str:
    """Located events as compact JSON columns for the canvas layer (cached per situation).

    Layout (version 2): ``x``/``y`` are lon/lat in millionths of a degree, minus
    ``x0``/``y0``; ``t`` is epoch seconds (UTC) minus ``t0``; ``cols`` holds the popup
    columns, each ``{"v": [value]}`` (one value for all rows), ``{"v": table, "i": codes}``
    or ``{"a": values}``, whichever is shortest; ``src`` values index ``sources``;
    ``claims`` maps a row number to that event's claims. ``decode_events_payload`` reads it
    back. Escaped for a <script> element.
    """
    key = (situation.path, situation.stamp)
    with _LOCK:
        hit = _PAYLOAD_CACHE.get(key)
    if hit is not None:
        return hit[0]
    frames = [layer.frame for layer in situation.layers_of(LayerKind.EVENTS)]
    frame = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    payload = _columns(frame, situation) if len(frame) else _columns_empty()
    del frame, frames
    text = "".join(_script_safe(piece) for piece in _json_pieces(payload))
    del payload
    entry = (text, _deflate(text))
    release_free_memory()
    with _LOCK:
        _PAYLOAD_CACHE.clear()
        _PAYLOAD_CACHE[key] = entry
    return text


_SLICE = 20_000
"""Rows turned into JSON text at a time (few Python objects alive at once)."""


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _json_pieces(value: Any) -> Iterator[str]:
    """Compact JSON text of ``value``, piece by piece: numpy arrays (whole numbers) and
    pandas Series (strings) are written ``_SLICE`` rows at a time. A string never spans
    two pieces."""
    if isinstance(value, dict):
        yield "{"
        for number, (key, item) in enumerate(value.items()):
            yield ("," if number else "") + _dumps(key) + ":"
            yield from _json_pieces(item)
        yield "}"
    elif isinstance(value, np.ndarray | pd.Series):
        yield "["
        for start in range(0, len(value), _SLICE):
            part = value[start : start + _SLICE]
            text = (
                ",".join(map(str, part.tolist()))
                if isinstance(part, np.ndarray)
                else _dumps(_plain(part))[1:-1]
            )
            yield ("," if start else "") + text
        yield "]"
    else:
        yield _dumps(value)


def _script_safe(text: str) -> str:
    """A piece of compact JSON made safe inside a <script> element (no '</script>' or
    '<!--' breakout) and inert as a Jinja template: branca wraps rendered scripts in a new
    ``Template``, so a '{{', '{%' or '{#' from the data would run on the server. Compact
    JSON has those only inside strings, where '\\u007b' reads back as '{'."""
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return _JINJA_OPENER.sub(r"\\u007b", text)


def _deflate(text: str) -> str:
    """``text`` (UTF-8) deflated (zlib) as base64 text, encoded a megabyte at a time."""
    packed = zlib.compressobj(6)
    parts = [
        packed.compress(text[start : start + (1 << 20)].encode("utf-8"))
        for start in range(0, len(text), 1 << 20)
    ]
    parts.append(packed.flush())
    return base64.b64encode(b"".join(parts)).decode("ascii")


def _deflated(payload: str) -> str:
    """The deflated form of a payload: the cached one for the cached text."""
    with _LOCK:
        for text, deflated in _PAYLOAD_CACHE.values():
            if text is payload:
                return deflated
    return _deflate(payload)


_EPOCH = pd.Timestamp(0, tz="UTC")


def _columns_empty() -> dict[str, Any]:
    return {
        "v": EVENTS_PAYLOAD_VERSION,
        "n": 0,
        "scale": COORD_SCALE,
        "x0": 0,
        "y0": 0,
        "t0": 0,
        "x": [],
        "y": [],
        "t": [],
        "cols": {},
        "sources": [],
        "claims": {},
    }


def _offsets(values: np.ndarray) -> tuple[int, np.ndarray]:
    """Whole numbers as (smallest, each minus the smallest): shorter JSON."""
    base = int(values.min())
    return base, values - base


def _encode(values: pd.Series, /) -> dict[str, Any]:
    """One popup column, the shortest of: one value for all rows; a table of its distinct
    values plus a code per row; the values themselves (JSON scalars)."""
    codes, table = pd.factorize(values, use_na_sentinel=False)
    if len(table) <= 1:
        return {"v": _plain(table)}
    if len(table) > len(codes) // 2:  # mostly distinct: a table cannot pay for its codes
        return {"a": values.reset_index(drop=True)}
    uniques = _plain(table)
    lengths = np.array([len(json.dumps(v, ensure_ascii=False)) + 1 for v in uniques])
    plain = int(lengths[codes].sum())
    digits = np.floor(np.log10(np.maximum(codes, 1))).astype(np.int64) + 2  # digits, comma
    if int(lengths.sum() + digits.sum()) < plain:
        return {"v": uniques, "i": np.asarray(codes, dtype=np.int64)}
    return {"a": values.reset_index(drop=True)}


def _plain(values: Any) -> list[Any]:
    """Python scalars (str, int) from a pandas/numpy/arrow column, without a slow walk."""
    return np.asarray(values, dtype=object).tolist()


def _source_codes(lists: pd.Series, index: Mapping[str, int]) -> dict[str, Any]:
    """Each event's source ids as indexes into the source table, encoded like ``_encode``."""
    joined = pd.Series(["\x1f".join(ids) for ids in lists], index=lists.index, dtype=object)
    codes, table = pd.factorize(joined, use_na_sentinel=False)
    uniques = [[index[s] for s in key.split("\x1f")] if key else [] for key in table]
    if len(uniques) <= 1:
        return {"v": uniques}
    if len(uniques) > len(codes) // 2:
        return {"a": [uniques[code] for code in codes.tolist()]}
    return {"v": uniques, "i": np.asarray(codes, dtype=np.int64)}


def _positions(geometry: Any) -> tuple[np.ndarray, np.ndarray]:
    """lon, lat (degrees) of each event: the point, or a point on a line or area."""
    geoms = np.asarray(geometry, dtype=object)
    if not (shapely.get_type_id(geoms) == 0).all():  # 0: Point
        geoms = shapely.point_on_surface(geoms)
    return shapely.get_x(geoms), shapely.get_y(geoms)


def _columns(frame: pd.DataFrame, situation: Situation) -> dict[str, Any]:
    geometry = frame.geometry
    keep = geometry.notna().to_numpy() & ~geometry.is_empty.to_numpy()
    located = frame if keep.all() else frame[keep]  # no copy of a fully located layer
    lon_deg, lat_deg = _positions(located.geometry)
    lon = np.rint(lon_deg * COORD_SCALE).astype(np.int64)
    lat = np.rint(lat_deg * COORD_SCALE).astype(np.int64)
    times = pd.to_datetime(located["time"], utc=True)
    seconds = ((times - _EPOCH) // pd.Timedelta(seconds=1)).to_numpy(dtype=np.int64)
    cited = {s for ids in located["source"] for s in ids}
    source_ids = sorted(cited | _claim_sources(located))
    index = {s: i for i, s in enumerate(source_ids)}
    claims: dict[str, list[list[Any]]] = {}
    for row, items in enumerate(located["claims"]):
        if isinstance(items, list) and items:
            claims[str(row)] = [
                [c["by"], c["says"], index[c["source"]], c["date"].isoformat()] for c in items
            ]
    actors = pd.Series(
        [", ".join(a) if isinstance(a, list) else "" for a in located["actors"]], dtype=object
    )
    release_free_memory()
    x0, x = _offsets(lon)
    y0, y = _offsets(lat)
    t0, t = _offsets(seconds)
    return {
        "v": EVENTS_PAYLOAD_VERSION,
        "n": len(located),
        "scale": COORD_SCALE,
        "x0": x0,
        "y0": y0,
        "t0": t0,
        "x": x,
        "y": y,
        "t": t,
        "cols": {
            "title": _encode(located["title"].astype(str)),
            "kind": _encode(located["kind"].astype(str)),
            "prec": _encode(located["time_precision"].astype(str)),
            "actors": _encode(actors),
            "acc": _encode(located["accuracy_m"].fillna(0).astype("int64")),
            "approx": _encode(located["approximate"].fillna(False).astype(bool).astype("int64")),
            "desc": _encode(located["description"].fillna("").astype(str)),
            "src": _source_codes(located["source"], index),
        },
        "sources": [source_text(s, situation.sources) for s in source_ids],
        "claims": claims,
    }


def _claim_sources(frame: pd.DataFrame) -> set[str]:
    return {c["source"] for items in frame["claims"] if isinstance(items, list) for c in items}


def decode_events_payload(text: str, /) -> dict[str, list[Any]]:
    """An ``events_payload`` read back as plain columns: lon/lat (degrees), t (epoch ms,
    UTC), when ("YYYY-MM-DD (to the day)"), and each popup column; for tests and tools."""
    data = json.loads(text)
    n, scale = data["n"], data["scale"]
    out: dict[str, list[Any]] = {
        "lon": [(data["x0"] + v) / scale for v in data["x"]],
        "lat": [(data["y0"] + v) / scale for v in data["y"]],
        "t": [(data["t0"] + v) * 1000 for v in data["t"]],
    }
    for name, column in data["cols"].items():
        if "a" in column:
            out[name] = column["a"]
        elif "i" in column:
            out[name] = [column["v"][i] for i in column["i"]]
        else:
            out[name] = column["v"] * n
    days = [dt.datetime.fromtimestamp(ms / 1000, dt.UTC).date().isoformat() for ms in out["t"]]
    out["when"] = [f"{d} (to the {p})" for d, p in zip(days, out.get("prec", []), strict=True)]
    out["sources"] = data["sources"]
    out["claims"] = data["claims"]
    return out


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
    m.add_child(_Header())
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
    legend = _Control(
        _legend_html(), position="topright", css_class="sitmap-legend", open_above_px=720
    )
    m.add_child(legend)
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
                "geometry": _for_display(geometry).__geo_interface__,
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


DISPLAY_TOLERANCE_DEG = 2e-5
"""Simplification of lines and outlines for drawing only, degrees (about 2 m near Gaza;
drawn lines stay within 5 m of the data, five times finer than its best positional
accuracy, 25 m). Analysis and exports use the full geometry."""

DISPLAY_GRID_DEG = 1e-5
"""Coordinates drawn on a 1e-5 degree grid (about 1 m)."""


def _for_display(geometry: Any) -> Any:
    """The geometry as drawn: simplified (topology kept) and on a 1 m grid; smaller pages."""
    simpler = shapely.simplify(geometry, DISPLAY_TOLERANCE_DEG, preserve_topology=True)
    return shapely.set_precision(simpler, DISPLAY_GRID_DEG)


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
