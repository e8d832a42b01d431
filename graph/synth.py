"""Synthetic reports: realistic later reports of the series, made from the vendored one.

The Secretariat reports on the 45 recommendations every year; dakg vendors one report. To
test a series and to measure how dakg scales with it, ``generate`` writes variants that read
like other years of the series: another reporting period, session and report symbol (and the
documents of that session and the one before), implementation and activity paragraphs added,
dropped, reordered and resized, highlights varied, other document symbols in the normal
spelling, and about as many sections without their heading as the real export has.

A variant is edited from the raw text line by line, with the lines located by the real
extractor, so it keeps every quirk of the export (markup, page headers, spellings, section
breaks) and goes through the extractor unchanged. Lines that carry markup (footnotes,
bookmarks) are never moved, cut or copied. The same seed and index give the same bytes.
``Variant.expected`` says what the extractor must find in it.
"""

from __future__ import annotations

import hashlib
import random
import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .extract.numerals import (
    MAX_NUMBER,
    NUMERAL_CHARS,
    format_chinese_number,
    parse_chinese_number,
)
from .records import Paragraph, Report
from .source import Manifest, Source

SESSIONS = range(36, MAX_NUMBER + 1)  # the sessions the report's ordinals can name after 35
_PERIOD = re.compile(r"(\d{4})年7月至(\d{4})年6月")
_CDIP_SYMBOL = re.compile(r"(?<![A-Za-z/])CDIP/(\d+)/")
_ORDINAL = re.compile(rf"第([{NUMERAL_CHARS}]+)届")
_SENTENCE = re.compile(r"[^。]*。")


@dataclass(frozen=True)
class Profile:
    """How far a variant strays from the report: the chance of each edit.

    ``drop``, ``resize``: per paragraph; ``add``, ``reorder``: per block; ``renumber``: per
    citation of an older CDIP document; ``lose_heading``, ``restore_heading``: per section
    that has (has lost) its heading. The defaults keep about a quarter of the sections
    headless, as in the real export (10 of 40).
    """

    drop: float = 0.1
    add: float = 0.15
    reorder: float = 0.3
    resize: float = 0.15
    renumber: float = 0.1
    lose_heading: float = 0.1
    restore_heading: float = 0.3


@dataclass(frozen=True)
class Expected:
    """What the extractor must find in a variant."""

    symbol: str
    session: int
    period: tuple[str, str]  # ("2025-07", "2026-06")
    headless: tuple[int, ...]  # positions of the sections without a heading
    blocks: tuple[tuple[int, int, int], ...]  # per section: implementation, highlight and
    # activity paragraphs


@dataclass(frozen=True)
class Variant:
    name: str  # file stem: cdip_36_2_zh
    text: str
    manifest: Manifest
    expected: Expected

    def write(self, folder: Path) -> Path:
        """Write the text and its manifest into ``folder``; return the manifest's path."""
        folder.mkdir(parents=True, exist_ok=True)
        (folder / self.manifest.file).write_bytes(self.text.encode("utf-8"))
        path = folder / f"{self.name}.toml"
        m = self.manifest
        path.write_text(
            "# A synthetic report made by dakg.graph.synth; not a WIPO document.\n"
            f'symbol = "{m.symbol}"\nlanguage = "{m.language}"\nfile = "{m.file}"\n'
            f'sha256 = "{m.sha256}"\ncommittee = "{m.committee}"\nsession = {m.session}\n'
            f'origin = "{m.origin}"\n', encoding="utf-8")
        return path


@dataclass(frozen=True)
class _SectionLines:
    """Where one section of the template sits, as indices of raw lines."""

    position: int
    numbers: tuple[int, ...]
    heading: int | None
    first_text: int
    blocks: tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]


@dataclass(frozen=True)
class Template:
    """The report a variant is made from: its raw lines, and where its sections sit."""

    source: Source
    lines: tuple[str, ...]
    sections: tuple[_SectionLines, ...]
    immediate: frozenset[int]  # recommendations marked * (for headings a variant restores)


