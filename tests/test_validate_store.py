"""Validation read from a store: report by report, and the checks that need all reports."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
from rdflib import Literal
from rdflib.namespace import RDF, SH

from dakg.graph.rdf.dataset import shapes_graph
from dakg.graph.store import STORE, current_build, open_store
from dakg.graph.validate_store import check_store, fixed_graph_names, validate_store

BASE = "https://w3id.org/dakg/"
SHARED = fixed_graph_names(BASE)["shared"]
DOC = ox.NamedNode(f"{BASE}id/document/CDIP/30/2")


def _shared(*triples: tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal]) -> ox.Store:
    store = ox.Store()
    store.extend(ox.Quad(s, p, o, ox.NamedNode(SHARED)) for s, p, o in triples)
    return store


def test_a_count_over_all_reports_is_checked_on_the_store() -> None:
    """Each report alone gives the document one symbol; two reports giving two differ."""
    symbol = ox.NamedNode(f"{BASE}def/symbol")
    kind = (DOC, ox.NamedNode(str(RDF.type)), ox.NamedNode(f"{BASE}def/Document"))
    one = check_store(_shared(kind, (DOC, symbol, ox.Literal("CDIP/30/2"))), shapes_graph(),
                      SHARED)
    assert one.conforms and one.results == ()
    two = check_store(_shared(kind, (DOC, symbol, ox.Literal("CDIP/30/2")),
                              (DOC, symbol, ox.Literal("CDIP/30/2 Rev."))), shapes_graph(),
                      SHARED)
    assert not two.conforms
    assert [(r.focus, r.path) for r in two.violations] == [(DOC.value, "dakg:symbol")]
    assert (None, SH.conforms, Literal(False)) in two.report
    assert len(list(two.report.subjects(RDF.type, SH.ValidationResult))) == 1


def test_the_count_takes_in_the_curated_data_beside_the_shared_graph() -> None:
    """A value of the curated data and one of the shared graph make two."""
    symbol = ox.NamedNode(f"{BASE}def/symbol")
    store = _shared((DOC, ox.NamedNode(str(RDF.type)), ox.NamedNode(f"{BASE}def/Document")),
                    (DOC, symbol, ox.Literal("CDIP/30/2")))
    reference = ox.NamedNode(fixed_graph_names(BASE)["reference"])
    store.add(ox.Quad(DOC, symbol, ox.Literal("CDIP/30/2 Rev."), reference))
    outcome = check_store(store, shapes_graph(), SHARED)
    assert [(r.focus, r.path) for r in outcome.violations] == [(DOC.value, "dakg:symbol")]


def test_the_series_validates_from_its_store(series: Path) -> None:
    outcome = validate_store(open_store(series), shapes_graph(), fixed_graph_names(BASE),
                             workers=1)
    assert outcome.violations == ()


def test_a_damaged_series_store_is_caught_in_each_report_and_through_the_shared_graph(
        series: Path, tmp_path: Path) -> None:
    # A section of the bundled report loses the recommendation it reports on (its own
    # graph); a document both reports cite loses its type (the shared graph): each report is
    # validated with what the shared graph says of what it names, so every citing node of
    # either report is caught, in the worker processes and in this one alike.
    path = tmp_path / "store"
    shutil.copytree(current_build(series) / STORE, path)
    store = ox.Store(str(path))
    section, cited = _damage(store)
    store.flush()
    del store
    rows = ox.Store.read_only(str(path)).query(
        f"SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ ?s dakg:citesDocument {cited} }} }}",
        prefixes={"dakg": f"{BASE}def/"})
    assert isinstance(rows, ox.QuerySolutions)
    citing = {row["s"].value for row in rows}
    for workers in (2, 1):
        outcome = validate_store(ox.Store.read_only(str(path)), shapes_graph(),
                                 fixed_graph_names(BASE), path, workers=workers)
        found = {(r.focus, r.path) for r in outcome.violations}
        assert (section.value, "dakg:reportsOn") in found
        assert {focus for focus, p in found if p == "dakg:citesDocument"} == citing
    assert all(any(f"/CDIP/{n}/2/" in focus for focus in citing) for n in (35, 36))


def _damage(store: ox.Store) -> tuple[ox.NamedNode, ox.NamedNode]:
    """A section of CDIP/35/2 without ``dakg:reportsOn``; a document both reports cite
    without its type. Returns the two."""
    dakg = f"{BASE}def/"
    report = f"{BASE}id/graph/report/CDIP/35/2"
    rows = store.query(f"""SELECT ?s ?d WHERE {{
        GRAPH <{report}> {{ ?s <{dakg}reportsOn> ?r }}
        {{ SELECT ?d WHERE {{
            GRAPH <{report}> {{ ?a <{dakg}citesDocument> ?d }}
            GRAPH <{BASE}id/graph/report/CDIP/36/2> {{ ?b <{dakg}citesDocument> ?d }}
        }} ORDER BY ?d LIMIT 1 }}
    }} ORDER BY ?s LIMIT 1""")
    assert isinstance(rows, ox.QuerySolutions)
    (row,) = list(rows)
    section, cited = row["s"], row["d"]
    store.update(f"DELETE WHERE {{ GRAPH <{report}> {{ {section} <{dakg}reportsOn> ?r }} }}")
    store.update(f"DELETE WHERE {{ GRAPH ?g {{ {cited} a ?t }} }}")
    return section, cited
