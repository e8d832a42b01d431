"""The embedded Oxigraph store, and the atomic switch between builds.

A build writes into a fresh folder ``builds/<version>`` and only then repoints the symbolic
link ``current`` at it with one ``rename``: readers see the old build or the new one, never
half of either, and a failed build leaves ``current`` as it was.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import json
import os
import re
import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from dakg import search_index
from dakg.search_index import TextRow, TypeRow

from .errors import BuildError
from .rdf.namespaces import DAKG, DEFAULT_BASE, rebased_iri, rebased_term

CURRENT = "current"
BUILDS = "builds"
STORE = "store"
DUMPS = "dumps"
MANIFEST = "build.json"
WORK_PREFIX = ".build-"  # a build's work folder, renamed into builds/ when it is complete
LOCK = ".lock"


def current_build(data_dir: Path) -> Path:
    """The folder of the current build; ``BuildError`` if there is none yet."""
    link = data_dir / CURRENT
    if not link.exists():
        raise BuildError(f"no store in {data_dir}: run 'dakg build' first")
    return link.resolve()


def agreed_base_iri(data_dir: Path, setting: str, default: str) -> str:
    """The base IRI to read the current build with: the one its ``build.json`` records (the
    one source of truth once a build exists), or ``setting`` if there is no build yet. A
    ``setting`` other than ``default`` that disagrees with the build is a ``BuildError``."""
    link = data_dir / CURRENT
    if not link.exists():
        return setting
    built = str(read_manifest(link.resolve()).get("base_iri", default))
    if setting not in (built, default):
        raise BuildError(f"the current build in {data_dir} was made with the base IRI "
                         f"{built}, but the setting (--base-iri or DAKG_BASE_IRI) says "
                         f"{setting}: rebuild with 'dakg build --base-iri {setting}', or "
                         "drop the setting")
    return built


def read_manifest(build: Path) -> dict[str, object]:
    """What ``build.json`` says about a build."""
    return dict(json.loads((build / MANIFEST).read_text()))


def open_store(data_dir: Path, *, read_only: bool = True) -> ox.Store:
    path = current_build(data_dir) / STORE
    try:
        return ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))
    except OSError as e:
        raise BuildError(f"cannot open the store {path}: {e}") from e


def to_oxigraph(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        return _literal(term)
    raise TypeError(f"not an RDF term: {term!r}")


def _literal(term: Literal) -> ox.Literal:
    if term.language:
        return ox.Literal(str(term), language=term.language)
    if term.datatype is not None:
        return ox.Literal(str(term), datatype=_datatype(str(term.datatype)))
    return ox.Literal(str(term))


@functools.lru_cache(maxsize=256)
def _datatype(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


# What Oxigraph escapes in a literal it writes: control characters, the quote, the backslash
# and the two noncharacters U+FFFE and U+FFFF (``tests/test_store.py`` holds it to that over
# every code point).
_ESCAPED = re.compile(r'[\x00-\x1f\x7f"\\\ufffe\uffff]')


@functools.lru_cache(maxsize=64)
def _language_suffix(language: str) -> str:
    """``@tag`` as Oxigraph writes it after a literal (which checks the tag)."""
    return str(ox.Literal("", language=language))[2:]


def _plain_text(literal: Literal) -> str:
    """``str(_literal(literal))`` for a literal of a language or a plain string, written
    without making an Oxigraph literal when the text needs no escape (most do not: making
    one cost a fifth of ``nquads``)."""
    value, language = str(literal), literal.language
    if _ESCAPED.search(value) or (not language and literal.datatype not in _PLAIN):
        return str(_literal(literal))
    return f'"{value}"{_language_suffix(language)}' if language else f'"{value}"'


def to_graph(quads: Iterable[ox.Quad]) -> Graph:
    """Oxigraph quads → an rdflib graph of their statements, whatever their graph."""
    graph = Graph()
    data = ox.serialize((q.triple for q in quads), format=ox.RdfFormat.N_TRIPLES)
    assert data is not None  # it returns None only when given a file
    graph.parse(data=data, format="nt")
    return graph


def to_quads(quads: Iterable[tuple[Node, Node, Node, Node]]) -> list[ox.Quad]:
    """rdflib terms (graph, subject, predicate, object) → Oxigraph quads.

    Blank nodes are renamed canonically (RDFC-1.0): a parser gives them random labels, and
    the same data must give the same store and dumps, byte for byte. Only quads that touch a
    blank node take part in naming them, so only those are canonicalised.
    """
    converted: dict[Node, ox.NamedNode | ox.BlankNode | ox.Literal] = {}

    def term(node: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        found = converted.get(node)
        if found is None:
            found = converted[node] = to_oxigraph(node)
        return found

    plain: list[ox.Quad] = []
    blank: list[ox.Quad] = []
    for g, s, p, o in quads:
        quad = ox.Quad(term(s), term(p), term(o), term(g))  # type: ignore[arg-type]
        (blank if isinstance(s, BNode) or isinstance(o, BNode) else plain).append(quad)
    if blank:
        dataset = ox.Dataset(blank)
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        plain.extend(dataset)
    return plain


_BLANK, _LITERAL, _IRI = "blank node", "literal", "IRI"
_ANY_URI = XSD.anyURI  # the literals rebased with the IRIs
_PLAIN = (None, XSD.string)  # a literal's datatype when it is a plain string


@functools.cache
def _kind(cls: type) -> str:
    """What a term of class ``cls`` is. Asked once per class: rdflib's terms are abstract base
    classes, whose ``isinstance`` costs some ten times a cached answer (three per quad)."""
    return _BLANK if issubclass(cls, BNode) else _LITERAL if issubclass(cls, Literal) else _IRI


def nquads(quads: Iterable[tuple[Node, Node, Node, Node]], base: str = DEFAULT_BASE) -> bytes:
    """rdflib terms (graph, subject, predicate, object) → N-Quads, moved onto ``base``, each
    line as an Oxigraph store writes it back.

    The bytes ``ox.serialize(to_quads(quads))`` gives (after rebasing), but with typed
    literals as the store keeps them (``stored_literals``: ``"007"^^xsd:nonNegativeInteger``
    is ``"7"^^xsd:integer`` there), so that a report's lines are those the build's store
    will hold (``dump_pieces.report_pieces`` relies on it). Written without making a quad
    object per line: each term is converted and written by Oxigraph (each IRI once: they
    repeat, literals hardly do), and a line is those texts joined. Quads that touch a blank
    node go through ``to_quads``, to be named canonically, and come last as there.
    """
    iris: dict[Node, str] = {}
    known = iris.get
    rebased = base != DEFAULT_BASE

    def text(node: Node) -> str:
        if not isinstance(node, URIRef):
            raise TypeError(f"not an RDF term: {node!r}")
        written = iris[node] = str(ox.NamedNode(rebased_iri(node, base)))  # checks the IRI
        return written

    lines: list[str] = []
    # Each typed literal → the lines it ends (their number, and the text around it).
    typed: dict[ox.Literal, list[tuple[int, str, str]]] = {}
    blank: list[tuple[Node, Node, Node, Node]] = []
    for quad in quads:
        g, s, p, o = quad
        kind = _kind(type(o))
        if kind is _BLANK or _kind(type(s)) is _BLANK:
            blank.append(quad)
            continue
        if kind is _LITERAL:
            literal = cast(Literal, o)
            if literal.language is None and literal.datatype not in _PLAIN:
                value = to_oxigraph(rebased_term(literal, base)) if rebased \
                    and literal.datatype == _ANY_URI else _literal(literal)
                assert isinstance(value, ox.Literal)
                typed.setdefault(value, []).append(
                    (len(lines), f"{known(s) or text(s)} {known(p) or text(p)} ",
                     f" {known(g) or text(g)} .\n"))
                lines.append("")  # written once every typed literal is stored (below)
                continue
            written = _plain_text(literal)
        else:
            written = known(o) or text(o)
        lines.append(f"{known(s) or text(s)} {known(p) or text(p)} {written} "
                     f"{known(g) or text(g)} .\n")
    for value, stored in stored_literals(list(typed)).items():
        written = str(stored)
        for n, head, tail in typed[value]:
            lines[n] = head + written + tail
    data = "".join(lines).encode()
    if blank:
        named = to_quads((rebased_term(g, base), rebased_term(s, base), rebased_term(p, base),
                          rebased_term(o, base)) for g, s, p, o in blank)
        data += ox.serialize(named, format=ox.RdfFormat.N_QUADS) or b""
    return data


def stored_literals(literals: list[ox.Literal]) -> dict[ox.Literal, ox.Literal]:
    """Each of ``literals`` as an Oxigraph store gives it back: it keeps numbers, booleans,
    dates… as values, and writes them in their canonical form, of the primitive type."""
    if not literals:
        return {}
    store = ox.Store()
    value = ox.NamedNode("urn:dakg:value")
    store.extend(ox.Quad(ox.NamedNode(f"urn:dakg:{n}"), value, literal)
                 for n, literal in enumerate(literals))
    stored = {}
    for q in store.quads_for_pattern(None, value, None):
        assert isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.Literal)
        stored[literals[int(q.subject.value.removeprefix("urn:dakg:"))]] = q.object
    return stored


def as_ntriples(data: bytes, graphs: Iterable[str]) -> bytes:
    """N-Quads ``data`` whose every line is in one of ``graphs`` as N-Triples: their
    statements, all in one graph. A line ends with its graph's name and `` .``; a newline
    occurs in no term (N-Quads escapes it in a literal), so the text `` <g> .`` before a
    newline is the end of a line of graph ``g``, and only that."""
    for graph in graphs:
        data = data.replace(f" <{graph}> .\n".encode(), b" .\n")
    return data


def index_rows(quads: Iterable[tuple[Node, Node, Node, Node]],
               base: str = DEFAULT_BASE) -> tuple[list[TypeRow], list[TextRow]]:
    """The search index's rows (``search_index.rows``) of the quads ``nquads(quads, base)``
    writes, read from the rdflib terms: IRIs moved onto ``base``, a literal as Oxigraph
    stores it (its language tag in lower case). Only the statements of the predicates the
    index reads are converted."""
    dakg = rebased_iri(str(DAKG), base)
    wanted = search_index.indexed_predicates(dakg)
    read: dict[Node, str | None] = {}  # a predicate → its IRI on ``base``, if the index reads it
    iris: dict[Node, str] = {}

    def iri(node: Node) -> str:
        text = iris.get(node)
        if text is None:
            text = iris[node] = rebased_iri(str(node), base)  # a str: a URIRef equals none
        return text

    def plain(node: Node) -> search_index.Plain:
        kind = _kind(type(node))
        if kind is _IRI:
            return iri(node)
        if kind is _LITERAL:
            assert isinstance(node, Literal)
            moved = rebased_term(node, base) if node.datatype == _ANY_URI else node
            return (node.language or "").lower(), str(moved)
        return None

    statements = []
    for _, s, p, o in quads:
        predicate = read.get(p, "")
        if predicate == "":
            predicate = read[p] = iri(p) if iri(p) in wanted else None
        if predicate is not None:
            subject = iri(s) if _kind(type(s)) is _IRI else None
            statements.append((subject, predicate, plain(o)))
    return search_index.plain_rows(statements, dakg)


def fill_store(path: Path, quads: list[ox.Quad]) -> None:
    """Create a store at ``path`` holding ``quads``.

    The bulk loader skips transactions; that is safe because the folder is new and only
    becomes visible, whole, when the build switches to it.
    """
    store = ox.Store(str(path))
    store.bulk_extend(quads)
    store.flush()
    del store


def switch_current(data_dir: Path, build: Path) -> None:
    """Point ``current`` at ``build`` atomically."""
    link = data_dir / CURRENT
    temporary = data_dir / f".{CURRENT}.{os.getpid()}"
    if temporary.is_symlink() or temporary.exists():
        temporary.unlink()
    temporary.symlink_to(build.relative_to(data_dir))
    os.replace(temporary, link)
    folder = os.open(data_dir, os.O_RDONLY)
    try:
        os.fsync(folder)  # the switch itself survives a crash of the machine
    finally:
        os.close(folder)


@contextlib.contextmanager
def locked(data_dir: Path, *,
           on_error: Callable[[OSError], Exception] | None = None) -> Iterator[None]:
    """One build (or prune) at a time per data folder; ``on_error`` turns a failure to open
    the lock into the caller's error."""
    try:
        lock_file = open(data_dir / LOCK, "w")  # noqa: SIM115 (closed by the with below)
    except OSError as e:
        if on_error is None:
            raise
        raise on_error(e) from e
    with lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def sweep_work_folders(data_dir: Path) -> list[Path]:
    """Remove what killed builds left: work folders and half-made ``current`` links. Only
    with the lock held, so that no build is running."""
    stale = [*data_dir.glob(f"{WORK_PREFIX}*"), *data_dir.glob(f".{CURRENT}.*")]
    for path in stale:
        if path.is_symlink() or not path.is_dir():
            path.unlink(missing_ok=True)
        else:
            shutil.rmtree(path, ignore_errors=True)
    return stale


