"""Tests for sitmap.store: revisions, optimistic concurrency, crash safety, validation."""

from __future__ import annotations

import multiprocessing
import os
import random
import sqlite3
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitmap import store as store_module
from sitmap.errors import SketchNotFoundError, StaleRevisionError, StoreError
from sitmap.store import (
    DEFAULT_DB_PATH,
    SCHEMA_VERSION,
    Revision,
    SketchDraft,
    SQLiteSketchStore,
    open_store,
)

LINE = {"type": "LineString", "coordinates": [[34.25, 31.29], [34.27, 31.31]]}
LAYER = {"type": "FeatureCollection", "features": []}
SPAWN = multiprocessing.get_context("spawn")


class Clock:
    """A UTC clock that starts at 2025-11-10T09:14:00Z and ticks one second per reading."""

    def __init__(self) -> None:
        self.now = datetime(2025, 11, 10, 9, 14, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "nested" / "sketches.sqlite3"


@pytest.fixture
def store(db: Path) -> SQLiteSketchStore:
    return SQLiteSketchStore(db, clock=Clock())


def corridor(name: str = "Exit north", **changes) -> SketchDraft:
    return replace(SketchDraft(kind="corridor", name=name, content=LINE), **changes)


def rows(db: Path, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


# --- round trip ---------------------------------------------------------------------------


def test_save_get_list_history_round_trip(store, db):
    assert db.parent.is_dir()  # parent folders are created
    first = store.save(
        corridor(notes="via Salah al-Din", situation="rafah-2025-11"),
        base_revision=None,
        author="ana",
    )
    assert len(first.sketch_id) == 32
    assert int(first.sketch_id, 16) >= 0
    assert (first.revision, first.author, first.created_by) == (1, "ana", "ana")
    assert first.created_at == "2025-11-10T09:14:01Z"
    assert store.get(first.sketch_id) == first

    moved = {"type": "LineString", "coordinates": [[34.25, 31.29], [34.3, 31.35]]}
    second = store.save(
        replace(first.draft(), content=moved, name="Exit north (east)"),
        base_revision=1,
        author="dana",
    )
    assert (second.revision, second.author, second.created_by) == (2, "dana", "ana")
    assert store.get(first.sketch_id) == second
    assert store.get(first.sketch_id).content == moved
    assert store.get_revision(first.sketch_id, 1).content == LINE
    assert [r.revision for r in store.history(first.sketch_id)] == [1, 2]
    assert store.list() == (second,)
    assert rows(db, "SELECT COUNT(*) FROM sketch_revision") == [(2,)]


def test_revisions_are_never_overwritten(store, db):
    rev = store.save(corridor(), base_revision=None, author="ana")
    before = rows(db, "SELECT * FROM sketch_revision WHERE revision = 1")
    for n in range(1, 6):
        rev = store.save(replace(rev.draft(), notes=f"edit {n}"), base_revision=n, author="ana")
    assert rows(db, "SELECT * FROM sketch_revision WHERE revision = 1") == before
    assert [r.notes for r in store.history(rev.sketch_id)] == [
        "",
        *(f"edit {n}" for n in range(1, 6)),
    ]


def test_list_filters_and_sorts_by_name(store):
    a = store.save(corridor("beta"), base_revision=None, author="ana")
    b = store.save(corridor("Alpha", situation="rafah"), base_revision=None, author="dana")
    c = store.save(
        SketchDraft(kind="layer", name="Shelters", content=LAYER, situation="rafah"),
        base_revision=None,
        author="ana",
    )
    store.save(replace(b.draft(), notes="renamed by ana"), base_revision=1, author="ana")
    assert [r.name for r in store.list()] == ["Alpha", "beta", "Shelters"]
    assert [r.name for r in store.list(kind="corridor")] == ["Alpha", "beta"]
    assert [r.name for r in store.list(kind="layer")] == ["Shelters"]
    assert [r.sketch_id for r in store.list(author="ana")] == [a.sketch_id, c.sketch_id]
    assert [r.name for r in store.list(author="dana")] == ["Alpha"]  # the creator
    assert [r.name for r in store.list(situation="rafah", kind="corridor")] == ["Alpha"]
    assert store.list(situation="elsewhere") == ()
    assert store.list()[0].revision == 2  # latest revision only


# --- optimistic concurrency ---------------------------------------------------------------


def test_stale_save_is_refused_naming_who_and_when(store):
    first = store.save(corridor(), base_revision=None, author="ana")
    store.save(replace(first.draft(), notes="shorter"), base_revision=1, author="dana")
    with pytest.raises(
        StaleRevisionError,
        match=r"revision 1 of 'Exit north' was replaced by revision 2, saved by dana at "
        r"2025-11-10T09:14:02Z; reload it and apply your change again",
    ) as info:
        store.save(replace(first.draft(), notes="mine"), base_revision=1, author="bob")
    assert (info.value.by, info.value.at) == ("dana", "2025-11-10T09:14:02Z")
    assert len(store.history(first.sketch_id)) == 2


def test_save_based_on_a_revision_that_does_not_exist_is_refused(store):
    first = store.save(corridor(), base_revision=None, author="ana")
    with pytest.raises(
        StaleRevisionError,
        match=r"revision 9 of 'Exit north' does not exist; "
        r"the latest is revision 1, saved by ana",
    ):
        store.save(first.draft(), base_revision=9, author="bob")


def test_two_threads_racing_on_one_revision_exactly_one_wins(store):
    for _ in range(10):
        base = store.save(corridor(), base_revision=None, author="ana")
        barrier = threading.Barrier(2)
        outcomes: dict[str, object] = {}

        def update(author: str, base: Revision = base, barrier=barrier, outcomes=outcomes):
            barrier.wait()
            try:
                outcomes[author] = store.save(
                    replace(base.draft(), notes=author), base_revision=1, author=author
                )
            except StaleRevisionError as exc:
                outcomes[author] = exc

        threads = [threading.Thread(target=update, args=(who,)) for who in ("dana", "bob")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        won = [o for o in outcomes.values() if isinstance(o, Revision)]
        lost = [o for o in outcomes.values() if isinstance(o, StaleRevisionError)]
        assert len(won) == 1
        assert len(lost) == 1
        assert lost[0].by == won[0].author
        assert f"saved by {won[0].author}" in str(lost[0])
        assert store.get(base.sketch_id) == won[0]
        assert len(store.history(base.sketch_id)) == 2


# --- delete -------------------------------------------------------------------------------


def test_delete_writes_a_tombstone(store):
    first = store.save(corridor(), base_revision=None, author="ana")
    tomb = store.delete(first.sketch_id, base_revision=1, author="dana")
    assert (tomb.revision, tomb.deleted, tomb.author) == (2, True, "dana")
    assert [r.deleted for r in store.history(first.sketch_id)] == [False, True]
    assert store.get_revision(first.sketch_id, 2) == tomb
    assert store.get_revision(first.sketch_id, 1) == first
    assert store.list() == ()
    with pytest.raises(
        SketchNotFoundError,
        match=r"'Exit north' was deleted by dana at "
        r"2025-11-10T09:14:02Z",
    ):
        store.get(first.sketch_id)
    with pytest.raises(
        SketchNotFoundError,
        match=r"'Exit north' was deleted by dana at "
        r"2025-11-10T09:14:02Z; it cannot be changed",
    ):
        store.delete(first.sketch_id, base_revision=2, author="ana")
    with pytest.raises(
        StaleRevisionError,
        match=r"revision 1 of 'Exit north' was replaced by "
        r"revision 2, which deleted it \(dana at 2025-11-10T09:14:02Z\)",
    ):
        store.save(first.draft(), base_revision=1, author="ana")


def test_stale_delete_is_refused(store):
    first = store.save(corridor(), base_revision=None, author="ana")
    store.save(first.draft(), base_revision=1, author="dana")
    with pytest.raises(
        StaleRevisionError,
        match=r"revision 1 of 'Exit north' was replaced by "
        r"revision 2, saved by dana",
    ):
        store.delete(first.sketch_id, base_revision=1, author="bob")
    assert store.get(first.sketch_id).revision == 2


def test_missing_sketches_are_reported(store):
    with pytest.raises(SketchNotFoundError, match=r"no sketch has id 'nope'"):
        store.get("nope")
    with pytest.raises(SketchNotFoundError, match=r"no sketch has id 'nope'"):
        store.history("nope")
    with pytest.raises(SketchNotFoundError, match=r"no sketch has id 'nope'"):
        store.delete("nope", base_revision=1, author="ana")
    with pytest.raises(SketchNotFoundError, match=r"no sketch has id 'nope'"):
        store.save(corridor(sketch_id="nope"), base_revision=1, author="ana")
    first = store.save(corridor(), base_revision=None, author="ana")
    with pytest.raises(SketchNotFoundError, match=rf"sketch '{first.sketch_id}' has no revision 3"):
        store.get_revision(first.sketch_id, 3)


# --- validation at the boundary -----------------------------------------------------------


@pytest.mark.parametrize(
    ("draft", "message"),
    [
        (corridor("   "), r"the name is empty"),
        (corridor("x" * 201), r"the name has 201 characters; at most 200 are allowed"),
        (corridor(7), r"the name must be text, got int"),
        (corridor("bad\ud800name"), r"the name is not valid Unicode text \(a lone surrogate"),
        (corridor(notes="n" * 20_001), r"the notes of 'Exit north' has 20001 characters"),
        (corridor(situation=""), r"the situation id is empty"),
        (corridor(kind="route"), r"kind must be 'corridor' or 'layer', got 'route'"),
        (corridor(content=[1, 2]), r"content of 'Exit north' must be a GeoJSON object, got list"),
        (
            corridor(content=LAYER),
            r"must be a GeoJSON LineString \(a corridor\), got type "
            r"'FeatureCollection'",
        ),
        (corridor(content={"coordinates": []}), r"got type None"),
        (corridor(content={"type": "LineString"}), r"has no 'coordinates' list"),
        (
            SketchDraft(kind="layer", name="L", content={"type": "FeatureCollection"}),
            r"the content of 'L' has no 'features' list",
        ),
        (
            corridor(content={**LINE, "coordinates": [[float("nan"), 1]]}),
            r"cannot be stored as JSON: Out of range float values",
        ),
        (
            corridor(content={**LINE, "when": datetime(2025, 1, 1, tzinfo=UTC)}),
            r"cannot be stored as JSON: Object of type datetime",
        ),
    ],
)
def test_malformed_drafts_are_refused(store, db, draft, message):
    with pytest.raises(StoreError, match=message):
        store.save(draft, base_revision=None, author="ana")
    assert rows(db, "SELECT COUNT(*) FROM sketch_revision") == [(0,)]


def test_malformed_calls_are_refused(store):
    first = store.save(corridor(), base_revision=None, author="ana")
    with pytest.raises(StoreError, match=r"expected a SketchDraft to save, got dict"):
        store.save({"name": "x"}, base_revision=None, author="ana")
    with pytest.raises(StoreError, match=r"the author is empty"):
        store.save(corridor(), base_revision=None, author=" ")
    for bad in (0, True, "1", 1.0):
        with pytest.raises(StoreError, match=r"base_revision must be a revision number"):
            store.save(first.draft(), base_revision=bad, author="ana")
    with pytest.raises(StoreError, match=r"has sketch id .*: to change it, pass the revision"):
        store.save(first.draft(), base_revision=None, author="ana")
    with pytest.raises(StoreError, match=r"'Exit north' has no sketch id, so it cannot replace"):
        store.save(corridor(), base_revision=1, author="ana")
    layer = SketchDraft(kind="layer", name="L", content=LAYER, sketch_id=first.sketch_id)
    with pytest.raises(StoreError, match=r"'Exit north' is a corridor; it cannot become a layer"):
        store.save(layer, base_revision=1, author="ana")
    with pytest.raises(StoreError, match=r"timeout_s must be a positive number of seconds"):
        SQLiteSketchStore(store.path, timeout_s=0)
    with pytest.raises(StoreError, match=r"synchronous must be 'FULL' or 'NORMAL', got 'OFF'"):
        SQLiteSketchStore(store.path, synchronous="OFF")


_names = st.text(min_size=1, max_size=200).filter(str.strip)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=_names,
    notes=st.text(max_size=300),
    label=st.text(max_size=50),
    situation=st.one_of(st.none(), _names),
)
def test_arbitrary_unicode_round_trips_exactly(tmp_path_factory, name, notes, label, situation):
    store = _shared_store(tmp_path_factory)
    content = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {label: name}, "geometry": None}],
    }
    draft = SketchDraft(kind="layer", name=name, content=content, notes=notes, situation=situation)
    saved = store.save(draft, base_revision=None, author=name)
    got = store.get(saved.sketch_id)
    assert (got.name, got.notes, got.situation, got.author) == (name, notes, situation, name)
    assert got.content == content
    assert saved.sketch_id in {r.sketch_id for r in store.list(author=name)}


