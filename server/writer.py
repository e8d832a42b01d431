"""A write process: applies one write to the live store, checkpoints it, and exits.

Only one process may hold an Oxigraph store open for writing, and readers must not open a
store that someone writes to. So the live store (``live/primary``) is opened by this process
alone, one write at a time; after the write it takes a checkpoint (``Store.backup``: hard
links, cheap) into ``live/builds/<version>`` and moves ``live/current`` to it. Query
processes read checkpoints, which nobody writes. When the reply says done, the write is on
disk. A write that outlives the time limit is killed by the web worker that started it;
RocksDB then never commits it.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from dakg.graph.store import BUILDS, switch_current

from .framing import read_frame, write_frame
from .rdf_input import UnsafeInput, format_for, parse_rdf
from .sandbox import Sandbox
from .worker import die_with_parent

PRIMARY = "primary"
KEEP = 3  # checkpoints kept; older ones go once no reader can still be on them


def apply(live: Path, job: dict[str, Any]) -> dict[str, Any]:
    store = ox.Store(str(live / PRIMARY))
    try:
        outcome = _write(store, job)
    except SyntaxError as e:
        return {"error": "syntax", "message": str(e)}
    except UnsafeInput as e:
        return {"error": "input", "message": str(e)}
    except (OSError, ValueError) as e:
        return {"error": "engine", "message": str(e)}
    store.flush()
    version = _next_version(live)
    (live / BUILDS / version).mkdir(parents=True)
    store.backup(str(live / BUILDS / version / "store"))
    del store
    switch_current(live, live / BUILDS / version)
    _prune(live)
    return {"version": version, **outcome}


def _write(store: ox.Store, job: dict[str, Any]) -> dict[str, Any]:
    op = job["op"]
    if op == "update":
        store.update(job["text"])
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


def _next_version(live: Path) -> str:
    current = os.readlink(live / "current") if (live / "current").is_symlink() else ""
    origin, _, number = Path(current).name.rpartition("-w")
    return f"{origin or 'live'}-w{int(number or 0) + 1:06d}"


def _prune(live: Path) -> None:
    builds = sorted((live / BUILDS).iterdir(), key=lambda p: p.name)
    for old in builds[:-KEEP]:
        shutil.rmtree(old, ignore_errors=True)


def initialise(live: Path, source_store: str, origin: str) -> None:
    """Create the live store from a read-only build the first time writing is turned on."""
    if (live / PRIMARY).exists():
        return
    live.mkdir(parents=True, exist_ok=True)
    ox.Store.read_only(source_store).backup(str(live / PRIMARY))
    version = f"{origin}-w000000"
    (live / BUILDS / version).mkdir(parents=True)
    ox.Store.read_only(str(live / PRIMARY)).backup(str(live / BUILDS / version / "store"))
    switch_current(live, live / BUILDS / version)
    (live / "origin").write_text(origin + "\n")


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
