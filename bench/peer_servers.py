"""The servers ``bench/peers.py`` compares, each started on loopback as its users start it.

A peer is a name and a way to launch it over one build (its store and its N-Quads dump). To
add a server (issue 8: Virtuoso, Oxigraph server), add a launcher to ``LAUNCHERS``; the
table and the chart take their columns from it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from dakg.server.serve import gunicorn_options
from dakg.settings import Settings

BIN = Path(sys.executable).parent
BENCH = Path(__file__).parent
READY = "?query=ASK%7B%7D"  # every peer answers ASK {} at its endpoint once it has loaded
START_SECONDS = 180  # rdflib-endpoint parses the dump with rdflib before it listens


@dataclass(frozen=True)
class Build:
    """What the peers serve: one dakg build and the settings dakg serves it with."""

    data_dir: Path
    dump: Path  # the build's N-Quads dump, which the other peers load
    settings: Settings


@dataclass(frozen=True)
class Launch:
    argv: list[str]
    endpoint: str  # the path of its SPARQL endpoint
    has_pages: bool  # serves dakg's linked-data pages (/id/…)
    how: str  # one sentence for the table's notes: how this peer runs
    # The media type its CONSTRUCT and DESCRIBE answers are really in, for a peer that
    # ignores Accept for them and labels them as something else; None: it negotiates.
    graphs_as: str | None = None
    env: dict[str, str] = field(default_factory=dict)  # set in its environment


@dataclass
class Peer:
    """A started server, stopped by ending its process group."""

    name: str
    url: str
    endpoint: str  # the path of its SPARQL endpoint
    how: str
    has_pages: bool
    graphs_as: str | None
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def launch_dakg(build: Build, port: int) -> Launch:
    workers = build.settings.workers
    return Launch(
        [str(BIN / "dakg"), "--data-dir", str(build.data_dir), "serve", "--port", str(port)],
        endpoint="/sparql", has_pages=True,
        how=f"`dakg serve` on the build with its settings as a user runs it, every limit on "
            f"({workers} gunicorn {_worker_class(build.settings)} workers, "
            f"{build.settings.query_workers} query processes each, "
            f"{build.settings.per_client_queries} queries per client); like every user's "
            "server, it keeps rendered pages and lookup answers per data version, so the page "
            "and the lookups (one triple, `DESCRIBE`) are answered from them after the first "
            "request; every other query runs each time")


def launch_dakg_on_disk(build: Build, port: int) -> Launch:
    """dakg as before its query processes kept an in-memory copy: what that copy gains."""
    dakg = launch_dakg(build, port)
    return Launch(dakg.argv, dakg.endpoint, dakg.has_pages,
                  how=dakg.how.replace("as a user runs it", "but `DAKG_IN_MEMORY_MB=0`: "
                                       "every query reads the RocksDB store on disk"),
                  env={"DAKG_IN_MEMORY_MB": "0"})


def launch_floor(build: Build, port: int) -> Launch:
    workers, worker_class = build.settings.workers, _worker_class(build.settings)
    return Launch(
        [sys.executable, "-m", "gunicorn", "--chdir", str(BENCH), "--preload",
         "--workers", str(workers), "--worker-class", worker_class,
         "--bind", f"127.0.0.1:{port}", f"floor_app:create_app({str(build.dump)!r})"],
        endpoint="/sparql", has_pages=False,
        how=f"`bench/floor_app.py`: bare Flask on gunicorn with dakg's {workers} "
            f"{worker_class} workers, an in-memory `pyoxigraph.Store` bulk-loaded from the "
            "dump, no limits at all")


def launch_rdflib_endpoint(build: Build, port: int) -> Launch:
    command = BIN / "rdflib-endpoint"
    if not command.exists():
        raise SystemExit("rdflib-endpoint is not installed: pip install -e '.[bench]', or "
                         "leave it out with --peers dakg,floor")
    return Launch(
        [str(command), "serve", "--host", "127.0.0.1", "--port", str(port), str(build.dump)],
        endpoint="/", has_pages=False,  # not /sparql, whatever its --help says
        how="`rdflib-endpoint serve dakg.nq`, as its README starts it: one uvicorn process, "
            "rdflib's in-memory `Dataset` (default graph: the union). It answers DESCRIBE in "
            "RDF/XML labelled `application/sparql-results+xml` whatever the `Accept`, so it is "
            "asked for RDF/XML and its answer read as that",
        graphs_as="application/rdf+xml")


def launch_dakg_on(server: str, how: str) -> Callable[[Build, int], Launch]:
    """dakg serve --store in front of ``server`` of ``tests/stores.py`` (``peer_store.py``)."""

    def launch(build: Build, port: int) -> Launch:
        dakg = launch_dakg(build, port)
        return Launch(
            [sys.executable, str(BENCH / "peer_store.py"), server, str(build.dump),
             str(build.data_dir), str(port)],
            endpoint="/sparql", has_pages=True,
            how=dakg.how.replace("`dakg serve` on the build", "`dakg serve --store`") +
            f", every query sent on to {how}, loaded with the build as `dakg build --store` "
            "loads it")

    return launch


LAUNCHERS: dict[str, Callable[[Build, int], Launch]] = {
    "dakg": launch_dakg,
    "floor": launch_floor,
    "rdflib-endpoint": launch_rdflib_endpoint,
    "dakg-on-disk": launch_dakg_on_disk,
    "dakg-on-oxigraph-server": launch_dakg_on(
        "oxigraph", "Oxigraph server (`oxigraph serve`, RocksDB) on loopback"),
    "dakg-on-virtuoso": launch_dakg_on(
        "virtuoso", "Virtuoso 7.2 (`virtuoso-t`, the tests' `virtuoso.ini`) on loopback"),
}
# Run only when named in --peers.
OPTIONAL = ("dakg-on-disk", "dakg-on-oxigraph-server", "dakg-on-virtuoso")


def start(name: str, build: Build, logs: Path) -> Peer:
    """Start peer ``name`` on a free port and wait until it answers a query."""
    port = _free_port()
    launch = LAUNCHERS[name](build, port)
    log = logs / f"{name}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(launch.argv, stdin=subprocess.DEVNULL, stdout=sink,
                                   stderr=sink, start_new_session=True,
                                   env={**os.environ, **launch.env})
    peer = Peer(name, f"http://127.0.0.1:{port}", launch.endpoint, launch.how,
                launch.has_pages, launch.graphs_as, process, log)
    try:
        _wait_until_ready(peer)
    except BaseException:
        peer.stop()
        raise
    return peer


def _wait_until_ready(peer: Peer) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if peer.process.poll() is not None:
            raise SystemExit(f"{peer.name} exited while starting:\n{_tail(peer.log)}")
        try:
            with urllib.request.urlopen(peer.url + peer.endpoint + READY, timeout=5):
                return
        except urllib.error.HTTPError as e:
            raise SystemExit(f"{peer.name} answers {e.code} at {peer.endpoint}:\n"
                             f"{_tail(peer.log)}") from e
        except OSError:  # not listening yet
            time.sleep(0.3)
    raise SystemExit(f"{peer.name} did not answer within {START_SECONDS} s:\n{_tail(peer.log)}")


def _worker_class(settings: Settings) -> str:
    """dakg's gunicorn worker class, by the name a gunicorn command line takes. dakg's own
    worker is gunicorn's gevent worker with request deadlines and connection caps; the
    floor, which has no limits, runs the plain gevent worker."""
    found = gunicorn_options(settings, lambda: None)["worker_class"]
    if isinstance(found, type):
        from gunicorn.workers.ggevent import GeventWorker

        return "gevent" if issubclass(found, GeventWorker) else \
            f"{found.__module__}.{found.__qualname__}"
    return str(found)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tail(log: Path, lines: int = 20) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
