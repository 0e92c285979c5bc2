"""The corridor workbench's plain data: drawn lines in, one measured model of every corridor out.

The page measures its corridors once per run (:func:`measure_corridors`): the
situation's options and the saved corridors on a full run, the drawings on a drawing's
rerun. The report card, a saved corridor's popup, the comparison table and the download
all read that one :class:`MeasuredCorridors`, so they show the same figures. No Streamlit
here. Coordinates are WGS84 lon/lat; lengths metres, times minutes.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final

import shapely
from shapely.geometry import LineString, shape
from shapely.geometry.base import BaseGeometry

from sitmap.analysis.areas import NamedArea
from sitmap.analysis.corridors import measure_many
from sitmap.analysis.reports import CorridorReport
from sitmap.analysis.timeline import situation_at
from sitmap.errors import SitmapError
from sitmap.io.exports import ExportItem
from sitmap.situation import Situation
from sitmap.store import Revision, SketchDraft, SketchStore

__all__ = [
    "OPTION_ORIGIN",
    "Candidate",
    "MeasuredCorridors",
    "Refusal",
    "candidates",
    "corridor_draft",
    "drawn_candidates",
    "drawn_lines",
    "export_items",
    "line_content",
    "measure_as_of",
    "measure_corridors",
    "measured_note",
    "save_corridor",
    "saved_candidates",
    "saved_names",
]


OPTION_ORIGIN: Final = "situation option"
"""The origin of a candidate that is one of the situation's own corridor options."""


@dataclass(frozen=True)
class Candidate:
    """A corridor to compare: a situation option, a saved sketch or the current drawing."""

    id: str
    name: str
    origin: str
    geometry: BaseGeometry
    accuracy_m: float = 0.0
    """How far the line's true course may lie from where it is drawn (metres); a line a
    reader draws is taken as exact, a situation's illustrative option is not."""


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
        frame = layer.frame
        for ident, name, geometry, accuracy in zip(
            frame["id"], frame["name"], frame.geometry, frame["accuracy_m"], strict=True
        ):
            if geometry is not None and geometry.geom_type in {"LineString", "MultiLineString"}:
                acc = float(accuracy) if accuracy is not None and accuracy == accuracy else 0.0
                out.append(Candidate(str(ident), str(name), OPTION_ORIGIN, geometry, acc))
    return out


def line_content(line: BaseGeometry, /) -> dict[str, Any]:
    """A drawn line as the GeoJSON geometry the sketch store keeps ([lon, lat], 6 decimals)."""
    coords = [[round(x, 6), round(y, 6)] for x, y in shapely.get_coordinates(line)]
    return {"type": "LineString", "coordinates": coords}


def saved_candidates(revisions: Sequence[Revision], /) -> list[Candidate]:
    """Saved corridors as candidates to measure and compare."""
    return [
        Candidate(rev.sketch_id, rev.name, f"saved by {rev.author}", shape(rev.content))
        for rev in revisions
    ]


def drawn_candidates(lines: Sequence[LineString], /) -> list[Candidate]:
    """The lines drawn on the map, as candidates named "Your drawing N"."""
    return [
        Candidate(f"drawing-{n}", f"Your drawing {n}", "drawing", line)
        for n, line in enumerate(lines, start=1)
    ]


@dataclass(frozen=True)
class Refusal:
    """A corridor that could not be measured, and why."""

    name: str
    error: SitmapError


@dataclass(frozen=True)
class MeasuredCorridors:
    """Corridors and their reports (by candidate id), measured once; refusals kept apart."""

    items: tuple[Candidate, ...] = ()
    reports: Mapping[str, CorridorReport] = field(default_factory=dict)
    refused: tuple[Refusal, ...] = ()
    as_of: dt.date | None = None
    """The day whose situation they were measured against (None: every date)."""

    def __add__(self, other: MeasuredCorridors) -> MeasuredCorridors:
        """Both sets, this one's first."""
        return MeasuredCorridors(
            self.items + other.items,
            {**self.reports, **other.reports},
            self.refused + other.refused,
            self.as_of if self.as_of == other.as_of else None,
        )

    def measured(self) -> list[Candidate]:
        """The candidates that have a report, in order."""
        return [item for item in self.items if item.id in self.reports]


