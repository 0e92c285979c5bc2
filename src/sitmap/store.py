"""Keep users' sketches (drawn corridors, uploaded layers) as immutable revisions.

Every save writes a new revision row and a delete writes a tombstone revision; nothing is
ever overwritten. Saves are optimistic: an update names the revision it was based on, and is
refused with :class:`~sitmap.errors.StaleRevisionError` if someone else saved a newer one in
the meantime. Times are UTC, written ISO 8601 with a ``Z`` (``2025-11-10T09:14:03Z``).

The default store is a SQLite file (:class:`SQLiteSketchStore`); :func:`open_store` picks
it from the ``SITMAP_DB`` environment variable. A PostgreSQL/PostGIS store is to implement
the same :class:`SketchStore` protocol.
"""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, Literal, Protocol, get_args

from sitmap.errors import NO_FEATURE, SketchNotFoundError, StaleRevisionError, StoreError

__all__ = [
    "DEFAULT_DB_PATH",
    "ENV_VAR",
    "SCHEMA_VERSION",
    "Revision",
    "SQLiteSketchStore",
    "SketchDraft",
    "SketchKind",
    "SketchStore",
    "open_store",
]

SketchKind = Literal["corridor", "layer"]
"""A drawn corridor (GeoJSON LineString geometry) or an uploaded layer (FeatureCollection)."""

Synchronous = Literal["FULL", "NORMAL"]
"""SQLite ``PRAGMA synchronous`` levels a store may run with (see SQLiteSketchStore)."""

ENV_VAR: Final = "SITMAP_DB"


def _default_db_path() -> Path:
    root = Path(__file__).resolve().parents[2]
    return (root if (root / "pyproject.toml").is_file() else Path.cwd()) / "data/sitmap.sqlite3"


DEFAULT_DB_PATH: Final = _default_db_path()
"""``data/sitmap.sqlite3`` under the repository root (git-ignored), or under the working
directory when sitmap is installed from a wheel."""

MAX_NAME_CHARS: Final = 200
MAX_NOTES_CHARS: Final = 20_000
_CONTENT_TYPES: Final[dict[str, str]] = {"corridor": "LineString", "layer": "FeatureCollection"}
_STORE: Final = "sketch store"


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
    saved revision 1 and owns the sketch. ``content`` is parsed afresh on every access.
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
        content: dict[str, Any] = json.loads(self.content_json)
        return content

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


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _check_text(value: object, what: str, *, max_chars: int, required: bool) -> str:
    """Return ``value`` if it is storable text, else raise StoreError naming the problem."""
    if not isinstance(value, str):
        msg = f"{what} must be text, got {type(value).__name__}"
        raise StoreError(msg, file=_STORE)
    if required and not value.strip():
        msg = f"{what} is empty; give it at least one visible character"
        raise StoreError(msg, file=_STORE)
    if len(value) > max_chars:
        msg = f"{what} has {len(value)} characters; at most {max_chars} are allowed"
        raise StoreError(msg, file=_STORE)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        msg = f"{what} is not valid Unicode text (a lone surrogate at position {exc.start})"
        raise StoreError(msg, file=_STORE) from None
    return value


