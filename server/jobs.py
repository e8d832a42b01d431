"""What a query process is asked to do, and what it answers (shared by both sides of the pipe,
so it imports nothing of the web server)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Job:
    """One query on one store.

    The dataset: ``default_graphs`` and ``named_graphs`` as the protocol's
    ``default-graph-uri`` and ``named-graph-uri`` give them (``None``: not given; an empty
    tuple is an empty default graph or no named graphs); otherwise the default graph is the
    union of all graphs, unless ``union`` is off (a query with FROM, or a count of the store's
    own default graph).
    """

    store: str  # folder of a read-only Oxigraph store
    text: str
    format: str  # a short name of formats.FORMATS
    row_limit: int
    prefixes: dict[str, str] = field(default_factory=dict)
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    union: bool = True
    base_iri: str | None = None


Reply = dict[str, Any]
"""``{"body": bytes, "count": int | None, "truncated": bool}`` or
``{"error": "syntax" | "engine" | "store", "message": str}``."""
