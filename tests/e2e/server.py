"""Start ``streamlit run`` on a free port and stop it; launch Chromium with set arguments.

Shared by the browser tests (``tests/e2e/conftest.py``) and the benchmark (``bench``), so
both run the app and the browser the same way. No pytest here: the benchmark imports it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path

__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "REPO",
    "free_port",
    "healthy",
    "start_streamlit",
    "stop",
    "wait_healthy",
]

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def healthy(port: int) -> bool:
    """Whether the Streamlit server on ``port`` answers ``/_stcore/health`` with 200."""
    url = f"http://127.0.0.1:{port}/_stcore/health"
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate the server's process group, then kill it if it lingers."""
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


def start_streamlit(
    app: Path,
    *,
    port: int,
    env: Mapping[str, str],
    log: Path,
    args: Sequence[str] = (),
) -> subprocess.Popen[bytes]:
    """``streamlit run <app>`` on 127.0.0.1:``port``, headless, from the repository root
    (so ``.streamlit/config.toml`` applies), with ``env`` as its whole environment and its
    output in ``log``; in its own process group, which ``stop`` ends. ``args`` adds
    Streamlit options (e.g. ``--secrets.files PATH`` for a test's sign-in secrets)."""
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
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
        *args,
    ]
    with log.open("wb") as out:
        return subprocess.Popen(
            command,
            cwd=REPO,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, killed as one
        )


def wait_healthy(process: subprocess.Popen[bytes], port: int, *, timeout_s: float) -> str | None:
    """Wait until the server on ``port`` is healthy: None then; else why not (it exited,
    or ``timeout_s`` passed), the server stopped."""
    deadline = time.monotonic() + timeout_s
    while not healthy(port):
        exited = process.poll() is not None
        if exited or time.monotonic() > deadline:
            stop(process)
            if exited:
                return f"exited with code {process.returncode}"
            return f"not healthy after {timeout_s:.0f} s"
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=0.2)  # poll interval; returns at once if it dies
    return None
