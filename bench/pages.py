"""Benchmark: recommendation page latency on builds already made (the page part of
``scale.py``): the median of the 45 pages ``/id/recommendation/N``, each fetched once from a
server just started (none from the page cache), against ``dakg serve``.

Run: ``python bench/pages.py DATA_DIR [DATA_DIR …] [--rounds 3]``

The data folders are served in turn, every round, so that a busy machine slows all alike;
to compare two versions of the code, run it with each one's Python in the same session.
"""

from __future__ import annotations

import argparse
import os
import statistics
import urllib.request
from pathlib import Path

from scale import page_latencies
from server import free_port, start_server


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dirs", nargs="+", type=Path, metavar="DATA_DIR")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    medians: dict[Path, list[float]] = {d: [] for d in args.data_dirs}
    for _ in range(args.rounds):
        for data_dir in args.data_dirs:
            medians[data_dir].append(_median_page(data_dir))
    for data_dir, found in medians.items():
        shown = ", ".join(f"{m:.1f}" for m in found)
        print(f"{data_dir}: median page {statistics.median(found):.1f} ms (rounds: {shown})")
    return 0


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
