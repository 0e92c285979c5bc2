"""Read a layer a person brings (upload or file) into a checked WGS84 GeoDataFrame, or refuse it.

Formats are recognised by content; the name's extension only breaks ties and explains a
mismatch: GeoJSON, KML, KMZ, GeoPackage, zipped Shapefile, and CSV with longitude/latitude
(or WKT) columns. Declared coordinate systems (Shapefile .prj, GeoPackage SRS, a legacy GeoJSON
``crs`` member) are honoured and reprojected to EPSG:4326, with a note; projected coordinates
that declare no CRS are refused. Every file is read in its own short-lived process, forked
from a helper started once, with bounded memory, CPU and wall time, in a private temporary
folder, without network access (new network namespace where Linux allows it; GDAL and PROJ
set never to fetch in any case). The upload's names are never used as paths.

What refuses a whole file, with every problem listed as ``FILE: FEATURE: PROBLEM``: the format,
the limits below, hostile structure (XML DTDs and entities, zip entries outside the archive,
zip bombs), broken or out-of-range coordinates, invalid geometries (each one named: silently
dropping data is worse than asking for a fixed file). What is accepted with a note: features
with no or empty geometry (kept as attribute-only rows, not drawn), Z values (dropped),
reprojection, an ignored legacy ``crs`` member, cleaned property names, cut long texts,
non-finite numbers in properties (emptied), binary fields (dropped), linked KML content
(NetworkLinks, overlays, models, styles: never fetched, removed).

Property values are kept as data, ``<script>`` included: escaping is the renderer's job.

Limits (environment variable, default):

| Limit | Variable | Default |
|---|---|---|
| file size | ``SITMAP_IMPORT_MAX_MB`` | 50 MB |
| features per file | ``SITMAP_IMPORT_MAX_FEATURES`` | 100,000 |
| vertices per feature | ``SITMAP_IMPORT_MAX_VERTICES`` | 100,000 |
| property names per file | ``SITMAP_IMPORT_MAX_FIELDS`` | 1,000 |
| zip: entries | ``SITMAP_IMPORT_ZIP_MAX_ENTRIES`` | 100 |
| zip: total uncompressed size | ``SITMAP_IMPORT_ZIP_MAX_UNCOMPRESSED_MB`` | 200 MB |
| zip: uncompressed / compressed (checked past 1 MB) | ``SITMAP_IMPORT_ZIP_MAX_RATIO`` | 100 |
| time to read one file | ``SITMAP_IMPORT_TIMEOUT_S`` | 10 s |
| memory of the reading process (address space) | ``SITMAP_IMPORT_MAX_MEMORY_MB`` | 1024 MB |

Fixed: texts are cut at 10,000 characters and property names at 200; a value that is not a
number or unset keeps the default. MB are 10^6 bytes, except memory (MiB, 2^20 bytes).
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import csv
import ctypes
import datetime as dt
import io
import itertools
import json
import math
import operator
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal
from enum import StrEnum
from pathlib import Path, PurePosixPath
from typing import Any, NoReturn

import defusedxml.ElementTree as SafeXML
import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyogrio.errors
import pyproj
import pyproj.network
import shapely
from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden

from sitmap.errors import NO_FEATURE, ImportRefusedError, Problem, ValidationError
from sitmap.schema import Extent
from sitmap.validation import (
    check_collection,
    feature_label,
    inside_extent,
    invalid_reasons,
    parse_geojson,
    range_problem,
)

__all__ = [
    "ImportFormat",
    "ImportLimits",
    "ImportedLayer",
    "read_path",
    "read_upload",
]

WGS84 = "EPSG:4326"
MAX_TEXT_CHARS = 10_000
"""Longest text kept in a property value; longer ones are cut (with a note)."""
MAX_KEY_CHARS = 200
"""Longest property name kept; longer ones are cut."""
MAX_LISTED_PROBLEMS = 50
"""Problems listed one by one in a refusal; the rest are counted in one more line."""
_RATIO_FLOOR_BYTES = 1_000_000
_UPLOAD = "upload.bin"


class ImportFormat(StrEnum):
    """The formats sitmap reads."""

    GEOJSON = "GeoJSON"
    KML = "KML"
    KMZ = "KMZ"
    GEOPACKAGE = "GeoPackage"
    SHAPEFILE_ZIP = "zipped Shapefile"
    CSV = "CSV"


@dataclass(frozen=True, slots=True)
class ImportLimits:
    """Bounds on one import; see the module docstring for units and variables."""

    max_mb: float = 50.0
    max_features: int = 100_000
    max_vertices: int = 100_000
    max_fields: int = 1_000
    zip_max_entries: int = 100
    zip_max_uncompressed_mb: float = 200.0
    zip_max_ratio: float = 100.0
    timeout_s: float = 10.0
    max_memory_mb: int = 1024

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ImportLimits:
        """Defaults overridden by ``SITMAP_IMPORT_<FIELD>`` variables (invalid values ignored)."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for item in fields(cls):
            raw = environ.get(f"SITMAP_IMPORT_{item.name.upper()}")
            if raw is None:
                continue
            kind = int if isinstance(item.default, int) else float
            try:
                value = kind(raw)
            except ValueError:
                continue
            if value > 0 and math.isfinite(value):
                values[item.name] = value
        return cls(**values)

    @property
    def max_bytes(self) -> int:
        return int(self.max_mb * 1_000_000)

    @property
    def zip_max_bytes(self) -> int:
        return int(self.zip_max_uncompressed_mb * 1_000_000)


@dataclass(frozen=True)
class ImportedLayer:
    """A layer read and checked: features in EPSG:4326 and what was done to get them.

    ``frame`` holds one row per feature; geometry is None for attribute-only rows; every
    property column has object dtype and JSON values (str, int, float, bool, None, list,
    dict; no NaN or infinity; dates as ISO 8601 text). ``bounds`` is (west, south, east,
    north) in degrees, None when no feature has a geometry.
    """

    filename: str
    format: ImportFormat
    frame: gpd.GeoDataFrame
    source_crs: str | None
    reprojected: bool
    notes: tuple[str, ...]
    geometry_types: tuple[str, ...]
    bounds: tuple[float, float, float, float] | None
    feature_count: int

    def summary(self) -> str:
        """What was read, for people: several lines, control characters escaped."""
        located = int(self.frame.geometry.notna().sum())
        without = self.feature_count - located
        lines = [
            f"file: {self.filename}",
            f"format: {self.format.value}",
            f"features: {self.feature_count}"
            + (f" ({without} without geometry, not drawn)" if without else ""),
            f"geometry types: {', '.join(self.geometry_types) or 'none'}",
        ]
        if self.source_crs is None:
            lines.append("CRS: none declared; read as EPSG:4326 (WGS 84 longitude/latitude)")
        elif self.reprojected:
            lines.append(f"CRS: {self.source_crs}, reprojected to EPSG:4326 (WGS 84)")
        else:
            lines.append(f"CRS: {self.source_crs}")
        if self.bounds is None:
            lines.append("bounds: none (no feature has a geometry)")
        else:
            west, south, east, north = self.bounds
            lines.append(
                f"bounds (WGS 84 degrees): west {west:.5f}, south {south:.5f}, "
                f"east {east:.5f}, north {north:.5f}"
            )
        columns = [str(c) for c in self.frame.columns if c != self.frame.geometry.name]
        shown = ", ".join(columns[:30]) + (
            f", ... ({len(columns) - 30} more)" if len(columns) > 30 else ""
        )
        lines.append(f"properties ({len(columns)}): {shown or 'none'}")
        lines.extend(f"note: {note}" for note in self.notes)
        return "\n".join(_printable(line) for line in lines)

    def to_geojson(self) -> str:
        """The layer as an RFC 7946 FeatureCollection (WGS84 lon/lat), UTF-8 text."""
        return self.frame.to_json(drop_id=True, ensure_ascii=False)


def read_upload(
    data: bytes,
    /,
    *,
    filename: str,
    limits: ImportLimits | None = None,
    extent: Extent | None = None,
) -> ImportedLayer:
    """Read uploaded bytes; ``filename`` names the file in messages and breaks format ties.

    ``extent`` (WGS84 degrees; the situation's) lets a layer whose longitude and latitude are
    swapped be named as such. Raises ImportRefusedError listing every problem found.
    """
    limits = ImportLimits.from_env() if limits is None else limits
    file = _display_name(filename)
    if len(data) > limits.max_bytes:
        _refuse(file, _too_big(len(data), limits))
    if not data:
        _refuse(file, "file is empty (0 bytes)")
    workdir = Path(tempfile.mkdtemp(prefix="sitmap-import-"))
    try:
        (workdir / _UPLOAD).write_bytes(data)
        bounds = None if extent is None else (extent.west, extent.south, extent.east, extent.north)
        payload = _run_isolated(workdir, file, limits, bounds)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return _layer_from_payload(payload, file)


