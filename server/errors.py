"""Errors as the client sees them: a status, a message, the request id; never a stack trace.

Every error, ours or Werkzeug's, goes through ``render``, which answers in the format the
client asked for (JSON, HTML or plain text; see ``error_format``), whatever the status. An
unexpected exception is logged with its traceback and the request id, and the client gets a
500 with that id only.
"""

from __future__ import annotations

import json
import logging
import os
from html import escape
from typing import Any

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from .dataset import NoBuild

log = logging.getLogger("dakg.server")

REQUEST_ID_HEADER = "X-Request-Id"


class HttpError(Exception):
    def __init__(self, status: int, message: str, **headers: str | int) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = {_header_name(k): str(v) for k, v in headers.items()}


def _header_name(key: str) -> str:
    return "-".join(part.capitalize() for part in key.split("_"))


def bad_request(message: str) -> HttpError:
    return HttpError(400, message)


def not_acceptable(offers: list[str]) -> HttpError:
    return HttpError(406, "none of the formats this resource is offered in is acceptable; "
                          "offered: " + ", ".join(offers))


def the_server_is_read_only() -> HttpError:
    return HttpError(403, "the server is read-only (it was started without a write token)")


def unauthorized() -> HttpError:
    return HttpError(401, "writing needs 'Authorization: Bearer <token>'",
                     www_authenticate='Bearer realm="dakg"')


def forbidden() -> HttpError:
    return HttpError(403, "the token is not the one this server accepts")


def too_many_requests() -> HttpError:
    return HttpError(429, "too many queries from this client at once; retry shortly",
                     retry_after=1)


def service_unavailable(message: str) -> HttpError:
    return HttpError(503, message, retry_after=1)


def request_id() -> str:
    """The id of the current request: the client's ``X-Request-Id`` if sane, else a new one."""
    return request_id_of(request.environ)


def request_id_of(environ: dict[str, Any]) -> str:
    """The id of the request of ``environ`` (made, and kept there, on first use)."""
    found = environ.get("dakg.request_id")
    if found is None:
        given = environ.get("HTTP_X_REQUEST_ID", "")
        found = environ["dakg.request_id"] = given if given.isascii() and \
            given.isprintable() and 0 < len(given) <= 64 else os.urandom(12).hex()
    return str(found)


def render(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    rid = request_id()
    title = _title(status)
    best = error_format()
    if best == "application/json":
        body = json.dumps({"status": status, "error": title, "message": message,
                           "request_id": rid}, ensure_ascii=False)
        mimetype = "application/json"
    elif best == "text/html":
        body = (f"<!doctype html><html lang=en><meta charset=utf-8><title>{status} {escape(title)}"
                f"</title><h1>{status} {escape(title)}</h1><p>{escape(message)}</p>"
                f"<p><small>request id {escape(rid)}</small></p></html>")
        mimetype = "text/html"
    else:
        body = f"{status} {title}: {message}\nrequest id: {rid}\n"
        mimetype = "text/plain"
    response = Response(body, status=status, mimetype=mimetype)
    response.headers.update(headers or {})
    response.headers["Cache-Control"] = "no-store"
    return response


def error_format() -> str:
    """How an error is written for this request: JSON to a client that names a JSON type
    (``application/json``, ``application/sparql-results+json``, ``application/ld+json``, …)
    and prefers it to HTML; HTML to one that names HTML (a browser); plain text to everyone
    else, ``*/*`` included (curl, scripts), as Oxigraph's server and Fuseki answer errors.

    Only the types a client names count: behind a wildcard, any type would do.
    """
    json_q = html_q = 0.0
    for value, quality in request.accept_mimetypes:
        media_type = value.split(";")[0].strip().lower()
        if media_type == "application/json" or media_type.endswith("+json"):
            json_q = max(json_q, quality)
        elif media_type in ("text/html", "application/xhtml+xml"):
            html_q = max(html_q, quality)
    if json_q > 0 and json_q >= html_q:
        return "application/json"
    return "text/html" if html_q > 0 else "text/plain"


def _title(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def install(app: Flask) -> None:
    @app.errorhandler(HttpError)
    def ours(error: HttpError) -> Response:
        if error.status >= 500:
            log.warning("[%s] %s %s: %s", request_id(), request.method, request.path,
                        error.message)
        return render(error.status, error.message, error.headers)

    @app.errorhandler(HTTPException)
    def werkzeugs(error: HTTPException) -> Response:
        headers = dict(error.get_headers())
        headers.pop("Content-Type", None)
        return render(error.code or 500, error.description or "", headers)

    @app.errorhandler(NoBuild)
    def unbuilt(error: NoBuild) -> Response:
        # The operator's to fix, not the client's: say so to both, without the path.
        log.warning("[%s] %s %s: %s", request_id(), request.method, request.path, error)
        return render(503, "there is no data to serve yet: the server's data folder has "
                           "not been built (dakg build)", {"Retry-After": "60"})

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        # The one place that catches everything: a bug must not show its stack to a client.
        log.exception("[%s] %s %s failed", request_id(), request.method, request.path)
        return render(500, "the server failed to answer this request; the error has been "
                           "logged with the request id")
