"""Running a query within the server's limits, for the endpoint and for the server's own pages.

A query runs on a query process (``pool.py``), or in this process when it is a lookup
(``lookup.py``). Either way it is first admitted (``admission.py``), and each way it can fail
maps to the status a client should see; what a client need not see (paths, signals) goes to
the log with the request id.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response, request

from . import lookup
from .admission import ServerBusy, TooManyFromClient
from .errors import HttpError, bad_request, log, request_id, service_unavailable, too_many_requests
from .jobs import Job, Reply
from .pool import PoolBusy, PoolClosed, QueryTimeout, WorkerCrashed
from .runtime import Runtime


def execute(rt: Runtime, job: Job, *, here: bool = False) -> Reply:
    """Run ``job`` on a query process (or ``here``, for a planned lookup); map failures."""
    client = request.remote_addr or "unknown"
    try:
        with rt.admission.admit(client):
            if here:
                store = rt.local_store().get(job.store)
                reply = lookup.run(store, job)
            else:
                reply = rt.pool().run(job, wait=rt.settings.query_timeout)
    except TooManyFromClient as e:
        raise too_many_requests() from e
    except ServerBusy as e:
        raise service_unavailable("the server is answering as many queries as it takes; "
                                  "retry shortly") from e
    except PoolBusy as e:
        raise service_unavailable("no query process became free in time; retry shortly") from e
    except PoolClosed as e:
        raise service_unavailable("the server is shutting down") from e
    except QueryTimeout as e:
        raise service_unavailable(
            f"the query was stopped after {rt.settings.query_timeout:g} s, the time limit of "
            "this server; make it more selective, or add a LIMIT") from e
    except WorkerCrashed as e:
        if e.out_of_memory:
            raise service_unavailable(
                f"the query was stopped: it needed more than {rt.settings.query_memory_mb} MB, "
                "the memory limit of a query on this server") from e
        log.error("[%s] query process failed: %s", request_id(), e)
        raise HttpError(500, "the query engine failed on this query") from e
    return _checked(reply)


def _checked(reply: Reply) -> Reply:
    if "error" not in reply:
        return reply
    if reply["error"] == "store":
        log.error("[%s] %s", request_id(), reply["message"])
        raise service_unavailable("the data changed while the query waited; retry")
    if reply["error"] == "syntax":
        raise bad_request(f"the query is not valid SPARQL: {reply['message']}")
    raise bad_request(f"the query could not be evaluated: {reply['message']}")


def select(rt: Runtime, text: str, limit: int, *, union: bool = True) -> tuple[
        list[dict[str, Any]], bool]:
    """The server's own SELECT (pages, descriptions), run like any query, within the limits:
    the SPARQL JSON bindings, and whether they were cut at ``limit``."""
    job = Job(store=rt.dataset.current().store, text=text, format="json", row_limit=limit,
              union=union)
    reply = execute(rt, job)
    return json.loads(reply["body"])["results"]["bindings"], bool(reply["truncated"])


def not_modified(etag: str) -> Response:
    """The 304 answer to a conditional GET whose ETag still matches."""
    response = Response(status=304)
    response.set_etag(etag)
    response.headers["Cache-Control"] = "public, max-age=60"
    response.headers["Vary"] = "Accept"
    return response
