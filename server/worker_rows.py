"""A row per web worker in counters that the web workers share.

The counters live in shared memory made before gunicorn forks its web workers. A worker
claims a row the first time it counts after the fork: the first row that no live process
owns, zeroed as it is claimed. gunicorn's master frees a worker's row, zeroed again, as it
reaps the worker however it ended (``forget``), so a worker that died in the middle of
counting cannot leave its counts in the totals. The admission limits (``admission.py``) and
the spread of connections (``spread.py``) each keep their counters in rows of one of these.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from multiprocessing.sharedctypes import RawArray

from dakg.settings import MAX_WORKERS


class WorkerRows:
    """Which web worker owns which row of some shared counters; ``clear(row)`` zeroes a
    row's counters."""

    def __init__(self, clear: Callable[[int], None], rows: int = MAX_WORKERS) -> None:
        self.lock = multiprocessing.Lock()  # held by whoever reads or writes the counters
        self._clear = clear
        self._owners = RawArray("q", rows)
        self._used = RawArray("i", 1)  # rows at or past this one have never been claimed
        self._row: int | None = None
        self._pid = 0  # the process that claimed ``_row`` (a fork copies the two)

    def used(self) -> range:
        """The rows claimed at some time: every other row is unowned and zero."""
        return range(self._used[0])

    def owned(self, row: int) -> bool:
        return int(self._owners[row]) != 0

    @property
    def mine(self) -> int | None:
        """This process's row, if it has claimed one (none is claimed here)."""
        return self._row if self._pid == os.getpid() else None

    def claim(self) -> int | None:
        """This process's row, claimed and zeroed on first use after a fork; None when every
        row has a live owner. The caller holds ``lock``."""
        pid = os.getpid()
        if self._row is not None and self._pid == pid:
            return self._row
        for row in range(len(self._owners)):
            owner = self._owners[row]
            if owner == 0 or not _is_alive(owner):
                self._owners[row] = pid
                self._used[0] = max(self._used[0], row + 1)
                self._clear(row)
                self._row, self._pid = row, pid
                return row
        return None

    def forget(self, pid: int) -> None:
        """Free and zero the row of web worker ``pid``, which has ended (called by the
        master as it reaps the worker)."""
        with self.lock:
            for row in self.used():
                if self._owners[row] == pid:
                    self._clear(row)
                    self._owners[row] = 0


def _is_alive(pid: int) -> bool:
    """Process ``pid`` still exists (a web worker's row may be claimed once it does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
