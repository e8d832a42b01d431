"""Benchmark: lookups over HTTP against ``dakg serve``, beside the same lookups in-process.

Run: ``python bench/server.py [--duration SECONDS]``

A lookup asks for everything about one recommendation (``SELECT ?p ?o { <rec/N> ?p ?o }``,
N cycling over the 45). The floor is the same query run in-process on pyoxigraph, with its
own JSON serialiser, in this same run. The server runs as ``dakg serve`` would, every limit
on (the request scan, admission control, row cap, request size; query processes with their
time and memory limits), except that the per-client limit is raised to 16: the load comes
from one address, and it stands for up to 16 clients. A lookup is answered in the web
process (``server/lookup.py``: a single-pattern scan that stops at the row cap), so these
figures measure that path; a second table measures a query that must go to a query process
(the same lookup with a join on the resource's type).

Load comes from ``wrk`` (Debian package ``wrk``). Targets on a 2-core machine: median lookup
under 2 ms, and at least 2,500 lookups per second at 4 concurrent connections.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox

from dakg.graph.build import build
from dakg.graph.store import STORE, current_build

REC = "https://w3id.org/dakg/id/recommendation/"
LOOKUP = "SELECT ?p ?o WHERE {{ <" + REC + "{n}> ?p ?o }}"
JOINED = "SELECT ?p ?o WHERE {{ <" + REC + "{n}> ?p ?o . <" + REC + "{n}> a ?type }}"
CONCURRENCY = (1, 4, 16)
TARGET_MEDIAN_MS = 2.0
TARGET_RPS_AT_4 = 2500


def floor(store_path: Path, seconds: float) -> tuple[float, float]:
    """(median ms, lookups per second) of the lookup run in-process on pyoxigraph."""
    store = ox.Store.read_only(str(store_path))
    timings = []
    deadline = time.perf_counter() + seconds
    n = 0
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        answer = store.query(LOOKUP.format(n=n % 45 + 1), use_default_graph_as_union=True)
        answer.serialize(format=ox.QueryResultsFormat.JSON)
        timings.append(time.perf_counter() - started)
        n += 1
    return statistics.median(timings) * 1000, len(timings) / sum(timings)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DAKG_PER_CLIENT_QUERIES": "16"}
    dakg = str(Path(sys.executable).parent / "dakg")
    process = subprocess.Popen([dakg, "--data-dir", str(data_dir), "serve", "--port", str(port)],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    url = f"http://127.0.0.1:{port}/sparql?query=" + urllib.parse.quote("ASK {}")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("dakg serve did not start")


def wrk(port: int, connections: int, seconds: float, script: Path) -> dict[str, float]:
    duration = f"{max(1, round(seconds))}s"  # wrk takes whole seconds
    out = subprocess.run(
        ["wrk", "-t", str(min(connections, 2)), "-c", str(connections), "-d", duration,
         "--latency", "-s", str(script), f"http://127.0.0.1:{port}"],
        capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])  # type: ignore[index]
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", out)
    assert p50 is not None
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p50[2]]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50_ms": float(p50[1]) * scale,
            "non_2xx": float(errors[1]) if errors else 0.0}


def lua_script(folder: Path, template: str, name: str) -> Path:
    paths = ", ".join(f'"/sparql?query={urllib.parse.quote(template.format(n=n))}"'
                      for n in range(1, 46))
    script = folder / f"{name}.lua"
    script.write_text(f"local paths = {{{paths}}}\nlocal i = 0\n"
                      "request = function()\n  i = i % #paths + 1\n"
                      "  return wrk.format('GET', paths[i], "
                      "{['Accept'] = 'application/sparql-results+json'})\nend\n")
    return script


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=5.0)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed for the load (Debian: apt-get install wrk)")
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        build(data_dir)
        floor_ms, floor_rps = floor(current_build(data_dir) / STORE, args.duration)
        port = free_port()
        server = start_server(data_dir, port)
        try:
            script = lua_script(Path(tmp), LOOKUP, "lookups")
            joined = lua_script(Path(tmp), JOINED, "joined")
            wrk(port, 4, 1.0, script)  # warm up
            results = {c: wrk(port, c, args.duration, script) for c in CONCURRENCY}
            wrk(port, 4, 1.0, joined)
            processes = {c: wrk(port, c, args.duration, joined) for c in (1, 4)}
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    print(f"floor (in-process pyoxigraph, 1 thread): median {floor_ms:.3f} ms, "
          f"{floor_rps:,.0f} lookups/s")
    print(f"{'connections':>11}  {'lookups/s':>10}  {'median ms':>9}  {'non-2xx':>7}  "
          f"{'vs floor':>8}")
    for c, r in results.items():
        print(f"{c:>11}  {r['rps']:>10,.0f}  {r['p50_ms']:>9.3f}  {r['non_2xx']:>7.0f}  "
              f"{r['rps'] / floor_rps:>7.2f}x")
    print("the same lookup joined with the resource's type (runs on a query process):")
    for c, r in processes.items():
        print(f"{c:>11}  {r['rps']:>10,.0f}  {r['p50_ms']:>9.3f}  {r['non_2xx']:>7.0f}")
    median_ok = results[1]["p50_ms"] < TARGET_MEDIAN_MS
    rps_ok = results[4]["rps"] >= TARGET_RPS_AT_4
    print(f"target median < {TARGET_MEDIAN_MS} ms: {'meets' if median_ok else 'MISSES'}; "
          f"target >= {TARGET_RPS_AT_4} lookups/s at 4: {'meets' if rps_ok else 'MISSES'}")
    return 0 if median_ok and rps_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
