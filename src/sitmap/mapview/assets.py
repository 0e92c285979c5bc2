"""Serve Leaflet and its plugins from local files, so the map works with no internet.

folium names its JS/CSS as CDN URLs in the ``default_js``/``default_css`` class
attributes; both ``Figure.render()`` and streamlit-folium read them from there. Offline
the first CDN script fails and the map stays blank with no message. ``use_local_assets()``
rewrites those attributes to the files ``make assets`` puts in ``static/vendor`` (served by
Streamlit at ``/app/static/vendor``) and drops what sitmap does not use: Bootstrap, Font
Awesome, glyphicons and awesome-markers, which only ``folium.Icon`` needs ("lean" set).

This module is the one place that knows asset URLs. Map code should use only the
layers and plugins in ``OFFLINE_PLUGINS`` (plus folium's core vector layers, GeoJson,
Popup, Tooltip, FeatureGroup, LayerControl and the default ``Marker`` icon), and can
call ``offline_problems()`` to check a map before it is shown.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit

import branca.colormap
import folium
import folium.plugins
from branca.element import Element

from sitmap.errors import AssetsMissingError
from sitmap.settings import OWN_STATIC_DIR, VENDOR_DIR

__all__ = [
    "DEFAULT_BASE_URL",
    "ICON_PATH_SCRIPT",
    "LEAN_EXCLUDED",
    "LOCAL_PATHS",
    "OFFLINE_PLUGINS",
    "OWN_BASE_URL",
    "SETUP_COMMAND",
    "external_urls",
    "is_local_url",
    "local_file",
    "offline_problems",
    "own_dir",
    "own_url",
    "read_local",
    "required_files",
    "static_dir",
    "use_local_assets",
]

DEFAULT_BASE_URL: Final = "/app/static/vendor"
"""Where Streamlit serves ``static/vendor`` (``server.enableStaticServing``)."""

SETUP_COMMAND: Final = "make assets"
"""What a person runs to install the local files."""

ICON_PATH_SCRIPT: Final = "leaflet-icon-path.js"
"""Sets ``L.Icon.Default.imagePath``; loaded right after leaflet.js (written by the
vendoring script)."""

_JSDELIVR: Final = "https://cdn.jsdelivr.net/npm"
_CDNJS: Final = "https://cdnjs.cloudflare.com/ajax/libs"

LOCAL_PATHS: Final[dict[str, str]] = {
    f"{_JSDELIVR}/leaflet@1.9.3/dist/leaflet.js": "leaflet/leaflet.js",
    f"{_JSDELIVR}/leaflet@1.9.3/dist/leaflet.css": "leaflet/leaflet.css",
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery/jquery.min.js",
    f"{_CDNJS}/leaflet.draw/1.0.2/leaflet.draw.js": "leaflet-draw/leaflet.draw.js",
    f"{_CDNJS}/leaflet.draw/1.0.2/leaflet.draw.css": "leaflet-draw/leaflet.draw.css",
    f"{_CDNJS}/leaflet.markercluster/1.1.0/leaflet.markercluster.js": (
        "leaflet.markercluster/leaflet.markercluster.js"
    ),
    f"{_CDNJS}/leaflet.markercluster/1.1.0/MarkerCluster.css": (
        "leaflet.markercluster/MarkerCluster.css"
    ),
    f"{_CDNJS}/leaflet.markercluster/1.1.0/MarkerCluster.Default.css": (
        "leaflet.markercluster/MarkerCluster.Default.css"
    ),
    f"{_JSDELIVR}/leaflet.fullscreen@3.0.0/Control.FullScreen.min.js": (
        "leaflet.fullscreen/Control.FullScreen.js"
    ),
    f"{_JSDELIVR}/leaflet.fullscreen@3.0.0/Control.FullScreen.css": (
        "leaflet.fullscreen/Control.FullScreen.css"
    ),
}
"""folium 0.20.0's CDN URL -> file under ``static/vendor`` (npm versions pinned to match)."""

LEAN_EXCLUDED: Final[frozenset[str]] = frozenset(
    {
        f"{_JSDELIVR}/bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js",
        f"{_JSDELIVR}/bootstrap@5.2.2/dist/css/bootstrap.min.css",
        "https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css",
        f"{_JSDELIVR}/@fortawesome/fontawesome-free@6.2.0/css/all.min.css",
        f"{_CDNJS}/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.js",
        f"{_CDNJS}/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.css",
        "https://cdn.jsdelivr.net/gh/python-visualization/folium/folium/templates/"
        "leaflet.awesome.rotate.min.css",
    }
)
"""folium.Map defaults that only ``folium.Icon`` needs; dropped, never vendored."""

