"""Events and layers at a date: what the situation looked like 'as of' a day.

Pure functions over a ``Situation``'s frames. Dates are calendar days (UTC); an event
counts as of a day when its time (UTC) falls on or before that day's end.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from sitmap.caching import DerivedCache
from sitmap.schema import LayerKind
from sitmap.situation import Layer, Situation

__all__ = [
    "EVENTS_SHOWN",
    "ClaimGroup",
    "ClaimRow",
    "claim_groups",
    "claims_until",
    "day_cutoff_ms",
    "day_start_ms",
    "end_of_day_utc",
    "first_shown",
    "is_version",
    "shown_spans_ms",
    "situation_at",
    "start_of_day_utc",
    "valid_at",
]


EVENTS_SHOWN = 1_000
"""Most events the events panel lists (the latest ones); the map shows them all."""


def event_rows(
    events: gpd.GeoDataFrame,
    as_of: dt.date,
    /,
    *,
    since: dt.date | None = None,
    limit: int = EVENTS_SHOWN,
) -> tuple[pd.DataFrame, int]:
    """The latest ``limit`` events from ``since`` to ``as_of`` (UTC days, both included;
    oldest first) and how many there are.

    Columns: id, time (UTC), time_precision, title, actors, located, source, dating.
    """
    times = pd.to_datetime(events["time"], utc=True)
    inside = times < end_of_day_utc(as_of)
    if since is not None:
        inside &= times >= start_of_day_utc(since)
    kept = np.flatnonzero(inside.to_numpy())
    kept = kept[np.argsort(times.to_numpy(dtype="datetime64[ns]")[kept], kind="stable")]
    latest = events.iloc[kept[-limit:] if limit else kept[:0]]  # copies only the listed rows
    rows = pd.DataFrame(
        {
            "id": latest["id"].astype(str),
            "time": pd.to_datetime(latest["time"], utc=True),
            "time_precision": latest["time_precision"],
            "title": latest["title"],
            "actors": latest["actors"],
            "located": latest.geometry.notna().to_numpy(),
            "source": latest["source"],
            "dating": latest["dating"],
        }
    )
    return rows, len(kept)


def end_of_day_utc(day: dt.date, /) -> pd.Timestamp:
    """The last instant of a calendar day in UTC (exclusive bound: next midnight)."""
    return pd.Timestamp(day + dt.timedelta(days=1), tz="UTC")


def start_of_day_utc(day: dt.date, /) -> pd.Timestamp:
    """The first instant of a calendar day in UTC (midnight)."""
    return pd.Timestamp(day, tz="UTC")


def _day(value: Any) -> dt.date | None:
    """A date column's value as a day, None when missing."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return None
    return value if isinstance(value, dt.date) else None


def first_shown(frame: gpd.GeoDataFrame, /) -> pd.Series:
    """The day each feature appears on the map: its ``valid_from``, else the day it was
    first reported (``as_of``); None when it has neither (always shown).
    """
    starts = frame["valid_from"] if "valid_from" in frame else pd.Series(None, index=frame.index)
    reported = frame["as_of"] if "as_of" in frame else pd.Series(None, index=frame.index)
    return pd.Series(
        [_day(v) or _day(r) for v, r in zip(starts, reported, strict=True)],
        index=frame.index,
        dtype=object,
    )


def valid_at(frame: gpd.GeoDataFrame, as_of: dt.date, /) -> pd.Series:
    """Mask of features on the map of ``as_of``: first shown (``valid_from``, else reported)
    on or before that day, and not superseded (``valid_to``) before it.
    """
    appear = first_shown(frame)
    mask = appear.map(lambda d: d is None or d <= as_of).astype(bool)
    if "valid_to" in frame:
        mask &= frame["valid_to"].map(lambda d: _day(d) is None or d >= as_of).astype(bool)
    return mask


def day_start_ms(day: dt.date, /) -> int:
    """A day's first instant (UTC midnight) in epoch milliseconds."""
    return int(start_of_day_utc(day).timestamp()) * 1000


def day_cutoff_ms(day: dt.date, /) -> int:
    """A day's last whole second (23:59:59 UTC) in epoch milliseconds: what the map of
    ``day`` shows is what is dated at or before it (the map's ``cutoff``).
    """
    return day_start_ms(day + dt.timedelta(days=1)) - 1000


