"""The default sketch store: one SQLite file (WAL), safe for many threads and processes.

A file or folder without write permission is opened read-only (``mode=ro``, else
``immutable=1``): everything can be read, a save is refused with
:class:`~sitmap.errors.ReadOnlyStoreError`. A folder, a corrupt file, or another program's
SQLite database at the path is refused with a :class:`~sitmap.errors.StoreError` naming the
file and what to do; a full disk during a save is a :class:`~sitmap.errors.StoreFullError`.
"""

from __future__ import annotations

import errno
import os
import pwd
import sqlite3
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Final, Literal, get_args

from sitmap.access import Role
from sitmap.errors import ReadOnlyStoreError, StoreError, StoreFullError
from sitmap.store._base import RevisionStore, utc_now
from sitmap.store.migrations import SCHEMA_VERSION, SQLITE_MIGRATIONS, STORE_TABLES
from sitmap.store.model import DEFAULT_QUOTA, STORE, Quota, Revision, SketchKind, Usage

__all__ = ["SQLiteSketchStore", "Synchronous"]

Synchronous = Literal["FULL", "NORMAL"]
"""SQLite ``PRAGMA synchronous`` levels a store may run with (see SQLiteSketchStore)."""

_COLUMNS: Final = """r.sketch_id, r.revision, r.kind, r.name, r.author, r.created_at,
    r.notes, r.situation, r.deleted, s.created_by, r.content
    FROM sketch_revision AS r JOIN sketch AS s ON s.sketch_id = r.sketch_id"""
_LATEST: Final = f"SELECT {_COLUMNS} WHERE r.sketch_id = ? ORDER BY r.revision DESC LIMIT 1"
_ONE: Final = f"SELECT {_COLUMNS} WHERE r.sketch_id = ? AND r.revision = ?"
_HISTORY: Final = f"SELECT {_COLUMNS} WHERE r.sketch_id = ? ORDER BY r.revision"
_LIST: Final = f"""SELECT {_COLUMNS}
    WHERE r.revision = s.latest_revision AND s.deleted = 0
      AND (:kind IS NULL OR r.kind = :kind)
      AND (:author IS NULL OR s.created_by = :author)
      AND (:situation IS NULL OR r.situation = :situation)"""
_USAGE_BYTES: Final = """SELECT COALESCE(SUM(r.content_bytes), 0)
    FROM sketch_revision AS r JOIN sketch AS s ON s.sketch_id = r.sketch_id
    WHERE r.author = ? AND s.deleted = 0"""
_USAGE_ITEMS: Final = "SELECT COUNT(*) FROM sketch WHERE created_by = ? AND deleted = 0"
_INSERT_SKETCH: Final = """INSERT INTO sketch
    (sketch_id, kind, created_by, created_at, latest_revision, deleted) VALUES (?, ?, ?, ?, 1, 0)"""
_INSERT_REVISION: Final = """INSERT INTO sketch_revision
    (sketch_id, revision, kind, name, author, created_at, notes, situation, deleted, content,
     content_bytes)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"""
_SET_LATEST: Final = "UPDATE sketch SET latest_revision = ?, deleted = ? WHERE sketch_id = ?"
_ROLES: Final = """SELECT user_id, role FROM roles AS r
    WHERE grant_id = (SELECT MAX(grant_id) FROM roles WHERE user_id = r.user_id)"""
_ROLE: Final = "SELECT role FROM roles WHERE user_id = ? ORDER BY grant_id DESC LIMIT 1"
_ADD_ROLE: Final = "INSERT INTO roles (user_id, role, granted_by, granted_at) VALUES (?, ?, ?, ?)"


def _row(row: tuple[Any, ...]) -> Revision:
    """A Revision from a row selected with ``_COLUMNS`` (same column order as the fields)."""
    return Revision(*row[:8], bool(row[8]), *row[9:])  # type: ignore[call-arg]  # a full row


