"""The app factory: the only place the server's configuration enters."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from flask import Flask
from flask_compress import Compress
from werkzeug.wsgi import ClosingIterator

from dakg.formats import FORMATS
from dakg.graph.rdf.namespaces import DEFAULT_BASE, prefixes_for
from dakg.graph.store import agreed_base_iri
from dakg.settings import Settings

from . import cors, errors, remote
from .admission import Admission
from .body_limit import BodyLimit
from .clients import networks
from .dataset import LinkedDataset
from .queries import admitted, release
from .runtime import Runtime
from .writer import initialise

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger("dakg.server")

# Responses worth compressing: every result format (all are text) and the pages' own types.
COMPRESSED_TYPES = [*(f.media_type for f in FORMATS), "application/json", "text/html",
                    "text/plain", "text/css", "application/javascript"]


def create_app(settings: Settings, *, dataset: LinkedDataset | None = None) -> Flask:
    """A WSGI app serving ``dataset`` (default: the current build under the data folder)."""
    app = Flask(__name__)
    app.config.update(
        MAX_CONTENT_LENGTH=settings.max_request_bytes,
        MAX_FORM_MEMORY_SIZE=settings.max_request_bytes,
        COMPRESS_MIMETYPES=COMPRESSED_TYPES,
        COMPRESS_MIN_SIZE=1024,
        COMPRESS_ALGORITHM=["gzip"],
        COMPRESS_REGISTER=True,
        # Dumps are sent as files: compressing them on the fly would cost CPU on every
        # download and break their ETag (their sha256).
        COMPRESS_STREAMS=False,
        JSON_AS_ASCII=False,
    )
    if dataset is None:  # a build: its build.json says which base its IRIs are under
        settings = settings.replace(base_iri=agreed_base_iri(
            settings.data_dir, settings.base_iri, DEFAULT_BASE))
    store = None
    if (endpoints := settings.store_endpoints()) is not None:  # dakg serve --store URL
        store = remote.connect(endpoints, settings.query_timeout)
        dataset = remote.RemoteDataset(settings.data_dir, store)  # writes go to the server
    dataset = dataset or LinkedDataset(settings.data_dir)
    if settings.write_token is not None and store is None:
        dataset = live_dataset(dataset)
    app.extensions["dakg"] = Runtime(
        settings=settings, dataset=dataset,
        admission=Admission(max_queries=settings.query_workers * max(1, settings.workers)
                            + settings.max_queued_queries,
                            per_client=settings.per_client_queries,
                            # Half the query processes, at least one; the rest for others.
                            process_share=max(1, settings.query_workers * settings.workers // 2)),
        writable=settings.write_token is not None,
        prefixes=prefixes_for(settings.base_iri),
        proxies=networks(settings.trusted_proxies),
        remote=store,
    )
    Compress(app)
    errors.install(app)
    from .health import bp as health
    from .pages import bp as pages
    from .sparql import bp as sparql
    from .writes import bp as writes

    app.register_blueprint(sparql)
    app.register_blueprint(writes)
    app.register_blueprint(pages)
    app.register_blueprint(health)
    # Every body reader (forms, updates, uploads) sees the limit, chunked bodies included.
    app.wsgi_app = EveryResponse(  # type: ignore[method-assign]
        BodyLimit(app.wsgi_app, settings.max_request_bytes))
    logging.getLogger("dakg").setLevel(logging.INFO)
    return app


class EveryResponse:
    """The WSGI layer around the app: what every response gets, added here at a fraction of
    the cost of Flask hooks (each costs some microseconds a request, a lookup's whole web
    side some hundreds).

    - CORS headers, and the answer to a preflight (``cors.py``);
    - the request id (``X-Request-Id``), which error bodies and the log quote;
    - a request admitted among the queries keeps its place until the server has written its
      response whole (or given up on the client) and closes it (``queries.release``).
    """

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app

    def __call__(self, environ: WSGIEnvironment,
                 start_response: StartResponse) -> Iterable[bytes]:
        def tagged(status: str, headers: list[tuple[str, str]], *info: Any) -> Any:
            headers.extend(cors.ALLOWED)
            headers.append((errors.REQUEST_ID_HEADER, errors.request_id_of(environ)))
            return start_response(status, headers, *info)

        if cors.is_preflight(environ):
            tagged("204 No Content", list(cors.PREFLIGHT))
            return []
        try:
            body = self.app(environ, tagged)
        except BaseException:
            release(environ)
            raise
        if not admitted(environ):
            return body  # untouched: a file stays a file the server can sendfile()
        return ClosingIterator(body, lambda: release(environ))


def live_dataset(served: LinkedDataset) -> LinkedDataset:
    """The writable copy of ``served``: made on first use, kept (with its writes) after."""
    snapshot = served.current()
    live = served.folder / "live"
    initialise(live, snapshot.store, snapshot.version)
    origin = (live / "origin").read_text().strip()
    if origin != snapshot.version:
        log.warning("serving the live copy %s started from %s, not the current data %s; its "
                    "writes are kept ('dakg live reset' starts it again from the current data)",
                    live, origin, snapshot.version)
    return LinkedDataset(live)
