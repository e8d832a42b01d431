"""The curated ``Reference`` as RDF: the reference graph, with its own provenance.

Each curated resource names the source it was taken from (``dcterms:source``); the graph as a
whole is attributed to its curator and dated.
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from ..reference import Entity, Reference
from . import iris
from .literals import en, zh
from .namespaces import DAKG, ORG

_ENTITY_CLASS = {
    "sector": DAKG.Sector,
    "committee": DAKG.Committee,
    "programme": DAKG.Programme,
    "project": DAKG.DevelopmentAgendaProject,
}
_MINT = {"sector": iris.sector, "committee": iris.committee, "programme": iris.programme,
         "project": iris.project}


def map_reference(reference: Reference, recommendations: range, graph: Graph) -> Graph:
    """Map the curated data; ``recommendations`` are the numbers the report has."""
    g = graph
    _schemes(g)
    wipo = iris.organization(reference.organization.key)
    g.add((wipo, RDF.type, ORG.FormalOrganization))
    _names(g, wipo, reference.organization)
    for cluster in reference.clusters:
        node = iris.cluster(cluster.letter)
        g.add((node, RDF.type, DAKG.RecommendationCluster))
        g.add((node, SKOS.inScheme, iris.scheme()))
        g.add((node, SKOS.topConceptOf, iris.scheme()))
        g.add((iris.scheme(), SKOS.hasTopConcept, node))
        g.add((node, SKOS.notation, Literal(cluster.letter)))
        for prop in (SKOS.prefLabel, RDFS.label):
            g.add((node, prop, en(f"Cluster {cluster.letter}: {cluster.name_en}")))
            g.add((node, prop, zh(f"{cluster.letter}组：{cluster.name_zh}")))
        g.add((node, DCTERMS.source, iris.origin(cluster.source)))
    for number in recommendations:
        _recommendation(g, reference, number)
    for entity in (*reference.sectors, *reference.named_entities()):
        node = _MINT[entity.kind](entity.key)
        g.add((node, RDF.type, _ENTITY_CLASS[entity.kind]))
        _names(g, node, entity)
        if entity.kind == "sector":
            g.add((node, ORG.unitOf, wipo))
            g.add((wipo, ORG.hasUnit, node))
        elif entity.kind == "committee":
            g.add((node, ORG.subOrganizationOf, wipo))
        elif entity.kind == "programme":
            g.add((node, DAKG.operatedBy, wipo))
    for document in reference.documents:
        node = iris.document(document.symbol)
        g.add((node, DCTERMS.title, en(document.title_en)))
        g.add((node, DCTERMS.source, iris.origin(document.source)))
    _origins(g, reference)
    _graph_metadata(g, reference)
    return g


def _schemes(g: Graph) -> None:
    g.add((iris.scheme(), RDF.type, SKOS.ConceptScheme))
    for prop in (SKOS.prefLabel, RDFS.label):
        g.add((iris.scheme(), prop, en("WIPO Development Agenda recommendations")))
        g.add((iris.scheme(), prop, zh("产权组织发展议程建议")))
    g.add((iris.review_scheme(), RDF.type, SKOS.ConceptScheme))
    for prop in (SKOS.prefLabel, RDFS.label):
        g.add((iris.review_scheme(), prop, en(
            "Recommendations of the independent review of the implementation of the "
            "Development Agenda recommendations")))
        g.add((iris.review_scheme(), prop, zh("发展议程建议落实情况独立审查的建议")))


def _recommendation(g: Graph, reference: Reference, number: int) -> None:
    node = iris.recommendation(number)
    cluster = reference.cluster_of(number)
    assert cluster is not None  # cross_check guarantees it
    g.add((node, DAKG.cluster, iris.cluster(cluster.letter)))
    g.add((node, SKOS.broader, iris.cluster(cluster.letter)))
    g.add((iris.cluster(cluster.letter), SKOS.narrower, node))
    g.add((node, DCTERMS.source, iris.origin(cluster.source)))
    immediate = number in reference.immediate
    g.add((node, DAKG.adoptedForImmediateImplementation, Literal(immediate)))
    g.add((node, DCTERMS.source, iris.origin(reference.immediate_source)))


def _names(g: Graph, node: URIRef, entity: Entity) -> None:
    g.add((node, RDFS.label, zh(entity.name_zh)))
    g.add((node, SKOS.prefLabel, zh(entity.name_zh)))
    if entity.name_en:
        g.add((node, RDFS.label, en(entity.name_en)))
        g.add((node, SKOS.prefLabel, en(entity.name_en)))
    if entity.acronym:
        g.add((node, DAKG.acronym, Literal(entity.acronym)))
        g.add((node, SKOS.altLabel, Literal(entity.acronym)))
    for name in entity.names:
        if name not in (entity.name_zh, entity.name_en, entity.acronym):
            g.add((node, SKOS.altLabel, zh(name) if _has_han(name) else Literal(name)))
    g.add((node, DCTERMS.source, iris.origin(entity.source)))


def _origins(g: Graph, reference: Reference) -> None:
    for origin in reference.sources.values():
        node = iris.origin(origin.key)
        g.add((node, RDF.type, DCTERMS.BibliographicResource))
        g.add((node, RDF.type, PROV.Entity))
        g.add((node, DCTERMS.title, Literal(origin.title)))
        g.add((node, RDFS.label, Literal(origin.title)))
        if origin.identifier:
            g.add((node, DCTERMS.identifier, Literal(origin.identifier)))
        if origin.url:
            g.add((node, RDFS.seeAlso, URIRef(origin.url)))


def _graph_metadata(g: Graph, reference: Reference) -> None:
    node = iris.graph_reference()
    g.add((node, RDF.type, PROV.Entity))
    g.add((node, DCTERMS.title, en(reference.title)))
    g.add((node, DCTERMS.description, en(reference.description)))
    g.add((node, DCTERMS.creator, Literal(reference.curator)))
    g.add((node, DCTERMS.modified, Literal(reference.modified.isoformat(), datatype=XSD.date)))
    for origin in reference.sources:
        g.add((node, PROV.wasDerivedFrom, iris.origin(origin)))


def _has_han(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)
