"""Tests for the ``sitmap measure`` and ``sitmap export`` commands (sitmap.cli)."""

from __future__ import annotations

import itertools
import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyogrio
import pytest
from geographiclib.geodesic import Geodesic

from sitmap.analysis.corridors import CLI_KEYS
from sitmap.cli import main
from tests.conftest import RAFAH, REPO, collection, line_feature

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
        assert set(obj["nearest_crossing"]) == {
            "name",
            "distance_m",
            "distance_m_min",
            "distance_m_max",
        }
        near = obj["nearest_crossing"]
        assert near["distance_m_min"] <= near["distance_m"] <= near["distance_m_max"]
        for key in ("length_m", "control_line_crossings", "length_in_controlled_m"):
            assert obj[f"{key}_min"] <= obj[key] <= obj[f"{key}_max"], key
        for key in ("walk_minutes", "drive_minutes"):
            assert obj[f"{key}_min"] <= obj[key] <= obj[f"{key}_max"], key
        assert "army-held area \u00b1600 m" in obj["ranges_from"]
        assert obj["assumptions"]["walk_kmh"] == 4.0
        assert obj["assumptions"]["drive_kmh"] == 20.0
        assert obj["walk_minutes"] == pytest.approx(obj["length_m"] / (4000 / 60))
    assert [o["id"] for o in out] == ["route-a", 1, "route-c"]
    assert out[0]["control_line_crossings"] == 1
    # a line as drawn is exact: its length has no range; what it crosses has one
    assert out[0]["length_m_min"] == out[0]["length_m"] == out[0]["length_m_max"]
    assert out[0]["length_in_controlled_m_min"] < out[0]["length_in_controlled_m_max"]
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


