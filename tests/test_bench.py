"""The benchmark's naive baseline: loading with per-feature checks reads the same situation."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bench.run import per_feature_checks
from sitmap import caching, demo
from sitmap.situation import load_situation


@pytest.fixture(scope="module")
def small_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo.write_demo_situation(60, seed=3, target=tmp_path_factory.mktemp("d") / "demo")


def test_per_feature_checks_read_the_same_layers_as_the_bulk_paths(small_demo: Path) -> None:
    caching.clear_all()
    bulk = load_situation(small_demo)
    caching.clear_all()
    with per_feature_checks():
        slow = load_situation(small_demo)
    caching.clear_all()
    assert slow is not bulk  # really loaded again, not the cached one
    assert list(slow.layers) == list(bulk.layers)
    for layer_id, layer in bulk.layers.items():
        pd.testing.assert_frame_equal(slow.layer(layer_id).frame, layer.frame)
