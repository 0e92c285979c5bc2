"""Rival versions as the page lists them: each contested thing, who places it where, how far apart.

Plain frames for the "Who says what" tab (:func:`version_tables`) and the comparison of a
reader's uploaded line or area with a situation feature and its versions
(:func:`upload_shapes`, :func:`upload_table`). No Streamlit here. Areas between versions
are km², offsets metres, both geodesic (:mod:`sitmap.analysis.versions`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from shapely.geometry.base import BaseGeometry

from sitmap.analysis.timeline import situation_at
from sitmap.analysis.versions import (
    Difference,
    Version,
    accuracy_versions,
    contested,
    difference,
    measure_against_versions,
    versions_of,
)
from sitmap.caching import DerivedCache
from sitmap.mapview.popups import source_text
from sitmap.mapview.userlayers import upload_feature_name
from sitmap.page.uploads import is_events_upload, stored_layer_frame
from sitmap.schema import LayerKind
from sitmap.situation import Situation
from sitmap.store import Revision

__all__ = [
    "PER_VERSION_NOTE",
    "PER_VERSION_TITLE",
    "UploadShape",
    "VersionGroup",
    "VersionTable",
    "comparable_features",
    "corridor_version_table",
    "upload_shapes",
    "upload_table",
    "version_groups",
    "version_tables",
]

PER_VERSION_TITLE = "Against each version of a contested line or area"
PER_VERSION_NOTE = (
    "The same line measured against each claimant's version, side by side (geodesic): how "
    "much of it lies inside each area, how often it crosses each line, how far it passes "
    "from each. The first row of each is this map's."
)

_LINES_AND_AREAS = frozenset({"LineString", "MultiLineString", "Polygon", "MultiPolygon"})


@dataclass(frozen=True)
class VersionTable:
    """One contested thing: its name, and one row per version with how far it is from
    the first (the feature as this map draws it).
    """

    about: str
    name: str
    frame: pd.DataFrame


def _offset_text(metres: float) -> str:
    """Metres to the nearest 10 (no geometry here is known better), km past 10 km."""
    if metres >= 10_000:
        return f"{metres / 1000:,.1f} km"
    return f"{round(metres, -1 if metres >= 100 else 0):,.0f} m"


def _rows(
    situation: Situation, versions: Sequence[Version], diffs: Sequence[Difference | None]
) -> pd.DataFrame:
    rows = []
    for version, diff in zip(versions, diffs, strict=True):
        area = "" if diff is None or diff.area_between_km2 is None else diff.area_between_km2
        rows.append(
            {
                "Claimant": version.claimant,
                "Area between (km²)": "" if area == "" else f"{area:.2f}",
                "Largest offset": "" if diff is None else _offset_text(diff.largest_offset_m),
                "Confidence": version.confidence or "",
                "Accuracy (m)": f"{version.accuracy_m:,.0f}" if version.accuracy_m else "",
                "Date": version.date.isoformat() if version.date else "",
                "Version": version.name,
                "Source": "; ".join(source_text(s, situation.sources) for s in version.source),
            }
        )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class VersionGroup:
    """One thing and its versions, the feature as this map draws it first."""

    about: str
    name: str
    versions: tuple[Version, ...]


_GROUPS: DerivedCache[list[VersionGroup]] = DerivedCache("version groups", maxsize=16)
_TABLES: DerivedCache[list[VersionTable]] = DerivedCache("version tables", maxsize=16)


def version_groups(situation: Situation, as_of: dt.date, /) -> list[VersionGroup]:
    """Every contested thing on ``as_of`` with its versions, then each controlled area as
    mapped and its accuracy band (shrunk and grown by its accuracy) as versions.
    """
    key = (situation.key, as_of)
    return _GROUPS.get_or_make(key, lambda: _version_groups(situation, as_of))


def _version_groups(situation: Situation, as_of: dt.date) -> list[VersionGroup]:
    disputed = contested(situation, as_of=as_of)
    out = [VersionGroup(about, vs[0].name, tuple(vs)) for about, vs in disputed.items()]
    kinds = situation.manifest.analysis.controlled_area_kinds
    for ident in situation.features(kinds=kinds)["id"]:
        found = versions_of(situation, str(ident), as_of=as_of)
        if found and str(ident) not in disputed:
            name = f"{found[0].name}: as mapped and its accuracy band"
            out.append(VersionGroup(str(ident), name, tuple(accuracy_versions(found[0]))))
    return out


def version_tables(situation: Situation, as_of: dt.date, /) -> list[VersionTable]:
    """Every contested thing on ``as_of`` with its versions side by side, then each
    controlled area as mapped against its accuracy band (shrunk and grown by it).

    Differences are against the first row (the feature as this map draws it).
    """
    key = (situation.key, as_of)
    return _TABLES.get_or_make(key, lambda: _version_tables(situation, as_of))


def _version_tables(situation: Situation, as_of: dt.date) -> list[VersionTable]:
    out = []
    for group in version_groups(situation, as_of):
        first, *rest = group.versions
        diffs = [None] + [
            difference(first.geometry, v.geometry, first=first.id, second=v.id) for v in rest
        ]
        out.append(VersionTable(group.about, group.name, _rows(situation, group.versions, diffs)))
    return out


def _km(metres: float | None) -> str:
    return "" if metres is None else f"{metres / 1000:.2f}"


def corridor_version_table(
    situation: Situation, line: BaseGeometry, as_of: dt.date, /
) -> pd.DataFrame:
    """A corridor against each version of every contested thing, side by side: km inside
    each area version, crossings of each line version, km to each version.
    """
    rows = []
    for group in version_groups(situation, as_of):
        for measured in measure_against_versions(line, group.versions):
            version = measured.version
            rows.append(
                {
                    "Thing": group.name,
                    "Claimant": version.claimant,
                    "Inside (km)": _km(measured.inside_m),
                    "Crosses": "" if measured.crossings is None else str(measured.crossings),
                    "Distance (km)": _km(measured.distance_m),
                }
            )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class UploadShape:
    """A line or area of a reader's upload that can be compared with the situation."""

    label: str
    geometry: BaseGeometry