def read_path(
    path: str | os.PathLike[str],
    /,
    *,
    limits: ImportLimits | None = None,
    extent: Extent | None = None,
) -> ImportedLayer:
    """Read a file from disk as :func:`read_upload` reads an upload; the path names it."""
    limits = ImportLimits.from_env() if limits is None else limits
    file = str(path)
    where = Path(path)
    try:
        if where.is_dir():
            _refuse(file, "is a folder, not a file (zip a Shapefile's files together)")
        if not where.exists():
            _refuse(file, "file does not exist")
        if not where.is_file():
            _refuse(file, "is not a regular file")
        size = where.stat().st_size
        if size > limits.max_bytes:
            _refuse(file, _too_big(size, limits))
        with where.open("rb") as handle:
            data = handle.read(limits.max_bytes + 1)
    except OSError as err:
        _refuse(file, f"cannot be read: {err.strerror or err}")
    return read_upload(data, filename=file, limits=limits, extent=extent)


# --- the reading process: forked, one per import, by a helper started once --------------
#
# A helper process ("zygote") is started once with sitmap.imports imported; for each import it
# forks a reader that limits its own memory, CPU time and file sizes, reads, answers with one
# JSON message and exits. Forking a warm, single-threaded helper costs milliseconds where a
# fresh interpreter costs a second; the helper is started with subprocess, so nothing of the
# parent (a Streamlit server's threads, its __main__) is copied or re-imported. The parent
# never unpickles what a reader sends: the answer is JSON and WKB.

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
        package_root = str(Path(__file__).resolve().parents[1])
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(
                filter(None, [package_root, os.environ.get("PYTHONPATH")])
            ),
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "PROJ_NETWORK": "OFF",
        }
        code = "import sys; from sitmap.imports import _zygote_main; _zygote_main(int(sys.argv[1]))"
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


def _zygote_main(fd: int) -> None:
    """The helper: fork one reader per request until the channel closes."""
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


def _run_isolated(
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
        _refuse(file, f"could not start the reader ({_describe(err)})")
    with conn:
        try:
            conn.settimeout(_HELPER_START_S)
            pid = int.from_bytes(_receive(conn, 8, deadline=None), "big")
        except (TimeoutError, EOFError, OSError):
            _refuse(file, "could not start the reader (internal error)")
        handle = _process_handle(pid)
        deadline = time.monotonic() + limits.timeout_s
        try:
            size = int.from_bytes(_receive(conn, 8, deadline=deadline), "big")
            if size > _payload_cap(limits):
                _refuse(file, "the layer is too large once read; simplify it or split it")
            raw = _receive(conn, size, deadline=deadline)
        except TimeoutError:
            _kill(pid, handle)
            problem = (
                f"reading took longer than {limits.timeout_s:g} s (SITMAP_IMPORT_TIMEOUT_S) and "
                "was stopped; the file is too large or too complex: simplify or split it"
            )
            _refuse(file, problem)
        except (EOFError, OSError):
            _refuse(file, _crash_problem(limits))
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
        _refuse(file, _memory_problem(limits))
    return _refuse(file, f"could not be read (internal error: {payload.get('detail', '?')})")


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


def _geometries_from_payload(text: str, sizes: list[int]) -> np.ndarray:
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


def _layer_from_payload(payload: dict[str, Any], file: str) -> ImportedLayer:
    """Build the layer from the child's JSON answer (plain data: nothing is unpickled)."""
    geoms = _geometries_from_payload(payload["wkb"], payload["wkb_sizes"])
    columns = {name: pd.Series(values, dtype=object) for name, values in payload["columns"]}
    frame = gpd.GeoDataFrame(
        pd.DataFrame(columns, index=pd.RangeIndex(len(geoms))),
        geometry=gpd.GeoSeries(geoms, crs=WGS84),
    )
    present = geoms[~shapely.is_missing(geoms)] if len(geoms) else geoms
    bounds = None
    if len(present):
        west, south, east, north = (float(v) for v in shapely.total_bounds(present))
        bounds = (west, south, east, north)
    return ImportedLayer(
        filename=file,
        format=ImportFormat(payload["format"]),
        frame=frame,
        source_crs=payload["source_crs"],
        reprojected=bool(payload["reprojected"]),
        notes=tuple(payload["notes"]),
        geometry_types=tuple(sorted({g.geom_type for g in present})),
        bounds=bounds,
        feature_count=len(frame),
    )


# --- the reading process ------------------------------------------------------------------


_GDAL_CONFIG = {
    # Never reach the network, whatever a file names.
    "GDAL_HTTP_PROXY": "127.0.0.1:9",
    "GDAL_HTTP_TIMEOUT": "1",
    "GDAL_HTTP_CONNECTTIMEOUT": "1",
    "GDAL_HTTP_MAX_RETRY": "0",
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".sitmap-no-network",
    "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",
    "OGR_SQLITE_ALLOW_EXTERNAL_ACCESS": "NO",
    "LIBKML_RESOLVE_STYLE": "NO",
    "LIBKML_EXTERNAL_STYLE": "NO",
    "PROJ_NETWORK": "OFF",
    # Read only what is there.
    "SHAPE_RESTORE_SHX": "NO",
    "GDAL_NUM_THREADS": "1",
    "CPL_DEBUG": "OFF",
}


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
        pyproj.network.set_network_enabled(active=False)
        pyogrio.set_gdal_config_options(_GDAL_CONFIG)
        csv.field_size_limit(max(limits.max_bytes, 131_072))
        bounds = request["bounds"]
        extent = None if bounds is None else Extent(**dict(zip(_EXTENT_KEYS, bounds, strict=True)))
        try:
            payload = {
                "status": "ok",
                **_read_workdir(Path(request["workdir"]), file, limits, extent),
            }
        except ImportRefusedError as err:
            problems = [[p.file, p.feature, p.problem] for p in _capped(err.problems)]
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
    not allowed, the GDAL settings above still keep it off the network.
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
    reader = _Reader(workdir=workdir, file=file, limits=limits, extent=extent)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fmt, parts = reader.read((workdir / _UPLOAD).read_bytes(), name=file, depth=0)
    for warning in caught[:50]:
        text = str(warning.message).replace(str(workdir), "").strip()
        if issubclass(warning.category, RuntimeWarning) and text:
            reader.note(f"reading library: {text[:300]}")
    return reader.assemble(fmt, parts)


# --- formats ---------------------------------------------------------------------------

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_SQLITE_MAGIC = b"SQLite format 3\x00"
_GPKG_IDS = (b"GPKG", b"GP10", b"GP11")
_SHP_MAGIC = b"\x00\x00\x27\x0a"
_OTHER_MAGIC = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office file (save it as CSV)"),
    (b"fgb\x03", "a FlatGeobuf file (export it as GeoPackage or GeoJSON)"),
)
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_BINARY_EXTENSIONS = {
    ".gpkg": "a GeoPackage (not an SQLite file)",
    ".zip": "a zip archive",
    ".kmz": "a KMZ (zip) archive",
    ".shp": "a Shapefile",
}
_SHAPEFILE_PARTS = (".shx", ".dbf", ".prj", ".cpg")
_DATA_EXTENSIONS = (".geojson", ".json", ".gpkg", ".csv", ".kml")
_SUPPORTED = "sitmap reads GeoJSON, KML/KMZ, GeoPackage, zipped Shapefile and CSV"


@dataclass
class _Part:
    """Features of one layer as read, before the common checks."""

    geoms: np.ndarray
    columns: dict[str, list[Any]]
    labels: Sequence[str]
    crs: pyproj.CRS | None = None
    """The CRS the data declares, still to be reprojected from (None: none declared)."""
    source_crs: str | None = None
    reprojected: bool = False
    layer: str | None = None
    checked: bool = False
    """Geometry already checked (structure, range, validity) by validation.check_collection."""
    projected_hint: str = "export it with its CRS, or as EPSG:4326"


