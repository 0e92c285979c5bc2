"""Annotations, comments and every item's history, as the page keeps and shows them.

An annotation is a point, line or area drawn on the map with a note, a time and a source
(like the situation's events), kept in the store as a sketch of kind ``annotation`` (a
GeoJSON Feature) and shown as "by NAME, unverified" until an admin marks it checked. A
comment is text about any feature of the situation, saved corridor, upload or annotation
(kind ``comment``). Both are owned by who saved them, like corridors and uploads. The
history of an item is its revisions, told as who changed what when (before → after).
No Streamlit here; all text is shown escaped by the panels.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from sitmap.errors import StoreError
from sitmap.situation import Situation
from sitmap.store import Revision, SketchDraft
from sitmap.store.model import CHECKED_BY, STORE

__all__ = [
    "GEOMETRY_TYPES",
    "HistoryRow",
    "annotation_draft",
    "annotation_status",
    "authors",
    "checked_draft",
    "comment_draft",
    "comment_targets",
    "comments_on",
    "drawn_geometry",
    "history_rows",
    "only_by",
]

GEOMETRY_TYPES: Final = frozenset({"Point", "LineString", "Polygon"})
"""What an annotation marks: a point, a line or an area."""
MAX_NOTE_CHARS: Final = 2_000
_SHOWN_CHARS: Final = 60


def drawn_geometry(all_drawings: Any, /) -> dict[str, Any] | None:
    """The last point, line or area drawn on the map (st_folium's ``all_drawings``), as a
    GeoJSON geometry with finite [lon, lat] coordinates; None when there is none.
    """
    if not isinstance(all_drawings, list):
        return None
    for feature in reversed(all_drawings):
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        if not isinstance(geometry, dict) or geometry.get("type") not in GEOMETRY_TYPES:
            continue
        if _finite(geometry.get("coordinates")):
            return {"type": geometry["type"], "coordinates": geometry["coordinates"]}
    return None


def _finite(coords: Any) -> bool:
    if isinstance(coords, list) and coords and all(isinstance(c, int | float) for c in coords):
        return len(coords) >= 2 and all(math.isfinite(c) for c in coords)
    return isinstance(coords, list) and bool(coords) and all(_finite(c) for c in coords)


def _checked_text(text: str, what: str, /, *, empty: str) -> str:
    """``text`` stripped; StoreError saying ``empty`` when nothing is left, or how long
    ``what`` is when it is over ``MAX_NOTE_CHARS``.
    """
    kept = text.strip()
    if not kept:
        raise StoreError(empty, file=STORE)
    if len(kept) > MAX_NOTE_CHARS:
        msg = f"{what} has {len(kept)} characters; at most {MAX_NOTE_CHARS} are allowed"
        raise StoreError(msg, file=STORE)
    return kept


def annotation_draft(
    geometry: Mapping[str, Any],
    /,
    *,
    note: str,
    time: dt.datetime | dt.date | None,
    source: str,
    situation_id: str,
) -> SketchDraft:
    """A new annotation: the note is its name (cut to 200 characters) and its property."""
    text = _checked_text(note, "the note", empty="an annotation needs a note saying what is there")
    properties = {
        "note": text,
        "time": time.isoformat() if time is not None else None,
        "source": source.strip(),
    }
    content = {"type": "Feature", "geometry": dict(geometry), "properties": properties}
    return SketchDraft(kind="annotation", name=text[:200], content=content, situation=situation_id)


def checked_draft(revision: Revision, /, *, by: str) -> SketchDraft:
    """The next revision of an annotation, marked checked by the admin ``by``."""
    content = revision.content
    content["properties"] = {**(content.get("properties") or {}), CHECKED_BY: by}
    draft = revision.draft()
    return SketchDraft(
        kind=draft.kind,
        name=draft.name,
        content=content,
        notes=draft.notes,
        situation=draft.situation,
        sketch_id=draft.sketch_id,
    )


def annotation_status(revision: Revision, /) -> str:
    """The annotation's owner and state: by NAME, unverified (or checked by ADMIN)."""
    checked = revision.checked_by
    state = f"checked by {checked}" if checked else "unverified"
    return f"by {revision.created_by}, {state}"


def comment_draft(on: str, text: str, /, *, situation_id: str) -> SketchDraft:
    """A comment on the item ``on`` (see :func:`comment_targets`)."""
    said = _checked_text(text, "the comment", empty="the comment is empty")
    content = {"type": "Comment", "on": on, "text": said}
    return SketchDraft(kind="comment", name=said[:200], content=content, situation=situation_id)


def comment_targets(situation: Situation, items: Iterable[Revision], /) -> dict[str, str]:
    """What can be commented on, key -> label: the situation's features (``feature:ID``),
    then saved corridors, uploads and annotations (``sketch:ID``).
    """
    targets: dict[str, str] = {}
    for layer in situation.layers.values():
        frame = layer.frame
        if "id" not in frame.columns:
            continue
        names = frame["name"] if "name" in frame.columns else frame["id"]
        for ident, name in zip(frame["id"], names, strict=True):
            targets[f"feature:{ident}"] = f"{name} ({layer.spec.title})"
    kinds = {"corridor": "saved corridor", "layer": "upload", "annotation": "annotation"}
    for item in items:
        if item.kind in kinds:
            targets[f"sketch:{item.sketch_id}"] = f"{item.name} ({kinds[item.kind]})"
    return targets


def comments_on(comments: Sequence[Revision], on: str | None, /) -> list[Revision]:
    """The comments about ``on`` (None: all), oldest first."""
    chosen = [c for c in comments if on is None or c.content.get("on") == on]
    return sorted(chosen, key=lambda c: (c.created_at, c.sketch_id))


def authors(items: Iterable[Revision], /) -> list[str]:
    """Everyone who owns one of ``items``, sorted."""
    return sorted({item.created_by for item in items})


def only_by(items: Sequence[Revision], author: str | None, /) -> list[Revision]:
    """The items ``author`` owns (None: every item)."""
    return [item for item in items if author is None or item.created_by == author]


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """One change: when, who, and what changed (before → after)."""

    when: str
    who: str
    what: str


def _short(text: str) -> str:
    one = " ".join(text.split())
    return one if len(one) <= _SHOWN_CHARS else one[: _SHOWN_CHARS - 1] + "\u2026"


def _without_check(content: dict[str, Any]) -> dict[str, Any]:
    props = content.get("properties")
    if isinstance(props, dict):
        content["properties"] = {k: v for k, v in props.items() if k != CHECKED_BY}
    return content


def _changes(before: Revision, after: Revision) -> list[str]:
    changes = []
    if after.name != before.name:
        changes.append(
            f"renamed \u201c{_short(before.name)}\u201d \u2192 \u201c{_short(after.name)}\u201d"
        )
    if after.notes != before.notes:
        changes.append(
            f"notes \u201c{_short(before.notes)}\u201d \u2192 \u201c{_short(after.notes)}\u201d"
        )
    if after.checked_by != before.checked_by:
        changes.append(
            f"marked checked by {after.checked_by}" if after.checked_by else "check removed"
        )
    old, new = _without_check(before.content), _without_check(after.content)
    if old != new:
        changes.append("geometry or content changed")
    return changes


def history_rows(revisions: Sequence[Revision], /) -> list[HistoryRow]:
    """Who changed what when, newest first, from an item's revisions (oldest first)."""
    rows: list[HistoryRow] = []
    previous: Revision | None = None
    for rev in revisions:
        if previous is None:
            what = f"created \u201c{_short(rev.name)}\u201d (revision {rev.revision})"
        elif rev.deleted:
            what = f"deleted \u201c{_short(rev.name)}\u201d (revision {rev.revision}; kept here)"
        else:
            found = _changes(previous, rev) or ["saved again, nothing changed"]
            what = f"revision {rev.revision}: " + "; ".join(found)
        rows.append(HistoryRow(rev.created_at, rev.author, what))
        previous = rev
    return rows[::-1]
