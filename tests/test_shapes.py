"""The SHACL shapes: the real graph conforms, and each shape reports the damage it is there for.

Every mutation test changes one module-wide copy of the graph, validates it against all the
shapes and checks that the violations come from the expected shape (and only from the shapes
the mutation is known to break), with the expected focus node and value. The change is undone
after the test: copying the 49,000 triples would cost more than validating them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS, XSD
from rdflib.term import Node

from dakg.graph.rdf import iris
from dakg.graph.rdf.dataset import NamedGraph, ontology_graph, shapes_graph
from dakg.graph.rdf.namespaces import DAKG, OA, ORG
from dakg.graph.validate import Result, validate

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

TEXT = iris.part(REPORT, "text", "zh")
PERIOD = iris.part(REPORT, "period")
HEADER = iris.part(REPORT, "header", 1)
ANNEX_1 = iris.part(REPORT, "annex", 1)
FOOTNOTE_2 = iris.part(REPORT, "footnote", 2)
SECTION_45 = iris.part(REPORT, "section", 45)
COMMITTEE_MENTION = iris.part(SECTION_1, "implementation", 1, "mention", 1)
SPAN = iris.fragment(HIGHLIGHT_1, "span")
POSITION = iris.fragment(HIGHLIGHT_1, "position")
QUOTE = iris.fragment(HIGHLIGHT_1, "quote")
CDIP_10_9 = iris.document("CDIP/10/9")
CDIP_16_4_REV = iris.document("CDIP/16/4 Rev.")
SCT_44_6_REV_4 = iris.document("SCT/44/6 Rev.4")
SCHEME = iris.scheme()
CLUSTER_A = iris.cluster("A")
SECTOR = iris.sector("brands-and-designs")
COMMITTEE = iris.committee("CDIP")
PROJECT = iris.project("south-south-cooperation")
SESSION = iris.session("CDIP", 15)


rec = iris.recommendation


class Edit:
    """Changes to the shared graph, remembered so that they can be undone."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.added: list[tuple[Node, Node, Node]] = []
        self.removed: list[tuple[Node, Node, Node]] = []

    def value(self, s: Node, p: Node) -> Node:
        value = self.graph.value(s, p)
        assert value is not None, f"{s} has no {p}"
        return value

    def remove(self, s: Node, p: Node, o: Node | None = None) -> None:
        found = list(self.graph.triples((s, p, o)))
        assert found, f"nothing to remove: {s} {p} {o}"
        for triple in found:
            self.graph.remove(triple)
        self.removed += found

    def add(self, s: Node, p: Node, o: Node) -> None:
        assert (s, p, o) not in self.graph, f"already there: {s} {p} {o}"
        self.graph.add((s, p, o))
        self.added.append((s, p, o))

    def set(self, s: Node, p: Node, o: Node) -> None:
        self.remove(s, p)
        self.add(s, p, o)

    def undo(self) -> None:
        for triple in reversed(self.added):
            self.graph.remove(triple)
        for triple in self.removed:
            self.graph.add(triple)


# -- mutations too long for a lambda -------------------------------------------------------------

def add_selector(e: Edit) -> None:
    """A third selector: a second quote selector, saying the same as the first."""
    extra = iris.fragment(HIGHLIGHT_1, "quote-2")
    e.add(SPAN, OA.hasSelector, extra)
    e.add(extra, RDF.type, OA.TextQuoteSelector)
    e.add(extra, OA.exact, e.value(QUOTE, OA.exact))


def empty_span(e: Edit) -> None:
    e.set(QUOTE, OA.exact, Literal(""))
    e.set(POSITION, OA.end, e.value(POSITION, OA.start))


def swap_offsets(e: Edit) -> None:
    start, end = e.value(POSITION, OA.start), e.value(POSITION, OA.end)
    e.set(POSITION, OA.start, end)
    e.set(POSITION, OA.end, start)


def malformed_symbol(e: Edit) -> None:
    e.set(CDIP_10_9, DAKG.symbol, Literal("CDIP10/9"))
    e.set(CDIP_10_9, RDFS.label, Literal("CDIP10/9"))


def remove_cluster(e: Edit) -> None:
    cluster = e.value(rec(5), DAKG.cluster)
    e.remove(rec(5), DAKG.cluster)
    e.remove(rec(5), SKOS.broader)
    e.remove(cluster, SKOS.narrower, rec(5))


