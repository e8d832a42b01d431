"""``/search``: the search index (``dakg.search_index``) and the page over it, on a real
build through Flask's test built_client."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient

from dakg.graph.build import Extraction
from dakg.graph.rdf.namespaces import PREFIXES
from dakg.graph.store import open_store
from dakg.search_index import BUILD_FILE, TEXT_START, TYPES_QUERY, fold, folded, texts_query

ID = "https://w3id.org/dakg/id/"


def found(built_client: FlaskClient, q: str) -> dict[str, Any]:
    response = built_client.get("/search.json", query_string={"q": q})
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    result: dict[str, Any] = response.get_json()
    return result


def iris(result: dict[str, Any]) -> list[str]:
    return [r["iri"] for g in result["groups"] for r in g["results"]]


def test_chinese_substring_finds_recommendations_and_paragraphs(built_client: FlaskClient) -> None:
    result = found(built_client, "公有领域")
    hits = iris(result)
    assert ID + "recommendation/16" in hits and ID + "recommendation/20" in hits
    assert ID + "document/CDIP/35/2/section/16/implementation/1" in hits
    assert all(r["snippet"]["match"] == "公有领域" for g in result["groups"]
               for r in g["results"])


def test_technology_transfer(built_client: FlaskClient) -> None:
    hits = iris(found(built_client, "技术转让"))
    assert ID + "recommendation/29" in hits
    assert any("/activity/" in h for h in hits)


@pytest.mark.parametrize("q", ["CDIP/16/4 REV", "cdip 16/4", "CDIP/16/4 Rev.", "cdip-16-4-rev"])
def test_document_symbols_in_any_spelling(built_client: FlaskClient, q: str) -> None:
    assert ID + "document/CDIP/16/4/Rev" in iris(found(built_client, q))


def test_a_number_finds_its_recommendation_first(built_client: FlaskClient) -> None:
    result = found(built_client, "25")
    first = result["groups"][0]
    assert first["results"][0]["iri"] == ID + "recommendation/25"
    # a number matches whole numbers only: not recommendation 125's neighbours, not 2025
    assert all(r["snippet"]["match"] == "25" for g in result["groups"] for r in g["results"])
    assert ID + "recommendation/2" not in iris(result)


def test_english_labels(built_client: FlaskClient) -> None:
    assert ID + "cluster/B" in iris(found(built_client, "public domain"))
    assert ID + "sector/copyright-and-creative-industries" in iris(found(built_client, "copyright"))


def test_results_are_grouped_by_kind_in_order(built_client: FlaskClient) -> None:
    result = found(built_client, "公有领域")
    kinds = [g["kind"] for g in result["groups"]]
    assert kinds[0] == "https://w3id.org/dakg/def/Recommendation"
    assert len(kinds) == len(set(kinds))
    assert sum(g["total"] for g in result["groups"]) == result["total"]


def test_html_page_marks_the_match_escaped(built_client: FlaskClient) -> None:
    response = built_client.get("/search", query_string={"q": "公有领域"},
                          headers={"Accept": "text/html"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "<mark>公有领域</mark>" in body
    assert 'href="/id/recommendation/20"' in body
    hostile = built_client.get("/search", query_string={"q": "<script>alert(1)</script>"})
    text = hostile.get_data(as_text=True)
    assert "<script>alert(1)" not in text and "&lt;script&gt;alert(1)" in text


def test_json_by_accept(built_client: FlaskClient) -> None:
    response = built_client.get("/search?q=25", headers={"Accept": "application/json"})
    assert response.mimetype == "application/json"
    assert response.get_json()["query"] == "25"
    assert "Accept" in response.headers["Vary"]


def test_one_kind_shows_all_its_results(built_client: FlaskClient) -> None:
    kind = "https://w3id.org/dakg/def/ActivityParagraph"
    every = built_client.get("/search.json",
                             query_string={"q": "技术转让", "kind": kind}).get_json()
    assert [g["kind"] for g in every["groups"]] == [kind]
    group = every["groups"][0]
    assert len(group["results"]) == group["total"] > 8


def test_every_page_has_the_search_box(built_client: FlaskClient) -> None:
    for path in ("/", "/recommendations", "/id/recommendation/20"):
        body = built_client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
        assert 'role="search"' in body and 'name="q"' in body


def test_the_index_is_made_once_per_version(built_app: Flask, built: Path) -> None:
    from dakg.server.pages.search import current_index

    with built_app.test_request_context("/search"):
        rt = built_app.extensions["dakg"]
        first = current_index(rt)
        assert current_index(rt) is first
        # The build's own: made with the store, not by the server.
        assert first.path == (built / "current").resolve() / BUILD_FILE


@pytest.mark.parametrize("data", ["built", "series"])
def test_the_builds_index_is_the_one_a_server_would_make(
        data: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    # Made from the store through SPARQL results, as for a remote store, it holds the same
    # entries and names as the one the build made from its reports' jobs.
    from dakg.search_index import write

    built: Path = request.getfixturevalue(data)

    store = open_store(built)
    dakg = "https://w3id.org/dakg/def/"

    def rows(query: str) -> ox.QuerySolutions:
        found = store.query(query, use_default_graph_as_union=True)
        assert isinstance(found, ox.QuerySolutions)
        return found

    types = [(r["s"].value, r["t"].value) for r in rows(TYPES_QUERY)]
    texts = [(r["s"].value, r["f"].value, getattr(r["v"], "language", None) or "", r["v"].value)
             for r in rows(texts_query(dakg))]
    again = write(tmp_path / "again.sqlite", dakg, reversed(types), reversed(texts))
    made = (built / "current").resolve() / BUILD_FILE
    assert _tables(again.path) == _tables(made)
    assert len(_tables(made)[0]) > 1000


def test_rows_of_quads_are_what_the_queries_select(built: Path) -> None:
    # A build's jobs take a report's rows from its quads; a server, from the store by SPARQL.
    from dakg.search_index import rows

    store = open_store(built)
    dakg = "https://w3id.org/dakg/def/"
    types, texts = rows(store.quads_for_pattern(None, None, None, None), dakg)
    selected_types = store.query(TYPES_QUERY, use_default_graph_as_union=True)
    selected_texts = store.query(texts_query(dakg), use_default_graph_as_union=True)
    assert isinstance(selected_types, ox.QuerySolutions)
    assert isinstance(selected_texts, ox.QuerySolutions)
    assert sorted(types) == sorted((r["s"].value, r["t"].value) for r in selected_types)
    assert sorted(texts) == sorted(
        (r["s"].value, r["f"].value, getattr(r["v"], "language", None) or "", r["v"].value)
        for r in selected_texts)
    assert len(texts) > 10_000


# What names a resource, as the store has it: (?s ?f ?v) as ``SearchIndex.about`` keeps them.
NAMES = """SELECT ?s ?f ?v WHERE {
  { ?s rdfs:label ?v BIND("label" AS ?f) } UNION { ?s skos:prefLabel ?v BIND("label" AS ?f) }
  UNION { ?s dcterms:title ?v BIND("title" AS ?f) } UNION { ?s dakg:symbol ?v BIND("symbol" AS ?f) }
  UNION { ?s a ?v BIND("type" AS ?f) FILTER(isIRI(?v)) }
  FILTER(isIRI(?s) && (?f = "type" || isLiteral(?v)))
}"""


def test_the_index_names_every_resource_as_the_store_does(built: Path) -> None:
    # Pages take names and types from the index and ask the store only for the fragments it
    # leaves out: an IRI it lacks must have none in the store.
    from dakg.search_index import SearchIndex, fragment

    dakg = "https://w3id.org/dakg/def/"
    prefixes = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
    solutions = open_store(built).query(prefixes + NAMES, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    expected: dict[str, set[tuple[str, str, str]]] = {}
    fragments = set()
    for s, f, v in solutions:
        if fragment(s.value, dakg):
            fragments.add(s.value)
        else:
            lang = v.language or "" if isinstance(v, ox.Literal) else ""
            expected.setdefault(s.value, set()).add((f.value, lang, v.value))
    about = SearchIndex((built / "current").resolve() / BUILD_FILE).about(
        [*expected, *fragments, ID + "recommendation/999"])
    named = {iri: {(f.field, f.lang, f.value) for f in facts if f.field != "text"}
             for iri, facts in about.items()}
    assert {iri: facts for iri, facts in named.items() if facts} == expected
    assert ID + "document/CDIP/35/2/section/20#span" in fragments
    assert len(expected) > 2000 and len(fragments) > 1000
    # a title is kept apart from a label: a page names by a title only what has no label
    assert ("title", "en", "What the reports say of the resources they share") in named[
        ID + "graph/shared"]
    # the start of a text part's text, for the snippet beside a link to it
    paragraph = ID + "document/CDIP/35/2/section/20/implementation/1"
    text = {f.field: f.value for f in about[paragraph]}
    assert len(text["text"]) == TEXT_START


def _tables(path: Path) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    with closing(sqlite3.connect(path)) as db:
        entries = sorted(db.execute("SELECT folded, iri, kind, field, lang, text FROM entries"))
        names = sorted(db.execute("SELECT iri, name, name_zh FROM names"))
    return entries, names


def test_the_fast_fold_is_fold(extraction: Extraction) -> None:
    texts = [*extraction.source.text.splitlines(),
             "CDIP/16/4 Rev.", "  ﬁrst\u3000ＡＢＣ—建议 25。 ", "", "。。", "Ⅻ ½ ß"]
    assert len(texts) > 500
    for text in texts:
        assert folded(text) == fold(text)[0], text


@pytest.mark.parametrize(("text", "query", "found_at"), [
    ("CDIP/16/4 Rev.", "cdip 16 4 rev", 0),
    ("见CDIP/25/5号文件", "25", 6),
    ("2025年", "25", None),
    ("建议25。", "25", 2),
])
def test_matches_respect_latin_word_boundaries(text: str, query: str,
                                               found_at: int | None) -> None:
    from dakg.search_index import Hit, _hit, fold

    folded, _ = fold(text)
    hit: Hit | None = _hit("x", "", "text", "", text, folded, query)
    assert (hit.start if hit else None) == found_at


def test_an_index_made_from_cut_results_says_it_is_incomplete(tmp_path: Path) -> None:
    # (a remote store's, past the row limit): pages then ask the store for what it lacks
    from dakg.search_index import write

    rows = [("urn:x", "label", "en", "x")]
    assert write(tmp_path / "all.sqlite", "urn:def/", [], rows).complete
    assert not write(tmp_path / "cut.sqlite", "urn:def/", [], rows, complete=False).complete


def test_an_index_stopped_while_it_is_finished_leaves_nothing(tmp_path: Path) -> None:
    # A build finishes its index on a thread while it writes the dumps; a build that fails
    # meanwhile stops it, and the work folder keeps no file of it.
    from concurrent.futures import ThreadPoolExecutor

    from dakg.search_index import IndexWriter

    writer = IndexWriter(tmp_path / "index.sqlite", "urn:def/")
    writer.add([("urn:x", "urn:def/Sector")], [("urn:x", "label", "en", "x")])
    writer.interrupt()
    with ThreadPoolExecutor(1) as thread, pytest.raises(sqlite3.OperationalError,
                                                        match="interrupted"):
        thread.submit(writer.finish).result()
    writer.close()
    assert list(tmp_path.iterdir()) == []


def test_only_indexes_of_versions_gone_are_removed(tmp_path: Path) -> None:
    from dakg.search_index import index_path, prune, write

    for version in ("old", "current", "gone"):
        write(index_path(tmp_path, version), "urn:def/", [], [("urn:x", "label", "en", "x")])
    prune(tmp_path, {"old", "current"})
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        index_path(tmp_path, "current").name, index_path(tmp_path, "old").name]


def test_data_no_build_indexed_is_indexed_on_first_search(client: FlaskClient) -> None:
    # --data files: no build made an index; the server makes one from its store.
    result = client.get("/search.json", query_string={"q": "项目2"}).get_json()
    assert [r["iri"] for g in result["groups"] for r in g["results"]] == [
        "http://example.org/item2"]
    assert result["groups"][0]["kind"] == "http://example.org/Item"


@pytest.mark.parametrize(("q", "inside_words"), [
    ("25", True), ("cdip 1", True), ("16", True), ("cdip 16 4", False), ("abc", False),
    ("公有领域", False)])
def test_the_candidates_are_the_matches_at_word_boundaries(built: Path, q: str,
                                                           inside_words: bool) -> None:
    # The search reads at most CANDIDATE_LIMIT rows: they must be matches already, or in a
    # long series the rows of "cdip 350"… would crowd out those of "cdip 35".
    from dakg.search_index import _bounded_glob, _matches

    with closing(sqlite3.connect((built / "current").resolve() / BUILD_FILE)) as db:
        texts = {row[0] for row in db.execute("SELECT folded FROM entries")}
        globbed = {row[0] for row in db.execute(
            "SELECT folded FROM entries WHERE (' ' || folded || ' ') GLOB ?", (_bounded_glob(q),))}
    matched = {text for text in texts if next(iter(_matches(text, q)), None) is not None}
    assert globbed == matched and matched
    # ("25" is inside "2025" and "125": those texts are not matches, nor candidates)
    assert any(q in text for text in texts - matched) == inside_words


@pytest.mark.parametrize("q", ["建议", "产权组织", "25", "abc"])
def test_short_and_long_queries_find_what_a_scan_finds(built: Path, q: str) -> None:
    # Under three characters the trigram index cannot answer (and SQLite 3.40 answers
    # nothing for Chinese): the search scans; from three on it uses the index.
    from dakg.search_index import SearchIndex, _matches

    index = SearchIndex((built / "current").resolve() / BUILD_FILE)
    with closing(sqlite3.connect(index.path)) as db:
        scanned = {iri for iri, text in db.execute("SELECT iri, folded FROM entries")
                   if next(iter(_matches(text, q)), None) is not None}
    assert {hit.iri for hit in index.search(q)} == scanned and scanned
