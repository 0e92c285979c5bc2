"""The timeline in the map's corner: a day back, a day on, play (``static/sitmap/timeline.js``).

Part of the base map: the situation's first and last days, the pace of play and the
control's words, none of them from data. The map holds every feature of the period with
the days it is shown, so a step is drawn by the browser alone, at once; it is then
reported to the page, whose tables and URL follow (``page.timeline.reported_range``).
"""

from __future__ import annotations

import json
from typing import Final

from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template

from sitmap.escaping import script_safe
from sitmap.mapview import assets
from sitmap.schema import Manifest

__all__ = ["PLAY_LABEL", "STEP_SECONDS", "TIME_CSS", "TIME_TEXTS", "TimeControl"]

PLAY_LABEL: Final = "Play: step through the days"
"""The play button's name (what a screen reader says and a test clicks)."""

STEP_SECONDS: Final = 1.0
"""How long play shows each day, seconds."""

TIME_TEXTS: Final = {
    "group": "Timeline: the map of a day",
    "back": "Day before",
    "next": "Next day",
    "play": PLAY_LABEL,
    "stop": "Stop playing",
    "play_short": "Play",
    "stop_short": "Stop",
    "map_of": "Map of",
    "events_from": "Events shown from",
}
"""The control's words (``timeline.js`` places them with ``textContent``)."""

TIME_CSS: Final = """<style>
.sitmap-time { display: flex; align-items: center; gap: 4px; background: rgba(255,255,255,0.95);
  padding: 3px 5px; border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,0.3);
  font: 12px/1.3 system-ui, sans-serif; }
.sitmap-time button { font: inherit; min-width: 28px; min-height: 26px; padding: 1px 6px;
  border: 1px solid #b6bec9; border-radius: 3px; background: #fff; color: #1a1a1a;
  cursor: pointer; }
.sitmap-time button:hover { background: #eef2f7; }
.sitmap-time button:disabled { color: #999; cursor: default; background: #f4f4f4; }
.sitmap-time button:focus-visible { outline: 2px solid #1a56db; outline-offset: 1px; }
.sitmap-time .sitmap-time-play[aria-pressed="true"] { background: #1f5fbf; color: #fff;
  border-color: #1f5fbf; }
.sitmap-time-day { font-weight: 600; white-space: nowrap; padding: 0 2px; }
</style>"""
"""The control's look (constant CSS: no data in it)."""


class TimeControl(JSCSSMixin, MacroElement):
    """Back, the day shown, on and play, in the map's lower left (``window.sitmapTime``)."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}"""
        + TIME_CSS
        + """{% endmacro %}
        {% macro script(this, kwargs) %}
        window.sitmapTime.attach({{ this._parent.get_name() }}, {{ this.options_json }});
        {% endmacro %}
        """
    )
    default_js = [("sitmap_timeline_js", assets.own_url("timeline.js"))]  # noqa: RUF012 (folium's own attribute)

    def __init__(self, manifest: Manifest, /) -> None:
        """Step through the days of ``manifest``'s period (start to end, UTC days)."""
        super().__init__()
        self._name = "SitmapTime"
        options = {
            "first": manifest.start.isoformat(),
            "last": manifest.end.isoformat(),
            "step_ms": int(STEP_SECONDS * 1000),
            "texts": TIME_TEXTS,
        }
        # inert as HTML and as Jinja (branca re-reads scripts as templates)
        self.options_json = script_safe(json.dumps(options, separators=(",", ":")))
