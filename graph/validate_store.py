"""SHACL validation of a built store, graph by graph, and the checks only the whole dataset
can answer, as SPARQL on the store.

The shapes see one report at a time, with the context it needs: the ontology (whose
``rdfs:subClassOf`` the ``sh:class`` constraints follow), the curated data, and what the shared
graph says of the resources the report names, followed from resource to resource (a cited
document, its session, the session's committee). Statements of the shared graph that point
into another report's nodes stay out: they are that report's to answer for.

Each report is validated as a build validates it, by the shapes compiled into SPARQL
(``shacl_sparql``). Validating report by report keeps memory to one report's size, but a
constraint that counts the values of a shared resource (``sh:maxCount``) must see every
report at once: those run as SPARQL queries over the store (``check_store``).
"""

from __future__ import annotations

import multiprocessing
import os
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import PROV, RDFS, SH

from .rdf import iris
from .rdf.dataset import REPORTED
from .rdf.namespaces import rebased_iri
from .report_job import ignore_interrupts
from .shacl_sparql import ReportValidator
from .store import to_graph
from .validate import (
    Outcome,
    PathNames,
    Result,
    merged,
    message_text,
    results_report,
)


def validate_store(store: ox.Store, shapes: Graph, graphs: dict[str, str],
                   path: Path | None = None, workers: int | None = None) -> Outcome:
    """Validate every graph of ``store`` but the fixed and shared ones (``graphs``: their
    names under ``ontology``, ``reference`` and ``shared``), then the whole dataset. With
    the store's ``path`` (opened read-only by each), graphs are validated in ``workers``
    processes (one per core by default)."""
    names = list(_other_graphs(store, set(graphs.values())))
    count = min(workers or os.cpu_count() or 1, len(names))
    if path is None or count <= 1 or any(isinstance(n, ox.DefaultGraph) for n in names):
        context = _Context(store, graphs)
        outcomes = [context.validate(name, shapes) for name in names]
    else:
        with ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("spawn"),
                                 initializer=ignore_interrupts) as pool:
            outcomes = list(pool.map(_validate_in_worker, [
                (path, graphs, shapes.serialize(format="nt"), name.value)
                for name in names if isinstance(name, ox.NamedNode)]))
    outcomes.append(check_store(store, shapes, graphs["shared"]))
    return merged(outcomes)


class _Context:
    """What every graph is validated beside: the fixed graphs and the shared graph.

    A report's graph goes from the store to the validator as N-Triples (``Store.dump``), and
    its context is followed in Oxigraph's terms: the report never becomes an rdflib graph,
    whose parsing took half of ``dakg validate``'s time (1.5 s a report)."""

    def __init__(self, store: ox.Store, graphs: dict[str, str]) -> None:
        self.store = store
        fixed = [q for name in (graphs["ontology"], graphs["reference"])
                 for q in store.quads_for_pattern(None, None, None, ox.NamedNode(name))]
        self.fixed = to_graph(fixed)  # the validator's, in rdflib's terms
        self.shared = ox.Store()  # in memory: looked up once for each node a report names
        self.shared.extend(ox.Quad(q.subject, q.predicate, q.object) for q in
                           store.quads_for_pattern(None, None, None,
                                                   ox.NamedNode(graphs["shared"])))
        self.described: set[_Subject] = {q.subject for q in self.shared}
        self.known = self.described | {q.subject for q in fixed}
        self.named = {q.subject for q in fixed} | {
            q.object for q in fixed if isinstance(q.object, ox.NamedNode)}
        counts = Counter((q.subject, q.predicate) for q in self.shared
                         if q.predicate in _REPORTED)
        self.several = {key for key, n in counts.items() if n > 1}
        self._compiled: tuple[Graph, ReportValidator] | None = None

    def validate(self, name: ox.NamedNode | ox.DefaultGraph, shapes: Graph) -> Outcome:
        data = self.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=name)
        assert data is not None
        # Its terms read back from the text, not from the store again: each term read from
        # the store is a lookup of its text there, as costly as the dump itself.
        subjects: set[_Term] = set()
        objects: set[_Term] = set()
        for triple in ox.parse(data, format=ox.RdfFormat.N_TRIPLES):
            subjects.add(triple.subject)
            objects.add(triple.object)
        context = ox.serialize(self.context(subjects, objects), format=ox.RdfFormat.N_TRIPLES)
        assert context is not None
        outcome, _ = self._validator(shapes).validate_nquads(data + context, ())
        return outcome

    def context(self, subjects: set[_Term], objects: set[_Term]) -> list[ox.Triple]:
        """What the shared graph says of the resources a report (its ``subjects`` and
        ``objects``) and the fixed graphs name, and of those these name, and so on. Left
        out: statements whose object is a node only another report describes, and what
        other reports say of a resource (a ``REPORTED`` statement whose object the report
        does not hold, where the resource has several): else the context of each report
        would grow with the number of reports."""
        known = self.known | subjects
        held = subjects | objects
        todo = self.described & (
            subjects | {o for o in objects if isinstance(o, ox.NamedNode)} | self.named)
        seen: set[_Subject] = set()
        found: list[ox.Triple] = []
        while todo:
            node = todo.pop()
            seen.add(node)
            for quad in self.shared.quads_for_pattern(node, None, None, ox.DefaultGraph()):
                p, o = quad.predicate, quad.object
                if isinstance(o, ox.NamedNode) and o not in known:
                    continue
                if p in _REPORTED and o not in held and (node, p) in self.several:
                    continue
                found.append(quad.triple)
                if isinstance(o, ox.NamedNode) and o in self.described and o not in seen:
                    todo.add(o)
        return found

    def _validator(self, shapes: Graph) -> ReportValidator:
        """The shapes compiled once (the build's validator: pySHACL's results, some 3x
        faster; pySHACL itself for shapes the compilation refuses)."""
        if self._compiled is None or self._compiled[0] is not shapes:
            self._compiled = (shapes, ReportValidator(self.fixed, shapes))
        return self._compiled[1]


