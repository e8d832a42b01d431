"""Every namespace dakg writes, defined once.

dakg mints its IRIs under one base (``DEFAULT_BASE``): ``/def/`` for the ontology, ``/id/``
for things. Mapping always uses the default base; a build configured with another base
rewrites the IRIs at the end (see ``rebase.py``), so these constants never change.
"""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS, VOID, XSD

DEFAULT_BASE = "https://w3id.org/dakg/"

DAKG = Namespace(f"{DEFAULT_BASE}def/")
ID = Namespace(f"{DEFAULT_BASE}id/")
OA = Namespace("http://www.w3.org/ns/oa#")
ORG = Namespace("http://www.w3.org/ns/org#")
FABIO = Namespace("http://purl.org/spar/fabio/")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")

PREFIXES: dict[str, str] = {
    "dakg": str(DAKG),
    "id": str(ID),
    "dcterms": str(DCTERMS),
    "fabio": str(FABIO),
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



def prefixes_for(base: str) -> dict[str, str]:
    """``PREFIXES`` with dakg's own namespaces moved onto ``base``."""
    return {prefix: rebased_iri(namespace, base) for prefix, namespace in PREFIXES.items()}


def rebased_iri(iri: str, base: str) -> str:
    return base + iri[len(DEFAULT_BASE):] if iri.startswith(DEFAULT_BASE) else iri


__all__ = ["DAKG", "DCTERMS", "DEFAULT_BASE", "FABIO", "ID", "OA", "ORG", "OWL", "PREFIXES",
           "PROV", "RDF", "RDFS", "SD", "SH", "SKOS", "VOID", "XSD", "prefixes_for",
           "rebased_iri"]
