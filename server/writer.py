"""A write process: applies one write to a copy of the live store, publishes it, and exits.

Readers must not open a store that someone writes to, so nobody ever writes to a store
readers use. A write copies the current checkpoint (``Store.backup``: hard links, cheap)
into a work folder, applies itself there, and then becomes the new checkpoint
``live/builds/<version>`` by a rename; moving the link ``live/current`` to it, one more
rename, is the moment the write happens. A write killed (past the time limit) or failing
before that leaves the data as it was; its work folder is swept by the next write. When the
reply says done, the write is on disk.
"""

from __future__ import annotations

import dataclasses
import errno
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from dakg.graph.live import start_live_copy
from dakg.graph.rdf_input import UnsafeInput, format_for, parse_rdf
from dakg.graph.store import BUILDS, switch_current
from dakg.sparql_syntax import explain

from .child import serve
from .jobs import Fault, WriteJob, WriteReply

KEEP = 3  # checkpoints always kept besides the current one
GRACE_SECONDS = 120.0  # and none younger than this: a query may still be reading it
_WORK_PREFIX = ".work-"


def apply(job: WriteJob) -> WriteReply:
    try:
        _check_input(job)  # before a store is copied or opened: refusing a body needs none
    except Exception as e:
        return WriteReply.failed(*_fault(e))
    live = Path(job.live)
    for stale in live.glob(f"{_WORK_PREFIX}*"):  # left by a write that was killed
        shutil.rmtree(stale, ignore_errors=True)
    try:
        work = Path(tempfile.mkdtemp(prefix=_WORK_PREFIX, dir=live))
    except OSError as e:
        return WriteReply.failed(Fault.SYSTEM, f"cannot make a work folder in {live}: {e}")
    try:
        ox.Store.read_only(str(live / "current" / "store")).backup(str(work / "store"))
        store = ox.Store(str(work / "store"))
        outcome = _write(store, job)
        store.flush()
        del store  # closed: from now on nobody writes to it
        version = next_version(os.readlink(live / "current"))
        work.chmod(0o755)
        work.rename(live / BUILDS / version)
    except BaseException as e:
        shutil.rmtree(work, ignore_errors=True)
        if isinstance(e, Exception):
            return WriteReply.failed(*_fault(e))
        raise
    switch_current(live, live / BUILDS / version)
    _prune(live)
    return dataclasses.replace(outcome, version=version)


def _fault(error: Exception) -> tuple[Fault, str]:
    """Whose fault a failed write is: the client's (4xx) or the server's (5xx)."""
    if isinstance(error, SyntaxError):
        return Fault.SYNTAX, str(error)
    if isinstance(error, UnsafeInput):
        return Fault.INPUT, str(error)
    if isinstance(error, TooDeep):
        return Fault.TOO_LARGE, str(error)
    if isinstance(error, MemoryError):
        return Fault.TOO_LARGE, ""  # the web server names the limit
    if isinstance(error, OSError):
        full = error.errno in (errno.ENOSPC, errno.EDQUOT)
        return (Fault.DISK_FULL if full else Fault.SYSTEM), str(error)
    # Oxigraph reports an update's own errors (CREATE of an existing graph, DROP of a missing
    # one) as RuntimeError or ValueError.
    return Fault.EVALUATION, str(error)


def _write(store: ox.Store, job: WriteJob) -> WriteReply:
    if job.op == "update":
        try:
            store.update(job.text, base_iri=job.base_iri, prefixes=job.prefixes)
        except SyntaxError as e:
            raise SyntaxError(explain(job.text, str(e), "update")) from e
        return WriteReply()
    graph = ox.NamedNode(job.graph) if job.graph else ox.DefaultGraph()
    existed = any(True for _ in store.quads_for_pattern(None, None, None, graph))
    if isinstance(graph, ox.NamedNode):
        existed = existed or store.contains_named_graph(graph)
    if job.op == "delete":
        if not existed:
            return WriteReply(existed=False)
        if isinstance(graph, ox.NamedNode):
            store.remove_graph(graph)
        else:
            store.clear_graph(graph)
        return WriteReply(existed=True)
    quads = parse_rdf(job.data, format_for(job.media_type), base_iri=job.graph or job.base_iri,
                      graph=graph)
    if any(q.graph_name != graph for q in quads):
        raise UnsafeInput("the body holds named graphs; send a graph format (Turtle, "
                          "N-Triples, RDF/XML, JSON-LD) to one graph")
    if job.op == "put" and existed:
        store.clear_graph(graph)
    store.extend(quads)
    if isinstance(graph, ox.NamedNode) and not store.contains_named_graph(graph):
        store.add_graph(graph)
    return WriteReply(existed=existed, count=len(quads))


def _check_input(job: WriteJob) -> None:
    if job.op not in ("update", "delete") and format_for(job.media_type) == ox.RdfFormat.JSON_LD:
        _check_nesting(job.data)


def _check_nesting(data: bytes) -> None:
    """Refuse JSON nested deeper than Python's recursion limit (about 1,000 levels): the
    JSON-LD parser recurses on nesting, and a few thousand levels overflow its stack."""
    try:
        json.loads(data)
    except RecursionError:
        raise TooDeep(f"the JSON-LD nests deeper than {sys.getrecursionlimit()} levels, the "
                      "most a write on this server takes") from None
    except ValueError:
        pass  # not JSON: the parser says where


class TooDeep(Exception):
    """The data nests deeper than the parser can take."""


def next_version(current: str) -> str:
    """``<origin>-w<n>`` → ``<origin>-w<n+1>`` (the link target may be a path)."""
    origin, _, number = Path(current).name.rpartition("-w")
    return f"{origin or 'live'}-w{int(number or 0) + 1:06d}"


def _write_number(checkpoint: Path) -> int:
    number = checkpoint.name.rpartition("-w")[2]
    return int(number) if number.isdigit() else -1


def _prune(live: Path) -> None:
    current = (live / "current").resolve()
    others = sorted((p for p in (live / BUILDS).iterdir() if p.resolve() != current),
                    key=_write_number)
    now = time.time()
    for old in others[:-KEEP]:
        if now - old.stat().st_mtime > GRACE_SECONDS:
            shutil.rmtree(old, ignore_errors=True)


def initialise(live: Path, source_store: str, origin: str) -> None:
    """Create the live store from a read-only build the first time writing is turned on."""
    if (live / "current").is_symlink():
        return
    start_live_copy(live, source_store, origin, origin)


def _handle(job: object) -> WriteReply:
    assert isinstance(job, WriteJob)
    return apply(job)


def main(argv: list[str]) -> int:
    return serve(argv, _handle, once=True)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
