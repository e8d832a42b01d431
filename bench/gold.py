"""Gold-style figures for the mentions: precision on a judged sample, recall on paragraphs
annotated by hand.

    .venv/bin/python bench/gold.py            # the figures, from tests/data/gold_*.tsv
    .venv/bin/python bench/gold.py --sample   # the sample to judge, with context, as TSV rows

Precision: a deterministic sample (``SAMPLE`` mentions, seed ``SEED``) of every mention the
extractor finds; each was read in its context and judged right or wrong
(``tests/data/gold_sample.tsv``). Recall: every mention a reader finds in a set of paragraphs
drawn at random (``tests/data/gold_paragraphs.tsv``, which says how it was made), held against
the mentions the extractor finds in them. A mention is identified by its span and what it names
(``document CDIP/18/4``, ``session IGC:51``, ``committee CDIP``, ``programme abc``, …).
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass
from pathlib import Path

from dakg.graph.build import extract
from dakg.graph.records import Citation, CrossReference, EntityMention, Mention, SessionMention

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
SAMPLE = 40
SEED = 2026


@dataclass(frozen=True, order=True)
class Found:
    start: int
    end: int
    kind: str
    key: str


def label(mention: Mention) -> tuple[str, str]:
    if isinstance(mention, Citation):
        return "document", mention.symbol.canonical
    if isinstance(mention, SessionMention):
        return "session", f"{mention.committee}:{mention.number}"
    if isinstance(mention, CrossReference):
        return "recommendation", ",".join(str(n) for n in mention.numbers)
    assert isinstance(mention, EntityMention)
    return mention.kind, mention.key


def rows(name: str) -> list[list[str]]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line.strip() and not line.startswith("#")]


def found_mentions() -> tuple[str, list[Found]]:
    extraction = extract()
    found = {Found(m.span.start, m.span.end, *label(m))
             for p in extraction.report.passages() for m in p.mentions}
    return extraction.source.text, sorted(found)


def sample(found: list[Found]) -> list[Found]:
    return sorted(random.Random(SEED).sample(found, SAMPLE))


def precision(text: str, found: list[Found]) -> tuple[int, int, list[Found]]:
    """(right, judged, unjudged) over the sample as the extractor draws it today."""
    verdicts = {Found(int(r[0]), int(r[0]) + len(r[1]), r[2], r[3]): r[4]
                for r in rows("gold_sample.tsv")}
    drawn = sample(found)
    judged = [verdicts[f] for f in drawn if f in verdicts]
    return judged.count("right"), len(judged), [f for f in drawn if f not in verdicts]


def recall(text: str, found: list[Found]) -> tuple[int, int, int, list[str]]:
    """(found and annotated, annotated, found in those paragraphs, misses)."""
    gold: set[Found] = set()
    paragraphs: list[tuple[int, int]] = []
    for row in rows("gold_paragraphs.tsv"):
        if row[0] == "P":
            paragraphs.append((int(row[1]), int(row[2])))
        elif row[0] == "M":
            start = _occurrence(text, row[2], int(row[1]), int(row[3]))
            gold.add(Found(start, start + len(row[2]), row[4], row[5]))
    inside = {f for f in found if any(a <= f.start < b for a, b in paragraphs)}
    hits = gold & inside
    misses = [f"{text[g.start:g.end]} ({g.kind} {g.key}) at {g.start}"
              for g in sorted(gold - inside)]
    return len(hits), len(gold), len(inside), misses


def _occurrence(text: str, quote: str, start: int, nth: int) -> int:
    """Where the ``nth`` occurrence of ``quote`` at or after ``start`` begins."""
    at = start - 1
    for _ in range(nth):
        at = text.index(quote, at + 1)
    return at


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", action="store_true",
                        help="print the sample to judge (offset, quote, kind, key, context)")
    args = parser.parse_args()
    text, found = found_mentions()
    if args.sample:
        for f in sample(found):
            context = text[max(0, f.start - 20):f.start] + "[" + text[f.start:f.end] + "]" \
                + text[f.end:f.end + 20]
            print(f"{f.start}\t{text[f.start:f.end]}\t{f.kind}\t{f.key}\t?\t"
                  + context.replace("\n", " ").replace("\t", " "))
        return 0
    right, judged, unjudged = precision(text, found)
    hits, gold, inside, misses = recall(text, found)
    print(f"mentions found: {len(found)}")
    print(f"precision (judged sample of {SAMPLE}, seed {SEED}): {right}/{judged}"
          f" = {right / judged:.1%}" if judged else "precision: nothing judged")
    if unjudged:
        print(f"  {len(unjudged)} sampled mentions have no judgement: run --sample and add them")
    print(f"recall (hand-annotated paragraphs): {hits}/{gold} = {hits / gold:.1%}")
    print(f"precision in those paragraphs: {hits}/{inside} = {hits / inside:.1%}")
    for miss in misses:
        print(f"  missed: {miss}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
