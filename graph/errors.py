"""Errors of the graph layer.

Every error that comes from bad input points at the place in the input it is about: the file,
the line and column, the offending line with a marker under it. A reader should be able to fix
the input from the message alone.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass


class GraphError(Exception):
    """Base of all errors raised by ``dakg.graph``."""


@dataclass(frozen=True)
class Location:
    """A position in a text file: ``offset`` counts code points into ``text``."""

    path: str
    text: str
    offset: int

    @property
    def line(self) -> int:
        return self.text.count("\n", 0, self.offset) + 1

    @property
    def column(self) -> int:
        return self.offset - (self.text.rfind("\n", 0, self.offset) + 1) + 1

    def line_text(self) -> str:
        start = self.text.rfind("\n", 0, self.offset) + 1
        end = self.text.find("\n", self.offset)
        return self.text[start : end if end != -1 else len(self.text)]

    def excerpt(self, width: int = 60) -> str:
        """The line (cut to ``width`` characters around the offset) and a caret under it.

        Chinese characters take two terminal columns, so the caret is placed by display width.
        """
        line = self.line_text().replace("\t", " ")
        col = self.column - 1
        start = max(0, col - width // 2)
        shown = line[start : start + width]
        prefix = "…" if start > 0 else ""
        suffix = "…" if start + width < len(line) else ""
        pad = _display_width(prefix + shown[: col - start])
        return f"    {prefix}{shown}{suffix}\n    {' ' * pad}^"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


class SourceError(GraphError):
    """The input (report text, its manifest or the curated reference file) is not as expected."""

    def __init__(self, message: str, location: Location | None = None) -> None:
        self.message = message
        self.location = location
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.location is None:
            return self.message
        return f"{self.location}: {self.message}\n{self.location.excerpt()}"


class BuildError(GraphError):
    """The graph could not be built, validated, stored or exported."""


class ValidationFailed(BuildError):
    """The graph violates the SHACL shapes; ``report`` holds the readable validation report."""

    def __init__(self, report: str, violations: int) -> None:
        self.report = report
        self.violations = violations
        super().__init__(f"the graph violates the SHACL shapes ({violations} results)\n{report}")
