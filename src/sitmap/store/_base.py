"""The one save/delete/read algorithm both engines run, over an engine's transaction."""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import UTC, datetime
from typing import Protocol

from sitmap.access import Action, Person, Role, is_role, may, who_may
from sitmap.errors import PermissionDeniedError, SketchNotFoundError, StoreError
from sitmap.store.model import (
    CHECKED_BY,
    MAX_NAME_CHARS,
    STORE,
    Quota,
    Revision,
    SketchDraft,
    SketchKind,
    Usage,
    check_draft,
    check_quota,
    check_revision_number,
    check_text,
    refuse_change,
)

NO_SKETCH = "-"


def utc_now() -> datetime:
    """The current time in UTC (a store's default clock)."""
    return datetime.now(UTC)


class Transaction(Protocol):
    """What an engine does inside one transaction (reads, or reads and writes)."""

    def lock_author(self, author: str, /) -> None:
        """Serialise this author's writes until the transaction ends (quota checks)."""

    def lock_sketch(self, sketch_id: str, /) -> None:
        """Serialise writes to this sketch until the transaction ends."""

    def latest(self, sketch_id: str, /) -> Revision | None:
        """The latest revision of a sketch (tombstone included), or None."""

    def one(self, sketch_id: str, revision: int, /) -> Revision | None:
        """One revision of a sketch, or None."""

    def history(self, sketch_id: str, /) -> list[Revision]:
        """Every revision of a sketch, oldest first."""

    def live(
        self, kind: SketchKind | None, author: str | None, situation: str | None, /
    ) -> list[Revision]:
        """Latest revisions of live sketches matching the filters (None: any)."""

    def usage(self, author: str, /) -> Usage:
        """What ``author`` keeps now (see :class:`~sitmap.store.model.Usage`)."""

    def insert(self, rev: Revision, /, *, new_sketch: bool) -> None:
        """Write a revision (and its sketch, when new); the sketch's latest is now ``rev``."""

    def lock_roles(self) -> None:
        """Serialise changes of roles until the transaction ends."""

    def roles(self) -> dict[str, str]:
        """Everyone's current role (their latest grant), by identity."""

    def role(self, user: str, /) -> str | None:
        """``user``'s current role, or None if they have none."""

    def add_role(self, user: str, role: str, /, *, by: str, at: str) -> None:
        """Record that ``by`` gave ``user`` the role ``role`` at ``at``."""


