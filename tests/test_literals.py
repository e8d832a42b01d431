"""The literal helpers make the terms rdflib's own constructor makes."""

from __future__ import annotations

import pickle
from collections.abc import Callable

import pytest
from rdflib import Literal
from rdflib.namespace import XSD

from dakg.graph.rdf.literals import en, integer, plain, zh

TEXTS = ["建议 25", "Recommendation 25", "", " a\nb \"c\" ", "é\u0301", "CDIP/16/4 REV."]


def _same(made: Literal, expected: Literal) -> None:
    assert (made, type(made)) == (expected, type(expected))
    assert made.eq(expected) and hash(made) == hash(expected)
    assert (made.language, made.datatype, made.value, made.ill_typed) == (
        expected.language, expected.datatype, expected.value, expected.ill_typed)
    assert made.n3() == expected.n3() and str(made) == str(expected)
    assert pickle.loads(pickle.dumps(made)).eq(expected)


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize(("helper", "lang"), [(zh, "zh"), (en, "en"), (plain, None)])
def test_texts_are_rdflib_s(helper: Callable[[str], Literal], lang: str | None,
                            text: str) -> None:
    _same(helper(text), Literal(text, lang=lang))


@pytest.mark.parametrize("value", [0, 7, 25, 120_000, -3])
def test_whole_numbers_are_rdflib_s(value: int) -> None:
    _same(integer(value), Literal(value, datatype=XSD.integer))


def test_a_truth_value_is_no_whole_number() -> None:
    with pytest.raises(TypeError, match="not a whole number"):
        integer(True)
