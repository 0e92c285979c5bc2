"""What the Rafah build script's modules share: geodesy, projections, dates, and how a
feature and a layer file are written (WGS84 lon/lat; UTM zone 36N for buffers)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import shapely
from pyproj import Geod, Transformer
from shapely.geometry import mapping

GEOD = Geod(ellps="WGS84")
TO_UTM = Transformer.from_crs("EPSG:4326", "EPSG:32636", always_xy=True)
FROM_UTM = Transformer.from_crs("EPSG:32636", "EPSG:4326", always_xy=True)
# Two kinds of date, never mixed (issue 12): `as_of` is when a fact was reported, `accessed`
# when we looked it up. The research for this situation was done on 2025-11-25.
ACCESSED = "2025-11-25"
# Static geography whose source predates the situation (long-standing Wikipedia infobox and
# GeoNames coordinates, OpenStreetMap boundaries) is dated to the situation's start: the facts
# were published by then; the exact revision was not recorded (see sources.toml notes).
START = "2025-10-10"
# The yellow line and the army-held area were hand-traced from a small-scale map: +/-100-450 m
# (gazamaps.com), and BBC Verify found ground markers up to 520 m inside the mapped line in
# October 2025. 600 m is the larger figure rounded up, an honest error for both.
HELD_ACCURACY = 600
# The tunnels in Jenina were first reported on 5 Nov 2025 (Army Radio, via Srugim): the
# enclave and the Jenina estimate are dated to that report.
FIRST_REPORTED = "2025-11-05"
MARKERS = (
    "On the ground the line is marked by blocks: BBC Verify (October 2025) geolocated markers up to "
    "520 m further inside Gaza than the army's map near al-Atatra (northern Gaza) and 180-290 m inside "
    "it near Khan Younis; no measurement in Rafah was published."
)


def rounded(geom: Any, digits: int = 6) -> Any:
    """Round coordinates (6 decimals is about 0.1 m) and orient polygons right-hand."""
    geom = shapely.orient_polygons(geom, exterior_cw=False)
    return shapely.set_precision(geom, 10**-digits) if digits else geom


def feature(geom: Any, **props: Any) -> dict[str, Any]:
    clean = {k: v for k, v in props.items() if v is not None}
    return {
        "type": "Feature",
        "properties": clean,
        "geometry": None if geom is None else mapping(rounded(geom)),
    }


def write(out: Path, name: str, features: list[dict[str, Any]]) -> None:
    """One layer file in ``out``, as committed (one-space indent, UTF-8, final newline)."""
    doc = {"type": "FeatureCollection", "features": features}
    text = json.dumps(doc, ensure_ascii=False, indent=1)
    (out / name).write_text(text + "\n", encoding="utf-8")
    print(f"{name}: {len(features)} features")


def load(ref: Path, name: str) -> list[dict[str, Any]]:
    return json.loads((ref / name).read_text(encoding="utf-8"))["features"]


def utm(geom: Any) -> Any:
    return shapely.transform(geom, TO_UTM.transform, interleaved=False)


def lonlat(geom: Any) -> Any:
    return shapely.transform(geom, FROM_UTM.transform, interleaved=False)


def geodesic_circle(lon: float, lat: float, radius_m: float, n: int = 72) -> Any:
    """A polygon of points ``radius_m`` metres (geodesic) around lon/lat."""
    azimuths = [360 * i / n for i in range(n)]
    lons, lats, _ = GEOD.fwd([lon] * n, [lat] * n, azimuths, [radius_m] * n)
    return shapely.Polygon(list(zip(lons, lats, strict=True)))