def add_recommendation_46(e: Edit) -> None:
    """Recommendation 46, stated and reported in the section of 45, complete in every other way."""
    old, new = rec(45), rec(46)
    statement = iris.part(SECTION_45, "statement", 46)
    for p, o in list(e.graph.predicate_objects(old)):
        if p == DAKG.recommendationNumber:
            o = Literal(46, datatype=XSD.integer)
        elif p == SKOS.notation:
            o = Literal("46")
        elif p in (RDFS.label, SKOS.prefLabel):
            o = Literal(str(o).replace("45", "46"), lang=getattr(o, "language", None))
        elif p == DAKG.statedIn:
            o = statement
        e.add(new, p, o)
    for s, p in list(e.graph.subject_predicates(old)):
        if p in (DAKG.reportsOn, SKOS.narrower):
            e.add(s, p, new)
    for p, o in list(e.graph.predicate_objects(iris.part(SECTION_45, "statement", 45))):
        e.add(statement, p, new if p == DAKG.statementOf else o)
    e.add(SECTION_45, DAKG.statement, statement)


def blank_committee(e: Edit) -> None:
    node = BNode()
    e.add(node, RDF.type, DAKG.MemberStateBody)
    for p in (RDFS.label, SKOS.prefLabel):
        e.add(node, p, Literal("Committee of Experts", lang="en"))
        e.add(node, p, Literal("专家委员会", lang="zh"))
    e.add(node, DCTERMS.source, e.value(COMMITTEE, DCTERMS.source))
    e.add(node, ORG.subOrganizationOf, e.value(COMMITTEE, ORG.subOrganizationOf))


def english(e: Edit, s: URIRef, p: URIRef) -> None:
    e.set(s, p, Literal(str(e.value(s, p)), lang="en"))


# -- the cases ------------------------------------------------------------------------------------

ANY = object()  # a focus node or value the case does not pin down


@dataclass(frozen=True)
class Case:
    mutate: Callable[[Edit], None]
    shape: str  # local name under DAKGSH
    focus: object
    value: object = None
    also: tuple[str, ...] = field(default=())  # other shapes the mutation necessarily breaks


# Everything a recommendation must have: a bare one breaks each of these (and the count).
BARE_RECOMMENDATION = (
    "BilingualLabelShape", "BilingualPrefLabelShape", "ConceptTypeShape", "CuratedSourceShape",
    "RecommendationShape-adoptedForImmediateImplementation", "RecommendationShape-cluster",
    "RecommendationShape-inScheme", "RecommendationShape-notation",
    "RecommendationShape-recommendationNumber", "RecommendationShape-recommendationText",
    "RecommendationShape-relatedSector", "RecommendationShape-reportedIn",
    "RecommendationShape-statedIn")


def case(name: str, mutate: Callable[[Edit], None], shape: str, focus: object,
         value: object = None, also: tuple[str, ...] = ()) -> Any:
    # Any: what pytest.param returns (ParameterSet) is not part of pytest's public API.
    return pytest.param(Case(mutate, shape, focus, value, also), id=name)


