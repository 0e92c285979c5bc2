"""The events payload: every located event as compact JSON columns for the map's canvas.

Built once per situation version (:mod:`sitmap.caching`), carried deflated as base64 text
and read by ``SitmapPoints`` in ``static/sitmap/sitmap.js``. Positions are [lon, lat].
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
import zlib
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np
import pandas as pd
import shapely

from sitmap.caching import DerivedCache
from sitmap.escaping import script_safe
from sitmap.mapview.popups import OPTIONAL_ROWS, POPUP_TEXT, source_text
from sitmap.memory import release_free_memory
from sitmap.schema import LayerKind, Source
from sitmap.situation import Situation

__all__ = [
    "COORD_SCALE",
    "EVENTS_PAYLOAD_VERSION",
    "decode_events_payload",
    "deflated_events_payload",
    "events_payload",
]


_PAYLOADS: DerivedCache[tuple[str, str]] = DerivedCache("events payloads", maxsize=2)
"""Per situation key: the payload's JSON text and its deflated base64 form (every rerun
builds the base map again: this makes it cost nothing)."""


EVENTS_PAYLOAD_VERSION = 3
"""Layout of ``events_payload``; ``SitmapPoints`` in static/sitmap/sitmap.js reads it."""


COORD_SCALE = 1_000_000
"""Event positions travel as whole millionths of a degree (about 0.1 m)."""


def events_payload(situation: Situation, /) -> str:
    """Located events as compact JSON columns for the canvas layer (cached per situation).

    Layout (version 3): ``x``/``y`` are lon/lat in millionths of a degree, minus
    ``x0``/``y0``; ``t`` is epoch seconds (UTC) minus ``t0``; ``cols`` holds the popup
    columns, each ``{"v": [value]}`` (one value for all rows), ``{"v": table, "i": codes}``
    or ``{"a": values}``, whichever is shortest; ``src`` values index ``sources`` (and
    ``urls``, '' when a source has no web address); ``rows`` lists the optional popup rows
    ([label, column]) that some event has; ``claims`` maps a row number to that event's
    claims ([about, by, says, source index, date]); ``text`` holds the popup's fixed
    words (``popups.POPUP_TEXT``). ``decode_events_payload`` reads it back. Escaped for a
    <script> element.
    """
    return _PAYLOADS.get_or_make(situation.key, lambda: _build(situation))[0]


def deflated_events_payload(situation: Situation, /) -> str:
    """``events_payload`` deflated (zlib) as base64 text, as the page carries it (cached)."""
    return _PAYLOADS.get_or_make(situation.key, lambda: _build(situation))[1]


def _build(situation: Situation) -> tuple[str, str]:
    """The payload's JSON text and its deflated base64 form."""
    frames = [layer.frame for layer in situation.layers_of(LayerKind.EVENTS)]
    frame = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    payload = _columns(frame, situation) if len(frame) else _columns_empty()
    del frame, frames
    text = "".join(script_safe(piece) for piece in _json_pieces(payload))
    del payload
    entry = (text, _deflate(text))
    release_free_memory()
    return entry


_SLICE = 20_000
"""Rows turned into JSON text at a time (few Python objects alive at once)."""


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _json_pieces(value: Any) -> Iterator[str]:
    """Compact JSON text of ``value``, piece by piece: numpy arrays (whole numbers) and
    pandas Series (strings) are written ``_SLICE`` rows at a time. A string never spans
    two pieces.
    """
    if isinstance(value, dict):
        yield "{"
        for number, (key, item) in enumerate(value.items()):
            yield ("," if number else "") + _dumps(key) + ":"
            yield from _json_pieces(item)
        yield "}"
    elif isinstance(value, np.ndarray | pd.Series):
        yield "["
        for start in range(0, len(value), _SLICE):
            part = value[start : start + _SLICE]
            text = (
                ",".join(map(str, part.tolist()))
                if isinstance(part, np.ndarray)
                else _dumps(_plain(part))[1:-1]
            )
            yield ("," if start else "") + text
        yield "]"
    else:
        yield _dumps(value)


