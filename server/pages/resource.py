"""A resource as its page shows it (``Page``) and as its RDF representations carry it.

The description of a resource is the triples with the resource as subject, plus those of its
``#fragment`` IRIs (``<…#span>``, ``<…#position>``, ``<…#quote>``: the provenance of a piece
of text or a mention) and of the blank nodes and RDF lists it points to (the ontology's
``owl:unionOf`` domains). The page adds the triples that point at the resource (capped) and
the labels of everything it shows: two queries in all.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field

from .. import formats
from ..errors import HttpError
from ..jobs import Job, Reply
from ..queries import execute, select
from ..runtime import Runtime
from .labels import fetch_labels
from .naming import Namer, natural_key
from .terms import DCTERMS_NS, OA_NS, RDF_NS, RDF_TYPE, RDFS_NS, SKOS_NS, Term, bindings, prologue

INBOUND_CAP = 100  # triples pointing at a resource shown on its page (the rest: a query)
INBOUND_COUNTED = 10_000  # links to a resource counted; past it, the page says "more than"
# Values of one property a page shows (a recommendation has a section in every report of a
# series: a page names some and links the query for all, and costs the same however many).
VALUES_SHOWN = 50
DESCRIPTION_LIMIT = 10_000  # triples in a resource's description (bounded by its out-degree)

# Properties shown first, in this order; the others follow by name.
_PREDICATE_ORDER = {
    RDF_TYPE: 0, RDFS_NS + "label": 1, SKOS_NS + "prefLabel": 2, SKOS_NS + "altLabel": 3,
    SKOS_NS + "hiddenLabel": 4, SKOS_NS + "notation": 5, RDFS_NS + "comment": 6,
    SKOS_NS + "definition": 7, DCTERMS_NS + "title": 8, DCTERMS_NS + "description": 9,
}


def description_where(iri: str, through: Sequence[str] | None = None) -> str:
    """The pattern binding ?s ?p ?o to the triples of a resource's description.

    ``through``: the properties of the resource to describe, and to follow to its fragments
    and blank nodes (default: all). Following one means reading the text of every value it
    has, to tell a fragment IRI from another; a recommendation has a section and a statement
    in every report of a series, so a page follows only the properties it shows in full.
    """
    fragment = iri + "#"
    listed = None if through is None else " ".join(f"<{p}>" for p in through)
    direct = "" if listed is None else f"VALUES ?p {{ {listed} }}"
    only = "" if listed is None else f"VALUES ?p1 {{ {listed} }}"
    return f"""
  {{ {direct} <{iri}> ?p ?o . BIND(<{iri}> AS ?s) }}
  UNION {{ {only} <{iri}> ?p1 ?s . FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{fragment}"))
           ?s ?p ?o }}
  UNION {{ {only} <{iri}> ?p1 ?f . FILTER(isIRI(?f) && STRSTARTS(STR(?f), "{fragment}"))
           ?f ?p2 ?s . FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{fragment}") && ?s != ?f)
           ?s ?p ?o }}
  UNION {{ {only} <{iri}> ?p1 ?b . FILTER(isBlank(?b)) ?b rdf:rest* ?s . ?s ?p ?o }}
  UNION {{ {only} <{iri}> ?p1 ?b . FILTER(isBlank(?b)) ?b ?p2 ?l . FILTER(isBlank(?l))
           ?l rdf:rest* ?s . ?s ?p ?o }}
