"""The session's remembered state, typed: one key per fact, kept between reruns."""

from __future__ import annotations

from sitmap.page.session import AUTHOR_KEY, PageSession, UploadOutcome


def test_author_flash_drawings_and_uploads() -> None:
    state: dict = {AUTHOR_KEY: "  Dana  "}
    session = PageSession(state)
    assert session.author == "Dana"
    assert session.take_flash() is None
    session.flash("Saved")
    assert PageSession(state).take_flash() == "Saved"  # survives a rerun, shown once
    assert session.take_flash() is None
    before = session.map_key
    session.clear_drawings()
    assert session.map_key != before
    assert session.upload_outcome("f1") is None  # not read yet
    session.keep_upload_outcome("f1", UploadOutcome("f1 was not added:", ("-: empty file",)))
    assert PageSession(state).upload_outcome("f1") == UploadOutcome(
        "f1 was not added:", ("-: empty file",)
    )  # kept through reruns, so it is shown while the file sits in the uploader
    assert session.first_layer_run() and not session.first_layer_run()
    session.default_widget("k", 1)
    session.default_widget("k", 2)
    assert state["k"] == 1


def test_the_map_keeps_the_view_it_was_mounted_at_until_it_is_remounted() -> None:
    session = PageSession({})
    session.moved((31.28, 34.25), 14)  # the view from the link
    assert session.mount_view() == ((31.28, 34.25), 14)
    session.moved((31.30, 34.27), 15)  # the reader pans; the map reports it
    assert session.mount_view() == ((31.28, 34.25), 14)  # not handed back to the map
    assert (session.centre, session.zoom) == ((31.30, 34.27), 15)
    session.clear_drawings()  # a new map starts where the last one was
    assert session.mount_view() == ((31.30, 34.27), 15)


def test_a_new_drawing_is_noticed_once_and_an_empty_map_is_not_a_drawing() -> None:
    session = PageSession({})
    assert not session.new_drawings(None)
    assert not session.new_drawings([])  # the map reports no drawings: nothing new
    line = [{"type": "Feature", "geometry": {"type": "LineString", "coordinates": []}}]
    assert session.new_drawings(line)
    assert not session.new_drawings(line)  # the same drawing on the next run
    assert session.new_drawings([])  # removed


def test_the_map_counts_as_drawn_once_it_reports_its_view_and_stays_so() -> None:
    state: dict = {}
    session = PageSession(state)
    assert not session.map_drawn  # a first run: the map is sent alone
    state[session.map_key] = {"all_drawings": None, "zoom": 12}  # st_folium's default value
    assert not session.map_drawn
    state[session.map_key] = {"center": {"lat": 31.27, "lng": 34.26}, "zoom": 12}
    assert session.map_drawn
    session.clear_drawings()  # a new map after a save: the page is not hidden again
    assert session.map_drawn
