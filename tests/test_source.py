"""The vendored report and its manifest."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from dakg.graph.errors import SourceError
from dakg.graph.source import Source, load_source, read_manifest

from .conftest import write_source


def test_vendored_copy_matches_its_manifest(manifest: Path) -> None:
    text_path = manifest.parent / read_manifest(manifest).file
    assert hashlib.sha256(text_path.read_bytes()).hexdigest() == read_manifest(manifest).sha256


def test_vendored_copy_is_the_seed_the_project_received(manifest: Path) -> None:
    # shared/seeds/README.md states this hash for 000_ef0a633c9b62e188.txt
    assert read_manifest(manifest).sha256 == (
        "3a3b3d09893249fa6088e8c5ecb72d7f0cd068e385c957682ab2b23cf6939fbb")


def test_changed_copy_is_refused(tmp_path: Path, source: Source) -> None:
    manifest = write_source(tmp_path, source, source.text)
    (tmp_path / "report.txt").write_text(source.text + "\n多出来的一行\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"sha256 is .* but report\.toml says"):
        load_source(manifest)


def test_invalid_utf8_names_the_line(tmp_path: Path, source: Source) -> None:
    manifest = write_source(tmp_path, source, source.text)
    data = (tmp_path / "report.txt").read_bytes()
    cut = data.index("建议2".encode())
    (tmp_path / "report.txt").write_bytes(data[:cut] + b"\xff" + data[cut:])
    with pytest.raises(SourceError) as error:
        load_source(manifest, verify_hash=False)
    assert "not valid UTF-8" in str(error.value)
    assert error.value.location is not None and error.value.location.line == 32


def test_manifest_missing_fields(tmp_path: Path) -> None:
    (tmp_path / "m.toml").write_text('symbol = "CDIP/35/2"\n')
    with pytest.raises(SourceError, match="lacks language, file, sha256"):
        read_manifest(tmp_path / "m.toml")
