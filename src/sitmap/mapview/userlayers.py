"""Map layers that are not the situation's files: saved corridors and uploaded layers.

Each is an :class:`~sitmap.mapview.layers.ExtraLayer` whose popups and tooltips are built
here, every value escaped; geometries are GeoJSON [lon, lat] (WGS84 degrees).

An uploaded layer is drawn simplified, for display only (measures use its full shapes):
each shape to within :data:`DISPLAY_TOLERANCE_PX` screen pixels at the map's closest zoom,
coordinates to :data:`DISPLAY_DECIMALS` decimals; and a layer never adds more than
:data:`MAX_DISPLAY_BYTES` to the map: past that, or past :data:`MAX_DRAWN_FEATURES`
features, it is drawn simplified for coarser zooms, then as grid squares counting the
features in each. Every popup says so, and the layer's title says so when the drawing is
coarser than the closest zoom.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import NDArray

from sitmap.analysis.reports import CorridorReport, report_rows
from sitmap.mapview.basemap import MAX_ZOOM
from sitmap.mapview.layers import ExtraLayer, feature_collection
from sitmap.mapview.popups import esc, upload_popup_html
from sitmap.mapview.styles import SKETCH_STYLE, UPLOAD_STYLE
from sitmap.store import Revision

__all__ = [
    "ANNOTATION_LAYER_ID",
    "DISPLAY_DECIMALS",
    "DISPLAY_TOLERANCE_PX",
    "MAX_DISPLAY_BYTES",
    "MAX_DRAWN_FEATURES",
    "SIMPLIFIED_NOTE",
    "SKETCH_LAYER_ID",
    "UploadDisplay",
    "annotation_layer",
    "display_tolerance_deg",
    "map_bytes",
    "sketch_layer",
    "upload_display",
    "upload_feature_name",
    "upload_layer",
    "upload_layer_id",
]

POPUP_MEASURES = 5
"""How many of a report's first rows a saved corridor's popup shows (length to 'ends in')."""

SKETCH_LAYER_ID = "sketches"
"""Layer id of the saved corridors (a layer of their own, toggled like the others)."""


UPLOAD_PREFIX = "upload:"

ANNOTATION_LAYER_ID = "annotations"
"""Layer id of people's annotations (points, lines, areas with a note, time and source)."""
ANNOTATION_STYLE: dict[str, Any] = {
    "color": "#e66101",
    "weight": 3,
    "fillColor": "#fdb863",
    "fillOpacity": 0.3,
    "dashArray": "2 4",
}
"""Annotations: orange, dotted, like nothing of the situation's own."""


def annotation_layer(
    revisions: Sequence[Revision], /, *, title: str = "Annotations (people's, unverified)"
) -> ExtraLayer:
    """Annotations as a map layer, each labelled "by NAME, unverified" until an admin marks
    it checked ("by NAME, checked by ADMIN"); note, time and source in its popup, escaped.
    """
    features = []
    for revision in revisions:
        content = revision.content
        props = content.get("properties") or {}
        checked = revision.checked_by
        status = f"by {revision.created_by}, " + (
            f"checked by {checked}" if checked else "unverified"
        )
        rows = [
            ("Note", props.get("note") or revision.name),
            ("Time", props.get("time") or "not given"),
            ("Source", props.get("source") or "not given"),
            ("Added", f"{status} (revision {revision.revision}, {revision.created_at})"),
        ]
        table = "".join(f'<tr><th>{esc(k)}</th><td dir="auto">{esc(v)}</td></tr>' for k, v in rows)
        popup = (
            '<div class="sitmap-popup"><div class="sitmap-warn">An annotation '
            f"{esc(status)}: implies no endorsement.</div><table>{table}</table></div>"
        )
        features.append(
            {
                "type": "Feature",
                "geometry": content.get("geometry"),
                "properties": {
                    "_id": revision.sketch_id,
                    "_tooltip": f'<b dir="auto">{esc(revision.name)}</b> <i>({esc(status)})</i>',
                    "_popup": popup,
                    "style": ANNOTATION_STYLE | {"className": "sitmap-f sitmap-annotation"},
                },
            }
        )
    return ExtraLayer(ANNOTATION_LAYER_ID, title, feature_collection(features))


