"""Dumps of the dataset for other repositories to harvest.

Formats that hold named graphs (N-Quads, TriG, JSON-LD) carry the whole dataset; the others
(Turtle, N-Triples, RDF/XML) carry the union of its graphs. Statements are sorted (graph by
graph, then as N-Triples lines sort) before writing, so the same data gives the same bytes
and a change in the data shows as a readable diff. The dumps of a build are assembled from
its graphs' pieces (``dump_pieces``), merged and sorted on disk (``write_dumps``).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import pyoxigraph as ox

from dakg.formats import RDF_FORMATS, Format

from .dump_pieces import (
    JSONLD,
    PIECES,
    SORTED,
    TRIG,
    TURTLE,
    GraphPieces,
    graph_pieces,
    in_graph,
    sort_lines,
    trig_head,
)
from .errors import BuildError
from .rdf.jsonld import write_joined

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

# Every RDF format, by name; the dumps are written in each.
FORMATS: dict[str, Format] = {f.name: f for f in RDF_FORMATS}
DUMP_NAME = "dakg"
CHECKSUMS = "SHA256SUMS"
GRAPH_DUMP_FORMAT = "turtle"  # of the one file per named graph
GZIP_SUFFIX = ".gz"


def graph_dump_name(graph: str) -> str:
    """The file of one named graph: ``graph-<its path under …/graph/>.ttl``, the path's
    slashes as hyphens (``graph-report-CDIP-35-2.ttl``); else a digest of its IRI."""
    _, found, tail = graph.rpartition("/graph/")
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", tail).strip("-.") if found else ""
    if not slug:
        slug = hashlib.sha256(graph.encode()).hexdigest()[:16]
    return f"graph-{slug}.{FORMATS[GRAPH_DUMP_FORMAT].extension}"


def dump_format(name: str) -> Format:
    try:
        return FORMATS[name]
    except KeyError:
        raise BuildError(f"unknown format {name!r}; expected one of {', '.join(FORMATS)}") \
            from None


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
    """Write the dataset in ``store`` in every format into ``folder``, beside the ``sources``
    (file name → path: the source texts and their manifests, so that anyone can check a span's
    offsets against the text), with a ``SHA256SUMS`` file of them all.

    Each dump is also written gzipped (``dakg.ttl.gz``…), and each named graph alone as
    Turtle (``graph_dump_name``). The named graphs ``pieces`` hold (a build's reports, written
    by its report jobs) are taken from them, and only the others are read from the store;
    either way the files are the same bytes. Nothing is held whole in memory: each file is
    assembled from the graphs' pieces, or written from their sorted N-Triples merged on disk,
    and the formats are written side by side, each gzipped and hashed in the same pass.
    Returns file name → sha256, and named graph → its number of triples.
    """
    folder.mkdir(parents=True, exist_ok=True)
    files = {f"{DUMP_NAME}.{fmt.extension}": fmt for fmt in FORMATS.values()}
    clash = set(files) & set(sources or {})
    if clash or CHECKSUMS in (sources or {}):
        raise ValueError(f"a source file is named like a dump: {sorted(clash) or CHECKSUMS}")
    scratch = Path(tempfile.mkdtemp(prefix=".sort-", dir=folder.parent))
    try:
        graphs = _with_store_graphs(store, pieces, prefixes, scratch, PIECES)
        union = _union(graphs, scratch)
        sums: dict[str, str] = {}
        # Slowest first: Turtle and RDF/XML are written by Oxigraph from the merged
        # N-Triples, the others are copies of the pieces, gzipped as they go (zlib and
        # hashlib let go of the GIL, so the copies run beside the serialisations).
        order = sorted(files.items(), key=lambda item: item[1].name not in _SERIALISED)
        with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
            for digests in pool.map(lambda item: _publish(folder / item[0], item[1], graphs,
                                                          union, prefixes), order):
                sums.update(digests)
        counts: dict[str, int] = {}
        for graph in graphs:
            name = graph_dump_name(graph.graph)
            os.replace(graph.path(TURTLE), folder / name)
            sums[name] = sha256_of(folder / name)
            counts[graph.graph] = graph.triples
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
    """Write the dataset in ``store`` (or its named ``graph``) in ``fmt`` to ``out``, as the
    dumps are written: sorted on disk, never held whole."""
    kinds = (SORTED, *{ox.RdfFormat.TRIG: (TRIG,), ox.RdfFormat.JSON_LD: (JSONLD,)}.get(
        fmt.rdf, ()))
    with tempfile.TemporaryDirectory(prefix="dakg-export-") as scratch:
        graphs = _with_store_graphs(store, (), prefixes, Path(scratch), kinds, only=graph)
        _write_format(fmt, graphs, _union(graphs, Path(scratch)), prefixes, out)


# Written by Oxigraph's serialisers from the union; the other formats are assembled.
_SERIALISED = frozenset(name for name, f in FORMATS.items()
                        if not f.datasets and f.rdf != ox.RdfFormat.N_TRIPLES)


def _with_store_graphs(store: ox.Store, pieces: Sequence[GraphPieces], prefixes: dict[str, str],
                       scratch: Path, kinds: tuple[str, ...],
                       only: str | None = None) -> list[GraphPieces]:
    """``pieces`` and those of every other named graph of ``store`` (or just ``only``), in
    the order of their names. (The store's own default graph has no pieces: dakg puts
    nothing there.)"""
    known = {p.graph for p in pieces}
    names = [only] if only is not None else sorted(
        g.value for g in store.named_graphs()
        if isinstance(g, ox.NamedNode) and g.value not in known)
    made = [graph_pieces(store, name, prefixes, scratch, kinds) for name in names]
    return sorted([*pieces, *made], key=lambda p: p.graph)


def _union(graphs: list[GraphPieces], scratch: Path) -> Path:
    """The graphs' N-Triples merged: their union, sorted, without repeats."""
    union = scratch / "union.nt"
    sort_lines([g.path(SORTED) for g in graphs], union, merge=True)
    return union


