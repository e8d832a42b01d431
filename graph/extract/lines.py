"""The cleaned text as a list of lines, with running page headers taken out.

The export writes one paragraph per line. A line that starts with a space before its text (or
before the tab that indents it) is where the word processor had a section break: it is the
only trace left of a recommendation heading the export lost, so it is kept as
``section_break``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from ..errors import Location, SourceError
from ..records import PageHeader
from .excerpt import Excerpt
from .markup import Cleaned, FootnoteRef

_PAGE_HEADER_SYMBOL = re.compile(r"[A-Z]+(?:/[A-Z]+)*/\d+/\d+")
_PAGE_HEADER_PAGE = re.compile(r"附件([一二三四五六七八九])第(\d+)页")
_ANNEX_NUMERALS = "一二三四五六七八九"


@dataclass(frozen=True)
class Line:
    number: int  # 1-based line number in the source
    text: Excerpt  # stripped of surrounding whitespace
    section_break: bool
    footnotes: tuple[int, ...]

    @property
    def blank(self) -> bool:
        return not self.text

    @property
    def offset(self) -> int:
        """Source offset of the line's first character (of its text, when it has text)."""
        return self.text.offset(0)


@dataclass(frozen=True)
class Lines:
    lines: tuple[Line, ...]
    page_headers: tuple[PageHeader, ...]


def split_lines(cleaned: Cleaned, source: str, name: str) -> Lines:
    """Split the cleaned text into lines and take out the running page headers."""
    raw = list(cleaned.text.split_lines())
    lines: list[Line] = []
    headers: list[PageHeader] = []
    starts = _line_starts(source)
    refs = sorted(cleaned.refs, key=lambda r: r.clean_index)
    clean_index = 0
    skip = 0
    for i, piece in enumerate(raw):
        begin, clean_index = clean_index, clean_index + len(piece) + 1
        if skip:
            skip -= 1
            continue
        stripped = piece.strip()
        if not stripped:
            continue
        header = _page_header(stripped, raw[i + 1].strip() if i + 1 < len(raw) else None)
        if header is not None:
            headers.append(header)
            skip = 1
            continue
        left = len(piece.text) - len(piece.text.lstrip())
        footnotes = _refs_within(refs, begin + left, begin + left + len(stripped))
        lines.append(Line(number=_line_number(starts, stripped.offset(0)), text=stripped,
                          section_break=piece.text.startswith(" "), footnotes=footnotes))
    if not lines:
        raise SourceError("the text is empty", Location(name, source, 0))
    return Lines(tuple(lines), tuple(headers))


def _page_header(line: Excerpt, following: Excerpt | None) -> PageHeader | None:
    if following is None or not _PAGE_HEADER_SYMBOL.fullmatch(line.text):
        return None
    page = _PAGE_HEADER_PAGE.fullmatch(following.text)
    if page is None:
        return None
    return PageHeader(symbol=line.text, annex=_ANNEX_NUMERALS.index(page[1]) + 1,
                      page=int(page[2]), span=Excerpt.join([line, following]).span)


def _refs_within(refs: list[FootnoteRef], start: int, end: int) -> tuple[int, ...]:
    # A reference removed from the end of a paragraph sits at its end index: include it.
    return tuple(ref.number for ref in refs if start <= ref.clean_index <= end)


def _line_starts(source: str) -> list[int]:
    starts = [0]
    starts.extend(i + 1 for i, ch in enumerate(source) if ch == "\n")
    return starts


def _line_number(starts: list[int], offset: int) -> int:
    return bisect_right(starts, offset)
