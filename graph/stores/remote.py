"""A SPARQL 1.1 server as dakg's store, through the standard protocols only.

Publishing a build never shows half of it. Each named graph is first loaded under a staging
name of its own (``urn:dakg:staging:<token>:<n>``, listed first in the graph
``urn:dakg:staged``), with the Graph Store HTTP Protocol's PUT
(or ``INSERT DATA`` where the server has no graph store), and its size checked. Then one
SPARQL Update request moves every staged graph onto its real name, drops the graphs the old
build had and the new one has not, and rewrites the small registry graph ``urn:dakg:served``
that names the build and its graphs. Both servers tested run one Update request as one
transaction: Oxigraph applies an update "in a transactional manner: either the full operation
succeeds or nothing is written" (pyoxigraph's ``Store.update``, the same store its server's
``/update`` calls); Virtuoso runs a SPARQL request as one SQL transaction, rolled back unless
committed, and replays only committed transactions from its log after a crash. A build that
fails or is killed before that request leaves the previous build serving, and the next build
drops the staging graphs it left behind.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox

from ..dumps import open_dump
from ..query import Result
from .endpoints import Endpoints
from .http import Http, StoreError, read_all

REGISTRY = "urn:dakg:served"
REGISTRY_SECONDS = 2.0
STAGING = "urn:dakg:staging:"
STAGED = "urn:dakg:staged"  # lists the staging graphs of a build until its switch
# The dataset's own default graph on a server (``dakg serve --store`` writes ``?default``
# there): a server's real default graph is not the same thing on every server (Virtuoso's is
# the union of all its graphs), and only a named graph can be named in a request.
DEFAULT = "urn:dakg:default"
RESERVED = "urn:dakg:"  # the registry's, staging and default graphs: no client writes there
DCTERMS_HAS_PART = "http://purl.org/dc/terms/hasPart"
OWL_VERSION_INFO = "http://www.w3.org/2002/07/owl#versionInfo"
FORM = "application/x-www-form-urlencoded"
# Virtuoso 7.2 answers a CONSTRUCT with 406 to an Accept header that names Turtle or
# N-Triples but not RDF/XML, however low the q-value.
ACCEPT = (f"{ox.QueryResultsFormat.XML.media_type}, {ox.RdfFormat.N_TRIPLES.media_type};q=0.9, "
          f"{ox.RdfFormat.RDF_XML.media_type};q=0.8")
VIRTUOSO_BNODE, BNODE = b"<bnode>nodeID://", b"<bnode>"  # Virtuoso's "nodeID://b10005"
DECLARED = re.compile(r"\bPREFIX\s+([\w.-]*):", re.IGNORECASE)


Streamed = Result | Iterator[ox.Triple]  # a CONSTRUCT's triples come as they are parsed


@dataclass(frozen=True)
class Served:
    """What the registry says: the version served (None before the first build) and its
    graphs."""

    version: str | None
    graphs: tuple[str, ...]
    default: bool = False  # whether ``DEFAULT`` has been written to since the build

    @property
    def default_graph(self) -> tuple[str, ...]:
        """The graphs whose union is the default graph. ``DEFAULT`` only once written: a
        graph that does not exist slows every query that names it down to half a second on
        Virtuoso 7.2."""
        return (*self.graphs, DEFAULT) if self.default else self.graphs


@dataclass(frozen=True)
class Published:
    version: str
    graphs: dict[str, int]


class RemoteStore:
    def __init__(self, endpoints: Endpoints) -> None:
        self.endpoints = endpoints
        self.http = Http(endpoints.credentials, endpoints.timeout)
        self._registry: tuple[float, Served] | None = None

    # Reading

    def query(self, sparql: str, prefixes: dict[str, str] | None = None, *,
              timeout: float | None = None, default_graphs: tuple[str, ...] | None = None,
              named_graphs: tuple[str, ...] | None = None, own_dataset: bool = False) -> Result:
        """``sparql`` over the served build's graphs: their union is the default graph.

        The dataset is named in the request (``default-graph-uri``, ``named-graph-uri``), so
        the server's other graphs (Virtuoso's system graphs, staging graphs) stay out of it;
        ``default_graphs``/``named_graphs`` name another, and ``own_dataset`` (a query with
        FROM) names none.
        """
        params = self._params(sparql, prefixes, timeout, default_graphs, named_graphs,
                              own_dataset)
        return self._ask(params, timeout)

    def fetch(self, sparql: str, prefixes: dict[str, str] | None = None, *,
              timeout: float | None = None, default_graphs: tuple[str, ...] | None = None,
              named_graphs: tuple[str, ...] | None = None, own_dataset: bool = False,
              max_bytes: int | None = None) -> Streamed:
        """As ``query``, a CONSTRUCT's triples as they are parsed; the answer is read whole
        first, within ``timeout`` and ``max_bytes`` (``StoreTooLarge``).

        Read whole, not parsed as it arrives: pyoxigraph's parser calling back into Python
        to read a socket crashes the process under gevent (pyo3 refuses to attach while the
        garbage collector traverses the parser, which a greenlet switch in the read allows).
        """
        params = self._params(sparql, prefixes, timeout, default_graphs, named_graphs,
                              own_dataset)
        seconds = timeout or self.endpoints.timeout
        with self.http.opened("POST", self.endpoints.query, urlencode(params).encode(),
                              {"Content-Type": FORM, "Accept": ACCEPT}, timeout) as answer:
            body = read_all(answer, "POST", self.endpoints.query, seconds, max_bytes)
            return _parse(answer.headers.get_content_type(), body, self.endpoints.query)

    def _params(self, sparql: str, prefixes: dict[str, str] | None, timeout: float | None,
                default_graphs: tuple[str, ...] | None, named_graphs: tuple[str, ...] | None,
                own_dataset: bool) -> list[tuple[str, str]]:
        params = [("query", prologue(sparql, prefixes or {}) + sparql)]
        if default_graphs is None and named_graphs is None and not own_dataset:
            served = self.served(timeout)
            if not served.graphs:
                raise StoreError(f"{self.endpoints.query} serves no dakg build yet: "
                                 "run 'dakg build --store URL' first")
            default_graphs, named_graphs = served.default_graph, served.graphs
        if self.virtuoso:
            # Its own limit (milliseconds), so that it stops when dakg stops waiting.
            params.append(("timeout", str(int((timeout or self.endpoints.timeout) * 1000))))
        params += [("default-graph-uri", g) for g in default_graphs or ()]
        params += [("named-graph-uri", g) for g in named_graphs or ()]
        return params

    @property
    def virtuoso(self) -> bool:
        """Whether the server is Virtuoso (so far as its answers have said)."""
        return self.http.software.startswith("Virtuoso/")

    def served(self, timeout: float | None = None) -> Served:
        """The registry, read again after ``REGISTRY_SECONDS`` (or a write from here): a
        query costs one request, and a new build is seen within seconds."""
        now = time.monotonic()
        if self._registry is None or now - self._registry[0] > REGISTRY_SECONDS:
            rows = self._select(
                f"SELECT ?v ?g WHERE {{ GRAPH <{REGISTRY}> {{ {{ <{REGISTRY}> "
                f"<{OWL_VERSION_INFO}> ?v }} UNION {{ <{REGISTRY}> <{DCTERMS_HAS_PART}> ?g }}"
                " } }", timeout)
            versions = [str(row["v"].value) for row in rows if row["v"] is not None]
            parts = {str(row["g"].value) for row in rows if row["g"] is not None}
            self._registry = (now, Served(versions[0] if versions else None,
                                          tuple(sorted(parts - {DEFAULT})), DEFAULT in parts))
        return self._registry[1]

    def forget_served(self) -> None:
        """Read the registry again on next use (after a write made here)."""
        self._registry = None

    def served_version(self) -> str | None:
        rows = self._select(f"SELECT ?v WHERE {{ GRAPH <{REGISTRY}> {{ <{REGISTRY}> "
                            f"<{OWL_VERSION_INFO}> ?v }} }}")
        return str(rows[0]["v"].value) if rows else None

    def served_graphs(self, timeout: float | None = None) -> list[str]:
        rows = self._select(f"SELECT ?g WHERE {{ GRAPH <{REGISTRY}> {{ <{REGISTRY}> "
                            f"<{DCTERMS_HAS_PART}> ?g }} }} ORDER BY ?g", timeout)
        return [str(row["g"].value) for row in rows]

    def graph_size(self, name: str) -> int:
        rows = self._select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{name}> "
                            "{ ?s ?p ?o } }")
        return int(rows[0]["n"].value) if rows else 0

    def staging_graphs(self) -> list[str]:
        """Staging graphs a build made and has not switched to (listed in ``STAGED``, which
        costs a request per graph, where finding them by name would read every quad)."""
        rows = self._select(f"SELECT ?g WHERE {{ GRAPH <{STAGED}> {{ <{STAGED}> "
                            f"<{DCTERMS_HAS_PART}> ?g }} }} ORDER BY ?g")
        return [str(row["g"].value) for row in rows]

    # Writing

    def update(self, sparql: str, timeout: float | None = None) -> None:
        self.http.send("POST", self.endpoints.update, urlencode({"update": sparql}).encode(),
                       {"Content-Type": FORM}, timeout)

    def put_graph(self, name: str, triples: list[ox.Triple]) -> None:
        """Replace graph ``name`` with ``triples`` (one request: blank nodes stay whole)."""
        data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        assert data is not None
        if self.endpoints.graph_store is None:
            self.update(f"DROP SILENT GRAPH <{name}> ;\n"
                        f"INSERT DATA {{ GRAPH <{name}> {{\n{data.decode()}}} }}")
            return
        url = f"{self.endpoints.graph_store}?{urlencode({'graph': name})}"
        self.http.send("PUT", url, data, {"Content-Type": ox.RdfFormat.N_TRIPLES.media_type})

    def write(self, steps: list[str], added: Iterable[str] = (), dropped: Iterable[str] = (),
              timeout: float | None = None) -> None:
        """Run the update ``steps`` as one request (one transaction), the registry kept in
        step: the graphs ``added`` are served from now on, those ``dropped`` not, and the
        version gets a new write number, so that nothing cached under the old one (ETags,
        the search index) is taken for the new.

        The registry's steps come last (a prologue, which ``steps`` may begin with, is read
        only at the start of a request by Oxigraph), and read nothing: Virtuoso 7.2 reads
        the later operations of a request over the dataset of an earlier one's ``USING``.
        Run one write at a time per server: the old version is read just before.
        """
        self.forget_served()
        old = self.served(timeout).version
        registry = [f"<{REGISTRY}> <{OWL_VERSION_INFO}> {ox.Literal(old)} ."] if old else []
        registry += [f"<{REGISTRY}> <{DCTERMS_HAS_PART}> <{g}> ." for g in sorted(set(dropped))]
        version = ox.Literal(f"{(old or 'empty').partition('+')[0]}+{uuid.uuid4().hex[:12]}")
        served = [f"<{REGISTRY}> <{OWL_VERSION_INFO}> {version} ."]
        served += [f"<{REGISTRY}> <{DCTERMS_HAS_PART}> <{g}> ." for g in sorted(set(added))]
        last = [f"DELETE DATA {{ GRAPH <{REGISTRY}> {{ {' '.join(registry)} }} }}",
                f"INSERT DATA {{ GRAPH <{REGISTRY}> {{ {' '.join(served)} }} }}"]
        try:
            self.update(" ;\n".join([*steps, *last]), timeout)
        finally:
            self.forget_served()

    def check(self) -> None:
        """Fail now, not after a build's minutes of work, if the server cannot be read or
        written: ask which build it serves, and make an update that changes nothing."""
        self.served_version()
        self.update(f"DROP SILENT GRAPH <{STAGING}check>")

    def publish(self, nquads: Path, version: str) -> Published:
        """Load the dataset in the N-Quads file ``nquads`` and serve it as ``version``."""
        leftovers = self.staging_graphs()  # from a build that failed or was killed
        if leftovers:
            self.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in [*leftovers, STAGED]))
        token = uuid.uuid4().hex
        staged: dict[str, str] = {}
        sizes: dict[str, int] = {}
        try:
            for n, (name, triples) in enumerate(_named_graphs(nquads)):
                staged[name] = f"{STAGING}{token}:{n}"
                self.update(f"INSERT DATA {{ GRAPH <{STAGED}> {{ <{STAGED}> "
                            f"<{DCTERMS_HAS_PART}> <{staged[name]}> }} }}")
                self.put_graph(staged[name], triples)
                sizes[name] = self.graph_size(staged[name])
                if sizes[name] != len(set(triples)):
                    raise StoreError(f"the server kept {sizes[name]} of the {len(triples)} "
                                     f"triples loaded into <{name}>")
            self.update(_switch(staged, self.served_graphs(), version))
        except BaseException:
            self._drop_quietly([*staged.values(), STAGED])
            raise
        return Published(version, sizes)

    def _drop_quietly(self, graphs: Iterable[str]) -> None:
        for name in graphs:
            try:
                self.update(f"DROP SILENT GRAPH <{name}>")
            except StoreError:
                return  # the server is gone: the next build drops what is left

    # Protocol

    def _select(self, sparql: str, timeout: float | None = None) -> list[ox.QuerySolution]:
        result = self._ask([("query", sparql)], timeout)
        assert isinstance(result, ox.QuerySolutions)
        return list(result)

    def _ask(self, params: list[tuple[str, str]], timeout: float | None) -> Result:
        answer = self.http.send("POST", self.endpoints.query, urlencode(params).encode(),
                                {"Content-Type": FORM, "Accept": ACCEPT}, timeout)
        parsed = _parse(answer.content_type, answer.body, self.endpoints.query)
        if isinstance(parsed, ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples):
            return parsed
        return _as_query_triples(parsed)


def prologue(sparql: str, prefixes: dict[str, str]) -> str:
    declared = {m.lower() for m in DECLARED.findall(sparql)}
    return "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in prefixes.items()
                   if name.lower() not in declared)


def _parse(content_type: str, body: bytes, where: str) -> Streamed:
    """The server's answer: SPARQL results, or the triples of a CONSTRUCT or DESCRIBE."""
    results_format = ox.QueryResultsFormat.from_media_type(content_type)
    try:
        if results_format is not None:
            if results_format == ox.QueryResultsFormat.XML:
                body = body.replace(VIRTUOSO_BNODE, BNODE)
            return ox.parse_query_results(body, results_format)
        rdf_format = (ox.RdfFormat.N_TRIPLES if content_type == "text/plain"
                      else ox.RdfFormat.from_media_type(content_type))
        if rdf_format is None:
            raise StoreError(f"{where} answered in {content_type}, which is neither SPARQL "
                             "results nor RDF")
        return (ox.Triple(t.subject, t.predicate, t.object) for t in ox.parse(body, rdf_format))
    except SyntaxError as e:
        raise StoreError(f"{where} answered with {content_type} that does not parse: "
                         f"{e}") from e


