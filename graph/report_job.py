"""One report's share of a build, as a job a worker process can run on its own.

A job reads one manifest and gives back everything the build keeps of that report: its graph
and its part of the shared graph as N-Quads (ready for Oxigraph's bulk loader), its SHACL
outcome, its rows of the search index, and the little the series cross-check needs
(``Findings``); ``run_and_write`` also
writes its graph's share of the dumps to files (``dump_pieces``: the build never reads a
report back from its store). Nothing of one report outlives its job, so a build's memory
follows its largest report, not the number of reports.

The shapes see the report as they would in a build of that report alone: its graph, what it
says of shared resources, the curated data (with the documents it names, described as a
report citing them would) and the ontology (whose ``rdfs:subClassOf`` the ``sh:class``
constraints follow). What only shows across reports is checked on the store
(``validate.check_store``).
"""

from __future__ import annotations

import dataclasses
import functools
import gc
import signal
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, URIRef

from dakg.search_index import StagedText, TypeRow, staged

from .dump_pieces import GraphPieces, report_pieces
from .errors import BuildError
from .extract.gazetteer import Gazetteer
from .extract.mentions import MentionFinder
from .extract.report import parse_report
from .extract.sessions import SessionFinder
from .rdf import dataset, iris
from .rdf.dataset import curated_documents, fixed_graphs, shapes_graph
from .rdf.namespaces import prefixes_for, rebased_iri
from .rdf.triples import Triple, collector_paused
from .reference import Findings, Reference, check_report, load_reference
from .shacl_sparql import report_validator
from .source import load_source
from .store import index_rows, nquads
from .validate import Outcome


@dataclass(frozen=True)
class ReportJob:
    manifest: Path
    reference: Path | None  # the curated data (None: the bundled file)
    base_iri: str
    software_version: str
    verify_hash: bool = True
    pieces: Path | None = None  # where to write the report graph's share of the dumps


@dataclass(frozen=True)
class ReportPart:
    """What a build keeps of one report."""

    manifest: Path
    symbol: str
    source_name: str  # the text file beside the manifest
    source_sha256: str
    graph: str  # the report graph's name (rebased)
    nquads: bytes  # the report graph and its part of the shared graph
    triples: int  # in the report graph
    outcome: Outcome
    findings: Findings
    focus_own: int  # the report's own nodes the shapes checked
    focus_shared: frozenset[str]  # the other nodes they checked (shared, curated)
    pieces: GraphPieces | None = None  # the report graph's share of the dumps, if asked
    # What the search index takes of the report (``dakg.search_index.rows``), ``staged``.
    index: tuple[tuple[TypeRow, ...], tuple[StagedText, ...]] = ((), ())


def mention_finder(reference: Reference) -> MentionFinder:
    gazetteer: Gazetteer = reference.gazetteer()
    return MentionFinder(gazetteer, SessionFinder(reference.committee_names()))


@functools.cache
def _context(reference_path: Path | None) -> tuple[Reference, MentionFinder, Graph]:
    """Per process, once: the curated data, its mention finder, and the graphs the shapes
    need beside each report (ontology and curated data)."""
    reference = load_reference(reference_path)
    fixed = curated_documents(reference)
    for named in fixed_graphs(reference):
        fixed += named.graph
    return reference, mention_finder(reference), fixed


@functools.cache
def _shapes(load: Callable[[], Graph]) -> Graph:
    """Per process, once per loader (so that a test that swaps the shapes gets its own)."""
    return load()


@functools.cache
def _freeze_what_stays() -> None:
    """Once per process, when what it keeps for all its jobs is made (the curated data, its
    graphs, the compiled shapes): take it out of the cyclic collector's sight
    (``gc.freeze``), so that a collection walks what a job makes, not those 10⁵ objects
    again (0.03 s a job for the collection after each)."""
    gc.collect()
    gc.freeze()


def run(job: ReportJob) -> ReportPart:
    """Extract, cross-check, map and validate one report.

    The cyclic collector is paused meanwhile: a job makes some 10⁶ objects that live until
    it ends and next to no cycles, so the collector would only walk them again and again (a
    tenth of the job's time). It resumes once they are freed."""
    with collector_paused():
        return _part(job)


def _part(job: ReportJob) -> ReportPart:
    """``run``'s work. The report's N-Quads are written once and go as they are to the
    validator's store (and to the build's); its search rows and own nodes are read from the
    mapped triples, so the job never parses the N-Quads back into Python objects."""
    reference, finder, fixed = _context(job.reference)
    validator = report_validator(fixed, _shapes(shapes_graph), job.base_iri)
    _freeze_what_stays()
    source = load_source(job.manifest, verify_hash=job.verify_hash)
    report = parse_report(source, finder)
    findings = check_report(report, source, reference)
    mapped = dataset.map_report(report, source.text, reference, job.software_version)
    quads_data = nquads(mapped.quads(), job.base_iri)
    name = rebased_iri(str(mapped.name), job.base_iri)
    shared = rebased_iri(str(iris.graph_shared()), job.base_iri)
    outcome, focus = validator.validate_nquads(quads_data, (name, shared))
    own = _subjects(mapped.own, job.base_iri)
    types, texts = staged(*index_rows(mapped.quads(), job.base_iri), job.base_iri + "def/")
    return ReportPart(job.manifest, report.symbol, source.name, source.manifest.sha256,
                      name, quads_data, len(mapped.own), outcome, findings,
                      len(focus & own), frozenset(focus - own),
                      index=(tuple(types), tuple(texts)))


def _subjects(triples: Iterable[Triple], base_iri: str) -> set[str]:
    """The subjects of ``triples`` as the validator names them (``node_text``), on
    ``base_iri``. They are IRIs: the mapping makes no blank node, whose label only the
    N-Quads writer settles (``store.nquads``)."""
    subjects = {s for s, _, _ in triples}
    blank = next((s for s in subjects if not isinstance(s, URIRef)), None)
    if blank is not None:
        raise BuildError(f"the mapping made a subject that is not an IRI: {blank!r}")
    return {rebased_iri(str(s), base_iri) for s in subjects}


def run_and_write(job: ReportJob) -> ReportPart:
    """``run``, then (if the job says where) write the report graph's share of the dumps
    from its N-Quads, once the rest of the job's work is freed: the job's peak memory stays
    that of ``run``."""
    part = run(job)
    if job.pieces is None:
        return part
    # ``run`` kept the collector paused: whatever cycles its work left (few, now that the
    # mapper's own is broken; a 2 ms collection) go before the pieces come on top of them.
    # The pieces pause it too: their 10⁵ parsed statements make no cycles (0.04 s a job).
    gc.collect()
    with collector_paused():
        pieces = report_pieces(part.nquads, part.graph, prefixes_for(job.base_iri),
                               job.pieces)
    return dataclasses.replace(part, pieces=pieces)


def ignore_interrupts() -> None:
    """A worker's initializer: Ctrl-C reaches the whole process group, and it is the build
    (the parent) that stops, cleans up and says so; workers just end with it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
