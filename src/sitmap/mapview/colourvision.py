"""Colour-vision checks for the map's palette: simulated colour blindness and colour distance.

:func:`simulate` applies the Machado, Oliveira & Fernandes (2009) matrices at full
severity (protanopia, deuteranopia, tritanopia) in linear sRGB; :func:`delta_e` is the
CIEDE2000 colour difference in CIELAB (D65). :func:`confusable_pairs` lists the legend
symbols that differ only by colour (same shape, same dash) and that a reader with normal
vision or one of the three dichromacies would see closer than ``threshold``.

A symbol's colour is what the reader sees: its stroke at its opacity, and an area's fill
at its fill opacity, over the map's land colour (the territory fill). Pure Python, no
dependency.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from sitmap.mapview.styles import LegendEntry

__all__ = [
    "LAND",
    "MIN_DELTA_E",
    "VISIONS",
    "Confusion",
    "Vision",
    "confusable_pairs",
    "delta_e",
    "delta_e_lab",
    "hex_rgb",
    "seen_colours",
    "simulate",
]

Vision = Literal["normal", "protanopia", "deuteranopia", "tritanopia"]
VISIONS: Final[tuple[Vision, ...]] = ("normal", "protanopia", "deuteranopia", "tritanopia")

MIN_DELTA_E: Final = 12.0
"""Smallest CIEDE2000 difference between two symbols told apart by colour alone. About
five times a just-noticeable difference (~2.3): two thin lines or small dots a reader
names at a glance on a map, not two swatches compared side by side."""

LAND: Final = "#fbf8f1"
"""What symbols are seen against: the territory's fill (``styles._KIND_STYLES``)."""

# Machado et al. 2009, severity 1.0, for linear RGB.
_MACHADO: Final[dict[str, tuple[tuple[float, float, float], ...]]] = {
    "protanopia": (
        (0.152286, 1.052583, -0.204868),
        (0.114503, 0.786281, 0.099216),
        (-0.003882, -0.048116, 1.051998),
    ),
    "deuteranopia": (
        (0.367322, 0.860646, -0.227968),
        (0.280085, 0.672501, 0.047413),
        (-0.011820, 0.042940, 0.968881),
    ),
    "tritanopia": (
        (1.255528, -0.076749, -0.178779),
        (-0.078411, 0.930809, 0.147602),
        (0.004733, 0.691367, 0.303900),
    ),
}

RGB = tuple[float, float, float]
"""sRGB, each 0-1."""


def hex_rgb(hex_colour: str) -> RGB:
    """'#rrggbb' (or '#rgb') as sRGB, each 0-1."""
    value = hex_colour.lstrip("#")
    if len(value) == 3:
        value = "".join(ch * 2 for ch in value)
    return (int(value[0:2], 16) / 255, int(value[2:4], 16) / 255, int(value[4:6], 16) / 255)


def _linear(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _gamma(c: float) -> float:
    c = min(1.0, max(0.0, c))
    return 12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055


def simulate(colour: RGB, vision: Vision) -> RGB:
    """How ``colour`` (sRGB 0-1) looks to a reader with ``vision``."""
    if vision == "normal":
        return colour
    lin = [_linear(c) for c in colour]
    matrix = _MACHADO[vision]
    out = [sum(m * c for m, c in zip(row, lin, strict=True)) for row in matrix]
    return (_gamma(out[0]), _gamma(out[1]), _gamma(out[2]))


def _lab(colour: RGB) -> tuple[float, float, float]:
    r, g, b = (_linear(c) for c in colour)
    x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047
    y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b
    z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29

    fx, fy, fz = f(x), f(y), f(z)
    return (116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz))


def delta_e(first: RGB, second: RGB) -> float:
    """CIEDE2000 difference between two sRGB colours (0-1)."""
    return delta_e_lab(_lab(first), _lab(second))


