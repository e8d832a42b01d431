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
quads (``tests/test_build.py`` checks this on the real dataset, ``tests/test_jsonld.py``
on statements chosen to be awkward). Input order is kept, so sorted input gives the same
bytes every time.
"""

from __future__ import annotations

import json
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
_TYPE = f"<{RDF.type}>".encode()
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


def write_graph(lines: Iterable[bytes], graph: str, prefixes: Mapping[str, str],
                out: IO[bytes]) -> None:
    """The named ``graph``'s statements, compacted: an item of the ``@graph`` between
    ``joined_head`` and ``joined_tail``. Nothing is written for a graph without statements.

    ``lines``: the graph's N-Quads lines as Oxigraph writes them (``store.nquads`` writes
    them so too), each subject's together. Each subject's statements make one node object,
    compacted as it is made (what the RDF to JSON-LD algorithm of JSON-LD 1.1 gives, every
    value an object of ``@id`` or ``@value`` and ``rdf:type`` a property like another, then
    compacted): ``_Compactor``.

    The JSON is made from the lines' bytes, not from parsed terms (making and reading
    Oxigraph's terms took most of this writer's time): in Oxigraph's N-Quads an IRI or a
    blank node is a token without spaces, and a literal's quoted text is its JSON string, as
    Oxigraph escapes the quote, the backslash and the control characters (all that JSON
    must escape) with escapes that JSON has too (``_Compactor.lexical``)."""
    end = f" <{graph}> .\n".encode()
    compactor = _Compactor(prefixes)
    subject = b""
    values: dict[bytes, list[bytes]] = {}
    for line in lines:
        if not line.endswith(end):
            raise ValueError(f"not a statement of {graph} in N-Quads: {line!r}")
        s, p, o = line[:-len(end)].split(b" ", 2)
        if s != subject:
            out.write(compactor.node(subject, values) + b"," if subject else
                      b'{"@id":' + compactor.iri(f"<{graph}>".encode()) + b',"@graph":[')
            subject, values = s, {}
        values.setdefault(p, []).append(o)
    if subject:
        out.write(compactor.node(subject, values) + b"]}")


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def joined_head(prefixes: Mapping[str, str]) -> bytes:
    """The start of one document with the context above whose ``@graph`` lists graphs'
    items (each written by ``write_graph``), separated by commas, up to ``joined_tail``."""
    return b'{"@context":' + _dumps(context(prefixes)) + b',"@graph":['


def joined_tail() -> bytes:
    return b"]}"


class _Compactor:
    """Node objects as JSON text, from N-Quads tokens (``<iri>``, ``_:b``, a literal).

    Every token's JSON is made once (properties, classes and nodes recur), and the JSON of an
    IRI or a blank node is its text between quotes: Oxigraph allows no quote, backslash or
    control character in either (``tests/test_jsonld.py`` holds it to that)."""

    def __init__(self, prefixes: Mapping[str, str]) -> None:
        # Longest namespace first, so a nested namespace wins over its parent; one that
        # leaves nothing after it, or "//", does not cover an IRI (the next one may).
        namespaces = sorted(prefixes.items(), key=lambda p: -len(p[1]))
        self.prefix_of: dict[bytes, bytes] = {}
        for prefix, namespace in namespaces:
            self.prefix_of.setdefault(f"<{namespace}".encode(), f'"{prefix}:'.encode())
        self.covering = re.compile(b"(?:" + b"|".join(
            re.escape(f"<{n}".encode()) for _, n in namespaces) + b")(?!//)(?=[^>])")
        self.terms = {f"<{t.iri}>".encode(): (t, _dumps(t.name)) for t in _TERMS}
        self.vocab = {f"<{_OA}{name}>".encode(): _dumps(name)
                      for name in (*_CLASSES, *_MOTIVATIONS)}
        self.compacted: dict[bytes, bytes] = {}
        self.values: dict[bytes, bytes] = {}  # an IRI or blank node as a value: {"@id": …}
        self.openings: dict[bytes, bytes] = {}  # ``@lang``, ``^^<dt>``: JSON up to ``@value``

    def node(self, subject: bytes, values: Mapping[bytes, list[bytes]]) -> bytes:
        """The compacted node object of ``subject`` with ``values`` (property → objects)."""
        parts = [b'{"@id":' + self.iri(subject)]
        for predicate, objects in values.items():
            term = self.terms.get(predicate)
            if term is not None and all([self.fits(term[0], o) for o in objects]):
                parts.append(term[1] + b":[" + b",".join(
                    [self.by_term(term[0], o) for o in objects]) + b"]")
            elif predicate == _TYPE and all([o[0] != _QUOTE for o in objects]):
                parts.append(b'"@type":[' + b",".join(
                    [self.vocab.get(o) or self.iri(o) for o in objects]) + b"]")
            else:
                parts.append(self.iri(predicate) + b":[" + b",".join(
                    [self.value(o) for o in objects]) + b"]")
        return b",".join(parts) + b"}"

    def fits(self, term: _Term, value: bytes) -> bool:
        """Whether ``value`` can be written as ``term`` coerces it."""
        if value[0] != _QUOTE:
            return term.coercion == "@id" or (term.coercion == "@vocab" and value in self.vocab)
        if term.coercion in ("@id", "@vocab"):
            return False
        if term.coercion is None:
            return value[-1] == _QUOTE  # a plain string: no language, no datatype
        return value.endswith(f'"^^<{term.coercion}>'.encode())

    def by_term(self, term: _Term, value: bytes) -> bytes:
        if term.coercion == "@id":
            return self.iri(value)
        if term.coercion == "@vocab":
            return self.vocab[value]
        return self.lexical(value, value.rindex(b'"'))

    def value(self, value: bytes) -> bytes:
        """An object as JSON-LD writes a value (its keys in Oxigraph's order, so that the
        dumps did not change with this writer)."""
        if value[0] != _QUOTE:
            found = self.values.get(value)
            if found is None:
                found = self.values[value] = b'{"@id":' + self.iri(value) + b"}"
            return found
        close = value.rindex(b'"')
        kind = value[close + 1:]
        opening = self.openings.get(kind)
        if opening is None:
            opening = self.openings[kind] = self.opening(kind)
        return opening + self.lexical(value, close) + b"}"

    def opening(self, kind: bytes) -> bytes:
        """A literal's JSON up to its ``@value``; ``kind``: what follows its closing quote
        (``@lang``, ``^^<datatype>`` or nothing)."""
        if kind[:1] == b"@":
            return b'{"@language":' + _dumps(kind[1:].decode()) + b',"@value":'
        if not kind or kind == f"^^<{_STRING}>".encode():
            return b'{"@value":'
        return b'{"@type":' + self.iri(kind[2:]) + b',"@value":'

    def lexical(self, literal: bytes, close: int) -> bytes:
        """A literal token's lexical form as a JSON string; ``close``: its closing quote.
        The escapes Oxigraph writes in a literal (``\\"``, ``\\\\``, ``\\n``, ``\\uXXXX``…) are
        JSON's too, so the token's quoted text is the JSON string; ``\\UXXXXXXXX`` and ``\\'``,
        which JSON lacks and Oxigraph does not write, are read by Oxigraph's parser."""
        if _NOT_JSON.search(literal, 1, close):
            parsed = next(iter(ox.parse(b"<urn:x> <urn:x> " + literal + b" .",
                                        format=ox.RdfFormat.N_TRIPLES)))
            return _dumps(parsed.object.value)
        return literal[:close + 1]

    def iri(self, token: bytes) -> bytes:
        """A node's token (``<iri>``, ``_:b``) as a JSON string: a compact IRI where a prefix
        covers it (blank nodes stay as they are)."""
        found = self.compacted.get(token)
        if found is None:
            found = self.compacted[token] = self.compact(token)
        return found

    def compact(self, token: bytes) -> bytes:
        if token[:2] == b"<<":
            raise ValueError(f"a quoted triple, {token.decode()}: the JSON-LD dump has no "
                             "form for RDF-star")
        covered = self.covering.match(token)
        if covered is not None:
            return self.prefix_of[covered[0]] + token[covered.end():-1] + b'"'
        return b'"' + (token[1:-1] if token[:1] == b"<" else token) + b'"'


_QUOTE = ord('"')
_NOT_JSON = re.compile(rb"\\[U']")  # N-Triples escapes that JSON has not
