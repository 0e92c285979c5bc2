"""Always-visible labels: short names of the key features, in the reader's language.

Which kinds get a label, and which wins where two collide, is the situation's choice
(``[labels]`` in situation.toml: ``priority`` by kind, 1 placed first). Python picks each
label's text and candidate anchors (areas: a point well inside, clear of the
higher-priority areas it contains; lines: points along them; points: the point) and
sends the labels of the visible layers, each with the days it is shown;
``static/sitmap/labels.js`` (``L.SitmapLabels``) places those of the chosen day, thins
collisions on every zoom and move, and switches language. Text is data: it travels as
JSON and is placed with ``textContent``.

Wiring: ``base_map`` adds :class:`LabelsLayer` once (stable between reruns); each rerun
adds ``labels_group(situation, layers, language=...)`` to the view's groups.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import folium
import shapely
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template
from shapely.geometry.base import BaseGeometry
from shapely.ops import polylabel

from sitmap.analysis.timeline import day_cutoff_ms, shown_spans_ms
from sitmap.caching import DerivedCache
from sitmap.escaping import script_safe
from sitmap.mapview import assets
from sitmap.mapview.styles import POINT_RADIUS_PX, legend_key, style_for, symbol_class
from sitmap.schema import LayerKind
from sitmap.situation import Situation

__all__ = [
    "ESTIMATE_MARK",
    "LABELS_CSS",
    "LANGUAGES",
    "LabelLanguage",
    "LabelText",
    "LabelsLayer",
    "LabelsView",
    "label_text",
    "labels_group",
    "labels_payload",
    "short_label",
]

LabelLanguage = Literal["en", "ar", "he"]
"""The language of names on the map: English, Arabic, Hebrew."""

LANGUAGES: dict[LabelLanguage, str] = {
    "en": "English",
    "ar": "العربية (Arabic)",
    "he": "עברית (Hebrew)",
}
"""Label languages in the order a picker lists them, with their names for the picker."""

_NAME_KEYS: dict[LabelLanguage, tuple[str, str]] = {
    "en": ("label", "name"),
    "ar": ("label_ar", "name_ar"),
    "he": ("label_he", "name_he"),
}
"""Where each language's text comes from: a short ``label*`` if the data has one, else
the name."""

_RTL: frozenset[str] = frozenset({"ar", "he"})

ESTIMATE_MARK = "~"
"""Put before the label of an approximate feature (also italic), in every language."""

PAYLOAD_VERSION = 1

_PARENTHESES = re.compile(r"\s*[(\[][^()\[\]]*[)\]]")


def short_label(name: str, /, *, approximate: bool, max_chars: int = 34) -> str:
    """A label from a name: parenthetical qualifiers dropped, at most ``max_chars`` (cut at
    a word, with '…'), and ``ESTIMATE_MARK`` first for an approximate feature.
    """
    text = name
    while True:  # nested or repeated qualifiers: "(a (b))", "x (a) (b)"
        shorter = _PARENTHESES.sub("", text)
        if shorter == text:
            break
        text = shorter
    text = " ".join(text.split()).strip(" ,;:-/") or " ".join(name.split())
    if len(text) > max_chars:
        cut = text[: max_chars - 1]
        if " " in cut:
            cut = cut[: cut.rindex(" ")]
        text = cut.rstrip(" ,;:-/") + "…"
    return ESTIMATE_MARK + text if approximate else text


@dataclass(frozen=True)
class LabelText:
    """A label's text in one language: the text, its BCP 47 language, its direction."""

    text: str
    lang: str
    dir: Literal["ltr", "rtl"]


def label_text(
    props: Mapping[str, Any], language: LabelLanguage, /, *, max_chars: int = 34
) -> LabelText:
    """The label of a feature in ``language``, English when that name is missing."""
    approximate = bool(props.get("approximate"))
    for lang in (language, "en"):
        short_key, name_key = _NAME_KEYS[lang]
        for key in (short_key, name_key):
            value = props.get(key)
            if isinstance(value, str) and value.strip():
                limit = 10_000 if key == short_key else max_chars
                text = short_label(value, approximate=approximate, max_chars=limit)
                return LabelText(text, lang, "rtl" if lang in _RTL else "ltr")
    return LabelText(str(props.get("id", "")), "en", "ltr")


