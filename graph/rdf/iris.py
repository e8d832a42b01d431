"""The IRIs dakg mints: stable, readable, derived from what a thing is, never from order.

Things live under ``/id/``. A piece of a report lives under that report's document IRI
(``/id/document/CDIP/35/2/section/13-14-17/activity/2``), numbered within its parent, so an
added paragraph elsewhere in the report does not renumber it. The selectors that anchor a
piece in the source text are fragments of the piece's own IRI (``…#span``), so dereferencing
the piece brings its provenance with it.
"""

from __future__ import annotations

from rdflib import URIRef

from ..records import DocumentSymbol
from .namespaces import ID


def recommendation(number: int) -> URIRef:
    return ID[f"recommendation/{number}"]


def cluster(letter: str) -> URIRef:
    return ID[f"cluster/{letter}"]


def scheme() -> URIRef:
    return ID["scheme/development-agenda"]


def review_scheme() -> URIRef:
    return ID["scheme/independent-review"]


def review_recommendation(number: int) -> URIRef:
    return ID[f"independent-review/recommendation/{number}"]


def document(symbol: DocumentSymbol | str) -> URIRef:
    """``CDIP/3/INF/2`` → ``/id/document/CDIP/3/INF/2``; ``CDIP/16/4 Rev.`` → ``…/4/Rev``."""
    text = symbol.canonical if isinstance(symbol, DocumentSymbol) else symbol
    path = text.replace(" Rev.", "/Rev.").removesuffix(".")
    return ID[f"document/{path}"]


def part(parent: URIRef, *steps: object) -> URIRef:
    """A part of a document: ``part(report, "section", "13-14-17")``."""
    return URIRef(f"{parent}/" + "/".join(str(s) for s in steps))


def fragment(node: URIRef, name: str) -> URIRef:
    return URIRef(f"{node}#{name}")


def session(committee: str, number: int) -> URIRef:
    return ID[f"session/{committee}/{number}"]


def committee(key: str) -> URIRef:
    return ID[f"committee/{key}"]


def organization(key: str) -> URIRef:
    return ID[f"organization/{key}"]


def sector(key: str) -> URIRef:
    return ID[f"sector/{key}"]


def programme(key: str) -> URIRef:
    return ID[f"programme/{key}"]


def project(key: str) -> URIRef:
    return ID[f"project/{key}"]


def entity(kind: str, key: str) -> URIRef:
    """A sector, committee, programme or project by its kind in the curated data."""
    return {"sector": sector, "committee": committee, "programme": programme,
            "project": project}[kind](key)


def agent(key: str) -> URIRef:
    """A person or group credited with something, e.g. the curators of the reference data."""
    return ID[f"agent/{key}"]


def expression(document: URIRef, language: str) -> URIRef:
    """One language version of a document (a FaBiO expression of the document's work)."""
    return URIRef(f"{document}/{language}")


def origin(key: str) -> URIRef:
    """A source the curated reference data cites."""
    return ID[f"source/{key}"]


def graph_ontology() -> URIRef:
    return ID["graph/ontology"]


def graph_reference() -> URIRef:
    return ID["graph/reference"]


def graph_shared() -> URIRef:
    """The graph of what the reports say of resources they share (see ``dataset``)."""
    return ID["graph/shared"]


def graph_report(symbol: str) -> URIRef:
    return ID[f"graph/report/{symbol}"]


def software() -> URIRef:
    return ID["software/dakg"]


def extraction(symbol: str) -> URIRef:
    return ID[f"activity/extraction/{symbol}"]
