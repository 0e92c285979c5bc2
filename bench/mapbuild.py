"""Build the map page two ways, for the same situation and view, and time it.

- sitmap: ``mapview.full_map`` (every located event as compact columns on one canvas).
- naive: the same page, but the events as folium does them by default: one
  ``folium.Marker`` with a ``folium.Popup`` per event (``_EventsLayer`` removed), the
  popup showing the same fields as sitmap's (title, kind, date and precision, sources,
  actors, accuracy, estimate or not, description), escaped.

Each build is timed from a loaded situation to the page's HTML text, in seconds; sizes are
bytes of UTF-8. ``python -m bench.mapbuild naive N OUT`` builds the naive page for the demo
situation with N events in a child process (its time and memory stay out of the parent).
"""

from __future__ import annotations

import datetime as dt
import html
import json
import sys
import time
from pathlib import Path
from typing import Any

import folium
import pandas as pd

from sitmap import caching
from sitmap.demo import write_demo_situation
from sitmap.mapview import ViewState, assets, default_layers, full_map
from sitmap.mapview.elements import EventsLayer
from sitmap.mapview.popups import source_text
from sitmap.schema import LayerKind
from sitmap.situation import Situation, load_situation

AS_OF = dt.date(2025, 11, 30)
"""Every synthetic event is on or before the demo's last day: all are shown."""


def view_of(situation: Situation) -> ViewState:
    """The default layers at the situation's last day (every event shown)."""
    return ViewState(layers=default_layers(situation), as_of=situation.manifest.end)


def sitmap_page(situation: Situation) -> str:
    """sitmap's page HTML, events payload built afresh (no cache)."""
    caching.clear_all()
    return full_map(situation, view_of(situation)).get_root().render()


def _popup_html(event: Any, situation: Situation) -> str:
    e = html.escape
    rows = [
        ("What", f"event: {event['kind']}"),
        ("When", f"{pd.Timestamp(event['time']).date().isoformat()} ({event['time_precision']})"),
        ("Source", " | ".join(source_text(s, situation.sources) for s in event["source"])),
        ("Actors", ", ".join(event["actors"])),
        ("Accuracy", f"\u00b1{event['accuracy_m']} m"),
        ("Geometry", "approximate: an estimate" if event["approximate"] else "as sourced"),
    ]
    table = "".join(f"<tr><th>{e(k)}</th><td>{e(str(v))}</td></tr>" for k, v in rows)
    desc = event["description"] if isinstance(event["description"], str) else ""
    return (
        f'<div class="sitmap-popup"><div class="sitmap-title"><b>{e(event["title"])}</b></div>'
        f'<table>{table}</table><div class="sitmap-desc">{e(desc)}</div></div>'
    )


def naive_map(situation: Situation) -> folium.Map:
    """The same page with the events as one Marker and Popup each."""
    m = full_map(situation, view_of(situation))
    for key, child in list(m._children.items()):
        if isinstance(child, EventsLayer):
            del m._children[key]
    group = folium.FeatureGroup(name="Events (one marker each)")
    for layer in situation.layers_of(LayerKind.EVENTS):
        frame = layer.frame[layer.frame.geometry.notna()]
        for (_, event), point in zip(frame.iterrows(), frame.geometry, strict=True):
            popup = folium.Popup(_popup_html(event, situation), max_width=440)
            folium.Marker([point.y, point.x], popup=popup).add_to(group)  # folium: [lat, lon]
    group.add_to(m)
    return m


def naive_page(situation: Situation) -> str:
    return naive_map(situation).get_root().render()


def main() -> None:
    """``naive N OUT``: write the naive page for N demo events to OUT; print JSON timings."""
    _, which, count, out = sys.argv
    assets.use_local_assets()
    situation = load_situation(write_demo_situation(int(count)))
    start = time.perf_counter()
    page = naive_page(situation) if which == "naive" else sitmap_page(situation)
    seconds = time.perf_counter() - start
    data = page.encode("utf-8")
    Path(out).write_bytes(data)
    print(json.dumps({"seconds": seconds, "bytes": len(data)}))


if __name__ == "__main__":
    main()