def sketch_layer(
    revisions: Sequence[Revision],
    reports: Mapping[str, CorridorReport],
    /,
    *,
    title: str = "Saved corridors (sketches)",
) -> ExtraLayer:
    """Saved corridors as a map layer: escaped popups with who saved what, when, measures.

    ``reports`` are the page run's own measures (by sketch id), so the popup shows the
    same figures and labels as the report card and the comparison table.
    """
    features = []
    for revision in revisions:
        report = reports.get(revision.sketch_id)
        rows = [
            ("Saved by", revision.author),
            ("Revision", f"{revision.revision} ({revision.created_at})"),
        ]
        if revision.notes:
            rows.append(("Notes", revision.notes))
        if report is not None:
            rows += report_rows(report)[:POPUP_MEASURES]
        table = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows)
        popup = (
            '<div class="sitmap-popup"><div class="sitmap-title"><b dir="auto">'
            f"{esc(revision.name)}</b></div>"
            '<div class="sitmap-warn">A sketch by a user of this map: implies no endorsement.'
            f"</div><table>{table}</table></div>"
        )
        features.append(
            {
                "type": "Feature",
                "geometry": revision.content,
                "properties": {
                    "_id": revision.sketch_id,
                    "_tooltip": f'<b dir="auto">{esc(revision.name)}</b> (sketch)',
                    "_popup": popup,
                    "style": SKETCH_STYLE | {"className": "sitmap-f sitmap-layer-sketches"},
                },
            }
        )
    return ExtraLayer(SKETCH_LAYER_ID, title, feature_collection(features))


def upload_layer_id(sketch_id: str, /) -> str:
    """The map layer id of an uploaded layer kept in the store."""
    return UPLOAD_PREFIX + sketch_id


def upload_feature_name(props: Mapping[str, Any], index: int) -> str:
    """A feature of an upload, named by its name-like property, else by its position."""
    for key in ("name", "Name", "NAME", "title", "id"):
        value = props.get(key)
        if isinstance(value, str | int) and str(value).strip():
            return str(value).strip()[:120]
    return f"feature #{index}"


# --- uploaded layers: drawn simplified, bounded -------------------------------------------

DISPLAY_TOLERANCE_PX: Final = 0.5
"""Uploaded shapes are drawn to within this many screen pixels at the zoom they are drawn
for: the map's closest (:data:`~sitmap.mapview.basemap.MAX_ZOOM`, 18: about 0.25 m near
Rafah) unless the layer is too large for it. Measures always use the full shapes."""
DISPLAY_DECIMALS: Final = 6
"""Decimals of a degree kept in drawn coordinates (1e-6 degree: about 0.1 m)."""
MAX_DISPLAY_BYTES: Final = 1_000_000
"""Most bytes one uploaded layer adds to the map: its GeoJSON as the map embeds it
(folium's HTML-safe JSON, :func:`map_bytes`). The Rafah situation's own map is about 0.3 MB."""
MAX_DRAWN_FEATURES: Final = 2_000
"""Most features of one upload drawn one by one; a layer with more is drawn as a grid."""
COARSEST_EXACT_ZOOM: Final = 12
"""A layer over :data:`MAX_DISPLAY_BYTES` is drawn simplified for coarser zooms, two levels
a step, down to this one (to within about 16 m near Rafah); past it, as a grid."""
GRID_CELLS_PER_SIDE: Final = 32
"""Most grid squares along the longer side of a layer drawn as a grid (a quarter fewer at
a time while the squares would take more than :data:`MAX_DISPLAY_BYTES`)."""
SIMPLIFIED_NOTE: Final = "simplified for display"
"""Words every uploaded feature's popup (and a coarser layer's title) carries."""

_TILE_PX: Final = 256
_M_PER_DEG: Final = 2 * math.pi * 6_378_137 / 360
"""Metres per degree along the equator of Web Mercator (and about one of latitude)."""
_PAIR_BYTES: Final = 24
"""About what one drawn coordinate pair takes in the map's JSON ("[34.123456, 31.1234], ")."""
_GRID_STYLE: Final = UPLOAD_STYLE | {
    "fillOpacity": 0.15,
    "className": "sitmap-f sitmap-upload sitmap-upload-grid",
}
_SHAPE_STYLE: Final = UPLOAD_STYLE | {"className": "sitmap-f sitmap-upload"}


@dataclass(frozen=True)
class UploadDisplay:
    """An uploaded layer as the map draws it, and how it was simplified for display.

    ``nbytes`` is what its GeoJSON adds to the map (:func:`map_bytes`); ``features`` how
    many of the upload's features have a shape; ``exact_zoom`` the zoom whose
    :data:`DISPLAY_TOLERANCE_PX` its shapes are drawn to within, or None when it is drawn
    as ``cells`` grid squares instead.
    """

    layer: ExtraLayer
    nbytes: int
    features: int
    exact_zoom: int | None
    cells: int = 0


def display_tolerance_deg(zoom: int, lat: float, /) -> float:
    """Degrees (WGS84 lon/lat) that :data:`DISPLAY_TOLERANCE_PX` screen pixels span at
    ``zoom`` near latitude ``lat`` (256 px Web Mercator tiles), north-south: the smaller
    of the two, so a shape simplified by it is within that many pixels either way.
    """
    per_px = 360.0 / (_TILE_PX * 2**zoom) * math.cos(math.radians(min(abs(lat), 85.0)))
    return DISPLAY_TOLERANCE_PX * per_px


