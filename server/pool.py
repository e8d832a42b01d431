"""A pool of query processes, each killed and replaced when its query outlives the time limit.

Oxigraph cannot cancel a query, so the only way to stop one is to stop the process running it.
Each web worker owns a few query processes (``worker.py``) and hands each query to a free one;
a query that does not answer in time gets its process killed (which frees the CPU at once)
and a new process started in its place, while the other processes go on serving.

Processes are started from one long-lived thread: Linux delivers the parent-death signal
(``PR_SET_PDEATHSIG``) when the *thread* that started a child ends, so starting children from
short-lived request threads would kill them at random.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import shutil
import tempfile
import threading
import time
from collections.abc import Callable

from .admission import POLL, Admission, TooManyFromClient
from .child import Child, ChildDied, ChildTimeout, describe_exit
from .jobs import Job, Reply
from .sandbox import Sandbox

log = logging.getLogger(__name__)

STARTUP_TIMEOUT = 60.0
# How long a client within its share waits for a process lent to another client before the
# loan is taken back (its query stopped and run again later): longer than a quick query takes,
# so that a client alone on a web worker keeps its loans while others' quick queries pass.
RECLAIM_AFTER = 0.25


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


class QueryProcess:
    def __init__(self, sandbox: Sandbox, args: tuple[str, ...] = ()) -> None:
        """``args``: those of ``worker.main`` (in-memory limit, response limit, spool)."""
        try:
            self.child = Child("dakg.server.worker", sandbox, STARTUP_TIMEOUT, args=args)
        except (ChildDied, ChildTimeout) as e:
            raise WorkerCrashed(f"the query process did not start ({e})") from e

    @property
    def pid(self) -> int:
        return self.child.pid

    def run(self, job: Job, timeout: float) -> Reply:
        try:
            reply = self.child.ask(job, timeout)
        except ChildTimeout as e:
            raise QueryTimeout(str(e)) from e
        except ChildDied as e:
            raise WorkerCrashed(f"the query process died ({describe_exit(e.code)})",
                                out_of_memory=e.out_of_memory) from e
        assert isinstance(reply, Reply)
        return reply

    def kill(self) -> None:
        self.child.kill()

    def interrupt(self) -> None:
        """Stop its query now (SIGKILL only): the thread waiting for the answer sees the
        process die and discards it."""
        with contextlib.suppress(OSError):
            self.child.process.kill()


class QueryPool:
    """``size`` query processes shared by the threads of one web worker.

    One client may hold ``share`` of them at once (half, and at least one), and at most its
    share of all web workers' processes (``admission``'s ``process_share``), so that a
    client sending many slow queries leaves processes for everyone else. Both shares count
    the queries that hold a process, taken together in one step: a query waiting for a
    process of its own web worker does not hold up the client's queries on the others.

    The share of this web worker is a floor, not a ceiling: a free process is *lent* to a
    client past it while no other client within its share waits here. Clients' connections
    fall on web workers by chance, often all on one; without loans a client alone with its
    four connections on one web worker ran one query at a time, half of what the machine
    gives. A client within its share that waits ``RECLAIM_AFTER`` for a process while one is
    on loan takes it back: the loan's query is stopped and waits its turn again.
    """

    def __init__(self, size: int, timeout: float, sandbox: Sandbox,
                 in_memory_bytes: int = 0, max_response_bytes: int = 0,
                 admission: Admission | None = None,
                 warm: Callable[[], Job | None] | None = None,
                 warm_timeout: float = STARTUP_TIMEOUT) -> None:
        """``warm``: the query a new process runs before it takes queries (None: none), in
        at most ``warm_timeout`` seconds."""
        self.size = size
        self.timeout = timeout
        self.sandbox = sandbox
        # Long answers come back in files here (private to this web worker), not in memory.
        self.spool = tempfile.mkdtemp(prefix="dakg-spool-")
        self.args = (str(in_memory_bytes), str(max_response_bytes), self.spool)
        self.share = max(1, size // 2)
        self.admission = admission
        self.warm = warm
        self.warm_timeout = warm_timeout
        self._held: dict[str, int] = {}
        self._waiting: dict[str, int] = {}  # clients waiting here for a process
        self._lent: dict[QueryProcess, str] = {}  # processes held past a client's share
        self._reclaimed: set[QueryProcess] = set()
        self._free: list[QueryProcess] = []
        self._busy: set[QueryProcess] = set()
        self._closed = False
        self._changed = threading.Condition()
        self._requests: queue.SimpleQueue[bool] = queue.SimpleQueue()
        self._spawner = threading.Thread(target=self._spawn_forever, name="query-spawner",
                                         daemon=True)
        self._spawner.start()
        for _ in range(size):
            self._start_one()

    def run(self, job: Job, *, wait: float, client: str = "") -> Reply:
        """Run ``job`` for ``client`` on a free process; wait at most ``wait`` seconds for one
        to be free (``PoolBusy``) and for the client to be under its shares
        (``TooManyFromClient``)."""
        deadline = time.monotonic() + wait
        while True:
            process = self._acquire(deadline, client)
            try:
                reply = process.run(job, self.timeout)
            except BaseException as e:
                # A timeout, a crash, or an interrupted exchange that left the pipes out of
                # step: in every case the process cannot be trusted with another query.
                if self._discard(process, client) and isinstance(e, Exception):
                    continue  # a loan taken back: the query waits its turn again
                raise  # (a request interrupted meanwhile still ends)
            if self._release(process, client):
                # Let the query waiting for this process send it its job before this
                # request writes its answer: the process works meanwhile, not after.
                time.sleep(0)
            return reply

    def close(self) -> None:
        with self._changed:
            self._closed = True
            processes = [*self._free, *self._busy]
            self._free.clear()
            self._changed.notify_all()
        self._requests.put(False)
        for process in processes:
            process.kill()
        shutil.rmtree(self.spool, ignore_errors=True)

    def wait_until_full(self, timeout: float = STARTUP_TIMEOUT) -> bool:
        """Wait until all ``size`` processes are up; False if they are not in time."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self._free) + len(self._busy) < self.size:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._changed.wait(remaining)
            return True

    def pids(self) -> list[int]:
        with self._changed:
            return [p.pid for p in (*self._free, *self._busy)]

    def _acquire(self, deadline: float, client: str) -> QueryProcess:
        with self._changed:
            self._waiting[client] = self._waiting.get(client, 0) + 1
            try:
                return self._acquire_locked(deadline, client)
            finally:
                left = self._waiting.pop(client) - 1
                if left:
                    self._waiting[client] = left

    def _acquire_locked(self, deadline: float, client: str) -> QueryProcess:
        reclaim_at = time.monotonic() + RECLAIM_AFTER
        while True:
            if self._closed:
                raise PoolClosed()
            under_share = self._held.get(client, 0) < self.share
            allowed = under_share or not self._others_waiting(client)
            if self._free and allowed and self._take_share(client):
                break
            now = time.monotonic()
            remaining = deadline - now
            if remaining <= 0:
                raise PoolBusy() if under_share and not self._free else TooManyFromClient()
            if under_share and not self._free and self._lent_to_others(client):
                if now >= reclaim_at:
                    self._reclaim(client)
                    reclaim_at = now + RECLAIM_AFTER
                else:
                    remaining = min(remaining, reclaim_at - now)
            if self._free and allowed:  # over its share across web workers, whose
                remaining = min(remaining, POLL)  # queries end without telling this one
            self._changed.wait(remaining)
        process = self._free.pop()
        self._busy.add(process)
        self._held[client] = self._held.get(client, 0) + 1
        if not under_share:
            self._lent[process] = client
        return process

    def _others_waiting(self, client: str) -> bool:
        """Whether a client other than ``client``, within its share, waits here."""
        return any(other != client and self._held.get(other, 0) < self.share
                   for other in self._waiting)

    def _lent_to_others(self, client: str) -> bool:
        return any(holder != client for holder in self._lent.values())

    def _reclaim(self, client: str) -> None:
        """Take back the latest loan to a client other than ``client``: stop its query (its
        thread runs it again later)."""
        process = next(p for p in reversed(self._lent) if self._lent[p] != client)
        del self._lent[process]
        self._reclaimed.add(process)
        process.interrupt()

    def _take_share(self, client: str) -> bool:
        return self.admission is None or self.admission.take_process(client)

    def _let_go(self, client: str) -> None:
        held = self._held.pop(client) - 1
        if held:
            self._held[client] = held
        if self.admission is not None:
            self.admission.leave_process(client)
        # Every waiter looks again: the one woken must not be a client still at its share.
        self._changed.notify_all()

    def _release(self, process: QueryProcess, client: str) -> bool:
        """Put ``process`` back; whether a query waits for one."""
        with self._changed:
            if process not in self._reclaimed:
                self._busy.discard(process)
                self._lent.pop(process, None)
                self._let_go(client)
                if self._closed:
                    process.kill()
                else:
                    self._free.append(process)
                return bool(self._waiting)
        self._discard(process, client)  # it answered as it was being stopped
        return False

    def _discard(self, process: QueryProcess, client: str) -> bool:
        """Kill ``process`` and start another; True if it was a loan taken back."""
        process.kill()
        with self._changed:
            self._busy.discard(process)
            self._lent.pop(process, None)
            reclaimed = process in self._reclaimed
            self._reclaimed.discard(process)
            self._let_go(client)
        self._start_one()
        return reclaimed

    def _start_one(self) -> None:
        self._requests.put(True)

    def _spawn_forever(self) -> None:
        while self._requests.get():
            try:
                process = self._started()
            except (OSError, WorkerCrashed) as e:
                log.error("could not start a query process: %s", e)
                time.sleep(1)
                self._requests.put(True)
                continue
            with self._changed:
                if self._closed:
                    process.kill()
                    continue
                self._free.append(process)
                self._changed.notify_all()

    def _started(self) -> QueryProcess:
        """A new process, which has opened the data served now (``warm``) before it takes a
        query, so that no request waits for that (seconds on a store of a thousand reports;
        the copy into memory on a small one). Its answer does not matter: a store that cannot
        be opened is reported to the query that meets it. A process that could not open the
        data in ``warm_timeout`` seconds is replaced by one that will open it on its first query,
        as before: the pool is never left short for it."""
        process = QueryProcess(self.sandbox, self.args)
        job = self.warm() if self.warm is not None else None
        if job is None:
            return process
        try:
            process.run(job, self.warm_timeout)
        except (QueryTimeout, WorkerCrashed) as e:
            process.kill()
            log.warning("a new query process could not open %s before its first query (%s); "
                        "its replacement opens it on its first query", job.store, e)
            return QueryProcess(self.sandbox, self.args)
        return process
