"""Lookup answers, kept while their data version is served.

A lookup (``lookup.py``: one triple pattern, or the ``DESCRIBE`` of named resources) is what
linked-data clients ask for, about the same resources over and over; its answer is a
function of the data version, the query as planned, the format and the address relative IRIs
resolve against (the ETag already promises that). Keeping the bytes spares the engine and
the result writer on every later request for it, as the page cache (``page_cache.py``) does
for the pages. A kept answer runs no query, so it takes no place among the queries, as a page
from the cache does not; every check of the request (``sparql_scan``) has run before.

Only lookups are kept: a query that runs on a query process runs each time, within the
limits, however often it is asked.
"""

from __future__ import annotations

from .jobs import Job, Reply
from .queries import execute
from .runtime import Runtime


def lookup(rt: Runtime, job: Job, version: str) -> Reply:
    """The answer to the planned lookup ``job`` on the data ``version``: kept, or run here."""
    key = (version, job.store, job.text, job.format, job.base_iri)
    kept = rt.answers.get(key)
    if kept is not None:
        return kept
    reply = execute(rt, job, here=True)
    if reply.spool is None:  # a long answer, cut on a query process, is not kept
        rt.answers.put(key, reply)
    return reply
