"""Linked-data pages: every resource under /id/ and /def/ as HTML and as RDF; the home page,
the list of recommendations, the query page and the dumps.

A resource's IRI is the base IRI (``settings.base_iri``) plus the request path, whatever host
served the request: ``GET /id/recommendation/20`` on any host describes
``<https://w3id.org/dakg/id/recommendation/20>`` (by default), so a locally served IRI
dereferences, and every IRI under the base is linked on the pages as a local path.

The description of a resource (what its RDF representations carry) is the triples with the
resource as subject, plus those of its ``#fragment`` IRIs (``<…#span>``, ``<…#position>``,
``<…#quote>``: the provenance of a piece of text or a mention) and of the blank nodes and RDF
lists it points to (the ontology's ``owl:unionOf`` domains). The HTML page adds the triples
that point at the resource (capped) and the labels of everything it shows: two queries, both
run on a query process through ``sparql.execute`` like every other query.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, render_template, request, send_from_directory

from . import description, formats
from .errors import HttpError, not_acceptable
from .runtime import Runtime, runtime

bp = Blueprint("pages", __name__, template_folder="templates")


def _code_digest() -> str:
    """A digest of the templates and static files: part of the pages' ETags, so that a new
    layout is not answered 304 from a client's cache while the data stays the same."""
    digest = hashlib.blake2b(digest_size=4)
    here = Path(__file__).parent
    for folder in ("templates", "static"):
        for path in sorted((here / folder).glob("*")):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


CODE_DIGEST = _code_digest()

CACHE_CONTROL = "public, max-age=60"  # as the SPARQL endpoint's GET results
DUMP_CACHE_CONTROL = "public, max-age=3600"
INBOUND_CAP = 200  # triples pointing at a resource shown on its page
DESCRIPTION_LIMIT = 10_000  # triples in a resource's description (bounded by its out-degree)
LABEL_LIMIT = 20_000  # rows of the label query (a few per IRI shown)
SNIPPET_LENGTH = 60  # characters of a text shown beside a link to it

RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS_NS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS_NS = "http://www.w3.org/2004/02/skos/core#"
OA_NS = "http://www.w3.org/ns/oa#"
DCTERMS_NS = "http://purl.org/dc/terms/"
RDF_TYPE = RDF_NS + "type"
# Prefixes used only to shorten IRIs on pages, beside those queries declare.
DISPLAY_ONLY_PREFIXES = {"vann": "http://purl.org/vocab/vann/",
                         "foaf": "http://xmlns.com/foaf/0.1/", "schema": "https://schema.org/",
                         "sd": "http://www.w3.org/ns/sparql-service-description#"}

HTML = "text/html"
# Extensions that select a representation; any other dot is part of the IRI (``Rev.4``).
EXTENSIONS = {"html": HTML, "ttl": "turtle", "nt": "ntriples", "rdf": "rdfxml",
              "jsonld": "jsonld"}
DOWNLOADS = (("ttl", "Turtle"), ("jsonld", "JSON-LD"), ("nt", "N-Triples"), ("rdf", "RDF/XML"))


# -- terms ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Term:
    """An RDF term as a page shows it: from a SPARQL JSON result binding."""

    kind: str  # uri | bnode | literal | triple
    value: str
    lang: str = ""
    datatype: str = ""

    @property
    def is_iri(self) -> bool:
        return self.kind == "uri"

    @property
    def is_literal(self) -> bool:
        return self.kind == "literal"

    @property
    def is_bnode(self) -> bool:
        return self.kind == "bnode"

    @property
    def primary_lang(self) -> str:
        return self.lang.split("-")[0].lower()


def term(binding: dict[str, Any]) -> Term:
    kind = binding["type"]
    if kind == "typed-literal":
        kind = "literal"
    if kind == "triple":
        value = binding["value"]
        return Term("triple", " ".join(term(value[k]).value for k in
                                       ("subject", "predicate", "object")))
    return Term(kind, binding["value"], binding.get("xml:lang", ""),
                binding.get("datatype", ""))


def bindings(rt: Runtime, text: str, limit: int) -> tuple[list[dict[str, Term]], bool]:
    """The rows of a SELECT (run through the server's limits) and whether they were cut."""
    from .sparql import execute

    job = {"store": rt.dataset.current().store, "text": text, "format": "json",
           "row_limit": limit, "prefixes": {}}
    reply = execute(rt, job)
    rows = json.loads(reply["body"])["results"]["bindings"]
    return [{k: term(v) for k, v in row.items()} for row in rows], bool(reply["truncated"])


def prologue(rt: Runtime) -> str:
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in rt.prefixes.items())


# -- helpers for templates ------------------------------------------------------------------------

