"""What the store keeps and how it checks it: drafts, revisions, quotas, the store protocol.

Engine-independent: the SQLite and PostgreSQL stores share every check and every message
here, so both refuse the same things with the same words.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal, Protocol, get_args

from sitmap.access import Role
from sitmap.errors import QuotaError, SketchNotFoundError, StaleRevisionError, StoreError

__all__ = [
    "CHECKED_BY",
    "DEFAULT_QUOTA",
    "MAX_NAME_CHARS",
    "MAX_NOTES_CHARS",
    "STORE",
    "Quota",
    "Revision",
    "SketchDraft",
    "SketchKind",
    "SketchStore",
    "Usage",
    "check_draft",
    "check_quota",
    "check_revision_number",
    "check_text",
    "refuse_change",
]

SketchKind = Literal["corridor", "layer", "annotation", "comment"]
"""A drawn corridor (GeoJSON LineString geometry), an uploaded layer (FeatureCollection), an
annotation (a Feature: a point, line or area with a note, a time and a source) or a comment
(``{"type": "Comment", "on": ..., "text": ...}``: text about a feature, sketch or upload)."""

MAX_NAME_CHARS: Final = 200
MAX_NOTES_CHARS: Final = 20_000
STORE: Final = "sketch store"
"""The FILE part of every store error (never a path or URL that may hold a password)."""
_CONTENT_TYPES: Final[dict[str, str]] = {
    "corridor": "LineString",
    "layer": "FeatureCollection",
    "annotation": "Feature",
    "comment": "Comment",
}
_MEMBERS: Final[dict[str, tuple[str, type]]] = {
    "corridor": ("coordinates", list),
    "layer": ("features", list),
    "annotation": ("geometry", dict),
    "comment": ("text", str),
}
CHECKED_BY: Final = "checked_by"
"""The property of an annotation naming the admin who marked it checked (absent: unverified)."""


@dataclass(frozen=True, slots=True)
class SketchDraft:
    """What a caller asks to save: a new sketch (``sketch_id=None``) or a change to one.

    ``content`` is a GeoJSON object in WGS84 lon/lat: a LineString geometry for a corridor, a
    FeatureCollection for a layer. ``situation`` is the id of the situation it belongs to.
    """

    kind: SketchKind
    name: str
    content: Mapping[str, Any]
    notes: str = ""
    situation: str | None = None
    sketch_id: str | None = None


@dataclass(frozen=True, slots=True)
class Revision:
    """One saved, immutable revision of a sketch (``deleted`` marks a tombstone).

    ``author`` saved this revision at ``created_at`` (UTC, ISO 8601 with Z); ``created_by``
    saved revision 1 and owns the sketch. ``content`` is parsed afresh on every access; a
    tombstone keeps the name but no content (``content_json`` is empty, ``content`` ``{}``).
    """

    sketch_id: str
    revision: int
    kind: SketchKind
    name: str
    author: str
    created_at: str
    notes: str
    situation: str | None
    deleted: bool
    created_by: str
    content_json: str = field(repr=False)

    @property
    def content(self) -> dict[str, Any]:
        """The GeoJSON content (a new dict each time, so callers cannot alter the revision)."""
        if not self.content_json:
            return {}
        content: dict[str, Any] = json.loads(self.content_json)
        return content

    @property
    def checked_by(self) -> str | None:
        """The admin who marked this annotation checked; None while it is unverified."""
        if self.kind != "annotation" or not self.content_json:
            return None
        found = (self.content.get("properties") or {}).get(CHECKED_BY)
        return str(found) if found else None

    def draft(self) -> SketchDraft:
        """A draft with this revision's fields, to change and save on top of it."""
        return SketchDraft(
            kind=self.kind,
            name=self.name,
            content=self.content,
            notes=self.notes,
            situation=self.situation,
            sketch_id=self.sketch_id,
        )


class SketchStore(Protocol):
    """Where sketches live: every save a new revision, updates checked against a base."""

    def save(self, draft: SketchDraft, /, *, base_revision: int | None, author: str) -> Revision:
        """Save a new sketch (``base_revision=None``) or a revision over ``base_revision``."""

    def delete(self, sketch_id: str, /, *, base_revision: int, author: str) -> Revision:
        """Write a tombstone over ``base_revision``, which must still be the latest."""

    def get(self, sketch_id: str, /) -> Revision:
        """The latest revision of a live sketch."""

    def get_revision(self, sketch_id: str, revision: int, /) -> Revision:
        """One revision of a sketch, tombstones included."""

    def history(self, sketch_id: str, /) -> tuple[Revision, ...]:
        """Every revision of a sketch, oldest first, tombstones included."""

    def list(
        self,
        *,
        kind: SketchKind | None = None,
        author: str | None = None,
        situation: str | None = None,
    ) -> tuple[Revision, ...]:
        """Latest revisions of live sketches, sorted by name; ``author`` is the creator."""

    def roles(self) -> dict[str, Role]:
        """Everyone's current role, by identity (empty: a one-person store)."""

    def enrol(self, user: str, /, *, admin: bool = False, first_is_admin: bool = True) -> Role:
        """``user``'s role, given one (admin, first admin, or the default) if they had none."""

    def grant(self, user: str, role: Role, /, *, by: str) -> None:
        """Give ``user`` a role; ``by`` must be an admin."""


@dataclass(frozen=True, slots=True)
class Quota:
    """What one author may keep: content bytes (history included) and live sketches."""

    max_bytes: int = 200_000_000
    max_items: int = 1_000


