"""Real SPARQL servers for the tests: Oxigraph server and Virtuoso Open Source 7.

Each is started on loopback, on free ports, in a folder of its own, and stopped after. Both
are installed by the project's own files (``.ci/run``: the Debian package
``virtuoso-opensource-7-bin``, the PyPI package ``oxigraph`` of the ``stores`` extra); a
server that cannot be started fails the test that needs it, with the reason.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from dakg.graph.stores import Endpoints
from dakg.graph.stores.remote import RemoteStore

from .helpers import free_port

START_SECONDS = 90.0  # Virtuoso creates its database on the first start; a busy CI is slow
OXIGRAPH_TIMEOUT = 10
VIRTUOSO_USER = ("dakg", "dakg-test-password")


@dataclass
class StoreServer:
    """One SPARQL server process; ``kill`` and ``start`` keep its folder and ports."""

    name: str
    folder: Path
    command: list[str]
    endpoints: Endpoints
    setup: list[list[str]] = field(default_factory=list)
    process: subprocess.Popen[bytes] | None = None

    @property
    def log(self) -> Path:
        return self.folder / "server.log"

    def start(self) -> None:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(self.command, cwd=self.folder, stdout=log,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self._wait_until_it_answers()
        for step in self.setup:
            done = subprocess.run(step, cwd=self.folder, capture_output=True, timeout=60)
            if done.returncode != 0 or b"Error" in done.stdout:
                self.stop()
                pytest.fail(f"{self.name}: {step[0]} failed: {done.stdout.decode()[-800:]}"
                            f"{done.stderr.decode()[-800:]}")
        self.setup = []  # users and grants live in the database from now on

    def kill(self) -> None:
        """SIGKILL: no shutdown, no checkpoint, as a crash of the machine would."""
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
            self.process = None

    def _wait_until_it_answers(self) -> None:
        probe = self.endpoints.query + "?" + urllib.parse.urlencode({"query": "ASK {}"})
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                pytest.fail(f"{self.name} exited with {self.process.returncode}: "
                            f"{self._log_tail()}")
            try:
                with urllib.request.urlopen(probe, timeout=5) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                time.sleep(0.2)
        self.stop()
        pytest.fail(f"{self.name} did not answer {probe} within {START_SECONDS:.0f}s: "
                    f"{self._log_tail()}")

    def _log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-1500:] if self.log.exists() else "(no log)"


def _program(name: str, hint: str) -> str:
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        pytest.fail(f"{name} is not installed ({hint}; .ci/run installs it)")
    return found


def oxigraph_server(folder: Path) -> StoreServer:
    """``oxigraph serve`` on a RocksDB folder; no users: it trusts whoever reaches it."""
    program = _program("oxigraph", "pip install -e '.[stores]'")
    base = f"http://127.0.0.1:{free_port()}"
    (folder / "data").mkdir(parents=True, exist_ok=True)
    return StoreServer(
        "oxigraph", folder,
        # Its own query limit, as README advises (it has no per-request one): a runaway
        # query a test sends does not run on after the test.
        [program, "serve", "--location", str(folder / "data"), "--bind", base[7:],
         "--timeout-s", str(OXIGRAPH_TIMEOUT)],
        Endpoints(query=f"{base}/query", update=f"{base}/update",
                  graph_store=f"{base}/store"))


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DirsAllowed = ., {folder}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
CheckpointInterval = 60
CaseMode = 2

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {folder}
ServerThreads = 4
MaxClientConnections = 4

[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 60
MaxQueryCostEstimationTime = 60
"""

# A user for dakg's writes: SPARQL_UPDATE for /sparql-auth and /sparql-graph-crud-auth, and
# read-write permission on every graph; anonymous readers of /sparql may only read.
VIRTUOSO_SETUP = """\
DB.DBA.USER_CREATE ('{user}', '{password}');
GRANT SPARQL_UPDATE TO "{user}";
DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 1);
DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('{user}', 15);
"""


def virtuoso_server(folder: Path) -> StoreServer:
    """``virtuoso-t`` in the foreground with its own ini, database and a user for dakg."""
    program = _program("virtuoso-t", "apt-get install virtuoso-opensource-7-bin")
    isql = _program("isql-vt", "apt-get install virtuoso-opensource-7-bin")
    folder.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(folder=folder, sql_port=sql_port, http_port=http_port))
    user, password = VIRTUOSO_USER
    (folder / "setup.sql").write_text(VIRTUOSO_SETUP.format(user=user, password=password))
    base = f"http://127.0.0.1:{http_port}"
    return StoreServer(
        "virtuoso", folder, [program, "+configfile", str(ini), "+foreground"],
        Endpoints(query=f"{base}/sparql", update=f"{base}/sparql-auth",
                  graph_store=f"{base}/sparql-graph-crud-auth",
                  credentials=f"{user}:{password}"),
        setup=[[isql, f"127.0.0.1:{sql_port}", "dba", "dba", str(folder / "setup.sql")]])


SERVERS = {"oxigraph": oxigraph_server, "virtuoso": virtuoso_server}


STORES = ("embedded", *sorted(SERVERS))  # where the end-to-end tests are run


def store_settings(endpoints: Endpoints) -> dict[str, str | None]:
    """The settings that point dakg at the server at ``endpoints``."""
    return {"store": endpoints.query, "store_update": endpoints.update,
            "store_graph_store": endpoints.graph_store,
            "store_credentials": endpoints.credentials}


class LoadedStores:
    """The servers of ``SERVERS``, each started on first use and loaded with the N-Quads
    file ``nquads`` as ``version`` (as ``dakg build --store`` loads a build), stopped by
    ``stop``."""

    def __init__(self, folder: Path, nquads: Path, version: str) -> None:
        self.folder = folder
        self.nquads = nquads
        self.version = version
        self.started: dict[str, StoreServer] = {}

    def get(self, name: str) -> StoreServer:
        if name not in self.started:
            server = SERVERS[name](self.folder / name)
            server.start()
            self.started[name] = server
            RemoteStore(server.endpoints).publish(self.nquads, self.version)
        return self.started[name]

    def stop(self) -> None:
        for server in self.started.values():
            server.stop()
