"""Benchmark: validating one report of a series build, pySHACL against the compiled SPARQL
validator (``dakg.graph.shacl_sparql``), on the bundled report as a build's job sees it.

Run: ``python bench/validate.py [--repeat 3]``

Times are the median of ``--repeat`` runs, the two validators taking turns (the machine is
shared: only ratios measured in the same run mean much). pySHACL's row is what a job did
before (``validate`` and the focus nodes for ``validation.ttl``); the compiled validator's
includes loading the report into its store. Peak RSS is measured in a child process per
validator (its own peak, less that of a child that only prepares the data).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

from rdflib.graph import ReadOnlyGraphAggregate

from dakg.graph.build import extract
from dakg.graph.rdf import dataset, iris
from dakg.graph.rdf.namespaces import DEFAULT_BASE
from dakg.graph.reference import load_reference
from dakg.graph.shacl_sparql import report_validator
from dakg.graph.store import to_quads
from dakg.graph.validate import validate
from dakg.graph.validation_report import focus_nodes


def prepared() -> dict[str, Callable[[], object]]:
    """The two validations of the bundled report, ready to run."""
    extraction = extract()
    reference = load_reference(None)
    fixed = dataset.curated_documents(reference)
    for named in dataset.fixed_graphs(reference):
        fixed += named.graph
    named, said = dataset.map_report(extraction.report, extraction.source.text, reference,
                                     "bench")
    shapes = dataset.shapes_graph()
    data = ReadOnlyGraphAggregate([fixed, said, named.graph])
    quads = to_quads((g, s, p, o) for g, graph in ((named.name, named.graph),
                                                   (iris.graph_shared(), said))
                     for s, p, o in graph)
    validator = report_validator(fixed, shapes, DEFAULT_BASE)  # compiled once per process

    def by_pyshacl() -> object:
        return validate(data, shapes), focus_nodes(data, shapes)

    def compiled() -> object:
        return validator.validate(quads)

    return {"pySHACL": by_pyshacl, "compiled SPARQL": compiled}


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(name: str) -> None:
    """Run one validator (or none: ``prepare``) once and print this process's peak RSS."""
    runs = prepared()
    if name != "prepare":
        runs[name]()
    print(peak_mb())


def child_peak(name: str) -> float:
    done = subprocess.run([sys.executable, __file__, "--child", name], check=True,
                          capture_output=True, text=True)
    return float(done.stdout.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    runs = prepared()
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(args.repeat):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    base = child_peak("prepare")
    medians = {name: statistics.median(t) for name, t in times.items()}
    reference = medians["pySHACL"]
    print(f"one report (bundled), median of {args.repeat}")
    print("| validator | s per report | speed-up | peak RSS MB (over the data's) |")
    print("|---|---:|---:|---:|")
    for name, median in medians.items():
        peak = child_peak(name)
        print(f"| {name} | {median:.3f} | {reference / median:.1f}x | "
              f"{peak:.0f} (+{peak - base:.0f}) |")


if __name__ == "__main__":
    main()
