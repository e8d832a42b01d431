"""``/report/<symbol>``: a report's whole source text as a document, every text part the graph
knows (annex, section, paragraph, footnote…) an element whose ``id`` is its IRI under the
report's, every mention a link to what it names. A provenance quote links here
(``report_href``), and ``:target`` highlights it.

The text is the file published with the dumps (checked against the sha256 the graph records);
the structure is read from the store: the spans of the text parts and of the mentions. Text
parts nest by their spans; text that no part covers is shown as it is, so nothing of the
source is left out.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from flask import Response, render_template, request
from markupsafe import Markup, escape

from ..errors import HttpError
from ..queries import not_modified
from ..runtime import Runtime, runtime
from .dumps import dumps_folder
from .naming import Namer, text_lang, visible_controls
from .paths import checked_path
from .responses import CODE_DIGEST, cacheable, host_tag, html_response
from .search import current_index
from .terms import bindings, prologue

ROW_LIMIT = 200_000
SOURCE = """SELECT ?t ?file ?sha WHERE {{
  <{doc}> dakg:sourceText ?t . ?t dcterms:identifier ?file . OPTIONAL {{ ?t dakg:sha256 ?sha }}
}}"""
PARTS = """SELECT ?x ?type ?start ?end ?parent WHERE {{
  ?x dakg:sourceSpan ?span . ?span oa:hasSource <{text}> ; oa:hasSelector ?pos .
  ?pos oa:start ?start ; oa:end ?end .
  OPTIONAL {{ ?x a ?type FILTER(STRSTARTS(STR(?type), "{dakg}")) }}
  OPTIONAL {{ ?x dcterms:isPartOf ?parent }}
}}"""
MENTIONS = """SELECT ?m ?body ?start ?end WHERE {{
  ?m oa:hasTarget ?span ; oa:hasBody ?body . ?span oa:hasSource <{text}> ; oa:hasSelector ?pos .
  ?pos oa:start ?start ; oa:end ?end .
}}"""
# Text parts drawn as blocks that hold others; the rest are paragraphs.
CONTAINERS = ("Annex", "RecommendationSection", "ReviewSection", "ProgressReport")
# The blocks of a section, in English, as headings for readers of a section alone (the
# report's own headings, 落实工作 and the like, are in its text).
BLOCK_HEADINGS = {"ImplementationParagraph": "Implementation", "Highlight": "Highlights",
                  "ActivityParagraph": "Activities and outcomes", "ProgressParagraph": "Progress"}


@dataclass
class Part:
    iri: str
    start: int
    end: int
    kind: str = ""  # local name of its type in the ontology
    parent: str = ""  # what it is dcterms:isPartOf
    children: list[Part] = field(default_factory=list)


@dataclass(frozen=True)
class Mention:
    iri: str
    bodies: tuple[str, ...]  # what it names: one thing, or several ("建议7和22")
    start: int
    end: int


def report_href(n: Namer, document: str, resource: str) -> str | None:
    """The place of ``resource`` (a text part or mention of ``document``) in the annotated
    report, or None if it is not under the document's IRI."""
    prefix = n.base + "id/document/"
    if not document.startswith(prefix) or not resource.startswith(document + "/"):
        return None
    return (f"{n.root}/report/{document[len(prefix):]}#"
            f"{_anchor(document, resource)}")


def _anchor(document: str, iri: str) -> str:
    return iri[len(document) + 1:] if iri.startswith(document + "/") else iri


def _source_text(rt: Runtime, document: str) -> tuple[str, str, str]:
    """(source text IRI, its file name, the text) of ``document``, from the file published
    with the dumps; 404 if there is none."""
    rows, _ = bindings(rt, prologue(rt) + SOURCE.format(doc=document), 10)
    folder = dumps_folder(rt)
    for row in rows:
        name, sha = row["file"].value, row["sha"].value if "sha" in row else ""
        path = folder / name if folder is not None and "/" not in name else None
        if path is None or not path.is_file():
            continue
        data = path.read_bytes()
        if sha and hashlib.sha256(data).hexdigest() != sha:
            raise HttpError(500, f"the published source text {name} is not the one the graph "
                                 "was built from (its sha256 differs)")
        return row["t"].value, name, data.decode("utf-8")
    raise HttpError(404, f"no source text of <{document}> is published on this server")


