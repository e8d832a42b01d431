"""Lookups (one triple pattern) answered in the web process: which queries, and same answers."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any, NoReturn

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from dakg.server.jobs import Job, Reply
from dakg.server.lookup import plan
from dakg.server.sparql_scan import inspect

from .helpers import json_of

EX = "http://example.org/"



@pytest.mark.parametrize(("query", "planned"), [
    (f"SELECT ?p ?o WHERE {{ <{EX}item1> ?p ?o }}",
     f"SELECT ?p ?o WHERE {{ <{EX}item1> ?p ?o }} LIMIT 31"),
    (f"PREFIX ex: <{EX}> SELECT * {{ ?s a ex:Item . }}",
     f"PREFIX ex: <{EX}> SELECT * {{ ?s a ex:Item . }} LIMIT 31"),
    (f'SELECT ?s {{ ?s <{EX}label> "item 1"@en }} LIMIT 5',
     f'SELECT ?s {{ ?s <{EX}label> "item 1"@en }} LIMIT 5'),
    ("SELECT * WHERE { ?s ?p ?o } LIMIT 1000", "SELECT * WHERE { ?s ?p ?o } LIMIT 31"),
    (f"PREFIX ex: <{EX}> DESCRIBE ex:item1 <{EX}item2>",
     f"PREFIX ex: <{EX}> DESCRIBE ex:item1 <{EX}item2>"),
], ids=["resource", "prefixed class", "literal with LIMIT", "LIMIT above the cap",
        "DESCRIBE of named resources"])
def test_single_patterns_are_lookups_with_a_bounded_scan(query: str, planned: str) -> None:
    assert plan(inspect(query), 30) == planned


@pytest.mark.parametrize("query", [
    "SELECT DISTINCT ?p WHERE { ?s ?p ?o }",
    "SELECT ?s WHERE { ?s ?s ?o }",
    "SELECT * WHERE { ?s ?p ?o } OFFSET 10",
    "SELECT * WHERE { ?s ?p ?o } ORDER BY ?s",
    "SELECT * WHERE { ?s ?p ?o . ?o ?q ?r }",
    "SELECT * WHERE { ?s ?p ?o FILTER(?o = 1) }",
    f"SELECT * WHERE {{ ?s <{EX}p>* ?o }}",
    f"SELECT * FROM <{EX}g1> WHERE {{ ?s ?p ?o }}",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    f"ASK {{ <{EX}item1> ?p ?o }}",
    f"CONSTRUCT WHERE {{ <{EX}item1> ?p ?o }}",
    "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }",
    "SELECT * WHERE { _:b ?p ?o }",
    "DESCRIBE ?s WHERE { ?s ?p ?o }",
    f"DESCRIBE <{EX}item1> WHERE {{}}",
    "DESCRIBE *",
], ids=lambda q: q[:45])
def test_everything_else_goes_to_the_query_processes(query: str) -> None:
    assert plan(inspect(query), 30) is None


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_a_lookup_answers_as_the_query_processes_do(small_app: Flask, fmt: str) -> None:
    client = small_app.test_client()
    lookup = f"SELECT ?p ?o WHERE {{ <{EX}item7> ?p ?o }}"
    # The same question, in a shape that must go to a query process:
    joined = f"SELECT ?p ?o WHERE {{ <{EX}item7> ?p ?o . <{EX}item7> a ?class }}"
    fast = client.get("/sparql", query_string={"query": lookup, "format": fmt})
    slow = client.get("/sparql", query_string={"query": joined, "format": fmt})
    assert fast.status_code == slow.status_code == 200
    assert _rows(fast, fmt) == _rows(slow, fmt) and len(_rows(fast, fmt)) == 4


def _rows(response: TestResponse, fmt: str) -> list[str]:
    if fmt == "json":
        return sorted(str(b) for b in json_of(response)["results"]["bindings"])
    if fmt == "xml":


        root = ET.fromstring(response.data)
        return sorted(ET.tostring(result, encoding="unicode").strip()
                      for result in root.iter("{http://www.w3.org/2005/sparql-results#}result"))
    return sorted(response.get_data(as_text=True).splitlines()[1:])


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_a_result_cut_at_the_cap_is_oxigraphs_own_writing_of_its_first_rows(fmt: str) -> None:
    import pyoxigraph as ox

    from dakg.formats import BY_NAME
    from dakg.server.results import solutions

    query = ('SELECT * { VALUES (?a ?b ?c ?d ?e ?f ?g ?h ?i ?j) { (1 1.5 1.0e3 true "x" '
             '"y"@en "2024-07"^^<http://www.w3.org/2001/XMLSchema#gYearMonth> -5 <http://e/x> '
             '"a, \\"b\\"\\tc") (UNDEF 2 UNDEF false "" ""@zh UNDEF 0 <http://e/y> "\\n") '
             '(3 UNDEF UNDEF UNDEF "z" UNDEF UNDEF UNDEF UNDEF UNDEF) } }')
    store = ox.Store()

    def answer(text: str) -> ox.QuerySolutions:
        found = store.query(text)
        assert isinstance(found, ox.QuerySolutions)
        return found

    first_two = answer(query + " LIMIT 2").serialize(format=BY_NAME[fmt].results)
    whole, rows, cut = solutions(answer(query), fmt, 3)
    assert not cut and rows == 3
    assert whole == answer(query).serialize(format=BY_NAME[fmt].results)
    ours, rows, cut = solutions(answer(query), fmt, 2)
    assert cut and rows == 2
    if fmt == "json":
        import json

        assert first_two is not None
        marked = json.loads(ours)
        assert marked.pop("truncated") is True and marked.pop("rowLimit") == 2
        assert "result truncated" in marked.pop("note")
        assert marked == json.loads(first_two)
    elif fmt == "xml":
        assert b"<!-- result truncated" in ours and first_two is not None
        assert _canonical(ET.fromstring(ours)) == _canonical(ET.fromstring(first_two))
    else:
        assert ours == first_two


def _canonical(element: ET.Element) -> list[str]:
    return sorted(ET.tostring(e, encoding="unicode").strip()
                  for e in element.iter("{http://www.w3.org/2005/sparql-results#}result"))


def test_a_lookup_longer_than_the_cap_is_cut_and_marked(small_app: Flask) -> None:
    client = small_app.test_client()
    response = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert response.headers["Dakg-Truncated"] == "true"
    assert len(json_of(response)["results"]["bindings"]) == 30 and json_of(response)["truncated"]


def test_lookups_do_not_use_the_query_processes(small_app: Flask,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pool() -> NoReturn:
        raise AssertionError("a lookup went to a query process")

    monkeypatch.setattr(small_app.extensions["dakg"], "pool", no_pool)
    response = small_app.test_client().get(
        "/sparql", query_string={"query": f"SELECT ?o WHERE {{ <{EX}item1> ?p ?o }}"})
    assert response.status_code == 200 and len(json_of(response)["results"]["bindings"]) == 5


def test_a_described_resource_is_the_same_in_the_web_process(small_app: Flask,
                                                               monkeypatch: pytest.MonkeyPatch
                                                               ) -> None:
    client = small_app.test_client()
    # With a WHERE clause the same question goes to a query process.
    slow = client.get("/sparql", query_string={"query": f"DESCRIBE <{EX}item7> WHERE {{}}"},
                      headers={"Accept": "application/n-triples"})

    def no_pool() -> NoReturn:
        raise AssertionError("a DESCRIBE of a named resource went to a query process")

    monkeypatch.setattr(small_app.extensions["dakg"], "pool", no_pool)
    fast = client.get("/sparql", query_string={"query": f"DESCRIBE <{EX}item7>"},
                      headers={"Accept": "application/n-triples"})
    assert fast.status_code == slow.status_code == 200
    lines = sorted(fast.get_data(as_text=True).splitlines())
    assert lines == sorted(slow.get_data(as_text=True).splitlines()) and len(lines) == 4


def test_a_lookup_asked_again_is_answered_from_the_kept_answer(
        small_app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    from dakg.server import lookup

    asked: list[str] = []
    run = lookup.run

    def counted(store: Any, job: Job) -> Reply:
        asked.append(job.format)
        return run(store, job)

    monkeypatch.setattr(lookup, "run", counted)
    client = small_app.test_client()
    # Asked by no other test of the module (its app keeps answers); cut at the cap of 30 rows.
    every_row = {"query": "SELECT ?o ?s WHERE { ?s ?p ?o }"}
    first = client.get("/sparql", query_string=every_row)
    again = client.get("/sparql", query_string=every_row)
    assert first.status_code == again.status_code == 200 and asked == ["json"]
    assert again.data == first.data and again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Dakg-Truncated"] == "true"
    # Another format, or another address for relative IRIs, is a question of its own.
    csv = client.get("/sparql", query_string={**every_row, "format": "csv"})
    elsewhere = client.get("/sparql", query_string=every_row, base_url="http://other.example")
    assert csv.status_code == elsewhere.status_code == 200 and asked == ["json", "csv", "json"]
