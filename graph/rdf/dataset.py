"""The whole dataset: one named graph for the ontology, one for the curated reference data,
one per source report, and one for what the reports say of the things they share.

A report's graph holds only statements about its own nodes (its document, sections,
paragraphs, mentions, selectors, its extraction), so the reports of a series never collide
and every statement is attributable to its report. What a report says of a shared resource
(a recommendation's sectors, a document's symbol, a programme's recommendations) goes to the
shared graph, which holds each such statement once however many reports make it: the union
default graph then answers with one row per fact, not one per report. Each shortcut there is
also stated on a report's own nodes (the section's ``dakg:relatedSector``, ``dakg:reportsOn``,
``dakg:mentionsProgramme``; the statement's ``dakg:statementOf``; the project mention's
``dakg:projectDocument``), which is where to ask which report said it. The version of dakg
that extracted a report is on that report's extraction activity.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib import resources

from rdflib import Graph, URIRef
from rdflib.graph import ReadOnlyGraphAggregate
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS
from rdflib.term import Node

from ..errors import BuildError
from ..extract.symbols import parse_symbol
from ..records import Report
from ..reference import Reference
from . import iris
from .literals import en
from .mentions import MentionMapper
from .namespaces import DAKG, DEFAULT_BASE, PREFIXES, prefixes_for, rebased_iri, rebased_term
from .reference import map_reference
from .report import ReportMapper
from .triples import Triple, Triples, collector_paused, fill


@dataclass(frozen=True)
class NamedGraph:
    name: URIRef
    graph: Graph


def new_graph() -> Graph:
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph


def ontology_graph() -> Graph:
    graph = new_graph()
    graph.parse(data=_package_text("dakg.ontology", "dakg.ttl"), format="turtle")
    return graph


def shapes_graph() -> Graph:
    graph = new_graph()
    graph.parse(data=_package_text("dakg.shapes", "dakg-shapes.ttl"), format="turtle")
    return graph


def _package_text(package: str, name: str) -> str:
    try:
        return (resources.files(package) / name).read_text(encoding="utf-8")
    except OSError as e:
        raise BuildError(f"the package data {package}/{name} cannot be read: {e}") from e


def map_dataset(reports: Sequence[tuple[Report, str]], reference: Reference,
                software_version: str) -> list[NamedGraph]:
    """Map extracted reports (each with its source text) and curated records to the named
    graphs of the dataset: ontology, reference, shared, then one graph per report."""
    shared = new_graph()
    report_graphs = []
    for report, text in reports:
        named, said = map_report(report, text, reference, software_version).graphs()
        report_graphs.append(named)
        shared += said
    shared += shared_metadata([named.name for named in report_graphs])
    return [*fixed_graphs(reference), NamedGraph(iris.graph_shared(), shared), *report_graphs]


def fixed_graphs(reference: Reference) -> list[NamedGraph]:
    """The graphs every build holds whatever its reports: the ontology and the curated data
    (for every recommendation the curated clusters number)."""
    numbers = range(1, max(c.last for c in reference.clusters) + 1)
    return [NamedGraph(iris.graph_ontology(), ontology_graph()),
            NamedGraph(iris.graph_reference(), map_reference(reference, numbers, new_graph()))]


@dataclass(frozen=True)
class MappedReport:
    """One report as RDF: ``own`` is its graph (named ``name``), ``said`` what it says of
    the resources reports share (its part of the shared graph), each in mapping order."""

    name: URIRef
    own: Sequence[Triple]
    said: Sequence[Triple]

    def graphs(self) -> tuple[NamedGraph, Graph]:
        """The report's graph, and its part of the shared graph, as rdflib graphs."""
        return NamedGraph(self.name, fill(new_graph(), self.own)), fill(new_graph(), self.said)

    def quads(self) -> Iterator[tuple[URIRef, Node, Node, Node]]:
        """(graph, subject, predicate, object): the report's graph, then its shared part."""
        shared = iris.graph_shared()
        return itertools.chain(((self.name, *t) for t in self.own),
                               ((shared, *t) for t in self.said))


def map_report(report: Report, text: str, reference: Reference,
               software_version: str) -> MappedReport:
    """One report's triples, and what it says of the resources reports share."""

    def sector_of(name_zh: str) -> URIRef:
        sector = reference.sector_named(name_zh)
        assert sector is not None  # cross_check has already refused unknown sectors
        return iris.sector(sector.key)

    entity_names = {iris.entity(e.kind, e.key): (e.name_zh, e.name_en)
                    for e in reference.named_entities()}
    mapped = Triples()
    with collector_paused():
        ReportMapper(report, text, mapped, sector_of=sector_of,
                     body_names=_body_names(reference), entity_names=entity_names,
                     software_version=software_version).map()
        own, said = split_shared(mapped, report.symbol)
    return MappedReport(iris.graph_report(report.symbol), own, said)


