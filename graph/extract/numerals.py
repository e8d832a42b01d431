"""Chinese numerals as the report writes session numbers: 第三十三届 is the 33rd."""

from __future__ import annotations

_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
           "八": 8, "九": 9}
NUMERAL_CHARS = "零一二两三四五六七八九十百千"
_UNITS = (("千", 1000), ("百", 100), ("十", 10))
MAX_NUMBER = 9999


def parse_chinese_number(text: str) -> int:
    """Read a number from 1 to 9999 written with 十, 百 and 千 (``三十三`` → 33, ``十一`` → 11,
    ``一千零五`` → 1005).

    Raises ``ValueError`` for anything else, so a garbled ordinal is noticed, not misread.
    """
    if not text or any(ch not in NUMERAL_CHARS for ch in text):
        raise ValueError(f"not a Chinese numeral: {text!r}")
    total = 0
    rest = text
    for unit, value in _UNITS:
        if unit in rest:
            head, _, rest = rest.partition(unit)
            if unit in rest:
                raise ValueError(f"not a Chinese numeral: {text!r}")
            head = head.removeprefix("零") if total else head  # 一千零五十: a skipped place
            # 十一 is eleven: a bare 十 counts one ten.
            if head == "" and unit == "十" and not total:
                total += value
            else:
                total += _digit(head, text) * value
    if rest:
        total += _digit(rest.removeprefix("零"), text)
    if total == 0:
        raise ValueError(f"not a Chinese numeral: {text!r}")
    return total


def _digit(part: str, whole: str) -> int:
    if len(part) != 1 or part not in _DIGITS:
        raise ValueError(f"not a Chinese numeral: {whole!r}")
    return _DIGITS[part]


def format_chinese_number(number: int) -> str:
    """The inverse of ``parse_chinese_number`` for 1–9999 (33 → ``三十三``, 11 → ``十一``,
    1005 → ``一千零五``)."""
    if not 1 <= number <= MAX_NUMBER:
        raise ValueError(f"out of range: {number}")
    digits = "零一二三四五六七八九"
    text = ""
    rest = number
    for unit, value in _UNITS:
        place, rest = divmod(rest, value)
        if place:
            # 十一 for eleven, but 一百一十 for 110: a leading ten goes without its 一.
            text += ("" if unit == "十" and place == 1 and not text else digits[place]) + unit
        elif text and rest and not text.endswith("零"):
            text += "零"
    if rest:
        text += digits[rest]
    return text
