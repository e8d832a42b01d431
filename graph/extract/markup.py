"""Word-processor markup in the export: bookmarks and inline footnotes.

The export writes a footnote as a reference where it occurs and its body right after it::

    …受益。[footnoteRef:9] [9:  \t阿尔及利亚、巴林…等。]

A body can run over a line break. Bookmarks (``[bookmark: _Hlk178265394]``) carry nothing.
``strip_markup`` removes all three from the whole text at once, keeping for every remaining
character its offset in the source, so that later steps can split lines and still point back
at the exact source span.
"""

from __future__ import annotations

import re
from array import array
from dataclasses import dataclass

from ..errors import Location, SourceError
from .excerpt import Excerpt

# Private-use glyphs (symbol-font ticks such as U+F0FC) carry no text: they go with the markup.
_MARKUP = re.compile(r"\[(?:footnoteRef:(?P<ref>\d+)\]|bookmark:[^\]\n]*\]|(?P<body>\d+):)"
                     r"|[\ue000-\uf8ff]")
_NBSP = "\u00a0"  # becomes an ordinary space (same length, so no offset moves)


@dataclass(frozen=True)
class FootnoteRef:
    number: int
    clean_index: int  # where the reference stood in the cleaned text
    offset: int  # where it stands in the source


@dataclass(frozen=True)
class FootnoteBody:
    number: int
    text: Excerpt  # the body's text, whitespace stripped, without the brackets and number


@dataclass(frozen=True)
class Cleaned:
    text: Excerpt
    refs: tuple[FootnoteRef, ...]
    bodies: tuple[FootnoteBody, ...]


def strip_markup(source: str, name: str) -> Cleaned:
    """Remove bookmarks and footnotes from ``source``; keep the offset of every other character."""
    text, refs, bodies = _strip(source, 0, len(source), name)
    _check_footnotes(refs, bodies, source, name)
    return Cleaned(text, tuple(refs), tuple(bodies))


def _strip(source: str, start: int, end: int,
           name: str) -> tuple[Excerpt, list[FootnoteRef], list[FootnoteBody]]:
    kept: list[str] = []
    offsets = array("q")
    refs: list[FootnoteRef] = []
    bodies: list[FootnoteBody] = []
    length = 0
    position = start
    for match in _MARKUP.finditer(source, start, end):
        if match.start() < position:
            continue  # inside a footnote body already consumed
        length = _keep(source, position, match.start(), kept, offsets, length)
        if match["ref"] is not None:
            refs.append(FootnoteRef(int(match["ref"]), length, match.start()))
            position = match.end()
        elif match["body"] is not None:
            close = _closing_bracket(source, match.start(), name)
            body, _, _ = _strip(source, match.end(), close, name)
            bodies.append(FootnoteBody(int(match["body"]), body.strip()))
            position = close + 1
        else:
            position = match.end()
    _keep(source, position, end, kept, offsets, length)
    return Excerpt("".join(kept), offsets), refs, bodies


def _keep(source: str, start: int, end: int, kept: list[str], offsets: array[int],
          length: int) -> int:
    kept.append(source[start:end].replace(_NBSP, " "))
    offsets.extend(range(start, end))
    return length + (end - start)


def _closing_bracket(source: str, start: int, name: str) -> int:
    """Offset of the ``]`` closing the bracket at ``start``; nested brackets are allowed."""
    depth = 0
    for i in range(start, len(source)):
        if source[i] == "[":
            depth += 1
        elif source[i] == "]":
            depth -= 1
            if depth == 0:
                return i
    raise SourceError("footnote body is never closed: expected ']'",
                      Location(name, source, start))


def _check_footnotes(refs: list[FootnoteRef], bodies: list[FootnoteBody], source: str,
                     name: str) -> None:
    """Every reference has exactly one body and every body exactly one reference."""
    ref_at = {}
    for ref in refs:
        if ref.number in ref_at:
            raise SourceError(f"footnote {ref.number} is referenced twice",
                              Location(name, source, ref.offset))
        ref_at[ref.number] = ref.offset
    body_at: dict[int, int] = {}
    for body in bodies:
        at = body.text.offset(0) if body.text else 0
        if body.number in body_at:
            raise SourceError(f"footnote body {body.number} occurs twice",
                              Location(name, source, at))
        if not body.text:
            raise SourceError(f"footnote body {body.number} is empty", Location(name, source, at))
        body_at[body.number] = at
    for number in sorted(ref_at.keys() - body_at.keys()):
        raise SourceError(f"footnote {number} is referenced but its body '[{number}: …]' is "
                          "missing", Location(name, source, ref_at[number]))
    for number in sorted(body_at.keys() - ref_at.keys()):
        raise SourceError(f"footnote body {number} has no reference '[footnoteRef:{number}]'",
                          Location(name, source, body_at[number]))
