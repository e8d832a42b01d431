"""The JSON-LD writer of the dumps, on the statements that test its reading of N-Quads text:
escaped literals, blank nodes, IRIs that a prefix covers or not, terms whose coercion a value
fits or not. What it writes must read back, by Oxigraph's JSON-LD parser, as the statements
it was given."""

from __future__ import annotations

import io
import json
import re

import pyoxigraph as ox
import pytest

from dakg.graph.rdf.jsonld import joined_head, joined_tail, write_graph
from dakg.graph.rdf.namespaces import DAKG, DEFAULT_BASE, OA, RDF, XSD, prefixes_for

PREFIXES = prefixes_for(DEFAULT_BASE)
GRAPH = f"{DEFAULT_BASE}graph/report/X"
NODE = ox.NamedNode(f"{DEFAULT_BASE}id/x")
BLANK = ox.BlankNode("b1")
EXACT, START = ox.NamedNode(str(OA.exact)), ox.NamedNode(str(OA.start))
TYPE, LABEL = ox.NamedNode(str(RDF.type)), ox.NamedNode(f"{DAKG}label")
# Every character Oxigraph escapes in a literal, and some it writes as they are.
AWKWARD = 'quote " backslash \\ newline \n tab \t cr \r nul \x00 del \x7f ￾ \uffff 建议 𠀀 \\u0041'
Statement = tuple[ox.NamedNode | ox.BlankNode, ox.NamedNode,
                  ox.NamedNode | ox.BlankNode | ox.Literal]
STATEMENTS: list[Statement] = [
    (NODE, TYPE, ox.NamedNode(f"{OA}Annotation")),  # a class of the context: its term
    (NODE, TYPE, ox.NamedNode(f"{DAKG}Mention")),  # a compact IRI
    (NODE, TYPE, ox.NamedNode("http://example.org/Other")),  # no prefix covers it
    (NODE, EXACT, ox.Literal(AWKWARD)),
    (NODE, START, ox.Literal("12", datatype=ox.NamedNode(str(XSD.integer)))),
    (NODE, ox.NamedNode(str(OA.motivatedBy)), ox.NamedNode(f"{OA}linking")),
    (NODE, ox.NamedNode(str(OA.hasBody)), BLANK),
    (NODE, LABEL, ox.Literal("建议 25", language="zh")),
    (NODE, LABEL, ox.Literal(AWKWARD, language="en")),
    (NODE, LABEL, ox.Literal("2024-01-01", datatype=ox.NamedNode(str(XSD.date)))),
    (NODE, LABEL, ox.Literal(AWKWARD, datatype=ox.NamedNode(f"{DAKG}Text"))),
    (NODE, LABEL, ox.NamedNode(str(DAKG))),  # the namespace alone: nothing after it
    (NODE, LABEL, ox.NamedNode(f"{DEFAULT_BASE}id///x")),  # "//" after a namespace
    # A value that does not fit its term's coercion: the property is written as an IRI.
    (BLANK, START, ox.Literal("twelve")),
    (BLANK, START, ox.Literal("12", datatype=ox.NamedNode(str(XSD.integer)))),
    (BLANK, EXACT, ox.Literal("zh", language="zh")),
    (BLANK, ox.NamedNode(str(OA.motivatedBy)), ox.NamedNode(f"{DAKG}notAMotivation")),
    (BLANK, TYPE, ox.Literal("a literal type")),  # not a node: rdf:type stays a property
]


def _lines(statements: list[Statement]) -> list[bytes]:
    """The statements in the graph as Oxigraph writes N-Quads, sorted as a dump sorts them."""
    return sorted(f"{ox.Quad(s, p, o, ox.NamedNode(GRAPH))} .\n".encode()
                  for s, p, o in statements)


def _document(lines: list[bytes]) -> bytes:
    out = io.BytesIO()
    write_graph(lines, GRAPH, PREFIXES, out)
    return joined_head(PREFIXES) + out.getvalue() + joined_tail()


def test_what_is_written_reads_back_as_the_statements() -> None:
    written = _document(_lines(STATEMENTS))
    read = set(ox.parse(written, format=ox.RdfFormat.JSON_LD))
    assert read == {ox.Quad(s, p, o, ox.NamedNode(GRAPH)) for s, p, o in STATEMENTS}


def test_terms_and_compact_iris_where_they_fit() -> None:
    [graph] = json.loads(_document(_lines(STATEMENTS)))["@graph"]
    assert graph["@id"] == GRAPH  # no prefix covers it
    node, blank = (next(n for n in graph["@graph"] if n["@id"] == name)
                   for name in ("id:x", "_:b1"))
    assert sorted(node["@type"]) == ["Annotation", "dakg:Mention", "http://example.org/Other"]
    assert node["exact"] == [AWKWARD]
    assert node["start"] == ["12"] and node["motivation"] == ["linking"]
    assert node["body"] == ["_:b1"]
    assert {"@language": "zh", "@value": "建议 25"} in node["dakg:label"]
    assert {"@id": str(DAKG)} in node["dakg:label"]
    assert {"@id": f"{DEFAULT_BASE}id///x"} in node["dakg:label"]
    assert "start" not in blank and len(blank["oa:start"]) == 2
    assert blank["oa:exact"] == [{"@language": "zh", "@value": "zh"}]
    assert blank["oa:motivatedBy"] == [{"@id": "dakg:notAMotivation"}]
    assert blank["rdf:type"] == [{"@value": "a literal type"}]


def test_an_empty_graph_writes_nothing() -> None:
    out = io.BytesIO()
    write_graph([], GRAPH, PREFIXES, out)
    assert out.getvalue() == b""


def test_a_statement_of_another_graph_is_refused() -> None:
    lines = [*_lines(STATEMENTS[:1]), f"{ox.Quad(NODE, LABEL, BLANK)} .\n".encode()]
    with pytest.raises(ValueError, match=f"not a statement of {re.escape(GRAPH)} in N-Quads"):
        _document(lines)


def test_escapes_that_json_has_not_are_read_by_oxigraph() -> None:
    """``\\U0001F600`` and ``\\'`` are N-Triples but not JSON; Oxigraph writes neither."""
    line = f'<{NODE.value}> <{LABEL.value}> "\\U0001F600 \\\' \\\\U" <{GRAPH}> .\n'.encode()
    written = _document([line])
    assert set(ox.parse(written, format=ox.RdfFormat.JSON_LD)) == {
        ox.Quad(NODE, LABEL, ox.Literal("😀 ' \\U"), ox.NamedNode(GRAPH))}


@pytest.mark.parametrize("character", ['"', "\\", "\x00", "\x1f", " "])
def test_oxigraph_allows_in_an_iri_nothing_that_json_escapes(character: str) -> None:
    """The writer puts an IRI's text between quotes as it is (``_Compactor.compact``)."""
    with pytest.raises(ValueError):
        ox.NamedNode(f"http://example.org/a{character}b")
    with pytest.raises(ValueError):
        ox.BlankNode(f"a{character}b")
