"""Smallest page with sitmap's kind of map: does it render completely with no internet?

Run by tests/e2e/test_offline_assets.py. ``static`` next to this file is a symlink to the
repository's ``static`` folder, which Streamlit serves at /app/static. With
``SITMAP_PROBE_CDN=1`` it leaves folium's CDN URLs alone, to show what the harness sees
when assets are not local.
"""

from __future__ import annotations

import os

import folium
import folium.plugins
import streamlit as st
from streamlit_folium import st_folium

from sitmap.mapview.assets import use_local_assets

if os.environ.get("SITMAP_PROBE_CDN") != "1":
    use_local_assets()

SECTOR = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"name": "Sector A"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [[34.23, 31.27], [34.27, 31.27], [34.27, 31.30], [34.23, 31.30], [34.23, 31.27]]
                ],
            },
        }
    ],
}

st.title("Offline probe")
m = folium.Map(location=[31.285, 34.25], zoom_start=13, tiles=None, control_scale=True)
m.options["maxZoom"] = 18
folium.GeoJson(
    SECTOR,
    name="Sectors",
    style_function=lambda _feature: {"color": "#c0392b", "fillColor": "#e67e22", "weight": 3},
    popup=folium.GeoJsonPopup(fields=["name"], labels=False),
    tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
).add_to(m)
folium.Marker([31.29, 34.26], popup=folium.Popup("HQ Alpha"), tooltip="HQ").add_to(m)
cluster = folium.plugins.MarkerCluster(name="Units").add_to(m)
for lat, lon in [(31.2955, 34.2355), (31.2957, 34.2358), (31.2953, 34.2361)]:
    folium.Marker([lat, lon]).add_to(cluster)
folium.plugins.Draw(
    draw_options={
        "polyline": True,
        "polygon": False,
        "rectangle": False,
        "circle": False,
        "circlemarker": False,
        "marker": False,
    }
).add_to(m)
folium.plugins.Fullscreen().add_to(m)
folium.LayerControl().add_to(m)

out = st_folium(m, returned_objects=["all_drawings"], key="probe", height=480)
drawings = (out or {}).get("all_drawings") or []
st.write(f"DRAWINGS: {len(drawings)}")
