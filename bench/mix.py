"""Benchmark: issue 6's query mix against ``dakg serve`` and a bare floor, in one run.

Run: ``python bench/mix.py [--duration SECONDS] [--data-dir DIR]``

The floor is the least a Python SPARQL endpoint can do: a bare Flask app under gunicorn
(2 gevent workers, as ``dakg serve``) over an in-memory ``pyoxigraph.Store`` loaded from the
same build's N-Quads dump, with no limits at all. ``dakg serve`` runs with its defaults
(every limit on); a second run with ``DAKG_IN_MEMORY_MB=0`` reads the store on disk, as
query processes did before they kept an in-memory copy. Load comes from ``wrk`` (4
connections, 2 threads), which must be installed (Debian: ``apt-get install wrk``).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

MIX = {
    "first triple": "SELECT ?o WHERE { ?s ?p ?o } LIMIT 1",
    "STRSTARTS": 'SELECT ?s ?o WHERE { ?s ?p ?o FILTER(STRSTARTS(STR(?o), "产权组织的技术援助")) }',
    "CONTAINS": 'SELECT ?s ?o WHERE { ?s ?p ?o FILTER(CONTAINS(STR(?o), "公有领域")) }',
    "GROUP BY": "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY DESC(?n)",
    "two-hop join": "SELECT ?a ?c WHERE { ?a ?b ?x . ?x ?d ?c "
                    'FILTER(ISLITERAL(?c) && CONTAINS(STR(?c), "部门")) } LIMIT 200',
}
PAGE = "/id/recommendation/1"
ACCEPT = "application/sparql-results+json"


def floor_app():  # type: ignore[no-untyped-def]
    """The floor: gunicorn imports this (``mix:floor_app()``); DUMP names the dump."""
    import pyoxigraph as ox
    from flask import Flask, Response, request

    store = ox.Store()
    store.extend(ox.parse(path=os.environ["DUMP"], format=ox.RdfFormat.N_QUADS))
    app = Flask(__name__)

    @app.route("/sparql")
    def sparql() -> Response:
        answer = store.query(request.args["query"], use_default_graph_as_union=True)
        return Response(answer.serialize(format=ox.QueryResultsFormat.JSON),
                        content_type=ACCEPT)

    return app


def wait_for(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer")


def start(argv: list[str], port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(argv, env={**os.environ, **env}, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    wait_for(f"http://127.0.0.1:{port}/sparql?query=" + urllib.parse.quote("ASK {}"))
    return process


def stop(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def rps(url: str, seconds: int, accept: str = ACCEPT) -> float:
    time.sleep(1)  # queries of the last run that wrk left behind still count for this client
    out = subprocess.run(["wrk", "-t", "2", "-c", "4", "-d", f"{seconds}s", "-H",
                          f"Accept: {accept}", url], capture_output=True, text=True,
                         check=True).stdout
    if "Non-2xx" in out:
        raise SystemExit(f"{url} answered errors:\n{out}")
    found = re.search(r"Requests/sec:\s+([\d.]+)", out)
    assert found is not None
    return float(found[1])


def measure(ports: dict[str, int], seconds: int, rounds: int) -> dict[str, dict[str, float]]:
    """req/s of each query on each server; the servers take turns on each query, so that
    load from elsewhere on the machine falls on all alike; the best of ``rounds``."""
    runs: dict[str, dict[str, float]] = {label: {} for label in ports}
    targets = [(name, "/sparql?query=" + urllib.parse.quote(text), ACCEPT)
               for name, text in MIX.items()] + [("page (HTML)", PAGE, "text/html")]
    for name, path, accept in targets:
        for _ in range(rounds):
            for label, port in ports.items():
                if label == "floor" and not path.startswith("/sparql"):
                    continue
                found = rps(f"http://127.0.0.1:{port}{path}", seconds, accept)
                runs[label][name] = max(found, runs[label].get(name, 0.0))
    return runs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--data-dir", type=Path, help="a built data folder (default: build one)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed for the load (Debian: apt-get install wrk)")
    bin_dir = Path(sys.executable).parent
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = args.data_dir
        if data_dir is None:
            from dakg.graph.build import build

            data_dir = Path(tmp) / "data"
            build(data_dir)
        dump = str((data_dir / "current" / "dumps" / "dakg.nq").resolve())
        servers = {
            "dakg": ([str(bin_dir / "dakg"), "--data-dir", str(data_dir), "serve", "--port",
                      "18000"], {}),
            "dakg on disk": ([str(bin_dir / "dakg"), "--data-dir", str(data_dir), "serve",
                              "--port", "18001"], {"DAKG_IN_MEMORY_MB": "0"}),
            "floor": ([str(bin_dir / "gunicorn"), "-w", "2", "-k", "gevent", "-b",
                       "127.0.0.1:18002", "--chdir", str(Path(__file__).parent),
                       "mix:floor_app()"], {"DUMP": dump}),
        }
        ports = {label: 18000 + i for i, label in enumerate(servers)}
        running = []
        try:
            for label, (argv, env) in servers.items():
                running.append(start(argv, ports[label], env))
            runs = measure(ports, args.duration, args.rounds)
        finally:
            for process in running:
                stop(process)
    print("| query | dakg | dakg on disk | floor | dakg / floor | on disk / floor |")
    print("|---|---|---|---|---|---|")
    for name in runs["dakg"]:
        f = runs["floor"].get(name)
        d, o = runs["dakg"][name], runs["dakg on disk"][name]
        ratio = f"{d / f:.2f}" if f else "–"
        ratio_disk = f"{o / f:.2f}" if f else "–"
        print(f"| {name} | {d:,.0f} | {o:,.0f} | {f or 0:,.0f} | {ratio} | {ratio_disk} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
