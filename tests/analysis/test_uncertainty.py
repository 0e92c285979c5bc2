"""Honest ranges: every measure carries the span the accuracy of its inputs allows."""

from __future__ import annotations

import math

import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Geod
from shapely.geometry import LineString, Point, box
from shapely.ops import substring

from sitmap.analysis import measure, measure_many
from sitmap.analysis.geodesy import geodesic_area_m2
from sitmap.analysis.reports import report_rows
from sitmap.analysis.uncertainty import (
    Range,
    buffered,
    count_range_text,
    km_range_text,
    percent_range_text,
)
from sitmap.page.workbench import candidates
from sitmap.situation import load_situation
from tests.conftest import RAFAH

GEOD = Geod(ellps="WGS84")
MEASURES = (
    "length_m",
    "length_in_controlled_m",
    "control_line_crossings",
    "walk_minutes",
    "drive_minutes",
)


@pytest.fixture(scope="module")
def rafah():
    return load_situation(RAFAH)


@pytest.fixture(scope="module")
def option_a(rafah):
    return next(c for c in candidates(rafah) if c.id == "corridor_exit_outside_held_area")


def test_the_situations_options_carry_their_own_accuracy(rafah, option_a) -> None:
    assert option_a.accuracy_m == 2600  # illustrative lines
    report = measure(option_a.geometry, rafah, accuracy_m=option_a.accuracy_m)
    for name in MEASURES:
        assert getattr(report, name) in report.span(name), name
    # each end may move 2.6 km: the length may be 5.2 km shorter or longer
    length = report.span("length_m")
    assert length.high - report.length_m == pytest.approx(5200)
    assert report.ranges is not None and "corridor \u00b12600 m" in report.ranges.basis


def test_ranges_widen_with_accuracy(rafah, option_a) -> None:
    reports = measure_many([option_a.geometry] * 4, rafah, accuracies_m=[0, 200, 800, 2600])
    for name in MEASURES:
        widths = [r.span(name).high - r.span(name).low for r in reports]
        assert widths == sorted(widths), name
        for r in reports:
            assert getattr(r, name) in r.span(name), name
    assert reports[0].span("length_m") == Range(reports[0].length_m, reports[0].length_m)
    inside = [r.span("length_in_controlled_m") for r in reports]
    assert inside[0].high > inside[0].low  # the area's own 600 m, even for an exact line
    assert inside[-1].high - inside[-1].low > inside[0].high - inside[0].low


def test_a_line_across_the_yellow_line_crosses_it_for_sure(rafah) -> None:
    yellow = rafah.layer("control").frame.set_index("id").geometry["yellow_line_2025-10-19"]
    # a short stretch of the yellow line in Rafah, and a line square across its middle
    near = shapely.ops.nearest_points(yellow, Point(34.27, 31.28))[0]
    at = yellow.project(near)
    piece = substring(yellow, at - 0.002, at + 0.002)
    (ax, ay), (bx, by) = piece.coords[0], piece.coords[-1]
    nx, ny = -(by - ay), bx - ax
    scale = 0.04 / math.hypot(nx, ny)  # about 4 km each side
    across = LineString(
        [(near.x - nx * scale, near.y - ny * scale), (near.x + nx * scale, near.y + ny * scale)]
    )
    report = measure(across, rafah)
    assert report.control_line_crossings == 1
    assert report.span("control_line_crossings") == Range(1, 1)  # ends well outside the band
    short = substring(across, 0.5 - 0.03, 0.5 + 0.03, normalized=True)  # ends inside the band
    report = measure(short, rafah)
    assert report.control_line_crossings == 1
    assert report.span("control_line_crossings") == Range(0, 1)


def test_an_area_grows_and_shrinks_by_its_accuracy() -> None:
    square = box(34.25, 31.25, 34.27, 31.27)
    area = geodesic_area_m2(square)
    grown, shrunk = buffered(square, 500), buffered(square, -500)
    assert geodesic_area_m2(shrunk) < area < geodesic_area_m2(grown)
    _, _, side = GEOD.inv(34.25, 31.25, 34.25, 31.27)
    _, _, inner = GEOD.inv(34.25, shrunk.bounds[1], 34.25, shrunk.bounds[3])
    assert inner == pytest.approx(side - 1000, abs=5)
    halo = buffered(Point(34.26, 31.26), 1000)
    assert geodesic_area_m2(halo) == pytest.approx(math.pi * 1000**2, rel=0.01)
    assert buffered(square, -5000).is_empty  # shrunk past its half-width


def test_ranges_are_rounded_to_what_is_known() -> None:
    assert km_range_text(4800, Range(3300, 6300)) == "4.8 km (3.3\u20136.3)"
    assert km_range_text(4800, Range(4800, 4800)) == "4.80 km"
    assert km_range_text(4812, Range(4790, 4830)) == "4.81 km (4.79\u20134.83)"
    assert km_range_text(5200, Range(0, 10400)) == "5 km (0\u201310)"
    assert percent_range_text(Range(0.85, 1.0)) == "85\u2013100 %"
    assert percent_range_text(Range(0.5, 0.5)) == "50 %"
    assert count_range_text(1, Range(0, 2)) == "1 (0\u20132)"


def test_the_report_card_shows_the_ranges(rafah, option_a) -> None:
    report = measure(option_a.geometry, rafah, accuracy_m=option_a.accuracy_m)
    rows = dict(report_rows(report))
    assert "\u2013" in rows["Length"] and rows["Length"].startswith("5 km")
    assert "% of the line" in rows["In the army-held area"]
    assert "Ranges from" in rows


_LON = st.floats(34.22, 34.32)
_LAT = st.floats(31.23, 31.33)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(_LON, _LAT), min_size=2, max_size=6, unique=True),
    st.sampled_from([0, 100, 1000, 3000]),
)
def test_every_range_holds_its_figure(rafah, coords, accuracy) -> None:
    line = LineString(coords)
    if line.length < 1e-4:
        return
    report = measure(line, rafah, accuracy_m=accuracy)
    for name in MEASURES:
        span = report.span(name)
        assert span.low <= getattr(report, name) <= span.high, name
        assert span.low >= 0
    share = report.ranges.share_in_controlled
    assert 0 <= share.low <= report.share_in_controlled + 1e-9
    assert report.share_in_controlled - 1e-9 <= share.high <= 1
    near = report.ranges.nearest_crossing_m
    assert near.low <= report.nearest_crossing.distance_m <= near.high
