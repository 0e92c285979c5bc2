"""sitmap: the Streamlit page. Layout, widgets and session state only; the library does the work.

Run with ``make run`` (or ``streamlit run app.py``). The situation folder comes from
``SITMAP_SITUATION`` (default ``geodata/rafah-2025-11``), or is a generated demo with
``SITMAP_DEMO_EVENTS`` synthetic events; saved sketches and uploads go to
the SQLite file named by ``SITMAP_DB`` (default ``data/sitmap.sqlite3``).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from functools import partial
from typing import Literal

import pandas as pd
import streamlit as st
from shapely.geometry.base import BaseGeometry
from streamlit_folium import st_folium

from sitmap import assets, exports, workbench
from sitmap.corridors import CompareBy, CorridorReport, NamedArea, compare, measure_many
from sitmap.demo import resolve_situation
from sitmap.errors import SitmapError
from sitmap.imports import read_upload
from sitmap.mapview import ExtraLayer, ViewState, base_map, default_layers, view_groups
from sitmap.popups import md_escape, source_text
from sitmap.schema import LayerKind
from sitmap.situation import Situation, load_situation, use_lean_memory
from sitmap.store import Revision, SketchDraft, SketchStore, open_store
from sitmap.timeline import claim_groups, event_rows

assets.use_local_assets()
use_lean_memory()

# SITMAP_DEMO_EVENTS=N shows a generated demo (N SYNTHETIC events); else SITMAP_SITUATION.
SITUATION_DIR = resolve_situation(os.environ)
MAP_HEIGHT_PX = 680

# Session-state keys, defined once.
MAP_KEY = "situation_map"
DRAW_GENERATION = "draw_generation"
LAYER_KEY_PREFIX = "layer:"
LAYERS_SEEN = "layers_seen"
AS_OF_KEY = "as_of"
TILES_KEY = "tiles_online"
AUTHOR_KEY = "author"
UPLOAD_KEY = "upload"
UPLOADS_DONE = "uploads_done"
EDITING = "editing"
FLASH = "flash"
RANK_BY = "rank_by"

RANK_CHOICES: dict[str, CompareBy] = {
    "Length inside the controlled area": "length_in_controlled_m",
    "Total length": "length_m",
    "Control-line crossings": "control_line_crossings",
    "Walking time": "walk_minutes",
    "Distance to the nearest crossing": "nearest_crossing_m",
}

# Our own constant CSS (no data in it): a tighter page so the map fits on screen. (A bare
# string under it would be shown on the page: Streamlit "magic" writes such expressions.)
PAGE_CSS = "<style>.block-container { padding-top: 2.2rem; padding-bottom: 1rem; }</style>"


def load() -> Situation:
    """The situation, or a page that says exactly what is wrong with its files."""
    try:
        return load_situation(SITUATION_DIR)
    except SitmapError as err:
        st.error(
            f"The situation in {md_escape(SITUATION_DIR)} cannot be shown: its files have problems."
        )
        st.code("\n".join(str(p) for p in err.problems), language=None)
        st.stop()
        raise


@st.cache_resource
def store() -> SketchStore:
    """The sketch store (SQLite by default), opened once per server process."""
    return open_store()


def problems_box(err: SitmapError, *, where: str) -> None:
    """Show every problem of an error as text, never as markup."""
    st.error(md_escape(where))
    st.code("\n".join(str(p) for p in err.problems), language=None)


# --- sidebar ------------------------------------------------------------------------------


def query_layers(known: Sequence[str], defaults: frozenset[str]) -> frozenset[str]:
    """Layers named in ``?layers=a,b`` (unknown ids ignored), else the defaults."""
    raw = st.query_params.get("layers")
    if raw is None:
        return defaults
    return frozenset(x for x in raw.split(",") if x in known)


def query_date(situation: Situation) -> dt.date:
    """The date in ``?as_of=YYYY-MM-DD`` clamped to the situation's range, else its as_of."""
    manifest = situation.manifest
    raw = st.query_params.get("as_of")
    try:
        day = dt.date.fromisoformat(raw) if raw else manifest.as_of
    except ValueError:
        day = manifest.as_of
    return min(max(day, manifest.start), manifest.end)


