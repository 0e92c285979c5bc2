"""Load a situation folder into one validated ``Situation`` the rest of sitmap uses.

A situation is ``situation.toml`` (manifest), ``sources.toml`` and the GeoJSON layers the
manifest lists (DESIGN section 2). Loading validates everything first (every problem at
once, as ``ValidationError``), then reads each layer with pyogrio into a GeoDataFrame in
EPSG:4326 whose schema columns hold the validated values. Results are cached by the
files' modification times.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import datetime as dt
import functools
import gc
import threading
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow

from sitmap.errors import NO_FEATURE, Problem, ValidationError
from sitmap.schema import LayerKind, LayerSpec, Manifest, Source
from sitmap.validation import CheckedLayer, check_geojson_file, model_problems

__all__ = [
    "Layer",
    "Situation",
    "SituationCheck",
    "ValidationSummary",
    "check_situation",
    "load_situation",
    "release_free_memory",
    "use_lean_memory",
    "validate_path",
]

MANIFEST = "situation.toml"
SOURCES = "sources.toml"
WGS84 = "EPSG:4326"


@dataclass(frozen=True)
class Layer:
    """One layer: its manifest entry and its features (GeoDataFrame, EPSG:4326)."""

    spec: LayerSpec
    frame: gpd.GeoDataFrame
    path: Path

    @property
    def id(self) -> str:
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
        return self.manifest.id

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


@dataclass(frozen=True)
class ValidationSummary:
    """What a successful validation counted."""

    features: int
    layers: int

    def __str__(self) -> str:
        return f"ok: {self.features} features in {self.layers} layers"


def _read_toml(path: Path) -> tuple[dict[str, Any] | None, list[Problem]]:
    file = str(path)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8")), []
    except FileNotFoundError:
        return None, [Problem(file, NO_FEATURE, "file does not exist")]
    except UnicodeDecodeError:
        return None, [Problem(file, NO_FEATURE, "not UTF-8 text; TOML must be UTF-8")]
    except tomllib.TOMLDecodeError as err:
        return None, [Problem(file, NO_FEATURE, f"not valid TOML: {err}")]
    except RecursionError:
        return None, [Problem(file, NO_FEATURE, "not usable TOML: nested too deeply")]
    except OSError as err:
        return None, [Problem(file, NO_FEATURE, f"cannot be read: {err.strerror or err}")]


def _load_manifest(folder: Path) -> tuple[Manifest | None, list[Problem]]:
    raw, problems = _read_toml(folder / MANIFEST)
    if raw is None:
        return None, problems
    manifest, problems = model_problems(
        Manifest, raw, file=str(folder / MANIFEST), feature=str(raw.get("id", NO_FEATURE))
    )
    return manifest, problems  # type: ignore[return-value]


def _load_sources(folder: Path) -> tuple[dict[str, Source], list[Problem]]:
    file = str(folder / SOURCES)
    raw, problems = _read_toml(folder / SOURCES)
    if raw is None:
        return {}, problems
    entries = raw.get("sources")
    if not isinstance(entries, list) or not entries:
        return {}, [Problem(file, NO_FEATURE, "needs at least one [[sources]] table")]
    sources: dict[str, Source] = {}
    for index, entry in enumerate(entries):
        label = str(entry.get("id")) if isinstance(entry, dict) and entry.get("id") else f"#{index}"
        source, found = model_problems(Source, entry, file=file, feature=label)
        problems.extend(found)
        if isinstance(source, Source):
            if source.id in sources:
                problems.append(Problem(file, label, f"duplicate source id {source.id!r}"))
            sources[source.id] = source
    return sources, problems


def _check_references(
    checked: list[CheckedLayer], sources: dict[str, Source] | None
) -> list[Problem]:
    """Ids unique across the situation; every cited source id exists in sources.toml."""
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for layer in checked:
        for label, feature_id, cited in layer.references():
            if feature_id in seen:
                where = seen[feature_id]
                also = "earlier in this file" if where == layer.file else f"also in {where}"
                problem = f"duplicate id {feature_id!r} ({also})"
                problems.append(Problem(layer.file, label, problem))
            else:
                seen[feature_id] = layer.file
            if sources is None or all(source_id in sources for source_id in cited):
                continue
            for source_id in dict.fromkeys(cited):
                if source_id not in sources:
                    problem = f"unknown source id {source_id!r} (not in {SOURCES})"
                    problems.append(Problem(layer.file, label, problem))
    return problems


def _guess_kind(name: str) -> LayerKind:
    """The layer kind a file outside any manifest most likely holds, by its name."""
    stem = name.lower()
    if "event" in stem:
        return LayerKind.EVENTS
    if "corridor" in stem:
        return LayerKind.CORRIDORS
    return LayerKind.AREAS


def _check_layer_file(
    path: Path, spec: LayerSpec | None, manifest: Manifest | None
) -> CheckedLayer:
    file = str(path)
    try:
        return check_geojson_file(
            path,
            file=file,
            kind=spec.kind if spec else _guess_kind(path.name),
            extent=manifest.extent if manifest else None,
        )
    except ValidationError as err:
        return CheckedLayer(file=file, problems=err.problems)


@dataclass(frozen=True)
class SituationCheck:
    """Everything validating a situation folder found."""

    manifest: Manifest | None
    sources: dict[str, Source]
    layers: dict[str, CheckedLayer]
    problems: list[Problem]


def check_situation(folder: Path, /) -> SituationCheck:
    """Validate a situation folder; every problem of every file, in file order."""
    manifest, problems = _load_manifest(folder)
    sources, source_problems = _load_sources(folder)
    problems += source_problems
    checked: dict[str, CheckedLayer] = {}
    for spec in manifest.layers if manifest else []:
        path = folder / spec.file
        if not path.is_file():
            problem = f"layer {spec.id!r}: file {spec.file!r} does not exist"
            problems.append(Problem(str(folder / MANIFEST), spec.id, problem))
            continue
        checked[spec.id] = layer = _check_layer_file(path, spec, manifest)
        problems += layer.problems
    problems += _check_references(list(checked.values()), None if source_problems else sources)
    return SituationCheck(manifest, sources, checked, problems)


def validate_path(path: Path, /) -> ValidationSummary:
    """Validate a situation folder or one GeoJSON file; raise ValidationError listing all.

    A lone file inside a situation folder is checked against that situation (its layer
    kind, extent and sources); anywhere else, for structure, geometry and the properties
    of DESIGN section 2 (its kind guessed from its name: events, corridors, else areas).
    """
    if path.is_dir() and (path / MANIFEST).exists():
        check = check_situation(path)
        if check.problems:
            raise ValidationError(check.problems)
        count = sum(layer.feature_count for layer in check.layers.values())
        return ValidationSummary(count, len(check.layers))
    manifest: Manifest | None = None
    sources: dict[str, Source] | None = None
    if path.is_file() and (path.parent / MANIFEST).is_file():
        manifest, _ = _load_manifest(path.parent)
        loaded, source_problems = _load_sources(path.parent)
        sources = None if source_problems else loaded
    spec = next((s for s in manifest.layers if s.file == path.name), None) if manifest else None
    layer = _check_layer_file(path, spec, manifest)
    problems = layer.problems + _check_references([layer], sources)
    if problems:
        raise ValidationError(problems)
    return ValidationSummary(layer.feature_count, 1)


def _stamp(folder: Path, manifest: Manifest) -> tuple[tuple[str, int, int], ...]:
    names = [MANIFEST, SOURCES, *(spec.file for spec in manifest.layers)]
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


_CACHE: dict[Path, Situation] = {}
_LOCK = threading.Lock()


def load_situation(path: str | Path, /) -> Situation:
    """Load and validate a situation folder (cached by file modification times).

    Raises ValidationError with every problem found when anything is wrong.
    """
    folder = Path(path).resolve()
    manifest, _ = _load_manifest(folder)
    if manifest is not None:
        try:
            stamp = _stamp(folder, manifest)
        except OSError:
            stamp = ()
        with _LOCK:
            cached = _CACHE.get(folder)
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
    with _LOCK:
        _CACHE[folder] = situation
    return situation


@functools.cache
def _libc_function(function: str) -> Callable[..., int] | None:
    """A glibc function, or None on a system without it."""
    name = ctypes.util.find_library("c")
    try:
        return getattr(ctypes.CDLL(name), function, None) if name else None
    except OSError:
        return None


def use_lean_memory() -> None:
    """Make this process hold less memory it no longer uses; call once, early, in a
    long-running server (the app). Two process-wide settings, each measured with
    100,000 events in the app: Arrow (pandas' string columns) allocates from the system
    heap instead of its own pool (mimalloc kept some 25-45 MB more), and glibc keeps at
    most 2 malloc arenas (Streamlit runs each script in a new thread, and each thread's
    arena kept its own freed memory). Safe to call more than once."""
    pyarrow.set_memory_pool(pyarrow.system_memory_pool())
    mallopt = _libc_function("mallopt")
    if mallopt is not None:
        mallopt(_M_ARENA_MAX, 2)


_M_ARENA_MAX = -8
"""glibc ``mallopt`` parameter: the most malloc arenas."""


def release_free_memory() -> None:
    """Give memory the process freed back to the system (glibc ``malloc_trim``; nothing
    elsewhere). Loading 100,000 events frees some 45 MB that would otherwise stay
    resident; call it after other large, short-lived work too."""
    trim = _libc_function("malloc_trim")
    if trim is not None:
        trim(0)


def today_utc() -> dt.date:
    """Today's date in UTC (the default 'as of' for new sketches)."""
    return dt.datetime.now(dt.UTC).date()