def _publish(path: Path, fmt: Format, graphs: list[GraphPieces], union: Path,
             prefixes: dict[str, str]) -> dict[str, str]:
    """Write one dump and its gzipped copy (without a timestamp or file name: the same data
    gives the same bytes) in one pass, hashing both; their digests by file name."""
    packed_path = path.with_name(path.name + GZIP_SUFFIX)
    with open(path, "wb") as plain_file, open(packed_path, "wb") as packed_file:
        packed = _Hashed(packed_file)
        with gzip.GzipFile(filename="", mode="wb", fileobj=packed, compresslevel=6,
                           mtime=0) as zipped:
            plain = _Hashed(plain_file, zipped)
            with io.BufferedWriter(plain, 1 << 20) as out:
                _write_format(fmt, graphs, union, prefixes, out)
    return {path.name: plain.digest.hexdigest(), packed_path.name: packed.digest.hexdigest()}


def _write_format(fmt: Format, graphs: list[GraphPieces], union: Path,
                  prefixes: dict[str, str], out: BinaryIO) -> None:
    rdf = fmt.rdf
    if rdf == ox.RdfFormat.N_TRIPLES:  # what Oxigraph writes from the sorted lines, as is
        _copy(union, out)
    elif rdf == ox.RdfFormat.N_QUADS:
        for graph in graphs:
            _copy(graph.path(SORTED), out, in_graph(graph.graph))
    elif rdf == ox.RdfFormat.TRIG:
        if any(g.triples for g in graphs):
            out.write(trig_head(prefixes))
        for graph in graphs:
            _copy(graph.path(TRIG), out)
    elif rdf == ox.RdfFormat.JSON_LD:  # with a context, @type, Web Annotation terms
        write_joined((g.path(JSONLD).read_bytes() for g in graphs), prefixes, out)
    else:
        ox.serialize(ox.parse(path=union, format=ox.RdfFormat.N_TRIPLES), out, format=rdf,
                     prefixes=prefixes)


def _copy(path: Path, out: BinaryIO, change: Callable[[bytes], bytes] = bytes) -> None:
    """Copy ``path`` to ``out`` in chunks of whole lines, each passed through ``change``."""
    with open(path, "rb") as data:
        rest = b""
        for chunk in iter(lambda: data.read(1 << 20), b""):
            lines, newline, rest = (rest + chunk).rpartition(b"\n")
            if newline:
                out.write(change(lines + newline))
        if rest:
            out.write(change(rest))


class _Hashed(io.RawIOBase):
    """Writes what it is given to each of ``files``, and hashes it."""

    def __init__(self, *files: io.BufferedIOBase) -> None:
        super().__init__()
        self.files = files
        self.digest = hashlib.sha256()

    def writable(self) -> bool:
        return True

    def write(self, data: ReadableBuffer) -> int:
        for file in self.files:
            file.write(data)
        self.digest.update(data)
        return memoryview(data).nbytes


def sha256_of(path: Path) -> str:
    """The hex sha256 of a file, as SHA256SUMS lists it."""
    with open(path, "rb") as data:
        return hashlib.file_digest(data, "sha256").hexdigest()
