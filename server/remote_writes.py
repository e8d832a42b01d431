"""A SPARQL update as dakg passes it on to a SPARQL server (``dakg serve --store``).

Three things differ from the embedded store, and are settled here from the update's tokens
(``sparql_scan``), without parsing it twice:

* the dataset's own default graph is the named graph ``urn:dakg:default`` on the server (a
  server's real default graph is not the same thing everywhere, and Virtuoso refuses writes
  to it): triples an update writes outside any ``GRAPH`` are put there (``into_own_default``);
* the registry must learn which graphs the update writes to or drops (``Targets``), so that
  they are served, or not, from the same request on;
* ``ALL``, ``NAMED`` and ``DEFAULT`` would reach the server's other graphs (Virtuoso's system
  graphs, dakg's registry), and so would writes to ``urn:dakg:`` graphs: both are refused.

A graph an update writes to only through a variable (``GRAPH ?g`` in a template) cannot be
known before it runs: it is written, but served only once a later write names it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from dakg.graph.stores.remote import DEFAULT, RESERVED

from .errors import bad_request
from .sparql_scan import Token, pname_iri, prologue

EVERYTHING = ("ALL", "NAMED", "DEFAULT")
_OPEN, _CLOSE = "{([", "})]"


@dataclass
class Targets:
    """The graphs an update names as written to (served from now on) or dropped (not)."""

    added: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)


def targets(found: Sequence[Token], prefixes: dict[str, str]) -> Targets:
    """Where the update writes: after ``GRAPH`` in its templates and data, ``WITH``, ``TO``,
    ``INTO GRAPH``, ``CREATE GRAPH``; what it drops: ``DROP GRAPH``, the source of ``MOVE``.
    Graphs only read (``WHERE``, ``USING``, the source of ``ADD``/``COPY``) are neither."""
    declared = declared_prefixes(found, prefixes)
    out = Targets()
    depth, where_depth = 0, None  # where_depth: the depth a WHERE group opened at
    for i, token in enumerate(found):
        if token.kind == "punct" and token.text in _OPEN:
            if where_depth is None and i > 0 and found[i - 1].is_word("WHERE"):
                where_depth = depth
            depth += 1
        elif token.kind == "punct" and token.text in _CLOSE:
            depth -= 1
            if depth == where_depth:
                where_depth = None
        elif where_depth is None and token.kind in ("iri", "pname", "word"):
            _classify(found, i, declared, out)
    return out


def _classify(found: Sequence[Token], i: int, declared: dict[str, str], out: Targets) -> None:
    token = found[i]
    before = [t for t in found[max(0, i - 3):i] if not t.is_word("SILENT")]
    keyword = before[-1] if before else None
    if keyword is not None and keyword.is_word("GRAPH") and len(before) > 1:
        keyword = before[-2] if before[-2].kind == "word" else keyword
    if keyword is None or keyword.kind != "word":
        return
    if token.kind == "word":
        if token.is_word(*EVERYTHING) and keyword.is_word("CLEAR", "DROP", "ADD", "MOVE",
                                                             "COPY", "TO"):
            raise bad_request(f"{keyword.text.upper()} {token.text.upper()} is not passed on "
                              "to a SPARQL server, whose other graphs it would reach: name "
                              "each graph (GRAPH <…>)")
        return
    iri = expanded(token, declared)
    if iri is None:
        return
    if keyword.is_word("DROP", "MOVE"):
        where = out.dropped
    elif keyword.is_word("GRAPH", "WITH", "TO", "INTO", "CREATE"):
        where = out.added
    else:
        return  # ADD/COPY sources, CLEAR, LOAD sources: read or emptied, not made
    where.append(writable(iri))


def writable(iri: str) -> str:
    """``iri``, if a client may write to it: not one of dakg's own graphs on the server."""
    if iri.startswith(RESERVED) and iri != DEFAULT:
        raise bad_request(f"<{iri}> is one of dakg's own graphs on the SPARQL server; "
                          "write to another")
    return iri


def dropped_as_the_embedded_store_does(text: str, found: Sequence[Token],
                                        prefixes: dict[str, str], served: set[str]) -> str:
    """``text`` with ``SILENT`` after each ``DROP GRAPH`` of a served graph: Virtuoso knows no
    empty graphs, and refuses to drop one that no ``CREATE`` made. A graph that is not served
    does not exist for dakg: dropping it without ``SILENT`` is the client's error, as on the
    embedded store."""
    declared = declared_prefixes(found, prefixes)
    pieces: list[str] = []
    done = 0
    for i, token in enumerate(found[:-2]):
        if not (token.is_word("DROP") and found[i + 1].is_word("GRAPH")):
            continue
        iri = expanded(found[i + 2], declared) if found[i + 2].kind in ("iri", "pname") else None
        if iri is None:
            continue
        if iri not in served:
            raise bad_request(f"the update failed: the graph <{iri}> does not exist")
        end = token.offset + len(token.text)
        pieces += [text[done:end], " SILENT"]
        done = end
    return "".join([*pieces, text[done:]])


