"""The timeline under the map: events per day, the from-to range, the play control."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import cast

import streamlit as st

from sitmap.mapview import ViewState
from sitmap.page import session as keys
from sitmap.page import texts, timeline
from sitmap.page.session import PageSession
from sitmap.page.workspace import Workspace


def chosen_range(
    ws: Workspace, session: PageSession, view: ViewState, *, playing: bool
) -> ViewState:
    """The view for the range the reader chose (one day on when ``playing``), read before
    any widget is drawn, so the map can be sent first and the timeline under it after.
    """
    manifest = ws.situation.manifest
    session.default_widget(keys.RANGE_KEY, (view.since or manifest.start, view.as_of))
    if playing:
        st.session_state[keys.RANGE_KEY] = timeline.next_step(
            st.session_state[keys.RANGE_KEY], manifest
        )
    since, until = cast("tuple[dt.date, dt.date]", st.session_state[keys.RANGE_KEY])
    return replace(view, since=None if since == manifest.start else since, as_of=until)


def time_controls(ws: Workspace, view: ViewState, *, playing: bool) -> None:
    """The histogram of events per day, the from-to range and the play control.

    ``playing`` is whether this run's fragment steps by itself; the toggle sits inside
    that fragment, so flipping it reruns the whole page to start or stop the stepping.
    """
    manifest = ws.situation.manifest
    st.html(
        timeline.histogram_html(
            timeline.events_per_day(ws.situation), since=view.since, until=view.as_of
        )
    )
    st.slider(texts.RANGE_LABEL, manifest.start, manifest.end, key=keys.RANGE_KEY, format=texts.DAY)
    if st.toggle(texts.PLAY_LABEL, key=keys.PLAY_KEY) != playing:
        st.rerun(scope="app")
