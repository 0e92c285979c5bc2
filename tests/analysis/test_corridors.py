"""Tests for sitmap.analysis.corridors: measuring corridors against a situation and comparing them."""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
import os
import shutil
from typing import Any

import numpy as np
import pytest
import shapely
from geographiclib.geodesic import Geodesic
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, MultiLineString, Point, Polygon

from sitmap.analysis import corridors
from sitmap.analysis.corridors import (
    CLI_KEYS,
    CorridorReport,
    NamedArea,
    compare,
    measure,
    measure_many,
)
from sitmap.errors import CorridorError
from sitmap.situation import Situation, load_situation
from tests.conftest import RAFAH, collection, line_feature

WGS84 = Geodesic.WGS84
MM = 1e-3

# A constructed situation: the Rafah one with control.geojson replaced by a square
# "army-held area" (its boundary is the control line) and a smaller square inside it.
W, S, E, N = 34.40, 31.40, 34.42, 31.42
IW, IS, IE, IN = 34.405, 31.405, 34.415, 31.415
Y = 31.41
SQUARE = "Test square"
INNER = "Inner square"


def geo(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Geodesic distance in metres between two (lon, lat) points, by geographiclib."""
    return float(WGS84.Inverse(a[1], a[0], b[1], b[0])["s12"])


def path_length(coords: Any) -> float:
    pts = [tuple(p) for p in coords]
    return sum(geo(a, b) for a, b in itertools.pairwise(pts))


def _area(ident: str, name: str, kind: str, box: tuple[float, ...]) -> dict[str, Any]:
    w, s, e, n = box
    return {
        "type": "Feature",
        "properties": _props(ident, name, kind),
        "geometry": {"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]},
    }


def _props(ident: str, name: str, kind: str) -> dict[str, Any]:
    return {
        "id": ident,
        "name": name,
        "kind": kind,
        "source": ["wikipedia_rafah"],
        "as_of": "2025-11-10",
        "accuracy_m": 10,
        "approximate": False,
    }


@pytest.fixture(scope="module")
def square(tmp_path_factory: pytest.TempPathFactory) -> Situation:
    folder = tmp_path_factory.mktemp("square") / "rafah-2025-11"
    shutil.copytree(RAFAH, folder)
    ring = [[W, S], [E, S], [E, N], [W, N], [W, S]]
    edge = line_feature(ring)
    edge["properties"] = _props("square_edge", "Square edge", "control_line")
    doc = collection(
        _area("test_square", SQUARE, "army_held_area", (W, S, E, N)),
        _area("inner_square", INNER, "tunnel_enclave", (IW, IS, IE, IN)),
        edge,
    )
    (folder / "control.geojson").write_text(json.dumps(doc), encoding="utf-8")
    return load_situation(folder)


@pytest.fixture(scope="module")
def rafah() -> Situation:
    return load_situation(RAFAH)


@pytest.fixture(scope="module")
def candidates(rafah: Situation) -> dict[str, CorridorReport]:
    frame = rafah.layer("corridors").frame
    reports = measure_many(
        list(frame.geometry), rafah, idents=list(frame["id"]), names=list(frame["name"])
    )
    return {str(r.id): r for r in reports}


def through(report: CorridorReport) -> dict[str, float]:
    return {item.area: item.length_m for item in report.passes_through}


# --- constructed lines across a known square --------------------------------------------

CASES = {
    "inside only": ([(34.405, Y), (34.415, 31.411)], 0, None),
    "outside only": ([(34.43, 31.43), (34.45, 31.44)], 0, []),
    "out of the square": ([(34.41, Y), (34.43, Y)], 1, [((34.41, Y), (E, Y))]),
    "straight through": ([(34.39, Y), (34.43, Y)], 2, [((W, Y), (E, Y))]),
    "out, in and out again": (
        [(34.41, Y), (34.43, Y), (34.43, 31.415), (34.41, 31.415), (34.41, 31.43)],
        3,
        [((34.41, Y), (E, Y)), ((E, 31.415), (34.41, 31.415)), ((34.41, 31.415), (34.41, N))],
    ),
    "along the south edge": ([(34.39, S), (34.43, S)], 1, [((W, S), (E, S))]),
    "corner to corner": ([(34.39, 31.39), (34.43, 31.43)], 2, [((W, S), (E, N))]),
    "touching a corner": ([(34.39, Y), (W, S), (34.39, 31.39)], 1, []),
    "vertex on the line": ([(34.39, Y), (W, Y), (34.41, Y)], 1, [((W, Y), (34.41, Y))]),
    "same spot twice": (
        [(34.39, 31.405), (34.41, 31.415), (34.41, 31.405), (34.39, 31.415)],
        2,
        [((W, Y), (34.41, 31.415)), ((34.41, 31.415), (34.41, 31.405)), ((34.41, 31.405), (W, Y))],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_crossings_and_inside_length_on_constructed_lines(square: Situation, case: str) -> None:
    coords, crossings, pieces = CASES[case]
    report = measure(LineString(coords), square)
    assert report.control_line_crossings == crossings
    assert len(report.crossing_points) == crossings
    assert report.length_m == pytest.approx(path_length(coords), abs=MM)
    inside = report.length_m if pieces is None else sum(geo(a, b) for a, b in pieces)
    assert report.length_in_controlled_m == pytest.approx(inside, abs=MM)
    assert through(report).get(SQUARE, 0.0) == pytest.approx(inside, abs=MM)


def test_crossing_points_are_in_order_along_the_corridor(square: Situation) -> None:
    forward = measure(LineString([(34.39, Y), (34.43, Y)]), square)
    backward = measure(LineString([(34.43, Y), (34.39, Y)]), square)
    assert np.allclose(forward.crossing_points, [(W, Y), (E, Y)], atol=1e-12)
    assert np.allclose(backward.crossing_points, [(E, Y), (W, Y)], atol=1e-12)


def test_nested_areas_ordered_by_first_entry(square: Situation) -> None:
    report = measure(LineString([(34.39, Y), (34.43, Y)]), square)
    names = [item.area for item in report.passes_through]
    assert names.index(SQUARE) < names.index(INNER)
    assert through(report)[INNER] == pytest.approx(geo((IW, Y), (IE, Y)), abs=MM)
    assert through(report)[INNER] < through(report)[SQUARE]


def test_start_and_end_areas_most_specific_first(square: Situation) -> None:
    report = measure(LineString([(34.41, Y), (34.43, Y)]), square)
    assert report.start_in[:2] == (INNER, SQUARE)
    assert SQUARE not in report.end_in and INNER not in report.end_in
    on_edge = measure(LineString([(W, Y), (34.39, Y)]), square)
    assert SQUARE in on_edge.start_in  # a boundary counts as inside


def test_multilinestring_parts_add_up(square: Situation) -> None:
    parts = [[(34.39, Y), (34.41, Y)], [(34.41, 31.415), (34.43, 31.415)]]
    report = measure(MultiLineString(parts), square)
    assert report.length_m == pytest.approx(sum(path_length(p) for p in parts), abs=MM)
    inside = geo((W, Y), (34.41, Y)) + geo((34.41, 31.415), (E, 31.415))
    assert report.length_in_controlled_m == pytest.approx(inside, abs=MM)
    assert report.control_line_crossings == 2


def test_z_coordinates_are_ignored(square: Situation) -> None:
    flat = measure(LineString([(34.39, Y), (34.43, Y)]), square)
    raised = measure(LineString([(34.39, Y, 10.0), (34.43, Y, 99.0)]), square)
    assert raised.to_dict() == flat.to_dict()


def test_extra_areas_are_measured_and_can_be_controlled(rafah: Situation) -> None:
    box = shapely.box(34.26, 31.28, 34.27, 31.29)
    line = LineString([(34.255, 31.285), (34.275, 31.285)])
    plain = measure(line, rafah)
    extra = NamedArea("Uploaded zone", "army_held_area", box, approximate=True, id="up")
    report = measure(line, rafah, extra_areas=[extra])
    assert through(report)["Uploaded zone"] == pytest.approx(
        geo((34.26, 31.285), (34.27, 31.285)), abs=MM
    )
    assert "Uploaded zone" in report.approximate_inputs
    assert report.length_in_controlled_m >= plain.length_in_controlled_m - 1e-6
    assert corridors.area_index(rafah) is corridors.area_index(rafah)


def test_extra_areas_must_be_valid_polygons(rafah: Situation) -> None:
    line = LineString([(34.255, 31.285), (34.275, 31.285)])
    bow_tie = Polygon([(34.26, 31.28), (34.27, 31.29), (34.27, 31.28), (34.26, 31.29)])
    bad = [
        NamedArea("A point", "zone", Point(34.26, 31.28), id="pt"),
        NamedArea("Bow tie", "zone", bow_tie, id="bow"),
    ]
    with pytest.raises(CorridorError, match=r"pt: not a Polygon \(Point\)") as err:
        measure(line, rafah, extra_areas=bad)
    assert "bow: unusable polygon: Self-intersection" in str(err.value)


# --- the candidate corridors of the real situation ---------------------------------------


def test_option_a_crosses_the_yellow_line_once_and_leaves_the_held_area(
    candidates: dict[str, CorridorReport], rafah: Situation
) -> None:
    a = candidates["corridor_exit_outside_held_area"]
    held = "Area held by the Israeli army (phase 1 of the Oct 2025 ceasefire)"
    assert a.control_line_crossings == 1
    assert held in a.start_in and held not in a.end_in
    assert "Jenina (al-Jneina) neighbourhood (estimate)" in a.start_in
    assert a.start_in[0] == "Tunnel enclave, Jenina (reported; estimate)"
    assert 0 < a.length_in_controlled_m < a.length_m
    assert through(a)[held] == a.length_in_controlled_m
    assert a.nearest_crossing is not None
    assert a.nearest_crossing.name == "Rafah crossing (to Egypt)"
    assert "Jenina (al-Jneina) neighbourhood (estimate)" in a.approximate_inputs
    coords = rafah.layer("corridors").frame.geometry[0].coords
    assert a.length_m == pytest.approx(path_length(coords), abs=MM)
    yellow = rafah.features(kinds=["control_line"]).geometry.union_all()
    assert yellow.distance(Point(a.crossing_points[0])) < 1e-9


def test_options_b_and_c_end_at_their_crossings(candidates: dict[str, CorridorReport]) -> None:
    b = candidates["corridor_deportation_abroad"]
    c = candidates["corridor_surrender"]
    assert (b.nearest_crossing.name, b.nearest_crossing.distance_m) == (
        "Rafah crossing (to Egypt)",
        pytest.approx(0.0, abs=MM),
    )
    assert c.nearest_crossing.name.startswith("Kerem Shalom")
    assert c.nearest_crossing.distance_m == pytest.approx(0.0, abs=MM)
    assert b.control_line_crossings == c.control_line_crossings == 0
    assert b.length_in_controlled_m == pytest.approx(b.length_m)
    assert c.end_in == ()  # Kerem Shalom lies outside every named area
    hospital = b.nearest_sensitive[0]
    assert (hospital.kind, hospital.name) == (
        "hospital",
        "Abu Youssef al-Najjar hospital (estimated position, in al-Jneina)",
    )


def test_measure_matches_measure_many(
    rafah: Situation, candidates: dict[str, CorridorReport]
) -> None:
    frame = rafah.layer("corridors").frame
    for ident, name, line in zip(frame["id"], frame["name"], frame.geometry, strict=True):
        assert measure(line, rafah, ident=ident, name=name) == candidates[ident]


def test_speeds_default_to_the_manifest_and_can_be_overridden(rafah: Situation) -> None:
    line = LineString([(34.25, 31.28), (34.26, 31.29)])
    report = measure(line, rafah)
    assert (report.assumptions.walk_kmh, report.assumptions.drive_kmh) == (4.0, 20.0)
    assert report.walk_minutes == pytest.approx(report.length_m / (4000 / 60))
    faster = measure(line, rafah, walk_kmh=5, drive_kmh=50)
    assert faster.walk_minutes == pytest.approx(report.length_m / (5000 / 60))
    assert faster.drive_minutes == pytest.approx(report.length_m / (50_000 / 60))
    assert faster.assumptions.walk_kmh == 5.0


def test_to_json_has_exactly_the_cli_keys(candidates: dict[str, CorridorReport]) -> None:
    out = candidates["corridor_exit_outside_held_area"].to_json()
    assert tuple(out) == CLI_KEYS
    assert json.loads(json.dumps(out, allow_nan=False)) == out
    assert isinstance(out["control_line_crossings"], int)
    assert all(isinstance(out[k], float) for k in ("length_m", "walk_minutes", "drive_minutes"))
    assert all(set(p) == {"area", "length_m"} for p in out["passes_through"])
    assert set(out["nearest_crossing"]) == {
        "name",
        "distance_m",
        "distance_m_min",
        "distance_m_max",
    }
    assert set(out["assumptions"]) == {"walk_kmh", "drive_kmh", "note"}
    full = candidates["corridor_exit_outside_held_area"].to_dict()
    assert set(CLI_KEYS) < set(full)
    assert full["nearest_crossing"]["kind"] == "crossing"


# --- errors ---------------------------------------------------------------------------


def nan_line() -> LineString:
    with np.errstate(invalid="ignore"):  # GEOS is told, and warns, of the NaN
        return LineString([(34.25, 31.28), (34.26, math.nan)])


@pytest.mark.parametrize(
    ("geometry", "message"),
    [
        (Point(34.25, 31.28), r"corridor: 0: not a LineString \(Point\); a corridor is a line"),
        (shapely.box(34.2, 31.2, 34.3, 31.3), r"not a LineString \(Polygon\)"),
        (LineString(), r"empty LineString; a corridor needs at least 2 distinct points"),
        (None, r"no geometry; a corridor is a LineString"),
        ("LINESTRING (0 0, 1 1)", r"str is not a geometry"),
        (
            LineString([(34.25, 31.28), (35.1, 31.2)]),
            r"corridor leaves the situation extent at lon 35\.1, lat 31\.2 \(lon 34\.1\.\.34\.6",
        ),
        (
            LineString([(31.28, 34.25), (31.29, 34.26)]),
            r"at lon 31\.28, lat 34\.25; its coordinates look like \[lat, lon\]",
        ),
        (
            LineString([(34.25, 31.28), (34.25, 31.28)]),
            r"needs at least 2 distinct points \(all its points coincide\)",
        ),
        (nan_line(), r"coordinate \(34\.26, nan\) is not"),
    ],
)
def test_unmeasurable_corridors_are_refused(rafah: Situation, geometry: Any, message: str) -> None:
    with pytest.raises(CorridorError, match=message):
        measure(geometry, rafah)


def test_every_bad_corridor_is_reported_at_once(rafah: Situation) -> None:
    good = LineString([(34.25, 31.28), (34.26, 31.29)])
    with pytest.raises(CorridorError, match=r"f\.geojson: b: not a LineString") as err:
        measure_many(
            [good, Point(34.25, 31.28), good, LineString([(34.25, 31.28), (40, 31)])],
            rafah,
            idents=["a", "b", "c", "d"],
            file="f.geojson",
        )
    assert [(p.feature, p.file) for p in err.value.problems] == [
        ("b", "f.geojson"),
        ("d", "f.geojson"),
    ]


def test_bad_speeds_and_mismatched_labels_are_refused(rafah: Situation) -> None:
    line = LineString([(34.25, 31.28), (34.26, 31.29)])
    with pytest.raises(CorridorError, match=r"walking speed 0 km/h must be a positive number"):
        measure(line, rafah, walk_kmh=0)
    with pytest.raises(CorridorError, match=r"driving speed nan km/h must be a positive"):
        measure(line, rafah, drive_kmh=math.nan)
    with pytest.raises(CorridorError, match=r"got 1 corridors but 2 idents and 1 names"):
        measure_many([line], rafah, idents=["a", "b"])


def test_no_corridors_give_no_reports(rafah: Situation) -> None:
    assert measure_many([], rafah) == []


# --- compare ----------------------------------------------------------------------------


def test_compare_ranks_smallest_first(candidates: dict[str, CorridorReport]) -> None:
    reports = list(candidates.values())  # A, B, C in file order
    rows = compare(reports)
    assert [r.id for r in rows] == [  # Jenina estimated from the 6 May 2024 zone (issue 12)
        "corridor_deportation_abroad",
        "corridor_surrender",
        "corridor_exit_outside_held_area",
    ]
    assert [r.rank for r in rows] == [1, 2, 3]
    assert rows[0].difference == 0.0
    assert rows[1].difference == pytest.approx(rows[1].value - rows[0].value)
    by_length = compare(reports, by="length_m")
    assert by_length[0].value == min(r.length_m for r in reports)


def test_compare_ties_share_a_rank_and_keep_input_order(
    candidates: dict[str, CorridorReport],
) -> None:
    reports = list(candidates.values())
    rows = compare(reports, by="control_line_crossings")
    assert [(r.rank, r.id) for r in rows] == [
        (1, "corridor_deportation_abroad"),
        (1, "corridor_surrender"),
        (3, "corridor_exit_outside_held_area"),
    ]
    assert compare(list(reversed(reports)), by="control_line_crossings")[0].id == (
        "corridor_surrender"
    )


def test_compare_puts_unknown_values_last(candidates: dict[str, CorridorReport]) -> None:
    a, b, _ = candidates.values()
    unknown = dataclasses.replace(a, id="none", nearest_crossing=None)
    rows = compare([unknown, b], by="nearest_crossing_m")
    assert [(r.id, r.rank, r.difference) for r in rows] == [
        ("corridor_deportation_abroad", 1, 0.0),
        ("none", 2, None),
    ]
    assert compare([]) == []


def test_compare_refuses_an_unknown_measure(candidates: dict[str, CorridorReport]) -> None:
    with pytest.raises(CorridorError, match=r"cannot compare by 'speed'; choose one of length_m"):
        compare(list(candidates.values()), by="speed")  # type: ignore[arg-type]


# --- properties (hypothesis) ---------------------------------------------------------------

frame_lon = st.floats(34.20, 34.33)
frame_lat = st.floats(31.215, 31.335)
frame_lines = st.lists(st.tuples(frame_lon, frame_lat), min_size=2, max_size=6).filter(
    lambda pts: len(set(pts)) > 1
)
# vertices on the squares' edges and corners as often as anywhere else
grid_lon = st.one_of(st.sampled_from([34.39, W, IW, 34.41, IE, E, 34.43]), st.floats(34.39, 34.43))
grid_lat = st.one_of(st.sampled_from([31.39, S, IS, Y, IN, N, 31.43]), st.floats(31.39, 31.43))
grid_lines = st.lists(st.tuples(grid_lon, grid_lat), min_size=2, max_size=6).filter(
    lambda pts: len(set(pts)) > 1
)
SLOW = settings(
    max_examples=int(os.environ.get("SITMAP_HYPOTHESIS_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def oracle_inside_m(coords: list[tuple[float, float]], area: Any) -> float:
    """Length inside ``area``, segment by segment: GEOS clip in lon/lat, geographiclib."""
    total = 0.0
    for a, b in itertools.pairwise(coords):
        if a == b:
            continue
        piece = LineString([a, b]).intersection(area)
        for part in getattr(piece, "geoms", [piece]):
            if part.geom_type == "LineString":
                total += path_length(part.coords)
    return total


@pytest.fixture(scope="module")
def held_and_yellow(rafah: Situation) -> tuple[Any, Any]:
    """The army-held area and the yellow line of the real situation (lon/lat)."""
    held = rafah.features(kinds=["army_held_area"]).geometry.union_all()
    return held, rafah.features(kinds=["control_line"]).geometry.union_all()


@SLOW
@given(frame_lines)
def test_random_corridors_in_rafah(
    rafah: Situation, held_and_yellow: tuple[Any, Any], coords: list[tuple[float, float]]
) -> None:
    held, yellow = held_and_yellow
    report = measure(LineString(coords), rafah)
    assert report.length_m == pytest.approx(path_length(coords), abs=MM)
    assert 0.0 <= report.length_in_controlled_m <= report.length_m + 1e-6
    assert report.length_in_controlled_m == pytest.approx(oracle_inside_m(coords, held), abs=MM)
    for item in report.passes_through:
        assert 0.0 < item.length_m <= report.length_m + 1e-6
    index = corridors.area_index(rafah)
    start = Point(coords[0])
    expected = {
        str(name)
        for name, area in zip(index.area_names, index.overlay, strict=False)
        if area.intersects(start)
    }
    assert set(report.start_in) == expected
    assert report.control_line_crossings == len(report.crossing_points)
    for point in report.crossing_points:
        assert yellow.distance(Point(point)) < 1e-9
        assert LineString(coords).distance(Point(point)) < 1e-9


@SLOW
@given(grid_lines)
def test_degenerate_corridors_across_nested_squares(
    square: Situation, coords: list[tuple[float, float]]
) -> None:
    report = measure(LineString(coords), square)
    lengths = through(report)
    outer = lengths.get(SQUARE, 0.0)
    assert outer == pytest.approx(oracle_inside_m(coords, shapely.box(W, S, E, N)), abs=MM)
    assert lengths.get(INNER, 0.0) == pytest.approx(
        oracle_inside_m(coords, shapely.box(IW, IS, IE, IN)), abs=MM
    )
    assert lengths.get(INNER, 0.0) <= outer + 1e-6
    assert report.length_in_controlled_m == pytest.approx(outer, abs=MM)
    touches = LineString(coords).intersects(shapely.box(W, S, E, N).boundary)
    assert (report.control_line_crossings > 0) == touches


@settings(max_examples=50, deadline=None)
@given(st.lists(frame_lines, min_size=1, max_size=8))
def test_a_batch_measures_each_corridor_as_alone(
    rafah: Situation, many: list[list[tuple[float, float]]]
) -> None:
    lines = [LineString(c) for c in many]
    batch = measure_many(lines, rafah)
    for i, line in enumerate(lines):
        assert_same_report(batch[i], measure(line, rafah, ident=i))


def assert_same_report(a: CorridorReport, b: CorridorReport) -> None:
    """Equal reports: measuring in a batch mixes nothing between corridors.

    Floats may differ in the last bits (the batch sums and projects in another order),
    so they are compared to 1e-9 relative; everything else exactly.
    """
    assert _close(a.to_dict(), b.to_dict()), (a.to_dict(), b.to_dict())


def _close(a: object, b: object) -> bool:
    """Equal, with floats compared to 1e-9 (relative or absolute), recursively."""
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    return a == b


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(34.10, 34.60), st.floats(31.15, 31.65)), min_size=2, max_size=5
    ).filter(lambda pts: len(set(pts)) > 1)
)
def test_any_line_in_the_extent_is_measured(
    rafah: Situation, coords: list[tuple[float, float]]
) -> None:
    report = measure(LineString(coords), rafah)
    assert report.length_m == pytest.approx(path_length(coords), abs=MM)
    assert 0.0 <= report.length_in_controlled_m <= report.length_m + 1e-6


def test_a_corridor_of_too_many_vertices_is_refused_before_it_is_measured(
    rafah: Situation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SITMAP_IMPORT_MAX_VERTICES", "1000")
    xs = np.linspace(34.25, 34.27, 1001)
    long_line = LineString(np.column_stack([xs, np.full_like(xs, 31.28)]))
    message = r"has 1,001 vertices; the limit is 1,000 per corridor \(SITMAP_IMPORT_MAX_VERTICES\)"
    with pytest.raises(CorridorError, match=message):
        measure(long_line, rafah)
    assert measure(LineString(long_line.coords[:1000]), rafah).length_m > 0  # at the limit
