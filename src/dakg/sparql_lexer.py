"""The lexical grammar of SPARQL 1.1 (§19.8), as Oxigraph reads it: a request as tokens.

Strings, IRIs and comments are tokens of their own, so a keyword inside a literal or after
``#`` is not a keyword. The server's scan (``dakg.server.sparql_scan``) reads requests with
it before the engine does; both layers use it to name an undeclared prefix.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass

_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff")
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + r"\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_PREFIX = rf"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_PN_LOCAL = (rf"(?:[{_PN_CHARS_U}:0-9]|{_PLX})"
             rf"(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?")
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_ECHAR = rf"\\[tbnrf\\\"']|{_UCHAR}"

_TOKEN = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in (
    ("ws", r"[ \t\r\n]+"),
    ("comment", r"#[^\r\n]*"),
    ("iri", rf"<(?:[^<>\"{{}}|^`\\\x00-\x20]|{_UCHAR})*>"),
    ("string", rf"'''(?:(?:'|'')?(?:[^'\\]|{_ECHAR}))*'''"
               rf"|\"\"\"(?:(?:\"|\"\")?(?:[^\"\\]|{_ECHAR}))*\"\"\""
               rf"|'(?:[^'\\\n\r]|{_ECHAR})*'|\"(?:[^\"\\\n\r]|{_ECHAR})*\""),
    ("var", rf"[?$][{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*"),
    ("bnode", rf"_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"),
    ("pname", rf"(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?"),
    ("langtag", r"@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*"),
    ("number", r"[0-9]+\.[0-9]*[eE][+-]?[0-9]+|\.?[0-9]+[eE][+-]?[0-9]+|[0-9]*\.[0-9]+|[0-9]+"),
    ("word", r"[A-Za-z_][A-Za-z0-9_]*"),
    ("punct", r"\^\^|&&|\|\||<=|>=|!=|[{}()\[\];,.*+\-/!=<>|^?]"),
)))
ESCAPE = re.compile(_UCHAR)


class Unreadable(ValueError):
    """The text cannot be read as SPARQL tokens; the message says where."""


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    offset: int

    def is_word(self, *words: str) -> bool:
        return self.kind == "word" and self.text.upper() in words


def tokens(text: str) -> Iterator[Token]:
    """The significant tokens of ``text`` (no white space, no comments)."""
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise Unreadable(_unreadable(text, position))
        kind = match.lastgroup
        assert kind is not None
        if kind not in ("ws", "comment"):
            yield Token(kind, match[0], position)
        position = match.end()


def _unreadable(text: str, position: int) -> str:
    line = text.count("\n", 0, position) + 1
    near = text[position : position + 20]
    if ESCAPE.match(text, position):
        return (f"a code-point escape outside a string or IRI at line {line} ({near!r}) is not "
                "accepted; write the character itself")
    return f"cannot read the request at line {line}, near {near!r}"


def first_undeclared(found: Sequence[Token], predeclared: Collection[str]) -> Token | None:
    """The first prefixed name whose prefix neither ``PREFIX`` nor ``predeclared`` declares.

    Oxigraph names an undeclared prefix itself only where a prefixed name stands for a term of
    a triple; inside an expression (``BIND(foo:x AS ?y)``) it reports some other token, far
    away. Updates may declare prefixes between operations: any declaration counts.
    """
    declared = {found[i + 1].text[:-1] for i, token in enumerate(found[:-1])
                if token.is_word("PREFIX") and found[i + 1].kind == "pname"}
    for token in found:
        if token.kind == "pname":
            prefix = token.text.partition(":")[0]
            if prefix not in declared and prefix not in predeclared:
                return token
    return None
