"""Find a place by the names and spellings sources use, in English, Arabic and Hebrew."""

from __future__ import annotations

import pytest

from sitmap.page.search import find_places, fold
from sitmap.situation import load_situation
from tests.conftest import RAFAH


@pytest.fixture(scope="module")
def rafah():
    return load_situation(RAFAH)


@pytest.mark.parametrize("query", ["Jenina", "al-Jneina", "al-Geneina", "Jneina", "الجنينة"])
def test_every_spelling_of_jenina_finds_it_first(rafah, query: str) -> None:
    assert find_places(rafah, query)[0].id == "jenina"


def test_a_crossing_by_its_hebrew_or_partial_name(rafah) -> None:
    assert "kerem_shalom_crossing" in [m.id for m in find_places(rafah, "Kerem")]
    assert find_places(rafah, "x") == []  # too short to mean anything
    assert find_places(rafah, "Atlantis") == []


def test_folding_drops_case_accents_articles_and_points() -> None:
    assert fold("Al-Jneina") == fold("al jneina") == "jneina"
    assert fold("Khuzā'a") == "khuzaa"
    assert fold("الجنينة") == fold("جنينة")
    assert fold("שָׁלוֹם") == fold("שלום")
