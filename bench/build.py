"""Benchmark: the full build of the real report, against a floor measured in the same run.

Run: ``python bench/build.py [--runs N]``

The floor is the least any build must do with the same data: Oxigraph bulk-loading the
finished N-Quads dump into a fresh store. The ratio says how much the pipeline (extraction,
mapping, SHACL, dumps) costs on top of that. Target: a build under 5 s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from dakg.graph.build import build
from dakg.graph.store import current_build

TARGET_SECONDS = 5.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    builds: list[float] = []
    floors: list[float] = []
    laps: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(args.runs):
            data_dir = Path(tmp) / f"run{run}"
            started = time.perf_counter()
            result = build(data_dir)
            builds.append(time.perf_counter() - started)
            for step, seconds in result.seconds.items():
                laps.setdefault(step, []).append(seconds)
            dump = current_build(data_dir) / "dumps" / "dakg.nq.gz"
            nquads = gzip.decompress(dump.read_bytes())  # the floor is the load alone
            started = time.perf_counter()
            store = ox.Store(str(Path(tmp) / f"floor{run}"))
            store.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)
            floors.append(time.perf_counter() - started)
            del store
    build_median, floor_median = statistics.median(builds), statistics.median(floors)
    print(f"full build          median {build_median:6.2f} s   "
          f"(runs: {', '.join(f'{b:.2f}' for b in builds)})")
    for step, values in laps.items():
        print(f"  {step:<17} median {statistics.median(values):6.2f} s")
    print(f"floor: bulk load    median {floor_median:6.2f} s")
    print(f"ratio build/floor          {build_median / floor_median:6.1f} x")
    verdict = "meets" if build_median < TARGET_SECONDS else "MISSES"
    print(f"target < {TARGET_SECONDS:.0f} s: {verdict}")
    return 0 if build_median < TARGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
