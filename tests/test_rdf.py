"""The mapping to RDF, checked with SPARQL on the mapped graphs."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.query import ResultRow

from dakg.graph.query import run_query
from dakg.graph.rdf import iris
from dakg.graph.rdf.dataset import NamedGraph, rebase, union
from dakg.graph.rdf.namespaces import DAKG, DEFAULT_BASE, OA, PREFIXES
from dakg.graph.source import Source
from dakg.graph.store import open_store

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
    assert checked == 1758


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
        SELECT ?n ?c ?rev {{ <{ID}document/SCT/44/6/Rev.4> dakg:forSession ?s ; dakg:revision ?rev ;
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


def _readme_citation_query() -> str:
    """README's example that finds, through the text, the documents a section cites."""
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    blocks: list[str] = re.findall(r"```sparql\n(.*?)```", readme, re.DOTALL)
    return next(b for b in blocks if "dakg:inTextPart/dcterms:isPartOf ?section" in b
                and "recommendation\\/25" in b)


@pytest.mark.parametrize("number", range(1, 46))
def test_readme_path_through_the_text_agrees_with_cites_document(built: Path,
                                                                 number: int) -> None:
    """Footnotes are part of their section, so the path through the text finds citations in
    footnotes too (CDIP/35/3 in the footnotes of the section on recommendation 10)."""
    store = open_store(built)

    def symbols(query: str) -> set[str]:
        result = run_query(store, query, PREFIXES)
        assert isinstance(result, ox.QuerySolutions)
        return {str(row[0].value) for row in result}

    through_text = symbols(_readme_citation_query().replace("recommendation\\/25",
                                                            f"recommendation\\/{number}"))
    direct = symbols(f"""
        SELECT DISTINCT ?symbol {{ ?section dakg:reportsOn id:recommendation\\/{number} ;
                                            dakg:citesDocument/dakg:symbol ?symbol }}""")
    assert through_text == direct
    if number == 10:
        assert "CDIP/35/3" in direct


def test_footnotes_are_part_of_the_section_that_calls_them(report_graph: Graph) -> None:
    rows = ask(report_graph, """
        SELECT ?parent { ?footnote dakg:footnoteNumber 33 ; dcterms:isPartOf ?parent }""")
    assert len(rows) == 1 and "/section/" in rows[0][0]
    orphans = ask(report_graph, """
        SELECT ?footnote { ?footnote a dakg:Footnote ; dcterms:isPartOf ?parent .
                           FILTER NOT EXISTS { ?parent dcterms:hasPart ?footnote } }""")
    assert orphans == []


def test_types_a_client_needs_are_stated(graphs: list[NamedGraph]) -> None:
    everything = union(graphs)
    concepts = ask(everything, "SELECT ?c { ?c a skos:Concept }")
    assert len(concepts) == 53  # 45 recommendations, 6 clusters, 2 review recommendations
    not_annotations = ask(everything, """
        SELECT ?m { ?m oa:hasTarget ?t FILTER NOT EXISTS { ?m a oa:Annotation } }""")
    assert not_annotations == []
    assert len(ask(everything, "SELECT ?m { ?m a oa:Annotation }")) > 900


def test_the_report_is_a_work_and_its_chinese_version_an_expression(
        graphs: list[NamedGraph]) -> None:
    everything = union(graphs)
    rows = ask(everything, f"""
        SELECT ?language ?format {{ <{ID}document/CDIP/35/2> frbr:realization ?version .
          ?version a fabio:Expression ; dcterms:language ?language ; frbr:embodiment ?file .
          ?file dcterms:format ?format . FILTER NOT EXISTS {{
            <{ID}document/CDIP/35/2> dcterms:language ?any }} }}""")
    assert rows == [("http://id.loc.gov/vocabulary/iso639-1/zh",
                     "http://www.iana.org/assignments/media-types/text/plain")]
    untagged_titles = ask(everything, """
        SELECT ?t { ?s dcterms:title ?t FILTER(lang(?t) = "") }""")
    assert untagged_titles == []
    assert ask(everything, "SELECT ?c { ?g dcterms:creator ?c FILTER(isLiteral(?c)) }") == []
    assert ask(everything, f"SELECT ?p {{ <{ID}source/report> ?p ?o }}") == []


