"""Make property names and values JSON-safe (texts cut at 10,000 characters, names at 200).

Values are kept as data (``<script>`` included: escaping is the renderer's job); what is
changed (cleaned names, cut texts, non-finite numbers, NUL characters, binary fields) is
noted. Columns of several layers are merged side by side.
"""

from __future__ import annotations

import datetime as dt
import math
import operator
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from sitmap.io._readcontext import Part, ReadContext

__all__ = [
    "MAX_KEY_CHARS",
    "MAX_TEXT_CHARS",
    "Cleaner",
    "counted",
    "merge_columns",
    "unique",
]

MAX_TEXT_CHARS = 10_000
"""Longest text kept in a property value; longer ones are cut (with a note)."""
MAX_KEY_CHARS = 200
"""Longest property name kept; longer ones are cut."""


@dataclass
class Cleaner:
    """Make property names and values JSON-safe, counting what changed for the notes."""

    reader: ReadContext
    cut: int = 0
    nonfinite: int = 0
    nul: int = 0

    def columns(self, columns: dict[str, list[Any]]) -> dict[str, list[Any]]:
        out: dict[str, list[Any]] = {}
        renamed: list[str] = []
        binary: list[str] = []
        for (name, values), clean in zip(columns.items(), _clean_keys(list(columns)), strict=True):
            if clean != name:
                renamed.append(f"{name[:40]!r} → {clean[:40]!r}")
            cleaned = values if _plain(values) else [self.value(v) for v in values]
            if any(v is _BINARY for v in cleaned):
                binary.append(repr(clean[:40]))
                continue
            out[clean] = cleaned
        note = self.reader.note
        if renamed:
            more = f" (+{len(renamed) - 5} more)" if len(renamed) > 5 else ""
            note(f"property names cleaned: {', '.join(renamed[:5])}{more}")
        if binary:
            note(f"binary fields dropped: {', '.join(binary[:10])}")
        if self.cut:
            note(f"{counted(self.cut, 'text')} longer than {MAX_TEXT_CHARS:,} characters cut")
        if self.nonfinite:
            note(f"{counted(self.nonfinite, 'value')} not a finite number (NaN, infinity): emptied")
        if self.nul:
            note(f"NUL characters removed from {counted(self.nul, 'text')}")
        return out

    def value(self, value: Any) -> Any:
        if value is None or value is pd.NaT or value is pd.NA:
            return None
        if isinstance(value, str):
            if "\x00" in value:
                value = value.replace("\x00", "")
                self.nul += 1
            if len(value) > MAX_TEXT_CHARS:
                self.cut += 1
                value = value[:MAX_TEXT_CHARS]
            return value
        if isinstance(value, bool | np.bool_):
            return bool(value)
        if isinstance(value, int | np.integer):
            return int(value)
        if isinstance(value, float | np.floating | Decimal):
            number = float(value)
            if not math.isfinite(number):
                self.nonfinite += 1
                return None
            return number
        if isinstance(value, dt.datetime | dt.date | dt.time):
            return value.isoformat()
        if isinstance(value, bytes | bytearray | memoryview):
            return _BINARY
        if isinstance(value, np.ndarray):
            value = value.tolist()
        if isinstance(value, list | tuple):
            return [self.value(v) for v in value]
        if isinstance(value, dict):
            return {str(k).replace("\x00", ""): self.value(v) for k, v in value.items()}
        return self.value(str(value))


_BINARY = object()
_PLAIN_TYPES = frozenset((str, int, float, bool, type(None)))
_HAS_NUL = operator.methodcaller("__contains__", "\x00")


def _plain(values: list[Any]) -> bool:
    """Fast path: values already JSON-safe (finite floats, short texts without NUL)."""
    types = set(map(type, values))
    if not types <= _PLAIN_TYPES:
        return False
    if float in types:
        floats = np.array([v for v in values if type(v) is float])
        if not np.isfinite(floats).all():
            return False
    if str in types:
        texts = [v for v in values if type(v) is str]
        if max(map(len, texts)) > MAX_TEXT_CHARS or any(map(_HAS_NUL, texts)):
            return False
    return True


def _clean_keys(names: list[Any]) -> list[str]:
    """Property names without control characters, short, unique and not ``geometry``.

    Names that are already clean keep their spelling; the others yield to them.
    """
    bases = [
        "".join(ch for ch in str(name) if unicodedata.category(ch) != "Cc").strip()[:MAX_KEY_CHARS]
        or "field"
        for name in names
    ]
    used = {"geometry"}
    out: list[str | None] = [None] * len(names)
    for i, (name, base) in enumerate(zip(names, bases, strict=True)):
        if base == name and name not in used:
            out[i] = name
            used.add(name)
    return [given or unique(base, used) for given, base in zip(out, bases, strict=True)]


def unique(base: str, used: set[str]) -> str:
    """``base``, or ``base_2``, ``base_3``... whichever is not in ``used`` (which it joins)."""
    candidate, n = base, 2
    while candidate in used:
        candidate, n = f"{base}_{n}", n + 1
    used.add(candidate)
    return candidate


def merge_columns(parts: list[Part]) -> dict[str, list[Any]]:
    """Columns of all parts side by side (missing values None); a layer column when several."""
    total = sum(len(p.geoms) for p in parts)
    names = list(dict.fromkeys(name for part in parts for name in part.columns))
    merged: dict[str, list[Any]] = {name: [] for name in names}
    layered = len(parts) > 1 and any(p.layer for p in parts)
    layers: list[Any] = []
    for part in parts:
        size = len(part.geoms)
        for name in names:
            merged[name].extend(part.columns.get(name, [None] * size))
        layers.extend([part.layer] * size)
    if layered:
        key = unique("layer", set(merged) | {"geometry"})
        merged[key] = layers
    assert all(len(v) == total for v in merged.values())
    return merged


def counted(number: int, noun: str) -> str:
    """``1 feature``, ``3 features``."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"
