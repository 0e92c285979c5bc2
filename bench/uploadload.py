"""A second reader's page load while a first holds the largest accepted upload; server memory.

Two runs of ``app.py`` under ``streamlit run`` side by side, each with a fresh SQLite store
in a temporary folder: an *idle* server, which nobody uploads to, and a *held* one.

1. Each page is opened once and left to settle, to count what its map draws (as
   ``bench/firstview.py`` counts). The held server's resident memory (RSS of the server
   process) is then read once that visitor's session has ended: the *baseline*.
2. A first reader opens the held server's page, types a name and adds the largest upload
   the import limits accept (``SITMAP_IMPORT_MAX_FEATURES`` small squares in the
   situation's view frame, a GeoJSON file padded with a text property to just under
   ``SITMAP_IMPORT_MAX_MB``) through the page's own uploader, and waits until the map
   draws it. With that reader's page still open, a second reader's page there (which
   shows the upload too: uploads are shared) is counted once settled.
3. ``--visits`` times, alternately, a second reader opens each server's page in a fresh
   browser context, timed from navigation until the map holds that many drawn parts and
   its events (``bench/firstview.py``): idle, held, idle, held, ...
4. The first reader's browser context is closed; once Streamlit has dropped the ended
   sessions, the held server's RSS is read again: *after* (polled up to 60 s).

Ratios: the held median over the idle median (target <= 1.5), and RSS after over the
baseline (target <= 1.2). The *peak* RSS of the held server is sampled every 50 ms from
the upload on.

So that "the session ends" happens within the run, Streamlit keeps a disconnected session
for 2 s (``STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL``; its default is 120 s), and the
benchmark then opens and closes a bare websocket (no page run), on which Streamlit drops
sessions past that time. Streamlit's sessions are freed by Python's cycle collector, which
an idle server may not run for a long time: the page is started through a small wrapper
(``app.py`` run unchanged) whose thread runs ``gc.collect()`` and hands freed memory back
to the system (:func:`sitmap.memory.release_free_memory`) when the benchmark asks, before
each memory reading (baseline and after alike). Reading the largest file takes longer than
the default ``SITMAP_IMPORT_TIMEOUT_S`` on a loaded 2-core machine, so it is raised to 120 s
here: the time limit is not what is measured. With each memory reading the wrapper says
how many sessions Streamlit holds and how many ``AppSession``, ``Workspace`` and
``Revision`` objects are alive: an upload's ``Revision`` alive at the end means a page
run's data (with the upload's stored text) is still held by something.

``python -m bench.uploadload [--visits 5]`` prints the figures; ``bench/run.py`` adds them
to ``bench/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import statistics
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
from playwright.sync_api import Browser, BrowserContext, Page
from websockets.sync.client import connect

from bench.appserver import RunningApp, running_app
from bench.browser import REPO, SITMAP_DRAWN, VIEWPORT, chromium, map_frame
from bench.firstview import _settled_parts, _time_to_drawn
from sitmap.io.limits import ImportLimits
from sitmap.situation import load_situation

OUT = REPO / "bench" / "out"
RAFAH = REPO / "geodata" / "rafah-2025-11"
SESSION_TTL_S = 2
UPLOAD_TIMEOUT_S = 600.0
SETTLE_TIMEOUT_S = 60.0
SHARE_OF_LIMIT = 0.98
"""The upload's size as a share of ``SITMAP_IMPORT_MAX_MB`` (just under the limit)."""
NAME_LABEL = "Your name (saved with sketches and uploads)"
UPLOADER = "[data-testid='stFileUploaderDropzoneInput']"
UPLOAD_DRAWN = "() => document.querySelectorAll('path.sitmap-upload').length > 0"
GC_TRIGGER = "collect-now"

_WRAPPER = '''"""The sitmap page, unchanged; a thread collects garbage when asked (bench)."""

import collections
import gc
import runpy
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TRIGGER = HERE / {trigger!r}
LIVE = ("AppSession", "Workspace", "Revision")


def _sessions() -> str:
    """Streamlit's sessions now: connected, and kept after a disconnect."""
    try:
        from streamlit.runtime import Runtime

        manager = Runtime.instance()._session_mgr
        connected = len(manager.list_active_sessions())
        stored = len(getattr(manager._session_storage._cache, "_expirations", ()))
        alive = collections.Counter(type(o).__name__ for o in gc.get_objects())
        live = ", ".join(f"{{alive[name]}} {{name}}" for name in LIVE)
        return f"{{connected}} connected, {{stored}} kept after a disconnect; alive: {{live}}"
    except Exception as err:  # diagnostics only
        return f"unknown ({{err!r}})"


def _collector() -> None:
    from sitmap.memory import release_free_memory

    while True:
        if TRIGGER.exists():
            gc.collect()
            release_free_memory()
            TRIGGER.with_suffix(".sessions").write_text(_sessions())
            TRIGGER.unlink()
        time.sleep(0.2)


if not getattr(sys, "_sitmap_bench_collector", False):
    sys._sitmap_bench_collector = True
    threading.Thread(target=_collector, daemon=True, name="bench-gc").start()

runpy.run_path({app!r}, run_name="__main__")
'''


