"""Uploaded layers as the page keeps and shows them: store drafts in, map layers and areas out.

An upload is kept in the sketch store for its author (a FeatureCollection, WGS84 lon/lat);
on the page it is a map layer labelled "uploaded, unverified" and its polygons are named
areas for corridor analysis. No Streamlit here.

A stored revision never changes, so what the page derives from one is made once and kept
(:class:`~sitmap.caching.DerivedCache`, keyed by sketch id and revision): its map layer,
simplified for display and bounded (:func:`sitmap.mapview.userlayers.upload_display`;
kept up to :data:`DRAWN_CACHE_BYTES` in all), whether it is an event table, and an event
table's validated frame. What is kept for revisions no longer listed is forgotten on the
next run (:func:`uploaded_layers`). The full shapes, which corridors are measured against,
are read only when a corridor is measured afresh (:class:`UploadAreas`), and not kept.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Container, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final, overload

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from sitmap.analysis.areas import NamedArea
from sitmap.caching import DerivedCache
from sitmap.io.events import EventColumns, EventTable, events_from_layer
from sitmap.io.imports import ImportedLayer, read_upload
from sitmap.mapview import ExtraLayer, upload_feature_name, upload_layer_id
from sitmap.mapview.userlayers import MAX_DISPLAY_BYTES, UploadDisplay, upload_display
from sitmap.memory import release_free_memory
from sitmap.schema import LayerKind, LayerSpec, Source
from sitmap.settings import WGS84
from sitmap.situation import Layer, Situation
from sitmap.store import Revision, SketchDraft, SketchStore
from sitmap.validation import check_collection

__all__ = [
    "DRAWN_CACHE_BYTES",
    "EVENTS_MARK",
    "UploadAreas",
    "UploadedLayers",
    "add_events_upload",
    "add_upload",
    "areas_meeting",
    "forget_unlisted",
    "is_events_upload",
    "layer_content",
    "newest_layer_id",
    "revision_key",
    "stored_layer_frame",
    "stored_rows",
    "upload_areas",
    "upload_draft",
    "uploaded_layers",
    "with_uploaded_events",
]

EVENTS_MARK = "sitmap:events"
"""Member of a stored upload's FeatureCollection marking an event table (not a layer)."""
MAX_STORED_NAME_CHARS = 200
"""Longest file name kept with an upload (the store's name limit)."""
DRAWN_CACHE_BYTES: Final = 16 * MAX_DISPLAY_BYTES
"""Most bytes of uploaded layers kept as drawn between runs (the map's bytes of each,
:func:`sitmap.mapview.userlayers.map_bytes`): 16 layers at the display limit, more smaller
ones; the least recently shown go first."""
_TRIM_AFTER_BYTES: Final = 1_000_000
"""Stored content past which reading it is followed by handing freed memory back."""
_POLYGON_IDS: Final = (shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON)
_COMPACT_COLLECTION: Final = '{"type":"FeatureCollection",'
"""How the store writes a layer (compact JSON): its shapes can be read from the text."""
_NO_SHAPE: Final = '"geometry":null'
"""A feature without a shape, which GEOS cannot read in a FeatureCollection."""
_FEATURES: Final = '"features":['

RevisionKey = tuple[str | None, str, int, str, int]
"""What a result derived from a stored revision depends on: its situation, sketch id and
revision (a stored revision never changes), with its time and content length, which keep
two stores (or hand-made revisions) that reuse an id apart."""


@dataclass(frozen=True)
class _Drawn:
    """A stored upload as the map draws it, and how many polygons (analysis areas) it has."""

    display: UploadDisplay
    polygons: int


@dataclass(frozen=True)
class _EventTable:
    """A stored event table as an events layer's frame, and the sources it cites."""

    frame: gpd.GeoDataFrame
    cited: tuple[tuple[str, str], ...]


_DRAWN: DerivedCache[_Drawn] = DerivedCache(
    "uploaded layers as drawn",
    maxsize=DRAWN_CACHE_BYTES,
    getsizeof=lambda drawn: max(drawn.display.nbytes, 1_000),
)
_EVENT_TABLES: DerivedCache[_EventTable] = DerivedCache("uploaded event tables", maxsize=8)
_IS_EVENTS: DerivedCache[bool] = DerivedCache("uploads that are event tables", maxsize=4096)


