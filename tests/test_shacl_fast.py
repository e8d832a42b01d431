"""The SPARQL-compiled SHACL validator of a series build gives what pySHACL gives.

The real report's data (the report graph, its part of the shared graph, the curated data and
the ontology, as a build's job sees them) is damaged in many places at once, one damage per
constraint component the shapes use, and validated once by each: their results are the same,
field by field (focus node, path, value, source shape, severity, messages), and each damage
is caught by the shape it is aimed at. pySHACL runs twice in this module (a few seconds):
once on the intact data, once on the damaged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDFS, SKOS, XSD
from rdflib.term import Node

from dakg.graph.build import Extraction
from dakg.graph.rdf import dataset, iris
from dakg.graph.rdf.namespaces import DAKG, DEFAULT_BASE, OA
from dakg.graph.reference import load_reference
from dakg.graph.shacl_compile import UnsupportedShapes, compile_shapes
from dakg.graph.shacl_sparql import ReportValidator
from dakg.graph.store import nquads, to_quads
from dakg.graph.validate import Outcome, Result, validate
from dakg.graph.validation_report import focus_nodes

from .helpers import (
    ACTIVITY_2,
    CITATION,
    DAKGSH,
    HIGHLIGHT_1,
    REPORT,
    SECTION_1,
    SECTION_2,
    SECTOR_MENTION,
    STATEMENT_1,
)

POSITION = iris.fragment(HIGHLIGHT_1, "position")
QUOTE = iris.fragment(HIGHLIGHT_1, "quote")
SPAN_2 = iris.fragment(ACTIVITY_2, "span")
POSITION_2 = iris.fragment(ACTIVITY_2, "position")
CDIP_10_9 = iris.document("CDIP/10/9")
rec = iris.recommendation


@dataclass(frozen=True)
class Damage:
    name: str
    component: str  # the constraint component it is aimed at
    shape: str  # local name under DAKGSH
    focus: URIRef
    change: Callable[[Graph], None]


def setting(s: URIRef, p: URIRef, o: Node) -> Callable[[Graph], None]:
    def change(graph: Graph) -> None:
        assert (s, p, None) in graph, f"{s} has no {p}"
        graph.set((s, p, o))
    return change


def adding(s: URIRef, p: URIRef, o: Node) -> Callable[[Graph], None]:
    def change(graph: Graph) -> None:
        assert (s, p, o) not in graph, f"already there: {s} {p} {o}"
        graph.add((s, p, o))
    return change


def removing(s: URIRef, p: URIRef) -> Callable[[Graph], None]:
    def change(graph: Graph) -> None:
        assert (s, p, None) in graph, f"{s} has no {p}"
        graph.remove((s, p, None))
    return change


def in_english(s: URIRef, p: URIRef) -> Callable[[Graph], None]:
    def change(graph: Graph) -> None:
        for value in list(graph.objects(s, p)):
            graph.remove((s, p, value))
            graph.add((s, p, Literal(str(value), lang="en")))
    return change


DAMAGES = [
    Damage("highlight without source span", "MinCount", "SourceSpanShape", HIGHLIGHT_1,
           removing(HIGHLIGHT_1, DAKG.sourceSpan)),
    Damage("anchor with a literal third selector", "MaxCount",
           "SpecificResourceShape-hasSelector", SPAN_2, adding(SPAN_2, OA.hasSelector,
                                                               Literal("a selector"))),
    Damage("citation of a session", "Class", "DocumentCitationShape-hasBody", CITATION,
           setting(CITATION, OA.hasBody, iris.session("CDIP", 15))),
    Damage("start offset typed xsd:decimal", "Datatype", "TextPositionSelectorShape-start",
           POSITION, setting(POSITION, OA.start, Literal("7", datatype=XSD.decimal))),
    Damage("negative start offset", "MinInclusive", "TextPositionSelectorShape-start",
           POSITION_2, setting(POSITION_2, OA.start, Literal(-1, datatype=XSD.integer))),
    Damage("highlight text in English", "LanguageIn", "TextShape", HIGHLIGHT_1,
           in_english(HIGHLIGHT_1, DAKG.text)),
    Damage("citation motivated by identifying", "HasValue", "LinkingMotivationShape",
           CITATION, setting(CITATION, OA.motivatedBy, OA.identifying)),
    Damage("label other than the symbol", "Equals", "DocumentShape-label", CDIP_10_9,
           setting(CDIP_10_9, RDFS.label, Literal("CDIP/10/9 (draft)"))),
    Damage("malformed checksum", "Pattern", "SourceTextShape-sha256",
           iris.part(REPORT, "text", "zh"),
           setting(iris.part(REPORT, "text", "zh"), DAKG.sha256, Literal("3a3b"))),
    Damage("empty quote", "MinLength", "TextQuoteSelectorShape-exact", QUOTE,
           setting(QUOTE, OA.exact, Literal(""))),
    Damage("committee with two Chinese labels", "UniqueLang", "BilingualLabelShape",
           iris.committee("CDIP"),
           adding(iris.committee("CDIP"), RDFS.label, Literal("发展委员会", lang="zh"))),
    Damage("noHighlights false", "In", "RecommendationSectionShape-noHighlights", SECTION_1,
           adding(SECTION_1, DAKG.noHighlights, Literal(False))),
    Damage("footnote part of an annex", "Or", "FootnoteShape-isPartOf",
           iris.part(REPORT, "footnote", 2),
           setting(iris.part(REPORT, "footnote", 2), DCTERMS.isPartOf,
                   iris.part(REPORT, "annex", 1))),
    Damage("heading kept but marked lost", "Xone", "SectionHeadingShape", SECTION_1,
           setting(SECTION_1, DAKG.headingLostInExport, Literal(True))),
    Damage("project named in English only", "QualifiedMinCount", "ProjectLabelShape",
           iris.project("south-south-cooperation"),
           in_english(iris.project("south-south-cooperation"), RDFS.label)),
    Damage("statement in another section", "SPARQL",
           "RecommendationStatementShape-section", STATEMENT_1,
           setting(STATEMENT_1, DCTERMS.isPartOf, SECTION_2)),
    Damage("period ending before it starts", "SPARQL", "ReportingPeriodOrderShape",
           iris.part(REPORT, "period"),
           setting(iris.part(REPORT, "period"), DAKG.endMonth, Literal("2023-06"))),
    Damage("two activities at position 1", "SPARQL", "PositionSequenceShape", DAKG.TextPart,
           setting(ACTIVITY_2, DAKG.position, Literal(1, datatype=XSD.integer))),
    Damage("20 recommendations for immediate implementation", "SPARQL",
           "ImmediateImplementationShape", iris.scheme(),
           setting(rec(2), DAKG.adoptedForImmediateImplementation, Literal(True))),
    Damage("no recommendation 17", "SPARQL", "RecommendationNumberingShape", iris.scheme(),
           setting(rec(17), DAKG.recommendationNumber, Literal(46, datatype=XSD.integer))),
    Damage("information flag without INF", "SPARQL", "DocumentSymbolShape", DAKG.Document,
           setting(CDIP_10_9, DAKG.informationDocument, Literal(True))),
    Damage("recommendation reported in no section", "MinCount (inverse path)",
           "RecommendationShape-reportsOnInverse", rec(1), removing(rec(1), DAKG.reportedIn)),
    Damage("sector mention in a document", "Class (targetSubjectsOf)",
           "SectorMentionShape-inTextPart", SECTOR_MENTION,
           setting(SECTOR_MENTION, DAKG.inTextPart, CDIP_10_9)),
    Damage("recommendation in two schemes", "MaxCount", "RecommendationShape-inScheme", rec(3),
           adding(rec(3), SKOS.inScheme, iris.review_scheme())),
]


@pytest.fixture(scope="module")
def intact(extraction: Extraction) -> Graph:
    """The data a build's job validates for the bundled report, as one graph."""
    reference = load_reference(None)
    named, said = dataset.map_report(extraction.report, extraction.source.text, reference,
                                     "test").graphs()
    graph = dataset.curated_documents(reference)
    for part in [*dataset.fixed_graphs(reference), named]:
        graph += part.graph
    graph += said
    return graph


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return dataset.shapes_graph()


