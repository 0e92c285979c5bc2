"""Owners and roles in the store, on both engines: who may change, delete, check, manage;
annotations and comments as sketches; the version 2 -> 3 migration."""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import replace

import pytest

from sitmap.access import Person, may, who_may
from sitmap.errors import PermissionDeniedError, StoreError
from sitmap.store import SketchDraft, SQLiteSketchStore
from sitmap.store.migrations import SQLITE_MIGRATIONS
from tests.store.conftest import LINE, Clock, corridor

POINT = {"type": "Point", "coordinates": [34.25, 31.29]}


def annotation(note: str = "shelling reported", **props) -> SketchDraft:
    content = {
        "type": "Feature",
        "geometry": POINT,
        "properties": {"note": note, "time": "2025-11-10T08:00:00Z", "source": "WAFA", **props},
    }
    return SketchDraft(kind="annotation", name=note, content=content, situation="rafah")


def comment(on: str, text: str) -> SketchDraft:
    content = {"type": "Comment", "on": on, "text": text}
    return SketchDraft(kind="comment", name=text[:40], content=content, situation="rafah")


def test_a_store_without_roles_is_one_persons_anyone_may_change_anything(store):
    first = store.save(corridor(), base_revision=None, author="ana")
    second = store.save(first.draft(), base_revision=1, author="dana")
    store.delete(first.sketch_id, base_revision=second.revision, author="eve")
    assert store.roles() == {}


def test_first_person_of_an_empty_workspace_is_admin_then_the_default_role(store):
    assert store.enrol("alice@example.org") == "admin"
    assert store.enrol("bob@example.org") == "editor"
    assert store.enrol("alice@example.org") == "admin"  # kept, not granted again
    assert store.roles() == {"alice@example.org": "admin", "bob@example.org": "editor"}


def test_named_admins_and_no_first_admin(store):
    assert store.enrol("alice@example.org", first_is_admin=False) == "editor"
    assert store.enrol("carol@example.org", admin=True) == "admin"
    assert store.role("alice@example.org") == "editor"
    assert store.role("nobody") is None


def test_an_editor_may_not_change_or_delete_anothers_corridor_an_admin_may(store):
    store.enrol("carol@example.org", admin=True)
    store.enrol("alice@example.org")
    store.enrol("bob@example.org")
    alice = store.save(corridor("Alice's exit"), base_revision=None, author="alice@example.org")
    with pytest.raises(PermissionDeniedError) as refused:
        store.delete(alice.sketch_id, base_revision=1, author="bob@example.org")
    assert refused.value.allowed == "its owner alice@example.org or an admin (carol@example.org)"
    assert "bob@example.org may not delete 'Alice's exit'" in refused.value.problem
    with pytest.raises(PermissionDeniedError, match="may not change"):
        store.save(alice.draft(), base_revision=1, author="bob@example.org")
    mine = store.save(replace(alice.draft(), notes="mine"), base_revision=1, author=alice.author)
    assert mine.revision == 2
    tomb = store.delete(alice.sketch_id, base_revision=2, author="carol@example.org")
    assert (tomb.deleted, tomb.author, tomb.created_by) == (
        True,
        "carol@example.org",
        "alice@example.org",
    )
    assert [(r.revision, r.author) for r in store.history(alice.sketch_id)] == [
        (1, "alice@example.org"),
        (2, "alice@example.org"),
        (3, "carol@example.org"),
    ]


def test_a_viewer_adds_nothing_and_only_admins_manage_roles(store):
    store.enrol("carol@example.org", admin=True)
    store.grant("vic@example.org", "viewer", by="carol@example.org")
    with pytest.raises(PermissionDeniedError, match="is a viewer here and may not add"):
        store.save(corridor(), base_revision=None, author="vic@example.org")
    store.enrol("bob@example.org")
    with pytest.raises(PermissionDeniedError, match=r"bob@example\.org may not change roles"):
        store.grant("bob@example.org", "admin", by="bob@example.org")
    store.grant("vic@example.org", "editor", by="carol@example.org")
    assert store.save(corridor(), base_revision=None, author="vic@example.org").revision == 1


def test_unknown_people_in_a_store_with_roles_have_the_default_role(db):
    store = db.open(default_role="viewer")
    store.enrol("carol@example.org", admin=True)
    with pytest.raises(PermissionDeniedError):
        store.save(corridor(), base_revision=None, author="stranger")


