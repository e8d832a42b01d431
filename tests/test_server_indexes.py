"""The index pages (/sectors, /clusters, /sessions, /documents, /programmes, /projects) on a
real build: counts against the endpoint's own answer, sorting by every column, grouping,
pages."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from dakg.server.dataset import LinkedDataset

from .conftest import close_app, make_app
from .helpers import sparql_rows

ID = "https://w3id.org/dakg/id/"
INDEX_PATHS = ("reports", "sectors", "clusters", "sessions", "documents", "programmes",
               "projects")


class Rows(HTMLParser):
    """The body rows of a page's tables: for each, its first cell's link and its cells' text;
    and every column heading's sort link."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[str, list[str]]] = []
        self.sort_links: list[str] = []
        self._in_body = self._in_head = False
        self._cell: list[str] | None = None
        self._row: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "tbody":
            self._in_body = True
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr" and self._in_body:
            self._row = ("", [])
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "a" and self._in_head and found.get("href"):
            self.sort_links.append(found["href"] or "")
        elif tag == "a" and self._row is not None and not self._row[0] and found.get("href"):
            self._row = (found["href"] or "", self._row[1])

    def handle_endtag(self, tag: str) -> None:
        if tag == "tbody":
            self._in_body = False
        elif tag == "thead":
            self._in_head = False
        elif tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row[1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if len(self._row[1]) > 1:  # not a group heading
                self.rows.append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def rows_of(built_client: FlaskClient, path: str) -> Rows:
    response = built_client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)
    parsed = Rows()
    parsed.feed(response.get_data(as_text=True))
    return parsed


@pytest.mark.parametrize(("path", "kind"), [
    ("reports", "ProgressReport"), ("sectors", "Sector"), ("clusters", "RecommendationCluster"),
    ("sessions", "Session"), ("documents", "Document"), ("programmes", "Programme"),
    ("projects", "DevelopmentAgendaProject")])
def test_an_index_lists_every_thing_of_its_kind(built_client: FlaskClient, path: str,
                                                kind: str) -> None:
    things = {r["e"] for r in sparql_rows(built_client, f"SELECT ?e WHERE {{ ?e a dakg:{kind} }}")}
    listed = {"https://w3id.org/dakg" + href for href, _ in rows_of(built_client, "/" + path).rows}
    assert listed == things and things


def test_a_sector_lists_the_recommendations_naming_it(built_client: FlaskClient) -> None:
    sector = ID + "sector/copyright-and-creative-industries"
    expected = sorted(int(r["n"]) for r in sparql_rows(
        built_client, f"SELECT ?n WHERE {{ ?r dakg:relatedSector <{sector}> ; "
                "dakg:recommendationNumber ?n }"))
    row = next(cells for href, cells in rows_of(built_client, "/sectors").rows
               if href == "/id/sector/copyright-and-creative-industries")
    count, _, numbers = row[1].partition(" ")
    assert int(count) == len(expected) > 0
    assert [int(n) for n in numbers.split(", ")] == expected


def test_documents_are_grouped_by_session_in_order(built_client: FlaskClient) -> None:
    body = built_client.get("/documents").get_data(as_text=True)
    groups = re.findall(r'<th scope="rowgroup"[^>]*><a href="/id/session/CDIP/(\d+)"', body)
    assert [int(g) for g in groups] == sorted(int(g) for g in groups) and len(groups) > 10
    sixteenth = body.index('href="/id/session/CDIP/16"')
    assert sixteenth < body.index('href="/id/document/CDIP/16/4/Rev"') < body.index(
        'href="/id/session/CDIP/17"')


@pytest.mark.parametrize("path", INDEX_PATHS)
def test_every_column_sorts_both_ways(built_client: FlaskClient, path: str) -> None:
    links = rows_of(built_client, "/" + path).sort_links
    assert len(links) >= 3
    for link in links:
        column = link.partition("sort=")[2].lstrip("-")
        up = rows_of(built_client, f"/{path}?sort={column}").rows
        down = rows_of(built_client, f"/{path}?sort=-{column}").rows
        assert sorted(up) == sorted(down)
        if column in ("recommendations", "mentions"):
            index = -2 if column == "recommendations" else -1
            counts = [int(cells[index].split(" ")[0]) for _, cells in up]
            assert counts == sorted(counts)
            assert [int(cells[index].split(" ")[0]) for _, cells in down] == sorted(
                counts, reverse=True)


