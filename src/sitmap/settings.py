"""Every ``SITMAP_*`` setting with its default and meaning, the repository paths, the CRS.

This is the one module that reads the environment (``os.environ``) or locates the
repository from this file; everything else asks here. Values are read when asked for,
so a test or a server started with other variables sees them. An unset or empty
variable means its default.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

__all__ = [
    "DATA_DIR",
    "DEFAULT_ALLOWED_HOSTS",
    "DEFAULT_DB_PATH",
    "DEFAULT_SITUATION",
    "IMPORT_LIMIT_DEFAULTS",
    "OWN_STATIC_DIR",
    "PACKAGE_PARENT",
    "REPO_ROOT",
    "VARIABLES",
    "VENDOR_DIR",
    "WGS84",
    "Variable",
    "admins",
    "allowed_hosts",
    "child_environment",
    "database_url",
    "db_target",
    "default_role",
    "demo_events",
    "import_limit",
    "max_layer_bytes",
    "situation_dir",
    "store_quota",
    "value",
]

WGS84: Final = "EPSG:4326"
"""The CRS of every coordinate sitmap keeps: WGS 84 longitude/latitude degrees (RFC 7946)."""

PACKAGE_PARENT: Final = Path(__file__).resolve().parents[1]
"""The folder that holds the ``sitmap`` package (``src/`` in a checkout)."""


def _repo_root() -> Path:
    """The checkout (the folder with ``pyproject.toml``), else the working directory."""
    root = PACKAGE_PARENT.parent
    return root if (root / "pyproject.toml").is_file() else Path.cwd()


REPO_ROOT: Final = _repo_root()
"""The repository checkout; the working directory when sitmap is installed from a wheel."""
DEFAULT_SITUATION: Final = REPO_ROOT / "geodata" / "rafah-2025-11"
"""The situation shown and measured against when no variable names another."""
DATA_DIR: Final = REPO_ROOT / "data"
"""Generated and saved data (git-ignored): the sketch store, demo situations."""
DEFAULT_DB_PATH: Final = DATA_DIR / "sitmap.sqlite3"
"""The SQLite file of saved sketches and uploads when ``SITMAP_DB`` is unset."""
VENDOR_DIR: Final = REPO_ROOT / "static" / "vendor"
"""Leaflet and its plugins, installed from npm by ``make assets`` (never committed)."""
OWN_STATIC_DIR: Final = REPO_ROOT / "static" / "sitmap"
"""sitmap's own browser code (committed)."""

DEFAULT_MAX_LAYER_MB: Final = 100.0
DEFAULT_ALLOWED_HOSTS: Final = "127.0.0.1,localhost,[::1]"
"""The hosts the page answers when ``SITMAP_ALLOWED_HOSTS`` is unset: this machine only."""
DEFAULT_ROLE: Final = "editor"
"""The role of a person who signs in for the first time (``SITMAP_DEFAULT_ROLE``)."""
_ROLE_NAMES: Final = ("viewer", "editor", "admin")
DEFAULT_QUOTA_MB: Final = 200.0
"""Most MB (10^6 bytes) of sketch and upload content one author keeps in the store."""
DEFAULT_QUOTA_ITEMS: Final = 1_000
"""Most live sketches and uploads one author keeps in the store."""

IMPORT_LIMIT_DEFAULTS: Final[dict[str, float | int]] = {
    "max_mb": 50.0,
    "max_features": 100_000,
    "max_vertices": 100_000,
    "max_fields": 1_000,
    "zip_max_entries": 100,
    "zip_max_uncompressed_mb": 200.0,
    "zip_max_ratio": 100.0,
    "timeout_s": 10.0,
    "max_memory_mb": 1024,
}
"""Bounds on one import (``SITMAP_IMPORT_<NAME>``): MB of 10^6 bytes, memory MiB, time s."""


@dataclass(frozen=True, slots=True)
class Variable:
    """One environment variable sitmap reads: its name, default (as text) and meaning."""

    name: str
    default: str
    meaning: str


_IMPORT_MEANINGS: Final = {
    "max_mb": "largest file accepted for import, MB",
    "max_features": "most features in one imported file",
    "max_vertices": "most vertices in one imported feature",
    "max_fields": "most property names in one imported file",
    "zip_max_entries": "most entries in a zip upload (KMZ, zipped Shapefile)",
    "zip_max_uncompressed_mb": "largest total uncompressed size of a zip upload, MB",
    "zip_max_ratio": "largest uncompressed/compressed ratio of a zip (checked past 1 MB)",
    "timeout_s": "longest time to read one file, seconds",
    "max_memory_mb": "most memory of the process reading one file, MiB",
}