OFFLINE_PLUGINS: Final[tuple[type[Element], ...]] = (
    folium.plugins.Draw,
    folium.plugins.Fullscreen,
    folium.plugins.MarkerCluster,
    folium.plugins.FastMarkerCluster,
)
"""folium plugins whose files are vendored; any other plugin would load from a CDN."""

_LEAFLET_JS: Final = f"{_JSDELIVR}/leaflet@1.9.3/dist/leaflet.js"
_LINK_ATTRS: Final = ("default_js", "default_css")

# (class, attribute) -> the attribute as folium defined it, kept so that every call
# rewrites from the original: idempotent, and a later base_url replaces an earlier one.
_ORIGINALS: dict[tuple[type[Element], str], list[tuple[str, str]]] = {}


OWN_BASE_URL: Final = "/app/static/sitmap"
"""Where Streamlit serves sitmap's own browser code (``static/sitmap``, committed)."""


def own_url(name: str, /) -> str:
    """URL of one of sitmap's own static files (e.g. ``sitmap.js``)."""
    return f"{OWN_BASE_URL}/{name}"


def own_dir() -> Path:
    """The repository's ``static/sitmap`` folder: sitmap's own JS, not third-party code."""
    return OWN_STATIC_DIR


_OWN_PREFIX: Final = OWN_BASE_URL.rstrip("/") + "/"
_VENDOR_MARK: Final = "/static/vendor/"


def local_file(url: str, /) -> Path | None:
    """The file a script or stylesheet URL stands for (a vendored CDN URL, a rewritten
    ``/static/vendor/`` URL or one of sitmap's own); None when it is not one of ours.
    """
    if url in LOCAL_PATHS:
        return static_dir() / LOCAL_PATHS[url]
    if url.startswith(_OWN_PREFIX):
        return own_dir() / url[len(_OWN_PREFIX) :]
    if _VENDOR_MARK in url and not url.lower().startswith(("http:", "https:", "//")):
        return static_dir() / url.split(_VENDOR_MARK, 1)[1]
    return None


def read_local(path: Path, url: str, /) -> str:
    """The text of ``path`` (the file ``url`` names), which must lie in ``static/vendor``
    or ``static/sitmap``.

    Raises:
        AssetsMissingError: it is not an installed local file (``make assets``).
    """
    root = path.resolve()
    allowed = (static_dir().resolve(), own_dir().resolve())
    if not any(root.is_relative_to(folder) for folder in allowed) or not root.is_file():
        problem = f"{url} is not an installed local file; run `{SETUP_COMMAND}`"
        raise AssetsMissingError(problem, file=str(path))
    return root.read_text(encoding="utf-8")


def static_dir() -> Path:
    """Return the repository's ``static/vendor`` folder (it may not exist yet)."""
    return VENDOR_DIR


def required_files() -> list[str]:
    """Return every file under ``static/vendor`` that the rewritten links name."""
    return sorted({*LOCAL_PATHS.values(), ICON_PATH_SCRIPT})


def is_local_url(url: str) -> bool:
    """Tell whether loading ``url`` stays on this machine (relative, root-relative,
    ``data:``/``blob:``, or an absolute URL to localhost).
    """
    parts = urlsplit(url.strip())
    if parts.scheme in {"data", "blob", "about", "javascript"}:
        return True
    if not parts.scheme and not parts.netloc:
        return True
    return parts.hostname in {"localhost", "127.0.0.1", "::1"}


def _element_classes() -> Iterator[type[Element]]:
    """Yield ``Element`` and every subclass loaded so far, each once."""
    seen: set[type[Element]] = set()
    stack: list[type[Element]] = [Element]
    while stack:
        cls = stack.pop()
        if cls in seen:
            continue
        seen.add(cls)
        yield cls
        stack.extend(cls.__subclasses__())


def _rewrite(links: list[tuple[str, str]], base: str) -> list[tuple[str, str]]:
    """Map vendored CDN URLs to ``base``, drop lean-excluded ones, keep the rest."""
    out: list[tuple[str, str]] = []
    for name, url in links:
        if url in LEAN_EXCLUDED:
            continue
        local = LOCAL_PATHS.get(url)
        out.append((name, f"{base}/{local}" if local else url))
        if url == _LEAFLET_JS:
            out.append(("leaflet_icon_path", f"{base}/{ICON_PATH_SCRIPT}"))
    return out


