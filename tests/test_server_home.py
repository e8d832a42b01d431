"""The home page of ``serve --data`` (what it serves, nothing about the report), graph names
that do not leak local paths, and the ontology served whole from ``/def/…``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask import Flask
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import OWL, RDF

from .conftest import DATA, close_app, make_app

ONTOLOGY = Path(__file__).parent.parent / "ontology" / "dakg.ttl"


@pytest.fixture(scope="module")
def data_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    from dakg.server.dataset import load_files

    dataset = load_files([DATA / "small.trig", ONTOLOGY, ONTOLOGY],
                         tmp_path_factory.mktemp("data"))
    app = make_app(dataset)
    yield app
    close_app(app)


def test_graph_names_of_data_files_do_not_leak_paths(data_app: Flask) -> None:
    client = data_app.test_client()
    response = client.get("/sparql", query_string={
        "query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"},
        headers={"Accept": "application/sparql-results+json"})
    names = [b["g"]["value"] for b in response.get_json()["results"]["bindings"]]
    assert names == ["http://example.org/g1", "http://example.org/g2",
                     "https://w3id.org/dakg/id/graph/data/dakg.ttl",
                     "https://w3id.org/dakg/id/graph/data/dakg.ttl-2"]
    assert str(DATA) not in response.get_data(as_text=True)


def test_the_data_home_page_says_what_it_serves(data_app: Flask) -> None:
    body = data_app.test_client().get("/").get_data(as_text=True)
    main = body[body.index("<main"):]
    assert "CDIP" not in main and "recommendation" not in main.lower()
    assert "file:" not in body and str(DATA) not in body
    ontology = Graph().parse(ONTOLOGY)
    small = list(ox.parse((DATA / "small.trig").read_bytes(), format=ox.RdfFormat.TRIG))
    total = len(small) + 2 * len(ontology)
    assert f"serving {total:,} triples in 4 named graphs" in main
    rows = dict(re.findall(r"<code>([^<]+)</code></a></td><td class=\"num\">([\d,]+)</td>", main))
    assert rows["http://example.org/g2"] == "2"
    classes = set(ontology.subjects(RDF.type, OWL.Class))
    blank = sum(1 for c in classes if isinstance(c, BNode))  # loaded twice: twice as many
    assert rows["owl:Class"] == str(len(classes) + blank)
    assert rows["http://example.org/Item"] == "40"


def test_every_link_of_the_data_home_page_answers(data_app: Flask) -> None:
    client = data_app.test_client()
    body = client.get("/").get_data(as_text=True)
    links = set(re.findall(r'href="(/[^"#]*)"', body))
    assert len(links) > 10
    for link in links:
        response = client.get(link.replace("&amp;", "&"))
        assert response.status_code == 200, link


@pytest.mark.parametrize("path", ["/def/", "/def/Recommendation", "/def.ttl",
                                  "/def/reportedIn.ttl"])
def test_the_ontology_is_served_whole(built_app: Flask, path: str) -> None:
    response = built_app.test_client().get(path, headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    served = Graph().parse(data=response.get_data(as_text=True), format="turtle")
    source = Graph().parse(ONTOLOGY)
    classes = {c for c in source.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)}
    assert classes and classes <= set(served.subjects(RDF.type, OWL.Class))
    assert len(served) >= len(source)
    assert (URIRef("https://w3id.org/dakg/def/"), RDF.type, OWL.Ontology) in served


def test_the_ontology_html_page_stays_a_page(built_app: Flask) -> None:
    response = built_app.test_client().get("/def/Recommendation",
                                           headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.mimetype == "text/html"
