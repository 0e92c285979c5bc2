"""Annotations, comments and history: the "Notes and comments" tab.

A signed-in editor (or the local user) marks a drawn point, line or area with a note, a
time and a source; everyone sees it "by NAME, unverified" until an admin marks it checked.
Anyone who may add comments on any feature, corridor, upload or annotation; the lists can
be narrowed to one author; each item's history says who changed what when. Every value
from people is shown as text (``md_escape``/``plain_text``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial

import streamlit as st

from sitmap.errors import SitmapError
from sitmap.escaping import md_escape, plain_text
from sitmap.page import notes, texts
from sitmap.page.session import PageSession
from sitmap.page.workspace import Workspace
from sitmap.panels.messages import problems_box
from sitmap.store import Revision

_EVERYONE = ""


def notes_panel(ws: Workspace, session: PageSession, drawings: object) -> None:
    """Add an annotation from the last drawing; annotations, comments, histories."""
    if message := session.take_flash(where="notes"):
        st.success(md_escape(message))
    annotation_form(ws, session, notes.drawn_geometry(drawings))
    everyone = notes.authors((*ws.annotations, *ws.comments))
    by = st.selectbox(
        "Show what was added by",
        [_EVERYONE, *everyone],
        format_func=lambda a: plain_text(a) if a else "everyone",
        key="notes_by",
    )
    chosen = by or None
    st.markdown("**Annotations**")
    shown = notes.only_by(ws.annotations, chosen)
    if not shown:
        st.caption("No annotations yet." if not ws.annotations else "None by this author.")
    for revision in shown:
        annotation_row(ws, session, revision)
    comments_part(ws, session, chosen)
    history_part(ws)


def annotation_form(
    ws: Workspace, session: PageSession, geometry: dict[str, object] | None
) -> None:
    """Describe the last drawing (a point, line or area) and keep it as an annotation."""
    if not (ws.can_save and ws.may("add") and session.author):
        return
    if geometry is None:
        st.caption(texts.NOTES_HINT)
        return
    with st.form("add_annotation", border=True):
        st.markdown(md_escape(f"Annotate the drawn {geometry['type']}"))
        note = st.text_area("Note (what is there)", height=68)
        when = st.date_input("Date", value=None, format="YYYY-MM-DD")
        source = st.text_input("Source (who reports it)")
        submitted = st.form_submit_button("Add annotation", type="primary")
    if not submitted:
        return
    try:
        time = when if isinstance(when, dt.date) else None
        added = ws.add_annotation(
            geometry, note=note, time=time, source=source, author=session.author
        )
    except SitmapError as err:
        problems_box(err, where="Annotation not added:")
        return
    session.clear_drawings()
    session.flash(f"Added the annotation \u201c{added.name}\u201d (unverified).", where="notes")
    st.rerun()


def annotation_row(ws: Workspace, session: PageSession, revision: Revision) -> None:
    """One annotation: note, status, time and source; check and delete where allowed."""
    props = revision.content.get("properties") or {}
    facts = "; ".join(
        str(v) for v in (props.get("time"), props.get("source")) if isinstance(v, str) and v
    )
    line = f"{revision.name} \u2014 {notes.annotation_status(revision)}"
    st.markdown(md_escape(line + (f" ({facts})" if facts else "")))
    check_col, delete_col = st.columns(2)
    key = revision.sketch_id
    allowed = ws.can_save and bool(session.author)
    checkable = allowed and not revision.checked_by and ws.may("check", revision)
    if checkable and check_col.button("Mark checked", key=f"check:{key}"):
        act(lambda: ws.mark_checked(revision, author=session.author), "Not marked:")
    deletable = allowed and ws.may("delete", revision)
    if deletable and delete_col.button("Delete annotation", key=f"del:{key}"):
        act(lambda: ws.delete(revision, author=session.author), "Not deleted:")
    with st.expander("History"):
        history_table(ws, revision)


def comments_part(ws: Workspace, session: PageSession, by: str | None) -> None:
    """Comments on any feature, corridor, upload or annotation; add one if allowed."""
    st.markdown("**Comments**")
    targets = notes.comment_targets(ws.situation, (*ws.saved, *ws.uploads, *ws.annotations))
    on = st.selectbox(
        "Comment on",
        [_EVERYONE, *targets],
        format_func=lambda k: plain_text(targets[k]) if k else "anything (show every comment)",
        key="comment_on",
    )
    for revision in notes.only_by(notes.comments_on(ws.comments, on or None), by):
        about = targets.get(str(revision.content.get("on")), str(revision.content.get("on")))
        said = str(revision.content.get("text", ""))
        st.markdown(md_escape(f"{revision.created_by} on {about} ({revision.created_at}): {said}"))
        deletable = ws.can_save and bool(session.author) and ws.may("delete", revision)
        if deletable and st.button("Delete comment", key=f"delc:{revision.sketch_id}"):
            act(partial(ws.delete, revision, author=session.author), "Not deleted:")
    if not (on and ws.can_save and ws.may("add") and session.author):
        return
    with st.form("add_comment", clear_on_submit=True, border=True):
        text = st.text_area("Your comment", height=68)
        if st.form_submit_button("Add comment"):
            act(lambda: ws.add_comment(on, text, author=session.author), "Comment not added:")


def history_part(ws: Workspace) -> None:
    """The history of a saved corridor or upload: who changed what when."""
    items = {rev.sketch_id: rev for rev in (*ws.saved, *ws.uploads)}
    if not items:
        return
    chosen = st.selectbox(
        "History of",
        list(items),
        format_func=lambda k: plain_text(f"{items[k].name} ({items[k].kind})"),
        key="history_of",
    )
    with st.expander("History"):
        history_table(ws, items[chosen])


def history_table(ws: Workspace, revision: Revision) -> None:
    """Who changed what when in one item, newest first, as text."""
    rows = ws.history(revision)
    if not rows:
        st.caption("No history can be read now.")
    for row in rows:
        st.markdown(md_escape(f"{row.when} \u2014 {row.who}: {row.what}"))


def act(change: Callable[[], object], where: str) -> None:
    """Run a change; show its refusal, or rerun to show it done."""
    try:
        change()
    except SitmapError as err:
        problems_box(err, where=where)
    else:
        st.rerun()
