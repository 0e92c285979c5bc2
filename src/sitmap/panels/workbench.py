"""The corridor workbench: a drawing measured at once, the comparison, saved corridors."""

from __future__ import annotations

import datetime as dt
from functools import partial

import streamlit as st
from shapely.geometry.base import BaseGeometry

from sitmap.access import who_may
from sitmap.analysis import compare
from sitmap.errors import SitmapError
from sitmap.escaping import md_escape, plain_text
from sitmap.io import MEDIA_TYPES
from sitmap.page import session as keys
from sitmap.page import tables, texts, uploads, versions, workbench
from sitmap.page.session import PageSession
from sitmap.page.workbench import MeasuredCorridors
from sitmap.page.workspace import Workspace, export_file
from sitmap.panels.messages import pick_row, problems_box, widths
from sitmap.panels.notes import history_table
from sitmap.situation import Situation


def workbench_panel(
    ws: Workspace, session: PageSession, drawings: object, *, as_of: dt.date | None = None
) -> None:
    """The corridor workbench: a drawing measured at once, the comparison, saved corridors.

    Every corridor is measured against the situation as it stood on ``as_of`` (the end of
    the reader's time range).
    """
    drawn = workbench.drawn_candidates(workbench.drawn_lines(drawings))
    # Only the uploaded areas the corridors meet, and only when something is measured
    # here: the largest upload read whole on every run would hold up every other reader.
    remeasured = bool(drawn) or (as_of is not None and as_of != ws.measured.as_of)
    lines = [item.geometry for item in (*ws.measured.items, *drawn)]
    areas = uploads.areas_meeting(ws.user.areas, lines) if remeasured else []
    every = workbench.measure_as_of(ws.situation, ws.measured, drawn, areas=areas, as_of=as_of)
    if drawn:
        session.clear_notice()  # a new drawing: the last save's message has served
    if ws.store_problem:
        st.warning(md_escape(ws.store_problem))
    if message := session.notice():
        st.success(md_escape(message))
    if session.editing is not None:
        st.info(
            md_escape(f"Editing \u201c{session.editing.name}\u201d: draw its new line on the map.")
        )
    for refusal in every.refused:
        problems_box(refusal.error, where=f"{refusal.name} cannot be measured:")
    if drawn:
        latest = drawn[-1]
        st.markdown(md_escape(f"{latest.name}: {workbench.measured_note(every)}"))
        if latest.id in every.reports:
            st.table(tables.markdown_cells(tables.report_card(every.reports[latest.id])))
            per_version(ws.situation, latest.geometry, as_of or ws.situation.manifest.as_of)
            save_form(ws, latest.geometry, session)
    else:
        st.caption(texts.DRAW_HINT)
    comparison(ws.situation, every, session)
    saved_panel(ws, session)


def per_version(situation: Situation, line: BaseGeometry, as_of: dt.date) -> None:
    """The drawing against each version of every contested line or area, side by side."""
    with st.expander(versions.PER_VERSION_TITLE):
        st.caption(versions.PER_VERSION_NOTE)
        frame = versions.corridor_version_table(situation, line, as_of)
        st.dataframe(tables.plain_cells(frame), hide_index=True, width="stretch")


def save_form(ws: Workspace, line: BaseGeometry, session: PageSession) -> None:
    """Name and save the drawing: as a new corridor, or as a new revision of one being edited."""
    editing = session.editing
    with st.form("save_sketch", clear_on_submit=False, border=True):
        name = st.text_input("Corridor name", value=editing.name if editing else "")
        notes = st.text_area("Notes", value=editing.notes if editing else "", height=68)
        label = f"Save as revision {editing.revision + 1} of this corridor" if editing else "Save"
        submitted = st.form_submit_button(label, type="primary", disabled=not ws.can_save)
    if not submitted:
        return
    if not (author := session.author):
        st.warning(texts.NAME_FIRST)
        return
    try:
        revision = ws.save_corridor(line, name=name, notes=notes, editing=editing, author=author)
    except SitmapError as err:
        problems_box(err, where="Not saved:")
        return
    session.editing = None
    session.clear_drawings()
    session.flash(f"Saved \u201c{revision.name}\u201d (revision {revision.revision}).")
    st.rerun()


def comparison(situation: Situation, every: MeasuredCorridors, session: PageSession) -> None:
    """Every measured corridor ranked on the measure the reader picks; a pick zooms to it."""
    st.markdown("**Compare corridors**")
    analysis = situation.manifest.analysis
    choices = tables.rank_choices(analysis)
    by = choices[st.selectbox("Rank by", list(choices), key=keys.RANK_KEY)]
    ranked = compare([every.reports[item.id] for item in every.measured()], by=by)
    origins = {item.id: item.origin for item in every.items}
    rows = tables.comparison_table(ranked, by=by, origins=origins, analysis=analysis)
    glance, details = tables.comparison_columns(analysis)
    ids = [str(row["id"]) for row in rows]
    shown = tables.plain_rows(rows)  # no name shows reversed (bidirectional controls)
    st.dataframe(
        shown,
        hide_index=True,
        column_order=glance,
        column_config=widths(tables.comparison_widths(analysis)),
        on_select=partial(pick_row, session, ids, keys.COMPARISON_KEY),
        selection_mode="single-row",
        key=keys.COMPARISON_KEY,
    )
    st.caption(texts.COMPARISON_NOTE + " " + texts.COMPARISON_HINT)
    with st.expander(texts.DETAILS):
        st.dataframe(shown, hide_index=True, column_order=details)


def saved_panel(ws: Workspace, session: PageSession) -> None:
    """Saved corridors: pick one to edit (draw its new line) or delete; download them all."""
    if not ws.saved:
        st.caption(texts.NO_SAVED)
        return
    names = workbench.saved_names(ws.saved)
    chosen = st.selectbox(
        "Saved corridors", list(names), format_func=lambda key: plain_text(names[key])
    )
    current = next(rev for rev in ws.saved if rev.sketch_id == chosen)
    edit_col, delete_col = st.columns(2)
    owned = ws.may("delete", current)  # its owner or an admin (the store checks it too)
    if edit_col.button(texts.EDIT_BUTTON, width="stretch", disabled=not (ws.can_save and owned)):
        session.editing = current
        st.rerun(scope="fragment")
    if not owned:
        st.caption(md_escape(f"Only {who_may('delete', current)} may change or delete it."))
    if delete_col.button("Delete", width="stretch", disabled=not (ws.can_save and owned)):
        try:
            ws.delete(current, author=session.author)
        except SitmapError as err:
            problems_box(err, where="Not deleted:")
        else:
            session.flash(f"Deleted \u201c{current.name}\u201d (kept in its history).")
            st.rerun()
    with st.expander("History"):  # who changed what when
        history_table(ws, current)
    for col, fmt in zip(st.columns(3), texts.EXPORT_FORMATS, strict=True):
        data = export_file(ws.saved, ws.measured, fmt)  # made once per set of revisions
        name = f"{ws.situation.id}-corridors.{fmt}"
        col.download_button(
            f"Download {fmt.upper()}",
            data,
            file_name=name,
            mime=MEDIA_TYPES[fmt],
            width="stretch",
            on_click="ignore",  # a download changes nothing on the page
        )
