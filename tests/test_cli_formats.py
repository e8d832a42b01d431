"""The formats of ``dakg query`` and ``dakg validate --data``, from the one formats module."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner, Result

from dakg.cli import main
from dakg.formats import RDF_FORMATS
from dakg.graph.store import open_store

REC = "https://w3id.org/dakg/id/recommendation/20"
CONSTRUCT = f"CONSTRUCT {{ <{REC}> ?p ?o }} WHERE {{ <{REC}> ?p ?o }}"


def invoke(built: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--data-dir", str(built), *args])


def described(built: Path) -> set[ox.Triple]:
    answer = open_store(built).query(CONSTRUCT, use_default_graph_as_union=True)
    assert isinstance(answer, ox.QueryTriples)
    return set(answer)


@pytest.mark.parametrize("fmt", [f.name for f in RDF_FORMATS])
def test_a_graph_result_in_every_rdf_format(built: Path, fmt: str) -> None:
    result = invoke(built, "query", CONSTRUCT, "--format", fmt)
    assert result.exit_code == 0, result.output
    rdf = next(f for f in RDF_FORMATS if f.name == fmt).rdf
    written = {q.triple for q in ox.parse(result.stdout_bytes, format=rdf)}
    assert written == described(built) and len(written) > 10


@pytest.mark.parametrize(("query", "fmt", "offered"), [
    (CONSTRUCT, "csv", "turtle, ntriples, rdfxml, nquads, trig, jsonld"),
    ("ASK {}", "turtle", "table, json, xml, csv, tsv"),
])
def test_a_format_that_cannot_hold_the_result_lists_those_that_can(
        built: Path, query: str, fmt: str, offered: str) -> None:
    result = invoke(built, "query", query, "--format", fmt)
    assert result.exit_code == 1
    assert f"can be written as {offered}, not {fmt}" in result.output


@pytest.mark.parametrize("fmt", ["table", "json", "xml", "csv", "tsv"])
def test_every_solution_format_ends_its_output_with_a_newline(built: Path, fmt: str) -> None:
    result = invoke(built, "query", "SELECT ?r WHERE { ?r a dakg:Recommendation } LIMIT 2",
                    "--format", fmt)
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.endswith(b"\n") and not result.stdout_bytes.endswith(b"\n\n")


def test_help_says_which_formats_go_with_which_form(built: Path) -> None:
    text = " ".join(invoke(built, "query", "--help").output.split())
    assert "table, json, xml, csv, tsv for SELECT and ASK" in text
    assert "turtle, ntriples, rdfxml, nquads, trig, jsonld for CONSTRUCT and DESCRIBE" in text


@pytest.mark.parametrize("extension", [*(f.extension for f in RDF_FORMATS), "nquads",
                                       "ntriples"])
def test_validate_reads_every_format_the_export_writes(built: Path, tmp_path: Path,
                                                       extension: str) -> None:
    fmt = next(f for f in RDF_FORMATS if extension in (f.extension, f.name))
    path = tmp_path / f"data.{extension}"
    ox.serialize([ox.Quad(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/b"),
                          ox.Literal("c"))], str(path), format=fmt.rdf)
    result = invoke(built, "validate", "--data", str(path))
    # Read and validated (dataset-wide shapes find the report missing: that is for SHACL).
    assert result.output.startswith("Conforms"), result.output


def test_validate_refuses_an_extension_it_does_not_know(built: Path, tmp_path: Path) -> None:
    data = tmp_path / "data.txt"
    data.write_text("<http://e/a> <http://e/b> <http://e/c> .\n")
    result = invoke(built, "validate", "--data", str(data))
    assert result.exit_code == 1
    assert "cannot tell the RDF format from the extension '.txt'" in result.output
    assert ".ttl" in result.output and ".nquads" in result.output


def test_an_undeclared_prefix_is_named_even_in_an_expression(built: Path) -> None:
    result = invoke(built, "query", "SELECT ?x {\n  BIND(skso:notation AS ?x) }")
    assert result.exit_code == 1
    assert "line 2, column 8: the prefix skso: is not declared" in result.output
    assert invoke(built, "query", "SELECT ?x { BIND(skos:notation AS ?x) }").exit_code == 0
