"""``/health``: whether this server can answer, for load balancers and monitors.

200 while the current data is in place and can be read (this web worker's store handle
reaches its first quad) and query processes are up; 503 otherwise. No query is run: the
check costs an index seek, so it may be polled every second.
"""

from __future__ import annotations

import json
import os

from flask import Blueprint, Response

from .errors import log
from .runtime import runtime

bp = Blueprint("health", __name__)


@bp.route("/health", methods=["GET", "HEAD"])
def health() -> Response:
    rt = runtime()
    problem = None
    version = None
    try:
        snapshot = rt.dataset.current()
        version = snapshot.version
        if not os.path.isfile(os.path.join(snapshot.store, "CURRENT")):  # RocksDB's own
            raise OSError(f"no store in {snapshot.store}")
        store = rt.local_store().get(snapshot.store)
        next(iter(store.quads_for_pattern(None, None, None, None)), None)
    except (OSError, RuntimeError, ValueError) as e:
        log.error("health: the store cannot be read: %s", e)
        problem = "the store cannot be read"
    if problem is None and not rt.pool().pids():
        problem = "no query process is running"
    body = {"status": "ok" if problem is None else "unavailable", "version": version}
    if problem is not None:
        body["problem"] = problem
    response = Response(json.dumps(body), status=200 if problem is None else 503,
                        mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response
