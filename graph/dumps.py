"""Dumps of the dataset for other repositories to harvest.

Formats that hold named graphs (N-Quads, TriG, JSON-LD) carry the whole dataset; the others
(Turtle, N-Triples, RDF/XML) carry the union of its graphs. Statements are sorted before
writing, so the same data gives the same bytes and a change in the data shows as a readable
diff.
"""

from __future__ import annotations

import hashlib
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
    if fmt.rdf == ox.RdfFormat.JSON_LD:  # with a context, @type, Web Annotation terms
        return compact_jsonld(to_bytes(quads, fmt.rdf, prefixes), prefixes)
    if fmt.datasets:
        return to_bytes(quads, fmt.rdf, prefixes)
    union = triples if triples is not None else sorted_triples(quads)
    return to_bytes(union, fmt.rdf, prefixes)


def write_dumps(quads: list[ox.Quad], folder: Path, prefixes: dict[str, str]) -> dict[str, str]:
    """Write sorted ``quads`` in every format into ``folder``, with a ``SHA256SUMS`` file.

    Returns file name → sha256.
    """
    folder.mkdir(parents=True, exist_ok=True)
    triples = sorted_triples(quads)
    sums: dict[str, str] = {}
    for fmt in FORMATS.values():
        name = f"{DUMP_NAME}.{fmt.extension}"
        data = serialize(quads, fmt, prefixes, triples)
        (folder / name).write_bytes(data)
        sums[name] = hashlib.sha256(data).hexdigest()
    (folder / CHECKSUMS).write_text("".join(f"{digest}  {name}\n"
                                            for name, digest in sorted(sums.items())))
    return sums
