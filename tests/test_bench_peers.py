"""``bench/peers.py``'s correctness check, run so that the benchmark cannot rot.

Only dakg and the floor are checked, by choice: rdflib-endpoint comes with the ``bench``
extra, which CI (``.ci/run``) does not install, and the timing needs wrk, which CI does not
have either. ``--check-only`` is the script's own check, the one every timed run starts
with: each peer answers each probe of the mix with as many rows (or triples) as Oxigraph
gives in-process on the dump.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

PEERS = Path(__file__).parents[1] / "bench" / "peers.py"
ROW = re.compile(r"^(?P<probe>\S.*?)\s{2,}(?P<expected>\d+)\s+(?P<answers>\S.*)$")


@pytest.mark.e2e
def test_dakg_and_the_floor_answer_the_mix_as_oxigraph_does(built: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(PEERS), "--check-only", "--peers", "dakg,floor",
         "--data-dir", str(built)],
        capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    header, *rows = done.stdout.splitlines()
    assert header.split()[-2:] == ["dakg", "floor"]
    assert rows, done.stdout
    for row in rows:
        found = ROW.match(row)
        assert found is not None, row
        sizes = re.findall(r"ok \((\d+)\)", found["answers"])
        assert sizes == [found["expected"]] * 2, row
    assert any(row.startswith("page /id/") for row in rows)


def test_a_peer_list_without_dakg_first_is_refused() -> None:
    done = subprocess.run([sys.executable, str(PEERS), "--check-only", "--peers", "floor"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "dakg first" in done.stderr