def measure_corridors(
    situation: Situation,
    items: Sequence[Candidate],
    /,
    *,
    areas: Sequence[NamedArea] = (),
    as_of: dt.date | None = None,
) -> MeasuredCorridors:
    """Measure every candidate against the situation and ``areas`` (uploads) once.

    The situation is taken as it stood on ``as_of`` (the reader's chosen day: features not
    yet reported or already superseded are left out; None: every date). Each report
    carries its ranges, from the situation's accuracies and the candidate's own.
    All are measured in one vectorised call; only when one of them is refused are they
    measured one by one, so the others still get their reports and each refusal is kept
    with its reason.
    """
    if not items:
        return MeasuredCorridors(as_of=as_of)
    try:
        reports = measure_many(
            [item.geometry for item in items],
            situation,
            extra_areas=areas,
            names=[item.name for item in items],
            idents=[item.id for item in items],
            as_of=as_of,
            accuracies_m=[item.accuracy_m for item in items],
        )
        return MeasuredCorridors(
            tuple(items), {i.id: r for i, r in zip(items, reports, strict=True)}, as_of=as_of
        )
    except SitmapError:
        pass
    measured: dict[str, CorridorReport] = {}
    refused: list[Refusal] = []
    for item in items:
        try:
            (report,) = measure_many(
                [item.geometry],
                situation,
                extra_areas=areas,
                names=[item.name],
                idents=[item.id],
                file=item.name,
                as_of=as_of,
                accuracies_m=[item.accuracy_m],
            )
        except SitmapError as err:
            refused.append(Refusal(item.name, err))
            continue
        measured[item.id] = report
    return MeasuredCorridors(tuple(items), measured, tuple(refused), as_of)


def measure_as_of(
    situation: Situation,
    measured: MeasuredCorridors,
    drawn: Sequence[Candidate],
    /,
    *,
    areas: Sequence[NamedArea] = (),
    as_of: dt.date | None,
) -> MeasuredCorridors:
    """The run's corridors (``measured``: options and saved) and the drawings, all measured
    against the situation as it stood on ``as_of``.

    The run's measures are kept when they were taken on that day already; otherwise
    every corridor is measured again (one vectorised call), so the table never mixes days.
    """
    if as_of is None or as_of == measured.as_of or _same_situation(situation, as_of, measured):
        drawings = measure_corridors(situation, drawn, areas=areas, as_of=as_of)
        return _reported(situation, replace(measured + drawings, as_of=as_of))
    every = measure_corridors(situation, [*measured.items, *drawn], areas=areas, as_of=as_of)
    return _reported(situation, every)


def _reported(situation: Situation, measured: MeasuredCorridors) -> MeasuredCorridors:
    """``measured`` without the situation's options not yet reported (or superseded) on
    its day: on 10 Oct the table compares no option first reported in November, as the
    map draws none.
    """
    if measured.as_of is None:
        return measured
    day = situation_at(situation, measured.as_of)
    shown = {
        str(ident)
        for layer in day.layers.values()
        if layer.spec.kind.value == "corridors"
        for ident in layer.frame["id"]
    }
    kept = tuple(c for c in measured.items if c.origin != OPTION_ORIGIN or c.id in shown)
    return replace(measured, items=kept)


def _same_situation(situation: Situation, as_of: dt.date, measured: MeasuredCorridors) -> bool:
    """Whether the situation of ``as_of`` holds the same features as the one ``measured``
    was taken against (the default day usually does: nothing reported after it).
    """
    day, then = situation_at(situation, as_of), situation_at(situation, measured.as_of)
    return all(len(day.layers[k].frame) == len(then.layers[k].frame) for k in day.layers)


def measured_note(measured: MeasuredCorridors, /) -> str:
    """'measured against the situation of 10 Oct 2025' (or of every date)."""
    if measured.as_of is None:
        return "measured against the situation"
    return f"measured against the situation of {measured.as_of:%d %b %Y}"


def corridor_draft(
    situation: Situation,
    line: BaseGeometry,
    /,
    *,
    name: str,
    notes: str,
    editing: Revision | None,
) -> SketchDraft:
    """A drawn line to save: a new corridor, or the next revision of the one being edited."""
    return SketchDraft(
        kind="corridor",
        name=name,
        content=line_content(line),
        notes=notes,
        situation=situation.id,
        sketch_id=editing.sketch_id if editing else None,
    )


def save_corridor(
    situation: Situation,
    store: SketchStore,
    line: BaseGeometry,
    /,
    *,
    name: str,
    notes: str,
    editing: Revision | None,
    author: str,
) -> Revision:
    """Save a drawn line as a new corridor or the next revision of ``editing``."""
    draft = corridor_draft(situation, line, name=name, notes=notes, editing=editing)
    base = editing.revision if editing else None
    return store.save(draft, base_revision=base, author=author)


def saved_names(revisions: Sequence[Revision], /) -> dict[str, str]:
    """Each saved corridor's label in the picker: 'NAME (rev. N, AUTHOR)', by sketch id."""
    return {rev.sketch_id: f"{rev.name} (rev. {rev.revision}, {rev.author})" for rev in revisions}


def export_items(revisions: Sequence[Revision], measured: MeasuredCorridors, /) -> list[ExportItem]:
    """Saved corridors with the page run's measures, for GeoJSON/KML/GeoPackage export."""
    items = []
    for rev in revisions:
        report = measured.reports.get(rev.sketch_id)
        if report is None:
            continue
        items.append(
            ExportItem(
                name=rev.name,
                geometry=shape(rev.content),
                report=report,
                author=rev.author,
                revision=rev.revision,
                notes=rev.notes or None,
            )
        )
    return items
