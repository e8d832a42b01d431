"""``dakg serve --store URL``: the server's store is a SPARQL server, dakg's checks in front.

When the ``store`` setting is a URL, ``create_app`` serves a ``RemoteDataset``: its version
is the one the server's registry names (``urn:dakg:served``), and ``queries.execute`` hands
every query (``/sparql``, every page, search, the figures, ``/store`` reads) to ``answer``
here instead of a query process. So each is scanned (SERVICE/LOAD refusal, nesting limits)
and admitted (per-client and global limits) exactly as on the embedded store; the HTTP call
carries ``query_timeout``, the answer (at most ``max_response_bytes``) is cut at the row
cap and written by the same writers into the same ``Reply`` a query process gives. A server
that does not answer in time is a 504, one that cannot be reached or fails a 503, one that
refuses a query as invalid a 400; no web worker waits past the timeout.

Writes (``/update``, updates on ``/sparql``, ``/store`` PUT, POST, DELETE, all behind the
write token) are sent as one SPARQL Update request each, which also keeps the registry in
step (``RemoteStore.write``): graphs written join the served dataset, and the version
changes, so no ETag or cached page of the old data is taken for the new.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox

from dakg.graph.rdf_input import UnsafeInput, format_for, parse_rdf
from dakg.graph.store import BUILDS, STORE
from dakg.graph.stores import Endpoints, StoreError, StoreTimeout
from dakg.graph.stores.http import StoreTooLarge
from dakg.graph.stores.remote import DEFAULT, RemoteStore, Streamed, prologue

from . import results, sparql_scan
from .dataset import LinkedDataset, Snapshot
from .errors import HttpError, bad_request, log, request_id, service_unavailable
from .jobs import Fault, Job, Reply, WriteJob, WriteReply
from .protocol import UpdateRequest, with_using
from .remote_writes import (
    declared_prefixes,
    dropped_as_the_embedded_store_does,
    expanded,
    into_own_default,
    targets,
    writable,
)

EMPTY = "empty"  # the version of a server no build has been loaded into yet


class RemoteDataset(LinkedDataset):
    """The build a SPARQL server serves; its dumps (and the search index's cache) are in the
    data folder, where ``dakg build --store`` left them."""

    def __init__(self, folder: Path, store: RemoteStore) -> None:
        super().__init__(folder)
        self.store = store

    def current(self) -> Snapshot:
        with unavailable_as_http(self.store):
            version = self.store.served().version or EMPTY
        # A build's own folder, if this machine has it (with its dumps); a version that
        # writes have changed has none.
        return Snapshot(store=str(self.folder / BUILDS / version / STORE), version=version)

    def exists(self) -> bool:
        return True


def connect(endpoints: Endpoints, timeout: float) -> RemoteStore:
    """The store at ``endpoints``, every call to it bounded by ``timeout`` seconds."""
    return RemoteStore(replace(endpoints, timeout=timeout))


# Reading

def answer(store: RemoteStore, job: Job, timeout: float, max_bytes: int) -> Reply:
    """``job`` answered by the server: the same ``Reply`` a query process gives. An answer
    longer than ``max_bytes`` is not read (``StoreTooLarge``)."""
    inspection = sparql_scan.inspect(job.text)
    default, named = job.default_graphs, job.named_graphs
    if default is None and named is None and not job.union and not inspection.dataset_clause:
        # The dataset's own default graph (not the union), and its named graphs.
        default, named = (DEFAULT,), store.served(timeout).graphs
    try:
        result = store.fetch(_sent(store, inspection, job, timeout), timeout=timeout,
                             default_graphs=default, named_graphs=named,
                             own_dataset=inspection.dataset_clause, max_bytes=max_bytes)
        return write(result, job)
    except StoreError as e:
        if e.status == 400:  # the server's parser refused it: the client's to mend
            return Reply.failed(Fault.SYNTAX, f"the SPARQL server refused it: {e.detail}")
        raise


def _sent(store: RemoteStore, inspection: sparql_scan.Inspection, job: Job,
          timeout: float) -> str:
    """The query as the server is sent it: its base and prefixes declared (``BASE`` first:
    Virtuoso reads no ``BASE`` after a ``PREFIX``), escapes in prefixed names written out."""
    text = spelled_out(inspection, job.prefixes)
    base = "" if any(t.is_word("BASE") for t in inspection.tokens) or not job.base_iri \
        else f"BASE <{job.base_iri}>\n"
    text = base + prologue(text, job.prefixes) + text
    store.served(timeout)  # known (and so which server it is) once it has answered once
    if inspection.form == "DESCRIBE" and store.virtuoso:
        # Virtuoso's own DESCRIBE adds the triples that point at the resource; on dakg a
        # description is the resource's concise bounded description, as Oxigraph's is.
        text = f'define sql:describe-mode "CBD"\n{text}'
    return text


def write(result: Streamed, job: Job) -> Reply:
    """``result`` in the job's format, cut at its row cap; the server's answer is parsed
    here, so its faults are the store's."""
    try:
        return _write(result, job)
    except TimeoutError as e:
        raise StoreTimeout(f"the answer stopped coming: {e}") from e
    except (OSError, SyntaxError, ValueError) as e:
        raise StoreError(f"the answer could not be read: {e}") from e


def _write(result: Streamed, job: Job) -> Reply:
    fmt, cap = job.format, job.row_limit
    if isinstance(result, ox.QueryBoolean):
        return Reply(body=results.boolean(result, fmt), count=1)
    if isinstance(result, ox.QuerySolutions):
        body, rows, cut = results.solutions(result, fmt, cap)
        return Reply(body=body, count=rows, truncated=cut)
    triples, cut = results.take(result, cap)
    body = results.graph(triples, fmt, job.prefixes, cap if cut else None)  # type: ignore[arg-type]
    return Reply(body=body, count=len(triples), truncated=cut)


def spelled_out(inspection: sparql_scan.Inspection, prefixes: dict[str, str]) -> str:
    """The query with every prefixed name that holds an escape (``id:recommendation\\/12``)
    written as a full IRI: SPARQL 1.1 allows the escapes, Virtuoso 7.2's parser does not."""
    found = inspection.tokens
    if not any(t.kind == "pname" and "\\" in t.text for t in found):
        return inspection.text
    declared = declared_prefixes(found, prefixes)
    text, parts, at = inspection.text, [], 0
    for token in found:
        if token.kind == "pname" and "\\" in token.text:
            iri = expanded(token, declared)
            if iri is not None:
                parts += [text[at:token.offset], f"<{iri}>"]
                at = token.offset + len(token.text)
    return "".join([*parts, text[at:]])


# Writing

def apply(store: RemoteStore, job: WriteJob, timeout: float) -> WriteReply:
    """A write of ``/update`` or ``/store`` done on the server: the same ``WriteReply`` a
    write process gives (failures as ``HttpError``)."""
    with unavailable_as_http(store):
        if job.op == "update":
            update(store, job.text, job.prefixes, job.base_iri, timeout)
            return WriteReply()
        if job.op == "delete":
            return WriteReply(existed=delete_graph(store, job.graph, timeout))
        existed, count = put_graph(store, job.graph, job.media_type, job.data,
                                   replace_it=job.op == "put", timeout=timeout)
        return WriteReply(existed=existed, count=count)


def update(store: RemoteStore, text: str, prefixes: dict[str, str], base_iri: str | None,
           timeout: float) -> None:
    """Run the update on the server, reading the served dataset unless it names its own,
    writing the dataset's default graph as ``urn:dakg:default`` (``remote_writes``)."""
    try:
        found = sparql_scan.inspect(text, update=True).tokens
    except sparql_scan.Refused as e:
        raise bad_request(str(e)) from e
    written = targets(found, prefixes)
    served = store.served(timeout)
    text = dropped_as_the_embedded_store_does(text, found, prefixes, {*served.graphs, DEFAULT})
    found = sparql_scan.inspect(text, update=True).tokens
    if not any(t.is_word("USING", "WITH") for t in found):
        text = with_using(UpdateRequest(text, served.default_graph, served.graphs), found)
        found = sparql_scan.inspect(text, update=True).tokens
    own, writes_default = into_own_default(text, found)
    if writes_default:  # served from now on
        written.added.append(DEFAULT)
    base = "" if any(t.is_word("BASE") for t in found) or not base_iri \
        else f"BASE <{base_iri}>\n"
    _written(lambda: store.write([base + prologue(own, prefixes) + own], written.added,
                                 written.dropped, timeout))


def put_graph(store: RemoteStore, graph: str | None, media_type: str, data: bytes,
              *, replace_it: bool, timeout: float) -> tuple[bool, int]:
    """Replace (or add to) ``graph`` (None: the default graph) with ``data``: whether it
    existed before, and the triples sent."""
    name = writable(graph or DEFAULT)
    try:
        quads = parse_rdf(data, format_for(media_type), base_iri=graph,
                          graph=ox.NamedNode(name))
    except UnsafeInput as e:
        raise bad_request(f"the data is refused: {e}") from e
    if any(q.graph_name != ox.NamedNode(name) for q in quads):
        raise bad_request("the data is refused: the body holds named graphs; send a graph "
                          "format (Turtle, N-Triples, RDF/XML, JSON-LD) to one graph")
    existed = graph_exists(store, graph, timeout)
    triples = ox.serialize([ox.Triple(q.subject, q.predicate, q.object) for q in quads],
                           format=ox.RdfFormat.N_TRIPLES)
    steps = [f"DROP SILENT GRAPH <{name}>"] if replace_it else []
    steps.append(f"INSERT DATA {{ GRAPH <{name}> {{\n{(triples or b'').decode()}}} }}")
    _written(lambda: store.write(steps, [name], [], timeout))
    return existed, len(quads)


def delete_graph(store: RemoteStore, graph: str | None, timeout: float) -> bool:
    """Drop ``graph`` (None: empty the default graph); whether it existed."""
    name = writable(graph or DEFAULT)
    existed = graph_exists(store, graph, timeout)
    if existed:
        _written(lambda: store.write([f"DROP SILENT GRAPH <{name}>"], [], [name], timeout))
    return existed


def graph_exists(store: RemoteStore, graph: str | None, timeout: float) -> bool:
    """Whether ``graph`` is served (the default graph always is)."""
    return graph is None or graph in store.served(timeout).graphs


def _written(run: Callable[[], None]) -> None:
    try:
        run()
    except StoreError as e:
        if e.status == 400:
            raise bad_request(f"the SPARQL server refused the update: {e.detail}") from e
        raise


# Failures

@contextlib.contextmanager
def unavailable_as_http(store: RemoteStore) -> Iterator[None]:
    """The server's failures as the client sees them: 504 when it did not answer in time,
    503 when it cannot be reached or failed (what went wrong goes to the log)."""
    try:
        yield
    except StoreTimeout as e:
        log.warning("[%s] %s", request_id(), e)
        raise HttpError(504, f"the SPARQL server did not answer within "
                             f"{store.endpoints.timeout:g} s; make the query more selective, "
                             "or add a LIMIT") from e
    except StoreTooLarge as e:
        raise service_unavailable(
            f"the SPARQL server's answer is longer than {e.max_bytes} bytes, the most this "
            "server reads (max_response_bytes); add a LIMIT") from e
    except StoreError as e:
        log.error("[%s] %s", request_id(), e)
        if e.status is not None and e.status >= 500 and e.detail:  # it failed, saying why
            raise service_unavailable(f"the SPARQL server behind this endpoint did not "
                                      f"answer: {e.detail.splitlines()[0]}") from e
        raise service_unavailable("the SPARQL server behind this endpoint cannot answer "
                                  "now; retry shortly") from e
