"""The W3C SPARQL 1.1 Protocol test suite (``tests/data/w3c/``), every entry replayed as raw
HTTP against the real server: entries that only query against a read-only server holding the
manifest's graphs, from each store (embedded, and ``dakg serve --store`` on Oxigraph server
and Virtuoso); entries that update against a server started with a write token."""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import RDF, Graph, Literal, Namespace
from rdflib.collection import Collection
from rdflib.term import Node

from dakg.settings import env_name

from .helpers import DATA, Server
from .stores import STORES, LoadedStores, store_settings

pytestmark = pytest.mark.e2e

W3C = DATA / "w3c"
MANIFEST = W3C / "sparql11-protocol-manifest.ttl"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
TOKEN = "w3c-protocol-token"

# What each ``mf:expectedFormat`` admits, as the manifest's test names spell it out.
EXPECTED_TYPES = {
    "boolean": {"application/sparql-results+xml", "application/sparql-results+json"},
    "tabular": {"application/sparql-results+xml", "application/sparql-results+json",
                "text/csv", "text/tab-separated-values"},
    "RDF": {"application/rdf+xml", "text/turtle", "application/n-triples"},
}


@dataclass(frozen=True)
class Exchange:
    method: str
    path: str  # with the manifest's /sparql/ replaced by the endpoint's own path
    headers: dict[str, str]
    body: bytes | None
    statuses: frozenset[int]  # expected status classes: 2, 3, 4
    boolean: bool | None
    result_format: str | None


@dataclass(frozen=True)
class Entry:
    name: str
    exchanges: tuple[Exchange, ...]

    @property
    def updates(self) -> bool:
        return "update" in self.name


def _list(graph: Graph, head: Node | None) -> list[Node]:
    return list(Collection(graph, head)) if head is not None else []


def _exchange(graph: Graph, request: Node) -> Exchange:
    headers = {str(graph.value(h, HT.fieldName)): str(graph.value(h, HT.fieldValue))
               for h in _list(graph, graph.value(request, HT.headers))}
    body = None
    content = graph.value(request, HT.body)
    if content is not None:
        encoding = str(graph.value(content, CNT.characterEncoding) or "UTF-8")
        body = str(graph.value(content, CNT.chars)).encode(encoding)
    response = graph.value(request, HT.resp)
    statuses = frozenset(int(str(s).rsplit("StatusCode", 1)[1][0])
                         for s in graph.objects(response, MF.expectedStatus))
    boolean = graph.value(response, MF.expectedBoolean)
    result_format = graph.value(response, MF.expectedFormat)
    path = str(graph.value(request, HT.absolutePath))
    assert path.startswith("/sparql/")
    return Exchange(str(graph.value(request, HT.methodName)), "/sparql" + path[len("/sparql/"):],
                    headers, body, statuses,
                    None if boolean is None else boolean == Literal(True),
                    None if result_format is None else str(result_format))


def entries() -> list[Entry]:
    graph = Graph().parse(MANIFEST, format="turtle")
    manifest = next(graph.subjects(RDF.type, MF.Manifest))
    found = []
    for test in _list(graph, graph.value(manifest, MF.entries)):
        action = graph.value(test, MF.action)
        requests = _list(graph, graph.value(action, HT.requests))
        found.append(Entry(str(test).rsplit("#", 1)[1],
                           tuple(_exchange(graph, r) for r in requests)))
    return found


def graph_data() -> dict[str, Path]:
    """The graphs the manifest's entries load: graph IRI → data file."""
    graph = Graph().parse(MANIFEST, format="turtle")
    found = {}
    for data in graph.objects(None, UT.graphData):
        name = str(graph.value(data, RDFS.label))
        file = str(graph.value(data, UT.graph)).rsplit("/", 1)[1]
        found[name] = W3C / f"sparql11-protocol-{file}"
    return found


def _dataset_file(folder: Path) -> Path:
    """The manifest's graphs as one N-Quads file, each graph under the IRI the manifest names."""
    quads = []
    for name, file in sorted(graph_data().items()):
        for triple in ox.parse(path=str(file), format=ox.RdfFormat.N_TRIPLES):
            quads.append(ox.Quad(triple.subject, triple.predicate, triple.object,
                                 ox.NamedNode(name)))
    path = folder / "protocol.nq"
    ox.serialize(quads, str(path), format=ox.RdfFormat.N_QUADS)
    return path


@pytest.fixture(scope="module")
def protocol_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the manifest's graphs (``protocol.nq``) and the write token."""
    folder = tmp_path_factory.mktemp("w3c")
    _dataset_file(folder)
    (folder / "token").write_text(TOKEN)
    return folder


@pytest.fixture(scope="module")
def protocol_stores(protocol_data: Path) -> Iterator[LoadedStores]:
    stores = LoadedStores(protocol_data, protocol_data / "protocol.nq", "w3c-protocol")
    yield stores
    stores.stop()


@pytest.fixture(scope="module", params=STORES)
def query_server(request: pytest.FixtureRequest, protocol_data: Path,
                 protocol_stores: LoadedStores) -> Iterator[Server]:
    """A read-only ``dakg serve`` of the manifest's graphs, from each store."""
    if request.param == "embedded":
        running = Server(protocol_data / "read-only", "--data",
                         str(protocol_data / "protocol.nq"))
    else:
        settings = store_settings(protocol_stores.get(request.param).endpoints)
        running = Server(protocol_data / f"on-{request.param}",
                         env={env_name(k): v for k, v in settings.items() if v is not None})
    yield running
    running.stop()


@pytest.fixture(scope="module")
def update_server(protocol_data: Path) -> Iterator[Server]:
    running = Server(protocol_data / "writable", "--data", str(protocol_data / "protocol.nq"),
                     "--write-token-file", str(protocol_data / "token"))
    yield running
    running.stop()


def send(server: Server, exchange: Exchange, token: str | None) -> tuple[int, str, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        headers = dict(exchange.headers)
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        connection.request(exchange.method, exchange.path, body=exchange.body, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type") or "", response.read()
    finally:
        connection.close()


def test_the_manifest_has_its_34_entries() -> None:
    assert len(entries()) == 34
    assert set(graph_data()) == {f"http://kasei.us/2009/09/sparql/data/data{n}.rdf"
                                 for n in (1, 2, 3)}


@pytest.mark.parametrize("entry", [e for e in entries() if not e.updates],
                         ids=lambda e: e.name)
def test_protocol_query(query_server: Server, entry: Entry) -> None:
    replay(query_server, entry, None)


@pytest.mark.parametrize("entry", [e for e in entries() if e.updates], ids=lambda e: e.name)
def test_protocol_update(update_server: Server, entry: Entry) -> None:
    replay(update_server, entry, TOKEN)


def replay(server: Server, entry: Entry, token: str | None) -> None:
    for step, exchange in enumerate(entry.exchanges, 1):
        status, content_type, body = send(server, exchange, token)
        where = f"{entry.name}, request {step}: {status} {body[:300]!r}"
        assert status // 100 in exchange.statuses, where
        media_type = content_type.split(";")[0].strip()
        if exchange.result_format is not None:
            assert media_type in EXPECTED_TYPES[exchange.result_format], where
        if exchange.boolean is not None:
            results = ox.QueryResultsFormat.from_media_type(media_type)
            assert results is not None, where
            answer = ox.parse_query_results(body, results)
            assert isinstance(answer, ox.QueryBoolean), where
            assert bool(answer) is exchange.boolean, where
