"""The table of a pool's query processes, in shared memory: each slot's process, whether it is
free, and which web worker and client hold it.

The table is made before gunicorn forks its web workers, so every web worker and the pool's
keeper (``keeper.py``) see and change the same one, under one lock. The keeper fills empty
slots and empties the slot of a process that ended, reaping it *under the lock*: so a process
found in the table under the lock has not been reaped, its pid cannot have been reused, and
a web worker may kill it by pid.
"""

from __future__ import annotations

import enum
import multiprocessing
import os
import signal
import zlib
from multiprocessing.sharedctypes import RawArray


class State(enum.IntEnum):
    EMPTY = 0  # no process: the keeper is starting one
    FREE = 1  # up and waiting for a query
    BUSY = 2  # running a query for a web worker (OWNER) and a client (CLIENT)
    DOOMED = 3  # killed (a query past its time, a web worker gone); the keeper replaces it


# The cells of a slot.
PID, STATE, OWNER, CLIENT, ENDED_PID, ENDED_CODE = range(6)
CELLS = 6


def client_key(client: str) -> int:
    """The number a client is counted under; 0 is no client. Two clients of the same number
    share a share, which errs on the side of waiting."""
    return 1 + zlib.crc32(client.encode())


class ProcessTable:
    def __init__(self, size: int) -> None:
        self.size = size
        self.lock = multiprocessing.Lock()
        self._cells = RawArray("q", size * CELLS)

    def _get(self, slot: int, cell: int) -> int:
        return int(self._cells[slot * CELLS + cell])

    def _set(self, slot: int, cells: dict[int, int]) -> None:
        for cell, value in cells.items():
            self._cells[slot * CELLS + cell] = value

    # The keeper's side.

    def empty(self) -> list[int]:
        with self.lock:
            return [s for s in range(self.size) if self._get(s, STATE) == State.EMPTY]

    def started(self, slot: int, pid: int) -> None:
        with self.lock:
            self._set(slot, {PID: pid, STATE: State.FREE, OWNER: 0, CLIENT: 0})

    def ended(self, slot: int, pid: int, code: int) -> None:
        """The process ``pid`` of ``slot`` has been reaped (the caller holds the lock) with
        exit status ``code``: the slot is empty, its holder may read the status."""
        self._set(slot, {PID: 0, STATE: State.EMPTY, OWNER: 0, CLIENT: 0, ENDED_PID: pid,
                         ENDED_CODE: code})

    # The web workers' side.

    def claim(self, client: int, share: int) -> tuple[int, int] | None:
        """A free slot and its process, now BUSY for ``client`` and this web worker; None if
        none is free or the client already holds ``share`` of them."""
        with self.lock:
            if self._held(client) >= share:
                return None
            for slot in range(self.size):
                if self._get(slot, STATE) == State.FREE:
                    self._set(slot, {STATE: State.BUSY, OWNER: os.getpid(), CLIENT: client})
                    return slot, self._get(slot, PID)
            return None

    def held(self, client: int) -> int:
        with self.lock:
            return self._held(client)

    def _held(self, client: int) -> int:
        return sum(1 for s in range(self.size) if self._get(s, STATE) == State.BUSY
                   and self._get(s, CLIENT) == client)

    def release(self, slot: int, pid: int) -> None:
        """The query on ``pid`` has ended well: the process is free again."""
        with self.lock:
            if self._get(slot, PID) == pid and self._get(slot, STATE) == State.BUSY:
                self._set(slot, {STATE: State.FREE, OWNER: 0, CLIENT: 0})

    def kill(self, slot: int, pid: int) -> None:
        """Kill ``pid`` if it is still the process of ``slot`` (not yet reaped)."""
        with self.lock:
            self._kill(slot, pid)

    def _kill(self, slot: int, pid: int) -> None:
        if self._get(slot, PID) == pid and self._get(slot, STATE) in (State.FREE, State.BUSY):
            os.kill(pid, signal.SIGKILL)
            self._set(slot, {STATE: State.DOOMED, OWNER: 0, CLIENT: 0})

    def forget(self, owner: int) -> None:
        """Kill the processes the web worker ``owner`` holds: it has ended (or is closing),
        and what it left in them cannot be trusted with another query."""
        with self.lock:
            for slot in range(self.size):
                if self._get(slot, STATE) == State.BUSY and self._get(slot, OWNER) == owner:
                    self._kill(slot, self._get(slot, PID))

    def exit_status(self, slot: int, pid: int) -> int | None:
        """The exit status of ``pid``, once the keeper has reaped it (else None)."""
        with self.lock:
            if self._get(slot, ENDED_PID) == pid and self._get(slot, PID) != pid:
                return self._get(slot, ENDED_CODE)
            return None

    def pids(self) -> list[int]:
        """The processes up (free or busy)."""
        with self.lock:
            return [self._get(s, PID) for s in range(self.size)
                    if self._get(s, STATE) in (State.FREE, State.BUSY)]
