"""Map styles that read at a glance, by feature kind and corridor status, and their legend.

Leaflet path options (colour, weight, fill, dash). Three kinds of uncertain line look
different from each other and from a survey: an *estimate* (approximate geometry) has a
dashed outline and a lighter fill; an *illustrative* corridor option is dotted; an
*upload* (unverified) is teal and dash-dotted. The legend is built from ``style_for``
itself (``legend_entries``), one row per combination the situation actually draws.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from sitmap.caching import DerivedCache
from sitmap.schema import LayerKind
from sitmap.situation import Situation

__all__ = [
    "ESTIMATE_DASH",
    "EVENT_STYLE",
    "ILLUSTRATIVE_DASH",
    "KIND_TITLES",
    "POINT_RADIUS_PX",
    "SEA_COLOUR",
    "SKETCH_STYLE",
    "STATUS_COLOURS",
    "UPLOAD_DASH",
    "UPLOAD_STYLE",
    "LegendEntry",
    "Shape",
    "kind_title",
    "legend_entries",
    "legend_key",
    "style_for",
]

SEA_COLOUR = "#dfe9f2"
POINT_RADIUS_PX = 6

ESTIMATE_DASH = "6 5"
"""Outline of an approximate geometry: dashed."""
ESTIMATE_FILL_FACTOR = 0.6
"""An approximate area's fill is this much of its kind's (lighter)."""
ILLUSTRATIVE_DASH = "1 8"
"""An illustrative line (corridor option): dotted (round caps make 1 px dashes dots)."""
UPLOAD_DASH = "10 4 2 4"
"""An uploaded, unverified layer: dash-dot."""

_BASE: dict[str, Any] = {
    "color": "#555555",
    "weight": 1.5,
    "fillColor": "#cccccc",
    "fillOpacity": 0.2,
}

_KIND_STYLES: dict[str, dict[str, Any]] = {
    "neighbouring_state": {
        "color": "#b7b2a6",
        "weight": 1,
        "fillColor": "#ece8df",
        "fillOpacity": 1,
    },
    "territory": {"color": "#6b6b6b", "weight": 1.5, "fillColor": "#fbf8f1", "fillOpacity": 1},
    "border": {"color": "#222222", "weight": 3},
    "boundary_line": {"color": "#222222", "weight": 2.5},
    "governorate": {"color": "#857a63", "weight": 1.5, "fillOpacity": 0, "dashArray": "2 4"},
    "municipality": {"color": "#8f8570", "weight": 1, "fillOpacity": 0},
    "army_held_area": {
        "color": "#b2182b",
        "weight": 1,
        "fillColor": "#d6604d",
        "fillOpacity": 0.18,
    },
    "control_line": {"color": "#e6b800", "weight": 4, "opacity": 0.95},
    "military_corridor": {
        "color": "#67001f",
        "weight": 1,
        "fillColor": "#67001f",
        "fillOpacity": 0.35,
    },
    "tunnel_enclave": {
        "color": "#542788",
        "weight": 2,
        "fillColor": "#8073ac",
        "fillOpacity": 0.4,
    },
    "neighbourhood": {"color": "#e08214", "weight": 3, "fillColor": "#fdb863", "fillOpacity": 0.3},
    "crossing": {"color": "#1a1a1a", "weight": 2, "fillColor": "#ffffff", "fillOpacity": 1},
    "hospital": {"color": "#dd3497", "weight": 2, "fillColor": "#ffffff", "fillOpacity": 1},
}

KIND_TITLES: dict[str, str] = {
    "neighbouring_state": "Neighbouring state",
    "territory": "Territory",
    "border": "International border",
    "boundary_line": "Armistice line",
    "governorate": "Governorate",
    "municipality": "Municipality",
    "army_held_area": "Area held by the Israeli army",
    "control_line": "Yellow line: army withdrawal line",
    "military_corridor": "Military corridor",
    "tunnel_enclave": "Tunnel enclave",
    "neighbourhood": "Neighbourhood",
    "crossing": "Crossing",
    "hospital": "Hospital",
    "corridor": "Corridor option",
    "city": "City",
    "town": "Town",
    "village": "Village",
    "camp": "Refugee camp",
    "admin_centre": "Administrative centre",
    "corridor_point": "Named military corridor",
    "area": "Named area",
}
"""How the legend names each kind; other kinds are named from their id."""

STATUS_COLOURS: dict[str, str] = {
    "discussed": "#3182bd",
    "proposed": "#e66101",
    "rejected": "#878787",
    "agreed": "#00441b",
}

UPLOAD_STYLE: dict[str, Any] = {
    "color": "#008080",
    "weight": 2.5,
    "fillColor": "#66c2a4",
    "fillOpacity": 0.25,
    "dashArray": UPLOAD_DASH,
}

SKETCH_STYLE: dict[str, Any] = {"color": "#ae017e", "weight": 4, "opacity": 0.9}

EVENT_STYLE: dict[str, Any] = {
    "color": "#ffffff",
    "weight": 1,
    "fillColor": "#d7301f",
    "fillOpacity": 1,
}
"""Events on their canvas (``SitmapPoints`` in static/sitmap/sitmap.js): a red dot, white rim."""


def style_for(props: Mapping[str, Any]) -> dict[str, Any]:
    """Leaflet path options for one feature from its kind, status and uncertainty flags."""
    kind = str(props.get("kind", ""))
    style = {**_BASE, **_KIND_STYLES.get(kind, {})}
    if kind == "corridor":
        colour = STATUS_COLOURS.get(str(props.get("status")), STATUS_COLOURS["discussed"])
        style = {"color": colour, "weight": 4, "opacity": 0.9}
        if props.get("illustrative", True):
            return style | {"dashArray": ILLUSTRATIVE_DASH, "lineCap": "round"}
    if kind == "sketch":
        style = dict(SKETCH_STYLE)
    if props.get("approximate") and kind != "corridor":
        style["dashArray"] = ESTIMATE_DASH
        style["fillOpacity"] = round(float(style.get("fillOpacity", 0.2)) * ESTIMATE_FILL_FACTOR, 3)
    return style


Shape = Literal["area", "line", "point"]
"""How a legend swatch is drawn: a filled box, a line, a circle."""


@dataclass(frozen=True)
class LegendEntry:
    """One legend row: the symbol (shape, Leaflet options), its words, and the legend keys
    (``legend_key``) of the features it stands for: kinds drawn alike share one row.
    """

    keys: tuple[str, ...]
    title: str
    shape: Shape
    style: Mapping[str, Any]


def legend_key(props: Mapping[str, Any]) -> str:
    """The legend row a feature belongs to: kind, corridor status, estimate, illustrative."""
    kind = str(props.get("kind", ""))
    parts = [kind]
    if kind == "corridor":
        parts.append(str(props.get("status", "")))
        parts.append("illustrative" if props.get("illustrative", True) else "drawn")
    elif props.get("approximate"):
        parts.append("estimate")
    return ":".join(parts)


def symbol_class(key: str, /) -> str:
    """The CSS class of every feature and label drawn as legend row ``key``: a click on
    the row hides them all in the browser (``sitmap.js``).
    """
    return "sitmap-sym-" + re.sub(r"[^A-Za-z0-9_-]", "_", key)


def _title(props: Mapping[str, Any]) -> str:
    kind = str(props.get("kind", ""))
    title = KIND_TITLES.get(kind) or kind.replace("_", " ").capitalize()
    if kind == "corridor":
        title += f", {props.get('status', '')}"
        if props.get("illustrative", True):
            title += " (illustrative)"
    elif props.get("approximate"):
        title += " (estimate)"
    return title


def kind_title(props: Mapping[str, Any], /) -> str:
    """What a feature is, in the legend's words ('Neighbourhood (estimate)')."""
    return _title(props)


