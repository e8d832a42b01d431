"""The resources under ``/id/`` and ``/def/`` as HTML and RDF, and the home page.

A resource's IRI is the base IRI plus the request path, whatever host served the request:
``GET /id/recommendation/20`` on any host describes
``<https://w3id.org/dakg/id/recommendation/20>`` (with the default base), so a locally served
IRI dereferences. ``.ttl``, ``.jsonld``… on the path choose a representation; without one,
``Accept`` does.
"""

from __future__ import annotations

import hashlib

from flask import Response, render_template, request

from dakg.graph.stats import COVERAGE_QUERY, NAMED_KINDS, Coverage, coverage_from_rows

from .. import description, formats
from ..dataset import served_copy
from ..errors import HttpError
from ..queries import content, not_modified, select
from ..runtime import Runtime, runtime
from ..sparql import ROW_LIMIT_HEADER, TRUNCATED_HEADER
from .dumps import dumps_folder
from .naming import Namer
from .negotiation import DOWNLOADS, EXTENSIONS, negotiate, split_extension
from .paths import checked_path, header_path
from .query_page import query_link
from .resource import DESCRIPTION_LIMIT, describe_rdf, explore_query, inbound_query, load_page
from .responses import CODE_DIGEST, cacheable, cached_page, host_tag, html_response
from .terms import DCTERMS_NS, OA_NS, RDF_NS, prologue


def id_resource(path: str) -> Response:
    return resource("id/" + path)


def def_resource(path: str) -> Response:
    return resource("def/" + path)


def ontology_file(ext: str) -> Response:
    """``/def.ttl`` and the like: the ontology (``/def/``) in a format."""
    if ext not in EXTENSIONS:
        raise HttpError(404, f"no representation of the ontology with extension {ext!r}")
    return resource("def/", ext)


def resource(local: str, ext: str | None = None) -> Response:
    """The resource ``base + local`` (``local`` is ``id/…`` or ``def/…``, maybe with an
    extension; or ``ext`` given), as HTML or RDF."""
    rt = runtime()
    local = checked_path(local)
    if ext is None:
        local, ext = split_extension(local)
    iri = rt.settings.base_iri + local
    chosen = negotiate(ext)
    etag = _resource_etag(rt, iri, chosen)
    if etag in request.if_none_match:
        return not_modified(etag)
    response = _page(rt, iri) if isinstance(chosen, str) else _data(rt, iri, chosen)
    cacheable(response, etag)
    if ext is None:
        response.vary.add("Accept")
        response.headers["Link"] = _alternates(local)
    else:
        response.headers["Content-Location"] = header_path(request.path)
    return response


def _resource_etag(rt: Runtime, iri: str, chosen: str | formats.Format) -> str:
    """The dataset version, the layout, and a digest of the resource, its representation and
    the root the app is mounted at (which its links include)."""
    name = chosen if isinstance(chosen, str) else chosen.name
    digest = hashlib.blake2b(f"{iri}\x00{name}\x00{request.script_root}".encode(),
                             digest_size=8).hexdigest()
    return f"{rt.dataset.current().version}-page-{CODE_DIGEST}-{digest}-{host_tag()}"


def _page(rt: Runtime, iri: str) -> Response:
    page = load_page(rt, iri)
    return html_response(render_template(
        "resource.html", page=page, n=page.namer, OA=OA_NS, RDF=RDF_NS, DCTERMS=DCTERMS_NS,
        DAKG=page.dakg, downloads=DOWNLOADS, query_link=query_link(explore_query(iri)),
        inbound_query_link=query_link(inbound_query(iri))))


def _data(rt: Runtime, iri: str, fmt: formats.Format) -> Response:
    reply = describe_rdf(rt, iri, fmt)
    response = Response(content(reply), content_type=fmt.content_type)
    if reply.truncated:
        response.headers[TRUNCATED_HEADER] = "true"
        response.headers[ROW_LIMIT_HEADER] = str(DESCRIPTION_LIMIT)
    return response


def _alternates(local: str) -> str:
    """The ``Link`` header announcing the resource's RDF representations by extension."""
    path = header_path(request.script_root + "/" + local).rstrip("/")
    return ", ".join(f'<{path}.{d.ext}>; rel="alternate"; type="{d.media_type}"'
                     for d in DOWNLOADS)


@cached_page
def home() -> str:
    rt = runtime()
    snapshot = rt.dataset.current()
    key = ("sizes", snapshot.version)  # shared with the service description
    own_default, named = rt.cache.get(key, lambda: description.graph_sizes(rt))
    names = rt.cache.get(("coverage", snapshot.version), lambda: name_coverage(rt))
    return render_template("home.html", n=Namer(rt), graphs=list(named.items()),
                           own_default=own_default, total=own_default + sum(named.values()),
                           version=snapshot.version, dumps=dumps_folder(rt) is not None,
                           live=served_copy(rt.dataset), coverage=names,
                           scheme=rt.settings.base_iri + "id/scheme/development-agenda",
                           reports=rt.cache.get(("reports", snapshot.version),
                                                lambda: progress_reports(rt)))


def progress_reports(rt: Runtime) -> list[tuple[str, str]]:
    """The reports the data holds, as (IRI, symbol), in the order of their symbols."""
    rows, _ = select(rt, prologue(rt) + "SELECT ?report ?symbol { ?report a "
                     "dakg:ProgressReport ; dakg:symbol ?symbol } ORDER BY ?symbol", 1000)
    return [(row["report"]["value"], row["symbol"]["value"]) for row in rows]


def name_coverage(rt: Runtime) -> list[Coverage]:
    """How many things of each kind have a name in English and in Chinese (``dakg stats``
    prints the same figures)."""
    rows, _ = select(rt, prologue(rt) + COVERAGE_QUERY, len(NAMED_KINDS))
    counts = {row["kind"]["value"]: (int(row["n"]["value"]), int(row["withEn"]["value"]),
                                     int(row["withZh"]["value"])) for row in rows}
    return [c for c in coverage_from_rows(counts, rt.prefixes) if c.total]
