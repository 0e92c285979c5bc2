"""The sketch store on PostgreSQL with PostGIS, for many analysts and several app replicas.

Chosen by ``SITMAP_DATABASE_URL`` (``postgresql://user:password@host:port/db``). The same
revisions and messages as the SQLite store; besides its JSON content each revision keeps its
geometry in a PostGIS column (``geometry(Geometry, 4326)``, GiST-indexed). Connections come
from a pool (psycopg 3); a write runs in one transaction that locks the sketch's row
(``SELECT ... FOR UPDATE``) and, for quota checks, the author (an advisory lock). The schema
is created and migrated by the numbered migrations in :mod:`sitmap.store.migrations`,
recorded in a ``schema_version`` table. A URL's password is never put in a message.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, Final

import psycopg
import psycopg_pool
import shapely
from psycopg import errors as pg_errors
from psycopg.conninfo import conninfo_to_dict

from sitmap.access import Role
from sitmap.errors import ReadOnlyStoreError, StoreError, StoreFullError
from sitmap.store._base import RevisionStore, utc_now
from sitmap.store.migrations import POSTGRES_MIGRATIONS, SCHEMA_VERSION
from sitmap.store.model import DEFAULT_QUOTA, STORE, Quota, Revision, SketchKind, Usage

__all__ = ["PostgresSketchStore", "geometry_wkb"]

_LOCKS: Final = 0x5173  # advisory lock namespace: (_LOCKS, 0) migrations, (_LOCKS, hash) authors
_COLUMNS: Final = """r.sketch_id, r.revision, r.kind, r.name, r.author, r.created_at,
    r.notes, r.situation, r.deleted, s.created_by, r.content::text
    FROM sketch_revision AS r JOIN sketch AS s ON s.sketch_id = r.sketch_id"""
_LATEST: Final = f"SELECT {_COLUMNS} WHERE r.sketch_id = %s ORDER BY r.revision DESC LIMIT 1"
_ONE: Final = f"SELECT {_COLUMNS} WHERE r.sketch_id = %s AND r.revision = %s"
_HISTORY: Final = f"SELECT {_COLUMNS} WHERE r.sketch_id = %s ORDER BY r.revision"
_LIST: Final = f"""SELECT {_COLUMNS}
    WHERE r.revision = s.latest_revision AND NOT s.deleted
      AND (%(kind)s::text IS NULL OR r.kind = %(kind)s::text)
      AND (%(author)s::text IS NULL OR s.created_by = %(author)s::text)
      AND (%(situation)s::text IS NULL OR r.situation = %(situation)s::text)"""
_USAGE: Final = """SELECT
    (SELECT COALESCE(SUM(r.content_bytes), 0)
     FROM sketch_revision AS r JOIN sketch AS s ON s.sketch_id = r.sketch_id
     WHERE r.author = %(author)s AND NOT s.deleted),
    (SELECT COUNT(*) FROM sketch WHERE created_by = %(author)s AND NOT deleted)"""
_INSERT_SKETCH: Final = """INSERT INTO sketch
    (sketch_id, kind, created_by, created_at, latest_revision, deleted)
    VALUES (%s, %s, %s, %s, 1, false)"""
_INSERT_REVISION: Final = """INSERT INTO sketch_revision
    (sketch_id, revision, kind, name, author, created_at, notes, situation, deleted, content,
     content_bytes, geom)
    VALUES (%(sketch_id)s, %(revision)s, %(kind)s, %(name)s, %(author)s, %(created_at)s,
            %(notes)s, %(situation)s, %(deleted)s, %(content)s::json, %(content_bytes)s,
            ST_GeomFromWKB(%(wkb)s::bytea, 4326))"""
_SET_LATEST: Final = "UPDATE sketch SET latest_revision = %s, deleted = %s WHERE sketch_id = %s"
_WHEN: Final = "%Y-%m-%dT%H:%M:%SZ"
_ROLES: Final = """SELECT DISTINCT ON (user_id) user_id, role FROM roles
    ORDER BY user_id, grant_id DESC"""
_ROLE: Final = "SELECT role FROM roles WHERE user_id = %s ORDER BY grant_id DESC LIMIT 1"
_ADD_ROLE: Final = """INSERT INTO roles (user_id, role, granted_by, granted_at)
    VALUES (%s, %s, %s, %s)"""


def geometry_wkb(content_json: str) -> bytes | None:
    """2D WKB of a revision's geometry (a layer's as one collection); None if it has none."""
    if not content_json:
        return None
    content = json.loads(content_json)
    if content.get("type") == "Comment":
        return None
    if content.get("type") == "FeatureCollection":
        parts = [
            json.dumps(feature["geometry"])
            for feature in content.get("features", [])
            if isinstance(feature, dict) and isinstance(feature.get("geometry"), dict)
        ]
        geoms = [g for g in shapely.from_geojson(parts, on_invalid="ignore") if g is not None]
        geom = shapely.GeometryCollection(geoms) if geoms else None
    else:
        geom = shapely.from_geojson(content_json, on_invalid="ignore")
    if geom is None or geom.is_empty:
        return None
    wkb: bytes = shapely.to_wkb(geom, output_dimension=2)
    return wkb


def _row(row: tuple[Any, ...]) -> Revision:
    """A Revision from a row selected with ``_COLUMNS``."""
    created_at = row[5].astimezone(UTC).strftime(_WHEN)
    return Revision(  # type: ignore[call-arg]  # a full row
        *row[:5], created_at, *row[6:8], bool(row[8]), row[9], row[10] or ""
    )


class _Transaction:
    """Reads and writes inside one PostgreSQL transaction (READ COMMITTED, with locks)."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn

    def lock_author(self, author: str, /) -> None:
        self.conn.execute("SELECT pg_advisory_xact_lock(%s::int, hashtext(%s))", (_LOCKS, author))

    def lock_sketch(self, sketch_id: str, /) -> None:
        self.conn.execute("SELECT 1 FROM sketch WHERE sketch_id = %s FOR UPDATE", (sketch_id,))

    def latest(self, sketch_id: str, /) -> Revision | None:
        row = self.conn.execute(_LATEST, (sketch_id,)).fetchone()
        return None if row is None else _row(row)

    def one(self, sketch_id: str, revision: int, /) -> Revision | None:
        row = self.conn.execute(_ONE, (sketch_id, revision)).fetchone()
        return None if row is None else _row(row)

    def history(self, sketch_id: str, /) -> list[Revision]:
        return [_row(row) for row in self.conn.execute(_HISTORY, (sketch_id,)).fetchall()]

    def live(
        self, kind: SketchKind | None, author: str | None, situation: str | None, /
    ) -> list[Revision]:
        params = {"kind": kind, "author": author, "situation": situation}
        return [_row(row) for row in self.conn.execute(_LIST, params).fetchall()]

    def usage(self, author: str, /) -> Usage:
        row = self.conn.execute(_USAGE, {"author": author}).fetchone()
        assert row is not None  # an aggregate always returns a row
        return Usage(bytes=int(row[0]), items=int(row[1]))

    def insert(self, rev: Revision, /, *, new_sketch: bool) -> None:
        when = datetime.strptime(rev.created_at, _WHEN).replace(tzinfo=UTC)
        if new_sketch:
            self.conn.execute(_INSERT_SKETCH, (rev.sketch_id, rev.kind, rev.created_by, when))
        self.conn.execute(
            _INSERT_REVISION,
            {
                "sketch_id": rev.sketch_id,
                "revision": rev.revision,
                "kind": rev.kind,
                "name": rev.name,
                "author": rev.author,
                "created_at": when,
                "notes": rev.notes,
                "situation": rev.situation,
                "deleted": rev.deleted,
                "content": rev.content_json or None,
                "content_bytes": len(rev.content_json.encode("utf-8")),
                "wkb": geometry_wkb(rev.content_json),
            },
        )
        if not new_sketch:
            self.conn.execute(_SET_LATEST, (rev.revision, rev.deleted, rev.sketch_id))

    def lock_roles(self) -> None:
        self.conn.execute("SELECT pg_advisory_xact_lock(%s::int, 1)", (_LOCKS,))

    def roles(self) -> dict[str, str]:
        return {str(user): str(role) for user, role in self.conn.execute(_ROLES).fetchall()}

    def role(self, user: str, /) -> str | None:
        row = self.conn.execute(_ROLE, (user,)).fetchone()
        return None if row is None else str(row[0])

    def add_role(self, user: str, role: str, /, *, by: str, at: str) -> None:
        when = datetime.strptime(at, _WHEN).replace(tzinfo=UTC)
        self.conn.execute(_ADD_ROLE, (user, role, by, when))


