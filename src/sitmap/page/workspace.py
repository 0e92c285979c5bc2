"""Everything one page run shows, gathered once: the situation, saved work and its measures.

:func:`open_workspace` reads the saved corridors and this author's uploads from the store
and measures every corridor once (:func:`sitmap.page.workbench.measure_corridors`), so the
map, the workbench and the downloads of one run all use the same figures.

A store that cannot be opened or read (a folder where the database file should be, a
read-only mount, a corrupt or foreign file) does not take the page down: the page opens
an :class:`UnavailableStore` instead (:func:`usable_store`), the workspace carries the
reason in :attr:`Workspace.store_problem`, and the map and the situation are shown with
saving switched off.
"""

from __future__ import annotations

import datetime as dt
import pickle
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

from shapely.geometry.base import BaseGeometry

from sitmap.access import Action, Person, Role, may
from sitmap.caching import DerivedCache
from sitmap.errors import StoreError
from sitmap.io import ExportFormat, ImportedLayer, export_bytes
from sitmap.mapview import ExtraLayer, annotation_layer, sketch_layer
from sitmap.memory import release_free_memory
from sitmap.page.notes import (
    HistoryRow,
    annotation_draft,
    checked_draft,
    comment_draft,
    history_rows,
)
from sitmap.page.uploads import (
    UploadAreas,
    UploadedLayers,
    add_events_upload,
    add_upload,
    revision_key,
    uploaded_layers,
    with_uploaded_events,
)
from sitmap.page.workbench import (
    Candidate,
    MeasuredCorridors,
    candidates,
    export_items,
    measure_corridors,
    save_corridor,
    saved_candidates,
)
from sitmap.settings import database_url, db_target
from sitmap.situation import Situation
from sitmap.store import Revision, SketchDraft, SketchKind, SketchStore, open_store

__all__ = [
    "STORE_OFF_NOTE",
    "UnavailableStore",
    "Workspace",
    "export_file",
    "open_workspace",
    "read_only_problem",
    "store_problem_text",
    "usable_store",
]

STORE_OFF_NOTE: Final = (
    "Adding layers is off: saved work cannot be written now (the corridor workbench says why)."
)
"""Shown beside the uploader while the store cannot be used."""

_EXPORTS: DerivedCache[bytes] = DerivedCache("corridor exports", maxsize=32)
_MEASURED: DerivedCache[MeasuredCorridors] = DerivedCache("corridors against uploads", maxsize=8)
"""A run's corridors measured against uploaded areas, by situation, saved corridors and
uploads (their revisions)."""


def store_problem_text(err: StoreError, /) -> str:
    """What is wrong with the sketch store, which file it is, and what to do about it."""
    if database_url():  # never echo the URL: it may hold a password
        need = "SITMAP_DATABASE_URL must name a PostgreSQL database sitmap can reach and write"
    else:
        need = f"SITMAP_DB ({db_target()}) must name a SQLite file that sitmap can read and write"
    return (
        f"Saved corridors and uploads are unavailable: {err.problem}. The map and the "
        "situation are shown, but nothing can be saved or uploaded until this is fixed: "
        f"{need}; then reload the page."
    )


def read_only_problem(store: SketchStore, /) -> str | None:
    """Why an opened store can be read but not written, and what to do; None when it can.

    A SQLite store opened from a read-only file or folder says why in ``read_only``.
    """
    reason = getattr(store, "read_only", None)
    if not (isinstance(reason, str) and reason):
        return None
    where = getattr(store, "path", None) or db_target()
    return (
        f"Saved corridors and uploads are read-only: {where} cannot be written ({reason}). "
        "They are shown, but nothing can be saved, removed or uploaded until this is fixed. "
        "Make the file and its folder writable for the server, or point SITMAP_DB at a "
        "writable place, then reload the page."
    )