@dataclass(frozen=True)
class UploadLoad:
    """Seconds to the map drawn (per visit), RSS in bytes, and what was uploaded."""

    idle_s: list[float]
    held_s: list[float]
    idle_parts: int
    held_parts: int
    upload_bytes: int
    upload_features: int
    upload_s: float
    rss_baseline: int
    rss_peak: int
    rss_after: int
    sessions_at_baseline: str
    sessions_after: str

    @property
    def load_ratio(self) -> float:
        """Median load with the upload held over the idle median (target <= 1.5)."""
        return statistics.median(self.held_s) / statistics.median(self.idle_s)

    @property
    def rss_ratio(self) -> float:
        """RSS after the upload's session ended over the baseline (target <= 1.2)."""
        return self.rss_after / self.rss_baseline


def write_largest_upload(path: Path) -> tuple[int, int]:
    """The largest GeoJSON upload the import limits accept, in the Rafah view frame:
    ``max_features`` squares (WGS84 lon/lat, half a grid step wide), each with a name and a
    note padded so the file is :data:`SHARE_OF_LIMIT` of ``max_mb``. (bytes, features)."""
    limits = ImportLimits.from_env()
    frame = load_situation(RAFAH).manifest.view.frame
    count = limits.max_features
    side = math.ceil(math.sqrt(count))
    dx, dy = (frame.east - frame.west) / side, (frame.north - frame.south) / side

    def feature(i: int, note: str) -> str:
        x0, y0 = frame.west + (i % side) * dx, frame.south + (i // side) * dy
        x1, y1 = x0 + dx / 2, y0 + dy / 2
        ring = f"[[{x0:.6f},{y0:.6f}],[{x1:.6f},{y0:.6f}],[{x1:.6f},{y1:.6f}],"
        ring += f"[{x0:.6f},{y1:.6f}],[{x0:.6f},{y0:.6f}]]"
        props = json.dumps({"name": f"block {i}", "note": note})
        return (
            f'{{"type":"Feature","properties":{props},'
            f'"geometry":{{"type":"Polygon","coordinates":[{ring}]}}}}'
        )

    def text(note_chars: int) -> str:
        body = ",".join(feature(i, "x" * note_chars) for i in range(count))
        return f'{{"type":"FeatureCollection","features":[{body}]}}'

    bare = len(text(0))
    pad = max(0, int((limits.max_bytes * SHARE_OF_LIMIT - bare) / count))
    data = text(pad).encode()
    path.write_bytes(data)
    return len(data), count


class ServerRss:
    """The server process's resident memory: now, and the peak sampled every 50 ms."""

    def __init__(self, pid: int) -> None:
        self._process = psutil.Process(pid)
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def now(self) -> int:
        """RSS of the server process, bytes."""
        return int(self._process.memory_info().rss)

    def _run(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(psutil.Error):
                self.peak = max(self.peak, self.now())
            self._stop.wait(0.05)

    def __enter__(self) -> ServerRss:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def _wrapped_app(folder: Path) -> Path:
    """The page wrapper in ``folder`` beside a link to the repository's ``static/``."""
    page = folder / "uploadload_app.py"
    page.write_text(_WRAPPER.format(trigger=GC_TRIGGER, app=str(REPO / "app.py")))
    (folder / "static").symlink_to(REPO / "static", target_is_directory=True)
    return page


def _drop_ended_sessions(app: RunningApp) -> None:
    """Open and close a bare websocket (no page run): Streamlit then drops the sessions
    disconnected more than ``SESSION_TTL_S`` ago."""
    url = app.url.replace("http://", "ws://") + "_stcore/stream"
    with contextlib.suppress(OSError, TimeoutError), connect(url, open_timeout=10):
        time.sleep(0.2)


def _collect(folder: Path) -> str:
    """Ask the server's collector thread to run, wait until it has; its sessions then."""
    trigger = folder / GC_TRIGGER
    trigger.touch()
    deadline = time.monotonic() + 30
    while trigger.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    return trigger.with_suffix(".sessions").read_text() if not trigger.exists() else "?"


def _settled_rss(
    app: RunningApp, folder: Path, rss: ServerRss, *, timeout_s: float
) -> tuple[int, str]:
    """The server's RSS once the sessions that ended are dropped and collected, and its
    sessions then: read after each drop-and-collect round until two readings agree
    within 1 % (up to ``timeout_s``); the last reading."""
    deadline = time.monotonic() + timeout_s
    last = -1
    while True:
        time.sleep(SESSION_TTL_S + 1)
        _drop_ended_sessions(app)
        sessions = _collect(folder)
        now = rss.now()
        if (last > 0 and abs(now - last) <= 0.01 * last) or time.monotonic() > deadline:
            return now, sessions
        last = now


def _add_upload(browser: Browser, url: str, upload: Path) -> tuple[BrowserContext, float]:
    """A first reader adds ``upload`` through the page and waits until the map draws it;
    their (open) browser context and the seconds from choosing the file to drawn."""
    context = browser.new_context(viewport=VIEWPORT)
    page: Page = context.new_page()
    page.goto(url)
    frame = map_frame(page, timeout_s=SETTLE_TIMEOUT_S)
    frame.wait_for_function(SITMAP_DRAWN, timeout=SETTLE_TIMEOUT_S * 1000)
    name = page.get_by_label(NAME_LABEL)
    name.fill("Bench")
    name.press("Enter")
    uploader = page.locator(UPLOADER)
    deadline = time.monotonic() + SETTLE_TIMEOUT_S
    while not uploader.is_enabled() and time.monotonic() < deadline:
        time.sleep(0.1)
    start = time.perf_counter()
    uploader.set_input_files(str(upload))
    added = page.get_by_text(f"Uploaded, unverified: {upload.name}")
    refused = page.get_by_text(f"{upload.name} was not added")
    added.or_(refused).first.wait_for(timeout=UPLOAD_TIMEOUT_S * 1000)
    if refused.count():
        msg = f"the upload was refused: {page.locator('[data-testid=stSidebar]').inner_text()}"
        raise RuntimeError(msg)
    frame = map_frame(page, timeout_s=SETTLE_TIMEOUT_S)
    frame.wait_for_function(UPLOAD_DRAWN, timeout=UPLOAD_TIMEOUT_S * 1000)
    return context, time.perf_counter() - start


def measure(*, visits: int = 5) -> UploadLoad:
    """Run both servers; time alternate visits, the upload, and the held server's memory."""
    OUT.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="sitmap-uploadload-") as idle_tmp,
        tempfile.TemporaryDirectory(prefix="sitmap-uploadload-") as tmp,
    ):
        idle_folder, folder = Path(idle_tmp), Path(tmp)
        upload = folder / "blocks.geojson"
        upload_bytes, upload_features = write_largest_upload(upload)
        with (
            _server(idle_folder, "idle") as idle_app,
            _server(folder, "held") as app,
            ServerRss(app.process.pid) as rss,
            chromium() as browser,
        ):
            idle_parts = _settled_parts(browser, idle_app.url, events=True)
            _settled_parts(browser, app.url, events=True)  # both servers have served a page
            baseline, sessions_before = _settled_rss(app, folder, rss, timeout_s=SETTLE_TIMEOUT_S)
            rss.peak = 0
            first, upload_s = _add_upload(browser, app.url, upload)
            held_parts = _settled_parts(browser, app.url, events=True)
            idle: list[float] = []
            held: list[float] = []
            for _ in range(visits):
                idle.append(_time_to_drawn(browser, idle_app.url, parts=idle_parts, events=True))
                held.append(_time_to_drawn(browser, app.url, parts=held_parts, events=True))
            first.close()
            peak = rss.peak
            after, sessions_after = _settled_rss(app, folder, rss, timeout_s=SETTLE_TIMEOUT_S)
    return UploadLoad(
        idle, held, idle_parts, held_parts, upload_bytes, upload_features, upload_s,
        baseline, peak, after, sessions_before, sessions_after,
    )  # fmt: skip


