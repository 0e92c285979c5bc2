"""Tests for sitmap.analysis.geodesy: geodesic lengths, distances, areas and the metric projection."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import shapely
from geographiclib.geodesic import Geodesic
from geographiclib.polygonarea import PolygonArea
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import (
    GeometryCollection,
    LineString,
    MultiLineString,
    MultiPoint,
    MultiPolygon,
    Point,
    Polygon,
)

from sitmap.analysis import geodesy
from sitmap.errors import CorridorError

WGS84 = Geodesic.WGS84

# --- strategies ---------------------------------------------------------------------------

world_lon = st.floats(-180, 180)
world_lat = st.floats(-90, 90)
gaza_lon = st.floats(34.2, 34.6)
gaza_lat = st.floats(31.2, 31.6)


def vertices(lon: st.SearchStrategy[float], lat: st.SearchStrategy[float], *, max_size: int = 50):
    return st.lists(st.tuples(lon, lat), min_size=2, max_size=max_size)


def lines(lon=gaza_lon, lat=gaza_lat, *, max_size: int = 12) -> st.SearchStrategy[LineString]:
    return vertices(lon, lat, max_size=max_size).map(LineString)


def polygons() -> st.SearchStrategy[Polygon]:
    def build(x: float, y: float, w: float, h: float, hole: bool) -> Polygon:
        outer = shapely.box(x, y, x + w, y + h)
        if not hole:
            return outer
        return Polygon(
            outer.exterior, [shapely.box(x + w / 4, y + h / 4, x + w / 2, y + h / 2).exterior]
        )

    return st.builds(
        build, gaza_lon, gaza_lat, st.floats(1e-4, 0.2), st.floats(1e-4, 0.2), st.booleans()
    )


simple = st.one_of(
    lines(),
    st.lists(lines(), min_size=1, max_size=4).map(MultiLineString),
    st.builds(Point, gaza_lon, gaza_lat),
    polygons(),
    st.sampled_from(
        [LineString(), Point(), Polygon(), MultiLineString(), GeometryCollection(), MultiPoint()]
    ),
)
mixed = st.recursive(
    simple,
    lambda inner: st.lists(inner, max_size=4).map(GeometryCollection),
    max_leaves=8,
)


def geographiclib_length(coords: list[tuple[float, float]]) -> float:
    return sum(
        WGS84.Inverse(lat1, lon1, lat2, lon2)["s12"]
        for (lon1, lat1), (lon2, lat2) in itertools.pairwise(coords)
    )


# --- lengths --------------------------------------------------------------------------------


@given(vertices(world_lon, world_lat))
def test_line_length_agrees_with_geographiclib_anywhere(coords):
    expected = geographiclib_length(coords)
    line = LineString(coords)
    assert geodesy.line_length_m(line) == pytest.approx(expected, abs=1e-3)
    assert geodesy.lengths_m([line])[0] == pytest.approx(expected, abs=1e-3)


@given(vertices(gaza_lon, gaza_lat))
def test_line_length_agrees_with_geographiclib_near_gaza(coords):
    expected = geographiclib_length(coords)
    assert geodesy.line_length_m(LineString(coords)) == pytest.approx(expected, abs=1e-3)
    assert geodesy.lengths_m([LineString(coords)])[0] == pytest.approx(expected, abs=1e-3)


@given(st.lists(st.one_of(mixed, st.none()), max_size=30))
def test_lengths_equals_line_length_per_element(geoms):
    arr = np.empty(len(geoms), dtype=object)
    arr[:] = geoms
    got = geodesy.lengths_m(arr)
    assert got.shape == (len(geoms),)
    for g, length in zip(geoms, got, strict=True):
        if g is None:
            assert math.isnan(length)
        else:
            assert length == pytest.approx(geodesy.line_length_m(g), abs=1e-6)


@pytest.mark.parametrize(
    ("coords", "expected_m"),
    [
        ([(0, 0), (1, 0)], 111_319.490_79),  # 1 degree of longitude on the equator
        ([(0, 0), (0, 90)], 10_001_965.729_31),  # equator to pole along a meridian
        ([(34.0, 31.3), (34.0, 31.3)], 0.0),
    ],
)
def test_known_lengths(coords, expected_m):
    assert geodesy.line_length_m(LineString(coords)) == pytest.approx(expected_m, abs=1e-3)
    assert geodesy.lengths_m([LineString(coords)]) == pytest.approx([expected_m], abs=1e-3)


def test_lengths_do_not_join_separate_parts():
    one_degree = 111_319.490_79
    multi = MultiLineString([[(0, 0), (1, 0)], [(10, 0), (11, 0)]])
    nested = GeometryCollection([Point(5, 5), GeometryCollection([multi]), LineString()])
    got = geodesy.lengths_m([multi, LineString([(0, 0), (1, 0)]), nested, multi])
    assert got == pytest.approx([2 * one_degree, one_degree, 2 * one_degree, 2 * one_degree])


def test_lengths_of_points_empties_missing_and_polygons():
    square = shapely.box(0, 0, 1, 1)
    holed = Polygon(square.exterior, [shapely.box(0.25, 0.25, 0.5, 0.5).exterior])
    hole_m = geodesy.line_length_m(LineString(holed.interiors[0].coords))
    square_m = geodesy.line_length_m(LineString(square.exterior.coords))
    got = geodesy.lengths_m(
        [Point(1, 2), MultiPoint([(0, 0), (5, 5)]), LineString(), Polygon(), None, square, holed]
    )
    assert got[:4].tolist() == [0.0, 0.0, 0.0, 0.0]
    assert math.isnan(got[4])
    assert got[5] == pytest.approx(square_m)
    assert got[6] == pytest.approx(square_m + hole_m)  # perimeter counts interior rings
    assert geodesy.lengths_m(MultiPolygon([square, holed]).geoms).sum() == pytest.approx(
        2 * square_m + hole_m
    )


def test_lengths_keep_the_shape_of_the_input():
    grid = np.array([[LineString([(0, 0), (1, 0)]), Point()], [None, LineString()]], dtype=object)
    got = geodesy.lengths_m(grid)
    assert got.shape == (2, 2)
    assert got[0, 0] == pytest.approx(111_319.490_79)
    assert geodesy.lengths_m(np.array([], dtype=object)).shape == (0,)


def test_lengths_of_lines_clipped_by_polygons_match_a_loop():
    rng = np.random.default_rng(7)
    xy = np.stack([rng.uniform(34.2, 34.6, (40, 5)), rng.uniform(31.2, 31.6, (40, 5))], axis=-1)
    corridors = shapely.linestrings(xy)
    areas = shapely.buffer(
        shapely.points(rng.uniform(34.2, 34.6, 6), rng.uniform(31.2, 31.6, 6)), 0.08
    )
    clipped = shapely.intersection(corridors[:, None], areas[None, :])
    got = geodesy.lengths_m(clipped)
    expected = [[geodesy.line_length_m(g) for g in row] for row in clipped]
    assert got == pytest.approx(np.array(expected), abs=1e-6)
    assert (got > 0).any()
    assert (got == 0).any()


class _CountingGeod:
    def __init__(self) -> None:
        self.inv_calls = 0

    def inv(self, *args, **kwargs):
        self.inv_calls += 1
        return geodesy.pyproj.Geod(ellps="WGS84").inv(*args, **kwargs)


def test_lengths_measure_every_segment_in_one_call(monkeypatch):
    spy = _CountingGeod()
    monkeypatch.setattr(geodesy, "GEOD", spy)
    rng = np.random.default_rng(1)
    xy = np.stack([rng.uniform(34.2, 34.6, (300, 4)), rng.uniform(31.2, 31.6, (300, 4))], -1)
    geoms = np.concatenate(
        [
            shapely.linestrings(xy),
            shapely.multilinestrings(
                [shapely.linestrings(xy[i : i + 2]) for i in range(0, 100, 2)]
            ),
        ]
    )
    got = geodesy.lengths_m(geoms)
    assert spy.inv_calls == 1
    assert (got > 0).all()


# --- distances ------------------------------------------------------------------------------


@given(world_lon, world_lat, world_lon, world_lat)
def test_distance_agrees_with_geographiclib(lon1, lat1, lon2, lat2):
    expected = WGS84.Inverse(lat1, lon1, lat2, lon2)["s12"]
    assert geodesy.distance_m((lon1, lat1), (lon2, lat2)) == pytest.approx(expected, abs=1e-3)


def test_distances_broadcast():
    got = geodesy.distances_m([0.0, 0.0, 34.4], [0.0, 0.0, 31.4], [1.0, 0.0, 34.4], 0.0)
    assert got.shape == (3,)
    expected = WGS84.Inverse(31.4, 34.4, 0.0, 34.4)["s12"]
    assert got == pytest.approx([111_319.490_79, 0.0, expected], abs=1e-3)


# --- metric projection and nearest distances ------------------------------------------------


def test_metric_crs_is_utm_36n():
    assert geodesy.METRIC_CRS.to_epsg() == 32636
    x, y = shapely.get_coordinates(geodesy.to_metric(Point(33.0, 0.0)))[0]
    assert (x, y) == pytest.approx((500_000.0, 0.0), abs=1e-6)  # central meridian, equator


@given(st.one_of(lines(), lines(st.floats(25, 45), st.floats(20, 40)), polygons()))
def test_metric_round_trip(geom):
    back = geodesy.from_metric(geodesy.to_metric(geom))
    assert back.geom_type == geom.geom_type
    np.testing.assert_allclose(
        shapely.get_coordinates(back), shapely.get_coordinates(geom), rtol=0, atol=1e-7
    )


@given(lines())
def test_metric_lengths_near_gaza_are_close_to_geodesic(line):
    geodesic = geodesy.line_length_m(line)
    assert geodesy.to_metric(line).length == pytest.approx(geodesic, rel=5e-4, abs=1e-6)


def test_metric_projection_of_arrays_keeps_shape_and_missing():
    arr = np.array([Point(34.4, 31.4), None, LineString()], dtype=object)
    out = geodesy.to_metric(arr)
    assert isinstance(out, np.ndarray)
    assert out.shape == (3,)
    assert out[1] is None
    assert out[2].is_empty


@given(gaza_lon, gaza_lat, gaza_lon, gaza_lat)
def test_nearest_distance_point_to_point_agrees_with_geographiclib(lon1, lat1, lon2, lat2):
    expected = WGS84.Inverse(lat1, lon1, lat2, lon2)["s12"]
    got = geodesy.nearest_distances_m(Point(lon1, lat1), [Point(lon2, lat2)])
    assert got.shape == (1,)
    assert got[0] == pytest.approx(expected, abs=1e-3)


@given(lines(), st.builds(Point, gaza_lon, gaza_lat))
def test_nearest_distance_line_to_point_is_at_most_the_nearest_vertex(line, point):
    got = geodesy.nearest_distances_m(line, [point])[0]
    vertex_m = min(WGS84.Inverse(point.y, point.x, lat, lon)["s12"] for lon, lat in line.coords)
    assert 0.0 <= got <= vertex_m + 1e-3


def test_nearest_distance_to_a_line_segment_interior():
    # A point 0.01 degrees north of the middle of an east-west segment near Gaza.
    line = LineString([(34.3, 31.3), (34.5, 31.3)])
    got = geodesy.nearest_distances_m(line, [Point(34.4, 31.31)])[0]
    expected = WGS84.Inverse(31.3, 34.4, 31.31, 34.4)["s12"]
    assert got == pytest.approx(expected, rel=1e-3)


@given(gaza_lon, gaza_lat, gaza_lon, gaza_lat, st.floats(0, 1))
def test_a_point_on_a_lon_lat_segment_is_within_5_mm_of_it(lon1, lat1, lon2, lat2, t):
    # Segments are straight in lon/lat (GeoJSON); undensified UTM chords miss by metres.
    point = Point(lon1 + t * (lon2 - lon1), lat1 + t * (lat2 - lat1))
    got = geodesy.nearest_distances_m(LineString([(lon1, lat1), (lon2, lat2)]), [point])[0]
    assert got < 5e-3


def test_nearest_distances_zero_nan_and_broadcast():
    area = shapely.box(34.3, 31.3, 34.4, 31.4)
    targets = np.array([Point(34.35, 31.35), Point(), None, area], dtype=object)
    got = geodesy.nearest_distances_m(LineString([(34.2, 31.35), (34.5, 31.35)]), targets)
    assert got[0] == pytest.approx(0.0, abs=5e-3)  # on the lon/lat segment, up to 5 mm
    assert math.isnan(got[1])
    assert math.isnan(got[2])
    assert got[3] == 0.0
    many = geodesy.nearest_distances_m(
        np.array([[Point(34.4, 31.4)], [Point(34.5, 31.5)]], dtype=object), targets[:1]
    )
    assert many.shape == (2, 1)


def test_nearest_distances_survive_zero_length_parts():
    # GEOS cannot densify a part whose points coincide; such input still measures.
    p = (34.4, 31.4)
    degenerate = [
        LineString([p, p]),
        MultiLineString([[(34.2, 31.2), (34.2, 31.2)], [(34.5, 31.4), (34.5, 31.5)]]),
        GeometryCollection([LineString([p, p]), Point(34.6, 31.6)]),
        Polygon([p, p, p, p]),
    ]
    got = geodesy.nearest_distances_m(Point(34.4, 31.45), np.array(degenerate, dtype=object))
    to_p = WGS84.Inverse(31.45, 34.4, 31.4, 34.4)["s12"]
    to_line = WGS84.Inverse(31.45, 34.4, 31.45, 34.5)["s12"]
    assert got == pytest.approx([to_p, to_line, to_p, to_p], rel=1e-3)


def test_densified_projection_follows_lon_lat_segments():
    line = LineString([(34.2, 31.35), (34.5, 31.35)])  # straight in lon/lat, about 28 km
    middle = geodesy.to_metric(Point(34.35, 31.35))
    plain = geodesy.to_metric(line)
    dense = geodesy.to_metric(line, densify_deg=0.001)
    assert len(plain.coords) == 2
    assert len(dense.coords) > 300
    assert plain.distance(middle) > 5.0  # the projected chord bows away by metres
    assert dense.distance(middle) < 1e-3
    back = geodesy.from_metric(dense, densify_m=50.0)
    assert len(back.coords) > len(dense.coords)
    assert back.distance(Point(34.35, 31.35)) < 1e-8


# --- areas ----------------------------------------------------------------------------------


def geographiclib_area(ring: list[tuple[float, float]]) -> float:
    poly = PolygonArea(WGS84)
    for lon, lat in ring[:-1]:
        poly.AddPoint(lat, lon)
    _, _, area = poly.Compute(False, True)
    return abs(area)


@given(polygons())
def test_area_agrees_with_geographiclib(polygon):
    expected = geographiclib_area(list(polygon.exterior.coords)) - sum(
        geographiclib_area(list(r.coords)) for r in polygon.interiors
    )
    assert geodesy.geodesic_area_m2(polygon) == pytest.approx(expected, rel=1e-9)
    reversed_rings = Polygon(
        polygon.exterior.coords[::-1], [r.coords[::-1] for r in polygon.interiors]
    )
    assert geodesy.geodesic_area_m2(reversed_rings) == pytest.approx(expected, rel=1e-9)


def test_area_of_multipolygons_collections_and_empties():
    a, b = shapely.box(34.2, 31.2, 34.3, 31.3), shapely.box(34.4, 31.4, 34.5, 31.5)
    total = geodesy.geodesic_area_m2(a) + geodesy.geodesic_area_m2(b)
    assert geodesy.geodesic_area_m2(MultiPolygon([a, b])) == pytest.approx(total)
    mixed = GeometryCollection([a, LineString([(0, 0), (1, 1)]), GeometryCollection([b])])
    assert geodesy.geodesic_area_m2(mixed) == pytest.approx(total)
    assert geodesy.geodesic_area_m2(Polygon()) == 0.0
    assert geodesy.geodesic_area_m2(GeometryCollection()) == 0.0


# --- refusals -------------------------------------------------------------------------------


def test_latitude_out_of_range_is_refused():
    with pytest.raises(CorridorError, match=r"geometry 1, vertex 1: latitude 95\.0 is outside"):
        geodesy.lengths_m([Point(), LineString([(0, 0), (1, 95)])])
    with pytest.raises(CorridorError, match=r"vertex 0: latitude -90\.5 is outside \[-90, 90\]"):
        geodesy.line_length_m(LineString([(0, -90.5), (1, 0)]))


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_non_finite_coordinates_are_refused():
    with pytest.raises(CorridorError, match=r"geometry 0, vertex 2: coordinate \(inf, 1\.0\)"):
        geodesy.lengths_m([LineString([(0, 0), (1, 1), (math.inf, 1)])])
    with pytest.raises(CorridorError, match=r"coordinate \(nan, 5\.0\) is not finite"):
        geodesy.line_length_m(MultiLineString([[(0, 0), (1, 1)], [(0, 0), (math.nan, 5)]]))


def test_every_bad_coordinate_is_reported_up_to_a_limit():
    bad = [LineString([(0, 91), (0, 92)]) for _ in range(20)]
    with pytest.raises(CorridorError, match=r"latitude 91\.0") as info:
        geodesy.lengths_m(bad)
    problems = info.value.problems
    assert len(problems) == 11
    assert problems[-1].problem == "and 30 more"


def test_non_geometries_are_refused():
    with pytest.raises(CorridorError, match=r"geometry 1: str 'road' is not a geometry"):
        geodesy.lengths_m([Point(), "road"])
    with pytest.raises(CorridorError, match=r"list \[\(0, 0\), \(1, 1\)\] is not a geometry"):
        geodesy.line_length_m([(0, 0), (1, 1)])


def test_bad_points_in_distances_are_refused():
    with pytest.raises(CorridorError, match=r"second point 1: latitude 91\.0 is outside"):
        geodesy.distances_m([0, 0], [0, 0], [1, 1], [0, 91])
    with pytest.raises(CorridorError, match=r"first point 0: coordinate \(nan, 0\.0\)"):
        geodesy.distance_m((math.nan, 0.0), (1.0, 1.0))


def test_bad_input_to_metric_projection_is_refused():
    with pytest.raises(CorridorError, match=r"geometry 0: latitude 91\.0 is outside"):
        geodesy.to_metric(Point(34.4, 91))
    with pytest.raises(CorridorError, match=r"geometry 1: latitude -95\.0 is outside"):
        geodesy.nearest_distances_m(Point(34.4, 31.4), [Point(34.5, 31.5), Point(34, -95)])
    with pytest.raises(CorridorError, match=r"geometry 0: cannot be projected"):
        geodesy.from_metric(Point(1e30, 1e30))


def test_area_of_a_non_polygon_is_refused():
    with pytest.raises(
        CorridorError, match=r"expected a Polygon or MultiPolygon .* got LineString"
    ):
        geodesy.geodesic_area_m2(LineString([(0, 0), (1, 1)]))
    with pytest.raises(CorridorError, match=r"ring 0, vertex 1: latitude 95\.0 is outside"):
        geodesy.geodesic_area_m2(Polygon([(0, 0), (1, 95), (1, 0)]))


@settings(max_examples=50)
@given(st.floats(-1e6, 1e6).filter(lambda v: abs(v) > 90))
def test_any_latitude_beyond_a_pole_is_refused(lat):
    with pytest.raises(CorridorError, match=r"latitude .* is outside \[-90, 90\] degrees"):
        geodesy.lengths_m([LineString([(34.4, 31.4), (34.5, lat)])])
