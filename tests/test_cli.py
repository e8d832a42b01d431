"""The dakg command, through click's runner and, for build and errors, as a real process."""

from __future__ import annotations

import json
import re
from pathlib import Path
from xml.etree import ElementTree

import pyoxigraph as ox
import pytest
from click.testing import CliRunner, Result
from rdflib import Graph

from dakg.cli import main
from dakg.graph.rdf.dataset import shapes_graph
from dakg.graph.source import Source
from dakg.graph.store import current_build, open_store

from .conftest import damage, write_source
from .helpers import run_dakg

XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"


def invoke(built: Path, *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(main, ["--data-dir", str(built), *args], input=input)


def test_build_reports_shape_warnings_but_succeeds(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import dakg.graph.build
    import dakg.graph.report_job

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
    monkeypatch.setattr(dakg.graph.report_job, "shapes_graph", shapes_with_a_warning)
    result = CliRunner().invoke(main, ["--data-dir", str(tmp_path), "build"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    start = lines.index("Conforms: yes (with warnings)")
    assert lines[start + 1] == "45 warning(s)"
    assert lines[start + 2] == ("- [Warning] https://w3id.org/dakg/id/recommendation/1 "
                                "skos:example")


def test_build_then_stats_as_a_process(tmp_path: Path) -> None:
    built = run_dakg("build", data_dir=tmp_path)
    assert built.returncode == 0, built.stderr
    version = current_build(tmp_path).name
    lines = built.stdout.splitlines()
    assert lines[0] == f"built {version} in {tmp_path / 'builds' / version}"
    assert re.fullmatch(r" +[1-9][0-9]* triples in "
                        r"<https://w3id.org/dakg/id/graph/report/CDIP/35/2>", lines[3])
    stats = run_dakg("stats", data_dir=tmp_path).stdout.splitlines()
    assert stats[0].startswith(f"reading the current build {version} ")
    assert "      45  recommendations" in stats
    assert "      10  sections whose heading the export lost" in stats


def test_damaged_source_is_reported_and_nothing_is_written(tmp_path: Path,
                                                           source: Source) -> None:
    manifest = write_source(tmp_path, source, damage(source, "\t建议7*\n", "\t建 议7*\n"))
    result = run_dakg("build", "--source", str(manifest), data_dir=tmp_path / "data")
    assert result.returncode == 1
    assert "report.txt:225:" in result.stderr and "expected a heading" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "data" / "current").exists()
    assert not list((tmp_path / "data").glob(".build-*"))


def test_missing_store_is_a_clear_error(tmp_path: Path) -> None:
    for command in (["stats"], ["query", "ASK {}"], ["export"], ["validate"]):
        result = run_dakg(*command, data_dir=tmp_path)
        assert result.returncode == 1, command
        assert result.stderr == f"Error: no store in {tmp_path}: run 'dakg build' first\n"


NUMBERS = ("SELECT ?n WHERE { ?r <https://w3id.org/dakg/def/recommendationNumber> ?n } "
           "ORDER BY ?n LIMIT 3")


@pytest.mark.parametrize(("fmt", "lines"), [
    ("table", ["n", "-", "1", "2", "3", "(3 rows)"]),
    ("csv", ["n", "1", "2", "3"]),
    ("tsv", ["?n", "1", "2", "3"]),
])
def test_query_text_formats(built: Path, fmt: str, lines: list[str]) -> None:
    result = invoke(built, "query", NUMBERS, "--format", fmt)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == lines
    if fmt == "csv":
        assert result.stdout_bytes == b"n\r\n1\r\n2\r\n3\r\n"  # RFC 4180 line ends


def test_query_json(built: Path) -> None:
    result = invoke(built, "query", NUMBERS, "--format", "json")
    bindings = json.loads(result.output)["results"]["bindings"]
    assert [b["n"] for b in bindings] == [
        {"type": "literal", "datatype": XSD_INTEGER, "value": str(n)} for n in (1, 2, 3)]


def test_query_xml(built: Path) -> None:
    result = invoke(built, "query", NUMBERS, "--format", "xml")
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    root = ElementTree.fromstring(result.output)
    literals = root.findall("r:results/r:result/r:binding[@name='n']/r:literal", ns)
    assert [(e.text, e.get("datatype")) for e in literals] == [
        (str(n), XSD_INTEGER) for n in (1, 2, 3)]


def test_query_from_a_file_and_a_graph_result(built: Path, tmp_path: Path) -> None:
    (tmp_path / "q.rq").write_text("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH "
                                   "<https://w3id.org/dakg/id/graph/reference> { ?s ?p ?o } }")
    result = invoke(built, "query", "--file", str(tmp_path / "q.rq"))
    assert len(Graph().parse(data=result.output, format="turtle")) == _reference_size(built)


@pytest.mark.parametrize(("args", "status", "error"), [
    (["query", "SELEC nothing"], 1,
     "Error: the query is not valid SPARQL: line 1, column 1: SELEC is not a SPARQL keyword"),
    (["query", "ASK {}", "--format", "yaml"], 2, "Error: Invalid value for '--format'"),
    (["export", "--format", "yaml"], 2, "Error: Invalid value for '--format'"),
    (["export", "--graph", "nowhere"], 1,
     "Error: no graph <https://w3id.org/dakg/id/graph/nowhere> in the store; it has: "),
    (["query"], 2, "Error: no query given: write it as an argument (dakg query 'SELECT …') or "
                   "in a file (--file q.rq, '-' for standard input)"),
    (["query", "ASK {}", "--file", "-"], 2,
     "Error: give the query as an argument or with --file, not both"),
    (["query", "SELECT * { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }"], 1,
     "Error: the query failed"),
    (["build", "--source", "README.md"], 2,
     "Error: README.md is not a source manifest: --source takes a .toml file that names the "
     "report's text and describes it (symbol, language, file, sha256, committee, session, "
     "origin), like graph/sources/cdip_35_2_zh.toml"),
    (["serve", "README.md"], 2, "Error: files are given after --data: --data FILE…"),
    (["serve", "--data", "README.md", "no.ttl"], 2,
     "Error: Invalid value for '--data': File 'no.ttl' does not exist."),
])
def test_clear_errors(built: Path, args: list[str], status: int, error: str) -> None:
    result = invoke(built, *args, input="ASK {}")
    assert result.exit_code == status
    assert result.output.splitlines()[-1].startswith(error), result.output


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
    build = current_build(built)
    assert result.stderr.startswith(f"reading the current build {build.name} ({build}), built ")
    assert result.stdout == "Conforms: the graph satisfies every shape.\n"


def test_validate_a_file_with_a_violation(built: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("<https://w3id.org/dakg/id/recommendation/99> a "
                   "<https://w3id.org/dakg/def/Recommendation> .\n")
    result = invoke(built, "validate", "--data", str(bad))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "Conforms: no"
    heads = [line for line in lines if line.startswith("- [")]
    rec = "- [Violation] https://w3id.org/dakg/id/recommendation/99"
    own = [h for h in heads if h.startswith(rec)]
    assert len(own) == len(set(own))  # one result per node and path (inScheme was twice)
    # Paths as SPARQL writes them, never a blank node's id.
    assert f"{rec} skos:inScheme" in heads and f"{rec} ^dakg:statementOf" in heads
    assert not [line for line in lines if re.search(r"\b_?:?n[0-9a-f]{20,}", line)]
    # What the file holds first; then the checks on the whole dataset, said to be such.
    whole = lines.index("About the whole dataset (their node is not in the data validated: "
                        "checks that count across the dataset see only the part given):")
    assert all(h.startswith(rec) for h in heads if lines.index(h) < whole)
    scheme = "- [Violation] https://w3id.org/dakg/id/scheme/development-agenda"
    after = [h for h in heads if lines.index(h) > whole]
    assert after and all(h.startswith(scheme) for h in after)
    assert f"{scheme} skos:hasTopConcept/skos:notation" in after


def test_serve_takes_several_files_and_names_a_broken_one(built: Path, tmp_path: Path) -> None:
    good, broken = tmp_path / "good.nt", tmp_path / "broken.ttl"
    good.write_text("<http://e/a> <http://e/b> <http://e/c> .\n")
    broken.write_text("@prefix e: <http://e/> .\ne:a e:b e:c .\ne:a e:b \"open .\n")
    result = invoke(built, "serve", "--data", str(good), str(broken))
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {broken}: not valid Turtle: Parser error ")
    assert "line 3" in result.output


def test_serve_data_takes_several_files(built: Path, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import dakg.server.serve
    from dakg.server.dataset import LinkedDataset
    from dakg.settings import Settings

    served: list[LinkedDataset] = []

    def serve(settings: Settings, *, dataset: LinkedDataset | None = None) -> None:
        assert dataset is not None
        served.append(dataset)

    monkeypatch.setattr(dakg.server.serve, "serve", serve)
    files = [tmp_path / "a.ttl", tmp_path / "b.nt", tmp_path / "c.nt"]
    for number, path in enumerate(files):
        path.write_text(f"<http://e/s{number}> <http://e/p> <http://e/o> .\n")
    result = invoke(tmp_path / "data", "serve", "--data", str(files[0]), str(files[1]),
                    "--data", str(files[2]))
    assert result.exit_code == 0, result.output
    store = ox.Store.read_only(served[0].current().store)
    assert sorted(str(g.value) for g in store.named_graphs()) == sorted(
        f"https://w3id.org/dakg/id/graph/data/{f.name}" for f in files)  # no local path


def test_settings_say_what_an_unset_setting_means(built: Path) -> None:
    from dakg.graph.reference import bundled_reference_path
    from dakg.graph.source import bundled_manifests
    from dakg.settings import describe

    lines = invoke(built, "settings").output.splitlines()
    assert len(lines) == 2 * len(describe())
    for (name, env, _default, help_text), (value, doc) in zip(
            describe(), zip(lines[::2], lines[1::2], strict=True), strict=True):
        assert value.startswith(f"{name} = ") and doc == f"    {env}: {help_text}"
        assert "None" not in value and "()" not in value
    assert f"source = (not set: the vendored CDIP/35/2, {bundled_manifests()[0]})" in lines
    assert (f"reference = (not set: the curated data shipped with dakg, "
            f"{bundled_reference_path()})") in lines
    assert "write_token = (not set: the server is read-only)" in lines
    assert "service_allowlist = (empty: SERVICE and LOAD may fetch from nowhere)" in lines
    assert f"data_dir = {built}" in lines
