"""Builds: the store, the dumps and their checksums, determinism, atomicity."""

from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from dakg.graph.build import build
from dakg.graph.dumps import CHECKSUMS, FORMATS
from dakg.graph.errors import SourceError
from dakg.graph.source import Source
from dakg.graph.store import current_build, open_store

from .conftest import damage, write_source

RDFLIB_FORMAT = {"nquads": "nquads", "trig": "trig", "jsonld": "json-ld", "turtle": "turtle",
                 "ntriples": "nt", "rdfxml": "xml"}


def _graph_of(store: ox.Store, name: ox.NamedNode | None) -> Graph:
    """One named graph of the store (None: the union), read by rdflib through N-Triples."""
    quads = store.quads_for_pattern(None, None, None, name)
    triples = {ox.Triple(q.subject, q.predicate, q.object) for q in quads}
    return Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")


def test_build_layout_and_manifest(built: Path) -> None:
    current = current_build(built)
    manifest = json.loads((current / "build.json").read_text())
    assert current.name == manifest["version"]
    assert manifest["source"]["sha256"] == (
        "3a3b3d09893249fa6088e8c5ecb72d7f0cd068e385c957682ab2b23cf6939fbb")
    assert set(manifest["graphs"]) == {
        "https://w3id.org/dakg/id/graph/ontology", "https://w3id.org/dakg/id/graph/reference",
        "https://w3id.org/dakg/id/graph/report/CDIP/35/2"}


def test_checksums_match_the_dumps(built: Path) -> None:
    dumps = current_build(built) / "dumps"
    lines = (dumps / CHECKSUMS).read_text().splitlines()
    names = {line.split("  ")[1] for line in lines}
    dumps_ = {f"dakg.{fmt.extension}" for fmt in FORMATS.values()}
    graphs = {"graph-ontology.ttl", "graph-reference.ttl", "graph-report-CDIP-35-2.ttl"}
    assert names == (dumps_ | {d + ".gz" for d in dumps_} | graphs
                     | {"cdip_35_2_zh.txt", "cdip_35_2_zh.toml"})
    for line in lines:
        digest, name = line.split("  ")
        assert hashlib.sha256((dumps / name).read_bytes()).hexdigest() == digest


def test_gzipped_dumps_hold_the_dumps(built: Path) -> None:
    dumps = current_build(built) / "dumps"
    for fmt in FORMATS.values():
        name = f"dakg.{fmt.extension}"
        assert gzip.decompress((dumps / f"{name}.gz").read_bytes()) == (dumps / name).read_bytes()


def test_one_turtle_file_per_named_graph_holds_that_graph(built: Path) -> None:
    import pyoxigraph as ox

    from dakg.graph.dumps import graph_dump_name

    store = ox.Store.read_only(str(current_build(built) / "store"))
    named = list(store.named_graphs())
    assert len(named) == 3
    for graph in named:
        path = current_build(built) / "dumps" / graph_dump_name(graph.value)
        in_file = {ox.Triple(q.subject, q.predicate, q.object)
                   for q in ox.parse(path.read_bytes(), format=ox.RdfFormat.TURTLE)}
        in_store = {ox.Triple(q.subject, q.predicate, q.object)
                    for q in store.quads_for_pattern(None, None, None, graph)}
        assert len(in_file) == len(in_store) > 0
        blank_free = {t for t in in_store if not isinstance(t.subject, ox.BlankNode)
                      and not isinstance(t.object, ox.BlankNode)}
        assert blank_free <= in_file


def test_the_source_text_and_manifest_are_published_with_the_dumps(built: Path,
                                                                  manifest: Path) -> None:
    dumps = current_build(built) / "dumps"
    assert (dumps / manifest.name).read_bytes() == manifest.read_bytes()
    text = (dumps / "cdip_35_2_zh.txt").read_bytes()
    assert hashlib.sha256(text).hexdigest() == (
        "3a3b3d09893249fa6088e8c5ecb72d7f0cd068e385c957682ab2b23cf6939fbb")


@pytest.mark.parametrize("name", list(FORMATS))
@pytest.mark.filterwarnings("ignore:Dataset.default_context is deprecated:DeprecationWarning")
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_each_dump_parses_back_to_the_store(built: Path, name: str) -> None:
    fmt = FORMATS[name]
    path = current_build(built) / "dumps" / f"dakg.{fmt.extension}"
    store = open_store(built)
    if fmt.datasets:
        dataset = Dataset()
        dataset.parse(data=path.read_bytes(), format=RDFLIB_FORMAT[name])
        names = {q.graph_name for q in store}
        assert {str(g.identifier) for g in dataset.graphs() if len(g)} == {n.value for n in names}
        for graph_name in names:
            parsed = dataset.graph(URIRef(graph_name.value))
            assert isomorphic(parsed, _graph_of(store, graph_name)), graph_name  # type: ignore[arg-type]
    else:
        parsed = Graph().parse(data=path.read_bytes(), format=RDFLIB_FORMAT[name])
        assert isomorphic(parsed, _graph_of(store, None))


def test_same_input_same_bytes(built: Path, tmp_path: Path) -> None:
    # Built again in another process: blank nodes, hash seeds and dict order all differ.
    dakg = str(Path(sys.executable).parent / "dakg")
    subprocess.run([dakg, "--data-dir", str(tmp_path), "build"], check=True,
                   capture_output=True, timeout=120)
    first, again = current_build(built), current_build(tmp_path)
    assert again.name == first.name
    for name in sorted(p.name for p in (first / "dumps").iterdir()):
        assert (first / "dumps" / name).read_bytes() == (again / "dumps" / name).read_bytes()


def test_a_failed_build_leaves_the_previous_one(tmp_path: Path, source: Source) -> None:
    good = build(tmp_path / "data")
    bad = write_source(tmp_path, source, damage(source, "\t建议7*\n", "\t建 议7*\n"))
    with pytest.raises(SourceError):
        build(tmp_path / "data", manifest=bad)
    assert current_build(tmp_path / "data") == good.path
    leftovers = [p.name for p in (tmp_path / "data").iterdir() if p.name.startswith(".build")]
    assert leftovers == []
    assert len(list(open_store(tmp_path / "data").quads_for_pattern(None, None, None))) > 30000


def test_a_build_failing_after_its_store_is_written_leaves_the_previous_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = build(tmp_path)

    def disk_full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("dakg.graph.build.write_dumps", disk_full)
    with pytest.raises(OSError, match="No space left"):
        build(tmp_path, base_iri="http://localhost:8000/")  # a new store is written first
    assert current_build(tmp_path) == good.path
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".build")]
    assert [p.name for p in (tmp_path / "builds").iterdir()] == [good.version]


def test_another_base_moves_every_iri(tmp_path: Path) -> None:
    base = "http://localhost:8000/"
    result = build(tmp_path, base_iri=base)
    store = open_store(tmp_path)
    names = {q.graph_name.value for q in store if isinstance(q.graph_name, ox.NamedNode)}
    assert names == {f"{base}id/graph/ontology", f"{base}id/graph/reference",
                     f"{base}id/graph/report/CDIP/35/2"}
    assert not any("w3id.org/dakg" in str(q) for q in store)
    assert "@prefix dakg: <http://localhost:8000/def/>" in (
        result.path / "dumps" / "dakg.ttl").read_text()
