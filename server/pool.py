"""The server's query processes, shared by all its web workers; one killed and replaced when
its query outlives the time limit.

Oxigraph cannot cancel a query, so the only way to stop one is to stop the process running it.
A keeper (``keeper.py``) keeps ``size`` query processes (``worker.py``) up and lists them in a
table in shared memory (``process_table.py``); each listens on a Unix socket in the pool's
private folder. A web worker claims a free process in the table, sends it the query over its
socket, and frees it when the answer is in; a query that does not answer in time gets its
process killed (which frees the CPU at once), and the keeper starts another in its place
while the other processes go on serving.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
import time
from dataclasses import dataclass, field

from .admission import POLL, TooManyFromClient
from .child import ChildDied, describe_exit, socket_path
from .framing import read_frame, write_frame
from .jobs import Job, Reply
from .keeper import STARTUP_TIMEOUT, Keeper
from .process_table import ProcessTable, client_key
from .sandbox import Sandbox

REAP_WAIT = 5.0  # seconds to wait for the keeper to reap a process that ended


class QueryTimeout(Exception):
    """The query ran past the time limit; its process was killed."""


class WorkerCrashed(Exception):
    """The query process died while running the query (the engine crashed on it).

    ``out_of_memory`` is set when it died of an allocation failure under its memory limit.
    """

    def __init__(self, message: str, *, out_of_memory: bool = False) -> None:
        super().__init__(message)
        self.out_of_memory = out_of_memory


class PoolBusy(Exception):
    """No query process became free in time."""


class PoolClosed(Exception):
    pass


class _Connection:
    """A web worker's connection to one query process, kept from query to query."""

    def __init__(self, path: str, timeout: float) -> None:
        self.socket = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.socket.settimeout(timeout)
        try:
            self.socket.connect(path)
        except OSError:
            self.socket.close()
            raise
        self.inbox = self.socket.makefile("rb")
        self.outbox = self.socket.makefile("wb")

    def close(self) -> None:
        for stream in (self.inbox, self.outbox, self.socket):
            stream.close()


@dataclass
class _Local:
    """What one process (a web worker) keeps of the pool for itself: made after the fork, so
    that under gevent its waits let the worker's other requests run."""

    changed: threading.Condition = field(default_factory=threading.Condition)
    closed: bool = False
    connections: dict[int, _Connection] = field(default_factory=dict)  # by process id


