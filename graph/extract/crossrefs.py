"""Cross-references between recommendations: ``请参见建议16``, ``最新信息请见建议7和22``."""

from __future__ import annotations

import re

from ..records import CrossReference
from .excerpt import Excerpt

_CROSS_REFERENCE = re.compile(r"(?:请?参见|请见)建议(?P<numbers>\d+(?:(?:、|和|及)\d+)*)")


def find_cross_references(text: Excerpt) -> list[CrossReference]:
    return [
        CrossReference(numbers=tuple(int(n) for n in re.findall(r"\d+", m["numbers"])),
                       surface=m[0], span=span)
        for m, span in text.finditer(_CROSS_REFERENCE)
    ]
