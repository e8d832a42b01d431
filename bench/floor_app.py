"""The floor of ``bench/peers.py``: a bare Flask app over an in-memory Oxigraph store.

The least a Python SPARQL endpoint over dakg's dump can do: the N-Quads dump bulk-loaded
once into an in-memory ``pyoxigraph.Store``, then each ``GET /sparql?query=`` run on it with
the named graphs' union as the default graph (as dakg answers) and written by Oxigraph:
SELECT and ASK as SPARQL JSON, CONSTRUCT and DESCRIBE as Turtle. No limits at all: no time
limit, no row cap, no request scan, no admission control, no content negotiation, no pages.

gunicorn runs it as anyone deploys a Flask app (``bench/peers.py`` gives it dakg's own worker
count and class)::

    gunicorn --chdir bench --preload -w 2 -k gevent 'floor_app:create_app("dakg.nq")'
"""

from __future__ import annotations

import pyoxigraph as ox
from flask import Flask, Response, request

JSON = "application/sparql-results+json"
TURTLE = "text/turtle"


def create_app(dump: str) -> Flask:
    """The app over the quads of ``dump`` (N-Quads), loaded before gunicorn forks."""
    store = ox.Store()
    store.bulk_load(path=dump, format=ox.RdfFormat.N_QUADS)
    app = Flask(__name__)

    @app.get("/sparql")
    def sparql() -> Response:
        answer = store.query(request.args["query"], use_default_graph_as_union=True)
        if isinstance(answer, ox.QueryTriples):
            return Response(answer.serialize(format=ox.RdfFormat.TURTLE), mimetype=TURTLE)
        return Response(answer.serialize(format=ox.QueryResultsFormat.JSON), mimetype=JSON)

    return app
