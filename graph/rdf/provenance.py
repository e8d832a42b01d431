"""Anchors into the source text, as Web Annotation selectors.

A piece of the report points at ``<piece#span>``, an ``oa:SpecificResource`` of the source
text with two equivalent selectors: a ``oa:TextPositionSelector`` (code-point offsets, start
inclusive, end exclusive) and a ``oa:TextQuoteSelector`` (the exact text with a little
context). ``source_text[start:end] == exact`` holds for every anchor. Each of the three is
labelled after the piece it anchors (``labels.spans``).
"""

from __future__ import annotations

from rdflib import URIRef
from rdflib.namespace import RDF

from ..records import Span
from . import iris
from .labels import Name, label, spans
from .literals import integer, plain
from .namespaces import DAKG, OA
from .triples import Sink

CONTEXT = 16  # characters of oa:prefix / oa:suffix on each side of a quote
# rdflib makes a new term at every ``RDF.type``: made once here, for every anchor.
_TYPE = RDF.type


def anchor(graph: Sink, node: URIRef, span: Span, text: str, text_node: URIRef,
           name: Name) -> URIRef:
    """Add the anchor of ``node`` (named ``name``) at ``span`` of ``text`` and return it."""
    target = iris.fragment(node, "span")
    position = iris.fragment(node, "position")
    quote = iris.fragment(node, "quote")
    for fragment, fragment_name in zip((target, position, quote), spans(name), strict=True):
        label(graph, fragment, fragment_name)
    graph.add((target, _TYPE, OA.SpecificResource))
    graph.add((target, OA.hasSource, text_node))
    graph.add((target, OA.hasSelector, position))
    graph.add((target, OA.hasSelector, quote))
    graph.add((position, _TYPE, OA.TextPositionSelector))
    graph.add((position, OA.start, integer(span.start)))
    graph.add((position, OA.end, integer(span.end)))
    graph.add((quote, _TYPE, OA.TextQuoteSelector))
    graph.add((quote, OA.exact, plain(text[span.start : span.end])))
    prefix = text[max(0, span.start - CONTEXT) : span.start]
    suffix = text[span.end : span.end + CONTEXT]
    if prefix:
        graph.add((quote, OA.prefix, plain(prefix)))
    if suffix:
        graph.add((quote, OA.suffix, plain(suffix)))
    return target


def derive(graph: Sink, node: URIRef, span: Span, text: str, text_node: URIRef,
           name: Name) -> None:
    """``node`` was extracted from ``span``: link it to its anchor with ``dakg:sourceSpan``."""
    graph.add((node, DAKG.sourceSpan, anchor(graph, node, span, text, text_node, name)))
