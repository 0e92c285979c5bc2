"""The view's layers: what a person chose to see, as feature groups streamlit-folium swaps.

Visible layers, the 'as of' date, saved sketches and uploads go into ``view_groups``:
feature groups that streamlit-folium swaps in place on the stable base map. A layer holds
every feature of the situation's whole period, each with the span of days it is on the
map (``_from``/``_until``, epoch ms): the map's script shows a day's features by itself,
so a step of the timeline needs no rerun (``static/sitmap/timeline.js``). GeoJSON is
[lon, lat]; every string from data reaches the page escaped (``popups``).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import folium
import shapely

from sitmap.analysis.timeline import day_cutoff_ms, day_start_ms, shown_spans_ms
from sitmap.caching import DerivedCache
from sitmap.escaping import esc
from sitmap.mapview.accuracy import accuracy_group
from sitmap.mapview.basemap import Tiles, base_map
from sitmap.mapview.elements import GeoJsonText, ViewScript, geojson_text, shown_span
from sitmap.mapview.labels import LabelLanguage, labels_group
from sitmap.mapview.popups import popup_html, tooltip_html
from sitmap.mapview.styles import (
    POINT_RADIUS_PX,
    kind_title,
    legend_key,
    style_for,
    symbol_class,
)
from sitmap.schema import LayerKind
from sitmap.situation import Situation

__all__ = [
    "ExtraLayer",
    "Language",
    "ViewState",
    "default_layers",
    "feature_collection",
    "feature_label",
    "full_map",
    "layer_geojson",
    "view_groups",
]


_BIND = """function (feature, layer) {
        var p = feature.properties || {};
        if (p._tooltip) layer.bindTooltip(p._tooltip, {sticky: true, className: "sitmap-tooltip"});
        if (p._popup) layer.bindPopup(p._popup, window.sitmapPopupOptions
            ? window.sitmapPopupOptions(null) : {maxWidth: 440, minWidth: 260, maxHeight: 340});
    }"""
"""Each feature's tooltip and popup (escaped HTML made by ``popups``), bound in the browser."""


Language = LabelLanguage
"""The language of names on the map: English, Arabic, Hebrew."""


@dataclass(frozen=True)
class ViewState:
    """What a person chose to see, all of it kept in the URL.

    ``as_of`` is the day whose map is drawn (UTC; the end of the time range) and
    ``since`` the first day of events shown (None: from the start); ``centre`` is
    (lat, lon) in degrees, folium's order, and ``zoom`` a Leaflet zoom level (None: the
    situation's own view); ``selected`` is the id of a feature, event or corridor to zoom
    to and open.
    """

    layers: frozenset[str]
    as_of: dt.date
    tiles: Tiles = "none"
    since: dt.date | None = None
    language: Language = "en"
    centre: tuple[float, float] | None = None
    zoom: int | None = None
    selected: str | None = None
    accuracy: bool = False
    """Whether each feature's positional accuracy is drawn (:mod:`sitmap.mapview.accuracy`)."""


@dataclass(frozen=True)
class ExtraLayer:
    """A layer that is not part of the situation files (sketches, uploads).

    ``features`` is a GeoJSON FeatureCollection whose properties already hold
    escaped ``_popup``/``_tooltip`` HTML and a Leaflet ``style``.
    """

    id: str
    title: str
    features: Mapping[str, Any]

    @cached_property
    def text(self) -> str:
        """``features`` as the map's JSON text, made once per layer object."""
        return geojson_text(self.features)


_LAYERS: DerivedCache[dict[str, Any]] = DerivedCache("layer GeoJSON", maxsize=256)
"""Each situation layer as drawn, by situation key, layer id and 'as of' day."""


def layer_geojson(situation: Situation, layer_id: str, as_of: dt.date, /) -> dict[str, Any]:
    """A situation layer as GeoJSON for the map: every feature with a geometry, the span
    of days it is shown (``_from``/``_until``, epoch ms UTC, absent: no bound) and escaped
    HTML props; popups state the claims made by ``as_of``.
    """
    return _LAYERS.get_or_make(
        (situation.key, layer_id, as_of), lambda: _layer_geojson(situation, layer_id, as_of)
    )


