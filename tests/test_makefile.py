"""The Makefile: ``make help`` lists every target with its whole comment."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

MAKEFILE = Path(__file__).parent.parent / "Makefile"


def _documented_targets() -> dict[str, list[str]]:
    """Target → the lines of the comment just above it."""
    targets: dict[str, list[str]] = {}
    comment: list[str] = []
    for line in MAKEFILE.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            comment.append(line[2:])
            continue
        target = re.match(r"^([a-z]+):", line)
        if target and comment:
            targets[target.group(1)] = comment
        comment = []
    return targets


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_help_prints_every_target_with_its_whole_comment() -> None:
    targets = _documented_targets()
    phony = re.search(r"^\.PHONY: (.*)$", MAKEFILE.read_text(encoding="utf-8"), re.M)
    assert phony is not None and set(phony.group(1).split()) == set(targets)
    shown = subprocess.run(["make", "-s", "-f", str(MAKEFILE), "help"], capture_output=True,
                           text=True, check=True).stdout
    expected = []
    for target, comment in targets.items():
        expected.append(f"  {target:<8} {comment[0]}")
        expected.extend(f"           {line}" for line in comment[1:])
    assert shown.splitlines() == expected
    assert any(len(comment) > 1 for comment in targets.values())  # lint's has two lines
