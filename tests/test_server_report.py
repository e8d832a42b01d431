"""``/report/CDIP/35/2``: the annotated report, on a real build: the whole source text, an
anchor per text part, a link per mention, provenance quotes linking to their place; and the
source text downloadable beside the dumps."""

from __future__ import annotations

import hashlib
import html
import re
from html.parser import HTMLParser

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dakg.graph.source import Source

from .helpers import sparql_rows

REPORT = "/report/CDIP/35/2"
DOC = "https://w3id.org/dakg/id/document/CDIP/35/2"


class ReportText(HTMLParser):
    """The text of the report article, without the marks the page adds (¶ links, part
    headings); and the text of every element with an id."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.by_id: dict[str, list[str]] = {}
        self._open: list[tuple[str, str | None, bool]] = []  # tag, id, skipped
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "article" and "report" in (found.get("class") or "").split():
            self._inside = True
        if not self._inside:
            return
        classes = (found.get("class") or "").split()
        skipped = "pilcrow" in classes or "part-head" in classes
        self._open.append((tag, found.get("id"), skipped))
        if found.get("id"):
            self.by_id[found["id"] or ""] = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self._inside = False
        if self._inside and self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        if not self._inside or any(skipped for _, _, skipped in self._open):
            return
        self.text.append(data)
        for _, anchor, _ in self._open:
            if anchor:
                self.by_id[anchor].append(data)


@pytest.fixture(scope="module")
def report_page(built_app: Flask) -> ReportText:
    response = built_app.test_client().get(REPORT)
    assert response.status_code == 200
    parsed = ReportText()
    parsed.feed(response.get_data(as_text=True))
    return parsed


def _squeezed(text: str) -> str:
    return "".join(text.split())


def test_the_whole_source_text_is_there(report_page: ReportText, source: Source) -> None:
    assert _squeezed("".join(report_page.text)) == _squeezed(source.text)


def test_every_text_part_has_its_anchor_holding_its_text(built_client: FlaskClient,
                                                         report_page: ReportText,
                                                         source: Source) -> None:
    parts = sparql_rows(built_client, """PREFIX oa: <http://www.w3.org/ns/oa#>
        SELECT ?x ?start ?end WHERE { ?x dakg:sourceSpan/oa:hasSelector ?p .
                                       ?p oa:start ?start ; oa:end ?end }""")
    assert len(parts) > 500
    for part in parts:
        anchor = part["x"][len(DOC) + 1:]
        assert anchor in report_page.by_id, anchor
        shown = _squeezed("".join(report_page.by_id[anchor]))
        assert shown == _squeezed(source.text[int(part["start"]):int(part["end"])]), anchor


def test_every_mention_is_a_link_to_what_it_names(built_client: FlaskClient) -> None:
    mentions = sparql_rows(built_client, "PREFIX oa: <http://www.w3.org/ns/oa#>\n"
                              "SELECT ?m ?body WHERE { ?m a ?t ; oa:hasBody ?body }")
    body = built_client.get(REPORT).get_data(as_text=True)
    links = dict(re.findall(r'<a class="mention" id="([^"]+)" href="([^"]+)"', body))
    assert len(links) == len({m["m"] for m in mentions}) > 500
    bodies: dict[str, set[str]] = {}
    for m in mentions:
        bodies.setdefault(m["m"], set()).add(m["body"])
    assert any(len(b) > 1 for b in bodies.values())  # 请见建议7和22
    for mention, named in bodies.items():
        # one thing named: a link to it; several: to the mention, which lists them
        target = next(iter(named)) if len(named) == 1 else mention
        assert links[mention[len(DOC) + 1:]] == html.escape(
            target.replace("https://w3id.org/dakg", "")), mention


@pytest.mark.parametrize("resource", [
    "section/25/implementation/1", "section/22/implementation/2/mention/2", "footnote/11"])
def test_a_provenance_quote_links_to_its_place(built_client: FlaskClient, report_page: ReportText,
                                               resource: str) -> None:
    page = built_client.get(f"/id/document/CDIP/35/2/{resource}").get_data(as_text=True)
    quote = re.search(r'<a class="in-report" href="([^"]+)"[^>]*><mark>([^<]*)</mark></a>', page)
    assert quote, resource
    assert quote.group(1) == f"{REPORT}#{resource}"
    assert _squeezed("".join(report_page.by_id[resource])) == _squeezed(
        html.unescape(quote.group(2)))


def test_the_source_text_and_manifest_download_with_their_sha256(built_client: FlaskClient) -> None:
    recorded = sparql_rows(built_client,
                           "SELECT ?sha WHERE { ?d dakg:sourceText ?t . ?t dakg:sha256 ?sha }")
    with built_client.get("/dumps/cdip_35_2_zh.txt") as text:
        assert text.status_code == 200 and text.mimetype == "text/plain"
        assert hashlib.sha256(text.data).hexdigest() == recorded[0]["sha"]
    with built_client.get("/dumps/SHA256SUMS") as sums:
        assert f"{recorded[0]['sha']}  cdip_35_2_zh.txt" in sums.get_data(as_text=True)
    with built_client.get("/dumps/cdip_35_2_zh.toml") as manifest:
        assert manifest.status_code == 200
        assert recorded[0]["sha"] in manifest.get_data(as_text=True)
    listing = built_client.get("/dumps/").get_data(as_text=True)
    assert "cdip_35_2_zh.txt" in listing and "cdip_35_2_zh.toml" in listing


def test_an_unknown_report_is_404(built_client: FlaskClient) -> None:
    assert built_client.get("/report/CDIP/1/1").status_code == 404
    assert built_client.get("/report/CDIP/35/2%3Cx%3E").status_code == 400


def test_no_report_without_the_published_text(small_app: Flask) -> None:
    assert small_app.test_client().get(REPORT).status_code == 404
