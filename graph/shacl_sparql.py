"""SHACL validation of one report's data as SPARQL on an Oxigraph store in memory: the
validator of a series build, where pySHACL costs most of a report's build.

The two routes, measured on the bundled report as a build's job sees it (49,500 triples with
the ontology and the curated data; ``python bench/validate.py``, CPU time, same run):

- pySHACL (the job's ``validate`` and focus nodes): 1.80 s.
- pyrudof 0.3 (Rust; it does support ``sh:sparql``): 0.15 s to read the data and 1.3 s to
  validate it (wall-clock, loaded machine, pySHACL 3.6 s in that run): not enough to replace a
  reference validator that the build already depends on.
- The shapes compiled once per process into SPARQL SELECT queries (``shacl_compile``), run on
  a store of the report's quads: 0.56 s, 3.2x less than pySHACL. Loading the store takes
  0.21 s of it, the 253 queries of the core constraints 0.31 s, the focus nodes 0.06 s and
  the seven SPARQL constraints 0.03 s. The queries cost a store lookup per focus node and
  value (some 1.5 µs each in Oxigraph's memory store), so this route stays within a few
  times of pySHACL, not an order of magnitude. A build's job now hands over its N-Quads
  (``validate_nquads``), loaded without a Python object per statement, and the focus query
  names each target once: on a generated report (47,000 triples) loading takes 0.08 s, the
  constraints 0.15 s, the focus nodes 0.02 s (``python bench/job.py``).

The compiled route is the one taken: same results as pySHACL (focus node, path, value, source
shape, constraint component, severity, messages: the same ``Outcome``, and a SHACL report of
the same form), checked constraint component by constraint component on the damaged real
report in ``tests/test_shacl_fast.py``.

pySHACL stays the reference, and the validator of a single graph (``validate.validate``):
shapes the compilation refuses (``UnsupportedShapes``) are validated with it here too.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

from .rdf.dataset import rebase_graph
from .shacl_compile import Check, Compiled, UnsupportedShapes, compile_shapes, instances
from .store import as_ntriples, to_graph, to_quads
from .validate import Outcome, PathNames, Result, message_text, ordered, validate
from .validation_report import focus_nodes

Term = ox.NamedNode | ox.BlankNode | ox.Literal
_THIS = ox.Variable("this")


@dataclass(frozen=True)
class _Row:
    """One violation as pySHACL reports it."""

    check: Check
    component: URIRef  # the constraint component it breaks
    focus: Term
    value: Term | None
    messages: tuple[Literal, ...]


class ReportValidator:
    """Validates a report's quads together with the fixed graphs (ontology, curated data)
    against shapes compiled once."""

    def __init__(self, fixed: Graph, shapes: Graph) -> None:
        self.shapes = shapes
        self.compiled: Compiled | None
        try:
            self.compiled = compile_shapes(shapes)
        except UnsupportedShapes:
            self.compiled = None  # validated with pySHACL, as any other graph
        self.fixed = fixed
        self.fixed_quads = [ox.Quad(q.subject, q.predicate, q.object)
                            for q in to_quads((URIRef("urn:x"), *t) for t in fixed)]
        self.names = PathNames(shapes)

    def validate(self, quads: list[ox.Quad]) -> tuple[Outcome, set[str]]:
        """The outcome of ``quads`` (in any graphs: the shapes see them together with the
        fixed graphs), and the nodes the shapes targeted (IRIs, blank node labels)."""
        if self.compiled is None:
            return self._by_pyshacl(quads)
        store = self._store()
        store.extend(ox.Quad(q.subject, q.predicate, q.object) for q in quads)
        return self._validated(store)

    def validate_nquads(self, data: bytes, graphs: Iterable[str]) -> tuple[Outcome, set[str]]:
        """``validate`` the quads of the N-Quads ``data``, whose graphs are ``graphs`` (IRIs),
        as ``store.nquads`` writes them (a build's job): loaded straight into the store, the
        report never becomes Python objects, which cost twice as much as the loading."""
        if self.compiled is None:
            return self._by_pyshacl(list(ox.parse(data, format=ox.RdfFormat.N_QUADS)))
        return self._validated(self.nquads_store(data, graphs))

    def nquads_store(self, data: bytes, graphs: Iterable[str]) -> ox.Store:
        """The store ``validate_nquads`` validates: the fixed graphs and ``data``."""
        store = self._store()
        # Its terms were checked as they were made (``ox.NamedNode`` refuses a bad IRI).
        store.load(as_ntriples(data, graphs), format=ox.RdfFormat.N_TRIPLES, lenient=True)
        return store

    def _store(self) -> ox.Store:
        """A store in memory holding the fixed graphs, all in its default graph (the shapes
        see one graph: a triple in two graphs counts once, as pySHACL counts it)."""
        store = ox.Store()
        store.extend(self.fixed_quads)
        return store

    def _validated(self, store: ox.Store) -> tuple[Outcome, set[str]]:
        return self.outcome(store), {node_text(node) for node in self.focus_nodes(store)}

    def _by_pyshacl(self, quads: list[ox.Quad]) -> tuple[Outcome, set[str]]:
        """Shapes the compilation refused: pySHACL, on the same data."""
        data = to_graph(quads)
        data += self.fixed
        return validate(data, self.shapes), {str(n) for n in focus_nodes(data, self.shapes)}

    def focus_nodes(self, store: ox.Store) -> set[Term]:
        assert self.compiled is not None
        query = instances(self.compiled.focus_query, _subclasses(store))
        return {s["this"] for s in _select(store, query)}

    def outcome(self, store: ox.Store) -> Outcome:
        assert self.compiled is not None
        subclasses = _subclasses(store)
        rows = [row for check in self.compiled.checks for row in (
            _sparql_rows(store, check, subclasses) if check.sparql is not None else
            _core_rows(store, check, subclasses))]
        focus = {row.focus for row in rows}
        present = {f for f in focus if store.query(
            "ASK { { ?this ?p ?o } UNION { ?s ?p ?this } }", substitutions={_THIS: f})}
        results = {self._result(row, row.focus in present) for row in rows}
        conforms = all(r.severity != "Violation" for r in results)
        return Outcome(conforms, ordered(results), self._report(rows, conforms))

    def _result(self, row: _Row, in_data: bool) -> Result:
        check = row.check
        return Result(severity=str(check.severity).rsplit("#", 1)[-1], focus=row.focus.value,
                      path=self.names.path(check.shape), shape=str(check.shape),
                      messages=tuple(sorted({message_text(m) for m in row.messages})),
                      value=None if row.value is None else row.value.value, in_data=in_data)

    def _report(self, rows: list[_Row], conforms: bool) -> Graph:
        """The SHACL validation report (§3.6) as pySHACL writes it."""
        report = Graph()
        node = BNode()
        report.add((node, RDF.type, SH.ValidationReport))
        report.add((node, SH.conforms, Literal(conforms)))
        for row in rows:
            result = BNode()
            check = row.check
            report.add((node, SH.result, result))
            report.add((result, RDF.type, SH.ValidationResult))
            report.add((result, SH.sourceConstraintComponent, row.component))
            report.add((result, SH.sourceShape, self._copy(check.shape, report)))
            report.add((result, SH.resultSeverity, check.severity))
            report.add((result, SH.focusNode, to_rdflib(row.focus)))
            if row.value is not None:
                report.add((result, SH.value, to_rdflib(row.value)))
            if check.path is not None:
                report.add((result, SH.resultPath, self._copy(check.path, report)))
            if check.sparql is not None:
                report.add((result, SH.sourceConstraint, self._copy(check.sparql, report)))
            for message in row.messages:
                report.add((result, SH.resultMessage, message))
        return report

    def _copy(self, node: Node, report: Graph) -> Node:
        """``node`` of the shapes graph, with what the shapes say of it if it is blank."""
        if isinstance(node, BNode):
            for p, o in self.shapes.predicate_objects(node):
                report.add((node, p, self._copy(o, report)))
        return node


@functools.lru_cache(maxsize=4)
def report_validator(fixed: Graph, shapes: Graph, base_iri: str) -> ReportValidator:
    """Per process, once per (fixed graphs, shapes, base IRI): the data of a build is
    validated as it is stored, on its base IRI, so the shapes and fixed graphs move there."""
    return ReportValidator(rebase_graph(fixed, base_iri), rebase_graph(shapes, base_iri))


def _core_rows(store: ox.Store, check: Check,
               subclasses: Callable[[str], list[str]]) -> list[_Row]:
    solutions = _select(store, instances(check.query, subclasses))
    if check.counts is None:
        return [_Row(check, check.component, s["this"], s["value"], check.messages)
                for s in solutions]
    return [_Row(check, check.component_of(int(s["k"].value)), s["this"], None, check.messages)
            for s in solutions]


def _subclasses(store: ox.Store) -> Callable[[str], list[str]]:
    """The classes of the data under a class (itself included), through
    ``rdfs:subClassOf`` as the data declares it."""
    below: dict[str, set[str]] = {}
    for s in _select(store, f"SELECT ?sub ?class WHERE {{ ?sub {RDFS.subClassOf.n3()} ?class "
                            "FILTER(isIRI(?sub) && isIRI(?class)) }"):
        below.setdefault(s["class"].value, set()).add(s["sub"].value)

    @functools.cache
    def under(cls: str) -> list[str]:
        found, todo = {cls}, [cls]
        while todo:
            for sub in below.get(todo.pop(), ()):
                if sub not in found:
                    found.add(sub)
                    todo.append(sub)
        return sorted(found)
    return under


def _sparql_rows(store: ox.Store, check: Check,
                 subclasses: Callable[[str], list[str]]) -> list[_Row]:
    """A SPARQL-based constraint (SHACL §5.3), run for each focus node with ``$this``
    pre-bound; a solution's ``?value`` (for a node shape, the focus node when unbound) and
    its other variables fill the messages' ``{?name}`` (pySHACL drops their language)."""
    rows: list[_Row] = []
    targets = instances(f"SELECT DISTINCT ?this WHERE {check.targets}", subclasses)
    for f in (s["this"] for s in _select(store, targets)):
        seen: set[tuple[tuple[str, Term | None], ...]] = set()
        solutions = _prebound(store, check.query, f)
        names = [v.value for v in solutions.variables]
        for solution in solutions:
            bound = tuple((name, solution[name]) for name in names)
            found = dict(bound)
            if bound in seen or all(found.get(k) is None for k in ("this", "path", "value")):
                continue
            seen.add(bound)
            focus = found.get("this") or f
            value = found.get("value") or (f if check.path is None else None)
            filled = {**found, "this": focus, "value": value}
            messages = tuple(Literal(_filled(str(m), filled)) for m in check.messages)
            rows.append(_Row(check, check.component, focus, value, messages))
    return rows


_PROJECTS_THIS = re.compile(r"^\s*(?:PREFIX[^\n]*\n\s*)*SELECT\b[^{]*?[?$]this\b", re.I)
_MENTIONS_THIS = re.compile(r"[?$]this\b")


def _prebound(store: ox.Store, query: str, focus: Term) -> ox.QuerySolutions:
    """The solutions of ``query`` with ``$this`` pre-bound to ``focus`` (SHACL §5.3.1).
    Oxigraph substitutes only a variable the query selects; a query that names ``$this``
    only in its pattern gets the node written in its place."""
    if _PROJECTS_THIS.search(query):
        solutions = store.query(query, substitutions={_THIS: focus})
    elif not _MENTIONS_THIS.search(query):
        solutions = store.query(query)
    elif isinstance(focus, ox.BlankNode):
        raise UnsupportedShapes(f"a SPARQL constraint that does not select $this cannot be "
                                f"run on the blank node {focus}")
    else:
        solutions = store.query(_MENTIONS_THIS.sub(lambda _: str(focus), query))
    assert isinstance(solutions, ox.QuerySolutions)
    return solutions


def _filled(message: str, values: dict[str, Term | None]) -> str:
    for name, value in values.items():
        if value is not None:
            message = re.sub(r"\{[?$]" + re.escape(name) + r"\}",
                             value.value.replace("\\", r"\\"), message)
    return message


def _select(store: ox.Store, query: str) -> ox.QuerySolutions:
    solutions = store.query(query)
    assert isinstance(solutions, ox.QuerySolutions)
    return solutions


def node_text(node: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    """A node as the build names it: an IRI, a blank node's label, a literal's value."""
    return str(node) if isinstance(node, ox.Triple) else node.value


def to_rdflib(term: Term) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == str(XSD.string):
        return Literal(term.value)  # as rdflib reads a plain literal
    return Literal(term.value, datatype=URIRef(term.datatype.value))
