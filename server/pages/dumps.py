"""``/dumps/``: the current build's dumps, with their checksums and ``build.json``.

The RDF files are published gzipped (``dakg.ttl.gz``, served as ``application/gzip``). Each is
also served without its ``.gz`` (``/dumps/dakg.ttl``) in its own media type: the gzipped bytes
as they are, with ``Content-Encoding: gzip``, to a client that accepts gzip (curl
--compressed, browsers, rdflib through urllib does not), else decompressed as they are sent.

Only files the listing names are served, never a path taken from the request: a name is
looked up among them, so ``..`` and the like find nothing; and the listing holds only regular
files, never a symbolic link. A dataset not made by ``dakg
build`` (``serve --data``, the live store) has no dumps, and the page says so.
"""

from __future__ import annotations

import json
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Response, render_template, request, send_from_directory

from dakg.graph.dumps import DUMP_NAME, GZIP_SUFFIX, open_dump, sha256_of

from .. import formats
from ..errors import HttpError
from ..runtime import Runtime, runtime
from .naming import Namer
from .responses import cached_page

DUMP_MAX_AGE = 3600  # seconds: a dump changes only with a new build
SUMS = "SHA256SUMS"
BUILD_INFO = "build.json"
_DUMP_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
# The dumps by suffix, in the order the page lists them (those with the named graphs first),
# and what each holds.
_HOLDS = {f".{f.extension}": "the dataset with its named graphs" if f.datasets
          else "the union of the graphs"
          for f in sorted(formats.offers(formats.Kind.GRAPH), key=lambda f: not f.datasets)}
# The files listed after the dumps, in this order.
_ABOUT = {SUMS: "SHA-256 checksums of the dumps (sha256sum -c SHA256SUMS)",
          BUILD_INFO: "what was built, from what, when"}
# Files published beside the dumps, by suffix: the source text and its manifest.
_SOURCES = {".txt": "the source text the provenance offsets count in (UTF-8)",
            ".toml": "the manifest of the source text: symbol, language, sha256, origin"}
_MEDIA_TYPES = {".json": "application/json", ".txt": "text/plain; charset=utf-8",
                ".toml": "application/toml",
                **{f".{f.extension}": f.content_type for f in formats.FORMATS
                   if f.kinds & {formats.Kind.GRAPH, formats.Kind.DATASET}}}


@dataclass(frozen=True)
class DumpFile:
    name: str
    path: Path
    size: int
    sha256: str
    media_type: str
    description: str

    @property
    def plain(self) -> str | None:
        """The name it is also served under decompressed (``dakg.ttl`` for ``dakg.ttl.gz``),
        if it is a gzipped RDF file."""
        name = self.name.removesuffix(GZIP_SUFFIX)
        return name if name != self.name and _rdf(name) else None

    @property
    def holds(self) -> str:
        """The media type of what it holds once decompressed."""
        return content_media_type(self.name)


def dumps_folder(rt: Runtime) -> Path | None:
    folder = Path(rt.dataset.current().store).parent / "dumps"
    return folder if folder.is_dir() and not folder.is_symlink() else None


def dump_files(rt: Runtime) -> list[DumpFile]:
    """The files of the current build's dumps, with build.json; listed once per version."""
    folder = dumps_folder(rt)
    if folder is None:
        return []
    key = ("dumps", rt.dataset.current().version, str(folder))
    return list(rt.cache.get(key, lambda: tuple(sorted(_list(folder), key=_order))))


def _list(folder: Path) -> Iterator[DumpFile]:
    sums = _read_sums(folder / SUMS)
    paths = [p for p in sorted(folder.iterdir()) if _regular(p)]
    info = folder.parent / BUILD_INFO
    if _regular(info):
        paths.append(info)
    for path in paths:
        if _DUMP_NAME.match(path.name):
            yield DumpFile(path.name, path, path.stat().st_size,
                           sums.get(path.name) or sha256_of(path), _media_type(path.name),
                           _description(path.name))


def is_source(name: str) -> bool:
    """Whether a published file is the source text or its manifest (not RDF, not ours)."""
    return name != SUMS and Path(name).suffix in _SOURCES


def _description(name: str) -> str:
    if name.endswith(GZIP_SUFFIX):
        return f"{_description(name.removesuffix(GZIP_SUFFIX))}, gzipped"
    if name.startswith("graph-"):
        return "one named graph alone"
    suffix = Path(name).suffix
    return _ABOUT.get(name) or _HOLDS.get(suffix) or _SOURCES.get(suffix, "")


