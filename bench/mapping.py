"""Benchmark: what a build's job pays per report to map it and write its N-Quads, before and
after the mapping went through plain triples, measured in the same run.

Run: ``python bench/mapping.py [--runs 3] [--base-iri IRI ...]`` (both bases by default: the
default one, and another, which makes the old path copy every graph onto it)

Both paths start from the extracted bundled report, in a fresh process each (spawned, as a
build's workers are) that has first loaded what a worker holds (curated data, its graphs,
the shapes), and end with the same N-Quads (checked) and the Oxigraph quads the validator
reads (``shacl_sparql``):

- ``graph`` (until 2026-11-30): map into an rdflib ``Graph``, move the shared statements into
  a second one, copy both onto the base IRI (``rebase``), convert every term to an Oxigraph
  quad (``to_quads``) and serialise those;
- ``triples`` (now): map into ``Triples``, part them, write the N-Quads straight from them
  (``store.nquads``) and parse those into quads for the validator (timed apart: the old path
  had them on the way). A build's job no longer parses them: it hands the N-Quads to the
  validator's store as they are (``bench/job.py`` times the job as it is now).

Times are CPU seconds of the process (others sharing the machine inflate them less than wall
time), and "settled" adds a full collection of the garbage the path leaves (``triples``
pauses the cyclic collector while it maps, so part of its collecting comes after; the graph
path leaves more cyclic garbage, rdflib graphs). Peak RSS is the process's own, setup
included. Target (issue 7): mapping, rebasing and N-Quads at least 3x cheaper.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import resource
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context

import pyoxigraph as ox
from rdflib import RDF, Graph, URIRef

from dakg import __version__
from dakg.graph.build import Extraction, extract
from dakg.graph.rdf import dataset, iris
from dakg.graph.rdf.dataset import NamedGraph, new_graph, rebase, shapes_graph
from dakg.graph.rdf.namespaces import DAKG, DEFAULT_BASE
from dakg.graph.rdf.report import ReportMapper
from dakg.graph.report_job import _context
from dakg.graph.store import nquads, to_quads

TARGET_RATIO = 3.0
OTHER_BASE = "http://localhost:8000/"


@dataclass(frozen=True)
class Measure:
    seconds: float  # CPU, the whole path
    parse: float  # CPU, of which parsing the N-Quads for the validator (triples path only)
    settle: float  # CPU, a full collection right after (the garbage each path leaves)
    setup_rss_mb: float  # peak RSS once set up as a worker
    peak_rss_mb: float  # and after the path
    nquads: str  # SHA-256 of the sorted lines (the graph path's order is its store's)


def graph_path(extraction: Extraction, base: str) -> tuple[bytes, float]:
    """The job's mapping and N-Quads as they were at 9fc99be (``map_report`` restated)."""
    report, reference = extraction.report, extraction.reference
    mapped = new_graph()
    ReportMapper(report, extraction.source.text, mapped, sector_of=_sector_of(extraction),
                 body_names=dataset._body_names(reference),
                 entity_names={iris.entity(e.kind, e.key): (e.name_zh, e.name_en)
                               for e in reference.named_entities()},
                 software_version=__version__).map()
    said = _split_shared(mapped, report.symbol)
    graphs = rebase([NamedGraph(iris.graph_report(report.symbol), mapped),
                     NamedGraph(iris.graph_shared(), said)], base)
    quads = to_quads((g.name, s, p, o) for g in graphs for s, p, o in g.graph)
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"", 0.0


def _split_shared(mapped: Graph, symbol: str) -> Graph:
    report = iris.document(symbol)
    own = (f"{report}/", f"{report}#")
    metadata = {iris.graph_report(symbol), iris.extraction(symbol)}
    moved = []
    for s, p, o in mapped:
        if not isinstance(s, URIRef) or s in metadata or str(s).startswith(own):
            continue
        if s == report and not (p in dataset._DOCUMENT_DESCRIPTION
                                and (p != RDF.type or o == DAKG.Document)):
            continue
        moved.append((s, p, o))
    said = new_graph()
    for triple in moved:
        mapped.remove(triple)
        said.add(triple)
    return said


