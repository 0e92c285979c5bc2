"""sitmap: the Streamlit page. Layout and widgets only; ``sitmap.page`` holds what they show.

Run with ``make run``. Settings (situation folder, sketch store) are in ``sitmap.settings``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import streamlit as st
from streamlit_folium import st_folium

from sitmap.demo import resolve_situation
from sitmap.errors import SitmapError
from sitmap.escaping import md_escape
from sitmap.mapview import Language, ViewState, base_map, use_local_assets, view_groups
from sitmap.mapview.accuracy import ACCURACY_HELP, ACCURACY_LABEL
from sitmap.mapview.labels import LANGUAGES
from sitmap.memory import use_lean_memory
from sitmap.page import search, texts, uploads, viewstate
from sitmap.page import session as keys
from sitmap.page.session import PageSession
from sitmap.page.workspace import Workspace, open_workspace, usable_store
from sitmap.panels.briefing import briefing_panel
from sitmap.panels.messages import guarded, problems_box, refuse_unknown_host
from sitmap.panels.notes import notes_panel
from sitmap.panels.sidepanels import side_panels
from sitmap.panels.signin import roles_panel, sign_in_panel
from sitmap.panels.textview import text_view_panel
from sitmap.panels.timeline import chosen_range, time_controls
from sitmap.panels.uploads import uploads_panel
from sitmap.panels.versions import versions_panel
from sitmap.panels.workbench import workbench_panel
from sitmap.situation import Situation, load_situation
from sitmap.store import SketchStore, open_store

use_local_assets()
use_lean_memory()
MAP_HEIGHT_PX = 640


def load() -> Situation:
    """The situation, or a page that says exactly what is wrong with its files."""
    folder = resolve_situation()
    try:
        return load_situation(folder)
    except SitmapError as err:
        problems_box(
            err, where=f"The situation in {folder} cannot be shown: its files have problems."
        )
        st.stop()
        raise


@st.cache_resource
def store() -> SketchStore:
    """The sketch store (SQLite by default), opened once per server process."""
    return open_store()


def sketches() -> SketchStore:
    """The sketch store, or one that says why it cannot be used (retried each run)."""
    return usable_store(store)


def sidebar(ws: Workspace, session: PageSession) -> ViewState:
    """Find a place, layer toggles, names' language and background; the view from the URL."""
    find = st.sidebar.text_input(texts.SEARCH_LABEL, key=keys.SEARCH_KEY, help=texts.SEARCH_HELP)
    matches = search.find_places(ws.situation, find) if find else []
    for match in matches:
        if st.sidebar.button(md_escape(match.name), key=f"find:{match.id}", width="stretch"):
            session.selected = match.id
    if find and not matches:
        st.sidebar.caption(texts.NO_MATCH)
    st.sidebar.header("Layers")
    first = session.first_layer_run()
    visible = []
    for layer in viewstate.layer_choices(ws.situation, ws.extra, st.query_params, first_run=first):
        key = session.layer_key(layer.id)
        session.default_widget(key, layer.shown)
        shown_help = md_escape(layer.help) if layer.help else None
        if st.sidebar.checkbox(md_escape(layer.title), key=key, help=shown_help):
            visible.append(layer.id)
    view = viewstate.query_view(st.query_params, ws.situation.manifest, frozenset(visible))
    session.default_widget(keys.LANGUAGE_KEY, view.language)
    codes: list[Language] = list(LANGUAGES)
    language = st.sidebar.selectbox(
        texts.LANGUAGE_LABEL, codes, format_func=LANGUAGES.__getitem__, key=keys.LANGUAGE_KEY
    )
    session.default_widget(keys.TILES_KEY, view.tiles == "osm")
    online = st.sidebar.checkbox(texts.TILES_LABEL, key=keys.TILES_KEY)
    accuracy = st.sidebar.checkbox(ACCURACY_LABEL, key="show_accuracy", help=ACCURACY_HELP)
    if first:
        session.moved(view.centre, view.zoom)
        session.selected = session.selected or view.selected
    return replace(view, language=language, tiles="osm" if online else "none", accuracy=accuracy)


