"""One page run, one model of every corridor: measured once, the same figures everywhere."""

from __future__ import annotations

import gc
import json
import re
import types
import xml.etree.ElementTree as ET

import pytest
from shapely.geometry import shape
from streamlit.testing.v1 import AppTest

from sitmap.analysis import compare
from sitmap.io import export_bytes
from sitmap.page import tables, workbench
from sitmap.page.session import MAP_DRAWN_KEY
from sitmap.page.workspace import export_file, open_workspace
from sitmap.panels import briefing
from sitmap.situation import load_situation
from sitmap.store import Revision, SketchDraft, open_store
from tests.conftest import RAFAH, REPO

LINE = {"type": "LineString", "coordinates": [[34.279, 31.2725], [34.26, 31.30]]}
# An uploaded square around the corridor's start: it must count in every view of it.
UPLOAD = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"name": "Uploaded block"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [
                        [34.27, 31.265],
                        [34.29, 31.265],
                        [34.29, 31.28],
                        [34.27, 31.28],
                        [34.27, 31.265],
                    ]
                ],
            },
        }
    ],
}


@pytest.fixture
def store(tmp_path):
    sketches = open_store(str(tmp_path / "s.sqlite3"))
    sketches.save(
        SketchDraft(
            kind="corridor", name="Route <b>1</b>", content=LINE, situation="rafah-2025-11"
        ),
        base_revision=None,
        author="dana",
    )
    sketches.save(
        SketchDraft(kind="layer", name="blocks.geojson", content=UPLOAD, situation="rafah-2025-11"),
        base_revision=None,
        author="dana",
    )
    return sketches


def text_of(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html).replace("&amp;", "&")


def test_popup_card_table_and_export_show_the_same_figures(store) -> None:
    situation = load_situation(RAFAH)
    ws = open_workspace(situation, store, author="dana")
    (saved,) = ws.saved
    report = ws.measured.reports[saved.sketch_id]
    assert "Uploaded block (uploaded: blocks.geojson)" in report.start_in
    card = tables.report_card(report)
    sketches = next(layer for layer in ws.extra if layer.id == "sketches")
    popup = text_of(sketches.features["features"][0]["properties"]["_popup"])
    for measure in ("Length", "In the army-held area", "Crosses the yellow line", "Starts in"):
        assert measure in popup
        assert card.loc[measure, "Value"] in popup, measure
    assert "controlled area" not in popup
    row = tables.comparison_table(
        compare([report], by="length_m"),
        by="length_m",
        origins={},
        analysis=situation.manifest.analysis,
    )[0]
    assert f"{row['Length (km)']} km" == card.loc["Length", "Value"]  # a drawn line: exact
    figure, _, span = str(row["In the army-held area (km)"]).partition(" ")
    assert card.loc["In the army-held area", "Value"].startswith(f"{figure} km {span}".strip())
    exported = json.loads(export_file(ws.saved, ws.measured, "geojson"))
    props = exported["features"][0]["properties"]
    assert props["length_m"] == report.length_m
    assert "Uploaded block (uploaded: blocks.geojson)" in props["start_in"]
    assert "in the army-held area" in props["description"]
    kml = ET.fromstring(export_bytes(workbench.export_items(ws.saved, ws.measured), fmt="kml"))
    assert "army-held area" in ET.tostring(kml, encoding="unicode")


def test_each_corridor_is_measured_once_per_page_run(store, monkeypatch, tmp_path) -> None:
    import streamlit as st

    from sitmap.page import workbench as page_workbench

    measured: list[str] = []
    original = page_workbench.measure_many

    def counting(lines, situation, /, **kwargs):
        measured.extend(str(shape(line).wkt) for line in lines)
        return original(lines, situation, **kwargs)

    monkeypatch.setattr(page_workbench, "measure_many", counting)
    monkeypatch.setenv("SITMAP_DB", str(store.path))
    st.cache_resource.clear()
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.session_state[MAP_DRAWN_KEY] = True  # the whole page, as once the map is drawn
    at.run()
    assert not at.exception
    saved = shape(LINE).wkt
    assert measured.count(saved) == 1
    options = load_situation(RAFAH).layer("corridors").frame.geometry
    assert all(measured.count(g.wkt) == 1 for g in options)


# --- a store that cannot be used: the situation is still shown, saving is off -----------