_SHARED: dict[str, SQLiteSketchStore] = {}


def _shared_store(factory) -> SQLiteSketchStore:
    if "store" not in _SHARED:
        _SHARED["store"] = SQLiteSketchStore(factory.mktemp("unicode") / "s.sqlite3")
    return _SHARED["store"]


# --- schema, files and opening ------------------------------------------------------------


def test_schema_is_versioned_in_wal_mode_and_migration_is_idempotent(store, db):
    first = store.save(corridor(), base_revision=None, author="ana")
    again = SQLiteSketchStore(db)
    assert again.get(first.sketch_id) == first
    assert rows(db, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    assert rows(db, "PRAGMA journal_mode") == [("wal",)]
    orphan = (
        "INSERT INTO sketch_revision (sketch_id, revision, kind, name, author, created_at,"
        " content, notes, deleted) VALUES ('x', 1, 'layer', 'n', 'a', 't', '{}', '', 0)"
    )
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA foreign_keys = ON")
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY constraint failed"):
        conn.execute(orphan)
    conn.close()


def test_newer_schema_is_refused(db):
    SQLiteSketchStore(db)
    with sqlite3.connect(db) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError, match=rf"has schema version {SCHEMA_VERSION + 1}, newer than"):
        SQLiteSketchStore(db)


