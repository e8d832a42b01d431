"""Cleaned text that remembers where each of its characters came from."""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterator

from ..records import Span


class Excerpt:
    """A piece of text with markup removed, mapped back onto the source.

    ``offsets[i]`` is the source offset of ``text[i]``. Removing word-processor markup leaves
    gaps in the mapping, so the source span of a cleaned substring may be longer than the
    substring: it runs from its first character's source offset to one past its last.
    """

    __slots__ = ("_offsets", "text")

    def __init__(self, text: str, offsets: array[int]) -> None:
        if len(text) != len(offsets):
            raise ValueError("an excerpt needs one source offset per character")
        self.text = text
        self._offsets = offsets

    @classmethod
    def whole(cls, text: str) -> Excerpt:
        return cls(text, array("q", range(len(text))))

    def __len__(self) -> int:
        return len(self.text)

    def __bool__(self) -> bool:
        return bool(self.text)

    def __repr__(self) -> str:
        return f"Excerpt({self.text[:30]!r}…)" if len(self.text) > 30 else f"Excerpt({self.text!r})"

    def __getitem__(self, key: slice) -> Excerpt:
        start, stop, step = key.indices(len(self.text))
        if step != 1:
            raise ValueError("excerpts are sliced contiguously")
        return Excerpt(self.text[start:stop], self._offsets[start:stop])

    def offset(self, index: int) -> int:
        """The source offset of ``text[index]``; ``index == len`` means just past the end."""
        if index == len(self.text):
            return self._offsets[-1] + 1
        return self._offsets[index]

    @property
    def span(self) -> Span:
        return self.span_of(0, len(self.text))

    def span_of(self, start: int, end: int) -> Span:
        return Span(self._offsets[start], self._offsets[end - 1] + 1)

    def strip(self, chars: str | None = None) -> Excerpt:
        left = len(self.text) - len(self.text.lstrip(chars))
        right = len(self.text.rstrip(chars))
        return self[left:right] if left < right else self[0:0]

    def finditer(self, pattern: re.Pattern[str]) -> Iterator[tuple[re.Match[str], Span]]:
        for match in pattern.finditer(self.text):
            if match.end() > match.start():
                yield match, self.span_of(match.start(), match.end())

    def split_lines(self) -> Iterator[Excerpt]:
        start = 0
        while True:
            end = self.text.find("\n", start)
            if end == -1:
                yield self[start:]
                return
            yield self[start:end]
            start = end + 1

    @staticmethod
    def join(parts: list[Excerpt], separator: str = "\n") -> Excerpt:
        """Join excerpts; each separator maps to the source offset just before the next part."""
        text: list[str] = []
        offsets = array("q")
        for i, part in enumerate(parts):
            if i:
                text.append(separator)
                offsets.extend([part.offset(0) - 1] * len(separator))
            text.append(part.text)
            offsets.extend(part._offsets)
        return Excerpt("".join(text), offsets)
