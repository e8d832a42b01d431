"""Literal helpers: Chinese and English text, plain text, whole numbers (as Oxigraph stores
them).

A report's mapping makes some 25,000 literals, and rdflib's constructor checks the language
tag, looks the value's Python type up in its tables and builds the datatype's IRI anew each
time: about 40% of the mapping's time. These helpers make the very terms that constructor
makes (a ``Literal`` is a ``str`` with four attributes) from values whose checks are settled
here once: the language tags and the datatype are constants, a text is its own lexical form
and value, a whole number's lexical form is ``str``. ``tests/test_literals.py`` holds them to
rdflib's constructor.
"""

from __future__ import annotations

from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

_INTEGER = XSD.integer


def _made(lexical: str, language: str | None, datatype: URIRef | None, value: Any) -> Literal:
    made = str.__new__(Literal, lexical)
    made._language = language
    made._datatype = datatype
    made._value = value
    made._ill_typed = None
    return made


def zh(text: str) -> Literal:
    """``Literal(text, lang="zh")``."""
    return _made(text, "zh", None, text)


def en(text: str) -> Literal:
    """``Literal(text, lang="en")``."""
    return _made(text, "en", None, text)


def plain(text: str) -> Literal:
    """``Literal(text)``: an ``xsd:string``."""
    return _made(text, None, None, text)


def integer(value: int) -> Literal:
    """``Literal(value, datatype=XSD.integer)``: xsd:integer, not a derived type: Oxigraph
    stores xsd:positiveInteger as xsd:integer, and the graph that is validated must be the
    graph that is stored."""
    if type(value) is not int:  # a bool is an int to Python, not to RDF
        raise TypeError(f"not a whole number: {value!r}")
    return _made(str(value), None, _INTEGER, value)
