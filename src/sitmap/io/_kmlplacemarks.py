"""Turn every KML Placemark into one feature: its geometry, its data, its times.

KML coordinates are longitude,latitude[,altitude] degrees (WGS 84). The mapping follows
the KML 2.2 standard and Google's gx extension, as togeojson reads them:

| KML | feature geometry |
|---|---|
| Point (extra positions: the first, noted) | Point |
| LineString; a bare LinearRing | LineString |
| Polygon (outer and inner LinearRings) | Polygon |
| MultiGeometry (nested ones flattened) | Multi* when all parts agree, else GeometryCollection |
| gx:Track (``when`` + ``gx:coord``), Track | LineString; times in ``coordinate_times`` |
| gx:MultiTrack, MultiTrack | MultiLineString; times per track in ``coordinate_times`` |
| MultiPolygon/MultiLineString/MultiPoint (not KML; written by some tools) | as named |

A Placemark without geometry (or whose coordinates are blank) is kept as an
attribute-only row. A coordinate that is not a number, a line of one position, or a
polygon ring that is not closed or has fewer than 4 positions refuses the file naming
the Placemark, with the words (and the check) of GeoJSON uploads: one rule for both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element

import numpy as np
import shapely

from sitmap.validation import check_collection

__all__ = [
    "KmlFeatures",
    "read_placemarks",
]

_SKIPPED = frozenset(("Style", "StyleMap", "styleUrl", "Snippet", "LookAt", "Camera", "Region"))
_MULTI = {"Point": "MultiPoint", "LineString": "MultiLineString", "Polygon": "MultiPolygon"}


class KmlGeometryError(ValueError):
    """A Placemark's geometry that cannot be read (the message says why)."""


@dataclass
class KmlFeatures:
    """Placemarks read: one geometry (or None) and one property dict each, in file order."""

    geoms: list[Any] = field(default_factory=list)
    props: list[dict[str, Any]] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)
    """(Placemark label, problem) for Placemarks whose geometry cannot be read."""
    extra_point_positions: list[str] = field(default_factory=list)


def _local(tag: Any) -> str:
    return str(tag).rpartition("}")[2] if isinstance(tag, str) else ""


def _text(element: Element | None) -> str | None:
    if element is None:
        return None
    text = "".join(element.itertext()).strip()
    return text or None


def _child(element: Element, name: str) -> Element | None:
    return next((c for c in element if _local(c.tag) == name), None)


def _children(element: Element, name: str) -> list[Element]:
    return [c for c in element if _local(c.tag) == name]


def read_placemarks(root: Element) -> KmlFeatures:
    """Every Placemark under ``root`` (any depth, any folder), in document order."""
    out = KmlFeatures()
    for number, placemark in enumerate(
        (e for e in root.iter() if _local(e.tag) == "Placemark"), start=1
    ):
        props = _properties(placemark)
        label = _label(placemark, props, number)
        state = _GeometryReader(label, out)
        geometry = None
        try:
            geometry, times = state.placemark_geometry(placemark)
        except KmlGeometryError as err:
            out.problems.append((label, str(err)))
            times = None
        if times is not None:
            props["coordinate_times"] = times
        out.geoms.append(geometry)
        out.props.append(props)
        out.labels.append(label)
    return out


def _label(placemark: Element, props: dict[str, Any], number: int) -> str:
    """Name a Placemark in messages: its id, else its name, else its number in the file."""
    ident = placemark.get("id")
    name = props.get("name")
    for candidate in (ident, name):
        if isinstance(candidate, str) and candidate.strip():
            return f"Placemark {number} ({candidate.strip()[:60]})"
    return f"Placemark {number}"


