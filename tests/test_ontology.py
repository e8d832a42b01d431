"""The ontology as data: documented in both languages, self-contained, and covering the data."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from dakg.graph.rdf.dataset import NamedGraph, new_graph, ontology_graph
from dakg.graph.rdf.namespaces import DAKG, ID

from .conftest import DATA

ONTOLOGY = ontology_graph()
TERMS = sorted({s for s in ONTOLOGY.subjects(RDF.type, None)
                if isinstance(s, URIRef) and str(s).startswith(str(DAKG)) and s != DAKG[""]})
KINDS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)


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


@pytest.mark.parametrize("term", [t for t in TERMS if (t, RDF.type, OWL.ObjectProperty) in ONTOLOGY
                                  or (t, RDF.type, OWL.DatatypeProperty) in ONTOLOGY],
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


# -- OWL 2 DL: the OWL API's profile checker and the HermiT reasoner, over ontology + data --------


@dataclass(frozen=True)
class OwlReport:
    violations: list[str]
    consistent: bool
    unsatisfiable: list[str]


OwlCheck = Callable[[Graph], OwlReport]


@pytest.fixture(scope="session")
def owl_check(tmp_path_factory: pytest.TempPathFactory) -> OwlCheck:
    """A function that runs tests/data/OwlCheck.java on a graph and returns its findings."""
    if shutil.which("java") is None or shutil.which("javac") is None:
        pytest.skip("no Java (.ci/run installs a JDK)")
    hermit = Path(str(resources.files("owlready2") / "hermit" / "HermiT.jar"))
    classes = tmp_path_factory.mktemp("owlcheck")
    subprocess.run(["javac", "-nowarn", "-cp", str(hermit), "-d", str(classes),
                    str(DATA / "OwlCheck.java")], check=True, capture_output=True)

    def check(graph: Graph) -> OwlReport:
        document = classes / f"ontology-{len(graph)}.owl"
        graph.serialize(document, format="xml")
        run = subprocess.run(["java", "-cp", f"{classes}:{hermit}", "OwlCheck", str(document)],
                             check=True, capture_output=True, text=True, timeout=300)
        lines = [line.split("\t", 1) for line in run.stdout.splitlines()]
        return OwlReport(violations=[v for k, v in lines if k == "violation"],
                         consistent=("consistent", "true") in [tuple(x) for x in lines],
                         unsatisfiable=[v for k, v in lines if k == "unsatisfiable"])
    return check


def _everything(graphs: list[NamedGraph]) -> Graph:
    union: Graph = new_graph()
    for named in graphs:
        for triple in named.graph:
            union.add(triple)
    return union


def test_ontology_and_data_are_owl2_dl_and_consistent_under_hermit(
        owl_check: OwlCheck, graphs: list[NamedGraph]) -> None:
    report = owl_check(_everything(graphs))
    assert report.violations == []
    assert report.consistent
    assert report.unsatisfiable == []


def test_the_profile_check_and_the_reasoner_do_find_faults(owl_check: OwlCheck) -> None:
    """The check above can fail: an object property under an annotation property (as
    dakg:refersTo once was under rdfs:seeAlso) breaks OWL 2 DL; a text part that is both a
    heading and a footnote contradicts the ontology's disjointness axioms."""
    punned = ontology_graph()
    punned.add((DAKG.refersTo, RDFS.subPropertyOf, RDFS.seeAlso))
    assert any("refersTo" in v for v in owl_check(punned).violations)
    contradictory = ontology_graph()
    contradictory.add((ID["thing"], RDF.type, DAKG.Heading))
    contradictory.add((ID["thing"], RDF.type, DAKG.Footnote))
    assert not owl_check(contradictory).consistent
