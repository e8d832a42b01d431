"""Fixtures: the real report, parsed once; its graphs, mapped once; one build per session.

Tests that change something work on copies (a damaged copy of the text, a copy of a graph,
their own data folder), never on these shared objects.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph

from dakg.graph.build import Extraction, build, extract, map_extraction
from dakg.graph.rdf.dataset import NamedGraph
from dakg.graph.records import Report
from dakg.graph.source import Source, bundled_manifests
from dakg.server.app import create_app
from dakg.server.dataset import LinkedDataset, load_files
from dakg.server.runtime import Runtime
from dakg.settings import Settings

from .stores import LoadedStores, store_settings

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
    """The report's graph with what it says of shared resources (the shared graph)."""
    graph = Graph()
    for named in graphs:
        if "/graph/report/" in str(named.name) or str(named.name).endswith("/graph/shared"):
            graph += named.graph
    return graph


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder holding one complete build of the real report."""
    data_dir = tmp_path_factory.mktemp("built")
    build(data_dir)
    return data_dir


@pytest.fixture(scope="session")
def series(tmp_path_factory: pytest.TempPathFactory, manifest: Path,
           extraction: Extraction) -> Path:
    """A data folder holding one build of two reports: the real one and a generated later
    one (``dakg.graph.synth``, seed 11, variant 0: CDIP/36/2)."""
    from dakg.graph.synth import template, variant

    base = template(extraction.source, extraction.report, extraction.reference.immediate)
    later = variant(base, 11, 0).write(tmp_path_factory.mktemp("series-sources"))
    data_dir = tmp_path_factory.mktemp("series")
    build(data_dir, manifests=[manifest, later])
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
        f'session = {m.session}\n'
        f'origin = "a damaged copy made by a test"\n', encoding="utf-8")
    return manifest


def damage(source: Source, old: str, new: str) -> str:
    """The source text with the first ``old`` replaced by ``new`` (``old`` must occur)."""
    assert old in source.text, f"{old!r} is not in the report"
    return source.text.replace(old, new, 1)


@pytest.fixture(scope="module")
def small_dataset(tmp_path_factory: pytest.TempPathFactory) -> LinkedDataset:
    """tests/data/small.trig loaded as the server would load ``--data`` files."""
    return load_files([DATA / "small.trig"], tmp_path_factory.mktemp("small"))


class ClosingClient(FlaskClient):
    """A test client that reads each response whole and closes it, as a WSGI server does once
    it has sent it. Only then does a request give up its place among the queries; Werkzeug's
    client leaves that to the garbage collector, and a run of requests could meet 429."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("buffered", True)
        return super().open(*args, **kwargs)


def app_over(settings: Settings, dataset: LinkedDataset | None = None) -> Flask:
    """``create_app`` with test clients that close their responses (``ClosingClient``)."""
    app = create_app(settings, dataset=dataset)
    app.test_client_class = ClosingClient
    return app


def make_app(dataset: LinkedDataset, **settings: Any) -> Flask:
    """An app over ``dataset`` with test-friendly limits; close it with ``close_app``."""
    defaults: dict[str, Any] = {"data_dir": dataset.folder, "query_timeout": 3.0, "row_limit": 30,
                "workers": 1, "query_workers": 2}
    return app_over(Settings(**{**defaults, **settings}), dataset=dataset)


def close_app(app: Flask) -> None:
    runtime = app.extensions["dakg"]
    assert isinstance(runtime, Runtime)
    runtime.close()


@pytest.fixture(scope="module")
def small_app(small_dataset: LinkedDataset) -> Iterator[Flask]:
    app = make_app(small_dataset)
    yield app
    close_app(app)


@pytest.fixture()
def client(small_app: Flask) -> FlaskClient:
    return small_app.test_client()


@pytest.fixture(scope="module")
def built_app(built: Path) -> Iterator[Flask]:
    """An app over the real build (``built``), closed after the module."""
    app = app_over(Settings(data_dir=built, workers=1, query_workers=2))
    yield app
    close_app(app)


@pytest.fixture(scope="session")
def report_stores(built: Path,
                  tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoadedStores]:
    """Oxigraph server and Virtuoso (``tests/stores.py``), each started and loaded with the
    build ``built`` on first use, stopped at the end of the session."""
    build = (built / "current").resolve()
    stores = LoadedStores(tmp_path_factory.mktemp("stores"), build / "dumps" / "dakg.nq.gz",
                          build.name)
    yield stores
    stores.stop()


def store_app(store: str, data_dir: Path, stores: LoadedStores, **settings: Any) -> Flask:
    """An app over the build in ``data_dir``, served from ``store``: ``embedded``, or one of
    ``stores``' servers; close it with ``close_app``."""
    if store != "embedded":
        settings = {**store_settings(stores.get(store).endpoints), **settings}
    return app_over(Settings(data_dir=data_dir, **settings))


@pytest.fixture()
def built_client(built_app: Flask) -> FlaskClient:
    return built_app.test_client()
