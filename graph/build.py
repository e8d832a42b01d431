"""The pipeline: report text → records → RDF → SHACL → store and dumps, all or nothing."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import filecmp
import hashlib
import json
import multiprocessing
import os
import shutil
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from dakg import search_index

from .dumps import CHECKSUMS, DUMP_NAME, FORMATS, dump_name, write_dumps
from .errors import BuildError, ValidationFailed
from .extract.report import parse_report
from .rdf import iris
from .rdf.dataset import (
    NamedGraph,
    fixed_graphs,
    map_dataset,
    rebase,
    rebase_graph,
    shapes_graph,
    shared_metadata,
)
from .rdf.namespaces import DEFAULT_BASE, prefixes_for, rebased_iri
from .records import Report
from .reference import (
    Findings,
    Reference,
    SeriesFindings,
    check_series,
    cross_check,
    load_reference,
)
from .report_job import ReportJob, ReportPart, ignore_interrupts, mention_finder
from .report_job import run_and_write as run_job
from .source import Source, bundled_manifests, load_source, manifests_in
from .stats import FIGURES_FILE, write_figures
from .store import (
    BUILDS,
    DUMPS,
    MANIFEST,
    STORE,
    WORK_PREFIX,
    locked,
    prune_builds,
    sweep_work_folders,
    switch_current,
    to_quads,
)
from .stores import Endpoints
from .stores.remote import RemoteStore
from .validate import Outcome, merged
from .validate_store import check_store
from .validation_report import keep_report, shape_count

__all__ = ["BuildResult", "Extraction", "Progress", "build", "extract", "extract_series",
           "manifest_paths", "map_extraction", "mention_finder", "prepared", "ready"]


@dataclass(frozen=True)
class Extraction:
    source: Source
    reference: Reference
    report: Report


@dataclass(frozen=True)
class Progress:
    """Where a build is: ``done`` of ``total`` reports loaded, ``triples`` in the store."""

    done: int
    total: int
    symbol: str  # the report just loaded
    triples: int
    seconds: float  # since the build started


@dataclass(frozen=True)
class BuildResult:
    version: str
    path: Path
    graphs: dict[str, int]
    dumps: dict[str, str]
    validation: Outcome
    seconds: dict[str, float] = field(default_factory=dict)


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
          reference_path: Path | None = None, store: Endpoints | None = None,
          progress: Callable[[Progress], None] | None = None,
          workers: int | None = None) -> BuildResult:
    """Build the graph of the reports ``manifests`` name (files, or folders of them; none
    means the bundled report) and make it the current store; nothing changes if any step
    fails.

    Report by report (in ``workers`` processes, one per core by default, when there are
    several), each is extracted, mapped, validated and bulk-loaded into a fresh store; the
    checks that need every report run on that store, and the dumps are written from it. No
    step holds more than one report in memory. ``progress`` hears of each report loaded.
    (The workers are spawned: a script that builds several reports needs the usual ``if
    __name__ == "__main__":`` guard.)

    The data folder is made ready (and locked) before any work, so that an operator's mistake
    (a folder that cannot be written) is said at once, not after the extraction; so is a
    ``store`` server that cannot be read or written. With ``store``, that server is loaded
    too, before the local switch.
    """
    from dakg import __version__

    clock = _Clock()
    remote = RemoteStore(store) if store is not None else None
    if remote is not None:
        remote.check()
    with prepared(data_dir) as work, contextlib.ExitStack() as stack:
        paths = manifest_paths(manifests)
        pieces = work / PIECES  # each report's share of the dumps, written by its job
        pieces.mkdir()
        jobs = [ReportJob(path, reference_path, base_iri, __version__, pieces=pieces)
                for path in paths]
        loaded, outcome, sums, counts = _fill(work, jobs, reference_path, base_iri,
                                              progress, workers, clock, stack)
        # The version names everything published: the checksums of the N-Quads dump (the
        # data), of the other files and of the source text beside them.
        version = hashlib.sha256((work / DUMPS / CHECKSUMS).read_bytes()).hexdigest()[:16]
        _manifest(work, version, base_iri, loaded.sources, counts, sums)
        final = data_dir / BUILDS / version
        final.parent.mkdir(exist_ok=True)
        if final.exists():
            shutil.rmtree(work)  # same content as an earlier build: reuse it
        else:
            os.replace(work, final)
        if remote is not None:
            remote.publish(final / DUMPS / dump_name(FORMATS["nquads"]), version)
            clock.lap("publish")
        switch_current(data_dir, final)
        prune_builds(data_dir)
    return BuildResult(version, final, counts, sums, outcome, clock.laps)


def _fill(work: Path, jobs: Sequence[ReportJob], reference_path: Path | None, base_iri: str,
          progress: Callable[[Progress], None] | None, workers: int | None, clock: _Clock,
          stack: contextlib.ExitStack) -> tuple[_Loaded, Outcome, dict[str, str],
                                                 dict[str, int]]:
    """Load, check and dump the reports into the work folder's store, index and dumps.

    The store lives in this function's frame only: when a step fails, ``prepared`` clears
    the error's frames, which closes the store (and stops RocksDB's threads) before the work
    folder is removed."""
    oxigraph = ox.Store(str(work / STORE))
    index = stack.enter_context(
        search_index.IndexWriter(work / search_index.BUILD_FILE, base_iri + "def/"))
    with _Loader(oxigraph) as loader:
        loaded = _load(loader, jobs, load_reference(reference_path), base_iri,
                       progress or (lambda _: None), workers, clock, index)
    clock.lap("reports")
    indexed = stack.enter_context(_finished_meanwhile(index))
    shapes = shapes_graph()
    outcome = merged([loaded.outcome, check_store(
        oxigraph, rebase_graph(shapes, base_iri),
        rebased_iri(str(iris.graph_shared()), base_iri))])
    if outcome.violations:
        raise ValidationFailed(outcome.text(), len(outcome.violations))
    keep_report(work, outcome, (shape_count(shapes), loaded.focus_nodes), base_iri)
    clock.lap("validate")
    write_figures(oxigraph, work / FIGURES_FILE, base_iri)
    clock.lap("figures")
    sums, counts = write_dumps(oxigraph, work / DUMPS, prefixes_for(base_iri), loaded.files,
                               [p.pieces for p in loaded.sources if p.pieces is not None])
    shutil.rmtree(work / PIECES)
    clock.lap("dumps")
    indexed.result()
    clock.lap("index")  # what is left of it once the dumps are written
    oxigraph.flush()
    return loaded, outcome, sums, counts  # and the store is closed before its folder moves


@contextlib.contextmanager
def _finished_meanwhile(index: search_index.IndexWriter) -> Iterator[
        Future[search_index.SearchIndex]]:
    """``index.finish()`` on a thread of its own, while the build checks the store and writes
    the dumps: SQLite lets go of the GIL, and the jobs have already folded its texts, so it
    takes the core the build's process leaves idle (at 1,000 reports it took 136 s after the
    dumps, one core idle). If the build fails meanwhile, it is stopped."""
    with ThreadPoolExecutor(1, thread_name_prefix="dakg-index") as thread:
        finishing = thread.submit(index.finish, threads=2)
        try:
            yield finishing
        except BaseException:
            index.interrupt()
            raise


PIECES = ".pieces"  # in the work folder, until the dumps are written
_NO_FINDINGS = Findings(frozenset(), frozenset(), frozenset(), frozenset())


@dataclass
class _Loaded:
    """What a build keeps of its reports once they are in the store."""

    outcome: Outcome
    sources: list[ReportPart]  # without their N-Quads
    files: dict[str, Path]  # to publish beside the dumps: each text and its manifest
    focus_nodes: int  # distinct nodes the shapes checked, over all reports


class _Loader:
    """Reports' N-Quads bulk-loaded into a store on a thread of its own.

    RocksDB's bulk load lets go of the GIL: while one report loads, the build takes in the
    next (unpickles it, adds its index rows) and the jobs go on. One report loads at a time
    and at most one more waits, so memory stays a few reports' worth. (Four reports in one
    load cost less CPU, 0.32 s a report against 0.43 one by one, but the loader's buffers
    grow with what it loads: a 20-report build peaked at 490 MB so, and at 195 MB.)"""

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="dakg-load")
        self._loading: Future[None] | None = None

    def __enter__(self) -> _Loader:
        return self

    def __exit__(self, error: type[BaseException] | None, *rest: object) -> None:
        try:
            if error is None:
                self.finish()
            else:  # the build's own error is the one to tell: a load's would hide it
                with contextlib.suppress(Exception):
                    self.finish()
        finally:
            self._thread.shutdown(wait=True, cancel_futures=True)

    def load(self, nquads: bytes) -> None:
        """Start loading ``nquads`` once the previous report is in."""
        self.finish()
        self._loading = self._thread.submit(self.store.bulk_load, nquads, ox.RdfFormat.N_QUADS)

    def finish(self) -> None:
        """Return once every report given is in (raising what stopped a load)."""
        if self._loading is not None:
            loading, self._loading = self._loading, None
            loading.result()


def _load(loader: _Loader, jobs: Sequence[ReportJob], reference: Reference, base_iri: str,
          progress: Callable[[Progress], None], workers: int | None,
          clock: _Clock, index: search_index.IndexWriter) -> _Loaded:
    """Load the fixed graphs and every report into ``loader``'s store and ``index``;
    cross-check the series."""
    store = loader.store
    _add(store, index, rebase(fixed_graphs(reference), base_iri))
    found = SeriesFindings()
    outcomes: list[Outcome] = []
    parts: list[ReportPart] = []
    files: dict[str, Path] = {}
    seen: dict[str, str] = {}  # symbol → source file
    shared_focus: set[str] = set()  # focus nodes every report may check: count them once
    triples = 0
    for part in _run(jobs, workers):
        if part.outcome.violations:
            raise ValidationFailed(part.outcome.text(), len(part.outcome.violations))
        if part.symbol in seen:
            raise BuildError(f"{part.source_name} and {seen[part.symbol]} are both the "
                             f"report {part.symbol}: build each report once")
        seen[part.symbol] = part.source_name
        found.add(part.findings)
        loader.load(part.nquads)
        index.add_staged(*part.index)
        triples += part.triples
        outcomes.append(part.outcome)
        shared_focus |= part.focus_shared
        # Only what build.json needs is kept: the rest of a report (its N-Quads above all)
        # must go with it, or memory would grow with every report.
        parts.append(dataclasses.replace(part, nquads=b"", findings=_NO_FINDINGS,
                                         focus_shared=frozenset(), index=((), ())))
        _publish(files, part.manifest.parent / part.source_name, part.manifest)
        progress(Progress(len(parts), len(jobs), part.symbol, triples, clock.elapsed()))
    check_series(found, reference)
    metadata = shared_metadata([iris.graph_report(p.symbol) for p in parts])
    loader.finish()
    _add(store, index, rebase([NamedGraph(iris.graph_shared(), metadata)], base_iri))
    focus = sum(p.focus_own for p in parts) + len(shared_focus)
    return _Loaded(merged(outcomes), parts, files, focus)


def _add(store: ox.Store, index: search_index.IndexWriter, graphs: list[NamedGraph]) -> None:
    """Graphs the build makes itself (not a report's): into the store and the index."""
    quads = list(to_quads((g.name, s, p, o) for g in graphs for s, p, o in g.graph))
    store.bulk_extend(quads)
    index.add(*search_index.rows(quads, index.dakg))


def _run(jobs: Sequence[ReportJob], workers: int | None) -> Iterator[ReportPart]:
    """Run the jobs, in their order; several at a time in worker processes, at most two
    per worker waiting, so that memory stays a few reports' worth."""
    count = min(workers or os.cpu_count() or 1, len(jobs))
    if count <= 1:
        yield from map(run_job, jobs)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(count, mp_context=context,
                             initializer=ignore_interrupts) as pool:
        waiting: list[Future[ReportPart]] = []
        try:
            for job in jobs:
                waiting.append(pool.submit(run_job, job))
                if len(waiting) > 2 * count:
                    yield waiting.pop(0).result()
            while waiting:
                yield waiting.pop(0).result()
        finally:
            for future in waiting:
                future.cancel()


def _publish(files: dict[str, Path], *paths: Path) -> None:
    for path in paths:
        known = files.setdefault(path.name, path)
        if known != path and not filecmp.cmp(known, path, shallow=False):
            raise BuildError(f"two sources publish a file named {path.name}; rename one")


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
        except BaseException as error:
            # The error's frames hold the build's store open, and RocksDB's threads would
            # write a last file into the folder being removed (seen on a busy machine):
            # let go of them first, which closes the store.
            traceback.clear_frames(error.__traceback__)
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


def _manifest(work: Path, version: str, base_iri: str, sources: Sequence[ReportPart],
              counts: dict[str, int], sums: dict[str, str]) -> None:
    from dakg import __version__

    manifest = {
        "version": version,
        "built": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "dakg": __version__,
        "base_iri": base_iri,
        "sources": [{"symbol": p.symbol, "file": p.source_name, "sha256": p.source_sha256}
                    for p in sources],
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

        self._start = self._last

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(now - self._last, 3)
        self._last = now

    def elapsed(self) -> float:
        return time.perf_counter() - self._start