_CJK = re.compile("[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


@bp.app_template_global()
def text_lang(value: Term | str) -> str:
    """The language to declare for a text: its tag, else ``zh`` if it holds Chinese."""
    if isinstance(value, Term):
        if value.lang:
            return value.lang
        value = value.value
    return "zh" if _CJK.search(value) else ""


@bp.app_template_global()
def visible_ws(text: str) -> str:
    """Line breaks and tabs of a quote's context made visible (↵, ⇥), on one line."""
    return text.replace("\r\n", "↵").replace("\n", "↵").replace("\r", "↵").replace("\t", "⇥")


# -- IRIs from the request path -------------------------------------------------------------------

# RFC 3987 ipath/ifragment characters besides ucschar; '%' only before two hex digits.
_IRI_ASCII = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                       "-._~!$&'()*+,;=:@/%?#")
_UCS_RANGES = ((0xA0, 0xD7FF), (0xF900, 0xFDCF), (0xFDF0, 0xFFEF), (0x10000, 0x1FFFD),
               (0x20000, 0x2FFFD), (0x30000, 0x3FFFD), (0x40000, 0x4FFFD), (0x50000, 0x5FFFD),
               (0x60000, 0x6FFFD), (0x70000, 0x7FFFD), (0x80000, 0x8FFFD), (0x90000, 0x9FFFD),
               (0xA0000, 0xAFFFD), (0xB0000, 0xBFFFD), (0xC0000, 0xCFFFD), (0xD0000, 0xDFFFD),
               (0xE1000, 0xEFFFD))
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def _iri_char(ch: str) -> bool:
    if ch in _IRI_ASCII:
        return True
    code = ord(ch)
    return any(low <= code <= high for low, high in _UCS_RANGES)


def checked_path(path: str) -> str:
    """``path`` if it can be part of an IRI (and so of a SPARQL IRIREF); else 400.

    Everything an IRIREF forbids (``<>"{}|^`\\``, spaces, control characters) is refused,
    and so is whatever else RFC 3987 does not allow in a path, so that the path can be put
    between angle brackets and in a string literal of a query as it is.
    """
    bad = next((ch for ch in path if not _iri_char(ch)), None)
    if bad is not None:
        raise HttpError(400, f"the path is not part of a valid IRI: character "
                             f"U+{ord(bad):04X} is not allowed in an IRI")
    if _BAD_PERCENT.search(path):
        raise HttpError(400, "the path is not part of a valid IRI: '%' must start a "
                             "percent-encoded octet")
    if path.count("#") > 1:
        raise HttpError(400, "the path is not part of a valid IRI: more than one '#'")
    return path


def split_extension(path: str) -> tuple[str, str | None]:
    """(path without a known representation extension, that extension or None)."""
    stem, dot, ext = path.rpartition(".")
    if dot and ext in EXTENSIONS and stem and not stem.endswith("/"):
        return stem, ext
    return path, None


# -- naming things on a page ----------------------------------------------------------------------

def natural_key(text: str) -> tuple[Any, ...]:
    """Sort key in which digit runs compare as numbers: recommendation/2 < recommendation/10."""
    parts = re.split(r"([0-9]+)", text)  # text, digits, text, digits, …, text
    return tuple(int(part) if i % 2 else part.casefold() for i, part in enumerate(parts))


@dataclass
class Info:
    """What the label query found about one IRI (or blank node)."""

    labels: dict[str, list[str]] = field(default_factory=dict)  # primary language → labels
    titles: dict[str, list[str]] = field(default_factory=dict)  # dcterms:title, the same way
    symbol: str = ""
    types: list[str] = field(default_factory=list)
    text: str = ""  # the start of its dakg:text
    quote: str = ""  # the quote of its span (mentions)
    part_of: list[str] = field(default_factory=list)
    reports: list[str] = field(default_factory=list)  # documents whose source text it is


