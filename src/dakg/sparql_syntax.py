"""Oxigraph's SPARQL syntax errors, said in one sentence a person can act on.

Oxigraph reports where its parser stopped (``error at 3:17``, line and column counted in
characters from 1) and every token its grammar could have taken there, which can run to
hundreds of characters of character classes; and where it gave up is often the end of the
request, far from the fault. This says what is wrong in one sentence, at the place of the
fault: an undeclared prefix, a relative IRI, an unbound variable in the SELECT, a bracket
that is never closed or closes the wrong one, a word that is no SPARQL keyword (``LIMT``); or
else where the parser stopped, what stands there, and, when it expected only a few words,
which.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from .sparql_lexer import Token, Unreadable, first_undeclared, tokens

_REPORT = re.compile(r"error at (\d+):(\d+): expected (?:one of )?(.*)", re.DOTALL)
_WORD = re.compile(r'[A-Za-z]+|"[^"\s]{1,3}"')
# What Oxigraph's grammar says in words, and what to tell the user instead.
_KNOWN = {
    "Prefix not found": None,  # worded with the prefix itself, below
    "IRI parsing failed": "this is not a valid IRI",
    "The SELECT contains a variable that is unbound":
        "the SELECT names a variable that is neither grouped nor aggregated",
}
_FEW = 5  # expected words and signs worth listing; more than that is noise


def explain(text: str, message: str, what: str = "query") -> str:
    """``message`` (a SyntaxError from Oxigraph on ``text``) as one sentence."""
    found = _REPORT.match(message)
    if found is None:
        return message
    line, column, expected = int(found[1]), int(found[2]), found[3]
    lines = text.split("\n")
    here = lines[line - 1][column - 1:] if line <= len(lines) else ""
    place = f"line {line}, column {column}"
    if "Prefix not found" in expected:
        prefix = _prefix_before(lines[line - 1][: column - 1] if line <= len(lines) else "")
        if prefix is not None:
            return f"{place}: {_undeclared(prefix, what)}"
    if "IRI parsing failed" in expected:
        iri = re.search(r"<[^<>\s]*>\s*$", lines[line - 1][: column - 1] if line <= len(lines)
                        else "")
        if iri is not None:
            return f"{place}: {iri[0]} is not an absolute IRI, and there is no BASE to resolve it"
    for words, said in _KNOWN.items():
        if said is not None and words in expected:
            return f"{place}: {said}"
    # Oxigraph reports where it gave up, often the end; a bracket or a word can say better.
    found_earlier = _bracket(text) or _unknown_word(text)
    if found_earlier is not None:
        return found_earlier
    at_end = not "\n".join([here, *lines[line:]]).strip()
    near = "at the end" if at_end else f"at {_token(here)!r}"
    items = [i for i in _items(expected) if i != "[_]"]  # [_]: any character, says nothing
    if items and len(items) <= _FEW and all(_WORD.fullmatch(i) for i in items):
        return f"{place}, {near}: expected {_or(items)}"
    if at_end:
        return f"{place}: the {what} stops making sense before its end"
    return f"{place}, {near}: this is not valid SPARQL here"


def undeclared(text: str, predeclared: Collection[str], what: str = "query") -> str | None:
    """The sentence for the first undeclared prefix of ``text``, if it has one."""
    try:
        token = first_undeclared(tuple(tokens(text)), predeclared)
    except Unreadable:
        return None  # the engine will say what is wrong
    if token is None:
        return None
    return undeclared_prefix(text, token.offset, token.text.partition(":")[0], what)


def undeclared_prefix(text: str, offset: int, prefix: str, what: str = "query") -> str:
    """The sentence for a prefixed name at ``offset`` whose ``prefix`` is not declared."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}: {_undeclared(prefix, what)}"


def _undeclared(prefix: str, what: str) -> str:
    return f"the prefix {prefix}: is not declared (add PREFIX {prefix}: <…> before the {what})"


