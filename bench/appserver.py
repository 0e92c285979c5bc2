"""The running app for benchmarks: ``streamlit run app.py`` on a free port, its memory.

Started by the e2e harness's launcher (:mod:`tests.e2e.server`: repository root, headless,
localhost only), in its own process group, stopped by that group. ``PeakRss`` samples the
resident memory of the server and all its children every 50 ms.
"""

from __future__ import annotations

import contextlib
import subprocess
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import psutil

from bench.browser import REPO, environ_without_proxies
from tests.e2e.server import free_port, start_streamlit, stop, wait_healthy

START_TIMEOUT_S = 90


@dataclass(frozen=True)
class RunningApp:
    url: str
    process: subprocess.Popen[bytes]
    log: Path


@contextlib.contextmanager
def running_app(
    env: Mapping[str, str], *, log: Path, app: Path = REPO / "app.py"
) -> Iterator[RunningApp]:
    """``streamlit run <app>`` with ``env`` added, from the repository root (its
    .streamlit/config.toml applies); stopped (process group) on exit."""
    port = free_port()
    log.parent.mkdir(parents=True, exist_ok=True)
    process = start_streamlit(app, port=port, env={**environ_without_proxies(), **env}, log=log)
    try:
        if wait_healthy(process, port, timeout_s=START_TIMEOUT_S) is not None:
            msg = f"streamlit did not start; see {log}"
            raise RuntimeError(msg)
        yield RunningApp(url=f"http://127.0.0.1:{port}/", process=process, log=log)
    finally:
        stop(process)


class PeakRss:
    """Largest resident set size (bytes) of a process and its children, sampled."""

    def __init__(self, pid: int, *, every_s: float = 0.05) -> None:
        self._process = psutil.Process(pid)
        self._every_s = every_s
        self._stop = threading.Event()
        self.peak = 0
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> int:
        total = 0
        for proc in [self._process, *self._process.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                total += proc.memory_info().rss
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(psutil.Error):
                self.peak = max(self.peak, self._sample())
            self._stop.wait(self._every_s)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
