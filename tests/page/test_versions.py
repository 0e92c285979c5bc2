"""Who places a thing where: the versions table and an upload compared with a feature."""

from __future__ import annotations

import datetime as dt

import pytest
from pyproj import Geod

from sitmap.page import versions
from sitmap.situation import load_situation
from sitmap.store import SketchDraft, open_store
from tests.conftest import RAFAH

GEOD = Geod(ellps="WGS84")
DAY = dt.date(2025, 11, 28)
# Jenina as a reader traced it: a square around this map's estimate
TRACED = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"name": "My Jenina <b>"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [
                        [34.262, 31.260],
                        [34.281, 31.260],
                        [34.281, 31.277],
                        [34.262, 31.277],
                        [34.262, 31.260],
                    ]
                ],
            },
        },
        {
            "type": "Feature",
            "properties": {"name": "A pin"},
            "geometry": {"type": "Point", "coordinates": [34.27, 31.27]},
        },
    ],
}


@pytest.fixture(scope="module")
def rafah():
    return load_situation(RAFAH)


def test_each_contested_thing_lists_its_versions_side_by_side(rafah) -> None:
    tables = {t.about: t for t in versions.version_tables(rafah, DAY)}
    assert {"najjar_hospital", "jenina", "army_held_area_2025-10-19"} <= set(tables)
    hospital = tables["najjar_hospital"].frame
    assert list(hospital["Claimant"])[1] == "Wikipedia (en) infobox"
    assert hospital["Largest offset"].iloc[0] == ""  # the first row is the reference
    assert hospital["Largest offset"].iloc[1] == "4,120 m"  # 4,125 m, to the nearest 10
    held = tables["army_held_area_2025-10-19"].frame
    assert held["Claimant"].tolist()[1:] == [
        "accuracy band (shrunk by 600 m)",
        "accuracy band (grown by 600 m)",
    ]
    assert held["Largest offset"].iloc[2] == "600 m"


def test_an_uploaded_area_is_compared_with_every_version(rafah, tmp_path) -> None:
    store = open_store(str(tmp_path / "s.sqlite3"))
    store.save(
        SketchDraft(kind="layer", name="traced.geojson", content=TRACED, situation=rafah.id),
        base_revision=None,
        author="noor",
    )
    uploads = store.list(kind="layer", situation=rafah.id)
    (shape,) = versions.upload_shapes(uploads)  # the pin is neither a line nor an area
    assert shape.label == "My Jenina <b> (traced.geojson, by noor)"
    choices = versions.comparable_features(rafah, DAY)
    assert list(choices)[:2] == ["jenina", "najjar_hospital"]  # contested ones first
    assert "najjar_hospital_per_wikipedia" not in choices
    frame = versions.upload_table(rafah, shape, "jenina", DAY)
    assert frame["Claimant"].tolist()[1] == "WAFA and Reuters (the 6 May 2024 evacuation zone)"
    assert all(frame["Area between (km²)"].astype(float) > 0)
    assert all(frame["Largest offset"] != "")


def test_a_drawing_against_each_version(rafah) -> None:
    from shapely.geometry import LineString

    line = LineString([(34.262, 31.262), (34.280, 31.275)])  # across Jenina's estimate
    frame = versions.corridor_version_table(rafah, line, DAY)
    jenina = frame[frame["Thing"] == "Jenina (al-Jneina) neighbourhood (estimate)"]
    assert len(jenina) == 2 and jenina["Inside (km)"].astype(float).gt(0).all()
    held = frame[frame["Thing"].str.startswith("Area held by the Israeli army")]
    inside = held["Inside (km)"].astype(float).tolist()
    assert inside[1] <= inside[0] <= inside[2]  # shrunk, as mapped, grown
    assert set(held["Distance (km)"]) == {"0.00"}
