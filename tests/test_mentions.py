"""Mention extractors, one kind at a time, on sentences from the report (data in tests/data)."""

from __future__ import annotations

import pytest

from dakg.graph.build import Extraction, mention_finder
from dakg.graph.extract.crossrefs import find_cross_references
from dakg.graph.extract.excerpt import Excerpt
from dakg.graph.extract.gazetteer import Entry, Gazetteer, Names
from dakg.graph.extract.numerals import format_chinese_number, parse_chinese_number
from dakg.graph.extract.sessions import SessionFinder
from dakg.graph.extract.symbols import find_citations, parse_symbol
from dakg.graph.records import Citation, EntityMention, Mention, Report, SessionMention
from dakg.graph.source import Source

from .conftest import DATA


def _rows(name: str) -> list[list[str]]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line and not line.startswith("#")]


@pytest.mark.parametrize("row", _rows("symbols.tsv"), ids=lambda r: r[0])
def test_symbol_spellings_normalise(row: list[str]) -> None:
    written, canonical, committee, session, number, inf, revision = row
    symbol = parse_symbol(written)
    assert symbol.canonical == canonical
    assert (symbol.committee, symbol.session, symbol.number) == (committee, int(session),
                                                                 int(number))
    assert symbol.information is (inf == "yes")
    assert symbol.revision == (None if revision == "-" else int(revision))


@pytest.mark.parametrize("text", [r[0] for r in _rows("not_symbols.txt")])
def test_lookalikes_are_not_symbols(text: str) -> None:
    assert find_citations(Excerpt.whole(f"见{text}。")) == []


def test_citation_keeps_spelling_and_span_in_running_text() -> None:
    text = Excerpt.whole("在以下文件的框架下：CDIP/5/3、CDIP10/9、CDIP/11/3。")
    found = find_citations(text)
    assert [c.surface for c in found] == ["CDIP/5/3", "CDIP10/9", "CDIP/11/3"]
    assert [c.span.quote(text.text) for c in found] == [c.surface for c in found]


@pytest.mark.parametrize("row", _rows("sessions.tsv"), ids=lambda r: r[0][:20])
def test_sessions_and_their_committee(row: list[str], extraction: Extraction) -> None:
    sentence, expected = row
    finder = SessionFinder(extraction.reference.committee_names())
    found = [f"{m.committee}:{m.number}" for m in finder(Excerpt.whole(sentence))]
    assert found == ([] if expected == "-" else expected.split(","))


@pytest.mark.parametrize("number", [1, 9, 10, 11, 19, 20, 33, 48, 51, 66, 100, 105, 110, 999,
                                    1000, 1005, 1010, 1100, 2050, 9999])
def test_chinese_numerals_round_trip(number: int) -> None:
    assert parse_chinese_number(format_chinese_number(number)) == number


@pytest.mark.parametrize("bad", ["", "三三", "十十", "百", "零", "三十a", "千", "一千千", "一百千"])
def test_garbled_ordinals_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_chinese_number(bad)


@pytest.mark.parametrize(("text", "numbers"), [
    ("关于落实该建议相关的活动和/或成果，请参见建议16。", [(16,)]),
    ("最新信息请见建议7和22。", [(7, 22)]),
    ("发展议程建议1仍然是本组织技术援助的中心。", []),
])
def test_cross_references(text: str, numbers: list[tuple[int, ...]]) -> None:
    assert [r.numbers for r in find_cross_references(Excerpt.whole(text))] == numbers


def test_gazetteer_prefers_the_longest_name_and_respects_latin_boundaries() -> None:
    gazetteer = Gazetteer({"WIPO": Entry("programme", "wipo"),
                           "WIPO GREEN": Entry("programme", "green"),
                           "TISC": Entry("programme", "tisc")})
    found = gazetteer.find(Excerpt.whole("WIPO GREEN与eTISC平台和TISC网络"))
    assert [(m.key, m.surface) for m in found] == [("green", "WIPO GREEN"), ("tisc", "TISC")]


def test_a_name_given_to_two_entities_is_refused() -> None:
    with pytest.raises(ValueError, match="given to both"):
        Gazetteer.of([Names("programme", "a", ["ABC"]), Names("programme", "b", ["ABC"])])