def _parts(rt: Runtime, text_iri: str) -> list[Part]:
    dakg = rt.settings.base_iri + "def/"
    rows, _ = bindings(rt, prologue(rt) + PARTS.format(text=text_iri, dakg=dakg), ROW_LIMIT)
    parts: dict[str, Part] = {}
    for row in rows:
        iri = row["x"].value
        part = parts.setdefault(iri, Part(iri, int(row["start"].value), int(row["end"].value)))
        kind = row["type"].value[len(dakg):] if "type" in row else ""
        if kind and (not part.kind or kind in CONTAINERS):
            part.kind = kind
        if "parent" in row:
            part.parent = row["parent"].value
    return list(parts.values())


def _mentions(rt: Runtime, text_iri: str) -> list[Mention]:
    rows, _ = bindings(rt, prologue(rt) + MENTIONS.format(text=text_iri), ROW_LIMIT)
    spans: dict[str, tuple[int, int]] = {}
    bodies: dict[str, set[str]] = {}
    for r in rows:
        spans[r["m"].value] = int(r["start"].value), int(r["end"].value)
        bodies.setdefault(r["m"].value, set()).add(r["body"].value)
    found = [Mention(iri, tuple(sorted(bodies[iri])), *span) for iri, span in spans.items()]
    return sorted(found, key=lambda m: (m.start, -m.end, m.iri))


def nest(parts: list[Part], length: int) -> Part:
    """The parts as a tree by their spans, under a root spanning the text; a part that
    overlaps another without containing it is put beside it."""
    root = Part("", 0, length, "root")
    stack = [root]
    for part in sorted(parts, key=lambda p: (p.start, -p.end, p.iri)):
        while len(stack) > 1 and part.start >= stack[-1].end:
            stack.pop()
        stack[-1].children.append(part)
        stack.append(part)
    return root


@dataclass(frozen=True)
class ReportText:
    """A report's source text and what the graph knows of it, read once per data version:
    its text parts as a tree, its mentions, the names of both and of what they name."""

    document: str
    text_iri: str
    file: str
    text: str
    tree: Part
    parts: dict[str, Part]
    mentions: list[Mention]
    names: dict[str, tuple[str, str]]
    dakg: str  # the ontology's namespace, for the names of the parts' kinds

    def name(self, part: Part) -> str:
        """A part's label; a part without one: its kind's label and the last step of its
        IRI."""
        found = self.names.get(part.iri, ("", ""))[0]
        if found:
            return found
        kind = self.names.get(self.dakg + part.kind, ("", ""))[0] or part.kind
        return f"{kind[:1].upper()}{kind[1:]} {part.iri.rpartition('/')[2]}"

    @functools.cached_property
    def starts(self) -> list[int]:
        """Where each mention starts (``mentions`` are in this order)."""
        return [m.start for m in self.mentions]

    def outside(self, container: Part) -> list[Part]:
        """The parts of ``container`` (by ``dcterms:isPartOf``) whose text lies elsewhere,
        in the order of the text: footnotes printed after the section that calls them."""
        inside = {p.iri for p in walk(container)}
        return sorted((p for p in self.parts.values()
                       if p.parent == container.iri and p.iri not in inside),
                      key=lambda p: (p.start, p.iri))


def report_text(rt: Runtime, document: str) -> ReportText:
    """The ``ReportText`` of ``document``; 404 if its source text is not published here."""
    version = rt.dataset.current().version
    found: ReportText = rt.cache.get(("report-text", version, document),
                                     lambda: _read(rt, document))
    return found


def _read(rt: Runtime, document: str) -> ReportText:
    text_iri, name, text = _source_text(rt, document)
    parts = _parts(rt, text_iri)
    mentions = _mentions(rt, text_iri)
    dakg = rt.settings.base_iri + "def/"
    names = current_index(rt).names({p.iri for p in parts} | {b for m in mentions for b in m.bodies}
                                    | {dakg + p.kind for p in parts})
    return ReportText(document, text_iri, name, text, nest(parts, len(text)),
                      {p.iri: p for p in parts}, mentions, names, dakg)


