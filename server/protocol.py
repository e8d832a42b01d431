"""The SPARQL 1.1 Protocol (§2.1 query and §2.2 update operations): from an HTTP request to
what to run. Errors carry the status the protocol prescribes."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Request
from werkzeug.datastructures import MultiDict

from .errors import HttpError

FORM = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"


@dataclass(frozen=True)
class QueryRequest:
    query: str
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]


@dataclass(frozen=True)
class UpdateRequest:
    update: str
    using_graphs: tuple[str, ...]
    using_named_graphs: tuple[str, ...]


def parse(request: Request) -> QueryRequest | UpdateRequest | None:
    """The operation ``request`` asks for; None for a GET without a query (the description)."""
    if request.method in ("GET", "HEAD"):
        if "update" in request.args:
            raise HttpError(405, "an update must be sent with POST", allow="POST")
        if "query" not in request.args:
            return None
        return _query(request.args.getlist("query"), request.args)
    media_type = request.mimetype
    if media_type == FORM:
        form = request.form
        if "query" in form and "update" in form:
            raise HttpError(400, "give either 'query' or 'update', not both")
        if "update" in form:
            return _update(form.getlist("update"), form)
        if "query" in form:
            return _query(form.getlist("query"), form)
        raise HttpError(400, "the form has neither a 'query' nor an 'update' parameter")
    if media_type == QUERY_TYPE:
        return _query([_body(request)], request.args)
    if media_type == UPDATE_TYPE:
        return _update([_body(request)], request.args)
    raise HttpError(415, f"unsupported media type {media_type or '(none)'!r}; POST "
                         f"{QUERY_TYPE}, {UPDATE_TYPE} or {FORM}")


def _query(values: list[str], params: MultiDict[str, str]) -> QueryRequest:
    if len(values) != 1:
        raise HttpError(400, f"expected exactly one 'query' parameter, got {len(values)}")
    return QueryRequest(values[0], tuple(params.getlist("default-graph-uri")),
                        tuple(params.getlist("named-graph-uri")))


def _update(values: list[str], params: MultiDict[str, str]) -> UpdateRequest:
    if len(values) != 1:
        raise HttpError(400, f"expected exactly one 'update' parameter, got {len(values)}")
    return UpdateRequest(values[0], tuple(params.getlist("using-graph-uri")),
                         tuple(params.getlist("using-named-graph-uri")))


def _body(request: Request) -> str:
    charset = request.mimetype_params.get("charset", "utf-8")
    try:
        return request.get_data(cache=False).decode(charset)
    except (LookupError, UnicodeDecodeError) as e:
        raise HttpError(400, f"the body is not valid {charset}: {e}") from e
