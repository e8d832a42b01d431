"""Mentions as Web Annotations, and the things they name: documents and sessions.

A mention becomes ``<part/mention/k>``, an annotation whose target is its span and whose body
is the thing named; the part of the text it occurs in gets a direct link too
(``dakg:citesDocument`` and the like), and so does, through ``link``, the section around it.
Documents and sessions are described once all mentions are in: a document cited under
several spellings keeps each as a ``skos:hiddenLabel``. A mention is labelled by what it names
and where (``Mention of CDIP/16/4 Rev. in CDIP/35/2, Annex I, recommendation 25, …``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from ..extract.numerals import format_chinese_number
from ..records import (
    Citation,
    CrossReference,
    DocumentRole,
    DocumentSymbol,
    EntityMention,
    Mention,
    Passage,
    SessionMention,
    Span,
)
from . import iris, labels
from .labels import Name
from .literals import integer
from .namespaces import DAKG, OA
from .triples import Sink

_ENTITY = {
    "sector": (DAKG.SectorMention, DAKG.mentionsSector, iris.sector),
    "committee": (DAKG.CommitteeMention, DAKG.mentionsCommittee, iris.committee),
    "programme": (DAKG.ProgrammeMention, DAKG.mentionsProgramme, iris.programme),
    "project": (DAKG.ProjectMention, DAKG.mentionsProject, iris.project),
}

_ROLE = {
    DocumentRole.PROJECT_DOCUMENT: DAKG.projectDocument,
    DocumentRole.EVALUATION_REPORT: DAKG.evaluationReport,
    DocumentRole.COMPLETION_REPORT: DAKG.completionReport,
}

Anchor = Callable[[URIRef, Span, Name], URIRef]
# The kind of an entity, for a mention label where the curated data has no English name.
_ENTITY_KIND = {"sector": ("a WIPO sector", "产权组织部门"), "committee": ("a committee", "委员会"),
                "programme": ("a WIPO programme", "产权组织计划"),
                "project": ("a Development Agenda project", "发展议程项目")}


class MentionMapper:
    def __init__(self, graph: Sink, anchor: Anchor,
                 footnote_mentions: Mapping[int, tuple[Mention, ...]],
                 body_names: Mapping[str, tuple[str, str]],
                 entity_names: Mapping[URIRef, tuple[str, str | None]]) -> None:
        self.g = graph
        self.body_names = body_names  # committee key → names for session labels (zh, en)
        self.entity_names = entity_names  # entity → its curated names (zh, en or None)
        self.anchor = anchor
        self.footnote_mentions = footnote_mentions
        self.documents: dict[DocumentSymbol, set[str]] = defaultdict(set)
        self.sessions: set[tuple[str, int]] = set()

    def annotate(self, part: URIRef, part_name: Name, node: URIRef, mention: Mention) -> None:
        """``node`` annotates ``part``: the text at ``mention.span`` names something."""
        g = self.g
        name = labels.mention(self.name_of(mention), part_name)
        labels.label(g, node, name)
        g.add((node, OA.hasTarget, self.anchor(node, mention.span, name)))
        g.add((node, DAKG.inTextPart, part))
        cls, prop, bodies = self._kind(mention)
        # A name identifies what it names; a symbol or a 请参见 links the reader elsewhere.
        linking = isinstance(mention, (Citation, CrossReference))
        g.add((node, OA.motivatedBy, OA.linking if linking else OA.identifying))
        g.add((node, RDF.type, cls))
        g.add((node, RDF.type, OA.Annotation))
        for body in bodies:
            g.add((node, OA.hasBody, body))
            g.add((part, prop, body))
        if isinstance(mention, EntityMention):  # the role as this report gives it
            for symbol in mention.documents:
                g.add((node, _ROLE[mention.role], iris.document(symbol)))

    def link(self, node: URIRef, passages: Iterable[Passage],
             recommendations: Iterable[URIRef] = ()) -> None:
        """State on a section (and its recommendations) what its text and footnotes mention."""
        recommendations = list(recommendations)
        for passage in passages:
            mentions = [*passage.mentions]
            for number in passage.footnotes:
                mentions += self.footnote_mentions[number]
            for mention in mentions:
                _, prop, bodies = self._kind(mention)
                for body in bodies:
                    self.g.add((node, prop, body))
                    self._link_recommendations(mention, body, recommendations)

    def cite(self, symbol: DocumentSymbol, spelling: str) -> None:
        """Note a document to describe, as written."""
        self.documents[symbol].add(spelling)

    def finish(self) -> None:
        """Describe every document and session the mentions named."""
        for symbol, spellings in sorted(self.documents.items(), key=lambda i: i[0].canonical):
            self._document(symbol, spellings)
        for committee, number in sorted(self.sessions):
            self._session(committee, number)

    def name_of(self, mention: Mention) -> Name:
        """What a mention names, for its label: a symbol, a session, recommendations by
        number, an entity by its curated name (in English the kind, if it has none)."""
        if isinstance(mention, Citation):
            return Name(mention.symbol.canonical, mention.symbol.canonical)
        if isinstance(mention, SessionMention):
            return self.session_name(mention.committee, mention.number)
        if isinstance(mention, CrossReference):
            return labels.recommendations(mention.numbers)
        return self.entity_name(mention.kind, _ENTITY[mention.kind][2](mention.key))

    def entity_name(self, kind: str, entity: URIRef) -> Name:
        name_zh, name_en = self.entity_names.get(entity, (None, None))
        kind_en, kind_zh = _ENTITY_KIND[kind]
        return Name(name_en or kind_en, name_zh or kind_zh)

    def session_name(self, committee: str, number: int) -> Name:
        name_zh, name_en = self.body_names.get(committee, (committee, committee))
        return Name(f"{_ordinal(number)} session of the {name_en}",
                    f"{name_zh}第{format_chinese_number(number)}届会议")

    def _kind(self, mention: Mention) -> tuple[URIRef, URIRef, list[URIRef]]:
        if isinstance(mention, Citation):
            self.cite(mention.symbol, mention.surface)
            return DAKG.DocumentCitation, DAKG.citesDocument, [iris.document(mention.symbol)]
        if isinstance(mention, SessionMention):
            self.sessions.add((mention.committee, mention.number))
            return (DAKG.SessionMention, DAKG.mentionsSession,
                    [iris.session(mention.committee, mention.number)])
        if isinstance(mention, CrossReference):
            return (DAKG.RecommendationReference, DAKG.refersTo,
                    [iris.recommendation(n) for n in mention.numbers])
        assert isinstance(mention, EntityMention)
        cls, prop, mint = _ENTITY[mention.kind]
        for symbol in mention.documents:
            self.cite(symbol, symbol.canonical)
            self.g.add((mint(mention.key), _ROLE[mention.role], iris.document(symbol)))
        return cls, prop, [mint(mention.key)]

    def _link_recommendations(self, mention: Mention, body: URIRef,
                              recommendations: list[URIRef]) -> None:
        for rec in recommendations:
            if isinstance(mention, CrossReference) and body != rec:
                self.g.add((rec, DAKG.refersTo, body))
            elif isinstance(mention, EntityMention) and mention.kind in ("programme", "project"):
                self.g.add((body, DAKG.reportedUnder, rec))

    def _document(self, symbol: DocumentSymbol, spellings: set[str]) -> None:
        g = self.g
        node = iris.document(symbol)
        g.add((node, RDF.type, DAKG.Document))
        g.add((node, DAKG.symbol, Literal(symbol.canonical)))
        g.add((node, RDFS.label, Literal(symbol.canonical)))
        g.add((node, DAKG.documentNumber, integer(symbol.number)))
        g.add((node, DAKG.informationDocument, Literal(symbol.information)))
        g.add((node, DAKG.forSession, iris.session(symbol.committee, symbol.session)))
        self.sessions.add((symbol.committee, symbol.session))
        for spelling in sorted(spellings - {symbol.canonical}):
            g.add((node, SKOS.hiddenLabel, Literal(spelling)))
        if symbol.revision is not None:
            g.add((node, DAKG.revision, integer(symbol.revision)))
            g.add((node, DAKG.revisionOf, iris.document(symbol.unrevised)))
            if symbol.unrevised not in self.documents:  # described from the symbol alone
                self._document(symbol.unrevised, set())

    def _session(self, committee: str, number: int) -> None:
        g = self.g
        node = iris.session(committee, number)
        g.add((node, RDF.type, DAKG.Session))
        g.add((node, DAKG.committee, iris.committee(committee)))
        g.add((node, DAKG.sessionNumber, integer(number)))
        labels.label(g, node, self.session_name(committee, number))


def _ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(
        number % 10, "th")
    return f"{number}{suffix}"