def revision_key(revision: Revision, /) -> RevisionKey:
    """The key of what is derived from ``revision`` (see :data:`RevisionKey`)."""
    return (
        revision.situation,
        revision.sketch_id,
        revision.revision,
        revision.created_at,
        len(revision.content_json),
    )


class UploadAreas(Sequence[NamedArea]):
    """The polygons of uploaded layers as named areas (full shapes, WGS84 lon/lat).

    Their number is known at once; the shapes are read from the stored content on first
    use (a run measures against them only when a corridor is measured afresh) and held
    by this object only, so they go with the page run that needed them.
    """

    def __init__(self, revisions: Sequence[Revision] = (), count: int = 0, /) -> None:
        """Areas of ``revisions`` (uploaded layers), ``count`` polygons in all."""
        self._revisions = tuple(revisions)
        self._count = count
        self._areas: tuple[NamedArea, ...] | None = None

    def _all(self) -> tuple[NamedArea, ...]:
        if self._areas is None:
            areas: list[NamedArea] = []
            for revision in self._revisions:
                geometries, properties = stored_rows(revision)
                polygons = np.flatnonzero(np.isin(shapely.get_type_id(geometries), _POLYGON_IDS))
                areas += _named_areas(revision.name, geometries, properties, polygons)
            self._areas = tuple(areas)
        return self._areas

    def meeting(self, lines: Sequence[BaseGeometry], /) -> list[NamedArea]:
        """The areas that any of ``lines`` (lon/lat) meets, full shapes, in store order,
        read afresh and not kept.

        A corridor's report names only areas it meets (where it starts, ends or runs),
        so corridors measured against these get the same figures as against them all.
        """
        areas: list[NamedArea] = []
        for revision in self._revisions:
            geometries, properties = stored_rows(revision)
            polygons = np.flatnonzero(np.isin(shapely.get_type_id(geometries), _POLYGON_IDS))
            tree = shapely.STRtree(geometries[polygons])
            met = np.unique(tree.query(np.asarray(lines, dtype=object), "intersects")[1])
            areas += _named_areas(revision.name, geometries, properties, polygons[met])
        return areas

    def __len__(self) -> int:
        """How many polygons (read only if they were read already)."""
        return self._count if self._areas is None else len(self._areas)

    @overload
    def __getitem__(self, index: int) -> NamedArea: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[NamedArea, ...]: ...
    def __getitem__(self, index: int | slice) -> NamedArea | tuple[NamedArea, ...]:
        """The area(s) at ``index``."""
        return self._all()[index]

    def __iter__(self) -> Iterator[NamedArea]:
        """Every area, in store order."""
        return iter(self._all())

    def __repr__(self) -> str:
        """The count and the uploads, not the shapes."""
        names = [r.name for r in self._revisions]
        return f"UploadAreas({self._count} polygons of {names!r})"


@dataclass(frozen=True)
class UploadedLayers:
    """One author's uploads: their map layers, and their polygons as analysis areas."""

    layers: tuple[ExtraLayer, ...] = ()
    areas: Sequence[NamedArea] = ()


def areas_meeting(areas: Sequence[NamedArea], lines: Sequence[BaseGeometry], /) -> list[NamedArea]:
    """The uploaded areas any of ``lines`` (lon/lat) meets: all a corridor's report can
    name. Stored uploads are read for it afresh and not kept (:meth:`UploadAreas.meeting`).
    """
    if not lines or not len(areas):
        return []
    if isinstance(areas, UploadAreas):
        return areas.meeting(lines)
    return [area for area in areas if any(area.geometry.intersects(line) for line in lines)]


def newest_layer_id(revisions: Sequence[Revision], /) -> str | None:
    """The map layer id of the most recent upload (the map zooms to a new layer)."""
    layers = [rev for rev in revisions if not is_events_upload(rev)]
    if not layers:
        return None
    newest = max(layers, key=lambda rev: rev.created_at)
    return upload_layer_id(newest.sketch_id)


