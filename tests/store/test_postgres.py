"""The PostgreSQL/PostGIS store: schema_version migrations, PostGIS geometry with a GiST
index, a server that cannot be reached, a database without PostGIS, read-only and full
databases, dropped connections, many processes, a writer killed mid-save, pg_dump/pg_restore."""

from __future__ import annotations

import multiprocessing
from dataclasses import replace

import psycopg
import pytest

from sitmap.errors import ReadOnlyStoreError, StoreError, StoreFullError
from sitmap.store import SCHEMA_VERSION, SketchDraft, Usage, open_store
from sitmap.store.migrations import POSTGRES_MIGRATIONS
from sitmap.store.postgres import PostgresSketchStore
from tests.store.conftest import LINE, Clock, corridor
from tests.store.test_sqlite import kill_writers_at_random
from tests.store.workers import save_many

SPAWN = multiprocessing.get_context("spawn")
POINTS = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"n": 1},
            "geometry": {"type": "Point", "coordinates": [34.25, 31.28]},
        },
        {"type": "Feature", "properties": {"n": 2}, "geometry": None},
        {
            "type": "Feature",
            "properties": {"n": 3},
            "geometry": {"type": "Point", "coordinates": [34.26, 31.29, 12.0]},
        },
    ],
}


# --- schema, migrations, geometry ---------------------------------------------------------


def test_schema_versions_are_recorded_and_opening_again_migrates_nothing(pg_db):
    pg_db.open()
    pg_db.open()
    assert pg_db.rows("SELECT version FROM schema_version ORDER BY version") == [
        (n,) for n in range(1, SCHEMA_VERSION + 1)
    ]


def test_geometry_is_kept_in_postgis_with_a_gist_index(pg_db):
    store = pg_db.open(clock=Clock())
    line = store.save(corridor(), base_revision=None, author="ana")
    layer = store.save(
        SketchDraft(kind="layer", name="Points", content=POINTS), base_revision=None, author="ana"
    )
    store.delete(line.sketch_id, base_revision=1, author="ana")
    shapes = pg_db.rows(
        "SELECT sketch_id, revision, ST_AsText(geom), ST_SRID(geom) FROM sketch_revision ORDER BY created_at, revision"
    )
    assert shapes == [
        (line.sketch_id, 1, "LINESTRING(34.25 31.29,34.27 31.31)", 4326),
        (layer.sketch_id, 1, "GEOMETRYCOLLECTION(POINT(34.25 31.28),POINT(34.26 31.29))", 4326),
        (line.sketch_id, 2, None, None),  # a tombstone keeps no geometry
    ]
    assert pg_db.rows(
        "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
        "WHERE attrelid = 'sketch_revision'::regclass AND attname = 'geom'"
    ) == [("geometry(Geometry,4326)",)]
    (index,) = pg_db.rows(
        "SELECT indexdef FROM pg_indexes WHERE indexname = 'sketch_revision_geom'"
    )
    assert "USING gist (geom)" in index[0]
    near = "SELECT sketch_id FROM sketch_revision WHERE geom && ST_MakeEnvelope(34.255, 31.285, 34.3, 31.3, 4326)"
    assert {r[0] for r in pg_db.rows(near)} == {line.sketch_id, layer.sketch_id}
    assert store.get(layer.sketch_id).content == POINTS  # the JSON content is kept as given


