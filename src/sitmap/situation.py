"""Load a situation folder into one validated ``Situation`` the rest of sitmap uses.

A situation is ``situation.toml`` (manifest), ``sources.toml`` and the GeoJSON layers the
manifest lists (DESIGN section 2). Loading validates everything first (every problem at
once, as ``ValidationError``), then reads each layer with pyogrio into a GeoDataFrame in
EPSG:4326 whose schema columns hold the validated values. Results are cached by the
files' modification times.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from sitmap.caching import DerivedCache
from sitmap.errors import ValidationError
from sitmap.memory import release_free_memory
from sitmap.schema import MANIFEST_FILE, SOURCES_FILE, LayerKind, LayerSpec, Manifest, Source
from sitmap.settings import WGS84
from sitmap.validation import CheckedLayer, check_situation, load_manifest

__all__ = ["Layer", "Situation", "load_situation"]


@dataclass(frozen=True)
class Layer:
    """One layer: its manifest entry and its features (GeoDataFrame, EPSG:4326)."""

    spec: LayerSpec
    frame: gpd.GeoDataFrame
    path: Path

    @property
    def id(self) -> str:
        """The layer's id (from the manifest)."""
        return self.spec.id


@dataclass(frozen=True)
class Situation:
    """A loaded, validated situation: manifest, sources by id and layers in draw order."""

    path: Path
    manifest: Manifest
    sources: dict[str, Source]
    layers: dict[str, Layer]
    stamp: tuple[tuple[str, int, int], ...]

    @property
    def id(self) -> str:
        """The situation's id (from its manifest)."""
        return self.manifest.id

    @property
    def key(self) -> tuple[Path, tuple[tuple[str, int, int], ...]]:
        """What results derived from this situation depend on: folder and files' stamp."""
        return (self.path, self.stamp)

    def layer(self, layer_id: str, /) -> Layer:
        """The layer with this id; KeyError names the ones that exist."""
        try:
            return self.layers[layer_id]
        except KeyError:
            msg = f"no layer {layer_id!r}; layers are {list(self.layers)}"
            raise KeyError(msg) from None

    def layers_of(self, kind: LayerKind, /) -> list[Layer]:
        """Every layer of one kind, in draw order."""
        return [layer for layer in self.layers.values() if layer.spec.kind is kind]

    def features(self, *, kinds: Iterable[str] | None = None) -> gpd.GeoDataFrame:
        """All features of all layers (a ``layer`` column added), optionally of some kinds."""
        frames = [layer.frame.assign(layer=layer.id) for layer in self.layers.values()]
        every = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=WGS84)
        if kinds is not None:
            every = every[every["kind"].isin(list(kinds))]
        return every


def _stamp(folder: Path, manifest: Manifest) -> tuple[tuple[str, int, int], ...]:
    names = [MANIFEST_FILE, SOURCES_FILE, *(spec.file for spec in manifest.layers)]
    out = []
    for name in names:
        stat = (folder / name).stat()
        out.append((name, stat.st_mtime_ns, stat.st_size))
    return tuple(out)


def _frame(path: Path, checked: CheckedLayer) -> tuple[gpd.GeoDataFrame, Callable[[], None] | None]:
    """A layer's features: the validated property values, and the shapes validation built.

    Columns come in the file's property order, then ``geometry``, then the model fields
    the file does not use, as a pyogrio read whose schema columns are replaced by the
    validated values gives them. A layer with Z coordinates, or no features, is read with
    pyogrio (GDAL keeps Z; validation's shapes are 2D).

    The geometries are made by the returned function, to be called once the rest of the
    loading is freed: 100,000 long-lived points made among its garbage would keep tens
    of MB of it from going back to the system.
    """
    indices = checked.valid_indices()
    if checked.has_z or not indices:
        return _frame_pyogrio(path, dict(checked.iter_valid_columns())), None
    index = pd.RangeIndex(len(indices))
    columns: dict[str, pd.Series] = {}
    for name, values in checked.iter_valid_columns(consume=True):
        # one column at a time, the checked values let go as each becomes a Series
        columns[name] = pd.Series(values, index=index, name=name)
        del values
    placeholder = gpd.GeoSeries(np.full(len(indices), None, dtype=object), crs=WGS84)
    first = [name for name in checked.property_names if name in columns]
    rest = [name for name in columns if name not in checked.property_names]
    frame = gpd.GeoDataFrame(
        {name: columns.pop(name) for name in first}, geometry=placeholder, crs=WGS84
    )
    for name in rest:
        frame[name] = columns.pop(name)
    built, points = checked.built_shapes, checked.points

    def make_geometries() -> None:
        shapes = CheckedLayer(file="", built_shapes=built, points=points)
        frame["geometry"] = gpd.GeoSeries(shapes.geometries(indices), crs=WGS84)

    return frame, make_geometries


def _frame_pyogrio(path: Path, columns: dict[str, list[Any]]) -> gpd.GeoDataFrame:
    """Read a layer with pyogrio; replace schema columns with the validated values."""
    import pyogrio  # only for layers with Z coordinates: GDAL takes 30 MB of memory

    frame = pyogrio.read_dataframe(path)
    if frame.crs is None or not frame.crs.equals(WGS84):
        frame = frame.set_crs(WGS84, allow_override=True)
    dumped = pd.DataFrame(columns, index=frame.index)
    for column in dumped.columns:
        frame[column] = dumped[column]
    return frame


_LOADED: DerivedCache[Situation] = DerivedCache("situations", maxsize=4)
"""Loaded situations by folder; an entry is used only while its files' stamp matches."""


def load_situation(path: str | Path, /) -> Situation:
    """Load and validate a situation folder (cached by file modification times).

    Raises ValidationError with every problem found when anything is wrong.
    """
    folder = Path(path).resolve()
    manifest, _ = load_manifest(folder)
    if manifest is not None:
        try:
            stamp = _stamp(folder, manifest)
        except OSError:
            stamp = ()
        cached = _LOADED.get(folder)
        if cached is not None and cached.stamp == stamp and stamp:
            return cached
    check = check_situation(folder)
    if check.problems:
        raise ValidationError(check.problems)
    assert check.manifest is not None
    manifest = check.manifest
    layers: dict[str, Layer] = {}
    pending = []
    for spec in manifest.layers:
        file_path = folder / spec.file
        checked = check.layers.pop(spec.id)  # let each layer's checked values go once used
        frame, make_geometries = _frame(file_path, checked)
        layers[spec.id] = Layer(spec=spec, frame=frame, path=file_path)
        if make_geometries is not None:
            pending.append(make_geometries)
        del checked, frame, make_geometries
    sources = check.sources
    del check
    gc.collect()
    for make_geometries in pending:
        make_geometries()
    del pending
    situation = Situation(
        path=folder,
        manifest=manifest,
        sources=sources,
        layers=layers,
        stamp=_stamp(folder, manifest),
    )
    release_free_memory()
    return _LOADED.put(folder, situation)
