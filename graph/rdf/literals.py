"""Literal helpers: Chinese and English text, whole numbers (as Oxigraph stores them)."""

from __future__ import annotations

from rdflib import Literal
from rdflib.namespace import XSD


# A string's lexical form is itself: rdflib's normalising (which looks the value's Python type
# up in a table) changes nothing but costs a third of making a label (a report has 15,000).
def zh(text: str) -> Literal:
    return Literal(text, lang="zh", normalize=False)


def en(text: str) -> Literal:
    return Literal(text, lang="en", normalize=False)


def integer(value: int) -> Literal:
    """xsd:integer, not a derived type: Oxigraph stores xsd:positiveInteger as xsd:integer,
    and the graph that is validated must be the graph that is stored."""
    return Literal(value, datatype=XSD.integer)