def map_bytes(data: Any, /) -> int:
    """Bytes ``data`` takes in the map page: JSON with ``<``, ``>``, ``&`` and ``'`` written
    as six-character escapes, as folium embeds GeoJSON.
    """
    text = json.dumps(data)
    return len(text) + 5 * sum(text.count(ch) for ch in "<>&'")


def _length_text(metres: float) -> str:
    """'0.3 m', '16 m', '1.2 km': a drawn tolerance or a grid square's size."""
    if metres >= 1_000:
        return f"{metres / 1000:,.1f} km"
    return f"{metres:.1f} m" if metres < 10 else f"{metres:,.0f} m"


def _with_note(popup: str, note: str) -> str:
    """A popup with an escaped note as its last line."""
    line = f'<div class="sitmap-note">{esc(note)}</div>'
    end = "</div>"
    return popup[: -len(end)] + line + end if popup.endswith(end) else popup + line


def _rounded(geoms: NDArray[np.object_]) -> NDArray[np.object_]:
    """Shapes with coordinates rounded to :data:`DISPLAY_DECIMALS` decimals (drawing only:
    a tiny shape may collapse in places, never vanish).
    """
    rounded: NDArray[np.object_] = shapely.transform(
        geoms, lambda xy: np.round(xy, DISPLAY_DECIMALS)
    )
    return rounded


def upload_display(
    filename: str,
    geometries: Sequence[Any] | NDArray[np.object_],
    properties: Sequence[Mapping[str, Any]],
    /,
    *,
    layer_id: str,
    author: str | None = None,
) -> UploadDisplay:
    """An uploaded layer for the map, simplified for display and at most
    :data:`MAX_DISPLAY_BYTES`: 'uploaded, unverified' (and by whom), every value escaped,
    each feature carrying its layer id (``_layer``) so the map can zoom to it.

    ``geometries`` (shapely, WGS84 lon/lat; None for attribute-only rows) and
    ``properties`` are the upload's rows, in order. Up to :data:`MAX_DRAWN_FEATURES`
    shapes are drawn one by one, simplified (topology kept) to within
    :data:`DISPLAY_TOLERANCE_PX` at the closest zoom whose drawing fits the budget, down
    to :data:`COARSEST_EXACT_ZOOM`; otherwise the layer is drawn as grid squares counting
    the features that lie in or touch each.
    """
    shown = f"{filename}, by {author}" if author else filename
    geoms = np.asarray(geometries, dtype=object)
    index = np.flatnonzero(~(shapely.is_missing(geoms) | shapely.is_empty(geoms)))
    drawn = geoms[index]
    if len(index) > MAX_DRAWN_FEATURES:
        reason = f"{len(index):,} shapes, more than the {MAX_DRAWN_FEATURES:,} drawn one by one"
        return _grid_display(shown, drawn, layer_id=layer_id, reason=reason)
    lat = _middle_lat(drawn)
    for zoom in range(MAX_ZOOM, COARSEST_EXACT_ZOOM - 1, -2):
        tolerance = display_tolerance_deg(zoom, lat)
        simple = _rounded(shapely.simplify(drawn, tolerance, preserve_topology=True))
        if int(shapely.get_num_coordinates(simple).sum()) * _PAIR_BYTES > MAX_DISPLAY_BYTES:
            continue
        metres = _length_text(tolerance * _M_PER_DEG)
        note = (
            f"Uploaded shape {SIMPLIFIED_NOTE}: drawn to within {metres} "
            f"({DISPLAY_TOLERANCE_PX:g} pixel at zoom {zoom}); measures use the full shape."
        )
        built = _shape_features(shown, simple, index, properties, layer_id=layer_id, note=note)
        if built is None:
            continue
        features, nbytes = built
        title = f"Uploaded, unverified: {shown}"
        if zoom < MAX_ZOOM:
            title += f" ({SIMPLIFIED_NOTE}, to within {metres})"
        layer = ExtraLayer(layer_id, title, feature_collection(features))
        return UploadDisplay(layer, nbytes, len(index), zoom)
    reason = f"its shapes and details are over the {MAX_DISPLAY_BYTES / 1e6:g} MB drawn of a layer"
    return _grid_display(shown, drawn, layer_id=layer_id, reason=reason)


def _middle_lat(geoms: NDArray[np.object_]) -> float:
    """The latitude halfway up the shapes' bounds (0 when there are none)."""
    if not len(geoms):
        return 0.0
    _, south, _, north = shapely.total_bounds(geoms)
    return float((south + north) / 2)


