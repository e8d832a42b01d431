"""``/recommendations``: the 45 recommendations in one table, from one query; and what a
recommendation's page reads from the reports (``readings``).

The query has a row per recommendation and section reporting on it; the table has a row
per recommendation, its sections joined.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from flask import render_template
from markupsafe import Markup

from ..errors import HttpError
from ..runtime import Runtime, runtime
from .labels import fetch_labels
from .naming import Namer, natural_key
from .query_page import prologue_for_display, query_link
from .report import Renderer, report_href, report_text
from .resource import Page
from .responses import cached_page
from .terms import Term, bindings, prologue

RECOMMENDATIONS = """SELECT ?r ?number ?cluster ?clusterNotation ?immediate ?text ?section ?report
       ?sectionLabel WHERE {
  ?r a dakg:Recommendation ; dakg:recommendationNumber ?number .
  OPTIONAL { ?r dakg:cluster ?cluster . OPTIONAL { ?cluster skos:notation ?clusterNotation } }
  OPTIONAL { ?r dakg:adoptedForImmediateImplementation ?immediate }
  OPTIONAL { ?r dakg:recommendationText ?text }
  OPTIONAL { ?r dakg:reportedIn ?section .
             ?section dcterms:isPartOf/dcterms:isPartOf ?newest . ?newest dakg:symbol ?report
             OPTIONAL { ?section rdfs:label ?sectionLabel FILTER(lang(?sectionLabel) = "en") } }
} ORDER BY ?number ?section"""
# Reports newest first: by the end of their reporting period, then by symbol (a longer
# number is a later session).
NEWEST_FIRST = "DESC(?end) DESC(STRLEN(?symbol)) DESC(?symbol)"
# The reports, newest first; the first is the one whose sections the table names. With the
# named graph that says what each is (its own graph, which holds its sections).
REPORTS = """SELECT ?report ?symbol ?end ?graph WHERE {
  ?report a dakg:ProgressReport ; dakg:symbol ?symbol .
  OPTIONAL { ?report dakg:hasReportingPeriod/dakg:endMonth ?end }
  OPTIONAL { GRAPH ?graph { ?report a dakg:ProgressReport } }
} ORDER BY """ + NEWEST_FIRST
REPORT_LIMIT = 100_000  # rows of REPORTS (one a report)
# How many sections report on each recommendation, over all reports.
SECTION_COUNTS = """SELECT ?r (COUNT(DISTINCT ?section) AS ?n) WHERE {
  ?r a dakg:Recommendation ; dakg:reportedIn ?section } GROUP BY ?r"""
TEXT_START = 40  # characters of a recommendation's text in the table


@dataclass
class RecommendationRow:
    iri: str
    number: str
    cluster: str = ""
    cluster_notation: str = ""
    immediate: bool | None = None
    text: str = ""
    sections: list[tuple[str, str, str]] = field(default_factory=list)  # IRI, report, label
    reported: int = 0  # sections on it in all reports

    @property
    def earlier(self) -> int:
        """Sections on it in reports before the newest."""
        return self.reported - len(self.sections)

    @property
    def text_start(self) -> str:
        return self.text if len(self.text) <= TEXT_START else self.text[:TEXT_START] + "…"


def _row(found: dict[str, Term]) -> RecommendationRow:
    """A table row from the first query row of a recommendation."""
    def value(key: str) -> str:
        return found[key].value if key in found else ""

    immediate = found.get("immediate")
    return RecommendationRow(
        found["r"].value, found["number"].value, cluster=value("cluster"),
        cluster_notation=value("clusterNotation"),
        immediate=None if immediate is None else immediate.value in ("true", "1"),
        text=unicodedata.normalize("NFC", value("text")))


@cached_page
def recommendations() -> str:
    """The table names the newest report's sections and counts the others, so that it stays
    the same size however long the series."""
    rt = runtime()
    newest = next(iter(newest_first(rt)), None)
    query = RECOMMENDATIONS.replace("?newest", f"<{newest.report}>") if newest \
        else RECOMMENDATIONS
    rows, _ = bindings(rt, prologue(rt) + query, 5000)
    table: dict[str, RecommendationRow] = {}
    for row in rows:
        iri = row["r"].value
        if iri not in table:
            table[iri] = _row(row)
        entry = table[iri]
        section = row.get("section")
        if section is not None and section.value not in (s[0] for s in entry.sections):
            report, label = row.get("report"), row.get("sectionLabel")
            entry.sections.append((section.value, report.value if report else "",
                                   label.value if label else ""))
    counts, _ = bindings(rt, prologue(rt) + SECTION_COUNTS, 5000)
    for row in counts:
        if row["r"].value in table:
            table[row["r"].value].reported = int(row["n"].value)
    return render_template("recommendations.html", n=Namer(rt),
                           items=sorted(table.values(), key=lambda r: natural_key(r.number)),
                           scheme=rt.settings.base_iri + "id/scheme/development-agenda",
                           query_link=query_link(prologue_for_display(rt, query)))


@dataclass(frozen=True)
class Report:
    report: str
    symbol: str
    period_end: str
    graph: str = ""  # the named graph that holds its sections, if there is one


def newest_first(rt: Runtime) -> list[Report]:
    """The reports, newest first: once per data version, for every page that lists some."""
    def fetched() -> list[Report]:
        rows, _ = bindings(rt, prologue(rt) + REPORTS, REPORT_LIMIT)
        found: dict[str, Report] = {}
        for row in rows:
            report = row["report"].value
            found.setdefault(report, Report(report, row["symbol"].value,
                                            row["end"].value if "end" in row else "",
                                            row["graph"].value if "graph" in row else ""))
        return list(found.values())

    reports: list[Report] = rt.cache.get(("reports-newest-first", rt.dataset.current().version),
                                         fetched)
    return reports


# The sections that report on a recommendation with their reports, newest first (the query a
# page links to; the page itself puts ``SECTION_PARTS`` in the order of ``newest_first``).
SECTIONS = """SELECT ?section ?report ?symbol ?end WHERE {{
  <{iri}> dakg:reportedIn ?section .
  ?section dcterms:isPartOf+ ?report . ?report a dakg:ProgressReport ; dakg:symbol ?symbol .
  OPTIONAL {{ ?report dakg:hasReportingPeriod/dakg:endMonth ?end }}
}} ORDER BY """ + NEWEST_FIRST + " ?section"
# The sections that report on a recommendation and what they are part of (their reports among
# them): a path from each section, not a sort of them all by their reports' periods. For
# data whose reports are not each in a named graph of their own.
SECTION_PARTS = """SELECT ?section ?report WHERE {{
  <{iri}> dakg:reportedIn ?section . ?section dcterms:isPartOf+ ?report
}}"""
# The sections on a recommendation in some reports' graphs: a lookup per graph.
SECTIONS_IN = """SELECT ?section ?graph WHERE {{
  VALUES ?graph {{ {graphs} }} GRAPH ?graph {{ ?section dakg:reportsOn <{iri}> }}
}}"""
REPORTS_ASKED = 40  # reports whose graphs one query of SECTIONS_IN asks
# What else the listed sections report on.
OTHERS = """SELECT ?section ?other WHERE {{
  VALUES ?section {{ {sections} }}
  ?section dakg:reportsOn ?other FILTER(?other != <{iri}>)
}}"""
READ_IN_FULL = 2  # the newest reports whose sections a page prints: this year and the last
LISTED = 20  # the reports a page names in all (the rest: a query)


@dataclass
class Reading:
    """What one report says on a recommendation: its section, as the report prints it."""

    report: str
    symbol: str
    period_end: str
    section: str
    others: list[str] = field(default_factory=list)  # recommendations reported with it
    text: Markup | None = None  # the section's text, every mention a link
    elsewhere: list[Markup] = field(default_factory=list)  # its footnotes printed elsewhere
    in_report: str = ""  # the section in the annotated report


@dataclass
class Readings:
    """The sections reporting on a recommendation: the newest printed (``full``), the next
    ones named (``listed``), and how many there are in all, with the query that lists
    them all."""

    full: list[Reading]
    listed: list[Reading]
    total: int
    query_link: str

    def __bool__(self) -> bool:
        return bool(self.full)


def readings(rt: Runtime, page: Page) -> Readings:
    """The sections reporting on ``page``'s resource, newest report first: the first
    ``READ_IN_FULL`` rendered as the annotated report renders them, up to ``LISTED`` named.
    A page costs the same however long the series: it reads two reports' texts (kept for
    every page), not one per report."""
    total = page.count(page.dakg + "reportedIn")
    query = SECTIONS.format(iri=page.iri)
    link = query_link(prologue_for_display(rt, query))
    if not total:
        return Readings([], [], 0, link)
    listed = _listed(rt, page.iri, total)
    found = {r.section: r for r in listed}
    if listed:
        values = " ".join(f"<{r.section}>" for r in listed)
        others, _ = bindings(rt, prologue(rt) + OTHERS.format(sections=values, iri=page.iri),
                             LISTED * 50)
        for row in others:
            reading = found[row["section"].value]
            if row["other"].value not in reading.others:
                reading.others.append(row["other"].value)
    reports = list(dict.fromkeys(r.report for r in listed))[:READ_IN_FULL]
    for reading in listed:
        reading.others.sort(key=natural_key)
        reading.in_report = report_href(page.namer, reading.report, reading.section) or ""
        if reading.report in reports:
            _render(rt, page.namer, reading)
    fetch_labels(rt, page.namer, reports + [o for r in listed for o in (r.section, *r.others)])
    full = [r for r in listed if r.report in reports]
    return Readings(full, listed[len(full):], total, link)


def _listed(rt: Runtime, iri: str, total: int) -> list[Reading]:
    """The first ``LISTED`` sections on ``iri``, newest report first (then by IRI): asked of
    the newest reports' graphs, a few dozen at a time, until there are enough (or all
    ``total``), so that a page costs the same however many reports there are."""
    reports = newest_first(rt)
    if not all(r.graph for r in reports) or len({r.graph for r in reports}) < len(reports):
        return _listed_by_path(rt, iri, reports)
    found: dict[str, Reading] = {}
    for start in range(0, len(reports), REPORTS_ASKED):
        asked = reports[start:start + REPORTS_ASKED]
        graphs = {r.graph: r for r in asked}
        text = SECTIONS_IN.format(graphs=" ".join(f"<{g}>" for g in graphs), iri=iri)
        rows, _ = bindings(rt, prologue(rt) + text, REPORT_LIMIT)
        place = {r.graph: i for i, r in enumerate(asked)}
        for _, section, graph in sorted((place[row["graph"].value], row["section"].value,
                                         row["graph"].value) for row in rows):
            if section not in found and len(found) < LISTED:
                report = graphs[graph]
                found[section] = Reading(report.report, report.symbol, report.period_end,
                                         section)
        if len(found) >= min(LISTED, total):
            break
    return list(found.values())


def _listed_by_path(rt: Runtime, iri: str, reports: list[Report]) -> list[Reading]:
    """``_listed`` for data whose reports are not each in a graph of their own: every
    section on ``iri`` with what it is part of."""
    place = {r.report: i for i, r in enumerate(reports)}
    rows, _ = bindings(rt, prologue(rt) + SECTION_PARTS.format(iri=iri), REPORT_LIMIT)
    parts = sorted((place[row["report"].value], row["section"].value) for row in rows
                   if row["report"].value in place)
    found: dict[str, Reading] = {}
    for i, section in parts:
        if section not in found and len(found) < LISTED:
            report = reports[i]
            found[section] = Reading(report.report, report.symbol, report.period_end, section)
    return list(found.values())


def _render(rt: Runtime, namer: Namer, reading: Reading) -> None:
    """Fill in the section's text from the report's published source text, if there is one."""
    try:
        source = report_text(rt, reading.report)
    except HttpError as e:
        if e.status != 404:
            raise
        return
    part = source.parts.get(reading.section)
    if part is None:
        return
    under = namer.base + "id/document/"
    renderer = Renderer(
        source, namer, lambda iri: iri[len(under):] if iri.startswith(under) else iri,
        lambda p: report_href(namer, reading.report, p.iri) or namer.local(p.iri) or p.iri,
        block_headings=True)
    reading.text = renderer.inside(part)
    reading.elsewhere = [renderer.part(p) for p in source.outside(part)]
