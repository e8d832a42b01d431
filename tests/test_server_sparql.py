"""The SPARQL 1.1 Protocol at /sparql, through Flask's test client, on a small dataset."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import xml.etree.ElementTree as ET
from typing import Any, NoReturn
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph
from werkzeug.test import TestResponse

from dakg.formats import FORMATS

from .helpers import json_of

EX = "http://example.org/"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
RESULTS_NS = "{http://www.w3.org/2005/sparql-results#}"



def count(response: TestResponse) -> int:
    assert response.status_code == 200, response.data
    return int(json_of(response)["results"]["bindings"][0]["n"]["value"])


# -- the three ways to send a query -------------------------------------------------------

def test_get(client: FlaskClient) -> None:
    assert count(client.get("/sparql", query_string={"query": COUNT})) == 162


def test_post_form(client: FlaskClient) -> None:
    assert count(client.post("/sparql", data={"query": COUNT})) == 162


def test_post_direct(client: FlaskClient) -> None:
    response = client.post("/sparql", data=COUNT.encode(),
                           content_type="application/sparql-query; charset=utf-8")
    assert count(response) == 162


def test_default_graph_is_the_union_and_can_be_narrowed(client: FlaskClient) -> None:
    narrowed = client.get("/sparql", query_string={"query": COUNT,
                                                   "default-graph-uri": f"{EX}g2"})
    assert count(narrowed) == 2


def test_named_graph_uri(client: FlaskClient) -> None:
    query = "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"
    response = client.post("/sparql", data={"query": query, "named-graph-uri": f"{EX}g2"})
    assert count(response) == 2
    # Protocol §2.1.4: the graphs given make the dataset; with no default-graph-uri, the
    # default graph is empty.
    alone = client.post("/sparql", data={"query": COUNT, "named-graph-uri": f"{EX}g2"})
    assert count(alone) == 0


def test_head_is_get_without_a_body(client: FlaskClient) -> None:
    response = client.head("/sparql", query_string={"query": COUNT})
    assert response.status_code == 200 and response.data == b""
    assert response.headers["ETag"]


def test_from_a_graph_not_in_the_store_selects_nothing(client: FlaskClient) -> None:
    query = "SELECT (COUNT(*) AS ?n) FROM <http://127.0.0.1:9/elsewhere> { ?s ?p ?o }"
    assert count(client.get("/sparql", query_string={"query": query})) == 0


# -- protocol errors ------------------------------------------------------------------------

@pytest.mark.parametrize(("request_kwargs", "status", "words"), [
    ({"query_string": [("query", COUNT), ("query", COUNT)]}, 400, "exactly one 'query'"),
    ({"query_string": {"query": "SELEC * {}"}}, 400, "not valid SPARQL"),
    ({"query_string": {"query": "SELECT * { ?s ?p ?o"}}, 400, "not valid SPARQL"),
], ids=["two queries", "syntax error", "unclosed group"])
def test_get_errors(client: FlaskClient, request_kwargs: dict[str, Any], status: int,
                    words: str) -> None:
    response = client.get("/sparql", **request_kwargs)
    assert response.status_code == status
    assert words in response.get_data(as_text=True)


def test_wrong_media_type_is_415(client: FlaskClient) -> None:
    response = client.post("/sparql", data=COUNT, content_type="text/plain")
    assert response.status_code == 415


def test_wrong_method_is_405(client: FlaskClient) -> None:
    response = client.delete("/sparql")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"] and "POST" in response.headers["Allow"]


def test_update_by_get_is_405(client: FlaskClient) -> None:
    assert client.get("/sparql", query_string={"update": "CLEAR ALL"}).status_code == 405


def test_form_with_query_and_update_is_400(client: FlaskClient) -> None:
    response = client.post("/sparql", data={"query": COUNT, "update": "CLEAR ALL"})
    assert response.status_code == 400


# -- negotiation ----------------------------------------------------------------------------

SELECT = "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label } " \
         "ORDER BY ?s ?label LIMIT 2"
CONSTRUCT = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{EX}g2> {{ ?s ?p ?o }} }}"


@pytest.mark.parametrize(("accept", "media_type"), [
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("*/*", "application/sparql-results+json"),
    ("text/*", "text/csv"),
    ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
    ("application/sparql-results+json;q=0, */*;q=0.1", "application/sparql-results+xml"),
    ("application/json", "application/sparql-results+json"),
    ("", "application/sparql-results+json"),
], ids=lambda v: v or "no Accept")
def test_select_formats(client: FlaskClient, accept: str, media_type: str) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.get("/sparql", query_string={"query": SELECT}, headers=headers)
    assert response.status_code == 200
    assert response.mimetype == media_type
    assert response.mimetype_params.get("charset") == "utf-8"


def test_select_bodies_agree(client: FlaskClient) -> None:
    def get(fmt: str) -> str:
        return client.get("/sparql", query_string={"query": SELECT, "format": fmt}).get_data(
            as_text=True)

    as_json = json.loads(get("json"))["results"]["bindings"]
    assert [b["label"] for b in as_json] == [
        {"type": "literal", "value": "item 1", "xml:lang": "en"},
        {"type": "literal", "value": "项目1", "xml:lang": "zh"}]
    root = ET.fromstring(get("xml"))
    literals = root.findall(f".//{RESULTS_NS}literal")
    assert [(lit.text, lit.get("{http://www.w3.org/XML/1998/namespace}lang"))
            for lit in literals] == [
        ("item 1", "en"), ("项目1", "zh")]
    rows = list(csv.reader(io.StringIO(get("csv"))))
    assert rows == [["s", "label"], [f"{EX}item1", "item 1"], [f"{EX}item1", "项目1"]]
    assert get("tsv").splitlines() == ["?s\t?label", f'<{EX}item1>\t"item 1"@en',
                                       f'<{EX}item1>\t"项目1"@zh']


def test_csv_quotes_commas_and_quotes(client: FlaskClient) -> None:
    query = "SELECT ?c { ?s <http://www.w3.org/2000/01/rdf-schema#comment> ?c }"
    body = client.get("/sparql", query_string={"query": query, "format": "csv"}).get_data(
        as_text=True)
    assert list(csv.reader(io.StringIO(body)))[1] == ['a note with, a comma and a "quote"']


def test_ask(client: FlaskClient) -> None:
    query = f"ASK {{ <{EX}item1> ?p ?o }}"
    assert client.get("/sparql", query_string={"query": query}).json == {
        "head": {}, "boolean": True}
    xml = client.get("/sparql", query_string={"query": query, "format": "xml"})
    assert b"<boolean>true</boolean>" in xml.data


@pytest.mark.parametrize(("accept", "fmt"), [
    ("text/turtle", "turtle"), ("application/n-triples", "nt"), ("application/rdf+xml", "xml"),
    ("application/ld+json", "json-ld"), ("application/trig", "trig"),
    ("application/n-quads", "nquads"), ("*/*", "turtle")])
@pytest.mark.filterwarnings("ignore:Dataset.default_context is deprecated:DeprecationWarning")
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_construct_formats_parse(client: FlaskClient, accept: str, fmt: str) -> None:
    response = client.get("/sparql", query_string={"query": CONSTRUCT},
                          headers={"Accept": accept})
    assert response.status_code == 200
    graph = Graph().parse(data=response.data, format=fmt) if fmt not in ("trig", "nquads") \
        else _dataset_default(response.data, fmt)
    assert len(graph) == 2


def _dataset_default(data: bytes, fmt: str) -> Graph:
    from rdflib import Dataset

    dataset = Dataset()
    dataset.parse(data=data, format=fmt)
    merged = Graph()
    for quad in dataset.quads():
        merged.add(quad[:3])
    return merged


def test_describe(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": f"DESCRIBE <{EX}item3>"},
                          headers={"Accept": "text/turtle"})
    assert len(Graph().parse(data=response.data, format="turtle")) == 4


@pytest.mark.parametrize(("query", "accept"), [
    (SELECT, "text/turtle"), (CONSTRUCT, "application/sparql-results+json"),
    (SELECT, "image/png"), (SELECT, "application/sparql-results+json;q=0")])
def test_nothing_acceptable_is_406(client: FlaskClient, query: str, accept: str) -> None:
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
    assert response.status_code == 406


def test_format_parameter_wins_and_unknown_is_400(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": SELECT, "format": "csv"},
                          headers={"Accept": "application/sparql-results+xml"})
    assert response.mimetype == "text/csv"
    assert client.get("/sparql", query_string={"query": SELECT, "format": "yaml"}
                      ).status_code == 400


# -- row cap --------------------------------------------------------------------------------

def test_a_cut_result_says_so(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": "SELECT * { ?s ?p ?o }"})
    assert response.headers["Dakg-Truncated"] == "true"
    assert response.headers["Dakg-Row-Limit"] == "30"
    assert len(json_of(response)["results"]["bindings"]) == 30
    assert json_of(response)["truncated"] is True
    xml = client.get("/sparql", query_string={"query": "SELECT * { ?s ?p ?o }", "format": "xml"})
    assert b"result truncated" in xml.data
    turtle = client.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
                        headers={"Accept": "text/turtle"})
    assert turtle.data.startswith(b"# result truncated")
    assert len(Graph().parse(data=turtle.data, format="turtle")) == 30


def test_a_whole_result_is_not_marked(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": SELECT})
    assert "Dakg-Truncated" not in response.headers and "truncated" not in json_of(response)


# -- caching, compression, CORS, errors ---------------------------------------------------

def test_etag_and_conditional_get(client: FlaskClient) -> None:
    first = client.get("/sparql", query_string={"query": SELECT})
    etag = first.headers["ETag"]
    assert "max-age" in first.headers["Cache-Control"]
    again = client.get("/sparql", query_string={"query": SELECT},
                       headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    other = client.get("/sparql", query_string={"query": SELECT, "format": "csv"})
    assert other.headers["ETag"] != etag


def test_large_results_are_gzipped(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": "SELECT * { ?s ?p ?o }"},
                          headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    import gzip

    assert json.loads(gzip.decompress(response.data))["truncated"] is True


def test_cors_on_reads_and_preflight(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": SELECT},
                          headers={"Origin": "https://yasgui.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]
    preflight = client.options("/sparql", headers={
        "Origin": "https://yasgui.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 204
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"


def test_errors_carry_a_request_id_and_no_trace(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": "SELEC"},
                          headers={"Accept": "application/json"})
    body = json_of(response)
    assert body["status"] == 400 and body["request_id"] == response.headers["X-Request-Id"]
    assert "Traceback" not in response.get_data(as_text=True)


def test_unexpected_failure_is_a_clean_500(small_app: Flask,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> NoReturn:
        raise RuntimeError("a bug")

    monkeypatch.setattr("dakg.server.sparql.formats.choose_for_header", broken)
    response = small_app.test_client().get("/sparql", query_string={"query": SELECT})
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "a bug" not in text and "Traceback" not in text and "request id" in text


# -- what clients put in format/output ---------------------------------------------------------

ASK = f"ASK {{ <{EX}item1> ?p ?o }}"


@pytest.mark.parametrize(("query", "params", "accept", "media_type"), [
    # SPARQLWrapper's defaults: XML for every form, with its own Accept.
    (SELECT, {"format": "xml", "output": "xml", "results": "xml"},
     "application/sparql-results+xml", "application/sparql-results+xml"),
    (CONSTRUCT, {"format": "xml", "output": "xml", "results": "xml"},
     "application/rdf+xml", "application/rdf+xml"),
    (CONSTRUCT, {"format": "rdf+xml"}, "", "application/rdf+xml"),
    (CONSTRUCT, {"format": "json-ld"}, "", "application/ld+json"),
    (CONSTRUCT, {"format": "json"}, "", "application/ld+json"),
    (CONSTRUCT, {"format": "n3"}, "", "text/turtle"),
    (CONSTRUCT, {"output": "text"}, "", "application/n-triples"),
    (CONSTRUCT, {"format": "application/n-quads"}, "", "application/n-quads"),
    (SELECT, {"output": "json"}, "", "application/sparql-results+json"),
    (SELECT, {"format": "text/csv"}, "", "text/csv"),
    (ASK, {"format": "srx"}, "", "application/sparql-results+xml"),
    # A name that cannot carry this kind of result is ignored: Accept decides.
    (CONSTRUCT, {"format": "csv"}, "application/n-triples", "application/n-triples"),
    (SELECT, {"format": "turtle"}, "text/tab-separated-values", "text/tab-separated-values"),
    (SELECT, {"output": "text"}, "", "application/sparql-results+json"),
], ids=["sparqlwrapper select", "sparqlwrapper construct", "rdf+xml", "json-ld", "json graph",
        "n3", "fuseki text", "media type", "output", "csv media type", "extension",
        "csv for a graph", "turtle for a select", "text for a select"])
def test_format_names_clients_send(client: FlaskClient, query: str, params: dict[str, str],
                                   accept: str, media_type: str) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.get("/sparql", query_string={"query": query, **params}, headers=headers)
    assert response.status_code == 200, response.data
    assert response.mimetype == media_type


# -- a browser that opens the endpoint lands on the query page ------------------------------

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize("method", ["get", "head"])
@pytest.mark.parametrize("params", [{}, {"query": COUNT}], ids=["bare", "with a query"])
def test_a_browser_opening_the_endpoint_is_sent_to_the_query_page(
        client: FlaskClient, method: str, params: dict[str, str]) -> None:
    response = getattr(client, method)("/sparql", query_string=params,
                                       headers={"Accept": BROWSER})
    assert response.status_code == 303
    assert "Accept" in response.headers["Vary"]
    target = urlsplit(response.headers["Location"])
    assert target.path == "/query"
    assert parse_qs(target.query) == {k: [v] for k, v in params.items()}
    page = client.get(response.headers["Location"], headers={"Accept": BROWSER})
    assert page.status_code == 200 and page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    assert ('data-run="true"' in text) == bool(params)  # the query is run there
    if params:
        assert html.escape(COUNT, quote=False) in text
    assert re.search(r'<input id="site-q"[^>]*value=""', text)  # not the query: no search


@pytest.mark.parametrize(("accept", "params"), [
    ("*/*", {}),
    ("", {}),
    ("application/sparql-results+json", {}),
    ("text/html;q=0.5, application/sparql-results+json", {}),
    ("text/*", {}),
    (BROWSER, {"format": ""}),  # the query page's form without JavaScript
    (BROWSER, {"format": "csv"}),
    (BROWSER, {"output": "json"}),
    (BROWSER, {"default-graph-uri": "https://w3id.org/dakg/id/graph/reference"}),
], ids=["any", "no Accept", "JSON", "JSON before HTML", "text/*", "the form", "format",
        "output", "a dataset"])
def test_clients_and_the_query_form_get_the_endpoints_answer(
        client: FlaskClient, accept: str, params: dict[str, str]) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.get("/sparql", query_string={"query": COUNT, **params}, headers=headers)
    assert response.status_code == 200, response.data
    assert response.mimetype in {t for f in FORMATS for t in f.media_types}
    assert response.data


def test_a_client_asking_for_the_endpoint_itself_gets_its_description(
        client: FlaskClient) -> None:
    response = client.get("/sparql", headers={"Accept": "*/*"})
    assert response.status_code == 200
    assert response.mimetype == "text/turtle"


# -- error bodies follow Accept, whatever the status -----------------------------------------

@pytest.mark.parametrize(("accept", "mimetype"), [
    ("application/json", "application/json"),
    ("application/sparql-results+json", "application/json"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),
    ("*/*", "text/plain"),
    ("", "text/plain"),
    ("text/csv", "text/plain"),
])
@pytest.mark.parametrize(("method", "kwargs", "status"), [
    # POST: a browser's GET of the endpoint goes to the query page (test_a_browser_…)
    ("post", {"data": {"query": "SELEC"}}, 400),
    ("delete", {}, 405),
    ("post", {"data": COUNT, "content_type": "text/plain"}, 415),
], ids=["400", "405", "415"])
def test_error_bodies_follow_accept(client: FlaskClient, accept: str, mimetype: str, method: str,
                                    kwargs: dict[str, Any], status: int) -> None:
    headers = {"Accept": accept} if accept else {}
    response = getattr(client, method)("/sparql", headers=headers, **kwargs)
    assert response.status_code == status
    assert response.mimetype == mimetype
    assert response.headers["X-Request-Id"] in response.get_data(as_text=True)


@pytest.mark.parametrize(("accept", "mimetype"), [
    ("application/sparql-results+json", "application/json"), ("*/*", "text/plain")])
def test_a_406_follows_accept_too(client: FlaskClient, accept: str, mimetype: str) -> None:
    query = SELECT if accept == "*/*" else CONSTRUCT
    response = client.get("/sparql", query_string={"query": query},
                          headers={"Accept": accept if accept != "*/*" else "image/png, */*;q=0"})
    assert response.status_code == 406
    assert response.mimetype == mimetype


# -- prefixes, base, syntax errors -------------------------------------------------------------

def test_the_datasets_prefixes_are_predeclared(client: FlaskClient) -> None:
    query = "SELECT ?c ?n { BIND(dakg:Recommendation AS ?c) BIND(skos:notation AS ?n) }"
    row = json_of(client.get("/sparql", query_string={"query": query}))["results"]["bindings"][0]
    assert row["c"]["value"] == "https://w3id.org/dakg/def/Recommendation"
    assert row["n"]["value"] == "http://www.w3.org/2004/02/skos/core#notation"
    own = "PREFIX dakg: <http://example.org/mine/> SELECT ?c { BIND(dakg:X AS ?c) }"
    row = json_of(client.get("/sparql", query_string={"query": own}))["results"]["bindings"][0]
    assert row["c"]["value"] == "http://example.org/mine/X"


def test_relative_iris_resolve_against_the_endpoint(client: FlaskClient) -> None:
    query = "SELECT ?x { BIND(<thing> AS ?x) }"
    row = json_of(client.get("/sparql", query_string={"query": query},
                             base_url="http://dakg.example"))["results"]["bindings"][0]
    assert row["x"]["value"] == "http://dakg.example/thing"
    based = "BASE <http://example.org/b/> " + query
    row = json_of(client.get("/sparql", query_string={"query": based}))["results"]["bindings"][0]
    assert row["x"]["value"] == "http://example.org/b/thing"


@pytest.mark.parametrize(("query", "message"), [
    ("SELECT ?x {\n  ?x ?p ?o FILTER(?o = foo:y) }",
     "line 2, column 24: the prefix foo: is not declared"),
    ("SELECT * { ?s nope:p ?o }", "line 1, column 15: the prefix nope: is not declared"),
    ("SELECT * WHERE {\n  ?s ?p ?o", "line 1, column 16: this '{' is never closed"),
    ("SELECT * { ?s ?p ?o FILTER((?o) }",
     "line 1, column 33: this '}' would close the '(' of line 1, column 27"),
    ("SELECT * { ?s ?p ?o } LIMT 5", "line 1, column 23: LIMT is not a SPARQL keyword"),
    ("SELECT * { ?s ?p ?o } ORDER ?s", "line 1, column 31, at the end: expected BY"),
    ("SELECT ?x WHERE { ?s ?p ?o } GROUP BY ?s",
     "the SELECT names a variable that is neither grouped nor aggregated"),
    ("SELECT * WHERE { ?s ?p ?o } LIMIT x", "line 1, column 35: x is not a SPARQL keyword"),
    ("SELEC * {}", "it has no SELECT, ASK, CONSTRUCT or DESCRIBE"),
], ids=["prefix in an expression", "prefix in a pattern", "unclosed", "crossed brackets",
        "misspelt keyword", "few expected", "ungrouped", "bad limit", "no form"])
def test_a_syntax_error_says_where_and_what(client: FlaskClient, query: str, message: str) -> None:
    response = client.get("/sparql", query_string={"query": query},
                          headers={"Accept": "application/json"})
    assert response.status_code == 400
    said = json_of(response)["message"]
    assert said.startswith("the query is not valid SPARQL: ") and message in said
    assert len(said) < 160 and "expected one of" not in said


def test_a_body_in_another_charset_is_415(client: FlaskClient) -> None:
    response = client.post("/sparql", data="ASK {}".encode("utf-16"),
                           content_type="application/sparql-query; charset=UTF-16")
    assert response.status_code == 415 and "UTF-8" in response.get_data(as_text=True)
    form = client.post("/sparql", data="query=ASK%20%7B%7D",
                       content_type="application/x-www-form-urlencoded; charset=UTF-16")
    assert form.status_code == 415
    fine = client.post("/sparql", data=b"ASK {}",
                       content_type="application/sparql-query; charset=UTF-8")
    assert fine.status_code == 200


def test_the_description_declares_the_prefixes(client: FlaskClient) -> None:
    from rdflib import Literal, Namespace
    from rdflib.namespace import XSD

    from dakg.graph.rdf.namespaces import PREFIXES

    sh = Namespace("http://www.w3.org/ns/shacl#")
    graph = Graph().parse(data=client.get("/sparql", headers={"Accept": "text/turtle"}).data,
                          format="turtle")
    declared = {(str(graph.value(d, sh.prefix)), graph.value(d, sh.namespace))
                for d in graph.objects(None, sh.declare)}
    assert ("dakg", Literal("https://w3id.org/dakg/def/", datatype=XSD.anyURI)) in declared
    assert len(declared) == len(PREFIXES)


@pytest.mark.parametrize(("accept", "mimetype"), [
    ("application/sparql-results+json", "application/json"),
    ("text/html,application/xhtml+xml,*/*;q=0.8", "text/html"), ("*/*", "text/plain")])
def test_a_503_follows_accept_too(small_app: Flask, monkeypatch: pytest.MonkeyPatch, accept: str,
                                  mimetype: str) -> None:
    from dakg.server.pool import PoolBusy

    class Busy:
        def run(self, *args: object, **kwargs: object) -> None:
            raise PoolBusy()

    monkeypatch.setattr(small_app.extensions["dakg"], "pool", Busy)
    response = small_app.test_client().post("/sparql", data={"query": COUNT},
                                            headers={"Accept": accept})
    assert response.status_code == 503 and response.mimetype == mimetype
    assert "retry shortly" in response.get_data(as_text=True)