def _check_draft(draft: SketchDraft) -> str:
    """Validate a draft lightly; return its content as JSON text."""
    if not isinstance(draft, SketchDraft):
        msg = f"expected a SketchDraft to save, got {type(draft).__name__}"
        raise StoreError(msg, file=_STORE)
    if draft.kind not in get_args(SketchKind):
        msg = f"kind must be 'corridor' or 'layer', got {draft.kind!r}"
        raise StoreError(msg, file=_STORE)
    name = _check_text(draft.name, "the name", max_chars=MAX_NAME_CHARS, required=True)
    _check_text(draft.notes, f"the notes of '{name}'", max_chars=MAX_NOTES_CHARS, required=False)
    if draft.situation is not None:
        _check_text(draft.situation, "the situation id", max_chars=MAX_NAME_CHARS, required=True)
    content, expected = draft.content, _CONTENT_TYPES[draft.kind]
    if not isinstance(content, Mapping):
        msg = f"the content of '{name}' must be a GeoJSON object, got {type(content).__name__}"
        raise StoreError(msg, file=_STORE)
    if content.get("type") != expected:
        msg = (
            f"the content of '{name}' must be a GeoJSON {expected} (a {draft.kind}), "
            f"got type {content.get('type')!r}"
        )
        raise StoreError(msg, file=_STORE)
    member = "coordinates" if draft.kind == "corridor" else "features"
    if not isinstance(content.get(member), list):
        msg = f"the content of '{name}' has no '{member}' list"
        raise StoreError(msg, file=_STORE)
    try:
        return json.dumps(content, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        msg = f"the content of '{name}' cannot be stored as JSON: {exc}"
        raise StoreError(msg, file=_STORE) from None


def _check_revision_number(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        msg = f"{what} must be a revision number (1, 2, ...), got {value!r}"
        raise StoreError(msg, file=_STORE)
    return value


_MIGRATIONS: Final[tuple[tuple[str, ...], ...]] = (
    (  # 1: a sketch's identity, and its revisions (insert-only)
        """CREATE TABLE IF NOT EXISTS sketch (
            sketch_id TEXT PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('corridor', 'layer')),
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL
        )""",
        """CREATE TABLE IF NOT EXISTS sketch_revision (
            sketch_id TEXT NOT NULL REFERENCES sketch (sketch_id),
            revision INTEGER NOT NULL CHECK (revision >= 1),
            kind TEXT NOT NULL CHECK (kind IN ('corridor', 'layer')),
            name TEXT NOT NULL,
            author TEXT NOT NULL,
            created_at TEXT NOT NULL,
            content TEXT NOT NULL,
            notes TEXT NOT NULL,
            situation TEXT,
            deleted INTEGER NOT NULL CHECK (deleted IN (0, 1)),
            PRIMARY KEY (sketch_id, revision)
        )""",
        "CREATE INDEX IF NOT EXISTS sketch_created_by ON sketch (created_by)",
    ),
)
SCHEMA_VERSION: Final = len(_MIGRATIONS)
"""``PRAGMA user_version`` of a store this code created or migrated."""

_SELECT: Final = """SELECT r.sketch_id, r.revision, r.kind, r.name, r.author, r.created_at,
    r.notes, r.situation, r.deleted, s.created_by, r.content
    FROM sketch_revision AS r JOIN sketch AS s ON s.sketch_id = r.sketch_id"""
_LATEST: Final = _SELECT + " WHERE r.sketch_id = ? ORDER BY r.revision DESC LIMIT 1"
_ONE: Final = _SELECT + " WHERE r.sketch_id = ? AND r.revision = ?"
_HISTORY: Final = _SELECT + " WHERE r.sketch_id = ? ORDER BY r.revision"
_LIST: Final = """SELECT r.sketch_id, r.revision, r.kind, r.name, r.author, r.created_at,
    r.notes, r.situation, r.deleted, s.created_by, r.content
    FROM sketch_revision AS r JOIN sketch AS s ON s.sketch_id = r.sketch_id
    WHERE r.revision = (SELECT MAX(revision) FROM sketch_revision WHERE sketch_id = r.sketch_id)
      AND r.deleted = 0
      AND (:kind IS NULL OR r.kind = :kind)
      AND (:author IS NULL OR s.created_by = :author)
      AND (:situation IS NULL OR r.situation = :situation)"""
_INSERT_SKETCH: Final = (
    "INSERT INTO sketch (sketch_id, kind, created_by, created_at) VALUES (?, ?, ?, ?)"
)
_INSERT_REVISION: Final = """INSERT INTO sketch_revision
    (sketch_id, revision, kind, name, author, created_at, notes, situation, deleted, content)
    VALUES (:sketch_id, :revision, :kind, :name, :author, :created_at, :notes, :situation,
            :deleted, :content_json)"""


def _row(row: tuple[Any, ...]) -> Revision:
    """A Revision from a row selected with ``_SELECT`` (same column order as the fields)."""
    return Revision(*row[:8], bool(row[8]), *row[9:])


def _insert(conn: sqlite3.Connection, rev: Revision) -> None:
    conn.execute(_INSERT_REVISION, {f.name: getattr(rev, f.name) for f in fields(rev)})


class SQLiteSketchStore:
    """A sketch store in one SQLite file, safe for many threads and processes.

    Every call opens its own connection (Streamlit runs sessions in threads), in WAL mode
    with a busy timeout of ``timeout_s`` seconds, foreign keys on, and
    ``synchronous=FULL`` by default: each commit is fsynced, so a revision reported as saved
    survives a killed process *and* a power loss. ``"NORMAL"`` saves that fsync; committed
    revisions then still survive a killed process, but the last ones may be lost if the
    machine loses power. Saves are rare human actions, so the default pays for full
    durability. Updates check and write inside one ``BEGIN IMMEDIATE`` transaction.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        /,
        *,
        timeout_s: float = 10.0,
        synchronous: Synchronous = "FULL",
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        if not timeout_s > 0:
            msg = f"timeout_s must be a positive number of seconds, got {timeout_s!r}"
            raise StoreError(msg, file=_STORE)
        if synchronous not in get_args(Synchronous):
            msg = f"synchronous must be 'FULL' or 'NORMAL', got {synchronous!r}"
            raise StoreError(msg, file=_STORE)
        self.path = Path(path)
        self.timeout_s = float(timeout_s)
        self.synchronous: Synchronous = synchronous
        self._clock = clock
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            msg = f"cannot create the folder of {self.path}: {exc.strerror}"
            raise StoreError(msg, file=_STORE) from exc
        self._migrate()

    def __repr__(self) -> str:
        return f"SQLiteSketchStore({str(self.path)!r})"

    # -- connections and transactions ---------------------------------------------------

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            conn = sqlite3.connect(self.path, timeout=self.timeout_s, isolation_level=None)
        except sqlite3.Error as exc:
            raise self._error(exc) from exc
        try:
            conn.execute(f"PRAGMA busy_timeout = {round(self.timeout_s * 1000)}")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute(f"PRAGMA synchronous = {self.synchronous}")
            yield conn
        except sqlite3.Error as exc:
            raise self._error(exc) from exc
        finally:
            conn.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One BEGIN IMMEDIATE transaction: the write lock is taken before anything is read."""
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _error(self, exc: sqlite3.Error) -> StoreError:
        if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
            msg = (
                f"{self.path} stayed locked by another writer for more than "
                f"{self.timeout_s:g} s; try again"
            )
        else:
            msg = f"{self.path} failed: {exc}"
        return StoreError(msg, file=_STORE)

    def _migrate(self) -> None:
        with self._connect() as conn:
            (mode,) = conn.execute("PRAGMA journal_mode = WAL").fetchone()
            if str(mode).lower() != "wal":
                msg = f"{self.path} cannot use write-ahead logging (journal mode {mode})"
                raise StoreError(msg, file=_STORE)
            conn.execute("BEGIN IMMEDIATE")
            try:
                (version,) = conn.execute("PRAGMA user_version").fetchone()
                if version > SCHEMA_VERSION:
                    msg = (
                        f"{self.path} has schema version {version}, newer than this sitmap "
                        f"understands ({SCHEMA_VERSION}); upgrade sitmap"
                    )
                    raise StoreError(msg, file=_STORE)
                for statements in _MIGRATIONS[version:]:
                    for statement in statements:
                        conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION:d}")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _now(self) -> str:
        return self._clock().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    # -- writes ---------------------------------------------------------------------------

    def save(self, draft: SketchDraft, /, *, base_revision: int | None, author: str) -> Revision:
        """Save a new sketch (``base_revision=None``) or a new revision on top of the latest.

        Raises StaleRevisionError if ``base_revision`` is no longer the latest revision,
        SketchNotFoundError if the sketch does not exist or was deleted, StoreError if the
        draft is malformed.
        """
        content_json = _check_draft(draft)
        _check_text(author, "the author", max_chars=MAX_NAME_CHARS, required=True)
        now = self._now()
        with self._write() as conn:
            if base_revision is None:
                if draft.sketch_id is not None:
                    msg = (
                        f"'{draft.name}' has sketch id {draft.sketch_id}: to change it, pass the "
                        "revision it is based on as base_revision"
                    )
                    raise StoreError(msg, file=_STORE)
                sketch_id, revision, created_by = uuid.uuid4().hex, 1, author
                conn.execute(_INSERT_SKETCH, (sketch_id, draft.kind, author, now))
            else:
                _check_revision_number(base_revision, "base_revision")
                if draft.sketch_id is None:
                    msg = f"'{draft.name}' has no sketch id, so it cannot replace a revision"
                    raise StoreError(msg, file=_STORE)
                latest = self._current(conn, draft.sketch_id, base_revision)
                if draft.kind != latest.kind:
                    msg = f"'{latest.name}' is a {latest.kind}; it cannot become a {draft.kind}"
                    raise StoreError(msg, file=_STORE, feature=f"sketch {latest.sketch_id}")
                sketch_id, revision = latest.sketch_id, latest.revision + 1
                created_by = latest.created_by
            new = Revision(
                sketch_id=sketch_id,
                revision=revision,
                kind=draft.kind,
                name=draft.name,
                author=author,
                created_at=now,
                notes=draft.notes,
                situation=draft.situation,
                deleted=False,
                created_by=created_by,
                content_json=content_json,
            )
            _insert(conn, new)
        return new

    def delete(self, sketch_id: str, /, *, base_revision: int, author: str) -> Revision:
        """Write a tombstone revision; ``base_revision`` must still be the latest."""
        _check_text(sketch_id, "the sketch id", max_chars=64, required=True)
        _check_revision_number(base_revision, "base_revision")
        _check_text(author, "the author", max_chars=MAX_NAME_CHARS, required=True)
        now = self._now()
        with self._write() as conn:
            latest = self._current(conn, sketch_id, base_revision)
            tomb = replace(
                latest, revision=latest.revision + 1, author=author, created_at=now, deleted=True
            )
            _insert(conn, tomb)
        return tomb

    def _current(self, conn: sqlite3.Connection, sketch_id: str, base_revision: int) -> Revision:
        """The latest revision, if it is ``base_revision`` and live; else raise why not."""
        row = conn.execute(_LATEST, (sketch_id,)).fetchone()
        if row is None:
            msg = f"no sketch has id {sketch_id!r}"
            raise SketchNotFoundError(msg, file=_STORE)
        latest = _row(row)
        feature = f"sketch {sketch_id}"
        if base_revision == latest.revision and not latest.deleted:
            return latest
        by, at, now_rev = latest.author, latest.created_at, latest.revision
        if base_revision == latest.revision:
            msg = f"'{latest.name}' was deleted by {by} at {at}; it cannot be changed"
            raise SketchNotFoundError(msg, file=_STORE, feature=feature)
        base = conn.execute(_ONE, (sketch_id, base_revision)).fetchone()
        if base is None:
            msg = (
                f"revision {base_revision} of '{latest.name}' does not exist; the latest is "
                f"revision {now_rev}, saved by {by} at {at}; reload it and apply your change again"
            )
        elif latest.deleted:
            msg = (
                f"revision {base_revision} of '{_row(base).name}' was replaced by revision "
                f"{now_rev}, which deleted it ({by} at {at})"
            )
        else:
            msg = (
                f"revision {base_revision} of '{_row(base).name}' was replaced by revision "
                f"{now_rev}, saved by {by} at {at}; reload it and apply your change again"
            )
        raise StaleRevisionError(msg, by=by, at=at, feature=feature)

    # -- reads ----------------------------------------------------------------------------

    def get(self, sketch_id: str, /) -> Revision:
        """The latest revision of a live sketch; SketchNotFoundError if missing or deleted."""
        with self._connect() as conn:
            row = conn.execute(_LATEST, (sketch_id,)).fetchone()
        if row is None:
            msg = f"no sketch has id {sketch_id!r}"
            raise SketchNotFoundError(msg, file=_STORE)
        latest = _row(row)
        if latest.deleted:
            msg = f"'{latest.name}' was deleted by {latest.author} at {latest.created_at}"
            raise SketchNotFoundError(msg, file=_STORE, feature=f"sketch {sketch_id}")
        return latest

    def get_revision(self, sketch_id: str, revision: int, /) -> Revision:
        """One revision of a sketch, tombstones included; SketchNotFoundError if none."""
        with self._connect() as conn:
            row = conn.execute(_ONE, (sketch_id, revision)).fetchone()
        if row is None:
            msg = f"sketch {sketch_id!r} has no revision {revision!r}"
            raise SketchNotFoundError(msg, file=_STORE)
        return _row(row)

    def history(self, sketch_id: str, /) -> tuple[Revision, ...]:
        """Every revision of a sketch, oldest first; SketchNotFoundError if it never existed."""
        with self._connect() as conn:
            rows = conn.execute(_HISTORY, (sketch_id,)).fetchall()
        if not rows:
            msg = f"no sketch has id {sketch_id!r}"
            raise SketchNotFoundError(msg, file=_STORE)
        return tuple(_row(row) for row in rows)

    def list(
        self,
        *,
        kind: SketchKind | None = None,
        author: str | None = None,
        situation: str | None = None,
    ) -> tuple[Revision, ...]:
        """Latest revisions of live sketches, in one query, sorted by name (case-folded).

        ``author`` filters on who created the sketch (saved revision 1).
        """
        params = {"kind": kind, "author": author, "situation": situation}
        with self._connect() as conn:
            rows = conn.execute(_LIST, params).fetchall()
        found = [_row(row) for row in rows]
        return tuple(sorted(found, key=lambda r: (r.name.casefold(), r.name, r.sketch_id)))


def open_store(url_or_path: str | None = None, /, *, timeout_s: float = 10.0) -> SketchStore:
    """Open the sketch store at a path or ``sqlite:///path`` URL.

    With no argument, reads ``SITMAP_DB``; unset or empty means :data:`DEFAULT_DB_PATH`.
    """
    target = url_or_path if url_or_path is not None else os.environ.get(ENV_VAR, "")
    target = target or str(DEFAULT_DB_PATH)
    if target.startswith("sqlite:///"):
        target = target.removeprefix("sqlite:///")
    elif "://" in target:
        scheme = target.split("://", 1)[0]  # never echo the rest: it may hold a password
        if scheme.startswith(("postgres", "postgis")):
            msg = "PostgreSQL/PostGIS sketch stores are not available yet; use a SQLite path"
        else:
            msg = f"unknown sketch store URL scheme {scheme!r}; use a path or sqlite:///path"
        raise StoreError(msg, file=_STORE, feature=NO_FEATURE)
    return SQLiteSketchStore(Path(target).expanduser(), timeout_s=timeout_s)
