"""The web worker's guard against clients that hold connections: a deadline for a request to
arrive, and a cap on the connections of one address.

gunicorn bounds the wait for a request's headers (``keepalive``) but not for its body: a
client sending a POST body a byte a second would hold its connection, and 2,000 of them
every connection of the server. Here a request's headers and body must arrive within
``request_timeout`` seconds of its first byte being awaited (a slower one gets 408 and is
disconnected), and one address may hold at most ``client_connections`` connections on a
web worker (more are answered 503 and closed at once). Trusted proxies are exempt from the
cap: every client behind them shares their address.

New connections go to the web worker holding fewest (``spread.py``).
"""

from __future__ import annotations

import contextlib
import functools
import socket
import time
from typing import Any

from gunicorn.workers.ggevent import GeventWorker
from werkzeug.exceptions import RequestTimeout

from dakg.settings import Settings

from .clients import Network, is_trusted, networks
from .spread import Spread, SpreadServer

_REFUSED = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
            b"Connection: close\r\nRetry-After: 1\r\nContent-Length: 57\r\n\r\n"
            b"503 Service Unavailable: too many connections from here\n")


class SlowRequest(RequestTimeout):
    """The request did not arrive in time (answered 408 like any Werkzeug error)."""


class Deadlined:
    """A client socket whose reads for one request must end within ``seconds``.

    The clock starts at the first read after a response (or the connection) began, so the
    idle time of a kept-alive connection counts too (gunicorn ends that sooner anyway).
    """

    def __init__(self, sock: socket.socket, seconds: float) -> None:
        self._sock = sock
        self._seconds = seconds
        self._deadline: float | None = None

    def recv(self, size: int, *flags: int) -> bytes:
        now = time.monotonic()
        if self._deadline is None:
            self._deadline = now + self._seconds
        remaining = self._deadline - now
        if remaining <= 0:
            raise SlowRequest(f"the request did not arrive within {self._seconds:g} s "
                              "(request_timeout); send it faster")
        self._sock.settimeout(remaining)
        try:
            return self._sock.recv(size, *flags)
        except TimeoutError:
            raise SlowRequest(f"the request did not arrive within {self._seconds:g} s "
                              "(request_timeout); send it faster") from None
        finally:
            self._sock.settimeout(None)

    def send(self, data: bytes, *flags: int) -> int:
        self._deadline = None  # a response: the next read begins a new request
        return self._sock.send(data, *flags)

    def sendall(self, data: bytes, *flags: int) -> None:
        self._deadline = None
        self._sock.sendall(data, *flags)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


class FrozenConfig:
    """gunicorn's configuration as a web worker reads it: each setting looked up once.

    gunicorn's ``Config`` finds a setting by name and converts it on every read, some twenty
    reads a request (about 6% of a web worker's time on a query); a worker's configuration
    never changes (a reload starts new workers)."""

    def __init__(self, config: Any) -> None:
        self._config = config

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._config, name)
        setattr(self, name, value)
        return value


class GuardedWorker(GeventWorker):  # type: ignore[misc]
    """gunicorn's gevent worker, with the deadline, the per-address cap and connections
    spread over the workers."""

    request_timeout = 15.0
    client_connections = 64
    proxies: tuple[Network, ...] = ()
    spread: Spread | None = None  # shared by the workers: made before the fork

    @classmethod
    def configured(cls, settings: Settings) -> type[GuardedWorker]:
        return type("GuardedWorker", (cls,), {
            "request_timeout": settings.request_timeout,
            "client_connections": settings.client_connections,
            "proxies": networks(settings.trusted_proxies),
            "spread": Spread()})

    def init_process(self) -> None:
        self.open: dict[str, int] = {}
        self.cfg: Any = FrozenConfig(self.cfg)
        if self.spread is not None:
            self.spread.join()
        super().init_process()

    def server_class(self, listener: Any, *, spawn: Any, **options: Any) -> SpreadServer:
        """The server of one listening socket. gunicorn builds it through this attribute
        when set (its pywsgi worker sets a class there); this one keeps gunicorn's own HTTP
        handling (``handle``) and changes only which worker accepts a connection."""
        ssl = {"ssl_context": options["ssl_context"]} if "ssl_context" in options else {}
        return SpreadServer(listener, spread=self.spread or Spread(), spawn=spawn,
                            handle=functools.partial(self.handle, listener), **ssl)

    def handle(self, listener: Any, client: socket.socket, addr: Any) -> None:
        peer = str(addr[0]) if isinstance(addr, tuple) else ""
        exempt = is_trusted(peer, self.proxies)
        if not exempt and self.open.get(peer, 0) >= self.client_connections:
            with contextlib.suppress(OSError):
                client.sendall(_REFUSED)
            client.close()
            return
        self.open[peer] = self.open.get(peer, 0) + 1
        try:
            super().handle(listener, Deadlined(client, self.request_timeout), addr)
        finally:
            left = self.open.pop(peer) - 1
            if left:
                self.open[peer] = left
