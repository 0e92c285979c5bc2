"""The map as one self-contained HTML file that opens from disk with no network.

:func:`standalone_html` renders the page's own map for a view (:func:`full_map`: the
situation's layers at the view's date, labels in the view's language, popups, the events
of the range on their canvas, legend, disclaimer) and puts every file it names inside the
page: Leaflet, its plugins and their CSS from ``static/vendor`` (the CDN URLs folium
names, or the local ones :func:`~sitmap.mapview.assets.use_local_assets` put in their
place), sitmap's own scripts from ``static/sitmap``, and the images the CSS names as
``data:`` URLs. What folium adds that the map does not use offline (Bootstrap, Font
Awesome) is left out; anything else that would load from outside is refused.
"""

from __future__ import annotations

import base64
import mimetypes
import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from sitmap.errors import SitmapError
from sitmap.escaping import esc
from sitmap.mapview import assets
from sitmap.mapview.layers import ExtraLayer, ViewState, full_map
from sitmap.situation import Situation

__all__ = ["inline_assets", "standalone_html"]

_SCRIPT = re.compile(r"<script\b[^>]*\bsrc\s*=\s*[\"']([^\"']+)[\"'][^>]*>\s*</script>", re.I)
_LINK = re.compile(r"<link\b[^>]*\bhref\s*=\s*[\"']([^\"']+)[\"'][^>]*/?>", re.I)
_CSS_URL = re.compile(r"url\(\s*([\"']?)([^\"')]+)\1\s*\)")


def _data_url(css_file: Path, match: re.Match[str]) -> str:
    """A CSS ``url()`` to a file beside the stylesheet, as a data: URL (others kept)."""
    target = match.group(2).strip()
    if target.startswith(("data:", "#")) or ":" in target.split("/", 1)[0]:
        return match.group(0)
    path = (css_file.parent / target.split("?", 1)[0].split("#", 1)[0]).resolve()
    if not path.is_file() or not path.is_relative_to(assets.static_dir().resolve()):
        return match.group(0)
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    encoded = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'url("data:{kind};base64,{encoded}")'


def _script(url: str) -> str:
    path = assets.local_file(url)
    if url in assets.LEAN_EXCLUDED:
        return ""
    if path is None:
        return f'<script src="{esc(url)}"></script>'  # not ours: left for the check below
    if path.name == assets.ICON_PATH_SCRIPT:
        return ""  # sets the marker images' folder by URL; the map draws no image marker
    text = assets.read_local(path, url).replace("</script", "<\\/script")
    return f"<script>/* {esc(path.name)} */\n{text}\n</script>"


def _stylesheet(tag: str, url: str) -> str:
    if url in assets.LEAN_EXCLUDED:
        return ""
    path = assets.local_file(url)
    if path is None or "stylesheet" not in tag.lower():
        return tag
    text = _CSS_URL.sub(lambda m: _data_url(path, m), assets.read_local(path, url))
    text = text.replace("</style", "<\\/style")
    return f"<style>/* {esc(path.name)} */\n{text}\n</style>"


def inline_assets(html: str, /) -> str:
    """``html`` with every local script and stylesheet it links put inside it.

    Raises:
        SitmapError: something in the page would still load from outside this file.
        AssetsMissingError: a local file is missing (``make assets`` installs them).
    """
    # stylesheets first: the scripts put inside afterwards hold '<link' text of their own
    links = [m.group(1) for m in _LINK.finditer(html) if "stylesheet" in m.group(0).lower()]
    html = _LINK.sub(lambda m: _stylesheet(m.group(0), m.group(1)), html)
    leftover = [
        url for url in links if assets.local_file(url) is None and url not in assets.LEAN_EXCLUDED
    ]
    leftover += [
        m.group(1) for m in _SCRIPT.finditer(html) if assets.local_file(m.group(1)) is None
    ]
    leftover = [url for url in leftover if url not in assets.LEAN_EXCLUDED]
    html = _SCRIPT.sub(lambda m: _script(m.group(1)), html)
    outside = assets.external_urls(html)
    if outside or leftover:
        problem = "the map would load files from outside: " + ", ".join([*outside, *leftover])
        raise SitmapError(problem, file="offline map")
    return html


def standalone_html(
    situation: Situation, view: ViewState, /, *, extra: Sequence[ExtraLayer] = ()
) -> str:
    """The view's map as one HTML file: layers, labels, popups, events; no network.

    Online tiles are never part of it (the land is the situation's own polygons).
    """
    chosen = replace(view, tiles="none")
    root = full_map(situation, chosen, extra=extra).get_root()
    html = root.render()
    title = f"<title>{esc(situation.manifest.title)} (offline map)</title>"
    html = html.replace("<head>", f'<head>\n<meta charset="utf-8">{title}', 1)
    return inline_assets(html)
