"""SHACL validation of the dataset, with a report a person can read.

The shapes see the union of all named graphs, because some constraints cross them (a
recommendation's text is extracted, its cluster is curated).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pyshacl
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from .errors import BuildError, ValidationFailed


@dataclass(frozen=True)
class Result:
    severity: str
    focus: str
    path: str | None
    shape: str
    messages: tuple[str, ...]
    value: str | None


@dataclass(frozen=True)
class Outcome:
    conforms: bool
    results: tuple[Result, ...]

    @property
    def violations(self) -> tuple[Result, ...]:
        return tuple(r for r in self.results if r.severity == "Violation")

    def text(self, limit: int = 50) -> str:
        if not self.results:
            return "Conforms: the graph satisfies every shape."
        counts = Counter(r.severity for r in self.results)
        lines = ["Conforms: no" if self.violations else "Conforms: yes (with warnings)",
                 ", ".join(f"{n} {severity.lower()}(s)" for severity, n in counts.items())]
        for r in self.results[:limit]:
            lines.append(f"- [{r.severity}] {r.focus}" + (f" {r.path}" if r.path else ""))
            lines.extend(f"    {m}" for m in r.messages)
            if r.value is not None:
                lines.append(f"    value: {r.value}")
            lines.append(f"    shape: {r.shape}")
        if len(self.results) > limit:
            lines.append(f"… and {len(self.results) - limit} more")
        return "\n".join(lines)


def validate(data: Graph, shapes: Graph) -> Outcome:
    """Validate ``data``, which is read, never changed (no inference is run)."""
    conforms, report, text = pyshacl.validate(data, shacl_graph=shapes, inference="none",
                                              advanced=True, allow_warnings=True, inplace=True)
    if not isinstance(report, Graph):  # pyshacl returns, not raises, when the shapes are bad
        raise BuildError(f"the SHACL shapes could not be applied: {text}")
    results = tuple(sorted((_result(report, node) for node in
                            report.subjects(SH.resultSeverity, None)),
                           key=lambda r: (r.severity, r.shape, r.focus, r.path or "")))
    return Outcome(bool(conforms), results)


def check(data: Graph, shapes: Graph) -> Outcome:
    """Validate and raise ``ValidationFailed`` if there is any violation."""
    outcome = validate(data, shapes)
    if outcome.violations:
        raise ValidationFailed(outcome.text(), len(outcome.violations))
    return outcome


def _result(report: Graph, node: Node) -> Result:
    def one(prop: URIRef) -> str | None:
        value = report.value(node, prop)
        return None if value is None else str(value)

    severity = str(one(SH.resultSeverity)).rsplit("#", 1)[-1]
    messages = sorted({_message(m) for m in report.objects(node, SH.resultMessage)})
    return Result(severity=severity, focus=str(one(SH.focusNode)), path=one(SH.resultPath),
                  shape=str(one(SH.sourceShape)), messages=tuple(messages),
                  value=one(SH.value))


def _message(message: object) -> str:
    if isinstance(message, Literal) and message.language:
        return f"({message.language}) {message}"
    return str(message)
