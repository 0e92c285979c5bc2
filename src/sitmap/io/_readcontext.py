"""Hold what the format readers share: the parts they read, feature labels, the read context.

Geometries in a :class:`Part` are in the CRS the data declares until reprojected to
EPSG:4326 (WGS 84 lon/lat degrees) by :mod:`sitmap.io._readers`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import pyproj

from sitmap.errors import NO_FEATURE, ImportRefusedError, Problem
from sitmap.io.limits import ImportLimits
from sitmap.schema import Extent
from sitmap.validation import feature_label

__all__ = [
    "Labels",
    "Part",
    "ReadContext",
]


@dataclass
class Part:
    """Features of one layer as read, before the common checks."""

    geoms: np.ndarray
    columns: dict[str, list[Any]]
    labels: Sequence[str]
    crs: pyproj.CRS | None = None
    """The CRS the data declares, still to be reprojected from (None: none declared)."""
    source_crs: str | None = None
    reprojected: bool = False
    layer: str | None = None
    checked: bool = False
    """Geometry already checked (structure, range, validity) by validation.check_collection."""
    projected_hint: str = "export it with its CRS, or as EPSG:4326"


@dataclass
class ReadContext:
    """One upload being read inside the reading process: its limits, notes and private folder.

    What every format reader is handed; :class:`sitmap.io._readers.Reader` adds recognising
    the format and the common checks.
    """

    workdir: Path
    file: str
    limits: ImportLimits
    extent: Extent | None
    notes: list[str] = field(default_factory=list)
    _names: int = 0

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def fail(self, problem: str, feature: str = NO_FEATURE) -> NoReturn:
        """Refuse the file for one problem."""
        raise ImportRefusedError([Problem(self.file, feature, problem)])

    def path(self, suffix: str) -> Path:
        """A fresh file name in the private folder (never derived from the upload's names)."""
        self._names += 1
        return self.workdir / f"part{self._names}{suffix}"

    def too_many_features(self, count: int, *, more: bool = False) -> str:
        amount = f"more than {count - 1:,}" if more else f"{count:,}"
        return (
            f"holds {amount} features; the limit is {self.limits.max_features:,} "
            "(SITMAP_IMPORT_MAX_FEATURES)"
        )

    def too_many_fields(self, count: int) -> str:
        return (
            f"has {count:,} property names; the limit is {self.limits.max_fields:,} "
            "(SITMAP_IMPORT_MAX_FIELDS)"
        )


class Labels(Sequence[str]):
    """Feature labels as validation names them (id, else #index; CSV: row N), made on demand.

    Only refused files need labels, so a large accepted layer never builds them.
    """

    def __init__(
        self,
        ids: list[Any] | None,
        count: int,
        *,
        prefix: str | None = None,
        rows: list[int] | None = None,
    ) -> None:
        self._ids, self._count, self._prefix, self._rows = ids, count, prefix, rows

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(self._count)[index]]
        index = int(index)
        ident = self._ids[index] if self._ids is not None else None
        if isinstance(ident, float) and ident.is_integer():
            ident = int(ident)
        label = feature_label({"properties": {"id": ident}}, index)
        if label.startswith("#") and self._rows is not None:
            label = f"row {self._rows[index]}"
        return f"{self._prefix[:60]}/{label}" if self._prefix else label
