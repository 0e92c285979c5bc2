"""Pydantic models of a situation: manifest, sources, feature properties, claims, events.

These models are the schema of DESIGN section 2. Dates are ISO 8601; event times are
UTC. Coordinates never appear here: geometry is checked in ``validation``.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

__all__ = [
    "EXTRA_PROPERTY_LIMIT",
    "MANIFEST_FILE",
    "SOURCES_FILE",
    "Analysis",
    "Claim",
    "Confidence",
    "CorridorProps",
    "CorridorStatus",
    "EventProps",
    "Extent",
    "FeatureProps",
    "LabelsSpec",
    "LayerKind",
    "LayerSpec",
    "Manifest",
    "Source",
    "SourcesFile",
    "TimePrecision",
    "View",
    "props_model",
]

MANIFEST_FILE = "situation.toml"
"""A situation folder's manifest: title, dates, extent, view, layers in draw order."""
SOURCES_FILE = "sources.toml"
"""A situation folder's sources: every source once, cited by id."""

EXTRA_PROPERTY_LIMIT = 10_000
"""Longest string (characters) accepted in any property; longer text belongs in a source."""

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2_000)]
LongText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=EXTRA_PROPERTY_LIMIT)
]
Identifier = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,127}$"),
]


def _as_list(value: Any) -> Any:
    """Accept one source id as a bare string; store a list."""
    return [value] if isinstance(value, str) else value


def _non_empty(value: list[str]) -> list[str]:
    if not value:
        msg = "must name at least one source id"
        raise ValueError(msg)
    return value


SourceIds = Annotated[list[Identifier], BeforeValidator(_as_list), AfterValidator(_non_empty)]


def _strict_date(value: Any) -> Any:
    """Take a calendar date: 'YYYY-MM-DD' text, or a TOML date; never a bare number."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            msg = f"{value!r} is not a real ISO date (YYYY-MM-DD)"
            raise ValueError(msg) from None
    msg = f"expected an ISO date as text (YYYY-MM-DD), got {type(value).__name__} {value!r}"
    raise ValueError(msg)


def _utc_time(value: Any) -> Any:
    """Take an ISO 8601 date-time with an explicit zone (or a date), return it in UTC."""
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            msg = f"{value!r} is not a real ISO 8601 date-time (e.g. 2025-11-09T21:00:00Z)"
            raise ValueError(msg) from None
        if parsed.tzinfo is None:
            if "T" in value or " " in value:
                msg = f"{value!r} has no time zone; write it in UTC with a trailing Z"
                raise ValueError(msg)
            parsed = parsed.replace(tzinfo=dt.UTC)
        return parsed.astimezone(dt.UTC)
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            msg = f"{value.isoformat()!r} has no time zone; write it in UTC with a trailing Z"
            raise ValueError(msg)
        return value.astimezone(dt.UTC)
    msg = f"expected an ISO 8601 date-time as text, got {type(value).__name__} {value!r}"
    raise ValueError(msg)


IsoDate = Annotated[dt.date, BeforeValidator(_strict_date)]
UtcTime = Annotated[dt.datetime, BeforeValidator(_utc_time)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class TimePrecision(enum.StrEnum):
    """How precisely an event's time is known."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"


class CorridorStatus(enum.StrEnum):
    """Where a candidate corridor stands in the talks."""

    DISCUSSED = "discussed"
    PROPOSED = "proposed"
    REJECTED = "rejected"
    AGREED = "agreed"


class Confidence(enum.StrEnum):
    """How far the claimant's version of a geometry is borne out by other sources."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class LayerKind(enum.StrEnum):
    """What a layer holds; decides which property model its features follow."""

    CONTEXT = "context"
    AREAS = "areas"
    PLACES = "places"
    CORRIDORS = "corridors"
    EVENTS = "events"


class Source(_Model):
    """One source, cited by id from features, claims and events."""

    id: Identifier
    publisher: Text
    title: Text
    date: IsoDate
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$", max_length=2_000)] | None = (
        None
    )
    licence: Text | None = None
    notes: LongText | None = None
    accessed: IsoDate | None = None
    """When the source was read (``date`` is when it was published)."""


class SourcesFile(_Model):
    """The whole of sources.toml: ``[[sources]]`` tables."""

    sources: list[Source] = Field(min_length=1)


class Claim(_Model):
    """One party's statement on a disputed question, never shown as fact."""

    about: Text
    by: Text
    says: LongText
    source: Identifier
    date: IsoDate
    """When the claim was reported (made public), not when it was looked up."""
    accessed: IsoDate | None = None
    """When the claim was looked up in its source, if that matters (undated pages)."""


