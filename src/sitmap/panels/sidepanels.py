"""The panels beside the workbench: events, who says what, sources."""

from __future__ import annotations

from functools import partial

import streamlit as st
from streamlit.elements.lib.mutable_tab_container import TabContainer

from sitmap.escaping import md_escape
from sitmap.mapview import ViewState
from sitmap.page import session as keys
from sitmap.page import tables, texts
from sitmap.page.session import PageSession
from sitmap.panels.messages import pick_row, widths
from sitmap.situation import Situation


def side_panels(
    situation: Situation,
    view: ViewState,
    session: PageSession,
    *,
    tabs: tuple[TabContainer, TabContainer, TabContainer],
) -> None:
    """Events, who says what, and sources, each in its tab beside the workbench's."""
    events_tab, claims_tab, sources_tab = tabs
    if events_tab.open is not False:  # built only when open (lazy tabs)
        with events_tab:
            events = tables.events_table(situation, view.as_of, since=view.since)
            st.caption(f"{events.note}. {texts.EVENTS_HINT}")
            if len(events.frame):
                ids = [str(i) for i in events.frame["id"]]
                st.dataframe(
                    tables.plain_cells(events.frame),
                    hide_index=True,
                    column_order=tables.EVENT_COLUMNS,
                    column_config=widths(tables.EVENT_WIDTHS),
                    on_select=partial(pick_row, session, ids, keys.EVENTS_TABLE_KEY),
                    selection_mode="single-row",
                    key=keys.EVENTS_TABLE_KEY,
                )
    if claims_tab.open is not False:  # built only when open (lazy tabs)
        with claims_tab:
            st.caption(texts.CLAIMS_NOTE)
            for claim in tables.claim_tables(situation, view.as_of):
                st.markdown(f"**{md_escape(claim.about)}**")
                for row in claim.frame.itertuples(index=False):
                    when = f"({row.Date}; {md_escape(row.Source)})"
                    st.markdown(f"- **{md_escape(row.Who)}**: {md_escape(row.Says)} {when}")
    if sources_tab.open is not False:  # built only when open (lazy tabs)
        with sources_tab:
            sources = tables.plain_cells(tables.sources_table(situation))
            st.dataframe(sources, hide_index=True, width="stretch")
