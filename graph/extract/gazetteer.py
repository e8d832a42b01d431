"""Names of curated entities (sectors, committees, programmes, projects) found in the text.

The curated reference file lists each entity with the names the report uses for it. At each
position the longest name wins, so ``WIPO GREEN`` is not also read as a shorter name inside
it. A name that begins or ends with a Latin letter or digit must stand alone on that side, and
both sides are judged alike: a letter, digit or hyphen next to it means it is part of a longer
token, so ``TISC`` does not match inside ``eTISC`` nor ``IPTI`` inside the course code
``IPTI-001``.

A *short* name is a word the report also uses for other things (``大会``, any assembly;
``集体商标``, collective marks in general). It counts only where it opens a phrase: at the
start of the text, after punctuation, or after ``年`` or ``在`` (``2007年大会``, ``在大会确立的``,
``、集体商标、``), never as the tail of a longer name (``缔约方大会``, ``野花蜂蜜集体商标项目``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..records import EntityMention
from .excerpt import Excerpt

_LATIN_TOKEN = "A-Za-z0-9\\-"
_OPENS_A_PHRASE = r"(?<![^\s，。；：、（“”‘’(,;:年在])"


@dataclass(frozen=True)
class Entry:
    kind: str
    key: str


@dataclass(frozen=True)
class Names:
    """One entity's names for the gazetteer."""

    kind: str
    key: str
    names: Iterable[str]
    short_names: Iterable[str] = ()


class Gazetteer:
    def __init__(self, names: Mapping[str, Entry], short: Iterable[str] = ()) -> None:
        self.names = dict(names)
        self.short = frozenset(short)
        alternatives = sorted(self.names, key=lambda name: (-len(name), name))
        # Every name begins where its first character is (the side checks take none): the
        # lookahead refuses every other position at once, where the alternation would try
        # each of its hundred names there (five times the time of a report's search).
        first = "".join(sorted({re.escape(name[0]) for name in alternatives}))
        self._pattern = re.compile(f"(?=[{first}])(?:" + "|".join(
            _boundaried(name, name in self.short) for name in alternatives) + ")") \
            if alternatives else None

    @classmethod
    def of(cls, entries: Iterable[Names]) -> Gazetteer:
        """Build from each entity's names; a name may belong to one entity only."""
        names: dict[str, Entry] = {}
        short: set[str] = set()
        for entity in entries:
            entry = Entry(entity.kind, entity.key)
            short_names = list(entity.short_names)
            for alias in [*entity.names, *short_names]:
                if alias in names and names[alias] != entry:
                    raise ValueError(f"the name {alias!r} is given to both "
                                     f"{names[alias].key} and {entity.key}")
                names[alias] = entry
            short.update(short_names)
        return cls(names, short)

    def find(self, text: Excerpt) -> list[EntityMention]:
        if self._pattern is None:
            return []
        found = []
        for match, span in text.finditer(self._pattern):
            entry = self.names[match[0]]
            found.append(EntityMention(kind=entry.kind, key=entry.key, surface=match[0],
                                       span=span))
        return found


def _boundaried(name: str, short: bool) -> str:
    pattern = re.escape(name)
    if name[0].isascii() and name[0].isalnum():
        pattern = rf"(?<![{_LATIN_TOKEN}])" + pattern
    if name[-1].isascii() and name[-1].isalnum():
        pattern = pattern + rf"(?![{_LATIN_TOKEN}])"
    if short:
        pattern = _OPENS_A_PHRASE + pattern
    return pattern
