"""Dumps of the dataset for other repositories to harvest.

Formats that hold named graphs (N-Quads, TriG, JSON-LD) carry the whole dataset; the others
(Turtle, N-Triples, RDF/XML) carry the union of its graphs. Every format lists the named
graphs in the order of their names, and each graph's statements as their N-Triples lines
sort (TriG, Turtle and RDF/XML group them by subject as Oxigraph writes them): the same data
gives the same bytes, and a change in the data shows as a readable diff. No statement is in
two graphs of a build (a report's graph holds what is said of its own nodes, the shared
graph what is said of the others, the curated graphs what no report says;
``tests/test_dumps.py`` checks it on a series), so the union formats need no merge.

The dumps are published gzipped only (``dakg.nq.gz``…; the server decompresses them for a
client that does not take gzip): at a thousand reports each format is some 10 GB plain and
half a GB gzipped. Each is one gzip member laid end to end (``gzip_join``) from a head, each
graph's piece (``dump_pieces``, compressed by the process that wrote it: a build's report
jobs, in parallel) and a tail; nothing is compressed twice, nothing held whole in memory.
"""

from __future__ import annotations

import gzip
import hashlib
import itertools
import re
import shutil
import tempfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO, cast

import pyoxigraph as ox

from dakg.formats import Format

from .dump_pieces import FORMATS, GZIP_SUFFIX, GraphPieces, graph_pieces, head, tail
from .errors import BuildError
from .gzip_join import HEADER, Check, deflated, trailer
from .rdf.jsonld import joined_head, joined_tail

__all__ = ["CHECKSUMS", "DUMP_NAME", "FORMATS", "GRAPH_DUMP_FORMAT", "GZIP_SUFFIX",
           "dump_format", "dump_name", "export", "graph_dump_name", "open_dump", "sha256_of",
           "to_bytes", "write_dumps"]

DUMP_NAME = "dakg"
CHECKSUMS = "SHA256SUMS"
GRAPH_DUMP_FORMAT = "turtle"  # of the one file per named graph
_CHUNK = 1 << 20
# A part of a dump: compressed bytes in memory (a head, a tail) or a graph's piece (a file).
_Part = tuple[bytes | Path, Check]


def dump_name(fmt: Format) -> str:
    """The file of the whole dataset in ``fmt``: ``dakg.ttl.gz``…"""
    return f"{DUMP_NAME}.{fmt.extension}{GZIP_SUFFIX}"


def graph_dump_name(graph: str) -> str:
    """The file of one named graph: ``graph-<its path under …/graph/>.ttl.gz``, the path's
    slashes as hyphens (``graph-report-CDIP-35-2.ttl.gz``); else a digest of its IRI."""
    _, found, tail_ = graph.rpartition("/graph/")
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", tail_).strip("-.") if found else ""
    if not slug:
        slug = hashlib.sha256(graph.encode()).hexdigest()[:16]
    return f"graph-{slug}.{FORMATS[GRAPH_DUMP_FORMAT].extension}{GZIP_SUFFIX}"


def dump_format(name: str) -> Format:
    try:
        return FORMATS[name]
    except KeyError:
        raise BuildError(f"unknown format {name!r}; expected one of {', '.join(FORMATS)}") \
            from None


def open_dump(path: Path) -> BinaryIO:
    """A dump file to read, decompressed as it is read if it is gzipped."""
    if path.name.endswith(GZIP_SUFFIX):
        return cast(BinaryIO, gzip.open(path, "rb"))
    return open(path, "rb")


def to_bytes(data: Iterable[ox.Triple] | Iterable[ox.Quad], rdf_format: ox.RdfFormat,
             prefixes: dict[str, str] | None = None) -> bytes:
    """``ox.serialize`` into memory; triples go into the default graph of a dataset format."""
    if rdf_format.supports_datasets:
        data = (t if isinstance(t, ox.Quad) else ox.Quad(t.subject, t.predicate, t.object)
                for t in data)
    written = ox.serialize(data, format=rdf_format, prefixes=prefixes)
    # It returns None only when given a file to write to.
    assert written is not None
    return written


