"""Committee sessions written with Chinese ordinals: ``CDIP第三十三届会议`` is CDIP's 33rd.

A run of ordinals ending in 会议 is a session mention (``第四十九届、第五十届和第五十一届会议``
is three). Which committee it belongs to is read from the text around it:

* attached: a committee name right before the ordinal (``IGC第四十八届``, ``SCP在第三十六届``,
  ``委员会第十八届``) or inside it (``第十七届CDIP会议``);
* joined to a session just found (``CDIP第二届会议和第五届会议``): the same committee;
* free-standing, at the start of a clause or after 其 (``在第三十届会议上，CDIP…``,
  ``…一次会议。其第四十八届会议``, ``委员会决定在其第三十五届会议上``): the nearest committee
  named in the same sentence, else the last one named before it in the paragraph.

A series of meetings of the Assemblies is a session too (``产权组织成员国大会第六十六届系列会议``).

The session the report is written for has no number in the text: ``本届会议`` (this session) and
``当届会议`` (the current session) are that session (CDIP 35 for CDIP/35/2), when the finder
knows it (``for_session``). ``下届会议`` (the next session) is left alone: which one that is,
the text does not say.

Ordinals attached to anything else (``缔约方大会（COP）第二十九届会议``, ``对话会第一届会议``)
are not committee sessions and are left alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..records import SessionMention
from .excerpt import Excerpt
from .numerals import NUMERAL_CHARS, parse_chinese_number

_ORDINAL = rf"第([{NUMERAL_CHARS}]+)届"
_RUN = re.compile(rf"{_ORDINAL}(?:(?:、|和|及){_ORDINAL})*(?P<inner>[A-Z]+)?(?:系列)?会议")
_CURRENT = re.compile(r"[本当]届(?=会议)")
_ORDINAL_ONE = re.compile(_ORDINAL)
_ATTACHED_TAIL = re.compile(r"[）)]?(?:在|的|：)?$")
_JOINED_TAIL = re.compile(r"(?:上)?(?:和|、|及)$")  # 第二届会议和第五届会议: same committee
_FREE_STANDING = re.compile(
    r"(?:(?:^|[。，；：（(])\s*(?:此外，|相应地，|据此，)?(?:秘书处)?(?:在|其)?|在其|其)$")
_SENTENCE_END = "。；"


class SessionFinder:
    """Finds session mentions; ``committees`` maps each name of a committee to its key."""

    def __init__(self, committees: Mapping[str, str],
                 current: tuple[str, int] | None = None) -> None:
        self.committees = dict(committees)
        self.current = current
        longest_first = sorted(self.committees, key=len, reverse=True)
        self._names = re.compile("|".join(re.escape(n) for n in longest_first))

    def __call__(self, text: Excerpt) -> list[SessionMention]:
        named = [(m.start(), m.end(), self.committees[m[0]])
                 for m in self._names.finditer(text.text)]
        found: list[SessionMention] = []
        previous: tuple[int, str] | None = None  # end and committee of the last run found
        for run in _RUN.finditer(text.text):
            if previous and _JOINED_TAIL.fullmatch(text.text[previous[0] : run.start()]):
                committee: str | None = previous[1]
            else:
                committee = _committee(text.text, run, named, self.committees)
            if committee is None:
                continue
            previous = (run.end(), committee)
            for ordinal in _ORDINAL_ONE.finditer(text.text, run.start(), run.end()):
                found.append(SessionMention(
                    committee=committee, number=parse_chinese_number(ordinal[1]),
                    surface=ordinal[0], span=text.span_of(ordinal.start(), ordinal.end())))
        if self.current is not None:
            committee, number = self.current
            found += [SessionMention(committee=committee, number=number, surface=m[0],
                                     span=text.span_of(m.start(), m.end()))
                      for m in _CURRENT.finditer(text.text)]
        return sorted(found, key=lambda m: m.span)

    def for_session(self, committee: str, number: int) -> SessionFinder:
        """This finder, reading 本届会议 and 当届会议 as ``committee``'s session ``number``."""
        return SessionFinder(self.committees, (committee, number))


def _committee(text: str, run: re.Match[str], named: list[tuple[int, int, str]],
               committees: Mapping[str, str]) -> str | None:
    if run["inner"]:
        return committees.get(run["inner"])
    before = [n for n in named if n[1] <= run.start()]
    if before and _ATTACHED_TAIL.fullmatch(text[before[-1][1] : run.start()]):
        return before[-1][2]
    if not _FREE_STANDING.search(text[: run.start()]):
        return None
    sentence_start = max(text.rfind(ch, 0, run.start()) for ch in _SENTENCE_END) + 1
    ends = [i for i in (text.find(ch, run.end()) for ch in _SENTENCE_END) if i != -1]
    sentence_end = min(ends, default=len(text))
    in_sentence = [n for n in named if sentence_start <= n[0] and n[1] <= sentence_end]
    if in_sentence:
        return min(in_sentence, key=lambda n: min(abs(n[0] - run.end()),
                                                  abs(run.start() - n[1])))[2]
    return before[-1][2] if before else None