class _Transaction:
    """Reads and writes inside one SQLite transaction (BEGIN IMMEDIATE serialises writers)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def lock_author(self, author: str, /) -> None:
        """Nothing to do: the transaction already holds the database's one write lock."""

    def lock_sketch(self, sketch_id: str, /) -> None:
        """Nothing to do: the transaction already holds the database's one write lock."""

    def latest(self, sketch_id: str, /) -> Revision | None:
        row = self.conn.execute(_LATEST, (sketch_id,)).fetchone()
        return None if row is None else _row(row)

    def one(self, sketch_id: str, revision: int, /) -> Revision | None:
        row = self.conn.execute(_ONE, (sketch_id, revision)).fetchone()
        return None if row is None else _row(row)

    def history(self, sketch_id: str, /) -> list[Revision]:
        return [_row(row) for row in self.conn.execute(_HISTORY, (sketch_id,))]

    def live(
        self, kind: SketchKind | None, author: str | None, situation: str | None, /
    ) -> list[Revision]:
        params = {"kind": kind, "author": author, "situation": situation}
        return [_row(row) for row in self.conn.execute(_LIST, params)]

    def usage(self, author: str, /) -> Usage:
        (used,) = self.conn.execute(_USAGE_BYTES, (author,)).fetchone()
        (items,) = self.conn.execute(_USAGE_ITEMS, (author,)).fetchone()
        return Usage(bytes=int(used), items=int(items))

    def insert(self, rev: Revision, /, *, new_sketch: bool) -> None:
        if new_sketch:
            self.conn.execute(
                _INSERT_SKETCH, (rev.sketch_id, rev.kind, rev.created_by, rev.created_at)
            )
        content_bytes = len(rev.content_json.encode("utf-8"))
        self.conn.execute(
            _INSERT_REVISION,
            (
                *(rev.sketch_id, rev.revision, rev.kind, rev.name, rev.author, rev.created_at),
                *(rev.notes, rev.situation, int(rev.deleted), rev.content_json, content_bytes),
            ),
        )
        if not new_sketch:
            self.conn.execute(_SET_LATEST, (rev.revision, int(rev.deleted), rev.sketch_id))

    def lock_roles(self) -> None:
        """Nothing to do: the transaction already holds the database's one write lock."""

    def roles(self) -> dict[str, str]:
        return {str(user): str(role) for user, role in self.conn.execute(_ROLES)}

    def role(self, user: str, /) -> str | None:
        row = self.conn.execute(_ROLE, (user,)).fetchone()
        return None if row is None else str(row[0])

    def add_role(self, user: str, role: str, /, *, by: str, at: str) -> None:
        self.conn.execute(_ADD_ROLE, (user, role, by, at))


def _not_writable(path: Path) -> bool:
    """True if ``path`` has no write permission bit, or this user cannot write it."""
    return not path.stat().st_mode & 0o222 or not os.access(path, os.W_OK)


def _why_not_writable(path: Path, what: str) -> str | None:
    """Why ``path`` (``what``: "the file", "its folder ...") cannot be written, or None."""
    info = path.stat()
    mode = stat.S_IMODE(info.st_mode)
    if not mode & 0o222:
        return f"{what} is read-only (mode {mode:04o})"
    if not os.access(path, os.W_OK):
        try:
            user, owner = pwd.getpwuid(os.geteuid()).pw_name, pwd.getpwuid(info.st_uid).pw_name
        except KeyError:
            user, owner = str(os.geteuid()), str(info.st_uid)
        return f"user {user} may not write {what} (mode {mode:04o}, owned by {owner})"
    return None


