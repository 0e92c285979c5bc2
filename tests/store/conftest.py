"""Store fixtures: every store test runs on both engines (SQLite, PostgreSQL with PostGIS).

``pg_server`` starts one throwaway PostgreSQL cluster per session (tests/store/pgserver.py).
When none can be started the PostgreSQL cases are skipped with one line saying why; in CI
(``CI=true``) they fail instead, so CI never passes without them.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest

from sitmap.store import SketchDraft, SQLiteSketchStore
from sitmap.store.postgres import PostgresSketchStore
from tests.store import pgserver

ENGINES = ["sqlite", "postgres"]
LINE = {"type": "LineString", "coordinates": [[34.25, 31.29], [34.27, 31.31]]}
LAYER = {"type": "FeatureCollection", "features": []}


class Clock:
    """A UTC clock that starts at 2025-11-10T09:14:00Z and ticks one second per reading."""

    def __init__(self) -> None:
        self.now = datetime(2025, 11, 10, 9, 14, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def corridor(name: str = "Exit north", **changes: Any) -> SketchDraft:
    return replace(SketchDraft(kind="corridor", name=name, content=LINE), **changes)


def open_engine(
    engine: str, target: str, **options: Any
) -> SQLiteSketchStore | PostgresSketchStore:
    """A store of ``engine`` on ``target`` (a SQLite path or a PostgreSQL URL)."""
    if engine == "postgres":
        return PostgresSketchStore(target, **options)
    return SQLiteSketchStore(target, **options)


@dataclass
class Database:
    """One fresh database of one engine: open stores on it, query it directly."""

    engine: str
    target: str
    opened: list[Any] = field(default_factory=list)

    def open(self, **options: Any) -> Any:
        store = open_engine(self.engine, self.target, **options)
        self.opened.append(store)
        return store

    def rows(self, sql: str, *params: Any) -> list[tuple]:
        if self.engine == "postgres":
            with psycopg.connect(self.target) as conn:
                return conn.execute(sql.replace("?", "%s"), params).fetchall()
        with sqlite3.connect(self.target) as conn:
            return conn.execute(sql, params).fetchall()


_SKIP = "PostgreSQL store tests skipped: "


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Fold every PostgreSQL skip into one summary line (one location, one reason)."""
    report = yield
    longrepr = report.longrepr
    if report.skipped and isinstance(longrepr, tuple) and _SKIP in str(longrepr[2]):
        report.longrepr = (__file__, 1, longrepr[2])
    return report


@pytest.fixture(scope="session")
def pg_server() -> Iterator[pgserver.PgServer]:
    try:
        server = pgserver.start()
    except pgserver.PgUnavailableError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL store tests cannot run in CI: {exc}", pytrace=False)
        pytest.skip(f"{_SKIP}{exc}")
    yield server
    server.stop()


def _database(engine: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if engine == "sqlite":
        db = Database("sqlite", str(tmp_path / "nested" / "sketches.sqlite3"))
        yield db
        return
    server: pgserver.PgServer = request.getfixturevalue("pg_server")
    name = server.create_database()
    db = Database("postgres", server.url(name))
    try:
        yield db
    finally:
        for store in db.opened:
            store.close()
        server.drop_database(name)


@pytest.fixture(params=ENGINES)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A fresh database of each engine in turn."""
    yield from _database(request.param, request, tmp_path)


@pytest.fixture
def pg_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A fresh PostgreSQL database (PostgreSQL-only tests)."""
    yield from _database("postgres", request, tmp_path)


@pytest.fixture
def store(db: Database) -> Any:
    return db.open(clock=Clock())
