"""Keep a long-running process (the app) lean: hold less memory it no longer uses.

Process-wide glibc and Arrow settings, measured with 100,000 events in the app; on a
system without glibc they do nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from collections.abc import Callable

import pyarrow

__all__ = ["release_free_memory", "use_lean_memory"]


@functools.cache
def _libc_function(function: str) -> Callable[..., int] | None:
    """A glibc function, or None on a system without it."""
    name = ctypes.util.find_library("c")
    try:
        return getattr(ctypes.CDLL(name), function, None) if name else None
    except OSError:
        return None


def use_lean_memory() -> None:
    """Make this process hold less memory it no longer uses; call once, early, in a
    long-running server (the app). Two process-wide settings, each measured with
    100,000 events in the app: Arrow (pandas' string columns) allocates from the system
    heap instead of its own pool (mimalloc kept some 25-45 MB more), and glibc keeps at
    most 2 malloc arenas (Streamlit runs each script in a new thread, and each thread's
    arena kept its own freed memory). And large blocks (128 KiB and more) always come
    from, and go back to, the system: glibc would otherwise raise that threshold after
    the first large block freed (a big upload read once), and keep everything below it;
    with it fixed, a server that read the largest upload returned to 1.06x its baseline
    memory once that session ended (bench/uploadload.py). Safe to call more than once.
    """
    pyarrow.set_memory_pool(pyarrow.system_memory_pool())
    mallopt = _libc_function("mallopt")
    if mallopt is not None:
        mallopt(_M_ARENA_MAX, 2)
        mallopt(_M_MMAP_THRESHOLD, _LARGE_BLOCK)


_M_ARENA_MAX = -8
"""glibc ``mallopt`` parameter: the most malloc arenas."""

_M_MMAP_THRESHOLD = -3
"""glibc ``mallopt`` parameter: blocks this large or larger are mapped from the system
(setting it also stops glibc raising it on its own)."""

_LARGE_BLOCK = 128 * 1024
"""Bytes: glibc's own starting mmap threshold, kept fixed."""


def release_free_memory() -> None:
    """Give memory the process freed back to the system (glibc ``malloc_trim``; nothing
    elsewhere). Loading 100,000 events frees some 45 MB that would otherwise stay
    resident; call it after other large, short-lived work too.
    """
    trim = _libc_function("malloc_trim")
    if trim is not None:
        trim(0)