def test_sessions_in_order(built_client: FlaskClient) -> None:
    numbers = [int(cells[0]) for _, cells in rows_of(built_client, "/sessions").rows]
    assert numbers == sorted(numbers) and numbers


def test_an_unknown_sort_column_is_400(built_client: FlaskClient) -> None:
    response = built_client.get("/sectors?sort=colour")
    assert response.status_code == 400
    assert "colour" in response.get_data(as_text=True)


def test_home_and_nav_link_every_index_with_its_count(built_client: FlaskClient) -> None:
    body = built_client.get("/").get_data(as_text=True)
    for path in INDEX_PATHS:
        listed = len(rows_of(built_client, "/" + path).rows)
        assert re.search(rf'<a href="/{path}">[^<]+</a> <span class="count">{listed}</span>',
                         body), path
    recommendations = built_client.get("/recommendations").get_data(as_text=True)
    assert all(f'href="/{path}"' in recommendations for path in INDEX_PATHS)


@pytest.fixture(scope="module")
def paged_client(built: Path) -> Iterator[FlaskClient]:
    """The real build with pages of 40 rows (the report cites some 175 documents)."""
    app = make_app(LinkedDataset(built), page_rows=PAGE)
    yield app.test_client()
    close_app(app)


PAGE = 40
GROUP = re.compile(r'<th scope="rowgroup"[^>]*><a href="/id/session/CDIP/(\d+)">[^<]*</a>'
                   r'( \(continued\))? <span class="count">(\d+)</span>')


@pytest.mark.parametrize("sort", ["session", "-mentions", "name"])
def test_a_long_index_goes_on_over_pages_that_hold_the_whole_list_in_order(
        built_client: FlaskClient, paged_client: FlaskClient, sort: str) -> None:
    whole = rows_of(built_client, f"/documents?sort={sort}").rows
    pages = -(-len(whole) // PAGE)
    assert pages > 2
    seen: list[tuple[str, list[str]]] = []
    for number in range(1, pages + 1):
        body = paged_client.get(f"/documents?sort={sort}&page={number}").get_data(as_text=True)
        parsed = Rows()
        parsed.feed(body)
        assert len(parsed.rows) == min(PAGE, len(whole) - PAGE * (number - 1))
        seen += parsed.rows
        links = {rel: html.unescape(href) for rel, href in
                 re.findall(r'<a rel="(next|prev)" href="([^"]+)"', body)}
        after = {"next": number + 1, "prev": number - 1}
        assert links == {rel: f"/documents?sort={sort}" + (f"&page={n}" if n > 1 else "")
                         for rel, n in after.items() if 1 <= n <= pages}
    assert seen == whole


def test_a_session_split_over_two_pages_is_counted_whole_and_said_to_go_on(
        built_client: FlaskClient, paged_client: FlaskClient) -> None:
    whole = {session: int(count) for session, _, count in
             GROUP.findall(built_client.get("/documents").get_data(as_text=True))}
    last_before = None
    continued = 0
    for number in range(1, -(-sum(whole.values()) // PAGE) + 1):
        groups = GROUP.findall(paged_client.get(f"/documents?page={number}").get_data(
            as_text=True))
        for i, (session, marked, count) in enumerate(groups):
            assert int(count) == whole[session]
            assert bool(marked) == (i == 0 and session == last_before)
            continued += bool(marked)
        last_before = groups[-1][0]
    assert continued > 0


@pytest.mark.parametrize("page", ["0", "x", "-1", "２", "1.5"])
def test_a_page_number_that_is_not_one_is_400(paged_client: FlaskClient, page: str) -> None:
    response = paged_client.get("/documents", query_string={"page": page})
    assert response.status_code == 400
    assert repr(page) in response.get_data(as_text=True)


def test_a_page_past_the_last_is_404_and_says_how_many_there_are(
        built_client: FlaskClient, paged_client: FlaskClient) -> None:
    pages = -(-len(rows_of(built_client, "/documents").rows) // PAGE)
    assert paged_client.get(f"/documents?page={pages}").status_code == 200
    response = paged_client.get(f"/documents?page={pages + 1}")
    assert response.status_code == 404
    assert f"this list has {pages} pages of {PAGE} rows" in response.get_data(as_text=True)
