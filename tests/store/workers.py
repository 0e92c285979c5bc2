"""Processes the concurrency tests start (spawned: importable by module name)."""

from __future__ import annotations

import os
from dataclasses import replace

from sitmap.store import Revision
from tests.store.conftest import LINE, corridor, open_engine


def save_many(engine: str, target: str, worker: int, saves: int) -> list[tuple[str, int]]:
    """Save ``saves`` revisions: a new sketch every fifth save, otherwise update our own."""
    store = open_engine(engine, target, timeout_s=60)
    done: list[tuple[str, int]] = []
    current: Revision | None = None
    for i in range(saves):
        if current is None or i % 5 == 0:
            draft = corridor(f"worker {worker} sketch {i}")
            current = store.save(draft, base_revision=None, author=f"w{worker}")
        else:
            draft = replace(current.draft(), notes=f"save {i}")
            current = store.save(draft, base_revision=current.revision, author=f"w{worker}")
        done.append((current.sketch_id, current.revision))
    store.close()
    return done


def save_forever(engine: str, target: str, report: str, options: dict) -> None:
    """Save forever; after each save returns, append 'id revision' to ``report``."""
    store = open_engine(engine, target, **options)
    fd = os.open(report, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    current: Revision | None = None
    i = 0
    while True:
        if current is None or i % 4 == 0:
            current = store.save(corridor(f"stream {i}"), base_revision=None, author="w")
        else:
            draft = replace(current.draft(), content=LINE, notes="x" * (i % 50) * 100)
            current = store.save(draft, base_revision=current.revision, author="w")
        os.write(fd, f"{current.sketch_id} {current.revision}\n".encode())
        i += 1
