"""Check a situation folder: manifest, sources, every layer and the references between them.

:func:`check_situation` validates a whole folder (every problem of every file, in file
order); :func:`validate_path` backs ``sitmap validate`` for a folder or one GeoJSON file.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sitmap.errors import NO_FEATURE, Problem, ValidationError
from sitmap.schema import MANIFEST_FILE, SOURCES_FILE, LayerKind, LayerSpec, Manifest, Source
from sitmap.validation.checkedlayer import CheckedLayer
from sitmap.validation.layer import check_geojson_file, model_problems

__all__ = [
    "SituationCheck",
    "ValidationSummary",
    "check_situation",
    "load_manifest",
    "load_sources",
    "validate_path",
]


@dataclass(frozen=True)
class ValidationSummary:
    """What a successful validation counted."""

    features: int
    layers: int

    def __str__(self) -> str:
        return f"ok: {self.features} features in {self.layers} layers"


def _read_toml(path: Path) -> tuple[dict[str, Any] | None, list[Problem]]:
    file = str(path)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8")), []
    except FileNotFoundError:
        return None, [Problem(file, NO_FEATURE, "file does not exist")]
    except UnicodeDecodeError:
        return None, [Problem(file, NO_FEATURE, "not UTF-8 text; TOML must be UTF-8")]
    except tomllib.TOMLDecodeError as err:
        return None, [Problem(file, NO_FEATURE, f"not valid TOML: {err}")]
    except RecursionError:
        return None, [Problem(file, NO_FEATURE, "not usable TOML: nested too deeply")]
    except OSError as err:
        return None, [Problem(file, NO_FEATURE, f"cannot be read: {err.strerror or err}")]


def load_manifest(folder: Path) -> tuple[Manifest | None, list[Problem]]:
    """A folder's situation.toml, validated; or None and every problem found."""
    raw, problems = _read_toml(folder / MANIFEST_FILE)
    if raw is None:
        return None, problems
    manifest, problems = model_problems(
        Manifest, raw, file=str(folder / MANIFEST_FILE), feature=str(raw.get("id", NO_FEATURE))
    )
    return manifest, problems  # type: ignore[return-value]


def load_sources(folder: Path) -> tuple[dict[str, Source], list[Problem]]:
    """A folder's sources.toml by id (the valid ones), and every problem found."""
    file = str(folder / SOURCES_FILE)
    raw, problems = _read_toml(folder / SOURCES_FILE)
    if raw is None:
        return {}, problems
    entries = raw.get("sources")
    if not isinstance(entries, list) or not entries:
        return {}, [Problem(file, NO_FEATURE, "needs at least one [[sources]] table")]
    sources: dict[str, Source] = {}
    for index, entry in enumerate(entries):
        label = str(entry.get("id")) if isinstance(entry, dict) and entry.get("id") else f"#{index}"
        source, found = model_problems(Source, entry, file=file, feature=label)
        problems.extend(found)
        if isinstance(source, Source):
            if source.id in sources:
                problems.append(Problem(file, label, f"duplicate source id {source.id!r}"))
            sources[source.id] = source
    return sources, problems


def _check_references(
    checked: list[CheckedLayer], sources: dict[str, Source] | None
) -> tuple[list[Problem], Collection[str]]:
    """Ids unique across the situation; every cited source id exists in sources.toml.
    Also returns the ids of the features whose properties validated.
    """
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for layer in checked:
        for label, feature_id, cited in layer.references():
            if feature_id in seen:
                where = seen[feature_id]
                also = "earlier in this file" if where == layer.file else f"also in {where}"
                problem = f"duplicate id {feature_id!r} ({also})"
                problems.append(Problem(layer.file, label, problem))
            else:
                seen[feature_id] = layer.file
            if sources is None or all(source_id in sources for source_id in cited):
                continue
            for source_id in dict.fromkeys(cited):
                if source_id not in sources:
                    problem = f"unknown source id {source_id!r} (not in {SOURCES_FILE})"
                    problems.append(Problem(layer.file, label, problem))
    return problems, seen.keys()


def _check_versions(checked: list[CheckedLayer], ids: Collection[str]) -> list[Problem]:
    """Every rival version is ``about`` a feature of the situation (one of ``ids``) that is
    not itself a version (a version of a version has no feature to stand beside).
    """
    versions = [(layer.file, found) for layer in checked for found in layer.versions()]
    version_ids = {feature_id for _, (_, feature_id, _) in versions}
    problems: list[Problem] = []
    for file, (label, _, about) in versions:
        if about not in ids:
            problem = f"about {about!r}: no feature of this situation has that id"
            problems.append(Problem(file, label, problem))
        elif about in version_ids:
            problems.append(Problem(file, label, f"about {about!r}: that is itself a version"))
    return problems


