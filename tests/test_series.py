"""Two reports in one build: each in its own graph, shared resources described once."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from dakg.graph.query import run_query
from dakg.graph.rdf.namespaces import PREFIXES
from dakg.graph.store import current_build, open_store
from dakg.server.runtime import Runtime
from dakg.settings import Settings

from .conftest import app_over
from .helpers import README

REPORTS = ("https://w3id.org/dakg/id/graph/report/CDIP/35/2",
           "https://w3id.org/dakg/id/graph/report/CDIP/36/2")
_SERIES_EXAMPLE = re.compile(r"([^\n]+)<!-- series rows: (\d+) -->\s*```sparql\n(.*?)```",
                             re.DOTALL)


def rows(data_dir: Path, query: str) -> list[tuple[str, ...]]:
    result = run_query(open_store(data_dir), query, PREFIXES)
    assert isinstance(result, ox.QuerySolutions)
    return [tuple(str(t.value) if t is not None else "" for t in row) for row in result]


def test_each_report_is_a_graph_of_its_own(series: Path) -> None:
    manifest = json.loads((current_build(series) / "build.json").read_text())
    assert [s["symbol"] for s in manifest["sources"]] == ["CDIP/35/2", "CDIP/36/2"]
    assert set(REPORTS) < set(manifest["graphs"])
    assert "https://w3id.org/dakg/id/graph/shared" in manifest["graphs"]


def test_no_statement_is_in_two_graphs(series: Path) -> None:
    """So the union default graph gives one row per fact, however many reports there are."""
    assert rows(series, """SELECT ?s ?p ?o ?g ?h {
        GRAPH ?g { ?s ?p ?o } GRAPH ?h { ?s ?p ?o } FILTER(STR(?g) < STR(?h)) } LIMIT 5""") == []


def test_shared_facts_answer_once(series: Path, built: Path) -> None:
    for query in ("SELECT ?s { id:recommendation\\/12 dakg:relatedSector ?s }",
                  "SELECT ?l { id:recommendation\\/12 skos:prefLabel ?l }",
                  "SELECT ?l { id:document\\/CDIP\\/35\\/2 rdfs:label ?l }"):
        assert sorted(rows(series, query)) == sorted(rows(built, query)), query
    assert len(rows(series, "SELECT ?s { id:recommendation\\/12 dakg:relatedSector ?s }")) == 7


def test_every_statement_of_a_report_is_in_its_graph(series: Path) -> None:
    """A report's sections, paragraphs and mentions sit in that report's graph only."""
    for graph, symbol in zip(REPORTS, ("CDIP/35/2", "CDIP/36/2"), strict=True):
        outside = rows(series, f"""SELECT ?s {{
            GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{graph}>)
            FILTER(STRSTARTS(STR(?s), "https://w3id.org/dakg/id/document/{symbol}/"))
        }} LIMIT 3""")
        assert outside == [], graph
        sections = rows(series, f"""SELECT ?s {{ GRAPH <{graph}> {{
            ?s a dakg:RecommendationSection }} }}""")
        assert len(sections) == 40


@pytest.mark.parametrize(("question", "count", "query"),
                         [(m[1].strip(), int(m[2]), m[3])
                          for m in _SERIES_EXAMPLE.finditer(README)])
def test_readme_compares_two_reports(series: Path, question: str, count: int,
                                     query: str) -> None:
    answers = rows(series, query)
    assert len(answers) == count, question
    assert {a[1] for a in answers} <= {"CDIP/35/2", "CDIP/36/2"}


def test_the_comparison_agrees_with_the_extractor(series: Path) -> None:
    """The README's comparison, worked out from the records instead of the graph."""
    query = next(m[3] for m in _SERIES_EXAMPLE.finditer(README))
    cited: dict[str, set[str]] = {symbol: set() for symbol in ("CDIP/35/2", "CDIP/36/2")}
    for symbol, doc in rows(series, """SELECT ?report ?doc {
            ?section dakg:reportsOn id:recommendation\\/25 ; dakg:citesDocument ?doc ;
                     dcterms:isPartOf/dcterms:isPartOf/dakg:symbol ?report }"""):
        cited[symbol].add(doc)
    one, other = cited.values()
    assert one and other
    assert len(rows(series, query)) == len(one ^ other)


def test_the_site_serves_both_reports(series: Path) -> None:
    app = app_over(Settings(data_dir=series, workers=1, query_workers=1))
    try:
        client = app.test_client()
        home = client.get("/", headers={"Accept": "text/html"})
        assert home.status_code == 200
        text = home.get_data(as_text=True)
        for symbol in ("CDIP/35/2", "CDIP/36/2"):
            assert f'href="/id/document/{symbol}"' in text
            assert f"The report {symbol}" in text
        page = client.get("/id/recommendation/25", headers={"Accept": "text/html"})
        assert page.status_code == 200
        assert "/id/document/CDIP/36/2/section/" in page.get_data(as_text=True)
    finally:
        runtime = app.extensions["dakg"]
        assert isinstance(runtime, Runtime)
        runtime.close()