"""


def summary_query(iri: str) -> str:
    """How many values each property of the resource has, and how many links point at it
    (counted up to ``INBOUND_COUNTED``): a row per property, not per value, and no value's
    text read."""
    return f"""SELECT ?dir ?p ?n WHERE {{
  {{ {{ SELECT ?p (COUNT(DISTINCT ?o) AS ?n) WHERE {{ <{iri}> ?p ?o }} GROUP BY ?p }}
     BIND("out" AS ?dir) }}
  UNION {{ {{ SELECT (COUNT(*) AS ?n) WHERE {{
            SELECT DISTINCT ?s ?p WHERE {{ ?s ?p <{iri}> }} LIMIT {INBOUND_COUNTED + 1} }} }}
          BIND("count" AS ?dir) }}
}}"""


def page_query(iri: str, few: Sequence[str], many: Sequence[str]) -> str:
    """The description through the properties with at most ``VALUES_SHOWN`` values (``few``),
    ``VALUES_SHOWN`` values of each of the others (``many``), and the inbound links (capped),
    in one SELECT.

    The values of ``many``, like the capped inbound links, are the first in the store's
    order, not sorted: sorting reads the text of every value (a recommendation's sections,
    one a report: some 20 µs each from RocksDB, 20 ms a property at 1,000 reports), and the
    page sorts what it shows anyway and links the query that lists them all.
    """
    cut = "".join(f"""
  UNION {{ {{ SELECT ?p ?o WHERE {{ <{iri}> <{p}> ?o BIND(<{p}> AS ?p) }} LIMIT {VALUES_SHOWN} }}
          BIND(<{iri}> AS ?s) BIND("out" AS ?dir) }}""" for p in many)
    return f"""SELECT DISTINCT ?dir ?s ?p ?o WHERE {{
  {{ {description_where(iri, few)} BIND("out" AS ?dir) }}{cut}
  UNION {{ {{ SELECT DISTINCT ?s ?p WHERE {{ ?s ?p <{iri}> }} LIMIT {INBOUND_CAP + 1} }}
          BIND("in" AS ?dir) }}
}}"""


def explore_query(iri: str) -> str:
    """The query a page offers for exploring its resource further on the query page."""
    return (f"# What <{iri}> says, and what says something about it\n"
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
            f"SELECT ?direction ?property ?value ?label WHERE {{\n"
            f"  {{ <{iri}> ?property ?value BIND(\"out\" AS ?direction) }}\n"
            f"  UNION {{ ?value ?property <{iri}> BIND(\"in\" AS ?direction) }}\n"
            "  OPTIONAL { ?value rdfs:label ?label FILTER(lang(?label) != \"zh\") }\n"
            "} ORDER BY ?direction ?property ?value LIMIT 1000")


def inbound_query(iri: str) -> str:
    """The query for all the links to a resource, when its page shows only some."""
    return (f"SELECT ?subject ?property WHERE {{ ?subject ?property <{iri}> }}\n"
            "ORDER BY ?property ?subject")


def _nothing_about(iri: str) -> HttpError:
    return HttpError(404, f"there is nothing about <{iri}> in this dataset")


@dataclass
class PropertyGroup:
    predicate: str
    values: list[Term]
    total: int = 0  # of all its values, when the page shows only some (``VALUES_SHOWN``)
    subject: str = ""  # its IRI, if it has one

    @property
    def all_values_query(self) -> str:
        """The query that lists every value, when the page shows only some."""
        return f"SELECT ?value WHERE {{ <{self.subject}> <{self.predicate}> ?value }}"


@dataclass
class Provenance:
    """Where a text part or mention comes from: its span, quote and offsets."""

    span: str  # IRI of the oa:SpecificResource
    via: str  # predicate from the resource to the span (dakg:sourceSpan, oa:hasTarget)
    exact: str = ""
    prefix: str = ""
    suffix: str = ""
    start: int | None = None
    end: int | None = None
    source: str = ""
    quote_iri: str = ""
    position_iri: str = ""


@dataclass
class Page:
    """A resource's description and inbound links, read the way its template needs them."""

    iri: str
    namer: Namer
    triples: dict[Term, dict[str, list[Term]]]  # subject → predicate → objects
    inbound: list[tuple[Term, str]]
    inbound_total: int  # up to INBOUND_COUNTED + 1
    cut: bool
    totals: dict[tuple[Term, str], int] = field(default_factory=dict)  # where values were cut

    @property
    def subject(self) -> Term:
        return Term("uri", self.iri)

    @property
    def dakg(self) -> str:
        return self.namer.base + "def/"

    def properties(self, subject: Term | None = None) -> list[PropertyGroup]:
        """The properties of the resource (or of a fragment or blank node), grouped."""
        subject = subject or self.subject
        groups = self._grouped(self.triples.get(subject, {}))
        for group in groups:
            group.total = self.totals.get((subject, group.predicate), 0)
            group.subject = subject.value if subject.is_iri else ""  # no query names a bnode
        return groups

    def count(self, predicate: str, subject: Term | None = None) -> int:
        """How many values ``predicate`` has, also where the page shows only some."""
        subject = subject or self.subject
        return self.totals.get((subject, predicate)) or len(self.values(predicate, subject))

    def _grouped(self, props: dict[str, list[Term]]) -> list[PropertyGroup]:
        groups = [PropertyGroup(p, sorted(set(v), key=self.namer.sort_key))
                  for p, v in props.items()]
        return sorted(groups, key=lambda g: (_PREDICATE_ORDER.get(g.predicate, 50),
                                             self.namer.name(g.predicate).casefold(),
                                             g.predicate))

    def values(self, predicate: str, subject: Term | None = None) -> list[Term]:
        found = self.triples.get(subject or self.subject, {}).get(predicate, [])
        return sorted(set(found), key=self.namer.sort_key)

    def first(self, predicate: str, subject: Term | None = None) -> Term | None:
        found = self.values(predicate, subject)
        return found[0] if found else None

    def _first_value(self, predicate: str, subject: Term) -> str:
        found = self.first(predicate, subject)
        return found.value if found else ""

    def literal(self, predicate: str, lang: str | None = None) -> Term | None:
        for value in self.values(predicate):
            if value.is_literal and (lang is None or value.primary_lang == lang):
                return value
        return None

    @property
    def types(self) -> list[str]:
        return [t.value for t in self.values(RDF_TYPE) if t.is_iri]

    def has_type(self, local_name: str) -> bool:
        return self.dakg + local_name in self.types

    @property
    def fragments(self) -> list[Term]:
        """The resource's ``#fragment`` IRIs: span, quote, position, then any others."""
        prefix = self.iri + "#"
        order = {"span": 0, "quote": 1, "position": 2}
        return sorted((s for s in self.triples if s.is_iri and s.value.startswith(prefix)),
                      key=lambda s: (order.get(self.fragment_id(s), 9), s.value))

    def fragment_id(self, subject: Term) -> str:
        return subject.value[len(self.iri) + 1:]

    def rdf_list(self, node: Term) -> list[Term] | None:
        """The items of an RDF list starting at ``node``, or None if it is not one."""
        items: list[Term] = []
        seen: set[Term] = set()
        while node.is_bnode and node not in seen:
            seen.add(node)
            props = self.triples.get(node, {})
            first, rest = props.get(RDF_NS + "first"), props.get(RDF_NS + "rest")
            if not first or not rest:
                return None
            items.append(first[0])
            node = rest[0]
        return items if node == Term("uri", RDF_NS + "nil") else None

    @functools.cached_property
    def provenance(self) -> list[Provenance]:
        """The spans the resource is anchored to (text parts) or targets (mentions)."""
        return [self._span(span, via)
                for via in (self.dakg + "sourceSpan", OA_NS + "hasTarget")
                for span in self.values(via) if span.is_iri and span in self.triples]

    def _span(self, span: Term, via: str) -> Provenance:
        p = Provenance(span.value, via, source=self._first_value(OA_NS + "hasSource", span))
        for selector in self.values(OA_NS + "hasSelector", span):
            exact = self.first(OA_NS + "exact", selector)
            if exact is not None:
                p.exact, p.quote_iri = exact.value, selector.value
                p.prefix = self._first_value(OA_NS + "prefix", selector)
                p.suffix = self._first_value(OA_NS + "suffix", selector)
            start = self.first(OA_NS + "start", selector)
            end = self.first(OA_NS + "end", selector)
            if start is not None and end is not None:
                p.position_iri = selector.value
                if start.value.isdigit() and end.value.isdigit():
                    p.start, p.end = int(start.value), int(end.value)
        return p

    @property
    def is_text(self) -> bool:
        return bool(self.provenance)

    @property
    def inbound_groups(self) -> list[PropertyGroup]:
        """Links to the resource by predicate; in each, the resources by type, then name."""
        grouped: dict[str, list[Term]] = {}
        for subject, predicate in self.inbound:
            grouped.setdefault(predicate, []).append(subject)
        groups = self._grouped(grouped)
        for group in groups:
            group.values.sort(key=lambda t: (self._type_name(t), self.namer.sort_key(t)))
        return groups

    def _type_name(self, t: Term) -> str:
        types = self.namer.types(t.value) if t.is_iri else []
        return self.namer.name(types[0]).casefold() if types else ""

    @property
    def inbound_cut(self) -> bool:
        return self.inbound_total > len(self.inbound)

    @property
    def inbound_count(self) -> str:
        """How many links point at the resource, as the page says it (counted up to a cap)."""
        if self.inbound_total > INBOUND_COUNTED:
            return f"more than {INBOUND_COUNTED:,}"
        return f"{self.inbound_total:,}"

    @property
    def title(self) -> str:
        """Its name; else its kind (the first type with a label) and short path; else the path."""
        if self.namer.has_label(self.iri):
            return self.namer.name(self.iri)
        kinds = [self.namer.name(t) for t in self.types if self.namer.has_label(t)]
        if not kinds:
            return self.namer.short(self.iri)
        return f"{kinds[0][:1].upper()}{kinds[0][1:]} {self.namer.short(self.iri)}"

    @property
    def title_zh(self) -> str:
        return self.namer.name_zh(self.iri) if self.namer.has_label(self.iri) else ""

    def shown_iris(self) -> set[str]:
        """The IRIs the page names: the resource, predicates, IRI objects, linking subjects."""
        shown = {self.iri}
        for props in self.triples.values():
            for predicate, objects in props.items():
                shown.add(predicate)
                shown.update(o.value for o in objects if o.is_iri)
        for subject, predicate in self.inbound:
            shown.add(predicate)
            if subject.is_iri:
                shown.add(subject.value)
        return shown

    def context_iris(self) -> set[str]:
        """The IRIs whose context the page shows one step further: what a text part or
        mention is in (and what that is part of), the source texts of its spans (and their
        reports)."""
        shown = {p.source for p in self.provenance if p.source}
        if self.values(OA_NS + "hasBody") or self.is_text:
            shown.update(c.value for c in (*self.values(self.dakg + "inTextPart"),
                                           *self.values(DCTERMS_NS + "isPartOf")) if c.is_iri)
        return shown


