"""A real PostgreSQL server and real hub processes for the hub tests.

``pg_server`` (session): ``HUB_TEST_DATABASE_URL`` if set (a role that may CREATE
DATABASE), else a throw-away cluster made with Debian's ``initdb`` in a temporary folder,
owned by the ``postgres`` user when the tests run as root (PostgreSQL refuses root), on a
free loopback port. ``hub_template`` (session) is migrated once; ``hub_db`` gives each
test its own database, a copy of the template.
``hubs`` starts hub processes (``sendobserve hub serve``) over HTTPS on 127.0.0.1.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from sendobserve.hub import database, tls
from sendobserve.pki import certificates as pki
from tests.helpers import subprocess_env

ORG = "Test Mediation Provider"


def _pg_bindir() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    try:
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True,
                             check=True).stdout.strip()
        if (Path(out) / "pg_ctl").exists():
            return Path(out)
    except (OSError, subprocess.CalledProcessError):
        pass
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), reverse=True)
    return candidates[0].parent if candidates else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PgServer:
    """An admin URL to a PostgreSQL server, and (for our own cluster) restart()."""

    admin_url: str
    bindir: Path | None = None
    datadir: Path | None = None
    as_user: list[str] = field(default_factory=list)

    def url_for(self, dbname: str) -> str:
        base, _, _ = self.admin_url.rpartition("/")
        return f"{base}/{dbname}"

    def pg_ctl(self, *args: str) -> None:
        assert self.bindir is not None and self.datadir is not None
        subprocess.run([*self.as_user, str(self.bindir / "pg_ctl"), "-D", str(self.datadir),
                        "-w", "-t", "60", *args], check=True, capture_output=True)

    @property
    def restartable(self) -> bool:
        return self.datadir is not None

    def stop(self) -> None:
        self.pg_ctl("stop", "-m", "fast")

    def start(self) -> None:
        self.pg_ctl("start", "-l", str(self.datadir / "server.log"))

    def restart(self) -> None:
        self.pg_ctl("restart", "-m", "fast", "-l", str(self.datadir / "server.log"))


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    given = os.environ.get("HUB_TEST_DATABASE_URL")
    if given:
        yield PgServer(given)
        return
    bindir = _pg_bindir()
    if bindir is None:
        pytest.fail("PostgreSQL is not installed (Debian: apt-get install postgresql), "
                    "and HUB_TEST_DATABASE_URL is not set")
    folder = Path(tempfile.mkdtemp(prefix="sendobserve-pg-"))
    datadir = folder / "data"
    as_user: list[str] = []
    if os.geteuid() == 0:
        import pwd

        owner = pwd.getpwnam("postgres")
        os.chown(folder, owner.pw_uid, owner.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    subprocess.run([*as_user, str(bindir / "initdb"), "-D", str(datadir), "-A", "trust",
                    "-U", "postgres", "--no-sync", "-E", "UTF8"], check=True,
                   capture_output=True)
    with (datadir / "postgresql.conf").open("a") as conf:
        conf.write(f"\nport = {port}\nlisten_addresses = '127.0.0.1'\n"
                   f"unix_socket_directories = '{folder}'\nmax_connections = 200\n"
                   "fsync = off\nfull_page_writes = off\nsynchronous_commit = off\n")
        # (a throw-away test cluster: nothing in it must survive a crash)
    server = PgServer(f"postgresql://postgres@127.0.0.1:{port}/postgres", bindir, datadir,
                      as_user)
    server.start()
    try:
        yield server
    finally:
        try:
            server.stop()
        finally:
            shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def hub_template(pg_server: PgServer) -> Iterator[str]:
    """One database migrated by ``hub init`` for the session; each test's database is a
    copy of it (``CREATE DATABASE … TEMPLATE``), which is a file copy, not a migration."""
    name = f"hub_template_{uuid.uuid4().hex[:8]}"
    admin = create_engine(database.driver_url(pg_server.admin_url), isolation_level="AUTOCOMMIT",
                          pool_pre_ping=True)  # a test restarts the server meanwhile
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    database.init(pg_server.url_for(name), ORG)  # its engine is disposed: no connection left
    try:
        yield name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def hub_db(pg_server: PgServer, hub_template: str) -> Iterator[str]:
    """A new database with the hub's schema, copied from the template (dropped after)."""
    name = f"hub_{uuid.uuid4().hex[:12]}"
    admin = create_engine(database.driver_url(pg_server.admin_url), isolation_level="AUTOCOMMIT",
                          pool_pre_ping=True)  # a test may restart the server meanwhile
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{hub_template}"'))
    url = pg_server.url_for(name)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def org_pki(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, bytes]:
    """The organisation's root and the hub's certificate for 127.0.0.1."""
    root = pki.create_root(ORG)
    issued = tls.issue_server_certificate(root, ["127.0.0.1", "localhost"])
    folder = tmp_path_factory.mktemp("hub-tls")
    (folder / "hub.crt").write_bytes(issued.cert_pem)
    (folder / "hub.key").write_bytes(issued.key_pem)
    return folder / "hub.crt", folder / "hub.key", issued.root_pem


class HubProcess:
    """One real ``sendobserve hub serve`` process."""

    def __init__(self, db_url: str, cert: Path, key: Path, root_pem: bytes, log: Path):
        self.db_url, self.cert, self.key, self.root_pem, self.log = db_url, cert, key, \
            root_pem, log
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def start(self) -> HubProcess:
        handle = self.log.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "sendobserve", "hub", "serve", "--database", self.db_url,
             "--host", "127.0.0.1", "--port", str(self.port), "--certificate", str(self.cert),
             "--key", str(self.key), "--pool-size", "4"],
            env=subprocess_env(), stdout=handle, stderr=subprocess.STDOUT)
        handle.close()
        return self

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        context = tls.pinned_context(self.root_pem)
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(f"the hub exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(self.url + "/healthz", verify=context, timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError("the hub did not become ready")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def start_hubs(hub_db: str, org_pki: tuple[Path, Path, bytes], tmp_path: Path
               ) -> Iterator[object]:
    """``start_hubs(n)`` → n hub processes on one database, ready."""
    started: list[HubProcess] = []
    cert, key, root = org_pki

    def start(n: int = 1) -> list[HubProcess]:
        new = [HubProcess(hub_db, cert, key, root, tmp_path / f"hub{len(started) + i}.log")
               .start() for i in range(n)]
        started.extend(new)
        for hub in new:
            hub.wait_ready()
        return new

    yield start
    for hub in started:
        hub.stop()
