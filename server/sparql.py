"""``/sparql``: the SPARQL 1.1 Protocol endpoint (queries; updates when writing is on)."""

from __future__ import annotations

import hashlib
from dataclasses import replace

from flask import Blueprint, Response, request, url_for
from werkzeug.http import quote_etag

from . import answers, description, formats, lookup, sparql_scan
from .errors import bad_request
from .jobs import Job
from .negotiation import choose_format, prefers_page
from .protocol import UPDATE_TYPE, QueryRequest, UpdateRequest, parse
from .queries import content, execute, not_modified
from .runtime import runtime
from .writes import require_token, run_update

bp = Blueprint("sparql", __name__)

TRUNCATED_HEADER = "Dakg-Truncated"
ROW_LIMIT_HEADER = "Dakg-Row-Limit"
BYTE_LIMIT_HEADER = "Dakg-Byte-Limit"


# What only the endpoint understands: a request that names one wants the endpoint's answer.
_ENDPOINT_ONLY = (*formats.FORMAT_PARAMETERS, "default-graph-uri", "named-graph-uri", "update")


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    if request.method in ("GET", "HEAD") and _from_a_reader():
        return _to_query_page()
    if request.mimetype == UPDATE_TYPE:  # an update: the token first, then the body
        require_token(runtime())
    operation = parse(request)
    if operation is None:
        return description.respond(choose_format(formats.Kind.GRAPH))
    if isinstance(operation, UpdateRequest):
        return run_update(operation)
    return run_query(operation)


def _from_a_reader() -> bool:
    """A browser opening the endpoint (a link to it, a query in its address bar): it asks
    for a page before any format the endpoint answers in, and names nothing that only the
    endpoint understands. SPARQL clients, curl and the query page's own form (which always
    sends ``format``) get the endpoint's answer as before."""
    return prefers_page(request.headers.get("Accept", "")) and \
        not any(name in request.args for name in _ENDPOINT_ONLY)


def _to_query_page() -> Response:
    """303 to the query page, with the query (if any) filled in and run there, as Virtuoso
    shows a browser its query form rather than the data."""
    query = request.args.get("query")
    target = url_for("pages.query_page") if query is None else \
        url_for("pages.query_page", query=query)
    return Response(status=303, headers={"Location": target, "Vary": "Accept"})


def checked(operation: QueryRequest) -> tuple[sparql_scan.Inspection, formats.Format]:
    """The query read by the scan (400 if it is refused), and the format it is answered in."""
    rt = runtime()
    try:
        inspection = sparql_scan.inspect(operation.query)
        sparql_scan.check_fetches(inspection, rt.settings.service_allowlist)
        sparql_scan.check_prefixes(inspection, rt.prefixes)
    except sparql_scan.Refused as e:
        raise bad_request(str(e)) from e
    if inspection.form is None:
        raise bad_request("the query is not valid SPARQL: it has no SELECT, ASK, CONSTRUCT or "
                          "DESCRIBE")
    kind = formats.Kind.GRAPH if inspection.form in ("CONSTRUCT", "DESCRIBE") \
        else formats.Kind.SOLUTIONS
    return inspection, choose_format(kind)


def run_query(operation: QueryRequest) -> Response:
    rt = runtime()
    inspection, fmt = checked(operation)
    snapshot = rt.dataset.current()
    address = endpoint_address()
    etag = None
    if request.method in ("GET", "HEAD"):
        key = "\x00".join([inspection.text, fmt.name, address,
                           *operation.default_graphs, "\x01", *operation.named_graphs])
        etag = f"{snapshot.version}-{hashlib.blake2b(key.encode(), digest_size=8).hexdigest()}"
        if "HTTP_IF_NONE_MATCH" in request.environ and etag in request.if_none_match:
            return not_modified(etag)
    given = bool(operation.default_graphs or operation.named_graphs)
    job = Job(store=snapshot.store, text=inspection.text, format=fmt.name,
              row_limit=rt.settings.row_limit, prefixes=rt.prefixes,
              # The protocol's graphs make the dataset (the default graph empty if only named
              # graphs are given); else FROM in the query does; else it is the union.
              default_graphs=operation.default_graphs if given else None,
              named_graphs=operation.named_graphs if given else None,
              union=not inspection.dataset_clause,
              # Relative IRIs resolve against the endpoint's address (RFC 3986 §5.1.3), as
              # Oxigraph's server and Fuseki do; BASE in the query wins.
              base_iri=address)
    planned = None if given else lookup.plan(inspection, rt.settings.row_limit)
    if planned is not None:
        reply = answers.lookup(rt, replace(job, text=planned), snapshot.version)
    else:
        reply = execute(rt, job)
    # Given whole to the constructor: each header set afterwards costs a scan of the others.
    headers = [("Vary", "Accept")]
    if reply.truncated:
        # The limit that cut it, so that a client knows whether fewer rows or narrower ones
        # would come whole.
        headers += [(TRUNCATED_HEADER, "true"),
                    (BYTE_LIMIT_HEADER, str(rt.settings.max_response_bytes))
                    if reply.cut_by_size else (ROW_LIMIT_HEADER, str(rt.settings.row_limit))]
    if etag is not None:
        headers += [("ETag", quote_etag(etag)), ("Cache-Control", "public, max-age=60")]
    else:
        headers.append(("Cache-Control", "no-store"))
    return Response(content(reply), content_type=fmt.content_type, headers=headers)


_ADDRESSES: dict[tuple[object, ...], str] = {}  # request.base_url by what it is made of


def endpoint_address() -> str:
    """The address the request was sent to (``request.base_url``), kept for each host and
    path: Werkzeug makes it anew for every request, which costs a tenth of a lookup."""
    environ = request.environ
    key = tuple(environ.get(name) for name in (
        "wsgi.url_scheme", "HTTP_HOST", "SERVER_NAME", "SERVER_PORT", "SCRIPT_NAME",
        "PATH_INFO"))
    found = _ADDRESSES.get(key)
    if found is None:
        if len(_ADDRESSES) >= 256:  # hosts are the client's to name: keep a few
            _ADDRESSES.clear()
        found = _ADDRESSES[key] = request.base_url
    return found
