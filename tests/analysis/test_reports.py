"""Report rows: what a person reads first about a corridor, in the situation's own words."""

from __future__ import annotations

import pytest

from sitmap.analysis import measure, report_rows
from sitmap.page.workbench import candidates
from sitmap.situation import load_situation
from tests.conftest import RAFAH


@pytest.fixture(scope="module")
def rafah():
    return load_situation(RAFAH)


def test_report_rows_state_units_and_assumptions(rafah) -> None:
    option_a = next(c for c in candidates(rafah) if c.id == "corridor_exit_outside_held_area")
    line = option_a.geometry
    rows = dict(report_rows(measure(line, rafah)))  # the situation's own labels
    assert rows["Length"].endswith(" km")
    assert "% of the line" in rows["In the army-held area"]
    assert rows["Crosses the yellow line"].startswith("1 time")
    assert rows["On foot"].endswith("at 4 km/h")
    assert "no terrain" in rows["Assumes"]
