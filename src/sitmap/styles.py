"""Map styles that read at a glance, by feature kind and corridor status.

Leaflet path options (colour, weight, fill, dash). Approximate geometry is dashed and
more translucent, so an estimate never looks like a survey.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "LEGEND",
    "POINT_RADIUS_PX",
    "SEA_COLOUR",
    "STATUS_COLOURS",
    "UPLOAD_STYLE",
    "style_for",
]

SEA_COLOUR = "#dfe9f2"
POINT_RADIUS_PX = 6

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
    "governorate": {"color": "#7a6f5a", "weight": 1.5, "fillOpacity": 0, "dashArray": "2 4"},
    "municipality": {"color": "#9b927f", "weight": 1, "fillOpacity": 0},
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
        "fillOpacity": 0.35,
    },
    "neighbourhood": {"color": "#e08214", "weight": 3, "fillColor": "#fdb863", "fillOpacity": 0.25},
    "crossing": {"color": "#1a1a1a", "weight": 2, "fillColor": "#ffffff", "fillOpacity": 1},
    "hospital": {"color": "#c51b7d", "weight": 2, "fillColor": "#ffffff", "fillOpacity": 1},
}

STATUS_COLOURS: dict[str, str] = {
    "discussed": "#2166ac",
    "proposed": "#1b7837",
    "rejected": "#878787",
    "agreed": "#00441b",
}

UPLOAD_STYLE: dict[str, Any] = {
    "color": "#008080",
    "weight": 2,
    "fillColor": "#66c2a4",
    "fillOpacity": 0.25,
    "dashArray": "1 4",
}

SKETCH_STYLE: dict[str, Any] = {"color": "#d01c8b", "weight": 4, "opacity": 0.9}


def style_for(props: Mapping[str, Any]) -> dict[str, Any]:
    """Leaflet path options for one feature from its kind, status and approximate flag."""
    kind = str(props.get("kind", ""))
    style = {**_BASE, **_KIND_STYLES.get(kind, {})}
    if kind == "corridor":
        colour = STATUS_COLOURS.get(str(props.get("status")), "#2166ac")
        style = {"color": colour, "weight": 4, "opacity": 0.9, "dashArray": "10 6"}
    if kind == "sketch":
        style = dict(SKETCH_STYLE)
    if props.get("approximate") and kind != "corridor":
        style["dashArray"] = style.get("dashArray", "6 5")
        style["fillOpacity"] = round(float(style.get("fillOpacity", 0.2)) * 0.7, 3)
    return style


LEGEND: tuple[tuple[str, str, str], ...] = (
    ("fill", _KIND_STYLES["army_held_area"]["fillColor"], "Area held by the Israeli army"),
    ("line", _KIND_STYLES["control_line"]["color"], "Yellow line (withdrawal line)"),
    ("fill", _KIND_STYLES["military_corridor"]["fillColor"], "Philadelphi corridor (estimate)"),
    ("fill", _KIND_STYLES["tunnel_enclave"]["fillColor"], "Tunnel enclave (estimate)"),
    ("fill", _KIND_STYLES["neighbourhood"]["fillColor"], "Jenina (estimate)"),
    ("point", _KIND_STYLES["crossing"]["color"], "Crossing"),
    ("point", _KIND_STYLES["hospital"]["color"], "Hospital (position disputed)"),
    ("dash", STATUS_COLOURS["discussed"], "Corridor option: discussed (illustrative)"),
    ("dash", STATUS_COLOURS["proposed"], "Corridor option: proposed (illustrative)"),
    ("line", SKETCH_STYLE["color"], "Your sketched corridor"),
    ("point", "#d7301f", "Event (as of the chosen date)"),
    ("approx", "#555555", "Dashed outline: approximate geometry"),
)
"""(swatch kind, colour, label) rows of the map legend, in order."""