_LAYER_TEXTS: DerivedCache[str] = DerivedCache("layer GeoJSON text", maxsize=256)
"""Each situation layer as the map's JSON text (:func:`layer_geojson`, serialised once)."""


def layer_text(situation: Situation, layer_id: str, as_of: dt.date, /) -> str:
    """:func:`layer_geojson` as the JSON text the map's script carries."""
    return _LAYER_TEXTS.get_or_make(
        (situation.key, layer_id, as_of),
        lambda: geojson_text(layer_geojson(situation, layer_id, as_of)),
    )


def _layer_geojson(situation: Situation, layer_id: str, as_of: dt.date) -> dict[str, Any]:
    layer = situation.layer(layer_id)
    frame = layer.frame[layer.frame.geometry.notna()]
    features = []
    for props, geometry, (start, end) in zip(
        frame.drop(columns="geometry").to_dict("records"),
        frame.geometry,
        shown_spans_ms(frame),
        strict=True,
    ):
        clean = {k: v for k, v in props.items() if not _missing(v)}
        css = (
            f"sitmap-f sitmap-layer-{layer_id} sitmap-fid-{_css_ident(clean['id'])} "
            + symbol_class(legend_key(clean))
        )
        style = style_for(clean) | {"className": css}
        properties = {
            "_id": str(clean["id"]),
            "_name": esc(clean.get("name") or clean["id"]),  # decoded as text in JS
            "_label": esc(feature_label(clean, layer.spec.title)),  # a11y.js: aria-label
            "_tooltip": tooltip_html(clean),
            "_popup": popup_html(clean, situation.sources, as_of=as_of),
            "style": style,
        } | shown_span(start, end)
        features.append(
            {
                "type": "Feature",
                "geometry": _for_display(geometry).__geo_interface__,
                "properties": properties,
            }
        )
    return {"type": "FeatureCollection", "features": features}


def feature_label(props: Mapping[str, Any], layer_title: str, /) -> str:
    """What a screen reader says for a feature on the map: name, kind and layer
    ('Rafah crossing (to Egypt); Crossing; layer: Places'), plain text.
    """
    name = str(props.get("name") or props.get("id") or "")
    return f"{name}; {kind_title(props)}; layer: {layer_title}"


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


def _geojson_group(name: str, text: str) -> folium.FeatureGroup:
    """One layer's feature group from its JSON text (``geojson_text``)."""
    group = folium.FeatureGroup(name=name)
    GeoJsonText(text, radius=POINT_RADIUS_PX, on_each_feature=_BIND).add_to(group)
    return group


def view_groups(
    situation: Situation,
    view: ViewState,
    /,
    *,
    extra: Sequence[ExtraLayer] = (),
    seq: int = 0,
) -> list[folium.FeatureGroup]:
    """Feature groups for the visible layers at the view's date, in draw order.

    ``seq`` numbers the time range the page last took (``page.timeline``): the map keeps
    a range it stepped to itself that the page has not taken yet.
    """
    groups = []
    for layer_id, layer in situation.layers.items():
        if layer.spec.kind is LayerKind.EVENTS or layer_id not in view.layers:
            continue
        groups.append(_geojson_group(layer.spec.title, layer_text(situation, layer_id, view.as_of)))
    for own in extra:
        if own.id in view.layers:
            groups.append(_geojson_group(own.title, own.text))
    if view.accuracy:
        groups.append(accuracy_group(situation, view.layers))
    events_visible = any(layer.id in view.layers for layer in situation.layers_of(LayerKind.EVENTS))
    control = folium.FeatureGroup(name="view", control=False)
    script = ViewScript(
        cutoff_ms=day_cutoff_ms(view.as_of),
        since_ms=None if view.since is None else day_start_ms(view.since),
        events_visible=events_visible,
        focus=view.selected,
        seq=seq,
    )
    control.add_child(script)
    groups.append(labels_group(situation, view.layers, language=view.language))
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