def test_annotations_are_unverified_until_an_admin_marks_them_checked(store):
    store.enrol("carol@example.org", admin=True)
    store.enrol("alice@example.org")
    note = store.save(annotation(), base_revision=None, author="alice@example.org")
    assert note.kind == "annotation"
    assert note.checked_by is None
    ticked = replace(note.draft(), content=annotation(checked_by="alice@example.org").content)
    with pytest.raises(PermissionDeniedError, match="may not check"):
        store.save(ticked, base_revision=1, author="alice@example.org")
    with pytest.raises(StoreError, match="only in the name of who saves it"):
        store.save(ticked, base_revision=1, author="carol@example.org")
    checked = replace(note.draft(), content=annotation(checked_by="carol@example.org").content)
    done = store.save(checked, base_revision=1, author="carol@example.org")
    assert (done.checked_by, done.created_by) == ("carol@example.org", "alice@example.org")
    # the owner may still change the note, keeping the mark
    kept = replace(done.draft(), notes="more detail")
    assert store.save(kept, base_revision=2, author="alice@example.org").checked_by == (
        "carol@example.org"
    )


def test_comments_are_sketches_owned_by_their_author(store):
    store.enrol("carol@example.org", admin=True)
    store.enrol("bob@example.org")
    said = store.save(
        comment("jenina", "Source? <b>"), base_revision=None, author="bob@example.org"
    )
    assert store.get(said.sketch_id).content == {
        "type": "Comment",
        "on": "jenina",
        "text": "Source? <b>",
    }
    assert [r.sketch_id for r in store.list(kind="comment", author="bob@example.org")] == [
        said.sketch_id
    ]
    with pytest.raises(StoreError, match="has no 'text' str"):
        store.save(
            SketchDraft(kind="comment", name="x", content={"type": "Comment"}),
            base_revision=None,
            author="bob@example.org",
        )


def test_two_people_signing_in_first_at_once_make_one_admin(db):
    store = db.open()
    barrier = threading.Barrier(2)
    got: list[str] = []

    def sign_in(user: str) -> None:
        barrier.wait()
        got.append(store.enrol(user))

    threads = [threading.Thread(target=sign_in, args=(u,)) for u in ("a@x.org", "b@x.org")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(got) == ["admin", "editor"]


def test_may_is_one_pure_rule():
    owned = type("Item", (), {"created_by": "alice"})()
    alice, bob = Person("alice", "editor"), Person("bob", "editor")
    admin, viewer = Person("carol", "admin"), Person("vic", "viewer")
    assert may(alice, "delete", owned) and not may(bob, "delete", owned)
    assert may(admin, "delete", owned) and may(admin, "check") and may(admin, "manage")
    assert may(viewer, "read") and not may(viewer, "add")
    assert not may(alice, "check", owned) and not may(None, "read")
    assert who_may("delete", owned, ["carol"]) == "its owner alice or an admin (carol)"


def test_a_version_2_sqlite_store_is_migrated_to_3_keeping_its_sketches(tmp_path):
    path = tmp_path / "v2.sqlite3"
    with sqlite3.connect(path) as conn:
        for statements in SQLITE_MIGRATIONS[:2]:
            for statement in statements:
                conn.execute(statement)
        conn.execute("INSERT INTO sketch VALUES ('a', 'corridor', 'ana', 't', 1, 0)")
        conn.execute(
            "INSERT INTO sketch_revision VALUES ('a', 1, 'corridor', 'Kept', 'ana', 't', ?, '',"
            " NULL, 0, 10)",
            (str(LINE).replace("'", '"'),),
        )
        conn.execute("PRAGMA user_version = 2")
    store = SQLiteSketchStore(path, clock=Clock())
    assert [r.name for r in store.list()] == ["Kept"]
    assert store.save(annotation(), base_revision=None, author="ana").kind == "annotation"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA foreign_keys = ON")
        with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
            conn.execute(
                "INSERT INTO sketch_revision (sketch_id, revision, kind, name, author,"
                " created_at, content, notes, deleted) VALUES ('zz', 1, 'layer', 'n', 'a', 't',"
                " '{}', '', 0)"
            )
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
