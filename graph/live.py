"""The live copy: the store a server with a write token serves and writes to.

``<data>/live`` is made from the current build the first time writing is turned on and then
kept: a restart serves it with its writes, and a new ``dakg build`` does not replace it (the
server warns, and the home page and service description say the served data differs from
the current build). ``dakg live reset`` replaces it with a build, on purpose.

Its layout is a data folder's (``builds/<checkpoint>``, a ``current`` link) plus ``origin``,
the version of the build it started from. A checkpoint is named ``<start>-w<n>``: ``n``
writes since it started.
"""

from __future__ import annotations

import contextlib
import fcntl
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .errors import BuildError
from .store import (
    BUILDS,
    CURRENT,
    STORE,
    current_build,
    open_store,
    read_manifest,
    switch_current,
)

LIVE = "live"
ORIGIN = "origin"
WRITE_LOCK = "write.lock"


@dataclass(frozen=True)
class LiveCopy:
    folder: Path
    version: str  # its current checkpoint
    origin: str  # the build it started from
    writes: int  # writes since it started
    build: str | None  # the data folder's current build

    @property
    def differs(self) -> bool:
        """Whether it may hold other data than the current build."""
        return self.writes > 0 or self.origin != self.build

    def notice(self) -> str:
        """What a server says when it serves this copy and it differs from the build."""
        return (f"The data served here is the live copy, not the current build {self.build}: "
                f"it started from build {self.origin} and has taken {self.writes} write(s). "
                "'dakg live reset' replaces it with the current build.")

    def describe(self) -> str:
        started = "the current build" if self.origin == self.build else \
            f"build {self.origin}, not the current build {self.build}"
        writes = "no writes" if self.writes == 0 else \
            f"{self.writes} write{'s' if self.writes != 1 else ''}"
        return f"the live copy {self.folder} started from {started} and has taken {writes}"


def live_copy(data_dir: Path) -> LiveCopy | None:
    """The live copy of ``data_dir``, or None if writing was never turned on there."""
    folder = data_dir / LIVE
    link = folder / CURRENT
    if not link.is_symlink():
        return None
    version = link.resolve().name
    number = version.rpartition("-w")[2]
    try:
        origin = (folder / ORIGIN).read_text(encoding="utf-8").strip()
    except OSError:
        origin = version.rpartition("-w")[0]
    build = (data_dir / CURRENT).resolve().name if (data_dir / CURRENT).is_symlink() else None
    return LiveCopy(folder, version, origin, int(number) if number.isdigit() else 0, build)


def start_live_copy(folder: Path, source_store: str, origin: str, checkpoint: str) -> None:
    """Make ``checkpoint`` (a copy of ``source_store``) the live copy's current data."""
    target = folder / BUILDS / f"{checkpoint}-w000000"
    target.mkdir(parents=True)
    ox.Store.read_only(source_store).backup(str(target / STORE))
    (folder / ORIGIN).write_text(origin + "\n", encoding="utf-8")
    switch_current(folder, target)


def reset_live_copy(data_dir: Path, version: str | None = None) -> LiveCopy:
    """Replace the live copy's data with build ``version`` (default: the current build); its
    writes are dropped. A running server serves the reset copy from its next request."""
    build = data_dir / BUILDS / version if version else current_build(data_dir)
    if not (build / STORE).is_dir():
        known = ", ".join(sorted(p.name for p in (data_dir / BUILDS).glob("*"))) or "none"
        raise BuildError(f"no build {version} in {data_dir / BUILDS} (builds: {known})")
    folder = data_dir / LIVE
    folder.mkdir(exist_ok=True)
    with write_lock(folder):
        # A name never used before: ETags hold it, and the old names meant other data.
        start_live_copy(folder, str(build / STORE), build.name,
                        f"{build.name}-r{time.time_ns():x}")
    found = live_copy(data_dir)
    assert found is not None
    return found


@contextlib.contextmanager
def write_lock(folder: Path) -> Iterator[None]:
    """The live copy's write lock, the one every write of the server takes."""
    with open(folder / WRITE_LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@dataclass(frozen=True)
class Copy:
    """The store ``dakg stats`` and ``dakg validate`` read, and what they say about it."""

    store: ox.Store
    base_iri: str
    says: str  # which copy it is
    note: str = ""  # the other copy, where it differs
    path: Path | None = None  # of a store no process writes to (a build, not the live copy)

    def text(self) -> str:
        return f"reading {self.says}" + (f"\nnote: {self.note}" if self.note else "")


def read_copy(data_dir: Path, *, live: bool = False) -> Copy:
    """The current build of ``data_dir``, or its live copy if ``live``."""
    build = current_build(data_dir)
    manifest = read_manifest(build)
    base = str(manifest["base_iri"])
    copy = live_copy(data_dir)
    if live:
        if copy is None:
            raise BuildError(f"no live copy in {data_dir}: a server with a write token makes "
                             "one from the current build")
        return Copy(open_store(copy.folder), base,
                    f"the live copy, checkpoint {copy.version}: {copy.describe()}")
    says = (f"the current build {manifest['version']} ({build}), built {manifest['built']}, "
            f"base {base}")
    note = ""
    if copy is not None and copy.differs:
        note = (f"a server with a write token serves not this build but {copy.describe()} "
                "(dakg stats --live reads it; dakg live reset replaces it with the current "
                "build)")
    return Copy(open_store(data_dir), base, says, note, build / STORE)
