"""The page's own fixed words: labels, help and notes (no data in any of them)."""

from __future__ import annotations

from typing import Final

from sitmap.io import ExportFormat

PAGE_CSS: Final = (
    "<style>.block-container { padding-top: 2.2rem; padding-bottom: 1rem; }"
    ' div[data-testid="stCaptionContainer"] { color: #5e5d5c; opacity: 1; }</style>'
)
"""A tighter page so the map fits on screen, and captions dark enough to read: Streamlit's
caption (its text colour at 60 % opacity, #828180) is 3.9:1 on white, below the 4.5:1
WCAG AA asks of small text (axe-core); #5e5d5c is 6.6:1 (constant CSS: no data in it)."""

AS_OF_LABEL: Final = "Situation as of"
DAY: Final = "YYYY-MM-DD"
AS_OF_HELP: Final = "Hides events and claims after this day, and features not valid on it."
TILES_LABEL: Final = "Online map tiles (OpenStreetMap; needs internet)"
NAME_LABEL: Final = "Your name (saved with sketches and uploads)"
UPLOAD_LABEL: Final = (
    "Add a layer: GeoJSON, KML/KMZ, GeoPackage, zipped Shapefile, CSV with lon/lat"
)
UPLOAD_AS_LABEL: Final = "Add the file as"
UPLOAD_AS: Final = ("layer", "events")
"""An upload is a map layer, or events on the timeline."""
UPLOAD_AS_HELP: Final = (
    "events: each row of a table (an ACLED export, a spreadsheet) becomes a dated event on "
    "the timeline, with its precision and sources"
)
DRAW_HINT: Final = (
    "Draw a corridor with the line tool (top left of the map): click each point, "
    "click the last point again to finish. It is measured at once."
)
NAME_FIRST: Final = "Enter your name in the sidebar first: every saved revision names its author."
NO_SAVED: Final = "No saved corridors yet: draw a line on the map, name it, save it."
EDIT_BUTTON: Final = "Edit: draw its new line, then save"
COMPARISON_NOTE: Final = (
    "Lines of the situation's options are illustrations between sourced end points; "
    "measures against estimated areas are only as good as the estimates."
)
CLAIMS_NOTE: Final = (
    "Each line is one party's claim, attributed to its source; none is shown as fact."
)
EXPORT_FORMATS: Final[tuple[ExportFormat, ...]] = ("geojson", "kml", "gpkg")
"""The download buttons under the saved corridors, in order."""
LANGUAGE_LABEL: Final = "Names on the map in"
MAP_FIRST: Final = (
    "The map is drawn first; the layer list, the timeline and the tables follow in a moment."
)
SEARCH_LABEL: Final = "Find a place"
SEARCH_HELP: Final = "A name in English, Arabic or Hebrew, or a spelling sources use (al-Jneina)."
NO_MATCH: Final = "No place of this situation has that name."
RANGE_LABEL: Final = "Time range: events from, map as of"
RANGE_HELP: Final = (
    "The map shows the features of the last day and the events from the first day to it."
    " Step a day at a time, or play, with the buttons in the map's lower left."
)
NAME_FOR_UPLOAD: Final = "Type your name above to add a layer: every upload names who added it."
SHARE_LABEL: Final = "Link to this view"
SHARE_NOTE: Final = "Layers, time range, centre, zoom, selection, language and background."
EVENTS_HINT: Final = "Pick an event to zoom the map to it and open it."
COMPARISON_HINT: Final = "Pick a corridor to zoom the map to it and open it."
DETAILS: Final = "Details"
TABS: Final = (
    "Corridor workbench",
    "Events",
    "Who says what",
    "Sources",
    "Text view",
    "Notes and comments",
)
"""The tabs under the map's timeline, in order."""
ONE_PERSON_NOTE: Final = (
    "One-person mode: no sign-in is configured, so sitmap is a tool for the one person at "
    "this machine (it listens on 127.0.0.1 only) and you may change everything here. To "
    "serve a team, configure sign-in (README, Sign-in and roles)."
)
SIGN_IN_TITLE: Final = "Sign in"
SIGN_IN_NOTE: Final = (
    "This sitmap is shared by a team: sign in to see the map, and to save corridors, "
    "uploads, annotations and comments in your own name."
)
SIGN_IN_BUTTON: Final = "Sign in"
SIGN_OUT_BUTTON: Final = "Sign out"
ROLES_TITLE: Final = "People and roles"
ROLE_USER_LABEL: Final = "Email (or identity) of the person"
ROLES_HELP: Final = (
    "Viewers read; editors also add, and change or delete what they added; admins change "
    "anything, mark annotations checked and give roles."
)
NOTES_HINT: Final = (
    "Draw a point, line or area on the map, then describe it here: it is shown to everyone "
    "as yours and unverified until an admin marks it checked."
)
VIEWER_NOTE: Final = (
    "You are a viewer here: you can read everything; an admin can make you an editor."
)