def load_page(rt: Runtime, iri: str) -> Page:
    """The page of ``iri`` with the labels of all it shows; 404 if the dataset has nothing
    about it. Two queries whatever the number of values: how many each property of the
    resource has, then at most ``VALUES_SHOWN`` of each (and ``INBOUND_CAP`` links)."""
    counts, _ = bindings(rt, prologue(rt) + summary_query(iri), DESCRIPTION_LIMIT + 1)
    subject = Term("uri", iri)
    totals: dict[str, int] = {}
    total = 0
    for row in counts:
        if row["dir"].value == "count":
            total = int(row["n"].value)
        elif "p" in row:
            totals[row["p"].value] = int(row["n"].value)
    if not totals and not total:
        raise _nothing_about(iri)
    few = sorted(p for p, n in totals.items() if n <= VALUES_SHOWN)
    many = sorted(p for p, n in totals.items() if n > VALUES_SHOWN)
    rows, cut = bindings(rt, prologue(rt) + page_query(iri, few, many),
                         DESCRIPTION_LIMIT + len(many) * VALUES_SHOWN + INBOUND_CAP + 1)
    triples: dict[Term, dict[str, list[Term]]] = {}
    inbound: list[tuple[Term, str]] = []
    for row in rows:
        if row["dir"].value == "out":
            triples.setdefault(row["s"], {}).setdefault(row["p"].value, []).append(row["o"])
        else:
            inbound.append((row["s"], row["p"].value))
    inbound.sort(key=lambda sp: (sp[1], natural_key(sp[0].value)))
    _cut_values(triples)  # a fragment's or blank node's values, which no count has named
    shown = {(subject, p): totals[p] for p in many}
    page = Page(iri, Namer(rt), triples, inbound[:INBOUND_CAP], total, cut, shown)
    fetch_labels(rt, page.namer, page.shown_iris(), page.context_iris())
    return page


def _cut_values(triples: dict[Term, dict[str, list[Term]]]) -> None:
    """Keep at most ``VALUES_SHOWN`` values of a property (of a fragment's or a blank
    node's, which the page's query does not cut: the first in natural order)."""
    for props in triples.values():
        for predicate, objects in props.items():
            distinct = set(objects)
            if len(distinct) > VALUES_SHOWN:
                props[predicate] = sorted(distinct, key=lambda t: natural_key(t.value))[
                    :VALUES_SHOWN]


def describe_rdf(rt: Runtime, iri: str, fmt: formats.Format) -> Reply:
    """The description of ``iri`` in ``fmt`` (the query process's reply); 404 if the dataset
    has nothing about it, not even a link to it."""
    text = prologue(rt) + f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {description_where(iri)} }}"
    reply = execute(rt, Job(store=rt.dataset.current().store, text=text, format=fmt.name,
                            row_limit=DESCRIPTION_LIMIT, prefixes=rt.prefixes))
    if reply.count == 0:
        linking, _ = select(rt, f"SELECT ?s WHERE {{ ?s ?p <{iri}> }} LIMIT 1", 1)
        if not linking:
            raise _nothing_about(iri)
    return reply
