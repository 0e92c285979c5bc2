"""Who may do what: roles in a workspace, and one pure rule, :func:`may`.

A workspace (one sketch store) has viewers (read), editors (read, add, change and delete
what they own) and admins (change and delete anything, mark annotations checked, manage
roles). Every sketch, upload, annotation and comment is owned by the person who saved its
first revision (``created_by``). The store enforces the same rule on every change
(:class:`~sitmap.errors.PermissionDeniedError`); the page uses it to show only the
buttons a person may use. No Streamlit, no store here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Literal, Protocol, get_args

__all__ = [
    "ACTIONS",
    "ROLES",
    "Action",
    "Owned",
    "Person",
    "Role",
    "is_role",
    "may",
    "who_may",
]

Role = Literal["viewer", "editor", "admin"]
"""viewer: reads; editor: also adds, changes and deletes their own; admin: anything."""
ROLES: Final[tuple[Role, ...]] = get_args(Role)

Action = Literal["read", "add", "change", "delete", "check", "manage"]
"""read, add an item, change or delete one, mark an annotation checked, manage roles."""
ACTIONS: Final[tuple[Action, ...]] = get_args(Action)


class Owned(Protocol):
    """Anything with an owner: a store revision (``created_by`` saved its revision 1)."""

    @property
    def created_by(self) -> str:
        """Who owns it."""


@dataclass(frozen=True, slots=True)
class Person:
    """Someone acting in a workspace: their identity (email or subject) and role."""

    id: str
    role: Role
    name: str = ""

    @property
    def shown(self) -> str:
        """How the page names them: their name and identity, or the identity alone."""
        return f"{self.name} ({self.id})" if self.name and self.name != self.id else self.id


def is_role(value: object) -> bool:
    """Whether ``value`` names a role (viewer, editor, admin)."""
    return value in ROLES


def may(user: Person | None, action: Action, item: Owned | None = None) -> bool:
    """Whether ``user`` may do ``action`` (to ``item``, for change and delete).

    Nobody (``None``, not signed in) may do anything; anyone signed in may read.
    """
    if user is None or action not in ACTIONS:
        return False
    if action == "read" or user.role == "admin":
        return True
    if user.role != "editor" or action in ("check", "manage"):
        return False
    if action == "add":
        return True
    return item is not None and item.created_by == user.id


def who_may(action: Action, item: Owned | None, admins: Iterable[str] = ()) -> str:
    """Who may do ``action`` (to ``item``), in words, naming the admins when known."""
    named = sorted(set(admins))
    admin = f"an admin ({', '.join(named)})" if named else "an admin"
    if action == "read":
        return "anyone signed in"
    if action == "add":
        return f"an editor or {admin}"
    if action in ("change", "delete") and item is not None:
        return f"its owner {item.created_by} or {admin}"
    return admin
