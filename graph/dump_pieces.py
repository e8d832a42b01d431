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
``"7"^^xsd:integer``), and a job's N-Quads write each literal as the store will hold it
(``store.nquads``), so their lines are the store's; sorted, they are the N-Quads piece and
what the JSON-LD writer reads, and parsed, the statements that Oxigraph writes in the others.
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
    quads = store.quads_for_pattern(None, None, None, ox.NamedNode(graph))
    return _written(graph, {f"{q} .\n".encode() for q in quads}, prefixes, folder)


def report_pieces(nquads: bytes, graph: str, prefixes: dict[str, str],
                  folder: Path) -> GraphPieces:
    """The pieces of the named ``graph`` in ``nquads`` (one report's, written by
    ``store.nquads`` as the build loads them), the same bytes as ``graph_pieces`` on the
    build's store. A line of ``graph`` is one that ends with its name (no term holds a
    newline: N-Quads escapes it)."""
    end = f" <{graph}> .".encode()
    return _written(graph, {line + b"\n" for line in nquads.split(b"\n") if line.endswith(end)},
                    prefixes, folder)


def _written(graph: str, lines: set[bytes], prefixes: dict[str, str],
             folder: Path) -> GraphPieces:
    """Write the pieces of the N-Quads ``lines`` (all in ``graph``; the set is emptied: one
    copy of the graph at a time), sorted as bytes, which is as their N-Triples lines sort
    (UTF-8 keeps the order of code points)."""
    order = sorted(lines)
    lines.clear()
    pieces = GraphPieces(graph, folder, hashlib.sha256(graph.encode()).hexdigest()[:16],
                         len(order))
    ntriples = _write_lines(pieces, order)
    _write(pieces, FORMATS["jsonld"], _jsonld(order, graph, prefixes))
    del order
    # Read as N-Triples: statements in the default graph, as Turtle and RDF/XML write them
    # (a fifth faster than reading quads and taking their triples).
    statements = list(ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES))
    del ntriples
    turtle = body(ox.RdfFormat.TURTLE, prefixes, statements)
    first = [ox.Quad(statements[0].subject, statements[0].predicate, statements[0].object,
                     ox.NamedNode(graph))] if statements else []
    _write(pieces, FORMATS["turtle"], turtle)
    _write(pieces, FORMATS["trig"], in_graph_block(turtle, first, prefixes))
    _write(pieces, FORMATS["rdfxml"], body(ox.RdfFormat.RDF_XML, prefixes, statements))
    assert pieces.checks.keys() == FORMATS.keys(), "a graph has a piece in every format"
    return pieces


def in_graph_block(turtle: bytes, first: list[ox.Quad], prefixes: dict[str, str]) -> bytes:
    """The TriG ``body`` of one named graph from its Turtle ``body``: Oxigraph writes a
    graph's statements in TriG as in Turtle (each on lines of its own: a literal's newline
    is escaped), inside the graph's block and one tab further in, so the block is made
    from the Turtle rather than written again (0.02 s of CPU a report; a test holds
    Oxigraph to it).
    ``first``: the graph's first quad, if any, whose block Oxigraph opens."""
    if not first:
        return b""
    opening = body(ox.RdfFormat.TRIG, prefixes, first)
    opening = opening[:opening.index(b"\n") + 1]
    assert turtle.endswith(b"\n"), "Oxigraph ends a statement's line"
    return opening + b"\t" + turtle[:-1].replace(b"\n", b"\n\t") + b"\n}\n"


def _write_lines(pieces: GraphPieces, lines: list[bytes], run: int = 4096) -> bytes:
    """The N-Quads and N-Triples pieces, from the sorted N-Quads ``lines``, compressed a
    run of lines at a time (the N-Quads text is never joined whole). Returns the N-Triples
    text, which the other formats read."""
    nquads, ntriples = FORMATS["nquads"], FORMATS["ntriples"]
    unnamed_runs: list[bytes] = []
    with open(pieces.path(nquads), "wb") as quads, open(pieces.path(ntriples), "wb") as triples:
        packed, unnamed = Deflater(), Deflater()
        for start in range(0, len(lines), run):
            text = b"".join(lines[start:start + run])
            quads.write(packed.compress(text))
            unnamed_runs.append(as_ntriples(text, [pieces.graph]))
            triples.write(unnamed.compress(unnamed_runs[-1]))
        for out, deflater, fmt in ((quads, packed, nquads), (triples, unnamed, ntriples)):
            rest, pieces.checks[fmt.name] = deflater.finish()
            out.write(rest)
    return b"".join(unnamed_runs)


def _write(pieces: GraphPieces, fmt: Format, data: bytes) -> None:
    compressed, pieces.checks[fmt.name] = deflated(data)
    pieces.path(fmt).write_bytes(compressed)


def _jsonld(lines: list[bytes], graph: str, prefixes: dict[str, str]) -> bytes:
    out = io.BytesIO()
    write_graph(lines, graph, prefixes, out)
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
