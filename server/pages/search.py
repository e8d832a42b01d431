"""``/search?q=``: labels, symbols, notations and texts, found through the search index
(``..search_index``), grouped by the kind of what was found; as HTML, and as JSON at
``/search.json`` or by ``Accept``.

The index is made from the store by two SELECTs, once per data version, into the dataset
folder's ``cache/`` (or a temporary folder when that cannot be written); every search after
reads only the index, never the store.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Response, jsonify, render_template, request

from dakg.graph.store import BUILDS

from .. import search_index
from ..runtime import Runtime, runtime
from ..search_index import Entry, Hit, SearchIndex
from .naming import Namer
from .negotiation import HTML
from .responses import html_response
from .terms import OA_NS, bindings, prologue

QUERY_LIMIT = 200  # characters of a query
GROUP_PREVIEW = 8  # results of each kind shown when all kinds are shown
ROW_LIMIT = 500_000  # rows of the SELECTs that make the index
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"

ENTRIES = """SELECT ?s ?f ?v WHERE {
  { ?s rdfs:label ?v BIND("label" AS ?f) } UNION { ?s skos:prefLabel ?v BIND("label" AS ?f) }
  UNION { ?s dcterms:title ?v BIND("label" AS ?f) }
  UNION { ?s skos:altLabel ?v BIND("altLabel" AS ?f) }
  UNION { ?s skos:hiddenLabel ?v BIND("altLabel" AS ?f) }
  UNION { ?s dakg:symbol ?v BIND("symbol" AS ?f) }
  UNION { ?s skos:notation ?v BIND("notation" AS ?f) }
  UNION { ?s dakg:text ?v BIND("text" AS ?f) }
  UNION { ?s dakg:recommendationText ?v BIND("text" AS ?f) }
  FILTER(isIRI(?s) && isLiteral(?v))
}"""
TYPES = """SELECT DISTINCT ?s ?t WHERE {
  ?s a ?t . FILTER(isIRI(?s) && isIRI(?t))
  FILTER EXISTS { ?s rdfs:label|skos:prefLabel|dcterms:title|dakg:symbol|dakg:text
                     |dakg:recommendationText ?v }
}"""
# The kinds results are grouped by, in the order the page shows them (local names under the
# ontology's namespace; any other kind follows, then the ontology's own terms).
KIND_ORDER = ("Recommendation", "RecommendationCluster", "Sector", "Programme",
              "DevelopmentAgendaProject", "Document", "Session", "Committee",
              "RecommendationSection", "RecommendationStatement", "ImplementationParagraph",
              "ActivityParagraph", "Highlight", "Footnote", "ProgressParagraph", "Heading")
TERM_KINDS = (OWL + "Class", OWL + "ObjectProperty", OWL + "DatatypeProperty",
              OWL + "AnnotationProperty", OWL + "Ontology", SKOS + "ConceptScheme")


@dataclass
class Group:
    kind: str
    name: str
    hits: list[Hit]
    total: int


def _kind_rank(dakg: str, kind: str) -> tuple[int, str]:
    local = kind[len(dakg):] if kind.startswith(dakg) else ""
    if local in KIND_ORDER:
        return KIND_ORDER.index(local), kind
    if kind in TERM_KINDS:
        return len(KIND_ORDER) + 2 + TERM_KINDS.index(kind), kind
    return len(KIND_ORDER) + 1, kind


def _main_kind(dakg: str, kinds: list[str]) -> str:
    """The type a resource is grouped under: the first by ``_kind_rank``."""
    return min(kinds, key=lambda k: _kind_rank(dakg, k)) if kinds else ""


def _entries(rt: Runtime) -> list[Entry]:
    """What to index; not mentions nor spans and selectors (``#…``), whose labels only say
    where they are ("Mention of CDIP/5/10 in …"): what they name and the text around them are
    found by their own entries."""
    dakg = rt.settings.base_iri + "def/"
    types: dict[str, list[str]] = {}
    annotations: set[str] = set()
    rows, _ = bindings(rt, prologue(rt) + TYPES, ROW_LIMIT)
    for row in rows:
        if not row["t"].value.startswith(OA_NS):
            types.setdefault(row["s"].value, []).append(row["t"].value)
        elif row["t"].value == OA_NS + "Annotation":
            annotations.add(row["s"].value)
    rows, _ = bindings(rt, prologue(rt) + ENTRIES, ROW_LIMIT)
    return [Entry(row["s"].value, _main_kind(dakg, types.get(row["s"].value, [])),
                  row["f"].value, row["v"].lang, row["v"].value) for row in rows
            if "#" not in row["s"].value and row["s"].value not in annotations]


def _folder(rt: Runtime) -> Path:
    """Where index files go: the dataset's ``cache/`` if it can be written, else a
    temporary folder of this user."""
    folder = rt.dataset.folder / "cache"
    try:
        folder.mkdir(exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder):
            pass
    except OSError:
        folder = Path(tempfile.gettempdir()) / f"dakg-search-{rt.dataset.folder.name}"
    return folder


def current_index(rt: Runtime) -> SearchIndex:
    """The index of the current data: read if a file for its version exists, else made."""
    version = rt.dataset.current().version

    def made() -> SearchIndex:
        folder = _folder(rt)
        path = search_index.index_path(folder, version)
        if path.is_file():
            return SearchIndex(path)
        index = search_index.build(path, _entries(rt))
        builds = rt.dataset.folder / BUILDS
        alive = {p.name for p in builds.iterdir()} if builds.is_dir() else set()
        search_index.prune(folder, alive | {version})
        return index

    found = rt.cache.get(("search-index", version), made)
    assert isinstance(found, SearchIndex)
    return found


def _groups(rt: Runtime, index: SearchIndex, hits: list[Hit], kind: str) -> list[Group]:
    dakg = rt.settings.base_iri + "def/"
    by_kind: dict[str, list[Hit]] = {}
    for hit in hits:
        by_kind.setdefault(hit.kind, []).append(hit)
    names = index.names(by_kind)
    groups = [Group(k, names.get(k, ("", ""))[0] or (k.rpartition("/")[2] or "other"),
                    found if kind else found[:GROUP_PREVIEW], len(found))
              for k, found in by_kind.items() if not kind or k == kind]
    return sorted(groups, key=lambda g: _kind_rank(dakg, g.kind))


def _wants_json(ext: str | None) -> bool:
    if ext is not None:
        return ext == "json"
    best = request.accept_mimetypes.best_match([HTML, "application/json"])
    return best == "application/json"


def search(ext: str | None = None) -> Response:
    rt = runtime()
    query = request.args.get("q", "").strip()[:QUERY_LIMIT]
    kind = request.args.get("kind", "")
    index = current_index(rt)
    began = time.perf_counter()
    hits = index.search(query) if query else []
    groups = _groups(rt, index, hits, kind)
    names = index.names(h.iri for g in groups for h in g.hits)
    took = (time.perf_counter() - began) * 1000
    namer = Namer(rt)
    if _wants_json(ext):
        response = jsonify(_as_json(namer, query, groups, names, len(hits), took))
    else:
        response = html_response(render_template(
            "search.html", n=namer, query=query, kind=kind, groups=groups, names=names,
            total=len(hits), took=took))
    response.vary.update(("Accept", "Host"))  # the page shows the endpoint's address
    response.headers["Cache-Control"] = "public, max-age=60"
    return response


def search_json() -> Response:
    return search("json")


def _as_json(namer: Namer, query: str, groups: list[Group],
             names: dict[str, tuple[str, str]], total: int, took: float) -> dict[str, Any]:
    def result(hit: Hit) -> dict[str, Any]:
        name, name_zh = names.get(hit.iri, ("", ""))
        before, match, after = hit.snippet()
        return {"iri": hit.iri, "page": namer.local(hit.iri), "name": name or namer.short(hit.iri),
                "name_zh": name_zh, "field": hit.field, "lang": hit.lang,
                "snippet": {"before": before, "match": match, "after": after}}

    return {"query": query, "total": total, "took_ms": round(took, 2),
            "groups": [{"kind": g.kind, "name": g.name, "total": g.total,
                        "results": [result(h) for h in g.hits]} for g in groups]}
