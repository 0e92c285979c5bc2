"""Turn an event table (an ACLED export, an analyst's spreadsheet) into a situation events layer.

The table is read like any upload (:func:`sitmap.io.imports.read_upload`: sandboxed,
bounded; points from longitude/latitude or WKT columns, WGS 84 degrees); each row becomes
one event whose properties follow ``schema.EventProps`` (title, time in UTC,
time_precision, dating, actors, source ids, accuracy_m, approximate, ...), so the result
passes ``sitmap validate`` as an events layer. Every other column is kept as a property.

Columns are recognised by name (case, spaces and punctuation ignored) or named by
:class:`EventColumns`. ACLED's precision codes map by these tables (ACLED codebook):

| ACLED ``time_precision`` | meaning | ``time_precision`` |
|---|---|---|
| 1 | the day is known | day |
| 2 | within a week of the date | week |
| 3 | within a month of the date | month |

| ACLED ``geo_precision`` | meaning | ``accuracy_m`` | ``approximate`` |
|---|---|---|---|
| 1 | the town or village is known (its coordinates) | 2,000 | false |
| 2 | near a town, or part of a region | 10,000 | true |
| 3 | only a larger region (its centroid) | 50,000 | true |

A table without precision columns: ``time_precision`` from :class:`EventColumns`
(default day), ``accuracy_m`` from an ``accuracy_m`` column or the option (default 1,000
m, said in ``dating``-like words in each description and in a note). ``source`` cells are
split on ``;`` (ACLED's separator): each source becomes an id (its name in lower case,
hyphenated) and the names are kept in ``source_names``. A row that cannot be dated, or
whose date or precision code is not understood, refuses the file naming the row; a row
without coordinates is kept as an event without a place, and named in a note.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
import shapely

from sitmap.errors import NO_FEATURE, ImportRefusedError, Problem
from sitmap.io.imports import ImportedLayer
from sitmap.schema import EventProps, LayerKind
from sitmap.validation import check_collection

__all__ = [
    "ACLED_ACCURACY_M",
    "ACLED_TIME_PRECISION",
    "DEFAULT_ACCURACY_M",
    "EventColumns",
    "EventTable",
    "events_from_layer",
    "events_geojson",
    "events_summary",
]

Precision = Literal["day", "week", "month"]

ACLED_TIME_PRECISION: dict[int, Precision] = {1: "day", 2: "week", 3: "month"}
"""ACLED ``time_precision`` code -> ``time_precision``."""
ACLED_ACCURACY_M: dict[int, tuple[int, bool, str]] = {
    1: (2_000, False, "the town or village is known; placed at its coordinates"),
    2: (10_000, True, "near a town or in part of a region; placed at the town's coordinates"),
    3: (50_000, True, "only a larger region is known; placed at the region's centroid"),
}
"""ACLED ``geo_precision`` code -> (accuracy_m, approximate, what ACLED says of the place)."""
DEFAULT_ACCURACY_M = 1_000
"""Positional accuracy (metres) given to rows of a table that states none."""

_NAMES: dict[str, tuple[str, ...]] = {
    "date": ("eventdate", "date", "datetime", "time", "when", "day", "dateofevent", "occurred"),
    "id": ("eventidcnty", "eventid", "id", "eventidno"),
    "kind": ("eventtype", "type", "kind", "category"),
    "subkind": ("subeventtype", "subtype"),
    "title": ("title", "event", "headline", "what"),
    "place": ("location", "place", "placename", "town", "city", "admin3", "admin2"),
    "actors": ("actor1", "actor2", "assocactor1", "assocactor2", "actors", "actor", "who"),
    "source": ("source", "sources"),
    "notes": ("notes", "description", "details", "summary"),
    "time_precision": ("timeprecision",),
    "geo_precision": ("geoprecision",),
    "accuracy": ("accuracym", "accuracy"),
}
_SCHEMA_FIELDS = frozenset(EventProps.model_fields)
"""Names sitmap reads with a meaning: a table's own column so named is kept as ``table_<name>``."""
_NOT_ID = re.compile(r"[^A-Za-z0-9_.:\-]+")


