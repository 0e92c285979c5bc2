"""The ``sitmap brief``, ``export-map`` and ``export-layers`` commands: the page's view
(layers, time range, corridors, names' language) chosen with options, written to a file.

``sitmap brief --out FILE.pdf|FILE.png`` writes the briefing, ``export-map --out
FILE.html`` the offline map file, ``export-layers --out FILE.geojson|.kml|.gpkg`` the
shown features with their provenance. A bad option value is a usage error (exit 2); an
unknown layer or corridor, or a day outside the situation, prints FILE: FEATURE: PROBLEM
and exits 1 (raised as :class:`~sitmap.errors.SitmapError`, reported by ``sitmap.cli``).
"""

from __future__ import annotations

import argparse
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from sitmap.briefing.document import BriefingRequest
from sitmap.briefing.layout import PAPERS
from sitmap.briefing.render import briefing_bytes
from sitmap.errors import NO_FEATURE, DataError, Problem
from sitmap.io import exports
from sitmap.io.layerexports import layers_bytes, shown_records
from sitmap.mapview import ViewState, default_layers
from sitmap.mapview.labels import LANGUAGES
from sitmap.mapview.standalone import standalone_html
from sitmap.page.workbench import candidates, measure_corridors
from sitmap.settings import situation_dir
from sitmap.situation import Situation, load_situation

__all__ = ["add_commands"]

_SUFFIXES = {
    "brief": {".pdf": "pdf", ".png": "png"},
    "export-map": {".html": "html", ".htm": "html"},
    "export-layers": {".geojson": "geojson", ".json": "geojson", ".kml": "kml", ".gpkg": "gpkg"},
}


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        msg = f"must be a day as YYYY-MM-DD, got {text!r}"
        raise argparse.ArgumentTypeError(msg) from None


def _ids(text: str) -> list[str]:
    found = [part.strip() for part in text.split(",") if part.strip()]
    if not found:
        msg = "must name at least one id (comma-separated)"
        raise argparse.ArgumentTypeError(msg)
    return found


def _out_for(command: str) -> Any:
    suffixes = _SUFFIXES[command]

    def check(text: str) -> str:
        if Path(text).suffix.lower() not in suffixes:
            msg = f"must end in {', '.join(sorted(suffixes))} (the format), got {text!r}"
            raise argparse.ArgumentTypeError(msg)
        if (what := exports.not_a_regular_file(text)) is not None:
            msg = f"{text!r} is {what}, not a regular file; it is not replaced"
            raise argparse.ArgumentTypeError(msg)
        return text

    return check


@dataclass(frozen=True)
class _Chosen:
    situation: Situation
    view: ViewState


def _refuse(option: str, problem: str) -> NoReturn:
    """Stop with ``options: OPTION: PROBLEM`` (exit 1: the value is well formed, but wrong)."""
    raise DataError([Problem("options", option, problem)])


def _view(args: argparse.Namespace) -> _Chosen:
    """The situation and the view the options choose (raises DataError, naming the option)."""
    situation = load_situation(Path(args.situation) if args.situation else situation_dir())
    manifest = situation.manifest
    if args.as_of and args.to and args.as_of != args.to:
        _refuse("--as-of/--to", "both name the map's day; give one, or the same day")
    as_of = args.as_of or args.to or manifest.as_of
    since = args.since
    for option, day in (("--as-of/--to", as_of), ("--from", since)):
        if day is not None and not manifest.start <= day <= manifest.end:
            span = f"{manifest.start} to {manifest.end}"
            _refuse(option, f"{day} is outside the situation ({span})")
    if since is not None and since > as_of:
        _refuse("--from", f"{since} is after the map's day {as_of}")
    if args.layers is None:
        layers = default_layers(situation)
    elif args.layers == ["all"]:
        layers = frozenset(situation.layers)
    else:
        unknown = [name for name in args.layers if name not in situation.layers]
        if unknown:
            known = ", ".join(situation.layers)
            _refuse("--layers", f"no layer {', '.join(unknown)}; layers are {known}")
        layers = frozenset(args.layers)
    view = ViewState(layers=layers, as_of=as_of, since=since, language=args.lang)
    return _Chosen(situation, view)