@dataclass
class _Reader:
    """Reads one upload inside the reading process, gathering notes."""

    workdir: Path
    file: str
    limits: ImportLimits
    extent: Extent | None
    notes: list[str] = field(default_factory=list)
    _names: int = 0
    _unzipped: int = 0
    _zip_size: int = 1

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def fail(self, problem: str, feature: str = NO_FEATURE) -> NoReturn:
        """Refuse the file for one problem."""
        raise ImportRefusedError([Problem(self.file, feature, problem)])

    def path(self, suffix: str) -> Path:
        """A fresh file name in the private folder (never derived from the upload's names)."""
        self._names += 1
        return self.workdir / f"part{self._names}{suffix}"

    # sniffing ---------------------------------------------------------------------------

    def read(self, data: bytes, *, name: str, depth: int) -> tuple[ImportFormat, list[_Part]]:
        """Recognise the format of ``data`` by content and read it."""
        ext = _extension(name)
        if not data:
            self.fail("file is empty (0 bytes)")
        if data.startswith(_ZIP_MAGIC):
            if depth:
                self.fail(f"{name!r} inside the zip is itself a zip; unzip it first")
            return self.read_zip(data, ext=ext)
        if data.startswith(_SQLITE_MAGIC):
            return ImportFormat.GEOPACKAGE, self.read_gpkg(data)
        if data.startswith(_SHP_MAGIC) or ext in _SHAPEFILE_PARTS:
            self.fail(
                "a Shapefile part on its own; zip the .shp, .shx, .dbf and .prj files "
                "together and upload the zip"
            )
        for magic, what in _OTHER_MAGIC:
            if data.startswith(magic):
                self.fail(f"is {what}, not a map layer; {_SUPPORTED}")
        encoding, bom = _text_encoding(data)
        head = data[len(bom) : len(bom) + 4096].decode(encoding or "utf-8", errors="ignore")
        head = head.lstrip()
        looks_json = head.startswith(("{", "["))
        looks_xml = head.startswith("<")
        if ext in _BINARY_EXTENSIONS and not (looks_json or looks_xml):
            self.fail(
                f"named {ext} but is not {_BINARY_EXTENSIONS[ext]}: {_looks_like(data, encoding)}"
            )
        if encoding is None:
            self.fail(f"{_looks_like(data, encoding)}; {_SUPPORTED}")
        if encoding != "utf-8":
            unmarked = "" if bom else " without a byte-order mark"
            self.note(f"text was {encoding.upper()}{unmarked}; converted to UTF-8")
        if ext in _BINARY_EXTENSIONS:
            kind = "GeoJSON" if looks_json else "XML"
            self.note(f"named {ext} but holds {kind} text; read as such")
        if looks_xml or ext == ".kml":
            return ImportFormat.KML, self.read_kml(data)
        if looks_json or ext in (".geojson", ".json"):
            return ImportFormat.GEOJSON, [self.read_geojson(self.utf8(data, encoding, bom))]
        return ImportFormat.CSV, [self.read_csv(self.text(data, encoding, bom))]

    def utf8(self, data: bytes, encoding: str, bom: bytes) -> bytes:
        """UTF-8 bytes of text in another Unicode encoding (noted); UTF-8 passes through."""
        if encoding == "utf-8":
            return data
        return self.text(data, encoding, bom).encode("utf-8")

    def text(self, data: bytes, encoding: str, bom: bytes) -> str:
        """Decode text, refusing undecodable bytes with their offset."""
        try:
            text = data[len(bom) :].decode(encoding)
        except UnicodeDecodeError as err:
            offset = err.start + len(bom)
            self.fail(
                f"not {encoding.upper()} text (byte 0x{data[offset]:02x} at offset {offset}); "
                "save the file as UTF-8"
            )
        return text

    # GeoJSON ----------------------------------------------------------------------------

    def read_geojson(self, data: bytes) -> _Part:
        """GeoJSON through validation's parser and checks (structure, range, validity)."""
        try:
            doc = parse_geojson(data, file=self.file)
        except ValidationError as err:
            raise ImportRefusedError(err.problems) from None
        doc = self.as_collection(doc)
        features = doc.get("features") if isinstance(doc, dict) else None
        if isinstance(features, list) and len(features) > self.limits.max_features:
            self.fail(self.too_many_features(len(features)))
        crs = self.legacy_crs(doc) if isinstance(doc, dict) else None
        if isinstance(features, list):
            _nullify_empty(features)
            if crs is not None:
                _transform_positions(
                    features, pyproj.Transformer.from_crs(crs, WGS84, always_xy=True)
                )
        checked = check_collection(
            doc, file=self.file, kind=None, extent=None, allow_crs_member=True
        )
        if checked.problems:
            raise ImportRefusedError(checked.problems)
        assert isinstance(features, list)
        geoms = np.full(len(features), None, dtype=object)
        for index, shape in checked.shapes.items():
            geoms[index] = shape
        props = [
            f.get("properties") if isinstance(f.get("properties"), dict) else {} for f in features
        ]
        keys = list(dict.fromkeys(key for p in props for key in p))
        if len(keys) > self.limits.max_fields:
            self.fail(self.too_many_fields(len(keys)))
        columns = {key: [p.get(key) for p in props] for key in keys}
        if any(_has_z(f.get("geometry")) for f in features):
            self.note("Z (height) values dropped")
        part = _Part(geoms=geoms, columns=columns, labels=checked.labels, checked=True)
        part.source_crs = "EPSG:4326 (WGS 84; GeoJSON, RFC 7946)"
        if crs is not None:
            part.source_crs, part.reprojected = _crs_label(crs), True
            self.note(
                f"reprojected from {part.source_crs} (named by the legacy 'crs' member) "
                "to EPSG:4326"
            )
        return part

    def as_collection(self, doc: Any) -> Any:
        """Wrap a lone Feature or geometry in a FeatureCollection (noted)."""
        if not isinstance(doc, dict):
            return doc
        kind = doc.get("type")
        if kind == "Feature":
            self.note("a single GeoJSON Feature, read as a collection of one")
            return {"type": "FeatureCollection", "features": [doc]}
        if kind in (*_GEOJSON_TYPES, "GeometryCollection"):
            self.note(f"a bare GeoJSON {kind}, read as one feature without properties")
            return {
                "type": "FeatureCollection",
                "features": [{"type": "Feature", "properties": {}, "geometry": doc}],
            }
        return doc

    def legacy_crs(self, doc: dict[str, Any]) -> pyproj.CRS | None:
        """The CRS a legacy ``crs`` member names when it is not WGS84; notes what was done."""
        member = doc.get("crs")
        if member is None:
            return None
        name = member.get("properties", {}).get("name") if isinstance(member, dict) else None
        if isinstance(member, dict) and member.get("type") == "link":
            self.note("legacy 'crs' link ignored (never followed); coordinates read as WGS84")
            return None
        if not isinstance(name, str):
            self.fail("legacy 'crs' member is malformed; remove it (GeoJSON is WGS84 lon/lat)")
        crs = _crs_from_name(name)
        if crs is None:
            self.fail(
                f"legacy 'crs' member names {name[:80]!r}, which sitmap does not know; remove it "
                "(RFC 7946 GeoJSON is always WGS84 lon/lat) or export the file as EPSG:4326"
            )
        if _is_wgs84(crs):
            self.note(f"legacy 'crs' member ({name[:80]}) ignored: GeoJSON is WGS84 lon/lat")
            return None
        return crs

    # KML / KMZ --------------------------------------------------------------------------

    def read_kml(self, data: bytes) -> list[_Part]:
        """KML: scanned by defusedxml first (no DTD, no entities), links cut out, then GDAL.

        GDAL gets the file's own bytes minus the cut elements (NetworkLinks, overlays,
        models, styles), so it never sees a DTD nor anything that points elsewhere.
        """
        data = _kml_as_utf8(data)
        scan = _KmlScan()
        parser = SafeXML.DefusedXMLParser(
            target=scan, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
        scan.listen(parser.parser)
        try:
            parser.feed(data)
            parser.close()
        except DTDForbidden:
            self.fail(
                "XML with a DOCTYPE declaration: refused, because DTDs carry entity expansion "
                "('billion laughs') and external-entity attacks, and KML never needs one"
            )
        except EntitiesForbidden:
            self.fail("XML declares entities: refused (entity expansion attack?)")
        except ExternalReferenceForbidden:
            self.fail("XML refers to an external resource: refused (never fetched)")
        except _TooDeepError:
            self.fail(f"XML nested more than {_MAX_XML_DEPTH} levels deep; refused")
        except SafeXML.ParseError as err:
            self.fail(f"not well-formed XML: {err}")
        if scan.root != "kml":
            self.fail(f"XML, but not KML (root element <{scan.root[:40]}>); {_SUPPORTED}")
        if scan.placemarks > self.limits.max_features:
            self.fail(self.too_many_features(scan.placemarks))
        linked = {k: v for k, v in scan.removed.items() if k in _KML_LINKED}
        if linked:
            listed = ", ".join(f"{v} {k}" for k, v in linked.items())
            self.note(f"removed {listed}: linked files, images and models are never fetched")
        if any(k in scan.removed for k in ("Style", "StyleMap", "styleUrl")):
            self.note("KML styles ignored (the map draws uploads in its own style)")
        kept, start = [], 0
        for cut_from, cut_at in scan.cuts:
            opening_end = _tag_end(data, cut_from)
            empty = data[opening_end - 2 : opening_end] == b"/>"
            cut_to = opening_end if empty else _tag_end(data, cut_at)
            kept.append(data[start:cut_from])
            start = cut_to
        kept.append(data[start:])
        path = self.path(".kml")
        path.write_bytes(b"".join(kept))
        parts = self.read_gdal(
            path, fmt=ImportFormat.KML, hint="KML coordinates are longitude,latitude degrees"
        )
        for part in parts:
            _drop_kml_technical_columns(part)
        return parts

    # zip: KMZ, zipped Shapefile ---------------------------------------------------------

    def read_zip(self, data: bytes, *, ext: str) -> tuple[ImportFormat, list[_Part]]:
        """A zip archive, checked entry by entry before anything is unpacked."""
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
            infos = archive.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as err:
            self.fail(f"a damaged zip archive ({err})")
        self.check_zip(infos, len(data))
        self._zip_size = len(data)
        entries = [i for i in infos if not i.is_dir() and not _zip_junk(i.filename)]
        kml = [i for i in entries if _extension(i.filename) == ".kml"]
        shp = [i for i in entries if _extension(i.filename) == ".shp"]
        if kml and (ext == ".kmz" or not shp):
            chosen = next((i for i in kml if i.filename.lower() == "doc.kml"), kml[0])
            if len(kml) > 1:
                self.note(f"KMZ holds {len(kml)} KML files; read {chosen.filename!r} only")
            return ImportFormat.KMZ, self.read_kml(self.unzip(archive, chosen))
        if ext == ".kmz":
            self.fail("named .kmz but the archive holds no .kml file")
        if shp:
            return ImportFormat.SHAPEFILE_ZIP, self.read_shapefiles(archive, entries, shp)
        data_entries = [i for i in entries if _extension(i.filename) in _DATA_EXTENSIONS]
        if len(data_entries) == 1:
            entry = data_entries[0]
            self.note(f"read {entry.filename!r} from the zip archive")
            return self.read(self.unzip(archive, entry), name=entry.filename, depth=1)
        held = ", ".join(repr(i.filename) for i in entries[:8]) or "nothing"
        more = f" (+{len(entries) - 8} more)" if len(entries) > 8 else ""
        return self.fail(
            f"a zip archive with no Shapefile (.shp) or KML (.kml) inside; it holds {held}{more}"
        )

    def check_zip(self, infos: list[zipfile.ZipInfo], size: int) -> None:
        """Entry count, unsafe names, links, encryption, declared size and ratio: all at once."""
        limits = self.limits
        if len(infos) > limits.zip_max_entries:
            self.fail(
                f"zip archive holds {len(infos)} entries; the limit is {limits.zip_max_entries} "
                "(SITMAP_IMPORT_ZIP_MAX_ENTRIES)"
            )
        problems = []
        for info in infos:
            if problem := _zip_entry_problem(info):
                problems.append(Problem(self.file, f"entry {info.filename[:200]!r}", problem))
        declared = sum(i.file_size for i in infos)
        if declared > limits.zip_max_bytes:
            problems.append(
                Problem(
                    self.file,
                    NO_FEATURE,
                    f"zip archive would unpack to {declared / 1e6:,.0f} MB; the limit is "
                    f"{limits.zip_max_uncompressed_mb:g} MB "
                    "(SITMAP_IMPORT_ZIP_MAX_UNCOMPRESSED_MB)",
                )
            )
        elif declared > _RATIO_FLOOR_BYTES and declared > limits.zip_max_ratio * size:
            problems.append(Problem(self.file, NO_FEATURE, _ratio_problem(declared, size, limits)))
        if problems:
            raise ImportRefusedError(problems)

    def unzip(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
        """One entry's bytes, streamed and counted: stops past the limits, whatever it declares."""
        return self.unzip_to(archive, info, None)

    def unzip_to(
        self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path | None
    ) -> bytes:
        """Stream one entry into ``target`` (or memory), counting real bytes against the limits."""
        limit = min(self.limits.zip_max_bytes - self._unzipped, info.file_size)
        chunks: list[bytes] = []
        written = 0
        label = f"entry {info.filename[:200]!r}"
        try:
            with (
                archive.open(info) as source,
                target.open("wb") if target else contextlib.nullcontext() as sink,
            ):
                while chunk := source.read(1 << 20):
                    written += len(chunk)
                    if written > limit:
                        self.fail(
                            "unpacks to more than its declared size or the zip limits; "
                            "refused as a likely zip bomb",
                            label,
                        )
                    if (
                        self._unzipped + written > self.limits.zip_max_ratio * self._zip_size
                        and self._unzipped + written > _RATIO_FLOOR_BYTES
                    ):
                        self.fail(
                            _ratio_problem(self._unzipped + written, self._zip_size, self.limits),
                            label,
                        )
                    if sink is None:
                        chunks.append(chunk)
                    else:
                        sink.write(chunk)
        except ImportRefusedError:
            raise
        except NotImplementedError as err:
            self.fail(f"uses a compression method sitmap cannot unpack ({err}); re-zip it", label)
        except RuntimeError as err:  # encrypted
            self.fail(f"cannot be unpacked ({err})", label)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError) as err:
            self.fail(f"is damaged ({err})", label)
        self._unzipped += written
        return b"".join(chunks)

    def read_shapefiles(
        self, archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo], shps: list[zipfile.ZipInfo]
    ) -> list[_Part]:
        """Each .shp with its .shx and .dbf (and .prj, .cpg), unpacked under fresh names."""
        by_name = {i.filename.lower(): i for i in entries}
        problems: list[Problem] = []
        sets = []
        for shp in shps:
            stem = shp.filename[:-4]
            found = {ext: by_name.get(stem.lower() + ext) for ext in _SHAPEFILE_PARTS}
            missing = [ext for ext in (".shx", ".dbf") if found[ext] is None]
            if missing:
                base = PurePosixPath(shp.filename).name
                problems.append(
                    Problem(
                        self.file,
                        f"entry {shp.filename[:200]!r}",
                        f"Shapefile {base!r} has no {' or '.join(missing)} beside it in the zip; "
                        "a Shapefile needs its .shp, .shx and .dbf files together "
                        "(and .prj for its coordinate system)",
                    )
                )
            sets.append((shp, found))
        if problems:
            raise ImportRefusedError(problems)
        parts: list[_Part] = []
        for shp, found in sets:
            target = self.path(".shp")
            self.unzip_to(archive, shp, target)
            for ext, info in found.items():
                if info is not None:
                    self.unzip_to(archive, info, target.with_suffix(ext))
            name = PurePosixPath(shp.filename).stem
            hint = "add its .prj file to the zip, or export it as EPSG:4326"
            layer = name if len(shps) > 1 else None
            parts += self.read_gdal(
                target, fmt=ImportFormat.SHAPEFILE_ZIP, hint=hint, layer_name=layer
            )
        return parts

    # GeoPackage -------------------------------------------------------------------------

    def read_gpkg(self, data: bytes) -> list[_Part]:
        """A GeoPackage: every layer with geometry (attribute-only tables are skipped)."""
        if data[68:72] not in _GPKG_IDS:
            self.fail(
                "an SQLite database but not a GeoPackage (no GeoPackage id in its header); "
                "export the layer as GeoPackage"
            )
        path = self.path(".gpkg")
        path.write_bytes(data)
        return self.read_gdal(
            path, fmt=ImportFormat.GEOPACKAGE, hint="set the layer's CRS, or export it as EPSG:4326"
        )

    # GDAL -------------------------------------------------------------------------------

    def read_gdal(
        self, path: Path, *, fmt: ImportFormat, hint: str, layer_name: str | None = None
    ) -> list[_Part]:
        """Every layer of a dataset in the private folder, with pyogrio; limits before reading."""
        try:
            listed = pyogrio.list_layers(path)
        except Exception as err:
            self.fail(f"cannot be opened as {fmt.value}: {self.gdal_text(err)}")
        layers = [(str(name), gtype) for name, gtype in listed]
        spatial = [
            (name, gtype) for name, gtype in layers if gtype is not None or fmt is ImportFormat.KML
        ]
        skipped = [name for name, gtype in layers if (name, gtype) not in spatial]
        if skipped:
            self.note(
                f"tables without geometry skipped: {', '.join(repr(n) for n in skipped[:10])}"
            )
        if not spatial:
            self.fail(f"{fmt.value} holds no layer with geometry")
        parts: list[_Part] = []
        total = 0
        for name, _ in spatial:
            try:
                if fmt is not ImportFormat.KML:  # KML: Placemarks counted already
                    info = pyogrio.read_info(path, layer=name)
                    count = int(info.get("features", -1))
                    if count > self.limits.max_features - total:
                        self.fail(self.too_many_features(total + count))
                    if len(info.get("fields", ())) > self.limits.max_fields:
                        self.fail(self.too_many_fields(len(info["fields"])))
                frame = pyogrio.read_dataframe(
                    path,
                    layer=name,
                    max_features=self.limits.max_features - total + 1,
                    datetime_as_string=True,
                    on_invalid="ignore",
                )
            except ImportRefusedError:
                raise
            except MemoryError:
                raise
            except Exception as err:
                text = self.gdal_text(err)
                if "memory" in text.lower():
                    raise MemoryError from None
                self.fail(f"cannot be read as {fmt.value}: {text}")
            total += len(frame)
            if total > self.limits.max_features:
                self.fail(self.too_many_features(total))
            geometry = frame.geometry.name
            columns = {str(c): _column_values(frame[c]) for c in frame.columns if c != geometry}
            label = layer_name if layer_name is not None else name if len(spatial) > 1 else None
            part = _Part(
                geoms=np.asarray(frame.geometry.array, dtype=object),
                columns=columns,
                labels=_Labels(columns.get("id"), len(frame), prefix=label),
                crs=_undefined_to_none(frame.crs),
                layer=label,
                projected_hint=hint,
            )
            parts.append(part)
        return parts

    def gdal_text(self, err: BaseException) -> str:
        """GDAL's message without the private folder's path."""
        text = str(err).replace(str(self.workdir) + os.sep, "").replace(str(self.workdir), "")
        return text.strip()[:300] or type(err).__name__

    # CSV --------------------------------------------------------------------------------

    def read_csv(self, text: str) -> _Part:
        """CSV with longitude/latitude columns (common spellings) or a WKT column."""
        header_line = next((line for line in text[:65536].splitlines() if line.strip()), "")
        if not header_line:
            self.fail("file holds only whitespace")
        delimiter = max(",;\t|", key=header_line.count)
        if header_line.count(delimiter) == 0:
            delimiter = ","
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        problems: list[Problem] = []
        try:
            header = next((row for row in reader if any(cell.strip() for cell in row)), [])
            rows: list[tuple[int, list[str]]] = []
            for row in reader:
                if not any(cell.strip() for cell in row):
                    continue
                if len(rows) >= self.limits.max_features:
                    self.fail(self.too_many_features(len(rows) + 1, more=True))
                rows.append((reader.line_num, row))
        except csv.Error as err:
            self.fail(f"not readable as CSV (line {reader.line_num}): {err}")
        if len(header) > self.limits.max_fields:
            self.fail(self.too_many_fields(len(header)))
        names = _unique_names([cell.strip() or f"column_{i + 1}" for i, cell in enumerate(header)])
        width = len(names)
        for line, row in rows:
            if len(row) > width:
                problems.append(
                    Problem(
                        self.file,
                        f"row {line}",
                        f"has {len(row)} cells but the header has {width} "
                        f"(an unquoted {_delimiter_name(delimiter)}?)",
                    )
                )
        if problems:
            raise ImportRefusedError(problems)
        columns = {
            name: [row[i] if i < len(row) else "" for _, row in rows]
            for i, name in enumerate(names)
        }
        labels = _Labels(columns.get("id"), len(rows), rows=[line for line, _ in rows])
        lon_col, lat_col = _find_column(columns, _LON_NAMES), _find_column(columns, _LAT_NAMES)
        wkt_col = _find_column(columns, _WKT_NAMES)
        if lon_col and lat_col:
            if (lon_col.lower(), lat_col.lower()) != ("lon", "lat"):
                self.note(f"CSV columns {lat_col!r}/{lon_col!r} used as latitude/longitude")
            geoms = self.csv_points(
                columns, lon_col, lat_col, labels, decimal_comma=delimiter != ","
            )
        elif wkt_col and not (lon_col or lat_col):
            self.note(f"CSV column {wkt_col!r} read as WKT geometry")
            geoms = self.csv_wkt(columns.pop(wkt_col), labels)
        else:
            seen = ", ".join(repr(n) for n in names[:20]) + (" ..." if len(names) > 20 else "")
            if lon_col or lat_col:
                which = (
                    f"a longitude column {lon_col!r}"
                    if lon_col
                    else f"a latitude column {lat_col!r}"
                )
                other = "latitude" if lon_col else "longitude"
                self.fail(f"found {which} but no {other} column; columns are: {seen}")
            self.fail(
                f"no longitude/latitude columns found; columns are: {seen}. Name them lon and "
                "lat (or longitude/latitude, x/y), or add a WKT column named geometry"
            )
        for name in columns:
            columns[name] = _typed_cells(columns[name])
        return _Part(
            geoms=geoms,
            columns=columns,
            labels=labels,
            projected_hint="convert the coordinates to longitude/latitude degrees (EPSG:4326)",
        )

    def csv_points(
        self,
        columns: dict[str, list[Any]],
        lon_col: str,
        lat_col: str,
        labels: Sequence[str],
        *,
        decimal_comma: bool,
    ) -> np.ndarray:
        """Points from two text columns; every unreadable cell is named by its row."""
        lon = _Numbers(columns[lon_col], decimal_comma=decimal_comma)
        lat = _Numbers(columns[lat_col], decimal_comma=decimal_comma)
        problems: list[Problem] = []
        suspect = lon.bad | lat.bad | (lon.empty != lat.empty)
        for i in np.flatnonzero(suspect):
            for numbers, other, column, what, other_what in (
                (lon, lat, lon_col, "longitude", "latitude"),
                (lat, lon, lat_col, "latitude", "longitude"),
            ):
                if numbers.empty[i] and not other.empty[i]:
                    problem = f"has a {other_what} but no {what} (column {column!r})"
                    problems.append(Problem(self.file, labels[i], problem))
                elif numbers.bad[i]:
                    text = numbers.text[i]
                    shown = text if len(text) <= 40 else text[:37] + "..."
                    problem = f"{what} {shown!r} in column {column!r} is not a number"
                    problems.append(Problem(self.file, labels[i], problem))
        if problems:
            raise ImportRefusedError(problems)
        if lon.used_comma or lat.used_comma:
            self.note("decimal commas in coordinates read as decimal points")
        located = ~lon.empty
        x, y = lon.values[located], lat.values[located]
        if len(y) and 90 < np.abs(y).max() <= 180 and np.abs(x).max() <= 90:
            sample = y[np.abs(y) > 90][0]
            self.fail(
                f"columns {lat_col!r} and {lon_col!r} look swapped: {lat_col!r} holds values "
                f"beyond ±90 (e.g. {sample:g}) and every {lon_col!r} value is within ±90; "
                "swap the column names"
            )
        geoms = np.full(len(located), None, dtype=object)
        geoms[located] = shapely.points(x, y)
        return geoms

    def csv_wkt(self, cells: list[Any], labels: Sequence[str]) -> np.ndarray:
        geoms = np.full(len(cells), None, dtype=object)
        problems = []
        for i, cell in enumerate(cells):
            if not cell.strip():
                continue
            try:
                geoms[i] = shapely.from_wkt(cell)
            except (shapely.errors.GEOSException, ValueError):
                problems.append(Problem(self.file, labels[i], "geometry is not readable WKT"))
        if problems:
            raise ImportRefusedError(problems)
        return geoms

    # messages ---------------------------------------------------------------------------

    def too_many_features(self, count: int, *, more: bool = False) -> str:
        amount = f"more than {count - 1:,}" if more else f"{count:,}"
        return (
            f"holds {amount} features; the limit is {self.limits.max_features:,} "
            "(SITMAP_IMPORT_MAX_FEATURES)"
        )

    def too_many_fields(self, count: int) -> str:
        return (
            f"has {count:,} property names; the limit is {self.limits.max_fields:,} "
            "(SITMAP_IMPORT_MAX_FIELDS)"
        )

    # common checks ----------------------------------------------------------------------

    def assemble(self, fmt: ImportFormat, parts: list[_Part]) -> dict[str, Any]:
        """Reproject, check and clean every part; the JSON answer for the parent."""
        problems = [problem for part in parts for problem in self.to_wgs84(part)]
        if problems:
            raise ImportRefusedError(problems)
        problems = [problem for part in parts for problem in self.geometry_problems(part)]
        if problems:
            raise ImportRefusedError(problems)
        geoms = np.concatenate([p.geoms for p in parts]) if parts else np.empty(0, dtype=object)
        self.check_swap(geoms)
        located = ~shapely.is_missing(geoms)
        if any(p.source_crs is None and not p.checked for p in parts) and located.any():
            self.note(
                "no CRS declared; coordinates are longitude/latitude degrees: read as EPSG:4326"
            )
        if missing := int((~located).sum()):
            self.note(
                f"{_count(missing, 'feature')} without geometry (null or empty): kept as "
                "attribute-only rows, not drawn"
            )
        columns = _merge_columns(parts)
        if len(columns) > self.limits.max_fields:
            self.fail(self.too_many_fields(len(columns)))
        wkb, sizes = _geometries_to_payload(geoms)
        return {
            "format": fmt.value,
            "source_crs": "; ".join(dict.fromkeys(p.source_crs for p in parts if p.source_crs))
            or None,
            "reprojected": any(p.reprojected for p in parts),
            "columns": list(_Cleaner(self).columns(columns).items()),
            "wkb": wkb,
            "wkb_sizes": sizes,
            "notes": self.notes,
        }

    def to_wgs84(self, part: _Part) -> list[Problem]:
        """Reproject a part from its declared CRS; empty geometries become None; Z dropped."""
        if not len(part.geoms):
            return []
        if not part.checked:
            part.geoms[shapely.is_empty(part.geoms)] = None
            if shapely.has_z(part.geoms).any():
                z = shapely.get_coordinates(part.geoms, include_z=True)[:, 2]
                if np.any(np.nan_to_num(z) != 0):
                    self.note("Z (height) values dropped")
            part.geoms = shapely.force_2d(part.geoms)
        if part.crs is None:
            return []
        part.source_crs = _crs_label(part.crs)
        if _is_wgs84(part.crs):
            return []
        try:
            transformer = pyproj.Transformer.from_crs(part.crs, WGS84, always_xy=True)
        except pyproj.exceptions.ProjError as err:
            problem = (
                f"declares the CRS {part.source_crs}, which cannot be converted to EPSG:4326 "
                f"({err})"
            )
            return [Problem(self.file, NO_FEATURE, problem)]

        def project(xy: np.ndarray) -> np.ndarray:
            return np.column_stack(transformer.transform(xy[:, 0], xy[:, 1], errcheck=False))

        part.geoms = shapely.transform(part.geoms, project)
        part.reprojected = True
        self.note(f"reprojected from {part.source_crs} to EPSG:4326")
        return []

    def geometry_problems(self, part: _Part) -> list[Problem]:
        """Vertices per feature; finite, in-range coordinates and validity (validation's checks)."""
        geoms = part.geoms
        present = np.flatnonzero(~shapely.is_missing(geoms))
        if not len(present):
            return []
        problems: dict[int, str] = {}
        counts = shapely.get_num_coordinates(geoms[present])
        over = counts > self.limits.max_vertices
        for index, count in zip(present[over], counts[over], strict=True):
            problems[int(index)] = (
                f"has {int(count):,} vertices; the limit is {self.limits.max_vertices:,} per "
                "feature (SITMAP_IMPORT_MAX_VERTICES): simplify it"
            )
        if part.checked:
            return self.as_problems(part, problems)
        coords, owner = shapely.get_coordinates(geoms[present], return_index=True)
        owner = present[owner]
        finite = np.isfinite(coords).all(axis=1)
        bad_number = (
            "could not be reprojected to EPSG:4326 (outside the area its CRS covers?)"
            if part.reprojected
            else "has a coordinate that is not a finite number (NaN or infinity)"
        )
        for index in np.unique(owner[~finite]):
            problems.setdefault(int(index), bad_number)
        good = coords[finite]
        if not part.reprojected and len(good) and np.abs(good).max() > 360:
            x, y = good[np.abs(good).max(axis=1) > 360][0]
            problem = f"coordinates look projected (e.g. {x:.0f}, {y:.0f})"
            if part.source_crs is None:
                problem += f" and the file declares no CRS; {part.projected_hint}"
            else:
                problem += (
                    f", yet the file declares {part.source_crs}, in degrees; export the layer "
                    "again with its real CRS"
                )
            return [Problem(self.file, NO_FEATURE, problem)]
        out_of_range = finite & ((np.abs(coords[:, 0]) > 180) | (np.abs(coords[:, 1]) > 90))
        for index in np.unique(owner[out_of_range]):
            xy = coords[(owner == index) & finite]
            if problem := range_problem(xy, None):
                problems.setdefault(int(index), problem)
        rest = dict(zip(present.tolist(), geoms[present], strict=True))
        for index in problems:
            rest.pop(index, None)
        for index, problem in invalid_reasons(rest).items():
            problems[index] = problem + _FIX_HINT
        return self.as_problems(part, problems)

    def as_problems(self, part: _Part, problems: dict[int, str]) -> list[Problem]:
        return [Problem(self.file, part.labels[i], problems[i]) for i in sorted(problems)]

    def check_swap(self, geoms: np.ndarray) -> None:
        """Refuse a layer that lies outside the situation but would fall in it swapped."""
        if self.extent is None or not len(geoms):
            return
        xy = shapely.get_coordinates(geoms[~shapely.is_missing(geoms)])
        if (
            not len(xy)
            or inside_extent(xy, self.extent)
            or not inside_extent(xy[:, ::-1], self.extent)
        ):
            return
        self.fail(
            f"longitude and latitude look swapped: every coordinate (e.g. {xy[0, 0]:.6g}, "
            f"{xy[0, 1]:.6g}) lies outside the situation, and all fall inside it when swapped; "
            "the file has them the wrong way round"
        )