def _regular(path: Path) -> bool:
    """A regular file, not a symbolic link: a link placed in the folder may point anywhere
    (``/etc/passwd``), and only what the build wrote there is served."""
    try:
        return stat.S_ISREG(path.lstat().st_mode)
    except OSError:
        return False


def _read_sums(path: Path) -> dict[str, str]:
    """File name → SHA-256, from ``sha256sum`` output (``*`` marks a binary-mode line)."""
    sums: dict[str, str] = {}
    if _regular(path):
        for line in path.read_text(encoding="utf-8").splitlines():
            digest, _, name = line.partition("  ")
            if digest and name:
                sums[name.lstrip("*")] = digest
    return sums


def content_media_type(name: str) -> str:
    """The media type of what a file holds, gzipped or not (``dakg.ttl.gz``: Turtle)."""
    return _media_type(name.removesuffix(GZIP_SUFFIX))


def _media_type(name: str) -> str:
    if name == SUMS:
        return "text/plain; charset=utf-8"
    if name.endswith(GZIP_SUFFIX):
        return "application/gzip"
    return _MEDIA_TYPES.get(Path(name).suffix, "application/octet-stream")


def _order(f: DumpFile) -> tuple[int, int, str]:
    """The dumps in the order of ``_HOLDS`` (each before its gzipped copy), then any other
    file, then those of ``_ABOUT``."""
    if f.name in _ABOUT:
        return len(_HOLDS) + 1 + list(_ABOUT).index(f.name), 0, f.name
    plain = f.name.removesuffix(GZIP_SUFFIX)
    suffix = Path(plain).suffix
    rank = list(_HOLDS).index(suffix) if suffix in _HOLDS and plain.startswith(
        DUMP_NAME + ".") else len(_HOLDS)
    return rank, int(plain != f.name), plain


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    value = size / 1024
    for unit in ("KiB", "MiB"):
        if value < 1024:
            return f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GiB"


def build_record(files: list[DumpFile]) -> dict[str, Any]:
    """What ``build.json`` says; nothing if it is missing or unreadable."""
    info = next((f for f in files if f.name == BUILD_INFO), None)
    if info is None:
        return {}
    try:
        record: dict[str, Any] = json.loads(info.path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record


@cached_page
def dumps() -> str:
    rt = runtime()
    files = dump_files(rt)
    return render_template("dumps.html", n=Namer(rt), files=files, build=build_record(files),
                           human_size=human_size, version=rt.dataset.current().version)


def dump_file(name: str) -> Response:
    files = {f.name: f for f in dump_files(runtime())}
    found = files.get(name)
    if found is not None:
        return _sent(found, found.media_type, found.sha256)
    packed = files.get(name + GZIP_SUFFIX)
    media_type = _media_type(name)
    if packed is None or not _rdf(name):
        raise HttpError(404, f"there is no dump file {name!r} in the current build")
    if request.accept_encodings["gzip"]:  # its quality: 0 if refused or not named
        response = _sent(packed, media_type, packed.sha256)
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = _decompressed(packed, media_type)
    response.vary.add("Accept-Encoding")
    return response


def _sent(found: DumpFile, media_type: str, etag: str) -> Response:
    response = send_from_directory(found.path.parent, found.name, mimetype=media_type,
                                   etag=etag, conditional=True, max_age=DUMP_MAX_AGE)
    return _headed(response, media_type)


def _decompressed(packed: DumpFile, media_type: str) -> Response:
    """The gzipped file ``packed`` decompressed as it is sent (its size is not known
    before: no ``Content-Length``, no ranges), a megabyte at a time. Its ``ETag`` is not the
    gzipped bytes': the same URL sends another representation to a client that takes gzip."""

    def chunks() -> Iterator[bytes]:
        with open_dump(packed.path) as data:
            yield from iter(lambda: data.read(1 << 20), b"")

    response = Response(chunks(), mimetype=media_type, direct_passthrough=True)
    response.set_etag(f"{packed.sha256}-identity")
    response.make_conditional(request)
    return _headed(response, media_type)


def _headed(response: Response, media_type: str) -> Response:
    # Set as they are, whatever Werkzeug makes of a media type with a charset and of max_age.
    response.headers["Content-Type"] = media_type
    response.headers["Cache-Control"] = f"public, max-age={DUMP_MAX_AGE}"
    return response


def _rdf(name: str) -> bool:
    """Whether ``name`` is that of an RDF file (a dump, a graph's file), gzipped or not."""
    return Path(name.removesuffix(GZIP_SUFFIX)).suffix in _HOLDS
