"""Annex I: one section per recommendation, or per group reported together.

A section reads::

    建议N*                         heading; * = adopted for immediate implementation
    <recommendation text>          one or more paragraphs (建议N：… per member of a group)
    相关产权组织部门                 related WIPO sectors, separated by ；
    落实工作                        implementation: paragraphs
    亮点                           highlights: bullets starting with ·, or 无
    活动/成果                       activities and outcomes: paragraphs, up to the next section

Every section has exactly one 相关产权组织部门 block, so those blocks anchor the sections.
What comes before an anchor is the end of the previous section's activities, then the new
section's heading and recommendation text. Ten headings were lost in the export; there the
text starts at the line that still carries the section break (see ``lines.py``), and the
section's number is recovered from the order of the sections: the numbers no heading claims,
between the two headed sections around it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..errors import SourceError
from ..records import Block, Paragraph, Passage, Section, Span, Statement
from .lines import Line
from .mentions import in_list_of, list_role

SECTORS = "相关产权组织部门"
IMPLEMENTATION = "落实工作"
HIGHLIGHTS = "亮点"
ACTIVITIES = "活动/成果"
NONE = "无"
BLOCK_HEADERS = (SECTORS, IMPLEMENTATION, HIGHLIGHTS, ACTIVITIES)

_HEADING = re.compile(r"建议\d+\*?(?:(?:、|和)\d+\*?)*")
_HEADING_NUMBER = re.compile(r"(\d+)(\*?)")
_STATEMENT_PREFIX = re.compile(r"建议(\d+)：")
_BULLET = re.compile(r"[·•]\s*")
_SECTOR_SEPARATOR = "；"

Error = Callable[[str, Line], SourceError]
PassageOf = Callable[[Sequence[Line]], Passage]


@dataclass
class _Frame:
    """A section whose lines are located but whose numbers may not be known yet."""

    heading: Line | None
    text: list[Line]
    anchor: int
    highlights_at: int
    activities_at: int
    end: int = 0  # index one past the section's last line


def parse_sections(lines: Sequence[Line], total: int, passage: PassageOf,
                   error: Error) -> tuple[Section, ...]:
    """Parse Annex I (``lines`` between its title and the Annex II marker)."""
    anchors = [i for i, line in enumerate(lines) if line.text.text == SECTORS]
    if not anchors:
        raise error(f"expected sections with a '{SECTORS}' block in Annex I", lines[0])
    frames: list[_Frame] = []
    start = 0
    for anchor in anchors:
        heading, text_at = _section_start(lines, start, anchor, first=not frames, error=error)
        if frames:
            frames[-1].end = heading if heading is not None else text_at
        highlights_at, activities_at = _blocks(lines, anchor, error)
        frames.append(_Frame(lines[heading] if heading is not None else None,
                             list(lines[text_at:anchor]), anchor, highlights_at,
                             activities_at))
        start = activities_at + 1
    frames[-1].end = len(lines)
    numbers = _numbers(frames, total, error)
    return tuple(_section(position, frame, numbers[position - 1], lines, passage, error)
                 for position, frame in enumerate(frames, 1))


def _section_start(lines: Sequence[Line], start: int, anchor: int, *, first: bool,
                   error: Error) -> tuple[int | None, int]:
    """Where the section before ``anchor`` begins: (heading index or None, text index)."""
    headings = [i for i in range(start, anchor) if _HEADING.fullmatch(lines[i].text.text)]
    if len(headings) > 1:
        raise error(f"two headings before one '{SECTORS}' block; the section of "
                    f"'{lines[headings[0]].text.text}' has no '{SECTORS}'", lines[headings[1]])
    if headings:
        heading = headings[0]
        if first and heading != start:
            raise error("expected the first section's heading '建议N' here", lines[start])
        if heading + 1 == anchor:
            raise error(f"expected the recommendation text after '{lines[heading].text.text}'",
                        lines[anchor])
        return heading, heading + 1
    breaks = [i for i in range(start, anchor) if lines[i].section_break]
    if not breaks:
        raise error(f"expected a heading '建议N' before this '{SECTORS}' block (or, where the "
                    "export lost it, a section break before the recommendation text)",
                    lines[anchor])
    return None, breaks[-1]


def _blocks(lines: Sequence[Line], anchor: int, error: Error) -> tuple[int, int]:
    """Check the fixed blocks after an anchor; return the indices of 亮点 and 活动/成果."""
    if anchor + 1 >= len(lines) or lines[anchor + 1].text.text in BLOCK_HEADERS:
        raise error(f"expected the sector names after '{SECTORS}'", lines[anchor])
    implementation = _expect(lines, anchor + 2, IMPLEMENTATION, error)
    highlights = _expect(lines, _next_header(lines, implementation + 1), HIGHLIGHTS, error)
    activities = _expect(lines, _next_header(lines, highlights + 1), ACTIVITIES, error)
    if implementation + 1 == highlights:
        raise error(f"the block '{IMPLEMENTATION}' is empty", lines[implementation])
    return highlights, activities


def _next_header(lines: Sequence[Line], start: int) -> int:
    i = start
    while i < len(lines) and lines[i].text.text not in BLOCK_HEADERS:
        i += 1
    return i


def _expect(lines: Sequence[Line], i: int, header: str, error: Error) -> int:
    if i >= len(lines):
        raise error(f"the text ends here, inside a section: expected the block '{header}'",
                    lines[-1])
    if lines[i].text.text != header:
        raise error(f"expected the block '{header}', found '{lines[i].text.text[:20]}'",
                    lines[i])
    return i


def _numbers(frames: list[_Frame], total: int, error: Error) -> list[tuple[int, ...]]:
    """The recommendation numbers of each section, recovering those of headless sections."""
    stated = [_heading_numbers(f.heading)[0] if f.heading else () for f in frames]
    claimed = {n for numbers in stated for n in numbers}
    result: list[tuple[int, ...]] = []
    i = 0
    while i < len(frames):
        if stated[i]:
            result.append(stated[i])
            i += 1
            continue
        run_end = next((j for j in range(i, len(frames)) if stated[j]), len(frames))
        low = min(stated[i - 1]) if i else 0
        high = min(stated[run_end]) if run_end < len(frames) else total + 1
        free = [n for n in range(low + 1, high) if n not in claimed]
        if len(free) != run_end - i:
            raise error(
                f"cannot recover the numbers of {run_end - i} section(s) without a heading "
                f"between 建议{low} and 建议{high}: the numbers no heading claims there are "
                f"{free or 'none'}", frames[i].text[0])
        result.extend((n,) for n in free)
        i = run_end
    _check_coverage(frames, result, total, error)
    return result


def _check_coverage(frames: list[_Frame], numbers: list[tuple[int, ...]], total: int,
                    error: Error) -> None:
    seen: dict[int, _Frame] = {}
    previous = 0
    for frame, group in zip(frames, numbers, strict=True):
        where = frame.heading or frame.text[0]
        if min(group) < previous:
            raise error(f"section 建议{min(group)} comes after 建议{previous}; sections are "
                        "expected in the order of their first recommendation", where)
        previous = min(group)
        for n in group:
            if not 1 <= n <= total:
                raise error(f"recommendation {n} is outside 1–{total}", where)
            if n in seen:
                raise error(f"recommendation {n} is reported in two sections", where)
            seen[n] = frame
    missing = sorted(set(range(1, total + 1)) - seen.keys())
    if missing:
        raise error(f"no section reports on recommendation(s) {missing}", frames[-1].text[0])


def _heading_numbers(heading: Line) -> tuple[tuple[int, ...], tuple[bool, ...]]:
    found = _HEADING_NUMBER.findall(heading.text.text)
    return tuple(int(n) for n, _ in found), tuple(star == "*" for _, star in found)


def _section(position: int, frame: _Frame, numbers: tuple[int, ...], lines: Sequence[Line],
             passage: PassageOf, error: Error) -> Section:
    stars = _heading_numbers(frame.heading)[1] if frame.heading else (None,) * len(numbers)
    statements = _statements(frame.text, numbers, stars, passage, error)
    highlights, no_highlights = _highlights(
        lines[frame.highlights_at + 1 : frame.activities_at], lines[frame.highlights_at],
        passage, error)
    first = frame.heading or frame.text[0]
    if frame.activities_at + 1 >= frame.end:
        raise error(f"the block '{ACTIVITIES}' is empty", lines[frame.activities_at])
    return Section(
        position=position,
        numbers=numbers,
        heading=passage([frame.heading]) if frame.heading else None,
        statements=statements,
        sectors=_sectors(lines[frame.anchor + 1], error),
        implementation=paragraphs(lines[frame.anchor + 3 : frame.highlights_at],
                                   Block.IMPLEMENTATION, passage),
        highlights=highlights,
        no_highlights=no_highlights,
        activities=paragraphs(lines[frame.activities_at + 1 : frame.end], Block.ACTIVITIES,
                               passage),
        span=_covering(first, lines[frame.end - 1]),
    )


def _statements(text: list[Line], numbers: tuple[int, ...], stars: Sequence[bool | None],
                passage: PassageOf, error: Error) -> tuple[Statement, ...]:
    """Split a section's recommendation text into one statement per recommendation."""
    if len(numbers) == 1:
        groups = [text]
    else:
        starts = [i for i, line in enumerate(text) if _STATEMENT_PREFIX.match(line.text.text)]
        found = [int(_STATEMENT_PREFIX.match(text[i].text.text)[1])  # type: ignore[index]
                 for i in starts]
        if found != list(numbers) or starts[0] != 0:
            raise error(f"expected the texts of {', '.join(f'建议{n}：' for n in numbers)} "
                        "in this order", text[starts[0] if starts else 0])
        groups = [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]
    statements = []
    for number, star, group in zip(numbers, stars, groups, strict=True):
        if len(numbers) > 1:  # the text proper starts after 建议N：
            group = [_trimmed(group[0], len(f"建议{number}：")), *group[1:]]
        body = passage(group)
        statements.append(Statement(text=body.text, span=body.span, footnotes=body.footnotes,
                                    mentions=body.mentions, number=number,
                                    marked_immediate=star))
    return tuple(statements)


