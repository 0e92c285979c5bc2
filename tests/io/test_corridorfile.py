"""Tests for sitmap.io.corridorfile: reading a GeoJSON file of corridor lines."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sitmap.errors import CorridorError, ValidationError
from sitmap.io import read_corridor_file
from sitmap.situation import Situation, load_situation
from tests.conftest import RAFAH, collection, line_feature


@pytest.fixture(scope="module")
def rafah() -> Situation:
    return load_situation(RAFAH)


def write(tmp_path: Path, doc: Any, name: str = "lines.geojson") -> Path:
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    return path


def test_read_corridor_file_ids_names_and_shapes(tmp_path: Path, rafah: Situation) -> None:
    path = write(
        tmp_path,
        collection(
            line_feature([(34.25, 31.28), (34.26, 31.29)], ident="geo-id", id="prop-id"),
            line_feature([(34.25, 31.28), (34.26, 31.29)], id="prop-id", name=" Route 1 "),
            line_feature([(34.25, 31.28), (34.26, 31.29)], ident=7),
            line_feature([(34.25, 31.28), (34.26, 31.29)]),
        ),
    )
    read = read_corridor_file(path, extent=rafah.manifest.extent)
    assert [(c.id, c.name) for c in read] == [
        ("geo-id", None),
        ("prop-id", "Route 1"),
        (7, None),
        (3, None),
    ]
    assert all(c.geometry.geom_type == "LineString" for c in read)


def test_read_corridor_file_takes_a_bare_line_or_feature(tmp_path: Path, rafah: Situation) -> None:
    geometry = {"type": "LineString", "coordinates": [[34.25, 31.28], [34.26, 31.29]]}
    bare = read_corridor_file(write(tmp_path, geometry), extent=rafah.manifest.extent)
    one = read_corridor_file(
        write(tmp_path, line_feature([(34.25, 31.28), (34.26, 31.29)], name="x"), "f.json"),
        extent=rafah.manifest.extent,
    )
    assert [c.id for c in bare] == [0] and [c.name for c in one] == ["x"]


def test_read_corridor_file_reports_every_problem_in_order(
    tmp_path: Path, rafah: Situation
) -> None:
    path = write(
        tmp_path,
        collection(
            {
                "type": "Feature",
                "properties": {"id": "pt"},
                "geometry": {"type": "Point", "coordinates": [34.25, 31.28]},
            },
            line_feature([(34.25, 31.28), (35.1, 31.2)], ident="far"),
            {"type": "Feature", "properties": {}, "geometry": None},
            {
                "type": "Feature",
                "properties": {},
                "geometry": {"type": "LineString", "coordinates": [[34.25, 31.28]]},
            },
            line_feature([(34.25, 31.28), (34.26, 31.29)], ident="ok"),
        ),
    )
    with pytest.raises(CorridorError) as err:
        read_corridor_file(path, extent=rafah.manifest.extent, purpose="sitmap test")
    lines = str(err.value).splitlines()
    assert lines == [
        f"{path}: pt: not a LineString (Point); sitmap test takes lines",
        f"{path}: far: corridor leaves the situation extent at lon 35.1, lat 31.2 "
        "(lon 34.1..34.6, lat 31.15..31.65)",
        f"{path}: #2: no geometry (null); sitmap test takes lines",
        f"{path}: #3: a LineString needs at least 2 positions",
    ]


@pytest.mark.parametrize(
    ("content", "error", "message"),
    [
        ('{"type": "FeatureCollection", "features": []}', CorridorError, r"-: no features;"),
        ('{"type": "Point", "coordinates": [34.25, 31.28]}', CorridorError, r"must be a Feat"),
        ("[1, 2", ValidationError, r"not valid JSON"),
        ("", ValidationError, r"file is empty"),
    ],
)
def test_read_corridor_file_refuses_unusable_files(
    tmp_path: Path, rafah: Situation, content: str, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        read_corridor_file(write(tmp_path, content), extent=rafah.manifest.extent)


def test_read_corridor_file_refuses_a_missing_file(tmp_path: Path, rafah: Situation) -> None:
    with pytest.raises(ValidationError, match=r"missing\.geojson: -: file does not exist"):
        read_corridor_file(tmp_path / "missing.geojson", extent=rafah.manifest.extent)