def fast(data: Graph, shapes: Graph) -> tuple[Outcome, set[str]]:
    quads = to_quads((URIRef("urn:test:graph"), s, p, o) for s, p, o in data)
    return ReportValidator(Graph(), shapes).validate(quads)


@pytest.fixture(scope="module")
def damaged(intact: Graph, shapes: Graph) -> tuple[Outcome, Outcome]:
    """pySHACL's outcome and the compiled validator's on the data with every damage."""
    data = Graph()
    data += intact
    for damage in DAMAGES:
        damage.change(data)
    return validate(data, shapes), fast(data, shapes)[0]


def test_both_find_the_bundled_report_conforming_with_the_same_focus_nodes(
        intact: Graph, shapes: Graph) -> None:
    reference = validate(intact, shapes)
    outcome, focus = fast(intact, shapes)
    assert reference.conforms and outcome.conforms
    assert len(outcome.results) == len(reference.results) == 0
    assert focus == {str(n) for n in focus_nodes(intact, shapes)}


def test_the_jobs_route_through_nquads_gives_the_same(intact: Graph, shapes: Graph) -> None:
    """A build's job hands the validator its N-Quads (``validate_nquads``), two graphs of
    them: the same outcome and focus nodes as the quads themselves, on damaged data too."""
    data = Graph()
    data += intact
    for damage in DAMAGES[:8]:
        damage.change(data)
    names = (URIRef("urn:test:one"), URIRef("urn:test:two"))
    quads = [(names[n % 2], s, p, o) for n, (s, p, o) in enumerate(data)]
    validator = ReportValidator(Graph(), shapes)
    through = validator.validate_nquads(nquads(quads), [str(n) for n in names])
    assert through == validator.validate(to_quads(quads))
    assert not through[0].conforms and through[1]


