"""A throwaway PostgreSQL cluster with PostGIS, for the store tests (one per test session).

Debian's ``initdb`` makes a cluster in a temporary folder owned by a non-root user (as root:
the user ``sitmaptest``, created when missing; otherwise the current user), ``pg_ctl`` starts
it on a free loopback port with its socket in the same folder, and a template database with
the PostGIS extension lets each test create a fresh database in a fraction of a second.
:func:`start` raises :class:`PgUnavailableError` saying why when no server can be started.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import psycopg

TEMPLATE = "sitmap_template"
TEST_USER = "sitmaptest"


class PgUnavailableError(RuntimeError):
    """No PostgreSQL server can be started here (the reason says why and what to install)."""


def _bindir() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if not found:
        msg = (
            "no PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb); run `make postgres`"
        )
        raise PgUnavailableError(msg)
    bindir = found[-1].parent
    version = bindir.parent.name
    if not Path(f"/usr/share/postgresql/{version}/extension/postgis.control").is_file():
        msg = f"PostGIS is not installed for PostgreSQL {version}; run `make postgres`"
        raise PgUnavailableError(msg)
    return bindir


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_user() -> str:
    """The non-root user ``sitmaptest`` (created when missing; needs root)."""
    try:
        pwd.getpwnam(TEST_USER)
    except KeyError:
        done = subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", TEST_USER],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode not in (0, 9):  # 9: it exists already (another session made it)
            msg = f"cannot create the user {TEST_USER} to run PostgreSQL: {done.stderr.strip()}"
            raise PgUnavailableError(msg) from None
    return TEST_USER


def _as_user() -> tuple[list[str], str | None]:
    """The command prefix that runs the server as a non-root user, and that user."""
    if os.geteuid() != 0:
        return [], None
    user = test_user()
    return ["runuser", "-u", user, "--"], user


class PgServer:
    """A running throwaway cluster: superuser ``postgres``, trust authentication, loopback."""

    def __init__(self, bindir: Path, root: Path, port: int, prefix: list[str]) -> None:
        self.bindir, self.root, self.port, self.prefix = bindir, root, port, prefix

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def execute(self, sql: str, dbname: str = "postgres") -> None:
        with psycopg.connect(self.url(dbname), autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def create_database(self, *, postgis: bool = True) -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        template = TEMPLATE if postgis else "template0"
        self.execute(f'CREATE DATABASE "{name}" TEMPLATE {template}')
        return name

    def drop_database(self, name: str) -> None:
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def tool(self, name: str, *args: str) -> subprocess.CompletedProcess[str]:
        """Run a client program of this PostgreSQL (pg_dump, pg_restore, psql) against it."""
        command = [
            str(self.bindir / name),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
        ]
        return subprocess.run(
            [*command, *args], capture_output=True, text=True, check=True, timeout=120
        )

    def stop(self) -> None:
        subprocess.run(
            [
                *self.prefix,
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.root / "data"),
                "-m",
                "immediate",
                "stop",
            ],
            capture_output=True,
            check=False,
            timeout=60,
        )
        shutil.rmtree(self.root, ignore_errors=True)


def start() -> PgServer:
    """Start a cluster with a PostGIS template database; PgUnavailableError says why it cannot."""
    bindir = _bindir()
    prefix, user = _as_user()
    root = Path(tempfile.mkdtemp(prefix="sitmap-pg-"))
    if user is not None:
        entry = pwd.getpwnam(user)
        os.chown(root, entry.pw_uid, entry.pw_gid)
    root.chmod(0o700)
    data, port = root / "data", _free_port()
    server = PgServer(bindir, root, port, prefix)
    steps = [
        [
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        ],
        [
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(root / "server.log"),
            "-w",
            "-t",
            "60",
            "-o",
            f"-c port={port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={root} "
            "-c fsync=off -c full_page_writes=off -c max_connections=200",
            "start",
        ],
    ]
    for step in steps:
        done = subprocess.run(
            [*prefix, *step], capture_output=True, text=True, check=False, timeout=120
        )
        if done.returncode != 0:
            log = (root / "server.log").read_text() if (root / "server.log").exists() else ""
            server.stop()
            detail = (done.stderr or done.stdout or log).strip().splitlines()
            msg = f"{Path(step[0]).name} failed: {detail[-1] if detail else done.returncode}"
            raise PgUnavailableError(msg)
    try:
        server.execute(f"CREATE DATABASE {TEMPLATE}")
        server.execute("CREATE EXTENSION postgis", TEMPLATE)
    except psycopg.Error as exc:
        server.stop()
        msg = f"cannot prepare the PostGIS template database: {exc}"
        raise PgUnavailableError(msg) from exc
    return server