def use_local_assets(*, base_url: str = DEFAULT_BASE_URL) -> None:
    """Point every folium/branca class at the local files under ``base_url``.

    Call it once before any map is rendered (top of the app); calling it again is
    harmless. The patch is process-wide: it changes class attributes. With a
    ``server.baseUrlPath``, pass ``base_url=f"/{path}/app/static/vendor"``.

    Raises:
        AssetsMissingError: a file of ``static/vendor`` is missing; nothing is changed.
    """
    root = static_dir()
    missing = [name for name in required_files() if not (root / name).is_file()]
    if missing:
        shown = ", ".join(missing[:3]) + (", ..." if len(missing) > 3 else "")
        problem = (
            f"{len(missing)} of the map's local Leaflet files are missing ({shown}); "
            f"without them the map stays blank. Run `{SETUP_COMMAND}` to install them."
        )
        raise AssetsMissingError(problem, file=str(root))
    base = base_url.rstrip("/")
    for cls in list(_element_classes()):
        for attr in _LINK_ATTRS:
            key = (cls, attr)
            if key not in _ORIGINALS:
                if attr not in vars(cls):
                    continue  # inherited: rewritten on the class that defines it
                _ORIGINALS[key] = list(vars(cls)[attr])
            original = _ORIGINALS[key]
            rewritten = _rewrite(original, base)
            if rewritten != original:
                setattr(cls, attr, rewritten)


def offline_problems(root: Element) -> list[str]:
    """List what in ``root``'s tree would make a browser reach the internet.

    The same walk as streamlit-folium's: every element's ``default_js``/``default_css``
    links that are not local, plus branca colormaps (st_folium adds d3 from a CDN for
    them) and ``folium.Icon`` (needs awesome-markers, dropped by the lean set). Empty
    means the map is safe offline, as far as its assets go; tiles are not checked here
    (use ``external_urls`` on the rendered HTML).
    """
    problems: list[str] = []
    for element in _walk(root):
        label = type(element).__name__
        if isinstance(element, branca.colormap.ColorMap):
            problems.append(f"{label}: st_folium loads d3 from a CDN for colormaps")
        if isinstance(element, folium.Icon):
            problems.append(f"{label}: needs awesome-markers, which is not vendored")
        for attr in _LINK_ATTRS:
            problems.extend(
                f"{label}: {url}"
                for _name, url in getattr(element, attr, [])
                if not is_local_url(url)
            )
    return list(dict.fromkeys(problems))


def _walk(element: Element) -> Iterator[Element]:
    """Yield ``element`` and all its children, depth first."""
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


_URL_PATTERNS: Final[tuple[re.Pattern[str], ...]] = tuple(
    re.compile(p, re.IGNORECASE | re.DOTALL)
    for p in (
        # <script src>, <img src>, <iframe src>, <source src>, ... (not <a href>)
        r"<(?:script|img|iframe|source|video|audio|embed|input|track)\b[^>]*?"
        r"\bsrc\s*=\s*[\"']?([^\"'\s>]+)",
        r"<link\b[^>]*?\bhref\s*=\s*[\"']?([^\"'\s>]+)",
        r"<object\b[^>]*?\bdata\s*=\s*[\"']?([^\"'\s>]+)",
        # CSS: url(...) and @import "..."
        r"url\(\s*[\"']?([^\"')\s]+)",
        r"@import\s+[\"']([^\"']+)",
        # Leaflet layers that fetch by URL template
        r"L\.(?:tileLayer(?:\.wms)?|imageOverlay|videoOverlay)\(\s*[\"'`]([^\"'`]+)",
        # scripts fetching data (folium GeoJson with embed=False uses $.ajax)
        r"(?:fetch|\$\.getJSON|\$\.get)\(\s*[\"'`]([^\"'`]+)",
        r"\$\.ajax\(\s*\{[^}]*?\burl\s*:\s*[\"'`]([^\"'`]+)",
    )
)


def external_urls(html: str) -> list[str]:
    """Return every absolute (http, https or ``//``) URL that ``html`` would load and
    that leaves this machine, in order of first appearance, without duplicates.

    Looks at element ``src``, ``<link href>``, CSS ``url()``/``@import``, Leaflet tile,
    image and video layer templates and data fetches; links a person must click
    (``<a href>``) are not loads and are ignored.
    """
    found: list[tuple[int, str]] = []
    for pattern in _URL_PATTERNS:
        for match in pattern.finditer(html):
            url = match.group(1).strip()
            absolute = url.lower().startswith(("http://", "https://", "//"))
            if absolute and not is_local_url(url):
                found.append((match.start(1), url))
    return list(dict.fromkeys(url for _pos, url in sorted(found)))