def test_a_file_that_is_not_a_database_is_refused(tmp_path):
    bogus = tmp_path / "notes.txt"
    bogus.write_text("this is not sqlite " * 100)
    with pytest.raises(StoreError, match=r"notes\.txt failed: file is not a database"):
        SQLiteSketchStore(bogus)


def test_open_store_reads_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SITMAP_DB", str(tmp_path / "env" / "a.sqlite3"))
    opened = open_store()
    assert isinstance(opened, SQLiteSketchStore)
    assert opened.path == tmp_path / "env" / "a.sqlite3"
    assert open_store(f"sqlite:///{tmp_path}/b.sqlite3").path == tmp_path / "b.sqlite3"
    assert open_store(str(tmp_path / "c.sqlite3")).path == tmp_path / "c.sqlite3"
    monkeypatch.setenv("SITMAP_DB", "")
    monkeypatch.setattr(store_module, "DEFAULT_DB_PATH", tmp_path / "data" / "sitmap.sqlite3")
    assert open_store().path == tmp_path / "data" / "sitmap.sqlite3"
    repo = Path(__file__).resolve().parents[1]
    assert repo / "data" / "sitmap.sqlite3" == DEFAULT_DB_PATH


def test_open_store_refuses_other_urls_without_echoing_them():
    with pytest.raises(
        StoreError, match=r"PostgreSQL/PostGIS sketch stores are not available"
    ) as info:
        open_store("postgresql://sitmap:s3cret@db/sitmap")
    assert "s3cret" not in str(info.value)
    with pytest.raises(StoreError, match=r"unknown sketch store URL scheme 'ftp'"):
        open_store("ftp://host/x")


