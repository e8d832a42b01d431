"""Load for ``bench/peers.py``: wrk against one peer, and the answers per second it got.

Only answers count: wrk's non-2xx/3xx responses (a 429 or 503 from a limit) and the
requests it gave up on after the time cap are reported beside the rate, never in it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass

THREADS = 2  # wrk threads; wrk needs at least one connection per thread
_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


@dataclass(frozen=True)
class Rate:
    """Answers per second of one peer on one probe at one number of connections."""

    per_second: float | None  # None: not timed (the peer's answer was wrong)
    upper_bound: bool = False  # no answer came in time: the true rate is below per_second
    failed: int = 0  # error statuses and requests given up on, not counted in the rate
    label: str = ""  # shown instead of the figure ("timed out", "wrong answer")


def require_wrk() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed for the load (Debian: apt-get install wrk); "
                         "--check-only runs without it")


def wrk(url: str, accept: str, connections: int, seconds: int, cap: float) -> Rate:
    """Drive ``url`` with ``connections`` keep-alive connections for ``seconds``."""
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
