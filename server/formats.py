"""The result formats the endpoint speaks, and the choice between them.

The choice follows the ``format`` parameter when there is one (a short name or a media
type), else the ``Accept`` header with its q-values, parsed by Werkzeug. Each kind of result
has its own offers: solutions (SELECT, ASK) and graphs (CONSTRUCT, DESCRIBE, the service
description, Graph Store GETs).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from enum import Enum

from werkzeug.datastructures import MIMEAccept


class Kind(Enum):
    SOLUTIONS = "solutions"  # SELECT and ASK
    GRAPH = "graph"  # CONSTRUCT, DESCRIBE, one graph of the store
    DATASET = "dataset"  # several graphs: only formats that hold named graphs


@dataclass(frozen=True)
class Format:
    name: str  # short name for the ``format`` parameter
    media_type: str
    kinds: frozenset[Kind]
    aliases: tuple[str, ...] = ()  # other media types that mean the same
    extension: str = ""

    @property
    def content_type(self) -> str:
        text = self.media_type.startswith("text/") or self.media_type.endswith(
            ("+json", "+xml", "/json", "/xml", "/ld+json", "/trig", "/n-quads", "/n-triples"))
        return f"{self.media_type}; charset=utf-8" if text else self.media_type


_S, _G, _D = Kind.SOLUTIONS, Kind.GRAPH, Kind.DATASET

# Order matters: for */* the first offer of a kind wins.
FORMATS: tuple[Format, ...] = (
    Format("json", "application/sparql-results+json", frozenset({_S}),
           ("application/json",), "srj"),
    Format("xml", "application/sparql-results+xml", frozenset({_S}),
           ("application/xml", "text/xml"), "srx"),
    Format("csv", "text/csv", frozenset({_S}), (), "csv"),
    Format("tsv", "text/tab-separated-values", frozenset({_S}), (), "tsv"),
    Format("turtle", "text/turtle", frozenset({_G}), ("application/x-turtle",), "ttl"),
    Format("ntriples", "application/n-triples", frozenset({_G}), ("text/plain",), "nt"),
    Format("rdfxml", "application/rdf+xml", frozenset({_G}), (), "rdf"),
    Format("jsonld", "application/ld+json", frozenset({_G, _D}), (), "jsonld"),
    Format("trig", "application/trig", frozenset({_G, _D}), (), "trig"),
    Format("nquads", "application/n-quads", frozenset({_G, _D}), (), "nq"),
)
BY_NAME = {f.name: f for f in FORMATS}
BY_MEDIA_TYPE = {t: f for f in FORMATS for t in (f.media_type, *f.aliases)}


class NoFormat(Exception):
    """No offered format is acceptable; ``offers`` lists what could have been sent."""

    def __init__(self, offers: list[str]) -> None:
        self.offers = offers
        super().__init__(", ".join(offers))


class UnknownFormat(ValueError):
    pass


def offers(kind: Kind) -> list[Format]:
    return [f for f in FORMATS if kind in f.kinds]


@functools.lru_cache(maxsize=256)
def choose_for_header(kind: Kind, accept_header: str, format_param: str | None) -> Format:
    """``choose`` for a raw ``Accept`` header; cached, as clients send the same few."""
    from werkzeug.http import parse_accept_header

    return choose(kind, parse_accept_header(accept_header, MIMEAccept), format_param)


def choose(kind: Kind, accept: MIMEAccept, format_param: str | None = None) -> Format:
    """The format for a result of ``kind``.

    ``format_param`` (a short name or a media type) wins over ``Accept``; a format that cannot
    carry this kind of result is ``NoFormat`` (406), an unknown one ``UnknownFormat`` (400).
    """
    candidates = offers(kind)
    if format_param:
        wanted = BY_NAME.get(format_param) or BY_MEDIA_TYPE.get(format_param.split(";")[0].strip())
        if wanted is None:
            raise UnknownFormat(f"unknown format {format_param!r}; expected one of "
                                + ", ".join(f.name for f in FORMATS))
        if wanted not in candidates:
            raise NoFormat([f.media_type for f in candidates])
        return wanted
    if not accept:
        return candidates[0]
    # Canonical types first: on a tie (``text/*``, ``*/*``) they win over aliases, and an
    # alias cannot bring back a format whose canonical type the client excluded with q=0.
    names = [f.media_type for f in candidates] + [a for f in candidates for a in f.aliases]
    best = accept.best_match(names)
    if best is None:
        raise NoFormat([f.media_type for f in candidates])
    return BY_MEDIA_TYPE[best]


def by_media_type(media_type: str) -> Format | None:
    return BY_MEDIA_TYPE.get(media_type.split(";")[0].strip().lower())
