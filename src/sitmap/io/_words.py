"""Say what is wrong with an uploaded file in a person's words, not a library's.

Three sources of foreign words are translated: Python's type names in validation's
messages (``NoneType``, ``dict``), validation's nesting message for a position with the
wrong number of values, and GDAL's own error text. What is not recognised is kept as is.
"""

from __future__ import annotations

import re
from typing import Any

from sitmap.errors import Problem

__all__ = [
    "gdal_in_words",
    "geojson_problem_in_words",
]

_JSON_NAMES = {
    "NoneType": "null",
    "bool": "true/false",
    "str": "text",
    "list": "an array",
    "dict": "an object",
    "int": "a number",
    "float": "a number",
}
_PYTHON_TYPE = re.compile(r"\bnot (NoneType|bool|str|list|dict|int|float)\b")
_NESTING = re.compile(
    r"^(\w+) coordinates must be nested (\d+) levels? above \[lon, lat\] positions$"
)
_NO_TYPE = "top level must be a FeatureCollection, not None"

_GDAL_WORDS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), words)
    for pattern, words in (
        (
            r"not recognized as (being in )?a supported file format",
            "is not a file of this format that can be read (damaged, or another format)",
        ),
        (r"unexpected EOF parsing WKB|ParseException", "holds geometry data cut short (damaged)"),
        (
            r"do not form a closed linestring",
            "a polygon ring is not closed (first and last positions differ)",
        ),
        (r"point array must contain 0 or >1 elements", "a line has a single position"),
        (r"Invalid number of points in LinearRing", "a polygon ring has fewer than 4 positions"),
        (r"file is not a database|database disk image is malformed", "the database is damaged"),
        (r"Unable to open|No such file or directory", "a file it needs is missing or damaged"),
        (r"Corrupted|corrupt|truncated|Failed to read", "the file is damaged or cut short"),
        (r"not enough memory|out of memory|Cannot allocate", "too large to read in memory"),
    )
)


def gdal_in_words(text: str) -> str:
    """GDAL's (or GEOS's) error text said about the file; GDAL's own words in brackets."""
    for pattern, words in _GDAL_WORDS:
        if pattern.search(text):
            return f"{words} (the reading library said: {text[:160]})"
    return text


def _json_type(value: Any) -> str:
    return _JSON_NAMES.get(type(value).__name__, type(value).__name__)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _position_words(gtype: str, depth: int, geometry: Any) -> str | None:
    """What is wrong where ``gtype`` positions belong, in words; None if nothing found."""
    stack: list[tuple[Any, int]] = [(geometry.get("coordinates"), depth)]
    while stack:
        value, level = stack.pop()
        if level > 0:
            if not isinstance(value, list):
                return (
                    f"{gtype} coordinates: found {_json_type(value)} ({str(value)[:40]}) where "
                    "an array of positions belongs: they need one more level of nesting"
                )
            stack.extend((item, level - 1) for item in reversed(value))
            continue
        if not isinstance(value, list):
            return (
                f"{gtype} coordinates: found {_json_type(value)} ({str(value)[:40]}) where a "
                "position [longitude, latitude] belongs: they need one more level of nesting"
            )
        if value and all(isinstance(item, list) for item in value):
            return (
                f"{gtype} coordinates are nested one level too deep: found an array of "
                "positions where one position [longitude, latitude] belongs"
            )
        if all(_is_number(item) for item in value) and not 2 <= len(value) <= 3:
            return (
                f"a position has {len(value)} value{'' if len(value) == 1 else 's'} "
                f"({str(value)[:60]}); a position is [longitude, latitude], optionally with a "
                "height"
            )
    return None


def geojson_problem_in_words(problem: Problem, geometry: Any) -> Problem:
    """A validation problem of an uploaded GeoJSON feature, said in a person's words.

    ``geometry`` is the feature's (any JSON value), used to name a bad position exactly.
    """
    text = problem.problem
    if text == _NO_TYPE:
        text = (
            'not GeoJSON: the JSON has no "type" member (a GeoJSON layer is '
            '{"type": "FeatureCollection", "features": [...]})'
        )
    elif text.startswith("coordinate [") and text.endswith("] is not a number"):
        text = (
            f"a position holds an array ({text[11:-17][:60]}) where a number belongs: the "
            "coordinates are nested one level too deep"
        )
    elif match := _NESTING.match(text):
        if isinstance(geometry, dict):
            text = _position_words(match[1], int(match[2]), geometry) or text
    else:
        text = _PYTHON_TYPE.sub(lambda m: f"not {_JSON_NAMES[m[1]]}", text)
    return problem if text == problem.problem else Problem(problem.file, problem.feature, text)
