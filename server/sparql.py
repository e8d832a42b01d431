"""``/sparql``: the SPARQL 1.1 Protocol endpoint (queries; updates when writing is on)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flask import Blueprint, Response, request

from . import description, formats, lookup, sparql_scan
from .admission import ServerBusy, TooManyFromClient
from .errors import (
    HttpError,
    bad_request,
    not_acceptable,
    service_unavailable,
    too_many_requests,
)
from .pool import PoolBusy, PoolClosed, QueryTimeout, WorkerCrashed
from .protocol import QueryRequest, UpdateRequest, parse
from .runtime import Runtime, runtime

bp = Blueprint("sparql", __name__)

TRUNCATED_HEADER = "Dakg-Truncated"
ROW_LIMIT_HEADER = "Dakg-Row-Limit"


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    operation = parse(request)
    if operation is None:
        return description.respond()
    if isinstance(operation, UpdateRequest):
        from .writes import run_update

        return run_update(operation)
    return run_query(operation)


def choose_format(kind: formats.Kind) -> formats.Format:
    try:
        return formats.choose_for_header(kind, request.headers.get("Accept", ""),
                                         request.values.get("format"))
    except formats.UnknownFormat as e:
        raise bad_request(str(e)) from e
    except formats.NoFormat as e:
        raise not_acceptable(e.offers) from e


def run_query(operation: QueryRequest) -> Response:
    rt = runtime()
    try:
        inspection = sparql_scan.inspect(operation.query)
        sparql_scan.check_fetches(inspection, rt.settings.service_allowlist)
    except sparql_scan.Refused as e:
        raise bad_request(str(e)) from e
    kind = formats.Kind.GRAPH if inspection.form in ("CONSTRUCT", "DESCRIBE") \
        else formats.Kind.SOLUTIONS
    fmt = choose_format(kind)
    snapshot = rt.dataset.current()
    etag = None
    if request.method == "GET":
        key = "\x00".join([inspection.text, fmt.name, *operation.default_graphs, "\x01",
                           *operation.named_graphs])
        etag = f"{snapshot.version}-{hashlib.blake2b(key.encode(), digest_size=8).hexdigest()}"
        if etag in request.if_none_match:
            return not_modified(etag)
    job = {"store": snapshot.store, "text": inspection.text, "format": fmt.name,
           "default_graphs": list(operation.default_graphs),
           "named_graphs": list(operation.named_graphs),
           "row_limit": rt.settings.row_limit, "prefixes": rt.prefixes,
           # FROM in the query defines its default graph; otherwise it is the union.
           "union": not inspection.dataset_clause}
    planned = None if operation.default_graphs or operation.named_graphs else \
        lookup.plan(inspection, rt.settings.row_limit)
    if planned is not None:
        reply = execute(rt, {**job, "text": planned}, here=True)
    else:
        reply = execute(rt, job)
    response = Response(reply["body"], content_type=fmt.content_type)
    response.headers["Vary"] = "Accept"
    if reply["truncated"]:
        response.headers[TRUNCATED_HEADER] = "true"
        response.headers[ROW_LIMIT_HEADER] = str(rt.settings.row_limit)
    if etag is not None:
        response.set_etag(etag)
        response.headers["Cache-Control"] = "public, max-age=60"
    else:
        response.headers["Cache-Control"] = "no-store"
    return response


def execute(rt: Runtime, job: dict[str, Any], *, here: bool = False) -> dict[str, Any]:
    """Run a job within the server's limits, on a query process (or ``here``, in this process,
    for a lookup: see ``lookup.py``); map failures to statuses."""
    client = request.remote_addr or "unknown"
    try:
        with rt.admission.admit(client):
            if here:
                store = rt.local_store().get(job["store"])
                reply = lookup.run(store, job["text"], job["format"], job["row_limit"])
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
        raise HttpError(500, f"the query engine failed on this query: {e}") from e
    if "error" in reply:
        if reply["error"] == "store":
            raise HttpError(500, reply["message"])
        if reply["error"] == "syntax":
            raise bad_request(f"the query is not valid SPARQL: {reply['message']}")
        raise bad_request(f"the query could not be evaluated: {reply['message']}")
    return reply


def not_modified(etag: str) -> Response:
    """The 304 answer to a conditional GET whose ETag still matches."""
    response = Response(status=304)
    response.set_etag(etag)
    response.headers["Cache-Control"] = "public, max-age=60"
    response.headers["Vary"] = "Accept"
    return response


def select(rt: Runtime, text: str, limit: int) -> tuple[list[dict[str, Any]], bool]:
    """The server's own SELECT (pages, descriptions), run like any query, within the limits:
    the SPARQL JSON bindings, and whether they were cut at ``limit``."""
    job = {"store": rt.dataset.current().store, "text": text, "format": "json",
           "row_limit": limit, "prefixes": {}}
    reply = execute(rt, job)
    return json.loads(reply["body"])["results"]["bindings"], bool(reply["truncated"])
