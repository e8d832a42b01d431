"""The query mix of ``bench/peers.py`` and the check that every peer answers it alike.

The five queries of issue 6's table (its fragments kept verbatim, the rest of each query
written around them), a resource page and the ``DESCRIBE`` of the same resource. The
expected size of each answer (rows, or triples) comes from Oxigraph run in this process on
the dump, so no server is the reference for another.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

import pyoxigraph as ox

from peer_servers import Peer

JSON = "application/sparql-results+json"
TURTLE = "text/turtle"
HTML = "text/html"
REC20 = "https://w3id.org/dakg/id/recommendation/20"


class HttpStatus(OSError):
    """An error status in answer to a request."""

    def __init__(self, status: int, body: bytes) -> None:
        super().__init__(f"status {status}: {body[:300].decode(errors='replace')}")
        self.status = status


@dataclass(frozen=True)
class Request:
    path: str
    accept: str


@dataclass(frozen=True)
class Probe:
    """One row of the table: a query, or a page that peers without pages answer as a query."""

    name: str
    query: str
    page: str | None = None  # the path of dakg's page, for peers that serve pages

    @property
    def answers_graph(self) -> bool:
        return self.query.startswith(("DESCRIBE", "CONSTRUCT"))

    def request(self, peer: Peer) -> Request:
        if self.page is not None and peer.has_pages:
            return Request(self.page, HTML)
        accept = (peer.graphs_as or TURTLE) if self.answers_graph else JSON
        return Request(f"{peer.endpoint}?query={urllib.parse.quote(self.query)}", accept)


MIX = (
    Probe("one triple", "SELECT ?o WHERE { ?s ?p ?o } LIMIT 1"),
    Probe("STRSTARTS scan",
          'SELECT ?s ?o WHERE { ?s ?p ?o FILTER(STRSTARTS(STR(?o), "产权组织的技术援助")) }'),
    Probe("CONTAINS scan",
          'SELECT ?s ?o WHERE { ?s ?p ?o FILTER(CONTAINS(STR(?o), "公有领域")) }'),
    Probe("GROUP BY ?p",
          "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY DESC(?n) ?p"),
    Probe("two-hop join",
          "SELECT ?a ?b ?c WHERE { ?a ?p ?b . ?b ?q ?c "
          'FILTER(ISLITERAL(?c) && CONTAINS(STR(?c), "部门")) } LIMIT 200'),
    Probe("page /id/recommendation/20 (others: DESCRIBE)", f"DESCRIBE <{REC20}>",
          page="/id/recommendation/20"),
    Probe("DESCRIBE recommendation/20", f"DESCRIBE <{REC20}>"),
)


@dataclass(frozen=True)
class Answer:
    """A peer's answer to a probe, as the check saw it."""

    size: int | None  # rows or triples; None when no answer could be counted
    problem: str = ""  # why the answer is not the expected one; empty when it is
    timed_out: bool = False

    @property
    def ok(self) -> bool:
        return not self.problem


def expected_sizes(dump: Path, mix: tuple[Probe, ...] = MIX) -> dict[str, int]:
    """Rows (or triples) of each probe's query, run by Oxigraph in this process on ``dump``."""
    store = ox.Store()
    store.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
    return {p.name: _size(store.query(p.query, use_default_graph_as_union=True)) for p in mix}


def check(peer: Peer, probe: Probe, expected: int, cap: float) -> Answer:
    """Ask ``peer`` once and compare the size of its answer with ``expected``.

    A page is checked as HTML, and its size counted on its Turtle representation at the
    same path (a page shows what its RDF carries).
    """
    request = probe.request(peer)
    try:
        media, body = fetch(peer.url + request.path, request.accept, cap)
        if request.accept == HTML:
            if media != HTML:
                return Answer(None, f"a page as {media}, not {HTML}")
            media, body = fetch(peer.url + request.path, TURTLE, cap)
        size = count((peer.graphs_as if probe.answers_graph else None) or media, body)
    except TimeoutError:
        return Answer(None, f"no answer within {cap:g} s", timed_out=True)
    except (OSError, ValueError, SyntaxError) as e:
        return Answer(None, str(e))
    if size != expected:
        return Answer(size, f"{size} rows or triples where Oxigraph gives {expected}")
    return Answer(size)


def fetch(url: str, accept: str, timeout: float) -> tuple[str, bytes]:
    """(media type, body) of a GET; a timeout is a ``TimeoutError``, an error status an
    ``HttpStatus``."""
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            headers: Message = response.headers
            return headers.get_content_type(), response.read()
    except urllib.error.HTTPError as e:
        raise HttpStatus(e.code, e.read()) from e
    except urllib.error.URLError as e:
        if isinstance(e.reason, TimeoutError):
            raise TimeoutError(str(e.reason)) from e
        raise


def count(media: str, body: bytes) -> int:
    """Rows of a SPARQL result, or triples of an RDF document, read by Oxigraph."""
    results = ox.QueryResultsFormat.from_media_type(media)
    if results is not None:
        return _size(ox.parse_query_results(body, format=results))
    rdf = ox.RdfFormat.from_media_type(media)
    if rdf is None:
        raise ValueError(f"an answer as {media}, which is neither results nor RDF")
    return len(list(ox.parse(body, format=rdf)))


def _size(answer: ox.QuerySolutions | ox.QueryTriples | ox.QueryBoolean) -> int:
    """Rows or triples; an ASK answer is one row."""
    return 1 if isinstance(answer, ox.QueryBoolean) else len(list(answer))
