"""HTTP to a SPARQL server: every call with a timeout, credentials never in a message.

The standard library's ``urllib.request`` is enough here and adds no dependency: it computes
HTTP Digest answers (Virtuoso's ``/sparql-auth`` and ``/sparql-graph-crud-auth`` ask for
Digest, which urllib3 does not do), takes a timeout per call, and keeps no connection that a
killed server could leave half-open.

Credentials are sent before the server asks. Waiting for its 401, as urllib's handlers do,
fails for a large body: Virtuoso answers 401 and closes the connection while the graph is
still being sent (a broken pipe). So the first request to each endpoint is made once without
a body, to learn the scheme and realm (as ``curl --digest`` does), and every request after
carries the answer to that challenge.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import io
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ..errors import GraphError

MAX_ERROR_TEXT = 400  # of a server's error page, shown to whoever ran the command
# Virtuoso's state for an "anytime" query cut at its time limit: the answer is what it had
# found by then, and looks whole.
PARTIAL = "S1TAT"


class StoreError(GraphError):
    """The SPARQL server could not be reached, timed out, or refused a request (``status``,
    with the start of its answer in ``detail``)."""

    def __init__(self, message: str, status: int | None = None, detail: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.detail = detail


class StoreTimeout(StoreError):
    """The SPARQL server did not answer within the timeout."""


class StoreTooLarge(StoreError):
    """The SPARQL server's answer is longer than dakg reads (``max_bytes``)."""

    def __init__(self, message: str, max_bytes: int) -> None:
        super().__init__(message)
        self.max_bytes = max_bytes


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes


class Http:
    """Requests to one server, with ``credentials`` (``user:password``) if it has them."""

    def __init__(self, credentials: str | None, timeout: float) -> None:
        self.timeout = timeout
        self._user, _, self._password = (credentials or "").partition(":")
        self._credentials = credentials is not None
        self._challenges: dict[str, str | None] = {}  # endpoint → WWW-Authenticate, if any
        self._opener = urllib.request.build_opener()
        self.software = ""  # the Server header of the last answer

    def send(self, method: str, url: str, body: bytes | None = None,
             headers: dict[str, str] | None = None, timeout: float | None = None) -> Answer:
        """One request; a status of 400 or more, or no answer in time, is a ``StoreError``."""
        with self.opened(method, url, body, headers, timeout) as answer:
            return Answer(answer.status, answer.headers.get_content_type(),
                          read_all(answer, method, url, timeout or self.timeout))

    @contextlib.contextmanager
    def opened(self, method: str, url: str, body: bytes | None = None,
               headers: dict[str, str] | None = None,
               timeout: float | None = None) -> Iterator[http.client.HTTPResponse]:
        """The server's answer, its body still to be read (each read within ``timeout``)."""
        seconds = timeout or self.timeout
        request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
        answer = self._open(request, seconds) if not self._credentials else \
            self._open_authorized(request, seconds)
        try:
            yield answer
        finally:
            answer.close()

    def _open_authorized(self, request: urllib.request.Request,
                         seconds: float) -> http.client.HTTPResponse:
        method, url = request.get_method(), request.full_url
        endpoint = _shown(url)
        for attempt in range(2):
            if endpoint not in self._challenges or attempt:  # a nonce may have gone stale
                self._challenges[endpoint] = self._challenge(method, url, seconds)
            self._authorize(request, self._challenges[endpoint])
            try:
                return self._open(request, seconds)
            except _Unauthorized:
                if attempt:
                    raise StoreError(f"{method} {endpoint}: the server refused the store "
                                     "credentials (401)") from None
        raise AssertionError("unreachable")

    def _challenge(self, method: str, url: str, seconds: float) -> str | None:
        """What the endpoint asks of a client without credentials: None if nothing."""
        probe = urllib.request.Request(url, data=b"" if method in ("PUT", "POST") else None,
                                       method=method)
        try:
            self._open(probe, seconds).close()
        except _Unauthorized as e:
            return e.challenge
        except StoreError:
            pass  # an empty request may well be refused; it only had to say whether to log in
        return None

    def _authorize(self, request: urllib.request.Request, challenge: str | None) -> None:
        if challenge is None:
            return
        scheme, _, params = challenge.partition(" ")
        if scheme.lower() == "basic":
            token = base64.b64encode(f"{self._user}:{self._password}".encode()).decode()
            request.add_unredirected_header("Authorization", f"Basic {token}")
        elif scheme.lower() == "digest":
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            passwords.add_password(None, request.full_url, self._user, self._password)
            digest = urllib.request.HTTPDigestAuthHandler(passwords)
            fields = urllib.request.parse_keqv_list(
                [part for part in urllib.request.parse_http_list(params) if part])
            answer = digest.get_authorization(request, fields)
            if answer is None:
                raise StoreError(f"{_shown(request.full_url)}: cannot answer the server's "
                                 f"Digest challenge ({fields.get('algorithm', 'MD5')})")
            request.add_unredirected_header("Authorization", f"Digest {answer}")
        else:
            raise StoreError(f"{_shown(request.full_url)} asks for {scheme} authentication; "
                             "dakg speaks Basic and Digest")

    def _open(self, request: urllib.request.Request, seconds: float) -> http.client.HTTPResponse:
        method, where = request.get_method(), _shown(request.full_url)
        try:
            answer: http.client.HTTPResponse = self._opener.open(request, timeout=seconds)
        except urllib.error.HTTPError as e:
            if e.code == 401:
                raise _Unauthorized(f"{method} {where}: the server asks for credentials (401); "
                                    "give them in the store_credentials setting",
                                    e.headers.get("WWW-Authenticate")) from None
            text = e.read()[:MAX_ERROR_TEXT].decode("utf-8", "replace").strip()
            raise StoreError(f"{method} {where}: the server answered {e.code} {e.reason}: "
                             f"{text}", e.code, text) from None
        except TimeoutError as e:
            raise StoreTimeout(f"{method} {where}: no answer within {seconds:g}s") from e
        except urllib.error.URLError as e:
            if isinstance(e.reason, TimeoutError):
                raise StoreTimeout(f"{method} {where}: no answer within {seconds:g}s") from e
            raise StoreError(f"{method} {where}: cannot reach the server: {e.reason}") from e
        except OSError as e:
            raise StoreError(f"{method} {where}: the connection failed: {e}") from e
        self.software = answer.headers.get("Server", "")
        if answer.headers.get("X-SQL-State") == PARTIAL:
            answer.close()
            raise StoreTimeout(f"{method} {where}: the server stopped the query at its time "
                               "limit (its answer would be partial)")
        return answer


