"""Check common feature properties in bulk, column by column, as the models would.

Each property model field gets a column check that accepts only values that pydantic
accepts too, and returns what ``model_dump()`` would hold; anything else is ``_BAD`` and
the feature goes through ``model.model_validate`` (:mod:`sitmap.validation`). The tests
compare both paths.
"""

from __future__ import annotations

import datetime as dt
import math
import operator
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from sitmap.schema import (
    Confidence,
    CorridorProps,
    CorridorStatus,
    EventProps,
    FeatureProps,
    TimePrecision,
)

__all__ = [
    "ABSENT",
    "MAX_PROPERTY_DEPTH",
    "BulkCheck",
    "BulkRows",
    "value_problem",
]

MAX_PROPERTY_DEPTH = 32
"""Deepest nesting of lists/objects accepted inside a feature's properties."""


class _Marker:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


ABSENT: Any = _Marker("<absent>")
"""A property the feature does not have."""
_BAD: Any = _Marker("<left to the per-feature checks>")
"""A value the bulk checks leave to the per-feature path."""


@dataclass(frozen=True)
class BulkRows:
    """Properties of some features, validated column by column (``BulkCheck``).

    ``columns`` holds, per property name, one value per row: the model's field values as
    ``model_dump()`` gives them, and extra properties as given (``ABSENT`` where a row
    lacks one). ``rows`` are the features' indices in the layer. Equal lists (sources,
    actors, no claims) are one shared object: read-only values.
    """

    rows: list[int]
    columns: dict[str, list[Any]]

    def dump(self, j: int) -> dict[str, Any]:
        """Row ``j`` as ``model_dump()`` would give it."""
        return {k: v[j] for k, v in self.columns.items() if v[j] is not ABSENT}


def value_problem(value: Any, name: str) -> str | None:
    """Non-finite numbers or runaway nesting anywhere inside one property value."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_PROPERTY_DEPTH:
            return f"property {name!r} is nested more than {MAX_PROPERTY_DEPTH} levels deep"
        if isinstance(item, float) and not math.isfinite(item):
            return f"property {name!r} holds {item}, which is not a JSON number"
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return None


_IDENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:\-]{0,127}")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ISO_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,6})?(?:Z|[+-][0-9]{2}:[0-9]{2})"
)
_TEXT_MAX = 2_000
_LONG_TEXT_MAX = 10_000
_INT64_MAX = 2**63 - 1

Check = Callable[[Any], Any]


def _ident(value: Any) -> Any:
    return value if type(value) is str and _IDENT.fullmatch(value) else _BAD


def _text(limit: int) -> Check:
    def check(value: Any) -> Any:
        if (
            type(value) is str
            and 0 < len(value) <= limit
            and not value[0].isspace()  # pydantic would strip it: leave that to pydantic
            and not value[-1].isspace()
            and (value.isascii() or _utf8(value))
        ):
            return value
        return _BAD

    return check


def _utf8(value: str) -> bool:
    """Whether a str is real Unicode text (JSON escapes can make lone surrogates)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _date(value: Any) -> Any:
    if type(value) is str and _ISO_DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    return _BAD


def _utc(value: Any) -> Any:
    if type(value) is str and _ISO_TIME.fullmatch(value):
        try:
            return dt.datetime.fromisoformat(value).astimezone(dt.UTC)
        except ValueError:
            pass
    return _BAD


def _count(value: Any) -> Any:
    return value if type(value) is int and 0 <= value <= _INT64_MAX else _BAD


def _flag(value: Any) -> Any:
    return value if type(value) is bool else _BAD


def _choice(values: Iterable[str]) -> Check:
    allowed = frozenset(values)

    def check(value: Any) -> Any:
        return value if type(value) is str and value in allowed else _BAD

    return check


def _strings(item: Check) -> Check:
    """A non-empty list of strings that each pass ``item``. Equal lists are checked once
    and share one list object in the results (100,000 events citing one source hold one
    list, not 100,000): values are read-only.
    """
    known: dict[tuple[str, ...], Any] = {}

    def check(value: Any) -> Any:
        if type(value) is not list or not value or not all(type(v) is str for v in value):
            return _BAD
        key = tuple(value)
        hit = known.get(key)
        if hit is None:
            hit = known[key] = list(key) if all(item(v) is not _BAD for v in key) else _BAD
        return hit

    return check


def _no_claims(value: Any) -> Any:
    return value if type(value) is list and not value else _BAD


