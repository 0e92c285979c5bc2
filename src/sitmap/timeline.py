"""Events and layers at a date: what the situation looked like 'as of' a day.

Pure functions over a ``Situation``'s frames. Dates are calendar days (UTC); an event
counts as of a day when its time (UTC) falls on or before that day's end.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from sitmap.situation import Situation

__all__ = [
    "EVENTS_SHOWN",
    "ClaimGroup",
    "ClaimRow",
    "claim_groups",
    "claims_until",
    "end_of_day_utc",
    "events_until",
    "valid_at",
]


EVENTS_SHOWN = 1_000
"""Most events the events panel lists (the latest ones); the map shows them all."""


def event_rows(
    events: gpd.GeoDataFrame, as_of: dt.date, /, *, limit: int = EVENTS_SHOWN
) -> tuple[pd.DataFrame, int]:
    """The latest ``limit`` events up to ``as_of`` (oldest first) and how many there are.

    Columns: time (UTC), time_precision, title, actors, located, source, dating.
    """
    times = pd.to_datetime(events["time"], utc=True)
    kept = np.flatnonzero((times < end_of_day_utc(as_of)).to_numpy())
    kept = kept[np.argsort(times.to_numpy(dtype="datetime64[ns]")[kept], kind="stable")]
    latest = events.iloc[kept[-limit:] if limit else kept[:0]]  # copies only the listed rows
    rows = pd.DataFrame(
        {
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


def events_until(events: gpd.GeoDataFrame, as_of: dt.date, /) -> gpd.GeoDataFrame:
    """Events whose time is on or before ``as_of`` (UTC), in time order."""
    if events.empty:
        return events
    times = pd.to_datetime(events["time"], utc=True)
    kept = events[times < end_of_day_utc(as_of)]
    return kept.iloc[pd.to_datetime(kept["time"], utc=True).argsort(kind="stable")]


def valid_at(frame: gpd.GeoDataFrame, as_of: dt.date, /) -> pd.Series:
    """Mask of features valid on ``as_of``: outside none of ``valid_from``/``valid_to``."""
    mask = pd.Series(True, index=frame.index)
    for column, keep in (("valid_from", lambda d: d <= as_of), ("valid_to", lambda d: d >= as_of)):
        if column in frame:
            mask &= frame[column].map(lambda d, k=keep: d is None or pd.isna(d) or k(d))
    return mask


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
        with_claims = frame[frame["claims"].map(lambda c: isinstance(c, list) and bool(c))]
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
