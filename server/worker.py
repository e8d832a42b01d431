"""A query process: runs one query at a time on a read-only store and writes the result.

The web server starts these processes (``pool.py``) and kills one whose query runs past the
time limit, so a runaway query never holds a web worker or the CPU beyond its limit, and a
query that crashes the engine takes only its own process with it.

It speaks in frames (``framing.py``) over two pipes it inherits from its parent.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from typing import Any

import pyoxigraph as ox

from dakg.sparql_syntax import explain

from . import results
from .framing import read_frame, write_frame
from .jobs import Job, Reply
from .sandbox import Sandbox
from .sparql_scan import own_limit


class Worker:
    def __init__(self) -> None:
        self.store: ox.Store | None = None
        self.path: str | None = None

    def handle(self, job: Job) -> Reply:
        if job.store != self.path:
            self.store = None  # close the old store before opening the new one
            self.path = None
            try:
                self.store = ox.Store.read_only(job.store)
            except OSError as e:
                return {"error": "store", "message": f"cannot open the store: {e}"}
            self.path = job.store
        assert self.store is not None
        try:
            return self._query(self.store, job)
        except SyntaxError as e:
            return {"error": "syntax", "message": str(e)}
        except (OSError, ValueError, RuntimeError) as e:
            return {"error": "engine", "message": str(e)}

    def _query(self, store: ox.Store, job: Job) -> Reply:
        options: dict[str, Any] = {}
        if job.default_graphs is not None:
            options["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
        elif job.union:
            options["use_default_graph_as_union"] = True
        if job.named_graphs is not None:
            options["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
        try:
            answer = store.query(job.text, base_iri=job.base_iri, prefixes=job.prefixes,
                                 **options)
        except SyntaxError as e:
            raise SyntaxError(explain(job.text, str(e))) from e
        fmt, cap = job.format, job.row_limit
        if isinstance(answer, ox.QueryBoolean):
            return {"body": results.boolean(answer, fmt), "count": 1, "truncated": False}
        if isinstance(answer, ox.QuerySolutions):
            own = own_limit(job.text)
            body, cut = results.solutions(answer, fmt, cap,
                                          bounded=own is not None and own <= cap)
            return {"body": body, "count": None, "truncated": cut}
        triples, cut = results.take(answer, cap)
        body = results.graph(triples, fmt, job.prefixes, cap if cut else None)  # type: ignore[arg-type]
        return {"body": body, "count": len(triples), "truncated": cut}


def die_with_parent() -> None:
    """Ask Linux to kill this process when the thread that started it goes."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the closed pipe still ends the loop
        pass


def main(argv: list[str]) -> int:
    read_fd, write_fd, parent = (int(a) for a in argv[1:4])
    die_with_parent()
    if os.getppid() != parent:  # the parent went before prctl took effect
        return 1
    Sandbox.from_argv(*argv[4:6]).enter()
    sys.stdout = sys.stderr  # the result pipe carries frames only
    inbox = os.fdopen(read_fd, "rb")
    outbox = os.fdopen(write_fd, "wb")
    worker = Worker()
    write_frame(outbox, {"ready": True})
    while (frame := read_frame(inbox)) is not None:
        write_frame(outbox, worker.handle(frame["job"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