_FIX_HINT = " (repair it, e.g. QGIS 'Fix geometries', and upload again)"
_KML_LINKED = ("NetworkLink", "GroundOverlay", "ScreenOverlay", "PhotoOverlay", "Model", "Tour")
_KML_STRIP = frozenset((*_KML_LINKED, "Style", "StyleMap", "styleUrl"))
_LIBKML_COLUMNS = {
    "timestamp": {None},
    "begin": {None},
    "end": {None},
    "altitudeMode": {None},
    "tessellate": {None, -1, 0},
    "extrude": {None, 0},
    "visibility": {None, -1, 1},
    "drawOrder": {None},
    "icon": {None},
    "id": {None},
}
"""LIBKML's fields for KML display attributes, and the values that mean 'not set'."""
_LON_NAMES = (
    "longitude",
    "lon",
    "lng",
    "long",
    "x",
    "xcoord",
    "xcoordinate",
    "pointx",
    "decimallongitude",
)
_LAT_NAMES = ("latitude", "lat", "y", "ycoord", "ycoordinate", "pointy", "decimallatitude")
_WKT_NAMES = ("wkt", "geometry", "geom", "thegeom", "shape")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_INTEGER = re.compile(r"[+-]?(?:0|[1-9]\d{0,17})")
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")


_MAX_XML_DEPTH = 100
"""Deepest XML element nesting read; KML from mapping tools rarely goes past 10."""


