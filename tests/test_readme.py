"""README.md is part of the product: its commands, settings and example queries must hold."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from dakg.graph.query import run_query
from dakg.graph.rdf.namespaces import PREFIXES
from dakg.graph.store import open_store
from dakg.settings import describe

from .helpers import README, readme_examples


@pytest.mark.parametrize(("question", "rows", "query"), readme_examples(),
                         ids=lambda v: str(v)[:40])
def test_example_queries_answer(built: Path, question: str, rows: int, query: str) -> None:
    result = run_query(open_store(built), query, PREFIXES)
    assert isinstance(result, ox.QuerySolutions)
    answers = list(result)
    assert len(answers) == rows, question


def test_the_two_commands_open_the_readme() -> None:
    blocks = re.findall(r"```sh\n(.*?)```", README, re.DOTALL)
    first = blocks[0].strip().splitlines()
    assert first[0].endswith("dakg serve") and "pip install" in first[0]
    assert first[1] == ".venv/bin/python -m pytest"
    ci = (Path(__file__).parent.parent / ".ci" / "run").read_text()
    assert first[1] in ci


def test_every_setting_is_documented() -> None:
    for name, env, _default, _help in describe():
        assert f"| `{name}` | `{env}` |" in README, name


def test_every_command_is_documented() -> None:
    from dakg.cli import main

    for command in main.commands:
        assert f"`dakg {command}" in README, command
