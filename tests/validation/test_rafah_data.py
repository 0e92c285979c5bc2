"""The facts of the Rafah situation a reviewer would check (issue 12), pinned."""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from typing import Any

import pytest
import shapely
from pyproj import Geod
from shapely.geometry import shape
from shapely.ops import nearest_points

from tests.conftest import RAFAH

GEOD = Geod(ellps="WGS84")
MANIFEST = tomllib.loads((RAFAH / "situation.toml").read_text(encoding="utf-8"))
SOURCES = {
    s["id"]: s
    for s in tomllib.loads((RAFAH / "sources.toml").read_text(encoding="utf-8"))["sources"]
}
START = dt.date.fromisoformat(MANIFEST["start"])
END = dt.date.fromisoformat(MANIFEST["end"])


def features(layer_file: str) -> dict[str, dict[str, Any]]:
    doc = json.loads((RAFAH / layer_file).read_text(encoding="utf-8"))
    return {f["properties"]["id"]: f for f in doc["features"]}


ALL = {ident: f for layer in MANIFEST["layers"] for ident, f in features(layer["file"]).items()}


def metres(a: Any, b: Any) -> float:
    return float(GEOD.inv(a.x, a.y, b.x, b.y)[2])


def test_no_reported_date_is_after_the_end_or_in_2026() -> None:
    for ident, f in ALL.items():
        props = f["properties"]
        reported = [props.get("as_of")] + [c["date"] for c in props.get("claims", [])]
        for day in filter(None, reported):
            assert not day.startswith("2026"), (ident, day)
            assert dt.date.fromisoformat(day) <= END, (ident, day)
    for ident, source in SOURCES.items():  # only a source after the situation may be dated 2026
        if str(source["date"]).startswith("2026"):
            assert "AFTER the situation's end" in source["notes"], ident


def test_static_geography_is_dated_by_the_start_and_keeps_its_access_date() -> None:
    static = [
        "gaza_strip",
        "rafah_municipality",
        "rafah_city_centre",
        "rafah_crossing",
        "kerem_shalom_crossing",
        "khan_yunis",
        "tel_al_sultan",
        "philadelphi_corridor",
    ]
    for ident in static:
        props = ALL[ident]["properties"]
        assert dt.date.fromisoformat(props["as_of"]) <= START, ident
    assert ALL["rafah_city_centre"]["properties"]["accessed"] == "2025-11-25"
    for ident in ["tunnel_enclave_jenina", "jenina"]:  # Army Radio, 5 Nov 2025
        assert ALL[ident]["properties"]["as_of"] == "2025-11-05"
    assert ALL["corridor_surrender"]["properties"]["as_of"] == "2025-11-10"


def test_hospital_lies_in_the_6_may_2024_zone_and_both_positions_are_claims() -> None:
    zone = shape(ALL["evacuation_zone_2024-05-06"]["geometry"])
    hospital = ALL["najjar_hospital"]
    point = shape(hospital["geometry"])
    props = hospital["properties"]
    assert zone.contains(point)
    farthest = max(metres(point, shapely.Point(xy)) for xy in zone.exterior.coords)
    assert props["approximate"] is True and props["accuracy_m"] >= farthest
    wikipedia = shapely.Point(34 + 14 / 60 + 37.5 / 3600, 31 + 17 / 60 + 49.1 / 3600)
    assert metres(point, wikipedia) > 3000  # no longer the generic point for Rafah
    says = {c["source"]: c for c in props["claims"]}
    assert {"wafa_2024-05-06", "palestinestudies_najjar", "wikipedia_najjar_hospital"} <= set(says)
    assert says["palestinestudies_najjar"]["date"] == "2025-11-25"  # when we read the page


def test_jenina_is_estimated_from_the_evacuation_zone() -> None:
    zone = shape(ALL["evacuation_zone_2024-05-06"]["geometry"])
    jenina = ALL["jenina"]["properties"]
    centre = shape(ALL["jenina"]["geometry"]).centroid
    assert zone.contains(centre)
    assert jenina["approximate"] is True and jenina["accuracy_m"] >= 1000
    assert "6 May 2024" in jenina["description"]
    assert "gazamaps_evacuation_2024-05-06" in jenina["source"]
    enclave = ALL["tunnel_enclave_jenina"]["properties"]["description"]
    assert "500 m radius" in enclave and "1 km radius" not in enclave


def test_the_evacuation_zone_is_a_dated_historic_layer() -> None:
    (layer,) = [spec for spec in MANIFEST["layers"] if spec["id"] == "evacuation_2024"]
    assert layer["visible"] is False
    props = ALL["evacuation_zone_2024-05-06"]["properties"]
    assert props["as_of"] == props["valid_from"] == "2024-05-06"
    assert SOURCES["gazamaps_evacuation_2024-05-06"]["date"] == "2024-05-06"


@pytest.mark.parametrize("ident", ["yellow_line_2025-10-19", "army_held_area_2025-10-19"])
def test_yellow_line_and_held_area_are_approximate_tracings(ident: str) -> None:
    props = ALL[ident]["properties"]
    assert props["approximate"] is True and props["accuracy_m"] >= 500
    assert "hand-traced" in props["description"] and "small-scale map" in props["description"]
    assert "520 m" in props["description"] and "295" not in props["description"]
    assert props["valid_from"] == "2025-10-19"
    assert "295 m" in SOURCES["bbcverify_2026-01"]["notes"]


def test_words_are_neutral_and_attributed() -> None:
    assert "trapped" not in MANIFEST["title"]
    assert "Israeli officials say" in MANIFEST["summary"]
    assert "clemency" not in ALL["corridor_surrender"]["properties"]["name"]
    assert "other reports" not in ALL["philadelphi_corridor"]["properties"]["description"]
    ceasefire = ALL["ev_2025-10-10_ceasefire"]["properties"]
    assert "began positioning" in ceasefire["title"]


def test_the_28_nov_figures_are_attributed_as_reported() -> None:
    says = [c["says"] for c in ALL["ev_2025-11-28_thirty"]["properties"]["claims"]]
    assert any("including 9 in eastern Rafah" in s for s in says)
    assert any("9 more" in s and "inside one of the Rafah tunnels" in s for s in says)


def test_the_21_nov_point_covers_a_position_near_the_yellow_line() -> None:
    event = ALL["ev_2025-11-21_emerged"]
    line = shape(ALL["yellow_line_2025-10-19"]["geometry"])
    point = shape(event["geometry"])
    nearest = nearest_points(line, point)[0]
    assert event["properties"]["accuracy_m"] >= metres(point, nearest)


@pytest.mark.parametrize(
    ("ident", "source", "precision"),
    [
        ("ev_2025-11-05_army_radio", "srugim_2025-11-05", "day"),
        ("ev_2025-11-06_witkoff", "reuters_2025-11-06", "day"),
        ("ev_2025-11-20_tunnel_route", "idf_2025-11-20", "day"),
    ],
)
def test_the_missing_events_are_there_with_their_sources(
    ident: str, source: str, precision: str
) -> None:
    props = ALL[ident]["properties"]
    assert source in props["source"] and props["time_precision"] == precision
    assert props["time"].startswith(ident[3:13]) and props["dating"]
    assert SOURCES[source]["date"] == ident[3:13]
