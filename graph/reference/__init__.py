"""The curated reference data: facts that are not in the report, kept apart from extraction.

``curated.toml`` (package data) holds them with their own provenance; ``load_reference``
reads it and ``cross_check`` holds it against what the extractor found in the report.
"""

from .crosscheck import cross_check
from .load import bundled_reference_path, load_reference
from .model import Cluster, DocumentTitle, Entity, Origin, Reference

__all__ = ["Cluster", "DocumentTitle", "Entity", "Origin", "Reference", "bundled_reference_path",
           "cross_check", "load_reference"]
