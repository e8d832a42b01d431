"""Figures about the build, and what the reference graph's description and README.md claim
about names in each language, compared with the figures computed on the store."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from dakg.cli import main
from dakg.graph.rdf.namespaces import PREFIXES
from dakg.graph.stats import Coverage, coverage
from dakg.graph.store import open_store
from dakg.settings import Settings

from .conftest import app_over, close_app

README = Path(__file__).parent.parent / "README.md"
FULLY_NAMED = ("recommendations", "clusters", "sectors", "committees", "sessions", "programmes",
               "report sections", "annexes")


@pytest.fixture(scope="module")
def names(built: Path) -> dict[str, Coverage]:
    return {c.kind: c for c in coverage(open_store(built))}


def _description(built: Path) -> str:
    answer = open_store(built).query(
        "SELECT ?d { GRAPH ?g { <https://w3id.org/dakg/id/graph/reference> "
        "<http://purl.org/dc/terms/description> ?d } }")
    assert isinstance(answer, ox.QuerySolutions)
    found = [str(row["d"].value) for row in answer]
    assert len(found) == 1
    return found[0]


def test_the_reference_description_says_what_it_holds(built: Path,
                                                      names: dict[str, Coverage]) -> None:
    description = _description(built)
    claims = {
        "WIPO sectors, committees and programmes, with their English and Chinese names":
            [names[k] for k in ("clusters", "sectors", "committees", "programmes")],
        "Development Agenda projects, with their Chinese names only": [names["projects"]],
    }
    for claim, kinds in claims.items():
        assert claim in description
        for c in kinds:
            english = 0 if "Chinese names only" in claim else c.total
            assert (c.english, c.chinese) == (english, c.total), c
    assert "the English title of the report CDIP/35/2" in description
    assert names["documents"].english == 1 and _titled(built) == [
        "https://w3id.org/dakg/id/document/CDIP/35/2"]


def _titled(built: Path) -> list[str]:
    answer = open_store(built).query(
        "SELECT DISTINCT ?d { ?d a <https://w3id.org/dakg/def/Document> ; "
        "<http://purl.org/dc/terms/title> ?t }", use_default_graph_as_union=True)
    assert isinstance(answer, ox.QuerySolutions)
    return sorted(str(row["d"].value) for row in answer)


def test_readme_gives_the_coverage_figures(names: dict[str, Coverage]) -> None:
    for kind in FULLY_NAMED:
        assert names[kind].english == names[kind].chinese == names[kind].total, kind
    expected = (
        f"All {names['recommendations'].total} recommendations, {names['clusters'].total} "
        f"clusters, {names['sectors'].total} sectors, {names['committees'].total} committees, "
        f"{names['sessions'].total} sessions and {names['programmes'].total} programmes have "
        f"English and Chinese names; the {names['projects'].total} Development Agenda projects "
        f"have Chinese names only; of the {names['documents'].total} documents, "
        f"{names['documents'].english} (the report itself) has a title, in English. The "
        f"{names['report sections'].total} report sections, {names['annexes'].total} annexes "
        "and every other piece of a report")
    assert names["projects"].english == 0 and names["projects"].chinese == names["projects"].total
    assert expected in re.sub(r"\s+", " ", README.read_text(encoding="utf-8"))


def test_stats_prints_the_coverage(built: Path, names: dict[str, Coverage]) -> None:
    output = CliRunner().invoke(main, ["--data-dir", str(built), "stats"]).output
    lines = output.splitlines()
    start = lines.index("names in English and in Chinese:")
    assert lines[start + 1:] == [
        f"{c.total:>8}  {c.kind}: {c.english} with an English name, {c.chinese} with a "
        "Chinese name" for c in names.values()]
    assert "      32  projects: 0 with an English name, 32 with a Chinese name" in lines


def test_the_home_page_shows_the_coverage(built: Path, names: dict[str, Coverage]) -> None:
    app = app_over(Settings(data_dir=built, workers=1, query_workers=1))
    try:
        body = app.test_client().get("/").get_data(as_text=True)
    finally:
        close_app(app)
    table = body[body.index('<table class="data" id="names">'):]
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th><td class="num">([\d,]+)</td>'
                      r'<td class="num">([\d,]+)</td><td class="num">([\d,]+)</td></tr>',
                      table[:table.index("</table>")])
    assert rows == [(c.kind, f"{c.total:,}", f"{c.english:,}", f"{c.chinese:,}")
                    for c in names.values() if c.total]
    assert ("projects", "32", "0", "32") in rows


def test_the_build_keeps_the_figures_its_pages_show(built: Path) -> None:
    """What the home page and the ontology's page show of the whole dataset is counted by
    the build (seconds at a thousand reports): the figures it keeps are the store's."""
    from dakg.graph.stats import (
        RECOMMENDATION_LINKS,
        coverage_rows,
        linked_query,
        read_figures,
        uses_query,
    )
    from dakg.graph.store import current_build

    kept = read_figures(current_build(built))
    assert kept is not None
    store = open_store(built)
    assert kept.coverage == coverage_rows(store)
    dakg = "https://w3id.org/dakg/def/"
    assert {f"{dakg}Recommendation", f"{dakg}reportsOn", dakg} <= set(kept.uses)
    answer = store.query(uses_query(sorted(kept.uses)), use_default_graph_as_union=True)
    assert isinstance(answer, ox.QuerySolutions)
    counted = {row["term"].value: int(row["n"].value) for row in answer}
    assert {t: n for t, n in kept.uses.items() if n} == counted
    assert kept.uses[f"{dakg}Recommendation"] == 45
    for kind, links in kept.links.items():
        answer = store.query(linked_query(kind), use_default_graph_as_union=True,
                             prefixes=PREFIXES)
        assert isinstance(answer, ox.QuerySolutions)
        assert links == sorted((row["e"].value, row["r"].value, int(row["number"].value))
                               for row in answer), kind
    assert set(kept.links) == set(RECOMMENDATION_LINKS)
    assert len(kept.links["Session"]) > 10 and len(kept.links["Document"]) > 100
