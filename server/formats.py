"""The choice of a response format, between the formats of ``dakg.formats``.

The choice follows a ``format`` (or ``output``, or ``results``) parameter when there is one
that can carry this kind of result, else the ``Accept`` header with its q-values, parsed by
Werkzeug. Each kind of result has its own offers: solutions (SELECT, ASK) and graphs
(CONSTRUCT, DESCRIBE, the service description, Graph Store GETs).

The parameter takes dakg's names (``json``, ``turtle``, ``rdfxml``, …), the names clients send
(SPARQLWrapper's ``xml``, ``rdf+xml``, ``json-ld``, ``n3``; Fuseki's ``text``), extensions, or
media types. A name stands for the format of its family that fits the query: ``xml`` is SPARQL
XML for a SELECT and RDF/XML for a CONSTRUCT; ``json`` is SPARQL JSON or JSON-LD. A name of a
format that cannot carry the result (``csv`` for a CONSTRUCT) is ignored in favour of
``Accept``, as Virtuoso and Fuseki do; a value that names no format at all is a 400.
"""

from __future__ import annotations

import functools

from werkzeug.datastructures import MIMEAccept

from dakg.formats import (
    BY_NAME,
    FORMATS,
    Format,
    Kind,
    by_media_type,
    by_name,
    is_known,
    known_names,
    offers,
)

__all__ = ["BY_NAME", "FORMATS", "FORMAT_PARAMETERS", "Format", "Kind", "NoFormat",
           "UnknownFormat", "by_media_type", "choose", "choose_for_header", "offers"]

# The parameters clients name the format with, in the order they are read.
FORMAT_PARAMETERS = ("format", "output", "results")


class NoFormat(Exception):
    """No offered format is acceptable; ``offers`` lists what could have been sent."""

    def __init__(self, offers: list[str]) -> None:
        self.offers = offers
        super().__init__(", ".join(offers))


class UnknownFormat(ValueError):
    pass


@functools.lru_cache(maxsize=256)
def choose_for_header(kind: Kind, accept_header: str, format_param: str | None) -> Format:
    """``choose`` for a raw ``Accept`` header; cached, as clients send the same few."""
    from werkzeug.http import parse_accept_header

    return choose(kind, parse_accept_header(accept_header, MIMEAccept), format_param)


def choose(kind: Kind, accept: MIMEAccept, format_param: str | None = None) -> Format:
    """The format for a result of ``kind``: ``format_param`` if it names one that fits, else
    the best of ``Accept`` (``NoFormat``, a 406, if none fits)."""
    candidates = offers(kind)
    if format_param:
        wanted = by_name(format_param, kind)
        if wanted is not None:
            return wanted
        if not is_known(format_param):
            raise UnknownFormat(f"unknown format {format_param!r}; expected one of "
                                + ", ".join(known_names()) + " or a media type of one")
    if not accept:
        return candidates[0]
    # Canonical types first: on a tie (``text/*``, ``*/*``) they win over aliases, and an
    # alias cannot bring back a format whose canonical type the client excluded with q=0.
    names = [f.media_type for f in candidates] + [a for f in candidates for a in f.aliases]
    best = accept.best_match(names)
    if best is None:
        raise NoFormat([f.media_type for f in candidates])
    found = by_media_type(best, kind)
    assert found is not None
    return found
