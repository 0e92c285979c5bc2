"""Read each upload in its own forked process, bounded in memory, CPU time and file size.

A helper process ("zygote") is started once with :mod:`sitmap.io.imports` imported; for each
import it forks a reader that limits its own memory (MiB of address space), CPU time (s)
and file sizes, leaves the network (new user and network namespaces where Linux allows
it; GDAL and PROJ set never to fetch in any case), reads in a private temporary folder,
answers with one JSON message and exits. Forking a warm, single-threaded helper costs
milliseconds where a fresh interpreter costs a second; the helper is started with
subprocess, so nothing of the parent (a Streamlit server's threads, its __main__) is copied
or re-imported. The parent never unpickles what a reader sends: the answer is JSON and WKB.
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import csv
import ctypes
import json
import math
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import warnings
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np
import pyproj
import pyproj.network
import shapely

from sitmap.errors import NO_FEATURE, ImportRefusedError, Problem
from sitmap.io._gdal import GDAL_CONFIG
from sitmap.io._readers import Reader
from sitmap.io.limits import ImportLimits, capped, refuse
from sitmap.schema import Extent
from sitmap.settings import PACKAGE_PARENT, child_environment

__all__ = [
    "UPLOAD",
    "geometries_from_payload",
    "run_isolated",
    "zygote_main",
]

UPLOAD = "upload.bin"
"""The upload's name in the private folder (never a name the upload gives)."""

_HELPER_START_S = 120.0
"""Longest wait for the helper to start and fork a reader (cold imports can be slow)."""


class _Zygote:
    """The helper process and the channel that asks it to fork readers (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._channel: socket.socket | None = None

    def _start(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        env = child_environment(
            PYTHONPATH=os.pathsep.join(
                filter(None, [str(PACKAGE_PARENT), child_environment().get("PYTHONPATH")])
            ),
            OPENBLAS_NUM_THREADS="1",
            OMP_NUM_THREADS="1",
            PROJ_NETWORK="OFF",
        )
        # Importing sitmap.io.imports loads every module a reader may need, once, before forking.
        code = (
            "import sys, sitmap.io.imports; from sitmap.io._sandbox import zygote_main; "
            "zygote_main(int(sys.argv[1]))"
        )
        with theirs:
            self._process = subprocess.Popen(
                [sys.executable, "-c", code, str(theirs.fileno())],
                pass_fds=[theirs.fileno()],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
                env=env,
            )
        self._channel = ours

    def fork_reader(self, request: bytes) -> socket.socket:
        """Ask the helper to fork a reader for ``request``; the socket to talk to it."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        with theirs, self._lock:
            for attempt in (1, 2):
                if self._process is None or self._process.poll() is not None:
                    self.stop()
                    self._start()
                assert self._channel is not None
                try:
                    socket.send_fds(self._channel, [request], [theirs.fileno()])
                    break
                except OSError:
                    self.stop()
                    if attempt == 2:
                        ours.close()
                        raise
        return ours

    def stop(self) -> None:
        """Close the channel; the helper exits when it sees it closed."""
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        if self._process is not None:
            try:
                self._process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=2)
            self._process = None


_ZYGOTE = _Zygote()
atexit.register(_ZYGOTE.stop)


def zygote_main(fd: int) -> None:
    """The helper: fork one reader per request until the channel closes."""
    import pyogrio  # noqa: F401 - load GDAL once here, so every forked reader starts warm

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # readers are reaped automatically
    channel = socket.socket(fileno=fd)
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(channel, 1 << 20, 1)
        except OSError:
            break
        if not message:
            break
        if not fds:
            continue
        if os.fork() == 0:
            try:
                channel.close()
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                _reader_main(fds[0], message)
            finally:
                os._exit(0)
        os.close(fds[0])


