"""Read CSV layers: points from longitude/latitude columns (degrees), or a WKT column.

Common column spellings are recognised (lon/lng/x, lat/y, ...), decimal commas are read
when the delimiter is not a comma, and every unreadable cell is named by its row.
"""

from __future__ import annotations

import csv
import io
import itertools
import operator
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NoReturn

import numpy as np
import shapely

from sitmap.errors import ImportRefusedError, Problem
from sitmap.io._cleaning import unique
from sitmap.io._readcontext import Labels, Part, ReadContext

__all__ = [
    "read_csv",
]

_LON_NAMES = (
    "longitude",
    "lon",
    "lng",
    "long",
    "x",
    "xcoord",
    "xcoordinate",
    "pointx",
    "decimallongitude",
)
_LAT_NAMES = ("latitude", "lat", "y", "ycoord", "ycoordinate", "pointy", "decimallatitude")
_WKT_NAMES = ("wkt", "geometry", "geom", "thegeom", "shape")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_INTEGER = re.compile(r"[+-]?(?:0|[1-9]\d{0,17})")
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")


def read_csv(reader: ReadContext, text: str) -> Part:
    """CSV with longitude/latitude columns (common spellings) or a WKT column."""
    header_line = next((line for line in text[:65536].splitlines() if line.strip()), "")
    if not header_line:
        reader.fail("file holds only whitespace")
    delimiter = max(",;\t|", key=header_line.count)
    if header_line.count(delimiter) == 0:
        delimiter = ","
    header, rows = _read_rows(reader, text, delimiter)
    if len(header) > reader.limits.max_fields:
        reader.fail(reader.too_many_fields(len(header)))
    names = _unique_names([cell.strip() or f"column_{i + 1}" for i, cell in enumerate(header)])
    _check_row_widths(reader, rows, len(names), delimiter)
    columns = {
        name: [row[i] if i < len(row) else "" for _, row in rows] for i, name in enumerate(names)
    }
    labels = Labels(columns.get("id"), len(rows), rows=[line for line, _ in rows])
    lon_col, lat_col = _find_column(columns, _LON_NAMES), _find_column(columns, _LAT_NAMES)
    wkt_col = _find_column(columns, _WKT_NAMES)
    if lon_col and lat_col:
        if (lon_col.lower(), lat_col.lower()) != ("lon", "lat"):
            reader.note(f"CSV columns {lat_col!r}/{lon_col!r} used as latitude/longitude")
        geoms = _csv_points(
            reader, columns, lon_col, lat_col, labels, decimal_comma=delimiter != ","
        )
    elif wkt_col and not (lon_col or lat_col):
        reader.note(f"CSV column {wkt_col!r} read as WKT geometry")
        geoms = _csv_wkt(reader, columns.pop(wkt_col), labels)
    else:
        _fail_without_coordinates(reader, names, lon_col, lat_col)
    for name in columns:
        columns[name] = _typed_cells(columns[name])
    return Part(
        geoms=geoms,
        columns=columns,
        labels=labels,
        projected_hint="convert the coordinates to longitude/latitude degrees (EPSG:4326)",
    )


def _read_rows(
    reader: ReadContext, text: str, delimiter: str
) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header (first non-blank row), and the other non-blank rows with their line numbers.

    Refuses more rows than the feature limit, and text that is not readable as CSV.
    """
    lines = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next((row for row in lines if any(cell.strip() for cell in row)), [])
        rows: list[tuple[int, list[str]]] = []
        for row in lines:
            if not any(cell.strip() for cell in row):
                continue
            if len(rows) >= reader.limits.max_features:
                reader.fail(reader.too_many_features(len(rows) + 1, more=True))
            rows.append((lines.line_num, row))
    except csv.Error as err:
        reader.fail(f"not readable as CSV (line {lines.line_num}): {err}")
    return header, rows


def _check_row_widths(
    reader: ReadContext, rows: list[tuple[int, list[str]]], width: int, delimiter: str
) -> None:
    """Refuse the file, naming every row with more cells than the header's ``width``."""
    problems: list[Problem] = []
    for line, row in rows:
        if len(row) > width:
            problems.append(
                Problem(
                    reader.file,
                    f"row {line}",
                    f"has {len(row)} cells but the header has {width} "
                    f"(an unquoted {_delimiter_name(delimiter)}?)",
                )
            )
    if problems:
        raise ImportRefusedError(problems)


def _fail_without_coordinates(
    reader: ReadContext, names: list[str], lon_col: str | None, lat_col: str | None
) -> NoReturn:
    """Refuse a CSV without a usable pair of coordinate columns (or WKT column)."""
    seen = ", ".join(repr(n) for n in names[:20]) + (" ..." if len(names) > 20 else "")
    if lon_col or lat_col:
        which = f"a longitude column {lon_col!r}" if lon_col else f"a latitude column {lat_col!r}"
        other = "latitude" if lon_col else "longitude"
        reader.fail(f"found {which} but no {other} column; columns are: {seen}")
    reader.fail(
        f"no longitude/latitude columns found; columns are: {seen}. Name them lon and "
        "lat (or longitude/latitude, x/y), or add a WKT column named geometry"
    )


