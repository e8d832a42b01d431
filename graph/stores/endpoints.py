"""The URLs of a SPARQL 1.1 server, and how to check them."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Endpoints:
    """A SPARQL server's endpoints (SPARQL 1.1 Protocol; Graph Store HTTP Protocol).

    ``update`` defaults to ``query``: the protocol lets one URL take both. Without
    ``graph_store`` the graphs are loaded with SPARQL ``INSERT DATA``. ``credentials``
    (``user:password``) is sent to whichever endpoint asks for it, and never shown.
    """

    query: str
    update: str = ""
    graph_store: str | None = None
    credentials: str | None = field(default=None, repr=False)
    timeout: float = 60.0

    def __post_init__(self) -> None:
        if not self.update:
            object.__setattr__(self, "update", self.query)
        for name in ("query", "update", "graph_store"):
            url = getattr(self, name)
            if url is not None and not is_http_url(url):
                raise ValueError(f"the store's {name} endpoint must be an http(s) URL, "
                                 f"not {url!r}")
        if self.credentials is not None and ":" not in self.credentials:
            raise ValueError("store credentials must be given as user:password")
        if self.timeout <= 0:
            raise ValueError(f"the store timeout must be positive, not {self.timeout}")


def is_http_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname)