class QueryPool:
    """``size`` query processes for every web worker that inherits this pool (``shared``: the
    keeper is a process, forked now, before the web workers are) or for the threads of this
    process alone.

    One client may hold at most ``share`` of them at once (half, at least one), whichever web
    workers its queries arrive on: its further queries wait for one of its own to end, so
    that a client sending many slow queries leaves processes for everyone else. Only a query
    holding a process counts; one waiting for a process holds nothing.
    """

    def __init__(self, size: int, timeout: float, sandbox: Sandbox,
                 in_memory_bytes: int = 0, max_response_bytes: int = 0, *,
                 shared: bool = False) -> None:
        self.size = size
        self.timeout = timeout
        self.share = max(1, size // 2)
        # The processes' sockets, and the files long answers come back in (not in memory):
        # private to this server (0700).
        self.folder = tempfile.mkdtemp(prefix="dakg-pool-")
        self.table = ProcessTable(size)
        self._creator = os.getpid()
        self._local_of: tuple[int, _Local] | None = None
        self._keeper = Keeper(self.table, sandbox,
                              (str(in_memory_bytes), str(max_response_bytes), self.folder))
        if shared:
            self._keeper.start_process()
        else:
            self._keeper.start_thread()

    def run(self, job: Job, *, wait: float, client: str = "") -> Reply:
        """Run ``job`` for ``client`` on a free process; wait at most ``wait`` seconds for one
        to be free (``PoolBusy``) and for the client to be under its share
        (``TooManyFromClient``)."""
        slot, pid = self._claim(wait, client_key(client))
        try:
            reply = self._ask(slot, pid, job)
            self.table.release(slot, pid)
            return reply
        except BaseException:
            # An interrupted exchange leaves the socket out of step: the process cannot be
            # trusted with another query.
            self.table.kill(slot, pid)
            self._disconnect(pid)
            raise
        finally:
            local = self._local()
            with local.changed:  # this worker's waiters look again at once
                local.changed.notify_all()

    def close(self) -> None:
        """This process stops using the pool (the processes it holds are killed); the process
        that made the pool also stops its keeper and every query process."""
        local = self._local()
        with local.changed:
            local.closed = True
            local.changed.notify_all()
        self.table.forget(os.getpid())
        for pid in list(local.connections):
            self._disconnect(pid)
        if os.getpid() == self._creator:
            self._keeper.stop()
            shutil.rmtree(self.folder, ignore_errors=True)

    def forget(self, web_worker: int) -> None:
        """The web worker ``web_worker`` has ended: kill the processes it held."""
        self.table.forget(web_worker)

    def wait_until_full(self, timeout: float = STARTUP_TIMEOUT) -> bool:
        """Wait until all ``size`` processes are up; False if they are not in time."""
        deadline = time.monotonic() + timeout
        while len(self.table.pids()) < self.size:
            if time.monotonic() >= deadline:
                return False
            time.sleep(POLL)
        return True

    def pids(self) -> list[int]:
        return self.table.pids()

    def _local(self) -> _Local:
        pid = os.getpid()
        if self._local_of is None or self._local_of[0] != pid:
            self._local_of = (pid, _Local())
        return self._local_of[1]

    def _claim(self, wait: float, client: int) -> tuple[int, int]:
        deadline = time.monotonic() + wait
        local = self._local()
        with local.changed:
            while True:
                if local.closed:
                    raise PoolClosed()
                claimed = self.table.claim(client, self.share)
                if claimed is not None:
                    return claimed
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    if self.table.held(client) >= self.share:
                        raise TooManyFromClient()
                    raise PoolBusy()
                # Woken at once when a query of this web worker ends; the others' queries end
                # without telling it, so it also looks again every POLL seconds.
                local.changed.wait(min(remaining, POLL))

    def _ask(self, slot: int, pid: int, job: Job) -> Reply:
        try:
            reply = self._exchange(pid, job)
        except TimeoutError as e:
            self._end(slot, pid)
            raise QueryTimeout(f"no answer within {self.timeout:g} s") from e
        if reply is None:
            died = ChildDied("the query process died", self._end(slot, pid))
            raise WorkerCrashed(f"the query process died ({describe_exit(died.code)})",
                                out_of_memory=died.out_of_memory) from died
        assert isinstance(reply, Reply)
        return reply

    def _exchange(self, pid: int, job: Job) -> object | None:
        """The answer of process ``pid`` to ``job``; None if it went away first."""
        try:
            connection = self._connection(pid)
            write_frame(connection.outbox, job)
            return read_frame(connection.inbox)
        except TimeoutError:
            raise
        except OSError:  # refused or reset: it died
            return None

    def _connection(self, pid: int) -> _Connection:
        connections = self._local().connections
        if pid not in connections:
            up = set(self.table.pids())
            for gone in [p for p in connections if p not in up]:  # replaced since
                self._disconnect(gone)
            connections[pid] = _Connection(socket_path(self.folder, pid), self.timeout)
        return connections[pid]

    def _disconnect(self, pid: int) -> None:
        if (connection := self._local().connections.pop(pid, None)) is not None:
            connection.close()

    def _end(self, slot: int, pid: int) -> int | None:
        """Kill ``pid`` (unless it has ended) and wait until the keeper has reaped it, so that
        its CPU is free: its exit status (None if not reaped in time)."""
        self.table.kill(slot, pid)
        self._disconnect(pid)
        deadline = time.monotonic() + REAP_WAIT
        while (status := self.table.exit_status(slot, pid)) is None:
            if time.monotonic() >= deadline:
                return None
            time.sleep(POLL)
        return status