def layer_toggles(situation: Situation, extra: Sequence[ExtraLayer]) -> list[str]:
    """One checkbox per layer (situation layers, saved sketches, uploads); mirrored in the URL."""
    titles = {lid: layer.spec.title for lid, layer in situation.layers.items()}
    helps = {lid: layer.spec.description for lid, layer in situation.layers.items()}
    titles |= {layer.id: layer.title for layer in extra}
    defaults = default_layers(situation) | {layer.id for layer in extra}
    chosen = query_layers(list(titles), defaults)
    first_run = LAYERS_SEEN not in st.session_state
    st.session_state[LAYERS_SEEN] = True
    st.sidebar.header("Layers")
    visible = []
    for layer_id, title in titles.items():
        key = LAYER_KEY_PREFIX + layer_id
        if key not in st.session_state:
            # The URL decides on the first run; a layer added later (an upload) starts shown.
            st.session_state[key] = layer_id in chosen if first_run else True
        if st.sidebar.checkbox(md_escape(title), key=key, help=helps.get(layer_id)):
            visible.append(layer_id)
    return visible


def sidebar(situation: Situation, extra: Sequence[ExtraLayer]) -> ViewState:
    """Layer toggles, the 'as of' slider and the background; the view goes into the URL."""
    manifest = situation.manifest
    visible = layer_toggles(situation, extra)
    st.sidebar.header("Time")
    if AS_OF_KEY not in st.session_state:
        st.session_state[AS_OF_KEY] = query_date(situation)
    as_of = st.sidebar.slider(
        "Situation as of",
        min_value=manifest.start,
        max_value=manifest.end,
        key=AS_OF_KEY,
        format="YYYY-MM-DD",
        help="Hides events and claims after this day, and features not valid on it.",
    )
    st.sidebar.header("Background")
    online = st.sidebar.checkbox(
        "Online map tiles (OpenStreetMap; needs internet)", key=TILES_KEY, value=False
    )
    st.query_params["layers"] = ",".join(sorted(visible))
    st.query_params["as_of"] = as_of.isoformat()
    return ViewState(layers=frozenset(visible), as_of=as_of, tiles="osm" if online else "none")


def author() -> str:
    """Who saves sketches and uploads in this session (asked once, in the sidebar)."""
    return str(st.session_state.get(AUTHOR_KEY, "")).strip()


def uploads_panel(situation: Situation, sketch_store: SketchStore) -> None:
    """Drag-and-drop upload; a refused file shows its problems and nothing else is lost."""
    st.sidebar.header("Your layers")
    st.sidebar.text_input("Your name (saved with sketches and uploads)", key=AUTHOR_KEY)
    uploaded = st.sidebar.file_uploader(
        "Add a layer: GeoJSON, KML/KMZ, GeoPackage, zipped Shapefile, CSV with lon/lat",
        key=UPLOAD_KEY,
    )
    done: set[str] = st.session_state.setdefault(UPLOADS_DONE, set())
    if uploaded is None or uploaded.file_id in done:
        return
    done.add(uploaded.file_id)
    with st.sidebar, st.spinner(f"Checking {md_escape(uploaded.name)}..."):
        try:
            layer = read_upload(
                uploaded.getvalue(), filename=uploaded.name, extent=situation.manifest.extent
            )
            sketch_store.save(
                SketchDraft(
                    kind="layer",
                    name=layer.filename[:200],
                    content=workbench.layer_content(layer),
                    notes="\n".join(layer.notes),
                    situation=situation.id,
                ),
                base_revision=None,
                author=author() or "anonymous",
            )
        except SitmapError as err:
            problems_box(err, where=f"{uploaded.name} was not added:")
            return
    st.session_state[FLASH] = f"Added {layer.filename}: {layer.feature_count} features."
    st.rerun()


# --- corridor workbench -------------------------------------------------------------------