def uploaded_layers(
    revisions: Sequence[Revision], /, *, situation_id: str | None = None
) -> UploadedLayers:
    """Map layers and analysis areas of stored uploads (not event tables), in store order.

    Each layer is drawn once per stored revision and kept (:data:`DRAWN_CACHE_BYTES`); its
    areas are read only when measured (:class:`UploadAreas`). With ``situation_id``,
    ``revisions`` is that situation's whole listing, and what was kept for its revisions
    no longer listed (removed, or replaced by a newer revision) is forgotten.
    """
    if situation_id is not None:
        forget_unlisted(situation_id, revisions)
    shown = [revision for revision in revisions if not is_events_upload(revision)]
    drawn = [_drawn(revision) for revision in shown]
    areas = UploadAreas(shown, sum(d.polygons for d in drawn))
    return UploadedLayers(tuple(d.display.layer for d in drawn), areas)


def forget_unlisted(situation_id: str, revisions: Sequence[Revision], /) -> None:
    """Forget what was kept for uploads of ``situation_id`` that ``revisions`` (its whole
    listing) no longer holds.
    """
    listed = {revision_key(revision) for revision in revisions}

    def keep(key: Hashable) -> bool:
        return not (isinstance(key, tuple) and key[0] == situation_id) or key in listed

    _DRAWN.discard(keep)
    _EVENT_TABLES.discard(keep)


def _drawn(revision: Revision, /) -> _Drawn:
    """A stored upload as the map draws it: made on its first run, then kept."""
    key = revision_key(revision)
    found = _DRAWN.get(key)
    if found is None:
        geometries, properties = stored_rows(revision)
        display = upload_display(
            revision.name,
            geometries,
            properties,
            layer_id=upload_layer_id(revision.sketch_id),
            author=revision.created_by,
        )
        polygons = int(np.isin(shapely.get_type_id(geometries), _POLYGON_IDS).sum())
        found = _DRAWN.put(key, _Drawn(display, polygons))
        del geometries, properties
        _trim_after(revision)
    return found


def _trim_after(revision: Revision, /) -> None:
    """Hand memory freed after reading a large stored content back to the system."""
    if len(revision.content_json) >= _TRIM_AFTER_BYTES:
        release_free_memory()


def add_upload(
    data: bytes, filename: str, situation: Situation, store: SketchStore, /, *, author: str
) -> ImportedLayer:
    """Read an upload (sandboxed, bounded) and keep it for ``author``; raises SitmapError."""
    layer = read_upload(data, filename=filename, extent=situation.manifest.extent)
    store.save(upload_draft(layer, situation_id=situation.id), base_revision=None, author=author)
    if len(data) >= _TRIM_AFTER_BYTES:
        release_free_memory()  # the file's contents, read and written, are freed now
    return layer


def add_events_upload(
    data: bytes,
    filename: str,
    situation: Situation,
    store: SketchStore,
    /,
    *,
    author: str,
    columns: EventColumns | None = None,
) -> EventTable:
    """Read an event table (ACLED export, spreadsheet) as events and keep it for ``author``.

    Each row becomes an event for the timeline (:func:`sitmap.io.events.events_from_layer`),
    not a point layer; raises SitmapError naming every row that cannot be dated.
    """
    layer = read_upload(data, filename=filename, extent=situation.manifest.extent)
    table = events_from_layer(layer, options=columns)
    draft = SketchDraft(
        kind="layer",
        name=filename[:MAX_STORED_NAME_CHARS],
        content={**table.collection, EVENTS_MARK: True},
        notes="\n".join(table.notes),
        situation=situation.id,
    )
    store.save(draft, base_revision=None, author=author)
    return table


def is_events_upload(revision: Revision, /) -> bool:
    """Whether a stored upload is an event table (added with ``add_events_upload``); read
    once per stored revision (content without the mark's name is not parsed at all).
    """
    key = revision_key(revision)
    found = _IS_EVENTS.get(key)
    if found is None:
        marked = EVENTS_MARK in revision.content_json
        found = _IS_EVENTS.put(key, marked and revision.content.get(EVENTS_MARK) is True)
        if marked:
            _trim_after(revision)
    return found


