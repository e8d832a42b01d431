"""Index pages: sectors, documents (by CDIP session), sessions, programmes, projects and
clusters, each a table with counts, sortable by its columns with ``?sort=column`` (``-column``
for descending): links, no script.

Every index is the same three queries with one pattern changed: the things of a kind with
their names, the recommendations each is linked to (``graph.stats.RECOMMENDATION_LINKS``:
a sector named by a recommendation, a document cited by a recommendation's section…), and
how often the report mentions each. An index may add a column of its own (``Index.extra``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from flask import Response, abort, render_template, request

from dakg.graph.stats import linked_query

from ..errors import HttpError
from ..queries import not_modified
from ..runtime import Runtime, runtime
from .naming import Namer, natural_key
from .query_page import prologue_for_display, query_link
from .responses import CODE_DIGEST, cacheable, host_tag, html_response
from .terms import Term, bindings, prologue

ROW_LIMIT = 100_000

THINGS = """SELECT ?e ?en ?zh ?symbol ?notation WHERE {{
  ?e a dakg:{kind} .
  OPTIONAL {{ ?e rdfs:label|skos:prefLabel ?en FILTER(langMatches(lang(?en), "en")) }}
  OPTIONAL {{ ?e rdfs:label|skos:prefLabel ?zh FILTER(langMatches(lang(?zh), "zh")) }}
  OPTIONAL {{ ?e dakg:symbol ?symbol }}
  OPTIONAL {{ ?e skos:notation ?notation }}
}}"""
MENTIONS = """SELECT ?e (COUNT(DISTINCT ?m) AS ?n) WHERE {{
  ?e a dakg:{kind} . ?m oa:hasBody ?e .
}} GROUP BY ?e"""


@dataclass(frozen=True)
class Extra:
    """A column an index adds: ``?e``'s value of ``?x`` from ``pattern``."""

    key: str
    header: str
    pattern: str
    numeric: bool = True


@dataclass(frozen=True)
class Index:
    path: str
    kind: str  # local name of the class under the ontology's namespace
    title: str
    title_zh: str
    intro: str
    recommendations_header: str  # of the column of recommendations (graph.stats's
    # RECOMMENDATION_LINKS: what links the kind to them); "": the index has none
    extra: tuple[Extra, ...] = ()
    group_by: str = ""  # an extra column whose value groups the rows (documents: session)
    default_sort: str = "name"


INDEXES = (
    Index("reports", "ProgressReport", "Progress reports", "进展报告",
          "The progress reports on the 45 recommendations this dataset holds, each with the "
          "session it was made for, its sections, and how often the reports cite it.",
          "",  # every report reports on all 45
          extra=(Extra("session", "Session", "?e dakg:forSession ?x .", numeric=False),
                 Extra("sections", "Sections", "?x a dakg:RecommendationSection ; "
                                               "dcterms:isPartOf/dcterms:isPartOf ?e ."),),
          default_sort="-session"),
    Index("sectors", "Sector", "WIPO sectors", "产权组织各部门",
          "The sectors of WIPO the recommendations name as related, each with those "
          "recommendations.", "Recommendations naming it"),
    Index("clusters", "RecommendationCluster", "Clusters of recommendations", "建议组",
          "The six clusters the 45 recommendations are adopted in.", "Recommendations",
          extra=(Extra("immediate", "For immediate implementation",
                       "?x dakg:cluster ?e ; dakg:adoptedForImmediateImplementation true ."),),
          default_sort="notation"),
    Index("sessions", "Session", "CDIP sessions", "发展与知识产权委员会会议",
          "The sessions of the Committee on Development and Intellectual Property (and other "
          "bodies) the report names, in order.",
          "Recommendations whose sections name it",
          extra=(Extra("number", "Session", "?e dakg:sessionNumber ?x ."),
                 Extra("documents", "Documents cited", "?x dakg:forSession ?e ."
                       " ?m oa:hasBody ?x ."),),
          default_sort="number"),
    Index("documents", "Document", "Documents cited", "引用的文件",
          "The documents the report cites, grouped by the session they belong to; each with "
          "the recommendations whose sections cite it.",
          "Recommendations whose sections cite it",
          extra=(Extra("session", "Session", "?e dakg:forSession ?x .", numeric=False),),
          group_by="session", default_sort="session"),
    Index("programmes", "Programme", "Programmes", "计划",
          "WIPO's programmes and platforms the report names, with the recommendations they "
          "are reported under.",
          "Recommendations reported under"),
    Index("projects", "DevelopmentAgendaProject", "Development Agenda projects", "发展议程项目",
          "The Development Agenda projects the report names, with the recommendations they "
          "are reported under.",
          "Recommendations reported under"),
)
BY_PATH = {i.path: i for i in INDEXES}


