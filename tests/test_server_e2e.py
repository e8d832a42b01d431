"""The real server (``dakg serve`` in a subprocess, gunicorn and all) with real clients:
SPARQLWrapper, rdflib's SPARQLStore, curl, and a browser-style CORS preflight."""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from xml.dom.minidom import Document

import pytest
from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from rdflib.query import ResultRow
from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper

from dakg.settings import env_name

from .helpers import DATA, QUICK, RUNAWAY, Listener, Server, readme_examples, select, triples_in
from .stores import STORES, LoadedStores, store_settings

pytestmark = pytest.mark.e2e
REC = "https://w3id.org/dakg/id/recommendation/"


@pytest.fixture(scope="module")
def server(built: Path) -> Iterator[Server]:
    running = Server(built, "--query-timeout", "3")
    yield running
    running.stop()


@pytest.fixture(scope="module", params=STORES)
def any_server(request: pytest.FixtureRequest, built: Path, server: Server,
               report_stores: LoadedStores) -> Iterator[Server]:
    """``dakg serve`` of the build from each store: the embedded one (``server``), or a
    SPARQL server (``dakg serve --store``, ``tests/stores.py``)."""
    if request.param == "embedded":
        yield server
        return
    settings = store_settings(report_stores.get(request.param).endpoints)
    running = Server(built, "--query-timeout", "3",
                     env={env_name(k): v for k, v in settings.items() if v is not None})
    yield running
    running.stop()


def test_startup_ends_with_the_home_page_url(server: Server) -> None:
    # Read once the workers answer: nothing gunicorn prints when it boots them may follow.
    last = server.log.read_text().splitlines()[-1]
    assert last.startswith(f"dakg is serving {server.url}/ (the home page; SPARQL endpoint "
                           f"{server.url}/sparql")


def test_sparqlwrapper_select_construct_ask(any_server: Server) -> None:
    rows = select(any_server.endpoint, f"SELECT ?s WHERE {{ <{REC}12> "
                  "<https://w3id.org/dakg/def/relatedSector> ?s }")
    assert len(rows) == 7
    client = SPARQLWrapper(any_server.endpoint)
    client.setReturnFormat(JSON)
    client.setMethod(POST)
    client.setQuery(f"ASK {{ <{REC}20> <https://w3id.org/dakg/def/refersTo> <{REC}16> }}")
    answer = client.queryAndConvert()
    assert isinstance(answer, dict) and answer["boolean"] is True
    client.setReturnFormat(TURTLE)
    client.setQuery(f"CONSTRUCT {{ <{REC}20> ?p ?o }} WHERE {{ <{REC}20> ?p ?o }}")
    turtle = client.queryAndConvert()
    assert isinstance(turtle, bytes)
    graph = Graph().parse(data=turtle, format="turtle")
    assert (URIRef(f"{REC}20"), URIRef("https://w3id.org/dakg/def/refersTo"),
            URIRef(f"{REC}16")) in graph


# SPARQLWrapper reads RDF into rdflib's ConjunctiveGraph, which rdflib 7 deprecates.
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_sparqlwrapper_defaults_for_every_query_form(any_server: Server) -> None:
    # SPARQLWrapper's defaults: GET, format=xml&output=xml&results=xml, and an Accept of
    # SPARQL XML for SELECT and ASK, RDF/XML for CONSTRUCT and DESCRIBE.
    client = SPARQLWrapper(any_server.endpoint)
    client.setQuery(f"SELECT ?s WHERE {{ <{REC}12> <https://w3id.org/dakg/def/relatedSector> "
                    "?s }")
    document = client.queryAndConvert()
    assert isinstance(document, Document)
    assert len(document.getElementsByTagName("result")) == 7
    client.setQuery(f"ASK {{ <{REC}20> <https://w3id.org/dakg/def/refersTo> <{REC}16> }}")
    answer = client.queryAndConvert()
    assert isinstance(answer, Document)
    assert answer.getElementsByTagName("boolean")[0].toxml() == "<boolean>true</boolean>"
    refers = (URIRef(f"{REC}20"), URIRef("https://w3id.org/dakg/def/refersTo"),
              URIRef(f"{REC}16"))
    client.setQuery(f"CONSTRUCT {{ <{REC}20> ?p ?o }} WHERE {{ <{REC}20> ?p ?o }}")
    constructed = client.queryAndConvert()
    assert isinstance(constructed, Graph) and refers in constructed
    client.setQuery(f"DESCRIBE <{REC}20>")
    described = client.queryAndConvert()
    assert isinstance(described, Graph) and refers in described


@pytest.mark.parametrize(("question", "rows", "query"), readme_examples(),
                         ids=lambda v: str(v)[:40])
def test_readme_examples_run_at_the_endpoint_as_written(any_server: Server, question: str,
                                                        rows: int, query: str) -> None:
    # No prologue: the endpoint declares the dataset's prefixes, as `dakg query` does.
    client = SPARQLWrapper(any_server.endpoint)
    client.setReturnFormat(JSON)
    client.setQuery(query)
    result = client.queryAndConvert()
    assert isinstance(result, dict)
    assert len(result["results"]["bindings"]) == rows, question


