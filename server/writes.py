"""Writing: SPARQL 1.1 Update (``/sparql``, ``/update``) and the SPARQL 1.1 Graph Store HTTP
Protocol (``/store``), behind a bearer token. Reads of ``/store`` are open to all.

Without a token configured the server is read-only and every write is 403. With one, a
write without ``Authorization: Bearer …`` is 401 and with a wrong token 403, before anything
is read from the body. Each write runs in its own process (``writer.py``), one at a time
across the whole server, under the query time limit.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

from flask import Blueprint, Response, request

from . import formats, remote, sparql_scan
from .child import Child, ChildDied, ChildTimeout
from .errors import (
    HttpError,
    bad_request,
    forbidden,
    log,
    request_id,
    the_server_is_read_only,
    unauthorized,
)
from .jobs import Fault, Job, WriteJob, WriteOp, WriteReply
from .negotiation import choose_format
from .protocol import UpdateRequest, parse, with_using
from .queries import content, execute, not_modified, select
from .runtime import Runtime, runtime
from .sandbox import Sandbox

bp = Blueprint("writes", __name__)
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^<>\"{}|^`\\\x00-\x20]*")


def require_token(rt: Runtime) -> None:
    if not rt.writable:
        raise the_server_is_read_only()
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if not header or scheme.lower() != "bearer":
        raise unauthorized()
    assert rt.settings.write_token is not None
    if not hmac.compare_digest(token.strip().encode(), rt.settings.write_token.encode()):
        raise forbidden()


@bp.route("/update", methods=["POST"])
def update_endpoint() -> Response:
    require_token(runtime())  # before the body is read
    operation = parse(request)
    if not isinstance(operation, UpdateRequest):
        raise bad_request("/update takes SPARQL updates; send queries to /sparql")
    return run_update(operation)


def run_update(operation: UpdateRequest) -> Response:
    rt = runtime()
    require_token(rt)
    try:
        inspection = sparql_scan.inspect(operation.update, update=True)
        sparql_scan.check_fetches(inspection, rt.settings.service_allowlist)
        sparql_scan.check_prefixes(inspection, rt.prefixes)
    except sparql_scan.Refused as e:
        raise bad_request(str(e)) from e
    # Relative IRIs resolve against the endpoint's own address (Protocol §2.2.3, RFC 3986
    # §5.1.3), and the dataset's prefixes are declared, as for queries.
    write(rt, WriteJob(live=str(rt.dataset.folder), op="update",
                       text=with_using(operation, inspection.tokens),
                       base_iri=request.base_url, prefixes=rt.prefixes))
    return Response(status=204)


@bp.route("/store", methods=["GET", "HEAD", "PUT", "POST", "DELETE"])
def graph_store() -> Response:
    rt = runtime()
    if request.method not in ("GET", "HEAD"):
        require_token(rt)  # before anything of the request is looked at
    graph = _target_graph(rt)
    if request.method in ("GET", "HEAD"):
        return _read_graph(rt, graph)
    if request.method == "DELETE":
        reply = write(rt, WriteJob(live=str(rt.dataset.folder), op="delete", graph=graph))
        if not reply.existed:
            raise HttpError(404, f"no graph {_name(graph)} in the store")
        return Response(status=204)
    media_type = request.mimetype
    if not media_type or formats.by_media_type(media_type, formats.Kind.GRAPH) is None:
        offered = ", ".join(f.media_type for f in formats.offers(formats.Kind.GRAPH))
        raise HttpError(415, f"unsupported media type {media_type or '(none)'!r}; send one "
                             f"graph as one of {offered}")
    created_name = None
    if graph is None and request.method == "POST" and "default" not in request.args:
        graph = created_name = f"{rt.settings.base_iri}id/graph/uploaded/{os.urandom(8).hex()}"
    op: WriteOp = "put" if request.method == "PUT" else "post"
    reply = write(rt, WriteJob(live=str(rt.dataset.folder), op=op, graph=graph,
                               media_type=media_type, data=request.get_data(cache=False),
                               base_iri=graph))
    response = Response(status=201 if created_name or not reply.existed else 204)
    if created_name:
        response.headers["Location"] = created_name
    return response


def _target_graph(rt: Runtime) -> str | None:
    """The graph a ``/store`` request names: an IRI, or None for ``?default``."""
    names = request.args.getlist("graph")
    default = "default" in request.args
    if len(names) > 1 or (names and default):
        raise bad_request("name one graph: '?graph=<IRI>' or '?default', not both")
    if not names and not default:
        if request.method == "POST":
            return None  # POST to the store itself creates a new graph
        raise bad_request("name a graph with '?graph=<IRI>' or '?default'")
    if names and not _IRI.fullmatch(names[0]):
        raise bad_request(f"not an absolute IRI: {names[0]!r}")
    return names[0] if names else None


def _read_graph(rt: Runtime, graph: str | None) -> Response:
    fmt = choose_format(formats.Kind.GRAPH)
    where = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
    snapshot = rt.dataset.current()
    digest = hashlib.blake2b((graph or "").encode(), digest_size=6).hexdigest()
    etag = f"{snapshot.version}-store-{fmt.name}-{digest}"
    if etag in request.if_none_match:
        return not_modified(etag)
    # A graph is sent whole (the Graph Store Protocol has no partial GET); the query
    # process's time and memory limits still hold.
    job = Job(store=snapshot.store, text=f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {where} }}",
              format=fmt.name, row_limit=10**9, prefixes=rt.prefixes, union=False)
    reply = execute(rt, job)
    if reply.count == 0 and not _graph_exists(rt, graph):
        raise HttpError(404, f"no graph {_name(graph)} in the store")
    response = Response(content(reply) if request.method == "GET" else b"",
                        content_type=fmt.content_type)
    response.set_etag(etag)
    response.headers["Vary"] = "Accept"
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


def _graph_exists(rt: Runtime, graph: str | None) -> bool:
    if graph is None:
        return True  # the default graph always exists, even empty
    rows, _ = select(rt, f"SELECT ?g {{ GRAPH ?g {{}} FILTER(?g = <{graph}>) }}", 1)
    return bool(rows)


def _name(graph: str | None) -> str:
    return f"<{graph}>" if graph else "(the default graph)"


def write(rt: Runtime, job: WriteJob) -> WriteReply:
    """Run one write in a write process, one at a time; map its failures to statuses."""
    live = rt.dataset.folder
    with _one_writer(live, rt.settings.query_timeout):
        if rt.remote is not None:  # dakg serve --store: on the SPARQL server
            return remote.apply(rt.remote, job, rt.settings.query_timeout)
        reply = _run_writer(live, job, rt.settings.query_timeout, rt.sandbox())
    if reply.failure is None:
        return reply
    fault, message = reply.failure.fault, reply.failure.message
    if fault is Fault.SYNTAX:
        raise bad_request(f"the update is not valid SPARQL: {message}")
    if fault is Fault.EVALUATION:
        raise bad_request(f"the update failed: {message}")
    if fault is Fault.INPUT:
        raise bad_request(f"the data is refused: {message}")
    if fault is Fault.TOO_LARGE:
        raise _too_large(rt, message or None)
    log.error("[%s] the write failed: %s", request_id(), message)
    if fault is Fault.DISK_FULL:
        raise HttpError(507, "the server's disk is full; nothing was written")
    raise HttpError(500, "the server failed to write; nothing was written (the error has "
                         "been logged with the request id)")


def _too_large(rt: Runtime, why: str | None = None) -> HttpError:
    return HttpError(413, (why or f"the write needs more than {rt.settings.query_memory_mb} "
                                  "MB (query_memory_mb, the memory limit of a write on this "
                                  "server)") + "; send it in smaller parts")


@contextlib.contextmanager
def _one_writer(live: Path, timeout: float) -> Iterator[None]:
    """Hold the write lock of the live store, shared by every thread and process.

    Each holder opens the file anew, so flock excludes threads of one process too. It is
    polled rather than waited on, so that under gevent a waiting write lets reads go on.
    """
    deadline = time.monotonic() + timeout
    with open(live / "write.lock", "w") as lock:
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise HttpError(503, "another write is still running; retry shortly",
                                    retry_after=1) from None
                time.sleep(0.02)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _run_writer(live: Path, job: WriteJob, timeout: float, sandbox: Sandbox) -> WriteReply:
    before = os.readlink(live / "current")
    deadline = time.monotonic() + timeout
    try:
        child = Child("dakg.server.writer", sandbox, timeout)
    except (ChildTimeout, ChildDied, OSError) as e:
        log.error("[%s] could not start a write process: %s", request_id(), e)
        raise HttpError(503, "the server could not start a write; nothing was written",
                        retry_after=1) from e
    try:
        reply = child.ask(job, max(0.0, deadline - time.monotonic()))
    except ChildTimeout:
        child.kill()
        if os.readlink(live / "current") != before:  # killed just after it took effect
            return WriteReply(version=os.readlink(live / "current"))
        raise HttpError(503, f"the write was stopped after {timeout:g} s and not applied",
                        retry_after=1) from None
    except ChildDied as e:
        if e.out_of_memory:
            raise _too_large(runtime()) from e
        log.error("[%s] write process failed: %s", request_id(), e)
        raise HttpError(500, "the write process failed; nothing was written") from e
    finally:
        child.close()
    assert isinstance(reply, WriteReply)
    return reply