class Namer:
    """How a page names and links IRIs: labels where known, local paths under the base."""

    def __init__(self, rt: Runtime) -> None:
        self.base: str = rt.settings.base_iri
        self.root: str = request.script_root
        known = {**DISPLAY_ONLY_PREFIXES, **rt.prefixes}
        self.prefixes = sorted(known.items(), key=lambda item: -len(item[1]))
        self.info: dict[str, Info] = {}

    # links
    def local(self, iri: str) -> str | None:
        """The local path of an IRI under the base (``/id/…``, ``/def/…``), else None."""
        if iri.startswith(self.base):
            rest = iri[len(self.base):]
            if rest.startswith(("id/", "def/")):
                return self.root + "/" + _href_escape(rest)
        return None

    def href(self, iri: str) -> str | None:
        local = self.local(iri)
        if local is not None:
            return local
        if iri.startswith(("http://", "https://")):
            return iri
        return None

    def is_external(self, iri: str) -> bool:
        return self.local(iri) is None

    def data_path(self, iri: str, ext: str) -> str:
        """The local path of the representation ``ext`` of a local resource."""
        local = self.local(iri) or ""
        return local.split("#")[0].rstrip("/") + "." + ext

    def curie(self, iri: str) -> str:
        for prefix, ns in self.prefixes:
            if iri.startswith(ns) and len(iri) > len(ns):
                return f"{prefix}:{iri[len(ns):]}"
        return iri

    def short(self, iri: str) -> str:
        """A readable fallback name: the path under the base, else the prefixed name."""
        if iri.startswith(self.base):
            rest = iri[len(self.base):]
            return rest[3:] if rest.startswith("id/") else self.curie(iri)
        return self.curie(iri)

    # labels
    def labels(self, iri: str) -> dict[str, list[str]]:
        found = self.info.get(iri)
        return found.labels if found else {}

    def name(self, iri: str) -> str:
        """The main name: English label, else untagged, else Chinese, else symbol, else path."""
        labels = self.labels(iri)
        for lang in ("en", ""):
            if labels.get(lang):
                return labels[lang][0]
        for lang, values in sorted(labels.items()):
            if lang != "zh" and values:
                return values[0]
        if labels.get("zh"):
            return labels["zh"][0]
        found = self.info.get(iri)
        if found and found.symbol:
            return found.symbol
        return self.short(iri)

    def name_zh(self, iri: str) -> str:
        """The Chinese label when the main name is not it (shown beside it), else ''."""
        labels = self.labels(iri)
        zh = labels.get("zh", [])
        if zh and zh[0] != self.name(iri):
            return zh[0]
        return ""

    def name_is_zh(self, iri: str) -> bool:
        """Whether the main name is Chinese text (to be marked ``lang="zh"``)."""
        return text_lang(self.name(iri)) == "zh"

    def has_label(self, iri: str) -> bool:
        found = self.info.get(iri)
        return bool(found and (found.labels or found.symbol))

    def snippet(self, iri: str) -> str:
        """A short piece of the text of an IRI without a label: its quote or text."""
        found = self.info.get(iri)
        if not found:
            return ""
        text = found.quote or found.text
        return text + "…" if len(text) >= SNIPPET_LENGTH else text

    def types(self, iri: str) -> list[str]:
        found = self.info.get(iri)
        return found.types if found else []

    def sort_key(self, t: Term) -> tuple[Any, ...]:
        if t.is_iri:
            return (0, natural_key(self.name(t.value)), t.value)
        if t.is_literal:
            order = {"zh": 0, "en": 1}.get(t.primary_lang, 2)
            return (1, order, natural_key(t.value))
        return (2, t.value)


_PATH_SAFE = "/:@!$&'()*+,;=-._~"


def _href_escape(path: str) -> str:
    """The href of a path under the base whose decoded form is ``path`` again: '%' and '?'
    (and anything not allowed in a path) are percent-encoded; the first '#' stays, as the
    fragment; non-ASCII characters stay (browsers encode them in UTF-8, the server decodes
    them back)."""
    head, hash_, fragment = path.partition("#")
    return _escape_part(head) + hash_ + _escape_part(fragment)


def _escape_part(text: str) -> str:
    return "".join(ch if ch in _PATH_SAFE or (ch.isascii() and ch.isalnum())
                   or (ord(ch) > 0x7F and _iri_char(ch)) else quote(ch, safe="")
                   for ch in text)


def _header_path(path: str) -> str:
    """``path`` for an HTTP header: ASCII only, '#' and '%' encoded."""
    return quote(path, safe=_PATH_SAFE)


# The labels, types and snippets of the IRIs a page shows, in one query. (The labels of their
# types come from a subquery: joined directly, Oxigraph's plan is some 40 times slower.)
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
    UNION {{ ?r dakg:sourceText ?x . ?r rdfs:label ?v . BIND(?r AS ?n) BIND("label" AS ?k) }}
  }}
  UNION {{ {{ SELECT DISTINCT ?n WHERE {{ VALUES ?y {{ {values} }} ?y rdf:type ?n }} }}
          ?n rdfs:label ?v . BIND("label" AS ?k) }}
}}"""


def fetch_labels(rt: Runtime, namer: Namer, iris: Iterable[str]) -> None:
    """Fill ``namer.info`` for ``iris`` (and for their types and reports): one query."""
    wanted = sorted({i for i in iris if _storable(i)})
    if not wanted:
        return
    text = prologue(rt) + LABEL_QUERY.format(values=" ".join(f"<{i}>" for i in wanted),
                                              snippet=SNIPPET_LENGTH)
    rows, _ = bindings(rt, text, LABEL_LIMIT)
    for row in rows:
        node, kind, value = row.get("n"), row.get("k"), row.get("v")
        if node is None or kind is None or value is None:
            continue
        info = namer.info.setdefault(node.value, Info())
        if kind.value == "label":
            info.labels.setdefault(value.primary_lang, []).append(value.value)
        elif kind.value == "symbol":
            info.symbol = info.symbol or value.value
        elif kind.value == "title":
            info.titles.setdefault(value.primary_lang, []).append(value.value)
        elif kind.value == "type" and value.is_iri:
            info.types.append(value.value)
        elif kind.value == "text":
            info.text = value.value
        elif kind.value == "quote":
            info.quote = value.value
        elif kind.value == "partof" and value.is_iri:
            info.part_of.append(value.value)
        elif kind.value == "report" and value.is_iri:
            info.reports.append(value.value)
    for info in namer.info.values():
        if not info.labels and info.titles:  # a title names what has no label
            info.labels = info.titles
        for values in info.labels.values():
            values.sort()
        info.types.sort()
        info.part_of.sort()
        info.reports.sort()


def _storable(iri: str) -> bool:
    """Whether an IRI (from the store) can be written between angle brackets as it is."""
    return bool(iri) and not any(ch in '<>"{}|^`\\' or ord(ch) <= 0x20 for ch in iri)


# -- a resource -----------------------------------------------------------------------------------

def description_where(iri: str) -> str:
    """The pattern binding ?s ?p ?o to the triples of a resource's description."""
    fragment = iri + "#"
    return f"""
  {{ <{iri}> ?p ?o . BIND(<{iri}> AS ?s) }}
  UNION {{ <{iri}> ?p1 ?s . FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{fragment}")) ?s ?p ?o }}
  UNION {{ <{iri}> ?p1 ?f . FILTER(isIRI(?f) && STRSTARTS(STR(?f), "{fragment}"))
           ?f ?p2 ?s . FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{fragment}") && ?s != ?f)
           ?s ?p ?o }}
  UNION {{ <{iri}> ?p1 ?b . FILTER(isBlank(?b)) ?b rdf:rest* ?s . ?s ?p ?o }}
  UNION {{ <{iri}> ?p1 ?b . FILTER(isBlank(?b)) ?b ?p2 ?l . FILTER(isBlank(?l))
           ?l rdf:rest* ?s . ?s ?p ?o }}
"""