@dataclass(frozen=True)
class UnavailableStore:
    """The store that could not be opened: lists nothing and refuses every change."""

    error: StoreError

    @property
    def problem(self) -> str:
        """What is wrong and what to do (:func:`store_problem_text`)."""
        return store_problem_text(self.error)

    def save(self, draft: SketchDraft, /, *, base_revision: int | None, author: str) -> Revision:  # noqa: ARG002
        """Refused: raises the error that made the store unavailable."""
        raise self.error

    def delete(self, sketch_id: str, /, *, base_revision: int, author: str) -> Revision:  # noqa: ARG002
        """Refused: raises the error that made the store unavailable."""
        raise self.error

    def get(self, sketch_id: str, /) -> Revision:  # noqa: ARG002
        """Refused: raises the error that made the store unavailable."""
        raise self.error

    def get_revision(self, sketch_id: str, revision: int, /) -> Revision:  # noqa: ARG002
        """Refused: raises the error that made the store unavailable."""
        raise self.error

    def history(self, sketch_id: str, /) -> tuple[Revision, ...]:  # noqa: ARG002
        """Refused: raises the error that made the store unavailable."""
        raise self.error

    def list(
        self,
        *,
        kind: SketchKind | None = None,  # noqa: ARG002
        author: str | None = None,  # noqa: ARG002
        situation: str | None = None,  # noqa: ARG002
    ) -> tuple[Revision, ...]:
        """Nothing is listed."""
        return ()

    def roles(self) -> dict[str, Role]:
        """Nobody has a role here."""
        return {}

    def enrol(self, user: str, /, *, admin: bool = False, first_is_admin: bool = True) -> Role:  # noqa: ARG002
        """Refused: raises the error that made the store unavailable."""
        raise self.error

    def grant(self, user: str, role: Role, /, *, by: str) -> None:  # noqa: ARG002
        """Refused: raises the error that made the store unavailable."""
        raise self.error


def usable_store(opener: Callable[[], SketchStore] = open_store, /) -> SketchStore:
    """The sketch store, or an :class:`UnavailableStore` saying why it cannot be opened."""
    try:
        return opener()
    except StoreError as err:
        return UnavailableStore(err)


@dataclass(frozen=True)
class Workspace:
    """One page run's data: saved corridors, uploads, their layers and measures."""

    situation: Situation
    store: SketchStore
    author: str
    saved: tuple[Revision, ...]
    uploads: tuple[Revision, ...]
    user: UploadedLayers
    measured: MeasuredCorridors
    extra: tuple[ExtraLayer, ...]
    store_problem: str | None = None
    """Why saved work cannot be read or saved (what, which file, what to do); None when
    the store works. The page then shows the map and the situation with saving off."""
    person: Person | None = None
    """Who signed in with the identity provider (None: one-person mode, where the local
    user is admin of their own machine)."""
    annotations: tuple[Revision, ...] = ()
    comments: tuple[Revision, ...] = ()

    @property
    def can_save(self) -> bool:
        """Whether corridors and uploads can be saved (the store works)."""
        return self.store_problem is None

    def own_uploads(self) -> list[Revision]:
        """The uploads this session's author added (none before a name is typed)."""
        return [rev for rev in self.uploads if self.author and rev.created_by == self.author]

    def add_upload(self, data: bytes, filename: str, /, *, author: str) -> ImportedLayer:
        """Read an upload (sandboxed, bounded) and keep it for ``author``; raises SitmapError."""
        return add_upload(data, filename, self.situation, self.store, author=author)

    def add_events(self, data: bytes, filename: str, /, *, author: str) -> str:
        """Read an event table (ACLED export, spreadsheet) and keep it as events on the
        timeline for ``author``; what was added, for a message. Raises SitmapError.
        """
        table = add_events_upload(data, filename, self.situation, self.store, author=author)
        return f"Added {table.filename}: {table.count} events."

    def save_corridor(
        self, line: BaseGeometry, /, *, name: str, notes: str, editing: Revision | None, author: str
    ) -> Revision:
        """Save a drawn line as a new corridor or the next revision of ``editing``."""
        return save_corridor(
            self.situation, self.store, line, name=name, notes=notes, editing=editing, author=author
        )

    def delete(self, revision: Revision, /, *, author: str) -> None:
        """Delete a saved corridor or upload (a tombstone: its history keeps it)."""
        self.store.delete(revision.sketch_id, base_revision=revision.revision, author=author)

    # -- owners, roles, annotations, comments, history (sitmap.access, sitmap.page.notes) --

    def may(self, action: Action, item: Revision | None = None, /) -> bool:
        """Whether this session's person may do ``action`` (to ``item``); in one-person
        mode the local user may do anything (the store still checks every change).
        """
        if self.person is None:
            return True
        return may(self.person, action, item)

    def removable_uploads(self) -> list[Revision]:
        """The uploads this session may remove: its own, or every one for an admin."""
        if self.person is None:
            return self.own_uploads()
        return [rev for rev in self.uploads if self.may("delete", rev)]

    def history(self, revision: Revision, /) -> list[HistoryRow]:
        """Who changed what when in an item, newest first (empty if it cannot be read)."""
        try:
            return history_rows(self.store.history(revision.sketch_id))
        except StoreError:
            return []

    def add_annotation(
        self,
        geometry: Mapping[str, Any],
        /,
        *,
        note: str,
        time: dt.datetime | dt.date | None,
        source: str,
        author: str,
    ) -> Revision:
        """Keep a point, line or area with a note, a time and a source, unverified."""
        draft = annotation_draft(
            geometry, note=note, time=time, source=source, situation_id=self.situation.id
        )
        return self.store.save(draft, base_revision=None, author=author)

    def mark_checked(self, revision: Revision, /, *, author: str) -> Revision:
        """Mark an annotation checked by ``author`` (an admin: the store refuses others)."""
        draft = checked_draft(revision, by=author)
        return self.store.save(draft, base_revision=revision.revision, author=author)

    def add_comment(self, on: str, text: str, /, *, author: str) -> Revision:
        """Keep a comment on a feature, corridor, upload or annotation (``on``)."""
        draft = comment_draft(on, text, situation_id=self.situation.id)
        return self.store.save(draft, base_revision=None, author=author)

    def grant(self, user: str, role: Role, /, *, by: str) -> None:
        """Give ``user`` a role (``by`` must be an admin)."""
        self.store.grant(user, role, by=by)


