"""The view a URL asks for, and the URL of a view: a link that reopens exactly this map.

Query keys: ``layers`` (ids, comma-separated), ``from``/``to`` (the time range, UTC days;
``as_of`` is read as ``to`` for older links), ``lat``/``lon``/``zoom`` (the map's centre,
degrees, and Leaflet zoom), ``sel`` (a feature, event or corridor id to open), ``lang``
(en, ar, he) and ``tiles`` (none, osm). Values arrive as text from anyone: unknown layer
ids are ignored, dates are clamped into the situation's range, numbers out of range and
unknown choices fall back to the defaults.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, cast, get_args
from urllib.parse import urlencode

from sitmap.mapview import ExtraLayer, Language, Tiles, ViewState, default_layers
from sitmap.schema import Manifest
from sitmap.situation import Situation

__all__ = [
    "LayerChoice",
    "encoded",
    "first_view",
    "layer_choices",
    "query_date",
    "query_layers",
    "query_range",
    "query_view",
    "view_query",
]

_SELECTABLE: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:\-]{0,199}")
"""What ``?sel=`` may hold: a feature, event, corridor or upload id (letters, digits,
'_.:-'), nothing else."""


@dataclass(frozen=True)
class LayerChoice:
    """One layer toggle: id, title, help text, and whether it starts shown."""

    id: str
    title: str
    help: str | None
    shown: bool


def layer_choices(
    situation: Situation,
    extra: Sequence[ExtraLayer],
    query: Mapping[str, str],
    /,
    *,
    first_run: bool,
) -> list[LayerChoice]:
    """The layer toggles in draw order: situation layers, then saved sketches and uploads.

    On a session's first run the URL decides which are shown (else the defaults); a layer
    that appears later (an upload) starts shown.
    """
    titles = {lid: layer.spec.title for lid, layer in situation.layers.items()}
    helps = {lid: layer.spec.description for lid, layer in situation.layers.items()}
    titles |= {layer.id: layer.title for layer in extra}
    defaults = default_layers(situation) | {layer.id for layer in extra}
    chosen = query_layers(query, titles, defaults)
    return [
        LayerChoice(lid, title, helps.get(lid), lid in chosen or not first_run)
        for lid, title in titles.items()
    ]


def query_layers(
    query: Mapping[str, str], known: Iterable[str], defaults: frozenset[str], /
) -> frozenset[str]:
    """Layers named in ``?layers=a,b`` (unknown ids ignored), else the defaults."""
    raw = query.get("layers")
    if raw is None:
        return defaults
    names = set(known)
    return frozenset(x for x in raw.split(",") if x in names)


def _day(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def query_date(query: Mapping[str, str], manifest: Manifest, /) -> dt.date:
    """The day whose map is shown (``?to=``, or ``?as_of=``) clamped to the situation's
    range, else its as_of.
    """
    day = _day(query.get("to")) or _day(query.get("as_of")) or manifest.as_of
    return min(max(day, manifest.start), manifest.end)


def query_range(query: Mapping[str, str], manifest: Manifest, /) -> tuple[dt.date, dt.date]:
    """The time range (``?from=``, ``?to=``), clamped and ordered; from defaults to start."""
    end = query_date(query, manifest)
    start = _day(query.get("from")) or manifest.start
    start = min(max(start, manifest.start), end)
    return start, end


def _number(raw: str | None, low: float, high: float) -> float | None:
    try:
        value = float(raw) if raw else None
    except ValueError:
        return None
    return value if value is not None and math.isfinite(value) and low <= value <= high else None


def _choice(raw: str | None, choices: tuple[str, ...], default: str) -> str:
    return raw if raw in choices else default


def query_view(
    query: Mapping[str, str], manifest: Manifest, layers: frozenset[str], /
) -> ViewState:
    """The view a URL asks for, with ``layers`` already chosen (see :func:`layer_choices`)."""
    start, end = query_range(query, manifest)
    lat = _number(query.get("lat"), -90, 90)
    lon = _number(query.get("lon"), -180, 180)
    zoom = _number(query.get("zoom"), 1, 19)
    selected = query.get("sel") or None
    if selected is not None and not _SELECTABLE.fullmatch(selected):
        selected = None
    language = cast(Language, _choice(query.get("lang"), get_args(Language), "en"))
    tiles = cast(Tiles, _choice(query.get("tiles"), get_args(Tiles), "none"))
    return ViewState(
        layers=layers,
        as_of=end,
        since=None if start == manifest.start else start,
        tiles=tiles,
        language=language,
        centre=(lat, lon) if lat is not None and lon is not None else None,
        zoom=int(zoom) if zoom is not None else None,
        selected=selected,
    )


def first_view(
    situation: Situation, extra: Sequence[ExtraLayer], query: Mapping[str, str], /
) -> ViewState:
    """The view a session's first run shows before any widget exists: what the sidebar's
    toggles and choices will hold once drawn (the URL's layers, else the defaults).
    """
    chosen = layer_choices(situation, extra, query, first_run=True)
    return query_view(query, situation.manifest, frozenset(c.id for c in chosen if c.shown))


def encoded(view: ViewState, /) -> str:
    """The query string of ``view`` (without '?'), percent-encoded."""
    return urlencode(view_query(view))


def view_query(view: ViewState, /) -> dict[str, str]:
    """The query parameters that reopen ``view`` (defaults left out, except layers/dates)."""
    query = {"layers": ",".join(sorted(view.layers)), "to": view.as_of.isoformat()}
    if view.since is not None:
        query["from"] = view.since.isoformat()
    if view.centre is not None:
        query["lat"], query["lon"] = f"{view.centre[0]:.5f}", f"{view.centre[1]:.5f}"
    if view.zoom is not None:
        query["zoom"] = str(view.zoom)
    if view.selected:
        query["sel"] = view.selected
    if view.language != "en":
        query["lang"] = view.language
    if view.tiles != "none":
        query["tiles"] = view.tiles
    return query