def page_query(iri: str) -> str:
    """Description, inbound links (capped) and their number, in one SELECT.

    The capped inbound links are taken in the store's order, not sorted: sorting costs time
    in proportion to all the links (some 130 ms for the source text's 1,723), and the page
    sorts what it shows anyway.
    """
    return f"""SELECT DISTINCT ?dir ?s ?p ?o WHERE {{
  {{ {description_where(iri)} BIND("out" AS ?dir) }}
  UNION {{ {{ SELECT DISTINCT ?s ?p WHERE {{ ?s ?p <{iri}> }} LIMIT {INBOUND_CAP + 1} }}
          BIND("in" AS ?dir) }}
  UNION {{ {{ SELECT (COUNT(*) AS ?o) WHERE {{ SELECT DISTINCT ?s ?p WHERE {{ ?s ?p <{iri}> }} }} }}
          BIND("count" AS ?dir) }}
}}"""


@dataclass
class PropertyGroup:
    predicate: str
    values: list[Term]


@dataclass
class Provenance:
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
    iri: str
    namer: Namer
    triples: dict[Term, dict[str, list[Term]]]  # subject → predicate → objects
    inbound: list[tuple[Term, str]]
    inbound_total: int
    cut: bool

    @property
    def subject(self) -> Term:
        return Term("uri", self.iri)

    def properties(self, subject: Term | None = None) -> list[PropertyGroup]:
        return self._grouped(self.triples.get(subject or self.subject, {}))

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

    def literal(self, predicate: str, lang: str | None = None) -> Term | None:
        for value in self.values(predicate):
            if value.is_literal and (lang is None or value.primary_lang == lang):
                return value
        return None

    @property
    def types(self) -> list[str]:
        return [t.value for t in self.values(RDF_TYPE) if t.is_iri]

    def has_type(self, local_name: str) -> bool:
        return any(t == self.dakg + local_name for t in self.types)

    @property
    def dakg(self) -> str:
        return self.namer.base + "def/"

    @property
    def fragments(self) -> list[Term]:
        prefix = self.iri + "#"
        order = {"span": 0, "quote": 1, "position": 2}
        return sorted((s for s in self.triples if s.is_iri and s.value.startswith(prefix)),
                      key=lambda s: (order.get(self.fragment_id(s), 9), s.value))

    def fragment_id(self, subject: Term) -> str:
        return subject.value[len(self.iri) + 1:]

    def bnode(self, node: Term) -> list[PropertyGroup]:
        return self._grouped(self.triples.get(node, {}))

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
        if node == Term("uri", RDF_NS + "nil"):
            return items
        return None

    @functools.cached_property
    def provenance(self) -> list[Provenance]:
        """The spans the resource is anchored to (text parts) or targets (mentions)."""
        found = []
        for via in (self.dakg + "sourceSpan", OA_NS + "hasTarget"):
            for span in self.values(via):
                if span.is_iri and span in self.triples:
                    found.append(self._span(span, via))
        return found

    def _span(self, span: Term, via: str) -> Provenance:
        p = Provenance(span=span.value, via=via)
        source = self.first(OA_NS + "hasSource", span)
        p.source = source.value if source else ""
        for selector in self.values(OA_NS + "hasSelector", span):
            exact = self.first(OA_NS + "exact", selector)
            if exact is not None:
                p.exact = exact.value
                p.quote_iri = selector.value
                prefix = self.first(OA_NS + "prefix", selector)
                suffix = self.first(OA_NS + "suffix", selector)
                p.prefix = prefix.value if prefix else ""
                p.suffix = suffix.value if suffix else ""
            start = self.first(OA_NS + "start", selector)
            end = self.first(OA_NS + "end", selector)
            if start is not None and end is not None:
                p.position_iri = selector.value
                if start.value.isdigit() and end.value.isdigit():
                    p.start, p.end = int(start.value), int(end.value)
        return p

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

    # naming the page
    @property
    def title(self) -> str:
        if self.namer.has_label(self.iri):
            return self.namer.name(self.iri)
        kinds = [self.namer.name(t) for t in self.types if self.namer.has_label(t)]
        if not kinds:
            return self.namer.short(self.iri)
        return f"{kinds[0][:1].upper()}{kinds[0][1:]} {self.namer.short(self.iri)}"

    @property
    def title_zh(self) -> str:
        return self.namer.name_zh(self.iri) if self.namer.has_label(self.iri) else ""

    @property
    def is_text(self) -> bool:
        return bool(self.provenance)


