"""Tests for the ``sitmap measure`` and ``sitmap export`` commands (sitmap.cli)."""

from __future__ import annotations

import itertools
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyogrio
import pytest
from geographiclib.geodesic import Geodesic

from sitmap.cli import main
from sitmap.corridors import CLI_KEYS
from tests.conftest import REPO, collection, line_feature

WGS84 = Geodesic.WGS84
LINES = [
    [(34.279611, 31.272498), (34.279757, 31.317052)],  # Option A: out across the yellow line
    [(34.25, 31.28), (34.26, 31.29), (34.27, 31.285)],
    [(34.2, 31.25), (34.22, 31.23)],
]


def geodesic_length(coords: list[tuple[float, float]]) -> float:
    return sum(WGS84.Inverse(a[1], a[0], b[1], b[0])["s12"] for a, b in itertools.pairwise(coords))


def write(tmp_path: Path, doc: Any, name: str = "lines.geojson") -> Path:
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    return path


@pytest.fixture
def lines_file(tmp_path: Path) -> Path:
    return write(
        tmp_path,
        collection(
            line_feature(LINES[0], ident="route-a", name="Route A"),
            line_feature(LINES[1], name="Route <b>B</b>"),
            line_feature(LINES[2], id="route-c"),
        ),
    )


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sitmap.cli", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, **(env or {})},
        timeout=120,
        check=False,
    )


def check_json_output(text: str) -> list[dict[str, Any]]:
    out = json.loads(text)
    assert isinstance(out, list) and len(out) == len(LINES)
    for obj, coords in zip(out, LINES, strict=True):
        assert tuple(obj) == CLI_KEYS
        assert obj["length_m"] == pytest.approx(geodesic_length(coords), abs=1e-3)
        assert isinstance(obj["control_line_crossings"], int)
        assert 0 <= obj["length_in_controlled_m"] <= obj["length_m"] + 1e-6
        assert all(set(p) == {"area", "length_m"} for p in obj["passes_through"])
        assert set(obj["nearest_crossing"]) == {"name", "distance_m"}
        assert obj["assumptions"]["walk_kmh"] == 4.0
        assert obj["assumptions"]["drive_kmh"] == 20.0
        assert obj["walk_minutes"] == pytest.approx(obj["length_m"] / (4000 / 60))
    assert [o["id"] for o in out] == ["route-a", 1, "route-c"]
    assert out[0]["control_line_crossings"] == 1
    assert "Jenina (al-Jneina) neighbourhood (estimate)" in out[0]["start_in"]
    return out


def test_measure_json_in_a_subprocess(lines_file: Path) -> None:
    result = run("measure", str(lines_file))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    check_json_output(result.stdout)


