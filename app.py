"""sitmap: the Streamlit page. Layout, widgets and session state only; the library does the work.

Run with ``make run`` (or ``streamlit run app.py``). The situation folder comes from
``SITMAP_SITUATION`` (default ``geodata/rafah-2025-11``).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from sitmap import assets
from sitmap.errors import SitmapError
from sitmap.mapview import ViewState, base_map, default_layers, view_groups
from sitmap.popups import md_escape, source_text
from sitmap.schema import LayerKind
from sitmap.situation import Situation, load_situation
from sitmap.timeline import claim_groups, events_until

assets.use_local_assets()

ROOT = Path(__file__).resolve().parent
SITUATION_DIR = Path(os.environ.get("SITMAP_SITUATION", ROOT / "geodata" / "rafah-2025-11"))
MAP_KEY = "situation_map"
LAYER_KEY_PREFIX = "layer:"
AS_OF_KEY = "as_of"
TILES_KEY = "tiles_online"
MAP_HEIGHT_PX = 680


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


def query_layers(situation: Situation) -> frozenset[str]:
    """Layers named in ``?layers=a,b`` (unknown ids ignored), else the defaults."""
    raw = st.query_params.get("layers")
    if raw is None:
        return default_layers(situation)
    return frozenset(x for x in raw.split(",") if x in situation.layers)


def query_date(situation: Situation) -> dt.date:
    """The date in ``?as_of=YYYY-MM-DD`` clamped to the situation's range, else its as_of."""
    manifest = situation.manifest
    raw = st.query_params.get("as_of")
    try:
        day = dt.date.fromisoformat(raw) if raw else manifest.as_of
    except ValueError:
        day = manifest.as_of
    return min(max(day, manifest.start), manifest.end)


def sidebar(situation: Situation) -> ViewState:
    """Layer toggles, the 'as of' slider and the background choice; mirrored in the URL."""
    manifest = situation.manifest
    chosen = query_layers(situation)
    st.sidebar.header("Layers")
    visible = []
    for layer in situation.layers.values():
        key = LAYER_KEY_PREFIX + layer.id
        if key not in st.session_state:
            st.session_state[key] = layer.id in chosen
        if st.sidebar.checkbox(layer.spec.title, key=key, help=layer.spec.description):
            visible.append(layer.id)
    st.sidebar.header("Time")
    if AS_OF_KEY not in st.session_state:
        st.session_state[AS_OF_KEY] = query_date(situation)
    as_of = st.sidebar.slider(
        "Situation as of",
        min_value=manifest.start,
        max_value=manifest.end,
        key=AS_OF_KEY,
        format="YYYY-MM-DD",
        help="Hides events after this day and features not valid on it.",
    )
    st.sidebar.header("Background")
    online = st.sidebar.checkbox(
        "Online map tiles (OpenStreetMap; needs internet)", key=TILES_KEY, value=False
    )
    st.query_params["layers"] = ",".join(sorted(visible))
    st.query_params["as_of"] = as_of.isoformat()
    return ViewState(layers=frozenset(visible), as_of=as_of, tiles="osm" if online else "none")


@st.fragment
def map_panel(situation: Situation, view: ViewState) -> None:
    """The map; panning and zooming rerun nothing, a finished drawing reruns this fragment."""
    st_folium(
        base_map(situation, tiles=view.tiles),
        feature_group_to_add=view_groups(situation, view),
        returned_objects=["all_drawings"],
        key=MAP_KEY,
        height=MAP_HEIGHT_PX,
        use_container_width=True,
    )


def events_panel(situation: Situation, view: ViewState) -> None:
    """Events up to the chosen date, in time order, with precision and sources."""
    rows = []
    for layer in situation.layers_of(LayerKind.EVENTS):
        for _, event in events_until(layer.frame, view.as_of).iterrows():
            rows.append(
                {
                    "Date": f"{pd.Timestamp(event['time']).date()} ({event['time_precision']})",
                    "Event": event["title"],
                    "Actors": ", ".join(event["actors"]),
                    "On map": "yes" if event.geometry is not None else "no place",
                    "Source": "; ".join(source_text(s, situation.sources) for s in event["source"]),
                    "How dated": event["dating"],
                }
            )
    st.caption(f"{len(rows)} events up to {view.as_of.isoformat()}")
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def claims_panel(situation: Situation, view: ViewState) -> None:
    """Who says what: rival claims on each question, side by side, never one as fact."""
    groups = claim_groups(situation, view.as_of)
    st.caption("Each line is one party's claim, attributed to its source; none is shown as fact.")
    for group in groups:
        st.subheader(md_escape(group.about), divider="gray")
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


PAGE_CSS = "<style>.block-container { padding-top: 2.2rem; padding-bottom: 1rem; }</style>"
"""Our own constant CSS (no data in it): a tighter page so the map fits on screen."""


def main() -> None:
    st.set_page_config(page_title="sitmap", layout="wide")
    st.markdown(PAGE_CSS, unsafe_allow_html=True)
    situation = load()
    manifest = situation.manifest
    st.subheader(md_escape(manifest.title))
    st.caption("\u2139\ufe0f " + md_escape(manifest.disclaimer))
    with st.expander("About this situation"):
        st.write(md_escape(manifest.summary))
    view = sidebar(situation)
    map_col, side_col = st.columns([5, 3], gap="medium")
    with map_col:
        map_panel(situation, view)
    with side_col:
        events_tab, claims_tab, sources_tab = st.tabs(["Events", "Who says what", "Sources"])
        with events_tab:
            events_panel(situation, view)
        with claims_tab:
            claims_panel(situation, view)
        with sources_tab:
            sources_panel(situation)


main()