# --- anchors ------------------------------------------------------------------------

AREA_ANCHORS = 5
"""Candidate anchors per area: its pole of inaccessibility, then other roomy spots."""
LINE_FRACTIONS = (0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8, 0.1, 0.9, 0.05, 0.95)
"""Where along a line its label may sit (fractions of its length), in order of preference."""
_GRID = 12
_MIN_REMAINDER = 0.25
"""An area avoids the higher-priority areas inside it only when this much of it is left."""


def _largest(geometry: BaseGeometry) -> BaseGeometry:
    parts = getattr(geometry, "geoms", None)
    if parts is None:
        return geometry
    return max(parts, key=lambda part: (part.area, part.length))


def _area_anchors(area: BaseGeometry, avoid: BaseGeometry | None) -> list[BaseGeometry]:
    """Points well inside ``area`` (outside ``avoid`` when enough is left), roomiest first."""
    region = area
    if avoid is not None and not avoid.is_empty:
        rest = area.difference(avoid)
        if not rest.is_empty and rest.area >= _MIN_REMAINDER * area.area:
            region = rest
    main = _largest(region)
    width = max(main.bounds[2] - main.bounds[0], main.bounds[3] - main.bounds[1])
    first = polylabel(main, tolerance=max(width / 200, 1e-6))
    spacing = width / 4
    west, south, east, north = region.bounds
    grid = [
        shapely.Point(
            west + (east - west) * (i + 0.5) / _GRID, south + (north - south) * (j + 0.5) / _GRID
        )
        for i in range(_GRID)
        for j in range(_GRID)
    ]
    boundary = region.boundary
    inside = [p for p in grid if region.contains(p)]
    inside.sort(key=lambda p: -boundary.distance(p))
    chosen = [first]
    for point in inside:
        if len(chosen) >= AREA_ANCHORS:
            break
        if all(point.distance(other) >= spacing for other in chosen):
            chosen.append(point)
    return chosen


def _anchors(geometry: BaseGeometry, avoid: BaseGeometry | None) -> list[list[float]]:
    """Candidate anchors of a label, [lat, lon] (Leaflet's order), best first."""
    kind = geometry.geom_type
    if kind in {"Polygon", "MultiPolygon"}:
        points = _area_anchors(geometry, avoid)
    elif kind in {"LineString", "MultiLineString"}:
        line = _largest(geometry)
        points = [line.interpolate(f, normalized=True) for f in LINE_FRACTIONS]
    else:
        points = [geometry.representative_point()]
    return [[round(p.y, 6), round(p.x, 6)] for p in points]


def _shape(geometry: BaseGeometry) -> str:
    kind = geometry.geom_type
    if kind in {"Polygon", "MultiPolygon"}:
        return "area"
    if kind in {"LineString", "MultiLineString"}:
        return "line"
    return "point"


def _readable(colour: str) -> str:
    """The feature's colour, darkened until text in it reads on a white halo."""
    try:
        rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    except (ValueError, IndexError):
        return "#222222"
    while 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2] > 110:
        rgb = [int(c * 0.8) for c in rgb]
    return "#" + "".join(f"{c:02x}" for c in rgb)


@dataclass(frozen=True)
class _Candidate:
    """One labelled feature of the situation, before the view's layers and date."""

    layer: str
    id: str
    order: tuple[int, int, float, int]
    entry: dict[str, Any]

    def shown_on(self, day: dt.date, /) -> bool:
        """Whether the feature is on the map of ``day`` (its span, ``f``/``u``)."""
        cutoff = day_cutoff_ms(day)
        start, end = self.entry.get("f"), self.entry.get("u")
        return (start is None or start <= cutoff) and (end is None or cutoff < end)


