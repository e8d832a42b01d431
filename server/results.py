"""Writing query results with Oxigraph, with the row cap applied and marked.

Oxigraph writes every result. A SELECT that may be longer than the cap is first written as
TSV, one line per row, into a sink that stops the evaluation once it holds one row more than
the cap; the first ``cap`` rows are then read back and written in the format asked for, by
Oxigraph again. A query whose own top-level LIMIT is within the cap cannot be cut and is
written directly.

A cut result says so in the ``Dakg-Truncated`` header (set by the endpoint), and in the body
where the format has room for it: JSON (``"truncated": true`` beside ``head``), XML (a
comment), the RDF formats that have comments (``# …``). CSV, TSV and JSON-LD have no place
for it.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING

import pyoxigraph as ox

from dakg.formats import BY_NAME
from dakg.graph.dumps import to_bytes

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

_TSV = ox.QueryResultsFormat.TSV


def take(items: Iterable[object], limit: int) -> tuple[list[object], bool]:
    """Up to ``limit`` items, and whether there were more."""
    taken: list[object] = []
    for item in items:
        if len(taken) == limit:
            return taken, True
        taken.append(item)
    return taken, False


def truncation_note(limit: int, unit: str) -> str:
    return (f"result truncated: the query matched more than {limit} {unit}; only the first "
            f"{limit} are given (add LIMIT/OFFSET to page through them)")


# -- SELECT, ASK ------------------------------------------------------------------------------

class _Enough(Exception):
    """The sink holds more rows than the cap: stop the evaluation."""


class _Lines(io.BytesIO):
    """A sink for Oxigraph's TSV writer that counts lines (a header, then a row each)."""

    def __init__(self, wanted: int) -> None:
        super().__init__()
        self.lines = 0
        self.wanted = wanted

    def write(self, data: ReadableBuffer) -> int:
        written = super().write(data)
        self.lines += bytes(data).count(b"\n")
        if self.lines > self.wanted:
            raise _Enough
        return written

    def head(self) -> bytes:
        """The first ``wanted`` lines."""
        data = self.getvalue()
        end = -1
        for _ in range(self.wanted):
            end = data.find(b"\n", end + 1)
            if end < 0:
                return data
        return data[: end + 1]


def solutions(answer: ox.QuerySolutions, fmt: str, cap: int, *,
              bounded: bool = False) -> tuple[bytes, int | None, bool]:
    """``answer`` in ``fmt`` (json, xml, csv, tsv), at most ``cap`` rows: the body, its rows
    (None when not counted) and whether it was cut. ``bounded``: the query cannot give more
    than ``cap`` rows (its own LIMIT says so), so it is written straight, uncounted."""
    target = BY_NAME[fmt].results
    if bounded:
        written = answer.serialize(format=target)
        assert written is not None
        return written, None, False
    sink = _Lines(cap + 1)
    try:
        answer.serialize(sink, format=_TSV)
        cut = False
    except _Enough:
        cut = True
    tsv = sink.head()
    rows = max(tsv.count(b"\n") - 1, 0)  # a header line, then a line a row
    body = tsv if target == _TSV else ox.parse_query_results(tsv, _TSV).serialize(format=target)
    assert body is not None
    return (mark(body, fmt, cap) if cut else body), rows, cut


def mark(body: bytes, fmt: str, cap: int) -> bytes:
    """A cut SELECT result as Oxigraph wrote it, with the note where the format has room."""
    note = truncation_note(cap, "rows")
    if fmt == "json" and body.endswith(b"}"):
        extra = f',"truncated":true,"rowLimit":{cap},"note":{json.dumps(note)}}}'
        return body[:-1] + extra.encode()
    if fmt == "xml":
        head, found, rest = body.partition(b"</head>")
        if found:
            return head + found + BY_NAME[fmt].comment.format(note).encode() + rest
    return body


def boolean(answer: ox.QueryBoolean, fmt: str) -> bytes:
    written = answer.serialize(format=BY_NAME[fmt].results)
    assert written is not None
    return written


# -- CONSTRUCT, DESCRIBE, graphs ----------------------------------------------------------

def graph(triples: list[ox.Triple] | list[ox.Quad], fmt: str, prefixes: dict[str, str],
          limit: int | None) -> bytes:
    """Triples (or quads) in an RDF format; triples become default-graph quads where needed."""
    written = BY_NAME[fmt]
    body = to_bytes(triples, written.rdf, prefixes)
    if limit is None or not written.comment:
        return body
    note = written.comment.format(truncation_note(limit, "triples")).encode()
    if fmt == "rdfxml" and body.startswith(b"<?xml"):
        declaration, _, rest = body.partition(b"\n")
        return declaration + b"\n" + note + rest
    return note + body
