"""The pipeline: report text → records → RDF → SHACL → store and dumps, all or nothing."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from .dumps import CHECKSUMS, DUMP_NAME, FORMATS, sorted_quads, write_dumps
from .errors import BuildError
from .extract.gazetteer import Gazetteer
from .extract.mentions import MentionFinder
from .extract.report import parse_report
from .extract.sessions import SessionFinder
from .rdf.dataset import NamedGraph, map_dataset, rebase, shapes_graph, triples, union
from .rdf.namespaces import DEFAULT_BASE, prefixes_for
from .records import Report
from .reference import Reference, cross_check, load_reference
from .source import Source, bundled_manifests, load_source, manifests_in
from .store import (
    BUILDS,
    DUMPS,
    MANIFEST,
    STORE,
    WORK_PREFIX,
    fill_store,
    locked,
    prune_builds,
    sweep_work_folders,
    switch_current,
    to_quads,
)
from .stores import Endpoints
from .stores.remote import RemoteStore
from .validate import Outcome, check
from .validation_report import keep_report


@dataclass(frozen=True)
class Extraction:
    source: Source
    reference: Reference
    report: Report


@dataclass(frozen=True)
class BuildResult:
    version: str
    path: Path
    graphs: dict[str, int]
    dumps: dict[str, str]
    validation: Outcome
    seconds: dict[str, float] = field(default_factory=dict)


def mention_finder(reference: Reference) -> MentionFinder:
    gazetteer: Gazetteer = reference.gazetteer()
    return MentionFinder(gazetteer, SessionFinder(reference.committee_names()))


def extract(manifest: Path | None = None, reference_path: Path | None = None, *,
            verify_hash: bool = True) -> Extraction:
    """Read the source and the curated data, extract the report, cross-check the two."""
    return extract_series([manifest] if manifest else [], reference_path,
                          verify_hash=verify_hash)[0]


def extract_series(manifests: Sequence[Path], reference_path: Path | None = None, *,
                   verify_hash: bool = True) -> list[Extraction]:
    """Extract each report (``manifests`` are files or folders of them; none means the
    bundled report) and cross-check the curated data against them all."""
    paths = manifest_paths(manifests)
    reference = load_reference(reference_path)
    finder = mention_finder(reference)
    extractions = []
    for path in paths:
        source = load_source(path, verify_hash=verify_hash)
        extractions.append(Extraction(source, reference, parse_report(source, finder)))
    _distinct_symbols(extractions)
    cross_check([(e.report, e.source) for e in extractions], reference)
    return extractions


def manifest_paths(manifests: Sequence[Path]) -> list[Path]:
    """The manifest files ``manifests`` name (files, or folders of them); none: the bundled
    report's."""
    return manifests_in(manifests) if manifests else bundled_manifests()[:1]


def _distinct_symbols(extractions: Sequence[Extraction]) -> None:
    seen: dict[str, str] = {}
    for e in extractions:
        if e.report.symbol in seen:
            raise BuildError(f"{e.source.name} and {seen[e.report.symbol]} are both the "
                             f"report {e.report.symbol}: build each report once")
        seen[e.report.symbol] = e.source.name


def map_extraction(*extractions: Extraction) -> list[NamedGraph]:
    from dakg import __version__

    return map_dataset([(e.report, e.source.text) for e in extractions],
                       extractions[0].reference, __version__)


def build(data_dir: Path, *, base_iri: str = DEFAULT_BASE, manifests: Sequence[Path] = (),
          reference_path: Path | None = None, store: Endpoints | None = None) -> BuildResult:
    """Build the graph of the reports ``manifests`` name (files, or folders of them; none
    means the bundled report) and make it the current store; nothing changes if any step
    fails.

    The data folder is made ready (and locked) before any work, so that an operator's mistake
    (a folder that cannot be written) is said at once, not after the extraction; so is a
    ``store`` server that cannot be read or written. With ``store``, that server is loaded
    too, before the local switch.
    """
    clock = _Clock()
    remote = RemoteStore(store) if store is not None else None
    if remote is not None:
        remote.check()
    with prepared(data_dir) as work:
        paths = manifest_paths(manifests)
        extractions = extract_series(paths, reference_path)
        clock.lap("extract")
        graphs = map_extraction(*extractions)
        clock.lap("map")
        data, shapes = union(graphs), shapes_graph()
        outcome = check(data, shapes)
        keep_report(work, outcome, data, shapes, base_iri)
        clock.lap("validate")
        graphs = rebase(graphs, base_iri)
        prefixes = prefixes_for(base_iri)
        version, counts, sums = _write(work, graphs, prefixes,
                                       _source_files(extractions, paths))
        clock.lap("store+dumps")
        _manifest(work, version, base_iri, extractions, counts, sums)
        final = data_dir / BUILDS / version
        final.parent.mkdir(exist_ok=True)
        if final.exists():
            shutil.rmtree(work)  # same content as an earlier build: reuse it
        else:
            os.replace(work, final)
        if remote is not None:
            remote.publish(final / DUMPS / f"{DUMP_NAME}.{FORMATS['nquads'].extension}", version)
            clock.lap("publish")
        switch_current(data_dir, final)
        prune_builds(data_dir)
    return BuildResult(version, final, counts, sums, outcome, clock.laps)


