"""The vendored report: its manifest, its text, and the check that it is the expected copy."""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .errors import Location, SourceError

_MANIFEST_FIELDS = ("symbol", "language", "file", "sha256", "committee", "session", "origin")


@dataclass(frozen=True)
class Manifest:
    """What a vendored source is; read from the ``.toml`` beside it."""

    symbol: str
    language: str
    file: str
    sha256: str
    committee: str
    session: int
    origin: str


@dataclass(frozen=True)
class Source:
    """A decoded source text. Offsets everywhere in dakg count code points into ``text``."""

    manifest: Manifest
    name: str
    text: str

    def location(self, offset: int) -> Location:
        return Location(self.name, self.text, offset)

    def error(self, message: str, offset: int) -> SourceError:
        return SourceError(message, self.location(offset))


def bundled_manifests() -> list[Path]:
    """The manifests of the sources shipped with the package, sorted by file name."""
    folder = resources.files("dakg.graph.sources")
    return sorted(Path(str(entry)) for entry in folder.iterdir() if entry.name.endswith(".toml"))


def manifests_in(paths: Sequence[Path]) -> list[Path]:
    """The manifests ``paths`` name: each file as given, each folder's ``.toml`` files sorted
    by name; an error names a folder that holds none."""
    found: list[Path] = []
    for path in paths:
        if not path.is_dir():
            found.append(path)
            continue
        inside = sorted(path.glob("*.toml"))
        if not inside:
            raise SourceError(f"{path}: the folder holds no source manifest (.toml)")
        found += inside
    return found


def read_manifest(path: Path) -> Manifest:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise SourceError(f"{path}: cannot read the source manifest: {e}") from e
    missing = [name for name in _MANIFEST_FIELDS if name not in data]
    if missing:
        raise SourceError(f"{path}: the source manifest lacks {', '.join(missing)}")
    if not isinstance(data["session"], int):
        raise SourceError(f"{path}: 'session' must be a whole number, not {data['session']!r}")
    return Manifest(**{name: data[name] for name in _MANIFEST_FIELDS})


def load_source(manifest_path: Path, *, verify_hash: bool = True) -> Source:
    """Read the text a manifest names and check its sha256.

    A changed vendored copy is an error unless ``verify_hash`` is off; tests that feed damaged
    copies to the parser turn it off so that the parser's own errors are what they see.
    """
    manifest = read_manifest(manifest_path)
    text_path = manifest_path.parent / manifest.file
    try:
        data = text_path.read_bytes()
    except OSError as e:
        raise SourceError(f"{manifest_path}: cannot read the source text {text_path}: {e}") from e
    digest = hashlib.sha256(data).hexdigest()
    if verify_hash and digest != manifest.sha256:
        raise SourceError(
            f"{text_path}: sha256 is {digest}, but {manifest_path.name} says {manifest.sha256}; "
            "the vendored copy has changed (if that is intended, update the manifest)"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        good = data[: e.start].decode("utf-8")
        raise SourceError(
            f"the text is not valid UTF-8 (byte {e.start}: {e.reason})",
            Location(text_path.name, good, len(good)),
        ) from e
    return Source(manifest=manifest, name=text_path.name, text=text)