@dataclass
class Row:
    iri: str
    name: str
    name_zh: str = ""
    notation: str = ""
    recommendations: list[tuple[int, str]] = field(default_factory=list)
    mentions: int = 0
    extra: dict[str, Any] = field(default_factory=dict)  # key → count, or (sort key, iri, name)


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    numeric: bool


def columns(index: Index) -> list[Column]:
    found = [Column("name", "Name", False)]
    if index.kind == "RecommendationCluster":
        found.insert(0, Column("notation", "Cluster", False))
    found += [Column(e.key, e.header, e.numeric) for e in index.extra if e.key != "number"]
    if any(e.key == "number" for e in index.extra):
        found.insert(0, Column("number", "No.", True))
    if index.recommendations_header:
        found.append(Column("recommendations", index.recommendations_header, True))
    found.append(Column("mentions", "Mentions in the report", True))
    return found


def _literal(row: dict[str, Term], key: str) -> str:
    return row[key].value if key in row else ""


def load_rows(rt: Runtime, index: Index) -> list[Row]:
    """The things of the index's kind with their names, recommendations, mentions, extras."""
    pre = prologue(rt)
    rows: dict[str, Row] = {}
    found, _ = bindings(rt, pre + THINGS.format(kind=index.kind), ROW_LIMIT)
    for b in found:
        iri = b["e"].value
        row = rows.setdefault(iri, Row(iri, ""))
        row.name = row.name or _literal(b, "en") or _literal(b, "symbol") or _literal(b, "zh")
        row.name_zh = row.name_zh or _literal(b, "zh")
        row.notation = row.notation or _literal(b, "notation")
    for row in rows.values():
        row.name = row.name or iri_tail(row.iri)
        if row.name_zh == row.name:
            row.name_zh = ""
    for thing, recommendation, number in _linked(rt, index):
        if thing in rows:
            rows[thing].recommendations.append((number, recommendation))
    for row in rows.values():
        row.recommendations = sorted(set(row.recommendations))
    counted, _ = bindings(rt, pre + MENTIONS.format(kind=index.kind), ROW_LIMIT)
    for b in counted:
        if b["e"].value in rows:
            rows[b["e"].value].mentions = int(b["n"].value)
    for extra in index.extra:
        _add_extra(rt, index, extra, rows)
    return list(rows.values())


def _linked(rt: Runtime, index: Index) -> list[tuple[str, str, int]]:
    """(thing, recommendation, its number) for the things of the index: as the build
    counted them, if it did (through every report's sections: seconds at 1,000 reports)."""
    if not index.recommendations_header:
        return []
    figures = rt.figures()
    if figures is not None and index.kind in figures.links:
        return figures.links[index.kind]
    found, _ = bindings(rt, prologue(rt) + linked_query(index.kind), ROW_LIMIT)
    return [(b["e"].value, b["r"].value, int(b["number"].value)) for b in found]


def _add_extra(rt: Runtime, index: Index, extra: Extra, rows: dict[str, Row]) -> None:
    if extra.numeric and extra.key != "number":
        text = (f"SELECT ?e (COUNT(DISTINCT ?x) AS ?v) WHERE {{ ?e a dakg:{index.kind} . "
                f"{extra.pattern} }} GROUP BY ?e")
    else:
        text = (f"SELECT ?e ?v ?n ?label WHERE {{ ?e a dakg:{index.kind} . "
                f"{extra.pattern.replace('?x', '?v')} "
                "OPTIONAL { ?v dakg:sessionNumber ?n } "
                "OPTIONAL { ?v rdfs:label ?label FILTER(langMatches(lang(?label), \"en\")) } }")
    found, _ = bindings(rt, prologue(rt) + text, ROW_LIMIT)
    for b in found:
        row = rows.get(b["e"].value)
        if row is None:
            continue
        value = b["v"]
        if extra.key == "number" or (extra.numeric and value.is_literal):
            row.extra[extra.key] = int(value.value)
        else:
            number = int(b["n"].value) if "n" in b else 10**6
            row.extra[extra.key] = ((number, natural_key(value.value)), value.value,
                                    _literal(b, "label") or iri_tail(value.value))


def iri_tail(iri: str) -> str:
    return iri.rpartition("/id/")[2] or iri


