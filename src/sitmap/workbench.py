"""The corridor workbench's plain data: drawn lines in, report cards and layers out.

Pure functions between the page and the library: they turn st_folium drawings into
lines, corridor reports into rows a person reads, and saved sketches and uploads into
map layers (escaped HTML) and named areas for corridor analysis. No Streamlit here.
Coordinates are WGS84 lon/lat; lengths metres (shown in km), times minutes.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import shapely
from shapely.geometry import LineString, shape
from shapely.geometry.base import BaseGeometry

from sitmap.corridors import ComparisonRow, CorridorReport, NamedArea, measure_many
from sitmap.exports import ExportItem
from sitmap.imports import ImportedLayer
from sitmap.mapview import ExtraLayer, feature_collection
from sitmap.popups import esc, upload_popup_html
from sitmap.situation import Situation
from sitmap.store import Revision
from sitmap.styles import SKETCH_STYLE, UPLOAD_STYLE

__all__ = [
    "SKETCH_LAYER_ID",
    "Candidate",
    "candidates",
    "comparison_table",
    "drawn_lines",
    "export_items",
    "layer_content",
    "layer_from_import",
    "line_content",
    "report_rows",
    "saved_candidates",
    "sketch_layer",
    "stored_layer_frame",
    "upload_areas",
    "upload_layer",
    "upload_layer_id",
]

SKETCH_LAYER_ID = "sketches"
"""Layer id of the saved corridors (a layer of their own, toggled like the others)."""

UPLOAD_PREFIX = "upload:"


@dataclass(frozen=True)
class Candidate:
    """A corridor to compare: a situation option, a saved sketch or the current drawing."""

    id: str
    name: str
    origin: str
    geometry: BaseGeometry


def drawn_lines(all_drawings: Any, /) -> list[LineString]:
    """The polylines among st_folium's ``all_drawings`` (GeoJSON features, [lon, lat]).

    Anything else (markers, polygons, malformed features, non-finite or single-point
    lines) is skipped: a drawing in progress must never break the page.
    """
    lines: list[LineString] = []
    if not isinstance(all_drawings, list):
        return lines
    for feature in all_drawings:
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        if not isinstance(geometry, dict) or geometry.get("type") != "LineString":
            continue
        coords = geometry.get("coordinates")
        if not isinstance(coords, list) or len(coords) < 2:
            continue
        try:
            line = shape(geometry)
        except (ValueError, TypeError, shapely.errors.ShapelyError):
            continue
        xy = shapely.get_coordinates(line)
        if len(xy) >= 2 and all(math.isfinite(v) for v in xy.ravel()) and line.length > 0:
            lines.append(line)
    return lines


def candidates(situation: Situation, /) -> list[Candidate]:
    """The situation's candidate corridors (illustrative lines), in file order."""
    out: list[Candidate] = []
    for layer in situation.layers.values():
        if layer.spec.kind.value != "corridors":
            continue
        for ident, name, geometry in zip(
            layer.frame["id"], layer.frame["name"], layer.frame.geometry, strict=True
        ):
            if geometry is not None and geometry.geom_type in {"LineString", "MultiLineString"}:
                out.append(Candidate(str(ident), str(name), "situation option", geometry))
    return out


def _km(metres: float) -> str:
    return f"{metres / 1000:.2f} km"


def _places(names: Sequence[str]) -> str:
    return " \u203a ".join(names) if names else "outside every mapped area"


