"""The ``sitmap`` command: validate, measure, import and export without a browser.

Every failure prints ``FILE: FEATURE: PROBLEM`` lines on stderr and exits 1; a bad option
value is a usage error naming the option (exit 2); no input ever produces a traceback.
Output for people goes to stdout. Every path given is checked before it is read: a device,
a FIFO or (but for ``validate``) a folder is refused. Text from files is printed with its
control characters escaped (:func:`~sitmap.escaping.terminal_safe`), so no name can send
a terminal escape sequence or reverse a line.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from sitmap.analysis import CorridorReport, measure_many, reports_json
from sitmap.analysis.uncertainty import (
    count_range_text,
    km_range_text,
    minutes_range_text,
    percent_range_text,
    stated_accuracy,
)
from sitmap.briefing.commands import add_commands
from sitmap.errors import NO_FEATURE, PathRefusedError, Problem, SitmapError
from sitmap.escaping import terminal_safe
from sitmap.io import CorridorInput, exports, read_corridor_file, read_path
from sitmap.io.events import (
    DEFAULT_ACCURACY_M,
    EventColumns,
    events_from_layer,
    events_geojson,
    events_summary,
)
from sitmap.settings import situation_dir
from sitmap.situation import Situation, load_situation
from sitmap.validation import ValidationSummary, validate_path

__all__ = ["main"]

EXIT_OK = 0
EXIT_INVALID = 1


def _report(problems: Sequence[Problem]) -> None:
    for problem in problems:
        print(terminal_safe(str(problem)), file=sys.stderr)


def _print(text: object) -> None:
    """Print text for people (or JSON) on stdout, control characters escaped."""
    print(terminal_safe(str(text)))


def _readable(raw: str, /, *, folder_ok: bool = False) -> None:
    """Refuse, before anything is read, a path that is a device, a FIFO, a socket or (unless
    ``folder_ok``) a folder: reading /dev/zero or a pipe would never end.
    """
    what = exports.not_a_regular_file(raw)
    if what is None or (folder_ok and what == "a directory"):
        return
    msg = f"is {what}, not a regular file; nothing was read"
    raise PathRefusedError(msg, file=raw)


def _validate(args: argparse.Namespace) -> int:
    problems: list[Problem] = []
    features = layers = 0
    for raw in args.paths:
        path = Path(raw)
        try:
            _readable(raw, folder_ok=True)
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
    _print(ValidationSummary(features, layers))
    return EXIT_OK


def _import(args: argparse.Namespace) -> int:
    try:
        _readable(args.path)
        layer = read_path(args.path)
        if args.as_ == "events":
            table = events_from_layer(
                layer,
                options=EventColumns(
                    date=args.date,
                    title=args.title,
                    actors=tuple(args.actor or ()),
                    source=args.source,
                    precision=args.precision,
                    accuracy_m=args.accuracy_m,
                ),
            )
            _print(events_summary(table) if args.check else events_geojson(table))
            return EXIT_OK
    except SitmapError as err:
        _report(err.problems)
        return EXIT_INVALID
    except Exception as err:
        _report([Problem(args.path, NO_FEATURE, f"could not be read ({_describe(err)})")])
        return EXIT_INVALID
    _print(layer.summary() if args.check else layer.to_geojson())
    return EXIT_OK


def _situation_dir(raw: str | None) -> Path:
    """The situation folder: --situation, else $SITMAP_SITUATION, else the Rafah one."""
    if raw:
        return Path(raw)
    chosen = situation_dir()
    return chosen if chosen.is_dir() else Path("geodata") / chosen.name


def _measured(
    args: argparse.Namespace, purpose: str
) -> tuple[Situation, list[CorridorInput], list[CorridorReport]]:
    """Load the situation, read FILE's lines and measure them (raises SitmapError)."""
    _readable(args.file)
    situation = load_situation(_situation_dir(args.situation))
    inputs = read_corridor_file(Path(args.file), extent=situation.manifest.extent, purpose=purpose)
    reports = measure_many(
        [item.geometry for item in inputs],
        situation,
        idents=[item.id for item in inputs],
        names=[item.name for item in inputs],
        walk_kmh=args.walk_kmh,
        drive_kmh=args.drive_kmh,
        file=args.file,
        accuracies_m=[stated_accuracy(item.properties.get("accuracy_m")) for item in inputs],
    )
    return situation, inputs, reports


