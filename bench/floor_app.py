"""The floor for page speed: the plainest Streamlit page that shows the situation's layers.

One ``folium.Map`` at the situation's initial view, one ``folium.GeoJson`` per layer the
situation shows at first (``visible = true`` in ``situation.toml``), events included, given
to ``st_folium`` with nothing returned; Leaflet served locally as sitmap serves it
(``use_local_assets``). No labels, no popups, no timeline, no tables: nothing sitmap adds.
``bench/run.py`` runs it beside ``app.py`` and times both from navigation to the map drawn.

Run by hand: ``.venv/bin/streamlit run bench/floor_app.py`` (``SITMAP_SITUATION`` picks
the folder, as for the app).
"""

from __future__ import annotations

import json
import tomllib

import folium
import streamlit as st
from streamlit_folium import st_folium

from sitmap.mapview.assets import use_local_assets
from sitmap.settings import situation_dir

use_local_assets()
folder = situation_dir()
manifest = tomllib.loads((folder / "situation.toml").read_text(encoding="utf-8"))
view = manifest["view"]
fmap = folium.Map(location=[view["lat"], view["lon"]], zoom_start=view["zoom"], tiles=None)
for layer in manifest["layers"]:
    if layer.get("visible", True):
        data = json.loads((folder / layer["file"]).read_text(encoding="utf-8"))
        folium.GeoJson(data, name=layer["id"]).add_to(fmap)
st.set_page_config(page_title="floor", layout="wide")
st_folium(fmap, returned_objects=[], height=640, use_container_width=True)
