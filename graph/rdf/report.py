"""A ``Report`` as RDF: the report graph.

Everything here is what the extractor found in the text, each piece anchored to its span
(``provenance.py``). Links that hold for a whole section (the documents it cites, the
programmes it reports on) are also stated on the section and on its recommendations, so that
common questions need no property paths.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from ..extract.numerals import format_chinese_number
from ..extract.symbols import parse_symbol
from ..records import (
    Citation,
    CrossReference,
    DocumentSymbol,
    EntityMention,
    Mention,
    Paragraph,
    Passage,
    Report,
    ReviewItem,
    Section,
    SessionMention,
)
from . import iris
from .namespaces import DAKG, FABIO, OA
from .provenance import anchor, derive

_PARAGRAPH_CLASS = {
    "cover": DAKG.CoverParagraph,
    "implementation": DAKG.ImplementationParagraph,
    "highlights": DAKG.Highlight,
    "activities": DAKG.ActivityParagraph,
    "progress": DAKG.ProgressParagraph,
}
_PARAGRAPH_STEP = {"cover": "paragraph", "implementation": "implementation",
                   "highlights": "highlight", "activities": "activity", "progress": "progress"}
_ENTITY = {
    "committee": (DAKG.CommitteeMention, DAKG.mentionsCommittee, iris.committee),
    "programme": (DAKG.ProgrammeMention, DAKG.mentionsProgramme, iris.programme),
    "project": (DAKG.ProjectMention, DAKG.mentionsProject, iris.project),
}


def zh(text: str) -> Literal:
    return Literal(text, lang="zh")


def en(text: str) -> Literal:
    return Literal(text, lang="en")


def integer(value: int) -> Literal:
    return Literal(value, datatype=XSD.integer)


class ReportMapper:
    """Maps one report into ``graph``; ``text`` is the source text the spans point into."""

    def __init__(self, report: Report, text: str, graph: Graph, *,
                 sector_of: Callable[[str], URIRef], software_version: str) -> None:
        self.report = report
        self.sector_of = sector_of
        self.text = text
        self.g = graph
        self.version = software_version
        self.node = iris.document(report.symbol)
        self.text_node = iris.part(self.node, "text", report.language)
        self.documents: dict[DocumentSymbol, set[str]] = defaultdict(set)
        self.sessions: set[tuple[str, int]] = set()
        self.footnote_mentions = {f.number: f.mentions for f in report.footnotes}

    def map(self) -> Graph:
        self._report()
        self._cover()
        self._annex_one()
        self._annex_two()
        self._footnotes()
        self._documents()
        self._sessions()
        self._graph_metadata()
        return self.g

    # -- the report, its text and its parts ----------------------------------------------

    def _report(self) -> None:
        g, node, report = self.g, self.node, self.report
        own = parse_symbol(report.symbol)
        g.add((node, RDF.type, DAKG.ProgressReport))
        self.documents[own].add(report.symbol)
        g.add((node, DCTERMS.language, Literal(report.language)))
        g.add((node, DAKG.sourceText, self.text_node))
        g.add((self.text_node, RDF.type, DAKG.SourceText))
        g.add((self.text_node, RDFS.label, en(f"Chinese text export of {report.symbol}")))
        g.add((self.text_node, DCTERMS.format, Literal("text/plain; charset=utf-8")))
        g.add((self.text_node, DCTERMS.language, Literal(report.language)))
        g.add((self.text_node, DAKG.sha256, Literal(report.source_sha256)))
        g.add((self.text_node, DAKG.characterCount,
               Literal(report.source_length, datatype=XSD.integer)))
        g.add((self.text_node, DCTERMS.identifier, Literal(report.source_name)))
        period = iris.part(node, "period")
        g.add((node, DAKG.reportingPeriod, period))
        g.add((period, RDF.type, DAKG.ReportingPeriod))
        g.add((period, DAKG.startMonth, Literal(report.period.start, datatype=XSD.gYearMonth)))
        g.add((period, DAKG.endMonth, Literal(report.period.end, datatype=XSD.gYearMonth)))
        derive(g, period, report.period.span, self.text, self.text_node)
        for number, header in enumerate(report.page_headers, 1):
            mention = iris.part(node, "header", number)
            g.add((mention, RDF.type, DAKG.RunningHeader))
            g.add((mention, OA.motivatedBy, OA.identifying))
            g.add((mention, OA.hasBody, node))
            g.add((mention, OA.hasTarget, anchor(g, mention, header.span, self.text,
                                                 self.text_node)))

    def _cover(self) -> None:
        for paragraph in self.report.cover:
            node = self._paragraph(self.node, paragraph)
            self._link_mentions(self.node, [paragraph])
            self.g.add((node, DCTERMS.isPartOf, self.node))

    def _annex(self, number: int, title: Passage) -> URIRef:
        annex = iris.part(self.node, "annex", number)
        self.g.add((annex, RDF.type, DAKG.Annex))
        self.g.add((annex, DAKG.annexNumber, integer(number)))
        self.g.add((annex, DCTERMS.isPartOf, self.node))
        self.g.add((self.node, DCTERMS.hasPart, annex))
        self.g.add((annex, DCTERMS.title, zh(title.text)))
        self._part(iris.part(annex, "title"), DAKG.Heading, title, annex)
        self.g.add((annex, DAKG.heading, iris.part(annex, "title")))
        return annex

    def _annex_one(self) -> None:
        annex = self._annex(1, self.report.title)
        for section in self.report.sections:
            self._section(annex, section)

    def _annex_two(self) -> None:
        annex = self._annex(2, self.report.review_title)
        for position, item in enumerate(self.report.review_items, 1):
            self._review_item(annex, position, item)

    def _footnotes(self) -> None:
        for footnote in self.report.footnotes:
            node = iris.part(self.node, "footnote", footnote.number)
            self._part(node, DAKG.Footnote, footnote, self.node)
            self.g.add((node, DAKG.footnoteNumber, integer(footnote.number)))

    # -- Annex I ---------------------------------------------------------------------------

    def _section(self, annex: URIRef, section: Section) -> None:
        g = self.g
        node = iris.part(self.node, "section", section.key)
        g.add((node, RDF.type, DAKG.RecommendationSection))
        g.add((node, DCTERMS.isPartOf, annex))
        g.add((annex, DCTERMS.hasPart, node))
        g.add((node, DAKG.position, integer(section.position)))
        g.add((node, DAKG.headingLostInExport, Literal(section.heading is None)))
        derive(g, node, section.span, self.text, self.text_node)
        if section.heading is not None:
            heading = iris.part(node, "heading")
            self._part(heading, DAKG.Heading, section.heading, node)
            g.add((node, DAKG.heading, heading))
        if section.no_highlights is not None:
            g.add((node, DAKG.noHighlights, Literal(True)))
        recommendations = [iris.recommendation(n) for n in section.numbers]
        for number, rec in zip(section.numbers, recommendations, strict=True):
            self._recommendation(number, rec, node, recommendations)
        for statement in section.statements:
            st = iris.part(node, "statement", statement.number)
            self._part(st, DAKG.RecommendationStatement, statement, node)
            g.add((node, DAKG.statement, st))
            g.add((st, DAKG.statementOf, iris.recommendation(statement.number)))
            g.add((iris.recommendation(statement.number), DAKG.recommendationText,
                   zh(statement.text)))
            g.add((iris.recommendation(statement.number), DAKG.statedIn, st))
        self._sectors(node, section, recommendations)
        for paragraph in section.paragraphs():
            self._paragraph(node, paragraph)
        self._link_mentions(node, [*section.statements, *section.paragraphs()],
                            recommendations)

    def _recommendation(self, number: int, rec: URIRef, section: URIRef,
                        group: list[URIRef]) -> None:
        g = self.g
        g.add((rec, RDF.type, DAKG.Recommendation))
        g.add((rec, SKOS.inScheme, iris.scheme()))
        g.add((rec, DAKG.recommendationNumber, integer(number)))
        g.add((rec, SKOS.notation, Literal(str(number))))
        g.add((rec, SKOS.prefLabel, zh(f"建议{number}")))
        g.add((rec, SKOS.prefLabel, en(f"Recommendation {number}")))
        g.add((rec, RDFS.label, zh(f"建议{number}")))
        g.add((rec, RDFS.label, en(f"Recommendation {number}")))
        g.add((section, DAKG.reportsOn, rec))
        g.add((rec, DAKG.reportedIn, section))
        for other in group:
            if other != rec:
                g.add((rec, DAKG.reportedTogetherWith, other))

    def _sectors(self, node: URIRef, section: Section, recommendations: list[URIRef]) -> None:
        for position, name in enumerate(section.sectors, 1):
            mention = iris.part(node, "sector", position)
            sector = self.sector_of(name.text)
            self.g.add((mention, RDF.type, DAKG.SectorMention))
            self.g.add((mention, OA.motivatedBy, OA.identifying))
            self.g.add((mention, OA.hasBody, sector))
            self.g.add((mention, DAKG.inTextPart, node))
            self.g.add((mention, OA.hasTarget,
                        anchor(self.g, mention, name.span, self.text, self.text_node)))
            self.g.add((node, DAKG.relatedSector, sector))
            for rec in recommendations:
                self.g.add((rec, DAKG.relatedSector, sector))

    # -- Annex II --------------------------------------------------------------------------

    def _review_item(self, annex: URIRef, position: int, item: ReviewItem) -> None:
        g = self.g
        node = iris.part(self.node, "review", item.number)
        rec = iris.review_recommendation(item.number)
        g.add((node, RDF.type, DAKG.ReviewSection))
        g.add((node, DCTERMS.isPartOf, annex))
        g.add((annex, DCTERMS.hasPart, node))
        g.add((node, DAKG.position, integer(position)))
        g.add((node, DAKG.reportsOn, rec))
        g.add((rec, DAKG.reportedIn, node))
        derive(g, node, item.span, self.text, self.text_node)
        heading = iris.part(node, "heading")
        self._part(heading, DAKG.Heading, item.heading, node)
        g.add((node, DAKG.heading, heading))
        statement = iris.part(node, "statement")
        self._part(statement, DAKG.RecommendationStatement, item.text, node)
        g.add((node, DAKG.statement, statement))
        g.add((statement, DAKG.statementOf, rec))
        g.add((rec, RDF.type, DAKG.IndependentReviewRecommendation))
        g.add((rec, SKOS.inScheme, iris.review_scheme()))
        g.add((rec, DAKG.recommendationNumber, integer(item.number)))
        g.add((rec, SKOS.notation, Literal(str(item.number))))
        for prop in (SKOS.prefLabel, RDFS.label):
            g.add((rec, prop, zh(f"独立审查建议{item.number}")))
            g.add((rec, prop, en(f"Independent review recommendation {item.number}")))
        g.add((rec, DAKG.addressee, zh(item.addressee)))
        g.add((rec, DAKG.recommendationText, zh(item.text.text)))
        g.add((rec, DAKG.statedIn, statement))
        for paragraph in item.progress:
            self._paragraph(node, paragraph)
        self._link_mentions(node, [item.text, *item.progress])

    # -- pieces of text and their mentions -------------------------------------------------

    def _part(self, node: URIRef, cls: URIRef, passage: Passage, parent: URIRef) -> None:
        g = self.g
        g.add((node, RDF.type, cls))
        g.add((node, DCTERMS.isPartOf, parent))
        g.add((node, DAKG.text, zh(passage.text)))
        derive(g, node, passage.span, self.text, self.text_node)
        for number in passage.footnotes:
            g.add((node, DAKG.hasFootnote, iris.part(self.node, "footnote", number)))
        for position, mention in enumerate(passage.mentions, 1):
            self._mention(node, iris.part(node, "mention", position), mention)

    def _paragraph(self, parent: URIRef, paragraph: Paragraph) -> URIRef:
        node = iris.part(parent, _PARAGRAPH_STEP[paragraph.block], paragraph.position)
        self._part(node, _PARAGRAPH_CLASS[paragraph.block], paragraph, parent)
        self.g.add((node, DAKG.position, integer(paragraph.position)))
        return node

    def _mention(self, part: URIRef, node: URIRef, mention: Mention) -> None:
        g = self.g
        g.add((node, OA.hasTarget, anchor(g, node, mention.span, self.text, self.text_node)))
        g.add((node, DAKG.inTextPart, part))
        cls, prop, bodies = self._mention_kind(mention)
        # A name identifies what it names; a symbol or a 请参见 links the reader elsewhere.
        linking = isinstance(mention, (Citation, CrossReference))
        g.add((node, OA.motivatedBy, OA.linking if linking else OA.identifying))
        g.add((node, RDF.type, cls))
        for body in bodies:
            g.add((node, OA.hasBody, body))
            g.add((part, prop, body))

    def _mention_kind(self, mention: Mention) -> tuple[URIRef, URIRef, list[URIRef]]:
        if isinstance(mention, Citation):
            self.documents[mention.symbol].add(mention.surface)
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
            self.documents[symbol].add(symbol.canonical)
            self.g.add((mint(mention.key), DAKG.projectDocument, iris.document(symbol)))
        return cls, prop, [mint(mention.key)]

    def _link_mentions(self, node: URIRef, passages: Iterable[Passage],
                       recommendations: Iterable[URIRef] = ()) -> None:
        """State on a section (and its recommendations) what its text mentions."""
        recommendations = list(recommendations)
        for passage in passages:
            mentions = [*passage.mentions]
            for number in passage.footnotes:
                mentions += self.footnote_mentions[number]
            for mention in mentions:
                _, prop, bodies = self._mention_kind(mention)
                for body in bodies:
                    self.g.add((node, prop, body))
                    self._link_recommendations(mention, body, recommendations)

    def _link_recommendations(self, mention: Mention, body: URIRef,
                              recommendations: list[URIRef]) -> None:
        for rec in recommendations:
            if isinstance(mention, CrossReference) and body != rec:
                self.g.add((rec, DAKG.refersTo, body))
            elif isinstance(mention, EntityMention) and mention.kind in ("programme", "project"):
                self.g.add((body, DAKG.reportedUnder, rec))

    # -- things the mentions name ----------------------------------------------------------

    def _documents(self) -> None:
        g = self.g
        for symbol, spellings in sorted(self.documents.items(), key=lambda i: i[0].canonical):
            node = iris.document(symbol)
            g.add((node, RDF.type, DAKG.Document))
            g.add((node, DAKG.symbol, Literal(symbol.canonical)))
            g.add((node, RDFS.label, Literal(symbol.canonical)))
            g.add((node, DAKG.documentNumber, integer(symbol.number)))
            g.add((node, DAKG.informationDocument, Literal(symbol.information)))
            g.add((node, DAKG.session, iris.session(symbol.committee, symbol.session)))
            self.sessions.add((symbol.committee, symbol.session))
            for spelling in sorted(spellings - {symbol.canonical}):
                g.add((node, SKOS.hiddenLabel, Literal(spelling)))
            if symbol.revision is not None:
                g.add((node, DAKG.revision, integer(symbol.revision)))
                original = iris.document(symbol.unrevised)
                g.add((node, DAKG.revisionOf, original))
                if symbol.unrevised not in self.documents:
                    g.add((original, RDF.type, DAKG.Document))
                    g.add((original, DAKG.symbol, Literal(symbol.unrevised.canonical)))
                    g.add((original, RDFS.label, Literal(symbol.unrevised.canonical)))
                    g.add((original, DAKG.documentNumber, integer(symbol.number)))
                    g.add((original, DAKG.informationDocument, Literal(symbol.information)))
                    g.add((original, DAKG.session,
                           iris.session(symbol.committee, symbol.session)))

    def _sessions(self) -> None:
        g = self.g
        for committee, number in sorted(self.sessions):
            node = iris.session(committee, number)
            g.add((node, RDF.type, DAKG.Session))
            g.add((node, DAKG.committee, iris.committee(committee)))
            g.add((node, DAKG.sessionNumber, integer(number)))
            g.add((node, RDFS.label, zh(f"{committee}第{format_chinese_number(number)}届会议")))
            g.add((node, RDFS.label, en(f"{_ordinal(number)} session of the {committee}")))

    def _graph_metadata(self) -> None:
        g = self.g
        graph_node = iris.graph_report(self.report.symbol)
        activity = iris.extraction(self.report.symbol)
        g.add((graph_node, RDF.type, PROV.Entity))
        g.add((graph_node, DCTERMS.title,
               en(f"{self.report.symbol}, extracted from its Chinese text export")))
        g.add((graph_node, PROV.wasDerivedFrom, self.text_node))
        g.add((graph_node, PROV.wasGeneratedBy, activity))
        g.add((activity, RDF.type, PROV.Activity))
        g.add((activity, RDFS.label, en(f"Extraction of {self.report.symbol} by dakg")))
        g.add((activity, PROV.used, self.text_node))
        g.add((activity, PROV.used, iris.graph_reference()))
        g.add((activity, PROV.wasAssociatedWith, iris.software()))
        g.add((iris.software(), RDF.type, PROV.SoftwareAgent))
        g.add((iris.software(), RDFS.label, Literal("dakg")))
        g.add((iris.software(), DAKG.softwareVersion, Literal(self.version)))
        g.add((self.text_node, RDF.type, FABIO.DigitalManifestation))


def _ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(
        number % 10, "th")
    return f"{number}{suffix}"
