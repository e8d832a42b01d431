"""Fixtures: the real report, parsed once; its graphs, mapped once; one build per session.

Tests that change something work on copies (a damaged copy of the text, a copy of a graph,
their own data folder), never on these shared objects.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from dakg.graph.build import Extraction, build, extract, map_extraction
from dakg.graph.rdf.dataset import NamedGraph
from dakg.graph.records import Report
from dakg.graph.source import Source, bundled_manifests

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def manifest() -> Path:
    return bundled_manifests()[0]


@pytest.fixture(scope="session")
def extraction() -> Extraction:
    return extract()


@pytest.fixture(scope="session")
def source(extraction: Extraction) -> Source:
    return extraction.source


@pytest.fixture(scope="session")
def report(extraction: Extraction) -> Report:
    return extraction.report


@pytest.fixture(scope="session")
def graphs(extraction: Extraction) -> list[NamedGraph]:
    return map_extraction(extraction)


@pytest.fixture(scope="session")
def report_graph(graphs: list[NamedGraph]) -> Graph:
    return next(g.graph for g in graphs if "/graph/report/" in str(g.name))


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder holding one complete build of the real report."""
    data_dir = tmp_path_factory.mktemp("built")
    build(data_dir)
    return data_dir


def write_source(folder: Path, source: Source, text: str) -> Path:
    """Write ``text`` as a vendored source with its own manifest; return the manifest path."""
    import hashlib

    data = text.encode("utf-8")
    (folder / "report.txt").write_bytes(data)
    m = source.manifest
    manifest = folder / "report.toml"
    manifest.write_text(
        f'symbol = "{m.symbol}"\nlanguage = "{m.language}"\nfile = "report.txt"\n'
        f'sha256 = "{hashlib.sha256(data).hexdigest()}"\ncommittee = "{m.committee}"\n'
        f'session = {m.session}\ntitle_en = "{m.title_en}"\ntitle_zh = "{m.title_zh}"\n'
        f'origin = "a damaged copy made by a test"\n', encoding="utf-8")
    return manifest


def damage(source: Source, old: str, new: str) -> str:
    """The source text with the first ``old`` replaced by ``new`` (``old`` must occur)."""
    assert old in source.text, f"{old!r} is not in the report"
    return source.text.replace(old, new, 1)
