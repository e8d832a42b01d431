"""The tokeniser that reads requests before the engine (dakg.server.sparql_scan)."""

from __future__ import annotations

import pytest

from dakg.server.sparql_scan import MAX_DEPTH, Refused, check_fetches, inspect

from .helpers import refused_requests


@pytest.mark.parametrize(("name", "query"), refused_requests(), ids=lambda v: v[:40])
def test_fetching_requests_are_refused(name: str, query: str) -> None:
    with pytest.raises(Refused):
        check_fetches(inspect(query), [])


@pytest.mark.parametrize("query", [
    'SELECT * WHERE { ?s ?p "SERVICE <http://127.0.0.1:9999/>" }',
    "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://127.0.0.1:9999/>",
    "SELECT * WHERE { ?s <http://example.org/SERVICE> ?service }",
    "SELECT * WHERE { ?s ?p '''LOAD <http://127.0.0.1:9999/x>\nSERVICE''' }",
], ids=["in a string", "in a comment", "in an IRI and a variable", "in a long string"])
def test_the_words_elsewhere_are_not_keywords(query: str) -> None:
    inspection = inspect(query)
    assert inspection.fetches == ()
    check_fetches(inspection, [])


def test_allowlisted_endpoint_passes() -> None:
    inspection = inspect("SELECT * { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }")
    check_fetches(inspection, ["https://query.wikidata.org/"])
    with pytest.raises(Refused):
        check_fetches(inspection, ["https://example.org/"])


def test_load_in_an_update() -> None:
    with pytest.raises(Refused, match=r"does not fetch from <http://127\.0\.0\.1:9999/x\.ttl>"):
        check_fetches(inspect("LOAD SILENT <http://127.0.0.1:9999/x.ttl> INTO GRAPH <g:1>",
                              update=True), [])


def test_deep_nesting_is_refused_before_the_engine() -> None:
    for opener, closer in (("{", "}"), ("(", ")")):
        deep = "SELECT * WHERE { " + opener * 3000 + closer * 3000 + " }"
        with pytest.raises(Refused, match=r"nested 3001 levels"):
            inspect(deep)
    inspect("SELECT * WHERE " + "{" * MAX_DEPTH + "}" * MAX_DEPTH)


def test_escapes_are_read_where_the_engine_reads_them() -> None:
    query = r'SELECT ?x WHERE { BIND("a\u0022b" AS ?x) ?s <http://e/\u00e9> ?o }'
    inspection = inspect(query)
    assert inspection.text == query and inspection.form == "SELECT"  # sent as written
    with pytest.raises(Refused, match="code-point escape outside a string or IRI"):
        inspect(r"\u0053ELECT * WHERE { ?s ?p ?o }")


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { BIND(" + "!" * 2000 + "true AS ?x) }",
    "SELECT * WHERE { BIND(" + "+".join(["1"] * 2000) + " AS ?x) }",
    "SELECT * WHERE { {} " + " UNION {}" * 2000 + " }",
    "SELECT * WHERE { " + " OPTIONAL {}" * 2000 + " }",
    "SELECT * WHERE { " + " . ".join(f"?s{i} <http://p> ?o{i}" for i in range(2000)) + " }",
], ids=["unary chain", "binary chain", "UNION chain", "OPTIONAL chain", "huge pattern"])
def test_long_chains_are_refused_before_the_engine(query: str) -> None:
    # The engine crashes on each of these at about 8,000 (tests/test_server_limits.py runs
    # them against the server); refusing at 1,000 leaves a wide margin.
    with pytest.raises(Refused, match="chains"):
        inspect(query)


@pytest.mark.parametrize("query", ['SELECT * { ?s ?p "open }', "SELECT * { ?s ?p ?o } `",
                                   r"SELECT * { ?s ?p ?o } \x"])
def test_unreadable_requests_fail_closed(query: str) -> None:
    with pytest.raises(Refused, match="cannot read"):
        inspect(query)


@pytest.mark.parametrize(("query", "form", "dataset"), [
    ("PREFIX ex: <http://e/> SELECT ?s WHERE { ?s ?p ?o }", "SELECT", False),
    ("ASK { ?s ?p ?o }", "ASK", False),
    ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT", False),
    ("describe <http://e/x>", "DESCRIBE", False),
    ("SELECT * FROM NAMED <http://e/g> { GRAPH ?g { ?s ?p ?o } }", "SELECT", True),
])
def test_query_form_and_dataset_clause(query: str, form: str, dataset: bool) -> None:
    inspection = inspect(query)
    assert (inspection.form, inspection.dataset_clause) == (form, dataset)
