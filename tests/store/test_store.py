"""sitmap.store on both engines: revisions, optimistic concurrency, tombstones, validation,
quotas. Each test runs on SQLite and on PostgreSQL/PostGIS (the ``db`` fixture)."""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitmap.errors import QuotaError, SketchNotFoundError, StaleRevisionError, StoreError
from sitmap.store import SCHEMA_VERSION, Quota, Revision, SketchDraft, Usage
from sitmap.store.migrations import POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS
from tests.store.conftest import LAYER, LINE, Clock, Database, corridor

# --- round trip ---------------------------------------------------------------------------


def test_save_get_list_history_round_trip(store, db):
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
    assert db.rows("SELECT COUNT(*) FROM sketch_revision") == [(2,)]


def test_a_second_store_on_the_same_database_sees_everything(store, db):
    first = store.save(corridor(), base_revision=None, author="ana")
    again = db.open()  # another app process; opening again migrates nothing
    assert again.get(first.sketch_id) == first
    assert again.list() == (first,)


def test_revisions_are_never_overwritten(store, db):
    rev = store.save(corridor(), base_revision=None, author="ana")
    query = "SELECT * FROM sketch_revision WHERE revision = 1"
    before = db.rows(query)
    for n in range(1, 6):
        rev = store.save(replace(rev.draft(), notes=f"edit {n}"), base_revision=n, author="ana")
    assert db.rows(query) == before
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


def test_delete_writes_a_tombstone_without_copying_the_content(store, db):
    first = store.save(corridor(), base_revision=None, author="ana")
    tomb = store.delete(first.sketch_id, base_revision=1, author="dana")
    assert (tomb.revision, tomb.deleted, tomb.author, tomb.name) == (2, True, "dana", "Exit north")
    assert (tomb.content_json, tomb.content) == ("", {})
    assert db.rows("SELECT content_bytes FROM sketch_revision ORDER BY revision") == [
        (len(first.content_json),),
        (0,),
    ]
    kept = "content::text" if db.engine == "postgres" else "content"
    assert db.rows(f"SELECT COALESCE({kept}, '') FROM sketch_revision WHERE revision = 2") == [
        ("",)
    ]
    assert [r.deleted for r in store.history(first.sketch_id)] == [False, True]
    assert store.get_revision(first.sketch_id, 2) == tomb
    assert store.get_revision(first.sketch_id, 1) == first
    assert store.list() == ()
    with pytest.raises(
        SketchNotFoundError,
        match=r"'Exit north' was deleted by dana at 2025-11-10T09:14:02Z",
    ):
        store.get(first.sketch_id)
    with pytest.raises(
        SketchNotFoundError,
        match=r"'Exit north' was deleted by dana at 2025-11-10T09:14:02Z; it cannot be changed",
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
        match=r"revision 1 of 'Exit north' was replaced by revision 2, saved by dana",
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


# --- quotas -------------------------------------------------------------------------------


def test_an_author_past_the_byte_quota_is_refused_saying_how_much(db):
    size = len(json.dumps(LINE, separators=(",", ":")))
    store = db.open(clock=Clock(), quota=Quota(max_bytes=3 * size, max_items=100))
    first = store.save(corridor(), base_revision=None, author="ana")
    store.save(corridor("two"), base_revision=None, author="ana")
    third = store.save(corridor("three"), base_revision=None, author="ana")
    assert store.usage("ana") == Usage(bytes=3 * size, items=3)
    with pytest.raises(
        QuotaError,
        match=r"ana already keeps 0\.0 MB in the store and this save adds 0\.0 MB; the limit "
        r"is 0\.0 MB per author \(SITMAP_QUOTA_MB\): delete some of your uploads or corridors",
    ) as info:
        store.save(replace(first.draft(), notes="edit"), base_revision=1, author="ana")
    assert (info.value.used, info.value.adding, info.value.limit) == (3 * size, size, 3 * size)
    store.save(corridor("dana's"), base_revision=None, author="dana")  # quotas are per author
    store.delete(third.sketch_id, base_revision=1, author="ana")  # a delete frees its bytes
    assert store.usage("ana") == Usage(bytes=2 * size, items=2)
    store.save(replace(first.draft(), notes="edit"), base_revision=1, author="ana")
    assert db.rows("SELECT COUNT(*) FROM sketch_revision WHERE author = ?", "ana") == [(5,)]


def test_an_author_past_the_item_quota_is_refused(db):
    store = db.open(clock=Clock(), quota=Quota(max_items=2))
    first = store.save(corridor("one"), base_revision=None, author="ana")
    store.save(corridor("two"), base_revision=None, author="ana")
    with pytest.raises(
        QuotaError,
        match=r"ana already keeps 2 saved corridors and uploads; the limit is 2 per author "
        r"\(SITMAP_QUOTA_ITEMS\): delete some first",
    ) as info:
        store.save(corridor("three"), base_revision=None, author="ana")
    assert (info.value.used, info.value.limit) == (2, 2)
    store.save(
        replace(first.draft(), notes="an edit is no new item"), base_revision=1, author="ana"
    )
    store.delete(first.sketch_id, base_revision=2, author="ana")
    store.save(corridor("three"), base_revision=None, author="ana")
    assert [r.name for r in store.list(author="ana")] == ["three", "two"]


def test_a_large_upload_is_measured_in_megabytes(db):
    store = db.open(quota=Quota(max_bytes=1_500_000))
    big = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"note": "x" * 1_000_000}, "geometry": None}
        ],
    }
    store.save(SketchDraft(kind="layer", name="big", content=big), base_revision=None, author="ana")
    with pytest.raises(
        QuotaError,
        match=r"ana already keeps 1\.0 MB in the store and this save adds 1\.0 MB; the limit is 1\.5 MB",
    ):
        store.save(
            SketchDraft(kind="layer", name="big 2", content=big), base_revision=None, author="ana"
        )


