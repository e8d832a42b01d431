"""The build's SHACL report: kept beside build.json, served at /validation as HTML and RDF; and a
negative text offset (Oxigraph stores offsets as xsd:integer, so the shapes check what
xsd:nonNegativeInteger would have promised) fails the build."""

from __future__ import annotations

import dataclasses
import html
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Node

import dakg.graph.rdf.dataset as dataset_module
from dakg.graph.build import Extraction, build, map_extraction
from dakg.graph.errors import ValidationFailed
from dakg.graph.rdf import iris
from dakg.graph.rdf.dataset import MappedReport, NamedGraph, shapes_graph, union
from dakg.graph.rdf.namespaces import DAKG, DEFAULT_BASE, OA
from dakg.graph.store import MANIFEST, STORE
from dakg.graph.validate import validate
from dakg.graph.validation_report import REPORT_FILE, checked, keep_report
from dakg.server.dataset import LinkedDataset

from .conftest import close_app, make_app

POSITION = iris.fragment(iris.part(iris.part(iris.document("CDIP/35/2"), "section", 1),
                                   "highlight", 1), "position")


def saved(folder: Path) -> Graph:
    return Graph().parse(folder / REPORT_FILE, format="turtle")


def report_node(report: Graph) -> Node:
    node = report.value(None, RDF.type, SH.ValidationReport, any=False)
    assert node is not None
    return node


def test_the_build_keeps_its_report_beside_build_json(built: Path,
                                                      graphs: list[NamedGraph]) -> None:
    folder = (built / "current").resolve()
    assert (folder / MANIFEST).is_file()
    report = saved(folder)
    node = report_node(report)
    assert report.value(node, SH.conforms) == Literal(True)
    assert list(report.objects(node, SH.result)) == []
    shapes = shapes_graph()
    named = {s for kind in (SH.NodeShape, SH.PropertyShape)
             for s in shapes.subjects(RDF.type, kind)}
    applied = int(str(report.value(node, DAKG.shapesApplied)))
    assert applied >= len(named)
    data = union(graphs)
    targeted = {s for c in shapes.objects(None, SH.targetClass)
                for s in data.subjects(RDF.type, c)}
    focus = int(str(report.value(node, DAKG.focusNodesChecked)))
    assert len(targeted) <= focus <= len(set(data.subjects()) | set(data.objects()))


@pytest.fixture()
def client(built_app: Flask) -> FlaskClient:
    return built_app.test_client()


def test_the_page_says_the_data_conforms_and_what_was_checked(client: FlaskClient,
                                                              built: Path) -> None:
    response = client.get("/validation", headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    node = report_node(report := saved((built / "current").resolve()))
    assert "The data conforms" in page
    for prop in (DAKG.shapesApplied, DAKG.focusNodesChecked):
        assert f"{int(str(report.value(node, prop))):,}" in page
    assert 'href="/validation.ttl"' in page
    assert 'href="/validation"' in client.get("/", headers={"Accept": "text/html"}).get_data(
        as_text=True)


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
@pytest.mark.parametrize(("accept", "parser"), [("text/turtle", "turtle"),
                                                ("application/ld+json", "json-ld"),
                                                ("application/n-triples", "nt")])
def test_the_report_as_rdf_is_the_saved_one(client: FlaskClient, built: Path, accept: str,
                                            parser: str) -> None:
    response = client.get("/validation", headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == accept
    assert "Accept" in response.headers["Vary"]
    served = Graph().parse(data=response.get_data(as_text=True), format=parser)
    assert isomorphic(served, saved((built / "current").resolve()))
    by_extension = client.get("/validation.ttl")
    assert isomorphic(Graph().parse(data=by_extension.get_data(as_text=True), format="turtle"),
                      served)


def test_void_links_the_report_as_quality_metadata(client: FlaskClient) -> None:
    void = Graph().parse(data=client.get("/.well-known/void", headers={
        "Accept": "text/turtle"}).get_data(as_text=True), format="turtle")
    dqv = URIRef("http://www.w3.org/ns/dqv#hasQualityMetadata")
    assert [str(o) for o in void.objects(None, dqv)] == ["http://localhost/validation"]


def test_an_unknown_extension_is_404(client: FlaskClient) -> None:
    assert client.get("/validation.xyz").status_code == 404


# -- A damaged graph: a negative offset ----------------------------------------------------------


@pytest.fixture(scope="module")
def damaged(extraction: Extraction) -> list[NamedGraph]:
    """The report's graphs with one text position starting at -1."""
    graphs = map_extraction(extraction)
    holder = next(g.graph for g in graphs if (POSITION, OA.start, None) in g.graph)
    holder.set((POSITION, OA.start, Literal(-1, datatype=XSD.integer)))
    return graphs


def test_a_negative_offset_fails_the_build(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    mapped = dataset_module.map_report

    def damaged_report(*args: Any) -> MappedReport:
        report = mapped(*args)
        start = (POSITION, OA.start)
        own = [(s, p, Literal(-1, datatype=XSD.integer) if (s, p) == start else o)
               for s, p, o in report.own]
        return dataclasses.replace(report, own=own)

    monkeypatch.setattr(dataset_module, "map_report", damaged_report)
    with pytest.raises(ValidationFailed) as failed:
        build(tmp_path)
    assert "TextPositionSelectorShape-start" in failed.value.report
    assert str(POSITION) in failed.value.report
    assert not (tmp_path / "current").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name != ".lock"] in ([], ["builds"])


@pytest.fixture(scope="module")
def damaged_app(built: Path, damaged: list[NamedGraph],
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """An app over a copy of the real build whose saved report is that of the damaged graphs
    (a build would refuse them: this is how a report with results reads)."""
    data_dir = tmp_path_factory.mktemp("damaged-report")
    source = (built / "current").resolve()
    folder = data_dir / "builds" / source.name
    folder.mkdir(parents=True)
    shutil.copytree(source / STORE, folder / STORE)
    shutil.copy(source / MANIFEST, folder / MANIFEST)
    os.symlink(Path("builds") / source.name, data_dir / "current")
    data, shapes = union(damaged), shapes_graph()
    keep_report(folder, validate(data, shapes), checked(data, shapes), DEFAULT_BASE)
    app = make_app(LinkedDataset(data_dir))
    yield app
    close_app(app)


def test_each_result_shows_its_focus_node_linked_path_message_and_severity(
        damaged_app: Flask) -> None:
    page = damaged_app.test_client().get("/validation", headers={"Accept": "text/html"})
    markup = page.get_data(as_text=True)
    text = html.unescape(markup)
    assert "The data does not conform" in text
    report = saved(Path(damaged_app.extensions["dakg"].dataset.current().store).parent)
    results = list(report.objects(report_node(report), SH.result))
    assert results
    for result in results:
        focus = report.value(result, SH.focusNode)
        assert isinstance(focus, URIRef)
        local = str(focus).startswith(DEFAULT_BASE)
        href = "/" + str(focus)[len(DEFAULT_BASE):] if local else str(focus)
        assert f'href="{href}"' in markup, focus
        for message in report.objects(result, SH.resultMessage):
            assert str(message) in text
        assert str(report.value(result, SH.resultSeverity)).rsplit("#")[-1] in text
    assert "<code>oa:start</code>" in markup
