"""Take the view away: a briefing (PDF, PNG), the offline map file, the shown layers.

Each download is made only when its button is clicked (Streamlit calls the function then,
on its own), never on a rerun: a briefing takes seconds to draw.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import streamlit as st

from sitmap.briefing import BRIEFING_MEDIA_TYPES, BriefingRequest, briefing_bytes
from sitmap.io import MEDIA_TYPES
from sitmap.io.layerexports import layers_bytes, shown_records
from sitmap.mapview import SKETCH_LAYER_ID, ExtraLayer, ViewState
from sitmap.mapview.standalone import standalone_html
from sitmap.page.workbench import MeasuredCorridors, candidates
from sitmap.page.workspace import Workspace
from sitmap.situation import Situation

__all__ = ["briefing_panel"]

LABEL = "Briefing, offline map, layers"
NOTE = (
    "Made from this view: the layers, the time range, the names' language and the corridors "
    "on the map. The briefing is a landscape map page (legend, scale, dates, disclaimer) "
    "then the comparison, the claims, the events and the sources. The offline map opens "
    "from the file with no internet."
)
PAPERS = {"a4": "A4", "letter": "Letter"}
LAYER_FORMATS = ("geojson", "kml", "gpkg")


@dataclass(frozen=True)
class _Source:
    """What a download is made from: the situation, its measured corridors and the extra
    layers drawn. Not the workspace: Streamlit keeps a button's function (and what it
    holds) after its session has ended, and a workspace holds every stored upload.
    """

    situation: Situation
    measured: MeasuredCorridors
    extra: tuple[ExtraLayer, ...]

    @classmethod
    def of(cls, ws: Workspace, /) -> _Source:
        return cls(ws.situation, ws.measured, tuple(ws.extra))


def _corridors(source: _Source, view: ViewState) -> set[str]:
    """The corridors on the map: the situation's options and saved ones whose layer shows."""
    options = {item.id for item in candidates(source.situation)}
    shown_options = any(
        layer.spec.kind.value == "corridors" and layer.id in view.layers
        for layer in source.situation.layers.values()
    )
    chosen = set()
    for item in source.measured.measured():
        if (item.id in options and shown_options) or (
            item.id not in options and SKETCH_LAYER_ID in view.layers
        ):
            chosen.add(item.id)
    return chosen


def _briefing(source: _Source, view: ViewState, paper: str, fmt: str) -> bytes:
    request = BriefingRequest(
        view=view,
        measured=source.measured,
        corridors=_corridors(source, view),
        paper=paper,
        extra=source.extra,
    )
    return briefing_bytes(source.situation, request, fmt=fmt)


def _offline_map(source: _Source, view: ViewState) -> bytes:
    return standalone_html(source.situation, view, extra=source.extra).encode("utf-8")


def _layers(situation: Situation, view: ViewState, fmt: str) -> bytes:
    records = shown_records(situation, view.layers, view.as_of, since=view.since)
    return layers_bytes(records, fmt=fmt)


def briefing_panel(ws: Workspace, view: ViewState) -> None:
    """Download buttons for the briefing, the offline map and the shown layers."""
    stem = f"{ws.situation.id}-{view.as_of.isoformat()}"
    source = _Source.of(ws)
    with st.popover(LABEL):
        st.caption(NOTE)
        paper = st.radio(
            "Paper", list(PAPERS), format_func=PAPERS.__getitem__, horizontal=True, key="paper"
        )
        for col, fmt in zip(st.columns(2), ("pdf", "png"), strict=True):
            col.download_button(
                f"Briefing ({fmt.upper()})",
                partial(_briefing, source, view, paper, fmt),
                file_name=f"{stem}-briefing-{paper}.{fmt}",
                mime=BRIEFING_MEDIA_TYPES[fmt],
                width="stretch",
                on_click="ignore",  # no rerun: it would drop the file before it is fetched
            )
        st.download_button(
            "Offline map (HTML, no internet needed)",
            partial(_offline_map, source, view),
            file_name=f"{stem}-map.html",
            mime="text/html",
            width="stretch",
            on_click="ignore",
        )
        for col, fmt in zip(st.columns(3), LAYER_FORMATS, strict=True):
            col.download_button(
                f"Layers {fmt.upper()}",
                partial(_layers, ws.situation, view, fmt),
                file_name=f"{stem}-layers.{fmt}",
                mime=MEDIA_TYPES[fmt],
                width="stretch",
                on_click="ignore",  # no rerun: it would drop the file before it is fetched
            )
