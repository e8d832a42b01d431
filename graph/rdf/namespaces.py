"""Every namespace dakg writes, defined once.

dakg mints its IRIs under one base (``DEFAULT_BASE``): ``/def/`` for the ontology, ``/id/``
for things. Mapping always uses the default base; a build configured with another base
rewrites the IRIs at the end (``rebased_term``), so these constants never change.
"""

from __future__ import annotations

from rdflib import Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS, VOID, XSD
from rdflib.term import Node

DEFAULT_BASE = "https://w3id.org/dakg/"


class _Namespace(Namespace):
    """An rdflib ``Namespace`` whose terms written as attributes (``DAKG.text``) are made
    once: rdflib makes (and checks) a new ``URIRef`` at every use, and a report's mapping
    uses some 60,000 (1-2 µs each). ``DAKG["..."]`` is not kept: it names things too."""

    def __getattr__(self, name: str) -> URIRef:
        made = super().__getattr__(name)
        self.__dict__[name] = made  # found before ``__getattr__`` from now on
        return made


DAKG = _Namespace(f"{DEFAULT_BASE}def/")
ID = _Namespace(f"{DEFAULT_BASE}id/")
OA = _Namespace("http://www.w3.org/ns/oa#")
ORG = _Namespace("http://www.w3.org/ns/org#")
FABIO = _Namespace("http://purl.org/spar/fabio/")
CITO = _Namespace("http://purl.org/spar/cito/")
DOCO = _Namespace("http://purl.org/spar/doco/")
FRBR = _Namespace("http://purl.org/vocab/frbr/core#")
SD = _Namespace("http://www.w3.org/ns/sparql-service-description#")

PREFIXES: dict[str, str] = {
    "dakg": str(DAKG),
    "cito": str(CITO),
    "id": str(ID),
    "dcterms": str(DCTERMS),
    "doco": str(DOCO),
    "fabio": str(FABIO),
    "frbr": str(FRBR),
    "oa": str(OA),
    "org": str(ORG),
    "owl": str(OWL),
    "prov": str(PROV),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "sh": str(SH),
    "skos": str(SKOS),
    "void": str(VOID),
    "xsd": str(XSD),
}


# Languages and media types as IRIs (DCMI: dcterms:language ranges over dcterms:LinguisticSystem,
# dcterms:format over dcterms:MediaType): ISO 639-1 codes and IANA media types.
LANGUAGE = _Namespace("http://id.loc.gov/vocabulary/iso639-1/")
MEDIA_TYPE = _Namespace("http://www.iana.org/assignments/media-types/")


def prefixes_for(base: str) -> dict[str, str]:
    """``PREFIXES`` with dakg's own namespaces moved onto ``base``."""
    return {prefix: rebased_iri(namespace, base) for prefix, namespace in PREFIXES.items()}


def rebased_iri(iri: str, base: str) -> str:
    return base + iri[len(DEFAULT_BASE):] if iri.startswith(DEFAULT_BASE) else iri


def rebased_term(term: Node, base: str) -> Node:
    """``term`` moved onto ``base``: an IRI, or an xsd:anyURI literal, under the default base."""
    if isinstance(term, URIRef):
        return URIRef(rebased_iri(str(term), base))
    if isinstance(term, Literal) and term.datatype == XSD.anyURI:
        return Literal(rebased_iri(str(term), base), datatype=term.datatype)
    return term


__all__ = ["CITO", "DAKG", "DCTERMS", "DEFAULT_BASE", "DOCO", "FABIO", "FRBR", "ID", "LANGUAGE",
           "MEDIA_TYPE", "OA", "ORG", "OWL", "PREFIXES",
           "PROV", "RDF", "RDFS", "SD", "SH", "SKOS", "VOID", "XSD", "prefixes_for",
           "rebased_iri", "rebased_term"]
