"""The site against the real server (``dakg serve``) as its readers use it. A crawl from
``/``, three levels deep as a browser follows links, finds no link ending in anything but a
2xx. In headless Chromium: search and open a result, follow a cell of the matrix on ``/``,
follow a provenance quote to its highlighted place in the annotated report, open a query in
the address bar (``/sparql?query=…``) and see it run on the query page, read pages 390 px
wide, reach the pictures' links with the keyboard, read a recommendation's page on a phone and
follow its mentions and paragraphs with the keyboard alone. No page of the crawl shows a raw
path (``document/…``) where a title belongs. Screenshots are kept in
``var/browser-screenshots/`` (not committed).
"""

from __future__ import annotations

import html
import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

import pytest

from .browser import Browser, chromium
from .helpers import Server

pytestmark = pytest.mark.e2e
SCREENSHOTS = Path(__file__).parent.parent / "var" / "browser-screenshots"
LEVELS = 3  # of the crawl: the home page, what it links, what those link
NARROW_PAGES = ("/", "/search?q=公有领域", "/sectors", "/documents", "/report/CDIP/35/2",
                "/id/recommendation/20", "/id/recommendation/13", "/dumps/", "/clusters")


@pytest.fixture(scope="module")
def server(built: Path) -> Iterator[Server]:
    running = Server(built)
    yield running
    running.stop()


@pytest.fixture()
def browser(tmp_path: Path) -> Iterator[Browser]:
    executable = chromium()
    if executable is None:
        pytest.skip("no Chromium found (install it with: apt-get install -y chromium)")
    opened = Browser(executable, tmp_path / "profile")
    yield opened
    opened.close()


# -- the crawl ------------------------------------------------------------------------------------

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
HREF = re.compile(r'\bhref="([^"]*)"')


@dataclass(frozen=True)
class Fetched:
    url: str
    status: int
    html: str  # the body, if it is an HTML page


def fetch(url: str) -> Fetched:
    """GET ``url`` as a browser would; a 429 or 503 (one client's fair share of the server's
    query processes) is retried after the ``Retry-After`` it gives, as a polite crawler does."""
    for _ in range(5):
        fetched = _fetch_once(url)
        if fetched.status not in (429, 503):
            return fetched
        time.sleep(1)
    return fetched


def _fetch_once(url: str) -> Fetched:
    request = urllib.request.Request(url, headers={"Accept": BROWSER_ACCEPT})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
            is_html = response.headers.get_content_type() == "text/html"
            return Fetched(url, response.status, body.decode("utf-8") if is_html else "")
    except urllib.error.HTTPError as e:
        e.close()
        return Fetched(url, e.code, "")


def links(page: Fetched, origin: str) -> set[str]:
    """The same-origin links of a page, without fragments."""
    found = set()
    for href in HREF.findall(page.html):
        target = urljoin(page.url, html.unescape(href)).partition("#")[0]
        if urlsplit(target).netloc == urlsplit(origin).netloc:
            found.add(target)
    return found


LINK_TEXT = re.compile(r"<a\b[^>]*>(.*?)</a>", re.S)
RAW_PATH = re.compile(r"^\s*(?:id/)?document/")


def test_no_link_three_levels_from_home_is_broken(server: Server) -> None:
    """…and no link of the first two levels reads as a raw path instead of a title."""
    seen = {server.url + "/"}
    level = [fetch(server.url + "/")]
    broken = [(p.url, p.status) for p in level if not 200 <= p.status < 300]
    raw: list[tuple[str, str]] = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        for depth in range(LEVELS - 1):
            new = sorted({u for page in level for u in links(page, server.url)} - seen)
            seen.update(new)
            level = list(pool.map(fetch, new))
            broken += [(p.url, p.status) for p in level if not 200 <= p.status < 300]
            if depth == 0:
                raw += [(p.url, t) for p in level for t in LINK_TEXT.findall(p.html)
                        if RAW_PATH.match(html.unescape(re.sub(r"<[^>]+>", "", t)))]
    assert len(seen) > 1000  # the home page, the indexes, the resources they list…
    assert not broken, broken[:20]
    assert not raw, raw[:20]