def upload_shapes(uploads: Sequence[Revision], /) -> list[UploadShape]:
    """Every line and area of the stored uploads (not event tables), labelled
    'FEATURE (FILE, by AUTHOR)'.
    """
    out = []
    for revision in uploads:
        if is_events_upload(revision):
            continue
        frame = stored_layer_frame(revision)
        columns = [c for c in frame.columns if c != frame.geometry.name]
        for index, (geometry, values) in enumerate(
            zip(frame.geometry, frame[columns].itertuples(index=False, name=None), strict=True)
        ):
            if geometry is None or geometry.is_empty or geometry.geom_type not in _LINES_AND_AREAS:
                continue
            name = upload_feature_name(dict(zip(columns, values, strict=True)), index)
            label = f"{name} ({revision.name}, by {revision.created_by})"
            out.append(UploadShape(label, geometry))
    return out


def comparable_features(situation: Situation, as_of: dt.date, /) -> dict[str, str]:
    """The situation's lines and areas on ``as_of`` (not versions), id -> name, that an
    upload can be compared with; contested ones first.
    """
    disputed = contested(situation, as_of=as_of)
    names = {about: versions[0].name for about, versions in disputed.items()}
    for layer in situation_at(situation, as_of).layers.values():
        if layer.spec.kind is LayerKind.EVENTS:
            continue
        frame = layer.frame
        for ident, name, geometry in zip(frame["id"], frame["name"], frame.geometry, strict=True):
            if geometry is not None and geometry.geom_type in _LINES_AND_AREAS:
                names.setdefault(str(ident), str(name))
    return names


def upload_table(
    situation: Situation, shape: UploadShape, feature_id: str, as_of: dt.date, /
) -> pd.DataFrame:
    """The upload against every version of one feature: claimant, version, area between
    (km²) and largest offset, one row per version.
    """
    versions = versions_of(situation, feature_id, as_of=as_of)
    diffs = [
        difference(shape.geometry, v.geometry, first=shape.label, second=v.id) for v in versions
    ]
    return _rows(situation, versions, diffs)
