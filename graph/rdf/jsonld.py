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
from collections.abc import Iterable, Iterator, Mapping
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
    """One named graph's ``quads`` (each subject's together), compacted: an item of the
    ``@graph`` between ``joined_head`` and ``joined_tail``.

    Each subject's statements are read as the node object of expanded JSON-LD (as Oxigraph
    writes it, ``expanded``) and compacted, one node at a time. Nothing is written for a
    graph without statements."""
    compactor = _Compactor(prefixes)
    first = True
    for graph, node in expanded(quads):
        out.write(b'{"@id":' + _dumps(compactor.iri(graph)) + b',"@graph":[' if first
                  else b",")
        first = False
        out.write(_dumps(compactor.node(node)))
    if not first:
        out.write(b"]}")


def expanded(quads: Iterable[ox.Quad]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(graph, node object) of each subject in ``quads`` (each subject's together), in
    expanded JSON-LD (JSON-LD 1.1 §9 and the RDF to JSON-LD algorithm: every value an object
    of ``@id`` or ``@value``, ``rdf:type`` a property like another)."""
    for (graph, subject), statements in itertools.groupby(
            quads, key=lambda q: (q.graph_name, q.subject)):
        node: dict[str, Any] = {"@id": _node_id(subject)}
        for quad in statements:
            node.setdefault(quad.predicate.value, []).append(_value(quad.object))
        yield _node_id(graph), node


def _node_id(term: object) -> str:
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    assert isinstance(term, ox.NamedNode), "a subject or graph name"
    return term.value


def _value(term: object) -> dict[str, str]:
    if not isinstance(term, ox.Literal):
        return {"@id": _node_id(term)}
    # Keys in Oxigraph's order, so that the dumps did not change with this writer.
    if term.language is not None:
        return {"@language": term.language, "@value": term.value}
    if term.datatype.value == _STRING:
        return {"@value": term.value}
    return {"@type": term.datatype.value, "@value": term.value}


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
        # Longest namespace first, so a nested namespace wins over its parent.
        self.namespaces = sorted(prefixes.items(), key=lambda p: -len(p[1]))
        self.terms = {t.iri: t for t in _TERMS}
        self.vocab = {f"{_OA}{name}": name for name in (*_CLASSES, *_MOTIVATIONS)}
        self.compacted: dict[str, str] = {}  # IRIs recur (properties, classes, nodes)

    def node(self, node: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, values in node.items():
            if key == "@id":
                result["@id"] = self.iri(values)
            elif key == "@graph":
                result["@graph"] = [self.node(n) for n in values]
            elif key == _TYPE and all(set(v) == {"@id"} for v in values):
                result["@type"] = [self.vocab.get(v["@id"]) or self.iri(v["@id"])
                                   for v in values]
            else:
                name, compacted = self.property(key, values)
                result[name] = compacted
        return result

    def property(self, iri: str, values: list[dict[str, Any]]) -> tuple[str, list[Any]]:
        term = self.terms.get(iri)
        if term is not None and all(self.fits(term, v) for v in values):
            return term.name, [self.by_term(term, v) for v in values]
        return self.iri(iri), [self.value(v) for v in values]

    def fits(self, term: _Term, value: dict[str, Any]) -> bool:
        if term.coercion == "@id":
            return set(value) == {"@id"}
        if term.coercion == "@vocab":
            return set(value) == {"@id"} and value["@id"] in self.vocab
        if term.coercion is None:
            return set(value) == {"@value"} and isinstance(value["@value"], str)
        return set(value) == {"@value", "@type"} and value["@type"] == term.coercion

    def by_term(self, term: _Term, value: dict[str, Any]) -> Any:
        if term.coercion == "@id":
            return self.iri(value["@id"])
        if term.coercion == "@vocab":
            return self.vocab[value["@id"]]
        return value["@value"]

    def value(self, value: dict[str, Any]) -> dict[str, Any]:
        result = dict(value)
        if "@id" in result:
            result["@id"] = self.iri(result["@id"])
        if "@type" in result:
            result["@type"] = self.iri(result["@type"])
        return result

    def iri(self, iri: str) -> str:
        """A compact IRI where a prefix covers ``iri`` (blank nodes stay as they are)."""
        found = self.compacted.get(iri)
        if found is None:
            found = self.compacted[iri] = self.compact(iri)
        return found

    def compact(self, iri: str) -> str:
        for prefix, namespace in self.namespaces:
            if iri.startswith(namespace) and len(iri) > len(namespace) \
                    and not iri[len(namespace):].startswith("//"):
                return f"{prefix}:{iri[len(namespace):]}"
        return iri
