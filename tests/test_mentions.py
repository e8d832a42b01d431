"""Mention extractors, one kind at a time, on sentences from the report (data in tests/data)."""

from __future__ import annotations

import pytest

from dakg.graph.build import Extraction, mention_finder
from dakg.graph.extract.crossrefs import find_cross_references
from dakg.graph.extract.excerpt import Excerpt
from dakg.graph.extract.gazetteer import Entry, Gazetteer
from dakg.graph.extract.numerals import format_chinese_number, parse_chinese_number
from dakg.graph.extract.sessions import SessionFinder
from dakg.graph.extract.symbols import find_citations, parse_symbol
from dakg.graph.records import Citation, EntityMention

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


@pytest.mark.parametrize("number", [1, 9, 10, 11, 19, 20, 33, 48, 51, 66, 100, 105, 999])
def test_chinese_numerals_round_trip(number: int) -> None:
    assert parse_chinese_number(format_chinese_number(number)) == number


@pytest.mark.parametrize("bad", ["", "三三", "十十", "百", "零", "三十a"])
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
        Gazetteer.of([("programme", "a", ["ABC"]), ("programme", "b", ["ABC"])])


def test_project_documents_are_read_from_the_bracket_after_the_name(extraction: Extraction) -> None:
    finder = mention_finder(extraction.reference)
    text = Excerpt.whole("· 开发专利信息查询工具——第一阶段和第二阶段（CDIP/10/6和CDIP/14/6）；")
    project = next(m for m in finder(text) if isinstance(m, EntityMention))
    assert project.key == "patent-information-tools"
    assert [d.canonical for d in project.documents] == ["CDIP/10/6", "CDIP/14/6"]


def test_committee_acronym_inside_a_symbol_is_not_a_mention(extraction: Extraction) -> None:
    found = mention_finder(extraction.reference)(Excerpt.whole("见文件CDIP/2/4。"))
    assert [type(m) for m in found] == [Citation]
