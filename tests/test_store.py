"""The N-Quads a build's job writes for a report (``store.nquads``): the bytes Oxigraph writes
for the report's rdflib graphs (rebased), which the job wrote until it wrote them straight
from the mapping's triples; and its rows of the search index (``store.index_rows``), read from
the same triples: those the index would take of the N-Quads."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import Node

from dakg import __version__, search_index
from dakg.graph.build import Extraction
from dakg.graph.rdf import iris
from dakg.graph.rdf.dataset import MappedReport, NamedGraph, map_report
from dakg.graph.rdf.namespaces import DAKG, DEFAULT_BASE, ID, rebased_term
from dakg.graph.store import _ESCAPED, index_rows, nquads, to_quads

OTHER_BASE = "http://localhost:8000/"
Quad = tuple[Node, Node, Node, Node]


@pytest.fixture(scope="module")
def mapped(extraction: Extraction) -> MappedReport:
    return map_report(extraction.report, extraction.source.text, extraction.reference,
                      __version__)


def _stored(quads: list[Quad], base: str) -> list[bytes]:
    """The N-Quads lines an Oxigraph store writes back for ``quads`` moved onto ``base``,
    sorted (a store keeps its own order)."""
    moved = [(rebased_term(g, base), rebased_term(s, base), rebased_term(p, base),
              rebased_term(o, base)) for g, s, p, o in quads]
    return _lines(to_quads(moved))


def _lines(quads: list[ox.Quad]) -> list[bytes]:
    store = ox.Store()
    store.extend(quads)
    written = ox.serialize(store.quads_for_pattern(None, None, None, None),
                           format=ox.RdfFormat.N_QUADS) or b""
    return sorted(written.splitlines())


def test_a_reports_nquads_are_those_of_its_rdflib_graphs(mapped: MappedReport) -> None:
    named, said = mapped.graphs()
    quads = to_quads((g.name, s, p, o) for g in (named, NamedGraph(iris.graph_shared(), said))
                     for s, p, o in g.graph)
    written = nquads(mapped.quads())
    # The lines the build's store will hold, byte for byte; the order is the mapping's.
    assert sorted(written.splitlines()) == _lines(quads)
    assert len(set(written.splitlines())) == len(named.graph) + len(said)


def test_rdflib_reads_back_the_shared_part(mapped: MappedReport) -> None:
    shared = f" <{iris.graph_shared()}> .".encode()
    triples = [line.removesuffix(shared) + b" ." for line in nquads(mapped.quads()).splitlines()
               if line.endswith(shared)]
    parsed = Graph().parse(data=b"\n".join(triples), format="nt")
    assert len(parsed) > 1000
    assert isomorphic(parsed, mapped.graphs()[1])


@pytest.mark.parametrize("base", [DEFAULT_BASE, OTHER_BASE])
def test_each_kind_of_term_is_written_as_oxigraph_writes_it(base: str) -> None:
    graph, thing, blank = ID["graph/test"], ID["thing/1"], BNode()
    quads: list[Quad] = [
        (graph, thing, RDFS.label, Literal('say "hi"\n\t\\ \x01 中文', lang="zh")),
        (graph, thing, DAKG.position, Literal(3, datatype=XSD.integer)),
        (graph, thing, DAKG.start, Literal("007", datatype=XSD.nonNegativeInteger)),
        (graph, thing, DAKG.text, Literal("plain")),
        (graph, thing, DAKG.text, Literal("typed", datatype=XSD.string)),
        (graph, thing, RDFS.seeAlso, Literal(str(ID["thing/2"]), datatype=XSD.anyURI)),
        (graph, thing, DAKG.part, blank),
        (graph, blank, RDF.type, DAKG.Thing),
        (graph, thing, RDFS.label, Literal("after the blank ones", lang="en")),
    ]
    written = nquads(quads, base)
    assert sorted(written.splitlines()) == _stored(quads, base)
    # As the store keeps it: its value, of the primitive type.
    assert b' "7"^^<http://www.w3.org/2001/XMLSchema#integer> ' in written
    assert len(written.splitlines()) == len(quads)
    assert (DEFAULT_BASE.encode() in written) == (base == DEFAULT_BASE)  # the literal too
    assert b"_:" in written.splitlines()[-1]  # quads with blank nodes come last, renamed


def test_literals_are_escaped_as_oxigraph_escapes_them() -> None:
    """``nquads`` writes a literal that needs no escape itself: the characters it passes on
    unescaped, every code point but the surrogates, are those Oxigraph writes as they are."""
    points = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    kept = "".join(c for c in points if not _ESCAPED.search(c))
    assert str(ox.Literal(kept)) == f'"{kept}"'
    escaped = [c for c in points if _ESCAPED.search(c)]
    assert len(escaped) == 37  # 32 control characters, DEL, quote, backslash, U+FFFE, U+FFFF
    assert all(str(ox.Literal(c)) != f'"{c}"' for c in escaped)
    graph, thing = ID["graph/test"], ID["thing/1"]
    quads: list[Quad] = [(graph, thing, RDFS.label, Literal(text, lang=lang))
                         for text in ("中文", *escaped) for lang in ("zh", "EN-gb", "zh-Hans")]
    written = nquads(quads)
    assert sorted(written.splitlines()) == _stored(quads, DEFAULT_BASE)
    assert '"中文"@en-gb'.encode() in written  # the tag as Oxigraph writes it


@pytest.mark.parametrize("base", [DEFAULT_BASE, OTHER_BASE])
def test_a_reports_index_rows_are_those_of_its_nquads(mapped: MappedReport, base: str) -> None:
    parsed = ox.parse(nquads(mapped.quads(), base), format=ox.RdfFormat.N_QUADS)
    types, texts = index_rows(mapped.quads(), base)
    assert (types, texts) == search_index.rows(parsed, base + "def/")  # in the same order
    assert len(types) > 1000 and len(texts) > 1000
    subjects = {row[0] for row in [*types, *texts]}
    assert any(s.startswith(base + "id/") for s in subjects)
    assert any(s.startswith(DEFAULT_BASE) for s in subjects) == (base == DEFAULT_BASE)


def test_index_rows_take_literals_as_oxigraph_stores_them() -> None:
    thing = ID["thing/1"]
    quads: list[Quad] = [
        (ID["graph/test"], thing, RDFS.label, Literal("Titre", lang="FR-ca")),
        (ID["graph/test"], thing, DAKG.symbol, Literal(str(ID["x"]), datatype=XSD.anyURI)),
        (ID["graph/test"], BNode(), RDFS.label, Literal("a blank node's")),
        (ID["graph/test"], thing, RDF.type, BNode()),
        (ID["graph/test"], thing, RDF.type, DAKG.Thing),
    ]
    parsed = ox.parse(nquads(quads, OTHER_BASE), format=ox.RdfFormat.N_QUADS)
    expected = search_index.rows(parsed, OTHER_BASE + "def/")
    assert index_rows(quads, OTHER_BASE) == expected
    assert expected == ([(OTHER_BASE + "id/thing/1", OTHER_BASE + "def/Thing")], [
        (OTHER_BASE + "id/thing/1", "label", "fr-ca", "Titre"),
        (OTHER_BASE + "id/thing/1", "symbol", "", OTHER_BASE + "id/x")])