@dataclass(frozen=True)
class BuildFolder:
    """One build under ``builds/``, as ``dakg builds list`` shows it."""

    version: str
    path: Path
    size: int  # bytes on disk (the store and the dumps)
    modified: float  # when it was written (its folder's mtime)
    current: bool


def list_builds(data_dir: Path) -> list[BuildFolder]:
    """The builds, newest first."""
    builds = data_dir / BUILDS
    if not builds.is_dir():
        return []
    link = data_dir / CURRENT
    current = link.resolve() if link.is_symlink() else None
    found = [BuildFolder(b.name, b, _size(b), b.stat().st_mtime, b.resolve() == current)
             for b in builds.iterdir() if b.is_dir() and not b.is_symlink()]
    return sorted(found, key=lambda b: b.modified, reverse=True)


def prune_builds(data_dir: Path, keep: int = 2) -> list[BuildFolder]:
    """Delete all builds but the current one and the ``keep - 1`` newest others; return
    those deleted.

    The previous build is kept by default: a server that opened it before the switch still
    reads it.
    """
    if keep < 1:
        raise BuildError(f"keep must be at least 1 (the current build), not {keep}")
    others = [b for b in list_builds(data_dir) if not b.current]
    for old in others[keep - 1 :]:
        shutil.rmtree(old.path, ignore_errors=True)
    return others[keep - 1 :]


def _size(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file() and not f.is_symlink())
