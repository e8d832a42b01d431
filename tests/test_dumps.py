"""Dumps assembled from each graph's pieces: the same bytes whoever wrote the pieces."""

from __future__ import annotations

import io
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib.namespace import RDFS, XSD

from dakg.graph.dump_pieces import PIECES, SORTED, graph_pieces, report_pieces
from dakg.graph.dumps import CHECKSUMS, FORMATS, export, write_dumps
from dakg.graph.rdf.namespaces import DEFAULT_BASE, prefixes_for
from dakg.graph.store import current_build, open_store


def test_dumps_from_the_report_jobs_are_the_dumps_from_the_store(series: Path,
                                                                 tmp_path: Path) -> None:
    """The build takes its reports' graphs from the pieces its jobs wrote; written from its
    store alone, every file is the same, byte for byte."""
    built = current_build(series)
    sums, counts = write_dumps(open_store(series), tmp_path / "dumps",
                               prefixes_for(DEFAULT_BASE))
    written = sorted(p.name for p in (tmp_path / "dumps").iterdir())
    assert len(written) == 1 + 2 * len(FORMATS) + 5  # and a Turtle file per named graph
    assert sorted(sums) == [name for name in written if name != CHECKSUMS]
    for name in written:
        if name != CHECKSUMS:
            assert (tmp_path / "dumps" / name).read_bytes() == (
                built / "dumps" / name).read_bytes(), name
    listed = set((built / "dumps" / CHECKSUMS).read_text().splitlines())
    assert set((tmp_path / "dumps" / CHECKSUMS).read_text().splitlines()) < listed
    assert sum(counts.values()) == sum(1 for _ in open_store(series))
    assert not any(p.name.startswith(".") for p in built.iterdir())  # the pieces are gone


@pytest.mark.parametrize("name", list(FORMATS))
def test_an_export_is_the_dump(built: Path, name: str) -> None:
    """``dakg export`` writes the dataset as the dumps do."""
    out = io.BytesIO()
    export(open_store(built), FORMATS[name], prefixes_for(DEFAULT_BASE), out)
    dump = current_build(built) / "dumps" / f"dakg.{FORMATS[name].extension}"
    assert out.getvalue() == dump.read_bytes()


def test_a_graph_s_pieces_are_written_as_the_store_holds_it(tmp_path: Path) -> None:
    """A job's pieces, made from the quads it maps, are those of the build's store: the
    store writes ``"007"^^xsd:nonNegativeInteger`` as ``7`` (an ``xsd:integer``)."""
    graph, other = "https://w3id.org/dakg/id/graph/report/X", "https://w3id.org/dakg/id/g"
    node, said = ox.NamedNode("https://w3id.org/dakg/id/x"), ox.NamedNode(str(RDFS.comment))
    count = ox.Literal("007", datatype=ox.NamedNode(str(XSD.nonNegativeInteger)))
    quads = [ox.Quad(node, said, count, ox.NamedNode(graph)),
             ox.Quad(node, said, ox.Literal("a\nb . c", language="en"), ox.NamedNode(graph)),
             ox.Quad(node, said, ox.Literal("elsewhere"), ox.NamedNode(other))]
    nquads = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    assert nquads is not None
    store = ox.Store(str(tmp_path / "store"))
    store.bulk_load(nquads, ox.RdfFormat.N_QUADS)  # as the build loads a report
    prefixes = prefixes_for(DEFAULT_BASE)
    (tmp_path / "job").mkdir()
    (tmp_path / "build").mkdir()
    from_job = report_pieces(nquads, graph, prefixes, tmp_path / "job")
    from_store = graph_pieces(store, graph, prefixes, tmp_path / "build")
    assert from_job.triples == from_store.triples == 2
    for suffix in PIECES:
        assert from_job.path(suffix).read_bytes() == from_store.path(suffix).read_bytes()
    assert b'"7"^^<http://www.w3.org/2001/XMLSchema#integer>' in from_job.path(
        SORTED).read_bytes()
