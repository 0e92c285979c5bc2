"""The palette reads under colour blindness: symbols told apart by colour alone stay apart.

Simulation: Machado, Oliveira & Fernandes (2009), full severity; distance: CIEDE2000. The
threshold (``MIN_DELTA_E`` = 12) is stated in ``sitmap.mapview.colourvision``.
"""

from __future__ import annotations

import pytest

from sitmap.mapview import styles
from sitmap.mapview.colourvision import (
    MIN_DELTA_E,
    VISIONS,
    confusable_pairs,
    delta_e,
    delta_e_lab,
    hex_rgb,
    simulate,
)
from sitmap.mapview.styles import LegendEntry, legend_entries, style_for
from sitmap.situation import Situation


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [  # Sharma, Wu & Dalal (2005), test data pairs 1, 7 and 34
        ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
        ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
        ((2.0776, 0.0795, -1.1350), (0.9033, -0.0636, -0.5514), 0.9082),
    ],
)
def test_ciede2000_matches_the_published_pairs(first, second, expected) -> None:
    assert delta_e_lab(first, second) == pytest.approx(expected, abs=1e-4)


def test_simulation_keeps_greys_and_merges_a_classic_red_green_pair() -> None:
    for vision in VISIONS:
        assert simulate((0.5, 0.5, 0.5), vision) == pytest.approx((0.5, 0.5, 0.5), abs=1e-4)
    brick, leaf = hex_rgb("#cc6633"), hex_rgb("#669933")
    assert delta_e(brick, leaf) > 40  # plainly different to most readers
    assert delta_e(simulate(brick, "deuteranopia"), simulate(leaf, "deuteranopia")) < 3
    assert delta_e(simulate(brick, "tritanopia"), simulate(leaf, "tritanopia")) > 40


def every_symbol(situation: Situation) -> list[LegendEntry]:
    """The situation's legend, plus every corridor status, dotted and solid, that a
    situation may draw (only some are in Rafah's files)."""
    entries = legend_entries(situation)
    for status in styles.STATUS_COLOURS:
        for illustrative in (True, False):
            props = {"kind": "corridor", "status": status, "illustrative": illustrative}
            title = f"corridor {status} {'dotted' if illustrative else 'solid'}"
            entries.append(LegendEntry((title,), title, "line", style_for(props)))
    return entries


def test_symbols_that_differ_only_by_colour_stay_distinguishable(rafah: Situation) -> None:
    entries = every_symbol(rafah)
    assert len(entries) > 20
    confusions = confusable_pairs(entries)
    assert confusions == [], (
        f"symbols of one shape and dash closer than CIEDE2000 {MIN_DELTA_E}: {confusions}"
    )


def test_the_check_catches_a_confusable_palette(rafah: Situation) -> None:
    """The pre-fix corridor colours: blue 'discussed' and green 'proposed' merge under
    tritanopia; the check must say so."""
    old = [
        LegendEntry(("a",), "discussed", "line", {"color": "#2166ac", "dashArray": "1 8"}),
        LegendEntry(("b",), "proposed", "line", {"color": "#1b7837", "dashArray": "1 8"}),
        LegendEntry(("c",), "border", "line", {"color": "#222222"}),  # other dash: not paired
    ]
    found = confusable_pairs(old)
    assert [(c.first, c.second, c.vision) for c in found] == [
        ("discussed", "proposed", "tritanopia")
    ]
