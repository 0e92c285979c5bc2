"""A local Web-Mercator projection of a lon/lat box onto a map box of CSS pixels.

The briefing's map is the page's map on paper: the same projection as Leaflet (spherical
Web Mercator, EPSG:3857), fitted to the situation's view so the whole frame shows, and
drawn in CSS pixels (1/96 inch) so line weights and point radii read as on screen.
Geometries become SVG path data; the scale bar is a round length at the map's centre
latitude. No tiles, no network: only arithmetic on the coordinates.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import shapely
from shapely.geometry.base import BaseGeometry

__all__ = [
    "EARTH_RADIUS_M",
    "MapFrame",
    "ScaleBar",
    "clipped",
    "fit_frame",
    "frame_at",
    "scale_bar",
    "svg_path",
]

EARTH_RADIUS_M = 6_378_137.0
"""Radius of Web Mercator's sphere (WGS84 semi-major axis), metres."""


def _mercator(lon: float, lat: float) -> tuple[float, float]:
    lat = max(min(lat, 85.05112878), -85.05112878)
    x = EARTH_RADIUS_M * math.radians(lon)
    y = EARTH_RADIUS_M * math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))
    return x, y


def _inverse(x: float, y: float) -> tuple[float, float]:
    lon = math.degrees(x / EARTH_RADIUS_M)
    lat = math.degrees(2 * math.atan(math.exp(y / EARTH_RADIUS_M)) - math.pi / 2)
    return lon, lat


@dataclass(frozen=True)
class MapFrame:
    """A map box ``width`` x ``height`` CSS px showing Web Mercator around a centre.

    ``scale`` is pixels per Mercator metre; ``bounds`` the lon/lat box the map shows
    (west, south, east, north).
    """

    width: float
    height: float
    centre_x: float
    centre_y: float
    scale: float

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        """The pixel (x right, y down) of a lon/lat position."""
        mx, my = _mercator(lon, lat)
        return (
            (mx - self.centre_x) * self.scale + self.width / 2,
            self.height / 2 - (my - self.centre_y) * self.scale,
        )

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """The lon/lat box the map shows: (west, south, east, north)."""
        half_w, half_h = self.width / 2 / self.scale, self.height / 2 / self.scale
        west, south = _inverse(self.centre_x - half_w, self.centre_y - half_h)
        east, north = _inverse(self.centre_x + half_w, self.centre_y + half_h)
        return west, south, east, north

    @property
    def metres_per_px(self) -> float:
        """Ground metres per pixel at the map's centre latitude."""
        _lon, lat = _inverse(self.centre_x, self.centre_y)
        return math.cos(math.radians(lat)) / self.scale

    def inside(self, x: float, y: float, *, margin: float = 0.0) -> bool:
        """Whether a pixel lies in the box, ``margin`` px in from its edges."""
        return margin <= x <= self.width - margin and margin <= y <= self.height - margin


def fit_frame(
    west: float, south: float, east: float, north: float, /, *, width: float, height: float
) -> MapFrame:
    """The largest scale at which the whole lon/lat box fits in ``width`` x ``height`` px;
    the box is centred and the map shows more on the roomier axis.
    """
    x0, y0 = _mercator(west, south)
    x1, y1 = _mercator(east, north)
    scale = min(width / max(x1 - x0, 1e-9), height / max(y1 - y0, 1e-9))
    return MapFrame(width, height, (x0 + x1) / 2, (y0 + y1) / 2, scale)


def frame_at(lon: float, lat: float, zoom: float, /, *, width: float, height: float) -> MapFrame:
    """The map around a centre at a Leaflet zoom level: the scale the page showed."""
    x, y = _mercator(lon, lat)
    scale = 256 * 2**zoom / (2 * math.pi * EARTH_RADIUS_M)
    return MapFrame(width, height, x, y, scale)


def _ring(frame: MapFrame, coords: Iterable[tuple[float, ...]], *, close: bool) -> str:
    points = [frame.xy(c[0], c[1]) for c in coords]
    if not points:
        return ""
    head, *rest = points
    text = f"M{head[0]:.1f} {head[1]:.1f}" + "".join(f"L{x:.1f} {y:.1f}" for x, y in rest)
    return text + ("Z" if close else "")


def svg_path(frame: MapFrame, geometry: BaseGeometry, /) -> str:
    """SVG path data of a polygon or line geometry in the frame's pixels ('' for points)."""
    parts: list[str] = []
    for part in getattr(geometry, "geoms", [geometry]):
        kind = part.geom_type
        if kind == "Polygon":
            parts.append(_ring(frame, part.exterior.coords, close=True))
            parts.extend(_ring(frame, ring.coords, close=True) for ring in part.interiors)
        elif kind == "LineString":
            parts.append(_ring(frame, part.coords, close=False))
        elif kind in {"MultiPolygon", "MultiLineString", "GeometryCollection"}:
            parts.append(svg_path(frame, part))
    return "".join(parts)


def clipped(frame: MapFrame, geometry: BaseGeometry, /, *, pad: float = 0.05) -> BaseGeometry:
    """The geometry cut to the frame's box (plus ``pad`` of its size): smaller files."""
    west, south, east, north = frame.bounds
    dx, dy = (east - west) * pad, (north - south) * pad
    return shapely.clip_by_rect(geometry, west - dx, south - dy, east + dx, north + dy)


@dataclass(frozen=True)
class ScaleBar:
    """A round ground length and how many pixels it takes on the map."""

    metres: float
    pixels: float

    @property
    def label(self) -> str:
        """'500 m', '2 km'."""
        if self.metres >= 1000:
            return f"{self.metres / 1000:g} km"
        return f"{self.metres:g} m"


def scale_bar(frame: MapFrame, /, *, max_px: float) -> ScaleBar:
    """The longest 1, 2 or 5 x 10^n metres that fits in ``max_px`` at the centre latitude."""
    limit = max_px * frame.metres_per_px
    power = 10 ** math.floor(math.log10(limit))
    metres = max(step * power for step in (1, 2, 5) if step * power <= limit)
    return ScaleBar(metres, metres / frame.metres_per_px)
