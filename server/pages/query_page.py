"""``/query``: SPARQL in the browser, with examples; and links that open it with a query.

The page is a form on the SPARQL endpoint; ``static/query.js`` runs the query and shows the
results as a table. Other pages link here with a query filled in (``query_link``).
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Response, render_template, request
from markupsafe import escape

from dakg.formats import FORMATS, Kind

from ..runtime import Runtime, runtime
from .naming import Namer
from .responses import html_response

# The prefixes a query shown to people declares: those its examples use.
DISPLAY_PREFIXES = ("dakg", "id", "oa", "skos", "dcterms", "rdfs", "rdf")

EXAMPLES: tuple[tuple[str, str], ...] = (
    ("Recommendations adopted for immediate implementation, by cluster", """
SELECT ?cluster ?number ?text WHERE {
  ?r dakg:adoptedForImmediateImplementation true ; dakg:recommendationNumber ?number ;
     dakg:cluster/skos:notation ?cluster ; dakg:recommendationText ?text .
} ORDER BY ?number"""),
    ("Sectors that recommendation 12 names as related", """
SELECT ?sector ?name WHERE {
  id:recommendation\\/12 dakg:relatedSector ?sector .
  ?sector rdfs:label ?name FILTER(lang(?name) = "en")
} ORDER BY ?name"""),
    ("Recommendations that point the reader to another one", """
SELECT ?from ?to WHERE { ?from a dakg:Recommendation ; dakg:refersTo ?to } ORDER BY ?from ?to"""),
    ("Where the report names the Accessible Books Consortium", """
SELECT ?quote ?start ?end ?section WHERE {
  ?m a dakg:ProgrammeMention ; oa:hasBody id:programme\\/abc ;
     oa:hasTarget/oa:hasSelector ?q, ?p ; dakg:inTextPart/dcterms:isPartOf* ?section .
  ?section a dakg:RecommendationSection .
  ?q oa:exact ?quote . ?p oa:start ?start ; oa:end ?end .
} ORDER BY ?start"""),
    ("Documents cited by the section on recommendation 25, as spelled", """
SELECT ?symbol (GROUP_CONCAT(DISTINCT ?written; separator=" | ") AS ?spellings) WHERE {
  ?section dakg:reportsOn id:recommendation\\/25 ; dakg:citesDocument ?doc .
  ?doc dakg:symbol ?symbol .
  ?citation a dakg:DocumentCitation ; oa:hasBody ?doc ; dakg:inTextPart/dcterms:isPartOf ?section ;
            oa:hasTarget/oa:hasSelector/oa:exact ?written .
} GROUP BY ?symbol ORDER BY ?symbol"""),
    ("CDIP sessions the report mentions most", """
SELECT ?session (COUNT(?m) AS ?mentions) WHERE {
  ?m a dakg:SessionMention ; oa:hasBody ?session . ?session dakg:committee id:committee\\/CDIP .
} GROUP BY ?session ORDER BY DESC(?mentions) ?session LIMIT 5"""),
    ("Triples per named graph", """
SELECT ?graph (COUNT(*) AS ?triples) WHERE { GRAPH ?graph { ?s ?p ?o } }
GROUP BY ?graph ORDER BY ?graph"""),
)

QUERY_FORMATS = (("", "Table (on this page)"),
                 *((f.name, f.label if Kind.SOLUTIONS in f.kinds
                    else f"{f.label} (CONSTRUCT, DESCRIBE)") for f in FORMATS))


def prologue_for_display(rt: Runtime, query: str) -> str:
    """``query`` with the ``DISPLAY_PREFIXES`` declared: runnable as shown."""
    lines = [f"PREFIX {p}: <{rt.prefixes[p]}>" for p in DISPLAY_PREFIXES if p in rt.prefixes]
    return "\n".join(lines) + "\n" + query.strip() + "\n"


def query_link(query: str) -> str:
    """The link to this page with ``query`` filled in."""
    return request.script_root + "/query?query=" + quote(query, safe="")


def query_page() -> Response:
    rt = runtime()
    examples = [(title, prologue_for_display(rt, text)) for title, text in EXAMPLES]
    given = request.args.get("query")
    fmt = request.args.get("format", "")
    body = render_template("query.html", n=Namer(rt),
                           # escaped here, so shown exactly as given (bidi controls too);
                           # not ``query``, which is the search box's term (base.html)
                           sparql=escape(given if given is not None else examples[0][1]),
                           run=given is not None,
                           examples=[(title, query_link(q)) for title, q in examples],
                           formats=QUERY_FORMATS,
                           chosen_format=fmt if fmt in dict(QUERY_FORMATS) else "",
                           prefixes=dict(rt.prefixes), base=rt.settings.base_iri,
                           row_limit=rt.settings.row_limit,
                           timeout=rt.settings.query_timeout)
    response = html_response(body)
    response.headers["Cache-Control"] = "no-cache"
    return response
