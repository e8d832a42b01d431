"""Cross-origin access (CORS), so that browser tools on other origins (YASGUI and the like)
can query the endpoint and read its headers.

Every route is open to every origin: the data is public, and writes are guarded by a bearer
token, not by cookies, so a wildcard origin gives a page nothing it could not get anyway.
Written here rather than with flask-cors, which costs some 60 µs per request: a third of
the web side of a lookup. The headers are added, and preflights answered, by the WSGI layer
around the app (``app.EveryResponse``), which costs less than a Flask hook.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

ALLOWED_METHODS = "GET, HEAD, POST, PUT, DELETE, OPTIONS"
ALLOWED_HEADERS = "Accept, Authorization, Content-Type, If-None-Match, X-Request-Id"
EXPOSED_HEADERS = "Dakg-Row-Limit, Dakg-Truncated, ETag, Location, Retry-After, X-Request-Id"
MAX_AGE = "86400"

# Every response's.
ALLOWED = (("Access-Control-Allow-Origin", "*"),
           ("Access-Control-Expose-Headers", EXPOSED_HEADERS))
# A preflight's, besides those (answered 204 with no body).
PREFLIGHT = (("Access-Control-Allow-Methods", ALLOWED_METHODS),
             ("Access-Control-Allow-Headers", ALLOWED_HEADERS),
             ("Access-Control-Max-Age", MAX_AGE))


def is_preflight(environ: Mapping[str, Any]) -> bool:
    """A browser asking whether it may send a cross-origin request (not a plain OPTIONS)."""
    return environ.get("REQUEST_METHOD") == "OPTIONS" and \
        "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in environ
