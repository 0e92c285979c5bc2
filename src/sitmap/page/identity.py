"""Who uses the page: a person signed in with OpenID Connect, or the one local user.

With an identity provider configured (Streamlit's ``[auth]`` secrets), ``st.user`` holds
``is_logged_in`` and, once signed in, the provider's claims: the person is their email
(lower-cased), else their subject (``sub``), with the role the workspace gives them
(:meth:`~sitmap.store.SketchStore.enrol`: named in SITMAP_ADMINS, the first of an empty
workspace, or SITMAP_DEFAULT_ROLE). With none configured, sitmap is a one-person tool on
this machine: the local user types a name and is admin of everything here. No Streamlit.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Final

from sitmap.access import Person, Role
from sitmap.errors import StoreError
from sitmap.store import SketchStore

__all__ = [
    "LOCAL_ROLE",
    "SignIn",
    "local_person",
    "provider_configured",
    "sign_in",
    "signed_in_identity",
]

LOCAL_ROLE: Final[Role] = "admin"
"""The local user's role in one-person mode: admin of their own machine."""
_MAX_ID_CHARS: Final = 200


@dataclass(frozen=True, slots=True)
class SignIn:
    """Whether sign-in is configured, and who is here (None: must sign in first)."""

    configured: bool
    person: Person | None

    @property
    def needs_sign_in(self) -> bool:
        """A provider is configured and nobody is signed in: show only the sign-in."""
        return self.configured and self.person is None


def provider_configured(user_info: Mapping[str, object], /) -> bool:
    """Whether an identity provider is configured (``st.user`` then has ``is_logged_in``)."""
    return "is_logged_in" in user_info


def signed_in_identity(user_info: Mapping[str, object], /) -> tuple[str, str] | None:
    """(identity, display name) of a signed-in person: the email (lower-cased) when the
    provider gives one, else the subject; None when nobody is signed in.
    """
    if user_info.get("is_logged_in") is not True:
        return None
    email, sub, name = (user_info.get(key) for key in ("email", "sub", "name"))
    chosen = email if isinstance(email, str) and email.strip() else sub
    if not isinstance(chosen, str | int) or not str(chosen).strip():
        return None
    ident = str(chosen).strip()
    ident = (ident.lower() if chosen is email else ident)[:_MAX_ID_CHARS]
    shown = name.strip()[:_MAX_ID_CHARS] if isinstance(name, str) and name.strip() else ident
    return ident, shown


def local_person(typed_name: str, /) -> Person:
    """The one local user (no provider): the name they typed, admin of this machine."""
    name = typed_name.strip()
    return Person(name, LOCAL_ROLE, name)


def sign_in(
    user_info: Mapping[str, object],
    typed_name: str,
    store: SketchStore,
    /,
    *,
    admins: Collection[str] = (),
    known: Person | None = None,
) -> SignIn:
    """Who is here and with what role. ``known`` is the person this browser session signed
    in as before (enrolled once a session; their current role is read again here).

    A signed-in person is enrolled in the store (given a role if they had none). A store
    that cannot be used leaves them a viewer: nothing can be saved then anyway.
    """
    if not provider_configured(user_info):
        return SignIn(configured=False, person=local_person(typed_name))
    found = signed_in_identity(user_info)
    if found is None:
        return SignIn(configured=True, person=None)
    ident, shown = found
    try:
        if known is not None and known.id == ident:
            role = store.roles().get(ident, known.role)
        else:
            role = store.enrol(ident, admin=ident in admins, first_is_admin=not admins)
    except StoreError:
        role = "viewer"
    return SignIn(configured=True, person=Person(ident, role, shown))
