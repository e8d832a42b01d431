"""The dakg command, through click's runner and, for build and errors, as a real process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Graph

from dakg.cli import main
from dakg.graph.rdf.dataset import shapes_graph
from dakg.graph.source import Source
from dakg.graph.store import open_store

from .conftest import damage, write_source

DAKG = str(Path(sys.executable).parent / "dakg")


def run(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([DAKG, "--data-dir", str(data_dir), *args], capture_output=True,
                          text=True, timeout=120)


def invoke(built: Path, *args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, ["--data-dir", str(built), *args], input=input)


def test_build_reports_shape_warnings_but_succeeds(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import dakg.graph.build

    def shapes_with_a_warning() -> Graph:
        shapes = shapes_graph()
        shapes.parse(format="turtle", data="""
            @prefix sh: <http://www.w3.org/ns/shacl#> .
            @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
            <urn:test:wants-an-example> a sh:NodeShape ;
                sh:targetClass <https://w3id.org/dakg/def/Recommendation> ;
                sh:property [ sh:path skos:example ; sh:minCount 1 ;
                              sh:severity sh:Warning ] .""")
        return shapes

    monkeypatch.setattr(dakg.graph.build, "shapes_graph", shapes_with_a_warning)
    result = CliRunner().invoke(main, ["--data-dir", str(tmp_path), "build"])
    assert result.exit_code == 0, result.output
    assert "Conforms: yes (with warnings)" in result.output
    assert "45 warning(s)" in result.output


def test_build_then_stats_as_a_process(tmp_path: Path) -> None:
    built = run("build", data_dir=tmp_path)
    assert built.returncode == 0, built.stderr
    assert "triples in <https://w3id.org/dakg/id/graph/report/CDIP/35/2>" in built.stdout
    stats = run("stats", data_dir=tmp_path)
    assert "      45  recommendations" in stats.stdout
    assert "      10  sections whose heading the export lost" in stats.stdout


def test_damaged_source_is_reported_and_nothing_is_written(tmp_path: Path,
                                                           source: Source) -> None:
    manifest = write_source(tmp_path, source, damage(source, "\t建议7*\n", "\t建 议7*\n"))
    result = run("build", "--source", str(manifest), data_dir=tmp_path / "data")
    assert result.returncode == 1
    assert "report.txt:225:" in result.stderr and "expected a heading" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "data" / "current").exists()
    assert not list((tmp_path / "data").glob(".build-*"))


def test_missing_store_is_a_clear_error(tmp_path: Path) -> None:
    for command in (["stats"], ["query", "ASK {}"], ["export"], ["validate"]):
        result = run(*command, data_dir=tmp_path)
        assert result.returncode == 1, command
        assert "no store in" in result.stderr and "run 'dakg build' first" in result.stderr


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json", "xml"])
def test_query_formats(built: Path, fmt: str) -> None:
    query = ("SELECT ?n WHERE { ?r <https://w3id.org/dakg/def/recommendationNumber> ?n } "
             "ORDER BY ?n LIMIT 3")
    result = invoke(built, "query", query, "--format", fmt)
    assert result.exit_code == 0, result.output
    if fmt == "json":
        assert [b["n"]["value"] for b in json.loads(result.output)["results"]["bindings"]] == [
            "1", "2", "3"]
    elif fmt == "table":
        assert result.output.splitlines()[-1] == "(3 rows)"
    else:
        assert "3" in result.output


def test_query_from_a_file_and_a_graph_result(built: Path, tmp_path: Path) -> None:
    (tmp_path / "q.rq").write_text("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH "
                                   "<https://w3id.org/dakg/id/graph/reference> { ?s ?p ?o } }")
    result = invoke(built, "query", "--file", str(tmp_path / "q.rq"))
    assert len(Graph().parse(data=result.output, format="turtle")) == _reference_size(built)


@pytest.mark.parametrize(("args", "words"), [
    (["query", "SELEC nothing"], "not valid SPARQL"),
    (["query", "ASK {}", "--format", "yaml"], "Invalid value for '--format'"),
    (["export", "--format", "yaml"], "Invalid value for '--format'"),
    (["export", "--graph", "nowhere"], "no graph <https://w3id.org/dakg/id/graph/nowhere>"),
    (["query"], "give the query as an argument or with --file"),
    (["query", "SELECT * { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }"], "the query failed"),
])
def test_clear_errors(built: Path, args: list[str], words: str) -> None:
    result = invoke(built, *args)
    assert result.exit_code != 0
    assert words in result.output


def test_export_one_graph(built: Path, tmp_path: Path) -> None:
    out = tmp_path / "reference.nt"
    result = invoke(built, "export", "--graph", "reference", "--format", "ntriples", "-o",
                    str(out))
    assert result.exit_code == 0
    assert len(Graph().parse(out, format="nt")) == _reference_size(built)


def _reference_size(built: Path) -> int:
    reference = ox.NamedNode("https://w3id.org/dakg/id/graph/reference")
    size = len(list(open_store(built).quads_for_pattern(None, None, None, reference)))
    assert size > 800  # the whole curated graph, not some fragment of it
    return size


def test_validate_the_store(built: Path) -> None:
    result = invoke(built, "validate")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Conforms")


def test_validate_a_file_with_a_violation(built: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("<https://w3id.org/dakg/id/recommendation/99> a "
                   "<https://w3id.org/dakg/def/Recommendation> .\n")
    result = invoke(built, "validate", "--data", str(bad))
    assert result.exit_code == 1
    assert "Violation" in result.output


def test_settings_lists_every_setting(built: Path) -> None:
    from dakg.settings import describe

    result = invoke(built, "settings")
    for name, env, _default, _help in describe():
        assert f"{name} = " in result.output and env in result.output