_SHAPES: dict[str, Shape] = {
    "Polygon": "area",
    "MultiPolygon": "area",
    "LineString": "line",
    "MultiLineString": "line",
    "Point": "point",
    "MultiPoint": "point",
}

SITUATION_EXTRAS: tuple[LegendEntry, ...] = (
    LegendEntry(("event",), "Event (up to the chosen date)", "point", EVENT_STYLE),
    LegendEntry(("sketch",), "Saved corridor sketch (a user's)", "line", SKETCH_STYLE),
    LegendEntry(("upload",), "Uploaded layer (unverified, dash-dot)", "area", UPLOAD_STYLE),
)
"""Symbols of what is not in the situation's layer files: events, sketches, uploads."""


_LEGENDS: DerivedCache[tuple[LegendEntry, ...]] = DerivedCache("legends", maxsize=8)


def legend_entries(
    situation: Situation, /, *, order: Mapping[str, int] | None = None
) -> list[LegendEntry]:
    """Every symbol the map draws: each (kind, status, estimate, illustrative) combination
    present in the situation's layers, styled by ``style_for``, then events, sketches and
    uploads. Rows follow ``order`` (kind -> rank; default: the situation's label priority),
    then the layers' draw order from the top.
    """
    key = (situation.key, None if order is None else tuple(sorted(order.items())))
    return list(_LEGENDS.get_or_make(key, lambda: tuple(_legend_entries(situation, order))))


def _legend_entries(situation: Situation, order: Mapping[str, int] | None) -> list[LegendEntry]:
    ranks = dict(situation.manifest.labels.priority if order is None else order)
    found: dict[str, tuple[tuple[int, int], LegendEntry]] = {}
    layers = [layer for layer in situation.layers.values() if layer.spec.kind != LayerKind.EVENTS]
    for depth, layer in enumerate(reversed(layers)):
        for props, geom_type in _rows(layer.frame):
            key = legend_key(props)
            if key in found or geom_type not in _SHAPES:
                continue
            rank = (ranks.get(str(props.get("kind")), len(ranks) + 1), depth)
            entry = LegendEntry((key,), _title(props), _SHAPES[geom_type], style_for(props))
            found[key] = (rank, entry)
    rows: dict[tuple[str, str], LegendEntry] = {}
    for _rank, entry in sorted(found.values(), key=lambda pair: pair[0]):
        symbol = (entry.shape, repr(sorted(entry.style.items())))
        same = rows.get(symbol)
        if same is None:
            rows[symbol] = entry
        else:  # drawn alike: one row names them all
            title = f"{same.title}, {entry.title[:1].lower()}{entry.title[1:]}"
            rows[symbol] = LegendEntry(same.keys + entry.keys, title, same.shape, same.style)
    return list(rows.values()) + list(SITUATION_EXTRAS)


def _rows(frame: pd.DataFrame) -> Iterable[tuple[dict[str, Any], str]]:
    """Each located feature's legend-relevant properties and geometry type."""
    columns = [c for c in ("kind", "status", "approximate", "illustrative") if c in frame]
    for values, geometry in zip(
        frame[columns].itertuples(index=False, name=None), frame.geometry, strict=True
    ):
        if geometry is None or geometry.is_empty:
            continue
        props = {k: v for k, v in zip(columns, values, strict=True) if not pd.isna(v)}
        yield props, geometry.geom_type
