"""Running SPARQL on the store from the command line, and printing the answer.

The default graph of a query is the union of the named graphs, as on the server, and the
usual prefixes (dakg, oa, skos, dcterms, …) are declared, so that a quick question needs no
prologue.
"""

from __future__ import annotations

import unicodedata

import pyoxigraph as ox

from dakg.formats import BY_NAME, FORMATS, Kind, offers
from dakg.sparql_syntax import explain, undeclared

from .dumps import to_bytes
from .errors import GraphError

Result = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples

OUTPUT_FORMATS = ("table", *(f.name for f in FORMATS))
SOLUTION_OUTPUTS = ("table", *(f.name for f in offers(Kind.SOLUTIONS)))
GRAPH_OUTPUTS = tuple(f.name for f in offers(Kind.GRAPH))


class QueryError(GraphError):
    """The query is not valid SPARQL, or its result cannot be shown in the format asked."""


def run_query(store: ox.Store, query: str, prefixes: dict[str, str] | None = None) -> Result:
    """Run ``query``; ``prefixes`` are declared for it unless it declares them itself."""
    problem = undeclared(query, prefixes or {})
    if problem is not None:
        raise QueryError(f"the query is not valid SPARQL: {problem}")
    try:
        return store.query(query, use_default_graph_as_union=True, prefixes=prefixes)
    except SyntaxError as e:
        raise QueryError(f"the query is not valid SPARQL: {explain(query, str(e))}") from e
    except OSError as e:
        raise QueryError(f"the query failed: {e}") from e


def render(result: Result, fmt: str, prefixes: dict[str, str]) -> bytes:
    """The result in ``fmt``: a table or a results format for SELECT/ASK, RDF for graphs.

    Oxigraph evaluates as the result is read, so evaluation errors surface here.
    """
    try:
        return _render(result, fmt, prefixes)
    except (OSError, ValueError, RuntimeError) as e:
        raise QueryError(f"the query failed: {e}") from e


def _render(result: Result, fmt: str, prefixes: dict[str, str]) -> bytes:
    if fmt not in OUTPUT_FORMATS:
        raise QueryError(f"unknown format {fmt!r}; expected one of {', '.join(OUTPUT_FORMATS)}")
    if isinstance(result, ox.QueryTriples):
        if fmt not in (*GRAPH_OUTPUTS, "table"):
            raise QueryError(f"a graph result can be written as {', '.join(GRAPH_OUTPUTS)}, "
                             f"not {fmt}")
        return to_bytes(list(result), BY_NAME["turtle" if fmt == "table" else fmt].rdf,
                        prefixes)
    if fmt not in SOLUTION_OUTPUTS:
        raise QueryError(f"a SELECT or ASK result can be written as "
                         f"{', '.join(SOLUTION_OUTPUTS)}, not {fmt}")
    if fmt != "table":
        written = result.serialize(format=BY_NAME[fmt].results)
        assert written is not None
        return written
    if isinstance(result, ox.QueryBoolean):
        return b"true\n" if bool(result) else b"false\n"
    return table(result, prefixes).encode()


def table(solutions: ox.QuerySolutions, prefixes: dict[str, str]) -> str:
    names = [v.value for v in solutions.variables]
    rows = [[_short(solution[name], prefixes) for name in names] for solution in solutions]
    widths = [max([_width(name), *(_width(row[i]) for row in rows)])
              for i, name in enumerate(names)]
    lines = [_line(names, widths), "  ".join("-" * w for w in widths)]
    lines += [_line(row, widths) for row in rows]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines) + "\n"


def _short(term: object, prefixes: dict[str, str]) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        # For reading, not for pasting back: id:recommendation/20 is shorter than the IRI.
        for prefix, namespace in prefixes.items():
            local = term.value.removeprefix(namespace)
            if local != term.value and local and "#" not in local:
                return f"{prefix}:{local}"
        return f"<{term.value}>"
    if isinstance(term, ox.Literal):
        text = term.value.replace("\n", "⏎")
        return f"{text}@{term.language}" if term.language else text
    return str(term)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _line(cells: list[str], widths: list[int]) -> str:
    return "  ".join(c + " " * (w - _width(c)) for c, w in zip(cells, widths, strict=True)).rstrip()
