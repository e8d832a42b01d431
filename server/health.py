"""``/health``: whether this server can answer, for load balancers and monitors.

200 while the current data is in place and can be read (this web worker's store handle
reaches its first quad) and query processes are up; 503 otherwise. No query is run: the
check costs an index seek, so it may be polled every second. Served from a SPARQL server
(``dakg serve --store``), it is 200 while that server answers which build it serves (one
small query, bounded by ``query_timeout``).
"""

from __future__ import annotations

import json
import os

from flask import Blueprint, Response

from dakg.graph.stores import StoreError
from dakg.graph.stores.remote import RemoteStore

from .dataset import NoBuild
from .errors import log
from .runtime import runtime

bp = Blueprint("health", __name__)


@bp.route("/health", methods=["GET", "HEAD"])
def health() -> Response:
    rt = runtime()
    problem = None
    version = None
    if rt.remote is not None:
        return _answer(*_remote_health(rt.remote))
    try:
        snapshot = rt.dataset.current()
        version = snapshot.version
        if not os.path.isfile(os.path.join(snapshot.store, "CURRENT")):  # RocksDB's own
            raise OSError(f"no store in {snapshot.store}")
        store = rt.local_store().get(snapshot.store)
        next(iter(store.quads_for_pattern(None, None, None, None)), None)
    except NoBuild as e:
        log.error("health: %s", e)
        problem = "nothing has been built yet"
    except (OSError, RuntimeError, ValueError) as e:
        log.error("health: the store cannot be read: %s", e)
        problem = "the store cannot be read"
    if problem is None and not rt.pool().pids():
        problem = "no query process is running"
    return _answer(version, problem)


def _remote_health(store: RemoteStore) -> tuple[str | None, str | None]:
    """(the version the SPARQL server serves, what is wrong if anything)."""
    store.forget_served()  # asked now, not from this worker's memory of it
    try:
        version = store.served().version
    except StoreError as e:
        log.error("health: the SPARQL server cannot be read: %s", e)
        return None, "the SPARQL server cannot be read"
    return version, None if version is not None else "the SPARQL server serves no build"


def _answer(version: str | None, problem: str | None) -> Response:
    body = {"status": "ok" if problem is None else "unavailable", "version": version}
    if problem is not None:
        body["problem"] = problem
    response = Response(json.dumps(body), status=200 if problem is None else 503,
                        mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response
