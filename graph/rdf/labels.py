"""Names of the pieces of a report, in English and Chinese, built from its structure.

A piece is named by the path a reader would follow to it: ``CDIP/35/2, Annex I,
recommendation 25, highlight 3`` / ``CDIP/35/2 附件一 建议25 亮点3``. Only numbers, kinds,
symbols and curated names go into a label: the report's own text is never translated, so a
label is as true in one language as in the other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rdflib import URIRef
from rdflib.namespace import RDFS

from ..extract.numerals import format_chinese_number
from ..records import Block
from .literals import en, zh
from .triples import Sink

_ROMAN = (("M", 1000), ("CM", 900), ("D", 500), ("CD", 400), ("C", 100), ("XC", 90),
          ("L", 50), ("XL", 40), ("X", 10), ("IX", 9), ("V", 5), ("IV", 4), ("I", 1))

# A paragraph of each block, as the report's section headings name the blocks.
_PARAGRAPH = {
    Block.COVER: ("paragraph {}", "第{}段"),
    Block.IMPLEMENTATION: ("implementation, paragraph {}", "落实工作第{}段"),
    Block.HIGHLIGHTS: ("highlight {}", "亮点{}"),
    Block.ACTIVITIES: ("activities and outcomes, paragraph {}", "活动/成果第{}段"),
    Block.PROGRESS: ("progress, paragraph {}", "进展第{}段"),
}


@dataclass(frozen=True)
class Name:
    """A label in English and in Chinese."""

    en: str
    zh: str

    def then(self, en_step: str, zh_step: str) -> Name:
        """The name of a piece inside the one this names."""
        return Name(f"{self.en}, {en_step}", f"{self.zh} {zh_step}")


# rdflib makes a new term at every ``RDFS.label``: made once here, for the label of every piece.
_LABEL = RDFS.label


def label(graph: Sink, node: URIRef, name: Name) -> None:
    graph.add((node, _LABEL, en(name.en)))
    graph.add((node, _LABEL, zh(name.zh)))


def roman(number: int) -> str:
    out = ""
    for letters, value in _ROMAN:
        count, number = divmod(number, value)
        out += letters * count
    return out


def annex(report: Name, number: int) -> Name:
    return report.then(f"Annex {roman(number)}", f"附件{format_chinese_number(number)}")


def recommendations(numbers: Sequence[int]) -> Name:
    """``recommendation 25`` / ``建议25``; ``recommendations 13, 14 and 17`` /
    ``建议13、14、17``."""
    words = [str(n) for n in numbers]
    if len(words) == 1:
        return Name(f"recommendation {words[0]}", f"建议{words[0]}")
    return Name(f"recommendations {', '.join(words[:-1])} and {words[-1]}",
                "建议" + "、".join(words))


def review_recommendation(number: int) -> Name:
    return Name(f"independent review recommendation {number}", f"独立审查建议{number}")


def within(outer: Name, subject: Name) -> Name:
    """The place of what a section reports on: ``…, Annex I, recommendation 25``."""
    return outer.then(subject.en, subject.zh)


def section(outer: Name, subject: Name) -> Name:
    """A section itself: ``…, Annex I, section on recommendation 25``."""
    return outer.then(f"section on {subject.en}", f"关于{subject.zh}的部分")


def paragraph(outer: Name, block: Block, position: int) -> Name:
    en_step, zh_step = _PARAGRAPH[block]
    return outer.then(en_step.format(position), zh_step.format(position))


def heading(outer: Name) -> Name:
    return outer.then("heading", "标题")


def title(outer: Name) -> Name:
    return outer.then("title", "标题")


def statement(outer: Name, subject: Name) -> Name:
    return outer.then(f"text of {subject.en}", f"{subject.zh}案文")


def footnote(report: Name, number: int) -> Name:
    return report.then(f"footnote {number}", f"脚注{number}")


def running_header(report: Name, number: int) -> Name:
    return report.then(f"running header {number}", f"页眉{number}")


def period(report: Name, start: str, end: str) -> Name:
    return report.then(f"reporting period {start} to {end}", f"报告期{start}至{end}")


def mention(body: Name, part: Name) -> Name:
    """A mention of ``body`` in the text of ``part``."""
    return Name(f"Mention of {body.en} in {part.en}", f"{part.zh}中提及{body.zh}")


def spans(node: Name) -> tuple[Name, Name, Name]:
    """The span of a piece in the source text, and its position and quote selectors."""
    inner = "the m" + node.en[1:] if node.en.startswith("Mention of ") else node.en
    return (Name(f"Span of {inner} in the source text", f"{node.zh}在原文中的片段"),
            Name(f"Text position of {inner}", f"{node.zh}的文本位置"),
            Name(f"Text quote of {inner}", f"{node.zh}的文本引文"))
