"""One named graph's share of the dumps, written compressed where the graph is at hand.

The dumps list the named graphs one after another, so every dump is the concatenation of one
piece per graph, between a head and a tail that only the format decides (prefixes, the XML
root, the JSON-LD context): N-Quads and N-Triples are the graph's lines, sorted; TriG, Turtle
and RDF/XML the graph as Oxigraph writes it, without the head and tail; JSON-LD the graph's
object in the ``@graph``. Each piece is compressed on its own (``gzip_join``), so that a whole
dump is one gzip file of the pieces' bytes laid end to end, never compressed twice
(``dumps.write_dumps``).

A build's report jobs write the pieces of their report's graph in their own process, from
the N-Quads they made (``report_pieces``), so that the build never reads a report back from
its store; the few graphs the build itself makes are written from the store
(``graph_pieces``). Either way a graph's pieces are the same bytes: the store, not the
mapping, says how a literal is written (Oxigraph stores ``"007"^^xsd:nonNegativeInteger`` as
``"7"^^xsd:integer``), so a job asks a store in memory for its typed literals as stored
(``_as_stored``), and sorts the statements itself.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from dakg.formats import RDF_FORMATS, Format

from .gzip_join import Check, Deflater, deflated
from .rdf.jsonld import write_graph
from .store import as_ntriples

GZIP_SUFFIX = ".gz"
# Every RDF format, by name: a graph has one piece in each.
FORMATS: dict[str, Format] = {f.name: f for f in RDF_FORMATS}
_STRING = ox.NamedNode("http://www.w3.org/2001/XMLSchema#string")


@dataclass(frozen=True)
class GraphPieces:
    """The files of one named graph's share of the dumps (``path(format)``), and the
    checks of what they hold (``checks[format name]``)."""

    graph: str
    folder: Path
    stem: str
    triples: int
    checks: dict[str, Check] = field(default_factory=dict)

    def path(self, fmt: Format) -> Path:
        """The piece in ``fmt``: compressed, or empty when the graph adds nothing there."""
        return self.folder / f"{self.stem}.{fmt.extension}.deflate"


def graph_pieces(store: ox.Store, graph: str, prefixes: dict[str, str],
                 folder: Path) -> GraphPieces:
    """Write the pieces of the named ``graph`` of ``store`` into ``folder`` (the graph is
    held in memory while they are written: one graph at a time)."""
    return _written(graph, list(store.quads_for_pattern(None, None, None, ox.NamedNode(graph))),
                    prefixes, folder)


def report_pieces(nquads: bytes, graph: str, prefixes: dict[str, str],
                  folder: Path) -> GraphPieces:
    """The pieces of the named ``graph`` in ``nquads`` (one report's, as the build loads
    them), the same bytes as ``graph_pieces`` on the build's store."""
    name = ox.NamedNode(graph)
    quads = [q for q in ox.parse(nquads, format=ox.RdfFormat.N_QUADS) if q.graph_name == name]
    _as_stored(quads)
    return _written(graph, quads, prefixes, folder)


def _as_stored(quads: list[ox.Quad]) -> None:
    """Put each typed literal of ``quads`` as an Oxigraph store gives it back (it keeps
    numbers, booleans, dates… as values, and writes them in their canonical form, of the
    primitive type). Only the distinct typed literals go through a store: a few thousand a
    report (offsets, dates), where the whole report would be some 50,000 statements."""
    typed = list({q.object for q in quads if isinstance(q.object, ox.Literal)
                  and q.object.language is None and q.object.datatype != _STRING})
    if not typed:
        return
    store = ox.Store()
    value = ox.NamedNode("urn:dakg:value")
    store.extend(ox.Quad(ox.NamedNode(f"urn:dakg:{n}"), value, literal)
                 for n, literal in enumerate(typed))
    stored: dict[object, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
        typed[int(str(q.subject).removeprefix("<urn:dakg:").removesuffix(">"))]: q.object
        for q in store.quads_for_pattern(None, value, None)}
    for n, q in enumerate(quads):
        found = stored.get(q.object)
        if found is not None:
            quads[n] = ox.Quad(q.subject, q.predicate, found, q.graph_name)


