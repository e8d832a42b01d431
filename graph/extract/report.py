"""The whole report: cover, Annex I (recommendation sections), Annex II (independent review).

``parse_report`` is the entry point of the extraction layer: source text in, ``Report`` out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from ..errors import SourceError
from ..records import Block, Footnote, Passage, Report, ReportingPeriod
from ..source import Source
from .excerpt import Excerpt
from .lines import Line, split_lines
from .markup import strip_markup
from .mentions import MentionFinder
from .review import parse_review
from .sections import Error, paragraphs, parse_sections
from .symbols import parse_symbol

ANNEX_ONE_TITLE = re.compile(
    r"(?P<total>\d+)项发展议程建议实施情况报告"
    r"（(?P<period>(?P<y1>\d{4})年(?P<m1>\d{1,2})月至(?P<y2>\d{4})年(?P<m2>\d{1,2})月)）")
ANNEX_TWO_MARKER = "[后接附件二]"
END_MARKER = "[附录另附（仅英文版）]"


def parse_report(source: Source, finder: MentionFinder) -> Report:
    """Extract every record from the report text. Raises ``SourceError`` naming the line."""
    finder = finder.for_report(parse_symbol(source.manifest.symbol))
    cleaned = strip_markup(source.text, source.name)
    lines = split_lines(cleaned, source.text, source.name)
    body = lines.lines

    def error(message: str, line: Line) -> SourceError:
        return source.error(message, line.offset)

    def passage(group: Sequence[Line]) -> Passage:
        text = Excerpt.join([line.text for line in group])
        return Passage(text=text.text, span=text.span,
                       footnotes=tuple(n for line in group for n in line.footnotes),
                       mentions=finder(text))

    title_at = _find(body, lambda t: ANNEX_ONE_TITLE.fullmatch(t) is not None,
                     "the title of Annex I ('45项发展议程建议实施情况报告（…）')", error)
    marker_at = _find(body, ANNEX_TWO_MARKER.__eq__, f"the line '{ANNEX_TWO_MARKER}'", error)
    end_at = _find(body, END_MARKER.__eq__, f"the closing line '{END_MARKER}'", error)
    if not title_at < marker_at < end_at:
        raise error("expected Annex I, then Annex II, then the closing line", body[marker_at])
    if end_at != len(body) - 1:
        raise error(f"unexpected text after the closing line '{END_MARKER}'", body[end_at + 1])
    for header in lines.page_headers:
        if header.symbol != source.manifest.symbol:
            raise source.error(f"the page header says {header.symbol}, but the manifest says "
                               f"{source.manifest.symbol}", header.span.start)
    title = body[title_at]
    heading = ANNEX_ONE_TITLE.fullmatch(title.text.text)
    assert heading is not None
    review_title, review_items = parse_review(body[marker_at + 1 : end_at], body[marker_at],
                                              passage, error)
    return Report(
        symbol=source.manifest.symbol,
        language=source.manifest.language,
        source_name=source.name,
        source_sha256=source.manifest.sha256,
        source_length=len(source.text),
        page_headers=lines.page_headers,
        cover=paragraphs(body[:title_at], Block.COVER, passage),
        title=passage([title]),
        period=_period(title.text, heading),
        sections=parse_sections(body[title_at + 1 : marker_at], int(heading["total"]), passage,
                                error),
        review_title=review_title,
        review_items=review_items,
        footnotes=tuple(
            Footnote(number=b.number, text=b.text.text, span=b.text.span, mentions=finder(b.text))
            for b in cleaned.bodies),
    )


def _find(lines: Sequence[Line], wanted: Callable[[str], bool], what: str,
          error: Error) -> int:
    for i, line in enumerate(lines):
        if wanted(line.text.text):
            return i
    raise error(f"the text ends at line {lines[-1].number} without {what}; "
                "is the file truncated?", lines[-1])


def _period(title: Excerpt, match: re.Match[str]) -> ReportingPeriod:
    return ReportingPeriod(start=f"{match['y1']}-{int(match['m1']):02d}",
                           end=f"{match['y2']}-{int(match['m2']):02d}",
                           span=title.span_of(match.start("period"), match.end("period")))
