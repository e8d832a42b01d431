"""WIPO document symbols: ``CDIP/3/INF/2``, ``WO/PBC/38/3 REV.``, ``SCT/44/6 REV.4``, ``CDIP10/9``.

Accepted: optional prefixes (``WO/``, ``WIPO/``), a committee in capitals, the session (the
export sometimes drops the slash before it), an optional ``INF`` series, the document number,
and an optional revision in any case, with or without the dot: ``Rev``, ``Rev.``, ``REV.``,
``Rev.2``. The canonical form writes ``Rev.`` for the first revision and ``Rev.N`` after it.
"""

from __future__ import annotations

import re

from ..records import Citation, DocumentSymbol
from .excerpt import Excerpt

_SYMBOL = re.compile(
    r"(?<![A-Za-z0-9/])"
    r"(?:(?P<prefix>[A-Z]+(?:/[A-Z]+)*)/)?"
    r"(?P<committee>[A-Z]{2,})/?(?P<session>\d+)"
    r"/(?:(?P<inf>INF)/)?(?P<number>\d+)"
    r"(?:\s?(?P<rev>[Rr][Ee][Vv])(?:\.\s?(?P<revnum>\d+)|\.|(?P<bare>\s?\d+))?)?"
    r"(?![A-Za-z0-9])"
)


def parse_symbol(text: str) -> DocumentSymbol:
    """Parse one symbol; ``ValueError`` if ``text`` is not exactly a symbol."""
    match = _SYMBOL.fullmatch(text)
    if match is None:
        raise ValueError(f"not a document symbol: {text!r}")
    return _from_match(match)


def find_citations(text: Excerpt) -> list[Citation]:
    return [Citation(symbol=_from_match(m), surface=m[0], span=span)
            for m, span in text.finditer(_SYMBOL)]


def _from_match(match: re.Match[str]) -> DocumentSymbol:
    revision = None
    if match["rev"]:
        digits = match["revnum"] or match["bare"]
        revision = int(digits) if digits else 1
    prefix = tuple(match["prefix"].split("/")) if match["prefix"] else ()
    return DocumentSymbol(prefix=prefix, committee=match["committee"],
                          session=int(match["session"]), number=int(match["number"]),
                          information=match["inf"] is not None, revision=revision)
