"""Figures about a built dataset, each answered by one SPARQL query on the store."""

from __future__ import annotations

import pyoxigraph as ox

from .rdf.namespaces import PREFIXES

FIGURES: dict[str, str] = {
    "recommendations": "SELECT (COUNT(DISTINCT ?r) AS ?n) { ?r a dakg:Recommendation }",
    "report sections": "SELECT (COUNT(?s) AS ?n) { ?s a dakg:RecommendationSection }",
    "sections whose heading the export lost":
        "SELECT (COUNT(?s) AS ?n) { ?s dakg:headingLostInExport true }",
    "paragraphs": "SELECT (COUNT(?p) AS ?n) { ?p a ?c . ?c rdfs:subClassOf dakg:Paragraph }",
    "highlights": "SELECT (COUNT(?p) AS ?n) { ?p a dakg:Highlight }",
    "footnotes": "SELECT (COUNT(?f) AS ?n) { ?f a dakg:Footnote }",
    "document citations": "SELECT (COUNT(?c) AS ?n) { ?c a dakg:DocumentCitation }",
    "documents cited": "SELECT (COUNT(DISTINCT ?d) AS ?n) { ?c a dakg:DocumentCitation ; "
                       "oa:hasBody ?d }",
    "committee sessions": "SELECT (COUNT(DISTINCT ?s) AS ?n) { ?s a dakg:Session }",
    "programmes mentioned": "SELECT (COUNT(DISTINCT ?p) AS ?n) { ?m a dakg:ProgrammeMention ; "
                            "oa:hasBody ?p }",
    "projects mentioned": "SELECT (COUNT(DISTINCT ?p) AS ?n) { ?m a dakg:ProjectMention ; "
                          "oa:hasBody ?p }",
    "text spans with provenance": "SELECT (COUNT(?s) AS ?n) { ?s a oa:TextPositionSelector }",
}


def graph_sizes(store: ox.Store) -> dict[str, int]:
    answer = store.query("SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } "
                         "GROUP BY ?g ORDER BY ?g")
    assert isinstance(answer, ox.QuerySolutions)
    return {solution["g"].value: int(solution["n"].value) for solution in answer}


def figures(store: ox.Store, prefixes: dict[str, str] = PREFIXES) -> dict[str, int]:
    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes.items())
    result = {}
    for label, query in FIGURES.items():
        answer = store.query(prologue + query, use_default_graph_as_union=True)
        assert isinstance(answer, ox.QuerySolutions)
        result[label] = int(next(answer)["n"].value)
    return result