def test_measure_ranges_use_each_lines_own_accuracy(capsys: pytest.CaptureFixture[str]) -> None:
    # the situation's options are illustrative, drawn to +/-2600 m: each end may move that far
    options = RAFAH / "corridors.geojson"
    assert main(["measure", str(options)]) == 0
    for obj in json.loads(capsys.readouterr().out):
        assert obj["length_m_max"] - obj["length_m"] == pytest.approx(5200)
        assert obj["length_m_min"] == pytest.approx(max(0.0, obj["length_m"] - 5200))
        assert "corridor \u00b12600 m" in obj["ranges_from"]
    assert main(["measure", str(options), "--format", "table"]) == 0
    out = capsys.readouterr().out
    assert "(0\u201310)" in out  # 5 km, give or take 5.2 km: rounded to what is known
    assert "In brackets: the range the positional accuracy allows" in out


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
    with pytest.raises(SystemExit) as exited:
        main(["measure", str(lines_file), "--walk-kmh", "-3"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "argument --walk-kmh: must be a speed in km/h from 0.01 to 1000, got '-3'" in err


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


ACLED_CSV = (
    "event_id_cnty,event_date,time_precision,event_type,sub_event_type,actor1,actor2,location,"
    "latitude,longitude,geo_precision,source,notes,fatalities\n"
    "PSE1,2025-11-09,1,Battles,Armed clash,Hamas,Military Forces of Israel,Rafah,31.28,34.25,1,"
    "Reuters,Clashes near the tunnels.,0\n"
    "PSE2,2025-11-10,3,Battles,Armed clash,Hamas,,Rafah,31.28,34.25,2,Al Jazeera,,0\n"
)


def test_import_as_events_prints_an_events_layer_that_validates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = tmp_path / "acled.csv"
    table.write_text(ACLED_CSV, encoding="utf-8")
    assert main(["import", str(table), "--as", "events"]) == 0
    out = tmp_path / "events.geojson"
    out.write_text(capsys.readouterr().out, encoding="utf-8")
    doc = json.loads(out.read_text(encoding="utf-8"))
    precisions = [f["properties"]["time_precision"] for f in doc["features"]]
    assert precisions == ["day", "month"]
    assert main(["validate", str(out)]) == 0
    assert capsys.readouterr().out.strip() == "ok: 2 features in 1 layers"
    assert main(["import", str(table), "--as", "events", "--check"]) == 0
    summary = capsys.readouterr().out
    assert "events: 2 (2 with a place)" in summary
    assert "time precision: day 1, month 1" in summary


def test_import_as_events_names_rows_that_cannot_be_dated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = tmp_path / "mine.csv"
    table.write_text("when,lon,lat\nlater,34.25,31.28\n", encoding="utf-8")
    assert main(["import", str(table), "--as", "events", "--date", "when"]) == 1
    err = capsys.readouterr().err
    assert err.strip() == f"{table}: row 2: cannot be dated: 'when' holds 'later', not a date"
    assert main(["import", str(table), "--as", "events", "--date", "day"]) == 1
    assert "no column named 'day' (for the event date)" in capsys.readouterr().err


# --- paths that are not regular files, option values, safe writes ------------------------


def fifo(tmp_path: Path, name: str = "pipe.geojson") -> Path:
    path = tmp_path / name
    os.mkfifo(path)
    return path


COMMANDS: dict[str, list[str]] = {
    "validate": ["validate"],
    "measure": ["measure"],
    "import": ["import"],
    "import --as events": ["import", "--as", "events"],
    "export": ["export", "--out", "-", "--format", "geojson"],
}


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("kind", ["device", "directory"])
def test_every_command_refuses_what_is_not_a_regular_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, kind: str
) -> None:
    if kind == "directory" and command == "validate":
        pytest.skip("validate takes situation folders")
    path = "/dev/zero" if kind == "device" else str(tmp_path)
    assert main([*COMMANDS[command], path]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip() == f"{path}: -: is a {kind}, not a regular file; nothing was read"


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_command_refuses_a_fifo_before_reading(tmp_path: Path, command: str) -> None:
    path = fifo(tmp_path)
    result = run(*COMMANDS[command], str(path))  # a read would block until the timeout
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip() == (
        f"{path}: -: is a FIFO (named pipe), not a regular file; nothing was read"
    )


def test_validate_still_takes_a_situation_folder_beside_a_refused_device(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from tests.conftest import RAFAH

    assert main(["validate", str(RAFAH)]) == 0
    assert capsys.readouterr().out.startswith("ok: ")
    assert main(["validate", str(RAFAH), "/dev/null"]) == 1
    assert "/dev/null: -: is a device" in capsys.readouterr().err


BAD_OPTIONS: dict[str, tuple[list[str], str]] = {
    "tiny speed": (["--walk-kmh", "1e-320"], r"argument --walk-kmh: must be a speed in km/h"),
    "nan speed": (["--walk-kmh", "nan"], r"argument --walk-kmh: .*got 'nan'"),
    "negative speed": (["--walk-kmh", "-1"], r"argument --walk-kmh: .*got '-1'"),
    "infinite speed": (["--drive-kmh", "inf"], r"argument --drive-kmh: .*got 'inf'"),
    "zero speed": (["--drive-kmh", "0"], r"argument --drive-kmh: .*got '0'"),
    "not a number": (["--walk-kmh", "fast"], r"argument --walk-kmh: .*got 'fast'"),
    "huge speed": (["--walk-kmh", "1e308"], r"argument --walk-kmh: .*from 0\.01 to 1000"),
    "empty situation": (["--situation", ""], r"argument --situation: must name a file or folder"),
}


@pytest.mark.parametrize("command", ["measure", "export"])
@pytest.mark.parametrize("case", list(BAD_OPTIONS))
def test_a_bad_option_value_is_a_usage_error_naming_the_option(
    lines_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, case: str
) -> None:
    options, message = BAD_OPTIONS[case]
    out = ["--out", str(tmp_path / "c.geojson")] if command == "export" else []
    with pytest.raises(SystemExit) as exited:
        main([command, str(lines_file), *out, *options])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert re.search(message, err), err
    assert "internal error" not in err and "Traceback" not in err
    assert not (tmp_path / "c.geojson").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["export", "LINES", "--out", ""], r"argument --out: must name a file to write, or -"),
        (["export", "LINES", "--out", " "], r"argument --out: must name a file to write"),
        (["export", "LINES", "--out", "/dev/null"], r"argument --out: /dev/null is a device"),
        (["measure", ""], r"argument FILE: must name a file or folder"),
        (["validate", "LINES", ""], r"argument PATH: must name a file or folder"),
        (["import", "LINES", "--as", "events", "--accuracy-m", "-5"], r"--accuracy-m: .*'-5'"),
        (["import", "LINES", "--as", "events", "--accuracy-m", "1e3"], r"--accuracy-m: .*'1e3'"),
        (["import", "LINES", "--as", "events", "--date", ""], r"argument --date: must name a col"),
        (["import", "LINES", "--as", "events", "--actor", " "], r"argument --actor: must name a"),
    ],
)
def test_other_bad_values_are_usage_errors(
    lines_file: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        main([str(lines_file) if a == "LINES" else a for a in argv])
    assert exited.value.code == 2
    assert re.search(message, capsys.readouterr().err)


@pytest.mark.parametrize("kind", ["directory", "FIFO (named pipe)"])
def test_export_refuses_an_out_that_is_not_a_regular_file(
    lines_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    target = tmp_path / "c.geojson"
    if kind == "directory":
        target.mkdir()
    else:
        os.mkfifo(target)
    with pytest.raises(SystemExit) as exited:
        main(["export", str(lines_file), "--out", str(target)])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert f"argument --out: {target} is a {kind}, not a regular file; it is not replaced" in err
    assert target.is_dir() if kind == "directory" else stat.S_ISFIFO(target.stat().st_mode)


def test_export_never_follows_a_planted_partial_link(
    lines_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    out = tmp_path / "c.geojson"
    planted = tmp_path / ".c.geojson.partial"
    planted.symlink_to(victim)
    assert main(["export", str(lines_file), "--out", str(out)]) == 0
    assert "wrote 3 corridor(s)" in capsys.readouterr().out
    assert victim.read_text(encoding="utf-8") == "precious"
    assert planted.is_symlink() and planted.readlink() == victim
    assert json.loads(out.read_text(encoding="utf-8"))["type"] == "FeatureCollection"
    assert not out.is_symlink()
    umask = os.umask(0o022)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [".c.geojson.partial", "c.geojson", "lines.geojson", "victim.txt"]
    )


def test_export_replaces_a_regular_file_and_a_link_to_one(lines_file: Path, tmp_path: Path) -> None:
    old = tmp_path / "old.geojson"
    old.write_text("old", encoding="utf-8")
    link = tmp_path / "link.geojson"
    link.symlink_to(old)
    assert main(["export", str(lines_file), "--out", str(old)]) == 0
    assert old.read_text(encoding="utf-8").startswith("{")
    assert main(["export", str(lines_file), "--out", str(link)]) == 0
    assert not link.is_symlink(), "the link is replaced, what it pointed to is not written"
