"""The SQLite store: its file (WAL, schema versions, migrations), files that are not a
store (a folder, a corrupt file, another program's database), read-only files and folders,
a full disk, opening from the environment, many processes and a writer killed mid-save."""

from __future__ import annotations

import errno
import hashlib
import multiprocessing
import os
import random
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from sitmap import settings as sitmap_settings
from sitmap.errors import ReadOnlyStoreError, StoreError, StoreFullError
from sitmap.store import SCHEMA_VERSION, Quota, SketchDraft, SQLiteSketchStore, Usage, open_store
from sitmap.store.migrations import SQLITE_MIGRATIONS
from tests.conftest import REPO
from tests.store import pgserver
from tests.store.conftest import LINE, Clock, corridor
from tests.store.workers import save_forever, save_many

SPAWN = multiprocessing.get_context("spawn")


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "nested" / "sketches.sqlite3"


def rows(path: Path, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute(sql, params).fetchall()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- schema and migrations ----------------------------------------------------------------


def test_schema_is_versioned_in_wal_mode_and_migration_is_idempotent(path):
    store = SQLiteSketchStore(path, clock=Clock())
    first = store.save(corridor(), base_revision=None, author="ana")
    again = SQLiteSketchStore(path)
    assert again.get(first.sketch_id) == first
    assert rows(path, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    assert rows(path, "PRAGMA journal_mode") == [("wal",)]
    orphan = (
        "INSERT INTO sketch_revision (sketch_id, revision, kind, name, author, created_at,"
        " content, notes, deleted) VALUES ('x', 1, 'layer', 'n', 'a', 't', '{}', '', 0)"
    )
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys = ON")
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY constraint failed"):
        conn.execute(orphan)
    conn.close()


def test_a_version_1_store_is_migrated_keeping_every_revision(path):
    path.parent.mkdir()
    line = '{"type":"LineString","coordinates":[[34.25,31.29],[34.27,31.31]]}'
    with sqlite3.connect(path) as conn:
        for statement in SQLITE_MIGRATIONS[0]:
            conn.execute(statement)
        conn.execute("INSERT INTO sketch VALUES ('a', 'corridor', 'ana', '2025-11-10T09:00:00Z')")
        conn.execute("INSERT INTO sketch VALUES ('b', 'corridor', 'ana', '2025-11-10T09:00:00Z')")
        insert = "INSERT INTO sketch_revision VALUES (?, ?, 'corridor', ?, ?, ?, ?, '', NULL, ?)"
        conn.execute(insert, ("a", 1, "Kept", "ana", "2025-11-10T09:00:00Z", line, 0))
        conn.execute(insert, ("a", 2, "Kept", "dana", "2025-11-10T09:01:00Z", line, 0))
        conn.execute(insert, ("b", 1, "Gone", "ana", "2025-11-10T09:00:00Z", line, 0))
        conn.execute(insert, ("b", 2, "Gone", "ana", "2025-11-10T09:02:00Z", line, 1))  # old tomb
        conn.execute("PRAGMA user_version = 1")
    store = SQLiteSketchStore(path, clock=Clock())
    assert rows(path, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    assert rows(path, "SELECT sketch_id, latest_revision, deleted FROM sketch ORDER BY 1") == [
        ("a", 2, 0),
        ("b", 2, 1),
    ]
    assert [(r.sketch_id, r.revision, r.author) for r in store.list()] == [("a", 2, "dana")]
    assert [r.deleted for r in store.history("b")] == [False, True]
    assert store.usage("ana") == Usage(bytes=len(line), items=1)  # b is deleted: it is free
    assert store.usage("dana") == Usage(bytes=len(line), items=0)
    store.save(store.get("a").draft(), base_revision=2, author="ana")
    assert store.get("a").revision == 3


def test_newer_schema_is_refused(path):
    SQLiteSketchStore(path)
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(
        StoreError,
        match=rf"has schema version {SCHEMA_VERSION + 1}, newer than this sitmap understands "
        rf"\({SCHEMA_VERSION}\); upgrade sitmap",
    ):
        SQLiteSketchStore(path)


def test_bad_options_are_refused(path):
    with pytest.raises(StoreError, match=r"timeout_s must be a positive number of seconds"):
        SQLiteSketchStore(path, timeout_s=0)
    with pytest.raises(StoreError, match=r"synchronous must be 'FULL' or 'NORMAL', got 'OFF'"):
        SQLiteSketchStore(path, synchronous="OFF")


# --- what is at the path ------------------------------------------------------------------


def test_a_file_that_is_not_a_database_is_refused_saying_what_to_do(tmp_path):
    bogus = tmp_path / "notes.txt"
    bogus.write_text("this is not sqlite " * 100)
    with pytest.raises(
        StoreError,
        match=r"notes\.txt is not a SQLite database or is corrupt \(file is not a database\); "
        r"move it aside \(a new store is created in its place\) or restore it from a backup",
    ):
        SQLiteSketchStore(bogus)
    assert bogus.read_text() == "this is not sqlite " * 100


def test_a_corrupt_store_is_refused(path):
    store = SQLiteSketchStore(path)
    store.save(corridor(), base_revision=None, author="ana")
    data = bytearray(path.read_bytes())
    data[:16] = b"garbage garbage!"  # the header is gone
    path.write_bytes(bytes(data))
    with pytest.raises(
        StoreError, match=r"sketches\.sqlite3 is not a SQLite database or is corrupt"
    ):
        SQLiteSketchStore(path)


def test_a_folder_is_refused_naming_a_file_to_use(tmp_path):
    with pytest.raises(
        StoreError,
        match=rf"{tmp_path} is a folder, not a database file; point SITMAP_DB at a file in it, "
        rf"such as {tmp_path}/sitmap\.sqlite3",
    ):
        SQLiteSketchStore(tmp_path)


def test_another_programs_database_is_refused_and_left_alone(tmp_path):
    foreign = tmp_path / "crm.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY)")
    before = digest(foreign)
    with pytest.raises(
        StoreError,
        match=r"crm\.db is another program's SQLite database \(tables: customers, orders\), not "
        r"a sitmap store; point SITMAP_DB at another file \(a new one is created\)",
    ):
        SQLiteSketchStore(foreign)
    assert digest(foreign) == before
    assert rows(foreign, "PRAGMA journal_mode") == [("delete",)]


# --- read-only files and folders ----------------------------------------------------------


@pytest.fixture
def saved(path):
    store = SQLiteSketchStore(path, clock=Clock())
    first = store.save(corridor(), base_revision=None, author="ana")
    assert not path.with_name(path.name + "-wal").exists()  # checkpointed on close
    return first


def _reads_but_refuses_writes(path: Path, first, reason: str) -> None:
    before = digest(path)
    store = SQLiteSketchStore(path)
    assert store.read_only is not None
    assert store.get(first.sketch_id) == first
    assert store.list() == (first,)
    assert store.history(first.sketch_id) == (first,)
    message = (
        rf"is read-only \({reason}\): it can be read but nothing can be saved; make it writable"
    )
    with pytest.raises(ReadOnlyStoreError, match=message):
        store.save(corridor("new"), base_revision=None, author="ana")
    with pytest.raises(ReadOnlyStoreError, match=message):
        store.delete(first.sketch_id, base_revision=1, author="ana")
    assert digest(path) == before


def test_a_read_only_file_is_readable_and_refuses_saves(path, saved):
    path.chmod(0o444)
    try:
        _reads_but_refuses_writes(path, saved, r"the file is read-only \(mode 0444\)")
    finally:
        path.chmod(0o644)


def test_a_read_only_folder_is_readable_and_refuses_saves(path, saved):
    path.parent.chmod(0o555)
    try:
        _reads_but_refuses_writes(
            path, saved, rf"its folder {path.parent} is read-only \(mode 0555\)"
        )
        assert sorted(p.name for p in path.parent.iterdir()) == [path.name]
    finally:
        path.parent.chmod(0o755)


def test_a_read_only_store_of_an_older_schema_says_to_open_it_writable_once(path):
    path.parent.mkdir()
    with sqlite3.connect(path) as conn:
        for statement in SQLITE_MIGRATIONS[0]:
            conn.execute(statement)
        conn.execute("PRAGMA user_version = 1")
    path.chmod(0o444)
    try:
        with pytest.raises(
            ReadOnlyStoreError,
            match=rf"is read-only \(the file is read-only \(mode 0444\)\) and has schema version "
            rf"1; this sitmap needs {SCHEMA_VERSION}: open it writable once to migrate it",
        ):
            SQLiteSketchStore(path)
    finally:
        path.chmod(0o644)


def test_a_new_store_in_a_read_only_folder_is_refused(tmp_path):
    tmp_path.chmod(0o555)
    try:
        with pytest.raises(
            ReadOnlyStoreError,
            match=r"cannot create .*new\.sqlite3: its folder .* is read-only \(mode 0555\); make the folder",
        ):
            SQLiteSketchStore(tmp_path / "new.sqlite3")
    finally:
        tmp_path.chmod(0o755)


_AS_ANOTHER_USER = """
import sys
sys.path.insert(0, sys.argv[1])
from sitmap.store import SQLiteSketchStore, SketchDraft
from sitmap.errors import ReadOnlyStoreError
store = SQLiteSketchStore(sys.argv[2])
print([r.name for r in store.list()])
try:
    store.save(store.list()[0].draft(), base_revision=1, author="x")
except ReadOnlyStoreError as exc:
    print(exc)
"""


@pytest.mark.skipif(
    os.geteuid() != 0 or not Path("/usr/bin/python3").exists() or not shutil.which("runuser"),
    reason="needs root (to run a reader as another user), runuser and /usr/bin/python3",
)
def test_a_store_another_user_cannot_write_is_readable_by_them():
    """Real permissions (not mode bits): root owns the folder and file, another user reads."""
    user = pgserver.test_user()
    folder = Path(tempfile.mkdtemp(prefix="sitmap-ro-"))
    try:
        folder.chmod(0o755)
        path = folder / "sketches.sqlite3"
        SQLiteSketchStore(path).save(corridor("Shared"), base_revision=None, author="ana")
        done = subprocess.run(
            [
                "runuser",
                "-u",
                user,
                "--",
                "/usr/bin/python3",
                "-c",
                _AS_ANOTHER_USER,
                str(REPO / "src"),
                str(path),
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        lines = done.stdout.splitlines()
        assert lines[0] == "['Shared']"
        assert re.search(
            rf"is read-only \(user {user} may not write the file \(mode 0644, owned by root\)\): it can be read but nothing can be saved",
            lines[1],
        )
        assert sorted(p.name for p in folder.iterdir()) == ["sketches.sqlite3"]
    finally:
        shutil.rmtree(folder)


def test_an_online_backup_taken_while_saving_has_every_revision(path, tmp_path):
    store = SQLiteSketchStore(path, clock=Clock())
    saved = [store.save(corridor(f"c{i}"), base_revision=None, author="ana") for i in range(5)]
    saved.append(store.delete(saved[0].sketch_id, base_revision=1, author="ana"))
    backup = tmp_path / "backup.sqlite3"
    with sqlite3.connect(path) as source, sqlite3.connect(backup) as target:
        source.backup(target)  # what `sqlite3 FILE ".backup 'COPY'"` does
    copy = SQLiteSketchStore(backup)
    for rev in saved:
        assert copy.get_revision(rev.sketch_id, rev.revision) == rev
    assert copy.list() == store.list()


# --- a full disk --------------------------------------------------------------------------


def test_a_full_disk_during_a_save_is_a_named_error_and_stores_nothing(path, monkeypatch):
    store = SQLiteSketchStore(path)
    store.save(corridor(), base_revision=None, author="ana")
    real = store._connect

    @contextmanager
    def full_disk():  # the database may not grow by one page: SQLite's SQLITE_FULL
        with real() as conn:
            (pages,) = conn.execute("PRAGMA page_count").fetchone()
            conn.execute(f"PRAGMA max_page_count = {pages}")
            yield conn

    monkeypatch.setattr(store, "_connect", full_disk)
    big = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {"n": "x" * 100_000}, "geometry": None}],
    }
    with pytest.raises(
        StoreFullError,
        match=r"the disk is full \(database or disk is full\); the save was not stored: free "
        r"some space on the disk, then save again",
    ):
        store.save(
            SketchDraft(kind="layer", name="big", content=big), base_revision=None, author="ana"
        )
    monkeypatch.undo()
    assert rows(path, "SELECT COUNT(*) FROM sketch_revision") == [(1,)]
    store.save(SketchDraft(kind="layer", name="big", content=big), base_revision=None, author="ana")


def test_a_full_disk_when_creating_the_folder_is_a_named_error(tmp_path, monkeypatch):
    def no_space(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "mkdir", no_space)
    with pytest.raises(StoreFullError, match=r"cannot prepare .*a\.sqlite3: the disk is full"):
        SQLiteSketchStore(tmp_path / "new" / "a.sqlite3")


# --- opening from the environment ---------------------------------------------------------


def test_open_store_reads_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("SITMAP_DATABASE_URL", raising=False)
    monkeypatch.setenv("SITMAP_DB", str(tmp_path / "env" / "a.sqlite3"))
    opened = open_store()
    assert isinstance(opened, SQLiteSketchStore)
    assert opened.path == tmp_path / "env" / "a.sqlite3"
    assert opened.quota == Quota(max_bytes=200_000_000, max_items=1_000)
    assert open_store(f"sqlite:///{tmp_path}/b.sqlite3").path == tmp_path / "b.sqlite3"
    assert open_store(str(tmp_path / "c.sqlite3")).path == tmp_path / "c.sqlite3"
    monkeypatch.setenv("SITMAP_QUOTA_MB", "1.5")
    monkeypatch.setenv("SITMAP_QUOTA_ITEMS", "3")
    assert open_store().quota == Quota(max_bytes=1_500_000, max_items=3)
    monkeypatch.setenv("SITMAP_QUOTA_MB", "-1")
    monkeypatch.setenv("SITMAP_QUOTA_ITEMS", "many")
    assert open_store().quota == Quota(max_bytes=200_000_000, max_items=1_000)
    monkeypatch.setenv("SITMAP_DB", "")
    monkeypatch.setattr(sitmap_settings, "DEFAULT_DB_PATH", tmp_path / "data" / "sitmap.sqlite3")
    assert open_store().path == tmp_path / "data" / "sitmap.sqlite3"
    monkeypatch.undo()
    assert REPO / "data" / "sitmap.sqlite3" == sitmap_settings.DEFAULT_DB_PATH


def test_open_store_refuses_other_urls_without_echoing_them():
    with pytest.raises(
        StoreError, match=r"unknown sketch store URL scheme 'ftp'; use a path, sqlite:///path"
    ) as info:
        open_store("ftp://sitmap:s3cret@host/x")
    assert "s3cret" not in str(info.value)


# --- many processes, and a writer killed mid-stream ---------------------------------------


def test_eight_processes_saving_at_once_lose_nothing(tmp_path):
    path = tmp_path / "shared.sqlite3"  # does not exist yet: the workers race to create it
    with SPAWN.Pool(8) as pool:
        results = pool.starmap(save_many, [("sqlite", str(path), w, 50) for w in range(8)])
    reported = [pair for result in results for pair in result]
    assert len(reported) == len(set(reported)) == 400
    assert rows(path, "PRAGMA integrity_check") == [("ok",)]
    assert rows(path, "SELECT COUNT(*) FROM sketch_revision") == [(400,)]
    store = SQLiteSketchStore(path)
    for sketch_id, revision in reported:
        assert store.get_revision(sketch_id, revision).revision == revision
    assert len(store.list()) == 8 * 10
    for sketch in store.list():
        assert [r.revision for r in store.history(sketch.sketch_id)] == list(
            range(1, sketch.revision + 1)
        )


def kill_writers_at_random(
    engine: str, target: str, report: Path, options: dict
) -> set[tuple[str, int]]:
    """Start a writer 4 times and SIGKILL it at a random point; the revisions it reported."""
    rng = random.Random(20251110)
    for _ in range(4):
        child = SPAWN.Process(target=save_forever, args=(engine, target, str(report), options))
        child.start()
        wanted = rng.randint(1, 40) + (
            len(report.read_text().splitlines()) if report.exists() else 0
        )
        deadline = time.monotonic() + 120
        while not report.exists() or len(report.read_text().splitlines()) < wanted:
            assert child.is_alive(), f"writer died on its own (exit code {child.exitcode})"
            assert time.monotonic() < deadline, "writer made no progress"
            time.sleep(0.005)
        time.sleep(rng.uniform(0, 0.03))
        child.kill()  # SIGKILL, at a random point of a save
        child.join()
        assert child.exitcode == -9
    lines = report.read_text().split("\n")[:-1]  # only complete lines
    return {(sid, int(rev)) for sid, rev in (line.split() for line in lines)}


@pytest.mark.parametrize("synchronous", ["FULL", "NORMAL"])
def test_a_writer_killed_mid_stream_leaves_every_committed_revision(tmp_path, synchronous):
    path, report = tmp_path / "killed.sqlite3", tmp_path / "committed.txt"
    committed = kill_writers_at_random("sqlite", str(path), report, {"synchronous": synchronous})
    assert len(committed) >= 4
    assert rows(path, "PRAGMA integrity_check") == [("ok",)]
    stored = set(rows(path, "SELECT sketch_id, revision FROM sketch_revision"))
    assert committed <= stored
    store = SQLiteSketchStore(path)
    for sketch_id, revision in committed:
        assert store.get_revision(sketch_id, revision).content == LINE