class _TooDeepError(Exception):
    """XML nested deeper than _MAX_XML_DEPTH (raised from inside the parser)."""


class _KmlScan:
    """Parser target: root element, Placemarks, and byte ranges of elements to cut out."""

    def __init__(self) -> None:
        self.expat: Any = None
        self.root = ""
        self.placemarks = 0
        self.removed: dict[str, int] = {}
        self.cuts: list[tuple[int, int]] = []
        self._depth = 0
        self._cutting: tuple[int, int] | None = None

    def listen(self, expat: Any) -> None:
        """Take element events straight from defusedxml's expat parser (its guards stay)."""
        self.expat = expat
        expat.StartElementHandler = self.start
        expat.EndElementHandler = self.end
        expat.DefaultHandlerExpand = None

    def start(self, tag: str, _attrib: Any) -> None:
        self._depth += 1
        if self._depth > _MAX_XML_DEPTH:
            raise _TooDeepError
        name = tag.rpartition("}")[2]
        if not self.root:
            self.root = name
        if self._cutting is not None:
            return
        if name in _KML_STRIP:
            self._cutting = (self._depth, self.expat.CurrentByteIndex)
            self.removed[name] = self.removed.get(name, 0) + 1
        elif name == "Placemark":
            self.placemarks += 1

    def end(self, _tag: str = "") -> None:
        if self._cutting is not None and self._cutting[0] == self._depth:
            self.cuts.append((self._cutting[1], self.expat.CurrentByteIndex))
            self._cutting = None
        self._depth -= 1

    def close(self) -> _KmlScan:
        return self


