"""The map as text: tables of layers, features, events, claims and corridors.

The "Text view" tab is the map's twin for a screen reader and a keyboard: plain semantic
HTML tables (a ``<caption>``, ``<th scope="col">`` headers, a ``<th scope="row">`` per
row) rather than ``st.dataframe``'s canvas grid, which screen readers handle poorly. Rows
follow the view: the shown layers, the features on the map of the range's last day, the
events of the range, the claims made by then and the measured corridors.

Every cell is plain text from data; :func:`table_html` escapes each one
(:func:`~sitmap.escaping.esc`), so no markup or Markdown from data reaches the page.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

import pandas as pd

from sitmap.analysis.timeline import valid_at
from sitmap.analysis.uncertainty import count_range_text, km_range_text, minutes_range_text
from sitmap.caching import DerivedCache
from sitmap.escaping import esc
from sitmap.mapview import ExtraLayer
from sitmap.mapview.popups import source_text
from sitmap.mapview.styles import kind_title
from sitmap.page.tables import claim_tables, events_table
from sitmap.page.workbench import MeasuredCorridors
from sitmap.schema import Analysis, LayerKind
from sitmap.situation import Layer, Situation

__all__ = [
    "TEXT_VIEW_CSS",
    "TEXT_VIEW_NOTE",
    "TextTable",
    "claims_tables",
    "corridors_table",
    "events_text_table",
    "features_table",
    "layers_table",
    "table_html",
    "text_view_html",
    "text_view_tables",
]

TEXT_VIEW_NOTE: Final = (
    "The map as tables, for a screen reader or a keyboard: the layers, every feature on "
    "the map of the range's last day in the layers shown, the events of the range, who "
    "says what, and the corridors measured. Nothing here is shown as fact that the map "
    "marks as an estimate or a claim."
)
"""Said above the tables (fixed words, no data)."""

TEXT_VIEW_CSS: Final = """<style>
.sitmap-text table { border-collapse: collapse; margin: 0 0 1.4rem; font-size: 0.9rem;
  width: 100%; }
.sitmap-text caption { text-align: left; font-weight: 600; font-size: 1rem;
  padding: 0 0 0.35rem; caption-side: top; }
.sitmap-text th, .sitmap-text td { border: 1px solid #c8c8c8; padding: 3px 7px;
  text-align: left; vertical-align: top; }
