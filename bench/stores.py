"""Benchmark: the full build into each store, in the same run: embedded, Oxigraph server, Virtuoso.

Run: ``python bench/stores.py [--runs N]`` (needs what ``.ci/run`` installs: ``oxigraph`` from
the ``stores`` extra, ``virtuoso-t`` from Debian).

Each server is started as the tests start it (``tests/stores.py``: loopback, a fresh folder)
and built into ``N`` times in a row, so later runs also replace the graphs of the one before,
as a real rebuild does. Printed: the start of each server, and per store the median build
and its ``publish`` step (staging every graph, checking its size, the switching update).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.stores import SERVERS

from dakg.graph.build import build
from dakg.graph.stores import Endpoints


def timed_builds(folder: Path, runs: int, store: Endpoints | None) -> tuple[list[float],
                                                                           list[float]]:
    totals, publishes = [], []
    for run in range(runs):
        started = time.perf_counter()
        result = build(folder / f"data{run}", store=store)
        totals.append(time.perf_counter() - started)
        publishes.append(result.seconds.get("publish", 0.0))
    return totals, publishes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rows: list[tuple[str, list[float], list[float]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        rows.append(("embedded", *timed_builds(Path(tmp) / "embedded", args.runs, None)))
        for name, make in SERVERS.items():
            server = make(Path(tmp) / name)
            started = time.perf_counter()
            server.start()
            print(f"{name} started in {time.perf_counter() - started:.2f} s")
            try:
                rows.append((name, *timed_builds(Path(tmp) / name, args.runs,
                                                 server.endpoints)))
            finally:
                server.stop()
    print(f"{'store':<10} {'build (median)':>15} {'of which publish':>17}   runs")
    for name, totals, publishes in rows:
        print(f"{name:<10} {statistics.median(totals):13.2f} s "
              f"{statistics.median(publishes):15.2f} s   "
              f"{', '.join(f'{t:.2f}' for t in totals)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
