"""The ``sitmap`` command: validate, measure, import and export without a browser.

Every failure prints ``FILE: FEATURE: PROBLEM`` lines on stderr and exits 1; no input
ever produces a traceback. Output for people goes to stdout.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from sitmap import corridors, exports
from sitmap.errors import NO_FEATURE, Problem, SitmapError
from sitmap.imports import read_path
from sitmap.situation import Situation, ValidationSummary, load_situation, validate_path

__all__ = ["main"]

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2


def _report(problems: Sequence[Problem]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)


def _validate(args: argparse.Namespace) -> int:
    problems: list[Problem] = []
    features = layers = 0
    for raw in args.paths:
        path = Path(raw)
        try:
            summary = validate_path(path)
        except SitmapError as err:
            problems += err.problems
            continue
        except Exception as err:
            problems.append(Problem(raw, NO_FEATURE, f"could not be checked ({_describe(err)})"))
            continue
        features += summary.features
        layers += summary.layers
    if problems:
        _report(problems)
        return EXIT_INVALID
    print(ValidationSummary(features, layers))
    return EXIT_OK


def _import(args: argparse.Namespace) -> int:
    try:
        layer = read_path(args.path)
    except SitmapError as err:
        _report(err.problems)
        return EXIT_INVALID
    except Exception as err:
        _report([Problem(args.path, NO_FEATURE, f"could not be read ({_describe(err)})")])
        return EXIT_INVALID
    print(layer.summary() if args.check else layer.to_geojson())
    return EXIT_OK


def _situation_dir(raw: str | None) -> Path:
    """The situation folder: --situation, else $SITMAP_SITUATION, else the Rafah one."""
    if raw:
        return Path(raw)
    if env := os.environ.get("SITMAP_SITUATION"):
        return Path(env)
    root = Path(__file__).resolve().parents[2]
    bundled = root / "geodata" / "rafah-2025-11"
    return bundled if bundled.is_dir() else Path("geodata") / "rafah-2025-11"


def _measured(
    args: argparse.Namespace, purpose: str
) -> tuple[Situation, list[corridors.CorridorInput], list[corridors.CorridorReport]]:
    """Load the situation, read FILE's lines and measure them (raises SitmapError)."""
    situation = load_situation(_situation_dir(args.situation))
    inputs = corridors.read_corridor_file(
        Path(args.file), extent=situation.manifest.extent, purpose=purpose
    )
    reports = corridors.measure_many(
        [item.geometry for item in inputs],
        situation,
        idents=[item.id for item in inputs],
        names=[item.name for item in inputs],
        walk_kmh=args.walk_kmh,
        drive_kmh=args.drive_kmh,
        file=args.file,
    )
    return situation, inputs, reports


def _measure(args: argparse.Namespace) -> int:
    situation, _, reports = _measured(args, "sitmap measure")
    if args.format == "table":
        print(_table(reports, situation))
    else:
        print(corridors.reports_json(reports))
    return EXIT_OK


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _table(reports: Sequence[corridors.CorridorReport], situation: Situation) -> str:
    """An aligned text table of reports: km, %, counts, areas and minutes, speeds below."""
    header = (
        "corridor",
        "length km",
        "in controlled km (%)",
        "crossings",
        "starts in",
        "ends in",
        "nearest crossing (km)",
        "walk min",
        "drive min",
    )
    rows = []
    for r in reports:
        near = r.nearest_crossing
        rows.append(
            (
                _cut(str(r.name or r.id), 32),
                f"{r.length_m / 1000:.2f}",
                f"{r.length_in_controlled_m / 1000:.2f} ({r.share_in_controlled:.0%})",
                str(r.control_line_crossings),
                _cut(r.start_in[0], 28) if r.start_in else "outside every area",
                _cut(r.end_in[0], 28) if r.end_in else "outside every area",
                "-" if near is None else f"{_cut(near.name, 28)} ({near.distance_m / 1000:.2f})",
                f"{r.walk_minutes:.0f}",
                f"{r.drive_minutes:.0f}",
            )
        )
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    numeric = {1, 2, 3, 7, 8}

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            c.rjust(w) if i in numeric else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    out = [line(header), line(["-" * w for w in widths]), *(line(row) for row in rows)]
    analysis = situation.manifest.analysis
    if reports:
        speeds = reports[0].assumptions
        out.append("")
        out.append(
            f"Speeds: walking {speeds.walk_kmh:g} km/h, driving {speeds.drive_kmh:g} km/h "
            f"({speeds.note})."
        )
    out.append(
        "Lengths are geodesic (WGS84); 'controlled' means features of kind "
        f"{', '.join(analysis.controlled_area_kinds)}; 'starts in'/'ends in' name the "
        "smallest area holding each end."
    )
    estimates = sorted({name for r in reports for name in r.approximate_inputs})
    if estimates:
        out.append(f"Measured against estimated geometry: {'; '.join(estimates)}.")
    return "\n".join(out)


