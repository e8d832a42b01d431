"""Validation read from a store: report by report, and the checks that need all reports."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib import Literal
from rdflib.namespace import RDF, SH

from dakg.graph.rdf.dataset import shapes_graph
from dakg.graph.store import open_store
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