def run_isolated(
    workdir: Path, file: str, limits: ImportLimits, bounds: tuple[float, ...] | None
) -> dict[str, Any]:
    """Read ``workdir/upload.bin`` in a forked reader; its JSON answer, or a refusal."""
    request = {
        "workdir": str(workdir),
        "file": file,
        "limits": {item.name: getattr(limits, item.name) for item in fields(limits)},
        "bounds": bounds,
    }
    try:
        conn = _ZYGOTE.fork_reader(json.dumps(request).encode("utf-8"))
    except OSError as err:
        refuse(file, f"could not start the reader ({_describe(err)})")
    with conn:
        try:
            conn.settimeout(_HELPER_START_S)
            pid = int.from_bytes(_receive(conn, 8, deadline=None), "big")
        except (TimeoutError, EOFError, OSError):
            refuse(file, "could not start the reader (internal error)")
        handle = _process_handle(pid)
        deadline = time.monotonic() + limits.timeout_s
        try:
            size = int.from_bytes(_receive(conn, 8, deadline=deadline), "big")
            if size > _payload_cap(limits):
                refuse(file, "the layer is too large once read; simplify it or split it")
            raw = _receive(conn, size, deadline=deadline)
        except TimeoutError:
            _kill(pid, handle)
            problem = (
                f"reading took longer than {limits.timeout_s:g} s (SITMAP_IMPORT_TIMEOUT_S) and "
                "was stopped; the file is too large or too complex: simplify or split it"
            )
            refuse(file, problem)
        except (EOFError, OSError):
            refuse(file, _crash_problem(limits))
        finally:
            if handle is not None:
                os.close(handle)
    payload = json.loads(raw)
    status = payload.get("status")
    if status == "ok":
        return payload
    if status == "refused":
        raise ImportRefusedError([Problem(*item) for item in payload["problems"]])
    if status == "memory":
        refuse(file, _memory_problem(limits))
    return refuse(file, f"could not be read (internal error: {payload.get('detail', '?')})")


def _receive(conn: socket.socket, size: int, *, deadline: float | None) -> bytearray:
    """Exactly ``size`` bytes; TimeoutError past the deadline, EOFError if the reader died."""
    buffer = bytearray(size)
    view = memoryview(buffer)
    got = 0
    while got < size:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            conn.settimeout(remaining)
        count = conn.recv_into(view[got:], min(size - got, 1 << 20))
        if not count:
            raise EOFError
        got += count
    return buffer


def _process_handle(pid: int) -> int | None:
    """A pidfd for the reader (Linux), so a late kill cannot hit a reused process id."""
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


def _kill(pid: int, handle: int | None) -> None:
    with contextlib.suppress(OSError):
        if handle is not None:
            signal.pidfd_send_signal(handle, signal.SIGKILL)
        else:
            os.kill(pid, signal.SIGKILL)


def _geometries_to_payload(geoms: np.ndarray) -> tuple[str, list[int]]:
    """Geometries as one base64 text of concatenated 2D WKB, and each one's size (-1: none)."""
    wkb = shapely.to_wkb(geoms, output_dimension=2)
    sizes = [-1 if w is None else len(w) for w in wkb.tolist()]
    blob = b"".join(w for w in wkb.tolist() if w is not None)
    return base64.b64encode(blob).decode("ascii"), sizes


def geometries_from_payload(text: str, sizes: list[int]) -> np.ndarray:
    """The inverse of :func:`_geometries_to_payload` (in the parent: plain bytes, no pickle)."""
    blob = memoryview(base64.b64decode(text))
    parts: list[bytes | None] = []
    offset = 0
    for size in sizes:
        if size < 0:
            parts.append(None)
        else:
            parts.append(bytes(blob[offset : offset + size]))
            offset += size
    return shapely.from_wkb(np.asarray(parts, dtype=object))


def _payload_cap(limits: ImportLimits) -> int:
    return max(4 * limits.max_bytes, 64_000_000)


def _crash_problem(limits: ImportLimits) -> str:
    return (
        "the reader stopped abnormally: the file is malformed in a way the reading library "
        f"cannot handle, or needed more than {limits.max_memory_mb} MB of memory"
    )


def _memory_problem(limits: ImportLimits) -> str:
    return (
        f"reading needed more than {limits.max_memory_mb} MB of memory "
        "(SITMAP_IMPORT_MAX_MEMORY_MB) and was stopped; simplify or split the file"
    )


# --- the reader, in the forked process ------------------------------------------------------


