"""The ontology's documentation (``/def/``, ``/def/Term``) and the inverse labels pages use, on
the real build through Flask's test client; expectations are read from the ontology and shapes
files and from the data, never written out here."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH
from rdflib.term import Node

from dakg.graph.rdf.dataset import NamedGraph, ontology_graph, shapes_graph
from dakg.graph.rdf.namespaces import DAKG, DEFAULT_BASE
from dakg.server.dataset import load_files
from dakg.server.pages.resource import INBOUND_CAP

from .conftest import close_app, make_app

ONTOLOGY = ontology_graph()
SHAPES = shapes_graph()
KINDS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty,
         RDFS.Datatype)
TERMS = sorted({t for k in KINDS for t in ONTOLOGY.subjects(RDF.type, k)
                if isinstance(t, URIRef) and str(t).startswith(str(DAKG)) and t != DAKG[""]})


class Text(HTMLParser):
    """A page's text as a browser runs it together: text nodes joined with nothing between
    (what made "document文件" of two labels in adjacent elements), and the ids it defines."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.ids: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.ids.extend(v for k, v in attrs if k == "id" and v)

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    @property
    def text(self) -> str:
        return "".join(self.parts)


def html_of(client: FlaskClient, path: str) -> str:
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/html"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    return response.get_data(as_text=True)


def literal(term: Node, prop: URIRef, lang: str, graph: Graph = ONTOLOGY) -> str:
    found = [str(v) for v in graph.objects(term, prop)
             if isinstance(v, Literal) and v.language == lang]
    assert found, (term, prop, lang)
    return found[0]


@pytest.fixture(scope="module")
def docs(built_app: Flask) -> str:
    return html_of(built_app.test_client(), "/def/")


def test_the_title_is_in_both_languages(docs: str) -> None:
    ontology = URIRef(str(DAKG))
    title = re.search(r"<title>(.*?)</title>", docs, re.S)
    h1 = re.search(r"<h1>(.*?)</h1>", docs, re.S)
    assert title and h1
    for lang in ("en", "zh"):
        wanted = literal(ontology, URIRef("http://purl.org/dc/terms/title"), lang)
        assert wanted in title.group(1) and wanted in h1.group(1)


def test_every_term_is_documented_with_an_anchor_its_iri_and_both_languages_apart(
        docs: str) -> None:
    page = Text(docs)
    for term in TERMS:
        anchor = str(term)[len(str(DAKG)):]
        assert anchor in page.ids, term
        assert f"<code>{term}</code>" in docs, term
        for prop in (RDFS.label, RDFS.comment):
            en, zh = literal(term, prop, "en"), literal(term, prop, "zh")
            assert en in page.text and zh in page.text, (term, prop)
            assert en + zh not in page.text and zh + en not in page.text, (term, prop)


def test_no_two_terms_differ_only_by_case(docs: str) -> None:
    names = [str(t)[len(str(DAKG)):] for t in TERMS]
    assert len({n.casefold() for n in names}) == len(names)
    ids = Text(docs).ids
    assert len({i.casefold() for i in ids}) == len(ids)


def test_the_version_iri_is_shown_as_an_iri_not_as_a_term(docs: str) -> None:
    version = ONTOLOGY.value(URIRef(str(DAKG)), OWL.versionIRI)
    assert version is not None
    assert f"<code>{version}</code>" in docs
    assert f'href="{version}"' not in docs and "dakg:1.0.0" not in docs


def test_a_class_shows_the_shapes_that_target_it(built_client: FlaskClient) -> None:
    page = html_of(built_client, "/def/Document")
    text = Text(page).text
    shapes = sorted(set(SHAPES.subjects(SH.targetClass, DAKG.Document))
                    | set(SHAPES.subjects(SH.targetNode, DAKG.Document)), key=str)
    assert len(shapes) > 3
    for shape in shapes:
        assert str(shape).rsplit("/", 1)[1] in page
        for lang in ("en", "zh"):
            assert literal(shape, SH.message, lang, SHAPES) in text, shape
    assert 'sh:pattern "^' in text  # the symbol's pattern, as Turtle writes it


def path_terms(path: Node) -> set[Node]:
    """The properties a SHACL path uses, however nested."""
    if isinstance(path, URIRef):
        return {path}
    return {t for _, value in SHAPES.predicate_objects(path) if value != RDF.nil
            for t in path_terms(value)}


def test_a_property_shows_every_shape_whose_path_uses_it(built_client: FlaskClient) -> None:
    text = Text(html_of(built_client, "/def/statementOf")).text
    shapes = [s for s, path in SHAPES.subject_objects(SH.path)
              if DAKG.statementOf in path_terms(path)]
    assert len(shapes) > 1  # a single property, an inverse path and a sequence path
    for shape in shapes:
        for lang in ("en", "zh"):
            assert literal(shape, SH.message, lang, SHAPES) in text, shape
    assert "^dakg:statementOf" in text and "dakg:statement/dakg:statementOf" in text


