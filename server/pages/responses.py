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

from ..queries import not_modified
from ..runtime import runtime

CACHE_CONTROL = "public, max-age=60"  # as the SPARQL endpoint's GET results


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


def cacheable(response: Response, etag: str) -> None:
    response.set_etag(etag)
    response.headers["Cache-Control"] = CACHE_CONTROL


def cached_page(render: Callable[[], str]) -> Callable[[], Response]:
    """A view of the HTML that ``render`` returns, tagged with the dataset version, the
    view's name and the layout; answered 304 without rendering while the tag still matches.
    """

    @functools.wraps(render)
    def view() -> Response:
        etag = f"{runtime().dataset.current().version}-{render.__name__}-{CODE_DIGEST}"
        if etag in request.if_none_match:
            return not_modified(etag)
        response = html_response(render())
        cacheable(response, etag)
        return response

    return view