def measure_all(
    situation: Situation,
    items: Sequence[workbench.Candidate],
    areas: Sequence[NamedArea],
    *,
    on_error: Literal["show", "skip"] = "show",
) -> dict[str, CorridorReport]:
    """Reports for every corridor that can be measured; problems shown (or skipped), not raised.

    All corridors are measured in one vectorised call; only when one of them is refused
    are they measured one by one, so the others still get their reports.
    """
    try:
        reports = measure_many(
            [item.geometry for item in items],
            situation,
            extra_areas=areas,
            names=[item.name for item in items],
            idents=[item.id for item in items],
        )
        return {item.id: report for item, report in zip(items, reports, strict=True)}
    except SitmapError:
        pass
    measured: dict[str, CorridorReport] = {}
    for item in items:
        try:
            (report,) = measure_many(
                [item.geometry],
                situation,
                extra_areas=areas,
                names=[item.name],
                idents=[item.id],
                file=item.name,
            )
        except SitmapError as err:
            if on_error == "show":
                problems_box(err, where=f"{item.name} cannot be measured:")
            continue
        measured[item.id] = report
    return measured


def report_card(situation: Situation, report: CorridorReport) -> None:
    """The measures of one corridor, as a two-column table a person reads first."""
    analysis = situation.manifest.analysis
    rows = workbench.report_rows(
        report,
        area_label=analysis.controlled_area_label,
        line_label=analysis.control_line_label,
    )
    st.table(pd.DataFrame(rows, columns=["Measure", "Value"]).set_index("Measure"))


def save_form(situation: Situation, sketch_store: SketchStore, line: BaseGeometry) -> None:
    """Name and save the drawing: as a new corridor, or as a new revision of one being edited."""
    editing: Revision | None = st.session_state.get(EDITING)
    with st.form("save_sketch", clear_on_submit=False, border=True):
        name = st.text_input("Corridor name", value=editing.name if editing else "")
        notes = st.text_area("Notes", value=editing.notes if editing else "", height=68)
        label = f"Save as revision {editing.revision + 1} of this corridor" if editing else "Save"
        submitted = st.form_submit_button(label, type="primary")
    if not submitted:
        return
    if not author():
        st.warning("Enter your name in the sidebar first: every saved revision names its author.")
        return
    draft = SketchDraft(
        kind="corridor",
        name=name,
        content=workbench.line_content(line),
        notes=notes,
        situation=situation.id,
        sketch_id=editing.sketch_id if editing else None,
    )
    try:
        revision = sketch_store.save(
            draft, base_revision=editing.revision if editing else None, author=author()
        )
    except SitmapError as err:
        problems_box(err, where="Not saved:")
        return
    st.session_state[EDITING] = None
    st.session_state[DRAW_GENERATION] = st.session_state.get(DRAW_GENERATION, 0) + 1
    st.session_state[FLASH] = f"Saved \u201c{revision.name}\u201d (revision {revision.revision})."
    st.rerun()


def saved_panel(situation: Situation, sketch_store: SketchStore, saved: Sequence[Revision]) -> None:
    """Saved corridors: pick one to edit (draw its new line) or delete; download them all."""
    if not saved:
        st.caption("No saved corridors yet: draw a line on the map, name it, save it.")
        return
    names = {rev.sketch_id: f"{rev.name} (rev. {rev.revision}, {rev.author})" for rev in saved}
    chosen = st.selectbox("Saved corridors", list(names), format_func=names.__getitem__)
    current = next(rev for rev in saved if rev.sketch_id == chosen)
    edit_col, delete_col = st.columns(2)
    if edit_col.button("Edit: draw its new line, then save", width="stretch"):
        st.session_state[EDITING] = current
        st.rerun(scope="fragment")
    if delete_col.button("Delete", width="stretch"):
        try:
            sketch_store.delete(current.sketch_id, base_revision=current.revision, author=author())
        except SitmapError as err:
            problems_box(err, where="Not deleted:")
        else:
            st.session_state[FLASH] = f"Deleted \u201c{current.name}\u201d (kept in its history)."
            st.rerun()
    cols = st.columns(3)
    for col, fmt in zip(cols, ("geojson", "kml", "gpkg"), strict=True):
        # Built only when clicked (on its own thread): a drawing's rerun never pays for it.
        col.download_button(
            f"Download {fmt.upper()}",
            data=partial(export_file, situation, tuple(saved), fmt),
            file_name=f"{situation.id}-corridors.{fmt}",
            mime=exports.MEDIA_TYPES[fmt],
            width="stretch",
        )


