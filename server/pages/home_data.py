"""What the home page says about the data, whatever it is: whether it holds a progress report
(then the home page is the report's), the classes it has with their counts, and where each
named graph can be read."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import url_for

from dakg.graph.dumps import GZIP_SUFFIX, graph_dump_name

from ..runtime import Runtime
from .dumps import dumps_folder
from .query_page import query_link
from .recommendations import newest_first
from .terms import bindings

CLASS_LIMIT = 100  # classes listed on the home page of a --data dataset
CLASSES = f"""SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a ?class }}
GROUP BY ?class ORDER BY DESC(?n) ?class LIMIT {CLASS_LIMIT}"""


@dataclass(frozen=True)
class ClassCount:
    iri: str
    count: int
    query: str  # a link to the query page listing its instances


def published_report(rt: Runtime) -> str | None:
    """The IRI of the newest progress report the data holds, if any."""
    reports = newest_first(rt)
    return reports[0].report if reports else None


def classes(rt: Runtime) -> list[ClassCount]:
    rows, _ = bindings(rt, CLASSES, CLASS_LIMIT)
    return [ClassCount(r["class"].value, int(r["n"].value), query_link(
        f"SELECT ?instance WHERE {{ ?instance a <{r['class'].value}> }} LIMIT 1000"))
        for r in rows if r["class"].is_iri]


def graph_links(rt: Runtime, graphs: list[str]) -> dict[str, str]:
    """Graph IRI → where to read it: its Turtle file beside the dumps if there is one, else
    the query page with a CONSTRUCT of it."""
    folder = dumps_folder(rt)
    links: dict[str, str] = {}
    for graph in graphs:
        name = graph_dump_name(graph)
        if folder is not None and Path(folder / name).is_file():
            # Its name without .gz: served as Turtle, which a browser shows.
            links[graph] = url_for("pages.dump_file", name=name.removesuffix(GZIP_SUFFIX))
        else:
            links[graph] = query_link(
                f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} LIMIT 1000")
    return links
