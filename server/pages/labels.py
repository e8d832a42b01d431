"""What names the IRIs a page shows (``fetch_labels``): from the search index, in one lookup
by key, whatever the size of the store; from the store, only what the index does not hold.

The index (``dakg.search_index``, ``SearchIndex.about``) has the labels, titles, symbols,
types and the start of the text of every IRI but the fragments of the dataset's resources
(``…#span``), so an IRI it lacks has none of them, and the store is asked for the fragments
only (and for all it lacks, if it was made from results cut at a row limit: ``complete``).
What a page shows one step further, only for the few IRIs it shows it for (``context``: the
section a text part is part of, the report of a source text, a mention's quote), and how
properties read backwards (from the ontology, once per data version) come from the store.
Naming an IRI costs the same however large the store.
"""

from __future__ import annotations

from collections.abc import Iterable

from dakg.search_index import SearchIndex, fragment

from ..runtime import Runtime
from .naming import SNIPPET_LENGTH, Info, Namer
from .paths import storable
from .search import current_index
from .terms import OA_NS, Term, bindings, prologue

LABEL_LIMIT = 20_000  # rows of the store's queries (a few per IRI asked)
# The kinds of the index's facts (``search_index.ABOUT_FIELDS`` and ``type``): the store's
# rows of these kinds are not taken again for an IRI the index named.
INDEXED_KINDS = ("label", "title", "symbol", "text", "type")
ANNOTATION = OA_NS + "Annotation"

# What the index does not hold, for the IRIs asked: the names, types and snippets of
# fragments; what the IRIs are part of, the reports whose source texts they are, a mention's
# quote. VALUES in a subquery or in a later branch of a UNION is avoided: Virtuoso 7 drops the
# VALUES and labels every typed node (26,000 rows, past the row limit).
LABEL_QUERY = """SELECT DISTINCT ?n ?k ?v WHERE {{
  {{ VALUES ?x {{ {values} }}
    {{ ?x rdfs:label ?v . BIND(?x AS ?n) BIND("label" AS ?k) }}
    UNION {{ ?x skos:prefLabel ?v . BIND(?x AS ?n) BIND("label" AS ?k) }}
    UNION {{ ?x dakg:symbol ?v . BIND(?x AS ?n) BIND("symbol" AS ?k) }}
    UNION {{ ?x dcterms:title ?v . BIND(?x AS ?n) BIND("title" AS ?k) }}
    UNION {{ ?x rdf:type ?v . BIND(?x AS ?n) BIND("type" AS ?k) }}
    UNION {{ ?x dakg:text ?t . BIND(SUBSTR(STR(?t), 1, {snippet}) AS ?v) BIND(?x AS ?n)
             BIND("text" AS ?k) }}
    UNION {{ ?x oa:hasTarget ?span . ?span oa:hasSelector ?q . ?q oa:exact ?v .
             BIND(?x AS ?n) BIND("quote" AS ?k) }}
    UNION {{ ?x dcterms:isPartOf ?v . BIND(?x AS ?n) BIND("partof" AS ?k) }}
    UNION {{ ?v dakg:sourceText ?x . BIND(?x AS ?n) BIND("report" AS ?k) }}
  }}
}}"""
# A property's name read backwards, for every property that has one: a few hundred rows of
# the ontology. Each branch starts from the property unbound: an alternative path from a
# bound property (``owl:inverseOf|^owl:inverseOf``) Oxigraph 0.5 evaluates over the whole
# store (390 ms of a 391 ms query).
INVERSE_QUERY = """SELECT DISTINCT ?n ?k ?v WHERE {
  { ?n dakg:inverseLabel ?v . BIND("inverse" AS ?k) }
  UNION { ?n owl:inverseOf ?i . ?i rdfs:label ?v . BIND("inverse-derived" AS ?k) }
  UNION { ?i owl:inverseOf ?n . ?i rdfs:label ?v . BIND("inverse-derived" AS ?k) }
  UNION { ?n a owl:SymmetricProperty ; rdfs:label ?v . BIND("inverse-derived" AS ?k) }
}"""

Inverses = dict[str, list[tuple[str, Term]]]  # property → (kind, name) of its backward names


def fetch_labels(rt: Runtime, namer: Namer, iris: Iterable[str],
                 context: Iterable[str] = ()) -> None:
    """Fill ``namer.info`` for ``iris``, and for ``context`` also with what they are part of,
    the reports of a source text and a mention's quote; then the names of the types, parts
    and reports found."""
    further = _fetch(rt, namer, iris, context)
    _fetch(rt, namer, further, ())
    for info in namer.info.values():
        info.settle()
    namer.settled()


def _fetch(rt: Runtime, namer: Namer, iris: Iterable[str], context: Iterable[str]) -> set[str]:
    """One round of ``fetch_labels``: the IRIs it found named in what it fetched."""
    dakg = rt.settings.base_iri + "def/"
    wanted = sorted({i for i in iris if storable(i)} - namer.info.keys())
    index = current_index(rt)
    indexed = _from_index(index, namer, [i for i in wanted if not fragment(i, dakg)])
    # Names the index cannot have: of fragments; of all it lacks, if it is not complete.
    unindexed = {i for i in wanted if fragment(i, dakg)
                 or not (index.complete or i in indexed)}
    inverses = _inverses(rt)
    for iri in wanted:
        for backwards, name in inverses.get(iri, []):
            namer.info.setdefault(iri, Info()).add(backwards, name)
    # A mention with no name of its own shows its quote instead.
    unnamed = [i for i in indexed if ANNOTATION in namer.info[i].types
               and not (namer.info[i].labels or namer.info[i].titles or namer.info[i].symbol)]
    asked = sorted(unindexed | set(unnamed)
                   | {i for i in context if storable(i)})
    if asked:
        text = prologue(rt) + LABEL_QUERY.format(values=" ".join(f"<{i}>" for i in asked),
                                                 snippet=SNIPPET_LENGTH)
        rows, _ = bindings(rt, text, LABEL_LIMIT)
        for row in rows:
            node, kind, value = row.get("n"), row.get("k"), row.get("v")
            if node is None or kind is None or value is None:
                continue
            if kind.value not in INDEXED_KINDS or node.value in unindexed:
                namer.info.setdefault(node.value, Info()).add(kind.value, value)
    found = {iri for i in (*wanted, *asked) if i in namer.info
             for iri in (*namer.info[i].types, *namer.info[i].part_of, *namer.info[i].reports)}
    return found - namer.info.keys()


def _from_index(index: SearchIndex, namer: Namer, iris: list[str]) -> set[str]:
    """Fill ``namer.info`` from the index for ``iris``; those it named."""
    about = index.about(iris)
    for iri, facts in about.items():
        info = namer.info.setdefault(iri, Info())
        for fact in sorted(facts):
            value = Term("uri", fact.value) if fact.field == "type" else \
                Term("literal", fact.value, fact.lang)
            info.add(fact.field, value)
    return set(about)


def _inverses(rt: Runtime) -> Inverses:
    """The backward names of properties, once per data version."""
    def fetched() -> Inverses:
        rows, _ = bindings(rt, prologue(rt) + INVERSE_QUERY, LABEL_LIMIT)
        found: Inverses = {}
        for row in rows:
            found.setdefault(row["n"].value, []).append((row["k"].value, row["v"]))
        return found

    inverses: Inverses = rt.cache.get(("inverse-names", rt.dataset.current().version), fetched)
    return inverses

