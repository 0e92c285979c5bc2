"""Hold what checking one GeoJSON layer found: its problems, labels, shapes and properties."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely

from sitmap.errors import Problem
from sitmap.schema import FeatureProps
from sitmap.validation._propertycolumns import ABSENT, BulkRows

__all__ = ["CheckedLayer"]


@dataclass
class CheckedLayer:
    """What checking one FeatureCollection found: its problems and its valid parts."""

    file: str
    problems: list[Problem] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    geometry_types: set[str] = field(default_factory=set)
    built_shapes: dict[int, Any] = field(default_factory=dict)
    """Geometries built one feature at a time, by feature index (see ``shapes``)."""
    points: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    """Plain 2D points not made into shapely geometries yet: (feature indices, [lon, lat])."""
    models: dict[int, FeatureProps] = field(default_factory=dict)
    """Properties validated one feature at a time, as models, by feature index."""
    bulk: list[BulkRows] = field(default_factory=list)
    """Properties validated in bulk, column by column (no model objects: 100,000 events)."""
    property_names: dict[str, None] = field(default_factory=dict)
    """Every property name, in order of first appearance in the file."""
    has_z: bool = False
    """Whether some well-formed geometry has a third (Z) coordinate (dropped in ``shapes``)."""
    model: type[FeatureProps] | None = None
    """The properties model the features were checked against (None: not checked)."""

    @property
    def feature_count(self) -> int:
        """How many features were checked."""
        return len(self.labels)

    @property
    def shapes(self) -> dict[int, Any]:
        """2D shapely geometry of each feature (by index) whose geometry is well formed and
        in range; plain points are made on first use (``geometries`` makes them without
        this dict).
        """
        if self.points:
            merged = dict(self.built_shapes)
            for rows, xy in self.points:
                merged.update(zip(rows.tolist(), shapely.points(xy), strict=True))
            self.built_shapes = {index: merged[index] for index in sorted(merged)}
            self.points = []
        return self.built_shapes

    @shapes.setter
    def shapes(self, value: dict[int, Any]) -> None:
        self.built_shapes, self.points = dict(value), []

    def geometries(self, indices: Sequence[int]) -> np.ndarray:
        """The geometries of the features at ``indices`` (ascending), None where a feature
        has none, as an object array; plain points are made straight into it.
        """
        wanted = np.asarray(indices, dtype=np.int64)
        out = np.full(len(wanted), None, dtype=object)
        if not len(wanted):
            return out
        for index, shape in self.built_shapes.items():
            at = int(np.searchsorted(wanted, index))
            if at < len(wanted) and wanted[at] == index:
                out[at] = shape
        for rows, xy in self.points:
            where = np.searchsorted(wanted, rows)
            found = wanted[np.minimum(where, len(wanted) - 1)] == rows
            out[where[found]] = shapely.points(xy[found])
        return out

    @property
    def props(self) -> Sequence[FeatureProps | None]:
        """Each feature's validated properties as a model (None where invalid or unchecked).

        Bulk-validated features get their model built on access; prefer ``valid_columns``
        and ``references`` for many features.
        """
        return _PropsView(self)

    def add(self, feature: str, problem: str) -> None:
        """Record one problem of one feature of this file."""
        self.problems.append(Problem(self.file, feature, problem))

    def valid_indices(self) -> list[int]:
        """Indices of the features whose properties validated, in file order."""
        found = [index for rows in self.bulk for index in rows.rows]
        if self.models:
            found = sorted([*found, *self.models])
        return found

    def references(self) -> Iterator[tuple[str, str, list[str]]]:
        """(label, id, cited source ids: sources, then claim sources) of each feature whose
        properties validated, in file order.
        """
        for index, where in self._locate():
            if isinstance(where, tuple):
                rows, j = where
                yield self.labels[index], rows.columns["id"][j], list(rows.columns["source"][j])
            else:
                cited = list(where.source) + [claim.source for claim in where.claims]
                yield self.labels[index], where.id, cited

    def versions(self) -> Iterator[tuple[str, str, str]]:
        """(label, id, about) of each feature whose properties validated and that is a rival
        version of another (``about``), in file order. Versions are always checked one by
        one (``_propertycolumns``), so they are all among ``models``.
        """
        for index in sorted(self.models):
            model = self.models[index]
            if model.about is not None:
                yield self.labels[index], model.id, model.about

    def valid_columns(self) -> tuple[list[int], dict[str, list[Any]]]:
        """The features whose properties validated: their indices, and their properties
        column by column as each model's ``model_dump()`` gives them: model fields in
        declaration order, then extra properties in order of first appearance (NaN where
        a feature lacks one, as ``pandas.DataFrame.from_records`` has it).
        """
        return self.valid_indices(), dict(self.iter_valid_columns())

    def iter_valid_columns(self, *, consume: bool = False) -> Iterator[tuple[str, list[Any]]]:
        """``valid_columns()`` one column at a time. With ``consume``, the layer lets go of
        each column as it hands it over (for building a frame of 100,000 features without
        two copies of every value); ask only once then.
        """
        if self.model is None:
            return
        fields = list(self.model.model_fields)
        names = dict.fromkeys(name for rows in self.bulk for name in rows.columns)
        dumps = {index: model.model_dump() for index, model in self.models.items()}
        for dump in dumps.values():
            names.update(dict.fromkeys(dump))
        order = {name: i for i, name in enumerate(self.property_names)}
        extras = sorted((n for n in names if n not in fields), key=lambda n: order.get(n, -1))
        if not dumps:
            for name in [*fields, *extras]:
                column: list[Any] = []
                for rows in self.bulk:
                    values = rows.columns.pop(name) if consume else rows.columns.get(name)
                    if values is None:
                        column.extend([math.nan] * len(rows.rows))
                    elif name in extras:
                        column.extend(math.nan if v is ABSENT else v for v in values)
                    else:
                        column.extend(values)
                    del values
                yield name, column
                del column
            return
        located = list(self._locate())
        if consume:
            self.models, self.bulk = {}, []
        for name in [*fields, *extras]:
            column = []
            for index, where in located:
                if isinstance(where, tuple):
                    values = where[0].columns.get(name)
                    value = ABSENT if values is None else values[where[1]]
                else:
                    value = dumps[index].get(name, ABSENT)
                column.append(math.nan if value is ABSENT else value)
            yield name, column
            del column

    def _locate(self) -> Iterator[tuple[int, tuple[BulkRows, int] | FeatureProps]]:
        """Each validated feature's index and where its properties are, in file order."""
        bulk = ((index, (rows, j)) for rows in self.bulk for j, index in enumerate(rows.rows))
        if not self.models:
            yield from bulk
            return
        merged: list[tuple[int, tuple[BulkRows, int] | FeatureProps]] = [
            *bulk,
            *self.models.items(),
        ]
        merged.sort(key=lambda item: item[0])
        yield from merged


class _PropsView(Sequence[FeatureProps | None]):
    """``CheckedLayer.props``: models by feature index, built on access for bulk rows."""

    def __init__(self, layer: CheckedLayer) -> None:
        self._layer = layer
        self._bulk: dict[int, tuple[BulkRows, int]] | None = None

    def __len__(self) -> int:
        return self._layer.feature_count

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        model = self._layer.models.get(index)
        if model is not None:
            return model
        if self._bulk is None:
            self._bulk = {
                i: (rows, j) for rows in self._layer.bulk for j, i in enumerate(rows.rows)
            }
        found = self._bulk.get(index)
        if found is None:
            return None
        rows, j = found
        assert self._layer.model is not None
        return self._layer.model.model_validate(rows.dump(j))