# --- validation at the boundary -----------------------------------------------------------


@pytest.mark.parametrize(
    ("draft", "message"),
    [
        (corridor("   "), r"the name is empty"),
        (corridor("x" * 201), r"the name has 201 characters; at most 200 are allowed"),
        (corridor(7), r"the name must be text, got int"),
        (corridor("bad\ud800name"), r"the name is not valid Unicode text \(a lone surrogate"),
        (corridor("bad\x00name"), r"the name holds a NUL character \(at position 3\); remove it"),
        (corridor(notes="n" * 20_001), r"the notes of 'Exit north' has 20001 characters"),
        (corridor(situation=""), r"the situation id is empty"),
        (
            corridor(kind="route"),
            r"kind must be one of 'corridor', 'layer', 'annotation', 'comment', got 'route'",
        ),
        (corridor(content=[1, 2]), r"content of 'Exit north' must be a GeoJSON object, got list"),
        (
            corridor(content=LAYER),
            r"must be a GeoJSON LineString \(a corridor\), got type 'FeatureCollection'",
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
    assert db.rows("SELECT COUNT(*) FROM sketch_revision") == [(0,)]


def test_malformed_calls_are_refused(store, db):
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
    with pytest.raises(StoreError, match=r"quota must be a Quota of positive numbers"):
        db.open(quota=Quota(max_items=0))


_stored_text = st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",))
"""Characters the store keeps in names and notes: no NUL, no lone surrogate (both refused,
as the bad-draft test pins)."""
_names = st.text(alphabet=_stored_text, min_size=1, max_size=200).filter(str.strip)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    name=_names,
    notes=st.text(alphabet=_stored_text, max_size=300),
    label=st.text(max_size=50),
    situation=st.one_of(st.none(), _names),
)
def test_arbitrary_unicode_round_trips_exactly(store, name, notes, label, situation):
    content = {  # NUL and lone surrogates are fine in content: it is kept as ASCII JSON
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {label: name + "\x00\ud800"}, "geometry": None}
        ],
    }
    draft = SketchDraft(kind="layer", name=name, content=content, notes=notes, situation=situation)
    saved = store.save(draft, base_revision=None, author=name)
    got = store.get(saved.sketch_id)
    assert (got.name, got.notes, got.situation, got.author) == (name, notes, situation, name)
    assert got.content == content
    assert saved.sketch_id in {r.sketch_id for r in store.list(author=name)}


def test_both_engines_have_every_migration():
    assert len(SQLITE_MIGRATIONS) == len(POSTGRES_MIGRATIONS) == SCHEMA_VERSION


def test_database_helper_is_per_engine(db: Database):
    assert db.engine in {"sqlite", "postgres"}


def test_two_saves_racing_past_an_item_quota_only_one_is_kept(db):
    store = db.open(quota=Quota(max_items=1))
    for round_ in range(5):
        author = f"racer {round_}"
        barrier = threading.Barrier(2)
        outcomes: list[object] = []

        def create(name: str, author=author, barrier=barrier, outcomes=outcomes) -> None:
            barrier.wait()
            try:
                outcomes.append(store.save(corridor(name), base_revision=None, author=author))
            except QuotaError as exc:
                outcomes.append(exc)

        threads = [threading.Thread(target=create, args=(n,)) for n in ("a", "b")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(type(o).__name__ for o in outcomes) == ["QuotaError", "Revision"]
        assert len(store.list(author=author)) == 1
