"""The "Text view" tab: the map as semantic HTML tables (``sitmap.page.textview``)."""

from __future__ import annotations

import streamlit as st

from sitmap.mapview import ViewState
from sitmap.page import textview
from sitmap.page.workspace import Workspace


def text_view_panel(ws: Workspace, view: ViewState) -> None:
    """Layers, features, events, claims and corridors of the view, as tables.

    ``st.html`` puts the escaped tables into the page itself (no iframe, sanitised), so a
    screen reader reads captions and header cells; ``st.dataframe`` draws on a canvas. The
    note above the tables is part of that HTML: ``st.caption``'s grey is below the 4.5:1
    contrast WCAG AA asks of small text (3.9:1, axe-core).
    """
    tables = textview.text_view_tables(
        ws.situation,
        shown=view.layers,
        as_of=view.as_of,
        since=view.since,
        measured=ws.measured,
        extra=ws.extra,
    )
    st.html(textview.text_view_html(tables))
