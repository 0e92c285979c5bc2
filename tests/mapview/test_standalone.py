"""The offline map file: one HTML with every script and stylesheet inside, nothing outside."""

from __future__ import annotations

import re

import pytest

from sitmap.errors import SitmapError
from sitmap.mapview import assets
from sitmap.mapview.standalone import inline_assets, standalone_html
from sitmap.situation import Situation

from .conftest import view


def test_every_asset_is_inside_the_file(rafah: Situation) -> None:
    html = standalone_html(rafah, view(rafah))
    assert not re.search(r"<script\b[^>]*\bsrc=", html)
    assert not re.search(r"<link\b[^>]*stylesheet", html)
    assert assets.external_urls(html) == []
    for name in ("leaflet.js", "sitmap.js", "labels.js", "leaflet.css", "leaflet.draw.css"):
        assert f"/* {name} */" in html
    assert "url(images/" not in html  # CSS images are data: URLs
    assert "data:image/png;base64," in html
    assert "<title>" in html and rafah.manifest.title[:20] in html


def test_online_tiles_are_never_part_of_it(rafah: Situation) -> None:
    from dataclasses import replace

    html = standalone_html(rafah, replace(view(rafah), tiles="osm"))
    assert "tile.openstreetmap.org" not in html


def test_a_script_from_outside_is_refused() -> None:
    page = '<html><head><script src="https://cdn.example.org/x.js"></script></head></html>'
    with pytest.raises(SitmapError, match=r"cdn\.example\.org/x\.js"):
        inline_assets(page)


def test_a_local_link_outside_the_asset_folders_is_refused() -> None:
    page = '<html><head><script src="/app/static/vendor/../../pyproject.toml"></script></head>'
    with pytest.raises(SitmapError, match="not an installed local file"):
        inline_assets(page)