def template(source: Source, report: Report, immediate: frozenset[int]) -> Template:
    """Locate the sections and paragraphs of ``report`` (extracted from ``source``)."""
    lines = tuple(source.text.split("\n"))
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)

    def line_of(offset: int) -> int:
        return bisect_right(starts, offset) - 1

    def block(paragraphs: Sequence[Paragraph]) -> tuple[int, ...]:
        # A paragraph whose span runs over several lines is left where it is.
        return tuple(line_of(p.span.start) for p in paragraphs
                     if line_of(p.span.start) == line_of(p.span.end - 1))

    sections = tuple(
        _SectionLines(
            position=s.position, numbers=s.numbers,
            heading=line_of(s.heading.span.start) if s.heading else None,
            first_text=line_of(s.statements[0].span.start),
            blocks=(block(s.implementation), block(s.highlights), block(s.activities)))
        for s in report.sections)
    return Template(source, lines, sections, immediate)


def generate(base: Template, seed: int, count: int, profile: Profile = Profile(),
             *, first: int = 0) -> Iterator[Variant]:
    """Variants ``first`` … ``first + count - 1`` of the series for ``seed``."""
    for index in range(first, first + count):
        yield variant(base, seed, index, profile)


def variant(base: Template, seed: int, index: int, profile: Profile = Profile()) -> Variant:
    """The ``index``-th variant for ``seed``: a report one year (and session) later per index.

    Sessions run from 36 to 9999 (the ordinals the report's numerals can write); past that the
    series starts again at 36 with another document number (CDIP/36/102, …), so every variant
    has a symbol of its own.
    """
    rng = random.Random(f"dakg-synth/{seed}/{index}")
    session = SESSIONS[index % len(SESSIONS)]
    number = 2 + 100 * (index // len(SESSIONS))
    symbol = f"CDIP/{session}/{number}"
    year = _first_year(base.source.text) + 1 + index % len(SESSIONS)  # a session's year
    edit = _Edit(base, rng, profile)
    headless = edit.headings()
    blocks = edit.blocks()
    text = "\n".join(line for lines in edit.out for line in lines)
    text = _redate(text, year)
    text = _renumber(text, base.source.manifest, symbol, session, rng, profile.renumber)
    name = f"cdip_{session}_{number}_zh"
    data = text.encode("utf-8")
    manifest = Manifest(
        symbol=symbol, language="zh", file=f"{name}.txt",
        sha256=hashlib.sha256(data).hexdigest(), committee="CDIP", session=session,
        origin=f"synthetic: variant {index} (seed {seed}) of {base.source.manifest.symbol}, "
               "made by dakg.graph.synth")
    expected = Expected(symbol=symbol, session=session,
                        period=(f"{year}-07", f"{year + 1}-06"), headless=headless,
                        blocks=blocks)
    return Variant(name, text, manifest, expected)


class _Edit:
    """The edits of one variant: ``out[i]`` is what raw line ``i`` becomes (0, 1 or more
    lines)."""

    def __init__(self, base: Template, rng: random.Random, profile: Profile) -> None:
        self.base = base
        self.rng = rng
        self.profile = profile
        self.out: list[list[str]] = [[line] for line in base.lines]
        safe = [i for s in base.sections for kind in (0, 2) for i in s.blocks[kind]
                if _safe(base.lines[i])]
        self.paragraph_pool = [_content(base.lines[i]) for i in safe]
        self.bullet_pool = [_content(base.lines[i]) for s in base.sections
                            for i in s.blocks[1] if _safe(base.lines[i])]

    def headings(self) -> tuple[int, ...]:
        """Lose some headings, restore some lost ones; the positions left without one."""
        headless = []
        for s in self.base.sections:
            first = self.base.lines[s.first_text]
            if s.heading is None:
                if self.rng.random() < self.profile.restore_heading:
                    star = "*" if s.numbers[0] in self.base.immediate else ""
                    self.out[s.first_text] = [f"\t建议{s.numbers[0]}{star}",
                                              first.removeprefix(" ")]
                else:
                    headless.append(s.position)
            elif (s.position > 1 and len(s.numbers) == 1 and _safe(self.base.lines[s.heading])
                  and self.rng.random() < self.profile.lose_heading):
                # The export keeps a lost heading's section break as a space before the text.
                self.out[s.heading] = []
                self.out[s.first_text] = [" " + first.lstrip(" ")]
                headless.append(s.position)
        return tuple(headless)

    def blocks(self) -> tuple[tuple[int, int, int], ...]:
        return tuple(
            (self._block(s.blocks[0], self.paragraph_pool),
             self._block(s.blocks[1], self.bullet_pool),
             self._block(s.blocks[2], self.paragraph_pool))
            for s in self.base.sections)

    def _block(self, at: tuple[int, ...], pool: list[str]) -> int:
        """Edit one block's paragraphs (lines ``at``); how many it has after."""
        if not at:  # 无: no highlights
            return 0
        p, rng, lines = self.profile, self.rng, self.base.lines
        safe = [i for i in at if _safe(lines[i])]
        contents = {i: _content(lines[i]) for i in safe}
        if len(safe) > 1 and rng.random() < p.reorder:
            order = rng.sample(safe, len(safe))
            contents = {i: contents[j] for i, j in zip(safe, order, strict=True)}
        for i in safe:
            if rng.random() < p.resize:
                contents[i] = self._resize(contents[i], pool)
        count = len(at)
        for i in safe:
            if count > 1 and rng.random() < p.drop:
                contents.pop(i)
                self.out[i] = []
                count -= 1
        for i, content in contents.items():
            self.out[i] = [_prefix(lines[i]) + content]
        if pool and rng.random() < p.add:
            after = rng.choice(at)
            self.out[after] = [*self.out[after], rng.choice(pool)]
            count += 1
        return count

    def _resize(self, content: str, pool: list[str]) -> str:
        sentences = _SENTENCE.findall(content)
        if len(sentences) > 1 and "".join(sentences) == content and self.rng.random() < 0.5:
            return "".join(sentences[: self.rng.randrange(1, len(sentences))])
        extra = _SENTENCE.findall(self.rng.choice(pool)) if pool else []
        return content + self.rng.choice(extra).lstrip("·• \t") if extra else content


def _safe(line: str) -> bool:
    """A line that may be moved, cut or copied: no markup, and no section break."""
    return "[" not in line and not line.startswith(" ")


def _content(line: str) -> str:
    return line.lstrip(" \t")


def _prefix(line: str) -> str:
    return line[: len(line) - len(_content(line))]


def _first_year(text: str) -> int:
    found = _PERIOD.search(text)
    if found is None:
        raise ValueError("the template names no reporting period 'YYYY年7月至YYYY年6月'")
    return int(found[1])


def _redate(text: str, year: int) -> str:
    """The reporting period moved to July ``year`` – June ``year + 1``."""
    start = _first_year(text)
    period = f"{start}年7月至{start + 1}年6月"
    return text.replace(period, f"{year}年7月至{year + 1}年6月")


def _renumber(text: str, original: Manifest, symbol: str, session: int,
              rng: random.Random, share: float) -> str:
    """The report's own symbol and session, and the previous session, moved to ``session``;
    a ``share`` of the older CDIP documents renumbered."""
    now = original.session

    def document(match: re.Match[str]) -> str:
        old = int(match[1])
        if old in (now, now - 1):
            return f"CDIP/{session - (now - old)}/"
        if rng.random() < share:
            return f"CDIP/{rng.randrange(1, now - 1)}/"
        return match[0]

    def ordinal(match: re.Match[str]) -> str:
        old = parse_chinese_number(match[1])
        if old in (now, now - 1):
            return f"第{format_chinese_number(session - (now - old))}届"
        return match[0]

    text = _ORDINAL.sub(ordinal, _CDIP_SYMBOL.sub(document, text))
    # The report's own symbol has just moved with its session; older ones never land there.
    own = original.symbol.replace(f"CDIP/{now}/", f"CDIP/{session}/", 1)
    return re.sub(re.escape(own) + r"(?![\d/])", symbol, text) if own != symbol else text

