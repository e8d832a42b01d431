"""The overview pictures of the home page, drawn here as SVG: recommendations × sectors,
recommendations per cluster (immediate implementation marked), cited documents per CDIP
session. Every cell and bar is a link to what it stands for; every figure has a title, a
description and a table that says the same in words (the index pages).

This module reads the store (three SELECTs) and lays the pictures out in user units; the
template ``_pictures.html`` draws them. No script, no inline style: presentation attributes
and the classes of ``dakg.css`` only, so a strict Content-Security-Policy holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..runtime import Runtime
from .naming import natural_key
from .terms import Term, bindings, prologue

ROW_LIMIT = 20_000

MATRIX = """SELECT ?r ?n ?s ?en ?zh WHERE {
  ?r a dakg:Recommendation ; dakg:recommendationNumber ?n .
  OPTIONAL { ?r dakg:relatedSector ?s .
    OPTIONAL { ?s rdfs:label|skos:prefLabel ?en FILTER(langMatches(lang(?en), "en")) }
    OPTIONAL { ?s rdfs:label|skos:prefLabel ?zh FILTER(langMatches(lang(?zh), "zh")) } }
}"""
CLUSTERS = """SELECT ?c ?notation ?en ?r ?n ?immediate WHERE {
  ?r a dakg:Recommendation ; dakg:recommendationNumber ?n ; dakg:cluster ?c .
  OPTIONAL { ?r dakg:adoptedForImmediateImplementation ?immediate }
  OPTIONAL { ?c skos:notation ?notation }
  OPTIONAL { ?c rdfs:label|skos:prefLabel ?en FILTER(langMatches(lang(?en), "en")) }
}"""
SESSIONS = """SELECT ?s ?number (COUNT(DISTINCT ?d) AS ?docs) WHERE {{
  ?s a dakg:Session ; dakg:committee <{committee}> ; dakg:sessionNumber ?number .
  OPTIONAL {{ ?d dakg:forSession ?s . ?m oa:hasBody ?d }}
}} GROUP BY ?s ?number"""

CELL = 18  # user units of a matrix cell
LABEL_WIDTH = 250  # of the matrix's sector names
BAR_UNIT = 20  # of one recommendation in a cluster's bar
SESSION_WIDTH = 22  # of one session's column
SESSION_HEIGHT = 160  # of the tallest session's column
# The newest sessions drawn: a long series would draw a picture wider than any screen.
SESSION_BARS = 60


def _value(row: dict[str, Term], key: str) -> str:
    return row[key].value if key in row else ""


@dataclass
class Sector:
    iri: str
    name: str
    name_zh: str
    y: int = 0


@dataclass
class Matrix:
    recommendations: list[tuple[int, str]]  # number, IRI
    sectors: list[Sector]
    cells: set[tuple[int, str]]  # recommendation number, sector IRI

    @property
    def width(self) -> int:
        return LABEL_WIDTH + CELL * len(self.recommendations) + 10

    @property
    def height(self) -> int:
        return 40 + CELL * len(self.sectors) + 10

    def x(self, i: int) -> int:
        return LABEL_WIDTH + CELL * i

    def counts(self, sector: str) -> int:
        return sum(1 for _, s in self.cells if s == sector)


def matrix(rt: Runtime) -> Matrix:
    rows, _ = bindings(rt, prologue(rt) + MATRIX, ROW_LIMIT)
    recs: dict[int, str] = {}
    sectors: dict[str, Sector] = {}
    cells: set[tuple[int, str]] = set()
    for row in rows:
        number = int(row["n"].value)
        recs[number] = row["r"].value
        if "s" in row:
            iri = row["s"].value
            found = sectors.setdefault(iri, Sector(iri, "", ""))
            found.name = found.name or _value(row, "en")
            found.name_zh = found.name_zh or _value(row, "zh")
            cells.add((number, iri))
    ordered = sorted(sectors.values(), key=lambda s: natural_key(s.name or s.iri))
    for i, sector in enumerate(ordered):
        sector.name = sector.name or sector.iri.rpartition("/")[2]
        sector.y = 40 + CELL * i
    return Matrix(sorted(recs.items()), ordered, cells)


@dataclass
class ClusterBar:
    iri: str
    notation: str
    name: str
    recommendations: list[tuple[int, str, bool]] = field(default_factory=list)  # immediate?
    y: int = 0

    @property
    def immediate(self) -> int:
        return sum(1 for _, _, now in self.recommendations if now)


@dataclass
class Clusters:
    bars: list[ClusterBar]

    @property
    def width(self) -> int:
        return 80 + BAR_UNIT * max((len(b.recommendations) for b in self.bars), default=1) + 110

    @property
    def height(self) -> int:
        return 10 + 34 * len(self.bars)


def clusters(rt: Runtime) -> Clusters:
    rows, _ = bindings(rt, prologue(rt) + CLUSTERS, ROW_LIMIT)
    bars: dict[str, ClusterBar] = {}
    for row in rows:
        iri = row["c"].value
        bar = bars.setdefault(iri, ClusterBar(iri, _value(row, "notation"), _value(row, "en")))
        entry = (int(row["n"].value), row["r"].value,
                 _value(row, "immediate") in ("true", "1"))
        if entry not in bar.recommendations:
            bar.recommendations.append(entry)
    ordered = sorted(bars.values(), key=lambda b: natural_key(b.notation or b.iri))
    for i, bar in enumerate(ordered):
        bar.recommendations.sort()
        bar.y = 10 + 34 * i
    return Clusters(ordered)


@dataclass
class SessionBar:
    iri: str
    number: int
    documents: int
    x: int = 0
    height: int = 0


@dataclass
class Sessions:
    bars: list[SessionBar]
    most: int
    earlier: int = 0  # sessions before the first bar, left out

    @property
    def width(self) -> int:
        return 50 + SESSION_WIDTH * len(self.bars) + 10

    @property
    def height(self) -> int:
        return SESSION_HEIGHT + 60

    @property
    def baseline(self) -> int:
        return SESSION_HEIGHT + 20

    @property
    def ticks(self) -> list[int]:
        step = max(1, -(-self.most // 4))
        return list(range(0, self.most + 1, step))

    def y(self, value: int) -> float:
        return self.baseline - SESSION_HEIGHT * value / max(self.most, 1)


def sessions(rt: Runtime) -> Sessions:
    committee = rt.settings.base_iri + "id/committee/CDIP"
    rows, _ = bindings(rt, prologue(rt) + SESSIONS.format(committee=committee), ROW_LIMIT)
    every = sorted((SessionBar(r["s"].value, int(r["number"].value), int(r["docs"].value))
                    for r in rows), key=lambda b: b.number)
    bars = every[-SESSION_BARS:]
    most = max((b.documents for b in bars), default=0)
    for i, bar in enumerate(bars):
        bar.x = 50 + SESSION_WIDTH * i
        bar.height = round(SESSION_HEIGHT * bar.documents / max(most, 1))
    return Sessions(bars, most, len(every) - len(bars))


@dataclass
class Pictures:
    matrix: Matrix
    clusters: Clusters
    sessions: Sessions


def pictures(rt: Runtime) -> Pictures:
    return Pictures(matrix(rt), clusters(rt), sessions(rt))