def _kml_as_utf8(data: bytes) -> bytes:
    """UTF-16/32 XML (by its BOM) as UTF-8, its declaration saying so; other bytes as they are."""
    encoding, bom = _text_encoding(data)
    if encoding in (None, "utf-8"):
        return data
    text = data[len(bom) :].decode(encoding, errors="replace")
    text = re.sub(
        r"""^(\s*<\?xml[^>]*?encoding\s*=\s*)(["'])[^"']*\2""", r"\1\2UTF-8\2", text, count=1
    )
    return text.encode("utf-8")


def _drop_kml_technical_columns(part: _Part) -> None:
    """LIBKML adds fields for KML display attributes; drop those that hold nothing useful."""
    for name, defaults in _LIBKML_COLUMNS.items():
        values = part.columns.get(name)
        if values is not None and set(values) <= defaults:
            del part.columns[name]


@dataclass
class _Cleaner:
    """Make property names and values JSON-safe, counting what changed for the notes."""

    reader: _Reader
    cut: int = 0
    nonfinite: int = 0
    nul: int = 0

    def columns(self, columns: dict[str, list[Any]]) -> dict[str, list[Any]]:
        out: dict[str, list[Any]] = {}
        renamed: list[str] = []
        binary: list[str] = []
        for (name, values), clean in zip(columns.items(), _clean_keys(list(columns)), strict=True):
            if clean != name:
                renamed.append(f"{name[:40]!r} → {clean[:40]!r}")
            cleaned = values if _plain(values) else [self.value(v) for v in values]
            if any(v is _BINARY for v in cleaned):
                binary.append(repr(clean[:40]))
                continue
            out[clean] = cleaned
        note = self.reader.note
        if renamed:
            more = f" (+{len(renamed) - 5} more)" if len(renamed) > 5 else ""
            note(f"property names cleaned: {', '.join(renamed[:5])}{more}")
        if binary:
            note(f"binary fields dropped: {', '.join(binary[:10])}")
        if self.cut:
            note(f"{_count(self.cut, 'text')} longer than {MAX_TEXT_CHARS:,} characters cut")
        if self.nonfinite:
            note(f"{_count(self.nonfinite, 'value')} not a finite number (NaN, infinity): emptied")
        if self.nul:
            note(f"NUL characters removed from {_count(self.nul, 'text')}")
        return out

    def value(self, value: Any) -> Any:
        if value is None or value is pd.NaT or value is pd.NA:
            return None
        if isinstance(value, str):
            if "\x00" in value:
                value = value.replace("\x00", "")
                self.nul += 1
            if len(value) > MAX_TEXT_CHARS:
                self.cut += 1
                value = value[:MAX_TEXT_CHARS]
            return value
        if isinstance(value, bool | np.bool_):
            return bool(value)
        if isinstance(value, int | np.integer):
            return int(value)
        if isinstance(value, float | np.floating | Decimal):
            number = float(value)
            if not math.isfinite(number):
                self.nonfinite += 1
                return None
            return number
        if isinstance(value, dt.datetime | dt.date | dt.time):
            return value.isoformat()
        if isinstance(value, bytes | bytearray | memoryview):
            return _BINARY
        if isinstance(value, np.ndarray):
            value = value.tolist()
        if isinstance(value, list | tuple):
            return [self.value(v) for v in value]
        if isinstance(value, dict):
            return {str(k).replace("\x00", ""): self.value(v) for k, v in value.items()}
        return self.value(str(value))