def _deflate(text: str) -> str:
    """``text`` (UTF-8) deflated (zlib) as base64 text, encoded a megabyte at a time."""
    packed = zlib.compressobj(6)
    parts = [
        packed.compress(text[start : start + (1 << 20)].encode("utf-8"))
        for start in range(0, len(text), 1 << 20)
    ]
    parts.append(packed.flush())
    return base64.b64encode(b"".join(parts)).decode("ascii")


_EPOCH = pd.Timestamp(0, tz="UTC")


def _columns_empty() -> dict[str, Any]:
    return {
        "v": EVENTS_PAYLOAD_VERSION,
        "n": 0,
        "scale": COORD_SCALE,
        "x0": 0,
        "y0": 0,
        "t0": 0,
        "x": [],
        "y": [],
        "t": [],
        "cols": {},
        "rows": [],
        "sources": [],
        "urls": [],
        "claims": {},
        "text": POPUP_TEXT,
    }


def _offsets(values: np.ndarray) -> tuple[int, np.ndarray]:
    """Whole numbers as (smallest, each minus the smallest): shorter JSON."""
    base = int(values.min())
    return base, values - base


def _encode(values: pd.Series, /) -> dict[str, Any]:
    """One popup column, the shortest of: one value for all rows; a table of its distinct
    values plus a code per row; the values themselves (JSON scalars).
    """
    codes, table = pd.factorize(values, use_na_sentinel=False)
    if len(table) <= 1:
        return {"v": _plain(table)}
    if len(table) > len(codes) // 2:  # mostly distinct: a table cannot pay for its codes
        return {"a": values.reset_index(drop=True)}
    uniques = _plain(table)
    lengths = np.array([len(json.dumps(v, ensure_ascii=False)) + 1 for v in uniques])
    plain = int(lengths[codes].sum())
    digits = np.floor(np.log10(np.maximum(codes, 1))).astype(np.int64) + 2  # digits, comma
    if int(lengths.sum() + digits.sum()) < plain:
        return {"v": uniques, "i": np.asarray(codes, dtype=np.int64)}
    return {"a": values.reset_index(drop=True)}


def _plain(values: Any) -> list[Any]:
    """Python scalars (str, int) from a pandas/numpy/arrow column, without a slow walk."""
    return np.asarray(values, dtype=object).tolist()


def _source_codes(lists: pd.Series, index: Mapping[str, int]) -> dict[str, Any]:
    """Each event's source ids as indexes into the source table, encoded like ``_encode``."""
    joined = pd.Series(["\x1f".join(ids) for ids in lists], index=lists.index, dtype=object)
    codes, table = pd.factorize(joined, use_na_sentinel=False)
    uniques = [[index[s] for s in key.split("\x1f")] if key else [] for key in table]
    if len(uniques) <= 1:
        return {"v": uniques}
    if len(uniques) > len(codes) // 2:
        return {"a": [uniques[code] for code in codes.tolist()]}
    return {"v": uniques, "i": np.asarray(codes, dtype=np.int64)}


def _positions(geometry: Any) -> tuple[np.ndarray, np.ndarray]:
    """lon, lat (degrees) of each event: the point, or a point on a line or area."""
    geoms = np.asarray(geometry, dtype=object)
    if not (shapely.get_type_id(geoms) == 0).all():  # 0: Point
        geoms = shapely.point_on_surface(geoms)
    return shapely.get_x(geoms), shapely.get_y(geoms)


