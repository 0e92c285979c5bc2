"""Read KML safely: refuse DTDs and entities, ignore linked content, read every Placemark.

KML coordinates are longitude,latitude degrees (WGS 84). NetworkLinks, overlays, models,
tours and styles are ignored (counted in a note), so nothing is ever fetched. Placemarks
are read by :mod:`._kmlplacemarks` (GDAL's KML drivers lose root Placemarks, bare
LinearRings, tracks without the gx prefix and unclosed rings without a word).
"""

from __future__ import annotations

import re
from typing import Any

import defusedxml.ElementTree as SafeXML
import numpy as np
import pyproj
from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden

from sitmap.errors import ImportRefusedError, Problem
from sitmap.io._kmlplacemarks import read_placemarks
from sitmap.io._moreformats import read_gpx
from sitmap.io._readcontext import Part, ReadContext
from sitmap.io.formats import SUPPORTED, ImportFormat, text_encoding

__all__ = [
    "read_kml",
    "read_xml",
]

_KML_LINKED = ("NetworkLink", "GroundOverlay", "ScreenOverlay", "PhotoOverlay", "Model", "Tour")
_KML_STRIP = frozenset((*_KML_LINKED, "Style", "StyleMap", "styleUrl"))


_MAX_XML_DEPTH = 100
"""Deepest XML element nesting read; KML from mapping tools rarely goes past 10."""


class _TooDeepError(Exception):
    """XML nested deeper than _MAX_XML_DEPTH (raised from inside the parser)."""


def read_xml(reader: ReadContext, data: bytes) -> tuple[ImportFormat, list[Part]]:
    """XML: KML, or GPX (read by GDAL once defusedxml's scan has found it harmless)."""
    data = _kml_as_utf8(data)
    scan = _scan(reader, data)
    if scan.root == "gpx":
        return ImportFormat.GPX, read_gpx(reader, data)
    return ImportFormat.KML, read_kml(reader, data, scan=scan)


def read_kml(reader: ReadContext, data: bytes, *, scan: _KmlScan | None = None) -> list[Part]:
    """KML: scanned by defusedxml first (no DTD, no entities, bounded depth), then every
    Placemark read from the parsed tree; linked content is ignored, never fetched.
    """
    if scan is None:
        data = _kml_as_utf8(data)
        scan = _scan(reader, data)
    if scan.root != "kml":
        reader.fail(f"XML, but not KML or GPX (root element <{scan.root[:40]}>); {SUPPORTED}")
    try:
        root = SafeXML.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except SafeXML.ParseError as err:  # pragma: no cover - the scan parsed it already
        reader.fail(f"not well-formed XML: {err}")
    read = read_placemarks(root)
    if read.problems:
        raise ImportRefusedError([Problem(reader.file, label, why) for label, why in read.problems])
    if read.extra_point_positions:
        named = ", ".join(read.extra_point_positions[:10])
        reader.note(f"a Point with several positions: the first kept in {named}")
    if len(read.geoms) < scan.placemarks:
        reader.note(f"{scan.placemarks:,} Placemarks but {len(read.geoms):,} features read")
    if not read.geoms:
        reader.fail("KML holds no Placemark: nothing to draw")
    keys = list(dict.fromkeys(key for props in read.props for key in props))
    columns = {key: [props.get(key) for props in read.props] for key in keys}
    geoms = np.empty(len(read.geoms), dtype=object)
    geoms[:] = read.geoms
    part = Part(
        geoms=geoms,
        columns=columns,
        labels=read.labels,
        crs=pyproj.CRS.from_epsg(4326),
        projected_hint="KML coordinates are longitude,latitude degrees",
    )
    return [part]


def _scan(reader: ReadContext, data: bytes) -> _KmlScan:
    """Parse once with defusedxml's guards: refuse hostile XML, count what is ignored."""
    scan = _KmlScan()
    parser = SafeXML.DefusedXMLParser(
        target=scan, forbid_dtd=True, forbid_entities=True, forbid_external=True
    )
    scan.listen(parser.parser)
    try:
        parser.feed(data)
        parser.close()
    except DTDForbidden:
        reader.fail(
            "XML with a DOCTYPE declaration: refused, because DTDs carry entity expansion "
            "('billion laughs') and external-entity attacks, and KML never needs one"
        )
    except EntitiesForbidden:
        reader.fail("XML declares entities: refused (entity expansion attack?)")
    except ExternalReferenceForbidden:
        reader.fail("XML refers to an external resource: refused (never fetched)")
    except _TooDeepError:
        reader.fail(f"XML nested more than {_MAX_XML_DEPTH} levels deep; refused")
    except SafeXML.ParseError as err:
        reader.fail(f"not well-formed XML: {err}")
    if scan.placemarks > reader.limits.max_features:
        reader.fail(reader.too_many_features(scan.placemarks))
    linked = {k: v for k, v in scan.removed.items() if k in _KML_LINKED}
    if linked:
        listed = ", ".join(f"{v} {k}" for k, v in linked.items())
        reader.note(f"ignored {listed}: linked files, images and models are never fetched")
    if any(k in scan.removed for k in ("Style", "StyleMap", "styleUrl")):
        reader.note("KML styles ignored (the map draws uploads in its own style)")
    return scan


class _KmlScan:
    """Parser target: root element, Placemarks, and linked or styling elements ignored."""

    def __init__(self) -> None:
        self.expat: Any = None
        self.root = ""
        self.placemarks = 0
        self.removed: dict[str, int] = {}
        self._depth = 0
        self._cutting: int | None = None

    def listen(self, expat: Any) -> None:
        """Take element events straight from defusedxml's expat parser (its guards stay)."""
        self.expat = expat
        expat.StartElementHandler = self.start
        expat.EndElementHandler = self.end
        expat.DefaultHandlerExpand = None

    def start(self, tag: str, _attrib: Any) -> None:
        self._depth += 1
        if self._depth > _MAX_XML_DEPTH:
            raise _TooDeepError
        name = tag.rpartition("}")[2]
        if not self.root:
            self.root = name
        if self._cutting is not None:
            return
        if name in _KML_STRIP:
            self._cutting = self._depth
            self.removed[name] = self.removed.get(name, 0) + 1
        elif name == "Placemark":
            self.placemarks += 1

    def end(self, _tag: str = "") -> None:
        if self._cutting == self._depth:
            self._cutting = None
        self._depth -= 1

    def close(self) -> _KmlScan:
        return self


def _kml_as_utf8(data: bytes) -> bytes:
    """UTF-16/32 XML (by its BOM) as UTF-8, its declaration saying so; other bytes as they are."""
    encoding, bom = text_encoding(data)
    if encoding in (None, "utf-8"):
        return data
    text = data[len(bom) :].decode(encoding, errors="replace")
    text = re.sub(
        r"""^(\s*<\?xml[^>]*?encoding\s*=\s*)(["'])[^"']*\2""", r"\1\2UTF-8\2", text, count=1
    )
    return text.encode("utf-8")