def _place(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    return f"line {line}, column {offset - (text.rfind(chr(10), 0, offset) + 1) + 1}"


_PAIRS = {"}": "{", ")": "(", "]": "["}


def _bracket(text: str) -> str | None:
    """A bracket that closes nothing, closes the wrong one, or is never closed."""
    try:
        found = list(tokens(text))
    except Unreadable:
        return None
    opened: list[Token] = []
    for token in found:
        if token.kind != "punct":
            continue
        if token.text in "{([":
            opened.append(token)
        elif token.text in _PAIRS:
            if not opened:
                return f"{_place(text, token.offset)}: this '{token.text}' closes nothing"
            if opened[-1].text != _PAIRS[token.text]:
                return (f"{_place(text, token.offset)}: this '{token.text}' would close the "
                        f"'{opened[-1].text}' of {_place(text, opened[-1].offset)}")
            opened.pop()
    if opened:
        return f"{_place(text, opened[-1].offset)}: this '{opened[-1].text}' is never closed"
    return None


def _unknown_word(text: str) -> str | None:
    """A bare word that is no keyword or function of SPARQL (a misspelt ``LIMIT``, …)."""
    try:
        found = list(tokens(text))
    except Unreadable:
        return None
    for token in found:
        if token.kind == "word" and token.text.upper() not in KEYWORDS:
            return f"{_place(text, token.offset)}: {token.text} is not a SPARQL keyword"
    return None


# The words of SPARQL 1.1 Query and Update (§19.8) and of SPARQL 1.2 that Oxigraph reads.
KEYWORDS = frozenset({
    "A", "ABS", "ADD", "ADJUST", "ALL", "AS", "ASC", "ASK", "AVG", "BASE", "BIND", "BNODE",
    "BOUND", "BY", "CEIL", "CLEAR", "COALESCE", "CONCAT", "CONSTRUCT", "CONTAINS", "COPY", "COUNT",
    "CREATE", "DATA", "DATATYPE", "DAY", "DEFAULT", "DELETE", "DESC", "DESCRIBE", "DISTINCT",
    "DROP", "ENCODE_FOR_URI", "EXISTS", "FALSE", "FILTER", "FLOOR", "FROM", "GRAPH", "GROUP",
    "GROUP_CONCAT", "HASLANG", "HASLANGDIR", "HAVING", "HOURS", "IF", "IN", "INSERT", "INTO",
    "IRI", "ISBLANK", "ISIRI", "ISLITERAL", "ISNUMERIC", "ISTRIPLE", "ISURI", "LANG", "LANGDIR",
    "LANGMATCHES", "LATERAL", "LCASE", "LIMIT", "LOAD", "MAX", "MD5", "MIN", "MINUS", "MINUTES",
    "MONTH", "MOVE", "NAMED", "NOT", "NOW", "OBJECT", "OFFSET", "OPTIONAL", "ORDER", "PREDICATE",
    "PREFIX", "RAND", "REDUCED", "REGEX", "REPLACE", "ROUND", "SAMETERM", "SAMPLE", "SECONDS",
    "SELECT", "SEPARATOR", "SERVICE", "SHA1", "SHA256", "SHA384", "SHA512", "SILENT", "STR",
    "STRAFTER", "STRBEFORE", "STRDT", "STRENDS", "STRLANG", "STRLANGDIR", "STRLEN", "STRSTARTS",
    "STRUUID", "SUBJECT", "SUBSTR", "SUM", "TIMEZONE", "TO", "TRIPLE", "TRUE", "TZ", "UCASE",
    "UNDEF", "UNION", "URI", "USING", "UUID", "VALUES", "VERSION", "WHERE", "WITH", "YEAR",
})


def _items(expected: str) -> list[str]:
    return [item.strip() for item in re.split(r",\s*(?![^\[]*\])", expected) if item.strip()]


def _or(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _token(rest: str) -> str:
    """The text that stands at the error: up to the next space, at most 20 characters."""
    word = re.match(r"\S+", rest.lstrip())
    return word[0][:20] if word else rest[:20]


def _prefix_before(before: str) -> str | None:
    """The prefix of the prefixed name that ends where Oxigraph stopped."""
    found = re.search(r"([^\s{}()\[\];,.<>?$:]*):[^\s{}()\[\];,<>:]*$", before)
    return found[1] if found else None
