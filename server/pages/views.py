"""The resources under ``/id/`` and ``/def/`` as HTML and RDF, and the home page.

A resource's IRI is the base IRI plus the request path, whatever host served the request:
``GET /id/recommendation/20`` on any host describes
``<https://w3id.org/dakg/id/recommendation/20>`` (with the default base), so a locally served
IRI dereferences. ``.ttl``, ``.jsonld``… on the path choose a representation; without one,
``Accept`` does.
"""

from __future__ import annotations

import hashlib

from flask import Response, render_template, request, url_for

from dakg.graph.stats import COVERAGE_QUERY, NAMED_KINDS, Coverage, coverage_from_rows

from .. import description, formats
from ..dataset import served_copy
from ..errors import HttpError
from ..page_cache import Rendered
from ..queries import content, not_modified, select
from ..runtime import Runtime, runtime
from ..sparql import ROW_LIMIT_HEADER, TRUNCATED_HEADER
from . import home_data, indexes, pictures, recommendations
from .dumps import dumps_folder
from .naming import Namer
from .negotiation import DOWNLOADS, EXTENSIONS, negotiate, split_extension
from .ontology import ontology_rdf
from .ontology_docs import ontology_page
from .paths import checked_path, header_path
from .query_page import query_link
from .resource import DESCRIPTION_LIMIT, describe_rdf, explore_query, inbound_query, load_page
from .responses import CODE_DIGEST, cacheable, cached_page, host_tag, html_response
from .terms import DCTERMS_NS, OA_NS, RDF_NS, prologue

# Reports the home page names, newest first (and their graphs in its table): a series of a
# thousand reports would make it a page of a megabyte; the rest are a query away.
HOME_REPORTS = 10


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
    response = _rendered(rt, iri, chosen, whole_ontology=local.startswith("def/"))
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


def _rendered(rt: Runtime, iri: str, chosen: str | formats.Format, *,
              whole_ontology: bool) -> Response:
    """The page or representation, from the cache of rendered pages if it is there."""
    name = chosen if isinstance(chosen, str) else chosen.name
    key = (rt.dataset.current().version, iri, name, request.script_root, request.host_url)
    kept = rt.pages.get(key)
    if kept is None:
        response = _page(rt, iri) if isinstance(chosen, str) else \
            _data(rt, iri, chosen, whole_ontology=whole_ontology)
        if response.is_streamed:  # a long description, spooled: written each time
            return response
        kept = Rendered(response.get_data(), response.content_type,
                        tuple((k, v) for k, v in response.headers.items()
                              if k in (TRUNCATED_HEADER, ROW_LIMIT_HEADER)))
        rt.pages.put(key, kept)
    response = Response(kept.body, content_type=kept.content_type)
    response.headers.extend(kept.headers)
    return response


def _page(rt: Runtime, iri: str) -> Response:
    if iri.startswith(rt.settings.base_iri + "def/"):
        documented = ontology_page(rt, iri)
        if documented is not None:
            return html_response(documented)
    page = load_page(rt, iri)
    return html_response(render_template(
        "resource.html", page=page, n=page.namer, OA=OA_NS, RDF=RDF_NS, DCTERMS=DCTERMS_NS,
        readings=recommendations.readings(rt, page),
        DAKG=page.dakg, downloads=DOWNLOADS, query_link=query_link(explore_query(iri)),
        inbound_query_link=query_link(inbound_query(iri))))


def _data(rt: Runtime, iri: str, fmt: formats.Format, *, whole_ontology: bool) -> Response:
    reply = (ontology_rdf(rt, fmt) if whole_ontology else None) or describe_rdf(rt, iri, fmt)
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
    """What this server publishes: the report's home page if the store holds a progress
    report, else a description of whatever data it serves (``serve --data``)."""
    rt = runtime()
    snapshot = rt.dataset.current()
    key = ("sizes", snapshot.version)  # shared with the service description
    own_default, named = rt.cache.get(key, lambda: description.graph_sizes(rt))
    report = home_data.published_report(rt)
    reports = recommendations.newest_first(rt) if report is not None else []
    shown, earlier = reports[:HOME_REPORTS], reports[HOME_REPORTS:]
    hidden = {r.graph for r in earlier}
    graphs = [g for g in named if g not in hidden]
    common = {"n": Namer(rt), "graphs": [(g, named[g]) for g in graphs],
              "own_default": own_default, "total": own_default + sum(named.values()),
              "version": snapshot.version, "dumps": dumps_folder(rt) is not None,
              "live": served_copy(rt.dataset), "graph_links": home_data.graph_links(rt, graphs)}
    if report is None:
        classes = rt.cache.get(("classes", snapshot.version), lambda: home_data.classes(rt))
        return render_template("home_data.html", classes=classes, **common)
    names = rt.cache.get(("coverage", snapshot.version), lambda: name_coverage(rt))
    browse = rt.cache.get(("index-counts", snapshot.version), lambda: indexes.counts(rt))
    drawn = rt.cache.get(("pictures", snapshot.version), lambda: pictures.pictures(rt))
    return render_template("home.html", browse=browse, indexes=indexes.INDEXES, pictures=drawn,
                           coverage=names, report=report,
                           scheme=rt.settings.base_iri + "id/scheme/development-agenda",
                           reports=[(r.report, r.symbol) for r in shown],
                           earlier=len(earlier), earlier_graphs=len(hidden),
                           all_reports=url_for("pages.reports"), **common)


def name_coverage(rt: Runtime) -> list[Coverage]:
    """How many things of each kind have a name in English and in Chinese (``dakg stats``
    prints the same figures): as the build counted them, if it did."""
    figures = rt.figures()
    if figures is not None:
        counts = figures.coverage
    else:
        rows, _ = select(rt, prologue(rt) + COVERAGE_QUERY, len(NAMED_KINDS))
        counts = {row["kind"]["value"]: (int(row["n"]["value"]), int(row["withEn"]["value"]),
                                         int(row["withZh"]["value"])) for row in rows}
    return [c for c in coverage_from_rows(counts, rt.prefixes) if c.total]