def report_rows(
    report: CorridorReport,
    /,
    *,
    area_label: str = "controlled area",
    line_label: str = "control line",
) -> list[tuple[str, str]]:
    """What a person reads first about a corridor, as (label, value) text rows."""
    share = report.share_in_controlled * 100
    rows = [
        ("Length", _km(report.length_m)),
        (
            f"In the {area_label}",
            f"{_km(report.length_in_controlled_m)} ({share:.0f}% of the line)",
        ),
    ]
    crossings = report.control_line_crossings
    where = "; ".join(f"{lon:.4f}, {lat:.4f}" for lon, lat in report.crossing_points[:4])
    rows.append(
        (
            f"Crosses the {line_label}",
            f"{crossings} time{'s' if crossings != 1 else ''}"
            + (f" (lon, lat: {where})" if where else ""),
        )
    )
    rows.append(("Starts in", _places(report.start_in)))
    rows.append(("Ends in", _places(report.end_in)))
    if report.passes_through:
        passes = "; ".join(f"{a.area} {_km(a.length_m)}" for a in report.passes_through)
        rows.append(("Passes through", passes))
    if report.nearest_crossing is not None:
        near = report.nearest_crossing
        rows.append(("Nearest crossing", f"{near.name}, {_km(near.distance_m)} away"))
    for place in report.nearest_sensitive:
        rows.append((f"Nearest {place.kind}", f"{place.name}, {_km(place.distance_m)} away"))
    speeds = report.assumptions
    rows.append(("On foot", f"{report.walk_minutes:.0f} min at {speeds.walk_kmh:g} km/h"))
    rows.append(("By vehicle", f"{report.drive_minutes:.0f} min at {speeds.drive_kmh:g} km/h"))
    rows.append(("Assumes", speeds.note))
    if report.approximate_inputs:
        rows.append(("Measured against estimates", ", ".join(report.approximate_inputs)))
    return rows


_UNITS = {
    "length_m": ("km", 1000.0),
    "length_in_controlled_m": ("km", 1000.0),
    "nearest_crossing_m": ("km", 1000.0),
    "walk_minutes": ("min", 1.0),
    "control_line_crossings": ("", 1.0),
}


def comparison_table(
    rows: Sequence[ComparisonRow], /, *, by: str, origins: Mapping[str, str]
) -> list[dict[str, Any]]:
    """One plain row per corridor, ranked on ``by`` (rank 1 = smallest value)."""
    unit, scale = _UNITS.get(by, ("", 1.0))
    table = []
    for row in rows:
        report = row.report
        value = "n/a" if row.value is None else f"{row.value / scale:.2f} {unit}".strip()
        diff = "" if row.difference is None else f"+{row.difference / scale:.2f} {unit}".strip()
        near = report.nearest_crossing
        table.append(
            {
                "Rank": row.rank,
                "Corridor": row.name or str(row.id),
                "Kind": origins.get(str(row.id), ""),
                "Ranked on": value,
                "Behind best": diff if row.difference else "",
                "Length (km)": round(report.length_m / 1000, 2),
                "In controlled area (km)": round(report.length_in_controlled_m / 1000, 2),
                "Control-line crossings": report.control_line_crossings,
                "Ends in": report.end_in[0] if report.end_in else "outside mapped areas",
                "Nearest crossing": f"{near.name} ({near.distance_m / 1000:.1f} km)"
                if near
                else "",
                "Walk (min)": round(report.walk_minutes),
            }
        )
    return table


def sketch_layer(
    revisions: Sequence[Revision],
    reports: Mapping[str, CorridorReport],
    /,
    *,
    title: str = "Saved corridors (sketches)",
) -> ExtraLayer:
    """Saved corridors as a map layer: escaped popups with who saved what, when, measures."""
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
            rows += report_rows(report)[:5]
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


def _label(props: Mapping[str, Any], index: int) -> str:
    for key in ("name", "Name", "NAME", "title", "id"):
        value = props.get(key)
        if isinstance(value, str | int) and str(value).strip():
            return str(value).strip()[:120]
    return f"feature #{index}"


def stored_layer_frame(revision: Revision, /) -> gpd.GeoDataFrame:
    """An uploaded layer kept in the store (a FeatureCollection, WGS84) as a GeoDataFrame."""
    features = revision.content.get("features", [])
    frame = gpd.GeoDataFrame.from_features(features, crs="EPSG:4326")
    if frame.geometry.name not in frame:
        frame = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs="EPSG:4326"))
    return frame


