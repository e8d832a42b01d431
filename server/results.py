"""Writing query results, with the row cap applied and marked.

SELECT results are written here rather than by Oxigraph, so that a result cut at the row cap
can still be written, and say that it was cut: in JSON (``"truncated": true`` beside
``head``), in XML (a comment), in the RDF formats that have comments (``# …``). CSV, TSV and
JSON-LD have no place for it; the ``Dakg-Truncated`` response header, sent with every format,
says it there.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable, Iterator
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from dakg.graph.dumps import to_bytes

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

_RDF_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
}
_COMMENT = {"turtle": "# {}\n", "ntriples": "# {}\n", "trig": "# {}\n", "nquads": "# {}\n",
            "rdfxml": "<!-- {} -->\n"}


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


# -- SELECT -----------------------------------------------------------------------------------

def solutions(variables: list[str], rows: list[ox.QuerySolution], fmt: str,
              limit: int | None) -> bytes:
    """``rows`` in ``fmt`` (json, xml, csv, tsv); ``limit`` is set when they were cut."""
    writer = {"json": _json, "xml": _xml, "csv": _csv, "tsv": _tsv}[fmt]
    return writer(variables, rows, limit).encode("utf-8")


def _json(variables: list[str], rows: list[ox.QuerySolution], limit: int | None) -> str:
    # Built as text rather than through dicts: this is the hot path of every lookup.
    names = [_dumps(v) for v in variables]
    bindings = []
    for row in rows:
        fields = [f"{name}:{_json_term(term)}"
                  for name, term in zip(names, row, strict=True) if term is not None]
        bindings.append("{" + ",".join(fields) + "}")
    head = '{"head":{"vars":' + _dumps(variables) + '},'
    tail = ""
    if limit is not None:
        note = _quote(truncation_note(limit, "rows"))
        tail = f',"truncated":true,"rowLimit":{limit},"note":{note}'
    return head + '"results":{"bindings":[' + ",".join(bindings) + "]}" + tail + "}"


_dumps = json.JSONEncoder(ensure_ascii=False).encode
_quote = getattr(json.encoder, "c_encode_basestring", None) or json.encoder.py_encode_basestring
_iris: dict[str, str] = {}  # IRIs recur (predicates, classes): keep their JSON


def _json_iri(iri: str) -> str:
    found = _iris.get(iri)
    if found is None:
        if len(_iris) > 50_000:
            _iris.clear()
        found = _iris[iri] = '{"type":"uri","value":' + _quote(iri) + "}"
    return found


def _json_term(term: Term) -> str:
    if isinstance(term, ox.NamedNode):
        return _json_iri(term.value)
    if isinstance(term, ox.Literal):
        value = _quote(term.value)
        language = term.language
        if language:
            return '{"type":"literal","value":' + value + ',"xml:lang":' + _quote(language) + "}"
        datatype = term.datatype.value
        if datatype == XSD_STRING:
            return '{"type":"literal","value":' + value + "}"
        return '{"type":"literal","value":' + value + ',"datatype":' + _quote(datatype) + "}"
    if isinstance(term, ox.BlankNode):
        return '{"type":"bnode","value":' + _quote(term.value) + "}"
    return ('{"type":"triple","value":{"subject":' + _json_term(term.subject)
            + ',"predicate":' + _json_term(term.predicate) + ',"object":'
            + _json_term(term.object) + "}}")


def _xml(variables: list[str], rows: list[ox.QuerySolution], limit: int | None) -> str:
    out = io.StringIO()
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n'
              '<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>')
    out.writelines(f"<variable name={quoteattr(v)}/>" for v in variables)
    out.write("</head>\n")
    if limit is not None:
        out.write(f"<!-- {truncation_note(limit, 'rows')} -->\n")
    out.write("<results>\n")
    for row in rows:
        out.write("<result>")
        for v in variables:
            term = row[v]
            if term is not None:
                out.write(f"<binding name={quoteattr(v)}>{_xml_term(term)}</binding>")
        out.write("</result>\n")
    out.write("</results>\n</sparql>\n")
    return out.getvalue()


def _xml_term(term: Term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return (f"<literal datatype={quoteattr(term.datatype.value)}>"
                    f"{escape(term.value)}</literal>")
        return f"<literal>{escape(term.value)}</literal>"
    return (f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>"
            f"{_xml_term(term.predicate)}</predicate><object>{_xml_term(term.object)}</object>"
            "</triple>")


def _csv(variables: list[str], rows: list[ox.QuerySolution], _limit: int | None) -> str:
    lines = [",".join(_csv_field(v) for v in variables)]
    for row in rows:
        lines.append(",".join(_csv_field(_csv_value(row[v])) for v in variables))
    return "\r\n".join(lines) + "\r\n"


def _csv_value(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, (ox.NamedNode, ox.Literal)):
        return term.value
    return str(term)


def _csv_field(value: str) -> str:
    if any(ch in value for ch in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def _tsv(variables: list[str], rows: list[ox.QuerySolution], _limit: int | None) -> str:
    lines = ["\t".join(f"?{v}" for v in variables)]
    for row in rows:
        lines.append("\t".join(_tsv_term(row[v]) for v in variables))
    return "\n".join(lines) + "\n"


_XSD = "http://www.w3.org/2001/XMLSchema#"
# Numbers and booleans written as Turtle writes them bare, as Oxigraph's own TSV writer does,
# so that a lookup (written by Oxigraph) and a query (written here) look the same.
_BARE = {
    f"{_XSD}integer": re.compile(r"[+-]?[0-9]+"),
    f"{_XSD}decimal": re.compile(r"[+-]?[0-9]*\.[0-9]+"),
    f"{_XSD}double": re.compile(r"[+-]?(?:[0-9]+\.[0-9]*|\.?[0-9]+)[eE][+-]?[0-9]+"),
    f"{_XSD}boolean": re.compile(r"true|false"),
}


def _tsv_term(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.Literal) and not term.language:
        bare = _BARE.get(term.datatype.value)
        if bare is not None and bare.fullmatch(term.value):
            return term.value
    return str(term)


def boolean(value: bool, fmt: str) -> bytes:
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": value}).encode()
    if fmt == "xml":
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/'
                f'sparql-results#">\n<head/>\n<boolean>{str(value).lower()}</boolean>\n'
                '</sparql>\n').encode()
    if fmt == "csv":
        return f"_askResult\r\n{str(value).lower()}\r\n".encode()
    return f"?_askResult\n{str(value).lower()}\n".encode()


# -- CONSTRUCT, DESCRIBE, graphs ----------------------------------------------------------

def graph(triples: list[ox.Triple] | list[ox.Quad], fmt: str, prefixes: dict[str, str],
          limit: int | None) -> bytes:
    """Triples (or quads) in an RDF format; triples become default-graph quads where needed."""
    rdf_format = _RDF_FORMATS[fmt]
    data: Iterator[ox.Triple] | Iterator[ox.Quad] | list[ox.Triple] | list[ox.Quad] = triples
    if rdf_format.supports_datasets:
        data = (t if isinstance(t, ox.Quad) else ox.Quad(t.subject, t.predicate, t.object)
                for t in triples)
    body = to_bytes(data, rdf_format, prefixes)
    if limit is None or fmt not in _COMMENT:
        return body
    note = _COMMENT[fmt].format(truncation_note(limit, "triples")).encode()
    if fmt == "rdfxml" and body.startswith(b"<?xml"):
        declaration, _, rest = body.partition(b"\n")
        return declaration + b"\n" + note + rest
    return note + body
