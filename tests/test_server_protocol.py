"""``server/protocol.py``: the protocol's dataset parameters on updates (§2.2.3)."""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from dakg.server.errors import HttpError
from dakg.server.protocol import UpdateRequest, with_using
from dakg.server.sparql_scan import inspect

from .conftest import close_app, make_app
from .helpers import DATA, json_of

G1, G2, N = "http://example.org/g1", "http://example.org/g2", "http://example.org/n"


def rewritten(update: str, using: tuple[str, ...] = (G1,), named: tuple[str, ...] = ()) -> str:
    text = with_using(UpdateRequest(update, using, named), inspect(update, update=True).tokens)
    ox.Store().update(text)  # still SPARQL
    return text


def test_using_goes_before_the_where_of_each_operation() -> None:
    update = ("INSERT { ?s a <http://e/C> } WHERE { ?s ?p ?o } ;\n"
              "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o FILTER NOT EXISTS { SELECT * WHERE { ?s ?p "
              "?o } } }")
    assert rewritten(update, (G1, G2), (N,)) == update.replace(
        "WHERE { ?s ?p ?o } ;", f"USING <{G1}> USING <{G2}> USING NAMED <{N}> "
                                "WHERE { ?s ?p ?o } ;").replace(
        "} WHERE { ?s ?p ?o FILTER", f"}} USING <{G1}> USING <{G2}> USING NAMED <{N}> "
                                     "WHERE { ?s ?p ?o FILTER")


def test_delete_where_is_written_out_to_take_using() -> None:
    assert rewritten("DELETE WHERE { ?s <http://e/p> ?o }") == (
        f"DELETE {{ ?s <http://e/p> ?o }} USING <{G1}> WHERE {{ ?s <http://e/p> ?o }}")


def test_operations_without_a_where_are_left_alone() -> None:
    update = "INSERT DATA { <http://e/a> <http://e/b> <http://e/c> } ; CLEAR ALL"
    assert rewritten(update) == update
    assert rewritten(update, (), ()) == update


@pytest.mark.parametrize("update", [
    f"WITH <{G2}> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}",
    f"DELETE {{ ?s ?p ?o }} USING <{G2}> WHERE {{ ?s ?p ?o }}",
])
def test_the_dataset_given_twice_is_400(update: str) -> None:
    with pytest.raises(HttpError) as refused:
        rewritten(update)
    assert refused.value.status == 400
    assert rewritten(update, (), ()) == update  # without the parameters, the update is fine


# -- through the app: updates with a token ----------------------------------------------------

TOKEN = "protocol-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def writable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlaskClient]:
    from dakg.server.dataset import load_files

    dataset = load_files([DATA / "small.trig"], tmp_path_factory.mktemp("protocol"))
    app = make_app(dataset, write_token=TOKEN)
    yield app.test_client()
    close_app(app)


def update(client: FlaskClient, text: str, **params: str) -> TestResponse:
    return client.post("/update", query_string=params, data=text.encode(), headers=AUTH,
                       content_type="application/sparql-update")


def ask(client: FlaskClient, text: str) -> bool:
    response = client.get("/sparql", query_string={"query": text})
    assert response.status_code == 200, response.data
    return bool(json_of(response)["boolean"])


def test_delete_where_with_using_graph_uri_reads_only_that_graph(writable: FlaskClient) -> None:
    setup = update(writable, f"INSERT DATA {{ GRAPH <{G1}> {{ <http://e/a> <http://e/p> 1 }} "
                             f"GRAPH <{G2}> {{ <http://e/b> <http://e/p> 2 }} }}")
    assert setup.status_code == 204
    # USING reads G1 only, and the template deletes from the store's default graph: nothing
    # of G1 or G2 goes, and a pattern that only G2 matches finds nothing.
    assert update(writable, "DELETE WHERE { <http://e/b> <http://e/p> ?o }",
                  **{"using-graph-uri": G1}).status_code == 204
    assert ask(writable, f"ASK {{ GRAPH <{G2}> {{ <http://e/b> <http://e/p> 2 }} }}")
    copied = update(writable, f"INSERT {{ GRAPH <{N}> {{ ?s <http://e/copied> ?o }} }} "
                              "WHERE { ?s <http://e/p> ?o }", **{"using-graph-uri": G2})
    assert copied.status_code == 204
    assert ask(writable, f"ASK {{ GRAPH <{N}> {{ <http://e/b> <http://e/copied> 2 }} }}")
    assert not ask(writable, f"ASK {{ GRAPH <{N}> {{ <http://e/a> ?p ?o }} }}")


def test_an_update_resolves_relative_iris_and_knows_the_prefixes(writable: FlaskClient) -> None:
    response = writable.post("/update", data="INSERT DATA { GRAPH <http://e/g> { <x> "
                                             "a dakg:Thing } }", headers=AUTH,
                             content_type="application/sparql-update",
                             base_url="http://dakg.example")
    assert response.status_code == 204
    assert ask(writable, "ASK { GRAPH <http://e/g> { <http://dakg.example/x> a "
                         "<https://w3id.org/dakg/def/Thing> } }")


@pytest.mark.parametrize(("text", "message"), [
    ("INSERT DATA { <http://e/a> <http://e/b> }", "line 1, column 41, at '}'"),
    ("CLEAR XYZ", "line 1, column 7: XYZ is not a SPARQL keyword"),
    ("INSERT DATA {\n <http://e/a> nope:b 1 }", "line 2, column 15: the prefix nope: is not "
                                               "declared"),
])
def test_an_update_syntax_error_says_where(writable: FlaskClient, text: str,
                                           message: str) -> None:
    response = update(writable, text)
    assert response.status_code == 400
    said = response.get_data(as_text=True)
    assert "the update is not valid SPARQL: " + message in said, said
    assert "expected one of" not in said