def test_committees_have_acronyms_and_are_sub_organizations_both_ways(
        graphs: list[NamedGraph]) -> None:
    rows = ask(union(graphs), """
        SELECT ?acronym { ?c a dakg:MemberStateBody ; dakg:acronym ?acronym ;
                             org:subOrganizationOf ?wipo . ?wipo org:hasSubOrganization ?c }""")
    assert ("PBC",) in rows and ("CDIP",) in rows


def test_annex_two_programmes_are_reported_under_review_recommendations(
        report_graph: Graph) -> None:
    rows = ask(report_graph, """
        SELECT DISTINCT ?thing { ?thing dakg:reportedUnder ?r .
                                 ?r a dakg:IndependentReviewRecommendation }""")
    assert len(rows) >= 1


def test_the_jsonld_dump_reads_as_web_annotation_jsonld(built: Path) -> None:
    import gzip
    import json

    from dakg.graph.store import current_build

    doc = json.loads(gzip.decompress(
        (current_build(built) / "dumps" / "dakg.jsonld.gz").read_bytes()))
    assert doc["@context"]["body"] == {"@id": str(OA.hasBody), "@type": "@id"}
    nodes = [n for g in doc["@graph"] for n in g.get("@graph", [])]
    assert not any(str(RDF.type) in n or "rdf:type" in n for n in nodes)
    mention = next(n for n in nodes if "dakg:DocumentCitation" in n.get("@type", []))
    assert "Annotation" in mention["@type"]
    assert mention["motivation"] == ["linking"]
    assert mention["body"][0].startswith("id:document/")
    position = next(n for n in nodes if n["@id"] == mention["target"][0].replace("#span",
                                                                              "#position"))
    assert position["@type"] == ["TextPositionSelector"] and position["start"][0].isdigit()


def _languages(graph: Graph, node: URIRef) -> set[str]:
    return {label.language or "" for label in graph.objects(node, RDFS.label)
            if isinstance(label, Literal)}


def test_every_node_of_the_report_graph_is_labelled_in_english_and_chinese(
        report_graph: Graph) -> None:
    """Every node of the report's own (its parts, mentions, their spans and selectors, its
    extraction) has a label in each language; the report itself is named by its symbol."""
    report = iris.document("CDIP/35/2")
    own = (f"{report}/", f"{report}#")
    named = 0
    for node in set(report_graph.subjects()):
        if isinstance(node, URIRef) and (str(node).startswith(own)
                                         or node == iris.extraction("CDIP/35/2")):
            assert {"en", "zh"} <= _languages(report_graph, node), node
            named += 1
    assert Literal("CDIP/35/2") in set(report_graph.objects(report, RDFS.label))
    assert named > 4 * 1758


@pytest.mark.parametrize(("path", "english", "chinese"), [
    ("section/13-14-17", "CDIP/35/2, Annex I, section on recommendations 13, 14 and 17",
     "CDIP/35/2 附件一 关于建议13、14、17的部分"),
    ("section/25/highlight/2", "CDIP/35/2, Annex I, recommendation 25, highlight 2",
     "CDIP/35/2 附件一 建议25 亮点2"),
    ("section/25/implementation/1/mention/3",
     "Mention of CDIP/5/10 in CDIP/35/2, Annex I, recommendation 25, implementation, "
     "paragraph 1", "CDIP/35/2 附件一 建议25 落实工作第1段中提及CDIP/5/10"),
    ("section/25/sector/1", "Mention of Patents and Technology Sector in CDIP/35/2, Annex I, "
     "section on recommendation 25", "CDIP/35/2 附件一 关于建议25的部分中提及专利和技术部门"),
    ("annex/2", "CDIP/35/2, Annex II", "CDIP/35/2 附件二"),
    ("footnote/12", "CDIP/35/2, footnote 12", "CDIP/35/2 脚注12"),
    ("section/25/statement/25#span",
     "Span of CDIP/35/2, Annex I, recommendation 25, text of recommendation 25 in the source "
     "text", "CDIP/35/2 附件一 建议25 建议25案文在原文中的片段"),
])
def test_pieces_are_labelled_by_their_place_in_the_report(
        report_graph: Graph, path: str, english: str, chinese: str) -> None:
    node = URIRef(f"{ID}document/CDIP/35/2/{path}")
    assert set(report_graph.objects(node, RDFS.label)) == {Literal(english, lang="en"),
                                                          Literal(chinese, lang="zh")}
