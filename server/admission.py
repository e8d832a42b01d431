"""How many queries may run or wait: in all, and per client, across all web workers.

The counters live in shared memory created before the web workers are forked, so the limits
hold for the server as a whole. Each web worker counts in a row of its own
(``worker_rows.py``): a worker that dies holding queries cannot leak them into the totals.
Clients are hashed into a fixed number of slots; two clients that share a slot share a limit,
which errs on the side of refusing.
"""

from __future__ import annotations

import contextlib
import zlib
from collections.abc import Iterator
from multiprocessing.sharedctypes import RawArray

from dakg.settings import MAX_WORKERS

from .worker_rows import WorkerRows

SLOTS = 1024  # client slots per row
POLL = 0.01  # seconds between looks at counts that other processes change


class TooManyFromClient(Exception):
    """The client already has its share of queries running or waiting (answer 429)."""


class ServerBusy(Exception):
    """The server already has as many queries running or waiting as it takes (answer 503)."""


class Admission:
    """``max_queries`` admitted at once in all, ``per_client`` from one client; of those,
    at most ``process_share`` of one client's on query processes at once."""

    def __init__(self, max_queries: int, per_client: int, process_share: int = 1) -> None:
        self.max_queries = max_queries
        self.per_client = per_client
        self.process_share = process_share
        self._counts = RawArray("i", MAX_WORKERS * (SLOTS + 1))
        self._running = RawArray("i", MAX_WORKERS * (SLOTS + 1))  # the same, on query processes
        self._rows = WorkerRows(self._clear)

    @contextlib.contextmanager
    def admit(self, client: str) -> Iterator[None]:
        """Count a query from ``client`` while the block runs, or refuse it."""
        slot = 1 + zlib.crc32(client.encode()) % SLOTS
        with self._rows.lock:
            row = self._own_row()
            rows = self._starts()
            counts = self._counts
            total = sum(counts[r] for r in rows)
            mine = sum(counts[r + slot] for r in rows)
            if mine >= self.per_client:
                raise TooManyFromClient()
            if total >= self.max_queries:
                raise ServerBusy()
            self._counts[row * (SLOTS + 1)] += 1
            self._counts[row * (SLOTS + 1) + slot] += 1
        try:
            yield
        finally:
            with self._rows.lock:
                self._counts[row * (SLOTS + 1)] -= 1
                self._counts[row * (SLOTS + 1) + slot] -= 1

    def take_process(self, client: str) -> bool:
        """Count a query of ``client`` on a query process, unless the client already has
        ``process_share`` of them across all web workers: then False.

        Only a query that holds a process counts: one still waiting for a free process of
        its web worker does not keep the client's queries on other web workers waiting.
        """
        slot = 1 + zlib.crc32(client.encode()) % SLOTS
        with self._rows.lock:
            row = self._own_row()
            rows = self._starts()
            if sum(self._running[r + slot] for r in rows) >= self.process_share:
                return False
            self._running[row * (SLOTS + 1) + slot] += 1
            return True

    def leave_process(self, client: str) -> None:
        """The query of ``client`` that ``take_process`` counted has left its process."""
        slot = 1 + zlib.crc32(client.encode()) % SLOTS
        with self._rows.lock:
            self._running[self._own_row() * (SLOTS + 1) + slot] -= 1

    def forget(self, pid: int) -> None:
        """Stop counting the queries of web worker ``pid``, which has ended (gunicorn's master
        calls this as it reaps each worker). A worker that crashed mid-query never releases
        its places; without this they would count until its row was claimed again, and its
        clients would be refused meanwhile."""
        self._rows.forget(pid)

    def _clear(self, row: int) -> None:
        start = row * (SLOTS + 1)
        self._counts[start : start + SLOTS + 1] = [0] * (SLOTS + 1)
        self._running[start : start + SLOTS + 1] = [0] * (SLOTS + 1)

    def _starts(self) -> range:
        """Where each row claimed so far starts in the counters."""
        return range(0, len(self._rows.used()) * (SLOTS + 1), SLOTS + 1)

    def _own_row(self) -> int:
        """This process's row (the caller holds the lock)."""
        row = self._rows.claim()
        if row is None:
            raise ServerBusy()  # more web workers than rows: refuse rather than miscount
        return row
