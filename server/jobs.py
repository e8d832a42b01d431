"""What a query or write process is asked to do, and what it answers (shared by both sides of
the pipe, so it imports nothing of the web server)."""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass, field
from typing import Literal


class Fault(enum.Enum):
    """Why a job failed; each maps to one status in the web server."""

    SYNTAX = "syntax"  # the query or update is not valid SPARQL: the client's fault
    EVALUATION = "evaluation"  # valid, but the engine refused it (an update's own error): client
    INPUT = "input"  # uploaded data refused (unsafe or malformed): the client's
    TOO_LARGE = "too large"  # the job needs more than the limits allow: 413/503
    STORE = "store"  # the store could not be opened (moved on, or broken): the server's
    SYSTEM = "system"  # the operating system failed (an I/O error): the server's
    DISK_FULL = "disk full"  # no room left on the disk: the server's


@dataclass(frozen=True)
class Failure:
    fault: Fault
    message: str


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


SPOOL_BYTES = 1 << 20  # a longer answer comes back in a spool file, not through the pipe
SPOOL_CHUNK = 1 << 16  # and is sent on in pieces of this size


@dataclass(frozen=True)
class Reply:
    """A query's answer: the result document, its row count if known, whether it was cut.

    A long document is left in the file ``spool`` (``body`` is then empty), which the web
    worker streams to the client and deletes, so that it never holds the whole of it.
    """

    body: bytes = b""
    count: int | None = None
    truncated: bool = False
    cut_by_size: bool = False  # cut at the byte limit (max_response_bytes), not at row_limit
    failure: Failure | None = None
    spool: str | None = None

    @classmethod
    def failed(cls, fault: Fault, message: str) -> Reply:
        return cls(failure=Failure(fault, message))

    def read(self) -> bytes:
        """The whole document (deleting its spool file), for the server's own queries."""
        if self.spool is None:
            return self.body
        with open(self.spool, "rb") as spool:
            os.unlink(self.spool)
            return spool.read()


WriteOp = Literal["update", "put", "post", "delete"]


@dataclass(frozen=True)
class WriteJob:
    """One write on the live store in folder ``live``: an update, or a Graph Store request
    on ``graph`` (None: the default graph) with ``data`` in ``media_type``."""

    live: str
    op: WriteOp
    text: str = ""
    graph: str | None = None
    media_type: str = ""
    data: bytes = b""
    base_iri: str | None = None
    prefixes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class WriteReply:
    version: str = ""  # the checkpoint the write made current
    existed: bool = False  # the graph existed before (Graph Store requests)
    count: int = 0  # triples stored (PUT, POST)
    failure: Failure | None = None

    @classmethod
    def failed(cls, fault: Fault, message: str) -> WriteReply:
        return cls(failure=Failure(fault, message))