def _export(args: argparse.Namespace) -> int:
    fmt = args.format or _format_from_name(args.out)
    if fmt is None:
        problem = "cannot tell the format from the file name; pass --format geojson|kml|gpkg"
        _report([Problem(args.out, NO_FEATURE, problem)])
        return EXIT_INVALID
    _, inputs, reports = _measured(args, "sitmap export")
    items = [
        exports.ExportItem(
            name=item.name or str(item.id),
            geometry=item.geometry,
            report=report,
            author=_text_property(item.properties, "author"),
            revision=_int_property(item.properties, "revision"),
            notes=_text_property(item.properties, "notes"),
        )
        for item, report in zip(inputs, reports, strict=True)
    ]
    data = exports.export_bytes(items, fmt=fmt)
    if args.out == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return EXIT_OK
    out = Path(args.out)
    partial = out.with_name(f".{out.name}.partial")
    try:
        partial.write_bytes(data)
        partial.replace(out)
    except OSError as err:
        partial.unlink(missing_ok=True)
        _report([Problem(args.out, NO_FEATURE, f"cannot be written: {err.strerror or err}")])
        return EXIT_INVALID
    print(f"wrote {len(items)} corridor(s) to {out} ({fmt}, {len(data):,} bytes)")
    return EXIT_OK


def _format_from_name(name: str) -> exports.ExportFormat | None:
    suffix = Path(name).suffix.lower()
    for fmt, extension in exports.EXTENSIONS.items():
        if suffix == extension or (fmt == "geojson" and suffix == ".json"):
            return fmt  # type: ignore[return-value]
    return None


def _text_property(props: dict[str, object], key: str) -> str | None:
    value = props.get(key)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _int_property(props: dict[str, object], key: str) -> int | None:
    value = props.get(key)
    if isinstance(value, int) and not isinstance(value, bool) and -(2**31) < value < 2**31:
        return value
    return None


def _speed_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--situation",
        metavar="DIR",
        help="situation folder (default: $SITMAP_SITUATION, else geodata/rafah-2025-11)",
    )
    command.add_argument(
        "--walk-kmh", type=float, metavar="KMH", help="walking speed (default: the situation's)"
    )
    command.add_argument(
        "--drive-kmh", type=float, metavar="KMH", help="driving speed (default: the situation's)"
    )


def _describe(err: BaseException) -> str:
    text = str(err)
    if len(text) > 200:
        text = text[:197] + "..."
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sitmap", description="Situation maps for people who follow a live crisis."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    validate = commands.add_parser(
        "validate", help="check a situation folder or GeoJSON files against the schema"
    )
    validate.add_argument("paths", nargs="+", metavar="PATH", help="situation folder or .geojson")
    validate.set_defaults(run=_validate)
    imported = commands.add_parser(
        "import",
        help="read a layer of your own (GeoJSON, KML/KMZ, GeoPackage, zipped Shapefile, CSV)",
        description="Read, check and reproject a layer to WGS84; print it as GeoJSON, or with "
        "--check a summary. A refused file prints FILE: FEATURE: PROBLEM lines and exits 1.",
    )
    imported.add_argument("path", metavar="FILE", help="the file to read")
    imported.add_argument(
        "--check",
        action="store_true",
        help="print a summary (format, features, geometry types, CRS, bounds) instead of GeoJSON",
    )
    imported.set_defaults(run=_import)
    measure = commands.add_parser(
        "measure",
        help="measure corridors (a GeoJSON of LineStrings) against a situation",
        description="Measure every line of FILE: geodesic length, length in the controlled "
        "area, control-line crossings, start/end areas, nearest crossing, walk/drive minutes. "
        "JSON: a list, one object per line in file order. A bad FILE prints "
        "FILE: FEATURE: PROBLEM lines and exits 1.",
    )
    measure.add_argument("file", metavar="FILE", help="GeoJSON of LineStrings (WGS84 lon/lat)")
    measure.add_argument(
        "--format", choices=["json", "table"], default="json", help="output (default json)"
    )
    _speed_options(measure)
    measure.set_defaults(run=_measure)
    export = commands.add_parser(
        "export",
        help="measure corridors and export them as GeoJSON, KML or GeoPackage",
        description="Measure every line of FILE and write the lines with their measures "
        "as properties. A bad FILE prints FILE: FEATURE: PROBLEM lines and exits 1.",
    )
    export.add_argument("file", metavar="FILE", help="GeoJSON of LineStrings (WGS84 lon/lat)")
    export.add_argument(
        "--format",
        choices=list(exports.EXTENSIONS),
        help="output format (default: from the --out file name)",
    )
    export.add_argument("--out", required=True, metavar="PATH", help="file to write, - for stdout")
    _speed_options(export)
    export.set_defaults(run=_export)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (0 ok, 1 invalid input, 2 usage)."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        print("sitmap: interrupted", file=sys.stderr)
        return 130
    except SitmapError as err:
        _report(err.problems)
        return EXIT_INVALID
    except BrokenPipeError:  # the reader went away (e.g. `| head`): stop quietly
        with contextlib.suppress(OSError, ValueError):  # no flush error at exit either
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as err:
        print(f"sitmap: {args.command}: internal error ({_describe(err)})", file=sys.stderr)
        return EXIT_INVALID


if __name__ == "__main__":
    sys.exit(main())
