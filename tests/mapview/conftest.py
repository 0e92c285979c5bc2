"""Fixtures shared by the map tests: the Rafah situation with local assets, and a view."""

from __future__ import annotations

import datetime as dt

import pytest

from sitmap.mapview import ViewState, assets, default_layers
from sitmap.situation import Situation, load_situation
from tests.conftest import RAFAH


@pytest.fixture(scope="module")
def rafah() -> Situation:
    assets.use_local_assets()
    return load_situation(RAFAH)


def view(situation: Situation, day: str = "2025-11-28", layers=None) -> ViewState:
    """The situation's default layers (or ``layers``) on ``day``."""
    chosen = default_layers(situation) if layers is None else frozenset(layers)
    return ViewState(layers=chosen, as_of=dt.date.fromisoformat(day))
