"""Triples as the mapping makes them: in the order they come, each kept once.

The mapping of a report only ever adds. An rdflib ``Graph`` indexes each triple three ways as
it comes (its ``Memory`` store also keeps the triple's contexts and fires an event), which
costs more than the mapping itself; a report is therefore mapped into ``Triples``, becomes a
``Graph`` only where one is read (the single-report path, pySHACL, tests) and goes to the
store, and to a build's validator, as N-Quads written straight from the triples
(``store.nquads``). The order is the mapping's, so those N-Quads come out the same in every
run.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterable, Iterator
from typing import Protocol

from rdflib import Graph
from rdflib.term import Node

Triple = tuple[Node, Node, Node]


class Sink(Protocol):
    """Where mapping code adds triples: ``Triples``, or an rdflib ``Graph``."""

    def add(self, triple: Triple, /) -> object: ...


class Triples:
    """An ordered set of triples."""

    def __init__(self) -> None:
        self._triples: dict[Triple, None] = {}

    def add(self, triple: Triple, /) -> None:
        self._triples[triple] = None

    def __iter__(self) -> Iterator[Triple]:
        return iter(self._triples)


def fill(graph: Graph, triples: Iterable[Triple]) -> Graph:
    """Add ``triples`` to ``graph``; give it back."""
    add = graph.store.add  # what Graph.add calls, given these tuples rather than copies
    with collector_paused():
        for triple in triples:
            add(triple, graph, quoted=False)
    return graph


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector. Mapping a report makes some 10⁶ objects that
    stay alive (terms, triples, index entries) and next to no cycles to free: the collector
    would only walk them again and again as they pile up, which took a third of the mapping's
    time. They are walked once when it resumes."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