DEFAULT_QUOTA: Final = Quota()
"""The quota of a store opened without one (``open_store`` reads ``SITMAP_QUOTA_*``)."""


@dataclass(frozen=True, slots=True)
class Usage:
    """What one author keeps now: their revisions' content bytes, live sketches created."""

    bytes: int
    items: int


def check_text(value: object, what: str, *, max_chars: int, required: bool) -> str:
    """Return ``value`` if it is storable text, else raise StoreError naming the problem."""
    if not isinstance(value, str):
        msg = f"{what} must be text, got {type(value).__name__}"
        raise StoreError(msg, file=STORE)
    if required and not value.strip():
        msg = f"{what} is empty; give it at least one visible character"
        raise StoreError(msg, file=STORE)
    if len(value) > max_chars:
        msg = f"{what} has {len(value)} characters; at most {max_chars} are allowed"
        raise StoreError(msg, file=STORE)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        msg = f"{what} is not valid Unicode text (a lone surrogate at position {exc.start})"
        raise StoreError(msg, file=STORE) from None
    if "\x00" in value:
        msg = f"{what} holds a NUL character (at position {value.index(chr(0))}); remove it"
        raise StoreError(msg, file=STORE)
    return value


def check_draft(draft: object) -> str:
    """Validate a draft lightly; return its content as JSON text."""
    if not isinstance(draft, SketchDraft):
        msg = f"expected a SketchDraft to save, got {type(draft).__name__}"
        raise StoreError(msg, file=STORE)
    if draft.kind not in get_args(SketchKind):
        kinds = ", ".join(repr(k) for k in get_args(SketchKind))
        msg = f"kind must be one of {kinds}, got {draft.kind!r}"
        raise StoreError(msg, file=STORE)
    name = check_text(draft.name, "the name", max_chars=MAX_NAME_CHARS, required=True)
    check_text(draft.notes, f"the notes of '{name}'", max_chars=MAX_NOTES_CHARS, required=False)
    if draft.situation is not None:
        check_text(draft.situation, "the situation id", max_chars=MAX_NAME_CHARS, required=True)
    content: object = draft.content
    expected = _CONTENT_TYPES[draft.kind]
    if not isinstance(content, Mapping):
        msg = f"the content of '{name}' must be a GeoJSON object, got {type(content).__name__}"
        raise StoreError(msg, file=STORE)
    if content.get("type") != expected:
        msg = (
            f"the content of '{name}' must be a GeoJSON {expected} (a {draft.kind}), "
            f"got type {content.get('type')!r}"
        )
        raise StoreError(msg, file=STORE)
    member, member_type = _MEMBERS[draft.kind]
    if not isinstance(content.get(member), member_type):
        msg = f"the content of '{name}' has no '{member}' {member_type.__name__}"
        raise StoreError(msg, file=STORE)
    try:  # ASCII JSON: lone surrogates and NULs are escaped, so every engine can keep it
        return json.dumps(content, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        msg = f"the content of '{name}' cannot be stored as JSON: {exc}"
        raise StoreError(msg, file=STORE) from None


def check_revision_number(value: object, what: str) -> int:
    """Return ``value`` if it is a revision number (an int from 1), else raise StoreError."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        msg = f"{what} must be a revision number (1, 2, ...), got {value!r}"
        raise StoreError(msg, file=STORE)
    return value


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB"


def check_quota(quota: Quota, author: str, usage: Usage, *, adding: int, new_item: bool) -> None:
    """Raise QuotaError if saving ``adding`` content bytes (and a new sketch) passes a quota."""
    if new_item and usage.items + 1 > quota.max_items:
        msg = (
            f"{author} already keeps {usage.items} saved corridors and uploads; the limit is "
            f"{quota.max_items} per author (SITMAP_QUOTA_ITEMS): delete some first"
        )
        raise QuotaError(msg, used=usage.items, adding=1, limit=quota.max_items)
    if usage.bytes + adding > quota.max_bytes:
        msg = (
            f"{author} already keeps {_mb(usage.bytes)} in the store and this save adds "
            f"{_mb(adding)}; the limit is {_mb(quota.max_bytes)} per author "
            "(SITMAP_QUOTA_MB): delete some of your uploads or corridors first"
        )
        raise QuotaError(msg, used=usage.bytes, adding=adding, limit=quota.max_bytes)


def refuse_change(latest: Revision, base: Revision | None, base_revision: int) -> None:
    """Raise why ``base_revision`` cannot be changed, given the latest revision and the base.

    Returns only when ``base_revision`` is the latest revision and the sketch is live.
    """
    feature = f"sketch {latest.sketch_id}"
    if base_revision == latest.revision and not latest.deleted:
        return
    by, at, now_rev = latest.author, latest.created_at, latest.revision
    if base_revision == latest.revision:
        msg = f"'{latest.name}' was deleted by {by} at {at}; it cannot be changed"
        raise SketchNotFoundError(msg, file=STORE, feature=feature)
    if base is None:
        msg = (
            f"revision {base_revision} of '{latest.name}' does not exist; the latest is "
            f"revision {now_rev}, saved by {by} at {at}; reload it and apply your change again"
        )
    elif latest.deleted:
        msg = (
            f"revision {base_revision} of '{base.name}' was replaced by revision "
            f"{now_rev}, which deleted it ({by} at {at})"
        )
    else:
        msg = (
            f"revision {base_revision} of '{base.name}' was replaced by revision "
            f"{now_rev}, saved by {by} at {at}; reload it and apply your change again"
        )
    raise StaleRevisionError(msg, by=by, at=at, feature=feature)
