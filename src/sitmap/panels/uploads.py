"""The sidebar's own layers: a name, an upload, a remove button per own upload."""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from sitmap.errors import SitmapError
from sitmap.escaping import md_escape
from sitmap.page import session as keys
from sitmap.page import texts
from sitmap.page.session import PageSession, UploadOutcome
from sitmap.page.workspace import STORE_OFF_NOTE, Workspace
from sitmap.panels.messages import problem_lines_box, problems_box


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
    if not ws.can_save:
        st.sidebar.caption(STORE_OFF_NOTE)
    elif not session.author:
        st.sidebar.caption(texts.NAME_FOR_UPLOAD)
    elif not may_add:
        st.sidebar.caption(texts.VIEWER_NOTE)
    elif file is not None:
        outcome = session.upload_outcome(file.file_id)
        if outcome is None:
            with st.sidebar, st.spinner(f"Checking {md_escape(file.name)}..."):
                outcome = _add(ws, session, file, as_events=as_events)
            if not outcome.problems:
                st.rerun()  # the map draws the new layer
        with st.sidebar:  # next to the uploader, while the file sits in it
            if outcome.problems:
                problem_lines_box(outcome.problems, where=outcome.message)  # escaped there
            else:
                st.success(md_escape(outcome.message))
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


def _add(
    ws: Workspace, session: PageSession, file: UploadedFile, *, as_events: bool
) -> UploadOutcome:
    """Read and store one uploaded file; what became of it is kept before anything else
    is drawn, so a run stopped after this still shows it (and never reads it twice).
    """
    try:
        if as_events:
            message = ws.add_events(file.getvalue(), file.name, author=session.author)
        else:
            layer = ws.add_upload(file.getvalue(), file.name, author=session.author)
            message = f"Added {layer.filename}: {layer.feature_count} features."
            session.selected = "upload:"  # zoom to the newest upload (see main)
    except SitmapError as err:
        outcome = UploadOutcome(f"{file.name} was not added:", tuple(map(str, err.problems)))
    else:
        outcome = UploadOutcome(message)
    session.keep_upload_outcome(file.file_id, outcome)
    return outcome
