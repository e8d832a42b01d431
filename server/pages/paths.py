"""Request paths as IRIs, and IRIs as links.

A resource's IRI is the base IRI plus the request path, and pages put it into their queries
between angle brackets and in string literals, as it is: so a path is checked against what
RFC 3987 allows in an IRI before it gets there. The other way, an IRI under the base is
linked as a local path, escaped so that the server decodes it back to the same IRI.
"""

from __future__ import annotations

import functools
import re
from urllib.parse import quote

from ..errors import HttpError

# RFC 3987 ipath/ifragment characters besides ucschar; '%' only before two hex digits.
_IRI_ASCII = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                       "-._~!$&'()*+,;=:@/%?#")
_UCS_RANGES = ((0xA0, 0xD7FF), (0xF900, 0xFDCF), (0xFDF0, 0xFFEF), (0x10000, 0x1FFFD),
               (0x20000, 0x2FFFD), (0x30000, 0x3FFFD), (0x40000, 0x4FFFD), (0x50000, 0x5FFFD),
               (0x60000, 0x6FFFD), (0x70000, 0x7FFFD), (0x80000, 0x8FFFD), (0x90000, 0x9FFFD),
               (0xA0000, 0xAFFFD), (0xB0000, 0xBFFFD), (0xC0000, 0xCFFFD), (0xD0000, 0xDFFFD),
               (0xE1000, 0xEFFFD))
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
# Characters an href keeps as they are in a path (besides ASCII letters and digits).
_PATH_SAFE = "/:@!$&'()*+,;=-._~"


def _iri_char(ch: str) -> bool:
    if ch in _IRI_ASCII:
        return True
    code = ord(ch)
    return any(low <= code <= high for low, high in _UCS_RANGES)


def checked_path(path: str) -> str:
    """``path`` if it can be part of an IRI (and so of a SPARQL IRIREF); else 400.

    Everything an IRIREF forbids (``<>"{}|^`\\``, spaces, control characters) is refused,
    and so is whatever else RFC 3987 does not allow in a path, so that the path can be put
    between angle brackets and in a string literal of a query as it is.
    """
    bad = next((ch for ch in path if not _iri_char(ch)), None)
    if bad is not None:
        raise _not_an_iri(f"character U+{ord(bad):04X} is not allowed in an IRI")
    if _BAD_PERCENT.search(path):
        raise _not_an_iri("'%' must start a percent-encoded octet")
    if path.count("#") > 1:
        raise _not_an_iri("more than one '#'")
    return path


def _not_an_iri(reason: str) -> HttpError:
    return HttpError(400, f"the path is not part of a valid IRI: {reason}")


_UNSTORABLE = re.compile('[<>"{}|^`\\\\\x00-\x20]')


def storable(iri: str) -> bool:
    """Whether an IRI (from the store) can be written between angle brackets as it is."""
    return bool(iri) and _UNSTORABLE.search(iri) is None


def href_escape(path: str) -> str:
    """The href of a path under the base whose decoded form is ``path`` again: '%' and '?'
    (and anything not allowed in a path) are percent-encoded; the first '#' stays, as the
    fragment; non-ASCII characters stay (browsers encode them in UTF-8, the server decodes
    them back)."""
    head, hash_, fragment = path.partition("#")
    return _escape_part(head) + hash_ + _escape_part(fragment)


@functools.lru_cache(maxsize=8192)
def _escape_part(text: str) -> str:
    # Kept: a page links the same few hundred IRIs many times, and each is escaped by
    # character.
    return "".join(ch if ch in _PATH_SAFE or (ch.isascii() and ch.isalnum())
                   or (ord(ch) > 0x7F and _iri_char(ch)) else quote(ch, safe="")
                   for ch in text)


def header_path(path: str) -> str:
    """``path`` for an HTTP header: ASCII only, '#' and '%' encoded."""
    return quote(path, safe=_PATH_SAFE)
