"""The store's schema, as numbered migrations per engine, and the version a store must have.

Migration ``n`` (1-based) takes a store from schema version ``n - 1`` to ``n``; a store is
migrated on opening, inside one transaction, and a store newer than this code is refused.
SQLite records its version in ``PRAGMA user_version``; PostgreSQL in a ``schema_version``
table (one row per applied migration, with when it was applied).

Version 1: sketches and their insert-only revisions, content as JSON text.
Version 2: each sketch knows its latest revision and whether it is deleted (one-row locks,
fast listing); each revision knows its content's size (quotas); tombstones keep no content;
PostgreSQL keeps each revision's geometry in a PostGIS column with a GiST index.
Version 3: two more kinds of sketch, annotations (a GeoJSON Feature with a note, a time and
a source) and comments (text on a feature); a ``roles`` table of who is viewer, editor or
admin (insert-only: a person's role is their latest row, so every change of role is kept
with who made it and when). SQLite rebuilds the two sketch tables to widen their kind
check (a copy, then a rename: the foreign key follows the renamed table).
"""

from __future__ import annotations

from typing import Final

__all__ = ["POSTGRES_MIGRATIONS", "SCHEMA_VERSION", "SQLITE_MIGRATIONS", "STORE_TABLES"]

STORE_TABLES: Final = frozenset({"sketch", "sketch_revision"})
"""The tables every sitmap store has (a database without them is not a sitmap store)."""

_KINDS: Final = "('corridor', 'layer', 'annotation', 'comment')"
_ROLES: Final = "('viewer', 'editor', 'admin')"

SQLITE_MIGRATIONS: Final[tuple[tuple[str, ...], ...]] = (
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
    (  # 2: latest revision and deleted flag per sketch; content sizes for quotas
        "ALTER TABLE sketch ADD COLUMN latest_revision INTEGER NOT NULL DEFAULT 1",
        "ALTER TABLE sketch ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE sketch_revision ADD COLUMN content_bytes INTEGER NOT NULL DEFAULT 0",
        """UPDATE sketch SET
            latest_revision = (SELECT MAX(revision) FROM sketch_revision AS r
                               WHERE r.sketch_id = sketch.sketch_id),
            deleted = (SELECT r.deleted FROM sketch_revision AS r
                       WHERE r.sketch_id = sketch.sketch_id ORDER BY r.revision DESC LIMIT 1)
            WHERE EXISTS (SELECT 1 FROM sketch_revision AS r WHERE r.sketch_id = sketch.sketch_id)
        """,
        """UPDATE sketch_revision SET content_bytes = CASE WHEN deleted = 1 THEN 0
            ELSE length(CAST(content AS BLOB)) END""",
        "CREATE INDEX IF NOT EXISTS sketch_revision_author ON sketch_revision (author)",
    ),
    (  # 3: annotations and comments (the kind checks widened); roles
        f"""CREATE TABLE sketch_v3 (
            sketch_id TEXT PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN {_KINDS}),
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL,
            latest_revision INTEGER NOT NULL DEFAULT 1,
            deleted INTEGER NOT NULL DEFAULT 0
        )""",
        """INSERT INTO sketch_v3 (sketch_id, kind, created_by, created_at, latest_revision,
            deleted) SELECT sketch_id, kind, created_by, created_at, latest_revision, deleted
            FROM sketch""",
        f"""CREATE TABLE sketch_revision_v3 (
            sketch_id TEXT NOT NULL REFERENCES sketch_v3 (sketch_id),
            revision INTEGER NOT NULL CHECK (revision >= 1),
            kind TEXT NOT NULL CHECK (kind IN {_KINDS}),
            name TEXT NOT NULL,
            author TEXT NOT NULL,
            created_at TEXT NOT NULL,
            content TEXT NOT NULL,
            notes TEXT NOT NULL,
            situation TEXT,
            deleted INTEGER NOT NULL CHECK (deleted IN (0, 1)),
            content_bytes INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (sketch_id, revision)
        )""",
        """INSERT INTO sketch_revision_v3 (sketch_id, revision, kind, name, author, created_at,
            content, notes, situation, deleted, content_bytes)
            SELECT sketch_id, revision, kind, name, author, created_at, content, notes,
            situation, deleted, content_bytes FROM sketch_revision""",
        "DROP TABLE sketch_revision",
        "DROP TABLE sketch",
        "ALTER TABLE sketch_v3 RENAME TO sketch",
        "ALTER TABLE sketch_revision_v3 RENAME TO sketch_revision",
        "CREATE INDEX IF NOT EXISTS sketch_created_by ON sketch (created_by)",
        "CREATE INDEX IF NOT EXISTS sketch_revision_author ON sketch_revision (author)",
        f"""CREATE TABLE IF NOT EXISTS roles (
            grant_id INTEGER PRIMARY KEY,
            user_id TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN {_ROLES}),
            granted_by TEXT NOT NULL,
            granted_at TEXT NOT NULL
        )""",
        "CREATE INDEX IF NOT EXISTS roles_user ON roles (user_id, grant_id)",
    ),
)

