"""The linked-data pages (/id/…, /def/…, /, /recommendations, /query, /dumps/) on a real build,
through Flask's test client; and the query page in a headless browser against ``dakg serve``."""

from __future__ import annotations

import gzip
import hashlib
import html
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF

from dakg.graph.build import build
from dakg.graph.source import Source
from dakg.server.dataset import LinkedDataset
from dakg.settings import Settings

from .conftest import app_over, close_app, damage, make_app, store_app, write_source
from .helpers import Server, json_of, sparql_rows
from .stores import STORES, LoadedStores

BASE = "https://w3id.org/dakg/"
ID = BASE + "id/"
DAKG = BASE + "def/"
OA = "http://www.w3.org/ns/oa#"
REC20 = URIRef(ID + "recommendation/20")
REC20_TEXT = ("提倡开展有助于在产权组织成员国建立强大的公有领域的知识产权方面的准则制定活动，"
              "包括编拟指导方针的可能性")
PARAGRAPH = "document/CDIP/35/2/section/20/implementation/1"
PARSERS = {"ttl": "turtle", "nt": "nt", "rdf": "xml", "jsonld": "json-ld"}
MEDIA_TYPES = {"ttl": "text/turtle", "nt": "application/n-triples",
               "rdf": "application/rdf+xml", "jsonld": "application/ld+json"}


@pytest.fixture(scope="module", params=STORES)
def app(request: pytest.FixtureRequest, built: Path,
        report_stores: LoadedStores) -> Iterator[Flask]:
    """The pages of the build, served from each store (``tests/stores.py``)."""
    served = store_app(request.param, built, report_stores, workers=1, query_workers=2)
    yield served
    close_app(served)


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def page(client: FlaskClient, path: str, **kwargs: Any) -> str:
    response = client.get(path, headers={"Accept": "text/html"}, **kwargs)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


def fresh_page(data_dir: Path, path: str) -> str:
    """A page of a new app over ``data_dir`` (not one another test's app has kept)."""
    app = app_over(Settings(data_dir=data_dir, workers=1, query_workers=1))
    try:
        return page(app.test_client(), path)
    finally:
        close_app(app)