def open_workspace(
    situation: Situation, store: SketchStore, /, *, author: str, person: Person | None = None
) -> Workspace:
    """Read the saved corridors and uploads of the situation, and measure every corridor.

    Uploads are shown to everyone, labelled with who added them, and stay shown after a
    reload; only their author may remove them (:meth:`Workspace.own_uploads`). A store
    that cannot be read gives a workspace of the situation alone, with the reason in
    :attr:`Workspace.store_problem`.
    """
    problem = store.problem if isinstance(store, UnavailableStore) else read_only_problem(store)
    try:
        saved = tuple(store.list(kind="corridor", situation=situation.id))
        uploads = tuple(store.list(kind="layer", situation=situation.id))
        annotations = tuple(store.list(kind="annotation", situation=situation.id))
        comments = tuple(store.list(kind="comment", situation=situation.id))
    except StoreError as err:  # opened, but cannot be read: show the situation without it
        store = UnavailableStore(err)
        problem, saved, uploads = store.problem, (), ()
        annotations, comments = (), ()
    situation = with_uploaded_events(situation, uploads)
    user = uploaded_layers(uploads, situation_id=situation.id)
    options = candidates(situation) + saved_candidates(saved)
    measured = _measured(situation, saved, uploads, options, user)
    extra = (sketch_layer(saved, measured.reports), *user.layers)
    if annotations:
        extra = (*extra, annotation_layer(annotations))
    return Workspace(
        *(situation, store, author, saved, uploads, user, measured, extra, problem),
        person=person,
        annotations=annotations,
        comments=comments,
    )


def _measured(
    situation: Situation,
    saved: Sequence[Revision],
    uploads: Sequence[Revision],
    options: Sequence[Candidate],
    user: UploadedLayers,
    /,
) -> MeasuredCorridors:
    """Every corridor measured against the situation and the uploaded areas; with uploaded
    areas, measured once per situation, saved corridors and uploads, and kept: a page run
    then reads no uploaded shape unless a corridor is measured afresh.
    """
    if not user.areas:
        return measure_corridors(situation, options, areas=user.areas)
    key = (
        situation.key,
        tuple(revision_key(r) for r in saved),
        tuple(revision_key(r) for r in uploads),
    )
    found = _MEASURED.get(key)
    if found is None:
        areas = user.areas
        if isinstance(areas, UploadAreas):  # only those the corridors meet: same figures
            areas = areas.meeting([option.geometry for option in options])
        measured = measure_corridors(situation, options, areas=areas)
        del areas  # the shapes go now, not with this run's workspace
        # The reports are copied once the shapes are gone: names made beside them would
        # otherwise keep much of the memory they took from going back to the system.
        reports = pickle.loads(pickle.dumps(dict(measured.reports)))  # noqa: S301  # ours
        found = _MEASURED.put(key, replace(measured, reports=reports))
        del measured
        release_free_memory()
    return found


def export_file(
    saved: Sequence[Revision], measured: MeasuredCorridors, fmt: ExportFormat, /
) -> bytes:
    """Saved corridors with the run's measures in one export format.

    Made once per set of saved revisions, day and format (cached), so the page can hand
    the bytes to its download buttons on every run: a deferred download races the map's
    own reruns and can lose its file before the browser fetches it.
    """
    reports = measured.reports
    key = (
        tuple((r.sketch_id, r.revision) for r in saved),
        tuple(repr(reports[r.sketch_id]) if r.sketch_id in reports else "" for r in saved),
        fmt,
    )
    return _EXPORTS.get_or_make(key, lambda: export_bytes(export_items(saved, measured), fmt=fmt))
