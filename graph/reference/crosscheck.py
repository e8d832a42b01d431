"""Hold the curated reference data against the report; any disagreement stops the build.

Each error points at the place in the report (or names the curated entry) that disagrees.
"""

from __future__ import annotations

from typing import TypeVar

from ..errors import SourceError
from ..records import Citation, EntityMention, Mention, Report
from ..source import Source
from .model import Reference

M = TypeVar("M", bound=Mention)


def cross_check(report: Report, reference: Reference, source: Source) -> None:
    _check_clusters(report, reference)
    _check_asterisks(report, reference, source)
    _check_sectors(report, reference, source)
    _check_names(report, reference)
    _check_documents(report, reference)


def _check_clusters(report: Report, reference: Reference) -> None:
    numbers = sorted(n for section in report.sections for n in section.numbers)
    for n in numbers:
        owners = [c.letter for c in reference.clusters if n in c]
        if len(owners) != 1:
            raise SourceError(f"curated clusters: recommendation {n} belongs to "
                              f"{len(owners)} clusters {owners}; expected exactly one")
    extra = sorted(reference.immediate - set(numbers))
    if extra:
        raise SourceError(f"curated immediate_implementation lists {extra}, which the report "
                          "does not have")


def _check_asterisks(report: Report, reference: Reference, source: Source) -> None:
    for section in report.sections:
        for statement in section.statements:
            if statement.marked_immediate is None:
                continue  # the export lost this heading: nothing to compare
            curated = statement.number in reference.immediate
            if statement.marked_immediate != curated:
                said = "marks" if statement.marked_immediate else "does not mark"
                listed = "lists" if curated else "does not list"
                assert section.heading is not None
                raise source.error(
                    f"the heading {said} 建议{statement.number} with an asterisk (adopted for "
                    f"immediate implementation), but the curated immediate_implementation "
                    f"{listed} it", section.heading.span.start)


def _check_sectors(report: Report, reference: Reference, source: Source) -> None:
    used = set()
    for section in report.sections:
        for name in section.sectors:
            sector = reference.sector_named(name.text)
            if sector is None:
                known = "、".join(s.name_zh for s in reference.sectors)
                raise source.error(f"unknown WIPO sector '{name.text}'; the curated sectors "
                                   f"are {known}", name.span.start)
            used.add(sector.key)
    unused = [s.key for s in reference.sectors if s.key not in used]
    if unused:
        raise SourceError(f"curated sectors {unused} are never named by the report")


def _check_names(report: Report, reference: Reference) -> None:
    """Every spelling the gazetteer lists must be found somewhere in the report."""
    found = {(m.kind, m.key, m.surface) for m in _mentions(report, EntityMention)}
    for entity in reference.named_entities():
        for name in (*entity.names, *entity.short_names):
            if (entity.kind, entity.key, name) not in found:
                raise SourceError(f"curated {entity.kind} {entity.key!r}: the name {name!r} "
                                  "does not occur in the report")


def _check_documents(report: Report, reference: Reference) -> None:
    """A curated title must belong to the report itself or to a document it cites."""
    known = {report.symbol} | {m.symbol.canonical for m in _mentions(report, Citation)}
    for document in reference.documents:
        if document.symbol not in known:
            raise SourceError(f"curated document {document.symbol!r}: the report neither is "
                              "nor cites this document")


def _mentions(report: Report, kind: type[M]) -> list[M]:
    return [m for p in report.passages() for m in p.mentions if isinstance(m, kind)]
