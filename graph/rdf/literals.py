"""Literal helpers: Chinese and English text, whole numbers (as Oxigraph stores them)."""

from __future__ import annotations

from rdflib import Literal
from rdflib.namespace import XSD


def zh(text: str) -> Literal:
    return Literal(text, lang="zh")


def en(text: str) -> Literal:
    return Literal(text, lang="en")


def integer(value: int) -> Literal:
    """xsd:integer, not a derived type: Oxigraph stores xsd:positiveInteger as xsd:integer,
    and the graph that is validated must be the graph that is stored."""
    return Literal(value, datatype=XSD.integer)
