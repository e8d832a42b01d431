"""``/.well-known/void``: the dataset described for harvesters, in VoID (its well-known
location, VoID §7.2) and in DCAT (DCAT-AP's basics): title, description, licence, the SPARQL
endpoint as a ``dcat:DataService``, and every published file as a ``dcat:Distribution`` with
its media type, byte size, SPDX checksum and date (the RDF files are gzipped: their
``dcat:compressFormat`` is gzip, their ``dcat:mediaType`` what they hold, size and checksum
those of the gzipped file). Each named graph is a ``void:subset`` with its own Turtle file.
RDF by ``Accept`` (Turtle by default); a browser is sent to ``/dumps/``.

The figures come from the store (triples per graph, one query) and from the build's files.
"""

from __future__ import annotations

import hashlib

from flask import Response, redirect, request, url_for
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, VOID, XSD

from dakg.graph.dumps import DUMP_NAME, GZIP_SUFFIX, graph_dump_name
from dakg.graph.validation_report import read_report

from .. import description, formats
from ..errors import not_acceptable
from ..negotiation import HTML
from ..queries import not_modified
from ..runtime import Runtime, runtime
from .dumps import DumpFile, build_record, content_media_type, dump_files, is_source
from .validation import build_folder

SPDX = Namespace("http://spdx.org/rdf/terms#")
DQV = Namespace("http://www.w3.org/ns/dqv#")
IANA = "http://www.iana.org/assignments/media-types/"
LICENSE = URIRef("http://creativecommons.org/publicdomain/zero/1.0/")  # README: Licence
TITLE = {"en": "dakg: the Development Agenda Knowledge Graph", "zh": "发展议程知识图谱"}
DESCRIPTION = ("WIPO's progress reports on the 45 Development Agenda recommendations as linked "
               "data: the recommendations, the reports' sections and paragraphs, and the "
               "documents, sessions, sectors, programmes and projects they name, each fact "
               "with the exact span of the source text it comes from.")
_RDFLIB = {"turtle": "turtle", "ntriples": "nt", "rdfxml": "xml", "jsonld": "json-ld"}


def void() -> Response:
    fmt = _negotiate()
    if fmt is None:
        return redirect(url_for("pages.dumps"), code=303)  # type: ignore[return-value]
    rt = runtime()
    site = request.url_root.rstrip("/")
    version = rt.dataset.current().version
    digest = hashlib.blake2b(site.encode(), digest_size=4).hexdigest()
    etag = f"{version}-void-{fmt.name}-{digest}"
    if etag in request.if_none_match:
        return not_modified(etag)
    body = rt.cache.get(("void", version, site, fmt.name),
                        lambda: describe(rt, site).serialize(format=_RDFLIB[fmt.name],
                                                             encoding="utf-8"))
    response = Response(body, content_type=fmt.content_type)
    response.set_etag(etag)
    response.headers["Cache-Control"] = "public, max-age=60"
    response.headers["Vary"] = "Accept"
    return response


def _negotiate() -> formats.Format | None:
    """The RDF format asked for, Turtle first (``*/*``, no ``Accept``); None if the client
    would rather have HTML (a browser)."""
    offered = [formats.BY_NAME[name] for name in _RDFLIB]
    types = [f.media_type for f in offered] + [HTML]
    if not request.accept_mimetypes:
        return offered[0]
    best = request.accept_mimetypes.best_match(types)
    if best is None:
        raise not_acceptable(types)
    return None if best == HTML else next(f for f in offered if f.media_type == best)


