"""Rival versions: each contested thing's versions side by side, and an upload compared."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from sitmap.errors import SitmapError
from sitmap.escaping import md_escape, plain_text
from sitmap.page import tables, versions
from sitmap.page.workspace import Workspace
from sitmap.panels.messages import problems_box

VERSIONS_TITLE = "Rival versions: where sources place one thing"
VERSIONS_NOTE = (
    "Each row is one claimant's geometry; the first is this map's. Area between (km²) and "
    "largest offset are geodesic, measured against the first row. The rival versions are "
    "layers of their own in the sidebar."
)
UPLOAD_TITLE = "Compare one of your uploaded lines or areas"


def versions_panel(ws: Workspace, as_of: dt.date) -> None:
    """Contested geometries with their versions; an uploaded line or area against one."""
    with st.expander(VERSIONS_TITLE):
        st.caption(VERSIONS_NOTE)
        for table in versions.version_tables(ws.situation, as_of):
            st.markdown(f"**{md_escape(table.name)}**")
            st.dataframe(tables.plain_cells(table.frame), hide_index=True, width="stretch")
        shapes = versions.upload_shapes(ws.uploads)
        if not shapes:
            return
        st.markdown(f"**{UPLOAD_TITLE}**")
        labels = {shape.label: shape for shape in shapes}
        chosen = st.selectbox(
            "Your line or area", list(labels), format_func=plain_text, key="versions:upload"
        )
        features = versions.comparable_features(ws.situation, as_of)
        if not features:
            return
        target = st.selectbox(
            "Against", list(features), format_func=features.__getitem__, key="versions:target"
        )
        try:
            frame = versions.upload_table(ws.situation, labels[chosen], target, as_of)
        except SitmapError as err:
            problems_box(err, where="Cannot compare:")
            return
        st.dataframe(tables.plain_cells(frame), hide_index=True, width="stretch")
