"""Rendered resource pages and representations, kept while their data version is served.

A page is a function of the data version, the resource, the representation, the layout and
the address it was asked at (its links and the endpoint's URL come from ``Host`` and the
mount point); the ETag already promises that. Keeping the rendered bytes spares the two
queries and the template on every later request for it, as Fuseki and Datasette deployments
do with a cache in front. The cache is bounded by the bytes it holds (per web worker); the
least recently used pages go first, and a new data version makes the old pages unreachable
(they age out).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

PAGE_CACHE_BYTES = 32 * 1024 * 1024  # rendered pages kept per web worker
ANSWER_CACHE_BYTES = 8 * 1024 * 1024  # lookup answers kept per web worker (answers.py)
LARGEST_KEPT = 1024 * 1024  # a larger page is rendered each time (it would crowd out many)


class HasBody(Protocol):
    @property
    def body(self) -> bytes: ...


Kept = TypeVar("Kept", bound=HasBody)


@dataclass(frozen=True)
class Rendered:
    """What a response for a page is made of, besides the headers every page gets."""

    body: bytes
    content_type: str
    headers: tuple[tuple[str, str], ...] = ()


class PageCache(Generic[Kept]):
    """The least recently used go first once the bodies exceed ``limit`` bytes."""

    def __init__(self, limit: int = PAGE_CACHE_BYTES) -> None:
        self.limit = limit
        self.size = 0
        self._items: OrderedDict[Hashable, Kept] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Kept | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: Hashable, page: Kept) -> None:
        if len(page.body) > min(LARGEST_KEPT, self.limit):
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.size -= len(old.body)
            self._items[key] = page
            self.size += len(page.body)
            while self.size > self.limit:
                _, dropped = self._items.popitem(last=False)
                self.size -= len(dropped.body)

    def __len__(self) -> int:
        return len(self._items)