_BINARY = object()
_PLAIN_TYPES = frozenset((str, int, float, bool, type(None)))
_HAS_NUL = operator.methodcaller("__contains__", "\x00")


def _plain(values: list[Any]) -> bool:
    """Fast path: values already JSON-safe (finite floats, short texts without NUL)."""
    types = set(map(type, values))
    if not types <= _PLAIN_TYPES:
        return False
    if float in types:
        floats = np.array([v for v in values if type(v) is float])
        if not np.isfinite(floats).all():
            return False
    if str in types:
        texts = [v for v in values if type(v) is str]
        if max(map(len, texts)) > MAX_TEXT_CHARS or any(map(_HAS_NUL, texts)):
            return False
    return True


# --- helpers ---------------------------------------------------------------------------


def _refuse(file: str, problem: str, feature: str = NO_FEATURE) -> NoReturn:
    raise ImportRefusedError([Problem(file, feature, problem)])


def _too_big(size: int, limits: ImportLimits) -> str:
    return f"file is {size / 1e6:,.1f} MB; the limit is {limits.max_mb:g} MB (SITMAP_IMPORT_MAX_MB)"


def _display_name(filename: str) -> str:
    """The name as given, shortened when absurdly long (it is never used as a path)."""
    name = str(filename) or "upload"
    return name if len(name) <= 200 else f"{name[:120]}...{name[-60:]}"


def _printable(text: str) -> str:
    """Control characters escaped, so names cannot drive a terminal."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch == " " else repr(ch)[1:-1] for ch in text)


def _describe(err: BaseException) -> str:
    text = str(err)
    text = text if len(text) <= 200 else text[:197] + "..."
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


def _capped(problems: list[Problem]) -> list[Problem]:
    if len(problems) <= MAX_LISTED_PROBLEMS:
        return problems
    rest = len(problems) - MAX_LISTED_PROBLEMS
    features = len({p.feature for p in problems[MAX_LISTED_PROBLEMS:]})
    more = Problem(
        problems[0].file, NO_FEATURE, f"... and {rest} more problems ({features} features)"
    )
    return [*problems[:MAX_LISTED_PROBLEMS], more]


def _extension(name: str) -> str:
    return PurePosixPath(name.replace("\\", "/")).suffix.lower()


def _text_encoding(data: bytes) -> tuple[str | None, bytes]:
    """The Unicode encoding of text (by BOM, or UTF-16 without one), and its BOM; None: binary."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding, bom
    head = data[:1024]
    if b"\x00" not in head:
        return "utf-8", b""
    even, odd = head[0::2], head[1::2]
    if even.count(0) == 0 and odd.count(0) >= len(odd) // 2:
        return "utf-16-le", b""
    if odd.count(0) == 0 and even.count(0) >= len(even) // 2:
        return "utf-16-be", b""
    return None, b""


def _looks_like(data: bytes, encoding: str | None) -> str:
    if encoding is None:
        shown = " ".join(f"{b:02x}" for b in data[:8])
        return f"binary data, not text (it starts with bytes {shown})"
    return "text that is not GeoJSON or KML"


def _zip_entry_problem(info: zipfile.ZipInfo) -> str | None:
    name = info.filename.replace("\\", "/")
    if name.startswith("/") or re.match(r"[A-Za-z]:", name):
        return "zip entry has an absolute path; refused"
    if ".." in name.split("/"):
        return "zip entry climbs out of the archive ('..' in its path); refused"
    if "\x00" in name:
        return "zip entry name holds a NUL character; refused"
    if info.create_system == 3 and (info.external_attr >> 16) & 0o170000 == 0o120000:
        return "zip entry is a symbolic link; refused"
    if info.flag_bits & 0x1:
        return "zip entry is encrypted (password-protected); upload it without a password"
    return None


def _ratio_problem(unpacked: int, size: int, limits: ImportLimits) -> str:
    return (
        f"zip archive expands {unpacked / max(size, 1):,.0f} times ({size:,} bytes to "
        f"{unpacked / 1e6:,.1f} MB); the limit is {limits.zip_max_ratio:g} "
        "(SITMAP_IMPORT_ZIP_MAX_RATIO): refused as a likely zip bomb"
    )


def _zip_junk(name: str) -> bool:
    base = PurePosixPath(name).name
    return name.startswith("__MACOSX/") or base.startswith("._") or base == ".DS_Store"


