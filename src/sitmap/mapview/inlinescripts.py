"""Library scripts carried inside the map's own script instead of linked one by one.

streamlit-folium loads a map's linked scripts one after another, each waiting for the
last (about 70 ms apiece on a busy laptop), before it runs the map's script: six links
cost more than the rest of the first view. So the local scripts that may run once the map
exists (jQuery, which folium's popups use, the marker-icon path and sitmap's own
``static/sitmap`` code) travel as text at the head of the map's children's script, in the
order they were linked. Leaflet stays a link (streamlit-folium needs it before anything),
and so do Leaflet.draw and the fullscreen control: they hook into the creation of every
map (``L.Map.addInitHook``), which comes before any child's script.

The text is read from the installed files (``make assets``), never committed, and put
into the page as is: branca would otherwise parse it again as a Jinja template.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any, Final, cast

import folium
from branca.element import Element, Figure, MacroElement
from folium.template import Template

from sitmap.mapview import assets
from sitmap.mapview.elements import _ScriptText

__all__ = ["InlineScripts", "inline_library_scripts"]

_KEPT_AS_LINK: Final = frozenset(
    {
        "leaflet/leaflet.js",
        "leaflet-draw/leaflet.draw.js",
        "leaflet.fullscreen/Control.FullScreen.js",
    }
)
"""Files of ``static/vendor`` that stay links: Leaflet, and plugins with hooks on map
creation (whether named by their CDN URL or by the local one)."""


class InlineScripts(MacroElement):
    """Script text that runs before the rest of the map's script (its first child)."""

    _template = Template("{% macro script(this, kwargs) %}{{ this.text }}{% endmacro %}")

    def __init__(self, text: str) -> None:
        """Run ``text`` (JavaScript, already safe inside a ``<script>`` element)."""
        super().__init__()
        self._name = "InlineScripts"
        self.text = text

    def render(self, **_kwargs: Any) -> None:  # type: ignore[override]  # as MacroElement's
        """Put the text into the page's script as is (not through Jinja)."""
        figure = cast(Figure, self.get_root())
        figure.script.add_child(_ScriptText(self.text), name=self.get_name())


@cache
def _script_text(url: str) -> str:
    """The installed file ``url`` names, safe inside ``<script>`` (read once per process)."""
    path = assets.local_file(url)
    if path is None:  # pragma: no cover - only local URLs are passed
        msg = f"not a local script: {url}"
        raise ValueError(msg)
    text = assets.read_local(path, url).replace("</script", "<\\/script")
    return f"/* {path.name} */\n{text}\n"


def _inlined(url: str) -> bool:
    path = assets.local_file(url)
    if path is None:
        return False
    vendor = assets.static_dir()
    return not (
        path.is_relative_to(vendor) and path.relative_to(vendor).as_posix() in _KEPT_AS_LINK
    )


def _walk(element: Element) -> Iterator[Element]:
    yield element
    for child in list(getattr(element, "_children", {}).values()):
        yield from _walk(child)


def inline_library_scripts(fmap: folium.Map, /) -> None:
    """Carry ``fmap``'s local library scripts inside its script (see the module's note).

    Changes only this map's elements (their ``default_js``, per instance) and adds one
    :class:`InlineScripts` as its first child. Call it once the map holds every element
    that links a script.

    Raises:
        AssetsMissingError: a linked local file is not installed (``make assets``).
    """
    urls: list[str] = []
    for element in _walk(fmap):
        links = getattr(element, "default_js", None)
        if not links:
            continue
        kept = []
        for name, url in links:
            if _inlined(url):
                urls.append(url)
            else:
                kept.append((name, url))
        if kept != list(links):
            element.default_js = kept  # type: ignore[attr-defined]  # this instance only
    scripts = InlineScripts("".join(_script_text(url) for url in dict.fromkeys(urls)))
    fmap.add_child(scripts)
    fmap._children.move_to_end(scripts.get_name(), last=False)
