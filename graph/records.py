"""What the extractor finds in the report, as plain typed data.

No RDF here: these records are the contract between ``dakg.graph.extract`` (text → records)
and ``dakg.graph.rdf`` (records → RDF). Every record that stands for a piece of the report
carries the ``Span`` of source text it came from.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "Block",
    "Citation",
    "CrossReference",
    "DocumentRole",
    "DocumentSymbol",
    "EntityMention",
    "Footnote",
    "Mention",
    "PageHeader",
    "Paragraph",
    "Passage",
    "Report",
    "ReportingPeriod",
    "ReviewItem",
    "Section",
    "SessionMention",
    "Span",
    "Statement",
]


@dataclass(frozen=True, order=True)
class Span:
    """Code-point offsets into the source text: ``start`` inclusive, ``end`` exclusive."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end:
            raise ValueError(f"not a span: {self.start}..{self.end}")

    def quote(self, text: str) -> str:
        return text[self.start : self.end]


@dataclass(frozen=True, kw_only=True)
class DocumentSymbol:
    """A WIPO document symbol such as ``CDIP/3/INF/2`` or ``WO/PBC/38/3 Rev.``.

    ``prefix`` holds the parts before the committee (``WO`` in ``WO/PBC/…``). ``revision`` is
    1 for ``Rev.`` and N for ``Rev.N``; WIPO numbers the first revision without a digit.
    """

    prefix: tuple[str, ...] = ()
    committee: str
    session: int
    number: int
    information: bool = False
    revision: int | None = None

    @property
    def canonical(self) -> str:
        parts = [*self.prefix, self.committee, str(self.session)]
        if self.information:
            parts.append("INF")
        parts.append(str(self.number))
        symbol = "/".join(parts)
        if self.revision is not None:
            symbol += " Rev." if self.revision == 1 else f" Rev.{self.revision}"
        return symbol

    @property
    def unrevised(self) -> DocumentSymbol:
        return DocumentSymbol(prefix=self.prefix, committee=self.committee,
                              session=self.session, number=self.number,
                              information=self.information)


@dataclass(frozen=True, kw_only=True)
class Citation:
    """A document symbol written in the text; ``surface`` is the spelling as written."""

    symbol: DocumentSymbol
    surface: str
    span: Span


@dataclass(frozen=True, kw_only=True)
class SessionMention:
    """A numbered session of a committee, e.g. ``CDIP第三十三届会议`` (CDIP, 33)."""

    committee: str
    number: int
    surface: str
    span: Span


class DocumentRole(StrEnum):
    """What a document cited for a Development Agenda project is, as the report says."""

    PROJECT_DOCUMENT = "project document"  # 项目文件, and a bare bracket after the name
    EVALUATION_REPORT = "evaluation report"  # 审评报告
    COMPLETION_REPORT = "completion report"  # 完成报告


@dataclass(frozen=True, kw_only=True)
class EntityMention:
    """A name from the curated gazetteer: ``kind`` is sector, committee, programme or project.

    ``documents`` are a project's documents the text gives with it: in brackets right after
    its name, as in ``运用公有领域信息促进经济发展（CDIP/16/4 REV.）``, or as its
    ``审评报告（CDIP/16/3）`` later in the sentence. ``role`` says which kind of document the
    text calls them (a bare bracket: the project document).
    """

    kind: str
    key: str
    surface: str
    span: Span
    documents: tuple[DocumentSymbol, ...] = ()
    role: DocumentRole = DocumentRole.PROJECT_DOCUMENT


@dataclass(frozen=True, kw_only=True)
class CrossReference:
    """A pointer to other recommendations, e.g. ``请参见建议16``."""

    numbers: tuple[int, ...]
    surface: str
    span: Span


Mention = Citation | SessionMention | EntityMention | CrossReference


class Block(StrEnum):
    """The blocks a report section is made of, in their order in the text."""

    COVER = "cover"
    IMPLEMENTATION = "implementation"  # 落实工作
    HIGHLIGHTS = "highlights"  # 亮点
    ACTIVITIES = "activities"  # 活动/成果
    PROGRESS = "progress"  # 进展 (Annex II)


@dataclass(frozen=True, kw_only=True)
class Passage:
    """Cleaned text (markup removed, whitespace stripped) and the source span it covers."""

    text: str
    span: Span
    footnotes: tuple[int, ...] = ()
    mentions: tuple[Mention, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Paragraph(Passage):
    block: Block
    position: int  # 1-based within its block


@dataclass(frozen=True, kw_only=True)
class Statement(Passage):
    """A recommendation's text as the report prints it.

    ``marked_immediate`` is the asterisk of the heading: True or False where a heading is
    printed, None where the export lost it.
    """

    number: int
    marked_immediate: bool | None


@dataclass(frozen=True, kw_only=True)
class Section:
    """One section of Annex I: a recommendation, or a group reported together."""

    position: int
    numbers: tuple[int, ...]
    heading: Passage | None  # None: the export lost the heading; numbers were recovered
    statements: tuple[Statement, ...]
    sectors: tuple[Passage, ...]  # one per sector name in 相关产权组织部门
    implementation: tuple[Paragraph, ...]
    highlights: tuple[Paragraph, ...]  # empty when the report says 无
    no_highlights: Passage | None  # the 无 line, when there is one
    activities: tuple[Paragraph, ...]
    span: Span

    @property
    def key(self) -> str:
        return "-".join(str(n) for n in self.numbers)

    def paragraphs(self) -> tuple[Paragraph, ...]:
        return self.implementation + self.highlights + self.activities


@dataclass(frozen=True, kw_only=True)
class ReviewItem:
    """Annex II: a recommendation of the independent review and the progress reported on it."""

    number: int
    addressee: str
    heading: Passage
    text: Passage
    progress: tuple[Paragraph, ...]
    span: Span


@dataclass(frozen=True, kw_only=True)
class Footnote(Passage):
    number: int


@dataclass(frozen=True, kw_only=True)
class PageHeader:
    """A running header (``CDIP/35/2`` over ``附件一第5页``), removed from the text flow."""

    symbol: str
    annex: int
    page: int
    span: Span


@dataclass(frozen=True, kw_only=True)
class ReportingPeriod:
    """Months as ``YYYY-MM``; ``span`` is where the report states them."""

    start: str
    end: str
    span: Span


@dataclass(frozen=True, kw_only=True)
class Report:
    symbol: str
    language: str
    source_name: str
    source_sha256: str
    source_length: int
    page_headers: tuple[PageHeader, ...]
    cover: tuple[Paragraph, ...]
    title: Passage  # the title of Annex I
    period: ReportingPeriod
    sections: tuple[Section, ...]
    review_title: Passage  # the title of Annex II
    review_items: tuple[ReviewItem, ...]
    footnotes: tuple[Footnote, ...]

    def passages(self) -> Iterator[Passage]:
        """Every piece of the report's text the extractor kept, in document order."""
        yield from self.cover
        yield self.title
        for section in self.sections:
            if section.heading is not None:
                yield section.heading
            yield from section.statements
            yield from section.sectors
            yield from section.paragraphs()
            if section.no_highlights is not None:
                yield section.no_highlights
        yield self.review_title
        for item in self.review_items:
            yield item.heading
            yield item.text
            yield from item.progress
        yield from self.footnotes

    def section_for(self, number: int) -> Section:
        return next(s for s in self.sections if number in s.numbers)

    def statement(self, number: int) -> Statement:
        return next(st for st in self.section_for(number).statements if st.number == number)
