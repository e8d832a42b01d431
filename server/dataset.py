"""Which store the server reads, and its version.

A dataset folder holds builds (``builds/<version>/store``) and a symbolic link ``current`` to
one of them. The server follows the link on every request (one ``readlink``), so a new
``dakg build``, or a write when writing is on, is served as soon as the link moves; query
processes reopen the store when the path they are given changes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from dakg.graph.live import LIVE, LiveCopy, live_copy
from dakg.graph.rdf.namespaces import DEFAULT_BASE


@dataclass(frozen=True)
class Snapshot:
    store: str  # folder of a read-only Oxigraph store
    version: str  # changes whenever the data may have changed; the basis of ETags


class NoBuild(LookupError):
    """The data folder has no current build (nothing built yet, or its link was removed)."""


class LinkedDataset:
    def __init__(self, folder: Path, link: str = "current") -> None:
        self.folder = folder
        self.link = folder / link
        self._target: str | None = None
        self._snapshot: Snapshot | None = None

    def current(self) -> Snapshot:
        """The build the link names now; ``NoBuild`` if there is none (a server started
        by its own WSGI server before the first ``dakg build``: each request says so)."""
        try:
            target = os.readlink(self.link)
        except OSError as e:
            raise NoBuild(f"no build in {self.folder} ({e.strerror}): run dakg build") from e
        if target != self._target or self._snapshot is None:
            build = (self.link.parent / target).resolve()
            self._snapshot = Snapshot(store=str(build / "store"), version=build.name)
            self._target = target
        return self._snapshot

    def exists(self) -> bool:
        return self.link.is_symlink() and (self.link.resolve() / "store").is_dir()


def served_copy(dataset: LinkedDataset) -> LiveCopy | None:
    """The live copy ``dataset`` is (a server with a write token serves one), else None."""
    if dataset.folder.name != LIVE:
        return None
    return live_copy(dataset.folder.parent)


def copy_tag(dataset: LinkedDataset) -> str:
    """What, besides the version, decides what the server says about its data: the build a
    live copy is compared with (a rebuild changes it without changing the live copy)."""
    copy = served_copy(dataset)
    return f"{copy.build}" if copy is not None else ""


def load_files(files: list[Path], folder: Path, base_iri: str = DEFAULT_BASE) -> LinkedDataset:
    """A dataset of arbitrary RDF files (``dakg serve --data``), built like a report build.

    Triples of each file go into a named graph named after the file's name (not its path,
    which is nobody's business): ``<base>id/graph/data/<name>``, a second file of the same
    name ``…/<name>-2``; quad formats keep their own graphs. The version is a hash of the
    files' contents.
    """
    import hashlib
    import shutil
    import tempfile

    import pyoxigraph as ox

    from dakg.graph.rdf_input import UnsafeInput, format_for, parse_rdf
    from dakg.graph.store import BUILDS, fill_store, switch_current

    digest = hashlib.sha256()
    quads: list[ox.Quad] = []
    names: set[str] = set()
    for path in files:
        data = path.read_bytes()
        digest.update(path.name.encode() + b"\0" + data)
        graph = ox.NamedNode(_graph_name(base_iri, path.name, names))
        try:
            quads += parse_rdf(data, format_for(file_name=path.name), base_iri=graph.value,
                               graph=graph)
        except UnsafeInput as e:  # the message names the line; say which file too
            raise UnsafeInput(f"{path}: {e}") from e
    version = "data-" + digest.hexdigest()[:16]
    final = folder / BUILDS / version
    if not final.exists():
        final.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".data-", dir=folder))
        try:
            fill_store(work / "store", quads)
            work.chmod(0o755)
            work.replace(final)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
    switch_current(folder, final)
    return LinkedDataset(folder)


def _graph_name(base_iri: str, file_name: str, taken: set[str]) -> str:
    """``<base>id/graph/data/<file name>``, made unique among ``taken`` (and added to it)."""
    stem = f"{base_iri}id/graph/data/{quote(file_name, safe='')}"
    name, n = stem, 1
    while name in taken:
        n += 1
        name = f"{stem}-{n}"
    taken.add(name)
    return name
