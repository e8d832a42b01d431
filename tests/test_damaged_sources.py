"""Damaged copies of the report: each gets a clear error naming the line, or parses right.

Every case edits one thing in the real text (see ``damage``), feeds it through the whole
extraction, and checks the message and the line it points at.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dakg.graph.build import Extraction, extract
from dakg.graph.errors import SourceError
from dakg.graph.records import Report
from dakg.graph.reference import bundled_reference_path
from dakg.graph.source import Source

from .conftest import damage, write_source

CASES = [
    # (id, old, new, line the error names, words the message must contain)
    ("garbled heading", "\t建议7*\n", "\t建 议7*\n", 225,
     "expected a heading '建议N' before this '相关产权组织部门' block"),
    ("unknown sector", "\t区域和国家发展部门；基础设施和平台部门；全球挑战和伙伴关系部门\n",
     "\t区域和国家发展部门；基础设施和平台部门；全球挑战部门\n", 37,
     "unknown WIPO sector '全球挑战部门'"),
    ("asterisk disagrees with the curated list", "\t建议3*\n", "\t建议3\n", 49,
     "does not mark 建议3 with an asterisk"),
    ("heading claims a number twice", " \t建议10\n", " \t建议9\n", 292,
     "recommendation 9 is reported in two sections"),
    ("footnote body lost", "[7:  \t阿拉伯文、英文、法文、西班牙文、俄文和葡萄牙文。] ", "", 104,
     "footnote 7 is referenced but its body"),
    ("highlight without bullet", "\t· 产权组织继续加强其在有关竞争政策",
     "\t产权组织继续加强其在有关竞争政策", 234, "expected a highlight starting with '·'"),
    ("empty implementation block",
     "\t落实工作\n\t该建议自2014年开始落实，已在文件CDIP/6/8和CDIP/7/4的框架下经过讨论。\n",
     "\t落实工作\n", 990, "the block '落实工作' is empty"),
    ("page header of another document", "CDIP/35/2\n附件一第5页", "CDIP/35/3\n附件一第5页", 648,
     "the page header says CDIP/35/3, but the manifest says CDIP/35/2"),
]


def _extract(tmp_path: Path, text: str, source: Source) -> Extraction:
    return extract(write_source(tmp_path, source, text))


@pytest.mark.parametrize(("old", "new", "line", "words"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_damage_is_reported_at_its_line(tmp_path: Path, source: Source, old: str, new: str,
                                        line: int, words: str) -> None:
    with pytest.raises(SourceError) as error:
        _extract(tmp_path, damage(source, old, new), source)
    assert words in str(error.value)
    assert error.value.location is not None
    assert error.value.location.line == line
    assert "^" in str(error.value)  # the offending line is shown with a marker under it


def test_truncated_file_names_its_last_line(tmp_path: Path, source: Source) -> None:
    cut = source.text.index("\t建议30\n")
    with pytest.raises(SourceError) as error:
        _extract(tmp_path, source.text[:cut], source)
    assert "without the line '[后接附件二]'; is the file truncated?" in str(error.value)
    assert error.value.location is not None and error.value.location.line == 797


def test_truncated_inside_a_section(tmp_path: Path, source: Source) -> None:
    cut = source.text.index("\t亮点\n\t· 发布关于产权组织对可持续发展目标")
    rest = source.text[source.text.index("独立审查实施工作") :]
    text = source.text[:cut] + "[后接附件二]\n" + rest
    with pytest.raises(SourceError, match="expected the block '亮点'"):
        _extract(tmp_path, text, source)


def test_a_lost_section_break_is_not_guessed(tmp_path: Path, source: Source) -> None:
    # Without its heading and its section break, nothing says where recommendation 8 starts.
    text = damage(source, " 请产权组织与研究机构和私营企业订立协议",
                  "请产权组织与研究机构和私营企业订立协议")
    with pytest.raises(SourceError, match="expected a heading '建议N'") as error:
        _extract(tmp_path, text, source)
    assert error.value.location is not None and error.value.location.line == 242


def test_an_added_paragraph_changes_nothing_else(tmp_path: Path, source: Source,
                                                 report: Report) -> None:
    added = "这是一段新增的活动说明，检查解析器不依赖行号。\n"
    anchor = "为了促进知识产权教育和能力建设的持续包容性"
    changed = _extract(tmp_path, damage(source, anchor, added + anchor), source).report
    assert [s.numbers for s in changed.sections] == [s.numbers for s in report.sections]
    assert len(changed.section_for(3).activities) == len(report.section_for(3).activities) + 1
    assert changed.statement(4).text == report.statement(4).text
    assert [s.heading is None for s in changed.sections] == [
        s.heading is None for s in report.sections]


CURATED_CASES = [
    # (id, old, new, words the message must contain)
    ("cluster range overlaps", "recommendations = [15, 23]", "recommendations = [14, 23]",
     "recommendation 14 belongs to 2 clusters ['A', 'B']"),
    ("immediate list disagrees with an asterisk", "recommendations = [1, 3, 4,",
     "recommendations = [1, 4,", "marks 建议3 with an asterisk"),
    ("name the report never uses", 'names = ["ABC", "无障碍图书联合会"]',
     'names = ["ABC", "无障碍读物联合会"]', "the name '无障碍读物联合会' does not occur"),
    ("source key not defined", 'source = "da-recommendations"', 'source = "da-recommendation"',
     "[[cluster]] A: source 'da-recommendation' is not one of [sources]"),
    ("title of a document the report does not cite", 'symbol = "CDIP/35/2"',
     'symbol = "CDIP/35/20"', "curated document 'CDIP/35/20': the report neither is nor cites"),
    ("document table without a title", 'title_en = "Progress Report on',
     'title = "Progress Report on', "[[document]] #1: expected a non-empty string 'title_en'"),
]


@pytest.mark.parametrize(("old", "new", "words"), [c[1:] for c in CURATED_CASES],
                         ids=[c[0] for c in CURATED_CASES])
def test_curated_data_that_disagrees_with_the_report_stops_the_build(
        tmp_path: Path, old: str, new: str, words: str) -> None:
    curated = bundled_reference_path().read_text(encoding="utf-8")
    assert old in curated, f"{old!r} is not in curated.toml"
    damaged = tmp_path / "curated.toml"
    damaged.write_text(curated.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(SourceError) as error:
        extract(reference_path=damaged)
    assert words in str(error.value)
