"""The folium map: base map, the view's layers, user layers, events payload, popups, styles.

Builds map HTML from a :class:`~sitmap.situation.Situation` and what a person chose to
see; Leaflet and plugin files are served locally (:mod:`sitmap.mapview.assets`).
"""

from sitmap.mapview.assets import offline_problems, use_local_assets
from sitmap.mapview.basemap import MAX_ZOOM, Tiles, base_map
from sitmap.mapview.eventspayload import (
    decode_events_payload,
    deflated_events_payload,
    events_payload,
)
from sitmap.mapview.layers import (
    ExtraLayer,
    Language,
    ViewState,
    default_layers,
    feature_collection,
    full_map,
    layer_geojson,
    view_groups,
)
from sitmap.mapview.popups import popup_html, source_text, tooltip_html, upload_popup_html
from sitmap.mapview.standalone import standalone_html
from sitmap.mapview.userlayers import (
    ANNOTATION_LAYER_ID,
    SKETCH_LAYER_ID,
    annotation_layer,
    sketch_layer,
    upload_feature_name,
    upload_layer,
    upload_layer_id,
)

__all__ = [
    "ANNOTATION_LAYER_ID",
    "MAX_ZOOM",
    "SKETCH_LAYER_ID",
    "ExtraLayer",
    "Language",
    "Tiles",
    "ViewState",
    "annotation_layer",
    "base_map",
    "decode_events_payload",
    "default_layers",
    "deflated_events_payload",
    "events_payload",
    "feature_collection",
    "full_map",
    "layer_geojson",
    "offline_problems",
    "popup_html",
    "sketch_layer",
    "source_text",
    "standalone_html",
    "tooltip_html",
    "upload_feature_name",
    "upload_layer",
    "upload_layer_id",
    "upload_popup_html",
    "use_local_assets",
    "view_groups",
]
