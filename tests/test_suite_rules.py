"""Rules the test suite keeps: shared helpers come from ``helpers.py`` or ``conftest.py``, never
from another test module; tests are typed and type-checked (``make lint``), with no mypy
ignore comments."""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).parent


def test_no_test_module_imports_another() -> None:
    found = [f"{path.name}: {line.strip()}" for path in sorted(TESTS.glob("*.py"))
             for line in path.read_text(encoding="utf-8").splitlines()
             if re.match(r"\s*(from\s+(tests)?\.test_\w+\s+import|import\s+tests\.test_)", line)]
    assert found == []


def test_tests_carry_no_type_ignore() -> None:
    marker = "# type: " + "ignore"  # spelled apart, so that this file does not match itself
    found = [f"{path.name}:{number}" for path in sorted(TESTS.glob("*.py"))
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if marker in line]
    assert found == []


def test_make_lint_type_checks_the_tests() -> None:
    makefile = (TESTS.parent / "Makefile").read_text(encoding="utf-8")
    lint = makefile[makefile.index("\nlint:"):].split("\n\n")[0]
    assert re.search(r"mypy .* -p dakg -p tests$", lint, re.M)