def _properties(placemark: Element) -> dict[str, Any]:
    """name, description, address, times and ExtendedData of one Placemark."""
    props: dict[str, Any] = {}
    if ident := placemark.get("id"):
        props["id"] = ident
    for child in placemark:
        name = _local(child.tag)
        if name in ("name", "description", "address", "phoneNumber") and (text := _text(child)):
            props[name] = text
        elif name == "TimeStamp" and (when := _text(_child(child, "when"))):
            props["timestamp"] = when
        elif name == "TimeSpan":
            for end in ("begin", "end"):
                if value := _text(_child(child, end)):
                    props[end] = value
        elif name == "ExtendedData":
            _extended_data(child, props)
    return props


def _extended_data(element: Element, props: dict[str, Any]) -> None:
    """``<Data name><value>`` and ``<SchemaData><SimpleData name>`` pairs into ``props``."""
    for item in element.iter():
        kind = _local(item.tag)
        if kind not in ("Data", "SimpleData"):
            continue
        key = (item.get("name") or "").strip()
        if not key:
            continue
        value = _text(_child(item, "value")) if kind == "Data" else _text(item)
        while key in props and kind == "Data" and key in ("name", "description", "id"):
            key = f"{key}_data"
        props[key] = value


class _GeometryReader:
    """Builds the geometry of one Placemark, noting repairs in ``out``."""

    def __init__(self, label: str, out: KmlFeatures) -> None:
        self.label, self.out = label, out

    def placemark_geometry(self, placemark: Element) -> tuple[Any, Any]:
        """The Placemark's geometry (None: none) and its track times (None: no track)."""
        found = [
            c for c in placemark if _local(c.tag) not in _SKIPPED and _local(c.tag) in _READERS
        ]
        if not found:
            return None, None
        shapes, times = [], []
        for element in found:
            shape, when = _READERS[_local(element.tag)](self, element)
            if shape is not None and not shape.is_empty:
                shapes.append(shape)
            if when is not None:
                times.append(when)
        geometry = _combine(shapes)
        track_times = None if not times else times[0] if len(times) == 1 else times
        return geometry, track_times

    def coordinates(self, element: Element | None) -> np.ndarray:
        """``lon,lat[,alt]`` tuples separated by whitespace, as an (n, 2 or 3) array."""
        text = (_text(element) or "") if element is not None else ""
        if not text:
            return np.empty((0, 2))
        return self.numbers(_tuples(text), what="coordinates")

    def numbers(self, tuples: list[list[str]], *, what: str) -> np.ndarray:
        values: list[list[float]] = []
        for tup in tuples:
            if len(tup) < 2:
                msg = (
                    f"{what}: the position {','.join(tup)[:80]!r} has {len(tup)} value; a KML "
                    "position is longitude,latitude[,altitude]"
                )
                raise KmlGeometryError(msg)
            row = []
            for item in tup[:3]:
                try:
                    row.append(float(item))
                except ValueError:
                    msg = f"{what}: {item[:40]!r} is not a number (in {','.join(tup)[:80]!r})"
                    raise KmlGeometryError(msg) from None
            values.append(row)
        width = max(len(r) for r in values)
        return np.array([r + [0.0] * (width - len(r)) for r in values], dtype=float)

    def point(self, element: Element) -> tuple[Any, None]:
        xy = self.coordinates(_child(element, "coordinates"))
        if not len(xy):
            return None, None
        if len(xy) > 1:
            self.out.extra_point_positions.append(self.label)
        return shapely.points(xy[0]), None

    def line(self, element: Element) -> tuple[Any, None]:
        xy = self.coordinates(_child(element, "coordinates"))
        if not len(xy):
            return None, None
        if len(xy) < 2:
            msg = "a LineString needs at least 2 positions"
            raise KmlGeometryError(msg)
        return shapely.linestrings(xy), None

    def ring(self, element: Element | None) -> np.ndarray:
        """A LinearRing's positions; one that is short or not closed refuses the file with
        the words GeoJSON uploads get (the same check, :mod:`sitmap.validation`).
        """
        xy = self.coordinates(_child(element, "coordinates") if element is not None else None)
        if len(xy) and (len(xy) < 4 or not np.array_equal(xy[0, :2], xy[-1, :2])):
            raise KmlGeometryError(_geojson_ring_problem(xy))
        return xy

    def linear_ring(self, element: Element) -> tuple[Any, None]:
        """A bare LinearRing: its line (closed), as togeojson reads it."""
        xy = self.ring(element)
        return (shapely.linestrings(xy) if len(xy) else None), None

    def polygon(self, element: Element) -> tuple[Any, None]:
        outer = _child(element, "outerBoundaryIs")
        shell = self.ring(_child(outer, "LinearRing") if outer is not None else None)
        if not len(shell):
            return None, None
        holes = [
            hole
            for inner in _children(element, "innerBoundaryIs")
            for ring in _children(inner, "LinearRing")
            if len(hole := self.ring(ring))
        ]
        return shapely.Polygon(shell, holes), None

    def multi(self, element: Element) -> tuple[Any, Any]:
        """MultiGeometry (and non-KML Multi* elements): parts flattened, times kept."""
        shapes, times = [], []
        for child in element:
            reader = _READERS.get(_local(child.tag))
            if reader is None:
                continue
            shape, when = reader(self, child)
            if shape is not None and not shape.is_empty:
                shapes.append(shape)
            if when is not None:
                times.append(when)
        return _combine(shapes), (times or None)

    def track(self, element: Element) -> tuple[Any, Any]:
        """gx:Track: ``when`` times and ``gx:coord`` positions (lon lat alt), a LineString."""
        when = [_text(w) for w in _children(element, "when")]
        tuples = [(_text(c) or "").split() for c in _children(element, "coord")]
        if not tuples:
            return None, None
        xy = self.numbers(tuples, what="gx:coord")
        times = when if len(when) == len(xy) else None
        if len(xy) == 1:
            return shapely.points(xy[0]), times
        return shapely.linestrings(xy), times

    def multi_track(self, element: Element) -> tuple[Any, Any]:
        """gx:MultiTrack: its tracks as one MultiLineString (a single one: a LineString)."""
        return self.multi(element)