_PREDICATE_ORDER = {
    RDF_TYPE: 0, RDFS_NS + "label": 1, SKOS_NS + "prefLabel": 2, SKOS_NS + "altLabel": 3,
    SKOS_NS + "hiddenLabel": 4, SKOS_NS + "notation": 5, RDFS_NS + "comment": 6,
    SKOS_NS + "definition": 7, DCTERMS_NS + "title": 8, DCTERMS_NS + "description": 9,
}


def load_page(rt: Runtime, iri: str) -> Page:
    rows, cut = bindings(rt, prologue(rt) + page_query(iri), DESCRIPTION_LIMIT + INBOUND_CAP + 2)
    triples: dict[Term, dict[str, list[Term]]] = {}
    inbound: list[tuple[Term, str]] = []
    total = 0
    for row in rows:
        direction = row["dir"].value
        if direction == "out":
            triples.setdefault(row["s"], {}).setdefault(row["p"].value, []).append(row["o"])
        elif direction == "in":
            inbound.append((row["s"], row["p"].value))
        elif direction == "count":
            total = int(row["o"].value)
    if not triples and not total:
        raise HttpError(404, f"there is nothing about <{iri}> in this dataset")
    inbound.sort(key=lambda sp: (sp[1], natural_key(sp[0].value)))
    inbound = inbound[:INBOUND_CAP]
    namer = Namer(rt)
    page = Page(iri, namer, triples, inbound, total, cut)
    named = {iri}
    for props in triples.values():
        for predicate, objects in props.items():
            named.add(predicate)
            named.update(o.value for o in objects if o.is_iri)
    for subject, predicate in inbound:
        named.add(predicate)
        if subject.is_iri:
            named.add(subject.value)
    # Labels of all these, and what the context and provenance boxes show one step further
    # (the section a text part is part of, the report of a source text).
    fetch_labels(rt, namer, named)
    return page


def describe_rdf(rt: Runtime, iri: str, fmt: formats.Format) -> dict[str, Any]:
    from .sparql import execute

    text = prologue(rt) + f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {description_where(iri)} }}"
    job = {"store": rt.dataset.current().store, "text": text, "format": fmt.name,
           "row_limit": DESCRIPTION_LIMIT, "prefixes": rt.prefixes}
    reply = execute(rt, job)
    if reply["count"] == 0:
        rows, _ = bindings(rt, f"SELECT ?s WHERE {{ ?s ?p <{iri}> }} LIMIT 1", 1)
        if not rows:
            raise HttpError(404, f"there is nothing about <{iri}> in this dataset")
    return reply


# -- negotiation ----------------------------------------------------------------------------------

_HTML_TYPES = (HTML, "application/xhtml+xml")


def negotiate(ext: str | None) -> str | formats.Format:
    """HTML or an RDF format: from the extension, else from Accept (406 if nothing fits)."""
    if ext is not None:
        chosen = EXTENSIONS[ext]
        return HTML if chosen == HTML else formats.BY_NAME[chosen]
    graph = formats.offers(formats.Kind.GRAPH)
    offered = [HTML, *(f.media_type for f in graph), _HTML_TYPES[1],
               *(a for f in graph for a in f.aliases)]
    accept = request.accept_mimetypes
    if not accept:
        return HTML
    best = accept.best_match(offered)
    if best is None:
        raise not_acceptable([HTML, *(f.media_type for f in graph)])
    if best in _HTML_TYPES:
        return HTML
    return formats.BY_MEDIA_TYPE[best]