def _reported_dates(layer: CheckedLayer) -> Iterator[tuple[int, str, dt.date]]:
    """(feature index, what, date) for every reported date of the layer's valid features:
    ``as_of``, then each claim's ``date``.
    """
    for rows in layer.bulk:  # bulk rows hold no claims (see BulkCheck)
        for index, day in zip(rows.rows, rows.columns["as_of"], strict=True):
            if day is not None:
                yield index, "as_of", day
    for index, model in layer.models.items():
        if model.as_of is not None:
            yield index, "as_of", model.as_of
        for number, claim in enumerate(model.claims, start=1):
            yield index, f"claim {number} ({claim.by}) date", claim.date


def _check_reported_dates(checked: list[CheckedLayer], manifest: Manifest) -> list[Problem]:
    """No fact reported after the situation's end: when it was looked up goes in ``accessed``."""
    problems: list[Problem] = []
    end = manifest.end
    for layer in checked:
        late = sorted(
            (index, what, day) for index, what, day in _reported_dates(layer) if day > end
        )
        for index, what, day in late:
            problem = (
                f"reported date {what} {day} is after the situation's end {end} "
                f"({MANIFEST_FILE}); a date the source was looked up goes in 'accessed'"
            )
            problems.append(Problem(layer.file, layer.labels[index], problem))
    return problems


def _guess_kind(name: str) -> LayerKind:
    """The layer kind a file outside any manifest most likely holds, by its name."""
    stem = name.lower()
    if "event" in stem:
        return LayerKind.EVENTS
    if "corridor" in stem:
        return LayerKind.CORRIDORS
    return LayerKind.AREAS


def _check_layer_file(
    path: Path, spec: LayerSpec | None, manifest: Manifest | None
) -> CheckedLayer:
    file = str(path)
    try:
        return check_geojson_file(
            path,
            file=file,
            kind=spec.kind if spec else _guess_kind(path.name),
            extent=manifest.extent if manifest else None,
        )
    except ValidationError as err:
        return CheckedLayer(file=file, problems=err.problems)


@dataclass(frozen=True)
class SituationCheck:
    """Everything validating a situation folder found."""

    manifest: Manifest | None
    sources: dict[str, Source]
    layers: dict[str, CheckedLayer]
    problems: list[Problem]


def check_situation(folder: Path, /) -> SituationCheck:
    """Validate a situation folder; every problem of every file, in file order."""
    manifest, problems = load_manifest(folder)
    sources, source_problems = load_sources(folder)
    problems += source_problems
    checked: dict[str, CheckedLayer] = {}
    for spec in manifest.layers if manifest else []:
        path = folder / spec.file
        if not path.is_file():
            problem = f"layer {spec.id!r}: file {spec.file!r} does not exist"
            problems.append(Problem(str(folder / MANIFEST_FILE), spec.id, problem))
            continue
        checked[spec.id] = layer = _check_layer_file(path, spec, manifest)
        problems += layer.problems
    layers = list(checked.values())
    found, ids = _check_references(layers, None if source_problems else sources)
    problems += found + _check_versions(layers, ids)
    if manifest is not None:
        problems += _check_reported_dates(layers, manifest)
    return SituationCheck(manifest, sources, checked, problems)


def validate_path(path: Path, /) -> ValidationSummary:
    """Validate a situation folder or one GeoJSON file; raise ValidationError listing all.

    A lone file inside a situation folder is checked against that situation (its layer
    kind, extent and sources); anywhere else, for structure, geometry and the properties
    of DESIGN section 2 (its kind guessed from its name: events, corridors, else areas).
    """
    if path.is_dir() and (path / MANIFEST_FILE).exists():
        check = check_situation(path)
        if check.problems:
            raise ValidationError(check.problems)
        count = sum(layer.feature_count for layer in check.layers.values())
        return ValidationSummary(count, len(check.layers))
    manifest: Manifest | None = None
    sources: dict[str, Source] | None = None
    if path.is_file() and (path.parent / MANIFEST_FILE).is_file():
        manifest, _ = load_manifest(path.parent)
        loaded, source_problems = load_sources(path.parent)
        sources = None if source_problems else loaded
    spec = next((s for s in manifest.layers if s.file == path.name), None) if manifest else None
    layer = _check_layer_file(path, spec, manifest)
    problems = layer.problems + _check_references([layer], sources)[0]
    if manifest is not None:
        problems += _check_reported_dates([layer], manifest)
    if problems:
        raise ValidationError(problems)
    return ValidationSummary(layer.feature_count, 1)