# -- in a browser -----------------------------------------------------------------------------

def click(browser: Browser, selector: str) -> str:
    """Click the first element matching ``selector`` (or the link around it); its href."""
    href: str = browser.evaluate(
        f"(() => {{ const e = document.querySelector({json.dumps(selector)}); "
        "const a = e.closest('a'); a.dispatchEvent(new MouseEvent('click', "
        "{bubbles: true, cancelable: true, view: window})); "
        "return a.getAttribute('href') || a.getAttribute('xlink:href'); })()")
    return href


def test_search_for_a_chinese_phrase_and_open_a_result(server: Server,
                                                       browser: Browser) -> None:
    browser.open(server.url + "/")
    browser.evaluate("document.querySelector('#site-q').value = '公有领域'; "
                     "document.querySelector('form.site-search').requestSubmit()")
    browser.wait_loaded(server.url + "/search?q=")
    assert browser.evaluate("document.querySelector('#search-q').value") == "公有领域"
    marks = browser.evaluate("[...document.querySelectorAll('ol.hits mark')]"
                             ".map(m => m.textContent)")
    assert marks and set(marks) == {"公有领域"}
    browser.screenshot(SCREENSHOTS / "search-公有领域.png")
    href = click(browser, "ol.hits li a")
    browser.wait_loaded(server.url + href)
    assert browser.evaluate("document.querySelector('h1').textContent").startswith(
        "Recommendation 16")
    text = browser.evaluate("document.querySelector('blockquote.text').textContent")
    assert "公有领域" in text


def test_a_query_in_the_address_bar_is_run_on_the_query_page(server: Server,
                                                             browser: Browser) -> None:
    query = ("SELECT ?number WHERE { ?r a dakg:Recommendation ; dakg:recommendationNumber "
             "?number } ORDER BY ?number")
    browser.call("Page.navigate", session=True, url=server.url + "/sparql?query=" + quote(query))
    browser.wait_loaded(server.url + "/query?")  # where the endpoint sends a browser
    assert browser.evaluate("document.querySelector('#query').value") == query
    rows = browser.wait_for("document.querySelectorAll('#result-table tbody tr').length || null")
    assert rows == 45
    browser.screenshot(SCREENSHOTS / "sparql-in-the-address-bar.png")


def test_follow_a_matrix_cell_to_its_recommendation(server: Server, browser: Browser) -> None:
    browser.open(server.url + "/")
    title = browser.evaluate("document.querySelector('svg.matrix rect.on')"
                             ".closest('a').querySelector('title').textContent")
    number = title.split()[1]  # "Recommendation N names the … Sector"
    browser.screenshot(SCREENSHOTS / "home.png")
    href = click(browser, "svg.matrix rect.on")
    assert href == f"/id/recommendation/{number}"
    browser.wait_loaded(server.url + href)
    assert browser.evaluate("document.querySelector('h1').textContent").startswith(
        f"Recommendation {number}")
    sector = title.split(" names the ")[1]
    assert sector in browser.evaluate("document.body.textContent")


def test_a_provenance_quote_leads_to_its_highlighted_place(server: Server,
                                                           browser: Browser) -> None:
    browser.open(server.url + "/id/document/CDIP/35/2/section/25/implementation/1")
    quote = browser.evaluate("document.querySelector('a.in-report mark').textContent")
    href = click(browser, "a.in-report mark")
    assert href == "/report/CDIP/35/2#section/25/implementation/1"
    browser.wait_loaded(server.url + "/report/CDIP/35/2")
    browser.wait_for("document.querySelector(':target') !== null")
    target = browser.evaluate("(() => { const t = document.querySelector(':target'); "
                              "const r = t.getBoundingClientRect(); return {id: t.id, "
                              "text: t.textContent, bg: getComputedStyle(t).backgroundColor, "
                              "top: r.top, bottom: r.bottom}; })()")
    assert target["id"] == "section/25/implementation/1"
    assert "".join(quote.split()) in "".join(target["text"].split())
    assert target["bg"] not in ("rgba(0, 0, 0, 0)", "transparent")  # highlighted
    height = browser.evaluate("window.innerHeight")
    assert 0 <= target["top"] < height  # scrolled into view
    browser.screenshot(SCREENSHOTS / "report-at-a-quote.png")