def resource(local: str, ext: str | None = None) -> Response:
    """The resource ``base + local`` (``local`` is ``id/…`` or ``def/…``, maybe with an
    extension; or ``ext`` given), as HTML or RDF."""
    rt = runtime()
    local = checked_path(local)
    if ext is None:
        local, ext = split_extension(local)
    iri = rt.settings.base_iri + local
    chosen = negotiate(ext)
    name = chosen if isinstance(chosen, str) else chosen.name
    snapshot = rt.dataset.current()
    digest = hashlib.blake2b(f"{iri}\x00{name}\x00{request.script_root}".encode(),
                             digest_size=8).hexdigest()
    etag = f"{snapshot.version}-page-{CODE_DIGEST}-{digest}"
    if etag in request.if_none_match:
        return _not_modified(etag)
    if isinstance(chosen, str):
        page = load_page(rt, iri)
        body = render_template("resource.html", page=page, n=page.namer, OA=OA_NS,
                               RDF=RDF_NS, RDFS=RDFS_NS, SKOS=SKOS_NS, DCTERMS=DCTERMS_NS,
                               DAKG=page.dakg, downloads=DOWNLOADS,
                               query_link=_query_link(explore_query(iri)),
                               inbound_query_link=_query_link(inbound_query(iri)))
        response = Response(body, content_type="text/html; charset=utf-8")
    else:
        reply = describe_rdf(rt, iri, chosen)
        response = Response(reply["body"], content_type=chosen.content_type)
        if reply["truncated"]:
            from .sparql import ROW_LIMIT_HEADER, TRUNCATED_HEADER

            response.headers[TRUNCATED_HEADER] = "true"
            response.headers[ROW_LIMIT_HEADER] = str(DESCRIPTION_LIMIT)
    _cacheable(response, etag)
    if ext is None:
        response.headers["Vary"] = "Accept"
        base_local = _header_path(request.script_root + "/" + local)
        links = [f'<{base_local.rstrip("/")}.{e}>; rel="alternate"; type="{t}"'
                 for e, t in (("ttl", "text/turtle"), ("jsonld", "application/ld+json"),
                              ("nt", "application/n-triples"),
                              ("rdf", "application/rdf+xml"))]
        response.headers["Link"] = ", ".join(links)
    else:
        response.headers["Content-Location"] = _header_path(request.path)
    return response


def _cacheable(response: Response, etag: str) -> None:
    response.set_etag(etag)
    response.headers["Cache-Control"] = CACHE_CONTROL


def _not_modified(etag: str) -> Response:
    response = Response(status=304)
    _cacheable(response, etag)
    response.headers["Vary"] = "Accept"
    return response


def explore_query(iri: str) -> str:
    return (f"# What <{iri}> says, and what says something about it\n"
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
            f"SELECT ?direction ?property ?value ?label WHERE {{\n"
            f"  {{ <{iri}> ?property ?value BIND(\"out\" AS ?direction) }}\n"
            f"  UNION {{ ?value ?property <{iri}> BIND(\"in\" AS ?direction) }}\n"
            "  OPTIONAL { ?value rdfs:label ?label FILTER(lang(?label) != \"zh\") }\n"
            "} ORDER BY ?direction ?property ?value LIMIT 1000")


def inbound_query(iri: str) -> str:
    return (f"SELECT ?subject ?property WHERE {{ ?subject ?property <{iri}> }}\n"
            "ORDER BY ?property ?subject")


def _query_link(query: str) -> str:
    return request.script_root + "/query?" + "query=" + quote(query, safe="")


@bp.route("/id/<path:path>")
def id_resource(path: str) -> Response:
    return resource("id/" + path)


@bp.route("/def/", defaults={"path": ""})
@bp.route("/def/<path:path>")
def def_resource(path: str) -> Response:
    return resource("def/" + path)


@bp.route("/def.<ext>")
def ontology_file(ext: str) -> Response:
    if ext not in EXTENSIONS:
        raise HttpError(404, f"no representation of the ontology with extension {ext!r}")
    return resource("def/", ext)


# -- home, recommendations ------------------------------------------------------------------------

def _etag_or_none(kind: str) -> tuple[str, Response | None]:
    version = runtime().dataset.current().version
    etag = f"{version}-{kind}-{CODE_DIGEST}"
    if etag in request.if_none_match:
        return etag, _not_modified(etag)
    return etag, None


def _html(body: str, etag: str) -> Response:
    response = Response(body, content_type="text/html; charset=utf-8")
    _cacheable(response, etag)
    return response


@bp.route("/")
def home() -> Response:
    rt = runtime()
    etag, cached = _etag_or_none("home")
    if cached is not None:
        return cached
    snapshot = rt.dataset.current()
    key = ("graph_sizes", snapshot.version)
    if key not in rt.cache:
        rt.cache[key] = description.graph_sizes(rt)
    own_default, named = rt.cache[key]
    namer = Namer(rt)
    graphs = [(iri, count) for iri, count in named.items()]
    body = render_template("home.html", n=namer, graphs=graphs, own_default=own_default,
                           total=own_default + sum(named.values()), version=snapshot.version,
                           dumps=dumps_folder(rt) is not None,
                           scheme=rt.settings.base_iri + "id/scheme/development-agenda",
                           report=rt.settings.base_iri + "id/document/CDIP/35/2")
    return _html(body, etag)


RECOMMENDATIONS = """SELECT ?r ?number ?cluster ?clusterNotation ?immediate ?text ?section WHERE {
  ?r a dakg:Recommendation ; dakg:recommendationNumber ?number .
  OPTIONAL { ?r dakg:cluster ?cluster . OPTIONAL { ?cluster skos:notation ?clusterNotation } }
  OPTIONAL { ?r dakg:adoptedForImmediateImplementation ?immediate }
  OPTIONAL { ?r dakg:recommendationText ?text }
  OPTIONAL { ?r dakg:reportedIn ?section }
} ORDER BY ?number ?section"""