CASES = [
    # provenance
    case("text part without source span", lambda e: e.remove(HIGHLIGHT_1, DAKG.sourceSpan),
         "SourceSpanShape", HIGHLIGHT_1),
    case("reporting period without source span", lambda e: e.remove(PERIOD, DAKG.sourceSpan),
         "SourceSpanShape", PERIOD),
    case("mention without target", lambda e: e.remove(COMMITTEE_MENTION, OA.hasTarget),
         "MentionTargetShape", COMMITTEE_MENTION),
    case("anchor without source", lambda e: e.remove(SPAN, OA.hasSource),
         "SpecificResourceShape-hasSource", SPAN),
    case("anchor with a third selector", add_selector, "SpecificResourceShape-hasSelector", SPAN),
    case("selector without type", lambda e: e.remove(QUOTE, RDF.type),
         "SpecificResourceShape-selectorKinds", SPAN),
    case("start offset typed xsd:decimal",
         lambda e: e.set(POSITION, OA.start,
                         Literal(int(str(e.value(POSITION, OA.start))),
                                 datatype=XSD.decimal)),
         "TextPositionSelectorShape-start", POSITION, ANY),
    case("negative start offset",
         lambda e: e.set(POSITION, OA.start, Literal(-1, datatype=XSD.integer)),
         "TextPositionSelectorShape-start", POSITION, ANY, also=("AnchorShape",)),
    case("position selector without end", lambda e: e.remove(POSITION, OA.end),
         "TextPositionSelectorShape-end", POSITION),
    case("quote selector without exact", lambda e: e.remove(QUOTE, OA.exact),
         "TextQuoteSelectorShape-exact", QUOTE),
    case("empty quote of an empty span", empty_span, "TextQuoteSelectorShape-exact", QUOTE, ""),
    case("corrupt exact",
         lambda e: e.set(QUOTE, OA.exact, Literal(f"{e.value(QUOTE, OA.exact)}。")),
         "AnchorShape", OA.SpecificResource, SPAN),
    case("end before start", swap_offsets, "AnchorShape", OA.SpecificResource, SPAN),
    case("malformed checksum", lambda e: e.set(TEXT, DAKG.sha256, Literal("3a3b")),
         "SourceTextShape-sha256", TEXT, "3a3b"),
    # documents
    case("malformed symbol CDIP10/9", malformed_symbol, "DocumentShape-symbol", CDIP_10_9,
         "CDIP10/9"),
    case("label other than the symbol",
         lambda e: e.set(CDIP_10_9, RDFS.label, Literal("CDIP/10/9 (draft)")),
         "DocumentShape-label", CDIP_10_9, "CDIP/10/9 (draft)"),
    case("document in no session", lambda e: e.remove(CDIP_10_9, DAKG.forSession),
         "DocumentShape-session", CDIP_10_9),
    case("information flag without INF",
         lambda e: e.set(CDIP_10_9, DAKG.informationDocument, Literal(True)),
         "DocumentSymbolShape", DAKG.Document, CDIP_10_9),
    case("revision number other than the symbol's",
         lambda e: e.set(SCT_44_6_REV_4, DAKG.revision, Literal(3, datatype=XSD.integer)),
         "DocumentSymbolShape", DAKG.Document, SCT_44_6_REV_4),
    case("Rev. symbol without revision", lambda e: e.remove(CDIP_16_4_REV, DAKG.revision),
         "DocumentSymbolShape", DAKG.Document, CDIP_16_4_REV,
         also=("RevisedDocumentShape-revision",)),
    case("revision without revised document",
         lambda e: e.add(CDIP_10_9, DAKG.revision, Literal(1, datatype=XSD.integer)),
         "RevisedDocumentShape-revisionOf", CDIP_10_9),
    # the report and its parts
    case("report without reporting period", lambda e: e.remove(REPORT, DAKG.hasReportingPeriod),
         "ProgressReportShape-reportingPeriod", REPORT),
    case("period ending before it starts",
         lambda e: e.set(PERIOD, DAKG.endMonth, Literal("2023-06")),
         "ReportingPeriodOrderShape", PERIOD, "2024-07"),
    case("annex number as text", lambda e: e.set(ANNEX_1, DAKG.annexNumber, Literal("1")),
         "AnnexShape-annexNumber", ANNEX_1, "1"),
    case("annex title in English", lambda e: english(e, ANNEX_1, DCTERMS.title),
         "AnnexShape-title", ANNEX_1, ANY),
    case("heading kept but marked lost",
         lambda e: e.set(SECTION_1, DAKG.headingLostInExport, Literal(True)),
         "SectionHeadingShape", SECTION_1, SECTION_1),
    case("noHighlights false", lambda e: e.add(SECTION_1, DAKG.noHighlights, Literal(False)),
         "RecommendationSectionShape-noHighlights", SECTION_1, "false"),
    case("Highlight without text", lambda e: e.remove(HIGHLIGHT_1, DAKG.text),
         "TextShape", HIGHLIGHT_1),
    case("highlight text in English", lambda e: english(e, HIGHLIGHT_1, DAKG.text),
         "TextShape", HIGHLIGHT_1, ANY),
    case("two activities at position 1",
         lambda e: e.set(ACTIVITY_2, DAKG.position, Literal(1, datatype=XSD.integer)),
         "PositionSequenceShape", DAKG.TextPart, SECTION_1),
    case("statement in another section",
         lambda e: e.set(STATEMENT_1, DCTERMS.isPartOf, SECTION_2),
         "RecommendationStatementShape-section", STATEMENT_1, SECTION_2),
    case("footnote part of an annex", lambda e: e.set(FOOTNOTE_2, DCTERMS.isPartOf, ANNEX_1),
         "FootnoteShape-isPartOf", FOOTNOTE_2, ANNEX_1),
    # mentions
    case("citation of a session", lambda e: e.set(CITATION, OA.hasBody, SESSION),
         "DocumentCitationShape-hasBody", CITATION, SESSION),
    case("mention in no text part", lambda e: e.remove(COMMITTEE_MENTION, DAKG.inTextPart),
         "MentionPartShape", COMMITTEE_MENTION),
    case("citation motivated by identifying",
         lambda e: e.set(CITATION, OA.motivatedBy, OA.identifying),
         "LinkingMotivationShape", CITATION),
    case("sector mention in a document",
         lambda e: e.set(SECTOR_MENTION, DAKG.inTextPart, CDIP_10_9),
         "SectorMentionShape-inTextPart", SECTOR_MENTION, CDIP_10_9,
         also=("MentionPartShape",)),
    case("recommendation not typed skos:Concept",
         lambda e: e.remove(rec(5), RDF.type, SKOS.Concept), "ConceptTypeShape", rec(5)),
    case("mention not typed oa:Annotation",
         lambda e: e.remove(COMMITTEE_MENTION, RDF.type, OA.Annotation),
         "AnnotationTypeShape", COMMITTEE_MENTION),
    case("running header naming a session", lambda e: e.set(HEADER, OA.hasBody, SESSION),
         "RunningHeaderShape-hasBody", HEADER, SESSION),
    # recommendations
    case("recommendation without cluster", remove_cluster, "RecommendationShape-cluster", rec(5)),
    case("a 46th recommendation", add_recommendation_46,
         "RecommendationNumberingShape", SCHEME, rec(46)),
    case("a bare 46th recommendation", lambda e: e.add(rec(46), RDF.type, DAKG.Recommendation),
         "RecommendationNumberingShape", SCHEME, "46", also=BARE_RECOMMENDATION),
    case("two recommendations numbered 1",
         lambda e: e.set(rec(2), DAKG.recommendationNumber,
                         Literal(1, datatype=XSD.integer)),
         "RecommendationNumberingShape", SCHEME, rec(2)),
    case("no recommendation 17",
         lambda e: e.set(rec(17), DAKG.recommendationNumber,
                         Literal(46, datatype=XSD.integer)),
         "RecommendationNumberingShape", SCHEME, "17"),
    case("recommendation text in English",
         lambda e: english(e, rec(1), DAKG.recommendationText),
         "RecommendationShape-recommendationText", rec(1), ANY),
    case("recommendation without related sector",
         lambda e: e.remove(rec(1), DAKG.relatedSector),
         "RecommendationShape-relatedSector", rec(1),
         also=("RecommendationShape-sectorsOfSection",)),
    case("recommendation reported in no section", lambda e: e.remove(rec(1), DAKG.reportedIn),
         "RecommendationShape-reportedIn", rec(1),
         also=("RecommendationShape-reportsOnInverse", "RecommendationShape-sectorsOfSection")),
    case("no immediate-implementation flag",
         lambda e: e.remove(rec(2), DAKG.adoptedForImmediateImplementation),
         "RecommendationShape-adoptedForImmediateImplementation", rec(2)),
    case("20 recommendations for immediate implementation",
         lambda e: e.set(rec(2), DAKG.adoptedForImmediateImplementation, Literal(True)),
         "ImmediateImplementationShape", SCHEME, "20"),
    case("recommendation in two schemes",
         lambda e: e.add(rec(1), SKOS.inScheme, iris.review_scheme()),
         "RecommendationShape-inScheme", rec(1)),
    case("cluster G", lambda e: e.set(CLUSTER_A, SKOS.notation, Literal("G")),
         "RecommendationClusterShape-notation", CLUSTER_A, "G",
         also=("DevelopmentAgendaSchemeShape-clusterNotations",)),
    # pieces of a report
    case("highlight without its Chinese label",
         lambda e: e.remove(HIGHLIGHT_1, RDFS.label,
                            Literal("CDIP/35/2 附件一 建议1 亮点1", lang="zh")),
         "ReportPieceLabelShape", HIGHLIGHT_1),
    case("citation with two English labels",
         lambda e: e.add(CITATION, RDFS.label, Literal("A second name", lang="en")),
         "ReportPieceLabelShape", CITATION),
    # WIPO sectors, committees, sessions and projects
    case("sector label missing @en",
         lambda e: e.remove(SECTOR, RDFS.label, Literal("Brands and Designs Sector", lang="en")),
         "BilingualLabelShape", SECTOR),
    case("committee with two Chinese labels",
         lambda e: e.add(COMMITTEE, RDFS.label, Literal("发展委员会", lang="zh")),
         "BilingualLabelShape", COMMITTEE),
    case("project named in English only", lambda e: english(e, PROJECT, RDFS.label),
         "ProjectLabelShape", PROJECT),
    case("sector without source", lambda e: e.remove(SECTOR, DCTERMS.source),
         "CuratedSourceShape", SECTOR),
    case("session without committee", lambda e: e.remove(SESSION, DAKG.committee),
         "SessionShape-committee", SESSION),
    case("committee as a blank node", blank_committee, "CommitteeShape", ANY, ANY),
]


