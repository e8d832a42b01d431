"""The embedded Oxigraph store of the current build in a data folder (``graph/store.py``)."""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import BuildError
from ..query import Result, run_query
from ..store import MANIFEST, current_build, open_store


class EmbeddedStore:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir

    def query(self, sparql: str, prefixes: dict[str, str] | None = None) -> Result:
        return run_query(open_store(self.data_dir), sparql, prefixes)

    def served_version(self) -> str | None:
        try:
            build = current_build(self.data_dir)
        except BuildError:
            return None
        return str(json.loads((build / MANIFEST).read_text())["version"])