def triples_path(extraction: Extraction, base: str) -> tuple[bytes, float]:
    """The job's mapping and N-Quads now (``report_job.run``)."""
    mapped = dataset.map_report(extraction.report, extraction.source.text,
                                extraction.reference, __version__)
    data = nquads(mapped.quads(), base)
    started = time.process_time()
    list(ox.parse(data, format=ox.RdfFormat.N_QUADS))
    return data, time.process_time() - started


PATHS: dict[str, Callable[[Extraction, str], tuple[bytes, float]]] = {
    "graph": graph_path, "triples": triples_path}


def _sector_of(extraction: Extraction) -> Callable[[str], URIRef]:
    def sector_of(name_zh: str) -> URIRef:
        sector = extraction.reference.sector_named(name_zh)
        assert sector is not None
        return iris.sector(sector.key)
    return sector_of


def measure(path: str, base: str) -> Measure:
    """In a fresh process: set up as a worker does, then run ``path`` once."""
    _context(None)
    shapes_graph()
    extraction = extract()
    gc.collect()
    setup_rss = _peak_rss_mb()
    started = time.process_time()
    data, parse = PATHS[path](extraction, base)
    seconds = time.process_time() - started
    gc.collect()
    settle = time.process_time() - started - seconds
    return Measure(seconds, parse, settle, setup_rss, _peak_rss_mb(),
                   hashlib.sha256(b"\n".join(sorted(data.splitlines()))).hexdigest())


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _median(measures: list[Measure], value: Callable[[Measure], float]) -> float:
    return statistics.median(value(m) for m in measures)


def compare(base: str, runs: int) -> bool:
    """Measure both paths ``runs`` times in turn; print the figures; say whether the target
    is met and the N-Quads are the same."""
    results: dict[str, list[Measure]] = {path: [] for path in PATHS}
    for run in range(runs):  # alternating, so that a busy spell hits both paths
        for path in (list(PATHS) if run % 2 == 0 else list(reversed(PATHS))):
            with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
                results[path].append(pool.submit(measure, path, base).result())
    print(f"base {base}: one report, CPU seconds, median of {runs} runs")
    for path, ms in results.items():
        parse = _median(ms, lambda m: m.parse)
        print(f"  {path:<8} {_median(ms, lambda m: m.seconds):5.2f} s "
              f"(settled {_median(ms, lambda m: m.seconds + m.settle):5.2f})"
              + (f", of which parsing for the validator {parse:4.2f}" if parse else "")
              + f"   peak RSS {_median(ms, lambda m: m.peak_rss_mb):4.0f} MB "
              f"(set up {_median(ms, lambda m: m.setup_rss_mb):3.0f})")
    old, new = results["graph"], results["triples"]
    ratios = {
        "mapping + N-Quads": _median(old, lambda m: m.seconds)
        / _median(new, lambda m: m.seconds - m.parse),
        "with the validator's quads": _median(old, lambda m: m.seconds)
        / _median(new, lambda m: m.seconds),
        "settled": _median(old, lambda m: m.seconds + m.settle)
        / _median(new, lambda m: m.seconds + m.settle),
    }
    print("  graph/triples: " + ", ".join(f"{k} {v:.1f}x" for k, v in ratios.items())
          + f" (target: mapping + N-Quads >= {TARGET_RATIO:.0f}x)")
    same = len({m.nquads for ms in results.values() for m in ms}) == 1
    print(f"  same N-Quads: {'yes' if same else 'NO'}")
    return same and ratios["mapping + N-Quads"] >= TARGET_RATIO


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--base-iri", action="append", dest="bases",
                        help=f"repeat for several [default: {DEFAULT_BASE} and {OTHER_BASE}]")
    args = parser.parse_args()
    met = [compare(base, args.runs) for base in args.bases or [DEFAULT_BASE, OTHER_BASE]]
    return 0 if all(met) else 1


if __name__ == "__main__":
    raise SystemExit(main())
