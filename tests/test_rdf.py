"""The mapping to RDF, checked with SPARQL on the mapped graphs."""

from __future__ import annotations

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.query import ResultRow

from dakg.graph.rdf import iris
from dakg.graph.rdf.dataset import NamedGraph, rebase, union
from dakg.graph.rdf.namespaces import DAKG, DEFAULT_BASE, OA, PREFIXES
from dakg.graph.source import Source

PROLOGUE = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
ID = f"{DEFAULT_BASE}id/"


def ask(graph: Graph, query: str) -> list[tuple[str, ...]]:
    rows = []
    for row in graph.query(PROLOGUE + query):
        assert isinstance(row, ResultRow)
        rows.append(tuple(str(v) for v in row))
    return sorted(rows)


def test_every_quote_is_the_slice_of_the_source_its_offsets_name(report_graph: Graph,
                                                                  source: Source) -> None:
    checked = 0
    for position in report_graph.subjects(RDF.type, OA.TextPositionSelector):
        target = report_graph.value(predicate=OA.hasSelector, object=position)
        quote = next(q for q in report_graph.objects(target, OA.hasSelector) if q != position)
        start = int(str(report_graph.value(position, OA.start)))
        end = int(str(report_graph.value(position, OA.end)))
        assert source.text[start:end] == str(report_graph.value(quote, OA.exact))
        checked += 1
    assert checked == 1720


def test_every_piece_of_text_and_every_mention_is_anchored(graphs: list[NamedGraph],
                                                          report_graph: Graph) -> None:
    ontology = next(g.graph for g in graphs if g.name == iris.graph_ontology())

    def kinds(root: URIRef) -> set[URIRef]:
        return {kind for kind in ontology.transitive_subjects(RDFS.subClassOf, root)
                if isinstance(kind, URIRef)}

    text_classes, mention_classes = kinds(DAKG.TextPart), kinds(DAKG.Mention)
    assert DAKG.Highlight in text_classes and DAKG.DocumentCitation in mention_classes
    checked = 0
    for node, cls in report_graph.subject_objects(RDF.type):
        if cls in text_classes:
            assert report_graph.value(node, DAKG.sourceSpan) is not None, node
        elif cls in mention_classes:
            target = report_graph.value(node, OA.hasTarget)
            assert target is not None
            assert len(list(report_graph.objects(target, OA.hasSelector))) == 2
        else:
            continue
        checked += 1
    assert checked > 1700


def test_sectors_of_recommendation_12(report_graph: Graph) -> None:
    rows = ask(report_graph, f"SELECT ?s {{ <{ID}recommendation/12> dakg:relatedSector ?s }}")
    assert [r[0].rsplit("/", 1)[1] for r in rows] == [
        "administration-finance-and-management", "brands-and-designs",
        "global-challenges-and-partnerships", "infrastructure-and-platforms",
        "ip-and-innovation-ecosystems", "patents-and-technology",
        "regional-and-national-development"]


def test_documents_cited_for_recommendation_25(report_graph: Graph) -> None:
    rows = ask(report_graph, f"""
        SELECT DISTINCT ?symbol {{ <{ID}recommendation/25> dakg:reportedIn ?section .
          ?section dakg:citesDocument ?doc . ?doc dakg:symbol ?symbol }}""")
    assert len(rows) == 23 and ("CDIP/18/6 Rev.",) in rows and ("CDIP/5/10",) in rows


def test_recommendation_20_refers_to_16(report_graph: Graph) -> None:
    assert ask(report_graph, f"SELECT ?r {{ <{ID}recommendation/20> dakg:refersTo ?r }}") == [
        (f"{ID}recommendation/16",)]


def test_no_section_cites_the_page_header(report_graph: Graph) -> None:
    report = iris.document("CDIP/35/2")
    assert ask(report_graph, f"SELECT ?s {{ ?s dakg:citesDocument <{report}> }}") == []
    assert ask(report_graph, f"SELECT ?h {{ ?h a dakg:RunningHeader ; oa:hasBody <{report}> }}")


