"""Dumps assembled from each graph's compressed pieces: the same bytes whoever wrote the
pieces, and gzip files that every reader takes whole."""

from __future__ import annotations

import gzip
import io
import subprocess
import zlib
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal
from rdflib.namespace import RDFS, XSD
from rdflib.term import Node

from dakg.graph.dump_pieces import FORMATS, body, graph_pieces, in_graph_block, report_pieces
from dakg.graph.dumps import (
    CHECKSUMS,
    dump_name,
    export,
    graph_dump_name,
    open_dump,
    write_dumps,
)
from dakg.graph.rdf.namespaces import DEFAULT_BASE, ID, prefixes_for
from dakg.graph.store import current_build, nquads, open_store


def test_dumps_from_the_report_jobs_are_the_dumps_from_the_store(series: Path,
                                                                 tmp_path: Path) -> None:
    """The build takes its reports' graphs (the real report's and a generated one's) from
    the pieces its jobs wrote; written from its store alone, every file is the same, byte for
    byte."""
    built = current_build(series)
    sums, counts = write_dumps(open_store(series), tmp_path / "dumps",
                               prefixes_for(DEFAULT_BASE))
    written = sorted(p.name for p in (tmp_path / "dumps").iterdir())
    assert written == sorted([CHECKSUMS, *map(dump_name, FORMATS.values()),
                              *map(graph_dump_name, counts)])
    assert len(counts) == 5  # ontology, reference, shared, two reports
    assert sorted(sums) == [name for name in written if name != CHECKSUMS]
    for name in written:
        if name != CHECKSUMS:
            assert (tmp_path / "dumps" / name).read_bytes() == (
                built / "dumps" / name).read_bytes(), name
    listed = set((built / "dumps" / CHECKSUMS).read_text().splitlines())
    assert set((tmp_path / "dumps" / CHECKSUMS).read_text().splitlines()) < listed
    assert sum(counts.values()) == sum(1 for _ in open_store(series))
    assert not any(p.name.startswith(".") for p in built.iterdir())  # the pieces are gone


def test_no_statement_is_in_two_graphs(series: Path) -> None:
    """What the union dumps rely on to list the graphs one after another without a merge."""
    store = open_store(series)
    quads = sum(1 for _ in store)
    assert len({q.triple for q in store}) == quads
    nt = FORMATS["ntriples"]
    with gzip.open(current_build(series) / "dumps" / dump_name(nt)) as union:
        assert sum(1 for _ in union) == quads


def test_every_dump_is_one_gzip_member_that_gzip_and_python_read(series: Path) -> None:
    """Each dump is laid end to end from the graphs' pieces, yet is one gzip member (curl
    refuses more with ``Content-Encoding: gzip``), which gzip -d, Python's gzip (and rdflib
    through it) read whole."""
    dumps = current_build(series) / "dumps"
    store = open_store(series)
    triples = {q.triple for q in store}
    for fmt in FORMATS.values():
        path = dumps / dump_name(fmt)
        member = zlib.decompressobj(wbits=31)
        plain = member.decompress(path.read_bytes())
        assert member.eof and not member.unused_data, path.name
        assert plain == subprocess.run(["gzip", "-dc", str(path)], check=True,
                                       capture_output=True).stdout
        read = list(ox.parse(plain, format=fmt.rdf))
        if fmt.datasets:
            assert set(read) == set(store), path.name
        else:
            assert {q.triple for q in read} == triples, path.name
    parsed = Graph()
    with open_dump(dumps / dump_name(FORMATS["ntriples"])) as data:  # as rdflib is given one
        parsed.parse(data, format="nt")
    assert len(parsed) == len(triples)


def test_an_export_is_the_dump(built: Path) -> None:
    """``dakg export`` writes the dataset as the dumps hold it, plain."""
    for fmt in FORMATS.values():
        out = io.BytesIO()
        export(open_store(built), fmt, prefixes_for(DEFAULT_BASE), out)
        dump = current_build(built) / "dumps" / dump_name(fmt)
        assert out.getvalue() == gzip.decompress(dump.read_bytes()), fmt.name


def test_a_graph_s_pieces_are_written_as_the_store_holds_it(tmp_path: Path) -> None:
    """A job's pieces, made from the N-Quads it writes of its mapping, are those of the
    build's store: the store writes ``"007"^^xsd:nonNegativeInteger`` as ``7`` (an
    ``xsd:integer``), and so do the job's N-Quads."""
    graph, other = ID["graph/report/X"], ID["g"]
    node, said = ID["x"], RDFS.comment
    quads: list[tuple[Node, Node, Node, Node]] = [
        (graph, node, said, Literal("007", datatype=XSD.nonNegativeInteger)),
        (graph, node, said, Literal("7", datatype=XSD.integer)),  # the same value: once
        (graph, node, said, Literal("a\nb . c", lang="en")),
        (graph, node, said, Literal("2024-01-01", datatype=XSD.date)),
        (other, node, said, Literal("elsewhere"))]
    data = nquads(quads)
    store = ox.Store(str(tmp_path / "store"))
    store.bulk_load(data, ox.RdfFormat.N_QUADS)  # as the build loads a report
    prefixes = prefixes_for(DEFAULT_BASE)
    (tmp_path / "job").mkdir()
    (tmp_path / "build").mkdir()
    from_job = report_pieces(data, str(graph), prefixes, tmp_path / "job")
    from_store = graph_pieces(store, str(graph), prefixes, tmp_path / "build")
    assert from_job.triples == from_store.triples == 3
    for fmt in FORMATS.values():
        assert from_job.path(fmt).read_bytes() == from_store.path(fmt).read_bytes(), fmt.name
    piece = zlib.decompressobj(wbits=-15)  # raw DEFLATE, not ended: the dump goes on
    assert b'"7"^^<http://www.w3.org/2001/XMLSchema#integer>' in piece.decompress(
        from_job.path(FORMATS["ntriples"]).read_bytes())


def test_a_graph_s_trig_is_its_turtle_in_its_block(built: Path) -> None:
    """The TriG piece is made from the Turtle piece (``in_graph_block``): what Oxigraph
    writes, on the real report's graph and on a literal with a newline and quotes."""
    store = open_store(built)
    prefixes = prefixes_for(DEFAULT_BASE)
    graph = ox.NamedNode(ID["graph/report/CDIP/35/2"])
    odd = ox.Quad(ox.NamedNode(ID["x"]), ox.NamedNode(str(RDFS.comment)),
                  ox.Literal('a "b"\n\tc', language="en"), graph)
    quads = sorted([*store.quads_for_pattern(None, None, None, graph), odd], key=str)
    assert len(quads) > 40000
    turtle = body(ox.RdfFormat.TURTLE, prefixes, [q.triple for q in quads])
    assert in_graph_block(turtle, quads[:1], prefixes) == body(ox.RdfFormat.TRIG, prefixes,
                                                                 quads)
    assert in_graph_block(b"", [], prefixes) == b""
