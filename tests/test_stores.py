"""`dakg build --store URL` against real SPARQL servers: Oxigraph server and Virtuoso 7.

Each server is started by ``tests/stores.py`` on loopback and loaded by the real command; the
README's questions are then asked of the server itself, with the graph names dakg uses.
"""

from __future__ import annotations

import http.server
import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from dakg.cli import main
from dakg.graph.rdf.namespaces import PREFIXES
from dakg.graph.stores import Endpoints, StoreError, StoreTimeout
from dakg.graph.stores.remote import DEFAULT, REGISTRY, RemoteStore
from dakg.settings import Settings, env_name

from .conftest import app_over
from .helpers import free_port, json_of, readme_examples
from .stores import SERVERS, StoreServer, store_settings


@pytest.fixture(scope="module", params=sorted(SERVERS))
def server(request: pytest.FixtureRequest,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[StoreServer]:
    started = SERVERS[request.param](tmp_path_factory.mktemp(request.param))
    started.start()
    yield started
    started.stop()


def store_env(endpoints: Endpoints) -> dict[str, str | None]:
    return {env_name(name): value for name, value in store_settings(endpoints).items()
            if name != "store"}


@pytest.fixture(scope="module")
def served(server: StoreServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder built with ``dakg build --store`` into ``server``."""
    data_dir = tmp_path_factory.mktemp("data")
    result = CliRunner().invoke(
        main, ["--data-dir", str(data_dir), "build", "--store", server.endpoints.query],
        env=store_env(server.endpoints))
    assert result.exit_code == 0, result.output
    assert f"served by {server.endpoints.query}" in result.output
    return data_dir


def manifest(data_dir: Path) -> dict[str, object]:
    return dict(json.loads((data_dir / "current" / "build.json").read_text()))


README_QUESTIONS = pytest.mark.parametrize(("question", "rows", "query"), readme_examples(),
                                           ids=lambda v: str(v)[:40])
ESCAPED_NAME = re.compile(r"\b([a-z]+):([\w-]+(?:\\/[\w-]+)+)")


def for_server(server: StoreServer, query: str) -> str:
    """``query`` as the server reads it: Virtuoso 7.2's parser knows no escapes in prefixed
    names (``id:recommendation\\/12``, SPARQL 1.1 §19.8 PN_LOCAL_ESC), so they are written
    out as IRIs for it; a difference the README documents."""
    if server.name != "virtuoso":
        return query
    return ESCAPED_NAME.sub(lambda m: f"<{PREFIXES[m[1]]}{m[2].replace(chr(92), '')}>", query)


@README_QUESTIONS
def test_the_readme_questions_answer_from_the_server(server: StoreServer, served: Path,
                                                     question: str, rows: int,
                                                     query: str) -> None:
    result = RemoteStore(server.endpoints).query(for_server(server, query), PREFIXES)
    assert isinstance(result, ox.QuerySolutions)
    assert len(list(result)) == rows, question


def test_the_server_serves_the_graphs_of_the_build(server: StoreServer, served: Path) -> None:
    store = RemoteStore(server.endpoints)
    built = manifest(served)
    assert store.served_version() == built["version"]
    graphs = built["graphs"]
    assert isinstance(graphs, dict)
    assert store.served_graphs() == sorted(graphs)
    assert {name: store.graph_size(name) for name in graphs} == graphs
    assert store.staging_graphs() == []


def test_a_construct_comes_back_as_triples(server: StoreServer, served: Path) -> None:
    result = RemoteStore(server.endpoints).query(
        "CONSTRUCT { ?from dakg:refersTo ?to } WHERE { ?from a dakg:Recommendation ; "
        "dakg:refersTo ?to }", PREFIXES)
    assert isinstance(result, ox.QueryTriples)
    assert len(list(result)) == 4  # as the README's question on references


def test_the_store_credentials_are_checked_where_the_server_asks(server: StoreServer,
                                                                 served: Path) -> None:
    wrong = Endpoints(server.endpoints.query, server.endpoints.update,
                      server.endpoints.graph_store, "dakg:not-the-password")
    drop = f"DROP SILENT GRAPH <{REGISTRY}-nothing>"
    if server.endpoints.credentials is None:  # Oxigraph server has no users: it asks nobody
        RemoteStore(wrong).update(drop)
    else:
        with pytest.raises(StoreError, match="refused the store credentials"):
            RemoteStore(wrong).update(drop)


def test_a_build_into_a_dead_server_fails_and_switches_nothing(tmp_path: Path) -> None:
    port = free_port()  # closed again: nobody listens there
    result = CliRunner().invoke(main, ["--data-dir", str(tmp_path), "build", "--store",
                                       f"http://127.0.0.1:{port}/sparql"])
    assert result.exit_code == 1
    assert f"127.0.0.1:{port}/sparql: cannot reach the server" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "current").exists()


def test_a_server_that_never_answers_times_out() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # connections are queued, never answered
        port = silent.getsockname()[1]
        store = RemoteStore(Endpoints(f"http://127.0.0.1:{port}/sparql", timeout=0.3))
        with pytest.raises(StoreTimeout, match=r"no answer within 0\.3s"):
            store.served_version()


def test_the_store_credentials_are_never_shown() -> None:
    env = {env_name("store"): "http://127.0.0.1:1/sparql",
           env_name("store_credentials"): "dakg:sesame-secret"}
    result = CliRunner().invoke(main, ["settings"], env=env)
    assert result.exit_code == 0
    assert "store_credentials = (set)" in result.output
    assert "sesame-secret" not in result.output
    assert "sesame-secret" not in repr(Settings.from_env(env))


@pytest.mark.parametrize(("setting", "value", "message"), [
    ("store", "var/elsewhere", "store must be the http"),
    ("store_graph_store", "ftp://127.0.0.1/store", "graph_store endpoint must be an http"),
    ("store_credentials", "no-colon", "user:password"),
])
def test_bad_store_settings_are_refused(setting: str, value: str, message: str) -> None:
    env = {env_name("store"): "http://127.0.0.1:1/sparql", env_name(setting): value}
    with pytest.raises(ValueError, match=message):
        Settings.from_env(env)


# dakg serve --store: /sparql answered by the server, dakg's checks in front

def remote_app(served: Path, endpoints: Endpoints | str, **settings: Any) -> Flask:
    """An app serving from the SPARQL server at ``endpoints`` (a query URL: only that)."""

    if isinstance(endpoints, str):
        endpoints = Endpoints(endpoints)
    chosen = {"query_timeout": 10.0, "row_limit": 30, "workers": 1, "query_workers": 1,
              **store_settings(endpoints), **settings}
    app: Flask = app_over(Settings(data_dir=served, **chosen).checked())
    return app


@pytest.fixture()
def client(server: StoreServer, served: Path) -> Iterator[FlaskClient]:
    app = remote_app(served, server.endpoints)
    yield app.test_client()
    app.extensions["dakg"].close()


@README_QUESTIONS
def test_the_endpoint_answers_the_readme_questions_from_the_server(
        client: FlaskClient, question: str, rows: int, query: str) -> None:
    prologue = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
    response = client.get("/sparql", query_string={"query": prologue + query},
                          headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    assert len(json_of(response)["results"]["bindings"]) == rows, question


def test_the_row_cap_cuts_the_server_answer(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": "SELECT * { ?s ?p ?o }"},
                          headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200
    assert response.headers["Dakg-Truncated"] == "true"
    assert len(json_of(response)["results"]["bindings"]) == 30


def test_an_answer_longer_than_the_server_reads_is_refused(server: StoreServer,
                                                           served: Path) -> None:
    app = remote_app(served, server.endpoints, max_response_bytes=2000)
    response = app.test_client().get("/sparql", query_string={"query": "SELECT * { ?s ?p ?o }"})
    app.extensions["dakg"].close()
    assert response.status_code == 503
    assert "longer than 2000 bytes" in response.text


def test_a_construct_is_written_in_the_format_asked(client: FlaskClient) -> None:
    query = ("CONSTRUCT { ?from <https://w3id.org/dakg/def/refersTo> ?to } WHERE { ?from "
             "<https://w3id.org/dakg/def/refersTo> ?to }")
    response = client.get("/sparql", query_string={"query": query},
                          headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.mimetype == "text/turtle"
    assert len(list(ox.parse(response.data, ox.RdfFormat.TURTLE))) >= 4


@pytest.mark.parametrize(("request_text", "status"), [
    ("SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", 400),
    ("SELECT * { " + "{ " * 200 + "?s ?p ?o" + " }" * 200 + " }", 400),
    ("SELECT * { ?s ?p }", 400),  # the server's own parser refuses it: still the client's
])
def test_refused_queries_are_the_clients_fault(client: FlaskClient, request_text: str,
                                               status: int) -> None:
    response = client.get("/sparql", query_string={"query": request_text})
    assert response.status_code == status, response.text


def test_a_dead_server_gives_503(built: Path) -> None:
    port = free_port()  # closed again: nobody listens there
    app = remote_app(built, f"http://127.0.0.1:{port}/sparql")
    for path in ("/sparql?query=ASK%7B%7D", "/", "/id/recommendation/20", "/search?q=25"):
        response = app.test_client().get(path)
        assert response.status_code == 503, path
        assert "cannot answer now" in response.text
    health = app.test_client().get("/health")
    assert health.status_code == 503
    assert json_of(health)["problem"] == "the SPARQL server cannot be read"


def test_a_silent_server_gives_504_after_the_query_timeout(built: Path) -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        app = remote_app(built, f"http://127.0.0.1:{silent.getsockname()[1]}/sparql",
                         query_timeout=0.3)
        response = app.test_client().get("/sparql", query_string={"query": "ASK {}"})
    assert response.status_code == 504
    assert "did not answer within 0.3 s" in response.text


class Trickling(http.server.BaseHTTPRequestHandler):
    """Answers every request at once, then sends its body a byte every 0.1 s."""

    def do_POST(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.end_headers()
        try:
            for byte in b'{"head": {"vars": []}, "boolean": true}' * 10:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.1)
        except OSError:
            pass  # dakg hung up, as it should

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_a_server_that_trickles_its_answer_gives_504_after_the_query_timeout(
        built: Path) -> None:
    trickling = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Trickling)
    trickling.daemon_threads = True  # a handler still trickling does not hold the test up
    thread = threading.Thread(target=trickling.serve_forever, daemon=True)
    thread.start()
    try:
        app = remote_app(built, f"http://127.0.0.1:{trickling.server_port}/sparql",
                         query_timeout=0.5)
        response = app.test_client().get("/sparql", query_string={"query": "ASK {}"})
    finally:
        trickling.shutdown()
        trickling.server_close()
    assert response.status_code == 504, response.text
    assert "did not answer within 0.5 s" in response.text


def test_blank_nodes_come_back_as_blank_nodes(server: StoreServer, served: Path) -> None:
    result = RemoteStore(server.endpoints).query(
        "SELECT ?b WHERE { ?s ?p ?b FILTER(isBlank(?b)) } LIMIT 3")
    assert isinstance(result, ox.QuerySolutions)
    found = [row["b"] for row in result]
    assert len(found) == 3
    assert all(isinstance(b, ox.BlankNode) for b in found)


def test_a_describe_is_the_same_description_as_on_the_embedded_store(
        client: FlaskClient, served: Path) -> None:
    query = "DESCRIBE <https://w3id.org/dakg/id/recommendation/20>"
    answer = client.get("/sparql", query_string={"query": query},
                        headers={"Accept": "application/n-triples"})
    embedded = ox.Store.read_only(str(served / "current" / "store")).query(
        query, use_default_graph_as_union=True)
    assert isinstance(embedded, ox.QueryTriples)
    assert {str(t) for t in ox.parse(answer.data, ox.RdfFormat.N_TRIPLES)} == \
        {str(t) for t in embedded}


# dakg serve --store: writes go to the server, behind the token, the registry kept in step

TOKEN = "store-write-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
NEW = "http://example.org/written"


@pytest.fixture()
def writer(server: StoreServer, served: Path) -> Iterator[FlaskClient]:
    app = remote_app(served, server.endpoints, write_token=TOKEN)
    yield app.test_client()
    app.extensions["dakg"].close()


def objects(client: FlaskClient, subject: str) -> list[str]:
    response = client.get("/sparql", query_string={"query": f"SELECT ?o {{ <{subject}> ?p ?o }}"
                                                            " ORDER BY ?o"},
                          headers={"Accept": "text/csv"})
    assert response.status_code == 200, response.text
    return response.text.split()[1:]


def test_the_graph_store_protocol_writes_to_the_server(server: StoreServer,
                                                       writer: FlaskClient) -> None:
    store, path = RemoteStore(server.endpoints), f"/store?graph={NEW}"
    before = writer.get("/store?graph=https://w3id.org/dakg/id/graph/shared").headers["ETag"]
    turtle = {**AUTH, "Content-Type": "text/turtle"}
    assert writer.put(path, data='<http://e/s> <http://e/p> "one" .', headers=turtle) \
        .status_code == 201
    assert writer.post(path, data='<http://e/s> <http://e/p> "two" .', headers=turtle) \
        .status_code == 204
    assert objects(writer, "http://e/s") == ["one", "two"]  # in the union, at once
    got = writer.get(path, headers={"Accept": "application/n-triples"})
    assert len(list(ox.parse(got.data, ox.RdfFormat.N_TRIPLES))) == 2
    assert NEW in store.served_graphs()
    after = writer.get("/store?graph=https://w3id.org/dakg/id/graph/shared").headers["ETag"]
    assert after != before  # a new version: nothing cached under the old one is taken as new
    assert writer.delete(path, headers=AUTH).status_code == 204
    assert writer.get(path).status_code == 404
    assert writer.delete(path, headers=AUTH).status_code == 404
    assert NEW not in store.served_graphs() and objects(writer, "http://e/s") == []


def test_an_update_reads_the_served_graphs_and_writes_the_default_graph_as_its_own(
        server: StoreServer, writer: FlaskClient) -> None:
    update = (f"INSERT {{ GRAPH <{NEW}> {{ ?r a <http://e/Counted> }} }} WHERE {{ ?r a "
              "dakg:Recommendation } ; INSERT DATA { <http://e/s> <http://e/p> \"default\" }")
    response = writer.post("/update", data={"update": update}, headers=AUTH)
    assert response.status_code == 204, response.text
    count = writer.get("/sparql", query_string={
        "query": "SELECT (COUNT(*) AS ?n) { ?r a <http://e/Counted> }"},
        headers={"Accept": "text/csv"})
    assert count.text.split()[1] == "45"
    default = writer.get("/store?default", headers={"Accept": "application/n-triples"})
    assert b'"default"' in default.data  # on the server, in urn:dakg:default
    assert RemoteStore(server.endpoints).graph_size(DEFAULT) == 1
    cleanup = f"DROP GRAPH <{NEW}> ; DELETE DATA {{ <http://e/s> <http://e/p> \"default\" }}"
    assert writer.post("/update", data={"update": cleanup}, headers=AUTH).status_code == 204
    assert NEW not in RemoteStore(server.endpoints).served_graphs()
    assert objects(writer, "http://e/s") == []


@pytest.mark.parametrize("update", ["DROP ALL", "CLEAR NAMED", "CLEAR DEFAULT",
                                    f"DROP GRAPH <{REGISTRY}>",
                                    f"INSERT DATA {{ GRAPH <{REGISTRY}> {{ <a:b> <a:c> 1 }} }}"])
def test_updates_that_would_reach_the_servers_own_graphs_are_refused(
        server: StoreServer, writer: FlaskClient, update: str) -> None:
    response = writer.post("/update", data={"update": update}, headers=AUTH)
    assert response.status_code == 400
    assert RemoteStore(server.endpoints).served_graphs()  # the registry is whole


def test_the_health_check_asks_the_server(server: StoreServer, client: FlaskClient) -> None:
    health = client.get("/health")
    assert health.status_code == 200
    assert json_of(health)["version"] == RemoteStore(server.endpoints).served_version()


def test_the_store_credentials_are_never_logged_nor_shown(
        server: StoreServer, served: Path, caplog: pytest.LogCaptureFixture) -> None:
    secret = "not-the-password-7f3a"
    wrong = Endpoints(server.endpoints.query, server.endpoints.update,
                      server.endpoints.graph_store, f"dakg:{secret}")
    app = remote_app(served, wrong, write_token=TOKEN)
    client = app.test_client()
    responses = [client.post("/update", data={"update": f"CLEAR GRAPH <{NEW}>"},
                             headers=AUTH),
                 client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"})]
    app.extensions["dakg"].close()
    if server.endpoints.credentials is not None:  # Virtuoso asks for them, and refuses these
        assert responses[0].status_code == 503
        assert "refused the store credentials" in caplog.text
    assert all(secret not in r.text for r in responses)
    assert secret not in caplog.text


def test_writes_need_the_token(writer: FlaskClient) -> None:
    assert writer.post("/update", data={"update": "CLEAR GRAPH <http://e/g>"}) \
        .status_code == 401
    wrong = {"Authorization": "Bearer not-the-token"}
    assert writer.delete(f"/store?graph={NEW}", headers=wrong).status_code == 403


def test_a_query_longer_than_the_timeout_is_stopped_on_the_server_too(
        server: StoreServer, served: Path) -> None:
    app = remote_app(served, server.endpoints, query_timeout=1.0)
    slow = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f FILTER(STR(?c) < STR(?f)) }"
    response = app.test_client().get("/sparql", query_string={"query": slow})
    app.extensions["dakg"].close()
    # Virtuoso is told the limit, and its partial "anytime" answer is refused; Oxigraph
    # server stops at its own --timeout-s, dakg's HTTP call at query_timeout.
    assert response.status_code == 504, response.text
    assert "did not answer within 1 s" in response.text


class KilledWhileLoading(RemoteStore):
    """Kills the server once the first graph of the new build is staged."""

    def __init__(self, server: StoreServer) -> None:
        super().__init__(server.endpoints)
        self.server = server

    def put_graph(self, name: str, triples: list[ox.Triple]) -> None:
        super().put_graph(name, triples)
        self.server.kill()


def test_a_server_killed_while_loading_serves_the_previous_build(
        server: StoreServer, served: Path, tmp_path: Path) -> None:
    """Last of the module for each server: it leaves another build serving."""
    before = RemoteStore(server.endpoints).served_version()  # writes above changed it
    graphs = manifest(served)["graphs"]
    assert isinstance(graphs, dict)
    manifest_graphs = sorted(graphs)
    nquads = served / "current" / "dumps" / "dakg.nq.gz"
    with pytest.raises(StoreError, match=r"cannot reach|connection"):
        KilledWhileLoading(server).publish(nquads, "interrupted")
    server.start()
    store = RemoteStore(server.endpoints)
    assert store.served_version() == before
    staged = store.staging_graphs()
    assert len(staged) == 1 and store.graph_size(staged[0]) > 0  # killed after one graph
    question, rows, query = readme_examples()[0]
    solutions = store.query(for_server(server, query), PREFIXES)
    assert isinstance(solutions, ox.QuerySolutions)
    assert len(list(solutions)) == rows, question
    # The next build clears what the killed one left, and the graphs the old build had and
    # it has not. A small one: the switching update of a whole build takes seconds.
    small = tmp_path / "small.nq"
    small.write_text('<urn:dakg:test:s> <urn:dakg:test:p> "o" <urn:dakg:test:g> .\n')
    store.publish(small, "after the kill")
    assert store.served_version() == "after the kill"
    assert store.served_graphs() == ["urn:dakg:test:g"]
    assert store.staging_graphs() == []
    assert store.graph_size(str(manifest_graphs[0])) == 0
