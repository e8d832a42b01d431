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

from multiprocessing.sharedctypes import RawArray
from typing import Any

from gevent.server import StreamServer

from dakg.settings import MAX_WORKERS

from .worker_rows import WorkerRows

HANDOFF = 0.01  # seconds a busier worker leaves a new connection to the others


class Spread:
    """The connections each web worker holds, a row per worker (``worker_rows.py``)."""

    def __init__(self) -> None:
        self._held = RawArray("i", MAX_WORKERS)
        self._rows = WorkerRows(self._clear)

    def join(self) -> None:
        """Claim a row for this web worker (after the fork). With more workers than rows
        (settings forbid it) this one takes its connections as gevent would, uncounted."""
        with self._rows.lock:
            self._rows.claim()

    def forget(self, pid: int) -> None:
        """Free the row of web worker ``pid``, which has ended (called by the master)."""
        self._rows.forget(pid)

    def opened(self) -> None:
        row = self._rows.mine
        if row is not None:
            self._held[row] += 1  # only this worker writes its row's count

    def closed(self) -> None:
        row = self._rows.mine
        if row is not None:
            self._held[row] -= 1

    def busier_than_another(self) -> bool:
        """This worker holds more connections than some other live web worker."""
        mine = self._rows.mine
        if mine is None:
            return False
        held = self._held[mine]
        return any(self._rows.owned(row) and self._held[row] < held
                   for row in self._rows.used() if row != mine)

    def _clear(self, row: int) -> None:
        self._held[row] = 0


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

