"""The timeline under the map: events per day and the from-to range.

The map's own control (``mapview.timecontrol``) steps and plays in the browser alone and
reports each step; the page takes the newest report before anything is drawn.
"""

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


def chosen_range(ws: Workspace, session: PageSession, view: ViewState) -> ViewState:
    """The view for the range the reader chose, with the sidebar's slider or by stepping
    on the map (its newest report not yet taken), read before any widget is drawn, so
    the map can be sent first and the timeline under it after.
    """
    manifest = ws.situation.manifest
    session.default_widget(keys.RANGE_KEY, (view.since or manifest.start, view.as_of))
    report = timeline.reported_range(session.map_tags, manifest)
    if report is not None and report.seq > session.time_seq:
        session.time_seq = report.seq
        st.session_state[keys.RANGE_KEY] = report.span
    since, until = cast("tuple[dt.date, dt.date]", st.session_state[keys.RANGE_KEY])
    return replace(view, since=None if since == manifest.start else since, as_of=until)


def time_controls(ws: Workspace, view: ViewState, session: PageSession) -> None:
    """The histogram of events per day and the from-to range (the map steps and plays)."""
    manifest = ws.situation.manifest
    st.html(
        timeline.histogram_html(
            timeline.events_per_day(ws.situation), since=view.since, until=view.as_of
        )
    )
    st.slider(
        texts.RANGE_LABEL,
        manifest.start,
        manifest.end,
        key=keys.RANGE_KEY,
        format=texts.DAY,
        help=texts.RANGE_HELP,
        on_change=session.range_moved,
    )