def describe_url(url: str) -> str:
    """``host:port/database`` of a PostgreSQL URL: what messages may show (no password)."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.Error:
        return "the PostgreSQL URL (malformed)"
    host = str(parts.get("host") or "localhost")
    return f"{host}:{parts.get('port') or 5432}/{parts.get('dbname') or parts.get('user') or ''}"


class PostgresSketchStore(RevisionStore):
    """A sketch store in a PostgreSQL database with PostGIS, shared by many processes.

    ``url`` is a libpq URL (``postgresql://...``). Opening connects within
    ``connect_timeout_s`` seconds (libpq's least is 2) or raises StoreError naming the server;
    a call waits at most ``timeout_s`` seconds for a pooled connection. ``close()`` ends the
    pool's connections.
    """

    def __init__(
        self,
        url: str,
        /,
        *,
        timeout_s: float = 10.0,
        connect_timeout_s: float = 5.0,
        pool_size: int = 10,
        quota: Quota = DEFAULT_QUOTA,
        clock: Callable[[], datetime] = utc_now,
        default_role: Role = "editor",
    ) -> None:
        if not timeout_s > 0 or not connect_timeout_s > 0:
            msg = f"timeouts must be positive numbers of seconds, got {timeout_s!r}"
            raise StoreError(msg, file=STORE)
        super().__init__(quota=quota, clock=clock, default_role=default_role)
        self.where = describe_url(url)
        self.timeout_s = float(timeout_s)
        self._kwargs: dict[str, Any] = {
            "connect_timeout": max(2, round(connect_timeout_s)),
            "application_name": "sitmap",
        }
        try:
            conninfo_to_dict(url)
        except psycopg.Error:
            msg = "the PostgreSQL URL is malformed; see SITMAP_DATABASE_URL in the README"
            raise StoreError(msg, file=STORE) from None
        self._url = url
        self._migrate()
        self._pool = psycopg_pool.ConnectionPool(
            url,
            min_size=1,
            max_size=max(1, pool_size),
            kwargs=self._kwargs,
            timeout=self.timeout_s,
            open=False,
            check=psycopg_pool.ConnectionPool.check_connection,
            name="sitmap-store",
        )
        try:
            self._pool.open(wait=True, timeout=connect_timeout_s + 5)
        except (psycopg.Error, psycopg_pool.PoolTimeout) as exc:
            self._pool.close()
            raise self._error(exc) from None

    def __repr__(self) -> str:
        return f"PostgresSketchStore({self.where!r})"

    def close(self) -> None:
        """Close the pool's connections (the store cannot be used afterwards)."""
        self._pool.close()

    def __enter__(self) -> PostgresSketchStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- connections, errors, migrations ------------------------------------------------

    @contextmanager
    def _transaction(self, *, write: bool) -> Iterator[_Transaction]:
        try:
            with self._pool.connection() as conn, conn.transaction():
                if not write:
                    conn.execute("SET TRANSACTION READ ONLY")
                yield _Transaction(conn)
        except (psycopg.Error, psycopg_pool.PoolTimeout) as exc:
            raise self._error(exc) from None

    def _error(self, exc: BaseException) -> StoreError:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        password = conninfo_to_dict(self._url).get("password")
        if password:
            reason = reason.replace(str(password), "***")
        if isinstance(exc, pg_errors.DiskFull | pg_errors.OutOfMemory):
            msg = (
                f"the PostgreSQL server at {self.where} is out of space ({reason}); the save "
                "was not stored: free space on the server, then save again"
            )
            return StoreFullError(msg, file=STORE)
        if isinstance(exc, pg_errors.ReadOnlySqlTransaction | pg_errors.InsufficientPrivilege):
            msg = (
                f"the PostgreSQL database {self.where} is read-only for this user ({reason}): "
                "it can be read but nothing can be saved"
            )
            return ReadOnlyStoreError(msg, file=STORE)
        if isinstance(exc, psycopg_pool.PoolTimeout):
            msg = (
                f"no connection to the PostgreSQL server at {self.where} within "
                f"{self.timeout_s:g} s ({reason}); check that it is running, then try again"
            )
        elif isinstance(exc, psycopg.OperationalError):
            msg = (
                f"cannot reach the PostgreSQL server at {self.where} ({reason}); check "
                "SITMAP_DATABASE_URL and that the server is running"
            )
        else:
            msg = f"the PostgreSQL store at {self.where} failed: {reason}"
        return StoreError(msg, file=STORE)

    def _migrate(self) -> None:
        """Create or migrate the schema in one transaction; refuse a newer database."""
        try:
            with psycopg.connect(self._url, **self._kwargs) as conn:
                current = self._version(conn)
                conn.rollback()
                if current == SCHEMA_VERSION:
                    return  # nothing to write: a read-only database opens too
                with conn.transaction():
                    conn.execute("SELECT pg_advisory_xact_lock(%s::int, 0)", (_LOCKS,))
                    conn.execute(
                        """CREATE TABLE IF NOT EXISTS schema_version (
                            version integer PRIMARY KEY,
                            applied_at timestamptz NOT NULL DEFAULT now())"""
                    )
                    version = self._version(conn)
                    if version < SCHEMA_VERSION:
                        self._ensure_postgis(conn)
                    for number in range(version + 1, SCHEMA_VERSION + 1):
                        for statement in POSTGRES_MIGRATIONS[number - 1]:
                            conn.execute(statement)
                        conn.execute("INSERT INTO schema_version (version) VALUES (%s)", (number,))
        except psycopg.Error as exc:
            raise self._error(exc) from None

    def _version(self, conn: psycopg.Connection[Any]) -> int:
        """The database's schema version (0 when new); StoreError if newer than this code."""
        row = conn.execute(
            "SELECT to_regclass('schema_version') IS NOT NULL, to_regclass('sketch') IS NOT NULL"
        ).fetchone()
        assert row is not None
        has_versions, has_sketches = row
        version = 0
        if has_versions:
            found = conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchone()
            version = int(found[0]) if found else 0
        if version > SCHEMA_VERSION:
            msg = (
                f"the PostgreSQL database {self.where} has schema version {version}, newer "
                f"than this sitmap understands ({SCHEMA_VERSION}); upgrade sitmap"
            )
            raise StoreError(msg, file=STORE)
        if version == 0 and has_sketches:
            msg = (
                f"the PostgreSQL database {self.where} has a table 'sketch' that sitmap did "
                "not create (no schema_version); use another database or schema"
            )
            raise StoreError(msg, file=STORE)
        return version

    def _ensure_postgis(self, conn: psycopg.Connection[Any]) -> None:
        row = conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'").fetchone()
        if row is not None:
            return
        try:
            with conn.transaction():
                conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        except psycopg.Error as exc:
            msg = (
                f"PostGIS is not available in the PostgreSQL database {self.where} "
                f"({str(exc).strip().splitlines()[0]}): install it (Debian: "
                "postgresql-15-postgis-3) and run CREATE EXTENSION postgis as a superuser"
            )
            raise StoreError(msg, file=STORE) from None
