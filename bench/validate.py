"""Benchmark: validating one report of a series build, pySHACL against the compiled SPARQL
validator (``dakg.graph.shacl_sparql``), on the bundled report as a build's job sees it.

Run: ``python bench/validate.py [--repeat 3]``

Times are the median of ``--repeat`` runs, the two validators taking turns, as wall-clock and
as this process's CPU time (the machine is shared: CPU time and ratios measured in the same
run mean more than wall-clock time). pySHACL's row is what a job did
before (``validate`` and the focus nodes for ``validation.ttl``); the compiled validator's
includes loading the report into its store. Peak RSS is measured in a child process per
validator: the peak while it validates (the kernel's high-water mark, reset once the data is
ready), and how far that is above what the process held before.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

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


def memory_mb(field: str) -> float:
    status = Path("/proc/self/status").read_text()
    return int(re.findall(rf"^{field}:\s+(\d+) kB", status, re.M)[0]) / 1024


def child(name: str) -> None:
    """Run one validator once; print the peak RSS while it ran, and the RSS before."""
    run = prepared()[name]
    before = memory_mb("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to the current RSS
    run()
    print(memory_mb("VmHWM"), before)


def child_peak(name: str) -> tuple[float, float]:
    done = subprocess.run([sys.executable, __file__, "--child", name], check=True,
                          capture_output=True, text=True)
    peak, before = done.stdout.split()[-2:]
    return float(peak), float(before)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    runs = prepared()
    wall: dict[str, list[float]] = {name: [] for name in runs}
    cpu: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(args.repeat):
        for name, run in runs.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            run()
            wall[name].append(time.perf_counter() - start)
            cpu[name].append(time.process_time() - start_cpu)
    print(f"one report (bundled), median of {args.repeat}")
    print("| validator | wall s | CPU s | speed-up (CPU) | peak RSS MB while validating "
          "(above before) |")
    print("|---|---:|---:|---:|---:|")
    reference = statistics.median(cpu["pySHACL"])
    for name in runs:
        peak, before = child_peak(name)
        used = statistics.median(cpu[name])
        print(f"| {name} | {statistics.median(wall[name]):.3f} | {used:.3f} | "
              f"{reference / used:.1f}x | {peak:.0f} (+{peak - before:.0f}) |")


if __name__ == "__main__":
    main()