def test_project_documents_are_read_from_the_bracket_after_the_name(extraction: Extraction) -> None:
    finder = mention_finder(extraction.reference)
    text = Excerpt.whole("· 开发专利信息查询工具——第一阶段和第二阶段（CDIP/10/6和CDIP/14/6）；")
    project = next(m for m in finder(text) if isinstance(m, EntityMention))
    assert project.key == "patent-information-tools"
    assert [d.canonical for d in project.documents] == ["CDIP/10/6", "CDIP/14/6"]


def test_committee_acronym_inside_a_symbol_is_not_a_mention(extraction: Extraction) -> None:
    found = mention_finder(extraction.reference)(Excerpt.whole("见文件CDIP/2/4。"))
    assert [type(m) for m in found] == [Citation]


def _mention_label(mention: Mention) -> tuple[str, str]:
    if isinstance(mention, EntityMention):
        return mention.kind, mention.key
    if isinstance(mention, SessionMention):
        return "session", f"{mention.committee}:{mention.number}"
    return type(mention).__name__, ""


@pytest.mark.parametrize("row", _rows("mention_locations.tsv"), ids=lambda r: f"{r[0]}-{r[1]}")
def test_issue_12_locations(row: list[str], report: Report, source: Source) -> None:
    """Each place issue 12 lists: found and linked right, or rightly not linked."""
    offset, quote, kind, key = int(row[0]), row[1], row[2], row[3]
    assert quote in source.text[offset - len(quote) : offset + len(quote)]
    covering = [m for p in report.passages() for m in p.mentions
                if m.span.start <= offset < m.span.end]
    if kind == "-":
        assert covering == []
        return
    assert [(m.span.quote(source.text), *_mention_label(m)) for m in covering] == \
        [(quote, kind, key)]


def test_project_documents_by_the_role_the_report_states(report: Report) -> None:
    roles = {(m.key, d.canonical): m.role.value for p in report.passages() for m in p.mentions
             if isinstance(m, EntityMention) for d in m.documents}
    # 39978: (ii)项目审评报告（CDIP/16/3）, in a sentence about that project.
    assert roles[("technology-transfer-common-challenges", "CDIP/16/3")] == "evaluation report"
    # 32857: 请参见关于以下发展议程项目的审评报告： and the list that follows it.
    assert roles[("ict-digital-divide", "CDIP/10/5")] == "evaluation report"
    assert roles[("women-innovation-entrepreneurship", "CDIP/30/11")] == "evaluation report"
    # A bracket right after the name: the project document.
    assert roles[("public-domain-information", "CDIP/16/4 Rev.")] == "project document"


def test_project_spans_never_include_a_trailing_xiangmu(report: Report,
                                                        source: Source) -> None:
    spans = [m.span.quote(source.text) for p in report.passages() for m in p.mentions
             if isinstance(m, EntityMention) and m.kind == "project"]
    assert spans and not any(s.endswith("项目") for s in spans)


def test_latin_boundaries_are_the_same_on_both_sides() -> None:
    gazetteer = Gazetteer({"IPTI": Entry("programme", "ipti")})
    assert gazetteer.find(Excerpt.whole("（IPTI-001）课程")) == []
    assert gazetteer.find(Excerpt.whole("（X-IPTI）课程")) == []
    assert [m.surface for m in gazetteer.find(Excerpt.whole("（IPTI）课程"))] == ["IPTI"]


def test_a_short_name_counts_only_where_it_opens_a_phrase() -> None:
    gazetteer = Gazetteer.of([Names("committee", "GA", [], ["大会"])])
    assert len(gazetteer.find(Excerpt.whole("2007年大会确定的建议"))) == 1
    assert len(gazetteer.find(Excerpt.whole("两年期。大会还就"))) == 1
    assert gazetteer.find(Excerpt.whole("缔约方大会（COP）")) == []


def test_gold_data_of_bench_gold_is_consistent(source: Source) -> None:
    """The judged sample quotes the text at its offsets; each hand annotation lies in its
    passage (bench/gold.py computes the figures from these)."""
    for offset, quote, _kind, _key, verdict, *_ in _rows("gold_sample.tsv"):
        assert source.text[int(offset):int(offset) + len(quote)] == quote
        assert verdict in ("right", "wrong")
    passages = {int(r[1]): int(r[2]) for r in _rows("gold_paragraphs.tsv") if r[0] == "P"}
    for row in (r for r in _rows("gold_paragraphs.tsv") if r[0] == "M"):
        start, quote, nth = int(row[1]), row[2], int(row[3])
        at = start - 1
        for _ in range(nth):
            at = source.text.index(quote, at + 1)
        assert at + len(quote) <= passages[start], row
