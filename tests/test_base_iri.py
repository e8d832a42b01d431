"""One base IRI: what reads a build takes it from the build's build.json; a setting that
disagrees is an error that says so."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from rdflib import Graph, URIRef

from dakg.cli import main
from dakg.graph.errors import BuildError
from dakg.graph.store import open_store
from dakg.server.runtime import Runtime
from dakg.settings import Settings

from .conftest import app_over

BASE = "http://localhost:8000/"


def dakg(data_dir: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--data-dir", str(data_dir), *args])


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("local")
    result = dakg(data_dir, "--base-iri", BASE, "build")
    assert result.exit_code == 0, result.output
    return data_dir


def test_export_names_graphs_under_the_builds_base(local: Path) -> None:
    result = dakg(local, "export", "--graph", "reference", "--format", "ntriples")
    assert result.exit_code == 0, result.output
    graph = Graph().parse(data=result.output, format="nt")
    assert (URIRef(f"{BASE}id/recommendation/20"), None, None) in graph
    assert "w3id.org/dakg" not in result.output


def test_the_server_answers_under_the_builds_base(local: Path) -> None:
    app = app_over(Settings(data_dir=local, workers=1, query_workers=1))
    try:
        response = app.test_client().get("/id/recommendation/20",
                                         headers={"Accept": "text/turtle"})
        assert response.status_code == 200
        assert (URIRef(f"{BASE}id/recommendation/20"), None, None) in Graph().parse(
            data=response.get_data(as_text=True), format="turtle")
    finally:
        runtime = app.extensions["dakg"]
        assert isinstance(runtime, Runtime)
        runtime.close()


def test_query_sees_the_builds_prefixes(local: Path) -> None:
    query = "SELECT ?n { id:recommendation\\/20 dakg:recommendationNumber ?n }"
    result = dakg(local, "query", query, "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1:] == ["20"]


def test_a_setting_that_disagrees_is_an_error(local: Path) -> None:
    result = dakg(local, "--base-iri", "https://example.org/dakg/", "export")
    assert result.exit_code == 1
    assert f"was made with the base IRI {BASE}" in result.output
    assert "https://example.org/dakg/" in result.output
    with pytest.raises(BuildError, match="was made with the base IRI"):
        app_over(Settings(data_dir=local, base_iri="https://example.org/dakg/"))
    assert len(open_store(local)) > 0  # the build is untouched
