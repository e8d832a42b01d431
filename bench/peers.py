"""Benchmark: dakg beside its peers, all serving the same dump of a fresh build.

Run: ``python bench/peers.py [--duration SECONDS] [--rounds N]
[--peers dakg,floor,rdflib-endpoint] [--probes contains,page] [--connections 1,4]``
(``pip install -e '.[bench]'`` for rdflib-endpoint and the chart; ``apt-get install wrk``)

The peers, each started on loopback as its users start it (``peer_servers.py``):

- dakg: ``dakg serve`` on the build, every limit on, settings as a user runs it;
- floor: a bare Flask app on gunicorn over an in-memory ``pyoxigraph.Store`` loaded from the
  dump, no limits at all, with dakg's own worker count and class (``floor_app.py``);
- rdflib-endpoint: ``rdflib-endpoint serve dakg.nq``, what a Python user would pick;
- dakg-on-disk (only when named): ``dakg serve`` with ``DAKG_IN_MEMORY_MB=0``, every query
  read from the RocksDB store, to show what the in-memory copy gains;
- dakg-on-oxigraph-server, dakg-on-virtuoso (only when named): ``dakg serve --store`` in
  front of that SPARQL server, loaded with the build (``peer_store.py``).

First every peer answers every probe of the mix once, and the size of each answer (rows or
triples) must be the one Oxigraph gives in this process (``peer_mix.py``); ``--check-only``
stops there. Then wrk loads each peer with each probe at 1 and 4 connections, the peers in
turn for each probe so that the ratios compare figures taken moments apart, in ``--rounds``
rounds whose order alternates (dakg first, then last, …); a peer's figure is its median round.
On a shared machine one run's rate can move by a quarter from one run to the next: the rounds
keep such a swing from deciding a ratio. A peer slower than the time cap (``--cap``) on a
probe is shown as "timed out" and not loaded with it.
The table, the chart and the raw figures go to ``--out`` (``peer_report.py``).
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from pathlib import Path

import peer_report
from dakg.graph.build import build
from dakg.graph.dumps import open_dump
from dakg.graph.store import current_build
from dakg.settings import Settings
from peer_load import Rate, require_wrk, wrk
from peer_mix import JSON, MIX, Answer, HttpStatus, Probe, check, expected_sizes, fetch
from peer_servers import LAUNCHERS, OPTIONAL, READY, Build, Peer, start

RESULTS = Path(__file__).parent / "results"


def main() -> int:
    args = _arguments()
    if not args.check_only:
        require_wrk()
        peer_report.require_matplotlib()
    with tempfile.TemporaryDirectory(prefix="dakg-peers-") as tmp, ExitStack() as stack:
        data = _build(args.data_dir, Path(tmp))
        expected = expected_sizes(data.dump)
        peers = [stack.enter_context(_running(name, data, Path(tmp))) for name in args.peers]
        answers = {(probe.name, peer.name): check(peer, probe, expected[probe.name], args.cap)
                   for probe in args.probes for peer in peers}
        print(_check_table(args.probes, peers, expected, answers))
        problems = [answer for answer in answers.values() if not answer.ok]
        if args.check_only:
            return 1 if problems else 0
        # A peer too slow for the cap shows as "timed out" in the table; a wrong answer fails.
        wrong = any(not answer.timed_out for answer in problems)
        measured = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
        run = _measure(peers, answers, args, measured, _context(data, args, measured))
    for path in peer_report.write(run, args.out):
        print(f"wrote {path}", file=sys.stderr)
    print(peer_report.markdown(run))
    verdicts = peer_report.verdicts(run)
    print("\n".join(v.text for v in verdicts))
    return 1 if wrong or not all(v.met for v in verdicts) else 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=5,
                        help="seconds of load per peer, probe and connection count [5]")
    parser.add_argument("--rounds", type=int, default=3,
                        help="runs per peer, probe and connection count, in alternating "
                             "order; the median counts [3]")
    parser.add_argument("--connections", type=_numbers, default=[1, 4],
                        help="connection counts, comma-separated [1,4]")
    default = [name for name in LAUNCHERS if name not in OPTIONAL]
    parser.add_argument("--peers", type=_peer_names, default=default,
                        help=f"peers to run, dakg first [{','.join(default)}; also "
                             f"{', '.join(OPTIONAL)}]")
    parser.add_argument("--probes", type=_probes, default=MIX,
                        help="probes to run, comma-separated, each named by the start of its "
                             "name (case ignored): 'one triple,contains,page' [the whole mix]")
    parser.add_argument("--cap", type=float, default=30.0,
                        help="seconds one answer may take before it counts as timed out [30]")
    parser.add_argument("--out", type=Path, default=RESULTS,
                        help="folder for peers.md, peers.svg, peers.json [bench/results]")
    parser.add_argument("--data-dir", type=Path,
                        help="serve this data folder's current build instead of a fresh one")
    parser.add_argument("--check-only", action="store_true",
                        help="check every peer's answers, time nothing (no wrk needed)")
    args = parser.parse_args()
    if args.duration < 1:
        parser.error("--duration is in whole seconds, at least 1 (wrk's unit)")
    if args.rounds < 1:
        parser.error("--rounds is at least 1")
    return args


def _numbers(text: str) -> list[int]:
    return [int(part) for part in text.split(",")]


def _probes(text: str) -> tuple[Probe, ...]:
    starts = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = [start for start in starts
               if not any(probe.name.lower().startswith(start) for probe in MIX)]
    if unknown or not starts:
        raise argparse.ArgumentTypeError(
            f"no probe's name starts with {', '.join(map(repr, unknown)) or 'nothing'}; the "
            f"probes are: {'; '.join(probe.name for probe in MIX)}")
    return tuple(probe for probe in MIX
                 if any(probe.name.lower().startswith(start) for start in starts))


def _peer_names(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in LAUNCHERS]
    if unknown or not names or names[0] != "dakg":
        raise argparse.ArgumentTypeError(
            f"peers are {', '.join(LAUNCHERS)}, dakg first (its ratios are the point)"
            + (f"; unknown: {', '.join(unknown)}" if unknown else ""))
    return names


def _build(data_dir: Path | None, tmp: Path) -> Build:
    if data_dir is None:
        data_dir = tmp / "var"
        print("building into a fresh data folder…", file=sys.stderr)
        build(data_dir)
    packed = current_build(data_dir) / "dumps" / "dakg.nq.gz"
    if not packed.is_file():
        raise SystemExit(f"{data_dir} has no current build with an N-Quads dump ({packed})")
    dump = tmp / "dakg.nq"  # plain: the peers load a file of N-Quads
    with open_dump(packed) as data, dump.open("wb") as out:
        shutil.copyfileobj(data, out)
    return Build(data_dir, dump, Settings.from_env(data_dir=data_dir))


@contextmanager
def _running(name: str, data: Build, logs: Path) -> Iterator[Peer]:
    print(f"starting {name}…", file=sys.stderr)
    peer = start(name, data, logs)
    try:
        yield peer
    finally:
        peer.stop()


def _check_table(probes: tuple[Probe, ...], peers: list[Peer], expected: dict[str, int],
                 answers: dict[tuple[str, str], Answer]) -> str:
    width = max(len(probe.name) for probe in probes)
    lines = [f"{'probe':<{width}}  {'expected':>8}  " + "  ".join(f"{p.name:<16}" for p in peers)]
    for probe in probes:
        cells = [_verdict(answers[probe.name, p.name]) for p in peers]
        lines.append(f"{probe.name:<{width}}  {expected[probe.name]:>8}  "
                     + "  ".join(f"{c:<16}" for c in cells))
    problems = [f"  {peer}, {probe}: {a.problem}" for (probe, peer), a in answers.items()
                if not a.ok]
    return "\n".join(lines + (["problems:", *problems] if problems else []))


def _verdict(answer: Answer) -> str:
    if answer.timed_out:
        return "timed out"
    return f"ok ({answer.size})" if answer.ok else "WRONG"


def _measure(peers: list[Peer], answers: dict[tuple[str, str], Answer],
             args: argparse.Namespace, measured: str, context: str) -> peer_report.Run:
    for peer in peers:  # warm up: first requests, lazy imports, query processes
        _load(peer, MIX[0], max(args.connections), 1, args.cap)
    rows = []
    for probe in args.probes:
        for connections in args.connections:
            runs: dict[str, list[Rate]] = {peer.name: [] for peer in peers}
            for round_ in range(args.rounds):
                for peer in peers if round_ % 2 == 0 else peers[::-1]:
                    answer = answers[probe.name, peer.name]
                    if not answer.ok:
                        continue  # shown as timed out or wrong, never loaded
                    rate = _load(peer, probe, connections, args.duration, args.cap)
                    runs[peer.name].append(rate)
                    print(f"{probe.name}, {connections} conn., {peer.name}, round "
                          f"{round_ + 1}: {rate.label or f'{rate.per_second:,.1f}/s'}"
                          f"{_cpu_note(rate)}",
                          file=sys.stderr)
            rates = {peer.name: _unloaded(answers[probe.name, peer.name], args.cap)
                     or _median(runs[peer.name]) for peer in peers}
            rows.append(peer_report.Row(probe, connections, rates))
    notes = {peer.name: peer.how for peer in peers}
    return peer_report.Run([p.name for p in peers], rows, measured, context, notes)


def _unloaded(answer: Answer, cap: float) -> Rate | None:
    """The rate shown for a peer that was not loaded with a probe, if it was not."""
    if answer.timed_out:
        return Rate(1 / cap, upper_bound=True, label="timed out")
    if not answer.ok:
        return Rate(None, label="wrong answer")
    return None


def _median(runs: list[Rate]) -> Rate:
    """The median run (the lower of the middle two for an even count), with the failures of
    every run: a failure in any round must show."""
    middle = sorted(runs, key=lambda r: r.per_second or 0.0)[(len(runs) - 1) // 2]
    return replace(middle, failed=sum(r.failed for r in runs))


def _load(peer: Peer, probe: Probe, connections: int, seconds: int, cap: float) -> Rate:
    request = probe.request(peer)
    rate = wrk(peer.url + request.path, request.accept, connections, seconds, cap,
               group=peer.process.pid)  # each peer starts in a session of its own
    _wait_until_free(peer, cap * connections + 30)
    return rate


def _cpu_note(rate: Rate) -> str:
    """The CPU seconds its processes took, busiest first: one web worker far busier than
    the other shows a client's connections all on one."""
    return f" (CPU s by process: {', '.join(f'{c.seconds:.1f}' for c in rate.cpu)})" \
        if rate.cpu else ""


