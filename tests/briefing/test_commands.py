"""``sitmap brief``, ``export-map`` and ``export-layers``: the view chosen with options."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sitmap.cli import main

from .conftest import pdf_text


def test_brief_writes_a_pdf_of_the_chosen_view(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "brief.pdf"
    argv = [
        "brief",
        "--out",
        str(out),
        "--from",
        "2025-11-01",
        "--to",
        "2025-11-20",
        "--layers",
        "context,control,neighbourhoods,corridors",
        "--corridors",
        "corridor_surrender",
        "--lang",
        "ar",
        "--paper",
        "letter",
    ]
    assert main(argv) == 0
    assert "wrote the briefing (pdf, letter)" in capsys.readouterr().out
    text = " ".join(pdf_text(out.read_bytes(), tmp_path).split())
    assert "Map as of 2025-11-20; events from 2025-11-01 to 2025-11-20" in text
    assert "الجنينة" in text
    compared = text.split("Corridor comparison")[1].split("Who says what")[0]
    assert "surrender" in compared and "deportation abroad" not in compared


def test_export_map_and_layers_write_their_files(tmp_path: Path) -> None:
    html = tmp_path / "map.html"
    assert main(["export-map", "--out", str(html), "--lang", "he"]) == 0
    assert "leaflet" in html.read_text(encoding="utf-8").lower()
    layers = tmp_path / "shown.geojson"
    assert main(["export-layers", "--out", str(layers), "--layers", "all"]) == 0
    doc = json.loads(layers.read_text(encoding="utf-8"))
    assert {f["properties"]["layer"] for f in doc["features"]} >= {"control", "events"}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--layers", "nope"], "options: --layers: no layer nope"),
        (["--corridors", "nope"], "options: --corridors: no corridor nope"),
        (["--as-of", "2024-01-01"], "options: --as-of/--to: 2024-01-01 is outside the situation"),
        (["--from", "2025-11-20", "--to", "2025-11-10"], "options: --from: 2025-11-20 is after"),
        (["--as-of", "2025-11-10", "--to", "2025-11-11"], "both name the map's day"),
    ],
)
def test_a_wrong_choice_names_its_option_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    out = tmp_path / "brief.pdf"
    assert main(["brief", "--out", str(out), *argv]) == 1
    assert message in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize(
    "argv",
    [
        ["brief", "--out", "brief.docx"],
        ["export-map", "--out", "map.pdf"],
        ["export-layers", "--out", "layers.shp"],
        ["brief", "--out", "b.pdf", "--as-of", "28/11/2025"],
        ["brief", "--out", "b.pdf", "--paper", "a3"],
        ["brief", "--out", "b.pdf", "--lang", "fr"],
    ],
)
def test_a_malformed_option_is_a_usage_error(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == 2