def test_pages_read_at_390_px(server: Server, browser: Browser) -> None:
    browser.resize(390, 844)
    for path in NARROW_PAGES:
        browser.open(server.url + path)
        widths = browser.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], (path, widths)  # wide tables scroll in their box
        font = browser.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
        assert font >= 14, path
        name = path.strip("/").replace("/", "_").replace("?", "_") or "home"
        browser.screenshot(SCREENSHOTS / f"390px-{name}.png")


def test_the_pictures_links_are_reached_with_the_keyboard(server: Server,
                                                          browser: Browser) -> None:
    browser.open(server.url + "/")
    reached = ""
    for _ in range(120):
        browser.press("Tab", "Tab", 9)
        reached = browser.evaluate("(() => { const a = document.activeElement; "
                                   "const svg = a && a.closest('svg'); "
                                   "return svg ? svg.getAttribute('class') + ' ' + "
                                   "a.getAttribute('href') : ''; })()")
        if reached:
            break
    assert reached.startswith("matrix /id/recommendation/"), reached
    browser.press("Enter", "Enter", 13)
    browser.wait_loaded(server.url + reached.split(" ")[1])


def tab_to(browser: Browser, condition: str, presses: int = 200) -> list[str]:
    """Press Tab until the focused element meets ``condition`` (a JavaScript expression on
    ``a``, the focused element); the classes and hrefs of the elements focused on the way."""
    passed: list[str] = []
    for _ in range(presses):
        browser.press("Tab", "Tab", 9)
        focused = browser.evaluate(
            "(() => { const a = document.activeElement; if (!a) return ['', false]; "
            "return [a.className + ' ' + (a.getAttribute('href') || ''), Boolean("
            + condition + ")]; })()")
        passed.append(focused[0])
        if focused[1]:
            return passed
    raise AssertionError(f"Tab never reached {condition}: {passed[-5:]}")


def test_a_recommendation_page_on_a_phone_leads_into_the_report_by_keyboard(
        server: Server, browser: Browser) -> None:
    page = server.url + "/id/recommendation/25"
    browser.resize(390, 844)
    browser.open(page)
    widths = browser.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], widths
    browser.screenshot(SCREENSHOTS / "390px-recommendation-25-reading.png")
    # The keyboard reaches the section's paragraphs (¶) and, among them, its mentions.
    passed = tab_to(browser, "a.matches('section.reading a.mention')")
    assert any(p.startswith("pilcrow /report/CDIP/35/2#section/25/") for p in passed), passed
    mention = passed[-1].split(" ")[-1]
    title = browser.evaluate("document.activeElement.title")
    browser.press("Enter", "Enter", 13)
    browser.wait_loaded(server.url + mention)
    assert browser.evaluate("document.querySelector('h1').textContent").startswith(title)
    # A paragraph's ¶ leads to its highlighted place in the annotated report.
    browser.open(page)
    tab_to(browser, "a.matches('section.reading a.pilcrow') && "
                    "a.getAttribute('href').endsWith('#section/25/implementation/2')")
    browser.press("Enter", "Enter", 13)
    browser.wait_loaded(server.url + "/report/CDIP/35/2")
    browser.wait_for("document.querySelector(':target') !== null")
    target = browser.evaluate("(() => { const t = document.querySelector(':target'); "
                              "const r = t.getBoundingClientRect(); return {id: t.id, "
                              "bg: getComputedStyle(t).backgroundColor, top: r.top}; })()")
    assert target["id"] == "section/25/implementation/2"
    assert target["bg"] not in ("rgba(0, 0, 0, 0)", "transparent")  # highlighted
    assert 0 <= target["top"] < browser.evaluate("window.innerHeight")
    browser.screenshot(SCREENSHOTS / "390px-report-at-a-paragraph-of-recommendation-25.png")
