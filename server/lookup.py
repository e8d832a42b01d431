"""Lookups: one triple pattern, answered in the web process instead of a query process.

Most linked-data traffic asks for the triples of one resource (``SELECT ?p ?o { <x> ?p ?o }``).
Such a query is an index scan that stops after the row cap: it cannot run away, so it does
not need a killable process, and sparing it the round trip to one more than doubles the
lookups a server answers. Everything else (joins, filters, paths, ORDER BY, DISTINCT, OFFSET,
FROM, …) still goes to the query processes.

The shape is read from the tokens of ``sparql_scan``, with a grammar that admits only::

    (PREFIX p: <iri> | BASE <iri>)*
    SELECT (* | ?var+) [WHERE] { term term term [.] } [LIMIT n]

where a term is a variable, an IRI, a prefixed name, ``a``, or a literal, the projected
variables are variables of the pattern, and no variable occurs twice (that would filter a
scan, which could then cover the whole store to find nothing). So is ``DESCRIBE`` of named
resources (``DESCRIBE <iri>…``, no WHERE): what a linked-data client asks about one
resource, scans from each IRI read only up to the row cap. Oxigraph evaluates the query
itself; the grammar only decides where.
"""

from __future__ import annotations

import functools
import itertools
import threading
from typing import Any

import pyoxigraph as ox

from dakg.formats import BY_NAME
from dakg.sparql_syntax import explain

from . import results
from .jobs import Fault, Job, Reply
from .sparql_scan import CACHED, Inspection, Token, inspect, own_limit
from .worker import open_store

_TERM_KINDS = {"var", "iri", "pname", "string", "number"}


def plan(inspection: Inspection, row_limit: int) -> str | None:
    """The lookup's text with a LIMIT that bounds its scan, or None if it is not a lookup."""
    if inspection.dataset_clause or inspection.fetches:
        return None
    if inspection.form == "DESCRIBE":
        return inspection.text if _is_describe(list(inspection.tokens)) else None
    if inspection.form != "SELECT":
        return None
    if len(inspection.text) <= CACHED:
        return _plan_cached(inspection.text, row_limit)
    return _plan(inspection, row_limit)


@functools.lru_cache(maxsize=1024)
def _plan_cached(text: str, row_limit: int) -> str | None:
    return _plan(inspect(text), row_limit)


def _plan(inspection: Inspection, row_limit: int) -> str | None:
    found = list(inspection.tokens)
    if not _is_lookup(found):
        return None
    bound = row_limit + 1  # one more than may be sent, to see whether there were more
    last = found[-1]
    if len(found) > 2 and found[-2].is_word("LIMIT"):
        bound = min(bound, int(last.text))
        return inspection.text[: found[-2].offset] + f"LIMIT {bound}"
    return inspection.text[: last.offset + len(last.text)] + f" LIMIT {bound}"


def _is_lookup(found: list[Token]) -> bool:
    i = _prologue_end(found)
    if i >= len(found) or not found[i].is_word("SELECT"):
        return False
    i += 1
    projected: set[str] = set()
    if i < len(found) and found[i].kind == "punct" and found[i].text == "*":
        i += 1
    else:
        while i < len(found) and found[i].kind == "var":
            projected.add(found[i].text[1:])
            i += 1
        if not projected:
            return False
    if i < len(found) and found[i].is_word("WHERE"):
        i += 1
    in_pattern = _pattern_and_limit(found, i)
    # Only variables of the pattern: each projected variable costs a column in every row,
    # and thousands of unbound ones would make even a few rows slow to write.
    return in_pattern is not None and projected <= in_pattern


def _is_describe(found: list[Token]) -> bool:
    """``DESCRIBE`` of named resources only (no WHERE, no variables): their descriptions are
    index scans from each, read only as far as the row cap (``results.take``)."""
    i = _prologue_end(found)
    if i >= len(found) or not found[i].is_word("DESCRIBE"):
        return False
    named = found[i + 1:]
    return bool(named) and all(t.kind in ("iri", "pname") for t in named)


def _prologue_end(found: list[Token]) -> int:
    i = 0
    while i < len(found):
        if found[i].is_word("PREFIX") and i + 2 < len(found) and found[i + 1].kind == "pname" \
                and found[i + 2].kind == "iri":
            i += 3
        elif found[i].is_word("BASE") and i + 1 < len(found) and found[i + 1].kind == "iri":
            i += 2
        else:
            return i
    return i


