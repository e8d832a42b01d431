"""All the kinds of mention in one pass over a piece of text, in text order.

A project's documents are read where the text gives them with the project, in the role the
text states:

* in brackets right after its name: its project document
  (``运用公有领域信息促进经济发展（CDIP/16/4 REV.）``);
* in brackets after a role word later in the same sentence: the document in that role
  (``在讨论…共同解决项目的背景下…(ii)项目审评报告（CDIP/16/3）``: its evaluation report);
* in a list introduced by a role word (``请参见关于以下发展议程项目的审评报告：`` followed by
  ``· 知识产权…获取知识（CDIP/10/5）；``): the documents of each item are in that role
  (``in_list_of``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ..records import Citation, DocumentRole, DocumentSymbol, EntityMention, Mention, Span
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
_ROLE_WORDS = {"项目文件": DocumentRole.PROJECT_DOCUMENT,
               "审评报告": DocumentRole.EVALUATION_REPORT,
               "完成报告": DocumentRole.COMPLETION_REPORT}
_ROLE_BEFORE_BRACKET = re.compile(rf"(?P<role>{'|'.join(_ROLE_WORDS)})（(?:见)?(?:文件)?$")
_ROLE_LIST_INTRO = re.compile(rf"(?P<role>{'|'.join(_ROLE_WORDS)})：$")
_SENTENCE_END = "。"  # a role word may follow the project after a ；, as in an enumeration


@dataclass(frozen=True)
class MentionFinder:
    gazetteer: Gazetteer
    sessions: SessionFinder

    def for_report(self, symbol: DocumentSymbol) -> MentionFinder:
        """This finder inside the report ``symbol``: its own session is the current one."""
        return replace(self, sessions=self.sessions.for_session(symbol.committee,
                                                                symbol.session))

    def __call__(self, text: Excerpt) -> tuple[Mention, ...]:
        citations = find_citations(text)
        names = [_with_documents(m, text, citations) for m in self.gazetteer.find(text)
                 # A committee's acronym inside a document symbol (the CDIP of CDIP/10/9)
                 # is part of the citation, not a mention of its own.
                 if not any(_overlap(m.span, c.span) for c in citations)]
        names = _with_role_documents(names, text, citations)
        found: list[Mention] = [*citations, *self.sessions(text), *names,
                                *find_cross_references(text)]
        return tuple(sorted(found, key=lambda m: (m.span.start, m.span.end, type(m).__name__)))


def list_role(intro: str) -> DocumentRole | None:
    """The role a paragraph such as ``…以下发展议程项目的审评报告：`` gives the list after it."""
    match = _ROLE_LIST_INTRO.search(intro)
    return _ROLE_WORDS[match["role"]] if match else None


def in_list_of(role: DocumentRole, mentions: tuple[Mention, ...]) -> tuple[Mention, ...]:
    """The mentions of a list item under an introduction that named the documents' role."""
    return tuple(replace(m, role=role) if isinstance(m, EntityMention) and m.documents else m
                 for m in mentions)


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


def _with_role_documents(names: list[EntityMention], text: Excerpt,
                         citations: list[Citation]) -> list[EntityMention]:
    """Give a citation that follows a role word (审评报告（CDIP/16/3）) to the project named
    last before it in the same sentence, if that project has no documents of its own yet."""
    for citation in citations:
        at = _index_of(text, citation.span)
        role = _ROLE_BEFORE_BRACKET.search(text.text, 0, at)
        if role is None:
            continue
        sentence_start = max(text.text.rfind(ch, 0, at) for ch in _SENTENCE_END) + 1
        before = [i for i, m in enumerate(names) if m.kind == "project" and not m.documents
                  and text.offset(sentence_start) <= m.span.start < citation.span.start]
        if before:
            i = before[-1]
            names[i] = replace(names[i], documents=(citation.symbol,),
                               role=_ROLE_WORDS[role["role"]])
    return names


def _index_of(text: Excerpt, span: Span) -> int:
    """The index in ``text`` of the character whose source offset is ``span.start``."""
    return next(i for i in range(len(text)) if text.offset(i) >= span.start)


def _index_after(text: Excerpt, span: Span) -> int:
    """The index in ``text`` just after the character whose source span ends at ``span.end``."""
    index = next(i for i in range(len(text)) if text.offset(i) >= span.end - 1)
    return index + 1


def _overlap(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end
