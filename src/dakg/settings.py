"""Settings: one typed object, the only place configuration enters dakg.

Each setting has a default, an environment variable and a line of help; the CLI's options
override the environment. ``README.md`` documents every setting (a test checks it).
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from dakg.graph.rdf.namespaces import DEFAULT_BASE
from dakg.graph.stores.endpoints import Endpoints, is_http_url

MAX_WORKERS = 64  # the server's shared counters have a row per web worker
SECRETS = frozenset({"write_token", "store_credentials"})  # shown as "(set)", never as values


def _help(text: str) -> dict[str, str]:
    return {"help": text}


@dataclass(frozen=True)
class Settings:
    base_iri: str = field(default=DEFAULT_BASE, metadata=_help(
        "Base of every IRI dakg mints (/id/… and /def/…)."))
    data_dir: Path = field(default=Path("var"), metadata=_help(
        "Folder of the store, the dumps and older builds."))
    source: Path | None = field(default=None, metadata=_help(
        "Manifest (.toml) of the report to build from; default: the vendored CDIP/35/2."))
    reference: Path | None = field(default=None, metadata=_help(
        "Curated reference file (.toml); default: the one shipped with dakg."))
    host: str = field(default="127.0.0.1", metadata=_help(
        "Address 'dakg serve' listens on."))
    port: int = field(default=8000, metadata=_help(
        "Port 'dakg serve' listens on."))
    workers: int = field(default=2, metadata=_help(
        "Web server worker processes."))
    query_workers: int = field(default=2, metadata=_help(
        "Query processes per web worker: queries run there, so a runaway query can be "
        "killed without stopping the server."))
    query_timeout: float = field(default=10.0, metadata=_help(
        "Seconds a query (or a write) may run before it is stopped."))
    query_memory_mb: int = field(default=2048, metadata=_help(
        "Memory (address space, MB) a query or write process may use; a query that needs "
        "more is stopped."))
    in_memory_mb: int = field(default=256, metadata=_help(
        "Query processes copy the data into memory (about ten times faster joins than on "
        "disk) when its store (its folder on disk) is at most this many MB; 0: always read "
        "from disk."))
    row_limit: int = field(default=10000, metadata=_help(
        "Most rows (or triples) a query result may carry; a "
        "longer result is cut and marked as cut."))
    page_rows: int = field(default=500, metadata=_help(
        "Rows on one page of an index page (documents, sessions, reports…); a longer list "
        "goes on over further pages (?page=2)."))
    max_request_bytes: int = field(default=1_000_000, metadata=_help(
        "Largest request body accepted, in bytes."))
    max_queued_queries: int = field(default=32, metadata=_help(
        "Queries that may wait for a query process; "
        "beyond that the server answers 503."))
    per_client_queries: int = field(default=4, metadata=_help(
        "Queries one client address may have running or "
        "waiting at once; beyond that 429."))
    max_response_bytes: int = field(default=100_000_000, metadata=_help(
        "Largest result a query may send, in bytes; a larger one is cut at a row boundary "
        "and marked as cut, like the row limit."))
    request_timeout: float = field(default=15.0, metadata=_help(
        "Seconds a client may take to send a request's headers and body; a slower one is "
        "disconnected."))
    client_connections: int = field(default=64, metadata=_help(
        "Connections one client address may hold open at once on each web worker; more "
        "are closed at once."))
    trusted_proxies: tuple[str, ...] = field(default=(), metadata=_help(
        "Addresses or networks (space-separated) of reverse proxies whose X-Forwarded-For "
        "names the client for the per-client limits; empty: the connecting address is the "
        "client."))
    access_log: str | None = field(default=None, metadata=_help(
        "Where 'dakg serve' logs each request (common log format, with the request id and "
        "the time taken): a file, or '-' for standard error; unset: no access log."))
    write_token: str | None = field(default=None, metadata=_help(
        "Bearer token that enables SPARQL Update and the Graph Store Protocol; unset: "
        "the server is read-only."))
    service_allowlist: tuple[str, ...] = field(default=(), metadata=_help(
        "IRIs (prefixes) that SERVICE and LOAD may fetch from; empty: none."))
    store: str | None = field(default=None, metadata=_help(
        "Where the graph is served from: unset, the embedded Oxigraph store in data_dir; or "
        "the http(s) URL of a SPARQL 1.1 server's query endpoint, which 'dakg build' then "
        "also loads."))
    store_update: str | None = field(default=None, metadata=_help(
        "The store server's SPARQL 1.1 Update endpoint; default: the store URL."))
    store_graph_store: str | None = field(default=None, metadata=_help(
        "The store server's Graph Store Protocol endpoint (Oxigraph: /store, Virtuoso: "
        "/sparql-graph-crud-auth); unset: graphs are loaded with INSERT DATA."))
    store_credentials: str | None = field(default=None, repr=False, metadata=_help(
        "user:password for the store server (HTTP Basic or Digest); never logged or shown."))
    store_timeout: float = field(default=120.0, metadata=_help(
        "Seconds one request to the store server may take while a build loads it."))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from ``DAKG_*`` environment variables, then ``overrides`` (not None)."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = environ.get(env_name(f.name))
            if raw is not None and raw != "":
                values[f.name] = _convert(f, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values).checked()

    def checked(self) -> Settings:
        if not (self.base_iri.startswith(("http://", "https://")) and
                self.base_iri.endswith("/")):
            raise ValueError(f"base IRI must be an http(s) IRI ending in '/': {self.base_iri!r}")
        for name in ("port", "workers", "query_workers", "row_limit", "page_rows",
                     "max_request_bytes",
                     "max_queued_queries", "per_client_queries", "query_memory_mb",
                     "max_response_bytes", "client_connections"):
            if getattr(self, name) < (0 if name == "port" else 1):
                raise ValueError(f"{name} must be positive, not {getattr(self, name)}")
        if self.in_memory_mb < 0:
            raise ValueError(f"in_memory_mb must be 0 or more, not {self.in_memory_mb}")
        for name in ("query_timeout", "request_timeout"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, not {getattr(self, name)}")
        if self.write_token is not None and not self.write_token.strip():
            raise ValueError("the write token is empty: give a token, or none for a read-only "
                             "server")
        for proxy in self.trusted_proxies:
            try:
                ipaddress.ip_network(proxy, strict=False)
            except ValueError as e:
                raise ValueError(f"trusted_proxies: {proxy!r} is not an address or network"
                                 ) from e
        if self.store is not None and not is_http_url(self.store):
            raise ValueError(f"store must be the http(s) URL of a SPARQL endpoint, not "
                             f"{self.store!r}; leave it unset for the embedded store in "
                             "data_dir")
        self.store_endpoints()  # checks the other store settings
        if self.workers > MAX_WORKERS:
            raise ValueError(f"workers must be at most {MAX_WORKERS}, not {self.workers}")
        return self

    def store_endpoints(self) -> Endpoints | None:
        """The SPARQL server of the ``store`` setting; None for the embedded store."""
        if self.store is None:
            return None
        return Endpoints(self.store, self.store_update or "", self.store_graph_store,
                         self.store_credentials, self.store_timeout)

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes).checked()


def env_name(setting: str) -> str:
    return f"DAKG_{setting.upper()}"


def describe() -> list[tuple[str, str, str, str]]:
    """(setting, environment variable, default, help) for every setting, for docs and --help."""
    rows = []
    for f in fields(Settings):
        default = "none" if f.default in (None, ()) else str(f.default)
        rows.append((f.name, env_name(f.name), default, f.metadata["help"]))
    return rows


def _convert(f: dataclasses.Field[Any], raw: str) -> Any:
    kind = str(f.type)
    try:
        if kind.startswith("int"):
            return int(raw)
        if kind.startswith("float"):
            return float(raw)
        if "Path" in kind:
            return Path(raw)
        if kind.startswith("tuple"):
            return tuple(part for part in raw.split() if part)
    except ValueError as e:
        raise ValueError(f"{env_name(f.name)}={raw!r}: {e}") from e
    return raw
