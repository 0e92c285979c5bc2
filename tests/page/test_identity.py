"""Who uses the page: signed in with OpenID Connect (identity, role) or the local user."""

from __future__ import annotations

from pathlib import Path

from sitmap.access import Person
from sitmap.errors import StoreError
from sitmap.page.identity import (
    local_person,
    provider_configured,
    sign_in,
    signed_in_identity,
)
from sitmap.page.session import AUTHOR_KEY, PageSession
from sitmap.page.workspace import UnavailableStore
from sitmap.store import SQLiteSketchStore

ALICE = {"is_logged_in": True, "email": "Alice@Example.org", "sub": "alice", "name": "Alice A"}


def test_no_provider_means_one_person_admin_of_their_machine(tmp_path: Path) -> None:
    store = SQLiteSketchStore(tmp_path / "s.sqlite3")
    found = sign_in({}, " Dana ", store)
    assert not found.configured and not found.needs_sign_in
    assert found.person == Person("Dana", "admin", "Dana")
    assert store.roles() == {}  # nothing recorded: a one-person store keeps no roles
    assert local_person("") == Person("", "admin", "")


def test_a_provider_without_a_signed_in_person_asks_for_sign_in(tmp_path: Path) -> None:
    store = SQLiteSketchStore(tmp_path / "s.sqlite3")
    found = sign_in({"is_logged_in": False}, "typed", store)
    assert provider_configured({"is_logged_in": False}) and found.needs_sign_in


def test_the_identity_is_the_email_else_the_subject() -> None:
    assert signed_in_identity(ALICE) == ("alice@example.org", "Alice A")
    assert signed_in_identity({"is_logged_in": True, "sub": "u-17"}) == ("u-17", "u-17")
    assert signed_in_identity({"is_logged_in": True}) is None
    assert signed_in_identity({"is_logged_in": False, "email": "x@y"}) is None


def test_signed_in_people_are_enrolled_first_admin_then_editors(tmp_path: Path) -> None:
    store = SQLiteSketchStore(tmp_path / "s.sqlite3")
    alice = sign_in(ALICE, "ignored", store).person
    assert alice == Person("alice@example.org", "admin", "Alice A")
    bob = sign_in({"is_logged_in": True, "email": "bob@example.org"}, "", store).person
    assert bob is not None and bob.role == "editor"
    store.grant("bob@example.org", "viewer", by="alice@example.org")
    again = sign_in({"is_logged_in": True, "email": "bob@example.org"}, "", store, known=bob)
    assert again.person is not None and again.person.role == "viewer"  # read again each run


def test_named_admins_and_an_unusable_store(tmp_path: Path) -> None:
    store = SQLiteSketchStore(tmp_path / "s.sqlite3")
    admins = frozenset({"carol@example.org"})
    alice = sign_in(ALICE, "", store, admins=admins).person
    assert alice is not None and alice.role == "editor"  # not the first admin: carol is named
    carol = sign_in({"is_logged_in": True, "email": "carol@example.org"}, "", store, admins=admins)
    assert carol.person is not None and carol.person.role == "admin"
    broken = UnavailableStore(StoreError("gone"))
    assert sign_in(ALICE, "", broken).person == Person("alice@example.org", "viewer", "Alice A")


def test_the_signed_in_identity_replaces_the_typed_name() -> None:
    state: dict = {AUTHOR_KEY: "typed"}
    session = PageSession(state)
    assert session.author == "typed" and not session.signed_in
    session.person = Person("alice@example.org", "editor")
    assert PageSession(state).author == "alice@example.org"
    assert session.signed_in and session.typed_name == "typed"


def test_admins_and_the_default_role_come_from_settings(tmp_path: Path, monkeypatch) -> None:
    from sitmap import settings
    from sitmap.store import open_store

    assert settings.admins({"SITMAP_ADMINS": " Carol@Example.org, ,bob@x "}) == {
        "carol@example.org",
        "bob@x",
    }
    assert settings.admins({}) == frozenset()
    assert settings.default_role({"SITMAP_DEFAULT_ROLE": "Viewer"}) == "viewer"
    assert settings.default_role({"SITMAP_DEFAULT_ROLE": "owner"}) == "editor"
    monkeypatch.setenv("SITMAP_DEFAULT_ROLE", "viewer")
    store = open_store(str(tmp_path / "s.sqlite3"))
    assert store.enrol("first@x") == "admin"
    assert store.enrol("second@x") == "viewer"


def test_a_point_or_area_drawn_is_not_a_new_line_for_the_workbench() -> None:
    session = PageSession({})
    point = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [34.2, 31.3]}}]
    assert not session.new_drawings(point)  # an annotation: the notes tab stays open
    assert not session.new_drawings([])  # the point cleared after it was kept