def _trimmed(line: Line, cut: int) -> Line:
    """``line`` without its first ``cut`` characters (a bullet, a 建议N： prefix)."""
    return Line(line.number, line.text[cut:].strip(), line.section_break, line.footnotes)


def _sectors(line: Line, error: Error) -> tuple[Passage, ...]:
    names = []
    start = 0
    text = line.text
    for piece in [*text.text.split(_SECTOR_SEPARATOR)]:
        part = text[start : start + len(piece)].strip()
        start += len(piece) + 1
        if not part:
            continue
        if not part.text.endswith("部门"):
            raise error(f"expected WIPO sector names ending in 部门, separated by "
                        f"'{_SECTOR_SEPARATOR}'; found '{part.text}'", line)
        names.append(Passage(text=part.text, span=part.span))
    if not names:
        raise error("expected at least one sector name", line)
    return tuple(names)


def _highlights(lines: Sequence[Line], header: Line, passage: PassageOf,
                error: Error) -> tuple[tuple[Paragraph, ...], Passage | None]:
    if not lines:
        raise error(f"the block '{HIGHLIGHTS}' is empty; expected bullets '·' or '{NONE}'",
                    header)
    if len(lines) == 1 and lines[0].text.text == NONE:
        return (), passage(lines)
    items = []
    for position, line in enumerate(lines, 1):
        bullet = _BULLET.match(line.text.text)
        if bullet is None:
            raise error(f"expected a highlight starting with '·' (or '{NONE}' for none)", line)
        body = passage([_trimmed(line, bullet.end())])
        items.append(Paragraph(text=body.text, span=body.span, footnotes=body.footnotes,
                               mentions=body.mentions, block=Block.HIGHLIGHTS,
                               position=position))
    return tuple(items), None


def paragraphs(lines: Sequence[Line], block: Block, passage: PassageOf) -> tuple[Paragraph, ...]:
    """One paragraph per line; a list item's bullet (· or •) is markup, not text.

    A list whose introduction names the role of the documents it gives (``…项目的审评报告：``)
    passes that role to the project documents of its items.
    """
    result = []
    role = None
    for position, line in enumerate(lines, 1):
        bullet = _BULLET.match(line.text.text)
        body = passage([_trimmed(line, bullet.end()) if bullet else line])
        mentions = in_list_of(role, body.mentions) if bullet and role else body.mentions
        if not bullet:
            role = list_role(body.text)
        result.append(Paragraph(text=body.text, span=body.span, footnotes=body.footnotes,
                                mentions=mentions, block=block, position=position))
    return tuple(result)


def _covering(first: Line, last: Line) -> Span:
    return Span(first.text.span.start, last.text.span.end)

