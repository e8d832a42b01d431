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
    "committee": DAKG.MemberStateBody,
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
    _names(g, wipo, reference.organization, _origin(reference, reference.organization.source))
    for cluster in reference.clusters:
        node = iris.cluster(cluster.letter)
        g.add((node, RDF.type, DAKG.RecommendationCluster))
        g.add((node, RDF.type, SKOS.Concept))
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
    for entity in reference.named_entities():
        node = _MINT[entity.kind](entity.key)
        g.add((node, RDF.type, _ENTITY_CLASS[entity.kind]))
        _names(g, node, entity, _origin(reference, entity.source))
        if entity.kind == "sector":
            g.add((node, RDF.type, ORG.OrganizationalUnit))
            g.add((node, ORG.unitOf, wipo))
            g.add((wipo, ORG.hasUnit, node))
        elif entity.kind == "committee":
            g.add((node, RDF.type, ORG.Organization))
            g.add((node, ORG.subOrganizationOf, wipo))
            g.add((wipo, ORG.hasSubOrganization, node))
        elif entity.kind == "programme":
            g.add((node, DAKG.operatedBy, wipo))
    for document in reference.documents:
        node = iris.document(document.symbol)
        g.add((node, DCTERMS.title, en(document.title_en)))
        g.add((node, DCTERMS.source, _origin(reference, document.source)))
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


def _names(g: Graph, node: URIRef, entity: Entity, source: URIRef) -> None:
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
    g.add((node, DCTERMS.source, source))


def _origin(reference: Reference, key: str) -> URIRef:
    """A source that is one of the curated documents (the report itself) is that document's
    resource, not a second resource for the same thing."""
    identifier = reference.sources[key].identifier
    if any(d.symbol == identifier for d in reference.documents):
        return iris.document(str(identifier))
    return iris.origin(key)


def _origins(g: Graph, reference: Reference) -> None:
    for origin in reference.sources.values():
        node = _origin(reference, origin.key)
        if node != iris.origin(origin.key):
            continue  # described as a document
        g.add((node, RDF.type, DCTERMS.BibliographicResource))
        g.add((node, RDF.type, PROV.Entity))
        g.add((node, DCTERMS.title, _tagged(origin.title)))
        g.add((node, RDFS.label, _tagged(origin.title)))
        if origin.identifier:
            g.add((node, DCTERMS.identifier, Literal(origin.identifier)))
        if origin.url:
            g.add((node, RDFS.seeAlso, URIRef(origin.url)))


def _graph_metadata(g: Graph, reference: Reference) -> None:
    node = iris.graph_reference()
    g.add((node, RDF.type, PROV.Entity))
    g.add((node, DCTERMS.title, en(reference.title)))
    g.add((node, DCTERMS.description, en(reference.description)))
    curator = iris.agent(_slug(reference.curator))
    g.add((node, DCTERMS.creator, curator))
    g.add((curator, RDF.type, DCTERMS.Agent))
    g.add((curator, RDF.type, PROV.Agent))
    g.add((curator, RDFS.label, en(reference.curator)))
    g.add((node, DCTERMS.modified, Literal(reference.modified.isoformat(), datatype=XSD.date)))
    for origin in sorted({_origin(reference, key) for key in reference.sources}):
        g.add((node, PROV.wasDerivedFrom, origin))


def _tagged(text: str) -> Literal:
    return zh(text) if _has_han(text) else en(text)


def _slug(text: str) -> str:
    return "-".join(text.lower().split())


def _has_han(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)
