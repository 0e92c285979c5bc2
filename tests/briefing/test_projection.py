"""The paper map's projection: the frame fits the box, the scale bar is a round length."""

from __future__ import annotations

import math

import pytest
import shapely

from sitmap.briefing.projection import fit_frame, frame_at, scale_bar, svg_path


def test_the_whole_box_fits_and_fills_one_axis() -> None:
    frame = fit_frame(34.20, 31.215, 34.33, 31.335, width=800, height=600)
    corners = [frame.xy(lon, lat) for lon in (34.20, 34.33) for lat in (31.215, 31.335)]
    xs, ys = [c[0] for c in corners], [c[1] for c in corners]
    assert min(xs) >= -0.01 and max(xs) <= 800.01
    assert min(ys) >= -0.01 and max(ys) <= 600.01
    assert math.isclose(max(ys) - min(ys), 600, abs_tol=0.01) or math.isclose(
        max(xs) - min(xs), 800, abs_tol=0.01
    )
    west, south, east, north = frame.bounds
    assert west <= 34.20 and east >= 34.33 and south <= 31.215 and north >= 31.335
    assert frame.xy(34.26, 31.25)[1] > frame.xy(34.26, 31.30)[1]  # north is up


def test_a_leaflet_zoom_gives_leaflets_scale() -> None:
    frame = frame_at(34.27, 31.275, 13, width=800, height=600)
    # Leaflet at zoom 13: 2**13 * 256 px round the equator; ground m/px shrinks with cos(lat)
    expected = 40_075_016.686 / (256 * 2**13) * math.cos(math.radians(31.275))
    assert frame.metres_per_px == pytest.approx(expected, rel=1e-3)
    assert frame.xy(34.27, 31.275) == pytest.approx((400, 300))


@pytest.mark.parametrize("max_px", [50, 120, 176, 333])
def test_the_scale_bar_is_a_round_length_that_fits(max_px: float) -> None:
    frame = fit_frame(34.20, 31.215, 34.33, 31.335, width=800, height=600)
    bar = scale_bar(frame, max_px=max_px)
    mantissa = bar.metres / 10 ** math.floor(math.log10(bar.metres))
    assert round(mantissa, 6) in {1, 2, 5}
    assert max_px / 2.5 - 1e-6 <= bar.pixels <= max_px
    assert bar.label.endswith((" m", " km"))


def test_paths_close_rings_and_leave_lines_open() -> None:
    frame = fit_frame(34.0, 31.0, 35.0, 32.0, width=100, height=100)
    square = shapely.box(34.2, 31.2, 34.4, 31.4).difference(shapely.box(34.25, 31.25, 34.3, 31.3))
    assert svg_path(frame, square).count("Z") == 2  # outer ring and hole
    assert "Z" not in svg_path(frame, shapely.LineString([(34.1, 31.1), (34.9, 31.9)]))
