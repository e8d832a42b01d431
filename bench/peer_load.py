"""Load for ``bench/peers.py``: wrk against one peer, and the answers per second it got.

Only answers count: wrk's non-2xx/3xx responses (a 429 or 503 from a limit) and the
requests it gave up on after the time cap are reported beside the rate, never in it.

Beside each rate, the CPU time each process of the peer took during the load (from
``/proc``), so that a figure far from its neighbours can be told apart: one web worker busy
and the other idle, or the query processes waiting.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path

THREADS = 2  # wrk threads; wrk needs at least one connection per thread
_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


@dataclass(frozen=True)
class CpuTime:
    """The CPU time (user and system) one process of a peer took during one load."""

    pid: int
    parent: int
    command: str  # its command line, shortened
    seconds: float


@dataclass(frozen=True)
class Rate:
    """Answers per second of one peer on one probe at one number of connections."""

    per_second: float | None  # None: not timed (the peer's answer was wrong)
    upper_bound: bool = False  # no answer came in time: the true rate is below per_second
    failed: int = 0  # error statuses and requests given up on, not counted in the rate
    label: str = ""  # shown instead of the figure ("timed out", "wrong answer")
    cpu: tuple[CpuTime, ...] = ()  # the peer's processes that took CPU time, busiest first


def require_wrk() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed for the load (Debian: apt-get install wrk); "
                         "--check-only runs without it")


def wrk(url: str, accept: str, connections: int, seconds: int, cap: float,
        group: int | None = None) -> Rate:
    """Drive ``url`` with ``connections`` keep-alive connections for ``seconds``; with the
    CPU time each process of the process ``group`` took meanwhile."""
    before = _ticks(group)
    rate = _wrk(url, accept, connections, seconds, cap)
    after = _ticks(group)
    per_second = os.sysconf("SC_CLK_TCK")
    used = [CpuTime(pid, parent, command, (ticks - before.get(pid, (0, "", 0))[2]) / per_second)
            for pid, (parent, command, ticks) in after.items()]
    return replace(rate, cpu=tuple(sorted((u for u in used if u.seconds > 0),
                                          key=lambda u: -u.seconds)))


def _ticks(group: int | None) -> dict[int, tuple[int, str, int]]:
    """Each process of ``group``: its parent, command line and CPU ticks so far."""
    found: dict[int, tuple[int, str, int]] = {}
    if group is None:
        return found
    for entry in Path("/proc").iterdir():
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if not entry.name.isdigit() or int(fields[2]) != group:
                continue
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, IndexError):
            continue  # not a process, or one that has just ended
        found[int(entry.name)] = (int(fields[1]), command.strip()[:120],
                                  int(fields[11]) + int(fields[12]))
    return found


def _wrk(url: str, accept: str, connections: int, seconds: int, cap: float) -> Rate:
    finished = subprocess.run(
        ["wrk", "--threads", str(min(THREADS, connections)), "--connections", str(connections),
         "--duration", f"{seconds}s", "--timeout", f"{max(1, round(cap))}s",
         "--header", f"Accept: {accept}", url],
        capture_output=True, text=True)
    out = finished.stdout
    if finished.returncode != 0:
        raise SystemExit(f"wrk failed on {url}: {finished.stderr.strip() or out.strip()}")
    done = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m|h)\b", out)
    if done is None:
        raise SystemExit(f"wrk printed no request count:\n{out}")
    requests, elapsed = int(done[1]), float(done[2]) * _UNITS[done[3]]
    status = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    refused = int(status[1]) if status else 0
    errors = re.search(r"Socket errors: (.*)", out)  # connect, read, write, timeout (the cap)
    failed = refused + (sum(map(int, re.findall(r"\d+", errors[1]))) if errors else 0)
    answers = requests - refused
    if answers == 0:
        return Rate(1 / elapsed, upper_bound=True, failed=failed, label="0")
    return Rate(answers / elapsed, failed=failed)
