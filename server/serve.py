"""``dakg serve``: the app behind gunicorn, a production WSGI server.

The app is created once in gunicorn's master process (``preload_app``), so the shared
counters of ``admission.py`` exist before the web workers are forked; each worker then starts
its own query processes.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import signal
import sys
from collections.abc import Callable
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from dakg.settings import Settings

from .app import create_app
from .dataset import LinkedDataset
from .guard import GuardedWorker
from .runtime import Runtime

# Common log format, then the request id and the time taken (ms).
ACCESS_LOG_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s %({x-request-id}o)s %(M)sms'


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


def gunicorn_options(settings: Settings, on_ready: Callable[[], None]) -> dict[str, Any]:
    worker_class = GuardedWorker.configured(settings)

    def post_worker_init(worker: Any) -> None:
        # Start the query processes now, not on the first request; and only now, once gevent
        # has patched the worker, so that waiting on them lets other requests run.
        runtime = worker.app.application.extensions["dakg"]
        if runtime.remote is None:  # a SPARQL server answers instead of query processes
            runtime.pool().wait_until_full()

    def worker_exit(server: Any, worker: Any) -> None:
        # Ctrl-C signals the worker and then its master signals it again: each signal would
        # start one more exit (sys.exit in a greenlet) in the middle of this one.
        for sig in (signal.SIGINT, signal.SIGQUIT, signal.SIGTERM):
            signal.signal(sig, signal.SIG_IGN)
        try:
            runtime = worker.app.application.extensions["dakg"]
            assert isinstance(runtime, Runtime)
            runtime.close()
        finally:
            end_worker()

    def child_exit(server: Any, worker: Any) -> None:
        # In the master, as it reaps a worker (however it ended): a crashed worker's queries
        # must stop counting against its clients and the server at once (and its connections
        # against its row of the spread). gunicorn reaps from
        # its SIGCHLD handler, which the next worker's end would enter again while this call
        # holds the shared counters' lock, and the master would wait for that lock for ever
        # (a stop hung about once in 20, seen with py-spy): SIGCHLD waits until it is free.
        runtime = server.app.application.extensions["dakg"]
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})
        try:
            runtime.admission.forget(worker.pid)
            if worker_class.spread is not None:
                worker_class.spread.forget(worker.pid)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)

    return {
        "bind": f"{settings.host}:{settings.port}",
        "workers": settings.workers,
        # gevent: a request waiting for a query process yields to the others, which are
        # admitted (or answered 429/503) at once; and there is no thread hand-off per request,
        # which costs more than a lookup (bench/server.py: about 15% more lookups a second).
        # Guarded (guard.py): a request must arrive in time, an address holds few connections,
        # and new connections go to the worker holding fewest (spread.py).
        "worker_class": worker_class,
        "worker_connections": 1000,
        # The longest request line gunicorn takes (a GET query sits in it); longer queries
        # must be POSTed, as README.md says.
        "limit_request_line": 8190,
        "preload_app": True,
        "timeout": int(settings.query_timeout) + 30,
        "graceful_timeout": 10,
        # gunicorn's own bound on waiting for a request's headers; the guard bounds the body.
        "keepalive": max(1, int(min(5, settings.request_timeout))),
        "proc_name": "dakg",
        "errorlog": "-",
        # Warnings and errors only: gunicorn's boot lines would bury the serving line, which
        # is what a person opening the home page needs. (The access log has its own level.)
        "loglevel": "warning",
        "accesslog": settings.access_log,
        "access_log_format": ACCESS_LOG_FORMAT,
        "post_worker_init": post_worker_init,
        "worker_exit": worker_exit,
        "child_exit": child_exit,
        "when_ready": lambda server: on_ready(),
    }


def end_worker() -> None:
    """End this web worker now that its query processes are stopped.

    Left to the interpreter's exit, the worker tears down pyoxigraph's RocksDB handle and its
    background threads while gevent's hub is being dismantled, and now and then crashes
    there (SIGSEGV at shutdown). There is nothing left to clean up, so the worker drops its
    store handle, flushes its output, and exits at once.
    """
    gc.collect()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(0)


def serve(settings: Settings, *, dataset: LinkedDataset | None = None) -> None:
    app = create_app(settings, dataset=dataset)
    url = f"http://{_host_for_url(settings.host)}:{settings.port}"

    def on_ready() -> None:
        print(f"dakg is serving {url}/ (the home page; SPARQL endpoint {url}/sparql; "
              "Ctrl+C stops it)", file=sys.stderr, flush=True)

    _Gunicorn(app, gunicorn_options(settings, on_ready)).run()


def _host_for_url(host: str) -> str:
    if host in ("0.0.0.0", "::", ""):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host
