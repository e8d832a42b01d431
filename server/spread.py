"""Spreading connections over the web workers.

Every web worker listens on the one socket of the server, and the kernel wakes them all when
a connection arrives: whichever accepts first takes it. A worker idle in its event loop wins
that race over one busy answering, but not reliably, so the four connections one client
(wrk, a harvester, a browser) opens at once often all land on one worker while the other
idles: that worker's own CPU (HTTP, Flask, the endpoint) then bounds the client's rate.

Here each web worker counts the connections it holds in shared memory made before the fork,
and a worker holding more than another leaves a new connection to it: it stops accepting for
``HANDOFF`` seconds (the other worker was woken by the same connection and normally accepts
it within microseconds), then accepts what is still waiting, so a connection waits no longer
than that even if the other worker is stuck.
"""

from __future__ import annotations

import multiprocessing
import os
from multiprocessing.sharedctypes import RawArray
from typing import Any

from gevent.server import StreamServer

from dakg.settings import MAX_WORKERS

from .admission import is_alive

HANDOFF = 0.01  # seconds a busier worker leaves a new connection to the others


class Spread:
    """The connections each web worker holds, a row per worker, claimed by its pid."""

    def __init__(self) -> None:
        self._lock = multiprocessing.Lock()
        self._owners = RawArray("q", MAX_WORKERS)
        self._held = RawArray("i", MAX_WORKERS)
        self._row: int | None = None

    def join(self) -> None:
        """Claim a row for this web worker (after the fork): one no live worker owns."""
        with self._lock:
            for row in range(MAX_WORKERS):
                owner = self._owners[row]
                if owner == 0 or not is_alive(owner):
                    self._owners[row] = os.getpid()
                    self._held[row] = 0
                    self._row = row
                    return
        # More workers than rows (settings forbid it): this one takes its connections as
        # gevent would, and does not count them.

    def forget(self, pid: int) -> None:
        """Free the row of web worker ``pid``, which has ended (called by the master)."""
        with self._lock:
            for row in range(MAX_WORKERS):
                if self._owners[row] == pid:
                    self._owners[row] = 0
                    self._held[row] = 0

    def opened(self) -> None:
        if self._row is not None:
            self._held[self._row] += 1  # only this worker writes its row's count

    def closed(self) -> None:
        if self._row is not None:
            self._held[self._row] -= 1

    def busier_than_another(self) -> bool:
        """This worker holds more connections than some other live web worker."""
        if self._row is None:
            return False
        mine = self._held[self._row]
        return any(self._owners[row] != 0 and self._held[row] < mine
                   for row in range(MAX_WORKERS) if row != self._row)


class SpreadServer(StreamServer):  # type: ignore[misc]
    """gevent's server for a listening socket, leaving new connections to a web worker that
    holds fewer when there is one (see the module's docstring)."""

    max_accept = 1  # one connection at a time, then look at the counts again

    def __init__(self, listener: Any, *, spread: Spread, **options: Any) -> None:
        super().__init__(listener, **options)
        self._spread = spread
        self._overdue = False  # left to the others once already: accept it now

    def do_read(self) -> Any:
        if not self._overdue and self._spread.busier_than_another():
            self.stop_accepting()
            self._timer = self.loop.timer(HANDOFF)
            self._timer.start(self._accept_what_is_left)
            return None
        accepted = super().do_read()
        if accepted is not None:
            self._spread.opened()
        return accepted

    def do_close(self, sock: Any, *args: Any) -> None:
        try:
            super().do_close(sock, *args)
        finally:
            self._spread.closed()

    def _accept_what_is_left(self) -> None:
        self._overdue = True
        try:
            self._do_read()  # takes a connection no other worker took, if one waits
        finally:
            self._overdue = False
        self._start_accepting_if_started()

