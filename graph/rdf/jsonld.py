"""JSON-LD as people read it: a context, ``@type``, and the Web Annotation terms.

In expanded form JSON-LD has full IRIs as keys, ``rdf:type`` as a property, every value an
object (as Oxigraph writes it). ``write_graph`` writes quads in the compact form a client
expects, and ``joined_head`` and ``joined_tail`` put the items in one document with one fixed
context (``context``): dakg's prefixes, and the Web Annotation vocabulary's own terms
(``body``, ``target``, ``selector``, ``exact``, … as in https://www.w3.org/ns/anno.jsonld) so
an annotation reads as the Web Annotation data model shows it. Types go under ``@type``.

The transformation is exact, not a general compaction algorithm: a property takes a term
only when all its values fit the term's type coercion, otherwise its compact IRI with the
values as written; nothing is dropped or merged, so expanding the result gives back the same
quads (``tests/test_rdf.py`` checks this on the real dataset). Input order is kept, so sorted
input gives the same bytes every time.
"""

from __future__ import annotations

import itertools
import json
import operator
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import IO, Any

import pyoxigraph as ox

from .namespaces import OA, RDF, XSD

_OA = str(OA)


@dataclass(frozen=True)
class _Term:
    name: str
    iri: str
    coercion: str | None = None  # "@id", "@vocab", a datatype IRI, or None


# The Web Annotation terms dakg's data uses, with the names and coercions of anno.jsonld
# (offsets are xsd:integer here: Oxigraph stores xsd:nonNegativeInteger as xsd:integer).
_TERMS = (
    _Term("body", f"{_OA}hasBody", "@id"),
    _Term("target", f"{_OA}hasTarget", "@id"),
    _Term("source", f"{_OA}hasSource", "@id"),
    _Term("selector", f"{_OA}hasSelector", "@id"),
    _Term("motivation", f"{_OA}motivatedBy", "@vocab"),
    _Term("start", f"{_OA}start", str(XSD.integer)),
    _Term("end", f"{_OA}end", str(XSD.integer)),
    _Term("exact", f"{_OA}exact"),
    _Term("prefix", f"{_OA}prefix"),
    _Term("suffix", f"{_OA}suffix"),
)
_CLASSES = ("Annotation", "SpecificResource", "TextPositionSelector", "TextQuoteSelector")
_MOTIVATIONS = ("identifying", "linking")
_TYPE = str(RDF.type)
_STRING = str(XSD.string)
_Object = ox.NamedNode | ox.BlankNode | ox.Literal


def context(prefixes: Mapping[str, str]) -> dict[str, Any]:
    """The JSON-LD context of the dumps: ``prefixes`` and the Web Annotation terms."""
    result: dict[str, Any] = {"@version": 1.1}
    result.update(sorted(prefixes.items()))
    for name in (*_CLASSES, *_MOTIVATIONS):
        result[name] = f"{_OA}{name}"
    for term in _TERMS:
        result[term.name] = {"@id": term.iri, **({"@type": term.coercion}
                                                  if term.coercion else {})}
    return result


def write_graph(quads: Iterable[ox.Quad], prefixes: Mapping[str, str], out: IO[bytes]) -> None:
    """One named graph's ``quads`` (all in that graph, each subject's together), compacted:
    an item of the ``@graph`` between ``joined_head`` and ``joined_tail``.

    Each subject's statements make one node object, compacted as it is made (what the RDF
    to JSON-LD algorithm of JSON-LD 1.1 gives, every value an object of ``@id`` or
    ``@value`` and ``rdf:type`` a property like another, then compacted): ``_Compactor``.
    Nothing is written for a graph without statements. The nodes are encoded some hundreds
    at a time (one ``json.dumps`` of a list of them is their texts joined by commas)."""
    compactor = _Compactor(prefixes)
    graph: ox.NamedNode | ox.BlankNode | None = None  # all the quads are in it
    batch: list[dict[str, Any]] = []
    for subject, statements in itertools.groupby(quads, key=_SUBJECT):
        values: dict[str, list[_Object]] = {}
        for quad in statements:
            value = quad.object
            if isinstance(value, ox.Triple):
                raise ValueError(f"a quoted triple in {quad}: the JSON-LD dump has no form "
                                 "for RDF-star")
            values.setdefault(quad.predicate.value, []).append(value)
        if graph is None:
            if isinstance(quad.graph_name, ox.DefaultGraph):
                raise ValueError("write_graph writes a named graph's statements")
            graph = quad.graph_name
            out.write(b'{"@id":' + _dumps(compactor.iri(_node_id(graph))) + b',"@graph":[')
        elif not batch:
            out.write(b",")  # after the batch written last
        batch.append(compactor.node(_node_id(subject), values))
        if len(batch) == _BATCH:
            out.write(_dumps(batch)[1:-1])
            batch.clear()
    if batch:
        out.write(_dumps(batch)[1:-1])
    if graph is not None:
        out.write(b"]}")


