"""Builds: the store, the dumps and their checksums, determinism, atomicity."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from dakg.graph.build import Extraction, build, prepared
from dakg.graph.dumps import CHECKSUMS, FORMATS
from dakg.graph.errors import SourceError
from dakg.graph.source import Source
from dakg.graph.store import current_build, open_store

from .conftest import damage, write_source
from .helpers import DAKG, run_dakg

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
    assert manifest["sources"][0]["sha256"] == (
        "3a3b3d09893249fa6088e8c5ecb72d7f0cd068e385c957682ab2b23cf6939fbb")
    assert set(manifest["graphs"]) == {
        "https://w3id.org/dakg/id/graph/ontology", "https://w3id.org/dakg/id/graph/reference",
        "https://w3id.org/dakg/id/graph/shared", "https://w3id.org/dakg/id/graph/report/CDIP/35/2"}


def test_checksums_match_the_dumps(built: Path) -> None:
    dumps = current_build(built) / "dumps"
    lines = (dumps / CHECKSUMS).read_text().splitlines()
    names = {line.split("  ")[1] for line in lines}
    dumps_ = {f"dakg.{fmt.extension}.gz" for fmt in FORMATS.values()}
    graphs = {"graph-ontology.ttl.gz", "graph-reference.ttl.gz", "graph-shared.ttl.gz",
              "graph-report-CDIP-35-2.ttl.gz"}
    assert names == dumps_ | graphs | {"cdip_35_2_zh.txt", "cdip_35_2_zh.toml"}
    for line in lines:
        digest, name = line.split("  ")
        assert hashlib.sha256((dumps / name).read_bytes()).hexdigest() == digest


def test_one_turtle_file_per_named_graph_holds_that_graph(built: Path) -> None:
    import pyoxigraph as ox

    from dakg.graph.dumps import graph_dump_name

    store = ox.Store.read_only(str(current_build(built) / "store"))
    named = list(store.named_graphs())
    assert len(named) == 4  # ontology, reference, shared, the report
    for graph in named:
        path = current_build(built) / "dumps" / graph_dump_name(graph.value)
        in_file = {ox.Triple(q.subject, q.predicate, q.object)
                   for q in ox.parse(gzip.decompress(path.read_bytes()),
                                     format=ox.RdfFormat.TURTLE)}
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
    path = current_build(built) / "dumps" / f"dakg.{fmt.extension}.gz"
    data = gzip.decompress(path.read_bytes())
    store = open_store(built)
    if fmt.datasets:
        dataset = Dataset()
        dataset.parse(data=data, format=RDFLIB_FORMAT[name])
        names = {q.graph_name for q in store}
        assert {str(g.identifier) for g in dataset.graphs() if len(g)} == {n.value for n in names}
        for graph_name in names:
            parsed = dataset.graph(URIRef(graph_name.value))
            assert isomorphic(parsed, _graph_of(store, graph_name)), graph_name
    else:
        parsed = Graph().parse(data=data, format=RDFLIB_FORMAT[name])
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
        build(tmp_path / "data", manifests=[bad])
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
                     f"{base}id/graph/shared", f"{base}id/graph/report/CDIP/35/2"}
    assert not any("w3id.org/dakg" in str(q) for q in store)
    assert "@prefix dakg: <http://localhost:8000/def/>" in gzip.decompress(
        (result.path / "dumps" / "dakg.ttl.gz").read_bytes()).decode()


# -- the data folder: operator mistakes, killed builds, old builds -----------------------------

NOBODY = 65534  # root passes every permission check: an unwritable folder is tried as nobody


@pytest.fixture()
def shared_tmp() -> Iterator[Path]:
    """A temporary folder the unprivileged user can reach (pytest's are private to root)."""
    with tempfile.TemporaryDirectory(prefix="dakg-test-") as name:
        folder = Path(name)
        folder.chmod(0o755)
        yield folder


def _as_operator(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    """``dakg`` as an operator without special rights: as nobody when the tests run as root."""
    return run_dakg(*args, data_dir=data_dir, user=NOBODY if os.geteuid() == 0 else None)


def _one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def _damaged(folder: Path, source: Source) -> Path:
    """A source that fails at once: if its error is not what a build reports, the data folder
    was checked before any extraction."""
    return write_source(folder, source, damage(source, "\t建议7*\n", "\t建 议7*\n"))


def test_a_data_folder_that_is_a_file(shared_tmp: Path, source: Source) -> None:
    data_dir = shared_tmp / "var"
    data_dir.write_text("not a folder")
    result = run_dakg("build", "--source", str(_damaged(shared_tmp, source)), data_dir=data_dir)
    assert _one_line_error(result) == (
        f"Error: the data folder {data_dir} is a file, not a folder: move it away, or choose "
        "another folder with --data-dir or DAKG_DATA_DIR")


def test_a_data_folder_inside_a_file(shared_tmp: Path, source: Source) -> None:
    (shared_tmp / "file").write_text("")
    data_dir = shared_tmp / "file" / "var"
    result = run_dakg("build", "--source", str(_damaged(shared_tmp, source)), data_dir=data_dir)
    assert _one_line_error(result) == (
        f"Error: cannot make the data folder {data_dir}: {shared_tmp / 'file'} is a file, not "
        "a folder; choose another folder with --data-dir or DAKG_DATA_DIR")


def test_an_unwritable_data_folder(shared_tmp: Path, source: Source) -> None:
    data_dir = shared_tmp / "var"
    data_dir.mkdir(mode=0o555)
    data_dir.chmod(0o555)
    result = _as_operator("build", "--source", str(_damaged(shared_tmp, source)),
                          data_dir=data_dir)
    assert _one_line_error(result) == (
        f"Error: cannot write in the data folder {data_dir}: Permission denied; give the user "
        f"running dakg write access (chown or chmod {data_dir}), or choose another folder "
        "with --data-dir or DAKG_DATA_DIR")
    assert list(data_dir.iterdir()) == []


def test_an_unwritable_parent(shared_tmp: Path, source: Source) -> None:
    parent = shared_tmp / "readonly"
    parent.mkdir()
    parent.chmod(0o555)
    data_dir = parent / "var"
    result = _as_operator("build", "--source", str(_damaged(shared_tmp, source)),
                          data_dir=data_dir)
    assert _one_line_error(result) == (
        f"Error: cannot make the data folder {data_dir}: Permission denied ({data_dir}); make "
        "it yourself with the right owner, or choose another folder with --data-dir or "
        "DAKG_DATA_DIR")


def test_a_build_sweeps_what_killed_builds_left(built: Path, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(built, data_dir, symlinks=True)
    # A build killed while it works leaves its work folder.
    killed = subprocess.Popen([DAKG, "--data-dir", str(data_dir), "build"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not list(data_dir.glob(".build-*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    killed.kill()
    killed.wait()
    assert len(list(data_dir.glob(".build-*"))) == 1
    (data_dir / ".build-killed2" / "store").mkdir(parents=True)
    (data_dir / ".build-killed2" / "store" / "000001.sst").write_bytes(b"x" * 1000)
    (data_dir / ".current.4242").symlink_to("builds/gone")  # killed between its two renames
    with prepared(data_dir) as work:  # what every build starts with
        assert sorted(p.name for p in data_dir.glob(".*") if p.name != ".lock") == [work.name]
        work.rmdir()


def _fake_build(data_dir: Path, version: str, day: int) -> None:
    """An older build of 1 MiB, written on ``day`` January 2026."""
    folder = data_dir / "builds" / version
    (folder / "store").mkdir(parents=True)
    (folder / "store" / "data").write_bytes(b"x" * 2**20)
    when = dt.datetime(2026, 1, day, tzinfo=dt.UTC).timestamp()
    os.utime(folder, (when, when))


def test_builds_list_and_prune(built: Path, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(built, data_dir, symlinks=True)
    current = current_build(data_dir)
    os.utime(current, None)
    _fake_build(data_dir, "0000000000000001", 1)
    _fake_build(data_dir, "0000000000000002", 2)
    listed = run_dakg("builds", "list", data_dir=data_dir).stdout.splitlines()
    assert [line.split()[:2] for line in listed] == [
        ["*", current.name], ["0000000000000002", "2026-01-02T00:00:00+00:00"],
        ["0000000000000001", "2026-01-01T00:00:00+00:00"]]
    assert listed[1].split()[2:] == ["1.0", "MiB", str(data_dir / "builds" / "0000000000000002")]
    (data_dir / ".build-killed").mkdir()
    pruned = run_dakg("builds", "prune", "--keep", "2", data_dir=data_dir)
    assert pruned.stdout == "deleted 1 build(s), 1.0 MiB; kept 2\n"
    assert sorted(p.name for p in (data_dir / "builds").iterdir()) == sorted(
        [current.name, "0000000000000002"])
    assert not (data_dir / ".build-killed").exists()
    run_dakg("builds", "prune", "--keep", "1", data_dir=data_dir)
    assert [p.name for p in (data_dir / "builds").iterdir()] == [current.name]
    refused = run_dakg("builds", "prune", "--keep", "0", data_dir=data_dir)
    assert refused.returncode == 2 and "0 is not in the range x>=1" in refused.stderr



def test_ctrl_c_leaves_the_previous_build_served_and_valid(built: Path, tmp_path: Path,
                                                             extraction: Extraction) -> None:
    """A build of a series stopped by SIGINT (Ctrl-C) after its first report: it exits with
    an error, leaves no work folder, and the current build is the one before, whole."""
    from dakg.graph.rdf.dataset import shapes_graph
    from dakg.graph.synth import template, variant
    from dakg.graph.validate_store import fixed_graph_names, validate_store

    data_dir = tmp_path / "data"
    shutil.copytree(built, data_dir, symlinks=True)
    before = current_build(data_dir)
    base = template(extraction.source, extraction.report, extraction.reference.immediate)
    for index in range(4):
        variant(base, 5, index).write(tmp_path / "sources")
    process = subprocess.Popen([DAKG, "--data-dir", str(data_dir), "build", "--source",
                                str(tmp_path / "sources")], stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    line = process.stderr.readline()
    assert line.startswith("report 1 of 4: "), line  # not a terminal: plain lines
    process.send_signal(signal.SIGINT)
    rest = process.communicate(timeout=120)[1]
    assert process.returncode != 0, rest
    assert "report 4 of 4" not in rest
    assert current_build(data_dir) == before
    assert [p.name for p in data_dir.iterdir() if p.name.startswith(".build")] == []
    assert [p.name for p in (data_dir / "builds").iterdir()] == [before.name]
    outcome = validate_store(open_store(data_dir), shapes_graph(),
                             fixed_graph_names("https://w3id.org/dakg/"))
    assert outcome.violations == ()
