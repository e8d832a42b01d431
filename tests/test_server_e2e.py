"""The real server (``dakg serve`` in a subprocess, gunicorn and all) with real clients:
SPARQLWrapper, rdflib's SPARQLStore, curl, and a browser-style CORS preflight."""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper

from .conftest import DATA
from .test_server_limits import QUICK, RUNAWAY, Listener

pytestmark = pytest.mark.e2e
DAKG = str(Path(sys.executable).parent / "dakg")
REC = "https://w3id.org/dakg/id/recommendation/"


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


def triples_in(running: Server) -> int:
    """The triples the server holds, counted through SPARQLWrapper."""
    client = SPARQLWrapper(running.endpoint)
    client.setReturnFormat(JSON)
    client.setQuery("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    result = client.queryAndConvert()
    return int(result["results"]["bindings"][0]["n"]["value"])  # type: ignore[index]


@pytest.fixture(scope="module")
def server(built: Path) -> Iterator[Server]:
    running = Server(built, "--query-timeout", "3")
    yield running
    running.stop()


def test_startup_prints_the_endpoint(server: Server) -> None:
    assert f"dakg is serving {server.url}/sparql" in server.log.read_text()


def test_sparqlwrapper_select_construct_ask(server: Server) -> None:
    client = SPARQLWrapper(server.endpoint)
    client.setReturnFormat(JSON)
    client.setQuery(f"SELECT ?s WHERE {{ <{REC}12> <https://w3id.org/dakg/def/relatedSector> "
                    "?s }")
    rows = client.queryAndConvert()["results"]["bindings"]  # type: ignore[index]
    assert len(rows) == 7
    client.setMethod(POST)
    client.setQuery(f"ASK {{ <{REC}20> <https://w3id.org/dakg/def/refersTo> <{REC}16> }}")
    assert client.queryAndConvert()["boolean"] is True  # type: ignore[index]
    client.setReturnFormat(TURTLE)
    client.setQuery(f"CONSTRUCT {{ <{REC}20> ?p ?o }} WHERE {{ <{REC}20> ?p ?o }}")
    graph = Graph().parse(data=client.queryAndConvert(), format="turtle")  # type: ignore[arg-type]
    assert (URIRef(f"{REC}20"), URIRef("https://w3id.org/dakg/def/refersTo"),
            URIRef(f"{REC}16")) in graph


def test_rdflib_sparqlstore(server: Server) -> None:
    graph = Graph(store=SPARQLStore(server.endpoint, returnFormat="json"))
    rows = list(graph.query("SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { ?r a "
                            "<https://w3id.org/dakg/def/Recommendation> }"))
    assert int(rows[0][0]) == 45  # type: ignore[index]
    label = graph.value(URIRef(f"{REC}1"), URIRef("http://www.w3.org/2004/02/skos/core#notation"))
    assert str(label) == "1"


def _curl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["curl", "-s", "-S", "-i", *args], capture_output=True, text=True,
                          timeout=30, check=True)


def test_curl_get_and_post(server: Server) -> None:
    got = _curl("-H", "Accept: text/csv", "--get", "--data-urlencode",
                "query=SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/dakg/def/"
                "RecommendationSection> }", server.endpoint)
    assert "200 OK" in got.stdout.splitlines()[0]
    assert "content-type: text/csv; charset=utf-8" in got.stdout.lower()
    assert got.stdout.rstrip().endswith("40")
    posted = _curl("-H", "Content-Type: application/sparql-query", "--data-binary",
                   "SELEC nonsense", server.endpoint)
    assert "400" in posted.stdout.splitlines()[0] and "not valid SPARQL" in posted.stdout


def test_browser_preflight(server: Server) -> None:
    preflight = _curl("-X", "OPTIONS", "-H", "Origin: https://yasgui.example",
                      "-H", "Access-Control-Request-Method: POST",
                      "-H", "Access-Control-Request-Headers: content-type", server.endpoint)
    head = preflight.stdout.lower()
    assert " 204 " in preflight.stdout.splitlines()[0]
    assert "access-control-allow-origin: *" in head and "post" in head
    described = _curl("-H", "Accept: text/turtle", server.endpoint)
    assert "sd:Service" in described.stdout and "void:triples" in described.stdout