def test_a_term_in_rdf_is_the_whole_ontology(built_client: FlaskClient) -> None:
    response = built_client.get("/def/citesDocument", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    served = Graph().parse(data=response.get_data(as_text=True), format="turtle")
    assert {c for c in served.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)} == \
        {c for c in ONTOLOGY.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)}


# -- Inverse labels ------------------------------------------------------------------------------


def inverse_labels(prop: URIRef) -> dict[str, str]:
    """How the ontology names ``prop`` read backwards, by language: its dakg:inverseLabel, else
    the label of its owl:inverseOf, else (symmetric) its own label."""
    sources: list[tuple[Node, URIRef]] = [(prop, DAKG.inverseLabel)]
    sources += [(i, RDFS.label) for i in (*ONTOLOGY.objects(prop, OWL.inverseOf),
                                          *ONTOLOGY.subjects(OWL.inverseOf, prop))]
    if (prop, RDF.type, OWL.SymmetricProperty) in ONTOLOGY:
        sources.append((prop, RDFS.label))
    for subject, via in sources:
        found = {str(v.language): str(v) for v in ONTOLOGY.objects(subject, via)
                 if isinstance(v, Literal)}
        if found:
            return found
    return {}


def linked_inversely(graphs: list[NamedGraph]) -> dict[URIRef, URIRef]:
    """Each property the data uses to link to a resource with a page of its own (an IRI under
    ``id/`` without a fragment), with the object it links to that has the fewest links in."""
    inbound: dict[URIRef, int] = {}
    objects: dict[URIRef, set[URIRef]] = {}
    for named in graphs:
        for _, p, o in named.graph:
            if isinstance(o, URIRef) and isinstance(p, URIRef) and \
                    str(o).startswith(DEFAULT_BASE + "id/") and "#" not in str(o):
                inbound[o] = inbound.get(o, 0) + 1
                objects.setdefault(p, set()).add(o)
    return {p: min(found, key=lambda o: (inbound[o], str(o))) for p, found in objects.items()}


def test_every_property_linking_to_a_local_resource_has_an_inverse_label(
        graphs: list[NamedGraph]) -> None:
    missing = [p for p in linked_inversely(graphs) if set(inverse_labels(p)) < {"en", "zh"}]
    assert missing == []


def test_pages_name_every_inverse_link_by_its_inverse_label(
        built_client: FlaskClient, graphs: list[NamedGraph]) -> None:
    by_page: dict[URIRef, list[URIRef]] = {}
    for prop, target in linked_inversely(graphs).items():
        by_page.setdefault(target, []).append(prop)
    assert len(by_page) > 10
    for target, props in sorted(by_page.items()):
        page = html_of(built_client, "/" + str(target)[len(DEFAULT_BASE):])
        assert '<span class="is">of</span>' not in page, target
        shown = set(re.findall(r'title="([^"]+) \(read from object to subject\)"', page))
        assert shown, target
        cut = f"Only {INBOUND_CAP} of the" in page  # some of many links: maybe not every property
        for prop in props:
            if cut and str(prop) not in shown:
                continue
            labels = inverse_labels(prop)
            assert str(prop) in shown, (target, prop)
            assert f">{labels['en']}</a>" in page and labels["zh"] in page, (target, prop)


def test_the_documentation_escapes_what_the_ontology_says(tmp_path: Path) -> None:
    """An ontology served with ``serve --data`` is documented too, its texts as text."""
    ontology = tmp_path / "ontology.ttl"
    ontology.write_text(f"""
        @prefix owl: <http://www.w3.org/2002/07/owl#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        <{DAKG}> a owl:Ontology ; <http://purl.org/dc/terms/title> "<script>alert(1)</script>"@en .
        <{DAKG}Thing> a owl:Class ; rdfs:label "<b>thing</b>"@en , "事物"@zh ;
            rdfs:comment "javascript:alert(2)"@en ; rdfs:subClassOf <javascript:alert(3)> .
        """, encoding="utf-8")
    app = make_app(load_files([ontology], tmp_path / "data"))
    try:
        client = app.test_client()
        docs, term = html_of(client, "/def/"), html_of(client, "/def/Thing")
    finally:
        close_app(app)
    for page in (docs, term):
        assert "<script>" not in page and "<b>thing" not in page
        assert 'href="javascript:' not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in docs and "&lt;b&gt;thing&lt;/b&gt;" in term
    assert 'id="Thing"' in docs and "事物" in term