def test_measure_json_in_process(lines_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["measure", str(lines_file), "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    check_json_output(captured.out)


def test_measure_takes_the_situation_from_the_option_or_the_environment(
    lines_file: Path, situation_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["measure", str(lines_file), "--situation", str(situation_copy)]) == 0
    from_option = json.loads(capsys.readouterr().out)
    result = run("measure", str(lines_file), env={"SITMAP_SITUATION": str(situation_copy)})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == from_option


def test_measure_speeds_can_be_overridden(
    lines_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["measure", str(lines_file), "--walk-kmh", "5", "--drive-kmh", "40"]) == 0
    first = json.loads(capsys.readouterr().out)[0]
    assert first["assumptions"]["walk_kmh"] == 5.0
    assert first["drive_minutes"] == pytest.approx(first["length_m"] / (40_000 / 60))


def test_measure_table_states_units_and_speeds(
    lines_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["measure", str(lines_file), "--format", "table"]) == 0
    out = capsys.readouterr().out
    header = out.splitlines()[0]
    for unit in ("length km", "in controlled km (%)", "crossings", "walk min", "drive min"):
        assert unit in header
    assert "Route A" in out and "Route <b>B</b>" in out and "route-c" in out
    assert "walking 4 km/h, driving 20 km/h" in out
    assert "%)" in out.splitlines()[2]
    assert "Measured against estimated geometry:" in out


BAD_FILES = {
    "not json": ("{oops", r"-: not valid JSON"),
    "a point": (
        collection(
            {
                "type": "Feature",
                "properties": {"id": "here"},
                "geometry": {"type": "Point", "coordinates": [34.25, 31.28]},
            }
        ),
        r"here: not a LineString \(Point\); sitmap measure takes lines",
    ),
    "no geometry": (
        collection({"type": "Feature", "properties": {}, "geometry": None}),
        r"#0: no geometry \(null\); sitmap measure takes lines",
    ),
    "outside the extent": (
        collection(line_feature([(34.25, 31.28), (35.1, 31.2)], ident="far")),
        r"far: corridor leaves the situation extent at lon 35\.1, lat 31\.2",
    ),
    "one position": (
        collection(line_feature([(34.25, 31.28)], ident="dot")),
        r"dot: a LineString needs at least 2 positions",
    ),
    "no features": (collection(), r"-: no features; sitmap measure takes a FeatureCollection"),
    "not a collection": ('{"type": "Topology"}', r"-: top level must be a FeatureCollection"),
    "empty": ("", r"-: file is empty"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_measure_refuses_bad_files_with_file_feature_problem_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    content, message = BAD_FILES[case]
    path = write(tmp_path, content)
    assert main(["measure", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert lines and all(line.startswith(f"{path}: ") for line in lines)
    assert any(re.search(message, line) for line in lines), lines


def test_measure_reports_every_bad_feature_in_a_subprocess(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        collection(
            line_feature(LINES[1], ident="fine"),
            {
                "type": "Feature",
                "properties": {},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[34.2, 31.2], [34.3, 31.2], [34.3, 31.3], [34.2, 31.2]]],
                },
            },
            line_feature([(34.25, 31.28), (35.1, 31.2)], ident="far"),
        ),
    )
    result = run("measure", str(path))
    assert result.returncode == 1
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        f"{path}: #1: not a LineString (Polygon); sitmap measure takes lines",
        f"{path}: far: corridor leaves the situation extent at lon 35.1, lat 31.2 "
        "(lon 34.1..34.6, lat 31.15..31.65)",
    ]


def test_measure_refuses_a_missing_file_a_folder_and_a_bad_situation(
    tmp_path: Path, lines_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["measure", str(tmp_path / "nope.geojson")]) == 1
    assert capsys.readouterr().err.strip().endswith("nope.geojson: -: file does not exist")
    assert main(["measure", str(tmp_path)]) == 1
    assert "is a directory" in capsys.readouterr().err
    assert main(["measure", str(lines_file), "--situation", str(tmp_path)]) == 1
    assert "situation.toml: -: file does not exist" in capsys.readouterr().err
    assert main(["measure", str(lines_file), "--walk-kmh", "-3"]) == 1
    err = capsys.readouterr().err
    assert err.strip() == f"{lines_file}: -: walking speed -3.0 km/h must be a positive number"


def test_measure_usage_errors_exit_2(lines_file: Path) -> None:
    with pytest.raises(SystemExit) as err:
        main(["measure", str(lines_file), "--format", "xml"])
    assert err.value.code == 2


# --- export -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["geojson", "kml", "gpkg"])
def test_export_writes_each_format(
    lines_file: Path, tmp_path: Path, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / f"out.{fmt}"
    assert main(["export", str(lines_file), "--format", fmt, "--out", str(out)]) == 0
    assert f"wrote 3 corridor(s) to {out} ({fmt}," in capsys.readouterr().out
    frame = pyogrio.read_dataframe(out)
    names = frame["Name"] if fmt == "kml" else frame["name"]
    assert list(names) == ["Route A", "Route <b>B</b>", "route-c"]
    assert frame["length_m"].iloc[0] == pytest.approx(geodesic_length(LINES[0]), abs=1e-3)
    assert set(frame["note"]) == {"illustrative sketch; implies no endorsement"}
    assert not list(tmp_path.glob(".*.partial"))


def test_export_infers_the_format_and_writes_to_stdout(lines_file: Path, tmp_path: Path) -> None:
    result = run("export", str(lines_file), "--out", "-", "--format", "geojson")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert [f["properties"]["corridor_id"] for f in doc["features"]] == ["route-a", "1", "route-c"]
    kml = tmp_path / "c.kml"
    assert main(["export", str(lines_file), "--out", str(kml)]) == 0
    assert kml.read_bytes().startswith(b"<?xml")


def test_export_refuses_bad_output_and_bad_input(
    lines_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", str(lines_file), "--out", str(tmp_path / "c.txt")]) == 1
    assert "c.txt: -: cannot tell the format from the file name" in capsys.readouterr().err
    target = tmp_path / "missing" / "c.gpkg"
    assert main(["export", str(lines_file), "--out", str(target)]) == 1
    assert f"{target}: -: cannot be written:" in capsys.readouterr().err
    bad = write(tmp_path, collection(line_feature([(34.25, 31.28)], ident="dot")), "bad.geojson")
    assert main(["export", str(bad), "--out", str(tmp_path / "c.geojson")]) == 1
    err = capsys.readouterr().err
    assert err.strip() == f"{bad}: dot: a LineString needs at least 2 positions"
    assert not (tmp_path / "c.geojson").exists()
