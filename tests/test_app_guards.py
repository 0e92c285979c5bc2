"""The page holds: unknown hosts refused before anything is read, errors shown by id only,
and a store that cannot be used leaves the map and the situation on screen."""

from __future__ import annotations

import logging

import pytest
from streamlit.testing.v1 import AppTest

from sitmap.page.session import MAP_DRAWN_KEY, TAB_KEY
from tests.conftest import REPO


@pytest.fixture(autouse=True)
def private_store(tmp_path, monkeypatch) -> None:
    import streamlit as st

    monkeypatch.setenv("SITMAP_DB", str(tmp_path / "sketches.sqlite3"))
    st.cache_resource.clear()


def run_app(*, tab: str = "Events") -> AppTest:
    """The page with ``tab`` open (only the open tab is built)."""
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.session_state[TAB_KEY] = tab
    at.session_state[MAP_DRAWN_KEY] = True  # as once the browser has drawn the map
    return at.run()


def test_an_unknown_host_gets_a_short_refusal_and_nothing_is_read(monkeypatch) -> None:
    from sitmap.page import guard

    seen: list[str | None] = []

    def refuse(host, allowed, /):
        seen.append(host)
        return False

    def never(*args, **kwargs):
        raise AssertionError("read before the Host was checked")

    monkeypatch.setattr(guard, "host_allowed", refuse)
    monkeypatch.setattr("sitmap.situation.load_situation", never)
    monkeypatch.setattr("sitmap.store.open_store", never)
    at = run_app()
    assert not at.exception
    assert seen, "the Host header was checked"
    assert [h.value for h in at.header] == [guard.REFUSAL_TITLE]
    assert [m.value for m in at.markdown] == [guard.REFUSAL_MESSAGE]
    assert not at.sidebar.children or not list(at.sidebar.checkbox)
    assert not at.table and not at.dataframe and not at.tabs


def test_an_unexpected_error_shows_an_id_and_logs_the_traceback(monkeypatch, caplog) -> None:
    from sitmap.page import tables

    def broken(*args, **kwargs):
        raise RuntimeError("secret detail /srv/sitmap/data")

    monkeypatch.setattr(tables, "events_table", broken)
    with caplog.at_level(logging.ERROR, logger="sitmap.page"):
        at = run_app()
    assert not at.exception, "nothing reaches Streamlit's own error display"
    (shown,) = [e.value for e in at.error]
    assert shown.startswith("Something went wrong (error id ")
    assert shown.endswith("); the server log has the details.")
    assert "secret" not in shown and "RuntimeError" not in shown
    error_id = shown.split("error id ")[1].split(")")[0]
    (record,) = [r for r in caplog.records if error_id in r.getMessage()]
    assert record.exc_info and "secret detail" in str(record.exc_info[1])
    assert at.subheader, "the title above the failed part is still there"


@pytest.mark.parametrize("case", ["a folder", "random bytes"])
def test_an_unusable_store_leaves_the_map_and_says_why(monkeypatch, tmp_path, case) -> None:
    import streamlit as st

    target = tmp_path / "bad.sqlite3"
    if case == "a folder":
        target.mkdir()
    else:
        target.write_bytes(b"not a database, just bytes" * 100)
    monkeypatch.setenv("SITMAP_DB", str(target))
    st.cache_resource.clear()
    at = run_app(tab="Corridor workbench")
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    (warning,) = [w.value for w in at.warning]
    shown = warning.replace("\\", "").replace("\u2060", "")
    assert shown.startswith("Saved corridors and uploads are unavailable: ")
    assert str(target) in shown and "nothing can be saved" in shown
    at.session_state[TAB_KEY] = "Events"
    at.run()
    assert any("19 events up to 2025-11-28" in c.value for c in at.caption), "the situation"
    assert at.sidebar.checkbox, "the layers"
    uploader_note = [c.value for c in at.sidebar.caption]
    assert any("Adding layers is off" in note for note in uploader_note)