def test_a_version_1_database_is_migrated_keeping_every_revision(pg_db):
    line = '{"type":"LineString","coordinates":[[34.25,31.29],[34.27,31.31]]}'
    with psycopg.connect(pg_db.target) as conn:
        conn.execute(
            "CREATE TABLE schema_version (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        for statement in POSTGRES_MIGRATIONS[0]:
            conn.execute(statement)
        conn.execute("INSERT INTO schema_version (version) VALUES (1)")
        conn.execute("INSERT INTO sketch VALUES ('a', 'corridor', 'ana', '2025-11-10T09:00:00Z')")
        insert = "INSERT INTO sketch_revision VALUES ('a', %s, 'corridor', 'Kept', %s, %s, %s, '', NULL, %s)"
        conn.execute(insert, (1, "ana", "2025-11-10T09:00:00Z", line, False))
        conn.execute(insert, (2, "dana", "2025-11-10T09:01:00Z", line, False))
    store = pg_db.open(clock=Clock())
    assert pg_db.rows("SELECT max(version) FROM schema_version") == [(SCHEMA_VERSION,)]
    assert [(r.revision, r.author, r.created_at) for r in store.history("a")] == [
        (1, "ana", "2025-11-10T09:00:00Z"),
        (2, "dana", "2025-11-10T09:01:00Z"),
    ]
    assert store.usage("dana") == Usage(bytes=len(line), items=0)
    assert store.save(store.get("a").draft(), base_revision=2, author="ana").revision == 3


def test_a_newer_database_is_refused(pg_db):
    pg_db.open()
    with psycopg.connect(pg_db.target) as conn:
        conn.execute("INSERT INTO schema_version (version) VALUES (%s)", (SCHEMA_VERSION + 1,))
    with pytest.raises(
        StoreError,
        match=rf"the PostgreSQL database 127\.0\.0\.1:\d+/t_\w+ has schema version "
        rf"{SCHEMA_VERSION + 1}, newer than this sitmap understands \({SCHEMA_VERSION}\); "
        r"upgrade sitmap",
    ):
        pg_db.open()


def test_a_database_with_a_sketch_table_sitmap_did_not_make_is_refused(pg_db):
    with psycopg.connect(pg_db.target) as conn:
        conn.execute("CREATE TABLE sketch (id serial PRIMARY KEY, drawing text)")
    with pytest.raises(
        StoreError,
        match=r"the PostgreSQL database .* has a table 'sketch' that sitmap did not create "
        r"\(no schema_version\); use another database or schema",
    ):
        pg_db.open()
    assert pg_db.rows("SELECT to_regclass('schema_version') IS NULL") == [(True,)]


def test_a_database_without_postgis_is_refused_saying_what_to_run(pg_server):
    name = pg_server.create_database(postgis=False)
    pg_server.execute("DROP ROLE IF EXISTS plain")
    pg_server.execute("CREATE ROLE plain LOGIN")
    pg_server.execute(f'ALTER DATABASE "{name}" OWNER TO plain')
    try:
        with pytest.raises(
            StoreError,
            match=r"PostGIS is not available in the PostgreSQL database 127\.0\.0\.1:\d+/t_\w+ "
            r"\(.*\): install it \(Debian: postgresql-15-postgis-3\) and run CREATE EXTENSION "
            r"postgis as a superuser",
        ):
            PostgresSketchStore(pg_server.url(name).replace("postgres@", "plain@"))
    finally:
        pg_server.drop_database(name)
        pg_server.execute("DROP ROLE plain")


# --- servers and connections --------------------------------------------------------------


def test_an_unreachable_server_is_a_clear_error_without_the_password():
    with pytest.raises(
        StoreError,
        match=r"cannot reach the PostgreSQL server at 127\.0\.0\.1:1/sitmap \(.*\); check "
        r"SITMAP_DATABASE_URL and that the server is running",
    ) as info:
        open_store("postgresql://sitmap:s3cret@127.0.0.1:1/sitmap")
    assert "s3cret" not in str(info.value)
    with pytest.raises(StoreError, match=r"the PostgreSQL URL is malformed"):
        PostgresSketchStore("postgresql://sitmap:s3cret@[::1/x?sslmode=sometimes")


def test_the_environment_picks_postgresql_over_sqlite(pg_db, monkeypatch, tmp_path):
    monkeypatch.setenv("SITMAP_DB", str(tmp_path / "unused.sqlite3"))
    monkeypatch.setenv("SITMAP_DATABASE_URL", pg_db.target)
    store = open_store()
    try:
        assert isinstance(store, PostgresSketchStore)
        assert repr(store).startswith("PostgresSketchStore('127.0.0.1:")
    finally:
        store.close()
    assert not (tmp_path / "unused.sqlite3").exists()


def test_a_missing_database_is_named(pg_server):
    with pytest.raises(
        StoreError,
        match=r'cannot reach the PostgreSQL server at .*/nope \(.*database "nope" does not exist',
    ):
        PostgresSketchStore(pg_server.url("nope"))


def test_dropped_connections_are_replaced(pg_db):
    store = pg_db.open()
    first = store.save(corridor(), base_revision=None, author="ana")
    with psycopg.connect(pg_db.target, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'sitmap'"
        )
    assert store.get(first.sketch_id) == first


def test_a_read_only_database_is_readable_and_refuses_saves(pg_db):
    first = pg_db.open(clock=Clock()).save(corridor(), base_revision=None, author="ana")
    with psycopg.connect(pg_db.target, autocommit=True) as conn:
        conn.execute(
            f'ALTER DATABASE "{pg_db.target.rsplit("/", 1)[1]}" SET default_transaction_read_only = on'
        )
    store = pg_db.open()
    assert store.get(first.sketch_id) == first
    with pytest.raises(
        ReadOnlyStoreError,
        match=r"the PostgreSQL database .* is read-only for this user \(cannot execute INSERT in a "
        r"read-only transaction\): it can be read but nothing can be saved",
    ):
        store.save(corridor("new"), base_revision=None, author="ana")


def test_a_full_server_disk_is_a_named_error(pg_db):
    store = pg_db.open()
    with psycopg.connect(pg_db.target, autocommit=True) as conn:
        conn.execute(
            """CREATE FUNCTION full_disk() RETURNS trigger LANGUAGE plpgsql AS $$
               BEGIN RAISE EXCEPTION 'could not extend file: No space left on device'
                     USING ERRCODE = 'disk_full'; END $$"""
        )
        conn.execute(
            "CREATE TRIGGER disk_is_full BEFORE INSERT ON sketch_revision FOR EACH ROW EXECUTE FUNCTION full_disk()"
        )
    with pytest.raises(
        StoreFullError,
        match=r"the PostgreSQL server at .* is out of space \(could not extend file: No space "
        r"left on device\); the save was not stored: free space on the server, then save again",
    ):
        store.save(corridor(), base_revision=None, author="ana")
    assert pg_db.rows("SELECT COUNT(*) FROM sketch") == [(0,)]


# --- many processes, a writer killed, backups ---------------------------------------------


def test_eight_processes_saving_at_once_lose_nothing(pg_db):
    with SPAWN.Pool(8) as pool:
        results = pool.starmap(save_many, [("postgres", pg_db.target, w, 50) for w in range(8)])
    reported = [pair for result in results for pair in result]
    assert len(reported) == len(set(reported)) == 400
    assert pg_db.rows("SELECT COUNT(*) FROM sketch_revision") == [(400,)]
    store = pg_db.open()
    for sketch_id, revision in reported:
        assert store.get_revision(sketch_id, revision).revision == revision
    assert len(store.list()) == 8 * 10
    for sketch in store.list():
        assert [r.revision for r in store.history(sketch.sketch_id)] == list(
            range(1, sketch.revision + 1)
        )
    assert pg_db.rows(
        "SELECT COUNT(*) FROM sketch s WHERE latest_revision <> (SELECT max(revision) FROM sketch_revision r WHERE r.sketch_id = s.sketch_id)"
    ) == [(0,)]


def test_a_writer_killed_mid_save_loses_no_committed_revision(pg_db, tmp_path):
    committed = kill_writers_at_random("postgres", pg_db.target, tmp_path / "committed.txt", {})
    assert len(committed) >= 4
    stored = set(pg_db.rows("SELECT sketch_id, revision FROM sketch_revision"))
    assert committed <= stored
    store = pg_db.open()
    for sketch_id, revision in committed:
        assert store.get_revision(sketch_id, revision).content == LINE
    assert pg_db.rows("SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory'") == [(0,)]


def test_a_pg_dump_restored_into_a_fresh_database_has_every_revision(pg_server, pg_db, tmp_path):
    store = pg_db.open(clock=Clock())
    saved = [store.save(corridor(f"c{i}"), base_revision=None, author="ana") for i in range(5)]
    saved.append(
        store.save(replace(saved[0].draft(), notes="edited"), base_revision=1, author="dana")
    )
    saved.append(store.delete(saved[1].sketch_id, base_revision=1, author="ana"))
    saved.append(
        store.save(
            SketchDraft(kind="layer", name="Points", content=POINTS),
            base_revision=None,
            author="ana",
        )
    )
    dump = tmp_path / "sitmap.dump"
    pg_server.tool(
        "pg_dump", "--format=custom", f"--file={dump}", "--dbname", pg_db.target.rsplit("/", 1)[1]
    )
    fresh = pg_server.create_database()  # with PostGIS, as the README does it
    try:
        pg_server.tool("pg_restore", "--no-owner", "--exit-on-error", "--dbname", fresh, str(dump))
        restored = PostgresSketchStore(pg_server.url(fresh))
        try:
            for rev in saved:
                assert restored.get_revision(rev.sketch_id, rev.revision) == rev
            assert restored.list() == store.list()
        finally:
            restored.close()
    finally:
        pg_server.drop_database(fresh)
