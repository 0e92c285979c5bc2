"""The tables beside the map, as plain frames: events, claims, sources, corridor comparison.

Every cell is text or a number taken from data; the page shows them with ``st.dataframe``
(text cells, never markup). Dates are UTC days; lengths km, times minutes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from sitmap.analysis.corridors import CompareBy, ComparisonRow
from sitmap.analysis.reports import CorridorReport, report_rows
from sitmap.analysis.timeline import claim_groups, event_rows
from sitmap.analysis.uncertainty import count_range_text, km_range_text, minutes_range_text
from sitmap.escaping import BIDI_CONTROLS, md_escape, plain_text
from sitmap.mapview.popups import source_text
from sitmap.schema import Analysis, LayerKind
from sitmap.situation import Situation

__all__ = [
    "ClaimTable",
    "EventsTable",
    "claim_tables",
    "comparison_columns",
    "comparison_table",
    "comparison_widths",
    "events_table",
    "markdown_cells",
    "plain_cells",
    "plain_rows",
    "rank_choices",
    "report_card",
    "sources_table",
]

_UNITS: dict[str, tuple[str, float]] = {
    "length_m": ("km", 1000.0),
    "length_in_controlled_m": ("km", 1000.0),
    "nearest_crossing_m": ("km", 1000.0),
    "walk_minutes": ("min", 1.0),
    "control_line_crossings": ("", 1.0),
}


def rank_choices(analysis: Analysis, /) -> dict[str, CompareBy]:
    """What the comparison can rank on, labelled with the situation's own words."""
    return {
        f"Length inside the {analysis.controlled_area_label}": "length_in_controlled_m",
        "Total length": "length_m",
        f"{analysis.control_line_label.capitalize()} crossings": "control_line_crossings",
        "Walking time": "walk_minutes",
        "Distance to the nearest crossing": "nearest_crossing_m",
    }


def report_card(report: CorridorReport, /) -> pd.DataFrame:
    """One corridor's measures as a two-column table (Measure, Value) a person reads first.

    Plain text (area names come from uploads): ``st.table`` renders Markdown, so the page
    shows it through :func:`markdown_cells`.
    """
    rows = report_rows(report)
    return pd.DataFrame(rows, columns=["Measure", "Value"]).set_index("Measure")


def markdown_cells(frame: pd.DataFrame, /) -> pd.DataFrame:
    """The frame for a widget that renders Markdown (``st.table``): every text cell, index
    label and column name escaped (:func:`~sitmap.escaping.md_escape`), shown as typed.
    """
    out = frame.map(lambda v: md_escape(v) if isinstance(v, str) else v)
    out.index = out.index.map(lambda v: md_escape(v) if isinstance(v, str) else v)
    out.index.name = None if frame.index.name is None else md_escape(frame.index.name)
    out.columns = [md_escape(c) if isinstance(c, str) else c for c in frame.columns]
    return out


_BIDI_PATTERN = "[" + "".join(sorted(BIDI_CONTROLS)) + "]"


def plain_cells(table: pd.DataFrame, /) -> pd.DataFrame:
    """The frame for a plain-text widget (``st.dataframe``): bidirectional controls in text
    cells neutralised (:func:`~sitmap.escaping.plain_text`), so no name shows reversed.
    """
    out = table
    for column in table.columns:
        cells = table[column]
        if not (pd.api.types.is_object_dtype(cells) or pd.api.types.is_string_dtype(cells)):
            continue
        try:
            hits = cells.str.contains(_BIDI_PATTERN, regex=True, na=False).astype(bool)
        except AttributeError:  # no text in this column
            continue
        if hits.any():
            out = out.copy() if out is table else out
            out[column] = [plain_text(v) if hit else v for v, hit in zip(cells, hits, strict=True)]
    return out


def plain_rows(rows: Sequence[Mapping[str, object]], /) -> list[dict[str, object]]:
    """Table rows for ``st.dataframe`` with every text cell's bidirectional controls
    neutralised (:func:`~sitmap.escaping.plain_text`).
    """
    return [{k: plain_text(v) if isinstance(v, str) else v for k, v in r.items()} for r in rows]


def comparison_columns(analysis: Analysis, /) -> tuple[list[str], list[str]]:
    """The comparison's columns: those shown at a glance, and those shown on demand."""
    area, line = analysis.controlled_area_label, analysis.control_line_label
    glance = [
        "Rank",
        "Corridor",
        "Ranked on",
        "Length (km)",
        f"In the {area} (km)",
        f"{line.capitalize()} crossings",
        "Walk (min)",
    ]
    return glance, ["Corridor", "Kind", "Behind best", "Ends in", "Nearest crossing"]


def comparison_widths(analysis: Analysis, /) -> dict[str, int]:
    """Column widths (px) that fit the comparison on a 1400 px screen without scrolling."""
    glance, _ = comparison_columns(analysis)
    sizes = [45, 240, 95, 100, 140, 135, 95]
    return dict(zip(glance, sizes, strict=True))


