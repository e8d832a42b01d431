"""``/recommendations``: the 45 recommendations in one table, from one query.

The query has a row per recommendation and section reporting on it; the table has a row
per recommendation, its sections joined.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from flask import render_template

from ..runtime import runtime
from .naming import Namer, natural_key
from .query_page import prologue_for_display, query_link
from .responses import cached_page
from .terms import Term, bindings, prologue

RECOMMENDATIONS = """SELECT ?r ?number ?cluster ?clusterNotation ?immediate ?text ?section WHERE {
  ?r a dakg:Recommendation ; dakg:recommendationNumber ?number .
  OPTIONAL { ?r dakg:cluster ?cluster . OPTIONAL { ?cluster skos:notation ?clusterNotation } }
  OPTIONAL { ?r dakg:adoptedForImmediateImplementation ?immediate }
  OPTIONAL { ?r dakg:recommendationText ?text }
  OPTIONAL { ?r dakg:reportedIn ?section }
} ORDER BY ?number ?section"""
TEXT_START = 40  # characters of a recommendation's text in the table


@dataclass
class RecommendationRow:
    iri: str
    number: str
    cluster: str = ""
    cluster_notation: str = ""
    immediate: bool | None = None
    text: str = ""
    sections: list[str] = field(default_factory=list)

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
    rt = runtime()
    rows, _ = bindings(rt, prologue(rt) + RECOMMENDATIONS, 5000)
    table: dict[str, RecommendationRow] = {}
    for row in rows:
        iri = row["r"].value
        if iri not in table:
            table[iri] = _row(row)
        entry = table[iri]
        section = row.get("section")
        if section is not None and section.value not in entry.sections:
            entry.sections.append(section.value)
    return render_template("recommendations.html", n=Namer(rt),
                           items=sorted(table.values(), key=lambda r: natural_key(r.number)),
                           scheme=rt.settings.base_iri + "id/scheme/development-agenda",
                           query_link=query_link(prologue_for_display(rt, RECOMMENDATIONS)))
