"""Keep users' sketches (drawn corridors, uploaded layers) as immutable revisions.

Every save writes a new revision row and a delete writes a tombstone revision (no content);
nothing is ever overwritten. Saves are optimistic: an update names the revision it was based
on, and is refused with :class:`~sitmap.errors.StaleRevisionError` if someone else saved a
newer one in the meantime. Times are UTC, written ISO 8601 with a ``Z``
(``2025-11-10T09:14:03Z``). Each author keeps at most a quota of content bytes and of live
sketches (:class:`~sitmap.errors.QuotaError`).

Two engines behind one :class:`SketchStore` protocol: a SQLite file (the default,
:class:`SQLiteSketchStore`, ``sqlite.py``) and PostgreSQL with PostGIS
(:class:`PostgresSketchStore`, ``postgres.py``). :func:`open_store` picks one from
``SITMAP_DATABASE_URL``, else ``SITMAP_DB``. Changes are checked against roles
(:mod:`sitmap.access`): in a store that keeps roles, only an item's owner or an admin may
change or delete it, and viewers add nothing (:class:`~sitmap.errors.PermissionDeniedError`);
a store that keeps none is one person's. ``model.py`` holds what both keep and check,
``migrations.py`` their schema.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sitmap.access import Role, is_role
from sitmap.errors import NO_FEATURE, StoreError
from sitmap.settings import database_url, db_target, default_role, store_quota
from sitmap.store.migrations import SCHEMA_VERSION
from sitmap.store.model import (
    DEFAULT_QUOTA,
    Quota,
    Revision,
    SketchDraft,
    SketchKind,
    SketchStore,
    Usage,
)
from sitmap.store.sqlite import SQLiteSketchStore

if TYPE_CHECKING:
    from sitmap.store.postgres import PostgresSketchStore

__all__ = [
    "DEFAULT_QUOTA",
    "SCHEMA_VERSION",
    "PostgresSketchStore",
    "Quota",
    "Revision",
    "SQLiteSketchStore",
    "SketchDraft",
    "SketchKind",
    "SketchStore",
    "Usage",
    "open_store",
]

_POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def __getattr__(name: str) -> object:
    """``PostgresSketchStore``, imported on first use (psycopg is loaded only when needed)."""
    if name == "PostgresSketchStore":
        from sitmap.store.postgres import PostgresSketchStore

        return PostgresSketchStore
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)


def open_store(url_or_path: str | None = None, /, *, timeout_s: float = 10.0) -> SketchStore:
    """Open the sketch store at a path, a ``sqlite:///path`` or a ``postgresql://`` URL.

    With no argument, reads ``SITMAP_DATABASE_URL``, else ``SITMAP_DB``; both unset means
    the SQLite file :data:`~sitmap.settings.DEFAULT_DB_PATH`. The per-author quota comes from
    ``SITMAP_QUOTA_MB`` and ``SITMAP_QUOTA_ITEMS``.
    """
    target = url_or_path or database_url() or db_target()
    max_bytes, max_items = store_quota()
    quota = Quota(max_bytes=max_bytes, max_items=max_items)
    chosen = default_role()
    role: Role = chosen if is_role(chosen) else "editor"  # type: ignore[assignment]
    if target.startswith(_POSTGRES_SCHEMES):
        from sitmap.store.postgres import PostgresSketchStore

        return PostgresSketchStore(target, timeout_s=timeout_s, quota=quota, default_role=role)
    if target.startswith("sqlite:///"):
        target = target.removeprefix("sqlite:///")
    elif "://" in target:
        scheme = target.split("://", 1)[0]  # never echo the rest: it may hold a password
        msg = (
            f"unknown sketch store URL scheme {scheme!r}; use a path, sqlite:///path or "
            "postgresql://user:password@host:port/database"
        )
        raise StoreError(msg, file="sketch store", feature=NO_FEATURE)
    path = Path(target).expanduser()
    return SQLiteSketchStore(path, timeout_s=timeout_s, quota=quota, default_role=role)