# -- fixtures -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def shapes() -> Graph:
    graph: Graph = shapes_graph()
    return graph


@pytest.fixture(scope="module")
def data(graphs: list[NamedGraph]) -> Graph:
    """The union of the named graphs, copied once for this module (the session's stay intact)."""
    union = Graph()
    for named in graphs:
        union += named.graph
    return union


@pytest.fixture
def edit(data: Graph) -> Iterator[Edit]:
    size = len(data)
    change = Edit(data)
    yield change
    change.undo()
    assert len(data) == size, "the mutation was not undone"


def found(results: tuple[Result, ...], case: Case) -> bool:
    value = None if case.value is None else str(case.value)
    return any(r.shape == str(DAKGSH[case.shape])
               and (case.focus is ANY or r.focus == str(case.focus))
               and (case.value is ANY or r.value == value)
               for r in results)


# -- tests ----------------------------------------------------------------------------------------

def test_real_graph_conforms(data: Graph, shapes: Graph) -> None:
    outcome = validate(data, shapes)
    assert outcome.conforms and not outcome.results, outcome.text()


@pytest.mark.parametrize("case", CASES)
def test_mutation_is_reported(case: Case, edit: Edit, shapes: Graph) -> None:
    case.mutate(edit)
    violations = validate(edit.graph, shapes).violations
    assert found(violations, case), "\n".join(f"{r.shape} {r.focus} {r.value}" for r in violations)
    assert {r.shape for r in violations} == {str(DAKGSH[s]) for s in (case.shape, *case.also)}