def _wait_until_free(peer: Peer, seconds: float) -> None:
    """Wait until ``peer`` answers a trivial query again.

    Requests that wrk left behind may still be running (one event loop answers in turn),
    or still count against a per-client limit; they must not slow the next peer's run.
    """
    deadline = time.monotonic() + seconds
    while True:
        try:
            fetch(peer.url + peer.endpoint + READY, JSON, max(1.0, deadline - time.monotonic()))
            return
        except HttpStatus as e:
            if e.status not in (429, 503) or time.monotonic() > deadline:
                raise SystemExit(f"{peer.name} did not recover after its run: {e}") from e
            time.sleep(0.1)
        except OSError as e:
            raise SystemExit(f"{peer.name} stopped answering ({e}); its log:\n"
                             f"{peer.log.read_text(errors='replace')[-2000:]}") from e


def _context(data: Build, args: argparse.Namespace, measured: str) -> str:
    load = os.getloadavg()[0]
    versions = ", ".join(f"{name} {_version(name)}" for name in
                         ("pyoxigraph", "rdflib-endpoint", "rdflib", "Flask", "gunicorn"))
    quads = sum(1 for _ in data.dump.open("rb"))
    return (f"Measured {measured} on {_cpu()} ({os.cpu_count()} cores; load average {load:.2f} "
            f"at the start; other work on the machine shows as noise).\n"
            f"{_wrk_version()}: {args.duration} s per run, the median of {args.rounds} runs "
            f"in alternating order, 2 threads (1 at 1 connection), "
            f"time cap {args.cap:g} s. dakg {_git_revision()}, {versions}. The dump: "
            f"`dakg.nq` of a fresh build, {quads:,} quads.")


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.machine()


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "(not installed)"


def _wrk_version() -> str:
    out = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout
    return " ".join(out.split()[:2]) or "wrk"


def _git_revision() -> str:
    out = subprocess.run(["git", "-C", str(Path(__file__).parent), "describe", "--always",
                          "--dirty"], capture_output=True, text=True)
    return out.stdout.strip() or "(not a git checkout)"


if __name__ == "__main__":
    raise SystemExit(main())
