"""The curated reference data as plain typed records."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..extract.gazetteer import Gazetteer, Names


@dataclass(frozen=True)
class Origin:
    """Where a curated fact was taken from (a key of ``[sources]`` in the file)."""

    key: str
    title: str
    url: str | None = None
    identifier: str | None = None


@dataclass(frozen=True)
class Cluster:
    letter: str
    first: int
    last: int
    name_en: str
    name_zh: str
    source: str

    def __contains__(self, number: int) -> bool:
        return self.first <= number <= self.last


@dataclass(frozen=True)
class Entity:
    """A sector, committee, programme, project or the organisation itself."""

    kind: str
    key: str
    name_zh: str
    source: str
    name_en: str | None = None
    acronym: str | None = None
    names: tuple[str, ...] = ()  # the report's spellings, for the gazetteer
    short_names: tuple[str, ...] = ()  # words used for other things too: opening a phrase only
    session_names: tuple[str, ...] = ()  # committees only: names that attribute sessions
    numbered_sessions: bool = True  # committees only: False when sessions go by year instead


@dataclass(frozen=True)
class DocumentTitle:
    """The English title of a document the report is or cites; the export carries none."""

    symbol: str
    title_en: str
    source: str


@dataclass(frozen=True)
class Reference:
    title: str
    description: str
    curator: str
    modified: dt.date
    sources: dict[str, Origin]
    clusters: tuple[Cluster, ...]
    immediate: frozenset[int]
    immediate_source: str
    organization: Entity
    sectors: tuple[Entity, ...]
    committees: tuple[Entity, ...]
    programmes: tuple[Entity, ...]
    projects: tuple[Entity, ...]
    documents: tuple[DocumentTitle, ...]
    _by_sector_name: dict[str, Entity] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_sector_name", {s.name_zh: s for s in self.sectors})

    def cluster_of(self, number: int) -> Cluster | None:
        return next((c for c in self.clusters if number in c), None)

    def sector_named(self, name_zh: str) -> Entity | None:
        return self._by_sector_name.get(name_zh)

    def named_entities(self) -> tuple[Entity, ...]:
        """The entities the gazetteer finds in the text: all but the organisation."""
        return self.sectors + self.committees + self.programmes + self.projects

    def gazetteer(self) -> Gazetteer:
        return Gazetteer.of(Names(e.kind, e.key, e.names, e.short_names)
                            for e in self.named_entities())

    def committee_names(self) -> dict[str, str]:
        """Every name that attributes a session to a committee, mapped to the committee key."""
        return {name: c.key for c in self.committees if c.numbered_sessions
                for name in (*c.names, *c.session_names)}
