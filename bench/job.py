"""Benchmark: the CPU a build's job spends on a report, step by step, and against an earlier
revision measured in the same run.

Run: ``python bench/job.py [--reports 6] [--baseline main] [--rounds 2]``

Reports are generated (``dakg.graph.synth``, seed 7, as ``bench/scale.py`` makes them) into a
temporary folder. Each measurement runs in a fresh process set up as a build's worker is (its
curated data, graphs and compiled shapes made by a first job, not counted), then runs a job
per report and times it with the process's CPU time (``time.process_time``): the machine is
shared, and CPU time, unlike wall time, does not count what other processes take.

- The steps: each step of ``report_job.run`` (as its ``_part`` does them) timed on its own,
  the cyclic collector paused as the job pauses it, then the work a worker does after it
  (``run_and_write``: a collection, the report graph's pieces of the dumps) and what
  crossing to the build's process costs (the part pickled and unpickled).
- Before and after: per report, ``run`` alone and the whole job as a build runs it
  (``run_and_write``), in this tree and in ``--baseline`` (a git revision, installed into a
  temporary folder), the two taking turns ``--rounds`` times so that a busy spell hits
  both. The median per job of each, and their ratios.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

# What the baseline's child imports too: only what every revision compared has.
from dakg import __version__
from dakg.graph.build import extract
from dakg.graph.rdf.namespaces import DEFAULT_BASE
from dakg.graph.report_job import ReportJob, run_and_write
from dakg.graph.report_job import run as run_job
from dakg.graph.synth import generate, template

HERE = Path(__file__).resolve().parent
SEED = 7  # of the generated reports, here and in bench/scale.py


def write_reports(folder: Path, count: int) -> list[Path]:
    """``count`` generated reports (text and manifest) in ``folder``: their manifests."""
    base = extract()
    made = template(base.source, base.report, base.reference.immediate)
    return [variant.write(folder) for variant in generate(made, SEED, count)]


def _jobs(manifests: list[Path], pieces: Path | None) -> Iterator[ReportJob]:
    for manifest in manifests:
        yield ReportJob(manifest, None, DEFAULT_BASE, __version__, pieces=pieces)


def whole_jobs(manifests: list[Path]) -> dict[str, list[float]]:
    """CPU seconds of each job as a build runs it (``job``), and of its ``run`` alone (the
    job without its pieces of the dumps), each report once in each way. The first job, which
    sets the worker up, is not counted."""
    seconds: dict[str, list[float]] = {"run": [], "job": []}
    with tempfile.TemporaryDirectory(prefix="dakg-job-") as pieces:
        for job in _jobs(manifests, Path(pieces)):
            for name, work in (("run", run_job), ("job", run_and_write)):
                started = time.process_time()
                work(job)
                seconds[name].append(time.process_time() - started)
    return {name: values[1:] for name, values in seconds.items()}


def steps(manifests: list[Path]) -> dict[str, list[float]]:
    """CPU seconds of each step of each job (the first job not counted)."""
    first, *rest = list(_jobs(manifests, None))
    run_job(first)
    times: dict[str, list[float]] = {}
    for job in rest:
        for name, seconds in _timed_steps(job):
            times.setdefault(name, []).append(seconds)
    return times


def _timed_steps(job: ReportJob) -> Iterator[tuple[str, float]]:
    """``report_job._part``, step by step."""
    from dakg.graph.dump_pieces import report_pieces
    from dakg.graph.extract.report import parse_report
    from dakg.graph.rdf import dataset, iris
    from dakg.graph.rdf.dataset import shapes_graph
    from dakg.graph.rdf.namespaces import prefixes_for, rebased_iri
    from dakg.graph.rdf.triples import collector_paused
    from dakg.graph.reference import check_report
    from dakg.graph.report_job import _context, _freeze_what_stays, _shapes, _subjects
    from dakg.graph.shacl_sparql import node_text, report_validator
    from dakg.graph.source import load_source
    from dakg.graph.store import index_rows, nquads
    from dakg.search_index import staged

    clock = [time.process_time()]

    def lap() -> float:
        now = time.process_time()
        seconds, clock[0] = now - clock[0], now
        return seconds

    reference, finder, fixed = _context(job.reference)
    validator = report_validator(fixed, _shapes(shapes_graph), job.base_iri)
    _freeze_what_stays()
    lap()
    with collector_paused():
        source = load_source(job.manifest, verify_hash=job.verify_hash)
        report = parse_report(source, finder)
        yield "extraction (parse_report)", lap()
        check_report(report, source, reference)
        yield "cross-check (check_report)", lap()
        mapped = dataset.map_report(report, source.text, reference, job.software_version)
        yield "mapping (map_report)", lap()
        data = nquads(mapped.quads(), job.base_iri)
        yield "N-Quads (store.nquads)", lap()
        graphs = [rebased_iri(str(g), job.base_iri) for g in (mapped.name, iris.graph_shared())]
        store = validator.nquads_store(data, graphs)
        yield "validation: loading its store", lap()
        outcome = validator.outcome(store)
        yield "validation: the constraints", lap()
        focus = {node_text(node) for node in validator.focus_nodes(store)}
        yield "validation: the focus nodes", lap()
        own = _subjects(mapped.own, job.base_iri)
        yield "own nodes", lap()
        rows = index_rows(mapped.quads(), job.base_iri)
        yield "search index rows (index_rows)", lap()
        index = staged(*rows, job.base_iri + "def/")
        del rows
        yield "search index rows staged: folded, ranked (staged)", lap()
        del store, mapped, report, source, outcome, focus, own
        yield "freeing the job's objects", lap()
    gc.collect()
    yield "after the job: gc.collect (run_and_write)", lap()
    with tempfile.TemporaryDirectory(prefix="dakg-job-") as pieces, collector_paused():
        report_pieces(data, graphs[0], prefixes_for(job.base_iri), Path(pieces))
        yield "after the job: its pieces of the dumps (run_and_write)", lap()
    pickle.loads(pickle.dumps((data, index), protocol=pickle.HIGHEST_PROTOCOL))
    yield "to the build's process: pickle + unpickle", lap()


def child(mode: str, manifests: list[Path]) -> None:
    result = steps(manifests) if mode == "steps" else whole_jobs(manifests)
    print(json.dumps(result))


def run_child(mode: str, manifests: list[Path], pythonpath: Path | None) -> dict[str, list[float]]:
    env = dict(os.environ)
    if pythonpath is not None:  # the baseline's code before this tree's (installed editable)
        env["PYTHONPATH"] = str(pythonpath)
    done = subprocess.run([sys.executable, __file__, "--child", mode, *map(str, manifests)],
                          check=True, capture_output=True, text=True, env=env)
    result: dict[str, list[float]] = json.loads(done.stdout.splitlines()[-1])
    return result


def install(revision: str, folder: Path) -> Path:
    """Install the tree of ``revision`` (without dependencies) into ``folder``; its path."""
    tree, target = folder / "tree", folder / "site"
    tree.mkdir()
    archive = subprocess.run(["git", "-C", str(HERE.parent), "archive", revision],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--target", str(target), str(tree)], check=True, capture_output=True)
    return target


def print_steps(times: dict[str, list[float]]) -> None:
    medians = {name: statistics.median(values) for name, values in times.items()}
    total = sum(medians.values())
    print(f"Steps of a job, CPU seconds, median over {len(next(iter(times.values())))} "
          "reports:\n")
    print("| step | CPU s | share |")
    print("|---|---:|---:|")
    for name, seconds in medians.items():
        print(f"| {name} | {seconds:.3f} | {100 * seconds / total:.0f}% |")
    print(f"| **total** | **{total:.3f}** | |\n")


def compare(manifests: list[Path], baseline: str, rounds: int) -> None:
    with tempfile.TemporaryDirectory(prefix="dakg-baseline-") as folder:
        site = install(baseline, Path(folder))
        jobs: dict[str, dict[str, list[float]]] = {baseline: {}, "this tree": {}}
        for n in range(rounds):
            order: list[tuple[str, Path | None]] = [(baseline, site), ("this tree", None)]
            for name, path in order if n % 2 == 0 else reversed(order):
                for kind, values in run_child("whole", manifests, path).items():
                    jobs[name].setdefault(kind, []).extend(values)
    count = len(jobs[baseline]["job"])
    print(f"A job before and after, CPU seconds per report, median of {count} jobs each, "
          "taking turns: ``run`` (extraction, mapping, N-Quads, validation, index rows) and "
          "the whole job as a build runs it (``run_and_write``: ``run``, then its pieces of "
          "the dumps, written by code this comparison does not concern):\n")
    print("| code | run | whole job |\n|---|---:|---:|")
    medians = {name: {kind: statistics.median(v) for kind, v in kinds.items()}
               for name, kinds in jobs.items()}
    for name, kinds in medians.items():
        print(f"| {name} | {kinds['run']:.3f} | {kinds['job']:.3f} |")
    before, after = medians[baseline], medians["this tree"]
    print(f"| ratio | {before['run'] / after['run']:.2f}x | {before['job'] / after['job']:.2f}x |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=6, help="reports per process")
    parser.add_argument("--baseline", default="main", help="git revision to compare with")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args, rest = parser.parse_known_args()
    if args.child:
        child(args.child, [Path(p) for p in rest])
        return 0
    with tempfile.TemporaryDirectory(prefix="dakg-job-reports-") as folder:
        manifests = write_reports(Path(folder), args.reports + 1)
        print(f"{args.reports} generated reports (seed {SEED}), load average "
              f"{os.getloadavg()[0]:.1f} at the start\n")
        print_steps(run_child("steps", manifests, None))
        compare(manifests, args.baseline, args.rounds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