.sitmap-text thead th { background: #f0f0f0; }
.sitmap-text tbody th { font-weight: 600; }
.sitmap-text td.sitmap-day { white-space: nowrap; }
.sitmap-text p { margin: 0 0 1.4rem; }
.sitmap-text p.sitmap-text-note { color: #4a4a4a; font-size: 0.875rem; margin-bottom: 1rem; }
</style>"""
"""How the tables look (constant CSS: no data in it)."""


@dataclass(frozen=True)
class TextTable:
    """One table: its caption, column headers and rows of plain text.

    The first cell of each row names the row (``<th scope="row">``); ``empty`` is said
    instead of a table with no rows.
    """

    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    empty: str = "None."


def _text(value: Any) -> str:
    """A cell's text: '' for a missing value, ISO days for dates."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "; ".join(_text(v) for v in value)
    return str(value)


def _yes(value: Any) -> str:
    return "yes" if isinstance(value, bool | int) and bool(value) else "no"


def _accuracy(value: Any) -> str:
    text = _text(value)
    if not text:
        return "not stated"
    try:
        return f"\u00b1{float(text):,.0f} m"
    except ValueError:
        return text


def _layer_kind(kind: LayerKind) -> str:
    return {
        LayerKind.CONTEXT: "land and neighbouring states",
        LayerKind.AREAS: "areas and lines",
        LayerKind.PLACES: "places",
        LayerKind.EVENTS: "dated events",
        LayerKind.CORRIDORS: "corridor options",
    }.get(kind, str(kind.value))


_ROWS: DerivedCache[tuple[TextTable, ...]] = DerivedCache("text view tables", maxsize=64)
"""The situation's own tables (features, events, claims), by situation key, shown layers,
range: the play control reruns the page every 1.5 s, and pandas on small frames costs
about 0.15 s for them."""


def _on_map(layer: Layer, as_of: dt.date) -> list[dict[str, Any]]:
    """The properties of a layer's features drawn on the map of ``as_of`` (located, valid
    that day), in file order; no geometry is copied.
    """
    frame = layer.frame
    if not len(frame):
        return []
    keep = (frame.geometry.notna() & valid_at(frame, as_of)).to_numpy()
    records = pd.DataFrame(frame.drop(columns="geometry")).to_dict("records")
    return [props for props, kept in zip(records, keep, strict=True) if kept]


def layers_table(
    situation: Situation,
    shown: Collection[str],
    as_of: dt.date,
    /,
    *,
    extra: Sequence[ExtraLayer] = (),
) -> TextTable:
    """Every layer: what it holds, how many of its features are on the map of ``as_of``,
    and whether it is shown (uploads and saved corridors last).
    """
    rows: list[tuple[str, ...]] = []
    for layer in situation.layers.values():
        if layer.spec.kind is LayerKind.EVENTS:
            count = events_table(situation, as_of).total
        else:
            count = len(_on_map(layer, as_of))
        shown_text = "shown" if layer.id in shown else "hidden"
        rows.append((layer.spec.title, _layer_kind(layer.spec.kind), str(count), shown_text))
    columns = ("Layer", "Holds", f"Features on {as_of.isoformat()}", "On the map")
    return _with_extra(TextTable(f"Layers ({len(rows)})", columns, tuple(rows)), shown, extra)


def _with_extra(table: TextTable, shown: Collection[str], extra: Sequence[ExtraLayer]) -> TextTable:
    """The layers table with the readers' own layers (uploads, saved corridors) last."""
    rows = list(table.rows)
    for own in extra:
        count = len(own.features.get("features", ()))
        shown_text = "shown" if own.id in shown else "hidden"
        rows.append((own.title, "added by readers", str(count), shown_text))
    return TextTable(f"Layers ({len(rows)})", table.columns, tuple(rows), table.empty)


FEATURE_COLUMNS: Final = (
    "Name",
    "Kind",
    "Layer",
    "Source",
    "As of",
    "Accuracy",
    "Approximate",
    "Valid from",
    "Valid to",
)


def features_table(situation: Situation, shown: Collection[str], as_of: dt.date, /) -> TextTable:
    """Every feature on the map of ``as_of`` in the shown layers (events aside), in draw
    order: name, kind, layer, sources, reported day, positional accuracy, estimate or not,
    and the days it is valid from and to.
    """
    rows: list[tuple[str, ...]] = []
    for layer in situation.layers.values():
        if layer.spec.kind is LayerKind.EVENTS or layer.id not in shown:
            continue
        rows.extend(_feature_row(p, layer.spec.title, situation) for p in _on_map(layer, as_of))
    caption = f"Features on the map of {as_of.isoformat()}, layers shown ({len(rows)})"
    return TextTable(caption, FEATURE_COLUMNS, tuple(rows), empty="No feature is on the map.")


def _feature_row(props: dict[str, Any], layer_title: str, situation: Situation) -> tuple[str, ...]:
    sources = props.get("source")
    ids: Iterable[Any] = sources if isinstance(sources, (list, tuple)) else [sources]
    source = "; ".join(source_text(str(i), situation.sources) for i in ids if _text(i))
    clean = {k: v for k, v in props.items() if _text(v)}
    return (
        _text(props.get("name")) or _text(props.get("id")),
        kind_title(clean),
        layer_title,
        source,
        _text(props.get("as_of")),
        _accuracy(props.get("accuracy_m")),
        "yes, an estimate" if _yes(props.get("approximate")) == "yes" else "no",
        _text(props.get("valid_from")),
        _text(props.get("valid_to")),
    )


def events_text_table(
    situation: Situation, as_of: dt.date, /, *, since: dt.date | None = None
) -> TextTable:
    """The events of the range, as the Events tab lists them (the latest, in time order)."""
    events = events_table(situation, as_of, since=since)
    columns = ("Event", "Date", "Actors", "On map", "Source", "How dated")
    frame = events.frame
    rows = (
        tuple(
            tuple(_text(row[c]) for c in columns) for row in frame[list(columns)].to_dict("records")
        )
        if len(frame)
        else ()
    )
    return TextTable(f"Events: {events.note}", columns, rows, empty="No event in the range.")


def claims_tables(situation: Situation, as_of: dt.date, /) -> list[TextTable]:
    """Who says what, one table per question, claims made by ``as_of``."""
    columns = ("Who", "Says", "Date", "Source", "On")
    return [
        TextTable(
            f"Who says what: {claim.about}",
            columns,
            tuple(tuple(_text(r[c]) for c in columns) for r in claim.frame.to_dict("records")),
        )
        for claim in claim_tables(situation, as_of)
    ]


def corridors_table(measured: MeasuredCorridors, analysis: Analysis, /) -> TextTable:
    """The corridors measured (situation options, saved sketches): length, length in the
    controlled area, control-line crossings and walking time, each with its range.
    """
    area, line = analysis.controlled_area_label, analysis.control_line_label
    columns = (
        "Corridor",
        "Kind",
        "Length",
        f"In the {area}",
        f"{line.capitalize()} crossings",
        "Walk",
    )
    rows: list[tuple[str, ...]] = []
    for item in measured.items:
        report = measured.reports.get(item.id)
        if report is None:
            rows.append((item.name or item.id, item.origin, "not measured", "", "", ""))
            continue
        rows.append(
            (
                item.name or item.id,
                item.origin,
                km_range_text(report.length_m, report.span("length_m")),
                km_range_text(report.length_in_controlled_m, report.span("length_in_controlled_m")),
                count_range_text(
                    report.control_line_crossings, report.span("control_line_crossings")
                ),
                minutes_range_text(report.walk_minutes, report.span("walk_minutes")),
            )
        )
    for refused in measured.refused:
        rows.append((refused.name, "not measured", refused.error.problem, "", "", ""))
    caption = f"Corridors ({len(rows)}); ranges from the positional accuracy measured against"
    return TextTable(caption, columns, tuple(rows), empty="No corridor is measured.")


def text_view_tables(
    situation: Situation,
    *,
    shown: Collection[str],
    as_of: dt.date,
    since: dt.date | None = None,
    measured: MeasuredCorridors | None = None,
    extra: Sequence[ExtraLayer] = (),
) -> list[TextTable]:
    """Every table of the text view, in order: layers, features, events, claims, corridors."""
    key = (situation.key, frozenset(shown), as_of, since)
    own = _ROWS.get_or_make(
        key,
        lambda: (
            layers_table(situation, shown, as_of),
            features_table(situation, shown, as_of),
            events_text_table(situation, as_of, since=since),
            *claims_tables(situation, as_of),
        ),
    )
    tables = [_with_extra(own[0], shown, extra), *own[1:]]
    if measured is not None:
        tables.append(corridors_table(measured, situation.manifest.analysis))
    return tables


_DAY: Final = re.compile(r"\d{4}-\d\d-\d\d\b")
"""A cell that starts with a day (kept on one line)."""


def table_html(table: TextTable, /) -> str:
    """One table as semantic HTML, every caption, header and cell escaped; a paragraph
    (the caption, then ``empty``) when it has no rows.
    """
    caption = esc(table.caption)
    if not table.rows:
        return f"<p><strong>{caption}</strong>: {esc(table.empty)}</p>"
    head = "".join(f'<th scope="col">{esc(c)}</th>' for c in table.columns)
    body = []
    for row in table.rows:
        first, *rest = row
        cells = "".join(
            f'<td class="sitmap-day">{esc(v)}</td>'
            if _DAY.match(v)
            else f'<td dir="auto">{esc(v)}</td>'
            for v in rest
        )
        body.append(f'<tr><th scope="row" dir="auto">{esc(first)}</th>{cells}</tr>')
    return (
        f"<table><caption>{caption}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def text_view_html(tables: Sequence[TextTable], /) -> str:
    """The whole text view: its CSS, what it is (:data:`TEXT_VIEW_NOTE`) and every table,
    in one region.
    """
    note = f'<p class="sitmap-text-note">{esc(TEXT_VIEW_NOTE)}</p>'
    parts = note + "".join(table_html(t) for t in tables)
    return f'{TEXT_VIEW_CSS}<section class="sitmap-text" aria-label="Text view">{parts}</section>'