_CANDIDATES: DerivedCache[list[_Candidate]] = DerivedCache("label candidates", maxsize=4)
_PAYLOADS: DerivedCache[dict[str, Any]] = DerivedCache("label payloads", maxsize=128)


def _candidates(situation: Situation) -> list[_Candidate]:
    """Every feature of a labelled kind, with its texts and anchors (cached per situation)."""
    spec = situation.manifest.labels
    rows = []
    for layer_id, layer in situation.layers.items():
        if layer.spec.kind is LayerKind.EVENTS or "kind" not in layer.frame:
            continue
        frame = layer.frame[layer.frame["kind"].isin(list(spec.priority))]
        frame = frame[frame.geometry.notna()]
        for props, geometry, span in zip(
            frame.drop(columns="geometry").to_dict("records"),
            frame.geometry,
            shown_spans_ms(frame),
            strict=True,
        ):
            if not geometry.is_empty:
                rows.append((layer_id, _clean(props), geometry, span))
    areas = [(spec.priority[str(p["kind"])], g) for _l, p, g, _s in rows if _shape(g) == "area"]
    found = []
    for index, (layer_id, props, geometry, (start, end)) in enumerate(rows):
        priority = spec.priority[str(props["kind"])]
        shape = _shape(geometry)
        avoid = None
        if shape == "area":
            inner = [
                g for p, g in areas if p < priority and g.intersection(geometry).area > 0.5 * g.area
            ]
            avoid = shapely.union_all(inner) if inner else None
        size = geometry.area if shape == "area" else geometry.length
        texts = {
            lang: _as_list(label_text(props, lang, max_chars=spec.max_chars)) for lang in LANGUAGES
        }
        entry = {
            "id": str(props["id"]),
            "k": str(props["kind"]),
            "y": symbol_class(legend_key(props)),  # hidden with its legend row
            "p": priority,
            "s": shape,
            "e": bool(props.get("approximate")),
            "c": _readable(str(style_for(props).get("color", "#222222"))),
            "a": _anchors(geometry, avoid),
            "t": texts,
        }
        if shape == "area":
            west, south, east, north = (round(v, 6) for v in geometry.bounds)
            entry["b"] = [[south, west], [north, east]]
        if start is not None:
            entry["f"] = start
        if end is not None:
            entry["u"] = end
        order = (priority, ("area", "line", "point").index(shape), -size, index)
        found.append(_Candidate(layer_id, str(props["id"]), order, entry))
    found.sort(key=lambda c: c.order)
    return found


def _as_list(text: LabelText) -> list[str]:
    return [text.text, text.lang, text.dir]


def _clean(props: Mapping[str, Any]) -> dict[str, Any]:
    """Properties without missing values (NaN, None)."""
    return {k: v for k, v in props.items() if not (v is None or (isinstance(v, float) and v != v))}


def labels_payload(
    situation: Situation, layers: Collection[str], /, *, as_of: dt.date | None = None
) -> dict[str, Any]:
    """The labels of the visible ``layers``: of every day, or those on the map of
    ``as_of`` (a briefing's fixed day).

    ``{"v": 1, "labels": [...]}`` in placement order (priority, then areas before lines
    before points, larger first). Each label: ``id``, kind ``k``, priority ``p``, shape
    ``s`` (area, line, point), estimate ``e``, text colour ``c``, candidate anchors ``a``
    ([lat, lon], best first), for areas their bounds ``b`` ([[south, west], [north, east]]:
    a label moved off its anchor stays within them), and ``t``: per language code, [text,
    lang, dir] (a missing name falls back to English, with lang "en" and dir "ltr"); ``f``
    and ``u``: the span of days it is shown, epoch ms (UTC; absent: no bound), as the
    feature's ``_from``/``_until`` (``layers.shown_span``).
    """
    key = (situation.key, frozenset(layers), as_of)
    return _PAYLOADS.get_or_make(key, lambda: _payload(situation, frozenset(layers), as_of))