@dataclass
class RecommendationRow:
    iri: str
    number: str
    cluster: str = ""
    cluster_notation: str = ""
    immediate: bool | None = None
    text: str = ""
    sections: list[str] = field(default_factory=list)

    @property
    def text_start(self) -> str:
        return self.text if len(self.text) <= 40 else self.text[:40] + "…"


@bp.route("/recommendations")
def recommendations() -> Response:
    rt = runtime()
    etag, cached = _etag_or_none("recommendations")
    if cached is not None:
        return cached
    rows, _ = bindings(rt, prologue(rt) + RECOMMENDATIONS, 5000)
    found: dict[str, RecommendationRow] = {}
    for row in rows:
        iri = row["r"].value
        entry = found.get(iri)
        if entry is None:
            entry = found[iri] = RecommendationRow(iri, row["number"].value)
            if "cluster" in row:
                entry.cluster = row["cluster"].value
            if "clusterNotation" in row:
                entry.cluster_notation = row["clusterNotation"].value
            if "immediate" in row:
                entry.immediate = row["immediate"].value in ("true", "1")
            if "text" in row:
                entry.text = unicodedata.normalize("NFC", row["text"].value)
        if "section" in row and row["section"].value not in entry.sections:
            entry.sections.append(row["section"].value)
    items = sorted(found.values(), key=lambda r: natural_key(r.number))
    body = render_template("recommendations.html", n=Namer(rt), items=items,
                           scheme=rt.settings.base_iri + "id/scheme/development-agenda",
                           query_link=_query_link(prologue_for_display(rt, RECOMMENDATIONS)))
    return _html(body, etag)


# -- the query page -------------------------------------------------------------------------------

DISPLAY_PREFIXES = ("dakg", "id", "oa", "skos", "dcterms", "rdfs", "rdf")

EXAMPLES: tuple[tuple[str, str], ...] = (
    ("Recommendations adopted for immediate implementation, by cluster", """
SELECT ?cluster ?number ?text WHERE {
  ?r dakg:adoptedForImmediateImplementation true ; dakg:recommendationNumber ?number ;
     dakg:cluster/skos:notation ?cluster ; dakg:recommendationText ?text .
} ORDER BY ?number"""),
    ("Sectors that recommendation 12 names as related", """
SELECT ?sector ?name WHERE {
  id:recommendation\\/12 dakg:relatedSector ?sector .
  ?sector rdfs:label ?name FILTER(lang(?name) = "en")
} ORDER BY ?name"""),
    ("Recommendations that point the reader to another one", """
SELECT ?from ?to WHERE { ?from a dakg:Recommendation ; dakg:refersTo ?to } ORDER BY ?from ?to"""),
    ("Where the report names the Accessible Books Consortium", """
SELECT ?quote ?start ?end ?section WHERE {
  ?m a dakg:ProgrammeMention ; oa:hasBody id:programme\\/abc ;
     oa:hasTarget/oa:hasSelector ?q, ?p ; dakg:inTextPart/dcterms:isPartOf* ?section .
  ?section a dakg:RecommendationSection .
  ?q oa:exact ?quote . ?p oa:start ?start ; oa:end ?end .
} ORDER BY ?start"""),
    ("Documents cited by the section on recommendation 25, as spelled", """
SELECT ?symbol (GROUP_CONCAT(DISTINCT ?written; separator=" | ") AS ?spellings) WHERE {
  ?section dakg:reportsOn id:recommendation\\/25 ; dakg:citesDocument ?doc .
  ?doc dakg:symbol ?symbol .
  ?citation a dakg:DocumentCitation ; oa:hasBody ?doc ; dakg:inTextPart/dcterms:isPartOf ?section ;
            oa:hasTarget/oa:hasSelector/oa:exact ?written .
} GROUP BY ?symbol ORDER BY ?symbol"""),
    ("CDIP sessions the report mentions most", """
SELECT ?session (COUNT(?m) AS ?mentions) WHERE {
  ?m a dakg:SessionMention ; oa:hasBody ?session . ?session dakg:committee id:committee\\/CDIP .
} GROUP BY ?session ORDER BY DESC(?mentions) ?session LIMIT 5"""),
    ("Triples per named graph", """
SELECT ?graph (COUNT(*) AS ?triples) WHERE { GRAPH ?graph { ?s ?p ?o } }
GROUP BY ?graph ORDER BY ?graph"""),
)


def prologue_for_display(rt: Runtime, query: str) -> str:
    lines = [f"PREFIX {p}: <{rt.prefixes[p]}>" for p in DISPLAY_PREFIXES if p in rt.prefixes]
    return "\n".join(lines) + "\n" + query.strip() + "\n"


QUERY_FORMATS = (("", "Table (on this page)"), ("json", "SPARQL JSON"), ("xml", "SPARQL XML"),
                 ("csv", "CSV"), ("tsv", "TSV"), ("turtle", "Turtle (CONSTRUCT, DESCRIBE)"),
                 ("ntriples", "N-Triples (CONSTRUCT, DESCRIBE)"),
                 ("jsonld", "JSON-LD (CONSTRUCT, DESCRIBE)"),
                 ("rdfxml", "RDF/XML (CONSTRUCT, DESCRIBE)"))


