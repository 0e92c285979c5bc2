"""One cache policy: bounded, least recently used out first, keyed by what results depend on."""

from __future__ import annotations

import json
import os
import threading

from sitmap.caching import DerivedCache
from sitmap.mapview import events_payload
from sitmap.situation import load_situation


def test_the_least_recently_used_entry_goes_first() -> None:
    cache: DerivedCache[int] = DerivedCache("test", maxsize=2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "a" used: "b" is now the oldest
    cache.put("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)
    assert len(cache) == 2


def test_a_value_is_made_once_under_many_threads() -> None:
    cache: DerivedCache[int] = DerivedCache("test", maxsize=4)
    made: list[int] = []

    def make() -> int:
        made.append(1)
        return 42

    cache.get_or_make("k", make)
    threads = [threading.Thread(target=cache.get_or_make, args=("k", make)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(made) == 1 and cache.get("k") == 42


def test_a_changed_file_is_never_served_stale(situation_copy) -> None:
    first = load_situation(situation_copy)
    assert load_situation(situation_copy) is first  # cached
    before = events_payload(first)
    path = situation_copy / "events.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    located = next(f for f in doc["features"] if f["geometry"])
    located["properties"]["description"] += " (changed)"
    path.write_text(json.dumps(doc), encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    second = load_situation(situation_copy)
    assert second is not first and second.key != first.key
    assert events_payload(second) != before
