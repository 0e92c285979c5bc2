"""The demo situation: synthetic events, openly labelled, valid, reused while unchanged."""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from pathlib import Path

import pytest

from sitmap import demo
from sitmap.errors import DataError
from sitmap.situation import load_situation
from tests.conftest import RAFAH


@pytest.fixture(scope="module")
def small_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo.write_demo_situation(40, seed=7, target=tmp_path_factory.mktemp("d") / "demo")


def test_the_demo_loads_with_exactly_the_synthetic_events(small_demo: Path) -> None:
    situation = load_situation(small_demo)
    events = situation.layer("events").frame
    assert len(events) == 40
    assert events["id"].is_unique
    assert set(events["source"].map(tuple)) == {(demo.DEMO_SOURCE_ID,)}
    real = load_situation(RAFAH)
    for layer_id in ("control", "places", "corridors"):  # the real layers are kept
        assert len(situation.layer(layer_id).frame) == len(real.layer(layer_id).frame)


def test_every_synthetic_event_says_it_is_synthetic(small_demo: Path) -> None:
    events = load_situation(small_demo).layer("events").frame
    assert events["title"].str.startswith("SYNTHETIC").all()
    assert events["title"].str.contains("not a real report").all()
    assert (events["description"] == demo.SYNTHETIC_DESCRIPTION).all()
    assert events["approximate"].all()
    assert events["kind"].str.startswith("synthetic").all()
    assert all(a[0].startswith("Synthetic") for a in events["actors"])
    manifest = tomllib.loads((small_demo / "situation.toml").read_text(encoding="utf-8"))
    assert manifest["title"].startswith("DEMO with 40 SYNTHETIC events (not real)")
    sources = tomllib.loads((small_demo / "sources.toml").read_text(encoding="utf-8"))
    added = [s for s in sources["sources"] if s["id"] == demo.DEMO_SOURCE_ID]
    assert len(added) == 1
    assert added[0]["publisher"] == "sitmap demo generator"
    assert added[0]["title"] == "Synthetic events (not real)"
    assert "No event cited to this source happened" in added[0]["notes"]


def test_points_and_times_fill_the_view_and_the_period(small_demo: Path) -> None:
    situation = load_situation(small_demo)
    events = situation.layer("events").frame
    frame = situation.manifest.view.frame
    assert events.geometry.x.between(frame.west, frame.east).all()
    assert events.geometry.y.between(frame.south, frame.north).all()
    start = dt.datetime.combine(situation.manifest.start, dt.time(), dt.UTC)
    end = dt.datetime.combine(situation.manifest.end, dt.time(), dt.UTC) + dt.timedelta(days=1)
    assert (events["time"] >= start).all()
    assert (events["time"] < end).all()
    assert (events["as_of"] == events["time"].dt.date).all()


def test_the_same_count_and_seed_reuse_the_folder(tmp_path: Path) -> None:
    target = tmp_path / "demo"
    first = demo.write_demo_situation(5, seed=1, target=target)
    stamp = (first / "events.geojson").stat().st_mtime_ns
    again = demo.write_demo_situation(5, seed=1, target=target)
    assert again == first
    assert (again / "events.geojson").stat().st_mtime_ns == stamp
    text = (first / "events.geojson").read_text(encoding="utf-8")
    other = demo.write_demo_situation(5, seed=2, target=target)
    assert (other / "events.geojson").read_text(encoding="utf-8") != text
    back = demo.write_demo_situation(5, seed=1, target=tmp_path / "elsewhere")
    assert (back / "events.geojson").read_text(encoding="utf-8") == text  # deterministic


def test_the_events_file_is_plain_geojson(tmp_path: Path) -> None:
    folder = demo.write_demo_situation(3, seed=1, target=tmp_path / "demo")
    doc = json.loads((folder / "events.geojson").read_text(encoding="utf-8"))
    assert doc["type"] == "FeatureCollection"
    assert [f["geometry"]["type"] for f in doc["features"]] == ["Point"] * 3
    assert all(f["properties"]["time"].endswith("Z") for f in doc["features"])


@pytest.mark.parametrize("count", [0, -5, demo.MAX_DEMO_EVENTS + 1, True, 2.5, "10"])
def test_impossible_counts_are_refused(tmp_path: Path, count: object) -> None:
    with pytest.raises(DataError, match="SITMAP_DEMO_EVENTS"):
        demo.write_demo_situation(count, target=tmp_path / "demo")  # type: ignore[arg-type]


def test_the_environment_picks_the_situation(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(demo, "DATA_DIR", tmp_path / "data")
    assert demo.resolve_situation({}) == demo.DEFAULT_SITUATION
    assert demo.resolve_situation({"SITMAP_DEMO_EVENTS": " "}) == demo.DEFAULT_SITUATION
    assert demo.resolve_situation({"SITMAP_SITUATION": "some/where"}) == Path("some/where")
    folder = demo.resolve_situation({"SITMAP_DEMO_EVENTS": "1_2"})
    assert folder == tmp_path / "data" / "demo-12"
    assert len(load_situation(folder).layer("events").frame) == 12
    with pytest.raises(DataError, match="'lots' is not a whole number"):
        demo.resolve_situation({"SITMAP_DEMO_EVENTS": "lots"})
