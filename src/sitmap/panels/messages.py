"""Shared widget helpers: problems shown as text, never as markup; a picked table row;
the page's guards (unknown hosts refused, unexpected errors logged and shown by id only).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ParamSpec

import streamlit as st

from sitmap.errors import SitmapError
from sitmap.escaping import md_escape
from sitmap.page import guard
from sitmap.page.session import PageSession
from sitmap.settings import allowed_hosts

LOG = logging.getLogger("sitmap.page")
_P = ParamSpec("_P")


def pick_row(session: PageSession, ids: Sequence[str], key: str) -> None:
    """A table row was picked: open its feature, event or corridor (before the map redraws)."""
    rows = st.session_state[key].selection.rows
    if rows:
        session.selected = ids[rows[0]]


def widths(pixels: Mapping[str, int]) -> dict[str, Any]:
    """Column widths (px) for ``st.dataframe``'s column_config, from a table's own widths."""
    return {name: st.column_config.Column(width=px) for name, px in pixels.items()}


def problems_box(err: SitmapError, *, where: str) -> None:
    """Show every problem of an error as text, never as markup."""
    problem_lines_box([str(p) for p in err.problems], where=where)


def problem_lines_box(lines: Sequence[str], *, where: str) -> None:
    """Show ``where`` and one problem a line, as text, never as markup."""
    st.error(md_escape(where))
    st.code("\n".join(lines), language=None)


def refuse_unknown_host() -> None:
    """Stop the run with a short refusal when the request's Host is not an allowed one
    (``SITMAP_ALLOWED_HOSTS``): before anything is read, nothing else is shown.
    """
    host = st.context.headers.get("Host")
    if guard.host_allowed(host, allowed_hosts()):
        return
    LOG.warning("refused a request for host %r (not in SITMAP_ALLOWED_HOSTS)", host)
    st.header(guard.REFUSAL_TITLE)
    st.write(guard.REFUSAL_MESSAGE)
    st.stop()


def guarded(run: Callable[_P, None]) -> Callable[_P, None]:
    """``run``, with any unexpected exception logged on the server (with its traceback)
    and shown to the reader only as "Something went wrong (error id ...)".

    Streamlit's own stop and rerun signals are not exceptions (``BaseException``) and
    pass through.
    """

    @functools.wraps(run)
    def guarded_run(*args: _P.args, **kwargs: _P.kwargs) -> None:
        try:
            run(*args, **kwargs)
        except Exception:
            error_id = guard.new_error_id()
            LOG.exception("page run failed (error id %s)", error_id)
            st.error(guard.error_message(error_id))

    return guarded_run