VARIABLES: Final[tuple[Variable, ...]] = (
    Variable("SITMAP_SITUATION", "geodata/rafah-2025-11", "situation folder shown and measured"),
    Variable("SITMAP_DB", "data/sitmap.sqlite3", "SQLite file of saved sketches and uploads"),
    Variable(
        "SITMAP_DATABASE_URL",
        "",
        "PostgreSQL/PostGIS sketch store (postgresql://user:password@host:port/db); "
        "when set, used instead of SITMAP_DB",
    ),
    Variable(
        "SITMAP_QUOTA_MB",
        f"{DEFAULT_QUOTA_MB:g}",
        "most MB of sketch and upload content (history included) one author keeps",
    ),
    Variable(
        "SITMAP_QUOTA_ITEMS",
        f"{DEFAULT_QUOTA_ITEMS:d}",
        "most live saved corridors and uploads one author keeps",
    ),
    Variable(
        "SITMAP_MAX_LAYER_MB", f"{DEFAULT_MAX_LAYER_MB:g}", "largest situation layer file, MB"
    ),
    Variable(
        "SITMAP_ALLOWED_HOSTS",
        DEFAULT_ALLOWED_HOSTS,
        "host names the page answers (comma-separated, any port; '*' allows every host); "
        "a request with another Host header is refused",
    ),
    Variable(
        "SITMAP_ADMINS",
        "",
        "identities (emails) who are admins of the workspace when signed in (comma-separated); "
        "unset: the first person to sign in to an empty workspace is its admin",
    ),
    Variable(
        "SITMAP_DEFAULT_ROLE",
        DEFAULT_ROLE,
        "role of a person signed in for the first time: viewer, editor or admin",
    ),
    Variable(
        "SITMAP_DEMO_EVENTS",
        "",
        "show a generated demo situation with this many SYNTHETIC events instead",
    ),
    *(
        Variable(f"SITMAP_IMPORT_{key.upper()}", f"{default:g}", _IMPORT_MEANINGS[key])
        for key, default in IMPORT_LIMIT_DEFAULTS.items()
    ),
)
"""Every variable sitmap reads, with its default and meaning (the README's table)."""

_NAMES: Final = frozenset(v.name for v in VARIABLES)


def value(name: str, /, environ: Mapping[str, str] | None = None) -> str | None:
    """A declared variable's value, stripped; None when unset or empty."""
    if name not in _NAMES:
        msg = f"{name} is not a sitmap setting; declare it in sitmap.settings.VARIABLES"
        raise KeyError(msg)
    raw = (os.environ if environ is None else environ).get(name, "").strip()
    return raw or None


def situation_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The situation folder: ``SITMAP_SITUATION``, else the bundled Rafah situation."""
    chosen = value("SITMAP_SITUATION", environ)
    return Path(chosen) if chosen else DEFAULT_SITUATION


def allowed_hosts(environ: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """The host names the page answers (``SITMAP_ALLOWED_HOSTS``), lower case, no ports."""
    raw = value("SITMAP_ALLOWED_HOSTS", environ) or DEFAULT_ALLOWED_HOSTS
    return tuple(h.strip().lower() for h in raw.split(",") if h.strip())


def demo_events(environ: Mapping[str, str] | None = None) -> str | None:
    """``SITMAP_DEMO_EVENTS`` as given (a count to check), or None."""
    return value("SITMAP_DEMO_EVENTS", environ)


def admins(environ: Mapping[str, str] | None = None) -> frozenset[str]:
    """The identities named admins (``SITMAP_ADMINS``), lower case; empty when unset."""
    raw = value("SITMAP_ADMINS", environ) or ""
    return frozenset(name.strip().lower() for name in raw.split(",") if name.strip())


def default_role(environ: Mapping[str, str] | None = None) -> str:
    """``SITMAP_DEFAULT_ROLE`` when it names a role (viewer, editor, admin), else editor."""
    raw = (value("SITMAP_DEFAULT_ROLE", environ) or DEFAULT_ROLE).lower()
    return raw if raw in _ROLE_NAMES else DEFAULT_ROLE


def db_target(environ: Mapping[str, str] | None = None) -> str:
    """Where the sketch store lives: ``SITMAP_DB``, else ``data/sitmap.sqlite3``."""
    return value("SITMAP_DB", environ) or str(DEFAULT_DB_PATH)


def database_url(environ: Mapping[str, str] | None = None) -> str | None:
    """``SITMAP_DATABASE_URL`` (a PostgreSQL URL for the sketch store), or None."""
    return value("SITMAP_DATABASE_URL", environ)


def store_quota(environ: Mapping[str, str] | None = None) -> tuple[int, int]:
    """Per-author store quota: (bytes, live items) from ``SITMAP_QUOTA_MB``/``_ITEMS``.

    A value that is not a positive finite number means the default.
    """
    raw_mb, raw_items = value("SITMAP_QUOTA_MB", environ), value("SITMAP_QUOTA_ITEMS", environ)
    megabytes, items = DEFAULT_QUOTA_MB, DEFAULT_QUOTA_ITEMS
    try:
        parsed_mb = float(raw_mb) if raw_mb is not None else megabytes
        megabytes = parsed_mb if 0 < parsed_mb < float("inf") else megabytes
    except ValueError:
        pass
    try:
        parsed_items = int(raw_items) if raw_items is not None else items
        items = parsed_items if parsed_items > 0 else items
    except ValueError:
        pass
    return int(megabytes * 1_000_000), items


def max_layer_bytes(environ: Mapping[str, str] | None = None) -> int:
    """Largest situation layer file, bytes: ``SITMAP_MAX_LAYER_MB`` (invalid: the default)."""
    raw = value("SITMAP_MAX_LAYER_MB", environ)
    try:
        megabytes = float(raw) if raw is not None else DEFAULT_MAX_LAYER_MB
    except ValueError:
        megabytes = DEFAULT_MAX_LAYER_MB
    return int(megabytes * 1_000_000)


def import_limit(key: str, /, environ: Mapping[str, str] | None = None) -> float | int:
    """One import bound: ``SITMAP_IMPORT_<KEY>`` when a positive finite number, else default."""
    default = IMPORT_LIMIT_DEFAULTS[key]
    raw = value(f"SITMAP_IMPORT_{key.upper()}", environ)
    if raw is None:
        return default
    kind = int if isinstance(default, int) else float
    try:
        parsed = kind(raw)
    except ValueError:
        return default
    return parsed if parsed > 0 and parsed != float("inf") else default


def child_environment(**extra: str) -> dict[str, str]:
    """This process's environment plus ``extra``, for a helper process sitmap starts."""
    return {**os.environ, **extra}
