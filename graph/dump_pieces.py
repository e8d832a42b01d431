"""One named graph's share of the dumps, written where the graph is at hand.

The dumps list the named graphs one after another, each sorted, so every format that holds
named graphs is the concatenation of one piece per graph (N-Quads, TriG below its prefixes,
JSON-LD's ``@graph`` items), and the formats of the union are written from the graphs'
sorted N-Triples merged. A build's report jobs write the pieces of their report's graph in
their own process, from the quads they hold, so that the build never reads a report back
from its store (``report_job``); the few graphs the build itself makes are written from the
store (``dumps.write_dumps``). Both go through ``graph_pieces``, on an Oxigraph store, so a
graph's pieces are the same bytes whichever process wrote them: the store, not the mapping,
says how a literal is written (``"007"^^xsd:nonNegativeInteger`` is stored as ``7``).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .rdf.jsonld import write_graph

# What a piece holds, by its file's suffix.
SORTED = ".nt"  # the graph's N-Triples, sorted by line, without repeats
TRIG = ".trig"  # the graph in TriG, without the prefixes (written once, at the top)
JSONLD = ".jsonld"  # the graph's object in the JSON-LD ``@graph``, compacted
TURTLE = ".ttl"  # the graph alone, as a Turtle file of its own
PIECES = (SORTED, TRIG, JSONLD, TURTLE)


@dataclass(frozen=True)
class GraphPieces:
    """The files of one named graph's share of the dumps (``path(suffix)``)."""

    graph: str
    folder: Path
    stem: str
    triples: int

    def path(self, suffix: str) -> Path:
        return self.folder / f"{self.stem}{suffix}"


def graph_pieces(store: ox.Store, graph: str, prefixes: dict[str, str], folder: Path,
                 kinds: tuple[str, ...] = PIECES) -> GraphPieces:
    """Write the pieces (of ``kinds``) of the named ``graph`` of ``store`` into ``folder``.

    The graph is dumped and sorted on disk, and the other pieces are written from the sorted
    statements, read once: at most one graph is held in memory."""
    return _written(_sorted(store, graph, folder), prefixes, kinds)


def _sorted(store: ox.Store, graph: str, folder: Path) -> GraphPieces:
    """Only the sorted N-Triples of the graph."""
    stem = hashlib.sha256(graph.encode()).hexdigest()[:16]
    pieces = GraphPieces(graph, folder, stem, 0)
    raw = folder / f"{stem}.raw{SORTED}"
    store.dump(raw, ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph))
    sort_lines([raw], pieces.path(SORTED))
    raw.unlink()
    return GraphPieces(graph, folder, stem, count_lines(pieces.path(SORTED)))


def _written(pieces: GraphPieces, prefixes: dict[str, str],
             kinds: tuple[str, ...]) -> GraphPieces:
    """The other pieces (of ``kinds``), from the sorted N-Triples."""
    quads = [] if set(kinds) <= {SORTED} else list(ox.parse(
        in_graph(pieces.graph)(pieces.path(SORTED).read_bytes()), format=ox.RdfFormat.N_QUADS))
    if TRIG in kinds:
        written = ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=prefixes) or b""
        head = trig_head(prefixes)
        assert not written or written.startswith(head), "TriG begins with its prefixes"
        pieces.path(TRIG).write_bytes(written[len(head):] if written else b"")
    if JSONLD in kinds:
        with open(pieces.path(JSONLD), "wb") as out:
            write_graph((ox.serialize(run, format=ox.RdfFormat.JSON_LD) or b"[]"
                         for run in _runs(quads)), prefixes, out)
    if TURTLE in kinds:
        ox.serialize((ox.Triple(q.subject, q.predicate, q.object) for q in quads),
                     pieces.path(TURTLE), format=ox.RdfFormat.TURTLE, prefixes=prefixes)
    return pieces


def _runs(quads: list[ox.Quad], size: int = 2000) -> Iterator[list[ox.Quad]]:
    """``quads`` (sorted) in runs of about ``size`` that split no subject's statements: the
    JSON-LD is compacted run by run, a whole graph's JSON tree would be some 45 MB a report."""
    start = 0
    while start < len(quads):
        end = min(start + size, len(quads))
        while end < len(quads) and quads[end].subject == quads[end - 1].subject:
            end += 1
        yield quads[start:end]
        start = end


def report_pieces(nquads: bytes, graph: str, prefixes: dict[str, str],
                  folder: Path) -> GraphPieces:
    """The pieces of the named ``graph`` in ``nquads`` (one report's, as the build loads
    them), through a store in memory, as the build's store would write them."""
    store = ox.Store()
    store.bulk_load(nquads, ox.RdfFormat.N_QUADS)
    pieces = _sorted(store, graph, folder)
    del store  # one copy of the report at a time
    return _written(pieces, prefixes, PIECES)


def in_graph(graph: str) -> Callable[[bytes], bytes]:
    """N-Triples lines → the same statements as N-Quads lines in ``graph``. Every line ends
    in `` .`` and a newline, which occurs nowhere else (N-Triples escapes it in literals)."""
    ending = f" <{graph}> .\n".encode()
    return lambda lines: lines.replace(b" .\n", ending)


def trig_head(prefixes: dict[str, str]) -> bytes:
    """The prefix lines Oxigraph's TriG writer begins with (it writes them only before a
    first statement, so one is written and cut off)."""
    iri = ox.NamedNode("urn:dakg:head")
    written = ox.serialize([ox.Quad(iri, iri, iri, iri)], format=ox.RdfFormat.TRIG,
                           prefixes=prefixes) or b""
    return written[:written.index(b"<urn:dakg:head> {")]


def sort_lines(inputs: list[Path], output: Path, *, merge: bool = False) -> None:
    """Sort the lines of ``inputs`` into ``output`` on disk, by their bytes (code points),
    dropping repeats; ``merge``: the inputs are sorted already. GNU sort spills to the
    output's folder, so memory stays small however large the files."""
    command = ["sort", "-u", "-S", "64M", "-T", str(output.parent), "-o", str(output)]
    subprocess.run([*command, *(["-m"] if merge else []), *map(str, inputs)], check=True,
                   env={**os.environ, "LC_ALL": "C"})


def count_lines(path: Path) -> int:
    with open(path, "rb") as data:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: data.read(1 << 20), b""))