class Within(io.RawIOBase):
    """An answer's body, read until ``seconds`` from now: the socket's timeout bounds each
    read, this the whole, so a server that sends a byte now and then cannot hold a worker."""

    def __init__(self, answer: http.client.HTTPResponse, seconds: float) -> None:
        self._answer = answer
        self._seconds = seconds
        self._deadline = time.monotonic() + seconds

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if time.monotonic() > self._deadline:
            raise TimeoutError(f"the answer took longer than {self._seconds:g}s")
        data = self._answer.read1(len(buffer))  # what has come: one receive at most
        buffer[:len(data)] = data
        return len(data)


def within(answer: http.client.HTTPResponse, seconds: float) -> io.BufferedReader:
    return io.BufferedReader(Within(answer, seconds))


def read_all(answer: http.client.HTTPResponse, method: str, url: str, seconds: float,
             max_bytes: int | None = None) -> bytes:
    """The whole body, read within ``seconds``; more than ``max_bytes`` is ``StoreTooLarge``."""
    try:
        body = within(answer, seconds).read(None if max_bytes is None else max_bytes + 1)
        if max_bytes is not None and len(body) > max_bytes:
            raise StoreTooLarge(f"{method} {_shown(url)}: the answer is longer than "
                                f"{max_bytes} bytes", max_bytes)
        return body
    except TimeoutError as e:
        raise StoreTimeout(f"{method} {_shown(url)}: no answer within {seconds:g}s") from e
    except OSError as e:
        raise StoreError(f"{method} {_shown(url)}: the connection failed: {e}") from e


class _Unauthorized(StoreError):
    def __init__(self, message: str, challenge: str | None) -> None:
        super().__init__(message, 401)
        self.challenge = challenge


def _shown(url: str) -> str:
    """``url`` without a query string (which may hold a whole query) or user information."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"
