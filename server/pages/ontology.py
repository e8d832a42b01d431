"""The ontology as data: ``/def/`` and every ``/def/…`` term, asked for in an RDF format, give
the whole ontology (the graph that declares ``<base def/>`` an ``owl:Ontology``), not only
the triples about the term: a client that dereferences one term gets the vocabulary."""

from __future__ import annotations

from .. import formats
from ..jobs import Job, Reply
from ..queries import execute
from ..runtime import Runtime
from .resource import DESCRIPTION_LIMIT
from .terms import prologue

ONTOLOGY = """CONSTRUCT {{ ?s ?p ?o }} WHERE {{
  GRAPH ?g {{ <{ontology}> a owl:Ontology . ?s ?p ?o }}
}}"""


def ontology_rdf(rt: Runtime, fmt: formats.Format) -> Reply | None:
    """The whole ontology in ``fmt`` (the query process's reply); None if the dataset has no
    graph declaring it."""
    ontology = rt.settings.base_iri + "def/"
    text = prologue(rt) + "PREFIX owl: <http://www.w3.org/2002/07/owl#>\n" + ONTOLOGY.format(
        ontology=ontology)
    reply = execute(rt, Job(store=rt.dataset.current().store, text=text, format=fmt.name,
                            row_limit=DESCRIPTION_LIMIT, prefixes=rt.prefixes))
    return reply if reply.count else None