def _write(out: str, data: bytes, what: str) -> int:
    try:
        exports.write_file(Path(out), data)
    except OSError as err:
        raise DataError([Problem(out, NO_FEATURE, f"cannot be written: {err}")]) from None
    print(f"wrote {what} to {out} ({len(data):,} bytes)")
    return 0


def _brief(args: argparse.Namespace) -> int:
    chosen = _view(args)
    situation = chosen.situation
    options = candidates(situation)
    if args.corridors is not None:
        ids = {item.id for item in options}
        unknown = [name for name in args.corridors if name not in ids]
        if unknown:
            known = ", ".join(sorted(ids))
            _refuse("--corridors", f"no corridor {', '.join(unknown)}; they are {known}")
    measured = measure_corridors(situation, options)
    request = BriefingRequest(
        view=chosen.view, measured=measured, corridors=args.corridors, paper=args.paper
    )
    fmt = _SUFFIXES["brief"][Path(args.out).suffix.lower()]
    data = briefing_bytes(situation, request, fmt=fmt)
    return _write(args.out, data, f"the briefing ({fmt}, {args.paper})")


def _export_map(args: argparse.Namespace) -> int:
    chosen = _view(args)
    html = standalone_html(chosen.situation, chosen.view)
    return _write(args.out, html.encode("utf-8"), "the offline map")


def _export_layers(args: argparse.Namespace) -> int:
    chosen = _view(args)
    view = chosen.view
    records = shown_records(chosen.situation, view.layers, view.as_of, since=view.since)
    fmt = _SUFFIXES["export-layers"][Path(args.out).suffix.lower()]
    count = sum(len(rows) for rows in records.values())
    data = layers_bytes(records, fmt=fmt)
    return _write(args.out, data, f"{count} feature(s) of {len(records)} layer(s) ({fmt})")


def _view_options(command: argparse.ArgumentParser, name: str) -> None:
    command.add_argument(
        "--out", required=True, type=_out_for(name), metavar="FILE", help="file to write"
    )
    command.add_argument(
        "--situation",
        metavar="DIR",
        help="situation folder (default: $SITMAP_SITUATION, else geodata/rafah-2025-11)",
    )
    command.add_argument(
        "--as-of", type=_day, metavar="DAY", help="the map's day (default: the situation's)"
    )
    command.add_argument("--to", type=_day, metavar="DAY", help="the same as --as-of")
    command.add_argument(
        "--from",
        dest="since",
        type=_day,
        metavar="DAY",
        help="first day of the events shown (default: the situation's first)",
    )
    command.add_argument(
        "--layers",
        type=_ids,
        metavar="ID,ID",
        help="layer ids to show, or 'all' (default: those the page shows first)",
    )
    command.add_argument(
        "--lang", choices=list(LANGUAGES), default="en", help="names on the map (default en)"
    )


def add_commands(commands: Any) -> None:
    """Add ``brief``, ``export-map`` and ``export-layers`` to the ``sitmap`` subcommands."""
    brief = commands.add_parser(
        "brief",
        help="write a briefing of a view as PDF or PNG (map page, comparison, claims, events, "
        "sources)",
        description="Draw the view offline: a landscape map page (labels, legend, scale bar, "
        "north arrow, dates, disclaimer), then the corridor comparison, the claims by "
        "question, the events of the range and the sources cited. The format comes from "
        "--out: .pdf or .png.",
    )
    _view_options(brief, "brief")
    brief.add_argument(
        "--corridors",
        type=_ids,
        metavar="ID,ID",
        help="corridor options to compare (default: all of the situation's)",
    )
    brief.add_argument("--paper", choices=list(PAPERS), default="a4", help="(default a4)")
    brief.set_defaults(run=_brief)
    offline = commands.add_parser(
        "export-map",
        help="write the interactive map of a view as one HTML file that needs no network",
        description="Leaflet, its plugins, the data and sitmap's scripts inside one file: "
        "layers, labels, popups and events open from disk with no network.",
    )
    _view_options(offline, "export-map")
    offline.set_defaults(run=_export_map)
    shown = commands.add_parser(
        "export-layers",
        help="write the features a view shows as GeoJSON, KML or GeoPackage, with provenance",
        description="The visible layers' features on the map's day and the events of the "
        "range, each with source, as_of, accuracy_m and approximate. The format comes from "
        "--out: .geojson, .kml or .gpkg.",
    )
    _view_options(shown, "export-layers")
    shown.set_defaults(run=_export_layers)
