"""What a running app holds besides its routes: settings, dataset, limits, query processes.

One ``Runtime`` per app, kept in ``app.extensions``. The query pool is made on first use in
each process, because the web server forks its workers after the app is created and a pool's
pipes and threads do not survive a fork.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import current_app

from dakg.graph.stats import Figures, read_figures
from dakg.graph.stores.remote import RemoteStore
from dakg.settings import Settings

from .admission import Admission
from .clients import Network, client_address
from .dataset import LinkedDataset, NoBuild
from .jobs import Job, Reply
from .lookup import LocalStore
from .page_cache import ANSWER_CACHE_BYTES, PageCache, Rendered
from .pool import QueryPool
from .sandbox import Sandbox


@dataclass
class Runtime:
    settings: Settings
    dataset: LinkedDataset
    admission: Admission
    writable: bool = False
    prefixes: dict[str, str] = field(default_factory=dict)
    proxies: tuple[Network, ...] = ()
    remote: RemoteStore | None = None  # dakg serve --store: the SPARQL server queries go to
    _pool: QueryPool | None = None
    _pool_pid: int = 0
    _local: LocalStore | None = None
    _local_pid: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    cache: Memo = field(default_factory=lambda: Memo(64))
    pages: PageCache[Rendered] = field(default_factory=PageCache)
    answers: PageCache[Reply] = field(default_factory=lambda: PageCache(ANSWER_CACHE_BYTES))

    def figures(self) -> Figures | None:
        """What the build served counted of its data (``graph/stats.py``); None for data no
        build counted (a live copy, a remote store, ``--data`` files)."""
        if self.remote is not None:
            return None
        store = self.dataset.current().store
        found: Figures | None = self.cache.get(
            ("figures", store), lambda: read_figures(Path(store).parent))
        return found

    def pool(self) -> QueryPool:
        pid = os.getpid()
        if self._pool is None or self._pool_pid != pid:
            with self._lock:
                if self._pool is None or self._pool_pid != pid:
                    self._pool = QueryPool(self.settings.query_workers,
                                           self.settings.query_timeout, self.sandbox(),
                                           self.settings.in_memory_mb * 1024 * 1024,
                                           self.settings.max_response_bytes,
                                           admission=self.admission,
                                           warm=self._opening_query)
                    self._pool_pid = pid
        return self._pool

    def _opening_query(self) -> Job | None:
        """The query that has a new query process open the data served now (``QueryPool``);
        None when there is none to open."""
        if self.remote is not None:
            return None
        try:
            store = self.dataset.current().store
        except NoBuild:
            return None
        return Job(store=store, text="ASK {}", format="json", row_limit=1)

    def client(self, environ: dict[str, Any]) -> str:
        """The address the per-client limits count a request against."""
        return client_address(environ, self.proxies)

    def sandbox(self) -> Sandbox:
        """The limits of query and write processes."""
        return Sandbox(self.settings.query_memory_mb,
                       network=bool(self.settings.service_allowlist))

    def local_store(self) -> LocalStore:
        """This process's own read-only handle on the store, for lookups."""
        pid = os.getpid()
        if self._local is None or self._local_pid != pid:
            with self._lock:
                if self._local is None or self._local_pid != pid:
                    self._local = LocalStore(self.settings.in_memory_mb * 1024 * 1024)
                    self._local_pid = pid
        return self._local

    def close(self) -> None:
        """Stop this process's query processes and let go of its store handle."""
        if self._pool is not None and self._pool_pid == os.getpid():
            self._pool.close()
            self._pool = None
        self._local = None


class Memo:
    """Answers the server computed once and keeps (service descriptions, graph sizes, the
    dump listing), keyed by the data version; the oldest go when there are ``size``."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = compute()  # outside the lock: it may run a query
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value


def runtime() -> Runtime:
    found = current_app.extensions["dakg"]
    assert isinstance(found, Runtime)
    return found