@dataclass(frozen=True)
class EventColumns:
    """Column names chosen by the person (None: recognised by name) and defaults.

    ``actors`` may name several columns. ``precision`` is used for rows without an ACLED
    ``time_precision`` code; ``accuracy_m`` (metres) for rows without a geo_precision code
    or accuracy column.
    """

    date: str | None = None
    title: str | None = None
    actors: tuple[str, ...] = ()
    source: str | None = None
    precision: Precision = "day"
    accuracy_m: int = DEFAULT_ACCURACY_M


@dataclass(frozen=True)
class EventTable:
    """An event table made into events: a FeatureCollection (dict) and what was done."""

    filename: str
    collection: dict[str, Any]
    notes: tuple[str, ...]

    @property
    def count(self) -> int:
        """How many events."""
        return len(self.collection["features"])


def _key(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.casefold())


def _find(columns: Sequence[str], role: str) -> list[str]:
    """Columns playing ``role``, in the order of the recognised names."""
    keyed = {_key(c): c for c in reversed(columns)}
    return [keyed[n] for n in _NAMES[role] if n in keyed]


def _chosen(file: str, columns: Sequence[str], wanted: str | None, role: str) -> str | None:
    if wanted is None:
        found = _find(columns, role)
        return found[0] if found else None
    if wanted not in columns:
        shown = ", ".join(repr(c) for c in columns[:40])
        problem = f"no column named {wanted!r} (for the event {role}); columns are: {shown}"
        raise ImportRefusedError([Problem(file, NO_FEATURE, problem)])
    return wanted


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    text = str(value).strip()
    return text or None


def _identifier(text: str, fallback: str, *, lower: bool = True) -> str:
    """``text`` as a schema identifier (letters, digits, ``_.:-``), else ``fallback``."""
    ident = _NOT_ID.sub("-", text.strip()).strip("-._:")[:128]
    ident = ident.lower() if lower else ident
    return ident if ident and ident[0].isalnum() else fallback


def _parse_dates(values: list[Any]) -> pd.Series:
    """Dates and times as UTC timestamps (NaT where not understood): ISO 8601 first, then
    day-first spellings ('07 Oct 2023', '07/10/2023'); a time without a zone is read as UTC.
    """
    texts = pd.Series([_text(v) for v in values], dtype=object)
    parsed = pd.to_datetime(texts, format="ISO8601", errors="coerce", utc=True)
    rest = parsed.isna() & texts.notna()
    if rest.any():
        parsed[rest] = pd.to_datetime(
            texts[rest], format="mixed", dayfirst=True, errors="coerce", utc=True
        )
    return parsed


def _code(value: Any) -> int | None:
    """An integer code (1, '1', 1.0); None when blank; -1 when not an integer."""
    if _text(value) is None:
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        return -1
    return int(number) if number.is_integer() else -1


class _Rows:
    """The columns of one table and the roles they play."""

    def __init__(self, layer: ImportedLayer, options: EventColumns) -> None:
        frame = layer.frame
        self.file = layer.filename
        self.columns = [str(c) for c in frame.columns if c != frame.geometry.name]
        self.values = {c: frame[c].tolist() for c in self.columns}
        self.geoms = np.asarray(frame.geometry.array, dtype=object)
        self.size = len(frame)
        cols = self.columns
        self.date = _chosen(self.file, cols, options.date, "date")
        self.title = _chosen(self.file, cols, options.title, "title")
        self.source = _chosen(self.file, cols, options.source, "source")
        for actor in options.actors:
            _chosen(self.file, cols, actor, "actors")
        self.actors = list(options.actors) or _find(cols, "actors")
        self.roles = {role: _find(cols, role) for role in _NAMES}

    def column(self, role: str) -> list[Any] | None:
        found = self.roles[role]
        return self.values[found[0]] if found else None


