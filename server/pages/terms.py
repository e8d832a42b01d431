"""RDF terms as pages see them, and the SELECTs that yield them.

Pages read the store only through SELECTs run by ``queries.select``: on a query process,
within the server's limits, like any client's query. ``bindings`` turns its SPARQL JSON rows
into ``Term``s, which templates test (``is_iri``, ``lang``…) and sort without knowing the JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dakg.graph.rdf.namespaces import PREFIXES

from ..queries import select
from ..runtime import Runtime

RDF_NS = PREFIXES["rdf"]
RDFS_NS = PREFIXES["rdfs"]
SKOS_NS = PREFIXES["skos"]
OA_NS = PREFIXES["oa"]
DCTERMS_NS = PREFIXES["dcterms"]
RDF_TYPE = RDF_NS + "type"


@dataclass(frozen=True)
class Term:
    """An RDF term as a page shows it: from a SPARQL JSON result binding."""

    kind: str  # uri | bnode | literal | triple
    value: str
    lang: str = ""
    datatype: str = ""

    @property
    def is_iri(self) -> bool:
        return self.kind == "uri"

    @property
    def is_literal(self) -> bool:
        return self.kind == "literal"

    @property
    def is_bnode(self) -> bool:
        return self.kind == "bnode"

    @property
    def primary_lang(self) -> str:
        return self.lang.split("-")[0].lower()


def term(binding: dict[str, Any]) -> Term:
    """The term of a SPARQL JSON binding; a quoted triple shows as its three values."""
    kind = binding["type"]
    if kind == "triple":
        value = binding["value"]
        return Term("triple", " ".join(term(value[k]).value for k in
                                       ("subject", "predicate", "object")))
    if kind == "typed-literal":  # the SPARQL JSON of some older engines
        kind = "literal"
    return Term(kind, binding["value"], binding.get("xml:lang", ""),
                binding.get("datatype", ""))


def bindings(rt: Runtime, text: str, limit: int) -> tuple[list[dict[str, Term]], bool]:
    """The rows of a SELECT as terms, and whether they were cut at ``limit``."""
    rows, truncated = select(rt, text, limit)
    return [{k: term(v) for k, v in row.items()} for row in rows], truncated


def prologue(rt: Runtime) -> str:
    """PREFIX declarations for every prefix the server knows, for the pages' own queries."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in rt.prefixes.items())
