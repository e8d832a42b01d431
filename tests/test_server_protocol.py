"""``server/protocol.py``: the protocol's dataset parameters on updates (§2.2.3)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from dakg.server.errors import HttpError
from dakg.server.protocol import UpdateRequest, with_using
from dakg.server.sparql_scan import inspect

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