def _specs(model: type[FeatureProps]) -> dict[str, tuple[Check, bool, bool]] | None:
    """For each field of ``model``: its value check, whether it is required, and whether
    to remember checked strings (fields with few distinct values); None for a model the
    bulk path does not know.
    """
    text, long_text = _text(_TEXT_MAX), _text(_LONG_TEXT_MAX)
    specs: dict[str, tuple[Check, bool, bool]] = {
        "id": (_ident, True, False),
        "name": (text, True, False),
        "kind": (_ident, True, True),
        "source": (_strings(_ident), True, False),
        "as_of": (_date, True, True),
        "accuracy_m": (_count, True, False),
        "approximate": (_flag, True, False),
        "description": (long_text, False, True),
        "name_ar": (text, False, True),
        "name_he": (text, False, True),
        "valid_from": (_date, False, True),
        "valid_to": (_date, False, True),
        "claims": (_no_claims, False, False),  # see BulkCheck.check
        "accessed": (_date, False, True),
        "about": (_ident, False, False),  # a rival version: the per-feature path checks it
        "claimant": (text, False, True),
        "confidence": (_choice(c.value for c in Confidence), False, True),
    }
    if model is EventProps:
        specs |= {
            "name": (text, False, False),
            "as_of": (_date, False, True),
            "accuracy_m": (_count, False, False),
            "title": (text, True, False),
            "time": (_utc, True, False),
            "time_precision": (_choice(p.value for p in TimePrecision), True, True),
            "dating": (long_text, True, True),
            "actors": (_strings(text), True, False),
        }
    elif model is CorridorProps:
        specs |= {
            "proposed_by": (text, True, True),
            "status": (_choice(s.value for s in CorridorStatus), True, True),
            "destination": (text, True, True),
            "mode": (text, True, True),
            "illustrative": (_flag, True, False),
        }
    elif model is not FeatureProps:
        return None
    decorators = model.__pydantic_decorators__
    if (
        set(specs) != set(model.model_fields)
        or set(decorators.model_validators) != {"_check"}
        or decorators.field_validators
        or decorators.validators
        or decorators.root_validators
    ):
        return None  # the schema changed: every feature takes the per-feature path
    return specs


def _plain_key(name: str) -> bool:
    """An extra property name pydantic surely stores as given."""
    return name.isidentifier() and not name.startswith(("_", "model_"))


def _flat(props: dict[str, Any]) -> bool:
    """Whether no property value can have a problem of ``value_problem``."""
    for value in props.values():
        kind = type(value)
        if kind is str or kind is int or kind is bool or value is None:
            continue
        if kind is float and math.isfinite(value):
            continue
        if kind is list and all(type(item) is str for item in value):
            continue
        return False
    return True


class BulkCheck:
    """Properties of many features, checked column by column against one model."""

    def __init__(self, model: type[FeatureProps] | None) -> None:
        self.model = model
        self.specs = _specs(model) if model is not None else None
        self.known: dict[str, dict[str, Any]] = {name: {} for name in self.specs or {}}
        self.key_sets: dict[tuple[str, ...], tuple[str, ...] | None] = {}
        self.no_claims: list[Any] = []

    def check(self, features: list[Any], offset: int) -> tuple[list[bool], BulkRows | None]:
        """Which features' properties are accepted in bulk, and their values."""
        accepted = [False] * len(features)
        picked, props_list = _with_properties(features)
        if self.model is None:
            for i, props in zip(picked, props_list, strict=True):
                accepted[i] = _flat(props)
            return accepted, None
        if self.specs is None or not picked:
            return accepted, None
        good = np.ones(len(picked), dtype=bool)
        extras, groups = self._key_groups(props_list, good)
        columns = self._columns(_transpose(props_list, groups), len(props_list), good)
        self._model_rules(features, picked, columns, good)
        extra_names = _plain_extras(props_list, extras, good)
        keep = np.flatnonzero(good).tolist()
        if not keep:
            return accepted, None
        for j in keep:
            accepted[picked[j]] = True
        if len(keep) < len(picked):
            columns = {name: [values[j] for j in keep] for name, values in columns.items()}
        for name in extra_names:
            columns[name] = [props_list[j].get(name, ABSENT) for j in keep]
        return accepted, BulkRows(rows=[offset + picked[j] for j in keep], columns=columns)

    def _key_groups(
        self, props_list: list[dict[str, Any]], good: np.ndarray
    ) -> tuple[list[tuple[str, ...]], dict[tuple[str, ...], list[int]]]:
        """Each row's extra property names, and the rows of each key order.

        A row with an unusual extra name is marked not ``good`` (its extras taken as none).
        """
        extras: list[tuple[str, ...]] = []
        groups: dict[tuple[str, ...], list[int]] = {}
        for j, props in enumerate(props_list):
            keys = tuple(props)
            groups.setdefault(keys, []).append(j)
            found = self._extra_names(keys)
            if found is None:
                good[j] = False
                found = ()
            extras.append(found)
        return extras, groups

    def _columns(
        self, given: dict[str, list[Any]], count: int, good: np.ndarray
    ) -> dict[str, list[Any]]:
        """Each model field's values over ``count`` rows (``given`` as columns).

        Rows with a value the column checks leave to the per-feature path are marked not
        ``good``.
        """
        assert self.specs is not None
        columns: dict[str, list[Any]] = {}
        for name, (check, required, remember) in self.specs.items():
            raw = given.get(name) or [ABSENT] * count
            if name == "claims":  # absent or [] (one shared empty list); null is not a list
                empty = self.no_claims
                values = [
                    empty if value is ABSENT or _no_claims(value) is not _BAD else _BAD
                    for value in raw
                ]
            else:
                known = self.known[name] if remember else None
                values = _apply(check, raw, required=required, known=known)
            if _BAD in values:
                good &= np.fromiter((v is not _BAD for v in values), dtype=bool, count=len(values))
            columns[name] = values
        return columns

    def _extra_names(self, keys: tuple[str, ...]) -> tuple[str, ...] | None:
        """The names among ``keys`` that are not model fields; None if one is unusual."""
        if keys not in self.key_sets:
            assert self.specs is not None
            extra = tuple(k for k in keys if k not in self.specs)
            self.key_sets[keys] = extra if all(_plain_key(k) for k in extra) else None
        return self.key_sets[keys]

    def _model_rules(
        self,
        features: list[Any],
        picked: list[int],
        columns: dict[str, list[Any]],
        good: np.ndarray,
    ) -> None:
        """What the model validator and the located-event rule check, row by row."""
        approximate, description = columns["approximate"], columns["description"]
        valid_from, valid_to = columns["valid_from"], columns["valid_to"]
        accuracy = columns["accuracy_m"] if self.model is EventProps else None
        for j in np.flatnonzero(good).tolist():
            estimate_unexplained = approximate[j] is True and description[j] is None
            start, end = valid_from[j], valid_to[j]
            backwards = start is not None and end is not None and start > end
            located_without_accuracy = (
                accuracy is not None
                and accuracy[j] is None
                and features[picked[j]].get("geometry", ...) is not None
            )
            is_version = columns["about"][j] is not None  # rare: its rules, per feature
            if estimate_unexplained or backwards or located_without_accuracy or is_version:
                good[j] = False