def curated_documents(reference: Reference) -> Graph:
    """The documents the curated data names, described as a report that cites them describes
    them (in the shared graph): what the shapes need beside the curated data when they see
    one report that does not cite them."""
    graph = new_graph()
    mapper = MentionMapper(graph, lambda node, span, name: node, {}, _body_names(reference),
                           {})
    for document in reference.documents:
        mapper.cite(parse_symbol(document.symbol), document.symbol)
    mapper.finish()
    return graph


def _body_names(reference: Reference) -> dict[str, tuple[str, str]]:
    # Sessions are labelled by their body's acronym (CDIP第三十四届会议), or its name when it
    # has none (产权组织成员国大会第六十六届会议).
    return {c.key: (c.acronym or c.name_zh, c.acronym or c.name_en or c.key)
            for c in reference.committees}


# What reports say of shared resources, report by report: a series gives a resource one value
# per report (or per report and section). Each is also stated on a report's own nodes.
REPORTED = frozenset({DAKG.recommendationText, DAKG.statedIn, DAKG.reportedIn,
                      DAKG.relatedSector, DAKG.reportedTogetherWith, DAKG.refersTo,
                      DAKG.reportedUnder, DAKG.projectDocument, DAKG.evaluationReport,
                      DAKG.completionReport, DAKG.addressee, SKOS.hiddenLabel})


# What describes a document as such (written for every document a report names, the report
# itself included): shared, so that another report citing this one does not repeat it.
_DOCUMENT_DESCRIPTION = frozenset({RDF.type, DAKG.symbol, RDFS.label, DAKG.documentNumber,
                                   DAKG.informationDocument, DAKG.forSession, SKOS.hiddenLabel,
                                   DAKG.revision, DAKG.revisionOf})


def split_shared(mapped: Iterable[Triple], symbol: str) -> tuple[list[Triple], list[Triple]]:
    """``mapped`` parted into the statements about the report's own nodes (its graph) and
    the others (its part of the shared graph)."""
    report = iris.document(symbol)
    own_prefixes = (f"{report}/", f"{report}#")
    metadata = {iris.graph_report(symbol), iris.extraction(symbol)}
    own: list[Triple] = []
    said: list[Triple] = []
    others: dict[Node, bool] = {}  # a subject → whether it is another resource than the
    # report's own (asked once per subject, not once per triple)
    for triple in mapped:
        s, p, o = triple
        other = others.get(s)
        if other is None:
            other = others[s] = (isinstance(s, URIRef) and s not in metadata
                                 # (rdflib's URIRef.startswith takes no tuple)
                                 and not str(s).startswith(own_prefixes))
        shared = other and (s != report or (p in _DOCUMENT_DESCRIPTION
                                            and (p != RDF.type or o == DAKG.Document)))
        (said if shared else own).append(triple)
    return own, said


def shared_metadata(reports: Sequence[URIRef]) -> Graph:
    """The shared graph's own description: which report graphs it was drawn from."""
    graph = new_graph()
    node = iris.graph_shared()
    graph.add((node, RDF.type, PROV.Entity))
    graph.add((node, DCTERMS.title, en("What the reports say of the resources they share")))
    for report in reports:
        graph.add((node, PROV.wasDerivedFrom, report))
    return graph


def union(graphs: list[NamedGraph]) -> Graph:
    """A read-only view of all the graphs as one (nothing is copied)."""
    return ReadOnlyGraphAggregate([named.graph for named in graphs])


def rebase(graphs: list[NamedGraph], base: str) -> list[NamedGraph]:
    """Move every named graph (and its name) from the default base onto ``base``."""
    if base == DEFAULT_BASE:
        return graphs
    return [NamedGraph(URIRef(rebased_iri(named.name, base)), rebase_graph(named.graph, base))
            for named in graphs]


def rebase_graph(graph: Graph, base: str) -> Graph:
    """Rewrite every IRI (and xsd:anyURI literal) under the default base onto ``base``."""
    if base == DEFAULT_BASE:
        return graph
    result = Graph(bind_namespaces="none")
    for prefix, namespace in prefixes_for(base).items():
        result.bind(prefix, namespace)
    for s, p, o in graph:
        result.add((rebased_term(s, base), rebased_term(p, base), rebased_term(o, base)))
    return result


def triples(graphs: list[NamedGraph]) -> Iterator[tuple[URIRef, Node, Node, Node]]:
    for named in graphs:
        for s, p, o in named.graph:
            yield named.name, s, p, o