def _csv_points(
    reader: ReadContext,
    columns: dict[str, list[Any]],
    lon_col: str,
    lat_col: str,
    labels: Sequence[str],
    *,
    decimal_comma: bool,
) -> np.ndarray:
    """Points from two text columns; every unreadable cell is named by its row."""
    lon = _Numbers(columns[lon_col], decimal_comma=decimal_comma)
    lat = _Numbers(columns[lat_col], decimal_comma=decimal_comma)
    problems: list[Problem] = []
    suspect = lon.bad | lat.bad | (lon.empty != lat.empty)
    for i in np.flatnonzero(suspect).tolist():
        for numbers, other, column, what, other_what in (
            (lon, lat, lon_col, "longitude", "latitude"),
            (lat, lon, lat_col, "latitude", "longitude"),
        ):
            if numbers.empty[i] and not other.empty[i]:
                problem = f"has a {other_what} but no {what} (column {column!r})"
                problems.append(Problem(reader.file, labels[i], problem))
            elif numbers.bad[i]:
                text = numbers.text[i]
                shown = text if len(text) <= 40 else text[:37] + "..."
                problem = f"{what} {shown!r} in column {column!r} is not a number"
                problems.append(Problem(reader.file, labels[i], problem))
    if problems:
        raise ImportRefusedError(problems)
    if lon.used_comma or lat.used_comma:
        reader.note("decimal commas in coordinates read as decimal points")
    located = ~lon.empty
    x, y = lon.values[located], lat.values[located]
    if len(y) and 90 < np.abs(y).max() <= 180 and np.abs(x).max() <= 90:
        sample = y[np.abs(y) > 90][0]
        reader.fail(
            f"columns {lat_col!r} and {lon_col!r} look swapped: {lat_col!r} holds values "
            f"beyond ±90 (e.g. {sample:g}) and every {lon_col!r} value is within ±90; "
            "swap the column names"
        )
    geoms = np.full(len(located), None, dtype=object)
    geoms[located] = shapely.points(x, y)
    return geoms


def _csv_wkt(reader: ReadContext, cells: list[Any], labels: Sequence[str]) -> np.ndarray:
    geoms = np.full(len(cells), None, dtype=object)
    problems = []
    for i, cell in enumerate(cells):
        if not cell.strip():
            continue
        try:
            geoms[i] = shapely.from_wkt(cell)
        except (shapely.errors.GEOSException, ValueError):
            problems.append(Problem(reader.file, labels[i], "geometry is not readable WKT"))
    if problems:
        raise ImportRefusedError(problems)
    return geoms


def _delimiter_name(delimiter: str) -> str:
    return {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar"}[delimiter]


def _find_column(columns: Mapping[str, Any], names: Iterable[str]) -> str | None:
    normal = {re.sub(r"[^a-z]", "", c.casefold()): c for c in reversed(list(columns))}
    for name in names:
        if name in normal:
            return normal[name]
    for name in names:
        if len(name) > 4:
            for key, column in normal.items():
                if key.startswith(name):
                    return column
    return None


def _unique_names(names: list[str]) -> list[str]:
    used: set[str] = set()
    return [unique(name, used) for name in names]


class _Numbers:
    """A CSV column read as numbers: values (NaN where none), empty and bad cells."""

    def __init__(self, cells: list[str], *, decimal_comma: bool = False) -> None:
        count = len(cells)
        text = list(map(str.strip, cells))
        self.empty = np.fromiter(map(operator.not_, text), bool, count=count)
        self.used_comma = False
        if decimal_comma:
            comma = np.fromiter(map(bool, map(_DECIMAL_COMMA.fullmatch, text)), bool, count=count)
            for i in np.flatnonzero(comma):
                text[i] = text[i].replace(",", ".")
            self.used_comma = bool(comma.any())
        number = np.fromiter(map(bool, map(_NUMBER.fullmatch, text)), bool, count=count)
        self.values = np.full(count, np.nan)
        self.values[number] = np.fromiter(
            map(float, itertools.compress(text, number)), float, count=int(number.sum())
        )
        self.bad = ~self.empty & ~np.isfinite(self.values)
        self.text = text


def _typed_cells(cells: list[str]) -> list[Any]:
    """CSV cells typed per column: all integers, all numbers, else text; empty is None."""
    numbers = _Numbers(cells)
    if numbers.empty.all() or numbers.bad.any():
        return [c if c.strip() else None for c in cells]
    filled = [t for t, e in zip(numbers.text, numbers.empty, strict=True) if not e]
    if all(map(_INTEGER.fullmatch, filled)):
        return [None if e else int(t) for t, e in zip(numbers.text, numbers.empty, strict=True)]
    return [None if e else v for v, e in zip(numbers.values.tolist(), numbers.empty, strict=True)]