def test_both_give_the_same_results_on_damaged_data(damaged: tuple[Outcome, Outcome]) -> None:
    reference, outcome = damaged
    assert not reference.conforms and not outcome.conforms
    assert set(outcome.results) == set(reference.results)
    assert outcome.results == reference.results  # and in the same order
    assert outcome.text() == reference.text()


@pytest.mark.parametrize("damage", DAMAGES, ids=[f"{d.component}: {d.name}" for d in DAMAGES])
def test_each_damage_fires_its_shape_the_same_way(damage: Damage,
                                                   damaged: tuple[Outcome, Outcome]) -> None:
    def fired(outcome: Outcome) -> set[Result]:
        return {r for r in outcome.results
                if r.shape == str(DAKGSH[damage.shape]) and r.focus == str(damage.focus)}

    reference, outcome = damaged
    assert fired(reference), f"pySHACL does not report {damage.name} with {damage.shape}"
    assert fired(outcome) == fired(reference)


def test_the_reports_hold_the_same_results(damaged: tuple[Outcome, Outcome]) -> None:
    """The SHACL report graphs (what validation.ttl would hold) have as many results, and say
    the same of each: its focus node, source shape, constraint component, severity, value and
    messages."""
    def said(outcome: Outcome) -> list[tuple[Any, ...]]:
        report = outcome.report
        rows = []
        for result in report.subjects(URIRef("http://www.w3.org/ns/shacl#focusNode"), None):
            values = [report.value(result, URIRef(f"http://www.w3.org/ns/shacl#{name}"))
                      for name in ("focusNode", "sourceShape", "sourceConstraintComponent",
                                   "resultSeverity", "value")]
            messages = frozenset(report.objects(
                result, URIRef("http://www.w3.org/ns/shacl#resultMessage")))
            rows.append((*values, messages))
        return sorted(rows, key=str)

    reference, outcome = damaged
    assert said(outcome) == said(reference)


def test_a_constraint_it_does_not_implement_is_refused(shapes: Graph) -> None:
    extended = Graph()
    extended += shapes
    extended.parse(format="turtle", data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <urn:test:short-labels> a sh:PropertyShape ;
            sh:targetClass <https://w3id.org/dakg/def/Recommendation> ;
            sh:path <http://www.w3.org/2000/01/rdf-schema#label> ;
            sh:maxLength 200 ; sh:message "Labels are short."@en .""")
    with pytest.raises(UnsupportedShapes, match="urn:test:short-labels uses sh:maxLength"):
        compile_shapes(extended)


def test_shapes_it_refuses_are_validated_by_pyshacl(intact: Graph, shapes: Graph) -> None:
    """A shape without a message (whose generic one only pySHACL writes) is not compiled: the
    validator hands the data to pySHACL, which finds what it would find on its own."""
    extended = Graph()
    extended += shapes
    extended.parse(format="turtle", data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <urn:test:wants-an-example> a sh:PropertyShape ;
            sh:targetNode <https://w3id.org/dakg/id/recommendation/1> ;
            sh:path <http://www.w3.org/2004/02/skos/core#example> ; sh:minCount 1 .""")
    with pytest.raises(UnsupportedShapes, match="no sh:message"):
        compile_shapes(extended)
    one = Graph()
    for triple in intact.triples((rec(1), None, None)):
        one.add(triple)
    outcome, _ = fast(one, extended)
    assert [r.shape for r in outcome.results if r.shape.startswith("urn:")] == [
        "urn:test:wants-an-example"]


def test_the_rebased_validator_agrees_on_another_base(intact: Graph, shapes: Graph) -> None:
    """A build on another base IRI validates its data as stored: shapes and fixed graphs
    move to that base, and the intact report still conforms."""
    from dakg.graph.rdf.dataset import rebase_graph
    from dakg.graph.shacl_sparql import report_validator

    base = "http://localhost:8000/"
    data = rebase_graph(intact, base)
    quads = to_quads((URIRef("urn:test:graph"), s, p, o) for s, p, o in data)
    outcome, focus = report_validator(Graph(), shapes, base).validate(quads)
    assert outcome.conforms, outcome.text()
    assert f"{base}id/recommendation/1" in focus
    assert not any(n.startswith(DEFAULT_BASE + "id/") for n in focus)