def _with_properties(features: list[Any]) -> tuple[list[int], list[dict[str, Any]]]:
    """The indices of the Features whose properties are an object, and those objects."""
    picked: list[int] = []
    props_list: list[dict[str, Any]] = []
    for i, feature in enumerate(features):
        if type(feature) is dict and feature.get("type") == "Feature":
            props = feature.get("properties")
            if type(props) is dict:
                picked.append(i)
                props_list.append(props)
    return picked, props_list


def _plain_extras(
    props_list: list[dict[str, Any]], extras: list[tuple[str, ...]], good: np.ndarray
) -> dict[str, None]:
    """The extra property names of the ``good`` rows, in order of first appearance.

    A row with an extra value that has a ``value_problem`` is marked not ``good`` (and its
    extra names are left out).
    """
    extra_names: dict[str, None] = {}
    for j in np.flatnonzero(good).tolist():
        for name in extras[j]:
            if value_problem(props_list[j][name], name):
                good[j] = False
                break
        else:
            extra_names.update(dict.fromkeys(extras[j]))
    return extra_names


def _transpose(
    rows: list[dict[str, Any]], groups: dict[tuple[str, ...], list[int]]
) -> dict[str, list[Any]]:
    """Dicts as columns (``ABSENT`` where a row lacks a key); ``groups`` holds the rows
    of each key order. Rows sharing keys are read by one ``itemgetter`` each.
    """
    if len(groups) == 1:
        keys = next(iter(groups))
        if len(keys) < 2:
            return {key: [row[key] for row in rows] for key in keys}
        values = zip(*map(operator.itemgetter(*keys), rows), strict=True)
        return dict(zip(keys, map(list, values), strict=True))
    columns: dict[str, list[Any]] = {}
    for keys, members in groups.items():
        for key in keys:
            column = columns.get(key)
            if column is None:
                column = columns[key] = [ABSENT] * len(rows)
            for j in members:
                column[j] = rows[j][key]
    return columns


def _apply(
    check: Check, raw: list[Any], *, required: bool, known: dict[str, Any] | None
) -> list[Any]:
    """``check`` on each present value: an absent one is _BAD when ``required``, else
    None, as null is. With ``known``, each distinct string is checked once (and the rows
    share one copy of it).
    """
    if known is None:
        if required:
            return [_BAD if value is ABSENT else check(value) for value in raw]
        return [None if value is ABSENT or value is None else check(value) for value in raw]
    out: list[Any] = []
    append, get = out.append, known.get
    for value in raw:
        if type(value) is str:
            hit = get(value, ABSENT)
            if hit is ABSENT:
                hit = known[value] = check(value)
            append(hit)
        elif value is ABSENT or value is None:
            append(_BAD if required else None)  # no check takes None
        else:
            append(check(value))
    return out
