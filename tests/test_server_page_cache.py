"""The cache of rendered resource pages: bounded, and keyed by all a page depends on."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from dakg.server.jobs import Job, Reply
from dakg.server.page_cache import PageCache, Rendered
from dakg.server.pool import QueryPool

from .conftest import app_over, close_app

PAGE = "/id/recommendation/20"


def test_the_least_recently_used_pages_go_first() -> None:
    cache: PageCache[Rendered] = PageCache(limit=30)
    for key in "abc":
        cache.put(key, Rendered(b"x" * 10, "text/html"))
    assert cache.get("a") is not None  # now the most recently used
    cache.put("d", Rendered(b"y" * 10, "text/html"))
    assert cache.get("b") is None and cache.get("a") is not None and len(cache) == 3
    assert cache.size == 30
    cache.put("huge", Rendered(b"z" * 31, "text/html"))  # larger than the whole cache
    assert cache.get("huge") is None and len(cache) == 3


@pytest.fixture()
def app(built: Path) -> Iterator[Flask]:
    from dakg.settings import Settings

    made = app_over(Settings(data_dir=built, workers=1, query_workers=1))
    yield made
    close_app(made)


def _counting(app: Flask, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts of the queries sent to query processes from now on."""
    asked: list[str] = []
    pool = app.extensions["dakg"].pool()
    run = QueryPool.run

    def counted(self: QueryPool, job: Job, *, wait: float, client: str = "") -> Reply:
        asked.append(job.text)
        return run(self, job, wait=wait, client=client)

    monkeypatch.setattr(type(pool), "run", counted)
    return asked


def test_a_page_asked_again_is_not_rendered_again(app: Flask,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    client = app.test_client()
    asked = _counting(app, monkeypatch)
    first = client.get(PAGE, headers={"Accept": "text/html"})
    rendered = len(asked)
    again = client.get(PAGE, headers={"Accept": "text/html"})
    assert first.status_code == again.status_code == 200 and rendered >= 1
    assert again.data == first.data and len(asked) == rendered
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Link"] == first.headers["Link"]


def test_another_host_or_representation_is_rendered_for_itself(
        app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    client = app.test_client()
    client.get(PAGE, headers={"Accept": "text/html"})
    asked = _counting(app, monkeypatch)
    other = client.get(PAGE, headers={"Accept": "text/html"}, base_url="http://other.example")
    assert other.status_code == 200 and len(asked) >= 1
    assert b"http://other.example/sparql" in other.data
    turtle = client.get(PAGE, headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200 and turtle.mimetype == "text/turtle"