def _written(graph: str, quads: list[ox.Quad], prefixes: dict[str, str],
             folder: Path) -> GraphPieces:
    """Write the pieces of ``quads`` (all in ``graph``; the list is emptied: one copy of the
    graph at a time), sorted as their N-Quads lines sort, which is as their N-Triples lines
    sort (by code point, which is how their UTF-8 bytes sort), without repeats."""
    lines: dict[str, ox.Quad] = {str(q): q for q in quads}
    quads.clear()
    order = sorted(lines)
    ordered = [lines[line] for line in order]
    del lines
    pieces = GraphPieces(graph, folder, hashlib.sha256(graph.encode()).hexdigest()[:16],
                         len(order))
    _write_lines(pieces, order)
    del order
    triples = [q.triple for q in ordered]
    for fmt in FORMATS.values():
        rdf = fmt.rdf
        if rdf == ox.RdfFormat.JSON_LD:
            _write(pieces, fmt, _jsonld(ordered, prefixes))
        elif rdf not in (ox.RdfFormat.N_QUADS, ox.RdfFormat.N_TRIPLES):
            _write(pieces, fmt, body(rdf, prefixes, ordered if rdf.supports_datasets
                                     else triples))
    return pieces


def _write_lines(pieces: GraphPieces, lines: list[str], run: int = 4096) -> None:
    """The N-Quads and N-Triples pieces, from the sorted N-Quads ``lines`` (without `` .``),
    compressed a run of lines at a time (not a whole copy of the graph's text per format)."""
    nquads, ntriples = FORMATS["nquads"], FORMATS["ntriples"]
    with open(pieces.path(nquads), "wb") as quads, open(pieces.path(ntriples), "wb") as triples:
        packed, unnamed = Deflater(), Deflater()
        for start in range(0, len(lines), run):
            text = "".join(f"{line} .\n" for line in lines[start:start + run]).encode()
            quads.write(packed.compress(text))
            triples.write(unnamed.compress(as_ntriples(text, [pieces.graph])))
        for out, deflater, fmt in ((quads, packed, nquads), (triples, unnamed, ntriples)):
            rest, pieces.checks[fmt.name] = deflater.finish()
            out.write(rest)


def _write(pieces: GraphPieces, fmt: Format, data: bytes) -> None:
    compressed, pieces.checks[fmt.name] = deflated(data)
    pieces.path(fmt).write_bytes(compressed)


def _jsonld(quads: list[ox.Quad], prefixes: dict[str, str]) -> bytes:
    out = io.BytesIO()
    write_graph(quads, prefixes, out)
    return out.getvalue()


def body(rdf: ox.RdfFormat, prefixes: dict[str, str],
         statements: Iterable[ox.Triple] | Iterable[ox.Quad]) -> bytes:
    """``statements`` in ``rdf`` (TriG, Turtle or RDF/XML) without the ``head`` and tail
    that a whole document has once."""
    written = ox.serialize(statements, format=rdf, prefixes=prefixes) or b""
    if not written:
        return b""
    start, end = head(rdf, prefixes), tail(rdf)
    assert written.startswith(start) and written.endswith(end), "Oxigraph's head and tail"
    return written[len(start):len(written) - len(end)]


def head(rdf: ox.RdfFormat, prefixes: dict[str, str]) -> bytes:
    """What Oxigraph writes before the first statement: the prefix lines (TriG, Turtle,
    written only before a first statement, so one is written and cut off), the XML
    declaration and root element (RDF/XML)."""
    if rdf == ox.RdfFormat.RDF_XML:
        written = ox.serialize([], format=rdf, prefixes=prefixes) or b""
        return written[:len(written) - len(tail(rdf))]
    iri = ox.NamedNode("urn:dakg:head")
    written = ox.serialize([ox.Quad(iri, iri, iri, iri)] if rdf.supports_datasets
                           else [ox.Triple(iri, iri, iri)], format=rdf, prefixes=prefixes) or b""
    return written[:written.index(b"<urn:dakg:head>")]


def tail(rdf: ox.RdfFormat) -> bytes:
    """What Oxigraph writes after the last statement (only RDF/XML closes anything)."""
    return b"</rdf:RDF>" if rdf == ox.RdfFormat.RDF_XML else b""