@contextlib.contextmanager
def prepared(data_dir: Path) -> Iterator[Path]:
    """Check that ``data_dir`` can hold a build, take its lock, sweep what killed builds
    left, and give a fresh work folder inside it (removed if the build fails)."""
    ready(data_dir)
    with locked(data_dir, on_error=lambda e: _unusable(data_dir, e)):
        sweep_work_folders(data_dir)  # under the lock: no other build is running
        try:
            work = Path(tempfile.mkdtemp(prefix=WORK_PREFIX, dir=data_dir))
            work.chmod(0o755)  # mkdtemp makes it private; the server may run as another user
        except OSError as e:
            raise _unusable(data_dir, e) from e
        try:
            yield work
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise


def ready(data_dir: Path) -> None:
    """Make ``data_dir`` if needed; ``BuildError`` naming the path and what to do if it
    cannot be a data folder (a file is in the way, or it or its parent is not writable)."""
    if data_dir.exists() and not data_dir.is_dir():
        raise BuildError(f"the data folder {data_dir} is a file, not a folder: move it away, "
                         "or choose another folder with --data-dir or DAKG_DATA_DIR")
    existing = next(p for p in data_dir.parents if p.exists() or p.is_symlink())
    if not existing.is_dir():
        raise BuildError(f"cannot make the data folder {data_dir}: {existing} is a file, not "
                         "a folder; choose another folder with --data-dir or DAKG_DATA_DIR")
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise BuildError(f"cannot make the data folder {data_dir}: {e.strerror} "
                         f"({e.filename}); make it yourself with the right owner, or choose "
                         "another folder with --data-dir or DAKG_DATA_DIR") from e
    for folder in (data_dir, data_dir / BUILDS):
        if folder.is_dir() and not os.access(folder, os.W_OK | os.X_OK):
            raise _unusable(folder, PermissionError(13, "Permission denied"))


def _source_files(extractions: Sequence[Extraction],
                  manifests: Sequence[Path]) -> dict[str, bytes]:
    """Each source text as read (valid UTF-8, so encoding gives its bytes back) and its
    manifest, to be published beside the dumps."""
    files: dict[str, bytes] = {}
    for extraction, path in zip(extractions, manifests, strict=True):
        for name, data in ((extraction.source.name, extraction.source.text.encode("utf-8")),
                           (path.name, path.read_bytes())):
            if files.get(name, data) != data:
                raise BuildError(f"two sources publish a file named {name}; rename one")
            files[name] = data
    return files


def _write(work: Path, graphs: list[NamedGraph], prefixes: dict[str, str],
           sources: dict[str, bytes]) -> tuple[str, dict[str, int], dict[str, str]]:
    # The dumps are written from the same quads as the store: the mapping writes literals in
    # the canonical forms Oxigraph stores (xsd:integer, not xsd:positiveInteger), and a test
    # parses every dump back and compares it with the store.
    quads = sorted_quads(to_quads(triples(graphs)))
    fill_store(work / STORE, quads)
    sums = write_dumps(quads, work / DUMPS, prefixes, sources)
    # The version names everything published: the checksums of the N-Quads dump (the data),
    # of the other files and of the source text beside them.
    version = hashlib.sha256((work / DUMPS / CHECKSUMS).read_bytes()).hexdigest()[:16]
    counts: dict[str, int] = {}
    for quad in quads:
        name = str(quad.graph_name.value) if isinstance(quad.graph_name, ox.NamedNode) else ""
        counts[name] = counts.get(name, 0) + 1
    return version, counts, sums


def _manifest(work: Path, version: str, base_iri: str, extractions: Sequence[Extraction],
              counts: dict[str, int], sums: dict[str, str]) -> None:
    from dakg import __version__

    manifest = {
        "version": version,
        "built": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "dakg": __version__,
        "base_iri": base_iri,
        "sources": [{"symbol": e.source.manifest.symbol, "file": e.source.name,
                     "sha256": e.source.manifest.sha256} for e in extractions],
        "graphs": counts,
        "dumps": {name: {"sha256": digest} for name, digest in sums.items()},
        "dump_name": DUMP_NAME,
    }
    (work / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")


def _unusable(data_dir: Path, error: OSError) -> BuildError:
    return BuildError(f"cannot write in the data folder {data_dir}: {error.strerror}; give "
                      f"the user running dakg write access (chown or chmod {data_dir}), or "
                      "choose another folder with --data-dir or DAKG_DATA_DIR")


class _Clock:
    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(now - self._last, 3)
        self._last = now
