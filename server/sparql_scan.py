"""Reading a SPARQL request before the engine does, to refuse what the engine must not run.

Oxigraph follows ``SERVICE`` and ``LOAD`` to any HTTP address, and crashes (stack overflow)
on requests that nest or chain a few thousand levels deep. So every query and update is
first tokenised (``dakg.sparql_lexer``, the lexical grammar of SPARQL 1.1, §19.8, as Oxigraph
reads it) and read here: strings, IRIs and comments are tokens of their own, so ``SERVICE``
inside a literal or after ``#`` is not a keyword, while ``service``, ``SILENT``, a prefixed
or variable endpoint are all seen. Where the two readings could differ, the request is refused:

* Oxigraph reads a keyword without looking for a word boundary: ``SERVICE:x`` is the keyword
  ``SERVICE`` and the prefixed name ``:x``, not a name with the prefix ``SERVICE``. A
  prefixed name whose prefix begins with ``SERVICE``, ``LOAD`` or ``SILENT`` is refused.
* Code-point escapes (``\\u0053``) are read inside strings and IRIs only, as Oxigraph does; an
  escape anywhere else (``\\u0053ERVICE``) is refused.
* Anything the tokeniser cannot read is refused: the check fails closed.

The engine is given the request as sent.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from urllib.parse import urljoin

from dakg.sparql_lexer import ESCAPE, Token, Unreadable, first_undeclared, tokens
from dakg.sparql_syntax import undeclared_prefix

__all__ = ["CACHED", "MAX_CHAIN", "MAX_DEPTH", "Inspection", "Refused", "Token", "check_fetches",
           "check_prefixes", "inspect", "own_limit", "tokens"]

MAX_DEPTH = 64  # nesting of { ( [ ; real queries stay far below, the engine crashes at ~3,000
MAX_CHAIN = 1000  # operators, separators and group keywords: chains crash it at ~8,000
CACHED = 4096  # longest request text whose scan is kept (the cache must stay small)

_OPEN, _CLOSE = "{([", "})]"
_CHAINING_PUNCT = frozenset({"+", "-", "*", "/", "&&", "||", "!", "=", "!=", "<", ">", "<=",
                             ">=", "|", "^", ".", ";", ","})
_CHAINING_WORDS = ("UNION", "OPTIONAL", "MINUS", "FILTER", "BIND", "GRAPH", "SERVICE")
_FETCHING = ("SERVICE", "LOAD", "SILENT")
QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


class Refused(ValueError):
    """The request is refused before it reaches the engine; the message says why."""


@dataclass(frozen=True)
class Inspection:
    text: str  # the request as sent: what the engine is given
    form: str | None  # SELECT, ASK, CONSTRUCT, DESCRIBE; None for an update
    fetches: tuple[str | None, ...]  # endpoints of SERVICE and sources of LOAD (None: a variable)
    depth: int
    dataset_clause: bool  # FROM or FROM NAMED: the query names its own dataset
    tokens: tuple[Token, ...]


def inspect(request: str, *, update: bool = False) -> Inspection:
    """Tokenise ``request`` and find what the engine must not be given."""
    if len(request) <= CACHED:
        return _inspect_cached(request, update)
    return _inspect(request, update)


@functools.lru_cache(maxsize=1024)
def _inspect_cached(request: str, update: bool) -> Inspection:
    return _inspect(request, update)


def _inspect(request: str, update: bool) -> Inspection:
    try:
        found = tuple(tokens(request))
    except Unreadable as e:
        raise Refused(str(e)) from e
    _check_shape(found)
    prefixes, base = prologue(found)
    fetches = tuple(_target(found, i, prefixes, base) for i, token in enumerate(found)
                    if token.is_word("SERVICE", "LOAD"))
    form = None if update else next((t.text.upper() for t in found if t.is_word(*QUERY_FORMS)),
                                    None)
    dataset_clause = not update and any(t.is_word("FROM") for t in found)
    return Inspection(request, form, fetches, _depth(found), dataset_clause, found)


def check_prefixes(inspection: Inspection, predeclared: Collection[str]) -> None:
    """Refuse a prefixed name whose prefix neither the request nor ``predeclared`` declares
    (see ``sparql_lexer.first_undeclared``)."""
    token = first_undeclared(inspection.tokens, predeclared)
    if token is not None:
        what = "query" if inspection.form else "update"
        raise Refused(f"the {what} is not valid SPARQL: " + undeclared_prefix(
            inspection.text, token.offset, token.text.partition(":")[0], what))


def own_limit(query: str) -> int | None:
    """The query's own top-level LIMIT (not a subquery's), if it has one."""
    try:
        found = inspect(query).tokens
    except Refused:
        return None
    depth = 0
    for i, token in enumerate(found):
        if token.kind == "punct" and token.text in _OPEN:
            depth += 1
        elif token.kind == "punct" and token.text in _CLOSE:
            depth -= 1
        elif depth == 0 and token.is_word("LIMIT") and i + 1 < len(found) \
                and found[i + 1].kind == "number" and found[i + 1].text.isdigit():
            return int(found[i + 1].text)
    return None


def check_fetches(inspection: Inspection, allowlist: Sequence[str]) -> None:
    """Refuse a request that would make the server fetch from outside ``allowlist``."""
    for target in inspection.fetches:
        if target is None:
            raise Refused("SERVICE with a variable endpoint is refused: the server cannot tell "
                          "where it would connect")
        if not any(target.startswith(allowed) for allowed in allowlist):
            raise Refused(f"the server does not fetch from <{target}>: SERVICE and LOAD are "
                          "limited to the configured allowlist"
                          + ("" if allowlist else ", which is empty"))


def _check_shape(found: tuple[Token, ...]) -> None:
    depth = _depth(found)
    if depth > MAX_DEPTH:
        raise Refused(f"the request is nested {depth} levels deep; at most {MAX_DEPTH} are "
                      "accepted")
    chain = sum(1 for t in found if (t.kind == "punct" and t.text in _CHAINING_PUNCT)
                or t.is_word(*_CHAINING_WORDS))
    if chain > MAX_CHAIN:
        raise Refused(f"the request chains {chain} operators, separators and groups; at most "
                      f"{MAX_CHAIN} are accepted")
    for token in found:
        prefix = token.text.partition(":")[0].upper()
        if token.kind == "pname" and prefix.startswith(_FETCHING):
            raise Refused(f"the prefixed name {token.text} is refused: the engine would read "
                          f"{token.text[: len(prefix)]} as a keyword")


def _depth(found: Sequence[Token]) -> int:
    depth = deepest = 0
    for token in found:
        if token.kind == "punct" and token.text in _OPEN:
            depth += 1
            deepest = max(deepest, depth)
        elif token.kind == "punct" and token.text in _CLOSE:
            depth -= 1
    return deepest


def prologue(found: Sequence[Token]) -> tuple[dict[str, str], str | None]:
    """PREFIX and BASE declarations, wherever they stand (updates repeat them)."""
    prefixes: dict[str, str] = {}
    base: str | None = None
    for i, token in enumerate(found[:-1]):
        following = found[i + 1]
        if token.is_word("BASE") and following.kind == "iri":
            base = _resolve(_iri_value(following), base)
        elif token.is_word("PREFIX") and following.kind == "pname" and i + 2 < len(found) \
                and found[i + 2].kind == "iri":
            prefixes[following.text[:-1]] = _resolve(_iri_value(found[i + 2]), base) or ""
    return prefixes, base


def _target(found: Sequence[Token], at: int, prefixes: dict[str, str],
            base: str | None) -> str | None:
    """The IRI a SERVICE or LOAD at ``found[at]`` names (None for a variable)."""
    i = at + 1
    if i < len(found) and found[i].is_word("SILENT"):
        i += 1
    if i >= len(found):
        raise Refused(f"{found[at].text} without a target")
    target = found[i]
    if target.kind == "var":
        return None
    if target.kind == "iri":
        resolved = _resolve(_iri_value(target), base)
        if resolved is None:
            raise Refused(f"relative IRI {target.text} after {found[at].text} and no BASE")
        return resolved
    if target.kind == "pname":
        iri = pname_iri(target.text, prefixes)
        if iri is None:
            raise Refused(f"undeclared prefix {target.text.partition(':')[0]}: after "
                          f"{found[at].text}")
        return iri
    raise Refused(f"cannot tell what {found[at].text} would fetch ({target.text!r})")


def pname_iri(text: str, prefixes: dict[str, str]) -> str | None:
    """The IRI the prefixed name ``text`` stands for (its escapes undone); None when its
    prefix is not in ``prefixes``."""
    prefix, _, local = text.partition(":")
    return prefixes[prefix] + re.sub(r"\\(.)", r"\1", local) if prefix in prefixes else None


def _iri_value(token: Token) -> str:
    """The IRI a token writes, its code-point escapes undone."""
    def undo(match: re.Match[str]) -> str:
        code = int(match[0][2:], 16)
        if code > 0x10FFFF:
            raise Refused(f"invalid code-point escape {match[0]!r}")
        return chr(code)

    return ESCAPE.sub(undo, token.text[1:-1])


def _resolve(iri: str, base: str | None) -> str | None:
    if re.match(r"[A-Za-z][A-Za-z0-9+.\-]*:", iri):
        return iri
    return urljoin(base, iri) if base else None