def _payload(situation: Situation, layers: frozenset[str], as_of: dt.date | None) -> dict[str, Any]:
    labels = [
        c.entry
        for c in _candidates(situation)
        if c.layer in layers and (as_of is None or c.shown_on(as_of))
    ]
    return {"v": PAYLOAD_VERSION, "labels": labels}


# --- the map's elements ---------------------------------------------------------------

LABELS_CSS = """<style>
.leaflet-sitmapLabels-pane, .sitmap-labels, .sitmap-label { pointer-events: none; }
.sitmap-label { position: absolute; left: 0; top: 0; white-space: nowrap;
  font: 600 12px/1.2 system-ui, sans-serif; color: #222;
  text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff, 0 0 4px #fff, 0 0 5px #fff; }
.sitmap-label-area { font-size: 12.5px; letter-spacing: 0.2px; }
.sitmap-label-est { font-style: italic; }
.sitmap-label-hidden { visibility: hidden; }
.sitmap-legend details[open] { max-height: calc(100vh - 150px); overflow: auto; }
.sitmap-legend div.sitmap-legend-rows { display: block; }
.sitmap-legend .sitmap-legend-row { display: flex; align-items: center; gap: 6px; margin: 1px 0;
  max-width: 260px; }
.sitmap-legend .sitmap-legend-row[data-hides] { cursor: pointer; border-radius: 3px; }
.sitmap-legend .sitmap-legend-row[data-hides]:hover { background: #eef2f7; }
.sitmap-legend .sitmap-legend-row[data-hides]:focus-visible { outline: 2px solid #1f4e99; }
.sitmap-legend .sitmap-legend-row.sitmap-off { opacity: 0.5; }
.sitmap-legend .sitmap-legend-row.sitmap-off span { text-decoration: line-through; }
.sitmap-legend svg.sitmap-sw { flex: none; width: 30px; height: 14px; }
.sitmap-legend span.sitmap-sw { flex: none; width: auto; min-width: 30px; height: auto;
  font-weight: 600; }
</style>"""
"""Labels and legend rows; the legend box itself is styled by ``elements._CSS``."""


class LabelsLayer(JSCSSMixin, MacroElement):
    """The labels layer (``window.sitmapLabels``), empty until a :class:`LabelsView` fills it.

    Part of the base map: its script never changes, so the map never remounts.
    """

    _template = Template(
        """
        {% macro header(this, kwargs) %}"""
        + LABELS_CSS
        + """{% endmacro %}
        {% macro script(this, kwargs) %}
        window.sitmapLabels = L.sitmapLabels({markerRadius: {{ this.radius }}})
            .addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )
    default_js = [("sitmap_labels_js", assets.own_url("labels.js"))]  # noqa: RUF012 (folium's own attribute)

    def __init__(self) -> None:
        super().__init__()
        self._name = "SitmapLabels"
        self.radius = POINT_RADIUS_PX


class LabelsView(MacroElement):
    """This rerun's labels and language, handed to ``window.sitmapLabels``."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        if (window.sitmapLabels) {
            window.sitmapLabels.setData({{ this.payload }}, {{ this.language|tojson }});
        }
        {% endmacro %}
        """
    )

    def __init__(self, payload: Mapping[str, Any], *, language: LabelLanguage) -> None:
        super().__init__()
        self._name = "SitmapLabelsView"
        text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        self.payload = script_safe(text)
        self.language = language if language in LANGUAGES else "en"


def labels_group(
    situation: Situation,
    layers: Collection[str],
    /,
    *,
    language: LabelLanguage = "en",
) -> folium.FeatureGroup:
    """A feature group (for ``feature_group_to_add``) that shows these labels on the map,
    those of the chosen day (``labels.js``, told by ``timeline.js``).
    """
    group = folium.FeatureGroup(name="labels", control=False)
    group.add_child(LabelsView(labels_payload(situation, layers), language=language))
    return group
