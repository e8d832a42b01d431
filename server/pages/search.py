"""``/search?q=``: labels, symbols, notations and texts, found through the search index
(``..search_index``), grouped by the kind of what was found; as HTML, and as JSON at
``/search.json`` or by ``Accept``.

The index (``dakg.search_index``) is made by the build beside its store; for data no build
indexed, from the store by two SELECTs, once per data version, into the dataset folder's
``cache/`` (or a temporary folder when that cannot be written). Every search reads only the
index, never the store.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Response, jsonify, render_template, request

from dakg import search_index
from dakg.graph.store import BUILDS
from dakg.search_index import Hit, SearchIndex

from ..negotiation import HTML
from ..runtime import Runtime, runtime
from .naming import Namer
from .responses import html_response
from .terms import bindings

QUERY_LIMIT = 200  # characters of a query
GROUP_PREVIEW = 8  # results of each kind shown when all kinds are shown
ROW_LIMIT = 500_000  # rows of the SELECTs that make an index of a remote store


@dataclass
class Group:
    kind: str
    name: str
    hits: list[Hit]
    total: int


def _types(rt: Runtime) -> tuple[Iterator[tuple[str, str]], bool]:
    """The index's types of a remote store, and whether they were cut at ``ROW_LIMIT``."""
    rows, cut = bindings(rt, search_index.TYPES_QUERY, ROW_LIMIT)
    return ((row["s"].value, row["t"].value) for row in rows), cut


def _texts(rt: Runtime) -> tuple[Iterator[tuple[str, str, str, str]], bool]:
    """The index's texts of a remote store, and whether they were cut at ``ROW_LIMIT``."""
    query = search_index.texts_query(rt.settings.base_iri + "def/")
    rows, cut = bindings(rt, query, ROW_LIMIT)
    return ((row["s"].value, row["f"].value, row["v"].lang, row["v"].value)
            for row in rows), cut


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
    """The index of the current data: the one its build made, else one made for it here
    (kept in the dataset's ``cache/`` for the next process) from the local store, or through
    the query processes for a remote one."""
    snapshot = rt.dataset.current()
    version = snapshot.version
    dakg = rt.settings.base_iri + "def/"

    def made() -> SearchIndex:
        built = Path(snapshot.store).parent / search_index.BUILD_FILE
        if rt.remote is None and built.is_file():
            return SearchIndex(built)
        folder = _folder(rt)
        path = search_index.index_path(folder, version)
        if path.is_file():
            return SearchIndex(path)
        if rt.remote is None:
            store = rt.local_store().get(snapshot.store)
            index = search_index.write_from_store(path, store, dakg)
        else:
            (types, types_cut), (texts, texts_cut) = _types(rt), _texts(rt)
            index = search_index.write(path, dakg, types, texts,
                                       complete=not (types_cut or texts_cut))
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
    return sorted(groups, key=lambda g: search_index.kind_rank(dakg, g.kind))


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