def describe(rt: Runtime, site: str) -> Graph:
    """The VoID and DCAT description of the current data, with ``site`` as its address."""
    g = Graph(bind_namespaces="none")
    for prefix, ns in (("void", VOID), ("dcat", DCAT), ("dcterms", DCTERMS), ("spdx", SPDX),
                       ("xsd", XSD)):
        g.bind(prefix, ns)
    dataset = URIRef(rt.settings.base_iri + "id/dataset")
    files = [f for f in dump_files(rt) if f.name != "build.json"]
    built = str(build_record(dump_files(rt)).get("built", ""))
    own_default, named = rt.cache.get(("sizes", rt.dataset.current().version),
                                      lambda: description.graph_sizes(rt))
    g.add((dataset, RDF.type, VOID.Dataset))
    g.add((dataset, RDF.type, DCAT.Dataset))
    for lang, title in TITLE.items():
        g.add((dataset, DCTERMS.title, Literal(title, lang=lang)))
    g.add((dataset, DCTERMS.description, Literal(DESCRIPTION, lang="en")))
    g.add((dataset, DCTERMS.license, LICENSE))
    g.add((dataset, DCAT.landingPage, URIRef(site + "/")))
    if built:
        g.add((dataset, DCTERMS.modified, Literal(built, datatype=XSD.dateTime)))
    g.add((dataset, VOID.uriSpace, Literal(rt.settings.base_iri + "id/")))
    g.add((dataset, VOID.vocabulary, URIRef(rt.settings.base_iri + "def/")))
    g.add((dataset, VOID.triples, Literal(own_default + sum(named.values()),
                                          datatype=XSD.integer)))
    _service(g, dataset, site)
    _validation(g, dataset, site, rt)
    by_name = {f.name: f for f in files}
    for f in files:
        g.add((dataset, DCAT.distribution, _distribution(g, dataset, f, site, built)))
        if f.name.startswith(DUMP_NAME + "."):
            g.add((dataset, VOID.dataDump, URIRef(f"{site}/dumps/{f.name}")))
    for name, count in named.items():
        _subset(g, dataset, URIRef(name), count, by_name.get(graph_dump_name(name)), site)
    return g


def _service(g: Graph, dataset: URIRef, site: str) -> None:
    endpoint = URIRef(site + "/sparql")
    g.add((dataset, VOID.sparqlEndpoint, endpoint))
    g.add((endpoint, RDF.type, DCAT.DataService))
    g.add((endpoint, DCTERMS.title, Literal("dakg SPARQL 1.1 endpoint", lang="en")))
    g.add((endpoint, DCAT.endpointURL, endpoint))
    g.add((endpoint, DCAT.endpointDescription, endpoint))
    g.add((endpoint, DCAT.servesDataset, dataset))


def _validation(g: Graph, dataset: URIRef, site: str, rt: Runtime) -> None:
    """The build's SHACL report (``/validation``) as the dataset's quality metadata (DQV)."""
    if read_report(build_folder(rt)) is None:
        return
    report = URIRef(site + "/validation")
    g.bind("dqv", DQV)
    g.add((dataset, DQV.hasQualityMetadata, report))
    g.add((report, RDF.type, DQV.QualityMetadata))
    g.add((report, DCTERMS.conformsTo, URIRef("http://www.w3.org/ns/shacl#")))
    g.add((report, DCTERMS.title, Literal("SHACL validation report of the build", lang="en")))


def _distribution(g: Graph, dataset: URIRef, f: DumpFile, site: str, built: str) -> URIRef:
    node = URIRef(f"{dataset}/distribution/{f.name}")
    g.add((node, RDF.type, DCAT.Distribution))
    g.add((node, DCTERMS.title, Literal(f.name)))
    if f.description:
        g.add((node, DCTERMS.description, Literal(f.description, lang="en")))
    g.add((node, DCAT.accessURL, URIRef(site + "/dumps/")))
    g.add((node, DCAT.downloadURL, URIRef(f"{site}/dumps/{f.name}")))
    if f.name.endswith(GZIP_SUFFIX):
        g.add((node, DCAT.compressFormat, URIRef(IANA + "application/gzip")))
    inner = content_media_type(f.name)
    g.add((node, DCAT.mediaType, URIRef(IANA + inner.split(";")[0].strip())))
    g.add((node, DCAT.byteSize, Literal(f.size, datatype=XSD.nonNegativeInteger)))
    checksum = BNode(f"sha256-{f.name}".replace(".", "-"))
    g.add((node, SPDX.checksum, checksum))
    g.add((checksum, RDF.type, SPDX.Checksum))
    g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    g.add((checksum, SPDX.checksumValue, Literal(f.sha256, datatype=XSD.hexBinary)))
    if built:
        g.add((node, DCTERMS.issued, Literal(built, datatype=XSD.dateTime)))
    if is_source(f.name):
        g.add((node, DCTERMS.rights, Literal("The report's text is WIPO's.", lang="en")))
    else:
        g.add((node, DCTERMS.license, LICENSE))
    return node


def _subset(g: Graph, dataset: URIRef, graph: URIRef, count: int, file: DumpFile | None,
            site: str) -> None:
    g.add((dataset, VOID.subset, graph))
    g.add((graph, RDF.type, VOID.Dataset))
    g.add((graph, VOID.triples, Literal(count, datatype=XSD.integer)))
    if file is not None:
        g.add((graph, VOID.dataDump, URIRef(f"{site}/dumps/{file.name}")))
