"""Writing: the token, SPARQL Update, the Graph Store Protocol, and what refusal leaves."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from dakg.server.dataset import LinkedDataset, load_files

from .conftest import close_app, make_app
from .helpers import DATA, Listener, json_of

TOKEN = "correct horse battery staple"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
G = "http://example.org/new"
ALL = "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"


@pytest.fixture(scope="module")
def writable(small_dataset: LinkedDataset,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlaskClient]:
    dataset = load_files([DATA / "small.trig"], tmp_path_factory.mktemp("writable"))
    app = make_app(dataset, write_token=TOKEN)
    yield app.test_client()
    close_app(app)


def total(client: FlaskClient) -> int:
    response = client.get("/sparql", query_string={"query": ALL})
    return int(json_of(response)["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize(("headers", "status"), [
    ({}, 401), ({"Authorization": "Bearer wrong"}, 403), ({"Authorization": f"Basic {TOKEN}"}, 401),
], ids=["no token", "wrong token", "wrong scheme"])
def test_writes_without_the_token_change_nothing(writable: FlaskClient, headers: dict[str, str],
                                                 status: int) -> None:
    before = total(writable)
    attempts = [
        writable.post("/sparql", data="CLEAR ALL", content_type="application/sparql-update",
                      headers=headers),
        writable.post("/update", data={"update": "CLEAR ALL"}, headers=headers),
        writable.put("/store", query_string={"graph": G}, data='<a:b> <a:c> "d" .',
                     content_type="text/turtle", headers=headers),
        writable.delete("/store", query_string={"graph": "http://example.org/g1"},
                        headers=headers),
    ]
    assert [r.status_code for r in attempts] == [status] * 4
    if status == 401:
        assert attempts[0].headers["WWW-Authenticate"].startswith("Bearer")
    assert total(writable) == before


def test_the_token_is_checked_before_the_request_is_read(writable: FlaskClient) -> None:
    no_graph = writable.put("/store", data=b"not even RDF", content_type="text/turtle")
    assert no_graph.status_code == 401  # not 400 for the missing ?graph
    garbage = writable.post("/update", data=b"\xff\xfe", content_type="application/sparql-update")
    assert garbage.status_code == 401


def test_an_empty_token_is_refused() -> None:
    from dakg.settings import Settings

    with pytest.raises(ValueError, match="write token is empty"):
        Settings(write_token="  ").checked()


def test_the_graph_store_protocol(writable: FlaskClient) -> None:
    put = writable.put("/store", query_string={"graph": G}, headers=AUTH,
                       data='<http://e/a> <http://e/b> "one" .', content_type="text/turtle")
    assert put.status_code == 201
    again = writable.put("/store", query_string={"graph": G}, headers=AUTH,
                         data='<http://e/a> <http://e/b> "two" .', content_type="text/turtle")
    assert again.status_code == 204
    post = writable.post("/store", query_string={"graph": G}, headers=AUTH,
                         data='<http://e/a> <http://e/b> "three" .',
                         content_type="application/n-triples")
    assert post.status_code == 204
    got = writable.get("/store", query_string={"graph": G},
                       headers={"Accept": "application/n-triples"})
    assert sorted(got.get_data(as_text=True).splitlines()) == [
        '<http://e/a> <http://e/b> "three" .', '<http://e/a> <http://e/b> "two" .']
    assert writable.delete("/store", query_string={"graph": G}, headers=AUTH).status_code == 204
    assert writable.get("/store", query_string={"graph": G}).status_code == 404
    assert writable.delete("/store", query_string={"graph": G}, headers=AUTH).status_code == 404


def test_post_to_the_store_creates_a_graph(writable: FlaskClient) -> None:
    created = writable.post("/store", headers=AUTH, data='<http://e/x> <http://e/y> "z" .',
                            content_type="text/turtle")
    assert created.status_code == 201
    location = created.headers["Location"]
    assert writable.get("/store", query_string={"graph": location}).status_code == 200


def test_sparql_update_is_seen_by_the_next_read(writable: FlaskClient) -> None:
    before = total(writable)
    update = f'INSERT DATA {{ GRAPH <{G}2> {{ <http://e/s> <http://e/p> "o" }} }}'
    response = writable.post("/sparql", data={"update": update}, headers=AUTH)
    assert response.status_code == 204
    assert total(writable) == before + 1
    etag = writable.get("/sparql", query_string={"query": ALL}).headers["ETag"]
    writable.post("/update", data=f"CLEAR GRAPH <{G}2>", content_type="application/sparql-update",
                  headers=AUTH)
    assert writable.get("/sparql", query_string={"query": ALL}).headers["ETag"] != etag


@pytest.mark.parametrize(("body", "media_type", "status", "words"), [
    (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;'
     b'&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-'
     b'rdf-syntax-ns#"><rdf:Description rdf:about="http://e/a"><rdf:value>&lol2;</rdf:value>'
     b'</rdf:Description></rdf:RDF>', "application/rdf+xml", 400, "document type declaration"),
    (b'{"@context": "http://127.0.0.1:LISTENER/context.jsonld", "@id": "http://e/a"}',
     "application/ld+json", 400, "remote contexts"),
    (b"<http://e/a> <http://e/b> .", "text/turtle", 400, "not valid"),
    (b"anything", "application/pdf", 415, "unsupported media type"),
], ids=["billion laughs", "remote JSON-LD context", "broken Turtle", "not RDF"])
def test_bad_uploads_are_refused_and_change_nothing(writable: FlaskClient, body: bytes,
                                                    media_type: str, status: int,
                                                    words: str) -> None:

    listener = Listener()
    try:
        before = total(writable)
        response = writable.put("/store", query_string={"graph": G}, content_type=media_type,
                                data=body.replace(b"LISTENER", str(listener.port).encode()),
                                headers=AUTH)
        assert response.status_code == status
        assert words in response.get_data(as_text=True)
        assert total(writable) == before
        time.sleep(0.05)
        assert listener.connections == 0  # nothing was fetched (a remote context, an entity)
    finally:
        listener.close()


def test_a_write_stopped_at_the_time_limit_changes_nothing(writable: FlaskClient) -> None:
    before = total(writable)
    endless = (f"INSERT {{ GRAPH <{G}3> {{ ?a <http://e/p> ?j }} }} WHERE "
               "{ GRAPH ?w { ?a ?b ?c } GRAPH ?x { ?d ?e ?f } GRAPH ?y { ?g ?h ?i } "
               "GRAPH ?z { ?j ?k ?l } }")
    response = writable.post("/update", data=endless, content_type="application/sparql-update",
                             headers=AUTH)
    assert response.status_code == 503 and "not applied" in response.get_data(as_text=True)
    assert total(writable) == before
    follow = writable.post("/update", data=f"CLEAR SILENT GRAPH <{G}3>",
                           content_type="application/sparql-update", headers=AUTH)
    assert follow.status_code == 204  # and it swept the killed write's work folder


def test_load_never_reaches_the_network(writable: FlaskClient) -> None:
    listener = Listener()
    there = f"http://127.0.0.1:{listener.port}"
    try:
        for update in (f"LOAD <{there}/data.ttl>",
                       f"LOAD SILENT <{there}/data.ttl> INTO GRAPH <{G}>",
                       f"PREFIX : <{there}/> LOAD:data.ttl",
                       f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{there}/> {{ ?s ?p ?o }} }}"):
            response = writable.post("/update", data=update,
                                     content_type="application/sparql-update", headers=AUTH)
            assert response.status_code == 400
            assert "does not fetch" in response.get_data(as_text=True) or \
                "read LOAD as a keyword" in response.get_data(as_text=True)
        time.sleep(0.1)
        assert listener.connections == 0
    finally:
        listener.close()


def test_a_read_only_server_refuses_writes(client: FlaskClient) -> None:
    response = client.post("/update", data="CLEAR ALL", content_type="application/sparql-update",
                           headers=AUTH)
    assert response.status_code == 403 and "read-only" in response.get_data(as_text=True)
    assert client.get("/store", query_string={"graph": "http://example.org/g2"},
                      headers={"Accept": "text/turtle"}).status_code == 200


@pytest.mark.parametrize(("update", "words"), [
    (f"CREATE GRAPH <{G}4> ; CREATE GRAPH <{G}4>", f"The graph <{G}4> already exists"),
    ("DROP GRAPH <http://nope/>", "The graph <http://nope/> does not exist"),
], ids=["create an existing graph", "drop a missing graph"])
def test_an_update_that_fails_on_its_own_terms_is_400(writable: FlaskClient, update: str,
                                                      words: str) -> None:
    before = total(writable)
    response = writable.post("/update", data=update, content_type="application/sparql-update",
                             headers=AUTH)
    assert response.status_code == 400
    assert words in response.get_data(as_text=True)
    assert total(writable) == before


@pytest.fixture(scope="module")
def roomy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlaskClient]:
    """A writable app that takes large bodies, but gives a write little memory."""
    dataset = load_files([DATA / "small.trig"], tmp_path_factory.mktemp("roomy"))
    app = make_app(dataset, write_token=TOKEN, max_request_bytes=4_000_000, query_memory_mb=700,
                   query_timeout=20)
    yield app.test_client()
    close_app(app)


@pytest.mark.parametrize(("body", "media_type", "words"), [
    (b'{"@id": "http://e/a", "http://e/p": ' * 5000 + b'"x"' + b"}" * 5000,
     "application/ld+json", "nests deeper than"),
    (b"<http://e/a> <http://e/p> (" + b"0 " * 200_000 + b") .", "text/turtle",
     "more than 700 MB (query_memory_mb"),
], ids=["deeply nested JSON-LD", "a Turtle list of 200,000 items"])
def test_an_upload_beyond_the_limits_is_413_naming_the_limit(
        roomy: FlaskClient, body: bytes, media_type: str, words: str) -> None:
    before = total(roomy)
    response = roomy.put("/store", query_string={"graph": G + "5"}, content_type=media_type,
                         data=body, headers=AUTH)
    assert response.status_code == 413
    assert words in response.get_data(as_text=True)
    assert total(roomy) == before


def test_a_write_the_server_fails_is_5xx_and_logged(
        writable: FlaskClient, caplog: pytest.LogCaptureFixture) -> None:
    from dakg.graph.store import BUILDS
    from dakg.server.writer import next_version

    live = Path(writable.application.extensions["dakg"].dataset.folder)
    # The folder the write would publish itself as is taken: renaming onto it fails (an
    # OSError, as an I/O error or a full disk would be).
    taken = live / BUILDS / next_version(os.readlink(live / "current"))
    (taken / "in-the-way").mkdir(parents=True)
    try:
        response = writable.post("/update", data=f"CLEAR SILENT GRAPH <{G}6>",
                                 content_type="application/sparql-update", headers=AUTH)
    finally:
        shutil.rmtree(taken)
    assert response.status_code == 500
    assert str(live) not in response.get_data(as_text=True)  # details go to the log
    rid = response.headers["X-Request-Id"]
    assert any(rid in r.getMessage() and str(live) in r.getMessage() for r in caplog.records)
