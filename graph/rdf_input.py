"""Reading RDF that comes from outside: Graph Store uploads, ``dakg serve --data`` files and
``dakg validate --data`` files.

Nothing read here may make the server fetch or blow up: RDF/XML with a DTD is refused before
Oxigraph sees it (entity declarations are how a "billion laughs" document expands to
gigabytes, and how external entities point elsewhere), and JSON-LD remote contexts are
refused by Oxigraph itself, which is given no document loader.
"""

from __future__ import annotations

from xml.etree.ElementTree import ParseError

import pyoxigraph as ox
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from dakg import formats


class UnsafeInput(ValueError):
    """The data is refused; the message says why."""


def format_for(media_type: str | None = None, file_name: str | None = None) -> ox.RdfFormat:
    """The RDF format of a body (by its media type) or of a file (by its extension)."""
    if media_type:
        fmt = formats.by_media_type(media_type, formats.Kind.GRAPH)
        if fmt is None:
            accepted = [t for f in formats.RDF_FORMATS for t in f.media_types]
            raise UnsafeInput(f"unsupported RDF media type {media_type!r}; expected one of "
                              + ", ".join(accepted))
        return fmt.rdf
    assert file_name is not None
    try:
        return formats.by_extension(file_name).rdf
    except formats.UnknownFormat as e:
        raise UnsafeInput(str(e)) from e


def parse_rdf(data: bytes, fmt: ox.RdfFormat, *, base_iri: str | None = None,
              graph: ox.NamedNode | ox.DefaultGraph | None = None) -> list[ox.Quad]:
    """Parse ``data``; triples go into ``graph`` (default graph if None)."""
    if fmt == ox.RdfFormat.RDF_XML:
        _refuse_dtd(data)
    try:
        quads = list(ox.parse(data, format=fmt, base_iri=base_iri))
    except SyntaxError as e:
        raise UnsafeInput(f"not valid {fmt.name}: {e}") from e
    if graph is None or fmt.supports_datasets:
        return quads
    return [ox.Quad(q.subject, q.predicate, q.object, graph) for q in quads]


def _refuse_dtd(data: bytes) -> None:
    try:
        fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as e:
        raise UnsafeInput("RDF/XML with a document type declaration (DTD) or entities is "
                          "refused: entity expansion can make a small document huge, and "
                          "external entities would make the server fetch") from e
    except ParseError as e:
        raise UnsafeInput(f"not well-formed XML: {e}") from e