def shown_spans_ms(frame: gpd.GeoDataFrame, /) -> list[tuple[int | None, int | None]]:
    """When each feature is on the map, as epoch milliseconds (UTC): ``(from, until)``,
    from the start of the day it is first shown (:func:`first_shown`) to the end of its
    ``valid_to`` day (exclusive); None where there is no bound.

    A feature is on the map of a day exactly when ``from <= day_cutoff_ms(day) < until``,
    the same answer as :func:`valid_at`; the map's script tests it on every step of the
    timeline, in the browser alone (``static/sitmap/timeline.js``).
    """
    ends = frame["valid_to"] if "valid_to" in frame else pd.Series(None, index=frame.index)
    spans = []
    for first, last in zip(first_shown(frame), ends, strict=True):
        end = _day(last)
        spans.append(
            (
                None if first is None else day_start_ms(first),
                None if end is None else day_start_ms(end + dt.timedelta(days=1)),
            )
        )
    return spans


def is_version(frame: gpd.GeoDataFrame, /) -> pd.Series:
    """Mask of features that are a rival version of another one (an ``about`` id)."""
    if "about" not in frame:
        return pd.Series(False, index=frame.index, dtype=bool)
    return frame["about"].map(lambda v: isinstance(v, str) and bool(v)).astype(bool)


_AS_OF: DerivedCache[Situation] = DerivedCache("situations as of a day", maxsize=16)
"""The situation as it stood on a day (versions left out), by situation key and day."""


def situation_at(situation: Situation, as_of: dt.date | None = None, /) -> Situation:
    """The situation corridors are measured against: as it stood on ``as_of``.

    Features not yet reported (:func:`valid_at`) or already superseded that day are left
    out, and so are rival versions of a feature (those with an ``about`` id): they are
    compared side by side (:mod:`sitmap.analysis.versions`), never measured against as
    the situation. ``as_of`` None keeps every date. The result's ``key`` names the day, so
    what is derived from it (the area index) is cached per day.
    """
    day = "all" if as_of is None else as_of.isoformat()
    key = (situation.key, tuple(situation.layers), day)
    return _AS_OF.get_or_make(key, lambda: _situation_at(situation, as_of, day))


def _situation_at(situation: Situation, as_of: dt.date | None, day: str) -> Situation:
    layers: dict[str, Layer] = {}
    for layer_id, layer in situation.layers.items():
        frame = layer.frame
        if layer.spec.kind is LayerKind.EVENTS:  # events never bound a corridor
            layers[layer_id] = layer
            continue
        keep = ~is_version(frame)
        if as_of is not None and len(frame):
            keep &= valid_at(frame, as_of)
        if not bool(keep.all()):
            frame = frame[keep.to_numpy()]
        layers[layer_id] = replace(layer, frame=frame)
    return replace(situation, layers=layers, stamp=(*situation.stamp, (f"as of {day}", 0, 0)))


def claims_until(claims: Any, as_of: dt.date, /) -> tuple[list[dict[str, Any]], int]:
    """Claims made on or before ``as_of``, and how many later ones were left out."""
    if not isinstance(claims, list):
        return [], 0
    kept = [c for c in claims if c["date"] <= as_of]
    return kept, len(claims) - len(kept)


@dataclass(frozen=True)
class ClaimRow:
    """One claim, with the feature or event it is attached to."""

    by: str
    says: str
    source: str
    date: dt.date
    feature_id: str
    feature_name: str


@dataclass(frozen=True)
class ClaimGroup:
    """Rival claims on one question, side by side, oldest first."""

    about: str
    rows: tuple[ClaimRow, ...]

    @property
    def parties(self) -> int:
        """How many different parties make a claim on this question."""
        return len({row.by for row in self.rows})


def claim_groups(situation: Situation, as_of: dt.date, /) -> list[ClaimGroup]:
    """Every question with claims made by ``as_of``, most-disputed first.

    The same claim attached to several features (same question, party, words and
    date) is listed once, under the first feature that carries it.
    """
    grouped: dict[str, dict[tuple[str, str, str, dt.date], ClaimRow]] = {}
    for layer in situation.layers.values():
        frame = layer.frame
        if "claims" not in frame:
            continue
        with_claims = frame[
            frame["claims"].map(lambda c: isinstance(c, list) and bool(c)).astype(bool)
        ]
        names = with_claims["name"] if "name" in with_claims else with_claims["id"]
        for ident, name, claims in zip(
            with_claims["id"], names, with_claims["claims"], strict=True
        ):
            kept, _ = claims_until(claims, as_of)
            for claim in kept:
                key = (claim["by"], claim["says"], claim["source"], claim["date"])
                row = ClaimRow(
                    by=claim["by"],
                    says=claim["says"],
                    source=claim["source"],
                    date=claim["date"],
                    feature_id=str(ident),
                    feature_name=str(name if isinstance(name, str) else ident),
                )
                grouped.setdefault(claim["about"], {}).setdefault(key, row)
    groups = [
        ClaimGroup(about, tuple(sorted(rows.values(), key=lambda r: (r.date, r.by))))
        for about, rows in grouped.items()
    ]
    return sorted(groups, key=lambda g: (-g.parties, g.about))
