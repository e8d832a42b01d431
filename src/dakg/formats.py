"""Every format dakg reads or writes, declared once, on top of Oxigraph's own.

Media types, file extensions and format IRIs come from pyoxigraph's ``RdfFormat`` and
``QueryResultsFormat``; this table adds only what Oxigraph does not know: dakg's short name
for each format, the other names clients give it in a ``format``/``output`` parameter
(SPARQLWrapper, YASGUI, Virtuoso's and Fuseki's conventions), and the other media types that
mean the same. Both layers use it: ``graph`` (dumps, ``dakg query``, reading files) and
``server`` (negotiation, results, uploads).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import pyoxigraph as ox


class Kind(Enum):
    SOLUTIONS = "solutions"  # SELECT and ASK
    GRAPH = "graph"  # CONSTRUCT, DESCRIBE, one graph of the store
    DATASET = "dataset"  # several graphs: only formats that hold named graphs


@dataclass(frozen=True)
class Format:
    name: str  # dakg's short name (``--format``, ``format=``)
    oxigraph: ox.RdfFormat | ox.QueryResultsFormat
    names: tuple[str, ...] = ()  # other names clients use for it in ``format``/``output``
    aliases: tuple[str, ...] = ()  # other media types that mean the same
    comment: str = ""  # how a line of comment is written, if the format has comments

    @property
    def media_type(self) -> str:
        return str(self.oxigraph.media_type).split(";")[0]

    @property
    def extension(self) -> str:
        return str(self.oxigraph.file_extension)

    @property
    def iri(self) -> str:
        return str(self.oxigraph.iri)

    @property
    def label(self) -> str:
        return str(self.oxigraph.name)

    @property
    def kinds(self) -> frozenset[Kind]:
        if isinstance(self.oxigraph, ox.QueryResultsFormat):
            return frozenset({Kind.SOLUTIONS})
        if self.oxigraph.supports_datasets:
            return frozenset({Kind.GRAPH, Kind.DATASET})
        return frozenset({Kind.GRAPH})

    @property
    def datasets(self) -> bool:
        """Whether it holds named graphs (N-Quads, TriG, JSON-LD)."""
        return Kind.DATASET in self.kinds

    @property
    def rdf(self) -> ox.RdfFormat:
        assert isinstance(self.oxigraph, ox.RdfFormat), self.name
        return self.oxigraph

    @property
    def results(self) -> ox.QueryResultsFormat:
        assert isinstance(self.oxigraph, ox.QueryResultsFormat), self.name
        return self.oxigraph

    @property
    def media_types(self) -> tuple[str, ...]:
        return (self.media_type, *self.aliases)

    @property
    def all_names(self) -> tuple[str, ...]:
        """Every name a ``format`` parameter may give this format by."""
        return (self.name, self.extension, *self.names)

    @property
    def content_type(self) -> str:
        """The ``Content-Type`` to send: text formats say they are UTF-8."""
        binary = not (self.media_type.startswith("text/")
                      or self.media_type.endswith(("json", "xml", "trig", "n-quads",
                                                   "n-triples")))
        return self.media_type if binary else f"{self.media_type}; charset=utf-8"


# Order matters: for ``*/*`` the first offer of a kind wins; dumps are written in this order.
# A name in ``names`` may stand for one format of each kind ("xml" is SPARQL XML for a SELECT
# and RDF/XML for a CONSTRUCT, as SPARQLWrapper sends it).
FORMATS: tuple[Format, ...] = (
    Format("json", ox.QueryResultsFormat.JSON, (), ("application/json",)),
    Format("xml", ox.QueryResultsFormat.XML, (), ("application/xml", "text/xml"),
           "<!-- {} -->"),
    Format("csv", ox.QueryResultsFormat.CSV),
    Format("tsv", ox.QueryResultsFormat.TSV),
    Format("turtle", ox.RdfFormat.TURTLE, ("n3",),
           ("application/x-turtle", "application/turtle", "text/n3", "text/rdf+n3",
            "application/n3"), "# {}\n"),
    Format("ntriples", ox.RdfFormat.N_TRIPLES, ("n-triples", "text"), ("text/plain",),
           "# {}\n"),
    Format("rdfxml", ox.RdfFormat.RDF_XML, ("rdf", "rdf+xml", "xml"),
           ("application/xml", "text/xml"), "<!-- {} -->\n"),
    Format("nquads", ox.RdfFormat.N_QUADS, ("n-quads",), ("text/x-nquads",), "# {}\n"),
    Format("trig", ox.RdfFormat.TRIG, (), ("application/x-trig",), "# {}\n"),
    Format("jsonld", ox.RdfFormat.JSON_LD, ("json-ld", "json"),
           ("application/json", "application/x-json+ld")),
)
BY_NAME = {f.name: f for f in FORMATS}
RDF_FORMATS = tuple(f for f in FORMATS if isinstance(f.oxigraph, ox.RdfFormat))
RESULTS_FORMATS = tuple(f for f in FORMATS if isinstance(f.oxigraph, ox.QueryResultsFormat))


class UnknownFormat(ValueError):
    """A name, media type or extension that names no format dakg has."""


def offers(kind: Kind) -> tuple[Format, ...]:
    return tuple(f for f in FORMATS if kind in f.kinds)


def by_media_type(media_type: str, kind: Kind) -> Format | None:
    """The format of ``kind`` a media type (parameters ignored) stands for."""
    wanted = media_type.split(";")[0].strip().lower()
    for fmt in offers(kind):
        if fmt.media_type == wanted:
            return fmt
    return next((f for f in offers(kind) if wanted in f.aliases), None)


def by_name(value: str, kind: Kind) -> Format | None:
    """The format of ``kind`` a ``format``/``output`` value names (a name or a media type)."""
    if "/" in value:
        return by_media_type(value, kind)
    wanted = value.strip().lower()
    return next((f for f in offers(kind) if wanted in f.all_names), None)


def is_known(value: str) -> bool:
    """Whether ``value`` names a format of any kind."""
    return any(by_name(value, kind) is not None for kind in Kind)


def known_names() -> list[str]:
    return sorted({n for f in FORMATS for n in f.all_names})


def by_extension(file_name: str) -> Format:
    """The RDF format of a file, from its extension: the extensions of every RDF format dakg
    writes (``.nq``, ``.ttl``, …) and their short names (``.nquads``, ``.jsonld``, …)."""
    extension = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    for fmt in RDF_FORMATS:
        if extension in (fmt.extension, fmt.name):
            return fmt
    raise UnknownFormat(f"{file_name}: cannot tell the RDF format from the extension "
                        f"'.{extension}'; expected one of " + ", ".join(rdf_extensions()))


def rdf_extensions() -> list[str]:
    return [f".{e}" for f in RDF_FORMATS for e in dict.fromkeys((f.extension, f.name))]
