"""The timeline under the map: events per day, and the range the map stepped to by itself
(``static/sitmap/timeline.js``, reported back to the page).

Days are UTC calendar days; the range is the days the reader chose (both included).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sitmap.caching import DerivedCache
from sitmap.schema import LayerKind, Manifest
from sitmap.situation import Situation

__all__ = ["ReportedRange", "events_per_day", "histogram_html", "reported_range"]

_PER_DAY: DerivedCache[pd.DataFrame] = DerivedCache("events per day", maxsize=8)
_BAR_IN = "#1f5fbf"  # a day inside the chosen range
_BAR_OUT = "#b8c4d6"  # a day outside it
_HEIGHT = 48  # px, the bars' box; its width is the container's
_AXIS = 16  # px under the bars for the Mondays' dates


def events_per_day(situation: Situation, /) -> pd.DataFrame:
    """How many events fall on each day of the situation (UTC), every day listed.

    Columns: ``day`` (date) and ``events`` (count); for the histogram under the map.
    Counted once per state of the situation's files.
    """
    return _PER_DAY.get_or_make(situation.key, lambda: _count_per_day(situation))


def _count_per_day(situation: Situation, /) -> pd.DataFrame:
    manifest = situation.manifest
    days = pd.date_range(manifest.start, manifest.end, freq="D")
    counts = pd.Series(0, index=days.date, dtype="int64")
    for layer in situation.layers_of(LayerKind.EVENTS):
        times = pd.to_datetime(layer.frame["time"], utc=True).dt.date
        counts = counts.add(times.value_counts(), fill_value=0).astype("int64")
    counts = counts[(counts.index >= manifest.start) & (counts.index <= manifest.end)]
    return pd.DataFrame({"day": list(counts.index), "events": counts.to_numpy()})


MAX_SEQ = 10**12
"""The highest report number taken (a larger one is not the map's)."""


@dataclass(frozen=True)
class ReportedRange:
    """A range the map stepped to by itself (``static/sitmap/timeline.js``), number ``seq``."""

    seq: int
    span: tuple[dt.date, dt.date]


def reported_range(tags: Any, manifest: Manifest, /) -> ReportedRange | None:
    """The range in the map's report, ``["seq=N", "since=YYYY-MM-DD", "until=YYYY-MM-DD"]``
    (streamlit-folium's ``selected_tags``); None when there is none or it is not one the
    map makes: any other shape, a day outside the situation's period, since after until.
    """
    if not isinstance(tags, Sequence) or isinstance(tags, str) or len(tags) != 3:
        return None
    fields = dict(str(tag).partition("=")[::2] for tag in tags)
    try:
        seq = int(fields["seq"])
        since = dt.date.fromisoformat(fields["since"])
        until = dt.date.fromisoformat(fields["until"])
    except (KeyError, ValueError):
        return None
    inside = manifest.start <= since <= until <= manifest.end
    return ReportedRange(seq, (since, until)) if inside and 0 < seq <= MAX_SEQ else None


def histogram_html(counts: pd.DataFrame, /, *, since: dt.date | None, until: dt.date) -> str:
    """Events per day as plain HTML bars (no script, no SVG, no data strings: dates and
    counts only), which Streamlit's ``st.html`` shows as they are.

    ``counts`` is :func:`events_per_day`'s frame. Days from ``since`` (None: the first)
    to ``until`` are drawn dark, the rest light; Mondays get their date under the bars.
    The bars share the container's width. ``role="img"`` with a label stating the chosen
    range and the busiest day, for a screen reader; each bar's title gives its day.
    """
    days: list[dt.date] = list(counts["day"])
    values = [int(v) for v in counts["events"]]
    top = max(values, default=0) or 1
    first = since or (days[0] if days else until)
    n = max(len(days), 1)
    bars, ticks = [], []
    for i, (day, value) in enumerate(zip(days, values, strict=True)):
        colour = _BAR_IN if first <= day <= until else _BAR_OUT
        plural = "s" if value != 1 else ""
        height = f"{max(4.0, 100 * value / top):.0f}%" if value else "0"
        bars.append(
            f'<div title="{day:%a %d %b}: {value} event{plural}" style="flex:1 1 0;'
            f'margin:0 1px;height:{height};background:{colour}"></div>'
        )
        if day.weekday() == 0:
            ticks.append(
                f'<span style="position:absolute;left:{100 * i / n:.2f}%;top:{_HEIGHT + 2}px;'
                f'font-size:11px;color:#555;white-space:nowrap">{day:%d %b}</span>'
            )
    busiest = max(range(len(values)), key=values.__getitem__) if values else None
    said = f"; most on {days[busiest]:%d %b %Y}: {values[busiest]}" if busiest is not None else ""
    label = f"Events per day; chosen {first:%d %b} to {until:%d %b %Y}{said}"
    return (
        f'<div role="img" aria-label="{label}" title="{label}" '
        f'style="position:relative;height:{_HEIGHT + _AXIS + 2}px">'
        f'<div style="display:flex;align-items:flex-end;height:{_HEIGHT}px;'
        f'border-bottom:1px solid #999">{"".join(bars)}</div>{"".join(ticks)}</div>'
    )
