"""How an update is passed on to a SPARQL server (``server/remote_writes.py``): the graphs it
writes and drops, the dataset's default graph as ``urn:dakg:default``, what is refused.
Against real servers: ``tests/test_stores.py``."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from dakg.server.errors import HttpError
from dakg.server.remote_writes import (
    dropped_as_the_embedded_store_does,
    into_own_default,
    targets,
)
from dakg.server.sparql_scan import inspect

PREFIXES = {"ex": "http://example.org/"}


@pytest.mark.parametrize(("update", "added", "dropped"), [
    ("INSERT DATA { GRAPH ex:a { <s:1> <p:1> 1 } }", ["http://example.org/a"], []),
    ("INSERT { GRAPH <g:a> { ?s a <c:C> } } WHERE { GRAPH <g:read> { ?s ?p ?o } }",
     ["g:a"], []),
    ("WITH <g:a> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", ["g:a"], []),
    ("DROP SILENT GRAPH <g:a> ; CREATE GRAPH <g:b>", ["g:b"], ["g:a"]),
    ("MOVE <g:a> TO GRAPH <g:b> ; COPY <g:c> TO <g:d> ; ADD SILENT <g:e> TO <g:f>",
     ["g:b", "g:d", "g:f"], ["g:a"]),
    ("LOAD <http://x/data.ttl> INTO GRAPH <g:a> ; CLEAR GRAPH <g:b>", ["g:a"], []),
    ("INSERT { GRAPH ?g { ?s ?p ?o } } USING NAMED <g:a> WHERE { GRAPH ?g { ?s ?p ?o } }",
     [], []),
])
def test_the_graphs_an_update_writes_and_drops(update: str, added: list[str],
                                               dropped: list[str]) -> None:
    found = targets(inspect(update, update=True).tokens, PREFIXES)
    assert (found.added, found.dropped) == (added, dropped)


@pytest.mark.parametrize("update", [
    "DROP ALL", "CLEAR SILENT NAMED", "DROP DEFAULT", "ADD DEFAULT TO <g:a>",
    "MOVE <g:a> TO DEFAULT", "INSERT DATA { GRAPH <urn:dakg:served> { <s:1> <p:1> 1 } }",
    "DROP GRAPH <urn:dakg:staging:x:0>",
])
def test_what_would_reach_the_servers_own_graphs_is_refused(update: str) -> None:
    with pytest.raises(HttpError) as refused:
        targets(inspect(update, update=True).tokens, PREFIXES)
    assert refused.value.status == 400


def test_default_graph_triples_go_to_its_own_graph() -> None:
    update = ("INSERT DATA { <s:1> <p:1> 1 . GRAPH <g:a> { <s:2> <p:2> 2 } <s:3> <p:3> 3 } ; "
              "DELETE { ?s <p:1> ?o } INSERT { GRAPH <g:a> { ?s <p:9> ?o } } WHERE { ?s <p:1> "
              "?o } ; INSERT { GRAPH <g:a> { ?s <p:8> 1 } } WHERE { ?s ?p ?o }")
    written, writes = into_own_default(update, inspect(update, update=True).tokens)
    assert writes
    assert written.count("WITH <urn:dakg:default>") == 1  # the last names every graph
    store = ox.Store()
    store.update(written)  # on a store whose default graph is as empty as a server's is
    quads = {(q.subject.value, q.predicate.value, q.graph_name.value) for q in store
             if isinstance(q.graph_name, ox.NamedNode)}
    assert quads == {("s:3", "p:3", "urn:dakg:default"), ("s:2", "p:2", "g:a"),
                     ("s:1", "p:9", "g:a")}  # s:1 p:1 was moved by the second operation
    assert not list(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))


def test_an_update_that_names_its_graphs_is_left_as_it_is() -> None:
    update = "INSERT DATA { GRAPH <g:a> { <s:1> <p:1> 1 } }"
    assert into_own_default(update, inspect(update, update=True).tokens) == (update, False)


def test_dropping_a_served_graph_is_silent_and_an_unknown_one_the_clients_error() -> None:
    update = "DROP GRAPH <g:a>"
    assert dropped_as_the_embedded_store_does(
        update, inspect(update, update=True).tokens, PREFIXES, {"g:a"}) == \
        "DROP SILENT GRAPH <g:a>"
    with pytest.raises(HttpError, match="does not exist"):
        dropped_as_the_embedded_store_does(update, inspect(update, update=True).tokens,
                                           PREFIXES, set())
