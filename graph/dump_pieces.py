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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from dakg.formats import RDF_FORMATS, Format

from .gzip_join import Check, deflated
from .rdf.jsonld import write_graph

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
    name = ox.NamedNode(graph)
    return _written(graph, (q.triple for q in store.quads_for_pattern(None, None, None, name)),
                    prefixes, folder)


def report_pieces(nquads: bytes, graph: str, prefixes: dict[str, str],
                  folder: Path) -> GraphPieces:
    """The pieces of the named ``graph`` in ``nquads`` (one report's, as the build loads
    them), the same bytes as ``graph_pieces`` on the build's store."""
    name = ox.NamedNode(graph)
    triples = [q.triple for q in ox.parse(nquads, format=ox.RdfFormat.N_QUADS)
               if q.graph_name == name]
    return _written(graph, _as_stored(triples), prefixes, folder)


def _as_stored(triples: list[ox.Triple]) -> Iterator[ox.Triple]:
    """``triples`` with each typed literal as an Oxigraph store gives it back (it keeps
    numbers, booleans, dates… as values, and writes them in their canonical form, of the
    primitive type). Only the distinct typed literals go through a store: a few thousand a
    report (offsets, dates), where the whole report would be some 50,000 statements."""
    typed = list({t.object for t in triples if isinstance(t.object, ox.Literal)
                  and t.object.language is None and t.object.datatype != _STRING})
    if not typed:
        yield from triples
        return
    store = ox.Store()
    value = ox.NamedNode("urn:dakg:value")
    store.extend(ox.Quad(ox.NamedNode(f"urn:dakg:{n}"), value, literal)
                 for n, literal in enumerate(typed))
    stored: dict[object, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
        typed[int(str(q.subject).removeprefix("<urn:dakg:").removesuffix(">"))]: q.object
        for q in store.quads_for_pattern(None, value, None)}
    for t in triples:
        found = stored.get(t.object)
        yield t if found is None else ox.Triple(t.subject, t.predicate, found)


def _written(graph: str, triples: Iterable[ox.Triple], prefixes: dict[str, str],
             folder: Path) -> GraphPieces:
    """The graph's statements sorted as their N-Triples lines sort (by code point, which is
    how their UTF-8 bytes sort), without repeats, and each piece written from them."""
    lines: dict[str, ox.Triple] = {f"{t} .\n": t for t in triples}
    order = sorted(lines)
    ordered = [lines[line] for line in order]
    pieces = GraphPieces(graph, folder, hashlib.sha256(graph.encode()).hexdigest()[:16],
                         len(order))
    text = "".join(order).encode()
    del lines, order
    name = ox.NamedNode(graph)
    for fmt in FORMATS.values():
        rdf = fmt.rdf
        if rdf == ox.RdfFormat.N_TRIPLES:
            data = text
        elif rdf == ox.RdfFormat.N_QUADS:
            data = in_graph(graph)(text)
        elif rdf == ox.RdfFormat.JSON_LD:
            data = _jsonld(ordered, name, prefixes)
        else:
            data = body(rdf, prefixes, (ox.Quad(t.subject, t.predicate, t.object, name)
                                        for t in ordered) if rdf.supports_datasets else ordered)
        compressed, pieces.checks[fmt.name] = deflated(data)
        pieces.path(fmt).write_bytes(compressed)
    return pieces


def _jsonld(triples: list[ox.Triple], graph: ox.NamedNode, prefixes: dict[str, str]) -> bytes:
    out = io.BytesIO()
    write_graph((ox.serialize([ox.Quad(t.subject, t.predicate, t.object, graph) for t in run],
                              format=ox.RdfFormat.JSON_LD) or b"[]"
                 for run in _runs(triples)), prefixes, out)
    return out.getvalue()


def _runs(triples: list[ox.Triple], size: int = 2000) -> Iterator[list[ox.Triple]]:
    """``triples`` (sorted) in runs of about ``size`` that split no subject's statements: the
    JSON-LD is compacted run by run, a whole graph's JSON tree would be some 45 MB a report."""
    start = 0
    while start < len(triples):
        end = min(start + size, len(triples))
        while end < len(triples) and triples[end].subject == triples[end - 1].subject:
            end += 1
        yield triples[start:end]
        start = end


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


def in_graph(graph: str) -> Callable[[bytes], bytes]:
    """N-Triples lines → the same statements as N-Quads lines in ``graph``. Every line ends
    in `` .`` and a newline, which occurs nowhere else (N-Triples escapes it in literals)."""
    ending = f" <{graph}> .\n".encode()
    return lambda lines: lines.replace(b" .\n", ending)