@dataclass
class Renderer:
    """Writes parts of a report's text as HTML: parts as elements, mentions as links,
    uncovered text as is. ``place`` gives the element ``id`` of a part or mention;
    ``paragraph_href`` where the ¶ of a paragraph leads."""

    source: ReportText
    namer: Namer
    place: Callable[[str], str]
    paragraph_href: Callable[[Part], str]
    block_headings: bool = False  # an <h3> in English where a section's next block begins

    def part(self, part: Part) -> Markup:
        if not part.children:
            return self._leaf(part)
        inner = self.inside(part)
        if part.kind == "root":
            return inner
        return Markup('<section class="part {kind}" id="{id}">{head}{inner}</section>').format(
            kind=part.kind, id=self.place(part.iri), head=self._head(part), inner=inner)

    def inside(self, part: Part) -> Markup:
        """What ``part`` holds, without the element around it."""
        return Markup("").join(self._inside(part))

    def _inside(self, part: Part) -> Iterator[Markup]:
        at = part.start
        block = ""
        for child in part.children:
            if child.start > at:
                yield self._gap(at, child.start)
            if self.block_headings and child.kind in BLOCK_HEADINGS and child.kind != block:
                block = child.kind
                yield Markup('<h3 class="block-head" lang="en">{}</h3>').format(
                    BLOCK_HEADINGS[block])
            yield self.part(child)
            at = max(at, child.end)
        if part.end > at:
            yield self._gap(at, part.end)

    def _head(self, part: Part) -> Markup:
        name = self.source.name(part)
        return Markup('<p class="part-head"{lang}><a href="{href}">{name}</a></p>').format(
            href=self.namer.local(part.iri) or part.iri, name=name,
            lang=Markup("") if text_lang(name) else Markup(' lang="en"'))

    def _leaf(self, part: Part) -> Markup:
        name = self.source.name(part)
        return Markup('<p class="part {kind}" id="{id}"><a class="pilcrow" href="{href}" '
                      'title="{name}" aria-label="{name}" lang="en">¶</a>{text}</p>').format(
            kind=part.kind, id=self.place(part.iri), href=self.paragraph_href(part),
            name=name, text=self._text(part.start, part.end))

    def _gap(self, start: int, end: int) -> Markup:
        """Text no part covers (block headings, bullets), without the blank lines around it."""
        gap = self.source.text[start:end]
        if not gap.strip():
            return Markup("")
        start, end = start + len(gap) - len(gap.lstrip()), end - len(gap) + len(gap.rstrip())
        return Markup('<p class="gap">{}</p>').format(self._text(start, end))

    def _text(self, start: int, end: int) -> Markup:
        """The text from ``start`` to ``end`` with the mentions inside it as links."""
        text, names = self.source.text, self.source.names
        out: list[Markup] = []
        at = start
        # Mentions are in the order of their starts: those from ``start`` on, up to ``end``.
        first = bisect.bisect_left(self.source.starts, start)
        for m in itertools.islice(self.source.mentions, first, None):
            if m.start >= end:
                break
            if m.start < at or m.end > end:
                continue
            out.append(escape(visible_controls(text[at:m.start])))
            # A mention of one thing links to it; of several, to the mention, which lists them.
            target = m.bodies[0] if len(m.bodies) == 1 else m.iri
            out.append(Markup('<a class="mention" id="{id}" href="{href}" title="{title}">'
                              '{text}</a>').format(
                id=self.place(m.iri), href=self.namer.local(target) or target,
                title="; ".join(names.get(b, ("", ""))[0] or self.namer.short(b)
                                for b in m.bodies),
                text=visible_controls(text[m.start:m.end])))
            at = m.end
        out.append(escape(visible_controls(text[at:end])))
        return Markup("").join(out)


def _render(rt: Runtime, document: str) -> dict[str, object]:
    source = report_text(rt, document)
    namer = Namer(rt)
    body = Renderer(source, namer, lambda iri: _anchor(document, iri),
                    lambda p: namer.local(p.iri) or p.iri).part(source.tree)
    # In the report's own contents, its parts without its symbol: "Annex I, section on …".
    own = document.rpartition("/id/document/")[2] + ", "
    contents = [(c, source.name(c).removeprefix(own)) for c in walk(source.tree)
                if c.kind in CONTAINERS and c.kind != "ProgressReport"]
    return {"body": body, "contents": contents, "parts": len(source.parts),
            "mentions": len(source.mentions), "characters": len(source.text),
            "text_iri": source.text_iri, "names": source.names, "file": source.file}


def walk(part: Part) -> Iterator[Part]:
    """The parts under ``part``, in the order of the text."""
    for child in part.children:
        yield child
        yield from walk(child)


def report(symbol: str) -> Response:
    rt = runtime()
    document = rt.settings.base_iri + "id/document/" + checked_path(symbol)
    version = rt.dataset.current().version
    digest = hashlib.blake2b(f"{document}\0{request.script_root}".encode(), digest_size=6)
    etag = f"{version}-report-{CODE_DIGEST}-{digest.hexdigest()}-{host_tag()}"
    if etag in request.if_none_match:
        return not_modified(etag)
    rendered = rt.cache.get(("report", version, document, request.script_root),
                            lambda: _render(rt, document))
    response = html_response(render_template(
        "report.html", n=Namer(rt), document=document, symbol=symbol,
        anchor=lambda iri: _anchor(document, iri), **rendered))
    cacheable(response, etag)
    return response
