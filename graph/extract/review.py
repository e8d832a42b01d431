"""Annex II: progress on the recommendations of the independent review.

After its title (独立审查实施工作) each item reads::

    建议9（成员国和秘书处）          number and addressee
    <recommendation text>
    进展                            progress: paragraphs, up to the next item
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..records import Block, Passage, ReviewItem, Span
from .lines import Line
from .sections import Error, PassageOf, paragraphs

PROGRESS = "进展"
_ITEM = re.compile(r"建议(?P<number>\d+)（(?P<addressee>[^（）]+)）")


def parse_review(lines: Sequence[Line], marker: Line, passage: PassageOf,
                 error: Error) -> tuple[Passage, tuple[ReviewItem, ...]]:
    """Parse Annex II: ``lines`` run from its first line to the end of the annex."""
    if not lines:
        raise error("expected the title of Annex II after this line", marker)
    title, rest = lines[0], lines[1:]
    if _ITEM.fullmatch(title.text.text):
        raise error("expected the title of Annex II before its first item", title)
    starts = [i for i, line in enumerate(rest) if _ITEM.fullmatch(line.text.text)]
    if not starts or starts[0] != 0:
        raise error("expected an item '建议N（…）' after the title of Annex II",
                    rest[0] if rest else title)
    items = []
    for a, b in zip(starts, [*starts[1:], len(rest)], strict=True):
        items.append(_item(rest[a:b], passage, error))
    return passage([title]), tuple(items)


def _item(lines: Sequence[Line], passage: PassageOf, error: Error) -> ReviewItem:
    head = _ITEM.fullmatch(lines[0].text.text)
    assert head is not None
    progress_at = next((i for i, line in enumerate(lines) if line.text.text == PROGRESS), None)
    if progress_at is None:
        raise error(f"expected the block '{PROGRESS}' in this item", lines[0])
    if progress_at == 1:
        raise error("expected the recommendation text after the heading", lines[0])
    if progress_at + 1 == len(lines):
        raise error(f"the block '{PROGRESS}' is empty", lines[progress_at])
    return ReviewItem(
        number=int(head["number"]),
        addressee=head["addressee"],
        heading=passage(lines[:1]),
        text=passage(lines[1:progress_at]),
        progress=paragraphs(lines[progress_at + 1 :], Block.PROGRESS, passage),
        span=Span(lines[0].text.span.start, lines[-1].text.span.end),
    )
