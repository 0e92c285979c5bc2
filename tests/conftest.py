"""Tiny fixtures shared by the unit tests: the real situation, copies of it to break."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sitmap.settings import DEFAULT_SITUATION, REPO_ROOT
from sitmap.store import Revision

REPO = REPO_ROOT
RAFAH = DEFAULT_SITUATION
HOSTILE_SCRIPT = "<script>alert(1)</script>"


def stored_revision(name: str, content: dict, kind: str = "corridor") -> Revision:
    """A stored revision of ``content`` as the store returns it, its author and notes hostile."""
    return Revision(
        sketch_id="abc",
        revision=2,
        kind=kind,
        name=name,
        author=HOSTILE_SCRIPT,
        created_at="2025-11-10T09:00:00Z",
        notes=HOSTILE_SCRIPT,
        situation="rafah-2025-11",
        deleted=False,
        created_by="dana",
        content_json=json.dumps(content),
    )


def point_feature(ident: str = "p1", lon: float = 34.25, lat: float = 31.28, **props: Any) -> dict:
    """A valid place feature in Rafah; keyword arguments override properties."""
    base = {
        "id": ident,
        "name": "Test place",
        "kind": "landmark",
        "source": ["wikipedia_rafah"],
        "as_of": "2025-11-10",
        "accuracy_m": 100,
        "approximate": False,
    }
    base.update(props)
    return {
        "type": "Feature",
        "properties": {k: v for k, v in base.items() if v is not ...},
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
    }


def collection(*features: dict) -> dict:
    return {"type": "FeatureCollection", "features": list(features)}


@pytest.fixture
def situation_copy(tmp_path: Path) -> Path:
    """A writable copy of the Rafah situation."""
    target = tmp_path / "rafah-2025-11"
    shutil.copytree(RAFAH, target)
    return target


@pytest.fixture
def write_layer(situation_copy: Path) -> Callable[[str, Any], Path]:
    """Replace one layer file of the copied situation with JSON (or raw bytes)."""

    def write(name: str, content: Any) -> Path:
        path = situation_copy / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
        return path

    return write


@pytest.fixture
def write_places(write_layer: Callable[[str, Any], Path]) -> Callable[[Any], Path]:
    """Replace the copied situation's places layer with JSON. The rival version about one
    of its places (``versions_wikipedia.geojson``, about ``najjar_hospital``) is emptied
    with it, so the copy stays a valid situation."""

    def write(content: Any) -> Path:
        write_layer("versions_wikipedia.geojson", collection())
        return write_layer("places.geojson", content)

    return write


def line_feature(coords: Any, ident: Any = None, **props: Any) -> dict:
    """A GeoJSON Feature holding a LineString of [lon, lat] positions (no schema checks)."""
    feature: dict[str, Any] = {
        "type": "Feature",
        "properties": props,
        "geometry": {"type": "LineString", "coordinates": [list(p) for p in coords]},
    }
    if ident is not None:
        feature["id"] = ident
    return feature
