"""Figures about a built dataset, each answered by one SPARQL query on the store.

Those that pages show and that grow with the series (how many things of each kind have a
name, how often each term of the ontology is used, which recommendations each session,
document, programme… is linked to: seconds each at a thousand reports) are
counted once by the build and kept beside its store (``FIGURES_FILE``), as its graph sizes
are kept in ``build.json``; a server counts them itself only for data no build counted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .rdf import iris
from .rdf.namespaces import PREFIXES, prefixes_for, rebased_iri

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


def _solutions(store: ox.Store, query: str,
               prefixes: dict[str, str] = PREFIXES) -> ox.QuerySolutions:
    """The rows of a SELECT over the union of the graphs, ``prefixes`` declared."""
    answer = store.query(query, use_default_graph_as_union=True, prefixes=prefixes)
    assert isinstance(answer, ox.QuerySolutions)
    return answer


def figures(store: ox.Store, prefixes: dict[str, str] = PREFIXES) -> dict[str, int]:
    return {label: int(next(_solutions(store, query, prefixes))["n"].value)
            for label, query in FIGURES.items()}


# The kinds of things whose names people look for, by class: how many of each have a name in
# English and in Chinese is what a user of the data needs to know (the report is Chinese;
# dakg never machine-translates, so an English name is there only where it was curated).
NAMED_KINDS: dict[str, str] = {
    "recommendations": "dakg:Recommendation",
    "clusters": "dakg:RecommendationCluster",
    "sectors": "dakg:Sector",
    "committees": "dakg:MemberStateBody",  # committees and the two assemblies
    "sessions": "dakg:Session",
    "programmes": "dakg:Programme",
    "projects": "dakg:DevelopmentAgendaProject",
    "documents": "dakg:Document",
    "report sections": "dakg:RecommendationSection",
    "annexes": "dakg:Annex",
}
# A name: a label, a preferred label or a title.
_NAMES = "rdfs:label|skos:prefLabel|dcterms:title"
COVERAGE_QUERY = f"""SELECT ?kind (COUNT(DISTINCT ?x) AS ?n) (COUNT(DISTINCT ?en) AS ?withEn)
       (COUNT(DISTINCT ?zh) AS ?withZh) WHERE {{
  VALUES ?kind {{ {" ".join(NAMED_KINDS.values())} }}
  ?x a ?kind .
  OPTIONAL {{ ?x {_NAMES} ?e FILTER(langMatches(lang(?e), "en")) BIND(?x AS ?en) }}
  OPTIONAL {{ ?x {_NAMES} ?z FILTER(langMatches(lang(?z), "zh")) BIND(?x AS ?zh) }}
}} GROUP BY ?kind"""


@dataclass(frozen=True)
class Coverage:
    """How many things of a kind there are, and how many have a name in each language."""

    kind: str
    total: int
    english: int
    chinese: int


def coverage_from_rows(rows: dict[str, tuple[int, int, int]],
                       prefixes: dict[str, str]) -> list[Coverage]:
    """``Coverage`` in the order of ``NAMED_KINDS`` from class IRI → (n, withEn, withZh)."""
    found = []
    for kind, curie in NAMED_KINDS.items():
        prefix, _, local = curie.partition(":")
        total, english, chinese = rows.get(prefixes[prefix] + local, (0, 0, 0))
        found.append(Coverage(kind, total, english, chinese))
    return found


def coverage(store: ox.Store, prefixes: dict[str, str] = PREFIXES) -> list[Coverage]:
    return coverage_from_rows(coverage_rows(store, prefixes), prefixes)


def coverage_rows(store: ox.Store, prefixes: dict[str, str] = PREFIXES) -> dict[
        str, tuple[int, int, int]]:
    """Class IRI → (things of it, with an English name, with a Chinese name)."""
    return {s["kind"].value: (int(s["n"].value), int(s["withEn"].value),
                              int(s["withZh"].value))
            for s in _solutions(store, COVERAGE_QUERY, prefixes)}


def uses_query(terms: list[str]) -> str:
    """How often each of ``terms`` is used: instances of a class, triples of a property."""
    values = " ".join(f"<{t}>" for t in terms)
    return f"""SELECT ?term (COUNT(*) AS ?n) WHERE {{
  VALUES ?term {{ {values} }} {{ ?s a ?term }} UNION {{ ?s ?term ?o }}
}} GROUP BY ?term"""


# What links a thing of each kind to the recommendations (``?e`` to ``?r``): the index pages'
# column of recommendations. Through the sections of every report, so it grows with the series.
RECOMMENDATION_LINKS: dict[str, str] = {
    "Sector": "?r dakg:relatedSector ?e .",
    "RecommendationCluster": "?r dakg:cluster ?e .",
    "Session": "?section dakg:mentionsSession ?e ; dakg:reportsOn ?r .",
    "Document": "?section dakg:citesDocument ?e ; dakg:reportsOn ?r .",
    "Programme": "{ ?e dakg:reportedUnder ?r } UNION "
                 "{ ?section dakg:mentionsProgramme ?e ; dakg:reportsOn ?r }",
    "DevelopmentAgendaProject": "{ ?e dakg:reportedUnder ?r } UNION "
                                "{ ?section dakg:mentionsProject ?e ; dakg:reportsOn ?r }",
}


def linked_query(kind: str) -> str:
    """The things of ``kind`` (a class under ``dakg:``) and the recommendations linked to
    them (``RECOMMENDATION_LINKS``), with their numbers.

    The pairs are made distinct before they are typed and numbered: every report's sections
    give the same pairs again (at 1,000 reports, the six kinds take 15 s so, and took 24 s
    typing and numbering the row of each of the 40,000 sections)."""
    return f"""SELECT DISTINCT ?e ?r ?number WHERE {{
  {{ SELECT DISTINCT ?e ?r WHERE {{ {RECOMMENDATION_LINKS[kind]} }} }}
  ?e a dakg:{kind} .
  ?r a dakg:Recommendation ; dakg:recommendationNumber ?number .
}}"""


FIGURES_FILE = "figures.json"  # in a build's folder, beside its store
# The terms whose uses a build counts: what its ontology graph describes under ``def/``.
_TERMS = """SELECT DISTINCT ?term WHERE {{ GRAPH <{graph}> {{ ?term ?p ?o }}
  FILTER(isIRI(?term) && STRSTARTS(STR(?term), "{namespace}")) }}"""


def write_figures(store: ox.Store, path: Path, base_iri: str) -> None:
    """Count what pages show of the whole dataset into ``path`` (``read_figures``)."""
    prefixes = prefixes_for(base_iri)
    graph = rebased_iri(str(iris.graph_ontology()), base_iri)
    found = store.query(_TERMS.format(graph=graph, namespace=base_iri + "def/"))
    assert isinstance(found, ox.QuerySolutions)
    terms = sorted(s["term"].value for s in found)
    uses = {term: 0 for term in terms}
    if terms:
        uses.update((s["term"].value, int(s["n"].value))
                    for s in _solutions(store, uses_query(terms)))
    links = {kind: sorted([s["e"].value, s["r"].value, int(s["number"].value)]
                          for s in _solutions(store, linked_query(kind), prefixes))
             for kind in RECOMMENDATION_LINKS}
    figures = {"coverage": coverage_rows(store, prefixes), "uses": uses, "links": links}
    path.write_text(json.dumps(figures, indent=1, sort_keys=True) + "\n")


@dataclass(frozen=True)
class Figures:
    coverage: dict[str, tuple[int, int, int]]  # as ``coverage_rows`` gives them
    uses: dict[str, int]  # every term of the ontology
    links: dict[str, list[tuple[str, str, int]]]  # kind → (thing, recommendation, number)


def read_figures(build: Path) -> Figures | None:
    """The figures a build counted, if ``build`` is a build folder that has them."""
    try:
        kept = json.loads((build / FIGURES_FILE).read_text())
    except FileNotFoundError:
        return None
    return Figures({k: (n, en, zh) for k, (n, en, zh) in kept["coverage"].items()},
                   {k: int(n) for k, n in kept["uses"].items()},
                   {k: [(e, r, int(n)) for e, r, n in rows]
                    for k, rows in kept.get("links", {}).items()})