def with_uploaded_events(situation: Situation, revisions: Sequence[Revision], /) -> Situation:
    """The situation with each stored event table as an events layer ("uploaded,
    unverified"), so its events join the timeline, the map's events and their popups.

    Their source ids become sources named after the table's own words (publisher: the
    name in the table; title: the file it came from). The situation itself is unchanged.
    """
    tables = [rev for rev in revisions if is_events_upload(rev)]
    if not tables:
        return situation
    layers = dict(situation.layers)
    sources = dict(situation.sources)
    specs = list(situation.manifest.layers)
    stamp = list(situation.stamp)
    for revision in tables:
        layer_id = f"upload-events-{revision.sketch_id}"[:128]
        spec = LayerSpec(
            id=layer_id,
            file=f"{layer_id}.geojson",
            title=f"Uploaded events, unverified: {revision.name}"[:2_000],
            kind=LayerKind.EVENTS,
        )
        table = _event_table(revision)
        frame = table.frame
        layers[layer_id] = Layer(spec=spec, frame=frame, path=situation.path / spec.file)
        specs.append(spec)
        stamp.append((f"upload:{revision.sketch_id}", revision.revision, len(frame)))
        for ident, name in table.cited:
            sources.setdefault(
                ident,
                Source(
                    id=ident,
                    publisher=name,
                    title=f"cited in {revision.name}"[:2_000],
                    date=dt.date.fromisoformat(revision.created_at[:10]),
                ),
            )
    manifest = situation.manifest.model_copy(update={"layers": specs})
    return replace(situation, manifest=manifest, layers=layers, sources=sources, stamp=tuple(stamp))


def _event_table(revision: Revision, /) -> _EventTable:
    """A stored event table, validated once per stored revision, then kept."""
    key = revision_key(revision)
    found = _EVENT_TABLES.get(key)
    if found is None:
        content = revision.content
        table = _EventTable(_events_frame(revision.name, content), tuple(_cited(content)))
        found = _EVENT_TABLES.put(key, table)
        del content
        _trim_after(revision)
    return found


