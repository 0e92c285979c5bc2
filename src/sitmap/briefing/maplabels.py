"""The briefing map's labels: the page's labels, placed once for the printed frame.

The same labels as the page (:func:`sitmap.mapview.labels.labels_payload`: the
situation's priority, short names, '~' for estimates, the chosen language with English
where a name is missing, each label's colour and candidate anchors). Placed in priority
order at the first anchor whose box fits in the map and clears every label already
placed, as ``static/sitmap/labels.js`` does on screen at one zoom. Each label is an HTML
element (``dir`` and ``lang`` set) over the map's SVG, so the PDF's text engine shapes
Arabic and Hebrew and orders them right to left, and the PDF holds them as text.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sitmap.briefing.projection import MapFrame
from sitmap.escaping import esc
from sitmap.mapview.labels import LabelLanguage, labels_payload
from sitmap.mapview.styles import POINT_RADIUS_PX
from sitmap.situation import Situation

__all__ = ["LABEL_FONT_PX", "PlacedLabel", "label_html", "place_labels"]

LABEL_FONT_PX = 11.5
"""Label text size, CSS px (the page uses 12 px on screen)."""
_CHAR_EM = {"en": 0.56, "ar": 0.5, "he": 0.58}
"""Estimated width of one character, in ems, by script (600 weight, generous)."""
_PAD = 3.0

Box = tuple[float, float, float, float]
"""left, top, width, height in map pixels."""


@dataclass(frozen=True)
class PlacedLabel:
    """A label where it was placed: its box (left, top, width, height) in map pixels."""

    id: str
    text: str
    lang: str
    dir: str
    colour: str
    estimate: bool
    shape: str
    box: Box
    align: str = "center"
    """Where the text sits in its box: beside a point it is pushed towards the point."""


def _size(text: str, lang: str) -> tuple[float, float]:
    width = len(text) * LABEL_FONT_PX * _CHAR_EM.get(lang, 0.6) + 2 * _PAD
    return width, LABEL_FONT_PX * 1.35 + 2


def _boxes(
    frame: MapFrame, entry: dict[str, Any], size: tuple[float, float]
) -> list[tuple[Box, str]]:
    """Candidate boxes and text alignment: centred on an area's or line's anchors;
    right of, left of, above and below a point.
    """
    width, height = size
    out: list[tuple[Box, str]] = []
    for lat, lon in entry["a"]:
        x, y = frame.xy(lon, lat)
        if entry["s"] == "point":
            gap = POINT_RADIUS_PX + 2
            out.append(((x + gap, y - height / 2, width, height), "left"))
            out.append(((x - gap - width, y - height / 2, width, height), "right"))
            out.append(((x - width / 2, y - gap - height, width, height), "center"))
            out.append(((x - width / 2, y + gap, width, height), "center"))
        else:
            out.append(((x - width / 2, y - height / 2, width, height), "center"))
    if entry["s"] != "point":  # then just above and below each anchor (clear of a dot there)
        shift = height / 2 + POINT_RADIUS_PX + 1
        for (left, top, w, h), _align in list(out):
            out += [((left, top - shift, w, h), "center"), ((left, top + shift, w, h), "center")]
    return out


def _overlaps(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def _fits(frame: MapFrame, box: Box) -> bool:
    left, top, width, height = box
    return frame.inside(left, top, margin=2) and frame.inside(left + width, top + height, margin=2)


def place_labels(
    situation: Situation,
    layers: Collection[str],
    as_of: Any,
    frame: MapFrame,
    /,
    *,
    language: LabelLanguage = "en",
    avoid: Sequence[Box] = (),
) -> list[PlacedLabel]:
    """The labels of the visible layers that fit on the map, highest priority first.

    A label keeps clear of ``avoid`` (boxes of event dots) where one of its anchors
    allows, and of every label placed before it always.
    """
    placed: list[PlacedLabel] = []
    taken: list[Box] = []
    for entry in labels_payload(situation, layers, as_of=as_of)["labels"]:
        text, lang, direction = entry["t"].get(language) or entry["t"]["en"]
        size = _size(text, lang)
        boxes = [b for b in _boxes(frame, entry, size) if _fits(frame, b[0])]
        clear = [b for b in boxes if not any(_overlaps(b[0], other) for other in avoid)]
        for box, align in clear + boxes:
            if not any(_overlaps(box, other) for other in taken):
                taken.append(box)
                placed.append(
                    PlacedLabel(
                        entry["id"],
                        text,
                        lang,
                        direction,
                        entry["c"],
                        bool(entry["e"]),
                        entry["s"],
                        box,
                        align,
                    )
                )
                break
    return placed


def label_html(labels: list[PlacedLabel], /) -> str:
    """The placed labels as absolutely positioned HTML over the map (text escaped)."""
    out = []
    for label in labels:
        left, top, width, _height = label.box
        classes = "map-label" + (" est" if label.estimate else "") + f" {label.shape}"
        out.append(
            f'<div class="{classes}" data-id="{esc(label.id)}" style="left:{left:.1f}px;'
            f'top:{top:.1f}px;width:{width:.1f}px;text-align:{label.align}">'
            f'<span dir="{label.dir}" lang="{esc(label.lang)}" style="color:{esc(label.colour)}">'
            f"{esc(label.text)}"
            "</span></div>"
        )
    return "".join(out)