def _shape_features(
    shown: str,
    simple: NDArray[np.object_],
    index: NDArray[np.intp],
    properties: Sequence[Mapping[str, Any]],
    /,
    *,
    layer_id: str,
    note: str,
) -> tuple[list[dict[str, Any]], int] | None:
    """Drawn features, one per shape, and their bytes; None once past the budget."""
    features, total = [], 0
    for geometry, row in zip(simple, index, strict=True):
        props = properties[row]
        feature = {
            "type": "Feature",
            "geometry": geometry.__geo_interface__,
            "properties": {
                "_layer": layer_id,
                "_tooltip": (
                    f'<b dir="auto">{esc(upload_feature_name(props, int(row)))}</b> '
                    f"<i>(uploaded, unverified: {esc(shown)})</i>"
                ),
                "_popup": _with_note(upload_popup_html(shown, props.items()), note),
                "style": _SHAPE_STYLE,
            },
        }
        total += map_bytes(feature)
        if total > MAX_DISPLAY_BYTES:
            return None
        features.append(feature)
    return features, total


def _grid_display(
    shown: str, drawn: NDArray[np.object_], /, *, layer_id: str, reason: str
) -> UploadDisplay:
    """The layer as grid squares (about square on the ground) over its shapes, each
    counting the shapes that lie in or touch it; as many squares as fit the budget.
    """
    west, south, east, north = (float(v) for v in shapely.total_bounds(drawn))
    squash = math.cos(math.radians(min(abs((south + north) / 2), 85.0)))
    span = max(north - south, (east - west) * squash, 10.0**-DISPLAY_DECIMALS)
    tree = shapely.STRtree(drawn)
    per_side = GRID_CELLS_PER_SIDE
    while True:
        cell_lat = span / per_side
        cell_lon = cell_lat / squash
        nx = max(1, math.ceil((east - west) / cell_lon - 1e-9))
        ny = max(1, math.ceil((north - south) / cell_lat - 1e-9))
        ix, iy = np.meshgrid(np.arange(nx), np.arange(ny))
        x0, y0 = west + ix.ravel() * cell_lon, south + iy.ravel() * cell_lat
        boxes = shapely.box(x0, y0, x0 + cell_lon, y0 + cell_lat)
        hits = tree.query(boxes, predicate="intersects")[0]
        counts = np.bincount(hits, minlength=len(boxes))
        size = _length_text(cell_lat * _M_PER_DEG)
        note = (
            f"Layer {SIMPLIFIED_NOTE} ({reason}): squares about {size} across, each counting "
            "the shapes in or touching it. Measures use the full shapes."
        )
        features, nbytes = _grid_features(
            shown, boxes, counts, total=len(drawn), layer_id=layer_id, note=note
        )
        if nbytes <= MAX_DISPLAY_BYTES or per_side == 1:
            break
        per_side = max(1, per_side * 3 // 4)
    title = (
        f"Uploaded, unverified: {shown} ({len(drawn):,} features, drawn as "
        f"{len(features):,} grid squares of about {size}: {SIMPLIFIED_NOTE})"
    )
    layer = ExtraLayer(layer_id, title, feature_collection(features))
    return UploadDisplay(layer, nbytes, len(drawn), None, len(features))


def _grid_features(
    shown: str,
    boxes: NDArray[np.object_],
    counts: NDArray[np.intp],
    /,
    *,
    total: int,
    layer_id: str,
    note: str,
) -> tuple[list[dict[str, Any]], int]:
    """One drawn feature per grid square holding shapes, and their bytes."""
    head = (
        '<div class="sitmap-popup"><div class="sitmap-warn">Uploaded, unverified: '
        f"{esc(shown)}</div><table>"
    )
    tail = f'</table><div class="sitmap-note">{esc(note)}</div></div>'
    tip = f"<i>(uploaded, unverified: {esc(shown)}; {SIMPLIFIED_NOTE})</i>"
    features, nbytes = [], 0
    held = np.flatnonzero(counts)
    for box, count in zip(_rounded(boxes[held]), counts[held], strict=True):
        row = f"<tr><th>Features here</th><td>{count:,} of {total:,}</td></tr>"
        feature = {
            "type": "Feature",
            "geometry": box.__geo_interface__,
            "properties": {
                "_layer": layer_id,
                "_tooltip": f"<b>{count:,} features</b> {tip}",
                "_popup": head + row + tail,
                "style": _GRID_STYLE,
            },
        }
        nbytes += map_bytes(feature)
        features.append(feature)
    return features, nbytes


def upload_layer(
    filename: str, frame: gpd.GeoDataFrame, /, *, layer_id: str, author: str | None = None
) -> ExtraLayer:
    """An uploaded layer (a frame, WGS84 lon/lat) for the map, as :func:`upload_display`
    draws it.
    """
    columns = [c for c in frame.columns if c != frame.geometry.name]
    properties = frame[columns].to_dict("records")
    return upload_display(
        filename, frame.geometry.array, properties, layer_id=layer_id, author=author
    ).layer