def delta_e_lab(first: tuple[float, float, float], second: tuple[float, float, float]) -> float:
    """CIEDE2000 difference between two CIELAB colours (Sharma, Wu & Dalal 2005)."""
    l1, a1, b1 = first
    l2, a2, b2 = second
    c1, c2 = math.hypot(a1, b1), math.hypot(a2, b2)
    c_bar = (c1 + c2) / 2
    g = 0.5 * (1 - math.sqrt(c_bar**7 / (c_bar**7 + 25**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360 if c2p else 0.0
    dl, dc = l2 - l1, c2p - c1p
    dh = 0.0
    if c1p * c2p:
        dh = h2p - h1p
        dh = dh - 360 if dh > 180 else dh + 360 if dh < -180 else dh
    big_dh = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh / 2))
    l_bar, cp_bar = (l1 + l2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        h_bar = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        h_bar = (h1p + h2p) / 2
    else:
        h_bar = (h1p + h2p + 360) / 2 if h1p + h2p < 360 else (h1p + h2p - 360) / 2
    t = (
        1
        - 0.17 * math.cos(math.radians(h_bar - 30))
        + 0.24 * math.cos(math.radians(2 * h_bar))
        + 0.32 * math.cos(math.radians(3 * h_bar + 6))
        - 0.20 * math.cos(math.radians(4 * h_bar - 63))
    )
    sl = 1 + 0.015 * (l_bar - 50) ** 2 / math.sqrt(20 + (l_bar - 50) ** 2)
    sc = 1 + 0.045 * cp_bar
    sh = 1 + 0.015 * cp_bar * t
    rt = (
        -2
        * math.sqrt(cp_bar**7 / (cp_bar**7 + 25**7))
        * math.sin(math.radians(60 * math.exp(-(((h_bar - 275) / 25) ** 2))))
    )
    return math.sqrt(
        (dl / sl) ** 2 + (dc / sc) ** 2 + (big_dh / sh) ** 2 + rt * (dc / sc) * (big_dh / sh)
    )


def _over(colour: str, opacity: float, ground: str = LAND) -> RGB:
    top, base = hex_rgb(colour), hex_rgb(ground)
    return (
        opacity * top[0] + (1 - opacity) * base[0],
        opacity * top[1] + (1 - opacity) * base[1],
        opacity * top[2] + (1 - opacity) * base[2],
    )


def seen_colours(entry: LegendEntry, /) -> tuple[RGB, ...]:
    """What a reader sees of a symbol: its stroke, and the fill of an area or a point."""
    style: Mapping[str, Any] = entry.style
    stroke = _over(str(style.get("color", "#3388ff")), float(style.get("opacity", 1.0)))
    if entry.shape == "line":
        return (stroke,)
    fill = str(style.get("fillColor", style.get("color", "#3388ff")))
    return (stroke, _over(fill, float(style.get("fillOpacity", 0.2))))


@dataclass(frozen=True)
class Confusion:
    """Two symbols told apart by colour alone that look too alike to some reader."""

    first: str
    second: str
    vision: Vision
    delta_e: float


def _pattern(entry: LegendEntry) -> tuple[str, str]:
    return (entry.shape, str(entry.style.get("dashArray", "")))


def _difference(first: Sequence[RGB], second: Sequence[RGB], vision: Vision) -> float:
    """How far apart two symbols look: the most distinct of their parts (stroke, fill)."""
    return max(
        delta_e(simulate(a, vision), simulate(b, vision))
        for a, b in zip(first, second, strict=True)
    )


def confusable_pairs(
    entries: Iterable[LegendEntry], /, *, threshold: float = MIN_DELTA_E
) -> list[Confusion]:
    """Symbols of the same shape and dash whose colours some reader sees closer than
    ``threshold`` (CIEDE2000), under normal vision or a simulated dichromacy. Symbols of
    one colour (told apart by weight and label, e.g. border and armistice line) are not
    colour pairs and are skipped.
    """
    found: list[Confusion] = []
    for one, two in itertools.combinations(list(entries), 2):
        if _pattern(one) != _pattern(two):
            continue
        first, second = seen_colours(one), seen_colours(two)
        if first == second:
            continue
        for vision in VISIONS:
            distance = _difference(first, second, vision)
            if distance < threshold:
                found.append(Confusion(one.title, two.title, vision, round(distance, 1)))
    return found