def events_from_layer(
    layer: ImportedLayer, /, *, options: EventColumns | None = None
) -> EventTable:
    """The rows of an imported table (WGS 84 points) as events; raises ImportRefusedError
    naming every row that cannot be dated or whose precision code is unknown.
    """
    options = options or EventColumns()
    rows = _Rows(layer, options)
    file = rows.file
    if rows.date is None:
        shown = ", ".join(repr(c) for c in rows.columns[:40])
        problem = (
            f"no date column found (event_date, date, datetime, time...); columns are: {shown}; "
            "name it with --date COLUMN"
        )
        raise ImportRefusedError([Problem(file, NO_FEATURE, problem)])
    parsed = _parse_dates(rows.values[rows.date])
    undated = parsed.isna().tolist()
    times = parsed.dt.strftime("%Y-%m-%dT%H:%M:%SZ").tolist()
    notes = list(layer.notes)
    problems: list[Problem] = []
    features: list[dict[str, Any]] = []
    unplaced: list[str] = []
    builder = _EventBuilder(rows, options)
    present = ~shapely.is_missing(rows.geoms) & ~shapely.is_empty(rows.geoms)
    geometry_texts = np.full(rows.size, None, dtype=object)
    geometry_texts[present] = shapely.to_geojson(rows.geoms[present])
    for index in range(rows.size):
        label = builder.label(index)
        if undated[index]:
            raw = _text(rows.values[rows.date][index])
            problem = (
                f"cannot be dated: {rows.date!r} is empty"
                if raw is None
                else f"cannot be dated: {rows.date!r} holds {raw[:40]!r}, not a date"
            )
            problems.append(Problem(file, label, problem))
            continue
        try:
            props = builder.properties(index, times[index])
        except ValueError as err:
            problems.append(Problem(file, label, str(err)))
            continue
        text = geometry_texts[index]
        if text is None:
            unplaced.append(label)
            props.pop("accuracy_m", None)
            geometry_json = None
        else:
            geometry_json = json.loads(text)
        features.append({"type": "Feature", "properties": props, "geometry": geometry_json})
    if problems:
        raise ImportRefusedError(problems)
    if unplaced:
        more = f" (+{len(unplaced) - 10} more)" if len(unplaced) > 10 else ""
        notes.append(
            f"{len(unplaced):,} rows without coordinates kept as events without a place: "
            f"{', '.join(unplaced[:10])}{more}"
        )
    notes.extend(builder.notes())
    collection = {"type": "FeatureCollection", "features": features}
    checked = check_collection(collection, file=file, kind=LayerKind.EVENTS, extent=None)
    if checked.problems:
        raise ImportRefusedError(checked.problems)
    return EventTable(layer.filename, collection, tuple(notes))


