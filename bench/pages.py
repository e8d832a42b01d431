"""Benchmark: recommendation page latency on builds already made (the page part of
``scale.py``): the median of the 45 pages ``/id/recommendation/N``, each fetched once from a
server just started (none from the page cache), against ``dakg serve``.

Run: ``python bench/pages.py DATA_DIR [DATA_DIR …] [--rounds 3] [--baseline PYTHON]``

The data folders are served in turn, every round, so that a busy machine slows all alike.
``--baseline`` compares with another version of the code: the Python of its environment
(``/work/main/.venv/bin/python``, say) serves each folder right after this one, every round,
and the medians of both are printed with their ratio.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import urllib.request
from pathlib import Path

from scale import page_latencies
from server import free_port, start_server


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dirs", nargs="+", type=Path, metavar="DATA_DIR")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline", metavar="PYTHON",
                        help="the Python of another version of dakg to compare with")
    args = parser.parse_args()
    medians: dict[Path, list[float]] = {d: [] for d in args.data_dirs}
    baseline: dict[Path, list[float]] = {d: [] for d in args.data_dirs}
    for _ in range(args.rounds):
        for data_dir in args.data_dirs:
            medians[data_dir].append(_median_page(data_dir))
            if args.baseline:
                baseline[data_dir].append(_baseline_page(args.baseline, data_dir))
    for data_dir, found in medians.items():
        shown = ", ".join(f"{m:.1f}" for m in found)
        print(f"{data_dir}: median page {statistics.median(found):.1f} ms (rounds: {shown})")
        if args.baseline:
            before = statistics.median(baseline[data_dir])
            shown = ", ".join(f"{m:.1f}" for m in baseline[data_dir])
            print(f"  baseline {before:.1f} ms (rounds: {shown}); this / baseline "
                  f"{statistics.median(found) / before:.2f}")
    return 0


def _baseline_page(python: str, data_dir: Path) -> float:
    """The median page of one round served by the dakg of ``python``'s environment."""
    run = subprocess.run([python, __file__, str(data_dir), "--rounds", "1"], check=True,
                         capture_output=True, text=True)
    return float(re.findall(r"median page ([\d.]+) ms", run.stdout)[0])


def _median_page(data_dir: Path) -> float:
    port = free_port()
    server = start_server(data_dir, port)
    base = f"http://127.0.0.1:{port}"
    try:
        # The server's first page opens the store and the search index: not a page's cost.
        with urllib.request.urlopen(f"{base}/recommendations", timeout=120) as response:
            response.read()
        return statistics.median(page_latencies(base))
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)


if __name__ == "__main__":
    raise SystemExit(main())
