"""A query process: runs one query at a time on a store and writes the result.

The web server starts these processes (``pool.py``, through ``child.py``) and kills one whose
query runs past the time limit, so a runaway query never holds a web worker or the CPU beyond
its limit, and a query that crashes the engine takes only its own process with it.

A dataset small enough (``in_memory_mb``) is copied into memory when the process first meets
it: Oxigraph answers a join there about ten times faster than on its RocksDB store. A larger
one is read from the store on disk.
"""

from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from dakg.graph.dumps import FORMATS, dump_name, open_dump
from dakg.graph.store import DUMPS
from dakg.sparql_syntax import explain

from . import results
from .child import serve
from .jobs import SPOOL_BYTES, Fault, Job, Reply
from .sparql_scan import own_limit

DUMP = dump_name(FORMATS["nquads"])  # the build's N-Quads dump, beside its store


class Worker:
    def __init__(self, in_memory_bytes: int = 0, max_bytes: int = 0,
                 spool: str | None = None) -> None:
        self.in_memory_bytes = in_memory_bytes
        self.max_bytes = max_bytes  # 0: no limit
        self.spool = spool
        self.store: ox.Store | None = None
        self.path: str | None = None

    def handle(self, job: object) -> Reply:
        assert isinstance(job, Job)
        if job.store != self.path:
            self.store = None  # close the old store before opening the new one
            self.path = None
            try:
                self.store = open_store(job.store, self.in_memory_bytes)
            except (OSError, RuntimeError) as e:  # RocksDB reports corruption as RuntimeError
                return Reply.failed(Fault.STORE, f"cannot open the store {job.store}: {e}")
            except MemoryError:
                return Reply.failed(Fault.TOO_LARGE, "the data does not fit in memory")
            self.path = job.store
        assert self.store is not None
        try:
            reply = self._query(self.store, job)
            if self.max_bytes and len(reply.body) > self.max_bytes:
                reply = self._cut(self.store, job, reply)
            return self._spooled(reply)
        except SyntaxError as e:
            return Reply.failed(Fault.SYNTAX, str(e))
        except MemoryError:
            return Reply.failed(Fault.TOO_LARGE, "the result does not fit in memory")
        except OSError as e:
            return Reply.failed(Fault.SYSTEM, str(e))
        except (ValueError, RuntimeError) as e:
            return Reply.failed(Fault.EVALUATION, str(e))

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
            return Reply(body=results.boolean(answer, fmt), count=1, truncated=False)
        if isinstance(answer, ox.QuerySolutions):
            own = own_limit(job.text)
            body, count, cut = results.solutions(answer, fmt, cap,
                                                 bounded=own is not None and own <= cap)
            return Reply(body=body, count=count, truncated=cut)
        triples, cut = results.take(answer, cap)
        body = results.graph(triples, fmt, job.prefixes, cap if cut else None)  # type: ignore[arg-type]
        return Reply(body=body, count=len(triples), truncated=cut)

    def _cut(self, store: ox.Store, job: Job, reply: Reply) -> Reply:
        """``reply`` cut at a row boundary to at most ``max_bytes`` bytes, marked as cut."""
        for _ in range(3):
            # A result written straight from the query's own LIMIT was not counted: the
            # cap bounds it.
            known = job.row_limit if reply.count is None else reply.count
            rows = known * self.max_bytes * 9 // (len(reply.body) * 10)
            reply = self._query(store, replace(job, row_limit=rows))
            if len(reply.body) <= self.max_bytes:
                return replace(reply, truncated=True, cut_by_size=True)
        return replace(self._query(store, replace(job, row_limit=0)), truncated=True,
                       cut_by_size=True)

    def _spooled(self, reply: Reply) -> Reply:
        if self.spool is None or len(reply.body) <= SPOOL_BYTES:
            return reply
        try:
            handle, path = tempfile.mkstemp(dir=self.spool)
            with os.fdopen(handle, "wb") as file:
                file.write(reply.body)
        except OSError:
            return reply  # no room on the disk: through the pipe after all
        return replace(reply, body=b"", spool=path)


def open_store(path: str, in_memory_bytes: int) -> ox.Store:
    """The store at ``path`` (read-only), or a copy of it in memory if its data takes at most
    ``in_memory_bytes`` (measured as its folder on disk: some 1.4 times its N-Quads)."""
    on_disk = ox.Store.read_only(path)
    dump = Path(path).parent / DUMPS / DUMP
    if _folder_size(Path(path)) > in_memory_bytes:
        return on_disk
    memory = ox.Store()
    # Not bulk_extend: its loader reserves hundreds of MB of buffers, which would count
    # against the process's memory limit. Parsing the dump is twice as fast as reading the
    # store.
    if dump.is_file():
        with open_dump(dump) as data:
            memory.extend(ox.parse(data, format=ox.RdfFormat.N_QUADS))
    else:
        memory.extend(on_disk.quads_for_pattern(None, None, None, None))
    for graph in on_disk.named_graphs():  # empty named graphs have no quads to carry them
        memory.add_graph(graph)
    return memory


def _folder_size(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.iterdir() if f.is_file())


def main(argv: list[str]) -> int:
    """Arguments after the sandbox's: in-memory limit, response limit (bytes), spool folder."""
    in_memory, max_bytes, spool = [*argv[6:], "0", "0", ""][:3]
    worker = Worker(int(in_memory), int(max_bytes), spool or None)
    return serve(argv, worker.handle)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
