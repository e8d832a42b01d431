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

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from dakg.graph.live import start_live_copy
from dakg.graph.rdf_input import UnsafeInput, format_for, parse_rdf
from dakg.graph.store import BUILDS, switch_current
from dakg.sparql_syntax import explain

from .framing import read_frame, write_frame
from .sandbox import Sandbox
from .worker import die_with_parent

KEEP = 3  # checkpoints always kept besides the current one
GRACE_SECONDS = 120.0  # and none younger than this: a query may still be reading it
_WORK_PREFIX = ".work-"


def apply(live: Path, job: dict[str, Any]) -> dict[str, Any]:
    for stale in live.glob(f"{_WORK_PREFIX}*"):  # left by a write that was killed
        shutil.rmtree(stale, ignore_errors=True)
    work = Path(tempfile.mkdtemp(prefix=_WORK_PREFIX, dir=live))
    try:
        ox.Store.read_only(str(live / "current" / "store")).backup(str(work / "store"))
        store = ox.Store(str(work / "store"))
        outcome = _write(store, job)
        store.flush()
        del store  # closed: from now on nobody writes to it
    except (SyntaxError, UnsafeInput, OSError, ValueError) as e:
        shutil.rmtree(work, ignore_errors=True)
        kind = "syntax" if isinstance(e, SyntaxError) else \
            "input" if isinstance(e, UnsafeInput) else "engine"
        return {"error": kind, "message": str(e)}
    version = next_version(os.readlink(live / "current"))
    work.chmod(0o755)
    work.rename(live / BUILDS / version)
    switch_current(live, live / BUILDS / version)
    _prune(live)
    return {"version": version, **outcome}


def _write(store: ox.Store, job: dict[str, Any]) -> dict[str, Any]:
    op = job["op"]
    if op == "update":
        try:
            store.update(job["text"], base_iri=job.get("base_iri"), prefixes=job.get("prefixes"))
        except SyntaxError as e:
            raise SyntaxError(explain(job["text"], str(e), "update")) from e
        return {}
    graph = ox.NamedNode(job["graph"]) if job.get("graph") else ox.DefaultGraph()
    existed = any(True for _ in store.quads_for_pattern(None, None, None, graph))
    if isinstance(graph, ox.NamedNode):
        existed = existed or store.contains_named_graph(graph)
    if op == "delete":
        if not existed:
            return {"existed": False}
        if isinstance(graph, ox.NamedNode):
            store.remove_graph(graph)
        else:
            store.clear_graph(graph)
        return {"existed": True}
    quads = parse_rdf(job["data"], format_for(job["media_type"]),
                      base_iri=job.get("graph") or job.get("base_iri"), graph=graph)
    if any(q.graph_name != graph for q in quads):
        raise UnsafeInput("the body holds named graphs; send a graph format (Turtle, "
                          "N-Triples, RDF/XML, JSON-LD) to one graph")
    if op == "put" and existed:
        store.clear_graph(graph)
    store.extend(quads)
    if isinstance(graph, ox.NamedNode) and not store.contains_named_graph(graph):
        store.add_graph(graph)
    return {"existed": existed, "count": len(quads)}


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


def main(argv: list[str]) -> int:
    read_fd, write_fd, parent = int(argv[1]), int(argv[2]), int(argv[3])
    die_with_parent()
    if os.getppid() != parent:
        return 1
    Sandbox.from_argv(*argv[4:6]).enter()
    sys.stdout = sys.stderr
    inbox, outbox = os.fdopen(read_fd, "rb"), os.fdopen(write_fd, "wb")
    job = read_frame(inbox)
    if job is None:
        return 1
    write_frame(outbox, apply(Path(job["live"]), job))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
