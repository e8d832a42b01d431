"""``dakg.formats``: the one table of formats, and what is derived from it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from dakg import formats
from dakg.formats import FORMATS, Kind

ROOT = Path(__file__).parent.parent


@pytest.mark.parametrize(("value", "kind", "name"), [
    ("xml", Kind.SOLUTIONS, "xml"), ("xml", Kind.GRAPH, "rdfxml"),
    ("json", Kind.SOLUTIONS, "json"), ("json", Kind.GRAPH, "jsonld"),
    ("rdf+xml", Kind.GRAPH, "rdfxml"), ("json-ld", Kind.GRAPH, "jsonld"),
    ("n3", Kind.GRAPH, "turtle"), ("ttl", Kind.GRAPH, "turtle"), ("srj", Kind.SOLUTIONS, "json"),
    ("application/sparql-results+json", Kind.SOLUTIONS, "json"),
    ("text/turtle;charset=utf-8", Kind.GRAPH, "turtle"), ("TSV", Kind.SOLUTIONS, "tsv"),
    ("csv", Kind.GRAPH, None), ("turtle", Kind.SOLUTIONS, None), ("yaml", Kind.GRAPH, None),
])
def test_names_clients_send(value: str, kind: Kind, name: str | None) -> None:
    found = formats.by_name(value, kind)
    assert (found.name if found else None) == name


def test_no_other_module_declares_a_media_type() -> None:
    """One table: a media type of a format written anywhere else is a second table."""
    canonical = {f.media_type for f in FORMATS}
    offenders = []
    for folder in ("graph", "server", "src/dakg"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path.name == "formats.py" and path.parent.name == "dakg":
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and node.value in canonical:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value}")
    assert offenders == []