class _EventBuilder:
    """Builds one event's properties from one row, counting what was assumed."""

    def __init__(self, rows: _Rows, options: EventColumns) -> None:
        self.rows, self.options = rows, options
        self.ids = rows.column("id")
        self.kinds = rows.column("kind")
        self.subkinds = rows.column("subkind")
        self.places = rows.column("place")
        self.notes_col = rows.column("notes")
        self.tp = rows.column("time_precision")
        self.gp = rows.column("geo_precision")
        self.accuracy = rows.column("accuracy")
        self.assumed_accuracy = 0
        self.no_actor = 0
        self.no_source = 0
        self.used_ids: set[str] = set()
        self.extras = list(rows.columns)

    def label(self, index: int) -> str:
        ident = _text(self.ids[index]) if self.ids is not None else None
        return f"row {index + 2}" + (f" ({ident[:40]})" if ident else "")

    def _cell(self, column: list[Any] | None, index: int) -> str | None:
        return _text(column[index]) if column is not None else None

    def _date_text(self, index: int) -> str:
        return str(self._cell(self.rows.values[str(self.rows.date)], index))

    def _id(self, index: int) -> str:
        raw = self._cell(self.ids, index)
        ident = _identifier(raw, f"row-{index + 2}", lower=False) if raw else f"row-{index + 2}"
        base, n = ident, 2
        while ident in self.used_ids:
            ident, n = f"{base}-{n}", n + 1
        self.used_ids.add(ident)
        return ident

    def _precision(self, index: int) -> tuple[Precision, str]:
        raw = self.tp[index] if self.tp is not None else None
        code = _code(raw)
        if code is None:
            return self.options.precision, f"time_precision {self.options.precision} (stated)"
        if code not in ACLED_TIME_PRECISION:
            msg = f"time_precision {raw!r} is not an ACLED code (1 day, 2 week, 3 month)"
            raise ValueError(msg)
        return ACLED_TIME_PRECISION[code], f"ACLED time_precision {code}"

    def _place(self, index: int) -> tuple[int, bool, str | None]:
        raw = self.gp[index] if self.gp is not None else None
        code = _code(raw)
        if code is not None:
            if code not in ACLED_ACCURACY_M:
                msg = f"geo_precision {raw!r} is not an ACLED code (1, 2 or 3)"
                raise ValueError(msg)
            metres, approximate, words = ACLED_ACCURACY_M[code]
            return metres, approximate, f"ACLED geo_precision {code}: {words}"
        stated = self._cell(self.accuracy, index)
        if stated is not None:
            try:
                return int(float(stated)), False, None
            except ValueError:
                msg = f"accuracy {stated!r} is not a number of metres"
                raise ValueError(msg) from None
        self.assumed_accuracy += 1
        return (
            self.options.accuracy_m,
            True,
            f"the table states no positional accuracy; {self.options.accuracy_m:,} m assumed",
        )

    def _actors(self, index: int) -> list[str]:
        found = [t for c in self.rows.actors if (t := _text(self.rows.values[c][index]))]
        if not found:
            self.no_actor += 1
            return ["not stated in the table"]
        return list(dict.fromkeys(found))

    def _sources(self, index: int) -> tuple[list[str], list[str]]:
        raw = _text(self.rows.values[self.rows.source][index]) if self.rows.source else None
        names = [n.strip() for n in (raw or "").split(";") if n.strip()]
        if not names:
            self.no_source += 1
            return [_identifier(self.rows.file.rsplit("/", 1)[-1], "table")], []
        return [_identifier(n, "source") for n in names], names

    def properties(self, index: int, when: str) -> dict[str, Any]:
        """The event's properties (EventProps); ValueError for an unknown precision code."""
        precision, dated_by = self._precision(index)
        accuracy, approximate, placed_by = self._place(index)
        kind = self._cell(self.kinds, index)
        subkind = self._cell(self.subkinds, index)
        place = self._cell(self.places, index)
        title = self._cell(self.rows.values.get(self.rows.title or ""), index) or " in ".join(
            t for t in (subkind or kind or "Event", place) if t
        )
        sources, names = self._sources(index)
        notes = self._cell(self.notes_col, index)
        description = " ".join(
            t
            for t in (
                notes and notes.rstrip(". ") + ".",
                f"Position: {placed_by}." if placed_by else None,
            )
            if t
        )
        props: dict[str, Any] = {
            "id": self._id(index),
            "kind": _identifier(kind or "event", "event"),
            "title": title[:2_000],
            "time": when,
            "time_precision": precision,
            "dating": f"{self.rows.date} {self._date_text(index)}; {dated_by}",
            "actors": self._actors(index),
            "source": sources,
            "accuracy_m": accuracy,
            "approximate": approximate,
        }
        if place:
            props["name"] = place[:2_000]
        if names:
            props["source_names"] = names
        if description:
            props["description"] = description[:10_000]
        for column in self.extras:
            value = self.rows.values[column][index]
            if value is not None and not (isinstance(value, float) and not math.isfinite(value)):
                key = f"table_{column}" if column in _SCHEMA_FIELDS else column
                props[key] = value
        return props

    def notes(self) -> list[str]:
        out = []
        if self.assumed_accuracy:
            out.append(
                f"{self.assumed_accuracy:,} events without a stated positional accuracy: "
                f"{self.options.accuracy_m:,} m assumed and marked approximate"
            )
        if self.no_actor:
            out.append(f"{self.no_actor:,} events name no actor: 'not stated in the table'")
        if self.no_source:
            out.append(
                f"{self.no_source:,} events name no source: the table itself is cited as "
                "their source"
            )
        return out


def events_geojson(table: EventTable, /) -> str:
    """The events as an RFC 7946 FeatureCollection (WGS 84 lon/lat), UTF-8 text."""
    return json.dumps(table.collection, ensure_ascii=False, allow_nan=False)


def events_summary(table: EventTable, /) -> str:
    """What was made, for people: count, time range, precisions, places, notes."""
    features = table.collection["features"]
    times = sorted(f["properties"]["time"] for f in features)
    precisions: dict[str, int] = {}
    for feature in features:
        key = feature["properties"]["time_precision"]
        precisions[key] = precisions.get(key, 0) + 1
    placed = sum(1 for f in features if f["geometry"] is not None)
    lines = [
        f"file: {table.filename}",
        "as: events (a situation events layer)",
        f"events: {len(features):,} ({placed:,} with a place)",
        f"time (UTC): {times[0]} to {times[-1]}" if times else "time: none",
        "time precision: " + ", ".join(f"{k} {v:,}" for k, v in sorted(precisions.items())),
    ]
    lines.extend(f"note: {note}" for note in table.notes)
    return "\n".join(lines)
