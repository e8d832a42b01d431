"""Hold the curated reference data against the reports; any disagreement stops the build.

Each report must agree with the curated data where it speaks (its clusters, asterisks and
sector names); what the curated data lists (sectors, names, documents) must occur in one of
the reports built together, not necessarily in each. Each error points at the place in the
report (or names the curated entry) that disagrees.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from ..errors import SourceError
from ..records import Citation, EntityMention, Mention, Report
from ..source import Source
from .model import Reference

M = TypeVar("M", bound=Mention)


def cross_check(reports: Sequence[tuple[Report, Source]], reference: Reference) -> None:
    """Check every report against the curated data, then the curated data against them all."""
    numbers: set[int] = set()
    used: set[str] = set()
    for report, source in reports:
        numbers |= _check_clusters(report, reference)
        _check_asterisks(report, reference, source)
        used |= _check_sectors(report, reference, source)
    extra = sorted(reference.immediate - numbers)
    if extra:
        raise SourceError(f"curated immediate_implementation lists {extra}, which "
                          f"{_none_of(reports)} has")
    unused = [s.key for s in reference.sectors if s.key not in used]
    if unused:
        raise SourceError(f"curated sectors {unused} are never named by {_none_of(reports)}")
    _check_names(reports, reference)
    _check_documents(reports, reference)


def _none_of(reports: Sequence[tuple[Report, Source]]) -> str:
    return "the report" if len(reports) == 1 else f"any of the {len(reports)} reports"


def _check_clusters(report: Report, reference: Reference) -> set[int]:
    numbers = sorted(n for section in report.sections for n in section.numbers)
    for n in numbers:
        owners = [c.letter for c in reference.clusters if n in c]
        if len(owners) != 1:
            raise SourceError(f"curated clusters: recommendation {n} belongs to "
                              f"{len(owners)} clusters {owners}; expected exactly one")
    return set(numbers)


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


def _check_sectors(report: Report, reference: Reference, source: Source) -> set[str]:
    used = set()
    for section in report.sections:
        for name in section.sectors:
            sector = reference.sector_named(name.text)
            if sector is None:
                known = "、".join(s.name_zh for s in reference.sectors)
                raise source.error(f"unknown WIPO sector '{name.text}'; the curated sectors "
                                   f"are {known}", name.span.start)
            used.add(sector.key)
    return used


def _check_names(reports: Sequence[tuple[Report, Source]], reference: Reference) -> None:
    """Every spelling the gazetteer lists must be found somewhere in the reports."""
    found = {(m.kind, m.key, m.surface)
             for report, _ in reports for m in _mentions(report, EntityMention)}
    for entity in reference.named_entities():
        for name in (*entity.names, *entity.short_names):
            if (entity.kind, entity.key, name) not in found:
                raise SourceError(f"curated {entity.kind} {entity.key!r}: the name {name!r} "
                                  f"does not occur in {_none_of(reports)}")


def _check_documents(reports: Sequence[tuple[Report, Source]], reference: Reference) -> None:
    """A curated title must belong to a report itself or to a document one cites."""
    known = {r.symbol for r, _ in reports} | {
        m.symbol.canonical for r, _ in reports for m in _mentions(r, Citation)}
    for document in reference.documents:
        if document.symbol not in known:
            subject = "the report neither is" if len(reports) == 1 else "no report is"
            raise SourceError(f"curated document {document.symbol!r}: {subject} nor cites "
                              "this document")


def _mentions(report: Report, kind: type[M]) -> list[M]:
    return [m for p in report.passages() for m in p.mentions if isinstance(m, kind)]
