"""The base map: the part that changes only when the situation's files change.

Controls, legend, the no-endorsement note and every located event (one canvas) depend
only on the situation, so the map's JS stays the same between reruns and streamlit-folium
never remounts it (a drawing in progress survives). Folium locations are [lat, lon].
"""

from __future__ import annotations

from typing import Literal

import folium
import folium.plugins

from sitmap.mapview.a11y import KeyboardAccess
from sitmap.mapview.elements import CornerBox, EventsLayer, Header
from sitmap.mapview.eventspayload import deflated_events_payload
from sitmap.mapview.inlinescripts import inline_library_scripts
from sitmap.mapview.labels import ESTIMATE_MARK, LabelsLayer
from sitmap.mapview.popups import esc
from sitmap.mapview.styles import (
    POINT_RADIUS_PX,
    SKETCH_STYLE,
    LegendEntry,
    legend_entries,
    symbol_class,
)
from sitmap.mapview.timecontrol import TimeControl
from sitmap.situation import Situation

__all__ = ["LEGEND_OPEN_ABOVE_PX", "MAX_ZOOM", "Tiles", "base_map", "legend_html", "swatch_svg"]


Tiles = Literal["none", "osm"]
"""Background: 'none' (offline default: land drawn from the situation) or OSM tiles (opt-in)."""


OSM_TILES_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"  # opt-in only: needs internet


MAX_ZOOM = 18


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
    m.add_child(Header())
    folium.plugins.Fullscreen(position="topleft").add_to(m)
    folium.plugins.Draw(
        export=False,
        position="topleft",
        draw_options={
            "polyline": {"shapeOptions": dict(SKETCH_STYLE)},
            # points and areas: annotations (a line is a corridor or an annotation)
            "polygon": {"shapeOptions": {"color": "#e66101", "weight": 3}},
            "rectangle": False,
            "circle": False,
            "marker": True,
            "circlemarker": False,
        },
        edit_options={"edit": True, "remove": True},
    ).add_to(m)
    legend = CornerBox(
        legend_html(legend_entries(situation)),
        position="topright",
        css_class="sitmap-legend",
        open_above_px=LEGEND_OPEN_ABOVE_PX,
    )
    m.add_child(legend)
    m.add_child(
        CornerBox(
            "A line on this map implies no endorsement. Dashed = estimate; dotted = illustration.",
            position="bottomleft",
            css_class="sitmap-disclaimer",
        )
    )
    m.add_child(EventsLayer(deflated_events_payload(situation), radius=POINT_RADIUS_PX))
    m.add_child(LabelsLayer())
    m.add_child(KeyboardAccess())  # after the events: its list reads window.sitmapEvents
    m.add_child(TimeControl(manifest))  # above the no-endorsement note, lower left
    inline_library_scripts(m)  # one script, not six loaded one after another
    return m


LEGEND_OPEN_ABOVE_PX = 700
"""The legend starts open on a map at least this wide (a desktop screen), closed below."""

SWATCH_W, SWATCH_H = 30, 14


def swatch_svg(entry: LegendEntry) -> str:
    """An SVG symbol drawn with the entry's own Leaflet style: same colour, weight, dash."""
    style = entry.style
    stroke = (
        f'stroke="{esc(style.get("color", "#3388ff"))}" '
        f'stroke-width="{esc(style.get("weight", 3))}" '
        f'stroke-opacity="{esc(style.get("opacity", 1))}" '
        f'stroke-linecap="{esc(style.get("lineCap", "round"))}"'
    )
    if "dashArray" in style:
        stroke += f' stroke-dasharray="{esc(style["dashArray"])}"'
    fill = (
        f'fill="{esc(style.get("fillColor", style.get("color", "#3388ff")))}" '
        f'fill-opacity="{esc(style.get("fillOpacity", 0.2))}"'
    )
    mid = SWATCH_H / 2
    if entry.shape == "area":
        shape = (
            f'<rect x="2" y="2" width="{SWATCH_W - 4}" height="{SWATCH_H - 4}" {fill} {stroke}/>'
        )
    elif entry.shape == "line":
        shape = f'<line x1="2" y1="{mid}" x2="{SWATCH_W - 2}" y2="{mid}" {stroke}/>'
    else:
        radius = min(POINT_RADIUS_PX, mid - 1)
        shape = f'<circle cx="{SWATCH_W / 2}" cy="{mid}" r="{radius}" {fill} {stroke}/>'
    return (
        f'<svg class="sitmap-sw" width="{SWATCH_W}" height="{SWATCH_H}" '
        f'viewBox="0 0 {SWATCH_W} {SWATCH_H}" aria-hidden="true">{shape}</svg>'
    )


LEGEND_TOGGLE_HELP = "Click to hide these on the map, again to show them (this browser only)"
"""What a legend row does when clicked (sitmap.js hides what it stands for, no rerun)."""

_EXTRA_DRAWN: dict[str, str] = {
    "event": "events",  # the events canvas: sitmap.js hides it by name
    "sketch": ".sitmap-layer-sketches",
    "upload": ".sitmap-upload",
}


def _hides(entry: LegendEntry) -> str:
    """What a legend row hides: CSS selectors of its features and labels, or 'events'."""
    return ", ".join(_EXTRA_DRAWN.get(key) or f".{symbol_class(key)}" for key in entry.keys)


def legend_html(entries: list[LegendEntry], /) -> str:
    """The legend box: one row per symbol the map draws, then how labels mark estimates."""
    rows = ['<details open><summary><b>Legend</b></summary><div class="sitmap-legend-rows">']
    for entry in entries:
        rows.append(
            f'<div class="sitmap-legend-row" data-key="{esc(" ".join(entry.keys))}" '
            f'data-shape="{esc(entry.shape)}" data-hides="{esc(_hides(entry))}" '
            f'title="{LEGEND_TOGGLE_HELP}">{swatch_svg(entry)}'
            f"<span>{esc(entry.title)}</span></div>"
        )
    rows.append(
        '<div class="sitmap-legend-row" data-key="label-estimate">'
        f'<span class="sitmap-sw sitmap-label-est">{esc(ESTIMATE_MARK)}Name</span>'
        "<span>Label of an estimate (italic, marked)</span></div>"
    )
    rows.append("</div></details>")
    return "".join(rows)
