"""Keyboard and screen-reader access to the map (``static/sitmap/a11y.js``).

Part of the base map: every feature path becomes a named tab stop (its ``_label``:
name, kind, layer) that opens its popup on Enter or Space, and an "Events in view"
control lists the events drawn on the canvas as buttons. Fixed CSS and script only.
"""

from __future__ import annotations

from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template

from sitmap.mapview import assets

__all__ = ["A11Y_CSS", "KeyboardAccess"]

A11Y_CSS = """<style>
.leaflet-container path.sitmap-kbd:focus { outline: none; }
.leaflet-container path.sitmap-kbd:focus-visible { outline: 3px solid #1a56db;
  outline-offset: 2px; stroke-width: 5px; }
.leaflet-popup-content:focus { outline: none; }
.leaflet-popup-content:focus-visible { outline: 2px solid #1a56db; outline-offset: 3px; }
.sitmap-kbd-events { background: rgba(255,255,255,0.95); padding: 3px 6px; font-size: 12px;
  max-width: 300px; }
.sitmap-kbd-toggle { background: none; border: 0; padding: 2px 0; font: inherit;
  font-weight: 600; cursor: pointer; color: #1a1a1a; }
.sitmap-kbd-events ol { margin: 4px 0 0; padding-left: 1.4em; max-height: 220px;
  overflow: auto; }
.sitmap-kbd-events li { margin: 2px 0; }
.sitmap-kbd-events button:focus-visible { outline: 2px solid #1a56db; outline-offset: 1px; }
</style>"""
"""Visible focus on features, popups and the events list (constant CSS: no data in it)."""


class KeyboardAccess(JSCSSMixin, MacroElement):
    """Named, focusable features and the events list (``L.sitmapKeyboard``)."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}"""
        + A11Y_CSS
        + """{% endmacro %}
        {% macro script(this, kwargs) %}
        L.sitmapKeyboard({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )
    default_js = [("sitmap_a11y_js", assets.own_url("a11y.js"))]  # noqa: RUF012 (folium's own attribute)

    def __init__(self) -> None:
        super().__init__()
        self._name = "SitmapKeyboard"