def _as_query_triples(parsed: Iterator[ox.Triple]) -> ox.QueryTriples:
    """Triples as the embedded store returns a CONSTRUCT's: one type for both stores."""
    scratch = ox.Store()
    scratch.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
                   for t in parsed)
    result = scratch.query("CONSTRUCT WHERE { ?s ?p ?o }")
    assert isinstance(result, ox.QueryTriples)
    return result


def _named_graphs(nquads: Path) -> Iterator[tuple[str, list[ox.Triple]]]:
    """(graph name, its triples) from a dump sorted graph by graph, as dakg writes them."""
    with open_dump(nquads) as data:
        for graph, quads in groupby(ox.parse(data, ox.RdfFormat.N_QUADS),
                                    key=lambda q: q.graph_name):
            if not isinstance(graph, ox.NamedNode):
                raise StoreError(f"{nquads}: a SPARQL server is loaded graph by graph, and "
                                 "this dump has triples in the default graph")
            yield graph.value, [ox.Triple(q.subject, q.predicate, q.object) for q in quads]


def _switch(staged: dict[str, str], served: list[str], version: str) -> str:
    """One Update request: the staged graphs become the served ones, and the registry says so."""
    steps = [f"DROP SILENT GRAPH <{old}>" for old in served if old not in staged]
    steps += [f"MOVE SILENT GRAPH <{stage}> TO GRAPH <{name}>"
              for name, stage in staged.items()]
    steps += [f"DROP SILENT GRAPH <{g}>" for g in (DEFAULT, REGISTRY, STAGED)]
    parts = "".join(f" <{DCTERMS_HAS_PART}> <{name}> ;" for name in staged)
    literal = ox.Literal(version)
    steps.append(f"INSERT DATA {{ GRAPH <{REGISTRY}> {{ <{REGISTRY}>{parts} "
                 f"<{OWL_VERSION_INFO}> {literal} }} }}")
    return " ;\n".join(steps)