def sort_key(column: str, row: Row) -> tuple[Any, ...]:
    name = natural_key(row.name)
    if column == "name":
        return (name,)
    if column == "notation":
        return (natural_key(row.notation), name)
    if column == "recommendations":
        return (len(row.recommendations), name)
    if column == "mentions":
        return (row.mentions, name)
    value = row.extra.get(column)
    if isinstance(value, tuple):
        return (0, value[0], name)
    if value is None:
        return (1, (), name)
    return (0, value, name)


def _sorting(index: Index) -> tuple[str, bool]:
    """The column to sort by and whether descending, from ``?sort=``; 400 if unknown."""
    wanted = request.args.get("sort", index.default_sort)
    column = wanted.removeprefix("-")
    if column not in {c.key for c in columns(index)}:
        raise HttpError(400, f"cannot sort by {wanted!r}; the columns are "
                        + ", ".join(c.key for c in columns(index)))
    return column, wanted.startswith("-")


def index_page(name: str) -> Response:
    index = BY_PATH.get(name)
    if index is None:
        abort(404)
    rt = runtime()
    column, descending = _sorting(index)
    etag = (f"{rt.dataset.current().version}-index-{name}-{column}-{descending}-"
            f"{request.args.get('page', '1')}-{rt.settings.page_rows}-{CODE_DIGEST}-"
            f"{host_tag()}")
    if etag in request.if_none_match:
        return not_modified(etag)
    rows = rt.cache.get(("index", name, rt.dataset.current().version),
                        lambda: load_rows(rt, index))
    ordered = sorted(rows, key=lambda r: sort_key(column, r), reverse=descending)
    page = _page(len(ordered), rt.settings.page_rows)
    shown = ordered[page.first - 1 : page.last]
    if index.group_by == column:
        groups = _grouped(index, shown)
        totals = Counter(row.extra.get(index.group_by) for row in ordered)
        # The first group began on an earlier page when the row before this page is in it.
        continued = page.first > 1 and (ordered[page.first - 2].extra.get(index.group_by)
                                        == shown[0].extra.get(index.group_by))
    else:
        groups, totals, continued = [("", shown)], Counter(), False
    response = html_response(render_template(
        "index.html", index=index, columns=columns(index), groups=groups, totals=totals,
        continued=continued, total=len(rows), page=page,
        sort=column, descending=descending, n=Namer(rt),
        query_link=query_link(prologue_for_display(rt, THINGS.format(kind=index.kind)))))
    cacheable(response, etag)
    return response


@dataclass(frozen=True)
class Page:
    """One page of a list: its number, how many there are, its first and last rows (from
    1; 0 and 0 for an empty list)."""

    number: int
    count: int
    first: int
    last: int


def _page(rows: int, size: int) -> Page:
    """The page ``?page=`` asks for (the first by default) of ``rows`` rows, ``size`` a
    page; 400 if it is not a number, 404 past the last page."""
    count = max(1, -(-rows // size))
    wanted = request.args.get("page", "1")
    if not (wanted.isascii() and wanted.isdigit()) or int(wanted) < 1:
        raise HttpError(400, f"page must be a page number (1, 2, …), not {wanted!r}")
    number = int(wanted)
    if number > count:
        raise HttpError(404, f"there is no page {number}: this list has {count} "
                        f"page{'s' if count > 1 else ''} of {size} rows")
    return Page(number, count, min(rows, (number - 1) * size + 1), min(rows, number * size))


def _grouped(index: Index, rows: list[Row]) -> list[tuple[Any, list[Row]]]:
    """Consecutive rows with the same value of the grouping column, with that value."""
    groups: list[tuple[Any, list[Row]]] = []
    for row in rows:
        value = row.extra.get(index.group_by)
        if not groups or groups[-1][0] != value:
            groups.append((value, []))
        groups[-1][1].append(row)
    return groups


def counts(rt: Runtime) -> dict[str, int]:
    """Index path → how many things it lists (one query), for the home page."""
    kinds = " ".join(f"dakg:{i.kind}" for i in INDEXES)
    text = (prologue(rt) + f"SELECT ?k (COUNT(DISTINCT ?e) AS ?n) WHERE {{ VALUES ?k {{ {kinds} }} "
            "?e a ?k } GROUP BY ?k")
    found, _ = bindings(rt, text, len(INDEXES))
    by_kind = {b["k"].value.rpartition("/")[2]: int(b["n"].value) for b in found}
    return {i.path: by_kind.get(i.kind, 0) for i in INDEXES}
