"""Benchmark: the scale curve. Builds of 1, 10, 100, 1,000 reports (the vendored one and
generated variants, ``dakg.graph.synth``), each measured in the same run.

Run: ``python bench/scale.py [--sizes 1,10,100,1000] [--max N] [--out bench/results]``

For each size: build time (and its steps) and peak RSS of ``dakg build`` (``/usr/bin/time``),
validation time of ``dakg validate``, store and dump sizes, and, against ``dakg serve``, the
median latency of recommendation pages (each of the 45 once: not from the page cache), of the
SPARQL mix of ``bench/peers.py`` (``peer_mix.MIX``) and of a query across reports. Writes
``scale.md`` (a Markdown table), ``scale.json`` and ``scale.svg`` (log–log charts) into
``--out``. Targets (issue 7) on a 2-core machine: 1,000 reports built in under 10 minutes
with peak RSS under 4 GiB; a recommendation page under 50 ms at that size; a 100-report
build peaking at most 1.5x the memory of a one-report build.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from dakg.graph.source import bundled_manifests
from job import write_reports
from peer_mix import MIX
from server import free_port, start_server

if TYPE_CHECKING:
    from matplotlib.axes import Axes

RESULTS = Path(__file__).parent / "results"
DAKG = str(Path(sys.executable).parent / "dakg")
# The documents each report cites for recommendation 25: one row per report and document.
ACROSS = """PREFIX dakg: <https://w3id.org/dakg/def/>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?report (COUNT(DISTINCT ?doc) AS ?cited) WHERE {
  ?section dakg:reportsOn <https://w3id.org/dakg/id/recommendation/25> ;
           dakg:citesDocument ?doc ; dcterms:isPartOf/dcterms:isPartOf/dakg:symbol ?report
} GROUP BY ?report ORDER BY ?report"""


@dataclass
class Point:
    reports: int
    triples: int = 0
    build_s: float = 0.0
    steps: dict[str, float] = field(default_factory=dict)
    peak_rss_mb: float = 0.0
    validate_s: float = 0.0
    store_mb: float = 0.0
    nquads_gz_mb: float = 0.0
    dumps_mb: float = 0.0  # the whole dumps folder: every format, the graphs, the sources
    page_ms: float = 0.0  # median over the 45 recommendation pages
    mix_ms: dict[str, float] = field(default_factory=dict)  # median of 3, -1: timed out
    across_ms: float = 0.0


def main() -> int:
    args = _arguments()
    sizes = sorted({n for n in args.sizes if n <= args.max})
    started = dt.datetime.now(dt.UTC)
    load = os.getloadavg()
    points = _earlier(args.out) if args.append else []
    with tempfile.TemporaryDirectory(prefix="dakg-scale-") as tmp:
        sources = _sources(Path(tmp) / "sources", max(sizes))
        for size in sizes:
            point = _measure(size, sources, Path(tmp) / f"data-{size}",
                             serve=size <= args.build_only_above,
                             whole=size <= args.whole_up_to)
            points.append(point)
            print(json.dumps(asdict(point)), flush=True)
            _write(args.out, points, started, load)
    return 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,10,100,1000",
                        type=lambda t: [int(n) for n in t.split(",")],
                        help="numbers of reports to build (comma-separated)")
    parser.add_argument("--max", type=int, default=1000, help="skip sizes above this")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--build-only-above", type=int, default=10**9, metavar="N",
                        help="for sizes above N, measure the build only (no validate, no "
                             "server): a slow machine reaches further up the curve")
    parser.add_argument("--whole-up-to", type=int, default=10**9, metavar="N",
                        help="for sizes above N, no validate and no query mix (its scans "
                             "meet the query time limit from 100 reports): the build, the "
                             "pages and the cross-report query only")
    parser.add_argument("--append", action="store_true",
                        help="add to the points already in OUT/scale.json")
    return parser.parse_args()


def _earlier(out: Path) -> list[Point]:
    path = out / "scale.json"
    if not path.exists():
        return []
    return [Point(**{"dumps_mb": 0.0, **p}) for p in json.loads(path.read_text())["points"]]


def _sources(folder: Path, count: int) -> list[Path]:
    """The vendored report's manifest, then ``count - 1`` generated ones."""
    return [bundled_manifests()[0], *write_reports(folder, count - 1)]


def _measure(size: int, sources: list[Path], data_dir: Path, *, serve: bool,
             whole: bool) -> Point:
    folder = data_dir.parent / f"sources-{size}"
    folder.mkdir()
    for manifest in sources[:size]:  # a folder of links: the build reads the same files
        for path in (manifest, manifest.with_suffix(".txt")):
            (folder / path.name).symlink_to(path)
    point = Point(size)
    started = time.perf_counter()
    run = subprocess.run(["/usr/bin/time", "-v", DAKG, "--data-dir", str(data_dir), "build",
                          "--source", str(folder)], capture_output=True, text=True, check=True)
    point.build_s = round(time.perf_counter() - started, 2)
    point.peak_rss_mb = round(int(re.findall(r"Maximum resident set size \(kbytes\): (\d+)",
                                             run.stderr)[0]) / 1024, 1)
    point.steps = {step: float(s) for step, s in re.findall(r"(\w+) ([\d.]+)s", run.stdout)}
    point.triples = sum(int(n) for n in re.findall(r"^\s+(\d+) triples in", run.stdout, re.M))
    build = (data_dir / "current").resolve()
    point.store_mb = _megabytes(build / "store")
    point.nquads_gz_mb = _megabytes(build / "dumps" / "dakg.nq.gz")
    point.dumps_mb = _megabytes(build / "dumps")
    if serve and whole:
        started = time.perf_counter()
        subprocess.run([DAKG, "--data-dir", str(data_dir), "validate"], capture_output=True,
                       check=True)
        point.validate_s = round(time.perf_counter() - started, 2)
    if serve:
        _serve(point, data_dir, mix=whole)
    shutil.rmtree(data_dir)
    shutil.rmtree(folder)
    return point


