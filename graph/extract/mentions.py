"""All the kinds of mention in one pass over a piece of text, in text order."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ..records import Citation, EntityMention, Mention, Span
from .crossrefs import find_cross_references
from .excerpt import Excerpt
from .gazetteer import Gazetteer
from .sessions import SessionFinder
from .symbols import find_citations

# What may stand between a project's name and the bracket that gives its documents:
# ``…项目——第一阶段和第二阶段（CDIP/10/6和CDIP/14/6）``, ``…的发展议程项目（文件CDIP/27/6）``.
_PROJECT_DOCUMENTS = re.compile(
    r"(?:的)?(?:发展议程)?(?:专题)?(?:项目)?(?:——第[一二三四]阶段(?:和第[一二三四]阶段)?)?"
    r"（(?:见)?(?:文件)?(?P<symbols>[^（）]+)）")
_SYMBOL_SEPARATORS = re.compile(r"[和、\s]*")


@dataclass(frozen=True)
class MentionFinder:
    gazetteer: Gazetteer
    sessions: SessionFinder

    def __call__(self, text: Excerpt) -> tuple[Mention, ...]:
        citations = find_citations(text)
        names = [_with_documents(m, text, citations) for m in self.gazetteer.find(text)
                 # A committee's acronym inside a document symbol (the CDIP of CDIP/10/9)
                 # is part of the citation, not a mention of its own.
                 if not any(_overlap(m.span, c.span) for c in citations)]
        found: list[Mention] = [*citations, *self.sessions(text), *names,
                                *find_cross_references(text)]
        return tuple(sorted(found, key=lambda m: (m.span.start, m.span.end, type(m).__name__)))


def _with_documents(mention: EntityMention, text: Excerpt,
                    citations: list[Citation]) -> EntityMention:
    if mention.kind != "project":
        return mention
    end = _index_after(text, mention.span)
    bracket = _PROJECT_DOCUMENTS.match(text.text, end)
    if bracket is None:
        return mention
    inside = Span(text.offset(bracket.start("symbols")), text.offset(bracket.end("symbols")))
    cited = [c for c in citations if inside.start <= c.span.start and c.span.end <= inside.end]
    rest = bracket["symbols"]
    for citation in cited:
        rest = rest.replace(citation.surface, "", 1)
    if not cited or not _SYMBOL_SEPARATORS.fullmatch(rest):
        return mention
    return replace(mention, documents=tuple(c.symbol for c in cited))


def _index_after(text: Excerpt, span: Span) -> int:
    """The index in ``text`` just after the character whose source span ends at ``span.end``."""
    index = next(i for i in range(len(text)) if text.offset(i) >= span.end - 1)
    return index + 1


def _overlap(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end