def test_symbols_are_canonical_and_spellings_kept(report_graph: Graph) -> None:
    doc = URIRef(f"{ID}document/CDIP/10/9")
    assert report_graph.value(doc, URIRef(f"{DEFAULT_BASE}def/symbol")) == Literal("CDIP/10/9")
    assert ask(report_graph, f"SELECT ?l {{ <{doc}> skos:hiddenLabel ?l }}") == [("CDIP10/9",)]
    rows = ask(report_graph, f"""
        SELECT ?n ?c ?rev {{ <{ID}document/SCT/44/6/Rev.4> dakg:session ?s ; dakg:revision ?rev ;
          dakg:revisionOf ?orig . ?s dakg:sessionNumber ?n ; dakg:committee ?c }}""")
    assert rows == [("44", f"{ID}committee/SCT", "4")]
    assert ask(report_graph, f"SELECT ?i {{ <{ID}document/CDIP/3/INF/2> "
                             "dakg:informationDocument ?i }") == [("true",)]


def test_sessions_from_ordinals(report_graph: Graph) -> None:
    rows = ask(report_graph, f"""SELECT ?label {{ <{ID}session/IGC/51> rdfs:label ?label }}""")
    assert rows == [("51st session of the IGC",), ("IGC第五十一届会议",)]


def test_programmes_link_to_the_recommendations_whose_sections_name_them(
        report_graph: Graph) -> None:
    rows = ask(report_graph, f"SELECT ?r {{ <{ID}programme/abc> dakg:reportedUnder ?r }}")
    assert rows == [(f"{ID}recommendation/27",)]
    greens = ask(report_graph, f"SELECT ?r {{ <{ID}programme/wipo-green> dakg:reportedUnder ?r }}")
    assert greens == [(f"{ID}recommendation/40",), (f"{ID}recommendation/43",),
                      (f"{ID}recommendation/9",)]


def test_project_documents(report_graph: Graph) -> None:
    rows = ask(report_graph, f"SELECT ?d {{ <{ID}project/public-domain-information> "
                             "dakg:projectDocument ?d }")
    assert rows == [(f"{ID}document/CDIP/16/4/Rev",)]


def test_curated_facts_live_in_the_reference_graph(graphs: list[NamedGraph]) -> None:
    reference = next(g.graph for g in graphs if g.name == iris.graph_reference())
    assert ask(reference, f"SELECT ?c {{ <{ID}recommendation/12> dakg:cluster ?c }}") == [
        (f"{ID}cluster/A",)]
    immediate = ask(reference, "SELECT ?r { ?r dakg:adoptedForImmediateImplementation true }")
    assert len(immediate) == 19
    labels = ask(reference, f"SELECT ?l {{ <{ID}sector/regional-and-national-development> "
                            "rdfs:label ?l }")
    assert labels == [("Regional and National Development Sector",), ("区域和国家发展部门",)]
    assert ask(reference, f"SELECT ?s {{ <{ID}cluster/A> dcterms:source ?s }}")
    title = ask(reference, f"SELECT ?t ?s {{ <{ID}document/CDIP/35/2> dcterms:title ?t ; "
                           "dcterms:source ?s FILTER(LANG(?t) = 'en') }")
    assert title == [("Progress Report on the Implementation of the 45 Development Agenda "
                      "Recommendations", f"{ID}source/wipo-cdip-documents")]


def test_rebase_moves_every_iri(graphs: list[NamedGraph]) -> None:
    moved = rebase(graphs, "http://localhost:8000/")
    assert all(str(g.name).startswith("http://localhost:8000/id/graph/") for g in moved)
    left = sum(1 for t in union(moved) for term in t if str(term).startswith(DEFAULT_BASE))
    assert left == 0
    assert sum(len(g.graph) for g in moved) == sum(len(g.graph) for g in graphs)
