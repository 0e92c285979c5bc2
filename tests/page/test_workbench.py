"""Workbench glue: drawings in, candidates and stored line content out."""

from __future__ import annotations

import datetime as dt

import pytest
from shapely.geometry import LineString

from sitmap.page import workbench
from sitmap.situation import load_situation
from tests.conftest import RAFAH

HOSTILE = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def rafah():
    return load_situation(RAFAH)


def drawing(coords) -> dict:
    return {
        "type": "Feature",
        "properties": {},
        "geometry": {"type": "LineString", "coordinates": coords},
    }


def test_drawn_lines_keep_only_usable_polylines() -> None:
    drawings = [
        drawing([[34.25, 31.28], [34.27, 31.29]]),
        drawing([[34.25, 31.28]]),  # one point: still being drawn
        drawing([[34.25, 31.28], [34.25, 31.28]]),  # zero length
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [34.25, 31.28]}},
        "garbage",
        {"geometry": {"type": "LineString", "coordinates": [[34.2, "x"], [34.3, 31.3]]}},
    ]
    lines = workbench.drawn_lines(drawings)
    assert [list(line.coords) for line in lines] == [[(34.25, 31.28), (34.27, 31.29)]]
    assert workbench.drawn_lines(None) == []


def test_candidates_are_the_situation_options(rafah) -> None:
    names = [c.name for c in workbench.candidates(rafah)]
    assert len(names) == 3
    assert all("illustrative" in n for n in names)


def test_line_content_is_geojson_lon_lat() -> None:
    content = workbench.line_content(LineString([(34.123456789, 31.1), (34.2, 31.2)]))
    assert content == {"type": "LineString", "coordinates": [[34.123457, 31.1], [34.2, 31.2]]}


# --- the situation as of the reader's day ------------------------------------------------

ENCLAVE = "Tunnel enclave, Jenina (reported; estimate)"


def _areas_named(report) -> set[str]:
    return {*report.start_in, *report.end_in, *(a.area for a in report.passes_through)}


def test_on_10_october_corridors_are_measured_against_the_situation_of_10_october(rafah) -> None:
    options = workbench.candidates(rafah)
    then = workbench.measure_corridors(rafah, options, as_of=dt.date(2025, 10, 10))
    now = workbench.measure_corridors(rafah, options, as_of=dt.date(2025, 11, 28))
    assert then.as_of == dt.date(2025, 10, 10)
    for option in options:
        early, late = then.reports[option.id], now.reports[option.id]
        assert ENCLAVE in _areas_named(late)  # reported 5 Nov (the report: 10 Nov)
        assert ENCLAVE not in _areas_named(early)
        assert not any("Jenina" in name for name in _areas_named(early))
        # no army-held area and no yellow line were mapped until 19 Oct
        assert early.length_in_controlled_m == 0 and early.control_line_crossings == 0
        assert early.span("length_in_controlled_m").high == 0
    assert workbench.measured_note(then) == "measured against the situation of 10 Oct 2025"


def test_rival_versions_are_never_measured_against(rafah) -> None:
    # a line passing the Wikipedia position of the hospital: the nearest hospital is still
    # this map's (and only it), never a rival version
    line = LineString([(34.2430, 31.2960), (34.2445, 31.2980)])
    report = workbench.measure_corridors(rafah, workbench.drawn_candidates([line])).reports[
        "drawing-1"
    ]
    names = [p.name for p in report.nearest_sensitive]
    assert names == ["Abu Youssef al-Najjar hospital (estimated position, in al-Jneina)"]
    assert report.nearest_sensitive[0].distance_m > 3_500


def test_the_run_measures_are_kept_when_the_day_changes_nothing(rafah) -> None:
    options = workbench.candidates(rafah)
    run = workbench.measure_corridors(rafah, options)
    drawn = workbench.drawn_candidates([LineString([(34.25, 31.28), (34.27, 31.29)])])
    same = workbench.measure_as_of(rafah, run, drawn, as_of=dt.date(2025, 11, 28))
    assert all(same.reports[o.id] is run.reports[o.id] for o in options)
    assert "drawing-1" in same.reports and same.as_of == dt.date(2025, 11, 28)
    earlier = workbench.measure_as_of(rafah, run, drawn, as_of=dt.date(2025, 10, 10))
    assert earlier.as_of == dt.date(2025, 10, 10)
    # no option had been reported by 10 Oct: the comparison lists only the drawing
    assert [i.id for i in earlier.items] == ["drawing-1"]
    later = workbench.measure_as_of(rafah, run, drawn, as_of=dt.date(2025, 11, 20))
    assert [i.id for i in later.items] == [o.id for o in options] + ["drawing-1"]
    assert all(earlier.reports[o.id] is not run.reports[o.id] for o in options)


def test_options_are_measured_with_their_own_accuracy_and_drawings_as_exact(rafah) -> None:
    options = workbench.candidates(rafah)
    assert {o.accuracy_m for o in options} == {2600.0}
    drawn = workbench.drawn_candidates([LineString([(34.25, 31.28), (34.27, 31.29)])])
    measured = workbench.measure_corridors(rafah, [*options, *drawn])
    drawing = measured.reports["drawing-1"]
    assert drawing.span("length_m").low == drawing.length_m == drawing.span("length_m").high
    for option in options:
        report = measured.reports[option.id]
        assert report.span("length_m").high == pytest.approx(report.length_m + 5200)