_Subject = ox.NamedNode | ox.BlankNode | ox.Triple
_Term = _Subject | ox.Literal
_REPORTED = frozenset(ox.NamedNode(str(p)) for p in REPORTED)


_worker: tuple[_Context, Graph] | None = None  # per worker process: the context, the shapes


def _validate_in_worker(task: tuple[Path, dict[str, str], str, str]) -> Outcome:
    global _worker
    path, graphs, shapes, name = task
    if _worker is None:
        _worker = (_Context(ox.Store.read_only(str(path)), graphs),
                   Graph().parse(data=shapes, format="nt"))
    context, parsed = _worker
    return context.validate(ox.NamedNode(name), parsed)


def _other_graphs(store: ox.Store, fixed: set[str]) -> Iterator[ox.NamedNode | ox.DefaultGraph]:
    names = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    yield from (ox.NamedNode(n) for n in names if n not in fixed)
    if next(store.quads_for_pattern(None, None, None, ox.DefaultGraph()), None) is not None:
        yield ox.DefaultGraph()  # a live copy may have been written to


def check_store(store: ox.Store, shapes: Graph, shared: str) -> Outcome:
    """The constraints that only the whole dataset can check: no resource of the shared graph
    has more values of a property than a shape's ``sh:maxCount`` allows, counted over all
    reports (each report alone was within the limit).

    What several reports say of one resource meets in the shared graph: a report's own graph
    speaks only of its own nodes (``dataset.split_shared``), and was validated with what the
    shared graph says of the resources it names. So the values are counted in the shared graph
    and the fixed graphs beside it (the ontology, the curated data), never in the reports'
    graphs: a scan of one property in a few graphs, whose cost follows the shared graph, not
    the whole store. (A count over the union of all graphs looks each resource up in every
    graph: on a store just bulk-loaded, report by report, each lookup costs in proportion to
    the number of reports, and the check grew with their square: 43 s at 1,000 reports.)
    """
    names = PathNames(shapes)
    counted = " ".join(f"<{g}>" for g in _counted_graphs(store, shared))
    results = []
    for shape in sorted(shapes.subjects(SH.maxCount, None), key=str):
        path = shapes.value(shape, SH.path)
        targets = sorted(str(t) for t in shapes.objects(shape, SH.targetClass)
                         if isinstance(t, URIRef))
        if not isinstance(path, URIRef) or not targets:
            continue  # the shapes count only simple paths of classes
        limit = int(str(shapes.value(shape, SH.maxCount)))
        rows = store.query(f"""SELECT ?s WHERE {{
            {{ SELECT DISTINCT ?s WHERE {{ GRAPH <{shared}> {{ ?s <{path}> ?value }} }} }}
            {{ SELECT ?s ?o WHERE {{ VALUES ?g {{ {counted} }} GRAPH ?g {{ ?s <{path}> ?o }} }} }}
            }} GROUP BY ?s HAVING (COUNT(DISTINCT ?o) > {limit}) LIMIT 20""")
        assert isinstance(rows, ox.QuerySolutions)
        over = [row["s"] for row in rows]
        severity = str(shapes.value(shape, SH.severity) or SH.Violation).rsplit("#", 1)[-1]
        messages = tuple(sorted(message_text(m) for m in shapes.objects(shape, SH.message)))
        for focus in _of_classes(store, over, targets):
            results.append(Result(severity=severity, focus=focus, path=names.path(shape),
                                  shape=str(shape), messages=messages, value=None))
    violations = [r for r in results if r.severity == "Violation"]
    return Outcome(not violations, tuple(results), results_report(results))


def _counted_graphs(store: ox.Store, shared: str) -> list[str]:
    """The shared graph and the fixed graphs: every named graph but those the shared graph
    was drawn from (the reports' own, ``dataset.shared_metadata``)."""
    reports = {q.object.value for q in store.quads_for_pattern(
        ox.NamedNode(shared), ox.NamedNode(str(PROV.wasDerivedFrom)), None, ox.NamedNode(shared))
        if isinstance(q.object, ox.NamedNode)}
    return sorted(g.value for g in store.named_graphs()
                  if isinstance(g, ox.NamedNode) and g.value not in reports)


def _of_classes(store: ox.Store, nodes: list[ox.NamedNode | ox.BlankNode | ox.Literal],
                classes: list[str]) -> list[str]:
    """The IRIs among ``nodes`` that are instances of one of ``classes`` (or of a subclass),
    in the order given: asked of the few resources over a limit only."""
    iris = [n for n in nodes if isinstance(n, ox.NamedNode)]
    if not iris:
        return []
    rows = store.query(f"""SELECT DISTINCT ?s WHERE {{
        VALUES ?s {{ {" ".join(str(n) for n in iris)} }}
        VALUES ?class {{ {" ".join(f"<{c}>" for c in classes)} }}
        ?s a/<{RDFS.subClassOf}>* ?class }}""", use_default_graph_as_union=True)
    assert isinstance(rows, ox.QuerySolutions)
    typed = {row["s"].value for row in rows}
    return [n.value for n in iris if n.value in typed]


def fixed_graph_names(base_iri: str) -> dict[str, str]:
    """The names of the graphs every build holds, on ``base_iri``."""
    return {kind: rebased_iri(str(name), base_iri) for kind, name in (
        ("ontology", iris.graph_ontology()), ("reference", iris.graph_reference()),
        ("shared", iris.graph_shared()))}