def test_rdflib_sparqlstore(any_server: Server) -> None:
    graph = Graph(store=SPARQLStore(any_server.endpoint, returnFormat="json"))
    rows = list(graph.query("SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { ?r a "
                            "<https://w3id.org/dakg/def/Recommendation> }"))
    assert isinstance(rows[0], ResultRow) and int(rows[0][0]) == 45
    label = graph.value(URIRef(f"{REC}1"), URIRef("http://www.w3.org/2004/02/skos/core#notation"))
    assert str(label) == "1"


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_rdflib_sparqlstore_with_its_defaults(any_server: Server) -> None:
    # SPARQLStore's default is XML: SPARQL XML for SELECT and ASK, RDF/XML for CONSTRUCT.
    graph = Graph(store=SPARQLStore(any_server.endpoint))
    refers = "<https://w3id.org/dakg/def/refersTo>"
    rows = graph.query(f"SELECT ?a ?b WHERE {{ ?a {refers} ?b }}")
    pairs = {(str(row[0]), str(row[1])) for row in rows if isinstance(row, ResultRow)}
    assert (f"{REC}20", f"{REC}16") in pairs
    assert graph.query(f"ASK {{ <{REC}20> {refers} <{REC}16> }}").askAnswer is True
    constructed = graph.query(f"CONSTRUCT WHERE {{ ?a {refers} ?b }}").graph
    assert constructed is not None and len(constructed) == len(pairs)


def _curl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["curl", "-s", "-S", "-i", *args], capture_output=True, text=True,
                          timeout=30, check=True)


def test_curl_get_and_post(any_server: Server) -> None:
    got = _curl("-H", "Accept: text/csv", "--get", "--data-urlencode",
                "query=SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/dakg/def/"
                "RecommendationSection> }", any_server.endpoint)
    assert "200 OK" in got.stdout.splitlines()[0]
    assert "content-type: text/csv; charset=utf-8" in got.stdout.lower()
    assert got.stdout.rstrip().endswith("40")
    posted = _curl("-H", "Content-Type: application/sparql-query", "--data-binary",
                   "SELEC nonsense", any_server.endpoint)
    assert "400" in posted.stdout.splitlines()[0] and "not valid SPARQL" in posted.stdout


def test_browser_preflight(any_server: Server) -> None:
    preflight = _curl("-X", "OPTIONS", "-H", "Origin: https://yasgui.example",
                      "-H", "Access-Control-Request-Method: POST",
                      "-H", "Access-Control-Request-Headers: content-type", any_server.endpoint)
    head = preflight.stdout.lower()
    assert " 204 " in preflight.stdout.splitlines()[0]
    assert "access-control-allow-origin: *" in head and "post" in head
    described = _curl("-H", "Accept: text/turtle", any_server.endpoint)
    assert "sd:Service" in described.stdout and "void:triples" in described.stdout


def test_runaway_over_http_while_others_are_served(server: Server) -> None:
    outcome: dict[str, int | str] = {}

    def runaway() -> None:
        try:
            urllib.request.urlopen(urllib.request.Request(
                server.endpoint, data=RUNAWAY.encode(),
                headers={"Content-Type": "application/sparql-query"}), timeout=30)
        except urllib.error.HTTPError as e:
            outcome["status"] = e.code
            outcome["message"] = e.read().decode()
            e.close()

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.5)
    # From another address: one client holds at most half of a web worker's query processes.
    other = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10,
                                       source_address=("127.0.0.3", 0))
    try:
        other.request("GET", "/sparql?query=" + urllib.parse.quote(QUICK))
        # Answered while the runaway still runs: the runaway holds one query process only.
        assert other.getresponse().status == 200 and thread.is_alive()
    finally:
        other.close()
    thread.join()
    assert outcome["status"] == 503 and "stopped after 3 s" in str(outcome["message"])


def test_service_never_fetches_over_http(any_server: Server) -> None:
    listener = Listener()
    try:
        query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.port}/> {{ ?s ?p ?o }} }}"
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(f"{any_server.endpoint}?query=" + urllib.parse.quote(query))
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


def test_a_long_get_query_is_answered(any_server: Server) -> None:
    # gunicorn's default request line (4 KB) would refuse it with a bare HTML page.
    query = "ASK { ?s ?p ?o } # " + "x" * 6000
    with urllib.request.urlopen(f"{any_server.endpoint}?query=" + urllib.parse.quote(query),
                                timeout=10) as answer:
        assert answer.status == 200


def test_serve_builds_the_store_first_when_there_is_none(tmp_path: Path) -> None:
    # What README.md's first command does on a fresh machine.
    running = Server(tmp_path / "fresh")
    try:
        log = running.log.read_text()
        assert "building it first" in log
        assert log.splitlines()[-1].startswith(f"dakg is serving {running.url}/ ")
        assert triples_in(running) > 30000
    finally:
        running.stop()