def _measure(args: argparse.Namespace) -> int:
    situation, _, reports = _measured(args, "sitmap measure")
    if args.format == "table":
        _print(_table(reports, situation))
    else:
        _print(reports_json(reports))
    return EXIT_OK


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _table(reports: Sequence[CorridorReport], situation: Situation) -> str:
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
        near_span = r.ranges.nearest_crossing_m if r.ranges else None
        share = r.ranges.share_in_controlled if r.ranges else None
        inside = km_range_text(
            r.length_in_controlled_m, r.span("length_in_controlled_m"), unit=False
        )
        percent = percent_range_text(share) if share else f"{r.share_in_controlled:.0%}"
        nearest = "-"
        if near is not None:
            far = km_range_text(near.distance_m, near_span, unit=False)
            nearest = f"{_cut(near.name, 28)} ({far})"
        rows.append(
            (
                _cut(str(r.name or r.id), 32),
                km_range_text(r.length_m, r.span("length_m"), unit=False),
                f"{inside} ({percent})",
                count_range_text(r.control_line_crossings, r.span("control_line_crossings")),
                _cut(r.start_in[0], 28) if r.start_in else "outside every area",
                _cut(r.end_in[0], 28) if r.end_in else "outside every area",
                nearest,
                minutes_range_text(r.walk_minutes, r.span("walk_minutes")),
                minutes_range_text(r.drive_minutes, r.span("drive_minutes")),
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
    if reports and reports[0].ranges is not None:
        out.append(
            f"In brackets: the range the positional accuracy allows ({reports[0].ranges.basis})."
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
    try:
        exports.write_file(out, data)  # a temporary file (O_EXCL) renamed over it
    except OSError as err:
        _report([Problem(args.out, NO_FEATURE, f"cannot be written: {err.strerror or err}")])
        return EXIT_INVALID
    _print(f"wrote {len(items)} corridor(s) to {out} ({fmt}, {len(data):,} bytes)")
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


MIN_KMH, MAX_KMH = 0.01, 1000.0
"""The speeds ``--walk-kmh``/``--drive-kmh`` accept, km/h."""
MAX_ACCURACY_M = 20_000_000
"""The largest ``--accuracy-m``: half the Earth's circumference, metres."""


def _speed(text: str) -> float:
    """A speed in km/h from MIN_KMH to MAX_KMH (no NaN, infinity, zero or negative)."""
    try:
        speed = float(text)
    except ValueError:
        speed = math.nan
    if not MIN_KMH <= speed <= MAX_KMH:
        msg = f"must be a speed in km/h from {MIN_KMH:g} to {MAX_KMH:g}, got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return speed


def _accuracy(text: str) -> int:
    """A positional accuracy in whole metres, 0 to MAX_ACCURACY_M."""
    try:
        metres = int(text)
    except ValueError:
        metres = -1
    if not 0 <= metres <= MAX_ACCURACY_M:
        msg = f"must be whole metres from 0 to {MAX_ACCURACY_M:,}, got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return metres


def _path(text: str) -> str:
    """A path: not empty."""
    if not text.strip():
        msg = "must name a file or folder, got an empty string"
        raise argparse.ArgumentTypeError(msg)
    return text


def _column(text: str) -> str:
    """A column name: not empty."""
    if not text.strip():
        msg = "must name a column of the table, got an empty string"
        raise argparse.ArgumentTypeError(msg)
    return text


def _out(text: str) -> str:
    """Where to write: ``-`` (stdout), or a path that is a regular file or does not exist."""
    if not text.strip():
        msg = "must name a file to write, or - for stdout; got an empty string"
        raise argparse.ArgumentTypeError(msg)
    if text != "-" and (what := exports.not_a_regular_file(text)) is not None:
        msg = f"{terminal_safe(text)} is {what}, not a regular file; it is not replaced"
        raise argparse.ArgumentTypeError(msg)
    return text


def _speed_options(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--situation",
        type=_path,
        metavar="DIR",
        help="situation folder (default: $SITMAP_SITUATION, else geodata/rafah-2025-11)",
    )
    command.add_argument(
        "--walk-kmh",
        type=_speed,
        metavar="KMH",
        help=f"walking speed, {MIN_KMH:g} to {MAX_KMH:g} (default: the situation's)",
    )
    command.add_argument(
        "--drive-kmh",
        type=_speed,
        metavar="KMH",
        help=f"driving speed, {MIN_KMH:g} to {MAX_KMH:g} (default: the situation's)",
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
    validate.add_argument(
        "paths", nargs="+", type=_path, metavar="PATH", help="situation folder or .geojson"
    )
    validate.set_defaults(run=_validate)
    imported = commands.add_parser(
        "import",
        help="read a layer of your own (GeoJSON, KML/KMZ, GeoPackage, zipped Shapefile, CSV, "
        "GPX, FlatGeobuf, GeoParquet), or an event table (--as events)",
        description="Read, check and reproject a layer to WGS84; print it as GeoJSON, or with "
        "--check a summary. A refused file prints FILE: FEATURE: PROBLEM lines and exits 1.",
    )
    imported.add_argument("path", type=_path, metavar="FILE", help="the file to read")
    imported.add_argument(
        "--check",
        action="store_true",
        help="print a summary (format, features, geometry types, CRS, bounds) instead of GeoJSON",
    )
    imported.add_argument(
        "--as",
        dest="as_",
        choices=["layer", "events"],
        default="layer",
        help="layer (default), or events: each row of a table (ACLED export, spreadsheet) "
        "becomes a dated event for the timeline, printed as a situation events layer",
    )
    table = imported.add_argument_group("--as events: columns and defaults")
    table.add_argument(
        "--date", type=_column, metavar="COLUMN", help="date column (default: recognised)"
    )
    table.add_argument(
        "--title", type=_column, metavar="COLUMN", help="title column (default: from type/place)"
    )
    table.add_argument(
        "--actor",
        action="append",
        type=_column,
        metavar="COLUMN",
        help="an actor column (repeat for more)",
    )
    table.add_argument(
        "--source", type=_column, metavar="COLUMN", help="source column (';' between sources)"
    )
    table.add_argument(
        "--precision",
        choices=["day", "week", "month"],
        default="day",
        help="time precision of rows without an ACLED time_precision code (default day)",
    )
    table.add_argument(
        "--accuracy-m",
        type=_accuracy,
        default=DEFAULT_ACCURACY_M,
        metavar="METRES",
        help="positional accuracy of rows without geo_precision or accuracy "
        f"(default {DEFAULT_ACCURACY_M:,})",
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
    measure.add_argument(
        "file", type=_path, metavar="FILE", help="GeoJSON of LineStrings (WGS84 lon/lat)"
    )
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
    export.add_argument(
        "file", type=_path, metavar="FILE", help="GeoJSON of LineStrings (WGS84 lon/lat)"
    )
    export.add_argument(
        "--format",
        choices=list(exports.EXTENSIONS),
        help="output format (default: from the --out file name)",
    )
    export.add_argument(
        "--out", required=True, type=_out, metavar="PATH", help="file to write, - for stdout"
    )
    _speed_options(export)
    export.set_defaults(run=_export)
    add_commands(commands)  # brief, export-map, export-layers (sitmap.briefing.commands)
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
        message = f"sitmap: {args.command}: internal error ({_describe(err)})"
        print(terminal_safe(message), file=sys.stderr)
        return EXIT_INVALID


if __name__ == "__main__":
    sys.exit(main())