@bp.route("/query")
def query_page() -> Response:
    rt = runtime()
    examples = [(title, prologue_for_display(rt, text)) for title, text in EXAMPLES]
    given = request.args.get("query")
    query = given if given is not None else examples[0][1]
    fmt = request.args.get("format", "")
    if fmt not in dict(QUERY_FORMATS):
        fmt = ""
    body = render_template("query.html", n=Namer(rt), query=query, run=given is not None,
                           examples=[(t, _query_link(q)) for t, q in examples],
                           formats=QUERY_FORMATS, chosen_format=fmt,
                           prefixes=dict(rt.prefixes), base=rt.settings.base_iri,
                           row_limit=rt.settings.row_limit,
                           timeout=rt.settings.query_timeout)
    response = Response(body, content_type="text/html; charset=utf-8")
    response.headers["Cache-Control"] = "no-cache"
    return response


# -- dumps ----------------------------------------------------------------------------------------

DUMP_TYPES = {f".{f.extension}": f.content_type for f in formats.FORMATS if f.kinds &
              {formats.Kind.GRAPH, formats.Kind.DATASET}}
_DUMP_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
SUMS = "SHA256SUMS"
BUILD_INFO = "build.json"


@dataclass(frozen=True)
class DumpFile:
    name: str
    path: Path
    size: int
    sha256: str
    media_type: str
    description: str


def dumps_folder(rt: Runtime) -> Path | None:
    build = Path(rt.dataset.current().store).parent
    folder = build / "dumps"
    return folder if folder.is_dir() else None


def _media_type(name: str) -> str:
    if name == SUMS:
        return "text/plain; charset=utf-8"
    if name.endswith(".json"):
        return "application/json"
    for suffix, media_type in DUMP_TYPES.items():
        if name.endswith(suffix):
            return media_type
    return "application/octet-stream"


_DESCRIPTIONS = {
    ".nq": "the dataset with its named graphs", ".trig": "the dataset with its named graphs",
    ".jsonld": "the dataset with its named graphs", ".ttl": "the union of the graphs",
    ".nt": "the union of the graphs", ".rdf": "the union of the graphs",
}


def dump_files(rt: Runtime) -> list[DumpFile]:
    """The files of the current build's dumps, with build.json; cached per version."""
    folder = dumps_folder(rt)
    if folder is None:
        return []
    key = ("dumps", rt.dataset.current().version, str(folder))
    if key in rt.cache:
        return list(rt.cache[key])
    sums: dict[str, str] = {}
    sums_file = folder / SUMS
    if sums_file.is_file():
        for line in sums_file.read_text(encoding="utf-8").splitlines():
            digest, _, name = line.partition("  ")
            if digest and name:
                sums[name.lstrip("*")] = digest
    candidates = [p for p in sorted(folder.iterdir()) if p.is_file()]
    info = folder.parent / BUILD_INFO
    if info.is_file():
        candidates.append(info)
    found = []
    for path in candidates:
        if not _DUMP_NAME.match(path.name):
            continue
        digest = sums.get(path.name) or _sha256(path)
        suffix = path.suffix
        text = _DESCRIPTIONS.get(suffix, "")
        if path.name == SUMS:
            text = "SHA-256 checksums of the dumps (sha256sum -c SHA256SUMS)"
        elif path.name == BUILD_INFO:
            text = "what was built, from what, when"
        found.append(DumpFile(path.name, path, path.stat().st_size, digest,
                              _media_type(path.name), text))
    rank = {".nq": 0, ".trig": 1, ".jsonld": 2, ".ttl": 3, ".nt": 4, ".rdf": 5}
    found.sort(key=lambda f: (rank.get(Path(f.name).suffix, 9) if f.name not in
                              (SUMS, BUILD_INFO) else 10, f.name != SUMS, f.name))
    rt.cache[key] = tuple(found)
    return found


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(functools.partial(f.read, 1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{size} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"


@bp.route("/dumps/")
def dumps() -> Response:
    rt = runtime()
    etag, cached = _etag_or_none("dumps")
    if cached is not None:
        return cached
    files = dump_files(rt)
    build: dict[str, Any] = {}
    info = next((f for f in files if f.name == BUILD_INFO), None)
    if info is not None:
        try:
            build = json.loads(info.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            build = {}
    body = render_template("dumps.html", n=Namer(rt), files=files, build=build,
                           human_size=human_size, version=rt.dataset.current().version,
                           has_folder=dumps_folder(rt) is not None)
    return _html(body, etag)


@bp.route("/dumps/<path:name>")
def dump_file(name: str) -> Response:
    rt = runtime()
    files = {f.name: f for f in dump_files(rt)}
    found = files.get(name) if _DUMP_NAME.match(name) else None
    if found is None:
        raise HttpError(404, f"there is no dump file {name!r} in the current build")
    response = send_from_directory(found.path.parent, found.name, mimetype=found.media_type,
                                   etag=found.sha256, conditional=True,
                                   max_age=3600)
    response.headers["Content-Type"] = found.media_type
    response.headers["Cache-Control"] = DUMP_CACHE_CONTROL
    return response