def map_widget(ws: Workspace, view: ViewState, session: PageSession) -> dict[str, Any] | None:
    """The map: the stable base map, the view's layers swapped in, drawings and view back.

    It gets the view it was mounted at, never the one it last reported (see
    ``PageSession.mount_view``): handing back a stale centre would move it under the reader.
    """
    centre, zoom = session.mount_view()
    result: dict[str, Any] | None = st_folium(
        base_map(ws.situation, tiles=view.tiles),
        feature_group_to_add=view_groups(ws.situation, view, extra=ws.extra, seq=session.time_seq),
        # selected_tags: the day the map stepped to by itself (mapview.timecontrol)
        returned_objects=["all_drawings", "center", "zoom", "selected_tags"],
        key=session.map_key,
        height=MAP_HEIGHT_PX,
        use_container_width=True,
        center=centre,
        zoom=zoom,
        render=False,  # st_folium renders the map itself; a whole-page render is thrown away
    )
    return result


def map_first_view(ws: Workspace, session: PageSession) -> ViewState:
    """A session's first run: no sidebar yet, the view the URL asks for (what the sidebar's
    widgets will hold once drawn), so the map is sent alone and the browser draws it
    before anything else (see ``situation_view``).
    """
    st.sidebar.caption(texts.MAP_FIRST)
    view = viewstate.first_view(ws.situation, ws.extra, st.query_params)
    session.moved(view.centre, view.zoom)
    session.selected = session.selected or view.selected
    return view


@guarded
def situation_view(ws: Workspace, chosen: ViewState, session: PageSession, *, whole: bool) -> None:
    """The map, its timeline, the workbench and the panels: they move together.

    Not ``whole`` (a session's first run): the map alone; once it reports its view (drawn
    in the browser), the whole page runs again around this same map, which stays as drawn.
    """
    view = chosen_range(ws, session, chosen)
    view = replace(view, centre=session.centre, zoom=session.zoom, selected=session.selected)
    result = map_widget(ws, view, session)  # sent first: the map is drawn before the rest
    if not whole:
        if session.map_drawn:
            st.rerun(scope="app")
        return
    time_controls(ws, view, session)
    centre = (result or {}).get("center") or {}
    session.moved((centre["lat"], centre["lng"]) if centre else None, (result or {}).get("zoom"))
    view = replace(view, centre=session.centre, zoom=session.zoom)
    st.query_params.from_dict(viewstate.view_query(view))
    with st.popover(texts.SHARE_LABEL):
        st.caption(texts.SHARE_NOTE)
        st.code(f"{(st.context.url or '').split('?')[0]}?{viewstate.encoded(view)}", language=None)
    briefing_panel(ws, view)  # briefing PDF/PNG, offline map, shown layers: made on click
    # Only the open tab is built (a switch reruns this fragment): the page's first view
    # carries the map and one tab, not six.
    if session.new_drawings((result or {}).get("all_drawings")):
        st.session_state[keys.TAB_KEY] = texts.TABS[0]  # a new line: measure it at once
    tabs = st.tabs(texts.TABS, key=keys.TAB_KEY, on_change="rerun")
    bench, events, claims, sources, text_view, notes_tab = tabs
    if bench.open is not False:
        with bench:
            workbench_panel(ws, session, (result or {}).get("all_drawings"), as_of=view.as_of)
    side_panels(ws.situation, view, session, tabs=(events, claims, sources))
    if claims.open is not False:
        with claims:
            versions_panel(ws, view.as_of)
    if text_view.open is not False:
        with text_view:
            text_view_panel(ws, view)
    if notes_tab.open is not False:
        with notes_tab:  # annotations, comments, histories
            notes_panel(ws, session, (result or {}).get("all_drawings"))


@guarded
def main() -> None:
    """Lay out the page: title, sidebar, then the map with everything that moves with it.

    A request for an unknown host is refused before anything is read; an unexpected
    error is logged on the server and shown by its id only (``guarded``).
    """
    refuse_unknown_host()
    st.set_page_config(page_title="sitmap", layout="wide")
    st.markdown(texts.PAGE_CSS, unsafe_allow_html=True)
    session = PageSession(st.session_state)
    store_now = sketches()
    person = sign_in_panel(store_now, session)  # with a provider: signed in, or stops here
    situation = load()
    ws = open_workspace(situation, store_now, author=session.author, person=person)
    manifest = situation.manifest
    st.subheader(md_escape(manifest.title))
    st.caption("\u2139\ufe0f " + md_escape(manifest.disclaimer))
    with st.expander("About this situation"):
        st.write(md_escape(manifest.summary))
    whole = session.map_drawn
    if whole:
        view = sidebar(ws, session)
        uploads_panel(ws, session)
        roles_panel(ws.store, person)
    else:
        view = map_first_view(ws, session)
    if session.selected == "upload:" and ws.uploads:
        session.selected = uploads.newest_layer_id(ws.uploads)
    st.fragment(situation_view)(ws, view, session, whole=whole)


main()