POSTGRES_MIGRATIONS: Final[tuple[tuple[str, ...], ...]] = (
    (  # 1: a sketch's identity, and its revisions (insert-only)
        """CREATE TABLE sketch (
            sketch_id text PRIMARY KEY,
            kind text NOT NULL CHECK (kind IN ('corridor', 'layer')),
            created_by text NOT NULL,
            created_at timestamptz NOT NULL
        )""",
        """CREATE TABLE sketch_revision (
            sketch_id text NOT NULL REFERENCES sketch (sketch_id),
            revision integer NOT NULL CHECK (revision >= 1),
            kind text NOT NULL CHECK (kind IN ('corridor', 'layer')),
            name text NOT NULL,
            author text NOT NULL,
            created_at timestamptz NOT NULL,
            content json,
            notes text NOT NULL,
            situation text,
            deleted boolean NOT NULL,
            PRIMARY KEY (sketch_id, revision)
        )""",
        "CREATE INDEX sketch_created_by ON sketch (created_by)",
    ),
    (  # 2: as SQLite's 2, plus each revision's geometry in PostGIS with a GiST index
        "ALTER TABLE sketch ADD COLUMN latest_revision integer NOT NULL DEFAULT 1",
        "ALTER TABLE sketch ADD COLUMN deleted boolean NOT NULL DEFAULT false",
        "ALTER TABLE sketch_revision ADD COLUMN content_bytes integer NOT NULL DEFAULT 0",
        "ALTER TABLE sketch_revision ADD COLUMN geom geometry(Geometry, 4326)",
        """UPDATE sketch AS s SET latest_revision = r.revision, deleted = r.deleted
            FROM (SELECT DISTINCT ON (sketch_id) sketch_id, revision, deleted
                  FROM sketch_revision ORDER BY sketch_id, revision DESC) AS r
            WHERE r.sketch_id = s.sketch_id""",
        """UPDATE sketch_revision SET content_bytes = CASE WHEN deleted THEN 0
            ELSE octet_length(content::text) END""",
        "CREATE INDEX sketch_revision_author ON sketch_revision (author)",
        "CREATE INDEX sketch_revision_geom ON sketch_revision USING gist (geom)",
    ),
    (  # 3: as SQLite's 3 (the kind checks widened in place); roles
        "ALTER TABLE sketch DROP CONSTRAINT sketch_kind_check",
        f"ALTER TABLE sketch ADD CONSTRAINT sketch_kind_check CHECK (kind IN {_KINDS})",
        "ALTER TABLE sketch_revision DROP CONSTRAINT sketch_revision_kind_check",
        f"""ALTER TABLE sketch_revision ADD CONSTRAINT sketch_revision_kind_check
            CHECK (kind IN {_KINDS})""",
        f"""CREATE TABLE roles (
            grant_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            user_id text NOT NULL,
            role text NOT NULL CHECK (role IN {_ROLES}),
            granted_by text NOT NULL,
            granted_at timestamptz NOT NULL
        )""",
        "CREATE INDEX roles_user ON roles (user_id, grant_id)",
    ),
)

SCHEMA_VERSION: Final = len(SQLITE_MIGRATIONS)
"""The schema version of a store this code created or migrated (both engines)."""
