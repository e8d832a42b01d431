"""Limits that keep the server up: time, rows, size, concurrency, per client; no fetching."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from dakg.graph.store import current_build
from dakg.server.dataset import LinkedDataset
from dakg.server.jobs import Job

from .conftest import close_app, make_app
from .helpers import QUICK, RUNAWAY, Listener, json_of, refused_requests


@pytest.fixture()
def listener() -> Iterator[Listener]:
    found = Listener()
    yield found
    found.close()


def _in_thread(fn: Callable[[], TestResponse]) -> tuple[threading.Thread, dict[str, Any]]:
    result: dict[str, Any] = {}

    def run() -> None:
        started = time.monotonic()
        result["response"] = fn()
        result["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


def test_a_runaway_query_is_stopped_while_others_are_served(small_app: Flask) -> None:
    assert small_app.extensions["dakg"].pool().wait_until_full()
    pids_before = set(small_app.extensions["dakg"].pool().pids())
    thread, runaway = _in_thread(lambda: small_app.test_client().get(
        "/sparql", query_string={"query": RUNAWAY}))
    time.sleep(0.5)
    # From another client: one client holds at most half of the query processes.
    quick = small_app.test_client().get("/sparql", query_string={"query": QUICK},
                                        environ_base={"REMOTE_ADDR": "127.0.0.3"})
    assert quick.status_code == 200 and thread.is_alive()  # answered while the runaway runs
    thread.join()
    response = runaway["response"]
    assert response.status_code == 503
    assert "stopped after 3 s" in response.get_data(as_text=True)
    killed = pids_before - set(small_app.extensions["dakg"].pool().pids())
    assert len(killed) == 1
    assert not _running(killed.pop())  # the CPU is free: the process is gone


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split()[2] != "Z"


def test_an_engine_crash_is_a_500_and_the_process_is_replaced(small_app: Flask) -> None:
    pool = small_app.extensions["dakg"].pool()
    assert pool.wait_until_full()
    thread, runaway = _in_thread(lambda: small_app.test_client().get(
        "/sparql", query_string={"query": RUNAWAY}))
    time.sleep(0.5)
    busy = [pid for pid in pool.pids() if _cpu_busy(pid)]
    os.kill(busy[0], signal.SIGSEGV)
    thread.join()
    assert runaway["response"].status_code == 500
    text = runaway["response"].get_data(as_text=True)
    assert "failed on this query" in text and "SIGSEGV" not in text  # details go to the log
    assert pool.wait_until_full(10)
    assert small_app.test_client().get("/sparql", query_string={"query": QUICK}).status_code == 200


def _cpu_busy(pid: int) -> bool:
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split()[2] == "R"


def test_a_query_that_outgrows_its_memory_is_stopped(small_dataset: LinkedDataset) -> None:
    app = make_app(small_dataset, query_memory_mb=1024, query_timeout=20)
    try:
        sorting = "SELECT * { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l } ORDER BY ?a ?d ?g ?j"
        started = time.monotonic()
        response = app.test_client().get("/sparql", query_string={"query": sorting})
        assert response.status_code == 503 and time.monotonic() - started < 20
        assert "needed more than 1024 MB" in response.get_data(as_text=True)
        assert app.test_client().get("/sparql", query_string={"query": QUICK}).status_code == 200
    finally:
        close_app(app)


def test_a_small_memory_limit_is_left_to_the_query(small_dataset: LinkedDataset) -> None:
    # 400 MB is ample for these queries; the engine's threads must not use it up in address
    # space they never touch (glibc's per-thread malloc arenas: every start aborted before).
    app = make_app(small_dataset, query_memory_mb=400, query_timeout=20)
    try:
        for n in range(3):  # each on fresh query processes, and not an answer kept
            count = f"SELECT (COUNT(*) AS ?n{n}) {{ GRAPH ?g {{ ?s ?p ?o }} }}"
            response = app.test_client().get("/sparql", query_string={"query": count})
            assert response.status_code == 200, response.get_data(as_text=True)
            app.extensions["dakg"].close()
    finally:
        close_app(app)


def test_query_processes_cannot_open_network_sockets(listener: Listener) -> None:
    # The second line of defence: a SERVICE that got past the scan still cannot connect.
    from dakg.server.pool import QueryPool
    from dakg.server.sandbox import Sandbox

    pool = QueryPool(1, 10, Sandbox(1024, network=False))
    try:
        query = f"SELECT * {{ SERVICE <http://127.0.0.1:{listener.port}/> {{ ?s ?p ?o }} }}"
        reply = pool.run(Job(store=_a_store(), text=query, format="json", row_limit=10),
                         wait=30)
        assert reply.failure is not None and "denied" in reply.failure.message, reply
        time.sleep(0.1)
        assert listener.connections == 0
    finally:
        pool.close()


def _a_store() -> str:
    import tempfile

    import pyoxigraph as ox

    folder = tempfile.mkdtemp(prefix="dakg-empty-store-")
    ox.Store(folder).flush()
    return folder


def test_per_client_limit_is_429_with_retry_after(small_dataset: LinkedDataset) -> None:
    app = make_app(small_dataset, per_client_queries=1, query_workers=2)
    try:
        thread, _ = _in_thread(lambda: app.test_client().get(
            "/sparql", query_string={"query": RUNAWAY}))
        time.sleep(0.5)
        same = app.test_client().get("/sparql", query_string={"query": QUICK})
        assert same.status_code == 429 and same.headers["Retry-After"] == "1"
        other = app.test_client().get("/sparql", query_string={"query": QUICK},
                                      environ_base={"REMOTE_ADDR": "192.0.2.7"})
        assert other.status_code == 200
        thread.join()
    finally:
        close_app(app)


def test_a_full_server_is_503(small_dataset: LinkedDataset) -> None:
    app = make_app(small_dataset, query_workers=1, max_queued_queries=1, per_client_queries=8)
    try:
        def runaway_from(address: str) -> Callable[[], TestResponse]:
            return lambda: app.test_client().get("/sparql", query_string={"query": RUNAWAY},
                                                 environ_base={"REMOTE_ADDR": address})

        threads = [_in_thread(runaway_from(f"192.0.2.{i}"))[0] for i in (1, 2)]
        time.sleep(0.5)
        third = app.test_client().get("/sparql", query_string={"query": QUICK},
                                      environ_base={"REMOTE_ADDR": "192.0.2.3"})
        assert third.status_code == 503 and third.headers["Retry-After"] == "1"
        for thread in threads:
            thread.join()
    finally:
        close_app(app)


def test_a_huge_body_is_413(client: FlaskClient) -> None:
    body = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 10_000_000
    response = client.post("/sparql", data=body, content_type="application/sparql-query")
    assert response.status_code == 413
    form = client.post("/sparql", data={"query": body})
    assert form.status_code == 413


@pytest.mark.parametrize(("name", "query"), refused_requests(), ids=lambda v: v[:40])
def test_service_never_reaches_the_network(client: FlaskClient, listener: Listener, name: str,
                                           query: str) -> None:
    response = client.post("/sparql", data={"query": query.replace("9999", str(listener.port))})
    assert response.status_code == 400
    time.sleep(0.05)
    assert listener.connections == 0


def test_from_and_from_named_select_from_the_store_and_never_fetch(client: FlaskClient,
                                                                   listener: Listener) -> None:
    where = f"http://127.0.0.1:{listener.port}/graph.ttl"
    for query in (f"SELECT * FROM <{where}> WHERE {{ ?s ?p ?o }}",
                  f"SELECT * FROM NAMED <{where}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"):
        response = client.get("/sparql", query_string={"query": query})
        assert response.status_code == 200
        assert json_of(response)["results"]["bindings"] == []
    time.sleep(0.1)
    assert listener.connections == 0


@pytest.mark.parametrize(("query", "words"), [
    ("SELECT * WHERE { " + "{" * 3000 + "}" * 3000 + " }", "nested"),
    ("SELECT * WHERE { FILTER(" + "(" * 3000 + "1" + ")" * 3000 + ") }", "nested"),
    ("SELECT * WHERE { BIND(" + "!" * 16000 + "true AS ?x) }", "chains"),
    ("SELECT * WHERE { BIND(" + "+".join(["1"] * 8000) + " AS ?x) }", "chains"),
    ("SELECT * WHERE { {} " + " UNION {}" * 8000 + " }", "chains"),
    ("SELECT * WHERE { " + " OPTIONAL {}" * 8000 + " }", "chains"),
    ("SELECT * WHERE { " + " MINUS {}" * 8000 + " }", "chains"),
], ids=["braces", "parentheses", "negations", "additions", "UNION", "OPTIONAL", "MINUS"])
def test_what_crashes_the_engine_is_refused(client: FlaskClient, query: str, words: str) -> None:
    # Each of these crashes Oxigraph 0.5.13 with a stack overflow (measured in a subprocess).
    response = client.post("/sparql", data={"query": query})
    assert response.status_code == 400 and words in response.get_data(as_text=True)
    assert client.get("/sparql", query_string={"query": QUICK}).status_code == 200


def test_one_client_has_at_most_its_share_of_query_processes_across_workers() -> None:
    from dakg.server.admission import Admission

    admission = Admission(max_queries=10, per_client=10, process_share=1)
    assert admission.take_process("127.0.0.2")
    assert not admission.take_process("127.0.0.2")  # its second must wait
    assert admission.take_process("127.0.0.3")  # another client is not held up
    admission.leave_process("127.0.0.2")
    assert admission.take_process("127.0.0.2")  # its own ended: its next one runs


def test_the_places_of_a_web_worker_that_died_are_freed_when_it_is_reaped() -> None:
    import multiprocessing

    from dakg.server.admission import Admission, TooManyFromClient

    admission = Admission(max_queries=10, per_client=1, process_share=1)

    def crash_while_admitted() -> None:  # a web worker that dies mid-query
        with admission.admit("127.0.0.2"):
            assert admission.take_process("127.0.0.2")
            os._exit(1)

    with admission.admit("127.0.0.9"):
        pass  # this process is the web worker that lives on: it has its row already
    worker = multiprocessing.get_context("fork").Process(target=crash_while_admitted)
    worker.start()
    worker.join()
    assert worker.exitcode == 1 and worker.pid is not None
    with pytest.raises(TooManyFromClient), admission.admit("127.0.0.2"):
        pass  # the dead worker's place still counts
    assert not admission.take_process("127.0.0.2")
    admission.forget(worker.pid)
    with admission.admit("127.0.0.2"):
        assert admission.take_process("127.0.0.2")


def test_a_query_process_opens_the_data_before_it_takes_a_query(built: Path) -> None:
    # At the start, and in place of one killed with a runaway query: no request waits while
    # the store opens (seconds, at a thousand reports) or is copied into memory.
    from dakg.server.pool import QueryTimeout

    app = make_app(LinkedDataset(built), in_memory_mb=0, query_timeout=1.0)  # on disk
    try:
        runtime = app.extensions["dakg"]
        store = runtime.dataset.current().store
        pool = runtime.pool()
        assert pool.wait_until_full()
        first = pool.pids()
        assert len(first) == 2 and all(_files_open_under(pid, store) for pid in first)
        with pytest.raises(QueryTimeout):
            pool.run(Job(store=store, text=RUNAWAY, format="json", row_limit=10), wait=5)
        assert pool.wait_until_full()
        (replacement,) = set(pool.pids()) - set(first)
        assert _files_open_under(replacement, store)
    finally:
        close_app(app)


def _files_open_under(pid: int, folder: str) -> int:
    fds = Path(f"/proc/{pid}/fd")
    return sum(1 for fd in fds.iterdir()
               if os.readlink(fd).startswith(folder + os.sep))


def test_a_query_process_that_cannot_open_the_data_in_time_is_replaced_and_the_pool_filled(
        built: Path) -> None:
    from dakg.server.pool import QueryPool
    from dakg.server.sandbox import Sandbox

    store = str(current_build(built) / "store")
    pool = QueryPool(1, 10, Sandbox(1024, network=False),
                     warm=lambda: Job(store=store, text=RUNAWAY, format="json", row_limit=1),
                     warm_timeout=0.5)
    try:
        assert pool.wait_until_full()
        assert not _files_open_under(pool.pids()[0], store)  # it opens the data on first use
        reply = pool.run(Job(store=store, text=QUICK, format="json", row_limit=10), wait=10)
        assert reply.failure is None
    finally:
        pool.close()
