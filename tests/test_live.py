"""The live copy and the builds: what a restart, a rebuild and ``dakg live reset`` do to
writes, and how ``dakg stats``, ``dakg validate``, the home page and the service description
say which copy they read."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from flask import Flask
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from dakg.cli import main
from dakg.graph.live import live_copy
from dakg.graph.store import current_build, switch_current
from dakg.settings import Settings

from .conftest import app_over, close_app
from .helpers import json_of

TOKEN = "a token for the live copy"
DATASET = URIRef("https://w3id.org/dakg/id/dataset")


def dakg(data_dir: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--data-dir", str(data_dir), *args])


def writable_app(data_dir: Path) -> Flask:
    return app_over(Settings(data_dir=data_dir, workers=1, query_workers=1,
                               write_token=TOKEN))


def drop_all(app: Flask) -> None:
    response = app.test_client().post("/update", data={"update": "DROP ALL"},
                                      headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 204, response.get_data(as_text=True)


def served_triples(app: Flask) -> int:
    response = app.test_client().get("/sparql", query_string={
        "query": "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"})
    assert response.json is not None
    return int(json_of(response)["results"]["bindings"][0]["n"]["value"])


def home(app: Flask) -> str:
    return app.test_client().get("/").get_data(as_text=True)


def description_notes(app: Flask) -> list[str]:
    response = app.test_client().get("/sparql", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=response.get_data(as_text=True), format="turtle")
    return [str(o) for o in graph.objects(DATASET, DCTERMS.description)
            if isinstance(o, Literal)]


@pytest.fixture()
def data_dir(built: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(built, copy, symlinks=True)
    return copy


def test_a_drop_all_is_kept_and_said_until_the_live_copy_is_reset(data_dir: Path) -> None:
    app = writable_app(data_dir)
    try:
        full = served_triples(app)
        assert "live-copy" not in home(app) and description_notes(app) == []
        drop_all(app)
        assert served_triples(app) == 0
    finally:
        close_app(app)
    # A restart serves the live copy with its writes, and says it differs from the build.
    app = writable_app(data_dir)
    try:
        assert served_triples(app) == 0
        build = current_build(data_dir).name
        notice = (f"The data served here is the live copy, not the current build {build}: it "
                  f"started from build {build} and has taken 1 write(s).")
        assert notice in home(app)
        assert any(n.startswith(notice) for n in description_notes(app))

        stats = dakg(data_dir, "stats")
        assert stats.output.splitlines()[0].startswith(f"reading the current build {build} ")
        assert stats.output.splitlines()[1] == (
            f"note: a server with a write token serves not this build but the live copy "
            f"{data_dir / 'live'} started from the current build and has taken 1 write (dakg "
            "stats --live reads it; dakg live reset replaces it with the current build)")
        live = dakg(data_dir, "stats", "--live")
        assert live.output.splitlines()[0].startswith("reading the live copy, checkpoint ")
        assert "triples in" not in live.output  # DROP ALL left no graph
        validated = dakg(data_dir, "validate", "--live")
        assert validated.output.startswith("reading the live copy, checkpoint ")

        # The running server serves the reset copy from its next request.
        reset = dakg(data_dir, "live", "reset")
        assert reset.exit_code == 0, reset.output
        assert served_triples(app) == full
        assert "live-copy" not in home(app) and description_notes(app) == []
        assert "note:" not in dakg(data_dir, "stats").output
    finally:
        close_app(app)


def test_a_rebuild_does_not_replace_the_live_copy(data_dir: Path) -> None:
    app = writable_app(data_dir)
    try:
        first = current_build(data_dir).name
        # A new build (a copy of the old one under another version is enough here).
        rebuilt = data_dir / "builds" / "0123456789abcdef"
        shutil.copytree(current_build(data_dir), rebuilt)
        switch_current(data_dir, rebuilt)
        assert f"it started from build {first} and has taken 0 write(s)" in home(app)
        found = live_copy(data_dir)
        assert found is not None and found.origin == first and found.differs
        reset = dakg(data_dir, "live", "reset", "--to", first)
        assert reset.exit_code == 0 and "not the current build" in reset.output
        assert dakg(data_dir, "live", "reset").exit_code == 0
        assert "live-copy" not in home(app)
    finally:
        close_app(app)


def test_reset_to_an_unknown_build_names_the_builds(data_dir: Path) -> None:
    result = dakg(data_dir, "live", "reset", "--to", "nope")
    assert result.exit_code == 1
    assert result.output == (f"Error: no build nope in {data_dir / 'builds'} (builds: "
                             f"{current_build(data_dir).name})\n")
