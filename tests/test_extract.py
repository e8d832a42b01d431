"""The extractor on the real report: structure, specific facts, and what must not leak."""

from __future__ import annotations

import re

from dakg.graph.records import Citation, CrossReference, Report
from dakg.graph.source import Source

HEADLESS = (4, 5, 8, 18, 23, 24, 26, 27, 29, 32)
GROUPS = ((13, 14, 17), (15, 21, 44), (35, 37))


def test_every_recommendation_is_reported_exactly_once(report: Report) -> None:
    numbers = [n for section in report.sections for n in section.numbers]
    assert sorted(numbers) == list(range(1, 46))
    assert len(report.sections) == 40


def test_groups_reported_together(report: Report) -> None:
    assert tuple(s.numbers for s in report.sections if len(s.numbers) > 1) == GROUPS


def test_the_ten_lost_headings_are_recovered(report: Report) -> None:
    lost = tuple(s.numbers[0] for s in report.sections if s.heading is None)
    assert lost == HEADLESS
    assert report.statement(4).text.startswith("尤其重视中小企业以及从事科研和文化产业")
    assert report.statement(18).text.startswith("促请政府间委员会（IGC）")
    assert report.statement(32).text.startswith("在产权组织创造机会，交流有关知识产权与竞争政策")
    assert all(report.statement(n).marked_immediate is None for n in HEADLESS)


def test_previous_section_ends_where_a_headless_one_starts(report: Report) -> None:
    three = report.section_for(3).activities[-1].text
    assert three.startswith("为了促进知识产权教育和能力建设的持续包容性")
    assert report.section_for(4).span.start > report.section_for(3).span.end


def test_group_statements_are_split_per_recommendation(report: Report) -> None:
    assert report.statement(13).text.startswith("产权组织的立法援助应尤其面向发展")
    fifteen = report.statement(15).text
    assert fifteen.startswith("准则制定活动应：") and fifteen.count("· ") == 5
    assert report.statement(44).text.startswith("根据产权组织作为联合国专门机构")


def test_a_recommendation_text_over_two_paragraphs(report: Report) -> None:
    text = report.statement(22).text
    assert text.startswith("产权组织的各项准则制定活动") and "\n在不损害成员国进行的审议" in text


def test_sectors_of_recommendation_12(report: Report) -> None:
    assert [s.text for s in report.section_for(12).sectors] == [
        "专利和技术部门", "品牌和外观设计部门", "区域和国家发展部门", "基础设施和平台部门",
        "全球挑战和伙伴关系部门", "知识产权和创新生态系统部门", "行政、财务和管理部门"]


def test_documents_cited_for_recommendation_25(report: Report) -> None:
    section = report.section_for(25)
    cited = {m.symbol.canonical for p in (*section.statements, *section.paragraphs())
             for m in p.mentions if isinstance(m, Citation)}
    assert cited == {
        "CDIP/5/10", "CDIP/6/4", "CDIP/6/10", "CDIP/7/3", "CDIP/8/5", "CDIP/9/11",
        "CDIP/10/10", "CDIP/10/11", "CDIP/15/5", "CDIP/16/3", "CDIP/17/4", "CDIP/17/9",
        "CDIP/18/6 Rev.", "CDIP/19/5", "CDIP/20/7", "CDIP/20/10 Rev.", "CDIP/20/11",
        "CDIP/20/12", "CDIP/21/5", "CDIP/21/6", "CDIP/22/5", "CDIP/23/11", "CDIP/25/5"}


def test_recommendation_20_refers_to_16(report: Report) -> None:
    refs = [m.numbers for p in report.section_for(20).paragraphs() for m in p.mentions
            if isinstance(m, CrossReference)]
    assert refs == [(16,)]


def test_the_running_header_is_not_a_citation(report: Report) -> None:
    assert [(h.symbol, h.annex, h.page) for h in report.page_headers] == [("CDIP/35/2", 1, 5)]
    cited = [m for p in report.passages() for m in p.mentions
             if isinstance(m, Citation) and m.symbol.canonical == "CDIP/35/2"]
    assert cited == []


def test_no_markup_leaks_into_texts(report: Report) -> None:
    leaks = re.compile(r"\[bookmark|footnoteRef|\[\d+:|附件一第\d+页|\uf0fc|\xa0")
    assert [p.text for p in report.passages() if leaks.search(p.text)] == []


def test_the_page_header_inside_section_24_is_gone(report: Report, source: Source) -> None:
    text = report.statement(24).text
    assert text.startswith("请产权组织在不超出其权限的情况下") and "CDIP/35/2" not in text
    assert "附件一第5页" in source.text  # it was there, in the middle of the section


def test_spans_point_at_the_text_they_came_from(report: Report, source: Source) -> None:
    # An oracle independent of the extractor: drop markup with plain regular expressions.
    markup = re.compile(r"\[footnoteRef:\d+\]|\[bookmark:[^\]]*\]|\[\d+:.*?\]|\s|\uf0fc",
                        re.DOTALL)
    for passage in report.passages():
        piece = source.text[passage.span.start : passage.span.end]
        assert markup.sub("", piece) == markup.sub("", passage.text), passage.span


def test_footnotes_are_attached_where_they_occur(report: Report) -> None:
    assert [f.number for f in report.footnotes] == list(range(2, 49))
    heading = report.section_for(1).heading
    assert heading is not None and heading.footnotes == (2,)
    assert report.review_items[0].text.footnotes == (48,)
    by_number = {f.number: f for f in report.footnotes}
    assert by_number[2].text == "标有*星号的发展议程建议是2007年大会确定的需要立即落实的建议。"
    assert by_number[33].text.endswith("玛丽昂·埃米·迪特里齐女士主持。")  # runs over a line


def test_highlights(report: Report) -> None:
    assert len(report.section_for(10).highlights) == 7
    assert [s.numbers for s in report.sections if s.no_highlights] == [(19,), (32,)]


def test_no_text_keeps_a_bullet(report: Report) -> None:
    bulleted = [p for s in report.sections for p in s.paragraphs()
                if report_text_starts_with_bullet(p.text)]
    assert bulleted == []
    item = report.section_for(4).implementation[3]  # "•\t为中小企业和初创企业…"
    assert item.text.startswith("为中小企业和初创企业在其竞争战略中使用知识产权制度提供便利")


def report_text_starts_with_bullet(text: str) -> bool:
    return text.startswith(("·", "•"))


def test_reporting_period_and_annexes(report: Report, source: Source) -> None:
    assert (report.period.start, report.period.end) == ("2024-07", "2025-06")
    assert report.period.span.quote(source.text) == "2024年7月至2025年6月"
    assert report.review_title.text == "独立审查实施工作"
    assert [(i.number, i.addressee, len(i.progress)) for i in report.review_items] == [
        (9, "成员国和秘书处", 1), (12, "成员国和秘书处", 7)]
