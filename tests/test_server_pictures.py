"""The overview pictures on ``/``: SVG drawn on the server, every mark a link to what it
stands for, titled and described; checked against the endpoint's own answers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dakg.settings import Settings

from .conftest import app_over, close_app
from .helpers import sparql_rows


@pytest.fixture(scope="module")
def home(built_app: Flask) -> str:
    response = built_app.test_client().get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def figure(home: str, name: str) -> str:
    found = re.search(rf'<figure class="pic" id="{name}">.*?</figure>', home, re.S)
    assert found, name
    return found.group(0)


def test_matrix_has_a_linked_cell_per_recommendation_and_sector(built_client: FlaskClient,
                                                                home: str) -> None:
    pairs = sparql_rows(built_client, "SELECT ?n ?s WHERE { ?r dakg:relatedSector ?s ; "
                           "dakg:recommendationNumber ?n }")
    svg = figure(home, "matrix")
    cells = re.findall(r'<a href="/id/recommendation/(\d+)"><title>Recommendation \d+ names '
                       r'the [^<]+</title><rect class="on"', svg)
    assert len(cells) == len(pairs) > 0
    assert sorted(map(int, cells)) == sorted(int(p["n"]) for p in pairs)


def test_clusters_mark_the_immediate_recommendations(built_client: FlaskClient, home: str) -> None:
    immediate = {int(r["n"]) for r in sparql_rows(
        built_client, "SELECT ?n WHERE { ?r dakg:adoptedForImmediateImplementation true ; "
                "dakg:recommendationNumber ?n }")}
    svg = figure(home, "clusters")
    marked = {int(n) for n in re.findall(
        r'<a href="/id/recommendation/(\d+)"><title>[^<]*</title><rect class="now"', svg)}
    later = {int(n) for n in re.findall(
        r'<a href="/id/recommendation/(\d+)"><title>[^<]*</title><rect class="later"', svg)}
    assert marked == immediate and immediate
    assert len(marked | later) == 45 and not marked & later


def test_session_bars_link_to_their_documents(built_client: FlaskClient, home: str) -> None:
    svg = figure(home, "sessions")
    bars = re.findall(r'<a href="/documents#session-CDIP-(\d+)"><title>CDIP \d+: (\d+) '
                      r'documents? cited</title>', svg)
    assert bars
    documents = built_client.get("/documents").get_data(as_text=True)
    for number, count in bars:
        # the session's group of the documents index, up to the next group
        group = re.search(rf'<tr class="group" id="session-CDIP-{number}">(.*?)</tbody>',
                          documents, re.S)
        assert group, number
        mentions = re.findall(r'<td class="num">(\d+)</td></tr>', group.group(1))
        assert sum(1 for m in mentions if int(m) > 0) == int(count), number


@pytest.mark.parametrize("name", ["matrix", "clusters", "sessions"])
def test_every_picture_is_titled_described_and_explained(home: str, name: str) -> None:
    svg = figure(home, name)
    assert f'aria-labelledby="{name}-title {name}-desc"' in svg
    assert f'<title id="{name}-title">' in svg and f'<desc id="{name}-desc">' in svg
    assert "<figcaption>" in svg
    # no script, no inline style: a strict Content-Security-Policy holds
    assert "<script" not in svg and "style=" not in svg
    assert not re.search(r"\son[a-z]+=", svg)
    # every link has a title, which names it for keyboard and screen reader users
    drawing = svg[svg.index("<svg"):svg.index("</svg>")]
    links = re.findall(r"<a href=[^>]*>(.{0,7})", drawing)
    assert links and all(start == "<title>" for start in links)


def test_a_long_run_of_sessions_draws_the_newest(built: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from dakg.server.pages import pictures

    monkeypatch.setattr(pictures, "SESSION_BARS", 5)
    app = app_over(Settings(data_dir=built, workers=1, query_workers=1))
    try:
        client = app.test_client()
        svg = figure(client.get("/").get_data(as_text=True), "sessions")
        every = sorted(int(r["n"]) for r in sparql_rows(
            client, "SELECT ?n WHERE { ?s a dakg:Session ; dakg:sessionNumber ?n ; "
                    "dakg:committee <https://w3id.org/dakg/id/committee/CDIP> }"))
    finally:
        close_app(app)
    drawn = [int(n) for n in re.findall(r"<title>CDIP session (\d+)</title>", svg)]
    assert len(every) > 5 and drawn == every[-5:]
    assert f"(the {len(every) - 5} earlier ones are in the tables)" in svg