_SUBJECT = operator.attrgetter("subject")
_BATCH = 500


def _node_id(term: object) -> str:
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    assert isinstance(term, ox.NamedNode), "a subject or graph name"
    return term.value


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def joined_head(prefixes: Mapping[str, str]) -> bytes:
    """The start of one document with the context above whose ``@graph`` lists graphs'
    items (each written by ``write_graph``), separated by commas, up to ``joined_tail``."""
    return b'{"@context":' + _dumps(context(prefixes)) + b',"@graph":['


def joined_tail() -> bytes:
    return b"]}"


class _Compactor:
    def __init__(self, prefixes: Mapping[str, str]) -> None:
        self.prefixes = prefixes
        # Longest namespace first, so a nested namespace wins over its parent; one that
        # leaves nothing after it, or "//", does not cover an IRI (the next one may).
        namespaces = sorted(prefixes.items(), key=lambda p: -len(p[1]))
        self.prefix_of: dict[str, str] = {}
        for prefix, namespace in namespaces:
            self.prefix_of.setdefault(namespace, prefix)
        self.covering = re.compile(
            "(?:" + "|".join(re.escape(n) for _, n in namespaces) + ")(?!//)(?=.)", re.S)
        self.terms = {t.iri: t for t in _TERMS}
        self.vocab = {f"{_OA}{name}": name for name in (*_CLASSES, *_MOTIVATIONS)}
        self.compacted: dict[str, str] = {}  # IRIs recur (properties, classes, nodes)
        # A node's reference, made once per node: nothing changes the objects once made.
        self.references: dict[str, dict[str, str]] = {}

    def node(self, subject: str, values: Mapping[str, list[_Object]]) -> dict[str, Any]:
        """The compacted node object of ``subject`` with ``values`` (property → objects)."""
        result: dict[str, Any] = {"@id": self.iri(subject)}
        for predicate, objects in values.items():
            if predicate == _TYPE and not any(isinstance(o, ox.Literal) for o in objects):
                result["@type"] = [self.vocab.get(o.value) or self.iri(_node_id(o))
                                   for o in objects]
                continue
            term = self.terms.get(predicate)
            if term is not None and all(self.fits(term, o) for o in objects):
                result[term.name] = [self.by_term(term, o) for o in objects]
            else:
                result[self.iri(predicate)] = [self.value(o) for o in objects]
        return result

    def fits(self, term: _Term, value: _Object) -> bool:
        """Whether ``value`` can be written as ``term`` coerces it."""
        literal = isinstance(value, ox.Literal)
        if term.coercion == "@id":
            return not literal
        if term.coercion == "@vocab":
            return not literal and _node_id(value) in self.vocab
        if not isinstance(value, ox.Literal) or value.language is not None:
            return False
        return value.datatype.value == (term.coercion or _STRING)

    def by_term(self, term: _Term, value: _Object) -> str:
        if term.coercion == "@id":
            return self.iri(_node_id(value))
        if term.coercion == "@vocab":
            return self.vocab[value.value]
        return value.value

    def value(self, value: _Object) -> dict[str, str]:
        """An object as JSON-LD writes a value (its keys in Oxigraph's order, so that the
        dumps did not change with this writer)."""
        if not isinstance(value, ox.Literal):
            node = _node_id(value)
            reference = self.references.get(node)
            if reference is None:
                reference = self.references[node] = {"@id": self.iri(node)}
            return reference
        if value.language is not None:
            return {"@language": value.language, "@value": value.value}
        if value.datatype.value == _STRING:
            return {"@value": value.value}
        return {"@type": self.iri(value.datatype.value), "@value": value.value}

    def iri(self, iri: str) -> str:
        """A compact IRI where a prefix covers ``iri`` (blank nodes stay as they are)."""
        found = self.compacted.get(iri)
        if found is None:
            found = self.compacted[iri] = self.compact(iri)
        return found

    def compact(self, iri: str) -> str:
        covered = self.covering.match(iri) if self.prefix_of else None
        if covered is None:
            return iri
        return f"{self.prefix_of[covered[0]]}:{iri[covered.end():]}"
