"""Hold the curated reference data against the reports; any disagreement stops the build.

Each report must agree with the curated data where it speaks (its clusters, asterisks and
sector names); what the curated data lists (sectors, names, documents) must occur in one of
the reports built together, not necessarily in each. Each error points at the place in the
report (or names the curated entry) that disagrees.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from ..errors import SourceError
from ..records import Citation, EntityMention, Mention, Report
from ..source import Source
from .model import Reference

M = TypeVar("M", bound=Mention)


@dataclass(frozen=True)
class Findings:
    """What the cross-check keeps of one report to hold the curated data against the series:
    a few small sets, so that a build of many reports need not keep the reports."""

    numbers: frozenset[int]  # the recommendations it reports on
    sectors: frozenset[str]  # the curated sectors it names
    names: frozenset[tuple[str, str, str]]  # (kind, key, spelling) of its entity mentions
    documents: frozenset[str]  # its own symbol and the symbols it cites


@dataclass
class SeriesFindings:
    """The findings of the reports seen so far, gathered one report at a time."""

    reports: int = 0
    numbers: set[int] = field(default_factory=set)
    sectors: set[str] = field(default_factory=set)
    names: set[tuple[str, str, str]] = field(default_factory=set)
    documents: set[str] = field(default_factory=set)

    def add(self, findings: Findings) -> None:
        self.reports += 1
        self.numbers |= findings.numbers
        self.sectors |= findings.sectors
        self.names |= findings.names
        self.documents |= findings.documents


def cross_check(reports: Sequence[tuple[Report, Source]], reference: Reference) -> None:
    """Check every report against the curated data, then the curated data against them all."""
    found = SeriesFindings()
    for report, source in reports:
        found.add(check_report(report, source, reference))
    check_series(found, reference)


def check_report(report: Report, source: Source, reference: Reference) -> Findings:
    """Check one report where it speaks (clusters, asterisks, sector names); give back what
    the series check needs of it."""
    numbers = _check_clusters(report, reference)
    _check_asterisks(report, reference, source)
    sectors = _check_sectors(report, reference, source)
    names = {(m.kind, m.key, m.surface) for m in _mentions(report, EntityMention)}
    documents = {report.symbol} | {m.symbol.canonical for m in _mentions(report, Citation)}
    return Findings(frozenset(numbers), frozenset(sectors), frozenset(names),
                    frozenset(documents))


def check_series(found: SeriesFindings, reference: Reference) -> None:
    """What the curated data lists must occur in one of the reports (``found``)."""
    extra = sorted(reference.immediate - found.numbers)
    if extra:
        raise SourceError(f"curated immediate_implementation lists {extra}, which "
                          f"{_none_of(found.reports)} has")
    unused = [s.key for s in reference.sectors if s.key not in found.sectors]
    if unused:
        raise SourceError(f"curated sectors {unused} are never named by "
                          f"{_none_of(found.reports)}")
    _check_names(found, reference)
    _check_documents(found, reference)


def _none_of(reports: int) -> str:
    return "the report" if reports == 1 else f"any of the {reports} reports"


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


def _check_names(found: SeriesFindings, reference: Reference) -> None:
    """Every spelling the gazetteer lists must be found somewhere in the reports."""
    for entity in reference.named_entities():
        for name in (*entity.names, *entity.short_names):
            if (entity.kind, entity.key, name) not in found.names:
                raise SourceError(f"curated {entity.kind} {entity.key!r}: the name {name!r} "
                                  f"does not occur in {_none_of(found.reports)}")


def _check_documents(found: SeriesFindings, reference: Reference) -> None:
    """A curated title must belong to a report itself or to a document one cites."""
    for document in reference.documents:
        if document.symbol not in found.documents:
            subject = "the report neither is" if found.reports == 1 else "no report is"
            raise SourceError(f"curated document {document.symbol!r}: {subject} nor cites "
                              "this document")


def _mentions(report: Report, kind: type[M]) -> list[M]:
    return [m for p in report.passages() for m in p.mentions if isinstance(m, kind)]
