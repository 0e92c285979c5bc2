"""The sidebar's own layers: a name, an upload, a remove button per own upload."""

from __future__ import annotations

import streamlit as st

from sitmap.errors import SitmapError
from sitmap.escaping import md_escape
from sitmap.page import session as keys
from sitmap.page import texts
from sitmap.page.session import PageSession
from sitmap.page.workspace import STORE_OFF_NOTE, Workspace
from sitmap.panels.messages import problems_box


def uploads_panel(ws: Workspace, session: PageSession) -> None:
    """Drag-and-drop upload (once a name is typed) and a remove button per own upload."""
    st.sidebar.header("Your layers")
    if not session.signed_in:  # one-person mode: a typed name; signed in: the identity
        st.sidebar.text_input(texts.NAME_LABEL, key=keys.AUTHOR_KEY)
    choice = st.sidebar.radio(
        texts.UPLOAD_AS_LABEL, texts.UPLOAD_AS, horizontal=True, help=texts.UPLOAD_AS_HELP,
        key=keys.UPLOAD_AS_KEY,
    )  # fmt: skip
    as_events = choice == "events"
    may_add = bool(session.author) and ws.can_save and ws.may("add")
    file = st.sidebar.file_uploader(texts.UPLOAD_LABEL, key=keys.UPLOAD_KEY, disabled=not may_add)
    if message := session.take_flash(where="uploads"):
        st.sidebar.success(md_escape(message))
    if not ws.can_save:
        st.sidebar.caption(STORE_OFF_NOTE)
    elif not session.author:
        st.sidebar.caption(texts.NAME_FOR_UPLOAD)
    elif not may_add:
        st.sidebar.caption(texts.VIEWER_NOTE)
    elif file is not None and session.new_upload(file.file_id):
        with st.sidebar, st.spinner(f"Checking {md_escape(file.name)}..."):
            try:
                if as_events:
                    added = ws.add_events(file.getvalue(), file.name, author=session.author)
                else:
                    layer = ws.add_upload(file.getvalue(), file.name, author=session.author)
                    added = f"Added {layer.filename}: {layer.feature_count} features."
                    session.selected = "upload:"  # zoom to the newest upload (see main)
            except SitmapError as err:
                problems_box(err, where=f"{file.name} was not added:")  # escaped there
            else:
                session.flash(added, where="uploads")  # shown next to the uploader
                st.rerun()
    for revision in ws.removable_uploads():
        remove = f"Remove {md_escape(revision.name)}"
        if st.sidebar.button(remove, key=f"remove:{revision.sketch_id}", disabled=not ws.can_save):
            try:
                ws.delete(revision, author=session.author)
            except SitmapError as err:
                with st.sidebar:
                    problems_box(err, where="Not removed:")
            else:
                st.rerun()
