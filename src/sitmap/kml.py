"""Read KML safely: refuse DTDs and entities, cut linked content out, then read with GDAL.

KML coordinates are longitude,latitude degrees (WGS 84). NetworkLinks, overlays, models,
tours and styles are removed before GDAL sees the file, so nothing is ever fetched.
"""

from __future__ import annotations

import re
from typing import Any

import defusedxml.ElementTree as SafeXML
from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden

from sitmap.formats import SUPPORTED, ImportFormat, text_encoding
from sitmap.gdal import read_gdal
from sitmap.layerparts import Part, ReadContext

__all__ = [
    "read_kml",
]

_KML_LINKED = ("NetworkLink", "GroundOverlay", "ScreenOverlay", "PhotoOverlay", "Model", "Tour")
_KML_STRIP = frozenset((*_KML_LINKED, "Style", "StyleMap", "styleUrl"))
_LIBKML_COLUMNS = {
    "timestamp": {None},
    "begin": {None},
    "end": {None},
    "altitudeMode": {None},
    "tessellate": {None, -1, 0},
    "extrude": {None, 0},
    "visibility": {None, -1, 1},
    "drawOrder": {None},
    "icon": {None},
    "id": {None},
}
"""LIBKML's fields for KML display attributes, and the values that mean 'not set'."""


_MAX_XML_DEPTH = 100
"""Deepest XML element nesting read; KML from mapping tools rarely goes past 10."""


class _TooDeepError(Exception):
    """XML nested deeper than _MAX_XML_DEPTH (raised from inside the parser)."""


def read_kml(reader: ReadContext, data: bytes) -> list[Part]:
    """KML: scanned by defusedxml first (no DTD, no entities), links cut out, then GDAL.

    GDAL gets the file's own bytes minus the cut elements (NetworkLinks, overlays,
    models, styles), so it never sees a DTD nor anything that points elsewhere.
    """
    data = _kml_as_utf8(data)
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
    if scan.root != "kml":
        reader.fail(f"XML, but not KML (root element <{scan.root[:40]}>); {SUPPORTED}")
    if scan.placemarks > reader.limits.max_features:
        reader.fail(reader.too_many_features(scan.placemarks))
    linked = {k: v for k, v in scan.removed.items() if k in _KML_LINKED}
    if linked:
        listed = ", ".join(f"{v} {k}" for k, v in linked.items())
        reader.note(f"removed {listed}: linked files, images and models are never fetched")
    if any(k in scan.removed for k in ("Style", "StyleMap", "styleUrl")):
        reader.note("KML styles ignored (the map draws uploads in its own style)")
    kept, start = [], 0
    for cut_from, cut_at in scan.cuts:
        opening_end = _tag_end(data, cut_from)
        empty = data[opening_end - 2 : opening_end] == b"/>"
        cut_to = opening_end if empty else _tag_end(data, cut_at)
        kept.append(data[start:cut_from])
        start = cut_to
    kept.append(data[start:])
    path = reader.path(".kml")
    path.write_bytes(b"".join(kept))
    parts = read_gdal(
        reader, path, fmt=ImportFormat.KML, hint="KML coordinates are longitude,latitude degrees"
    )
    for part in parts:
        _drop_kml_technical_columns(part)
    return parts


class _KmlScan:
    """Parser target: root element, Placemarks, and byte ranges of elements to cut out."""

    def __init__(self) -> None:
        self.expat: Any = None
        self.root = ""
        self.placemarks = 0
        self.removed: dict[str, int] = {}
        self.cuts: list[tuple[int, int]] = []
        self._depth = 0
        self._cutting: tuple[int, int] | None = None

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
            self._cutting = (self._depth, self.expat.CurrentByteIndex)
            self.removed[name] = self.removed.get(name, 0) + 1
        elif name == "Placemark":
            self.placemarks += 1

    def end(self, _tag: str = "") -> None:
        if self._cutting is not None and self._cutting[0] == self._depth:
            self.cuts.append((self._cutting[1], self.expat.CurrentByteIndex))
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


def _drop_kml_technical_columns(part: Part) -> None:
    """LIBKML adds fields for KML display attributes; drop those that hold nothing useful."""
    for name, defaults in _LIBKML_COLUMNS.items():
        values = part.columns.get(name)
        if values is not None and set(values) <= defaults:
            del part.columns[name]


def _tag_end(data: bytes, index: int) -> int:
    """The index just past the ``>`` that closes the XML tag starting at ``index``.

    Quoted attribute values may hold ``>``; they are skipped.
    """
    quote = 0
    for position in range(index, len(data)):
        byte = data[position]
        if quote:
            if byte == quote:
                quote = 0
        elif byte in b"\"'":
            quote = byte
        elif byte == ord(">"):
            return position + 1
    return len(data)
