"""Linked-data pages: every resource under /id/ and /def/ as HTML and as RDF; the home page,
the list of recommendations, the query page and the dumps.

Every IRI under the base is linked on the pages as a local path, and every page reads the
store through SELECTs run on a query process like any client's query, within the same limits.

The modules, from the bottom up: ``terms`` (RDF terms from SPARQL results), ``paths``
(request paths as IRIs, IRIs as links), ``naming`` (labels and links of what a page shows),
``negotiation`` (HTML or which RDF format), ``resource`` (a resource's description and
page), ``responses`` (HTML responses and their ETags); then the views: ``views`` (resources
and home), ``recommendations``, ``query_page``, ``dumps``. The URL map is here, in one place.
"""

from __future__ import annotations

from flask import Blueprint
from flask.blueprints import BlueprintSetupState

from ..runtime import runtime
from . import (
    dumps,
    harvest,
    home_data,
    indexes,
    query_page,
    recommendations,
    report,
    search,
    validation,
    views,
)
from .naming import text_lang, visible_controls, visible_ws
from .responses import harden

bp = Blueprint("pages", __name__)

bp.add_url_rule("/", view_func=views.home)
bp.add_url_rule("/id/<path:path>", view_func=views.id_resource)
bp.add_url_rule("/def/<path:path>", view_func=views.def_resource)
bp.add_url_rule("/def/", view_func=views.def_resource, defaults={"path": ""})
bp.add_url_rule("/def.<ext>", view_func=views.ontology_file)
bp.add_url_rule("/recommendations", view_func=recommendations.recommendations)
for _index in indexes.INDEXES:
    bp.add_url_rule("/" + _index.path, endpoint=_index.path, view_func=indexes.index_page,
                    defaults={"name": _index.path})
bp.add_url_rule("/report/<path:symbol>", view_func=report.report)
bp.add_url_rule("/.well-known/void", view_func=harvest.void)
bp.add_url_rule("/query", view_func=query_page.query_page)
bp.add_url_rule("/search", view_func=search.search)
bp.add_url_rule("/search.json", view_func=search.search_json)
bp.add_url_rule("/validation", view_func=validation.validation)
bp.add_url_rule("/validation.<ext>", view_func=validation.validation_file)
bp.add_url_rule("/dumps/", view_func=dumps.dumps)
bp.add_url_rule("/dumps/<path:name>", view_func=dumps.dump_file)

bp.add_app_template_global(text_lang)
bp.add_app_template_global(visible_ws)
bp.add_app_template_global(report.report_href)
bp.add_app_template_global(query_page.query_link, "query_href")
bp.add_app_template_global(lambda: home_data.published_report(runtime()), "published_report")
bp.after_app_request(harden)  # every response: error pages and static files too


@bp.record_once
def _show_bidi_controls(state: BlueprintSetupState) -> None:
    state.app.jinja_env.finalize = visible_controls

__all__ = ["bp"]
