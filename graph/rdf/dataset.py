"""The whole dataset: one named graph for the ontology, one for the curated reference data,
one per source report (so a later report can be added beside this one)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources

from rdflib import Graph, Literal, URIRef
from rdflib.graph import ReadOnlyGraphAggregate
from rdflib.term import Node

from ..errors import BuildError
from ..records import Report
from ..reference import Reference
from . import iris
from .namespaces import DEFAULT_BASE, PREFIXES, XSD, prefixes_for, rebased_iri
from .reference import map_reference
from .report import ReportMapper


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


def map_dataset(report: Report, text: str, reference: Reference,
                software_version: str) -> list[NamedGraph]:
    """Map extracted and curated records to the named graphs of the dataset."""

    def sector_of(name_zh: str) -> URIRef:
        sector = reference.sector_named(name_zh)
        assert sector is not None  # cross_check has already refused unknown sectors
        return iris.sector(sector.key)

    numbers = range(1, max(n for s in report.sections for n in s.numbers) + 1)
    # Sessions are labelled by their body's acronym (CDIP第三十四届会议), or its name when it
    # has none (产权组织成员国大会第六十六届会议).
    body_names = {c.key: (c.acronym or c.name_zh, c.acronym or c.name_en or c.key)
                  for c in reference.committees}
    report_graph = ReportMapper(report, text, new_graph(), sector_of=sector_of,
                                body_names=body_names,
                                software_version=software_version).map()
    return [
        NamedGraph(iris.graph_ontology(), ontology_graph()),
        NamedGraph(iris.graph_reference(), map_reference(reference, numbers, new_graph())),
        NamedGraph(iris.graph_report(report.symbol), report_graph),
    ]


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
        result.add((_rebased(s, base), _rebased(p, base), _rebased(o, base)))
    return result


def _rebased(term: Node, base: str) -> Node:
    if isinstance(term, URIRef):
        return URIRef(rebased_iri(str(term), base))
    if isinstance(term, Literal) and term.datatype == XSD.anyURI:
        return Literal(rebased_iri(str(term), base), datatype=term.datatype)
    return term


def triples(graphs: list[NamedGraph]) -> Iterator[tuple[URIRef, Node, Node, Node]]:
    for named in graphs:
        for s, p, o in named.graph:
            yield named.name, s, p, o
