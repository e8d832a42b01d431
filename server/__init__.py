"""The SPARQL endpoint and linked-data pages over the store (``create_app``)."""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    # Imported lazily: query processes run ``dakg.server.worker`` and need none of Flask.
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(name)