def _tag_end(data: bytes, index: int) -> int:
    """The index just past the ``>`` that closes the XML tag starting at ``index``.

    Quoted attribute values may hold ``>``; they are skipped.
    """
    quote = 0
    for position in range(index, len(data)):
        byte = data[position]
        if quote:
            if byte == quote:
                quote = 0
        elif byte in b"\"'":
            quote = byte
        elif byte == ord(">"):
            return position + 1
    return len(data)


def _delimiter_name(delimiter: str) -> str:
    return {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar"}[delimiter]


def _crs_from_name(name: str) -> pyproj.CRS | None:
    """A CRS from a legacy GeoJSON ``crs`` name: EPSG codes and CRS84 only (no PROJ strings)."""
    text = name.strip()
    if re.fullmatch(r"(?i)(urn:ogc:def:crs:OGC:(1\.3)?:)?CRS:?84", text):
        return pyproj.CRS("OGC:CRS84")
    found = re.fullmatch(r"(?i)(?:urn:ogc:def:crs:)?EPSG:(?:[\d.]*:)?(\d{1,6})", text)
    if not found:
        return None
    try:
        return pyproj.CRS.from_epsg(int(found.group(1)))
    except pyproj.exceptions.CRSError:
        return None


def _is_wgs84(crs: pyproj.CRS) -> bool:
    return (
        crs.to_epsg() == 4326
        or crs.equals("OGC:CRS84")
        or crs.equals(WGS84, ignore_axis_order=True)
    )


def _undefined_to_none(crs: pyproj.CRS | None) -> pyproj.CRS | None:
    if crs is None or crs.name.lower().startswith("undefined"):
        return None
    return crs


def _crs_label(crs: pyproj.CRS) -> str:
    """E.g. ``EPSG:32636 (WGS 84 / UTM zone 36N)``."""
    code = crs.to_epsg()
    name = crs.name if crs.name and crs.name != "unknown" else "unnamed CRS"
    return f"EPSG:{code} ({name})" if code else name[:120]


def _transform_positions(features: list[Any], transformer: pyproj.Transformer) -> None:
    """Reproject, in place, every well-formed position of the features' geometries."""

    def convert(value: Any) -> Any:
        if not isinstance(value, list):
            return value
        if 2 <= len(value) <= 3 and all(
            isinstance(n, int | float) and not isinstance(n, bool) for n in value
        ):
            try:
                x, y = transformer.transform(value[0], value[1], errcheck=False)
            except OverflowError:
                return value
            return [x, y, *value[2:]]
        return [convert(item) for item in value]

    for feature in features:
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        parts = [geometry] if isinstance(geometry, dict) else []
        if parts and isinstance(geometry.get("geometries"), list):
            parts += [g for g in geometry["geometries"] if isinstance(g, dict)]
        for part in parts:
            if "coordinates" in part:
                part["coordinates"] = convert(part["coordinates"])


def _has_z(geometry: Any) -> bool:
    """Whether a GeoJSON geometry's first position has a non-zero third number (a height)."""
    if not isinstance(geometry, dict):
        return False
    value: Any = geometry.get("coordinates")
    while isinstance(value, list) and value and isinstance(value[0], list):
        value = value[0]
    return isinstance(value, list) and len(value) == 3 and value[2] not in (0, None)


def _nullify_empty(features: list[Any]) -> None:
    """Features whose geometry has no coordinates become attribute-only (null geometry)."""
    for feature in features:
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        if not isinstance(geometry, dict):
            continue
        if (geometry.get("type") in _GEOJSON_TYPES and geometry.get("coordinates") == []) or (
            geometry.get("type") == "GeometryCollection" and geometry.get("geometries") == []
        ):
            feature["geometry"] = None


_GEOJSON_TYPES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon")


def _count(number: int, noun: str) -> str:
    """``1 feature``, ``3 features``."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


class _Labels(Sequence[str]):
    """Feature labels as validation names them (id, else #index; CSV: row N), made on demand.

    Only refused files need labels, so a large accepted layer never builds them.
    """

    def __init__(
        self,
        ids: list[Any] | None,
        count: int,
        *,
        prefix: str | None = None,
        rows: list[int] | None = None,
    ) -> None:
        self._ids, self._count, self._prefix, self._rows = ids, count, prefix, rows

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(self._count)[index]]
        index = int(index)
        ident = self._ids[index] if self._ids is not None else None
        if isinstance(ident, float) and ident.is_integer():
            ident = int(ident)
        label = feature_label({"properties": {"id": ident}}, index)
        if label.startswith("#") and self._rows is not None:
            label = f"row {self._rows[index]}"
        return f"{self._prefix[:60]}/{label}" if self._prefix else label


def _column_values(series: pd.Series) -> list[Any]:
    """A column's values as Python objects; GDAL's nulls (NaN, NaT, NA) as None."""
    values = series.astype(object)
    return values.where(series.notna(), None).tolist()


def _find_column(columns: Mapping[str, Any], names: Iterable[str]) -> str | None:
    normal = {re.sub(r"[^a-z]", "", c.casefold()): c for c in reversed(list(columns))}
    for name in names:
        if name in normal:
            return normal[name]
    for name in names:
        if len(name) > 4:
            for key, column in normal.items():
                if key.startswith(name):
                    return column
    return None


def _unique_names(names: list[str]) -> list[str]:
    used: set[str] = set()
    return [_unique(name, used) for name in names]


class _Numbers:
    """A CSV column read as numbers: values (NaN where none), empty and bad cells."""

    def __init__(self, cells: list[str], *, decimal_comma: bool = False) -> None:
        count = len(cells)
        text = list(map(str.strip, cells))
        self.empty = np.fromiter(map(operator.not_, text), bool, count=count)
        self.used_comma = False
        if decimal_comma:
            comma = np.fromiter(map(bool, map(_DECIMAL_COMMA.fullmatch, text)), bool, count=count)
            for i in np.flatnonzero(comma):
                text[i] = text[i].replace(",", ".")
            self.used_comma = bool(comma.any())
        number = np.fromiter(map(bool, map(_NUMBER.fullmatch, text)), bool, count=count)
        self.values = np.full(count, np.nan)
        self.values[number] = np.fromiter(
            map(float, itertools.compress(text, number)), float, count=int(number.sum())
        )
        self.bad = ~self.empty & ~np.isfinite(self.values)
        self.text = text


def _typed_cells(cells: list[str]) -> list[Any]:
    """CSV cells typed per column: all integers, all numbers, else text; empty is None."""
    numbers = _Numbers(cells)
    if numbers.empty.all() or numbers.bad.any():
        return [c if c.strip() else None for c in cells]
    filled = [t for t, e in zip(numbers.text, numbers.empty, strict=True) if not e]
    if all(map(_INTEGER.fullmatch, filled)):
        return [None if e else int(t) for t, e in zip(numbers.text, numbers.empty, strict=True)]
    return [None if e else v for v, e in zip(numbers.values.tolist(), numbers.empty, strict=True)]


def _clean_keys(names: list[Any]) -> list[str]:
    """Property names without control characters, short, unique and not ``geometry``.

    Names that are already clean keep their spelling; the others yield to them.
    """
    bases = [
        "".join(ch for ch in str(name) if unicodedata.category(ch) != "Cc").strip()[:MAX_KEY_CHARS]
        or "field"
        for name in names
    ]
    used = {"geometry"}
    out: list[str | None] = [None] * len(names)
    for i, (name, base) in enumerate(zip(names, bases, strict=True)):
        if base == name and name not in used:
            out[i] = name
            used.add(name)
    return [given or _unique(base, used) for given, base in zip(out, bases, strict=True)]


def _unique(base: str, used: set[str]) -> str:
    """``base``, or ``base_2``, ``base_3``... whichever is not in ``used`` (which it joins)."""
    candidate, n = base, 2
    while candidate in used:
        candidate, n = f"{base}_{n}", n + 1
    used.add(candidate)
    return candidate


def _merge_columns(parts: list[_Part]) -> dict[str, list[Any]]:
    """Columns of all parts side by side (missing values None); a layer column when several."""
    total = sum(len(p.geoms) for p in parts)
    names = list(dict.fromkeys(name for part in parts for name in part.columns))
    merged: dict[str, list[Any]] = {name: [] for name in names}
    layered = len(parts) > 1 and any(p.layer for p in parts)
    layers: list[Any] = []
    for part in parts:
        size = len(part.geoms)
        for name in names:
            merged[name].extend(part.columns.get(name, [None] * size))
        layers.extend([part.layer] * size)
    if layered:
        key = _unique("layer", set(merged) | {"geometry"})
        merged[key] = layers
    assert all(len(v) == total for v in merged.values())
    return merged