def test_target_classes_are_declared_by_the_ontology(shapes: Graph) -> None:
    declared = set(ontology_graph().subjects(RDF.type, OWL.Class))
    assert set(shapes.objects(None, SH.targetClass)) - declared == set()


def named_shapes(shapes: Graph) -> set[Node]:
    return {s for kind in (SH.NodeShape, SH.PropertyShape) for s in shapes.subjects(RDF.type, kind)
            if isinstance(s, URIRef)}


@pytest.mark.parametrize("prop", [SH.message, RDFS.label])
def test_every_shape_speaks_english_and_chinese(shapes: Graph, prop: URIRef) -> None:
    missing = {str(s) for s in named_shapes(shapes)
               if {getattr(m, "language", None) for m in shapes.objects(s, prop)} != {"en", "zh"}}
    assert missing == set()


def test_every_shape_is_a_dakg_shape_with_a_severity(shapes: Graph) -> None:
    assert {str(s) for s in named_shapes(shapes) if not str(s).startswith(str(DAKGSH))
            or shapes.value(s, SH.severity) != SH.Violation} == set()


def test_every_class_in_the_data_has_a_node_shape(data: Graph, shapes: Graph) -> None:
    used = {c for c in data.objects(None, RDF.type) if str(c).startswith(str(DAKG))}
    shaped = {c for s in shapes.subjects(RDF.type, SH.NodeShape)
              for c in shapes.objects(s, SH.targetClass)}
    assert used - shaped == set()


def test_every_case_names_a_shape(shapes: Graph) -> None:
    names = {str(s) for s in named_shapes(shapes)}
    cases: list[Case] = [p.values[0] for p in CASES]
    assert {str(DAKGSH[s]) for c in cases for s in (c.shape, *c.also)} - names == set()
