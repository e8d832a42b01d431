"""The ontology as data: documented in both languages, self-contained, and covering the data."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from dakg.graph.rdf.dataset import NamedGraph, ontology_graph
from dakg.graph.rdf.namespaces import DAKG

ONTOLOGY = ontology_graph()
TERMS = sorted({s for s in ONTOLOGY.subjects(RDF.type, None)
                if isinstance(s, URIRef) and str(s).startswith(str(DAKG)) and s != DAKG[""]})
KINDS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)


def test_ontology_header() -> None:
    ontology = URIRef(str(DAKG))
    assert (ontology, RDF.type, OWL.Ontology) in ONTOLOGY
    assert ONTOLOGY.value(ontology, OWL.versionIRI) is not None
    assert {lit.language for lit in ONTOLOGY.objects(ontology, URIRef(
        "http://purl.org/dc/terms/title")) if isinstance(lit, Literal)} == {"en", "zh"}
    assert ONTOLOGY.value(ontology, URIRef("http://purl.org/dc/terms/license")) is not None
    assert list(ONTOLOGY.objects(None, OWL.imports)) == []


@pytest.mark.parametrize("term", TERMS, ids=lambda t: str(t).rsplit("/", 1)[1])
def test_every_term_is_labelled_and_explained_in_english_and_chinese(term: URIRef) -> None:
    for prop in (RDFS.label, RDFS.comment):
        languages = sorted(str(lit.language) for lit in ONTOLOGY.objects(term, prop)
                           if isinstance(lit, Literal))
        assert languages == ["en", "zh"], (term, prop)


@pytest.mark.parametrize("term", [t for t in TERMS if (t, RDF.type, OWL.Class) not in ONTOLOGY],
                         ids=lambda t: str(t).rsplit("/", 1)[1])
def test_every_property_has_domain_and_range(term: URIRef) -> None:
    assert ONTOLOGY.value(term, RDFS.domain) is not None
    assert ONTOLOGY.value(term, RDFS.range) is not None


def test_every_term_is_aligned_or_specialises_one() -> None:
    """Each dakg term is a sub-class/-property of some other term (dakg's or a standard's)."""
    loose = [t for t in TERMS if ONTOLOGY.value(t, RDFS.subClassOf) is None
             and ONTOLOGY.value(t, RDFS.subPropertyOf) is None
             and (t, RDF.type, OWL.Class) in ONTOLOGY]
    assert loose == []


def test_every_dakg_term_the_data_uses_is_defined(graphs: list[NamedGraph]) -> None:
    used: set[URIRef] = set()
    for named in graphs:
        if named.graph is ONTOLOGY:
            continue
        for _, p, o in named.graph:
            if isinstance(p, URIRef):
                used.add(p)
            if p == RDF.type and isinstance(o, URIRef):
                used.add(o)
    undefined = sorted(t for t in used if str(t).startswith(str(DAKG)) and
                       not any((t, RDF.type, kind) in ONTOLOGY for kind in KINDS))
    assert undefined == []


def test_the_ontology_graph_in_the_dataset_is_this_file(graphs: list[NamedGraph]) -> None:
    from rdflib.compare import isomorphic

    shipped = next(g.graph for g in graphs if str(g.name).endswith("/graph/ontology"))
    assert isomorphic(shipped, ONTOLOGY)
    assert isinstance(shipped, Graph)
