"""The build's SHACL validation report, kept in the build folder beside ``build.json``.

The build validates before it writes (``validate.check``) and fails on any violation, so a
saved report says the data conforms, perhaps with warnings. ``keep_report`` writes the report
SHACL itself gives (SHACL §3.6: ``sh:ValidationReport``, ``sh:conforms``, a ``sh:result`` per
finding with its focus node, path, value, message, severity and source shape), moved onto the
build's base IRI, plus how much was checked: the shapes applied (``dakg:shapesApplied``) and
the distinct focus nodes they selected (``dakg:focusNodesChecked``). The server publishes it
at ``/validation``.
"""

from __future__ import annotations

import functools
from pathlib import Path

from pyshacl.shapes_graph import ShapesGraph
from rdflib import BNode, Graph, Literal
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Node

from .rdf.dataset import rebase_graph
from .rdf.namespaces import DAKG, PREFIXES
from .validate import Outcome

REPORT_FILE = "validation.ttl"


def keep_report(build_folder: Path, outcome: Outcome, checked: tuple[int, int],
                base_iri: str) -> None:
    """Write ``outcome``'s report as Turtle into ``build_folder``, with ``checked``: how many
    shapes were applied and to how many distinct focus nodes."""
    report = report_graph(outcome, checked)
    rebase_graph(report, base_iri).serialize(build_folder / REPORT_FILE, format="turtle",
                                             encoding="utf-8")


def report_graph(outcome: Outcome, checked: tuple[int, int]) -> Graph:
    """The SHACL report of ``outcome`` with the counts of shapes and focus nodes checked."""
    report = Graph(bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        report.bind(prefix, namespace)
    for triple in outcome.report:
        report.add(triple)
    node: Node | None = report.value(None, RDF.type, SH.ValidationReport, any=False)
    if node is None:  # an outcome made without pyshacl's graph: state the verdict alone
        node = BNode()
        report.add((node, RDF.type, SH.ValidationReport))
        report.add((node, SH.conforms, Literal(outcome.conforms)))
    applied, focus = checked
    report.add((node, DAKG.shapesApplied, Literal(applied, datatype=XSD.integer)))
    report.add((node, DAKG.focusNodesChecked, Literal(focus, datatype=XSD.integer)))
    return report


def checked(data: Graph, shapes: Graph) -> tuple[int, int]:
    """How many shapes ``shapes`` holds, and how many distinct nodes of ``data`` they target
    (SHACL §2.1.3: target nodes, class instances, subjects or objects of a property), as the
    validator selects them."""
    return shape_count(shapes), len(focus_nodes(data, shapes))


def focus_nodes(data: Graph, shapes: Graph) -> set[Node]:
    """The distinct nodes of ``data`` that ``shapes`` target."""
    focus: set[Node] = set()
    for shape in _shapes(shapes).shapes:
        focus.update(shape.focus_nodes(data))
    return focus


@functools.lru_cache(maxsize=4)
def _shapes(shapes: Graph) -> ShapesGraph:
    return ShapesGraph(shapes)  # read once per shapes graph: a build asks for each report


def shape_count(shapes: Graph) -> int:
    """How many shapes ``shapes`` holds as the validator counts them (those nested in others,
    in ``sh:or`` or ``sh:qualifiedValueShape``, included)."""
    return len(list(ShapesGraph(shapes).shapes))


def read_report(build_folder: Path) -> bytes | None:
    """The saved report of the build in ``build_folder`` (Turtle), None if it has none (a
    dataset not made by ``dakg build``, or by a version that did not save it)."""
    path = build_folder / REPORT_FILE
    if not path.is_file() or path.is_symlink():
        return None
    return path.read_bytes()
