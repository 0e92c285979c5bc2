"""The ``sitmap`` command: validate, measure, import and export without a browser.

Every failure prints ``FILE: FEATURE: PROBLEM`` lines on stderr and exits 1; no input
ever produces a traceback. Output for people goes to stdout.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from sitmap.errors import NO_FEATURE, Problem, SitmapError
from sitmap.situation import ValidationSummary, validate_path

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
    except Exception as err:
        print(f"sitmap: {args.command}: internal error ({_describe(err)})", file=sys.stderr)
        return EXIT_INVALID


if __name__ == "__main__":
    sys.exit(main())
