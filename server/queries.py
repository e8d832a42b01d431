"""Running a query within the server's limits, for the endpoint and for the server's own pages.

A query runs on a query process (``pool.py``), or in this process when it is a lookup
(``lookup.py``). Either way it is first admitted (``admission.py``), and each way it can fail
maps to the status a client should see; what a client need not see (paths, signals) goes to
the log with the request id.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from typing import Any, BinaryIO

from flask import Response, request

from . import lookup
from .admission import ServerBusy, TooManyFromClient
from .errors import HttpError, bad_request, log, request_id, service_unavailable, too_many_requests
from .jobs import SPOOL_CHUNK, Fault, Job, Reply
from .pool import PoolBusy, PoolClosed, QueryTimeout, WorkerCrashed
from .runtime import Runtime


def execute(rt: Runtime, job: Job, *, here: bool = False) -> Reply:
    """Run ``job`` on a query process (or ``here``, for a planned lookup); map failures.

    The request is admitted on its first query, and holds its place until its response has
    been written (``release``): a client that does not read its answers cannot
    have more of them waiting in the web worker than its share of queries.
    """
    client = admit(rt)
    try:
        if here:
            store = rt.local_store().get(job.store)
            reply = lookup.run(store, job)
            if reply.failure is None and len(reply.body) > rt.settings.max_response_bytes:
                here = False  # too long to send whole: a query process cuts it to size
        if not here:
            wait = rt.settings.query_timeout
            with refused_as_http():  # the client's share of the processes (pool.py)
                reply = rt.pool().run(job, wait=wait, client=client)
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
    return _checked(rt, reply)


_ADMITTED = "dakg.admitted"  # the request's place among the queries, an ExitStack


def admit(rt: Runtime) -> str:
    """Admit this request among the queries (once, whatever it runs), holding its place until
    its response has been written (``release``); its client. 429 or 503 when it may not run
    now."""
    client = rt.client(request.environ)
    with refused_as_http():
        _admit_once(rt, client)
    return client


@contextlib.contextmanager
def refused_as_http() -> Iterator[None]:
    """Admission's refusals as the client sees them: 429 over its own share, 503 when the
    server takes no more."""
    try:
        yield
    except TooManyFromClient as e:
        raise too_many_requests() from e
    except ServerBusy as e:
        raise service_unavailable("the server is answering as many queries as it takes; "
                                  "retry shortly") from e


def _admit_once(rt: Runtime, client: str) -> None:
    environ = request.environ
    if _ADMITTED in environ:
        return
    place = contextlib.ExitStack()
    place.enter_context(rt.admission.admit(client))  # or TooManyFromClient, ServerBusy
    environ[_ADMITTED] = place


def admitted(environ: dict[str, Any]) -> bool:
    return _ADMITTED in environ


def release(environ: dict[str, Any]) -> None:
    """Give up the place of the request of ``environ`` (its response has been written, or
    dropped): called by the WSGI layer when the server closes the response."""
    place = environ.pop(_ADMITTED, None)
    if place is not None:
        place.close()


def content(reply: Reply) -> bytes | Iterator[bytes]:
    """The body of ``reply`` to send: in memory, or streamed from its spool file (deleted
    now; its space is freed when the stream is closed)."""
    if reply.spool is None:
        return reply.body
    spool = open(reply.spool, "rb")  # noqa: SIM115 (closed by the stream)
    os.unlink(reply.spool)
    return _chunks(spool)


def _chunks(spool: BinaryIO) -> Iterator[bytes]:
    with spool:
        while chunk := spool.read(SPOOL_CHUNK):
            yield chunk


def _checked(rt: Runtime, reply: Reply) -> Reply:
    if reply.failure is None:
        return reply
    fault, message = reply.failure.fault, reply.failure.message
    if fault is Fault.SYNTAX:
        raise bad_request(f"the query is not valid SPARQL: {message}")
    if fault is Fault.EVALUATION:
        raise bad_request(f"the query could not be evaluated: {message}")
    if fault is Fault.TOO_LARGE:
        raise service_unavailable(
            f"the query was stopped: {message}, under {rt.settings.query_memory_mb} MB, "
            "the memory limit of a query on this server (query_memory_mb)")
    log.error("[%s] %s: %s", request_id(), fault.value, message)
    if fault is Fault.STORE:
        raise service_unavailable("the data could not be opened (it may have changed while "
                                  "the query waited); retry")
    raise HttpError(500, "the server failed on this query; the error has been logged with "
                         "the request id")


def select(rt: Runtime, text: str, limit: int, *, union: bool = True) -> tuple[
        list[dict[str, Any]], bool]:
    """The server's own SELECT (pages, descriptions), run like any query, within the limits:
    the SPARQL JSON bindings, and whether they were cut at ``limit``."""
    job = Job(store=rt.dataset.current().store, text=text, format="json", row_limit=limit,
              union=union)
    reply = execute(rt, job)
    return json.loads(reply.read())["results"]["bindings"], reply.truncated


def not_modified(etag: str) -> Response:
    """The 304 answer to a conditional GET whose ETag still matches."""
    response = Response(status=304)
    response.set_etag(etag)
    response.headers["Cache-Control"] = "public, max-age=60"
    response.headers["Vary"] = "Accept"
    return response
