"""The format of a response, negotiated from the request (a ``format``/``output`` parameter or
``Accept``), with the protocol's errors: 400 for an unknown format, 406 when nothing fits."""

from __future__ import annotations

import functools

from flask import request
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from . import formats
from .errors import bad_request, not_acceptable

HTML = "text/html"  # pages, for people
XHTML = "application/xhtml+xml"  # which browsers ask for alongside HTML


def choose_format(kind: formats.Kind) -> formats.Format:
    try:
        return formats.choose_for_header(kind, request.headers.get("Accept", ""),
                                         format_parameter())
    except formats.UnknownFormat as e:
        raise bad_request(str(e)) from e
    except formats.NoFormat as e:
        raise not_acceptable(e.offers) from e


def format_parameter() -> str | None:
    """The first ``format``, ``output`` or ``results`` parameter given (clients send one or
    all three alike)."""
    values = request.values
    for name in formats.FORMAT_PARAMETERS:
        value = values.get(name)
        if value:
            return value
    return None


@functools.lru_cache(maxsize=512)
def prefers_page(header: str) -> bool:
    """Whether an ``Accept`` header asks for a page (HTML) before every format the SPARQL
    endpoint answers in. A browser's does (``text/html`` first, ``*/*`` at a lower q); a
    SPARQL client's does not, nor does ``*/*`` alone or no header at all: on a tie the data
    win."""
    accept = parse_accept_header(header, MIMEAccept)
    if not accept:
        return False
    data = [t for f in formats.FORMATS for t in f.media_types]
    return accept.best_match([*data, HTML, XHTML]) in (HTML, XHTML)