def _geojson_ring_problem(xy: np.ndarray) -> str:
    """What validation says of this ring in a GeoJSON Polygon (short, or not closed)."""
    ring = xy[:, :2].tolist()
    feature = {
        "type": "Feature",
        "properties": {},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }
    checked = check_collection(
        {"type": "FeatureCollection", "features": [feature]}, file="", kind=None, extent=None
    )
    return checked.problems[0].problem if checked.problems else "a polygon ring is not valid"


def _tuples(text: str) -> list[list[str]]:
    """Coordinate tuples of a KML ``<coordinates>`` text: ``lon,lat[,alt]`` separated by
    whitespace; spaces around commas (written by some tools) are tolerated.
    """
    joined = ",".join(part.strip() for part in text.split(","))
    return [item.split(",") for item in joined.split()]


def _combine(shapes: list[Any]) -> Any:
    """One geometry from parts: None, the part, a Multi* of one kind, or a collection."""
    parts = [p for shape in shapes for p in shapely.get_parts(shape)]
    if not parts:
        return None
    if len(shapes) == 1:
        return shapes[0]
    kinds = {p.geom_type for p in parts}
    if len(kinds) == 1 and (kind := next(iter(kinds))) in _MULTI:
        return {
            "Point": shapely.MultiPoint,
            "LineString": shapely.MultiLineString,
            "Polygon": shapely.MultiPolygon,
        }[kind](parts)
    return shapely.GeometryCollection(parts)


_READERS: dict[str, Any] = {
    "Point": _GeometryReader.point,
    "LineString": _GeometryReader.line,
    "LinearRing": _GeometryReader.linear_ring,
    "Polygon": _GeometryReader.polygon,
    "MultiGeometry": _GeometryReader.multi,
    "MultiPolygon": _GeometryReader.multi,
    "MultiLineString": _GeometryReader.multi,
    "MultiPoint": _GeometryReader.multi,
    "Track": _GeometryReader.track,
    "MultiTrack": _GeometryReader.multi_track,
}
