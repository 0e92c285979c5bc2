"""Bound one import (sizes in MB of 10^6 bytes, memory in MiB, time in s) and refuse past it.

:class:`ImportLimits` reads its bounds from ``SITMAP_IMPORT_*`` variables (the table is in
:mod:`sitmap.io.imports`); :func:`refuse` and :func:`capped` shape a refusal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, NoReturn

from sitmap.errors import NO_FEATURE, ImportRefusedError, Problem
from sitmap.settings import IMPORT_LIMIT_DEFAULTS, import_limit

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
    """Bounds on one import; see :mod:`sitmap.io.imports` for units and variables."""

    max_mb: float = float(IMPORT_LIMIT_DEFAULTS["max_mb"])
    max_features: int = int(IMPORT_LIMIT_DEFAULTS["max_features"])
    max_vertices: int = int(IMPORT_LIMIT_DEFAULTS["max_vertices"])
    max_fields: int = int(IMPORT_LIMIT_DEFAULTS["max_fields"])
    zip_max_entries: int = int(IMPORT_LIMIT_DEFAULTS["zip_max_entries"])
    zip_max_uncompressed_mb: float = float(IMPORT_LIMIT_DEFAULTS["zip_max_uncompressed_mb"])
    zip_max_ratio: float = float(IMPORT_LIMIT_DEFAULTS["zip_max_ratio"])
    timeout_s: float = float(IMPORT_LIMIT_DEFAULTS["timeout_s"])
    max_memory_mb: int = int(IMPORT_LIMIT_DEFAULTS["max_memory_mb"])

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ImportLimits:
        """Defaults overridden by ``SITMAP_IMPORT_<FIELD>`` variables (invalid values ignored)."""
        values: dict[str, Any] = {
            item.name: import_limit(item.name, environ) for item in fields(cls)
        }
        return cls(**values)

    @property
    def max_bytes(self) -> int:
        """The file size limit in bytes."""
        return int(self.max_mb * 1_000_000)

    @property
    def zip_max_bytes(self) -> int:
        """The limit on a zip's total uncompressed size, bytes."""
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