def comparison_table(
    rows: Sequence[ComparisonRow],
    /,
    *,
    by: str,
    origins: Mapping[str, str],
    analysis: Analysis,
) -> list[dict[str, object]]:
    """One plain row per corridor, ranked on ``by`` (rank 1 = smallest value).

    Each measure is shown with its range from the positional accuracy of what it was
    measured against ('4.8 (3.3–6.3)', :mod:`sitmap.analysis.uncertainty`), rounded to
    what is known; a figure alone when exact.
    """
    unit, scale = _UNITS.get(by, ("", 1.0))
    area, line = analysis.controlled_area_label, analysis.control_line_label
    table: list[dict[str, object]] = []
    for row in rows:
        report = row.report
        value = "n/a" if row.value is None else f"{row.value / scale:.2f} {unit}".strip()
        diff = "" if row.difference is None else f"+{row.difference / scale:.2f} {unit}".strip()
        near = report.nearest_crossing
        near_span = report.ranges.nearest_crossing_m if report.ranges else None
        table.append(
            {
                "id": str(row.id),
                "Rank": row.rank,
                "Corridor": row.name or str(row.id),
                "Kind": origins.get(str(row.id), ""),
                "Ranked on": value,
                "Behind best": diff if row.difference else "",
                "Length (km)": km_range_text(report.length_m, report.span("length_m"), unit=False),
                f"In the {area} (km)": km_range_text(
                    report.length_in_controlled_m,
                    report.span("length_in_controlled_m"),
                    unit=False,
                ),
                f"{line.capitalize()} crossings": count_range_text(
                    report.control_line_crossings, report.span("control_line_crossings")
                ),
                "Ends in": report.end_in[0] if report.end_in else "outside mapped areas",
                "Nearest crossing": f"{near.name}, {km_range_text(near.distance_m, near_span)}"
                if near
                else "",
                "Walk (min)": minutes_range_text(report.walk_minutes, report.span("walk_minutes")),
            }
        )
    return table


@dataclass(frozen=True)
class EventsTable:
    """The events listed up to a day: the table, and how many events there are in all."""

    frame: pd.DataFrame
    total: int
    as_of: dt.date

    since: dt.date | None = None

    @property
    def note(self) -> str:
        """'N events up to DAY', saying when only the latest are listed."""
        start = f"from {self.since.isoformat()} " if self.since else ""
        note = f"{self.total} events {start}up to {self.as_of.isoformat()}"
        if len(self.frame) < self.total:
            note += f" (the latest {len(self.frame)} listed; the map shows them all)"
        return note


EVENT_COLUMNS: tuple[str, ...] = ("Date", "Event", "Source")
"""The events list at a glance; the other columns open on demand."""
EVENT_WIDTHS: dict[str, int] = {"Date": 120, "Event": 430, "Source": 280}
"""Column widths (px) that fit the events list on a 1400 px screen without scrolling."""


def events_table(
    situation: Situation, as_of: dt.date, /, *, since: dt.date | None = None
) -> EventsTable:
    """The latest events from ``since`` to ``as_of`` (UTC days), in time order, with
    precision and sources.
    """
    total = 0
    tables = []
    sources = {s: source_text(s, situation.sources) for s in situation.sources}
    for layer in situation.layers_of(LayerKind.EVENTS):
        rows, count = event_rows(layer.frame, as_of, since=since)
        total += count
        if rows.empty:  # an empty column has no string dtype to build the date text with
            continue
        tables.append(
            pd.DataFrame(
                {
                    "id": rows["id"],
                    "Date": rows["time"].dt.strftime("%Y-%m-%d")
                    + " ("
                    + rows["time_precision"]
                    + ")",
                    "Event": rows["title"],
                    "Actors": rows["actors"].map(", ".join),
                    "On map": rows["located"].map({True: "yes", False: "no place"}),
                    "Source": rows["source"].map(
                        lambda ids: "; ".join(sources.get(i, i) for i in ids)
                    ),
                    "How dated": rows["dating"],
                }
            )
        )
    frame = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()
    return EventsTable(frame, total, as_of, since)


@dataclass(frozen=True)
class ClaimTable:
    """Rival claims on one question: the question, and who says what, when, where."""

    about: str
    frame: pd.DataFrame


def claim_tables(situation: Situation, as_of: dt.date, /) -> list[ClaimTable]:
    """Who says what on each question, claims made by ``as_of``, most-disputed first."""
    return [
        ClaimTable(
            group.about,
            pd.DataFrame(
                [
                    {
                        "Who": row.by,
                        "Says": row.says,
                        "Source": source_text(row.source, situation.sources),
                        "Date": row.date.isoformat(),
                        "On": row.feature_name,
                    }
                    for row in group.rows
                ]
            ),
        )
        for group in claim_groups(situation, as_of)
    ]


def sources_table(situation: Situation, /) -> pd.DataFrame:
    """Every source once, with its date, address and notes."""
    return pd.DataFrame(
        [
            {
                "Id": s.id,
                "Publisher": s.publisher,
                "Title": s.title,
                "Date": s.date.isoformat(),
                "URL": s.url or "",
                "Notes": s.notes or "",
            }
            for s in situation.sources.values()
        ]
    )
