"""What the page checks before it shows anything, and what it says when it fails.

Streamlit has no Host allowlist: a page that answers any ``Host`` header can be reached
by DNS rebinding (a hostile site's name pointed at this server, read from the reader's
browser). :func:`host_allowed` checks the request's ``Host`` against
``SITMAP_ALLOWED_HOSTS`` before anything is read. An unexpected error is logged on the
server with its traceback and shown to the reader only as :func:`error_message`, with a
short random id (:func:`new_error_id`) that finds it in the log.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Final

__all__ = [
    "REFUSAL_MESSAGE",
    "REFUSAL_TITLE",
    "error_message",
    "host_allowed",
    "host_name",
    "new_error_id",
]

REFUSAL_TITLE: Final = "Not served at this address"
REFUSAL_MESSAGE: Final = (
    "This sitmap server does not answer to the host name in this address. Open it at the "
    "address its operator gave you; the operator lists the names it answers to in "
    "SITMAP_ALLOWED_HOSTS."
)
"""The whole refusal page: it names no data and no setting's value."""


def host_name(host_header: str) -> str:
    """The host part of a ``Host`` header, lower case, without port or trailing dot.

    ``example.org:8501`` -> ``example.org``; ``[::1]:8501`` -> ``[::1]``.
    """
    host = host_header.strip().lower()
    if host.startswith("["):
        end = host.find("]")
        host = host[: end + 1] if end > 0 else host
    elif host.count(":") == 1:
        host = host.split(":", 1)[0]
    return host.rstrip(".")


def host_allowed(host_header: str | None, allowed: Iterable[str], /) -> bool:
    """Whether a request with this ``Host`` header may see the page.

    ``allowed`` holds host names (any port), lower case, as
    :func:`sitmap.settings.allowed_hosts` gives them; ``*`` allows every host. A request
    without a ``Host`` header is not a browser's (browsers always send one; Streamlit's
    own test runner does not) and is let through. An empty or malformed host is refused.
    """
    names = {name.strip().lower().rstrip(".") for name in allowed}
    if "*" in names:
        return True
    if host_header is None:
        return True
    host = host_name(host_header)
    if not host or any(ch.isspace() or ch in "/\\@?#" for ch in host):
        return False
    return host in names


def new_error_id() -> str:
    """A short random hex id (8 characters) naming one failure in the server log."""
    return secrets.token_hex(4)


def error_message(error_id: str, /) -> str:
    """What the reader sees when the page fails unexpectedly: no details, an id."""
    return f"Something went wrong (error id {error_id}); the server log has the details."
