"""Synthetic reports go through the real extractor unchanged, and it finds what was written."""

from __future__ import annotations

from pathlib import Path

import pytest

from dakg.graph.build import Extraction, mention_finder
from dakg.graph.extract.report import parse_report
from dakg.graph.records import Report
from dakg.graph.source import load_source
from dakg.graph.synth import SESSIONS, Profile, Template, Variant, generate, template, variant


@pytest.fixture(scope="module")
def base(extraction: Extraction) -> Template:
    return template(extraction.source, extraction.report, extraction.reference.immediate)


def extracted(v: Variant, folder: Path, extraction: Extraction) -> Report:
    """The variant as the build reads it: written, hash-checked, parsed."""
    return parse_report(load_source(v.write(folder)), mention_finder(extraction.reference))


def blocks(report: Report) -> tuple[tuple[int, int, int], ...]:
    return tuple((len(s.implementation), len(s.highlights), len(s.activities))
                 for s in report.sections)


@pytest.mark.parametrize("index", [0, 1, 2, 3])
def test_the_extractor_finds_what_the_generator_wrote(
        base: Template, extraction: Extraction, tmp_path: Path, index: int) -> None:
    v = variant(base, 11, index)
    report = extracted(v, tmp_path, extraction)
    assert report.symbol == v.expected.symbol == f"CDIP/{36 + index}/2"
    assert v.manifest.session == v.expected.session == 36 + index
    assert (report.period.start, report.period.end) == v.expected.period
    assert tuple(s.position for s in report.sections if s.heading is None) == \
        v.expected.headless
    assert blocks(report) == v.expected.blocks
    assert {h.symbol for h in report.page_headers} == {v.expected.symbol}


def test_markup_is_never_moved_cut_or_copied(
        base: Template, extraction: Extraction, tmp_path: Path) -> None:
    report = extracted(variant(base, 11, 0), tmp_path, extraction)
    original = extraction.report
    assert [f.number for f in report.footnotes] == [f.number for f in original.footnotes]
    assert len(report.page_headers) == len(original.page_headers)


def test_the_current_and_previous_sessions_move_with_the_report(base: Template) -> None:
    text = variant(base, 11, 4).text  # CDIP 40: its documents, and those of CDIP 39
    assert "CDIP/35/" not in text and "CDIP/34/" not in text
    assert "第三十五届" not in text and "第三十四届" not in text
    assert "CDIP/39/3" in text  # the report's CDIP/34/3
    assert "第四十届会议" in text and "第三十九届会议" in text


def test_variants_are_deterministic_and_differ(base: Template) -> None:
    first = variant(base, 11, 2)
    assert variant(base, 11, 2) == first
    assert variant(base, 12, 2).text != first.text
    assert variant(base, 11, 3).text != first.text


def test_a_series_strays_from_the_report_as_the_profile_says(
        base: Template, extraction: Extraction) -> None:
    series = list(generate(base, 5, 20))
    original = blocks(extraction.report)
    changed = sum(v.expected.blocks != original for v in series)
    assert changed == len(series)
    real = {s.position for s in extraction.report.sections if s.heading is None}
    headless = sum(len(v.expected.headless) for v in series) / len(series)
    assert len(real) - 3 <= headless <= len(real) + 3  # about as many as the export lost
    assert any(real - set(v.expected.headless) for v in series), "no heading restored"
    assert any(set(v.expected.headless) - real for v in series), "no heading lost"
    still = variant(base, 5, 0, Profile(drop=0, add=0, reorder=0, resize=0, renumber=0,
                                        lose_heading=0, restore_heading=0))
    assert still.expected.blocks == original


def test_past_the_last_ordinal_the_series_takes_another_document_number(
        base: Template, extraction: Extraction, tmp_path: Path) -> None:
    v = variant(base, 11, len(SESSIONS))
    assert v.expected.symbol == "CDIP/36/102"
    assert extracted(v, tmp_path, extraction).symbol == "CDIP/36/102"