def test_runaway_over_http_while_others_are_served(server: Server) -> None:
    outcome: dict[str, object] = {}

    def runaway() -> None:
        started = time.monotonic()
        try:
            urllib.request.urlopen(urllib.request.Request(
                server.endpoint, data=RUNAWAY.encode(),
                headers={"Content-Type": "application/sparql-query"}), timeout=30)
        except urllib.error.HTTPError as e:
            outcome["status"] = e.code
            e.close()
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.5)
    started = time.monotonic()
    # From another address: one client holds at most half of a web worker's query processes.
    other = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10,
                                       source_address=("127.0.0.3", 0))
    try:
        other.request("GET", "/sparql?query=" + urllib.parse.quote(QUICK))
        assert other.getresponse().status == 200 and time.monotonic() - started < 1
    finally:
        other.close()
    thread.join()
    assert outcome["status"] == 503 and float(outcome["seconds"]) < 3 + 1  # type: ignore[arg-type]


def test_service_never_fetches_over_http(server: Server) -> None:
    listener = Listener()
    try:
        query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.port}/> {{ ?s ?p ?o }} }}"
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(f"{server.endpoint}?query=" + urllib.parse.quote(query))
        assert error.value.code == 400
        error.value.close()
        time.sleep(0.2)
        assert listener.connections == 0
    finally:
        listener.close()


def test_serve_arbitrary_files(tmp_path: Path) -> None:
    running = Server(tmp_path, "--data", str(DATA / "small.trig"))
    try:
        assert triples_in(running) == 162
    finally:
        running.stop()


def test_no_process_outlives_a_killed_server(tmp_path: Path, built: Path) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(built, data_dir, symlinks=True)
    running = Server(data_dir)
    try:
        everyone = 1 + 2 + 2 * 2  # master, web workers, their query processes
        deadline = time.monotonic() + 30
        while len(running.group()) < everyone and time.monotonic() < deadline:
            time.sleep(0.2)  # the second worker may still be starting its query processes
        assert len(running.group()) == everyone
        os.kill(running.process.pid, signal.SIGKILL)  # the master only, without warning
        running.process.wait()
        deadline = time.monotonic() + 15
        while running.group() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert running.group() == []
    finally:
        running.stop()


def test_writes_over_http_with_a_token(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("s3cret-token\n")
    running = Server(tmp_path, "--data", str(DATA / "small.trig"),
                     "--write-token-file", str(token_file))
    try:
        graph = f"{running.url}/store?graph=" + urllib.parse.quote("http://example.org/new")
        refused = _curl("-X", "PUT", "-H", "Content-Type: text/turtle", "--data-binary",
                        "<http://e/a> <http://e/b> <http://e/c> .", graph)
        assert " 401 " in refused.stdout.splitlines()[0]
        put = _curl("-X", "PUT", "-H", "Content-Type: text/turtle",
                    "-H", "Authorization: Bearer s3cret-token",
                    "--data-binary", "<http://e/a> <http://e/b> <http://e/c> .", graph)
        assert " 201 " in put.stdout.splitlines()[0]
        assert triples_in(running) == 163
    finally:
        running.stop()


def test_a_long_get_query_is_answered(server: Server) -> None:
    # gunicorn's default request line (4 KB) would refuse it with a bare HTML page.
    query = "ASK { ?s ?p ?o } # " + "x" * 6000
    with urllib.request.urlopen(f"{server.endpoint}?query=" + urllib.parse.quote(query),
                                timeout=10) as answer:
        assert answer.status == 200


def test_serve_builds_the_store_first_when_there_is_none(tmp_path: Path) -> None:
    # What README.md's first command does on a fresh machine.
    running = Server(tmp_path / "fresh")
    try:
        log = running.log.read_text()
        assert "building it first" in log
        assert f"dakg is serving {running.url}/sparql" in log
        assert triples_in(running) > 30000
    finally:
        running.stop()
