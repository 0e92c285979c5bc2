"""The running app for benchmarks: ``streamlit run app.py`` on a free port, its memory.

Started as the e2e harness starts it (repository root, headless, localhost only), in its
own process group, stopped by that group. ``PeakRss`` samples the resident memory of the
server and all its children every 50 ms.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import psutil

from bench.browser import REPO, environ_without_proxies, free_port

START_TIMEOUT_S = 90


@dataclass(frozen=True)
class RunningApp:
    url: str
    process: subprocess.Popen[bytes]
    log: Path


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1) as r:
            return r.status == 200
    except (urllib.error.URLError, OSError):
        return False


@contextlib.contextmanager
def running_app(
    env: Mapping[str, str], *, log: Path, app: Path = REPO / "app.py"
) -> Iterator[RunningApp]:
    """``streamlit run <app>`` with ``env`` added, from the repository root (its
    .streamlit/config.toml applies); stopped (process group) on exit."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app),
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            cwd=REPO,
            env={**environ_without_proxies(), **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _healthy(port):
            if process.poll() is not None or time.monotonic() > deadline:
                msg = f"streamlit did not start; see {log}"
                raise RuntimeError(msg)
            time.sleep(0.1)
        yield RunningApp(url=f"http://127.0.0.1:{port}/", process=process, log=log)
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    for sig, wait_s in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=wait_s)
        except subprocess.TimeoutExpired:
            continue
        return


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
