"""The SPARQL 1.1 Protocol (§2.1 query and §2.2 update operations): from an HTTP request to
what to run. Errors carry the status the protocol prescribes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask import Request
from werkzeug.datastructures import MultiDict

from .errors import HttpError
from .sparql_scan import Token

FORM = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"
UTF8 = ("utf-8", "utf8", "us-ascii")  # ASCII is UTF-8 too


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
    _check_charset(request)
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
    try:
        return request.get_data(cache=False).decode("utf-8")
    except UnicodeDecodeError as e:
        raise HttpError(400, f"the body is not valid UTF-8: {e}") from e


def _check_charset(request: Request) -> None:
    """Refuse a body declared in another character encoding than UTF-8.

    The protocol's bodies are UTF-8 (§2.1.2, §2.1.3, §2.2.1, §2.2.2). A body declared as, say,
    UTF-16 is well-formed in its own terms: the server does not support that media type, so
    the answer is 415 (RFC 9110 §15.5.16) rather than 400.
    """
    charset = request.mimetype_params.get("charset")
    if charset is not None and charset.strip().lower() not in UTF8:
        raise HttpError(415, f"unsupported charset {charset!r}: send the body in UTF-8 "
                             "(charset=utf-8, or no charset)")


def with_using(update: UpdateRequest, found: Sequence[Token]) -> str:
    """The update text with the request's ``using-graph-uri``/``using-named-graph-uri`` as
    ``USING``/``USING NAMED`` on each of its operations that reads a dataset (§2.2.3).

    They go before the ``WHERE`` of each ``DELETE``/``INSERT … WHERE``; a ``DELETE WHERE
    { P }``, which cannot take ``USING``, is written out as ``DELETE { P } USING … WHERE
    { P }``, which SPARQL 1.1 Update (§3.1.3.3) defines it to mean. An update that names its
    own dataset (``USING``, ``WITH``) as well is a 400, as the protocol requires.
    """
    text = update.update
    if not (update.using_graphs or update.using_named_graphs):
        return text
    clause = " ".join([*(f"USING <{g}>" for g in update.using_graphs),
                       *(f"USING NAMED <{g}>" for g in update.using_named_graphs)])
    pieces: list[str] = []
    done = 0  # text up to here is in pieces
    depth = 0
    for i, token in enumerate(found):
        if token.kind == "punct" and token.text in "{([":
            depth += 1
        elif token.kind == "punct" and token.text in "})]":
            depth -= 1
        elif depth == 0 and token.is_word("USING", "WITH"):
            raise HttpError(400, f"the update has {token.text.upper()} and the request has "
                                 "using-graph-uri or using-named-graph-uri: give the dataset "
                                 "one way only")
        elif depth == 0 and token.is_word("WHERE"):
            if i > 0 and found[i - 1].is_word("DELETE"):
                start, end = found[i + 1].offset, _group_end(found, i + 1)
                pattern = text[start:end]
                pieces += [text[done:token.offset], f"{pattern} {clause} WHERE {pattern}"]
                done = end
            else:
                pieces += [text[done:token.offset], f"{clause} "]
                done = token.offset
    return "".join([*pieces, text[done:]])


def _group_end(found: Sequence[Token], at: int) -> int:
    """The offset just after the group that opens at ``found[at]``."""
    depth = 0
    for token in found[at:]:
        if token.kind == "punct" and token.text in "{([":
            depth += 1
        elif token.kind == "punct" and token.text in "})]":
            depth -= 1
            if depth == 0:
                return token.offset + 1
    raise HttpError(400, "the update has a DELETE WHERE whose group is not closed")