# --- many processes, and a writer killed mid-stream ---------------------------------------


def _worker(path: str, worker: int, saves: int) -> list[tuple[str, int]]:
    """Save ``saves`` revisions: a new sketch every fifth save, otherwise update our own."""
    store = SQLiteSketchStore(path, timeout_s=60)
    done: list[tuple[str, int]] = []
    current: Revision | None = None
    for i in range(saves):
        if current is None or i % 5 == 0:
            draft = corridor(f"worker {worker} sketch {i}")
            current = store.save(draft, base_revision=None, author=f"w{worker}")
        else:
            draft = replace(current.draft(), notes=f"save {i}")
            current = store.save(draft, base_revision=current.revision, author=f"w{worker}")
        done.append((current.sketch_id, current.revision))
    return done


def test_eight_processes_saving_at_once_lose_nothing(tmp_path):
    path = tmp_path / "shared.sqlite3"  # does not exist yet: the workers race to create it
    with SPAWN.Pool(8) as pool:
        results = pool.starmap(_worker, [(str(path), w, 50) for w in range(8)])
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


def _endless_writer(path: str, report: str, synchronous: str) -> None:
    """Save forever; after each save returns, append 'id revision' to ``report``."""
    store = SQLiteSketchStore(path, synchronous=synchronous)
    fd = os.open(report, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    current: Revision | None = None
    i = 0
    while True:
        if current is None or i % 4 == 0:
            current = store.save(corridor(f"stream {i}"), base_revision=None, author="w")
        else:
            draft = replace(current.draft(), notes="x" * (i % 50) * 100)
            current = store.save(draft, base_revision=current.revision, author="w")
        os.write(fd, f"{current.sketch_id} {current.revision}\n".encode())
        i += 1


@pytest.mark.parametrize("synchronous", ["FULL", "NORMAL"])
def test_a_writer_killed_mid_stream_leaves_every_committed_revision(tmp_path, synchronous):
    path, report = tmp_path / "killed.sqlite3", tmp_path / "committed.txt"
    rng = random.Random(20251110)
    for _ in range(4):
        child = SPAWN.Process(target=_endless_writer, args=(str(path), str(report), synchronous))
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
    committed = {(sid, int(rev)) for sid, rev in (line.split() for line in lines)}
    assert len(committed) >= 4
    assert rows(path, "PRAGMA integrity_check") == [("ok",)]
    stored = set(rows(path, "SELECT sketch_id, revision FROM sketch_revision"))
    assert committed <= stored
    store = SQLiteSketchStore(path)
    for sketch_id, revision in committed:
        assert store.get_revision(sketch_id, revision).content == LINE