def _server(folder: Path, name: str) -> contextlib.AbstractContextManager[RunningApp]:
    """A server with its own store and page wrapper in ``folder`` (see the module's note)."""
    env = {
        "SITMAP_DB": str(folder / "sketches.sqlite3"),
        "SITMAP_IMPORT_TIMEOUT_S": "120",
        "STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL": str(SESSION_TTL_S),
    }
    return running_app(env, log=OUT / f"uploadload-{name}.log", app=_wrapped_app(folder))


def describe(result: UploadLoad) -> dict[str, Any]:
    """The figures, rounded, for printing and for RESULTS.md."""
    return {
        "idle_median_s": round(statistics.median(result.idle_s), 3),
        "held_median_s": round(statistics.median(result.held_s), 3),
        "load_ratio": round(result.load_ratio, 2),
        "rss_baseline_mb": round(result.rss_baseline / 1e6, 1),
        "rss_peak_mb": round(result.rss_peak / 1e6, 1),
        "rss_after_mb": round(result.rss_after / 1e6, 1),
        "rss_ratio": round(result.rss_ratio, 2),
        "sessions_at_baseline": result.sessions_at_baseline,
        "sessions_after": result.sessions_after,
        "upload": f"{result.upload_features:,} features, {result.upload_bytes / 1e6:.1f} MB",
        "upload_to_drawn_s": round(result.upload_s, 1),
        "idle_parts": result.idle_parts,
        "held_parts": result.held_parts,
        "idle_s": [round(s, 3) for s in result.idle_s],
        "held_s": [round(s, 3) for s in result.held_s],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=5)
    args = parser.parse_args()
    figures = describe(measure(visits=args.visits))
    for key, value in figures.items():
        print(f"{key}: {value}")
    print(f"load with the upload held / idle: {figures['load_ratio']} (target <= 1.5)")
    print(f"RSS after / baseline: {figures['rss_ratio']} (target <= 1.2)")


if __name__ == "__main__":
    main()
