"""Request bodies over ``max_request_bytes`` are refused whole, however they are framed.

Regression tests for a data loss: a chunked body over the limit used to be cut at the limit,
run, and acknowledged (an update lost its last operations; an upload stored part of a graph).
Each exchange goes over a raw socket to the real server, as a client sending chunks would.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from .helpers import DATA, Server, select

pytestmark = pytest.mark.e2e

LIMIT = 100_000
TOKEN = "body-limit-test-token"
ACCOUNT = "<http://x/acct> <http://x/balance>"
GRAPH = "http://x/accounts"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("bodies")
    token_file = folder / "token"
    token_file.write_text(TOKEN)
    running = Server(folder, "--data", str(DATA / "small.trig"),
                     "--write-token-file", str(token_file),
                     env={"DAKG_MAX_REQUEST_BYTES": str(LIMIT)})
    yield running
    running.stop()


def exchange(server: Server, head: str, body: bytes, *, chunk: int = 8192) -> tuple[int, bytes]:
    """Send ``head`` and ``body`` chunked (``chunk`` bytes a chunk); the status and body."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as s:
        s.sendall(head.encode() + b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
        try:
            for start in range(0, len(body), chunk):
                piece = body[start:start + chunk]
                s.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            s.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered before the end of the body, and closed
        answer = b""
        while data := s.recv(65536):
            answer += data
    status = int(answer.split(b" ", 2)[1])
    return status, answer.partition(b"\r\n\r\n")[2]


def post(path: str, media_type: str) -> str:
    return (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {media_type}\r\n"
            f"Authorization: Bearer {TOKEN}\r\n")


def balances(server: Server) -> list[int]:
    rows = select(server.endpoint,
                  "SELECT ?b WHERE { GRAPH ?g { <http://x/acct> <http://x/balance> ?b } }")
    return sorted(int(row["b"]["value"]) for row in rows)


def graph_size(server: Server, graph: str) -> int:
    rows = select(server.endpoint,
                  f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return int(rows[0]["n"]["value"])


def transfer(comments_to: int) -> bytes:
    """The issue's update: DELETE the balance, ``#`` comment lines up to byte ``comments_to``
    at least, then INSERT the new balance. Cut among the comments, it deletes and never
    inserts."""
    head = f"DELETE DATA {{ GRAPH <{GRAPH}> {{ {ACCOUNT} 100 }} }} ;\n".encode()
    tail = f"INSERT DATA {{ GRAPH <{GRAPH}> {{ {ACCOUNT} 150 }} }}\n".encode()
    line = b"#" + b"x" * 98 + b"\n"
    lines = -(-(comments_to - len(head)) // len(line))
    return head + line * lines + tail


@pytest.fixture()
def account(server: Server) -> None:
    status, _ = exchange(server, post("/update", "application/sparql-update"),
                         f"DROP SILENT GRAPH <{GRAPH}> ; INSERT DATA {{ GRAPH <{GRAPH}> "
                         f"{{ {ACCOUNT} 100 }} }}".encode())
    assert status == 204
    assert balances(server) == [100]


@pytest.mark.usefixtures("account")
def test_a_chunked_update_over_the_limit_is_refused_and_nothing_of_it_runs(
        server: Server) -> None:
    body = transfer(LIMIT)
    assert body.index(b"INSERT") > LIMIT  # the cut falls among the comments
    status, answer = exchange(server, post("/update", "application/sparql-update"), body)
    assert status == 413, answer
    assert b"max_request_bytes" in answer
    assert balances(server) == [100]


@pytest.mark.usefixtures("account")
def test_a_chunked_update_under_the_limit_runs_whole(server: Server) -> None:
    body = transfer(LIMIT - 300)
    assert len(body) <= LIMIT
    status, _ = exchange(server, post("/update", "application/sparql-update"), body)
    assert status == 204
    assert balances(server) == [150]


@pytest.mark.usefixtures("account")
def test_a_body_of_exactly_the_limit_is_accepted(server: Server) -> None:
    body = transfer(LIMIT - 300)
    body = body.replace(b"#", b"#" + b"y" * (LIMIT - len(body)), 1)
    assert len(body) == LIMIT
    status, _ = exchange(server, post("/update", "application/sparql-update"), body,
                         chunk=LIMIT)
    assert status == 204
    assert balances(server) == [150]


@pytest.mark.usefixtures("account")
def test_a_chunked_form_update_over_the_limit_is_refused(server: Server) -> None:
    body = b"update=" + quote(transfer(LIMIT).decode()).encode()
    status, _ = exchange(server, post("/sparql", "application/x-www-form-urlencoded"), body)
    assert status == 413
    assert balances(server) == [100]


def test_a_chunked_upload_over_the_limit_stores_nothing(server: Server, tmp_path: Path) -> None:
    graph = "http://x/uploaded"
    line = "<http://x/s{}> <http://x/p> \"{}\" .\n"
    triples = "".join(line.format(i, "v" * 40) for i in range(LIMIT // 40))
    assert len(triples.encode()) > LIMIT
    head = (f"PUT /store?graph={quote(graph, safe='')} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Content-Type: application/n-triples\r\nAuthorization: Bearer {TOKEN}\r\n")
    status, _ = exchange(server, head, triples.encode())
    assert status == 413
    assert graph_size(server, graph) == 0
    fits = "".join(line.format(i, "v" * 40) for i in range(100))
    status, _ = exchange(server, head, fits.encode())
    assert status == 201
    assert graph_size(server, graph) == 100
