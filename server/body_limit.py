"""A request body longer than ``max_request_bytes`` is refused whole (413), however it is framed.

With ``Content-Length``, Werkzeug refuses a body over the limit before reading it. A chunked
body has no length: Werkzeug reads it through a stream that stops *at* the limit and, since
it is never asked for a byte past it, returns the first ``limit`` bytes as if they were the
whole body. An update cut there would run its first operations and drop the rest (data
loss), and a Graph Store upload would store part of a graph. So every request's input is
wrapped here: when a reader has taken ``limit`` bytes, the wrapper looks for one byte more,
and if there is one the request fails with 413 before any of it is used.

Before answering, the rest of such a body is read and dropped, up to another ``limit``
bytes: a server that answers and closes while the client is still sending makes the
client's TCP stack reset the connection, and the client then never sees the 413.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, TYPE_CHECKING, Any

from werkzeug.exceptions import RequestEntityTooLarge

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


class BodyTooLarge(RequestEntityTooLarge):
    def __init__(self, limit: int) -> None:
        super().__init__(f"the request body is longer than {limit} bytes, the largest this "
                         "server accepts (setting max_request_bytes); nothing of it was used")


class CappedInput:
    """``wsgi.input`` that raises ``BodyTooLarge`` rather than end quietly at ``limit``."""

    def __init__(self, stream: IO[bytes], limit: int) -> None:
        self._stream = stream
        self._limit = limit
        self._taken = 0

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            data = self._stream.read(self._limit + 1 - self._taken)
        else:
            data = self._stream.read(size)
        return self._count(data)

    def readline(self, size: int | None = -1) -> bytes:
        return self._count(self._stream.readline(-1 if size is None else size))

    def __iter__(self) -> CappedInput:
        return self

    def __next__(self) -> bytes:
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    def _count(self, data: bytes) -> bytes:
        self._taken += len(data)
        if self._taken > self._limit or (
                self._taken == self._limit and data and self._stream.read(1)):
            self._drain()
            raise BodyTooLarge(self._limit)
        return data

    def _drain(self) -> None:
        left = self._limit
        while left > 0 and (data := self._stream.read(min(left, 65536))):
            left -= len(data)


class BodyLimit:
    """WSGI middleware that puts a ``CappedInput`` in front of every request body."""

    def __init__(self, app: WSGIApplication, limit: int) -> None:
        self.app = app
        self.limit = limit

    def __call__(self, environ: WSGIEnvironment,
                 start_response: StartResponse) -> Iterable[bytes]:
        stream: Any = environ.get("wsgi.input")
        if stream is not None:
            environ["wsgi.input"] = CappedInput(stream, self.limit)
        return self.app(environ, start_response)