def write_dumps(store: ox.Store, folder: Path, prefixes: dict[str, str],
                sources: dict[str, Path] | None = None,
                pieces: Sequence[GraphPieces] = ()) -> tuple[dict[str, str], dict[str, int]]:
    """Write the dataset in ``store`` in every format, gzipped, into ``folder``, and each
    named graph alone as gzipped Turtle (``graph_dump_name``), beside the ``sources`` (file
    name → path: the source texts and their manifests, so that anyone can check a span's
    offsets against the text), with a ``SHA256SUMS`` file of them all.

    The named graphs ``pieces`` hold (a build's reports, written by its report jobs) are
    taken from them, and only the others are read from the store; either way the files are
    the same bytes. Returns file name → sha256, and named graph → its number of triples.
    """
    folder.mkdir(parents=True, exist_ok=True)
    names = [dump_name(fmt) for fmt in FORMATS.values()]
    clash = set(names) & set(sources or {})
    if clash or CHECKSUMS in (sources or {}):
        raise ValueError(f"a source file is named like a dump: {sorted(clash) or CHECKSUMS}")
    scratch = Path(tempfile.mkdtemp(prefix=".pieces-", dir=folder.parent))
    try:
        graphs = _with_store_graphs(store, pieces, prefixes, scratch)
        turtle = FORMATS[GRAPH_DUMP_FORMAT]
        jobs = [(folder / dump_name(fmt), _parts(fmt, graphs, prefixes))
                for fmt in FORMATS.values()]
        jobs += [(folder / graph_dump_name(g.graph), _parts(turtle, [g], prefixes))
                 for g in graphs]
        # Nothing is compressed here (the pieces are), and hashlib lets go of the GIL: the
        # files are written side by side.
        with ThreadPoolExecutor(2) as pool:
            sums = dict(pool.map(lambda job: (job[0].name, _concatenated(*job)), jobs))
        counts = {g.graph: g.triples for g in graphs}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    for name, path in (sources or {}).items():
        shutil.copyfile(path, folder / name)
        sums[name] = sha256_of(folder / name)
    (folder / CHECKSUMS).write_text("".join(f"{digest}  {name}\n"
                                            for name, digest in sorted(sums.items())))
    return sums, counts


def export(store: ox.Store, fmt: Format, prefixes: dict[str, str], out: BinaryIO,
           graph: str | None = None) -> None:
    """Write the dataset in ``store`` (or its named ``graph``) in ``fmt`` to ``out``, plain,
    as the dumps hold it: graph by graph, never whole in memory."""
    with tempfile.TemporaryDirectory(prefix="dakg-export-") as scratch:
        graphs = _with_store_graphs(store, (), prefixes, Path(scratch), only=graph)
        for part, _ in _parts(fmt, graphs, prefixes):
            plain = zlib.decompressobj(-15)  # each part stands alone
            for chunk in _chunks(part):
                out.write(plain.decompress(chunk))


def _with_store_graphs(store: ox.Store, pieces: Sequence[GraphPieces], prefixes: dict[str, str],
                       scratch: Path, only: str | None = None) -> list[GraphPieces]:
    """``pieces`` and those of every other named graph of ``store`` (or just ``only``), in
    the order of their names. (The store's own default graph has no pieces: dakg puts
    nothing there.)"""
    known = {p.graph for p in pieces}
    names = [only] if only is not None else sorted(
        g.value for g in store.named_graphs()
        if isinstance(g, ox.NamedNode) and g.value not in known)
    made = [graph_pieces(store, name, prefixes, scratch) for name in names]
    return sorted([*pieces, *made], key=lambda p: p.graph)


def _parts(fmt: Format, graphs: list[GraphPieces], prefixes: dict[str, str]) -> list[_Part]:
    """What a dump in ``fmt`` of ``graphs`` is made of, in order: the head, the graphs'
    pieces, the tail. Empty pieces are left out."""
    rdf = fmt.rdf
    parts: list[_Part] = [(g.path(fmt), g.checks[fmt.name]) for g in graphs
                          if g.checks[fmt.name].size]
    if rdf == ox.RdfFormat.JSON_LD:  # one document: a context, the graphs' objects
        comma = deflated(b",")
        listed: list[_Part] = [deflated(joined_head(prefixes))]
        for n, part in enumerate(parts):
            listed += [comma, part] if n else [part]
        return [*listed, deflated(joined_tail())]
    if rdf in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS):
        return parts
    # Turtle and TriG begin with their prefixes, as Oxigraph writes them (only if a
    # statement follows); RDF/XML is one root element around every graph's descriptions.
    if not parts and rdf != ox.RdfFormat.RDF_XML:
        return []
    return [deflated(head(rdf, prefixes)), *parts, deflated(tail(rdf))]


def _concatenated(path: Path, parts: list[_Part]) -> str:
    """Write ``parts`` as one gzip file at ``path``; its sha256."""
    digest = hashlib.sha256()
    with open(path, "wb") as out:
        for chunk in itertools.chain([HEADER], *(_chunks(part) for part, _ in parts),
                                     [trailer(check for _, check in parts)]):
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


def _chunks(part: bytes | Path) -> Iterator[bytes]:
    if isinstance(part, bytes):
        yield part
        return
    with open(part, "rb") as data:
        yield from iter(lambda: data.read(_CHUNK), b"")


def sha256_of(path: Path) -> str:
    """The hex sha256 of a file, as SHA256SUMS lists it."""
    with open(path, "rb") as data:
        return hashlib.file_digest(data, "sha256").hexdigest()
