"""A real Tryton for tests: trytond with production (and its routings), purchase and stock on SQLite.

Initialising a database takes tens of seconds, so it is done once per set of installed Tryton
versions and kept under `.cache/tryton/<versions>/` (gitignored); each test server then runs on
its own copy in a temporary folder, ready in about two seconds. The cached database already has
the business set-up every call needs: a currency and a company the admin user works in.
"""

from __future__ import annotations

import ctypes
import fcntl
import hashlib
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import httpx

from mfgsync.connectors.tryton_rpc import TrytonSession

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache" / "tryton"
DATABASE = "mfg"
ADMIN = "admin"
ADMIN_PASSWORD = "admin-test-password"
MODULES = ("production", "production_routing", "purchase", "stock")
# Bump when what `_set_up_business` leaves in the database changes: the cache key includes it.
SET_UP_VERSION = "1"
PR_SET_PDEATHSIG = 1
BIN = Path(sys.executable).parent  # trytond comes with the test extras, beside this Python


def tryton_available() -> str | None:
    """Why Tryton cannot run here, or None when it can."""
    try:
        metadata.version("trytond")
        for module in MODULES:
            metadata.version(f"trytond_{module}")
    except metadata.PackageNotFoundError as exc:
        return f"{exc.name} is not installed (it comes with the test extras)"
    if not (BIN / "trytond").exists():
        return f"the trytond command is not in {BIN}"
    return None


def cache_key() -> str:
    names = sorted(d.metadata["Name"] for d in metadata.distributions()
                   if d.metadata["Name"] and d.metadata["Name"].lower().replace("-", "_").startswith("trytond"))
    versions = ",".join(f"{name}={metadata.version(name)}" for name in names)
    digest = hashlib.sha256(f"{versions};{MODULES};{SET_UP_VERSION}".encode()).hexdigest()[:12]
    return f"trytond-{metadata.version('trytond')}-{digest}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy through SQLite's backup API: whatever sits in a WAL file comes along,
    and no stale `-wal`/`-shm` file is left beside the copy."""
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def _stop_with_parent() -> None:
    """In the child before trytond starts: Linux sends it SIGTERM when the test process dies, so
    a killed test run leaves no server behind."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class TrytonServer:
    """One trytond serving one database copy in `folder`, on a port of its own."""

    folder: Path
    port: int
    process: subprocess.Popen | None = None
    database: str = DATABASE
    user: str = ADMIN
    password: str = ADMIN_PASSWORD

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def config(self) -> Path:
        return self.folder / "trytond.conf"

    def write_config(self) -> None:
        (self.folder / "db").mkdir(parents=True, exist_ok=True)
        self.config.write_text(f"[database]\nuri = sqlite://\npath = {self.folder / 'db'}\n"
                               f"[web]\nlisten = 127.0.0.1:{self.port}\n")
        (self.folder / "admin-password").write_text(ADMIN_PASSWORD)

    @property
    def database_file(self) -> Path:
        return self.folder / "db" / f"{self.database}.sqlite"

    def start(self, timeout: float = 30.0) -> None:
        log = open(self.folder / "trytond.log", "ab")
        # The server is our own child (not a shell's), so stopping it by this PID stops trytond.
        self.process = subprocess.Popen([str(BIN / "trytond"), "-c", str(self.config), "-d", self.database],
                                        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                        preexec_fn=_stop_with_parent)
        log.close()
        self._wait_until_it_answers(timeout)

    def _wait_until_it_answers(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"trytond exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                httpx.post(f"{self.url}/rpc/", json={"id": 0, "method": "common.server.version", "params": []},
                           timeout=1.0)
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"trytond did not answer within {timeout} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def session(self) -> TrytonSession:
        return TrytonSession(self.url, self.database, self.user, self.password, timeout=30.0)

    def log_tail(self, lines: int = 30) -> str:
        path = self.folder / "trytond.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


def _initialise(server: TrytonServer) -> None:
    """trytond-admin on an empty SQLite file: the modules and their dependencies, non-interactive."""
    server.database_file.touch()
    env = {**os.environ, "TRYTONPASSFILE": str(server.folder / "admin-password")}
    done = subprocess.run([str(BIN / "trytond-admin"), "-c", str(server.config), "-d", server.database,
                           "-u", *MODULES, "--activate-dependencies", "--email", "admin@example.com"],
                          env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"trytond-admin failed ({done.returncode}):\n{done.stdout[-3000:]}{done.stderr[-3000:]}")


def _set_up_business(session: TrytonSession) -> None:
    """What a new database lacks before products, BOMs and purchases can be made: a currency and
    a company the admin user works in (company defaults come from the user's context)."""
    currency, = session.model("currency.currency", "create",
                              [{"name": "Euro", "code": "EUR", "symbol": "€", "rounding": "0.01"}])
    party, = session.model("party.party", "create", [{"name": "Mfgsync Test Plant"}])
    company, = session.model("company.company", "create", [{"party": party, "currency": currency}])
    user, = session.model("res.user", "search", [["login", "=", ADMIN]])
    session.model("res.user", "write", [user], {"companies": [["add", [company]]], "company": company})


def _build(target: Path) -> None:
    for stale in target.parent.glob("build-*"):  # left by a run that was stopped while building
        shutil.rmtree(stale, ignore_errors=True)
    work = target.parent / f"build-{os.getpid()}"
    server = TrytonServer(work, free_port())
    server.write_config()
    _initialise(server)
    server.start()
    try:
        session = server.session()
        _set_up_business(session)
        session.close()
    finally:
        server.stop()
    copy_database(server.database_file, work / "copy.sqlite")
    os.replace(work / "copy.sqlite", target)
    shutil.rmtree(work, ignore_errors=True)


def initialised_database() -> Path:
    """The cached, initialised database file, built on first use (one builder at a time)."""
    folder = CACHE / cache_key()
    target = folder / f"{DATABASE}.sqlite"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not target.exists():
            _build(target)
    return target


def _serve(template: Path, folder: Path) -> TrytonServer:
    server = TrytonServer(folder, free_port())
    server.write_config()
    copy_database(template, server.database_file)
    server.start()
    return server


def serve_copy(template: Path, folder: Path, attempts: int = 3) -> TrytonServer:
    """A running trytond on a fresh copy of `template` in `folder`."""
    for _ in range(attempts - 1):
        try:
            return _serve(template, folder)
        except RuntimeError:
            continue  # most likely another process took the free port before trytond bound it
    return _serve(template, folder)
