"""Rival versions: who places a thing where, and how far apart the versions are."""

from __future__ import annotations

import datetime as dt

import pydantic
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Geod
from shapely.affinity import translate
from shapely.geometry import LineString, Point, box

from sitmap.analysis.versions import (
    OWN_CLAIMANT,
    accuracy_versions,
    area_between_km2,
    compare_versions,
    contested,
    difference,
    largest_offset_m,
    versions_of,
)
from sitmap.schema import FeatureProps
from sitmap.situation import load_situation
from tests.conftest import RAFAH

GEOD = Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def rafah():
    return load_situation(RAFAH)


def test_the_two_positions_of_the_hospital_are_4_1_km_apart(rafah) -> None:
    ours, wikipedia = versions_of(rafah, "najjar_hospital")
    assert wikipedia.claimant == "Wikipedia (en) infobox"
    assert ours.claimant.startswith("WAFA")
    (diff,) = compare_versions([ours, wikipedia])
    _, _, expected = GEOD.inv(
        ours.geometry.x, ours.geometry.y, wikipedia.geometry.x, wikipedia.geometry.y
    )
    assert diff.largest_offset_m == pytest.approx(expected, abs=0.01)
    assert 4_000 < diff.largest_offset_m < 4_200  # "about 4.1 km away", as its description says
    assert diff.area_between_km2 is None  # points: an offset only


def test_jenina_by_each_source(rafah) -> None:
    versions = contested(rafah)["jenina"]
    assert [v.id for v in versions] == ["jenina", "jenina_per_wafa_reuters"]
    assert len({v.claimant for v in versions}) == 2
    assert versions[1].confidence == "medium" and versions[1].source
    (diff,) = compare_versions(versions)
    # the 1 km estimate (3.1 km2) against the 6.3 km2 zone that holds most of it
    assert 3.0 < diff.area_between_km2 < 9.5
    assert 500 < diff.largest_offset_m < 2_600  # within the estimate's stated accuracy


def test_versions_are_not_shown_before_they_were_reported(rafah) -> None:
    assert "jenina" not in contested(rafah, as_of=dt.date(2025, 10, 10))  # Jenina: 5 Nov
    assert "najjar_hospital" in contested(rafah, as_of=dt.date(2025, 10, 10))


def test_the_army_held_area_against_its_accuracy_band(rafah) -> None:
    (held,) = versions_of(rafah, "army_held_area_2025-10-19")
    assert held.claimant == OWN_CLAIMANT and held.accuracy_m == 600
    mapped, shrunk, grown = accuracy_versions(held)
    assert shrunk.geometry.area < mapped.geometry.area < grown.geometry.area
    to_shrunk, to_grown = compare_versions([mapped, shrunk, grown])
    assert to_grown.largest_offset_m == pytest.approx(600, rel=0.02)
    # shrinking by 600 m removes strips narrower than 1.2 km: farther than 600 m there
    assert to_shrunk.largest_offset_m >= 600 * 0.98
    # about 600 m along a boundary of ~120 km each way
    assert 40 < to_grown.area_between_km2 < 120
    assert 40 < to_shrunk.area_between_km2 < 120


def test_a_square_and_a_shifted_square() -> None:
    square = box(34.20, 31.20, 34.21, 31.21)
    shifted = translate(square, xoff=0.005)
    whole, _ = GEOD.geometry_area_perimeter(square)
    # each keeps half of itself to itself: the two halves left over make one square
    assert area_between_km2(square, shifted) == pytest.approx(abs(whole) / 1e6, rel=0.01)
    _, _, shift = GEOD.inv(34.20, 31.20, 34.205, 31.20)  # along the lower, longer edge
    assert largest_offset_m(square, shifted) == pytest.approx(shift, rel=0.005)


def test_the_area_between_two_lines_is_the_strip_they_bound() -> None:
    lower = LineString([(34.20, 31.20), (34.21, 31.20)])
    upper = LineString([(34.21, 31.21), (34.20, 31.21)])  # drawn the other way
    whole, _ = GEOD.geometry_area_perimeter(box(34.20, 31.20, 34.21, 31.21))
    assert area_between_km2(lower, upper) == pytest.approx(abs(whole) / 1e6, rel=0.01)
    _, _, gap = GEOD.inv(34.20, 31.20, 34.20, 31.21)
    assert largest_offset_m(lower, upper) == pytest.approx(gap, rel=0.005)


def test_a_point_inside_an_area_is_no_distance_from_it() -> None:
    area = box(34.20, 31.20, 34.21, 31.21)
    inside = Point(34.205, 31.205)
    # from the area to the point: its farthest corner
    _, _, corner = GEOD.inv(34.205, 31.205, 34.20, 31.20)
    assert largest_offset_m(inside, area) == pytest.approx(corner, rel=0.01)