def _pattern_and_limit(found: list[Token], i: int) -> set[str] | None:
    """The variables of the pattern at ``i`` (then an optional LIMIT, then the end)."""
    if i >= len(found) or found[i].text != "{":
        return None
    i += 1
    variables = []
    for _ in range(3):
        if i < len(found) and found[i].kind == "var":
            variables.append(found[i].text[1:])
        i = _term(found, i)
        if i < 0:
            return None
    if len(set(variables)) != len(variables):
        return None  # ?x ?x ?o filters a scan: the scan could cover the whole store
    if i < len(found) and found[i].kind == "punct" and found[i].text == ".":
        i += 1
    if i >= len(found) or found[i].text != "}":
        return None
    i += 1
    if i < len(found) and found[i].is_word("LIMIT"):
        if i + 1 >= len(found) or found[i + 1].kind != "number" \
                or not found[i + 1].text.isdigit():
            return None
        i += 2
    return set(variables) if i == len(found) else None


def _term(found: list[Token], i: int) -> int:
    """Index after the term at ``i``, or -1 if there is no term there."""
    if i >= len(found):
        return -1
    token = found[i]
    if token.is_word("A", "TRUE", "FALSE"):
        return i + 1
    if token.kind not in _TERM_KINDS:
        return -1
    i += 1
    if token.kind == "string" and i < len(found):
        if found[i].kind == "langtag":
            return i + 1
        if found[i].text == "^^" and i + 1 < len(found) and found[i + 1].kind in ("iri",
                                                                                    "pname"):
            return i + 2
    return i


class LocalStore:
    """The web process's own store, reopened when the data moves on: an in-memory copy when
    the dataset takes at most ``in_memory_bytes``, as in the query processes, else a
    read-only handle on the store on disk (an index scan there takes some five times
    longer)."""

    def __init__(self, in_memory_bytes: int = 0) -> None:
        self.in_memory_bytes = in_memory_bytes
        self._lock = threading.Lock()
        self._path: str | None = None
        self._store: ox.Store | None = None

    def get(self, path: str) -> ox.Store:
        with self._lock:
            if path != self._path or self._store is None:
                self._store = None
                self._store = open_store(path, self.in_memory_bytes)
                self._path = path
            return self._store


# The least a row takes in each format; an answer shorter than row_limit times this cannot
# hold more than row_limit rows, so it is sent as Oxigraph first wrote it.
_MIN_ROW_BYTES = {"json": 2, "xml": 8, "csv": 1, "tsv": 1}


def run(store: ox.Store, job: Job) -> Reply:
    """Answer a planned lookup like a query process would (same reply shape)."""
    options: dict[str, Any] = {"use_default_graph_as_union": True, "base_iri": job.base_iri,
                               "prefixes": job.prefixes}
    try:
        answer = store.query(job.text, **options)
        if isinstance(answer, ox.QueryTriples):
            return _described(answer, job)
        assert isinstance(answer, ox.QuerySolutions)
        body = answer.serialize(format=BY_NAME[job.format].results)
        assert body is not None
        # Too short to hold more rows than the cap, or the query's own LIMIT is within it.
        if len(body) < _MIN_ROW_BYTES[job.format] * job.row_limit or \
                (own_limit(job.text) or job.row_limit + 1) <= job.row_limit:
            return Reply(body=body, count=None, truncated=False)
        answer = store.query(job.text, **options)  # long: write it again, cut at the cap
        assert isinstance(answer, ox.QuerySolutions)
        body, count, cut = results.solutions(answer, job.format, job.row_limit)
    except SyntaxError as e:
        return Reply.failed(Fault.SYNTAX, explain(job.text, str(e)))
    except OSError as e:
        return Reply.failed(Fault.SYSTEM, str(e))
    except ValueError as e:
        return Reply.failed(Fault.EVALUATION, str(e))
    return Reply(body=body, count=count, truncated=cut)


def _described(answer: ox.QueryTriples, job: Job) -> Reply:
    """A DESCRIBE's triples, read one past the cap at most, written in the job's format."""
    triples = list(itertools.islice(answer, job.row_limit + 1))
    cut = len(triples) > job.row_limit
    del triples[job.row_limit:]
    body = results.graph(triples, job.format, job.prefixes, job.row_limit if cut else None)
    return Reply(body=body, count=len(triples), truncated=cut)
