"""Which representation of a resource a request asks for: the HTML page or an RDF format,
chosen by an extension of the path (``/id/recommendation/20.ttl``), else by ``Accept``.

Only the extensions below select a representation; any other dot is part of the IRI
(``/id/document/SCT/44/6/Rev.4``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from flask import request
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from .. import formats
from ..errors import not_acceptable
from ..negotiation import HTML, XHTML


@dataclass(frozen=True)
class Download:
    """An RDF format a resource is offered in by extension, as its page links it."""

    format: formats.Format

    @property
    def label(self) -> str:
        return self.format.label

    @property
    def ext(self) -> str:
        return self.format.extension

    @property
    def media_type(self) -> str:
        return self.format.media_type


DOWNLOADS = tuple(Download(formats.BY_NAME[name])
                  for name in ("turtle", "jsonld", "ntriples", "rdfxml"))
EXTENSIONS: dict[str, str | formats.Format] = {"html": HTML,
                                               **{d.ext: d.format for d in DOWNLOADS}}


def split_extension(path: str) -> tuple[str, str | None]:
    """(path without a known representation extension, that extension or None)."""
    stem, dot, ext = path.rpartition(".")
    if dot and ext in EXTENSIONS and stem and not stem.endswith("/"):
        return stem, ext
    return path, None


def negotiate(ext: str | None) -> str | formats.Format:
    """``HTML`` or an RDF format: from the extension, else from Accept (406 if nothing fits)."""
    if ext is not None:
        return EXTENSIONS[ext]
    chosen = _by_accept(request.headers.get("Accept", ""))
    if chosen is None:
        graph = formats.offers(formats.Kind.GRAPH)
        raise not_acceptable([HTML, *(f.media_type for f in graph)])
    return chosen


@functools.lru_cache(maxsize=512)
def _by_accept(header: str) -> str | formats.Format | None:
    """The representation an ``Accept`` header asks for, None if none fits. Kept per header
    value: clients send the same few, and matching one against every offer costs more than
    answering a cached page."""
    accept = parse_accept_header(header, MIMEAccept)
    if not accept:
        return HTML
    graph = formats.offers(formats.Kind.GRAPH)
    # Canonical types before aliases, as in ``formats.choose``: they win a tie (``*/*``).
    offered = [HTML, *(f.media_type for f in graph), XHTML,
               *(a for f in graph for a in f.aliases)]
    best = accept.best_match(offered)
    if best is None:
        return None
    if best in (HTML, XHTML):
        return HTML
    chosen = formats.by_media_type(best, formats.Kind.GRAPH)
    assert chosen is not None
    return chosen
