"""Where the built graph is served from: the embedded Oxigraph store, or a SPARQL server.

Both answer the same questions through one interface, ``GraphStore``: a SPARQL query over
the dataset of the current build (the union of its named graphs as the default graph), and
which build that is. ``open_graph_store`` picks the implementation from the ``store`` setting.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from ..query import Result
from .endpoints import Endpoints
from .http import StoreError, StoreTimeout


class GraphStore(Protocol):
    def query(self, sparql: str, prefixes: dict[str, str] | None = None) -> Result:
        """Run ``sparql`` over the current build; ``prefixes`` unless it declares its own."""
        ...

    def served_version(self) -> str | None:
        """The version of the build it serves, or None before the first build."""
        ...


def open_graph_store(data_dir: Path, endpoints: Endpoints | None) -> GraphStore:
    """The SPARQL server at ``endpoints``, or else the embedded store in ``data_dir``."""
    if endpoints is None:
        from .embedded import EmbeddedStore

        return EmbeddedStore(data_dir)
    from .remote import RemoteStore

    return RemoteStore(endpoints)


__all__ = ["Endpoints", "GraphStore", "StoreError", "StoreTimeout", "open_graph_store"]
