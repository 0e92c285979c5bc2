"""Bound one import (sizes in MB of 10^6 bytes, memory in MiB, time in s) and refuse past it.

:class:`ImportLimits` reads its bounds from ``SITMAP_IMPORT_*`` variables (the table is in
:mod:`sitmap.imports`); :func:`refuse` and :func:`capped` shape a refusal.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, NoReturn

from sitmap.errors import NO_FEATURE, ImportRefusedError, Problem

__all__ = [
    "MAX_LISTED_PROBLEMS",
    "ImportLimits",
    "capped",
    "refuse",
    "too_big",
]

MAX_LISTED_PROBLEMS = 50
"""Problems listed one by one in a refusal; the rest are counted in one more line."""


@dataclass(frozen=True, slots=True)
class ImportLimits:
    """Bounds on one import; see :mod:`sitmap.imports` for units and variables."""

    max_mb: float = 50.0
    max_features: int = 100_000
    max_vertices: int = 100_000
    max_fields: int = 1_000
    zip_max_entries: int = 100
    zip_max_uncompressed_mb: float = 200.0
    zip_max_ratio: float = 100.0
    timeout_s: float = 10.0
    max_memory_mb: int = 1024

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ImportLimits:
        """Defaults overridden by ``SITMAP_IMPORT_<FIELD>`` variables (invalid values ignored)."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for item in fields(cls):
            raw = environ.get(f"SITMAP_IMPORT_{item.name.upper()}")
            if raw is None:
                continue
            kind = int if isinstance(item.default, int) else float
            try:
                value = kind(raw)
            except ValueError:
                continue
            if value > 0 and math.isfinite(value):
                values[item.name] = value
        return cls(**values)

    @property
    def max_bytes(self) -> int:
        return int(self.max_mb * 1_000_000)

    @property
    def zip_max_bytes(self) -> int:
        return int(self.zip_max_uncompressed_mb * 1_000_000)


def refuse(file: str, problem: str, feature: str = NO_FEATURE) -> NoReturn:
    """Refuse ``file`` for one problem."""
    raise ImportRefusedError([Problem(file, feature, problem)])


def too_big(size: int, limits: ImportLimits) -> str:
    """Say that a file of ``size`` bytes is past the size limit."""
    return f"file is {size / 1e6:,.1f} MB; the limit is {limits.max_mb:g} MB (SITMAP_IMPORT_MAX_MB)"


def capped(problems: list[Problem]) -> list[Problem]:
    """The first :data:`MAX_LISTED_PROBLEMS` problems, and one line counting the rest."""
    if len(problems) <= MAX_LISTED_PROBLEMS:
        return problems
    rest = len(problems) - MAX_LISTED_PROBLEMS
    features = len({p.feature for p in problems[MAX_LISTED_PROBLEMS:]})
    more = Problem(
        problems[0].file, NO_FEATURE, f"... and {rest} more problems ({features} features)"
    )
    return [*problems[:MAX_LISTED_PROBLEMS], more]
