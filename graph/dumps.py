"""Dumps of the dataset for other repositories to harvest.

Formats that hold named graphs (N-Quads, TriG, JSON-LD) carry the whole dataset; the others
(Turtle, N-Triples, RDF/XML) carry the union of its graphs. Statements are sorted before
writing, so the same data gives the same bytes and a change in the data shows as a readable
diff.
"""

from __future__ import annotations

import gzip
import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from dakg.formats import RDF_FORMATS, Format

from .errors import BuildError
from .rdf.jsonld import compact as compact_jsonld

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


def _gzipped(data: bytes) -> bytes:
    """gzip without a timestamp or file name: the same data gives the same bytes."""
    return gzip.compress(data, compresslevel=6, mtime=0)


def dump_format(name: str) -> Format:
    try:
        return FORMATS[name]
    except KeyError:
        raise BuildError(f"unknown format {name!r}; expected one of {', '.join(FORMATS)}") \
            from None


def sorted_quads(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """Graph by graph, then as N-Quads lines sort: subject, predicate, object."""
    return sorted(quads, key=lambda q: (str(q.graph_name), str(q)))


def sorted_triples(quads: Iterable[ox.Quad]) -> list[ox.Triple]:
    """The union of the graphs, each triple once, sorted."""
    keyed = sorted((str(t), t) for t in (ox.Triple(q.subject, q.predicate, q.object)
                                         for q in quads))
    return [t for i, (key, t) in enumerate(keyed) if i == 0 or keyed[i - 1][0] != key]


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


def serialize(quads: list[ox.Quad], fmt: Format, prefixes: dict[str, str],
              triples: list[ox.Triple] | None = None) -> bytes:
    """Serialize sorted ``quads`` in ``fmt``; a triple format gets their union (``triples``,
    if the caller has already computed it)."""
    rdf = fmt.rdf
    if rdf == ox.RdfFormat.JSON_LD:  # with a context, @type, Web Annotation terms
        return compact_jsonld(to_bytes(quads, rdf, prefixes), prefixes)
    if fmt.datasets:
        return to_bytes(quads, rdf, prefixes)
    union = triples if triples is not None else sorted_triples(quads)
    return to_bytes(union, rdf, prefixes)


def write_dumps(quads: list[ox.Quad], folder: Path, prefixes: dict[str, str],
                sources: dict[str, bytes] | None = None) -> dict[str, str]:
    """Write sorted ``quads`` in every format into ``folder``, beside the ``sources`` (file
    name → bytes: the source text and its manifest, so that anyone can check a span's offsets
    against the text), with a ``SHA256SUMS`` file of them all.

    Each dump is also written gzipped (``dakg.ttl.gz``…), and each named graph alone as
    Turtle (``graph_dump_name``). Returns file name → sha256.
    """
    folder.mkdir(parents=True, exist_ok=True)
    triples = sorted_triples(quads)
    files = {f"{DUMP_NAME}.{fmt.extension}": fmt for fmt in FORMATS.values()}
    clash = set(files) & set(sources or {})
    if clash or CHECKSUMS in (sources or {}):
        raise ValueError(f"a source file is named like a dump: {sorted(clash) or CHECKSUMS}")
    sums: dict[str, str] = {}
    def write(name: str, data: bytes) -> None:
        (folder / name).write_bytes(data)
        sums[name] = hashlib.sha256(data).hexdigest()

    for name, fmt in files.items():
        data = serialize(quads, fmt, prefixes, triples)
        write(name, data)
        write(name + GZIP_SUFFIX, _gzipped(data))
    for graph, in_graph in _by_graph(quads).items():
        write(graph_dump_name(graph), serialize(in_graph, FORMATS[GRAPH_DUMP_FORMAT], prefixes))
    for name, data in (sources or {}).items():
        write(name, data)
    (folder / CHECKSUMS).write_text("".join(f"{digest}  {name}\n"
                                            for name, digest in sorted(sums.items())))
    return sums


def _by_graph(quads: list[ox.Quad]) -> dict[str, list[ox.Quad]]:
    """The quads of each named graph (the store's own default graph has no file)."""
    found: dict[str, list[ox.Quad]] = {}
    for quad in quads:
        if isinstance(quad.graph_name, ox.NamedNode):
            found.setdefault(quad.graph_name.value, []).append(quad)
    return found
