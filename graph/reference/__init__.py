"""The curated reference data: facts that are not in the report, kept apart from extraction.

``curated.toml`` (package data) holds them with their own provenance; ``load_reference``
reads it and ``cross_check`` holds it against what the extractor found in the report.
"""

from .crosscheck import Findings, SeriesFindings, check_report, check_series, cross_check
from .load import bundled_reference_path, load_reference
from .model import Cluster, DocumentTitle, Entity, Origin, Reference

__all__ = ["Cluster", "DocumentTitle", "Entity", "Findings", "Origin", "Reference",
           "SeriesFindings", "bundled_reference_path", "check_report", "check_series",
           "cross_check", "load_reference"]
