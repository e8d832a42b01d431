"""Dumps of the dataset for other repositories to harvest.

Formats that hold named graphs (N-Quads, TriG, JSON-LD) carry the whole dataset; the others
(Turtle, N-Triples, RDF/XML) carry the union of its graphs. Statements are sorted (graph by
graph, then as N-Triples lines sort) before writing, so the same data gives the same bytes
and a change in the data shows as a readable diff. The dumps of a build are written from its
store, sorted on disk (``write_dumps``).
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from dakg.formats import RDF_FORMATS, Format

from .errors import BuildError
from .rdf.jsonld import write_compact

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
                sources: dict[str, Path] | None = None) -> tuple[dict[str, str], dict[str, int]]:
    """Write the dataset in ``store`` in every format into ``folder``, beside the ``sources``
    (file name → path: the source texts and their manifests, so that anyone can check a span's
    offsets against the text), with a ``SHA256SUMS`` file of them all.

    Each dump is also written gzipped (``dakg.ttl.gz``…), and each named graph alone as
    Turtle (``graph_dump_name``). Nothing is held whole in memory: each graph is dumped as
    N-Triples and sorted on disk, and every file is written from those sorted files, graph by
    graph. Returns file name → sha256, and named graph → its number of triples.
    """
    folder.mkdir(parents=True, exist_ok=True)
    files = {f"{DUMP_NAME}.{fmt.extension}": fmt for fmt in FORMATS.values()}
    clash = set(files) & set(sources or {})
    if clash or CHECKSUMS in (sources or {}):
        raise ValueError(f"a source file is named like a dump: {sorted(clash) or CHECKSUMS}")
    scratch = Path(tempfile.mkdtemp(prefix=".sort-", dir=folder.parent))
    try:
        graphs = _sorted_graphs(store, scratch)
        union = scratch / "union.nt"
        sort_lines([path for _, path in graphs], union, merge=True)
        sums: dict[str, str] = {}
        for name, fmt in files.items():
            with open(folder / name, "wb") as out:
                _write_format(fmt, graphs, union, prefixes, out)
            sums[name] = _sha256(folder / name)
            _gzip(folder / name, folder / (name + GZIP_SUFFIX))
            sums[name + GZIP_SUFFIX] = _sha256(folder / (name + GZIP_SUFFIX))
        counts: dict[str, int] = {}
        for graph, path in graphs:
            name = graph_dump_name(graph)
            ox.serialize(ox.parse(path=path, format=ox.RdfFormat.N_TRIPLES), folder / name,
                         format=FORMATS[GRAPH_DUMP_FORMAT].rdf, prefixes=prefixes)
            sums[name] = _sha256(folder / name)
            counts[graph] = _lines(path)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    for name, path in (sources or {}).items():
        shutil.copyfile(path, folder / name)
        sums[name] = _sha256(folder / name)
    (folder / CHECKSUMS).write_text("".join(f"{digest}  {name}\n"
                                            for name, digest in sorted(sums.items())))
    return sums, counts


def export(store: ox.Store, fmt: Format, prefixes: dict[str, str], out: BinaryIO,
           graph: str | None = None) -> None:
    """Write the dataset in ``store`` (or its named ``graph``) in ``fmt`` to ``out``, as the
    dumps are written: sorted on disk, never held whole."""
    with tempfile.TemporaryDirectory(prefix="dakg-export-") as scratch:
        graphs = _sorted_graphs(store, Path(scratch), graph)
        union = Path(scratch) / "union.nt"
        sort_lines([path for _, path in graphs], union, merge=True)
        _write_format(fmt, graphs, union, prefixes, out)


def _sorted_graphs(store: ox.Store, scratch: Path,
                   only: str | None = None) -> list[tuple[str, Path]]:
    """Each named graph of ``store`` (or just ``only``) as N-Triples sorted by line, in a
    file of its own; in the order of their names. (The store's own default graph has no
    file: dakg puts nothing there.)"""
    names = [only] if only is not None else sorted(
        g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    graphs = []
    for number, graph in enumerate(names):
        raw, ordered = scratch / f"{number}.raw.nt", scratch / f"{number}.nt"
        store.dump(raw, ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph))
        sort_lines([raw], ordered)
        raw.unlink()
        graphs.append((graph, ordered))
    return graphs


def sort_lines(inputs: list[Path], output: Path, *, merge: bool = False) -> None:
    """Sort the lines of ``inputs`` into ``output`` on disk, by their bytes (code points),
    dropping repeats; ``merge``: the inputs are sorted already. GNU sort spills to the
    output's folder, so memory stays small however large the files."""
    command = ["sort", "-u", "-S", "64M", "-T", str(output.parent), "-o", str(output)]
    subprocess.run([*command, *(["-m"] if merge else []), *map(str, inputs)], check=True,
                   env={**os.environ, "LC_ALL": "C"})


def _write_format(fmt: Format, graphs: list[tuple[str, Path]], union: Path,
                  prefixes: dict[str, str], out: BinaryIO) -> None:
    rdf = fmt.rdf
    if rdf == ox.RdfFormat.JSON_LD:  # with a context, @type, Web Annotation terms
        pieces = (to_bytes(_quads([(graph, path)]), rdf, prefixes) for graph, path in graphs)
        write_compact(pieces, prefixes, out)
    elif fmt.datasets:
        ox.serialize(_quads(graphs), out, format=rdf, prefixes=prefixes)
    else:
        ox.serialize(ox.parse(path=union, format=ox.RdfFormat.N_TRIPLES), out, format=rdf,
                     prefixes=prefixes)


def _quads(graphs: list[tuple[str, Path]]) -> Iterator[ox.Quad]:
    for graph, path in graphs:
        name = ox.NamedNode(graph)
        for t in ox.parse(path=path, format=ox.RdfFormat.N_TRIPLES):
            yield ox.Quad(t.subject, t.predicate, t.object, name)


def _gzip(path: Path, target: Path) -> None:
    """gzip without a timestamp or file name: the same data gives the same bytes."""
    with open(path, "rb") as data, open(target, "wb") as raw, \
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=6, mtime=0) as out:
        shutil.copyfileobj(data, out, 1 << 20)


def _sha256(path: Path) -> str:
    with open(path, "rb") as data:
        return hashlib.file_digest(data, "sha256").hexdigest()


def _lines(path: Path) -> int:
    with open(path, "rb") as data:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: data.read(1 << 20), b""))
