"""Names of curated entities (programmes, committees, projects) found in the text.

The curated reference file lists each entity with the names the report uses for it. At each
position the longest name wins, so ``WIPO GREEN`` is not also read as a shorter name inside
it. A Latin name must stand alone: ``TISC`` does not match inside ``eTISC``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..records import EntityMention
from .excerpt import Excerpt


@dataclass(frozen=True)
class Entry:
    kind: str
    key: str


class Gazetteer:
    def __init__(self, names: Mapping[str, Entry]) -> None:
        self.names = dict(names)
        alternatives = sorted(self.names, key=lambda name: (-len(name), name))
        self._pattern = re.compile("|".join(_boundaried(name) for name in alternatives)) \
            if alternatives else None

    @classmethod
    def of(cls, entries: Iterable[tuple[str, str, Iterable[str]]]) -> Gazetteer:
        """Build from ``(kind, key, names)`` triples; a name may belong to one entity only."""
        names: dict[str, Entry] = {}
        for kind, key, aliases in entries:
            for alias in aliases:
                if alias in names and names[alias] != Entry(kind, key):
                    raise ValueError(f"the name {alias!r} is given to both "
                                     f"{names[alias].key} and {key}")
                names[alias] = Entry(kind, key)
        return cls(names)

    def find(self, text: Excerpt) -> list[EntityMention]:
        if self._pattern is None:
            return []
        found = []
        for match, span in text.finditer(self._pattern):
            entry = self.names[match[0]]
            found.append(EntityMention(kind=entry.kind, key=entry.key, surface=match[0],
                                       span=span))
        return found


def _boundaried(name: str) -> str:
    pattern = re.escape(name)
    if name[0].isascii() and name[0].isalnum():
        pattern = r"(?<![A-Za-z0-9\-])" + pattern
    if name[-1].isascii() and name[-1].isalnum():
        pattern = pattern + r"(?![A-Za-z0-9])"
    return pattern
