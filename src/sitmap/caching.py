"""sitmap's one cache policy: derived results kept in memory, keyed by what they depend on.

Every cache is a :class:`DerivedCache`: thread-safe (the app serves several sessions at
once), bounded by a number of entries (or by their total size, for a cache given each
value's size), least recently used out first. A key holds everything the result depends
on: for a result derived from a situation, its folder and the stamp of its files (names,
modification times, sizes), so a changed file is never served stale. Nothing else in
sitmap keeps results between calls.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from cachetools import LRUCache

__all__ = ["DerivedCache", "clear_all"]

V = TypeVar("V")

_ALL: list[DerivedCache[object]] = []


class DerivedCache(Generic[V]):
    """A named, bounded, thread-safe LRU cache of derived values."""

    def __init__(
        self, name: str, *, maxsize: int, getsizeof: Callable[[V], float] | None = None
    ) -> None:
        """Make an empty cache holding at most ``maxsize`` entries; with ``getsizeof``
        (each value's size, e.g. bytes), at most ``maxsize`` of that size in all, and a
        value larger than the whole cache is handed back but not kept.
        """
        self.name = name
        self._sized = getsizeof is not None
        self._entries: LRUCache[Hashable, V] = LRUCache(maxsize=maxsize, getsizeof=getsizeof)
        self._lock = threading.Lock()
        _ALL.append(self)  # type: ignore[arg-type]

    def get(self, key: Hashable) -> V | None:
        """The value kept under ``key``, or None."""
        with self._lock:
            return self._entries.get(key)

    def put(self, key: Hashable, value: V) -> V:
        """Keep ``value`` under ``key`` (the least recently used entry goes when full)."""
        with self._lock:
            try:
                self._entries[key] = value
            except ValueError:  # cachetools: larger than the whole cache
                if not self._sized:
                    raise
        return value

    def get_or_make(self, key: Hashable, make: Callable[[], V]) -> V:
        """The value under ``key``, made (outside the lock) and kept when missing."""
        found = self.get(key)
        if found is not None:
            return found
        return self.put(key, make())

    def discard(self, keep: Callable[[Hashable], bool]) -> int:
        """Forget every entry whose key ``keep`` refuses; how many were forgotten."""
        with self._lock:
            gone = [key for key in self._entries if not keep(key)]
            for key in gone:
                del self._entries[key]
        return len(gone)

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        """How many entries are kept."""
        with self._lock:
            return len(self._entries)


def clear_all() -> None:
    """Forget every entry of every cache (benchmarks measure cold paths with it)."""
    for cache in _ALL:
        cache.clear()