def export_file(
    situation: Situation, saved: tuple[Revision, ...], fmt: exports.ExportFormat
) -> bytes:
    """Saved corridors with their measures in one export format (run on download)."""
    return exports.export_bytes(workbench.export_items(situation, saved), fmt=fmt)


def comparison(items: Sequence[workbench.Candidate], reports: dict[str, CorridorReport]) -> None:
    st.markdown("**Compare corridors**")
    label = st.selectbox("Rank by", list(RANK_CHOICES), key=RANK_BY)
    ranked = compare([reports[i.id] for i in items if i.id in reports], by=RANK_CHOICES[label])
    origins = {item.id: item.origin for item in items}
    table = workbench.comparison_table(ranked, by=RANK_CHOICES[label], origins=origins)
    st.dataframe(pd.DataFrame(table), hide_index=True, width="stretch")
    st.caption(
        "Lines of the situation's options are illustrations between sourced end points; "
        "measures against estimated areas are only as good as the estimates."
    )


@st.fragment
def map_and_workbench(
    situation: Situation,
    view: ViewState,
    extra: Sequence[ExtraLayer],
    areas: Sequence[NamedArea],
    saved: Sequence[Revision],
) -> None:
    """The map and the corridor workbench: a finished drawing reruns only this fragment."""
    generation = st.session_state.get(DRAW_GENERATION, 0)
    result = st_folium(
        base_map(situation, tiles=view.tiles),
        feature_group_to_add=view_groups(situation, view, extra=extra),
        returned_objects=["all_drawings"],
        key=f"{MAP_KEY}-{generation}",
        height=MAP_HEIGHT_PX,
        use_container_width=True,
    )
    lines = workbench.drawn_lines((result or {}).get("all_drawings"))
    sketch_store = store()
    st.subheader("Corridor workbench", divider="gray")
    if message := st.session_state.pop(FLASH, None):
        st.success(md_escape(message))
    editing: Revision | None = st.session_state.get(EDITING)
    if editing is not None:
        st.info(md_escape(f"Editing \u201c{editing.name}\u201d: draw its new line on the map."))
    drawn = [
        workbench.Candidate(f"drawing-{n}", f"Your drawing {n}", "drawing", line)
        for n, line in enumerate(lines, start=1)
    ]
    items = workbench.candidates(situation) + workbench.saved_candidates(saved) + drawn
    reports = measure_all(situation, items, areas)
    if drawn:
        latest = drawn[-1]
        st.markdown(md_escape(f"{latest.name}: measured against the situation"))
        if latest.id in reports:
            report_card(situation, reports[latest.id])
            save_form(situation, sketch_store, latest.geometry)
    else:
        st.caption(
            "Draw a corridor with the line tool (top left of the map): click each point, "
            "click the last point again to finish. It is measured at once."
        )
    comparison(items, reports)
    saved_panel(situation, sketch_store, saved)


# --- panels beside the map ----------------------------------------------------------------


def events_panel(situation: Situation, view: ViewState) -> None:
    """The latest events up to the chosen date, in time order, with precision and sources."""
    shown = total = 0
    tables = []
    sources = {s: source_text(s, situation.sources) for s in situation.sources}
    for layer in situation.layers_of(LayerKind.EVENTS):
        rows, count = event_rows(layer.frame, view.as_of)
        total += count
        shown += len(rows)
        tables.append(
            pd.DataFrame(
                {
                    "Date": rows["time"].dt.strftime("%Y-%m-%d")
                    + " ("
                    + rows["time_precision"]
                    + ")",
                    "Event": rows["title"],
                    "Actors": rows["actors"].map(", ".join),
                    "On map": rows["located"].map({True: "yes", False: "no place"}),
                    "Source": rows["source"].map(
                        lambda ids: "; ".join(sources.get(i, i) for i in ids)
                    ),
                    "How dated": rows["dating"],
                }
            )
        )
    note = f"{total} events up to {view.as_of.isoformat()}"
    if shown < total:
        note += f" (the latest {shown} listed; the map shows them all)"
    st.caption(note)
    if shown:
        st.dataframe(pd.concat(tables, ignore_index=True), hide_index=True, width="stretch")