def _cited(content: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(source id, name as the table gives it) of every event of a stored event table."""
    found: dict[str, str] = {}
    for feature in content.get("features", []):
        props = feature.get("properties") or {}
        ids, names = props.get("source") or [], props.get("source_names") or []
        for index, ident in enumerate(ids):
            found.setdefault(ident, names[index] if index < len(names) else ident)
    return list(found.items())


def _events_frame(name: str, content: Mapping[str, Any]) -> gpd.GeoDataFrame:
    """A stored event table as the loader makes an events layer: validated values, WGS84."""
    checked = check_collection(dict(content), file=name, kind=LayerKind.EVENTS, extent=None)
    indices = checked.valid_indices()
    columns = dict(checked.iter_valid_columns())
    return gpd.GeoDataFrame(
        {name: pd.Series(values, dtype=object) for name, values in columns.items()},
        geometry=gpd.GeoSeries(checked.geometries(indices), crs=WGS84),
        crs=WGS84,
    )


def upload_draft(layer: ImportedLayer, /, *, situation_id: str) -> SketchDraft:
    """An accepted import as the store keeps it: its file name, content and notes."""
    return SketchDraft(
        kind="layer",
        name=layer.filename[:MAX_STORED_NAME_CHARS],
        content=layer_content(layer),
        notes="\n".join(layer.notes),
        situation=situation_id,
    )


def stored_rows(revision: Revision, /) -> tuple[NDArray[np.object_], Sequence[Mapping[str, Any]]]:
    """An uploaded layer kept in the store: its shapes (shapely, WGS84 lon/lat; None for a
    feature without one) and its features' properties, in order.

    When every feature has a shape, the shapes are read straight from the stored JSON text
    (GEOS) and the properties only when first used (:class:`_StoredProperties`): a layer
    drawn as a grid, or measured against, never builds its whole JSON as Python objects.
    """
    text = revision.content_json
    if text.startswith(_COMPACT_COLLECTION) and _NO_SHAPE not in text:
        with contextlib.suppress(shapely.errors.GEOSException):
            collection = shapely.from_geojson(text)
            if shapely.get_type_id(collection) == shapely.GeometryType.GEOMETRYCOLLECTION:
                geometries: NDArray[np.object_] = shapely.get_parts(collection)
                return geometries, _StoredProperties(revision, len(geometries))
    features = revision.content.get("features", [])
    texts = [json.dumps(f["geometry"]) if f.get("geometry") else None for f in features]
    geometries = shapely.from_geojson(np.array(texts, dtype=object))
    return geometries, [f.get("properties") or {} for f in features]


class _StoredProperties(Sequence[Mapping[str, Any]]):
    """The properties of a stored upload's features (compact JSON text), read on first use
    one feature at a time, so that reading a few of them builds no whole-content tree.
    """

    def __init__(self, revision: Revision, count: int, /) -> None:
        self._revision = revision
        self._count = count
        self._rows: list[Mapping[str, Any]] | None = None

    def pick(self, rows: Iterable[int], /) -> dict[int, Mapping[str, Any]]:
        """The properties of the features at ``rows`` (positions), by position."""
        if self._rows is not None:
            return {row: self._rows[row] for row in rows}
        return self._read(set(rows))

    def _read(self, wanted: Container[int] | None) -> dict[int, Mapping[str, Any]]:
        text = self._revision.content_json
        try:
            return _scan_properties(text, wanted, self._count)
        except (ValueError, IndexError, AttributeError):  # not the store's layout: parse it all
            features = self._revision.content.get("features", [])
            return {
                row: f.get("properties") or {}
                for row, f in enumerate(features)
                if wanted is None or row in wanted
            }

    def _all(self) -> list[Mapping[str, Any]]:
        if self._rows is None:
            self._rows = list(self._read(None).values())
        return self._rows

    def __len__(self) -> int:
        """How many features."""
        return self._count

    @overload
    def __getitem__(self, index: int) -> Mapping[str, Any]: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Mapping[str, Any]]: ...
    def __getitem__(self, index: int | slice) -> Mapping[str, Any] | Sequence[Mapping[str, Any]]:
        """The properties of the feature(s) at ``index``."""
        return self._all()[index]


def _scan_properties(
    text: str, wanted: Container[int] | None, count: int, /
) -> dict[int, Mapping[str, Any]]:
    """Properties of the features (all, or those at ``wanted``) of a FeatureCollection in
    compact JSON, decoded one feature at a time; ValueError if the text is laid out
    otherwise or holds another number of features than ``count``.
    """
    decode = json.JSONDecoder().raw_decode
    at = text.index(_FEATURES, len(_COMPACT_COLLECTION)) + len(_FEATURES)
    found: dict[int, Mapping[str, Any]] = {}
    row = 0
    while True:
        while text[at] in " \t\r\n,":
            at += 1
        if text[at] == "]":
            break
        feature, at = decode(text, at)
        if wanted is None or row in wanted:
            found[row] = feature.get("properties") or {}
        row += 1
    if row != count:
        msg = f"{row} features where the shapes are {count}"
        raise ValueError(msg)
    return found


def stored_layer_frame(revision: Revision, /) -> gpd.GeoDataFrame:
    """An uploaded layer kept in the store (a FeatureCollection, WGS84) as a GeoDataFrame."""
    geometries, properties = stored_rows(revision)
    rows = [{"geometry": g, **p} for g, p in zip(geometries, properties, strict=True)]
    if not rows:
        return gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=WGS84), crs=WGS84)
    return gpd.GeoDataFrame(rows, crs=WGS84)


def upload_areas(filename: str, frame: gpd.GeoDataFrame, /) -> list[NamedArea]:
    """An upload's polygons as named areas for corridor analysis (marked as uploads)."""
    columns = [c for c in frame.columns if c != frame.geometry.name]
    properties = frame[columns].to_dict("records")
    geometries = np.asarray(frame.geometry.array, dtype=object)
    polygons = np.flatnonzero(np.isin(shapely.get_type_id(geometries), _POLYGON_IDS))
    return _named_areas(filename, geometries, properties, polygons)


def _named_areas(
    filename: str,
    geometries: NDArray[np.object_],
    properties: Sequence[Mapping[str, Any]],
    rows: NDArray[np.intp],
    /,
) -> list[NamedArea]:
    """An upload's polygons at ``rows`` as named areas (full shapes, WGS84 lon/lat)."""
    chosen = rows.tolist()
    if isinstance(properties, _StoredProperties):
        picked = properties.pick(chosen)
    else:
        picked = {row: properties[row] for row in chosen}
    return [
        NamedArea(
            name=f"{upload_feature_name(picked[row], row)} (uploaded: {filename})",
            kind="uploaded",
            geometry=geometries[row],
            approximate=True,
        )
        for row in chosen
    ]


def layer_content(layer: ImportedLayer, /) -> dict[str, Any]:
    """An import as the FeatureCollection the sketch store keeps for its author."""
    return json.loads(layer.to_geojson())