def layer_from_import(layer: ImportedLayer, /) -> tuple[str, gpd.GeoDataFrame]:
    """(file name, frame) of an import, the shape ``upload_layer`` takes."""
    return layer.filename, layer.frame


def upload_layer(filename: str, frame: gpd.GeoDataFrame, /, *, layer_id: str) -> ExtraLayer:
    """An uploaded layer for the map: labelled 'uploaded, unverified', every value escaped."""
    columns = [c for c in frame.columns if c != frame.geometry.name]
    features = []
    for index, (geometry, values) in enumerate(
        zip(frame.geometry, frame[columns].itertuples(index=False, name=None), strict=True)
    ):
        if geometry is None or geometry.is_empty:
            continue
        props = dict(zip(columns, values, strict=True))
        features.append(
            {
                "type": "Feature",
                "geometry": geometry.__geo_interface__,
                "properties": {
                    "_tooltip": (
                        f'<b dir="auto">{esc(_label(props, index))}</b> '
                        f"<i>(uploaded, unverified: {esc(filename)})</i>"
                    ),
                    "_popup": upload_popup_html(filename, props.items()),
                    "style": UPLOAD_STYLE | {"className": "sitmap-f sitmap-upload"},
                },
            }
        )
    title = f"Uploaded, unverified: {filename}"
    return ExtraLayer(layer_id, title, feature_collection(features))


def upload_areas(filename: str, frame: gpd.GeoDataFrame, /) -> list[NamedArea]:
    """An upload's polygons as named areas for corridor analysis (marked as uploads)."""
    columns = [c for c in frame.columns if c != frame.geometry.name]
    areas = []
    for index, (geometry, values) in enumerate(
        zip(frame.geometry, frame[columns].itertuples(index=False, name=None), strict=True)
    ):
        if geometry is None or geometry.geom_type not in {"Polygon", "MultiPolygon"}:
            continue
        props = dict(zip(columns, values, strict=True))
        name = f"{_label(props, index)} (uploaded: {filename})"
        areas.append(NamedArea(name=name, kind="uploaded", geometry=geometry, approximate=True))
    return areas


def lines_of(items: Iterable[Candidate]) -> list[BaseGeometry]:
    """The geometries of candidates, in order (for ``corridors.measure_many``)."""
    return [item.geometry for item in items]


def line_content(line: BaseGeometry, /) -> dict[str, Any]:
    """A drawn line as the GeoJSON geometry the sketch store keeps ([lon, lat], 6 decimals)."""
    coords = [[round(x, 6), round(y, 6)] for x, y in shapely.get_coordinates(line)]
    return {"type": "LineString", "coordinates": coords}


def layer_content(layer: ImportedLayer, /) -> dict[str, Any]:
    """An import as the FeatureCollection the sketch store keeps for its author."""
    return json.loads(layer.to_geojson())


def saved_candidates(revisions: Sequence[Revision], /) -> list[Candidate]:
    """Saved corridors as candidates to measure and compare."""
    return [
        Candidate(rev.sketch_id, rev.name, f"saved by {rev.author}", shape(rev.content))
        for rev in revisions
    ]


def export_items(situation: Situation, revisions: Sequence[Revision], /) -> list[ExportItem]:
    """Saved corridors with their measures, ready for GeoJSON/KML/GeoPackage export."""
    items = saved_candidates(revisions)
    if not items:
        return []
    reports = measure_many(
        [item.geometry for item in items],
        situation,
        names=[item.name for item in items],
        idents=[item.id for item in items],
    )
    return [
        ExportItem(
            name=rev.name,
            geometry=item.geometry,
            report=report,
            author=rev.author,
            revision=rev.revision,
            notes=rev.notes or None,
        )
        for rev, item, report in zip(revisions, items, reports, strict=True)
    ]
