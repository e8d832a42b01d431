"""``dakg serve --store URL``: SPARQL queries answered by a SPARQL server, dakg's checks first.

A first version, installed by ``create_app`` when the ``store`` setting is a URL: a query to
``/sparql`` is scanned (``sparql_scan``: SERVICE/LOAD refusal, nesting and chain limits),
admitted (``admission``: per-client and global limits), then sent to the server with the
query timeout on the HTTP call; its answer is cut at the row cap and written in the format
the client asked for, by the same writers as the embedded store's answers. A server that does
not answer in time gives 504, one that cannot be reached or fails gives 503, one that refuses
the query as invalid gives 400; no web worker waits past the timeout.

Pages, the Graph Store Protocol and updates still use the embedded store of the same build:
an update sent here is refused (501) rather than written to a store nobody queries.
"""

from __future__ import annotations

import pyoxigraph as ox
from flask import Flask, Response, request

from dakg.graph.stores import Endpoints, StoreError, StoreTimeout
from dakg.graph.stores.remote import RemoteStore, Streamed

from . import results, sparql_scan
from .errors import HttpError, bad_request, log, request_id, service_unavailable
from .protocol import QueryRequest, UpdateRequest, parse
from .queries import admit
from .runtime import runtime
from .sparql import ROW_LIMIT_HEADER, TRUNCATED_HEADER, checked

EXTENSION = "dakg.remote"
WRITE_PATHS = ("/update", "/store")
WRITE_METHODS = ("PUT", "POST", "DELETE")


def install(app: Flask, endpoints: Endpoints) -> None:
    """Answer ``/sparql`` queries from the server at ``endpoints``."""
    app.extensions[EXTENSION] = RemoteStore(endpoints)

    @app.before_request
    def forward() -> Response | None:
        if request.path in WRITE_PATHS and request.method in WRITE_METHODS:
            raise not_passed_on()
        if request.path != "/sparql" or request.method not in ("GET", "POST"):
            return None
        operation = parse(request)
        if operation is None:
            return None  # the service description: dakg's own
        if isinstance(operation, UpdateRequest):
            raise not_passed_on()
        return answer(app.extensions[EXTENSION], operation)


def not_passed_on() -> HttpError:
    return HttpError(501, "this server answers queries from a SPARQL server and does not yet "
                          "pass writes on to it; write to that server directly")


def answer(store: RemoteStore, operation: QueryRequest) -> Response:
    rt = runtime()
    inspection, fmt = checked(operation)
    given = bool(operation.default_graphs or operation.named_graphs)
    admit(rt)  # its place is held until the answer is written, as for any query
    try:
        with store.stream(
                spelled_out(inspection, rt.prefixes), rt.prefixes,
                timeout=rt.settings.query_timeout,
                default_graphs=operation.default_graphs if given else None,
                named_graphs=operation.named_graphs if given else None,
                own_dataset=inspection.dataset_clause and not given) as result:
            body, truncated = write(result, fmt.name, rt.settings.row_limit, rt.prefixes)
    except StoreTimeout as e:
        log.warning("[%s] %s", request_id(), e)
        raise HttpError(504, f"the SPARQL server did not answer within "
                             f"{rt.settings.query_timeout:g} s; make the query more "
                             "selective, or add a LIMIT") from e
    except StoreError as e:
        if e.status is not None and 400 <= e.status < 500:
            raise bad_request(f"the SPARQL server refused the query: {e.detail}") from e
        log.error("[%s] %s", request_id(), e)
        raise service_unavailable("the SPARQL server behind this endpoint cannot answer now; "
                                  "retry shortly") from e
    response = Response(body, content_type=fmt.content_type)
    response.headers["Vary"] = "Accept"
    response.headers["Cache-Control"] = "no-store"
    if truncated:
        response.headers[TRUNCATED_HEADER] = "true"
        response.headers[ROW_LIMIT_HEADER] = str(rt.settings.row_limit)
    return response


def write(result: Streamed, fmt: str, cap: int, prefixes: dict[str, str]) -> tuple[bytes, bool]:
    """``result`` in ``fmt``, cut at ``cap`` rows (or triples), and whether it was cut; the
    server's answer is read here, so its faults are the store's."""
    try:
        return _write(result, fmt, cap, prefixes)
    except TimeoutError as e:
        raise StoreTimeout(f"the answer stopped coming: {e}") from e
    except (OSError, SyntaxError, ValueError) as e:
        raise StoreError(f"the answer could not be read: {e}") from e


def _write(result: Streamed, fmt: str, cap: int, prefixes: dict[str, str]) -> tuple[bytes, bool]:
    if isinstance(result, ox.QueryBoolean):
        return results.boolean(result, fmt), False
    if isinstance(result, ox.QuerySolutions):
        body, _rows, cut = results.solutions(result, fmt, cap)
        return body, cut
    triples, cut = results.take(result, cap)
    return results.graph(triples, fmt, prefixes, cap if cut else None), cut  # type: ignore[arg-type]


def spelled_out(inspection: sparql_scan.Inspection, prefixes: dict[str, str]) -> str:
    """The query with every prefixed name that holds an escape (``id:recommendation\\/12``)
    written as a full IRI: SPARQL 1.1 allows the escapes, Virtuoso 7.2's parser does not."""
    found = inspection.tokens
    if not any(t.kind == "pname" and "\\" in t.text for t in found):
        return inspection.text
    declared = dict(prefixes)
    for i, token in enumerate(found[:-2]):
        if token.is_word("PREFIX") and found[i + 2].kind == "iri":
            declared[found[i + 1].text[:-1]] = found[i + 2].text[1:-1]
    text, parts, at = inspection.text, [], 0
    for token in found:
        if token.kind == "pname" and "\\" in token.text:
            prefix, _, local = token.text.partition(":")
            if prefix in declared:
                parts += [text[at:token.offset],
                          f"<{declared[prefix]}{local.replace(chr(92), '')}>"]
                at = token.offset + len(token.text)
    return "".join([*parts, text[at:]])