def claims_panel(situation: Situation, view: ViewState) -> None:
    """Who says what: rival claims on each question, side by side, never one as fact."""
    st.caption("Each line is one party's claim, attributed to its source; none is shown as fact.")
    for group in claim_groups(situation, view.as_of):
        st.markdown(f"**{md_escape(group.about)}**")
        table = pd.DataFrame(
            [
                {
                    "Who": row.by,
                    "Says": row.says,
                    "Source": source_text(row.source, situation.sources),
                    "Date": row.date.isoformat(),
                    "On": row.feature_name,
                }
                for row in group.rows
            ]
        )
        st.dataframe(table, hide_index=True, width="stretch")


def sources_panel(situation: Situation) -> None:
    """Every source once, with its date and notes."""
    table = pd.DataFrame(
        [
            {
                "Id": s.id,
                "Publisher": s.publisher,
                "Title": s.title,
                "Date": s.date.isoformat(),
                "URL": s.url or "",
                "Notes": s.notes or "",
            }
            for s in situation.sources.values()
        ]
    )
    st.dataframe(table, hide_index=True, width="stretch")


def user_layers(
    situation: Situation, sketch_store: SketchStore
) -> tuple[list[Revision], list[ExtraLayer], list[NamedArea]]:
    """Saved corridors and this author's uploads, as map layers and analysis areas."""
    saved = list(sketch_store.list(kind="corridor", situation=situation.id))
    reports = measure_all(situation, workbench.saved_candidates(saved), (), on_error="skip")
    extra = [workbench.sketch_layer(saved, reports)]
    areas: list[NamedArea] = []
    if author():
        for revision in sketch_store.list(kind="layer", author=author(), situation=situation.id):
            frame = workbench.stored_layer_frame(revision)
            layer_id = workbench.upload_layer_id(revision.sketch_id)
            extra.append(workbench.upload_layer(revision.name, frame, layer_id=layer_id))
            areas += workbench.upload_areas(revision.name, frame)
    return saved, extra, areas


def removals(situation: Situation, sketch_store: SketchStore) -> None:
    """A remove button per upload of this author (a tombstone: history keeps it)."""
    if not author():
        return
    for revision in sketch_store.list(kind="layer", author=author(), situation=situation.id):
        label = f"Remove {md_escape(revision.name)}"
        if st.sidebar.button(label, key=f"remove:{revision.sketch_id}"):
            try:
                sketch_store.delete(
                    revision.sketch_id, base_revision=revision.revision, author=author()
                )
            except SitmapError as err:
                with st.sidebar:
                    problems_box(err, where="Not removed:")
            else:
                st.rerun()


def main() -> None:
    st.set_page_config(page_title="sitmap", layout="wide")
    st.markdown(PAGE_CSS, unsafe_allow_html=True)
    situation = load()
    manifest = situation.manifest
    sketch_store = store()
    saved, extra, areas = user_layers(situation, sketch_store)
    st.subheader(md_escape(manifest.title))
    st.caption("\u2139\ufe0f " + md_escape(manifest.disclaimer))
    with st.expander("About this situation"):
        st.write(md_escape(manifest.summary))
    view = sidebar(situation, extra)
    uploads_panel(situation, sketch_store)
    removals(situation, sketch_store)
    map_col, side_col = st.columns([5, 3], gap="medium")
    with map_col:
        map_and_workbench(situation, view, extra, areas, saved)
    with side_col:
        events_tab, claims_tab, sources_tab = st.tabs(["Events", "Who says what", "Sources"])
        with events_tab:
            events_panel(situation, view)
        with claims_tab:
            claims_panel(situation, view)
        with sources_tab:
            sources_panel(situation)


main()