def _reader_main(fd: int, message: bytes) -> None:
    """A forked reader: send its pid, limit itself, read, answer with one JSON message."""
    conn = socket.socket(fileno=fd)
    conn.sendall(os.getpid().to_bytes(8, "big"))
    request = json.loads(message)
    file = request["file"]
    limits = ImportLimits(**request["limits"])
    try:
        _limit_resources(limits)
        _leave_the_network()
        pyproj.network.set_network_enabled(active=False)  # type: ignore[attr-defined]
        import pyogrio  # already loaded by the zygote; never in the app process

        pyogrio.set_gdal_config_options(GDAL_CONFIG)
        csv.field_size_limit(max(limits.max_bytes, 131_072))
        bounds = request["bounds"]
        extent = None if bounds is None else Extent(**dict(zip(_EXTENT_KEYS, bounds, strict=True)))
        try:
            payload = {
                "status": "ok",
                **_read_workdir(Path(request["workdir"]), file, limits, extent),
            }
        except ImportRefusedError as err:
            problems = [[p.file, p.feature, p.problem] for p in capped(err.problems)]
            payload = {"status": "refused", "problems": problems}
        body = json.dumps(payload, ensure_ascii=False, allow_nan=False).encode("utf-8")
        del payload
        if len(body) > _payload_cap(limits):
            problem = "the layer is too large once read; simplify it or split it"
            body = json.dumps(
                {"status": "refused", "problems": [[file, NO_FEATURE, problem]]}
            ).encode()
    except MemoryError:
        body = b'{"status": "memory"}'
    except RecursionError:
        problem = "nested too deeply to read"
        body = json.dumps({"status": "refused", "problems": [[file, NO_FEATURE, problem]]}).encode()
    except Exception as err:
        body = json.dumps({"status": "error", "detail": _describe(err)}).encode()
    conn.sendall(len(body).to_bytes(8, "big"))
    conn.sendall(body)
    conn.close()


_EXTENT_KEYS = ("west", "south", "east", "north")


_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000


def _leave_the_network() -> None:
    """Best effort (Linux): move this reader into new user and network namespaces.

    There it has no network interface at all, whatever a file names; where namespaces are
    not allowed, the GDAL settings (:data:`sitmap.io._gdal.GDAL_CONFIG`) still keep it off the
    network.
    """
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).unshare(_CLONE_NEWUSER | _CLONE_NEWNET)


def _limit_resources(limits: ImportLimits) -> None:
    """Bound this process: address space, CPU time, file size, no core dumps (POSIX only)."""
    try:
        import resource  # POSIX only
    except ImportError:  # pragma: no cover - Windows
        return
    memory = limits.max_memory_mb * 2**20
    cpu = math.ceil(limits.timeout_s) + 2
    signal.alarm(math.ceil(limits.timeout_s) + 5)  # a reader never outlives its parent's wait
    written = limits.zip_max_bytes + limits.max_bytes
    for which, value in (
        (resource.RLIMIT_AS, memory),
        (resource.RLIMIT_CPU, cpu),
        (resource.RLIMIT_FSIZE, written),
        (resource.RLIMIT_CORE, 0),
    ):
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(which, (value, value))
    with contextlib.suppress(ValueError, OSError):
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def _read_workdir(
    workdir: Path, file: str, limits: ImportLimits, extent: Extent | None
) -> dict[str, Any]:
    """Read the upload in ``workdir`` (reading process); the JSON answer for the parent."""
    reader = Reader(workdir=workdir, file=file, limits=limits, extent=extent)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fmt, parts = reader.read((workdir / UPLOAD).read_bytes(), name=file, depth=0)
    for warning in caught[:50]:
        text = str(warning.message).replace(str(workdir), "").strip()
        if issubclass(warning.category, RuntimeWarning) and text:
            reader.note(f"reading library: {text[:300]}")
    answer = reader.assemble(fmt, parts)
    answer["wkb"], answer["wkb_sizes"] = _geometries_to_payload(answer.pop("geoms"))
    return answer


def _describe(err: BaseException) -> str:
    text = str(err)
    text = text if len(text) <= 200 else text[:197] + "..."
    return f"{type(err).__name__}: {text}" if text else type(err).__name__
