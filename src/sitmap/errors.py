"""Name every way sitmap refuses input or fails, under one base class.

Every error carries ``file``, ``feature`` and ``problem`` and prints as
``FILE: FEATURE: PROBLEM``; errors that gather several problems (validation,
refused uploads) carry them all in ``problems``. The CLI and the page turn these
into messages; nothing else should reach a user.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "NO_FEATURE",
    "AssetsMissingError",
    "CorridorError",
    "DataError",
    "ImportRefusedError",
    "PathRefusedError",
    "PermissionDeniedError",
    "Problem",
    "QuotaError",
    "ReadOnlyStoreError",
    "SitmapError",
    "SketchNotFoundError",
    "StaleRevisionError",
    "StoreError",
    "StoreFullError",
    "ValidationError",
]

NO_FEATURE = "-"
"""The FEATURE part of a problem that concerns a whole file."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem with one feature (or a whole file) of one file."""

    file: str
    feature: str
    problem: str

    def __str__(self) -> str:
        return f"{_one_line(self.file)}: {_one_line(self.feature)}: {_one_line(self.problem)}"


def _one_line(text: str) -> str:
    """Escape control characters so that one problem always prints as one line."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch == " " else repr(ch)[1:-1] for ch in text)


class SitmapError(Exception):
    """Base class of every error sitmap raises on purpose."""

    def __init__(self, problem: str, *, file: str = "-", feature: str = NO_FEATURE) -> None:
        self.file = file
        self.feature = feature
        self.problem = problem
        super().__init__(str(Problem(file, feature, problem)))

    @property
    def problems(self) -> list[Problem]:
        """Every problem this error reports, one per output line."""
        return [Problem(self.file, self.feature, self.problem)]


class DataError(SitmapError, ValueError):
    """Input data is wrong; carries every problem found, not just the first."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        if not problems:
            msg = "a DataError needs at least one problem"
            raise ValueError(msg)
        self._problems = list(problems)
        first = self._problems[0]
        super().__init__(first.problem, file=first.file, feature=first.feature)
        self.args = ("\n".join(str(p) for p in self._problems),)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self._problems)

    @property
    def problems(self) -> list[Problem]:
        """Every problem found, in the order found."""
        return list(self._problems)


class ValidationError(DataError):
    """A situation folder or GeoJSON file breaks the schema of DESIGN section 2."""


class ImportRefusedError(DataError):
    """An uploaded or imported file is refused (format, limits, hostile content)."""


class CorridorError(DataError):
    """A corridor cannot be measured (not a line, outside the situation, ...)."""


class StoreError(SitmapError, RuntimeError):
    """The sketch store cannot do what was asked."""


class StaleRevisionError(StoreError):
    """A save was based on a revision that someone else has since replaced."""

    def __init__(self, problem: str, *, by: str, at: str, feature: str = NO_FEATURE) -> None:
        self.by = by
        self.at = at
        super().__init__(problem, file="sketch store", feature=feature)


class SketchNotFoundError(StoreError, LookupError):
    """No sketch (or no live revision of it) has the given id."""


class ReadOnlyStoreError(StoreError):
    """The store can be read but not written (a read-only file, folder or database)."""


class StoreFullError(StoreError):
    """The disk (or the database server's disk) is full: the save was not stored."""


class QuotaError(StoreError):
    """A save would take an author past a store quota (bytes kept, or live sketches).

    ``used`` is what the author keeps now, ``adding`` what the save would add and ``limit``
    the quota, in the quota's unit (bytes or sketches).
    """

    def __init__(self, problem: str, *, used: int, adding: int, limit: int) -> None:
        self.used = used
        self.adding = adding
        self.limit = limit
        super().__init__(problem, file="sketch store")


class PermissionDeniedError(StoreError):
    """A person may not do this to this item (not its owner, not an admin, or a viewer).

    ``allowed`` says who may (e.g. "alice@example.org or an admin (carol@example.org)").
    """

    def __init__(self, problem: str, *, allowed: str, feature: str = NO_FEATURE) -> None:
        self.allowed = allowed
        super().__init__(problem, file="sketch store", feature=feature)


class PathRefusedError(SitmapError, ValueError):
    """A path to read or write is not a regular file (a device, FIFO, socket or folder)."""


class AssetsMissingError(SitmapError, RuntimeError):
    """The local Leaflet/plugin files are not installed (run the setup command)."""
