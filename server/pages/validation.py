"""``/validation``: the SHACL validation report of the current build, as the build saved it
(``validation.ttl`` beside ``build.json``): whether the data conforms, how many shapes and
focus nodes were checked, and each result with its focus node linked to its page. As HTML, or
as RDF (Turtle, JSON-LD, …) by ``Accept`` or extension (``/validation.ttl``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from flask import Response, render_template, request
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from dakg.graph.validation_report import read_report

from .. import formats
from ..errors import HttpError
from ..queries import not_modified
from ..runtime import Runtime, runtime
from .labels import fetch_labels
from .naming import Namer
from .negotiation import DOWNLOADS, EXTENSIONS, negotiate
from .ontology_docs import Texts, path_text, texts, turtle
from .paths import header_path
from .responses import CODE_DIGEST, cacheable, host_tag, html_response


@dataclass(frozen=True)
class Finding:
    """One ``sh:result``."""

    severity: str
    focus: str  # an IRI, or a term as Turtle writes it
    focus_is_iri: bool
    path: str
    message: Texts
    value: str
    shape: str
    component: str


@dataclass(frozen=True)
class Summary:
    conforms: bool
    shapes: int | None
    focus_nodes: int | None
    findings: tuple[Finding, ...]

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)


def validation() -> Response:
    return _answer(None)


def validation_file(ext: str) -> Response:
    if ext not in EXTENSIONS:
        raise HttpError(404, f"no representation of the validation report with extension "
                             f"{ext!r}")
    return _answer(ext)


def _answer(ext: str | None) -> Response:
    rt = runtime()
    chosen = negotiate(ext)
    name = chosen if isinstance(chosen, str) else chosen.name
    etag = (f"{rt.dataset.current().version}-validation-{name}-{CODE_DIGEST}-{host_tag()}"
            f"-{request.script_root}")
    if etag in request.if_none_match:
        return not_modified(etag)
    data = read_report(build_folder(rt))
    if isinstance(chosen, str):
        response = html_response(_page(rt, data))
    elif data is None:
        raise HttpError(404, "this dataset has no validation report: it was not made by "
                             "dakg build (or by a version that did not keep one)")
    else:
        # Kept per version: the report's blank nodes are named anew at each parse.
        body = rt.cache.get(("validation", rt.dataset.current().version, chosen.name),
                            lambda: _convert(rt, data, chosen))
        response = Response(body, content_type=chosen.content_type)
    cacheable(response, etag)
    if ext is None:
        response.vary.add("Accept")
        path = header_path(request.script_root + "/validation")
        response.headers["Link"] = ", ".join(
            f'<{path}.{d.ext}>; rel="alternate"; type="{d.media_type}"' for d in DOWNLOADS)
    return response


def _convert(rt: Runtime, data: bytes, fmt: formats.Format) -> bytes:
    """The saved report (Turtle) in ``fmt``, with the prefixes it uses."""
    used = {p: ns for p, ns in rt.prefixes.items() if ns.encode() in data}
    written = ox.serialize(ox.parse(data, format=ox.RdfFormat.TURTLE), format=fmt.rdf,
                           prefixes=used)
    assert written is not None  # no output file given: the bytes are returned
    return written


def build_folder(rt: Runtime) -> Path:
    return Path(rt.dataset.current().store).parent


def _page(rt: Runtime, data: bytes | None) -> str:
    summary = summarise(data, rt.settings.base_iri + "def/") if data is not None else None
    namer = Namer(rt)
    if summary is not None:
        fetch_labels(rt, namer, [f.focus for f in summary.findings if f.focus_is_iri])
    return render_template("validation.html", summary=summary, n=namer, downloads=DOWNLOADS,
                           version=rt.dataset.current().version)


def summarise(data: bytes, namespace: str) -> Summary:
    """What a saved report says, read for the page (``namespace``: the ontology's, on the
    base IRI the data was built with)."""
    g = Graph().parse(data=data, format="turtle")
    report = g.value(None, RDF.type, SH.ValidationReport)
    if report is None:
        raise HttpError(500, "the saved validation report holds no sh:ValidationReport")
    findings = sorted((_finding(g, r) for r in g.objects(report, SH.result)),
                      key=lambda f: (f.severity, f.focus, f.path, f.value))
    return Summary(conforms=str(g.value(report, SH.conforms)) == "true",
                   shapes=_count(g, report, URIRef(namespace + "shapesApplied")),
                   focus_nodes=_count(g, report, URIRef(namespace + "focusNodesChecked")),
                   findings=tuple(findings))


def _finding(g: Graph, result: Node) -> Finding:
    focus = g.value(result, SH.focusNode)
    path = g.value(result, SH.resultPath)
    value = g.value(result, SH.value)
    return Finding(
        severity=str(g.value(result, SH.resultSeverity) or "").rsplit("#", 1)[-1],
        focus=str(focus) if isinstance(focus, URIRef) else _text(g, focus),
        focus_is_iri=isinstance(focus, URIRef),
        path=path_text(g, path) if path is not None else "",
        message=texts(g, result, SH.resultMessage),
        value=_text(g, value),
        shape=str(g.value(result, SH.sourceShape) or ""),
        component=_text(g, g.value(result, SH.sourceConstraintComponent)))


def _text(g: Graph, node: Node | None) -> str:
    return "" if node is None else turtle(g, node)


def _count(g: Graph, report: Node, prop: URIRef) -> int | None:
    """A count the build added (``dakg:shapesApplied``…)."""
    value = g.value(report, prop)
    return None if value is None else int(str(value))