def graph_of(client: FlaskClient, path: str, accept: str | None = None,
             parser: str = "turtle") -> Graph:
    response = client.get(path, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200, response.get_data(as_text=True)
    return Graph().parse(data=response.get_data(as_text=True), format=parser)


# -- resource pages -------------------------------------------------------------------------------

def test_recommendation_page(client: FlaskClient) -> None:
    response = client.get("/id/recommendation/20", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert {"Accept", "Host"} <= {v.strip() for v in response.headers["Vary"].split(",")}
    text = response.get_data(as_text=True)
    assert '<html lang="en">' in text and '<meta charset="utf-8">' in text
    assert REC20_TEXT in text
    assert re.search(r'<blockquote class="text" lang="zh">提倡开展', text)
    assert "<title>Recommendation 20 · dakg</title>" in text
    assert '<span class="alt" lang="zh">建议20</span>' in text
    assert 'href="/id/recommendation/16"' in text  # its cross-reference, as a local link
    assert 'href="/id/cluster/B"' in text
    assert 'href="/id/document/CDIP/35/2/section/20"' in text
    assert "Brands and Designs Sector" in text  # a sector, by its label
    assert 'href="/id/scheme/development-agenda"' in text
    # Links at the bottom: the same resource as data, and a query.
    for ext in PARSERS:
        assert f'href="/id/recommendation/20.{ext}"' in text
    assert 'href="/query?query=' in text
    assert f'href="{BASE}' not in text  # every IRI under the base is linked as a local path


SECTION_PARTS = """PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX oa: <http://www.w3.org/ns/oa#>
SELECT ?x ?start WHERE {{
  ?x dcterms:isPartOf <{section}> ; dakg:sourceSpan/oa:hasSelector/oa:start ?start .
}}"""
SECTION_MENTIONS = """PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX oa: <http://www.w3.org/ns/oa#>
SELECT ?m ?body WHERE {{
  {{ ?m dakg:inTextPart/dcterms:isPartOf <{section}> }} UNION {{ ?m dakg:inTextPart <{section}> }}
  ?m oa:hasBody ?body .
}}"""


def test_a_recommendation_page_reads_like_the_report(client: FlaskClient) -> None:
    """Number, cluster, mark, text; then the section in the order of the text, each part
    linked to its place in the annotated report, each mention to what it names; then the
    property tables."""
    text = page(client, "/id/recommendation/25")
    order = [text.index(marker) for marker in (
        "<h1>", '<span class="mark">No. 25</span>', 'href="/id/cluster/C"',
        "Not among those adopted for immediate implementation", '<blockquote class="text"',
        '<section class="reading"', 'id="summary-h"', 'id="props-h"')]
    assert order == sorted(order)
    section = ID + "document/CDIP/35/2/section/25"
    parts = sparql_rows(client, SECTION_PARTS.format(section=section))
    assert len(parts) > 20
    places = []
    for part in sorted(parts, key=lambda p: int(p["start"])):
        local = part["x"][len(ID + "document/CDIP/35/2/"):]
        found = re.search(f'id="CDIP/35/2/{local}"><a class="pilcrow" '
                          f'href="/report/CDIP/35/2#{local}" title="([^"]+)"', text)
        assert found, local
        assert "document/" not in found.group(1)  # titled: "CDIP/35/2, Annex I, …"
        places.append(found.start())
    assert places == sorted(places)  # in reading order
    blocks = re.findall(r'<h3 class="block-head" lang="en">([^<]+)</h3>', text)
    assert blocks == ["Implementation", "Highlights", "Activities and outcomes"]
    mentions = sparql_rows(client, SECTION_MENTIONS.format(section=section))
    assert {m["body"] for m in mentions} >= {ID + "document/CDIP/5/10", ID + "session/CDIP/5",
                                              ID + "sector/patents-and-technology"}
    links = dict(re.findall(r'<a class="mention" id="([^"]+)" href="([^"]+)"', text))
    for m in mentions:
        if sum(1 for o in mentions if o["m"] == m["m"]) == 1:
            assert links["CDIP/35/2/" + m["m"][len(ID + "document/CDIP/35/2/"):]] == \
                html.escape(m["body"][len(BASE) - 1:]), m


def test_a_recommendation_page_names_those_reported_with_it(client: FlaskClient) -> None:
    text = page(client, "/id/recommendation/13")
    together = re.search(r'<p class="with">(.*?)</p>', text)
    assert together
    assert re.findall(r'href="/id/recommendation/(\d+)"', together.group(1)) == ["14", "17"]
    # Its footnotes printed after the section are there too, after the section's text.
    three = page(client, "/id/recommendation/3")
    assert three.index('id="CDIP/35/2/section/3/activity/29"') < three.index(
        'id="CDIP/35/2/footnote/7"><a class="pilcrow" href="/report/CDIP/35/2#footnote/7"')


def test_a_recommendation_page_shows_every_report_newest_first(series: Path) -> None:
    text = fresh_page(series, "/id/recommendation/25")
    headings = re.findall(r'<h2 id="reading-h-\d">\d\. What <a href="/id/document/([^"]+)">',
                          text)
    assert headings == ["CDIP/36/2", "CDIP/35/2"]
    for symbol in headings:
        assert f'id="{symbol}/section/25/implementation/1"><a class="pilcrow" ' \
               f'href="/report/{symbol}#section/25/implementation/1"' in text


def test_a_long_series_prints_the_newest_and_lists_the_rest(
        series: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # What a page of a thousand-report series does, on two: one reading printed (here), the
    # earlier reports named with a link to their section in the annotated report, and the
    # query for all of them once the list is cut.
    from dakg.server.pages import recommendations

    monkeypatch.setattr(recommendations, "READ_IN_FULL", 1)
    monkeypatch.setattr(recommendations, "LISTED", 1)
    text = fresh_page(series, "/id/recommendation/25")
    assert re.findall(r'<h2 id="reading-h-\d">\d\. What <a href="/id/document/([^"]+)">',
                      text) == ["CDIP/36/2"]
    assert 'href="/report/CDIP/35/2#section/25/implementation/1"' not in text
    assert "2 sections report on it in all" in text
    query = re.search(r'sections report on it in all: <a href="([^"]+)">', text)
    assert query and query.group(1).startswith("/query?query=")
    monkeypatch.setattr(recommendations, "LISTED", 20)
    text = fresh_page(series, "/id/recommendation/25")
    earlier = text[text.index('id="earlier-h"'):]
    assert re.findall(r'<tr><td><a href="/id/document/([^"]+)">', earlier) == ["CDIP/35/2"]
    assert '<a href="/report/CDIP/35/2#section/25">in the annotated report</a>' in earlier
    assert "report on it in all" not in text


def test_the_recommendations_table_names_the_newest_reports_sections(series: Path) -> None:
    text = fresh_page(series, "/recommendations")
    row = re.search(r'<th scope="row" class="num"><a href="/id/recommendation/25">25</a>.*?</tr>',
                    text, re.S)
    assert row
    assert re.findall(r'href="/id/document/([^"]+)"', row.group(0)) == ["CDIP/36/2/section/25"]
    assert '<a href="/id/recommendation/25">1 earlier</a>' in row.group(0)


@pytest.mark.parametrize("store", STORES)
def test_a_property_with_many_values_shows_some_and_the_query_for_all(
        store: str, built: Path, report_stores: LoadedStores,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The store cuts the values (``resource.page_query``): on each store."""
    from dakg.server.pages import resource

    monkeypatch.setattr(resource, "VALUES_SHOWN", 10)
    app = store_app(store, built, report_stores, workers=1, query_workers=1)
    try:
        client = app.test_client()
        annex = "/id/document/CDIP/35/2/annex/1"
        total = int(sparql_rows(client, f"SELECT (COUNT(DISTINCT ?v) AS ?n) WHERE {{ "
                                        f"<{BASE[:-1]}{annex}> dcterms:hasPart ?v }}")[0]["n"])
        text = page(client, annex)
        row = re.search(r'<th scope="row">(?:(?!</tr>).)*?hasPart(?:(?!</tr>).)*</tr>', text,
                        re.S)
        assert row, "no hasPart row"
        assert len(re.findall(r"<li>", row.group(0))) == 10 < total
        more = re.search(r'<li class="more">(\d+) more: <a href="/query\?(query=[^"]+)">'
                         r"list all (\d+)</a>", row.group(0))
        assert more and int(more.group(1)) == total - 10 and int(more.group(3)) == total
        listed = client.get("/sparql?" + html.unescape(more.group(2)),
                            headers={"Accept": "application/sparql-results+json"}).get_json()
        assert len(listed["results"]["bindings"]) == total
    finally:
        close_app(app)


def _property_row(text: str, local: str) -> str:
    """The row of the properties table for ``dakg:local``."""
    row = re.search(rf'<th scope="row">(?:(?!</tr>).)*?dakg:{local}<(?:(?!</tr>).)*</tr>', text,
                    re.S)
    assert row, f"no {local} row"
    return row.group(0)


def test_a_property_with_values_in_two_reports_shows_both(series: Path) -> None:
    text = fresh_page(series, "/id/recommendation/25")
    row = _property_row(text, "reportedIn")
    assert re.findall(r'<li><a href="/id/document/([^"]+)"', row) == [
        "CDIP/35/2/section/25", "CDIP/36/2/section/25"]
    assert 'class="more"' not in row
    app = app_over(Settings(data_dir=series, workers=1, query_workers=1))
    try:
        counted = ("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p WHERE "
                   f"{{ ?s ?p <{ID}recommendation/25> }} }}")
        links = int(sparql_rows(app.test_client(), counted)[0]["n"])
    finally:
        close_app(app)
    assert f'Links to this resource <span class="count">({links})</span>' in text
    assert "links are shown" not in text


def test_a_property_over_the_cap_in_a_series_shows_one_and_counts_all(
        series: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dakg.server.pages import resource

    monkeypatch.setattr(resource, "VALUES_SHOWN", 1)
    monkeypatch.setattr(resource, "INBOUND_CAP", 2)
    monkeypatch.setattr(resource, "INBOUND_COUNTED", 3)
    text = fresh_page(series, "/id/recommendation/25")
    for local in ("reportedIn", "statedIn"):
        row = _property_row(text, local)
        shown = re.findall(r'<li><a href="/id/document/([^"]+)"', row)
        # One of the two reports' (the store's first: the page does not sort them all).
        assert len(shown) == 1 and shown[0] in {
            f"CDIP/{n}/2/section/25" + ("/statement/25" if local == "statedIn" else "")
            for n in (35, 36)}
        more = re.search(r'<li class="more">1 more: <a href="/query\?(query=[^"]+)">list all 2</a>',
                         row)
        assert more, row
        query = parse_qs(html.unescape(more.group(1)))["query"][0]
        assert f"<{ID}recommendation/25> <{DAKG}{local}> ?value" in query
    assert 'Links to this resource <span class="count">(more than 3)</span>' in text
    assert "Only 2 of the more than 3 links are shown." in text


def test_the_report_text_on_a_recommendation_page_is_escaped(
        tmp_path_factory: pytest.TempPathFactory, source: Source) -> None:
    hostile = damage(source, "该建议自2010年开始落实，曾经过讨论并已通过CDIP第五届",
                     "该建议<script>alert(1)</script>自2010年开始落实，曾经过讨论并已通过CDIP第五届")
    data_dir = tmp_path_factory.mktemp("hostile-report")
    build(data_dir, manifests=[write_source(tmp_path_factory.mktemp("hostile-source"), source,
                                            hostile)])
    text = fresh_page(data_dir, "/id/recommendation/25")
    assert "<script>alert" not in text
    assert "该建议&lt;script&gt;alert(1)&lt;/script&gt;自2010年开始落实" in text


@pytest.mark.parametrize(("path", "title"), [
    ("/id/document/CDIP/35/2/annex/1", "CDIP/35/2, Annex I, section on recommendations 13, 14 "
                                       "and 17"),
    ("/id/document/CDIP/35/2/section/25/implementation/1/mention/3",
     "CDIP/35/2, Annex I, section on recommendation 25"),  # what its text part is part of
    ("/id/recommendation/25", "CDIP/35/2, Annex I, section on recommendation 25"),
    ("/recommendations", "CDIP/35/2, Annex I, section on recommendation 25"),
    ("/report/CDIP/35/2", "CDIP/35/2, Annex I, section on recommendations 13, 14 and 17"),
])
def test_pieces_of_the_report_are_shown_by_title_not_path(client: FlaskClient, path: str,
                                                          title: str) -> None:
    text = page(client, path)
    assert title in text
    assert not re.search(r"<a\b[^>]*>\s*(?:id/)?document/", text), path


def test_external_iris_are_external_links(client: FlaskClient) -> None:
    text = page(client, "/id/recommendation/20")
    assert 'href="http://www.w3.org/2004/02/skos/core#inScheme"' in text
    assert 'class="ext" rel="external"' in text


def test_turtle_by_extension_and_by_accept_is_the_same_graph(client: FlaskClient) -> None:
    by_extension = client.get("/id/recommendation/20.ttl")
    assert by_extension.headers["Content-Type"] == "text/turtle; charset=utf-8"
    by_accept = graph_of(client, "/id/recommendation/20", "text/turtle")
    extension_graph = Graph().parse(data=by_extension.get_data(as_text=True), format="turtle")
    assert isomorphic(extension_graph, by_accept)
    assert (REC20, URIRef(DAKG + "refersTo"), URIRef(ID + "recommendation/16")) in by_accept
    assert (REC20, URIRef(DAKG + "recommendationText"), None) in by_accept
    assert set(by_accept.subjects()) == {REC20}
    assert len(by_accept) > 20


@pytest.mark.parametrize("ext", sorted(PARSERS))
@pytest.mark.filterwarnings("ignore:Dataset.default_context is deprecated:DeprecationWarning")
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_every_format_gives_the_same_graph(client: FlaskClient, ext: str) -> None:
    reference = graph_of(client, "/id/recommendation/20.ttl")
    by_extension = graph_of(client, f"/id/recommendation/20.{ext}", parser=PARSERS[ext])
    by_accept = graph_of(client, "/id/recommendation/20", MEDIA_TYPES[ext], PARSERS[ext])
    assert isomorphic(by_extension, reference)
    assert isomorphic(by_accept, reference)


def test_description_holds_the_fragments(client: FlaskClient) -> None:
    graph = graph_of(client, f"/id/{PARAGRAPH}.ttl")
    iri = ID + PARAGRAPH
    assert {str(s) for s in graph.subjects()} == {iri, iri + "#span", iri + "#quote",
                                                  iri + "#position"}
    assert (URIRef(iri + "#quote"), URIRef(OA + "exact"), None) in graph


def test_paragraph_page_shows_its_quote_and_offsets(client: FlaskClient) -> None:
    graph = graph_of(client, f"/id/{PARAGRAPH}.ttl")
    position = URIRef(ID + PARAGRAPH + "#position")
    start = int(str(graph.value(position, URIRef(OA + "start"))))
    end = int(str(graph.value(position, URIRef(OA + "end"))))
    exact = str(graph.value(URIRef(ID + PARAGRAPH + "#quote"), URIRef(OA + "exact")))
    assert exact.startswith("该建议自2010年起落实")
    text = page(client, f"/id/{PARAGRAPH}")
    assert f"<mark>{html.escape(exact)}</mark>" in text
    assert f"{start}–{end}" in text and f"({end - start} code points)" in text
    assert f"text[{start}:{end}]" in text
    assert 'href="/id/document/CDIP/35/2/section/20"' in text  # the section it is part of
    assert 'href="/id/document/CDIP/35/2"' in text  # the report
    assert 'href="/id/document/CDIP/35/2/text/zh"' in text  # the source text
    assert 'id="span"' in text and 'id="quote"' in text and 'id="position"' in text
    assert 'href="/id/document/CDIP/35/2/section/20/implementation/1/mention/1"' in text


def test_mention_page_names_its_body_and_text_part(client: FlaskClient) -> None:
    text = page(client, f"/id/{PARAGRAPH}/mention/1")
    assert "Committee on Development and Intellectual Property" in text
    assert f'href="/id/{PARAGRAPH}"' in text
    assert "<mark>CDIP</mark>" in text


@pytest.mark.parametrize(("path", "symbol"), [
    ("document/CDIP/16/4/Rev", "CDIP/16/4 Rev."),
    ("document/SCT/44/6/Rev.4", "SCT/44/6 Rev.4"),  # a dot that is not an extension
])
def test_documents_with_a_revision(client: FlaskClient, path: str, symbol: str) -> None:
    text = page(client, f"/id/{path}")
    assert f"<title>{symbol} · dakg</title>" in text
    assert f"<code>{ID}{path}</code>" in text
    graph = graph_of(client, f"/id/{path}.ttl")
    assert (URIRef(ID + path), URIRef(DAKG + "symbol"), Literal(symbol)) in graph


def test_scheme_lists_its_concepts(client: FlaskClient) -> None:
    text = page(client, "/id/scheme/development-agenda")
    for number in (1, 20, 45):
        assert f'href="/id/recommendation/{number}"' in text
    # 45 recommendations and 6 clusters are in the scheme; the 6 clusters are top concepts.
    assert '<span class="count">(57)</span>' in text


def test_unknown_resource_is_404(client: FlaskClient) -> None:
    for path in ("/id/recommendation/46", "/id/recommendation/46.ttl", "/def/NoSuchTerm"):
        response = client.get(path, headers={"Accept": "text/html"})
        assert response.status_code == 404, path
        assert "Traceback" not in response.get_data(as_text=True)
    response = client.get("/id/recommendation/46", headers={"Accept": "text/turtle"})
    assert response.status_code == 404


@pytest.mark.parametrize("path", ["/id/a%3Eb", "/id/a%3Cb", "/id/a%20b", "/id/a%22b",
                                  "/id/a%09b", "/id/a%7Bb", "/id/a%7Db", "/id/a%7Cb",
                                  "/id/a%5Cb", "/id/a%5Eb", "/id/a%60b", "/id/a%25zz",
                                  "/id/a%23b%23c", "/id/a%EF%BF%BDb", "/def/a%3E%20%7D.ttl"])
def test_paths_that_are_not_iris_are_refused(client: FlaskClient, path: str) -> None:
    response = client.get(path, headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert "not part of a valid IRI" in json_of(response)["message"]


def test_a_line_break_in_the_path_matches_no_resource(client: FlaskClient) -> None:
    response = client.get("/id/a%0A%3E%20%7D%20", headers={"Accept": "text/html"})
    assert response.status_code in (400, 404)
    assert "Traceback" not in response.get_data(as_text=True)


def test_alternates_are_announced(client: FlaskClient) -> None:
    response = client.get("/id/recommendation/20", headers={"Accept": "text/html"})
    link = response.headers["Link"]
    assert '</id/recommendation/20.ttl>; rel="alternate"; type="text/turtle"' in link
    assert '</id/recommendation/20.jsonld>; rel="alternate"; type="application/ld+json"' in link
    assert '<link rel="alternate" type="text/turtle" href="/id/recommendation/20.ttl"' in \
        response.get_data(as_text=True)
    by_extension = client.get("/id/recommendation/20.ttl")
    assert by_extension.headers["Content-Location"] == "/id/recommendation/20.ttl"
    vary = by_extension.headers.get("Vary", "").replace("Accept-Encoding", "")
    assert "Accept" not in vary  # the extension alone decides


def test_unacceptable_type_is_406(client: FlaskClient) -> None:
    response = client.get("/id/recommendation/20", headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "text/turtle" in response.get_data(as_text=True)


@pytest.mark.parametrize(("accept", "media_type"), [
    ("*/*", "text/html"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),
    ("application/n-quads", "application/n-quads"),
    ("application/trig", "application/trig"),
    ("text/turtle;q=0.5, application/rdf+xml", "application/rdf+xml"),
    ("text/html;q=0, */*", "text/turtle"),
])
def test_negotiation(client: FlaskClient, accept: str, media_type: str) -> None:
    response = client.get("/id/recommendation/20", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == media_type


def test_etag_and_not_modified(client: FlaskClient, built: Path) -> None:
    first = client.get("/id/recommendation/20", headers={"Accept": "text/html"})
    etag = first.headers["ETag"]
    version = (built / "current").resolve().name
    assert version in etag
    assert first.headers["Cache-Control"] == "public, max-age=60"
    again = client.get("/id/recommendation/20",
                       headers={"Accept": "text/html", "If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers["ETag"] == etag and again.data == b""
    turtle = client.get("/id/recommendation/20", headers={"Accept": "text/turtle",
                                                          "If-None-Match": etag})
    assert turtle.status_code == 200 and turtle.headers["ETag"] != etag


def test_head(client: FlaskClient) -> None:
    response = client.head("/id/recommendation/20.ttl")
    assert response.status_code == 200 and response.data == b""


# -- the ontology ---------------------------------------------------------------------------------

def test_ontology_term_shows_english_and_chinese_labels(client: FlaskClient) -> None:
    text = page(client, "/def/Recommendation")
    assert "<title>Development Agenda recommendation · dakg:Recommendation · dakg</title>" in text
    assert '<span class="alt" lang="zh">发展议程建议</span>' in text
    assert '<p lang="en">One of the 45' in text and '<p lang="zh">2007年' in text
    assert 'href="/def/#Recommendation"' in text  # its place in the whole documentation
    assert 'href="/query?query=' in text  # its instances


def test_ontology_page_lists_the_terms(client: FlaskClient) -> None:
    text = page(client, "/def/")
    assert "Development Agenda Knowledge Graph (dakg) ontology" in text
    assert 'href="/def/Recommendation"' in text and 'href="/def/refersTo"' in text
    graph = graph_of(client, "/def.ttl")
    assert (URIRef(DAKG), RDF.type, URIRef("http://www.w3.org/2002/07/owl#Ontology")) in graph
    # a term in RDF is the whole ontology (issue 9), its blank nodes included
    term = graph_of(client, "/def/citesDocument.ttl")  # its domain is a union: blank nodes
    domain = term.value(URIRef(DAKG + "citesDocument"),
                        URIRef("http://www.w3.org/2000/01/rdf-schema#domain"))
    assert term.value(domain, URIRef("http://www.w3.org/2002/07/owl#unionOf")) is not None
    assert len(term) == len(graph)


# -- home, recommendations, query -----------------------------------------------------------------

def test_home(client: FlaskClient, built: Path) -> None:
    import json

    text = page(client, "/")
    build = json.loads((built / "current" / "build.json").read_text())
    for graph, count in build["graphs"].items():
        assert graph in text
        assert f"{count:,}" in text
    for link in ("/recommendations", "/query", "/dumps/", "/def/", "/sparql",
                 "/sparql?format=turtle", "/id/scheme/development-agenda"):
        assert f'href="{link}"' in text
    assert client.get("/", headers={"If-None-Match": client.get("/").headers["ETag"]}
                      ).status_code == 304


def test_recommendations(client: FlaskClient) -> None:
    text = page(client, "/recommendations")
    rows = re.findall(r'<th scope="row" class="num"><a href="/id/recommendation/(\d+)">', text)
    assert [int(r) for r in rows] == list(range(1, 46))
    assert REC20_TEXT[:40] + "…" in text
    assert text.count('aria-label="yes">✓') == 19  # adopted for immediate implementation


def test_query_page(client: FlaskClient) -> None:
    text = page(client, "/query")
    assert '<textarea id="query" name="query"' in text
    assert f"PREFIX dakg: &lt;{DAKG}&gt;" in text and "PREFIX oa:" in text
    assert "static/query.js" in text and 'data-run="false"' in text
    hostile = "SELECT * { ?s ?p ?o } # </textarea><script>alert(1)</script>"
    filled = page(client, "/query?query=" + quote(hostile))
    assert "<script>alert(1)" not in filled
    assert html.escape(hostile, quote=False) in filled and 'data-run="true"' in filled
    script = client.get("/static/query.js")
    assert script.status_code == 200 and b"sparql-results+json" in script.data
    script.close()
    style = client.get("/static/dakg.css")
    assert style.status_code == 200 and style.mimetype == "text/css"
    style.close()


def test_the_query_link_of_a_page_runs(client: FlaskClient) -> None:
    text = page(client, "/id/recommendation/20")
    found = re.search(r'href="(/query\?query=[^"]+)"', text)
    assert found is not None
    link = html.unescape(found.group(1))
    from urllib.parse import parse_qs, urlsplit

    query = parse_qs(urlsplit(link).query)["query"][0]
    response = client.post("/sparql", data={"query": query},
                           headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200
    assert len(json_of(response)["results"]["bindings"]) > 20


# -- dumps ----------------------------------------------------------------------------------------

def sums(built: Path) -> dict[str, str]:
    lines = (built / "current" / "dumps" / "SHA256SUMS").read_text().splitlines()
    return {name: digest for digest, name in (line.split("  ", 1) for line in lines)}


def test_dumps_page(client: FlaskClient, built: Path) -> None:
    text = page(client, "/dumps/")
    for name, digest in sums(built).items():
        assert f'href="/dumps/{name}"' in text and digest in text
    assert 'href="/dumps/SHA256SUMS"' in text and 'href="/dumps/build.json"' in text
    assert "<code>text/turtle; charset=utf-8</code>" in text
    assert "<code>application/n-quads; charset=utf-8</code>" in text


@pytest.mark.parametrize(("name", "media_type"), [
    ("dakg.ttl", "text/turtle; charset=utf-8"),
    ("dakg.nq", "application/n-quads; charset=utf-8"),
    ("dakg.jsonld", "application/ld+json; charset=utf-8"),
    ("graph-shared.ttl", "text/turtle; charset=utf-8"),
])
def test_dump_download(client: FlaskClient, built: Path, name: str, media_type: str) -> None:
    """A dump is published gzipped (``dakg.ttl.gz``), and served without its ``.gz`` in its
    own media type: gzip-encoded to a client that takes gzip, else decompressed."""
    digest = sums(built)[name + ".gz"]
    packed = client.get(f"/dumps/{name}.gz")
    assert packed.headers["Content-Type"] == "application/gzip"
    assert packed.headers["ETag"] == f'"{digest}"'
    assert "Content-Encoding" not in packed.headers
    assert hashlib.sha256(packed.get_data()).hexdigest() == digest
    encoded = client.get(f"/dumps/{name}", headers={"Accept-Encoding": "gzip, deflate"})
    assert encoded.headers["Content-Encoding"] == "gzip"
    assert encoded.get_data() == packed.get_data()
    plain = client.get(f"/dumps/{name}", headers={"Accept-Encoding": "gzip;q=0, br"})
    assert "Content-Encoding" not in plain.headers
    assert plain.get_data() == gzip.decompress(packed.get_data())
    for response in (encoded, plain):
        assert response.status_code == 200
        assert response.headers["Content-Type"] == media_type
        assert response.headers["Cache-Control"].startswith("public, max-age=")
        assert "Accept-Encoding" in response.headers["Vary"]
    assert encoded.headers["ETag"] != plain.headers["ETag"]
    for response, asked in ((plain, "identity"), (encoded, "gzip")):
        again = client.get(f"/dumps/{name}", headers={"If-None-Match": response.headers["ETag"],
                                                      "Accept-Encoding": asked})
        assert again.status_code == 304
        again.close()
    packed.close()


def test_build_json_and_sums_download(client: FlaskClient, built: Path) -> None:
    response = client.get("/dumps/build.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert json_of(response)["version"] == (built / "current").resolve().name
    response = client.get("/dumps/SHA256SUMS")
    assert response.status_code == 200 and response.mimetype == "text/plain"


@pytest.mark.parametrize("path", [
    "/dumps/../build.json", "/dumps/..%2Fbuild.json", "/dumps/%2e%2e/%2e%2e/builds",
    "/dumps/..%2F..%2F.lock", "/dumps/%2Fetc%2Fpasswd", "/dumps/store", "/dumps/.",
    "/dumps/dakg.ttl%00", "/dumps/..\\build.json",
])
def test_dump_path_traversal_is_refused(client: FlaskClient, path: str) -> None:
    response = client.get(path, follow_redirects=True)
    assert response.status_code == 404, path
    assert b"root:" not in response.data and b'"version"' not in response.data


def test_no_dumps_for_a_data_dataset(small_dataset: LinkedDataset) -> None:
    from .conftest import make_app

    app = make_app(small_dataset)
    try:
        client = app.test_client()
        text = page(client, "/dumps/")
        assert "has no dumps" in text
        assert client.get("/dumps/dakg.ttl").status_code == 404
        assert page(client, "/")  # the home page of any dataset
    finally:
        close_app(app)


# -- the package's parts --------------------------------------------------------------------------

def test_every_page_route_is_registered(app: Flask) -> None:
    rules = {(r.rule, r.endpoint) for r in app.url_map.iter_rules()
             if r.endpoint.startswith("pages.")}
    assert rules == {
        ("/", "pages.home"), ("/id/<path:path>", "pages.id_resource"),
        ("/def/<path:path>", "pages.def_resource"), ("/def/", "pages.def_resource"),
        ("/def.<ext>", "pages.ontology_file"), ("/recommendations", "pages.recommendations"),
        ("/query", "pages.query_page"), ("/dumps/", "pages.dumps"),
        ("/dumps/<path:name>", "pages.dump_file"),
        ("/search", "pages.search"), ("/search.json", "pages.search_json"),
        ("/report/<path:symbol>", "pages.report"), ("/.well-known/void", "pages.void"),
        ("/validation", "pages.validation"), ("/validation.<ext>", "pages.validation_file"),
        *((f"/{name}", f"pages.{name}") for name in ("reports", "sectors", "clusters",
                                                     "sessions", "documents", "programmes",
                                                     "projects")),
    }


@pytest.mark.parametrize(("path", "split"), [
    ("id/recommendation/20.ttl", ("id/recommendation/20", "ttl")),
    ("id/recommendation/20.html", ("id/recommendation/20", "html")),
    ("id/document/SCT/44/6/Rev.4", ("id/document/SCT/44/6/Rev.4", None)),
    ("id/dataset.trig", ("id/dataset.trig", None)),  # not offered by extension
    ("id/recommendation/.ttl", ("id/recommendation/.ttl", None)),
])
def test_split_extension(path: str, split: tuple[str, str | None]) -> None:
    from dakg.server.pages.negotiation import split_extension

    assert split_extension(path) == split


@pytest.mark.parametrize(("size", "shown"), [
    (0, "0 bytes"), (1023, "1023 bytes"), (1024, "1.0 KiB"), (1536 * 1024, "1.5 MiB"),
    (3 * 1024 ** 3, "3.0 GiB"), (5 * 1024 ** 4, "5120.0 GiB"),
])
def test_human_size(size: int, shown: str) -> None:
    from dakg.server.pages.dumps import human_size

    assert human_size(size) == shown


# -- the query page in a browser ------------------------------------------------------------------

def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.mark.e2e
def test_query_page_in_a_headless_browser(built: Path, tmp_path: Path) -> None:
    browser = _chromium()
    if browser is None:
        pytest.skip("no Chromium found (install it with: apt-get install -y chromium)")
    query = (f"PREFIX dakg: <{DAKG}>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
             "SELECT ?number ?r ?label WHERE {\n"
             "  ?r a dakg:Recommendation ; dakg:recommendationNumber ?number ; rdfs:label ?label\n"
             "  FILTER(?number IN (16, 20) && lang(?label) = \"zh\")\n"
             "} ORDER BY ?number")
    server = Server(built)
    try:
        done = subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--no-first-run", "--disable-component-update",
             "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}",
             "--virtual-time-budget=15000", "--dump-dom",
             f"{server.url}/query?query={quote(query, safe='')}"],
            capture_output=True, text=True, timeout=120, check=False)
    finally:
        server.stop()
    dom = done.stdout
    assert '<table class="data results">' in dom, done.stderr[-2000:]
    assert re.search(r"<th[^>]*>\?number</th><th[^>]*>\?r</th><th[^>]*>\?label</th>", dom)
    assert re.search(r"2 rows in \d+ ms", dom)
    assert '<a href="/id/recommendation/20" title="https://w3id.org/dakg/id/recommendation/20">' \
        in dom
    assert '<span class="lit" lang="zh">建议20</span>' in dom
    assert '<span class="tag">@zh</span>' in dom
    assert "xsd:integer" in dom


# -- hardening: headers, bidi controls, huge labels, Host, symbolic links ------------------------

PAGES = ["/", "/recommendations", "/query", "/dumps/", "/id/recommendation/20", "/def/",
         "/id/no/such/thing", "/no/such/page", "/sparql?query=SELEC"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_forbids_sniffing_framing_and_foreign_code(client: FlaskClient,
                                                              path: str) -> None:
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.mimetype == "text/html"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    policy = dict(part.strip().split(" ", 1)
                  for part in response.headers["Content-Security-Policy"].split(";"))
    assert policy["default-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    body = response.get_data(as_text=True)
    # What the policy allows is all the page needs: no inline code or style to be blocked.
    for script in re.findall(r"<script\b[^>]*>", body):
        assert re.search(r'src="/static/', script) or 'type="application/json"' in script
    assert " style=" not in body and "<style" not in body


def test_the_query_page_keeps_its_script_and_styles_on_this_server(client: FlaskClient) -> None:
    body = page(client, "/query")
    assert '<script src="/static/query.js" defer>' in body
    assert '<link rel="stylesheet" href="/static/dakg.css">' in body


@pytest.mark.parametrize("path", ["/dumps/dakg.nt", "/static/dakg.css", "/static/query.js",
                                  "/sparql?query=ASK%7B%7D", "/id/recommendation/20.ttl"])
def test_other_responses_carry_nosniff(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """An app over a graph with a label that reverses the text after it and a huge label."""
    from dakg.server.dataset import load_files

    folder = tmp_path_factory.mktemp("hostile")
    (folder / "hostile.ttl").write_text(f"""
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        @prefix id: <{ID}> .
        id:thing\\/huge rdfs:label "{HUGE}" ; rdfs:seeAlso id:thing\\/huge, id:thing\\/bidi .
        id:thing\\/bidi rdfs:label "invoice \u202egpj.exe" ; rdfs:seeAlso id:thing\\/huge .
        id:thing\\/isolates rdfs:label "a\u2066b\u2067c\u2068d\u2069e\u202af\u202bg\u202ch\u202di" .
        """, encoding="utf-8")
    made = make_app(load_files([folder / "hostile.ttl"], folder / "served"))
    yield made
    close_app(made)


HUGE = "長" * 330_000  # 990 KB in UTF-8


def test_bidi_controls_in_a_label_are_shown_escaped(hostile_app: Flask) -> None:
    client = hostile_app.test_client()
    body = page(client, "/id/thing/bidi")
    assert "\u202e" not in body
    assert '<span class="lit">invoice [U+202E]gpj.exe</span>' in body
    assert "<title>invoice [U+202E]gpj.exe · dakg</title>" in body
    linking = page(client, "/id/thing/huge")
    assert ">invoice [U+202E]gpj.exe</a>" in linking and "\u202e" not in linking
    isolates = page(client, "/id/thing/isolates")
    assert ("a[U+2066]b[U+2067]c[U+2068]d[U+2069]e[U+202A]f[U+202B]g[U+202C]h[U+202D]i"
            in isolates)


def test_a_query_is_shown_as_given_in_its_text_box(hostile_app: Flask) -> None:
    query = 'SELECT * { ?s ?p "\u202eabc" }'
    body = page(hostile_app.test_client(), "/query", query_string={"query": query})
    assert f">{escape(query)}</textarea>" in body


def test_a_huge_label_is_shown_once_in_full(hostile_app: Flask) -> None:
    client = hostile_app.test_client()
    own = page(client, "/id/thing/huge")  # it links to itself, and is linked from bidi
    assert own.count(HUGE) == 1
    assert len(own.encode()) < len(HUGE.encode()) + 100_000
    assert own.count(HUGE[:200] + "…") >= 2  # its name in the title, heading and links
    linking = page(client, "/id/thing/bidi")
    assert HUGE not in linking and len(linking.encode()) < 100_000


def test_the_host_header_is_part_of_the_home_page_etag(client: FlaskClient) -> None:
    mine = client.get("/", headers={"Host": "dakg.example"})
    other = client.get("/", headers={"Host": "attacker.example"})
    assert "http://attacker.example/sparql" in other.get_data(as_text=True)
    assert "Host" in other.headers["Vary"] and "Host" in mine.headers["Vary"]
    assert mine.headers["ETag"] != other.headers["ETag"]
    # A tag the page had at one host does not answer 304 at another.
    again = client.get("/", headers={"Host": "attacker.example",
                                     "If-None-Match": mine.headers["ETag"]})
    assert again.status_code == 200
    same = client.get("/", headers={"Host": "dakg.example", "If-None-Match": mine.headers["ETag"]})
    assert same.status_code == 304


def test_dumps_never_follow_a_symbolic_link_out_of_their_folder(built: Path,
                                                                tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(built, data_dir, symlinks=True)
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:not for the web\n")
    dumps = (data_dir / "current").resolve() / "dumps"
    (dumps / "passwd.nt").symlink_to(secret)
    # a link in place of a real dump, too (not dakg.nq: query processes load the store from it)
    (dumps / "dakg.nt.gz").unlink()
    (dumps / "dakg.nt.gz").symlink_to(secret)
    made = app_over(Settings(data_dir=data_dir, workers=1, query_workers=1))
    try:
        client = made.test_client()
        listing = page(client, "/dumps/")
        assert "passwd.nt" not in listing and 'href="/dumps/dakg.nt.gz"' not in listing
        assert "dakg.ttl" in listing
        for name in ("passwd.nt", "dakg.nt.gz", "dakg.nt"):
            response = client.get(f"/dumps/{name}")
            assert response.status_code == 404
            assert b"not for the web" not in response.data
    finally:
        close_app(made)


def test_an_incomplete_index_names_as_the_builds_does(built: Path, built_client: FlaskClient,
                                                      tmp_path: Path) -> None:
    # A page names what it shows from the search index; one made from results cut at a row
    # limit (a remote store's) may lack names, and pages then ask the store for them.
    from dakg.search_index import BUILD_FILE, write

    data = tmp_path / "data"
    shutil.copytree(built, data, symlinks=True)
    write((data / "current").resolve() / BUILD_FILE, DAKG, [], [], complete=False)
    app = app_over(Settings(data_dir=data, workers=1, query_workers=1))
    try:
        for path in (f"/id/{PARAGRAPH}", f"/id/{PARAGRAPH.replace('20/', '22/')}/mention/1",
                     "/id/sector/patents-and-technology", "/def/reportedIn"):
            pages = [c.get(path, headers={"Accept": "text/html"}) for c in
                     (app.test_client(), built_client)]
            assert pages[0].status_code == 200, path
            assert pages[0].get_data(as_text=True) == pages[1].get_data(as_text=True), path
    finally:
        close_app(app)