def test_the_home_page_names_the_newest_reports_and_links_the_others(
        series: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A long series does not make the home page long: it names the newest reports (here
    one) and their graphs, and links the index of them all."""
    from dakg.server.pages import views

    monkeypatch.setattr(views, "HOME_REPORTS", 1)
    app = app_over(Settings(data_dir=series, workers=1, query_workers=1))
    try:
        client = app.test_client()
        text = client.get("/", headers={"Accept": "text/html"}).get_data(as_text=True)
        assert "The report CDIP/36/2" in text and "The report CDIP/35/2" not in text
        assert REPORTS[1] in text and REPORTS[0] not in text  # the graphs table
        assert "1 more: the graph of the earlier report<" in text
        assert '<a href="/reports">1 earlier report</a>' in text
        listed = client.get("/reports").get_data(as_text=True)
        rows = re.findall(r'<tr><th scope="row"><a href="/id/document/([^"]+)">', listed)
        assert rows == ["CDIP/36/2", "CDIP/35/2"]  # newest first
        assert "the newest here: <a" in text and ">CDIP/36/2</a>)." in text  # the footer
    finally:
        runtime = app.extensions["dakg"]
        assert isinstance(runtime, Runtime)
        runtime.close()


# What the shared graph states of a resource, and the statement on a report's own nodes that
# says the same (?s ?p ?o is the shortcut; the pattern runs in a report's graph). Predicates
# not listed here describe a resource by its identifier alone (its type, labels, number,
# symbol, session), which every report gives the same.
_BACKED_BY = {
    "dakg:recommendationText": "?x dakg:statementOf ?s ; dakg:text ?o",
    "dakg:statedIn": "?o dakg:statementOf ?s",
    "dakg:reportedIn": "?o dakg:reportsOn ?s",
    "dakg:relatedSector": "?x dakg:reportsOn ?s ; dakg:relatedSector ?o",
    "dakg:reportedTogetherWith": "?x dakg:reportsOn ?s, ?o",
    "dakg:refersTo": "?x dakg:reportsOn ?s ; dakg:refersTo ?o",
    "dakg:reportedUnder": "?x dakg:reportsOn ?o ; dakg:mentionsProgramme|dakg:mentionsProject ?s",
    "dakg:projectDocument": "?x oa:hasBody ?s ; dakg:projectDocument ?o",
    "dakg:evaluationReport": "?x oa:hasBody ?s ; dakg:evaluationReport ?o",
    "dakg:completionReport": "?x oa:hasBody ?s ; dakg:completionReport ?o",
    "dakg:addressee": "?x dakg:reportsOn ?s ; dakg:hasHeading/dakg:text ?h "
                      "FILTER(CONTAINS(?h, CONCAT('（', ?o, '）')))",
    "skos:hiddenLabel": "?x oa:hasBody ?s ; oa:hasTarget/oa:hasSelector/oa:exact ?o",
}
_DESCRIPTIVE = {"rdf:type", "rdfs:label", "skos:prefLabel", "skos:notation", "skos:inScheme",
                "skos:topConceptOf", "skos:hasTopConcept", "dakg:recommendationNumber",
                "dakg:symbol", "dakg:documentNumber", "dakg:informationDocument",
                "dakg:forSession", "dakg:revision", "dakg:revisionOf", "dakg:committee",
                "dakg:sessionNumber"}
SHARED = "https://w3id.org/dakg/id/graph/shared"


def _prefixed(iri: str) -> str:
    return next((f"{p}:{iri[len(n):]}" for p, n in PREFIXES.items() if iri.startswith(n)
                 and "/" not in iri[len(n):] and "#" not in iri[len(n):]), f"<{iri}>")


def test_every_shortcut_in_the_shared_graph_is_said_by_a_report(series: Path) -> None:
    """What a report says of a shared resource is also on that report's own nodes, so
    'which report said it' has an answer for every statement of the shared graph."""
    used = {_prefixed(p) for (p,) in rows(series, f"""SELECT DISTINCT ?p {{
        GRAPH <{SHARED}> {{ ?s ?p ?o FILTER(?s != <{SHARED}>) }} }}""")}
    assert used - _DESCRIPTIVE - set(_BACKED_BY) == set()
    assert {"dakg:relatedSector", "dakg:projectDocument", "dakg:statedIn"} <= used
    for predicate, pattern in _BACKED_BY.items():
        unbacked = rows(series, f"""SELECT ?s ?o {{
            GRAPH <{SHARED}> {{ ?s {predicate} ?o }}
            FILTER NOT EXISTS {{ GRAPH ?g {{ {pattern} }}
                                 FILTER(STRSTARTS(STR(?g), "{REPORTS[0].rsplit('/', 3)[0]}/")) }}
        }} LIMIT 5""")
        assert unbacked == [], predicate


def test_each_report_says_which_software_extracted_it(series: Path) -> None:
    from dakg import __version__

    found = rows(series, """SELECT ?g ?v { GRAPH ?g { ?g prov:wasGeneratedBy ?a .
                                                    ?a dakg:softwareVersion ?v } }""")
    assert sorted(found) == [(g, __version__) for g in REPORTS]
    assert rows(series, "SELECT ?v { ?agent a prov:SoftwareAgent ; dakg:softwareVersion ?v }") \
        == []