class RevisionStore(ABC):
    """A sketch store over an engine: validation, quotas, revisions, messages."""

    def __init__(
        self, *, quota: Quota, clock: Callable[[], datetime], default_role: Role = "editor"
    ) -> None:
        if not isinstance(quota, Quota) or quota.max_bytes < 1 or quota.max_items < 1:
            msg = f"quota must be a Quota of positive numbers, got {quota!r}"
            raise StoreError(msg, file=STORE)
        if not is_role(default_role):
            msg = f"default_role must be viewer, editor or admin, got {default_role!r}"
            raise StoreError(msg, file=STORE)
        self.quota = quota
        self.default_role: Role = default_role
        self._clock = clock

    @abstractmethod
    def _transaction(self, *, write: bool) -> AbstractContextManager[Transaction]:
        """One transaction; ``write`` ones are committed when the block ends normally."""

    def _now(self) -> str:
        return self._clock().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    # -- writes ---------------------------------------------------------------------------

    def save(self, draft: SketchDraft, /, *, base_revision: int | None, author: str) -> Revision:
        """Save a new sketch (``base_revision=None``) or a new revision on top of the latest.

        Raises StaleRevisionError if ``base_revision`` is no longer the latest revision,
        SketchNotFoundError if the sketch does not exist or was deleted, QuotaError if the
        author would keep more than the quota allows, StoreError if the draft is malformed.
        """
        content_json = check_draft(draft)
        check_text(author, "the author", max_chars=MAX_NAME_CHARS, required=True)
        if base_revision is None and draft.sketch_id is not None:
            msg = (
                f"'{draft.name}' has sketch id {draft.sketch_id}: to change it, pass the "
                "revision it is based on as base_revision"
            )
            raise StoreError(msg, file=STORE)
        if base_revision is not None:
            check_revision_number(base_revision, "base_revision")
            if draft.sketch_id is None:
                msg = f"'{draft.name}' has no sketch id, so it cannot replace a revision"
                raise StoreError(msg, file=STORE)
        adding = len(content_json.encode("utf-8"))
        now = self._now()
        with self._transaction(write=True) as tx:
            tx.lock_author(author)
            person = self._person(tx, author)
            if base_revision is None or draft.sketch_id is None:
                self._allow(tx, person, "add", None, draft.name)
                self._allow_check(tx, person, draft, None, author)
                check_quota(self.quota, author, tx.usage(author), adding=adding, new_item=True)
                sketch_id, revision, created_by = uuid.uuid4().hex, 1, author
            else:
                latest = self._current(tx, draft.sketch_id, base_revision)
                self._allow(tx, person, "change", latest, latest.name)
                self._allow_check(tx, person, draft, latest, author)
                if draft.kind != latest.kind:
                    msg = f"'{latest.name}' is a {latest.kind}; it cannot become a {draft.kind}"
                    raise StoreError(msg, file=STORE, feature=f"sketch {latest.sketch_id}")
                check_quota(self.quota, author, tx.usage(author), adding=adding, new_item=False)
                sketch_id, revision = latest.sketch_id, latest.revision + 1
                created_by = latest.created_by
            new = Revision(
                sketch_id=sketch_id,
                revision=revision,
                kind=draft.kind,
                name=draft.name,
                author=author,
                created_at=now,
                notes=draft.notes,
                situation=draft.situation,
                deleted=False,
                created_by=created_by,
                content_json=content_json,
            )
            tx.insert(new, new_sketch=revision == 1)
        return new

    def delete(self, sketch_id: str, /, *, base_revision: int, author: str) -> Revision:
        """Write a tombstone revision (no content); ``base_revision`` must still be latest."""
        check_text(sketch_id, "the sketch id", max_chars=64, required=True)
        check_revision_number(base_revision, "base_revision")
        check_text(author, "the author", max_chars=MAX_NAME_CHARS, required=True)
        now = self._now()
        with self._transaction(write=True) as tx:
            latest = self._current(tx, sketch_id, base_revision)
            self._allow(tx, self._person(tx, author), "delete", latest, latest.name)
            tomb = replace(
                latest,
                revision=latest.revision + 1,
                author=author,
                created_at=now,
                deleted=True,
                content_json="",
            )
            tx.insert(tomb, new_sketch=False)
        return tomb

    # -- who may -------------------------------------------------------------------------

    def _person(self, tx: Transaction, author: str) -> Person | None:
        """Who acts, with their role; None in a store that keeps no roles (one person's,
        where anyone may do anything).
        """
        roles = tx.roles()
        if not roles:
            return None
        found = roles.get(author)
        return Person(author, found if is_role(found) else self.default_role)  # type: ignore[arg-type]

    @staticmethod
    def _allow(
        tx: Transaction, person: Person | None, action: Action, item: Revision | None, name: str
    ) -> None:
        """Raise PermissionDeniedError unless ``person`` may do ``action`` to ``item``."""
        if person is None or may(person, action, item):
            return
        admins = [user for user, role in tx.roles().items() if role == "admin"]
        allowed = who_may(action, item, admins)
        if item is None:
            msg = (
                f"{person.id} is a {person.role} here and may not add '{name}': only "
                f"{allowed} may add; an admin can make them an editor"
            )
        else:
            msg = (
                f"{person.id} may not {action} '{name}', a {item.kind} owned by "
                f"{item.created_by}: only {allowed} may"
            )
        feature = f"sketch {item.sketch_id}" if item is not None else NO_SKETCH
        raise PermissionDeniedError(msg, allowed=allowed, feature=feature)

    def _allow_check(
        self,
        tx: Transaction,
        person: Person | None,
        draft: SketchDraft,
        latest: Revision | None,
        author: str,
    ) -> None:
        """An annotation's checked mark changes only by an admin, in their own name."""
        if draft.kind != "annotation":
            return
        props = draft.content.get("properties")
        now = props.get(CHECKED_BY) if isinstance(props, dict) else None
        before = latest.checked_by if latest is not None else None
        if (now or None) == before:
            return
        if now and now != author:
            msg = f"'{draft.name}' can be marked checked only in the name of who saves it"
            raise StoreError(msg, file=STORE)
        self._allow(tx, person, "check", latest, draft.name)

    # -- roles ---------------------------------------------------------------------------

    def roles(self) -> dict[str, Role]:
        """Everyone's current role, by identity (empty: a one-person store, no roles)."""
        with self._transaction(write=False) as tx:
            found = tx.roles()
        return {user: role for user, role in found.items() if is_role(role)}  # type: ignore[misc]

    def role(self, user: str, /) -> Role | None:
        """``user``'s role, or None when they have none yet."""
        with self._transaction(write=False) as tx:
            found = tx.role(user)
        return found if is_role(found) else None  # type: ignore[return-value]

    def enrol(self, user: str, /, *, admin: bool = False, first_is_admin: bool = True) -> Role:
        """``user``'s role, giving them one if they have none: admin when ``admin`` (named in
        SITMAP_ADMINS) or when they are the first of an empty workspace and
        ``first_is_admin``; else the store's default role. One transaction: of two people
        signing in first at once, one becomes admin.
        """
        check_text(user, "the user", max_chars=MAX_NAME_CHARS, required=True)
        now = self._now()
        with self._transaction(write=True) as tx:
            tx.lock_roles()
            roles = tx.roles()
            current = roles.get(user)
            if admin:
                wanted: str = "admin"
            elif current is not None:
                wanted = current
            else:
                wanted = "admin" if first_is_admin and not roles else self.default_role
            if wanted != current:
                tx.add_role(user, wanted, by="sitmap", at=now)
        return wanted  # type: ignore[return-value]

    def grant(self, user: str, role: Role, /, *, by: str) -> None:
        """Give ``user`` the role ``role``; ``by`` must be an admin (in a store with roles)."""
        check_text(user, "the user", max_chars=MAX_NAME_CHARS, required=True)
        if not is_role(role):
            msg = f"the role must be viewer, editor or admin, got {role!r}"
            raise StoreError(msg, file=STORE)
        now = self._now()
        with self._transaction(write=True) as tx:
            tx.lock_roles()
            person = self._person(tx, by)
            if person is not None and not may(person, "manage"):
                admins = [u for u, r in tx.roles().items() if r == "admin"]
                allowed = who_may("manage", None, admins)
                msg = f"{by} may not change roles: only {allowed} may"
                raise PermissionDeniedError(msg, allowed=allowed)
            tx.add_role(user, role, by=by, at=now)

    @staticmethod
    def _current(tx: Transaction, sketch_id: str, base_revision: int) -> Revision:
        """The latest revision, locked, if it is ``base_revision`` and live; else raise."""
        tx.lock_sketch(sketch_id)
        latest = tx.latest(sketch_id)
        if latest is None:
            msg = f"no sketch has id {sketch_id!r}"
            raise SketchNotFoundError(msg, file=STORE)
        base = None if base_revision == latest.revision else tx.one(sketch_id, base_revision)
        refuse_change(latest, base, base_revision)
        return latest

    # -- reads ----------------------------------------------------------------------------

    def get(self, sketch_id: str, /) -> Revision:
        """The latest revision of a live sketch; SketchNotFoundError if missing or deleted."""
        with self._transaction(write=False) as tx:
            latest = tx.latest(sketch_id)
        if latest is None:
            msg = f"no sketch has id {sketch_id!r}"
            raise SketchNotFoundError(msg, file=STORE)
        if latest.deleted:
            msg = f"'{latest.name}' was deleted by {latest.author} at {latest.created_at}"
            raise SketchNotFoundError(msg, file=STORE, feature=f"sketch {sketch_id}")
        return latest

    def get_revision(self, sketch_id: str, revision: int, /) -> Revision:
        """One revision of a sketch, tombstones included; SketchNotFoundError if none."""
        with self._transaction(write=False) as tx:
            found = tx.one(sketch_id, revision)
        if found is None:
            msg = f"sketch {sketch_id!r} has no revision {revision!r}"
            raise SketchNotFoundError(msg, file=STORE)
        return found

    def history(self, sketch_id: str, /) -> tuple[Revision, ...]:
        """Every revision of a sketch, oldest first; SketchNotFoundError if it never existed."""
        with self._transaction(write=False) as tx:
            found = tx.history(sketch_id)
        if not found:
            msg = f"no sketch has id {sketch_id!r}"
            raise SketchNotFoundError(msg, file=STORE)
        return tuple(found)

    def list(
        self,
        *,
        kind: SketchKind | None = None,
        author: str | None = None,
        situation: str | None = None,
    ) -> tuple[Revision, ...]:
        """Latest revisions of live sketches, in one query, sorted by name (case-folded).

        ``author`` filters on who created the sketch (saved revision 1).
        """
        with self._transaction(write=False) as tx:
            found = tx.live(kind, author, situation)
        return tuple(sorted(found, key=lambda r: (r.name.casefold(), r.name, r.sketch_id)))

    def usage(self, author: str, /) -> Usage:
        """What ``author`` keeps now, counted as the quota counts it."""
        with self._transaction(write=False) as tx:
            return tx.usage(author)