def into_own_default(text: str, found: Sequence[Token]) -> tuple[str, bool]:
    """``text`` with what it writes to the default graph written to ``urn:dakg:default``,
    and whether it may write there: ``WITH <urn:dakg:default>`` before each ``DELETE``/
    ``INSERT … WHERE`` without ``WITH`` whose templates have triples outside any ``GRAPH``
    (its ``USING`` still decides what its ``WHERE`` reads), and such triples of an ``INSERT
    DATA``/``DELETE DATA`` put inside ``GRAPH <urn:dakg:default>``."""
    pieces: list[str] = []
    done, writes = 0, False
    for start in _operation_starts(found):
        token = found[start]
        following = found[start + 1] if start + 1 < len(found) else token
        if not token.is_word("INSERT", "DELETE") or following.is_word("WHERE"):
            continue  # not a write, or has WITH, or a DELETE WHERE (which takes no WITH)
        if following.is_word("DATA"):
            opened = start + 2
            closed = _closing(found, opened)
            loose, graphs = _split(text, found, opened, closed)
            if loose:
                inside = " ".join([f"GRAPH <{DEFAULT}> {{ {loose} }}", *graphs])
                pieces += [text[done:found[opened].offset], f"{{ {inside} }}"]
                done, writes = found[closed].offset + 1, True
        elif any(_split(text, found, opened, _closing(found, opened))[0]
                 for opened in _templates(found, start)):
            pieces += [text[done:token.offset], f"WITH <{DEFAULT}> "]
            done, writes = token.offset, True
    return "".join([*pieces, text[done:]]), writes


def _templates(found: Sequence[Token], start: int) -> list[int]:
    """Where the ``DELETE``/``INSERT`` templates of the operation at ``start`` open."""
    opened: list[int] = []
    depth = 0
    for i in range(start, len(found) - 1):
        token = found[i]
        if token.kind == "punct" and token.text in _OPEN:
            depth += 1
        elif token.kind == "punct" and token.text in _CLOSE:
            depth -= 1
        elif depth == 0 and token.is_word("WHERE", "USING"):
            break
        elif depth == 0 and token.is_word("DELETE", "INSERT") and found[i + 1].text == "{":
            opened.append(i + 1)
    return opened


def _operation_starts(found: Sequence[Token]) -> list[int]:
    """Where each operation of the request begins (after its prologue)."""
    starts, depth, expect = [], 0, True
    for i, token in enumerate(found):
        if token.kind == "punct" and token.text in _OPEN:
            depth += 1
        elif token.kind == "punct" and token.text in _CLOSE:
            depth -= 1
        elif depth == 0 and token.kind == "punct" and token.text == ";":
            expect = True
        elif expect and depth == 0 and token.kind == "word" \
                and not token.is_word("PREFIX", "BASE"):
            starts.append(i)
            expect = False
    return starts


def _closing(found: Sequence[Token], opened: int) -> int:
    depth = 0
    for i in range(opened, len(found)):
        if found[i].kind == "punct" and found[i].text in _OPEN:
            depth += 1
        elif found[i].kind == "punct" and found[i].text in _CLOSE:
            depth -= 1
            if depth == 0:
                return i
    raise bad_request("the update has a DATA block that is never closed")


def _split(text: str, found: Sequence[Token], opened: int,
           closed: int) -> tuple[str, list[str]]:
    """The block ``{ … }`` from ``found[opened]`` to ``found[closed]`` as its triples outside
    any ``GRAPH`` (one template, "" if none) and its ``GRAPH … { … }`` parts."""
    graphs: list[str] = []
    loose: list[str] = []
    at = i = opened + 1
    while i < closed:
        if found[i].is_word("GRAPH"):
            end = _closing(found, i + 2)
            loose.append(text[found[at].offset:found[i].offset] if at < i else "")
            graphs.append(text[found[i].offset:found[end].offset + 1])
            i = at = end + 1
            continue
        i += 1
    loose.append(text[found[at].offset:found[closed].offset] if at < closed else "")
    return " .\n".join(part.strip().strip(".").strip() for part in loose
                        if part.strip().strip(".")), graphs


def declared_prefixes(found: Sequence[Token], prefixes: dict[str, str]) -> dict[str, str]:
    """``prefixes`` with the request's own ``PREFIX`` declarations over them."""
    return {**prefixes, **prologue(found)[0]}


def expanded(token: Token, declared: dict[str, str]) -> str | None:
    """The IRI ``token`` (an IRI or a prefixed name, escapes undone) stands for."""
    return token.text[1:-1] if token.kind == "iri" else pname_iri(token.text, declared)
