"""A ``Report`` as RDF: the report graph.

Everything here is what the extractor found in the text, each piece anchored to its span
(``provenance.py``). Links that hold for a whole section (the documents it cites, the
programmes it reports on) are also stated on the section and on its recommendations, so that
common questions need no property paths. Every piece is labelled in English and Chinese by
its place in the report (``labels``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from ..extract.symbols import parse_symbol
from ..records import (
    Paragraph,
    Passage,
    Report,
    ReviewItem,
    Section,
)
from . import iris, labels
from .labels import Name
from .literals import en, integer, zh
from .mentions import MentionMapper
from .namespaces import DAKG, FABIO, FRBR, LANGUAGE, MEDIA_TYPE, OA
from .provenance import anchor, derive
from .triples import Sink

_PARAGRAPH_CLASS = {
    "cover": DAKG.CoverParagraph,
    "implementation": DAKG.ImplementationParagraph,
    "highlights": DAKG.Highlight,
    "activities": DAKG.ActivityParagraph,
    "progress": DAKG.ProgressParagraph,
}
# The six languages of WIPO documents, named in Chinese (a version's Chinese label).
_LANGUAGE_ZH = {"zh": "中文", "en": "英文", "fr": "法文", "es": "西班牙文", "ru": "俄文",
                "ar": "阿拉伯文"}
_PARAGRAPH_STEP = {"cover": "paragraph", "implementation": "implementation",
                   "highlights": "highlight", "activities": "activity", "progress": "progress"}


class ReportMapper:
    """Maps one report into ``graph``; ``text`` is the source text the spans point into."""

    def __init__(self, report: Report, text: str, graph: Sink, *,
                 sector_of: Callable[[str], URIRef], software_version: str,
                 body_names: Mapping[str, tuple[str, str]] | None = None,
                 entity_names: Mapping[URIRef, tuple[str, str | None]] | None = None,
                 ) -> None:
        self.report = report
        self.sector_of = sector_of
        self.text = text
        self.g = graph
        self.version = software_version
        self.node = iris.document(report.symbol)
        self.text_node = iris.part(self.node, "text", report.language)
        self.name = Name(report.symbol, report.symbol)
        text_node = self.text_node  # not ``self``: a mapper that refers to itself is a cycle,
        # and its graph (the whole report) would wait for the cyclic collector to be freed
        self.mentions = MentionMapper(
            graph, lambda node, span, name: anchor(graph, node, span, text, text_node, name),
            {f.number: f.mentions for f in report.footnotes}, body_names or {},
            entity_names or {})
        self.footnote_parent = self._footnote_parents()

    def map(self) -> None:
        self._report()
        self._cover()
        self._annex_one()
        self._annex_two()
        self._footnotes()
        self.mentions.finish()
        self._graph_metadata()

    # -- the report, its text and its parts ----------------------------------------------

    def _report(self) -> None:
        g, node, report = self.g, self.node, self.report
        g.add((node, RDF.type, DAKG.ProgressReport))
        self.mentions.cite(parse_symbol(report.symbol), report.symbol)
        # The symbol names the report in every language (a work); the language belongs to
        # the version that was read (an expression), and to its text export.
        language = LANGUAGE[report.language]
        expression = iris.expression(node, report.language)
        g.add((node, FRBR.realization, expression))
        g.add((expression, RDF.type, FABIO.Expression))
        g.add((expression, DCTERMS.language, language))
        g.add((expression, RDFS.label, en(f"{report.symbol}, {report.language} version")))
        in_zh = _LANGUAGE_ZH.get(report.language, report.language)
        g.add((expression, RDFS.label, zh(f"{report.symbol} {in_zh}版本")))
        g.add((expression, FRBR.embodiment, self.text_node))
        g.add((language, RDF.type, DCTERMS.LinguisticSystem))
        g.add((node, DAKG.sourceText, self.text_node))
        g.add((self.text_node, RDF.type, DAKG.TextExport))
        labels.label(g, self.text_node, Name(f"Chinese text export of {report.symbol}",
                                             f"{report.symbol}中文文本导出"))
        g.add((self.text_node, DCTERMS.format, MEDIA_TYPE["text/plain"]))
        g.add((MEDIA_TYPE["text/plain"], RDF.type, DCTERMS.MediaType))
        g.add((self.text_node, DCTERMS.language, language))
        g.add((self.text_node, DAKG.sha256, Literal(report.source_sha256)))
        g.add((self.text_node, DAKG.characterCount,
               Literal(report.source_length, datatype=XSD.integer)))
        g.add((self.text_node, DCTERMS.identifier, Literal(report.source_name)))
        period = iris.part(node, "period")
        g.add((node, DAKG.hasReportingPeriod, period))
        g.add((period, RDF.type, DAKG.ReportingPeriod))
        # "YYYY-MM" strings: dakg:YearMonth, which a DL reasoner accepts and which sorts in
        # time order in SPARQL (xsd:gYearMonth is outside OWL 2).
        g.add((period, DAKG.startMonth, Literal(report.period.start)))
        g.add((period, DAKG.endMonth, Literal(report.period.end)))
        period_name = labels.period(self.name, report.period.start, report.period.end)
        labels.label(g, period, period_name)
        derive(g, period, report.period.span, self.text, self.text_node, period_name)
        for number, header in enumerate(report.page_headers, 1):
            mention = iris.part(node, "header", number)
            header_name = labels.running_header(self.name, number)
            labels.label(g, mention, header_name)
            g.add((mention, RDF.type, DAKG.RunningHeader))
            g.add((mention, RDF.type, OA.Annotation))
            g.add((mention, OA.motivatedBy, OA.identifying))
            g.add((mention, OA.hasBody, node))
            g.add((mention, OA.hasTarget, anchor(g, mention, header.span, self.text,
                                                 self.text_node, header_name)))

    def _cover(self) -> None:
        for paragraph in self.report.cover:
            node = self._paragraph(self.node, self.name, paragraph)
            self.mentions.link(self.node, [paragraph])
            self.g.add((node, DCTERMS.isPartOf, self.node))

    def _annex(self, number: int, title: Passage) -> URIRef:
        annex = iris.part(self.node, "annex", number)
        name = labels.annex(self.name, number)
        labels.label(self.g, annex, name)
        self.g.add((annex, RDF.type, DAKG.Annex))
        self.g.add((annex, DAKG.annexNumber, integer(number)))
        self.g.add((annex, DCTERMS.isPartOf, self.node))
        self.g.add((self.node, DCTERMS.hasPart, annex))
        self.g.add((annex, DCTERMS.title, zh(title.text)))
        self._part(iris.part(annex, "title"), DAKG.Heading, title, annex, labels.title(name))
        self.g.add((annex, DAKG.hasHeading, iris.part(annex, "title")))
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
            self._part(node, DAKG.Footnote, footnote,
                       self.footnote_parent.get(footnote.number, self.node),
                       labels.footnote(self.name, footnote.number))
            self.g.add((node, DAKG.footnoteNumber, integer(footnote.number)))

    def _footnote_parents(self) -> dict[int, URIRef]:
        """Where each footnote occurs: the section whose text carries its call, so that walks
        up dcterms:isPartOf find it; the report for a call anywhere else."""
        report = self.report
        parents: dict[int, URIRef] = {}
        places: list[tuple[URIRef, list[Passage]]] = []
        for section in report.sections:
            places.append((iris.part(self.node, "section", section.key), [
                *([section.heading] if section.heading else []), *section.statements,
                *section.sectors, *section.paragraphs(),
                *([section.no_highlights] if section.no_highlights else [])]))
        for item in report.review_items:
            places.append((iris.part(self.node, "review", item.number),
                           [item.heading, item.text, *item.progress]))
        for parent, passages in places:
            for passage in passages:
                for number in passage.footnotes:
                    parents.setdefault(number, parent)
        return parents

    # -- Annex I ---------------------------------------------------------------------------

    def _section(self, annex: URIRef, section: Section) -> None:
        g = self.g
        node = iris.part(self.node, "section", section.key)
        annex_name = labels.annex(self.name, 1)
        place = labels.within(annex_name, labels.recommendations(section.numbers))
        name = labels.section(annex_name, labels.recommendations(section.numbers))
        labels.label(g, node, name)
        g.add((node, RDF.type, DAKG.RecommendationSection))
        g.add((node, DCTERMS.isPartOf, annex))
        g.add((annex, DCTERMS.hasPart, node))
        g.add((node, DAKG.position, integer(section.position)))
        g.add((node, DAKG.headingLostInExport, Literal(section.heading is None)))
        derive(g, node, section.span, self.text, self.text_node, name)
        if section.heading is not None:
            heading = iris.part(node, "heading")
            self._part(heading, DAKG.Heading, section.heading, node, labels.heading(place))
            g.add((node, DAKG.hasHeading, heading))
        if section.no_highlights is not None:
            g.add((node, DAKG.noHighlights, Literal(True)))
        recommendations = [iris.recommendation(n) for n in section.numbers]
        for number, rec in zip(section.numbers, recommendations, strict=True):
            self._recommendation(number, rec, node, recommendations)
        for statement in section.statements:
            st = iris.part(node, "statement", statement.number)
            self._part(st, DAKG.RecommendationStatement, statement, node,
                       labels.statement(place, labels.recommendations([statement.number])))
            g.add((node, DAKG.statement, st))
            g.add((st, DAKG.statementOf, iris.recommendation(statement.number)))
            g.add((iris.recommendation(statement.number), DAKG.recommendationText,
                   zh(statement.text)))
            g.add((iris.recommendation(statement.number), DAKG.statedIn, st))
        self._sectors(node, name, section, recommendations)
        for paragraph in section.paragraphs():
            self._paragraph(node, place, paragraph)
        self.mentions.link(node, [*section.statements, *section.paragraphs()],
                            recommendations)

    def _recommendation(self, number: int, rec: URIRef, section: URIRef,
                        group: list[URIRef]) -> None:
        g = self.g
        g.add((rec, RDF.type, DAKG.Recommendation))
        g.add((rec, RDF.type, SKOS.Concept))
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

    def _sectors(self, node: URIRef, section_name: Name, section: Section,
                 recommendations: list[URIRef]) -> None:
        for position, name in enumerate(section.sectors, 1):
            mention = iris.part(node, "sector", position)
            sector = self.sector_of(name.text)
            mention_name = labels.mention(self.mentions.entity_name("sector", sector),
                                          section_name)
            labels.label(self.g, mention, mention_name)
            self.g.add((mention, RDF.type, DAKG.SectorMention))
            self.g.add((mention, RDF.type, OA.Annotation))
            self.g.add((mention, OA.motivatedBy, OA.identifying))
            self.g.add((mention, OA.hasBody, sector))
            self.g.add((mention, DAKG.inTextPart, node))
            self.g.add((mention, OA.hasTarget,
                        anchor(self.g, mention, name.span, self.text, self.text_node,
                               mention_name)))
            self.g.add((node, DAKG.relatedSector, sector))
            for rec in recommendations:
                self.g.add((rec, DAKG.relatedSector, sector))

    # -- Annex II --------------------------------------------------------------------------

    def _review_item(self, annex: URIRef, position: int, item: ReviewItem) -> None:
        g = self.g
        node = iris.part(self.node, "review", item.number)
        rec = iris.review_recommendation(item.number)
        annex_name = labels.annex(self.name, 2)
        place = labels.within(annex_name, labels.review_recommendation(item.number))
        name = labels.section(annex_name, labels.review_recommendation(item.number))
        labels.label(g, node, name)
        g.add((node, RDF.type, DAKG.ReviewSection))
        g.add((node, DCTERMS.isPartOf, annex))
        g.add((annex, DCTERMS.hasPart, node))
        g.add((node, DAKG.position, integer(position)))
        g.add((node, DAKG.reportsOn, rec))
        g.add((rec, DAKG.reportedIn, node))
        derive(g, node, item.span, self.text, self.text_node, name)
        heading = iris.part(node, "heading")
        self._part(heading, DAKG.Heading, item.heading, node, labels.heading(place))
        g.add((node, DAKG.hasHeading, heading))
        statement = iris.part(node, "statement")
        self._part(statement, DAKG.RecommendationStatement, item.text, node,
                   labels.statement(place, labels.review_recommendation(item.number)))
        g.add((node, DAKG.statement, statement))
        g.add((statement, DAKG.statementOf, rec))
        g.add((rec, RDF.type, DAKG.IndependentReviewRecommendation))
        g.add((rec, RDF.type, SKOS.Concept))
        g.add((rec, SKOS.inScheme, iris.review_scheme()))
        g.add((rec, SKOS.topConceptOf, iris.review_scheme()))
        g.add((iris.review_scheme(), SKOS.hasTopConcept, rec))
        g.add((rec, DAKG.recommendationNumber, integer(item.number)))
        g.add((rec, SKOS.notation, Literal(str(item.number))))
        for prop in (SKOS.prefLabel, RDFS.label):
            g.add((rec, prop, zh(f"独立审查建议{item.number}")))
            g.add((rec, prop, en(f"Independent review recommendation {item.number}")))
        g.add((rec, DAKG.addressee, zh(item.addressee)))
        g.add((rec, DAKG.recommendationText, zh(item.text.text)))
        g.add((rec, DAKG.statedIn, statement))
        for paragraph in item.progress:
            self._paragraph(node, place, paragraph)
        self.mentions.link(node, [item.text, *item.progress], [rec])

    # -- pieces of text and their mentions -------------------------------------------------

    def _part(self, node: URIRef, cls: URIRef, passage: Passage, parent: URIRef,
              name: Name) -> None:
        g = self.g
        labels.label(g, node, name)
        g.add((node, RDF.type, cls))
        g.add((node, DCTERMS.isPartOf, parent))
        g.add((parent, DCTERMS.hasPart, node))
        g.add((node, DAKG.text, zh(passage.text)))
        derive(g, node, passage.span, self.text, self.text_node, name)
        for number in passage.footnotes:
            g.add((node, DAKG.hasFootnote, iris.part(self.node, "footnote", number)))
        for position, mention in enumerate(passage.mentions, 1):
            self.mentions.annotate(node, name, iris.part(node, "mention", position), mention)

    def _paragraph(self, parent: URIRef, place: Name, paragraph: Paragraph) -> URIRef:
        """A paragraph of ``parent``, whose pieces are named after ``place``."""
        node = iris.part(parent, _PARAGRAPH_STEP[paragraph.block], paragraph.position)
        self._part(node, _PARAGRAPH_CLASS[paragraph.block], paragraph, parent,
                   labels.paragraph(place, paragraph.block, paragraph.position))
        self.g.add((node, DAKG.position, integer(paragraph.position)))
        return node

    def _graph_metadata(self) -> None:
        g = self.g
        graph_node = iris.graph_report(self.report.symbol)
        activity = iris.extraction(self.report.symbol)
        g.add((graph_node, RDF.type, PROV.Entity))
        g.add((graph_node, DCTERMS.title,
               en(f"{self.report.symbol}, extracted from its Chinese text export")))
        g.add((graph_node, DCTERMS.title, zh(f"从中文文本导出抽取的{self.report.symbol}")))
        g.add((graph_node, PROV.wasDerivedFrom, self.text_node))
        g.add((graph_node, PROV.wasGeneratedBy, activity))
        g.add((activity, RDF.type, PROV.Activity))
        labels.label(g, activity, Name(f"Extraction of {self.report.symbol} by dakg",
                                       f"dakg对{self.report.symbol}的抽取"))
        g.add((activity, PROV.used, self.text_node))
        g.add((activity, PROV.used, iris.graph_reference()))
        g.add((activity, PROV.wasAssociatedWith, iris.software()))
        g.add((activity, DAKG.softwareVersion, Literal(self.version)))
        g.add((iris.software(), RDF.type, PROV.SoftwareAgent))
        g.add((iris.software(), RDFS.label, Literal("dakg")))
        g.add((self.text_node, RDF.type, FABIO.DigitalManifestation))