class SQLiteSketchStore(RevisionStore):
    """A sketch store in one SQLite file, safe for many threads and processes.

    Every call opens its own connection (Streamlit runs sessions in threads), in WAL mode
    with a busy timeout of ``timeout_s`` seconds, foreign keys on, and
    ``synchronous=FULL`` by default: each commit is fsynced, so a revision reported as saved
    survives a killed process *and* a power loss. ``"NORMAL"`` saves that fsync; committed
    revisions then still survive a killed process, but the last ones may be lost if the
    machine loses power. Saves are rare human actions, so the default pays for full
    durability. Updates check and write inside one ``BEGIN IMMEDIATE`` transaction.
    ``read_only`` says why the store cannot be written (None when it can).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        /,
        *,
        timeout_s: float = 10.0,
        synchronous: Synchronous = "FULL",
        quota: Quota = DEFAULT_QUOTA,
        clock: Callable[[], datetime] = utc_now,
        default_role: Role = "editor",
    ) -> None:
        if not timeout_s > 0:
            msg = f"timeout_s must be a positive number of seconds, got {timeout_s!r}"
            raise StoreError(msg, file=STORE)
        if synchronous not in get_args(Synchronous):
            msg = f"synchronous must be 'FULL' or 'NORMAL', got {synchronous!r}"
            raise StoreError(msg, file=STORE)
        super().__init__(quota=quota, clock=clock, default_role=default_role)
        self.path = Path(path)
        self.timeout_s = float(timeout_s)
        self.synchronous: Synchronous = synchronous
        self._uri: str | None = None  # a read-only URI, or None to open the path read-write
        try:
            self.read_only: str | None = self._check_path()
        except OSError as exc:
            raise self._os_error(exc) from exc
        if self.read_only is None:
            self._migrate()
        else:
            self._open_read_only()

    def __repr__(self) -> str:
        return f"SQLiteSketchStore({str(self.path)!r})"

    def close(self) -> None:
        """Nothing to release: every call opens and closes its own connection."""

    # -- the file ------------------------------------------------------------------------

    def _check_path(self) -> str | None:
        """Refuse a folder; create missing folders; say why the store is read-only, if it is."""
        path, folder = self.path, self.path.parent
        if path.is_dir():
            msg = (
                f"{path} is a folder, not a database file; point SITMAP_DB at a file in it, "
                f"such as {path / 'sitmap.sqlite3'}"
            )
            raise StoreError(msg, file=STORE)
        folder.mkdir(parents=True, exist_ok=True)
        if path.exists():
            return _why_not_writable(path, "the file") or _why_not_writable(
                folder, f"its folder {folder}"
            )
        reason = _why_not_writable(folder, f"its folder {folder}")
        if reason is not None:
            msg = (
                f"cannot create {path}: {reason}; make the folder writable or point SITMAP_DB "
                "at a writable place"
            )
            raise ReadOnlyStoreError(msg, file=STORE)
        return None

    def _os_error(self, exc: OSError) -> StoreError:
        if exc.errno == errno.ENOSPC:
            msg = f"cannot prepare {self.path}: the disk is full; free some space"
            return StoreFullError(msg, file=STORE)
        msg = f"cannot open {self.path}: {exc.strerror or exc}"
        return StoreError(msg, file=STORE)

    # -- connections and transactions ---------------------------------------------------

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            if self._uri is None:
                conn = sqlite3.connect(self.path, timeout=self.timeout_s, isolation_level=None)
            else:
                conn = sqlite3.connect(
                    self._uri, timeout=self.timeout_s, isolation_level=None, uri=True
                )
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
    def _transaction(self, *, write: bool) -> Iterator[_Transaction]:
        """A write is one BEGIN IMMEDIATE transaction: the write lock is taken first."""
        if write and self.read_only is not None:
            msg = (
                f"{self.path} is read-only ({self.read_only}): it can be read but nothing can "
                "be saved; make it writable (chmod u+w, and its folder) or point SITMAP_DB at "
                "a writable file"
            )
            raise ReadOnlyStoreError(msg, file=STORE)
        with self._connect() as conn:
            if not write:
                yield _Transaction(conn)
                return
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield _Transaction(conn)
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _error(self, exc: sqlite3.Error) -> StoreError:
        text = str(exc)
        if isinstance(exc, sqlite3.OperationalError) and "locked" in text:
            msg = (
                f"{self.path} stayed locked by another writer for more than "
                f"{self.timeout_s:g} s; try again"
            )
        elif "database or disk is full" in text:
            msg = (
                f"{self.path}: the disk is full ({text}); the save was not stored: free some "
                "space on the disk, then save again"
            )
            return StoreFullError(msg, file=STORE)
        elif "readonly database" in text:
            msg = (
                f"{self.path} is read-only ({text}); make it and its folder writable, or "
                "point SITMAP_DB at a writable file"
            )
            return ReadOnlyStoreError(msg, file=STORE)
        elif "file is not a database" in text or "malformed" in text:
            msg = (
                f"{self.path} is not a SQLite database or is corrupt ({text}); move it "
                "aside (a new store is created in its place) or restore it from a backup"
            )
        else:
            msg = f"{self.path} failed: {text}"
        return StoreError(msg, file=STORE)

    def _check_schema(self, conn: sqlite3.Connection) -> int:
        """The store's schema version; refuse a newer one and another program's database."""
        (version,) = conn.execute("PRAGMA user_version").fetchone()
        tables = {
            name
            for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not name.startswith("sqlite_")
        }
        if tables and not tables >= STORE_TABLES:
            shown = ", ".join(sorted(tables)[:5]) + (", ..." if len(tables) > 5 else "")
            msg = (
                f"{self.path} is another program's SQLite database (tables: {shown}), not a "
                "sitmap store; point SITMAP_DB at another file (a new one is created)"
            )
            raise StoreError(msg, file=STORE)
        if version > SCHEMA_VERSION:
            msg = (
                f"{self.path} has schema version {version}, newer than this sitmap "
                f"understands ({SCHEMA_VERSION}); upgrade sitmap"
            )
            raise StoreError(msg, file=STORE)
        return int(version)

    def _migrate(self) -> None:
        with self._connect() as conn:
            self._check_schema(conn)  # before WAL mode is written into another's file
            (mode,) = conn.execute("PRAGMA journal_mode = WAL").fetchone()
            if str(mode).lower() != "wal":
                msg = f"{self.path} cannot use write-ahead logging (journal mode {mode})"
                raise StoreError(msg, file=STORE)
            conn.execute("BEGIN IMMEDIATE")
            try:
                version = self._check_schema(conn)
                for statements in SQLITE_MIGRATIONS[version:]:
                    for statement in statements:
                        conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION:d}")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _open_read_only(self) -> None:
        """Read with ``mode=ro`` (SQLite may add its -shm file), else as an immutable file.

        In a read-only folder with no write-ahead log to read, the file is opened immutable
        straight away, so nothing is created beside it.
        """
        base = self.path.absolute().as_uri()
        wal = self.path.with_name(self.path.name + "-wal")
        queries: tuple[str, ...] = ("?mode=ro", "?immutable=1")
        if _not_writable(self.path.parent) and not wal.exists():
            queries = ("?immutable=1",)
        for query in queries:
            self._uri = base + query
            try:
                with self._connect() as conn:
                    version = self._check_schema(conn)
                break
            except StoreError as exc:
                if query == queries[-1] or "unable to open" not in str(exc):
                    raise
        if version < SCHEMA_VERSION:
            msg = (
                f"{self.path} is read-only ({self.read_only}) and has schema version "
                f"{version}; this sitmap needs {SCHEMA_VERSION}: open it writable once to "
                "migrate it"
            )
            raise ReadOnlyStoreError(msg, file=STORE)
