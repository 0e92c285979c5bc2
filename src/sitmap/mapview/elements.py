"""The map's own folium elements: page CSS, corner boxes, the events canvas and its view.

Each renders fixed markup or JSON; data strings arrive already escaped (``popups``) or go
into the page as JSON and are placed with ``textContent`` by ``static/sitmap/sitmap.js``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, cast

from branca.element import Element, Figure, JavascriptLink, MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template

from sitmap.escaping import script_safe
from sitmap.mapview import assets
from sitmap.mapview.styles import SEA_COLOUR

__all__ = [
    "CornerBox",
    "EventsLayer",
    "GeoJsonText",
    "Header",
    "ViewScript",
    "geojson_text",
    "shown_span",
]


_CSS = f"""<style>
.leaflet-container {{ background: {SEA_COLOUR}; font: 13px/1.35 system-ui, sans-serif; }}
.sitmap-popup {{ font-size: 12.5px; line-height: 1.35; }}
.sitmap-popup table {{ border-collapse: collapse; margin: 4px 0; }}
.sitmap-popup th {{ text-align: left; padding: 1px 8px 1px 0; color: #555; vertical-align: top;
  font-weight: 600; white-space: nowrap; }}
.sitmap-popup td {{ padding: 1px 4px 1px 0; vertical-align: top; }}
.sitmap-title {{ font-size: 14px; margin-bottom: 4px; }}
.sitmap-desc {{ margin: 4px 0; color: #333; max-height: 9em; overflow: auto; }}
.sitmap-warn {{ background: #fff3cd; padding: 2px 6px; margin: 2px 0 4px; border-radius: 3px; }}
.sitmap-claims {{ border-top: 1px solid #ddd; margin-top: 6px; padding-top: 4px;
  max-height: 16em; overflow: auto; }}
.sitmap-claims table td, .sitmap-claims table th {{ border-bottom: 1px solid #eee;
  padding: 2px 6px 2px 0; font-size: 12px; }}
.sitmap-h {{ font-weight: 700; }}
.sitmap-about {{ font-style: italic; margin-top: 4px; }}
.sitmap-note {{ color: #777; font-size: 11px; }}
.sitmap-approx {{ color: #8a5a00; }}
.sitmap-legend, .sitmap-disclaimer {{ background: rgba(255,255,255,0.92); padding: 4px 7px;
  border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,0.3); font-size: 11px; }}
.sitmap-legend summary {{ cursor: pointer; }}
.sitmap-legend div {{ display: flex; align-items: center; gap: 6px; margin: 1px 0; }}
.sitmap-sw {{ display: inline-block; width: 18px; height: 10px; }}
.sitmap-disclaimer {{ max-width: 300px; }}
.sitmap-eventlist ol {{ margin: 4px 0 0; padding-left: 1.4em; }}
.sitmap-eventlist li {{ margin: 2px 0; }}
.sitmap-linklike {{ background: none; border: 0; padding: 0; color: #0645ad;
  text-decoration: underline; cursor: pointer; font: inherit; text-align: start; }}
</style>"""


class Header(MacroElement):
    """Page CSS for popups, legend and background."""

    _template = Template("""{% macro header(this, kwargs) %}""" + _CSS + """{% endmacro %}""")


class CornerBox(MacroElement):
    """A fixed HTML box in a map corner; ``html`` must already be escaped."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var box = L.control({position: {{ this.position|tojson }}});
            box.onAdd = function () {
                var div = L.DomUtil.create("div", {{ this.css_class|tojson }});
                div.innerHTML = {{ this.html|tojson }};
                var details = div.querySelector("details");
                var map = {{ this._parent.get_name() }};
                if (details && map.getSize().x < {{ this.open_above_px }}) details.open = false;
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            box.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, html: str, *, position: str, css_class: str, open_above_px: int = 0) -> None:
        super().__init__()
        self.html = html
        self.open_above_px = open_above_px
        self.position = position
        self.css_class = css_class


class EventsLayer(JSCSSMixin, MacroElement):
    """Every located event as compact columns, drawn by ``SitmapPoints`` on one canvas.

    The payload (``events_payload``) travels deflated, as base64 text that the browser
    inflates (``DecompressionStream``): 100,000 synthetic events are 7.3 MB of JSON and
    about 1.5 MB in the page, and streamlit-folium copies the map script several times
    on every rerun. Base64 holds no character that HTML or Jinja would read.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = new SitmapPoints(
            "{{ this.deflated }}", {radius: {{ this.radius }}, deflated: true}
        ).addTo({{ this._parent.get_name() }});
        window.sitmapEvents = {{ this.get_name() }};
        {% endmacro %}
        """
    )
    default_js = [("sitmap_js", assets.own_url("sitmap.js"))]  # noqa: RUF012 (folium's own attribute)

    def __init__(self, deflated: str, *, radius: int) -> None:
        """Draw the deflated events payload (``eventspayload``) with points of ``radius`` px."""
        super().__init__()
        self.deflated = deflated
        self.radius = radius

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]  # as MacroElement's
        """Like JSCSSMixin/MacroElement.render, but the script joins the page as text:
        branca would parse it again as a Jinja template (megabytes of payload lexed on
        every render, and any '{{ }}' in it evaluated).
        """
        figure = cast(Figure, self.get_root())
        for name, url in self.default_js:
            figure.header.add_child(JavascriptLink(url), name=name)
        _add_script_as_text(self, kwargs)


def geojson_text(data: Mapping[str, Any], /) -> str:
    """GeoJSON as compact JSON text safe inside a <script> (``escaping.script_safe``): made
    once per layer and day (or per upload revision) and put into every run's map as is.
    """
    return script_safe(json.dumps(data, separators=(",", ":")))


def shown_span(start_ms: int | None, end_ms: int | None, /) -> dict[str, int]:
    """A map feature's ``_from``/``_until`` properties: the span of days it is shown
    (epoch ms, UTC; ``analysis.timeline.shown_spans_ms``), the unbounded ends left out.
    ``static/sitmap/timeline.js`` shows the feature on a day whose cutoff lies in it.
    """
    span = {}
    if start_ms is not None:
        span["_from"] = start_ms
    if end_ms is not None:
        span["_until"] = end_ms
    return span


class GeoJsonText(MacroElement):
    """A GeoJSON layer drawn as ``folium.GeoJson`` draws it: points as circle markers of
    ``radius`` px, each feature styled by its ``style`` property (a Leaflet path style),
    ``on_each_feature`` run on each. Its data is JSON text made beforehand
    (:func:`geojson_text`) and the script joins the page as text: folium's element
    serialises its data and branca lexes the result as a Jinja template on every render,
    which was most of a rerun's map time.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJson(null, {
            interactive: {{ this.interactive|tojson }},
            pointToLayer: function (feature, latlng) {
                return L.circleMarker(latlng, {
                    radius: {{ this.radius }}, fill: true,
                    interactive: {{ this.interactive|tojson }}
                });
            },
            {%- if this.on_each_feature %}
            onEachFeature: {{ this.on_each_feature }},
            {%- endif %}
            style: function (feature) { return (feature.properties || {}).style; }
        });
        {{ this.get_name() }}.addData({{ this.text }});
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        text: str,
        *,
        radius: int,
        on_each_feature: str | None = None,
        interactive: bool = True,
    ) -> None:
        """``text`` from :func:`geojson_text`; ``on_each_feature`` a JS function (feature,
        layer) as source text, fixed by sitmap (never from data).
        """
        super().__init__()
        self._name = "GeoJsonText"
        self.text = text
        self.radius = radius
        self.on_each_feature = on_each_feature
        self.interactive = interactive

    def render(self, **kwargs: Any) -> None:  # type: ignore[override]  # as MacroElement's
        """As MacroElement.render, but the script joins the page as text (see the class)."""
        _add_script_as_text(self, kwargs)


def _add_script_as_text(element: MacroElement, kwargs: dict[str, Any], /) -> None:
    """Put ``element``'s rendered script macro into its page as text: branca would parse it
    again as a Jinja template (lexing its data on every render, and running any '{{ }}').
    """
    figure = cast(Figure, element.get_root())
    script = element._template.module.__dict__["script"]
    figure.script.add_child(_ScriptText(script(element, kwargs)), name=element.get_name())


class _ScriptText(Element):
    """Script text that is already rendered: put into the page as is."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self, **_kwargs: Any) -> str:
        return self.text


class ViewScript(MacroElement):
    """What one rerun tells the map (``window.sitmapView`` in static/sitmap/sitmap.js):
    the date range (epoch ms, UTC) of the features and events shown, the events'
    visibility, a feature to open, and the number of the range the page took last.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        if (window.sitmapView) { window.sitmapView({{ this.options_json }}); }
        {% endmacro %}
        """
    )

    def __init__(
        self,
        *,
        cutoff_ms: int,
        since_ms: int | None,
        events_visible: bool,
        focus: str | None,
        seq: int = 0,
    ) -> None:
        """Events from ``since_ms`` to ``cutoff_ms`` (None: no start), shown or not, and
        features on the map at ``cutoff_ms``; focus the feature or event with id ``focus``
        (None: none). ``seq``: the page's range is number ``seq`` (``timeline.js`` keeps
        a range of its own with a higher number, not yet taken by the page).
        """
        super().__init__()
        options = {
            "cutoff_ms": cutoff_ms,
            "since_ms": since_ms,
            "events_visible": events_visible,
            "focus": focus,
            "seq": seq,
        }
        # inert as HTML and as Jinja (branca re-reads scripts as templates)
        self.options_json = script_safe(json.dumps(options, separators=(",", ":")))