def unusable_db(tmp_path, case: str):
    """A SITMAP_DB that open_store cannot use."""
    path = tmp_path / "sketches.sqlite3"
    if case == "a folder":
        path.mkdir()
    elif case == "random bytes":
        path.write_bytes(bytes(range(256)) * 64)
    elif case == "a device":
        return "/dev/null"
    return str(path)


@pytest.mark.parametrize("case", ["a folder", "random bytes", "a device"])
def test_an_unusable_store_gives_the_situation_and_says_what_to_do(
    tmp_path, monkeypatch, case: str
) -> None:
    from sitmap.errors import StoreError
    from sitmap.page.workspace import UnavailableStore, usable_store

    target = unusable_db(tmp_path, case)
    monkeypatch.setenv("SITMAP_DB", target)
    monkeypatch.delenv("SITMAP_DATABASE_URL", raising=False)
    store = usable_store()
    assert isinstance(store, UnavailableStore), f"open_store accepted {case}"
    ws = open_workspace(load_situation(RAFAH), store, author="dana")
    assert ws.saved == () and ws.uploads == ()
    assert not ws.can_save
    problem = ws.store_problem or ""
    assert problem.startswith("Saved corridors and uploads are unavailable: ")
    assert target in problem, "names the file"
    assert f"SITMAP_DB ({target}) must name a SQLite file" in problem, "says what to check"
    assert "nothing can be saved" in problem
    assert len(ws.measured.items) == 3, "the situation's corridor options are still measured"
    assert ws.extra, "the map still has its layers"
    line = shape(LINE)
    with pytest.raises(StoreError, match=re.escape(store.error.problem)):
        ws.save_corridor(line, name="x", notes="", editing=None, author="dana")
    with pytest.raises(StoreError):
        ws.add_upload(json.dumps(UPLOAD).encode(), "blocks.geojson", author="dana")


def test_a_store_that_fails_when_read_is_unavailable_too(store) -> None:
    from sitmap.errors import StoreError

    class Broken:
        def list(self, **_):
            raise StoreError("s.sqlite3 failed: database disk image is malformed", file="store")

    ws = open_workspace(load_situation(RAFAH), Broken(), author="dana")  # type: ignore[arg-type]
    assert "database disk image is malformed" in (ws.store_problem or "")
    assert not ws.can_save and ws.saved == ()
    working = open_workspace(load_situation(RAFAH), store, author="dana")
    assert working.can_save and working.store_problem is None


def test_a_working_store_is_used_as_it_is(tmp_path) -> None:
    from sitmap.page.workspace import UnavailableStore, usable_store

    opened = usable_store(lambda: open_store(str(tmp_path / "ok.sqlite3")))
    assert not isinstance(opened, UnavailableStore)


def test_a_read_only_store_shows_saved_work_with_saving_off(store) -> None:
    from sitmap.page.workspace import read_only_problem

    assert read_only_problem(store) is None
    store.read_only = "the file is not writable by this user"  # as a read-only mount opens
    ws = open_workspace(load_situation(RAFAH), store, author="dana")
    assert len(ws.saved) == 1 and len(ws.uploads) == 1, "saved work is still shown"
    assert not ws.can_save
    problem = ws.store_problem or ""
    assert problem.startswith(f"Saved corridors and uploads are read-only: {store.path} ")
    assert "(the file is not writable by this user)" in problem
    assert "point SITMAP_DB at a writable place" in problem


def _reachable(root: object, /, *, limit: int = 500_000) -> list[object]:
    """Objects reachable from ``root`` through data (not through modules, classes or code)."""
    skip = (types.ModuleType, type, types.FunctionType, types.CodeType, types.BuiltinFunctionType)
    seen: dict[int, object] = {id(root): root}
    todo = [root]
    while todo and len(seen) < limit:
        for child in gc.get_referents(todo.pop()):
            if id(child) not in seen and not isinstance(child, skip):
                seen[id(child)] = child
                todo.append(child)
    return list(seen.values())


def test_a_download_made_on_click_keeps_no_stored_upload_alive(store) -> None:
    """Streamlit keeps a download button's function after the session that drew it has
    ended: what the briefing, offline-map and layer downloads are made from must not hold
    the workspace, whose stored uploads carry their whole text (49 MB at the limit)."""
    ws = open_workspace(load_situation(RAFAH), store, author="dana")
    assert ws.uploads and ws.extra
    held = _reachable(briefing._Source.of(ws))
    assert not any(obj is ws for obj in held)
    assert not any(isinstance(obj, Revision) for obj in held)
    assert any(obj is ws.extra[-1] for obj in held)  # what is drawn is still there