def _columns(frame: pd.DataFrame, situation: Situation) -> dict[str, Any]:
    geometry = frame.geometry
    keep = geometry.notna().to_numpy() & ~geometry.is_empty.to_numpy()
    located = frame if keep.all() else frame[keep]  # no copy of a fully located layer
    lon_deg, lat_deg = _positions(located.geometry)
    lon = np.rint(lon_deg * COORD_SCALE).astype(np.int64)
    lat = np.rint(lat_deg * COORD_SCALE).astype(np.int64)
    times = pd.to_datetime(located["time"], utc=True)
    seconds = ((times - _EPOCH) // pd.Timedelta(seconds=1)).to_numpy(dtype=np.int64)
    cited = {s for ids in located["source"] for s in ids}
    source_ids = sorted(cited | _claim_sources(located))
    index = {s: i for i, s in enumerate(source_ids)}
    claims: dict[str, list[list[Any]]] = {}
    for row, items in enumerate(located["claims"]):
        if isinstance(items, list) and items:
            claims[str(row)] = [
                [c["about"], c["by"], c["says"], index[c["source"]], c["date"].isoformat()]
                for c in items
            ]
    actors = pd.Series(
        [", ".join(a) if isinstance(a, list) else "" for a in located["actors"]], dtype=object
    )
    optional = [(key, label) for key, label in OPTIONAL_ROWS if _text(located, key).any()]
    release_free_memory()
    x0, x = _offsets(lon)
    y0, y = _offsets(lat)
    t0, t = _offsets(seconds)
    return {
        "v": EVENTS_PAYLOAD_VERSION,
        "n": len(located),
        "scale": COORD_SCALE,
        "x0": x0,
        "y0": y0,
        "t0": t0,
        "x": x,
        "y": y,
        "t": t,
        "cols": {
            "id": _encode(located["id"].astype(str)),
            "title": _encode(_display_names(located)),
            "kind": _encode(located["kind"].astype(str).str.replace("_", " ")),
            "prec": _encode(located["time_precision"].astype(str)),
            "actors": _encode(actors),
            "acc": _encode(_text(located, "accuracy_m")),
            "approx": _encode(located["approximate"].fillna(False).astype(bool).astype("int64")),
            "desc": _encode(_text(located, "description")),
            "reported": _encode(_text(located, "as_of")),
            "src": _source_codes(located["source"], index),
            **{key: _encode(_text(located, key)) for key, _ in optional},
        },
        "rows": [[label, key] for key, label in optional],
        "sources": [source_text(s, situation.sources) for s in source_ids],
        "urls": [_url(situation.sources.get(s)) for s in source_ids],
        "claims": claims,
        "text": POPUP_TEXT,
    }


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    """A column as the popup shows it: text, '' where a feature has no value."""
    if column not in frame:
        return pd.Series([""] * len(frame), dtype=object)
    values = frame[column].reset_index(drop=True)
    shown = [_shown(v) for v in values.tolist()]
    return pd.Series(shown, dtype=object)


def _shown(value: Any) -> str:
    """One value as popup text: '' for none, whole numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, float):
        return "" if math.isnan(value) else str(int(value)) if value.is_integer() else str(value)
    return str(value).strip()


def _display_names(frame: pd.DataFrame) -> pd.Series:
    """Each event's name as its popup titles it: name, else title, else id."""
    names = _text(frame, "name")
    titles = _text(frame, "title")
    ids = _text(frame, "id")
    return names.where(names != "", titles.where(titles != "", ids))


def _url(source: Source | None) -> str:
    """A source's address when it is a web link (the popup's 'link'), else ''."""
    if source is None or not source.url or not source.url.startswith(("https://", "http://")):
        return ""
    return source.url


def _claim_sources(frame: pd.DataFrame) -> set[str]:
    return {c["source"] for items in frame["claims"] if isinstance(items, list) for c in items}


def decode_events_payload(text: str, /) -> dict[str, list[Any]]:
    """An ``events_payload`` read back as plain columns: lon/lat (degrees), t (epoch ms,
    UTC), when ("YYYY-MM-DD (to the day)"), and each popup column; for tests and tools.
    """
    data = json.loads(text)
    n, scale = data["n"], data["scale"]
    out: dict[str, list[Any]] = {
        "lon": [(data["x0"] + v) / scale for v in data["x"]],
        "lat": [(data["y0"] + v) / scale for v in data["y"]],
        "t": [(data["t0"] + v) * 1000 for v in data["t"]],
    }
    for name, column in data["cols"].items():
        if "a" in column:
            out[name] = column["a"]
        elif "i" in column:
            out[name] = [column["v"][i] for i in column["i"]]
        else:
            out[name] = column["v"] * n
    days = [dt.datetime.fromtimestamp(ms / 1000, dt.UTC).date().isoformat() for ms in out["t"]]
    to_the = data["text"]["to_the"]
    precisions = out.get("prec", [])
    out["when"] = [f"{d} ({to_the} {p})" for d, p in zip(days, precisions, strict=True)]
    out["sources"] = data["sources"]
    out["urls"] = data["urls"]
    out["claims"] = data["claims"]
    return out