def _serve(point: Point, data_dir: Path, *, mix: bool) -> None:
    port = free_port()
    server = start_server(data_dir, port)
    base = f"http://127.0.0.1:{port}"
    try:
        point.page_ms = round(statistics.median(page_latencies(base)), 1)
        for probe in MIX if mix else ():
            url = f"{base}/sparql?query={urllib.parse.quote(probe.query)}"
            accept = "text/turtle" if probe.answers_graph else "application/sparql-results+json"
            # Two runs go before the timing, one for each query process a client gets
            # (their caches; the data they opened before the server said it was ready).
            for _ in range(2):
                _timed(url, accept)
            point.mix_ms[probe.name] = round(statistics.median(
                _timed(url, accept) for _ in range(3)), 1)
        point.across_ms = round(statistics.median(_timed(
            f"{base}/sparql?query={urllib.parse.quote(ACROSS)}",
            "application/sparql-results+json") for _ in range(3)), 1)
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)


def page_latencies(base: str) -> list[float]:
    """Milliseconds for each of the 45 recommendation pages of the server at ``base``, each
    fetched once: none comes from the page cache (``server/page_cache.py``), which keeps a
    page once rendered."""
    return [_timed(f"{base}/id/recommendation/{n}", "text/html") for n in range(1, 46)]


def _timed(url: str, accept: str) -> float:
    """Milliseconds to fetch ``url`` whole; -1 if the server refused (a timeout, say)."""
    request = urllib.request.Request(url, headers={"Accept": accept})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            response.read()
    except OSError:
        return -1.0
    return (time.perf_counter() - started) * 1000


def _megabytes(path: Path) -> float:
    files = [path] if path.is_file() else [f for f in path.rglob("*") if f.is_file()]
    return round(sum(f.stat().st_size for f in files) / 2**20, 1)


def _write(out: Path, points: list[Point], started: dt.datetime,
           load: tuple[float, float, float]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    note = (f"Measured {started:%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores shared with "
            f"other work (load average {load[0]:.1f} at the start), so times are inflated; "
            "ratios within one run hold better.")
    (out / "scale.json").write_text(json.dumps({"note": note,
                                                "points": [asdict(p) for p in points]},
                                               indent=2) + "\n")
    (out / "scale.md").write_text(_table(points, note))
    _chart(out / "scale.svg", points)


def _table(points: list[Point], note: str) -> str:
    one = points[0]
    rows = ["| reports | triples | build s | per report s | peak RSS MB | RSS / 1 report | "
            "validate s | store MB | dakg.nq.gz MB | dumps MB | page ms | "
            "cross-report ms | mix ms (median of the probes) |",
            "|" + "---:|" * 13]
    for p in points:
        mix = [v for v in p.mix_ms.values() if v >= 0]
        timed_out = sum(1 for v in p.mix_ms.values() if v < 0)
        rows.append(
            f"| {p.reports:,} | {p.triples:,} | {p.build_s:.1f} | {p.build_s / p.reports:.2f} | "
            f"{p.peak_rss_mb:.0f} | {p.peak_rss_mb / one.peak_rss_mb:.2f} | "
            f"{_shown(p.validate_s)} | {p.store_mb:.0f} | "
            f"{p.nquads_gz_mb:.0f} | {_shown(p.dumps_mb, 0)} | {_shown(p.page_ms)} | "
            f"{_shown(p.across_ms)} | "
            f"{_shown(statistics.median(mix) if mix else 0.0)}"
            + (f" ({timed_out} refused)" if timed_out else "") + " |")
    return "\n".join(["# The scale curve (bench/scale.py)", "", note, "", *rows, ""])


def _shown(value: float, digits: int = 1) -> str:
    # not measured (--build-only-above, --whole-up-to)
    return f"{value:.{digits}f}" if value > 0 else "–"


def _chart(path: Path, points: list[Point]) -> None:
    import matplotlib

    matplotlib.use("svg")
    import matplotlib.pyplot as plt

    matplotlib.rcParams["svg.hashsalt"] = "dakg"  # the same figure gives the same file
    figure, axes = plt.subplots(1, 2, figsize=(10, 4))
    reports = [p.reports for p in points]
    for name, values in (("build s", [p.build_s for p in points]),
                         ("validate s", [p.validate_s for p in points]),
                         ("peak RSS MB", [p.peak_rss_mb for p in points]),
                         ("store MB", [p.store_mb for p in points])):
        _plot(axes[0], reports, values, name)
    for name, values in (("recommendation page ms", [p.page_ms for p in points]),
                         ("cross-report query ms", [p.across_ms for p in points])):
        _plot(axes[1], reports, values, name)
    for ax, title in zip(axes, ("Build", "Serving"), strict=True):
        if not ax.has_data():  # a build-only run (--build-only-above) serves nothing
            ax.set_axis_off()
            continue
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("reports")
        ax.set_title(title)
        ax.legend(fontsize="small")
        ax.grid(True, which="both", alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, metadata={"Date": None})


def _plot(ax: Axes, reports: list[int], values: list[float], name: str) -> None:
    """The measured points of one curve (none: not drawn, an axis may stay empty)."""
    kept = [(r, v) for r, v in zip(reports, values, strict=True) if v > 0]
    if kept:
        ax.plot([r for r, _ in kept], [v for _, v in kept], marker="o", label=name)


if __name__ == "__main__":
    raise SystemExit(main())
