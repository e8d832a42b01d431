"""Helpers the test modules share: the real server in a subprocess, a listener that counts
connections, the command as a process, and the queries the limit tests use.

Fixtures live in ``conftest.py``; test modules import these, never from one another.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from rdflib import Namespace
from SPARQLWrapper import JSON, SPARQLWrapper
from werkzeug.test import TestResponse

from dakg.graph.rdf import iris
from dakg.graph.rdf.namespaces import DEFAULT_BASE

DATA = Path(__file__).parent / "data"
DAKG = str(Path(sys.executable).parent / "dakg")
RUNAWAY = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
QUICK = "ASK { <http://example.org/item1> ?p ?o }"

# IRIs of the bundled report that tests of the shapes name.
REPORT = iris.document("CDIP/35/2")
SECTION_1 = iris.part(REPORT, "section", 1)
SECTION_2 = iris.part(REPORT, "section", 2)
STATEMENT_1 = iris.part(SECTION_1, "statement", 1)
HIGHLIGHT_1 = iris.part(SECTION_1, "highlight", 1)
ACTIVITY_2 = iris.part(SECTION_1, "activity", 2)
SECTOR_MENTION = iris.part(SECTION_1, "sector", 1)
CITATION = iris.part(SECTION_1, "implementation", 1, "mention", 3)
# The shapes' own IRIs (``shapes/dakg-shapes.ttl``), which the shape tests name.
DAKGSH = Namespace(DEFAULT_BASE + "def/shapes/")


def run_dakg(*args: str, data_dir: Path, user: int | None = None,
             timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``dakg --data-dir DATA_DIR ARGS…`` as a process (as ``user``, a uid, if given)."""
    command = [DAKG, "--data-dir", str(data_dir), *args]
    if user is not None:
        command = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", *command]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                          check=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``dakg serve`` in its own process group, torn down by killing the group."""

    def __init__(self, data_dir: Path, *args: str, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        data_dir.mkdir(parents=True, exist_ok=True)
        self.log = data_dir / f"serve-{self.port}.log"
        self._log_file = self.log.open("wb")
        self.process = subprocess.Popen(
            [DAKG, "--data-dir", str(data_dir), "serve", "--port", str(self.port),
             "--workers", "2", *args],
            stdout=subprocess.DEVNULL, stderr=self._log_file, start_new_session=True,
            env={**os.environ, **(env or {})})
        try:
            self._wait()
        except BaseException:
            self.stop()
            raise

    def _wait(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dakg serve exited:\n{self.log.read_text()}")
            try:
                with urllib.request.urlopen(f"{self.url}/sparql?query=ASK%7B%7D", timeout=2):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"dakg serve did not answer:\n{self.log.read_text()}")

    @property
    def endpoint(self) -> str:
        return f"{self.url}/sparql"

    def group(self) -> list[int]:
        """Processes still in the server's process group (zombies excluded)."""
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == self.process.pid and fields[0] != "Z":
                pids.append(int(entry.name))
        return pids

    def holders(self) -> dict[int, int]:
        """The web worker (pid) holding each open connection, by the client's port."""
        sockets = {}
        for pid in self.group():
            with contextlib.suppress(OSError):  # a worker that has just ended
                for fd in Path(f"/proc/{pid}/fd").iterdir():
                    with contextlib.suppress(OSError):
                        target = os.readlink(fd)
                        if target.startswith("socket:["):
                            sockets[int(target[8:-1])] = pid
        held = {}
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            fields = line.split()  # sl, local, remote, state, …, inode (the 10th)
            if int(fields[9]) in sockets and fields[3] == "01":  # ESTABLISHED
                held[int(fields[2].split(":")[1], 16)] = sockets[int(fields[9])]
        return held

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=15)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        finally:
            self._log_file.close()


def select(endpoint: str, query: str) -> list[dict[str, dict[str, str]]]:
    """The bindings of a SELECT, sent with SPARQLWrapper."""
    client = SPARQLWrapper(endpoint)
    client.setReturnFormat(JSON)
    client.setQuery(query)
    result = client.queryAndConvert()
    assert isinstance(result, dict)
    bindings: list[dict[str, dict[str, str]]] = result["results"]["bindings"]
    return bindings


def triples_in(running: Server) -> int:
    """The triples the server holds, counted through SPARQLWrapper."""
    rows = select(running.endpoint, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    return int(rows[0]["n"]["value"])


class Listener:
    """A local TCP listener that counts the connections it gets."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen()
        self.socket.settimeout(0.2)
        self.port: int = self.socket.getsockname()[1]
        self.connections = 0
        self._stop = False
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.socket.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop = True
        self._thread.join()
        self.socket.close()


def refused_requests() -> list[tuple[str, str]]:
    """(name, request) of tests/data/refused_requests.txt: requests that would fetch."""
    blocks = (DATA / "refused_requests.txt").read_text(encoding="utf-8").split("\n---\n")
    cases = []
    for block in blocks:
        lines = [line for line in block.splitlines() if not line.startswith("#")]
        cases.append((lines[0], "\n".join(lines[1:]).replace("PORT", "9999")))
    return cases


def json_of(response: TestResponse) -> Any:
    """The JSON body of a test client's response (which must have one)."""
    body = response.get_json()
    assert body is not None, response.get_data(as_text=True)
    return body


def sparql_rows(client: FlaskClient, query: str) -> list[dict[str, str]]:
    """The rows of a SELECT (``dakg:`` declared) through a test client's ``/sparql``, as plain
    values."""
    response = client.get("/sparql", query_string={
        "query": "PREFIX dakg: <https://w3id.org/dakg/def/>\n" + query},
        headers={"Accept": "application/sparql-results+json"})
    return [{k: v["value"] for k, v in row.items()}
            for row in json_of(response)["results"]["bindings"]]


README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
_EXAMPLE = re.compile(r"([^\n]+)<!-- rows: (\d+) -->\s*```sparql\n(.*?)```", re.DOTALL)


def readme_examples() -> list[tuple[str, int, str]]:
    """README's example queries: (question, rows it must give, query)."""
    found = [(m[1].strip(), int(m[2]), m[3]) for m in _EXAMPLE.finditer(README)]
    assert len(found) >= 5
    return found