class FeatureProps(BaseModel):
    """Properties every feature of a situation carries (DESIGN section 2)."""

    model_config = ConfigDict(
        extra="allow", frozen=True, str_strip_whitespace=True, use_enum_values=True
    )

    id: Identifier
    name: Text
    kind: Identifier
    source: SourceIds
    as_of: IsoDate
    """When the fact was reported (made public), never when it was looked up."""
    accuracy_m: int = Field(ge=0, strict=True)
    approximate: bool = Field(strict=True)
    description: LongText | None = None
    name_ar: Text | None = None
    name_he: Text | None = None
    valid_from: IsoDate | None = None
    valid_to: IsoDate | None = None
    claims: list[Claim] = Field(default_factory=list)
    accessed: IsoDate | None = None
    """When the fact was looked up in its source (may be after the situation's end)."""
    about: Identifier | None = None
    """A rival version: the id of the feature this geometry is another version of."""
    claimant: Text | None = None
    """Who places the thing here (a version's claimant; on the feature itself, optional)."""
    confidence: Confidence | None = None
    """How far other sources bear this version out (low, medium, high)."""

    @model_validator(mode="after")
    def _check(self) -> FeatureProps:
        if self.about is not None and (self.claimant is None or self.confidence is None):
            msg = "a version (with 'about') needs a 'claimant' and a 'confidence'"
            raise ValueError(msg)
        if self.about is not None and self.about == self.id:
            msg = "a version cannot be 'about' itself"
            raise ValueError(msg)
        if self.valid_from and self.valid_to and self.valid_from > self.valid_to:
            msg = f"valid_from {self.valid_from} is after valid_to {self.valid_to}"
            raise ValueError(msg)
        if self.approximate and not self.description:
            msg = "an approximate geometry needs a description saying what it was estimated from"
            raise ValueError(msg)
        return self


class CorridorProps(FeatureProps):
    """A candidate exit corridor: who proposed it, where it leads, where it stands."""

    proposed_by: Text
    status: CorridorStatus
    destination: Text
    mode: Text
    illustrative: bool = Field(strict=True)


class EventProps(FeatureProps):
    """A dated event; its geometry may be null when it has no place."""

    name: Text | None = None  # type: ignore[assignment]
    as_of: IsoDate | None = None  # type: ignore[assignment]
    accuracy_m: int | None = Field(default=None, ge=0, strict=True)  # type: ignore[assignment]
    title: Text
    time: UtcTime
    time_precision: TimePrecision
    dating: LongText
    actors: list[Text] = Field(min_length=1)


def props_model(kind: LayerKind) -> type[FeatureProps]:
    """The properties model that features of a layer of this kind must follow."""
    if kind is LayerKind.EVENTS:
        return EventProps
    if kind is LayerKind.CORRIDORS:
        return CorridorProps
    return FeatureProps


class Extent(_Model):
    """A lon/lat box, WGS84 degrees: west < east, south < north."""

    west: float = Field(ge=-180, le=180)
    south: float = Field(ge=-90, le=90)
    east: float = Field(ge=-180, le=180)
    north: float = Field(ge=-90, le=90)

    @model_validator(mode="after")
    def _ordered(self) -> Extent:
        if not (self.west < self.east and self.south < self.north):
            msg = "needs west < east and south < north"
            raise ValueError(msg)
        return self

    def contains(self, lon: float, lat: float) -> bool:
        """Whether a lon/lat position lies in the box (edges included)."""
        return self.west <= lon <= self.east and self.south <= lat <= self.north


class View(_Model):
    """The initial map view: a centre (explicit lon/lat) and a zoom level."""

    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    zoom: int = Field(ge=1, le=19)
    frame: Extent


class LayerSpec(_Model):
    """One layer of situation.toml, in draw order."""

    id: Identifier
    file: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.\-]+\.geojson$")]
    title: Text
    kind: LayerKind
    visible: bool = True
    description: LongText | None = None


class Analysis(_Model):
    """Which feature kinds the corridor analysis treats as what."""

    controlled_area_kinds: list[Identifier] = Field(min_length=1)
    control_line_kinds: list[Identifier] = Field(min_length=1)
    crossing_kinds: list[Identifier] = Field(min_length=1)
    sensitive_kinds: list[Identifier] = Field(default_factory=list)
    area_layers: list[Identifier] = Field(min_length=1)
    controlled_area_label: Text = "controlled area"
    control_line_label: Text = "control line"
    walk_kmh: float = Field(default=4.0, gt=0, le=20)
    drive_kmh: float = Field(default=20.0, gt=0, le=150)


LabelPriority = Annotated[int, Field(ge=1, le=1_000, strict=True)]


class LabelsSpec(_Model):
    """Always-visible map labels: which feature kinds get one, and which wins a collision.

    ``priority`` maps a feature kind to its rank (1 is placed first and wins where labels
    collide); kinds not listed get no label. ``max_chars`` bounds a label's length.
    """

    priority: dict[Identifier, LabelPriority] = Field(default_factory=dict)
    max_chars: int = Field(default=34, ge=8, le=80, strict=True)


class Manifest(_Model):
    """The whole of situation.toml."""

    id: Identifier
    title: Text
    summary: LongText
    as_of: IsoDate
    start: IsoDate
    end: IsoDate
    disclaimer: LongText
    extent: Extent
    view: View
    analysis: Analysis
    layers: list[LayerSpec] = Field(min_length=1)
    labels: LabelsSpec = Field(default_factory=LabelsSpec)

    @model_validator(mode="after")
    def _check(self) -> Manifest:
        if self.start > self.end:
            msg = f"start {self.start} is after end {self.end}"
            raise ValueError(msg)
        seen: set[str] = set()
        for layer in self.layers:
            if layer.id in seen:
                msg = f"layer id {layer.id!r} appears twice"
                raise ValueError(msg)
            seen.add(layer.id)
        unknown = set(self.analysis.area_layers) - seen
        if unknown:
            msg = f"analysis.area_layers names unknown layers {sorted(unknown)}"
            raise ValueError(msg)
        return self
