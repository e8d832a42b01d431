"""SHACL validation of the dataset, with a report a person can read.

The shapes see the union of all named graphs, because some constraints cross them (a
recommendation's text is extracted, its cluster is curated).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pyshacl
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from .errors import BuildError, ValidationFailed
from .rdf.namespaces import PREFIXES


@dataclass(frozen=True)
class Result:
    severity: str
    focus: str
    path: str | None  # as SPARQL writes a property path, with prefixed names
    shape: str
    messages: tuple[str, ...]
    value: str | None
    in_data: bool = True  # False: the focus node is not in the data validated (a check on
    # the whole dataset, such as the count of recommendations, run on a part of it)


@dataclass(frozen=True)
class Outcome:
    conforms: bool
    results: tuple[Result, ...]
    report: Graph = field(default_factory=Graph, compare=False, repr=False)  # SHACL's own

    @property
    def violations(self) -> tuple[Result, ...]:
        return tuple(r for r in self.results if r.severity == "Violation")

    def text(self, limit: int = 50) -> str:
        if not self.results:
            return "Conforms: the graph satisfies every shape."
        counts = Counter(r.severity for r in self.results)
        lines = ["Conforms: no" if self.violations else "Conforms: yes (with warnings)",
                 ", ".join(f"{n} {severity.lower()}(s)" for severity, n in counts.items())]
        shown = self.results[:limit]
        lines.extend(_lines(r) for r in shown if r.in_data)
        elsewhere = [r for r in shown if not r.in_data]
        if elsewhere:
            lines.append("About the whole dataset (their node is not in the data validated: "
                         "checks that count across the dataset see only the part given):")
            lines.extend(_lines(r) for r in elsewhere)
        if len(self.results) > limit:
            lines.append(f"… and {len(self.results) - limit} more")
        return "\n".join(lines)


def results_report(results: Iterable[Result]) -> Graph:
    """``results`` as a SHACL validation report, for checks made without pyshacl (SPARQL on
    the store); each result names its shape (``sh:sourceShape``), whose ``sh:path`` it
    concerns."""
    results = list(results)
    graph = Graph()
    report = BNode()
    graph.add((report, RDF.type, SH.ValidationReport))
    graph.add((report, SH.conforms, Literal(all(r.severity != "Violation" for r in results))))
    for r in results:
        node = BNode()
        graph.add((report, SH.result, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((node, SH.resultSeverity, SH[r.severity]))
        graph.add((node, SH.focusNode, URIRef(r.focus)))
        graph.add((node, SH.sourceShape, URIRef(r.shape)))
        for message in r.messages:
            graph.add((node, SH.resultMessage, Literal(message)))
    return graph


def _lines(r: Result) -> str:
    lines = [f"- [{r.severity}] {r.focus}" + (f" {r.path}" if r.path else "")]
    lines.extend(f"    {m}" for m in r.messages)
    if r.value is not None:
        lines.append(f"    value: {r.value}")
    lines.append(f"    shape: {r.shape}")
    return "\n".join(lines)


def validate(data: Graph, shapes: Graph) -> Outcome:
    """Validate ``data``, which is read, never changed (no inference is run)."""
    conforms, report, text = pyshacl.validate(data, shacl_graph=shapes, inference="none",
                                              advanced=True, allow_warnings=True, inplace=True)
    if not isinstance(report, Graph):  # pyshacl returns, not raises, when the shapes are bad
        raise BuildError(f"the SHACL shapes could not be applied: {text}")
    names = PathNames(shapes)
    nodes = set(data.subjects()) | set(data.objects())
    # One result per thing to fix: a shape whose constraints fail together (sh:minCount and
    # sh:hasValue on one path) reports each, with the same message.
    results = {_result(report, node, names, nodes) for node in
               report.subjects(SH.resultSeverity, None)}
    return Outcome(bool(conforms), ordered(results), report)


def merged(outcomes: Iterable[Outcome]) -> Outcome:
    """One outcome of several validations (of the reports of a build, say): each result
    once, in the usual order; its SHACL report holds every result of theirs under one
    ``sh:ValidationReport``."""
    outcomes = list(outcomes)
    results = {r for outcome in outcomes for r in outcome.results}
    conforms = all(r.severity != "Violation" for r in results) and all(
        o.conforms for o in outcomes)
    report = Graph()
    node = BNode()
    report.add((node, RDF.type, SH.ValidationReport))
    report.add((node, SH.conforms, Literal(conforms)))
    for outcome in outcomes:
        for s, p, o in outcome.report:
            if p == SH.result:
                report.add((node, p, o))
            elif (s, RDF.type, SH.ValidationReport) not in outcome.report:
                report.add((s, p, o))
    return Outcome(conforms, ordered(results), report)


def ordered(results: Iterable[Result]) -> tuple[Result, ...]:
    """``results`` in the order a report lists them."""
    return tuple(sorted(results, key=_order))


def _order(r: Result) -> tuple[str, bool, str, str, str, str]:
    return (r.severity, not r.in_data, r.shape, r.focus, r.path or "", r.value or "")


def check(data: Graph, shapes: Graph) -> Outcome:
    """Validate and raise ``ValidationFailed`` if there is any violation."""
    outcome = validate(data, shapes)
    if outcome.violations:
        raise ValidationFailed(outcome.text(), len(outcome.violations))
    return outcome


def _result(report: Graph, node: Node, names: PathNames, nodes: set[Node]) -> Result:
    def one(prop: URIRef) -> str | None:
        value = report.value(node, prop)
        return None if value is None else str(value)

    severity = str(one(SH.resultSeverity)).rsplit("#", 1)[-1]
    messages = sorted({message_text(m) for m in report.objects(node, SH.resultMessage)})
    shape = report.value(node, SH.sourceShape)
    focus = report.value(node, SH.focusNode)
    path = names.path(shape) if shape is not None else None
    return Result(severity=severity, focus=str(focus), path=path, shape=str(shape),
                  messages=tuple(messages), value=one(SH.value), in_data=focus in nodes)


class PathNames:
    """A shape's ``sh:path`` as SPARQL writes it (``^dakg:statementOf``,
    ``skos:hasTopConcept/skos:notation``), read from the shapes graph: the report holds only
    a blank node for a path that is not a single property."""

    def __init__(self, shapes: Graph) -> None:
        self.shapes = shapes
        self.names = shapes.namespace_manager
        for prefix, namespace in PREFIXES.items():
            self.names.bind(prefix, namespace, override=False)

    def path(self, shape: Node) -> str | None:
        path = self.shapes.value(shape, SH.path)
        return None if path is None else path_text(
            self.shapes, path,
            lambda node: node.n3(self.names) if isinstance(node, URIRef) else str(node))


def path_text(shapes: Graph, path: Node, name: Callable[[Node], str]) -> str:
    """A SHACL property path (SHACL §2.3.1) of ``shapes`` as SPARQL writes it:
    ``^dakg:statementOf``, ``(dakg:statement/dakg:statementOf)``. ``name`` writes an IRI, and
    a node that is not a path."""
    def group(inner: Node) -> str:
        text = path_text(shapes, inner, name)
        return text if isinstance(inner, URIRef) or text.startswith("^") else f"({text})"

    if isinstance(path, URIRef):
        return name(path)
    if shapes.value(path, RDF.first) is not None:
        return "/".join(group(m) for m in Collection(shapes, path))
    for modifier, mark in ((SH.inversePath, "^"), (SH.zeroOrMorePath, "*"),
                           (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = shapes.value(path, modifier)
        if inner is not None:
            return f"^{group(inner)}" if mark == "^" else f"{group(inner)}{mark}"
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        return "|".join(group(m) for m in Collection(shapes, alternatives))
    return name(path)


def message_text(message: object) -> str:
    if isinstance(message, Literal) and message.language:
        return f"({message.language}) {message}"
    return str(message)