def test_an_empty_version_is_refused() -> None:
    with pytest.raises(ValueError, match="empty geometry"):
        difference(Point(34.2, 31.2), LineString(), second="nothing")


def test_a_version_must_say_who_claims_it() -> None:
    base = {
        "id": "v1",
        "name": "A version",
        "kind": "hospital",
        "source": "wikipedia_rafah",
        "as_of": "2025-11-10",
        "accuracy_m": 50,
        "approximate": False,
        "about": "najjar_hospital",
    }
    with pytest.raises(pydantic.ValidationError, match="claimant"):
        FeatureProps.model_validate(base)
    ok = FeatureProps.model_validate(base | {"claimant": "Someone", "confidence": "low"})
    assert ok.about == "najjar_hospital" and ok.confidence == "low"
    with pytest.raises(pydantic.ValidationError):
        FeatureProps.model_validate(base | {"claimant": "Someone", "confidence": "certain"})


_LON = st.floats(34.20, 34.35)
_LAT = st.floats(31.20, 31.32)
_SIZE = st.floats(0.001, 0.03)
_SHIFT = st.floats(-0.02, 0.02)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_LON, _LAT, _SIZE, _SIZE, _SHIFT, _SHIFT)
def test_differences_are_symmetric_and_zero_only_for_the_same_shape(
    lon: float, lat: float, width: float, height: float, dx: float, dy: float
) -> None:
    square = box(lon, lat, lon + width, lat + height)
    moved = translate(square, xoff=dx, yoff=dy)
    there = difference(square, moved)
    back = difference(moved, square)
    assert there.area_between_km2 == pytest.approx(back.area_between_km2, rel=1e-6, abs=1e-9)
    assert there.largest_offset_m == pytest.approx(back.largest_offset_m, rel=1e-6, abs=1e-6)
    same = difference(square, square)
    assert same.area_between_km2 == pytest.approx(0, abs=1e-9)
    assert same.largest_offset_m == pytest.approx(0, abs=1e-6)
    # a translation moves every vertex by the shift: the offset is about the shift
    _, _, shift = GEOD.inv(lon, lat, lon + dx, lat + dy)
    assert there.largest_offset_m <= shift * 1.01 + 0.5
    # and the area between never exceeds both squares together
    whole, _ = GEOD.geometry_area_perimeter(square)
    assert there.area_between_km2 <= 2 * abs(whole) / 1e6 * 1.001 + 1e-9


def test_a_corridor_is_measured_against_each_version_side_by_side(rafah) -> None:
    from sitmap.analysis.versions import measure_against_versions

    # a line through this map's hospital, then to the Wikipedia position
    ours, wikipedia = versions_of(rafah, "najjar_hospital")
    line = LineString([(34.28, 31.26), ours.geometry.coords[0], (34.25, 31.29)])
    at_ours, at_wikipedia = measure_against_versions(line, [ours, wikipedia])
    assert at_ours.distance_m == pytest.approx(0, abs=0.01)
    _, _, gap = GEOD.inv(34.25, 31.29, wikipedia.geometry.x, wikipedia.geometry.y)
    assert at_wikipedia.distance_m == pytest.approx(gap, rel=0.01)  # the line's nearest end
    # the same line inside each version of Jenina: this map's 1 km circle and the zone
    estimate, zone = contested(rafah)["jenina"]
    in_estimate, in_zone = measure_against_versions(line, [estimate, zone])
    assert in_estimate.inside_m == pytest.approx(2000, rel=0.01)  # in to the centre, out again
    assert in_zone.inside_m > 0 and in_zone.inside_m != pytest.approx(in_estimate.inside_m)
    assert in_estimate.distance_m == 0 and in_zone.distance_m == 0
    assert in_estimate.crossings is None  # areas have no crossings


def test_a_line_version_counts_its_crossings() -> None:
    from sitmap.analysis.versions import Version, measure_against_versions

    line = LineString([(34.20, 31.20), (34.30, 31.30)])
    drawn = LineString([(34.20, 31.30), (34.30, 31.20)])  # crosses once
    moved = translate(drawn, xoff=0.2)  # meets nowhere
    versions = [
        Version("l", "l", "line", "this map", None, (), None, 0.0, drawn),
        Version("m", "l", "line moved", "someone", None, (), "low", 0.0, moved),
    ]
    once, never = measure_against_versions(line, versions)
    assert (once.crossings, once.distance_m) == (1, 0.0)
    assert never.crossings == 0 and never.distance_m > 5_000
