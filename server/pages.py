"""Linked-data pages: every resource under /id/ and /def/ as HTML and as RDF; the home page,
the query page and the dumps. (Being written.)"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("pages", __name__)
