"""Cross-origin access (CORS), so that browser tools on other origins (YASGUI and the like)
can query the endpoint and read its headers.

Every route is open to every origin: the data is public, and writes are guarded by a bearer
token, not by cookies, so a wildcard origin gives a page nothing it could not get anyway.
Written here rather than with flask-cors, which costs some 60 µs per request: a third of
the web side of a lookup.
"""

from __future__ import annotations

from flask import Flask, Response, request

ALLOWED_METHODS = "GET, HEAD, POST, PUT, DELETE, OPTIONS"
ALLOWED_HEADERS = "Accept, Authorization, Content-Type, If-None-Match, X-Request-Id"
EXPOSED_HEADERS = "Dakg-Row-Limit, Dakg-Truncated, ETag, Location, Retry-After, X-Request-Id"
MAX_AGE = "86400"


def install(app: Flask) -> None:
    @app.before_request
    def preflight() -> Response | None:
        if request.method != "OPTIONS" or "Access-Control-Request-Method" not in request.headers:
            return None
        response = Response(status=204)
        response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
        response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        response.headers["Access-Control-Max-Age"] = MAX_AGE
        return response



def allow(response: Response) -> None:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
