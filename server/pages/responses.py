"""How pages answer: HTML responses, and the ETags that let clients keep them.

A page's ETag holds the dataset version, so that new data makes a new tag, and a digest of
the templates and static files, so that a new layout does too: otherwise a client would be
answered 304 for a page whose layout changed while the data stayed the same.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from pathlib import Path

from flask import Response, request

from ..dataset import copy_tag
from ..queries import not_modified
from ..runtime import runtime

CACHE_CONTROL = "public, max-age=60"  # as the SPARQL endpoint's GET results
# Pages load only their own stylesheet and script (no inline code, nothing from elsewhere),
# fetch only from this server (the query page runs queries), and may not be framed.
CONTENT_SECURITY_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; "
                           "img-src 'self' data:; connect-src 'self'; form-action 'self'; "
                           "base-uri 'none'; frame-ancestors 'none'")


def _code_digest() -> str:
    """A digest of the server's templates and static files."""
    digest = hashlib.blake2b(digest_size=4)
    server = Path(__file__).parent.parent
    for folder in ("templates", "static"):
        for path in sorted((server / folder).glob("*")):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


CODE_DIGEST = _code_digest()


def html_response(body: str) -> Response:
    return Response(body, content_type="text/html; charset=utf-8")


def harden(response: Response) -> Response:
    """The headers every response carries: no sniffing of types; for HTML (pages, and error
    pages, which may quote the request), the content policy and no framing
    (``X-Frame-Options`` for browsers that predate ``frame-ancestors``)."""
    response.headers["X-Content-Type-Options"] = "nosniff"
    if response.mimetype == "text/html":
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response.headers["X-Frame-Options"] = "DENY"
    return response


def host_tag() -> str:
    """A digest of the address the page was asked at. Pages show the endpoint's absolute
    URL, which comes from the ``Host`` header: their ETags hold this, and they vary on
    ``Host``, so that no cache serves one host's page for another."""
    return hashlib.blake2b(request.host_url.encode(), digest_size=4).hexdigest()


def cacheable(response: Response, etag: str) -> None:
    response.set_etag(etag)
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.vary.add("Host")


def cached_page(render: Callable[[], str]) -> Callable[[], Response]:
    """A view of the HTML that ``render`` returns, tagged with the dataset version, the
    view's name and the layout; answered 304 without rendering while the tag still matches.
    """

    @functools.wraps(render)
    def view() -> Response:
        dataset = runtime().dataset
        etag = (f"{dataset.current().version}-{render.__name__}-{CODE_DIGEST}-{host_tag()}"
                f"{copy_tag(dataset)}")
        if etag in request.if_none_match:
            return not_modified(etag)
        response = html_response(render())
        cacheable(response, etag)
        return response

    return view
