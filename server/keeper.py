"""The keeper of a pool's query processes: it starts them, replaces each one that ends, and
publishes them in the pool's table (``process_table.py``).

Under ``dakg serve`` the keeper is a process of its own, forked by gunicorn's master before
the web workers, so that it is the parent of every query process: gunicorn's master reaps
every child of its own, and would take a query process's exit status (which says whether it
ran out of memory) and free its pid for reuse while the table still named it. A pool used in
one process (the app's test clients) keeps its processes from a thread instead.

Either way the processes are started from one long-lived thread: Linux delivers the
parent-death signal (``PR_SET_PDEATHSIG``) when the *thread* that started a child ends.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import signal
import threading

from .child import Child, ChildDied, ChildTimeout, die_with_parent, socket_path
from .process_table import ProcessTable
from .sandbox import Sandbox

log = logging.getLogger(__name__)

STARTUP_TIMEOUT = 60.0
RETRY = 1.0  # seconds before starting a process again after a start failed


class Keeper:
    """Keeps a query process (``worker.py``) in every slot of ``table``; ``args`` are those
    of ``worker.main``, the last one the pool's folder (sockets and spool files)."""

    def __init__(self, table: ProcessTable, sandbox: Sandbox, args: tuple[str, ...]) -> None:
        self.table = table
        self.sandbox = sandbox
        self.args = args
        self.folder = args[-1]
        self._children: dict[int, Child] = {}  # slot -> its process
        self._stopping = False
        self._wake_r, self._wake_w = os.pipe()
        self._thread: threading.Thread | None = None
        self._pid = 0

    def start_thread(self) -> None:
        self._thread = threading.Thread(target=self._keep, name="query-keeper", daemon=True)
        self._thread.start()

    def start_process(self) -> None:
        """Fork the keeper; it ends with the process that forked it."""
        parent = os.getpid()
        pid = os.fork()
        if pid:
            self._pid = pid
            return
        try:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C: the master stops it
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            die_with_parent()
            if os.getppid() == parent:
                self._keep()
        except BaseException:
            log.exception("the keeper of the query processes failed")
        finally:
            os._exit(0)  # never a status gunicorn reads as a worker's boot failure

    def stop(self) -> None:
        """Stop the keeper and its processes."""
        if self._pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._pid, signal.SIGTERM)  # its processes die with it
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self._pid, 0)
            self._pid = 0
        elif self._thread is not None:
            self._stopping = True
            os.write(self._wake_w, b"x")
            self._thread.join()
            self._thread = None

    def _keep(self) -> None:
        try:
            while not self._stopping:
                started = self._fill()
                self._watch(None if started else RETRY)
        finally:
            for slot in list(self._children):
                self._reap(slot, kill=True)

    def _fill(self) -> bool:
        """Start a process in every empty slot; False if one could not be started."""
        for slot in self.table.empty():
            if self._stopping:
                return True
            try:
                child = Child("dakg.server.worker", self.sandbox, STARTUP_TIMEOUT, args=self.args)
            except (OSError, ChildDied, ChildTimeout) as e:
                log.error("could not start a query process: %s", e)
                return False
            self._children[slot] = child
            self.table.started(slot, child.pid)
        return True

    def _watch(self, timeout: float | None) -> None:
        """Wait until a process ends (its pipe hangs up), or the wake-up; reap what ended."""
        poller = select.poll()
        poller.register(self._wake_r, select.POLLIN)
        slots = {child.fileno(): slot for slot, child in self._children.items()}
        for fd in slots:
            poller.register(fd, select.POLLIN | select.POLLHUP)
        for fd, _ in poller.poll(None if timeout is None else timeout * 1000):
            if fd == self._wake_r:
                os.read(self._wake_r, 64)
            else:
                self._reap(slots[fd])

    def _reap(self, slot: int, *, kill: bool = False) -> None:
        child = self._children.pop(slot)
        with self.table.lock:  # see process_table.py: no pid is freed while the table names it
            if kill:
                child.kill()
            self.table.ended(slot, child.pid, child.reap())
        with contextlib.suppress(OSError):
            os.unlink(socket_path(self.folder, child.pid))
