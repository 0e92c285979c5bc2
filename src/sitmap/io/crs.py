"""Name and recognise the CRSs uploads declare (EPSG:4326: WGS 84 longitude/latitude degrees).

Legacy GeoJSON ``crs`` names are read as EPSG codes or CRS84 only, never as PROJ strings.
"""

from __future__ import annotations

import re
from typing import Any

import pyproj

__all__ = [
    "WGS84",
    "crs_from_name",
    "crs_label",
    "is_wgs84",
    "transform_positions",
    "undefined_to_none",
]

WGS84 = "EPSG:4326"


def crs_from_name(name: str) -> pyproj.CRS | None:
    """A CRS from a legacy GeoJSON ``crs`` name: EPSG codes and CRS84 only (no PROJ strings)."""
    text = name.strip()
    if re.fullmatch(r"(?i)(urn:ogc:def:crs:OGC:(1\.3)?:)?CRS:?84", text):
        return pyproj.CRS("OGC:CRS84")
    found = re.fullmatch(r"(?i)(?:urn:ogc:def:crs:)?EPSG:(?:[\d.]*:)?(\d{1,6})", text)
    if not found:
        return None
    try:
        return pyproj.CRS.from_epsg(int(found.group(1)))
    except pyproj.exceptions.CRSError:
        return None


def is_wgs84(crs: pyproj.CRS) -> bool:
    """Whether a CRS is WGS 84 longitude/latitude degrees (either axis order)."""
    return (
        crs.to_epsg() == 4326
        or crs.equals("OGC:CRS84")
        or crs.equals(WGS84, ignore_axis_order=True)
    )


def undefined_to_none(crs: pyproj.CRS | None) -> pyproj.CRS | None:
    """None for no CRS or GDAL's 'Undefined' one, else the CRS."""
    if crs is None or crs.name.lower().startswith("undefined"):
        return None
    return crs


def crs_label(crs: pyproj.CRS) -> str:
    """E.g. ``EPSG:32636 (WGS 84 / UTM zone 36N)``."""
    code = crs.to_epsg()
    name = crs.name if crs.name and crs.name != "unknown" else "unnamed CRS"
    return f"EPSG:{code} ({name})" if code else name[:120]


def transform_positions(features: list[Any], transformer: pyproj.Transformer) -> None:
    """Reproject, in place, every well-formed position of the features' geometries."""

    def convert(value: Any) -> Any:
        if not isinstance(value, list):
            return value
        if 2 <= len(value) <= 3 and all(
            isinstance(n, int | float) and not isinstance(n, bool) for n in value
        ):
            try:
                x, y = transformer.transform(value[0], value[1], errcheck=False)
            except OverflowError:
                return value
            return [x, y, *value[2:]]
        return [convert(item) for item in value]

    for feature in features:
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        if not isinstance(geometry, dict):
            continue
        parts = [geometry]
        if isinstance(geometry.get("geometries"), list):
            parts += [g for g in geometry["geometries"] if isinstance(g, dict)]
        for part in parts:
            if "coordinates" in part:
                part["coordinates"] = convert(part["coordinates"])
