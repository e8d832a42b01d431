"""``GET /sparql`` without a query: the SPARQL 1.1 Service Description, with VoID counts.

The description is computed once per dataset version (and host, since the endpoint's own IRI
is part of it) and kept; counting the triples of each graph runs on a query process like any
other query.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyoxigraph as ox
from flask import Response, request
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SH, VOID, XSD

from dakg.graph.dumps import to_bytes
from dakg.graph.rdf.namespaces import SD
from dakg.graph.store import MANIFEST, read_manifest

from . import formats
from .dataset import copy_tag, served_copy
from .queries import select
from .runtime import Runtime, runtime

FORMATS_NS = "http://www.w3.org/ns/formats/"
_BOUND = {"sd": str(SD), "void": str(VOID), "dcterms": str(DCTERMS), "sh": str(SH),
          "xsd": str(XSD)}


def respond(fmt: formats.Format) -> Response:
    rt = runtime()
    snapshot = rt.dataset.current()
    endpoint = request.base_url
    # The description names the endpoint by the address it was asked at: a client's Host
    # header is part of the key and of the ETag (the cache keeps only a few).
    host = hashlib.blake2b(endpoint.encode(), digest_size=4).hexdigest()
    etag = f"{snapshot.version}-sd-{fmt.name}-{host}{copy_tag(rt.dataset)}"
    if etag in request.if_none_match:
        response = Response(status=304)
    else:
        sizes = rt.cache.get(("sizes", snapshot.version), lambda: graph_sizes(rt))
        body = rt.cache.get(("description", etag),
                            lambda: _written(_graph(rt, endpoint, sizes), fmt))
        response = Response(body, content_type=fmt.content_type)
    response.set_etag(etag)
    response.headers["Cache-Control"] = "public, max-age=60"
    response.headers["Vary"] = "Accept"
    return response


def _written(graph: Graph, fmt: formats.Format) -> bytes:
    """The description in ``fmt``, written by Oxigraph as every other RDF the server sends."""
    triples = ox.parse(graph.serialize(format="nt", encoding="utf-8"),
                       format=ox.RdfFormat.N_TRIPLES)
    return to_bytes(sorted((t.triple for t in triples), key=str), fmt.rdf, _BOUND)


def graph_sizes(rt: Runtime) -> tuple[int, dict[str, int]]:
    """(triples in the store's own default graph, triples per named graph). A build's are
    the figures its ``build.json`` records (counting reads the whole store: most of a
    minute at a thousand reports); a live copy's, a remote store's and ``--data`` files' are
    counted."""
    recorded = _recorded_sizes(rt)
    if recorded is not None:
        return 0, recorded  # a build puts nothing in the store's own default graph
    rows, _ = select(rt, "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
                     100_000)
    named = {b["g"]["value"]: int(b["n"]["value"]) for b in rows}
    own, _ = select(rt, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", 1, union=False)
    return int(own[0]["n"]["value"]), dict(sorted(named.items()))


def _recorded_sizes(rt: Runtime) -> dict[str, int] | None:
    build = Path(rt.dataset.current().store).parent
    if rt.remote is not None or not (build / MANIFEST).is_file():
        return None
    graphs = read_manifest(build).get("graphs")
    if not isinstance(graphs, dict):
        return None
    return {str(g): int(n) for g, n in sorted(graphs.items())}


def _graph(rt: Runtime, endpoint: str, sizes: tuple[int, dict[str, int]]) -> Graph:
    g = Graph(bind_namespaces="none")
    service = URIRef(endpoint)
    dataset = URIRef(f"{rt.settings.base_iri}id/dataset")
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, service))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    if rt.writable:
        g.add((service, SD.supportedLanguage, SD.SPARQL11Update))
    for fmt in formats.FORMATS:
        # Oxigraph names JSON-LD under a namespace of its own: the W3C's is FORMATS_NS.
        g.add((service, SD.resultFormat, URIRef(FORMATS_NS + fmt.iri.rsplit("/", 1)[1])))
    for prefix, namespace in rt.prefixes.items():  # declared for every query (SHACL §5.2.1)
        declaration = BNode(f"prefix-{prefix}")
        g.add((service, SH.declare, declaration))
        g.add((declaration, SH.prefix, Literal(prefix)))
        g.add((declaration, SH.namespace, Literal(namespace, datatype=XSD.anyURI)))
    g.add((service, SD.feature, SD.UnionDefaultGraph))
    g.add((service, SD.defaultEntailmentRegime,
           URIRef("http://www.w3.org/ns/entailment/Simple")))
    g.add((service, SD.defaultDataset, dataset))
    own_default, named = sizes
    g.add((dataset, RDF.type, SD.Dataset))
    g.add((dataset, RDF.type, VOID.Dataset))
    g.add((dataset, DCTERMS.title, Literal("dakg: the Development Agenda Knowledge Graph",
                                           lang="en")))
    g.add((dataset, VOID.sparqlEndpoint, service))
    copy = served_copy(rt.dataset)
    if copy is not None and copy.differs:  # writes, or a rebuild since the copy was made
        g.add((dataset, DCTERMS.description, Literal(copy.notice(), lang="en")))
    site = endpoint.rsplit("/sparql", 1)[0]
    g.add((dataset, VOID.uriSpace, Literal(f"{rt.settings.base_iri}id/")))
    g.add((dataset, VOID.exampleResource, URIRef(f"{rt.settings.base_iri}id/recommendation/1")))
    g.add((dataset, VOID.rootResource, URIRef(f"{rt.settings.base_iri}id/scheme/"
                                              "development-agenda")))
    g.add((dataset, VOID.vocabulary, URIRef(f"{rt.settings.base_iri}def/")))
    dumps = Path(rt.dataset.current().store).parent / "dumps"
    if dumps.is_dir():  # builds have dumps; --data files and the live store do not
        for name in sorted(p.name for p in dumps.iterdir() if p.name.startswith("dakg.")):
            g.add((dataset, VOID.dataDump, URIRef(f"{site}/dumps/{name}")))
    g.add((dataset, VOID.triples, _count(own_default + sum(named.values()))))
    default = BNode("defaultGraph")
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    g.add((default, DCTERMS.description, Literal(
        "The union of all named graphs (and of the store's own default graph)", lang="en")))
    g.add((default, VOID.triples, _count(own_default + sum(named.values()))))
    for position, (name, count) in enumerate(named.items()):
        entry, graph = BNode(f"named{position}"), BNode(f"graph{position}")
        g.add((dataset, SD.namedGraph, entry))
        g.add((entry, RDF.type, SD.NamedGraph))
        g.add((entry, SD.name, URIRef(name)))
        g.add((entry, SD.graph, graph))
        g.add((graph, RDF.type, SD.Graph))
        g.add((graph, RDF.type, VOID.Dataset))
        g.add((graph, VOID.triples, _count(count)))
        g.add((dataset, VOID.subset, graph))
    return g


def _count(value: int) -> Literal:
    return Literal(value, datatype=XSD.integer)
