"""Synthetic reports: write N realistic variants of CDIP/35/2 (text + manifest) into a folder.

Run: ``python bench/synth.py --count 10 [--seed 1] [--first 0] [--out var/synth] [--check]``

Each variant reads like another year of the series (``dakg.graph.synth`` says how it is
made); ``--check`` runs the real extractor on each and compares what it finds with what the
generator wrote. The scale curve and the multi-report tests build from these folders.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from dakg.graph.build import extract, mention_finder
from dakg.graph.extract.mentions import MentionFinder
from dakg.graph.extract.report import parse_report
from dakg.graph.source import load_source
from dakg.graph.synth import Variant, generate, template


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10, help="variants to write")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--first", type=int, default=0, help="index of the first variant")
    parser.add_argument("--out", type=Path, default=Path("var/synth"))
    parser.add_argument("--check", action="store_true",
                        help="extract each variant and compare with what was written")
    args = parser.parse_args()
    base = extract()
    made = template(base.source, base.report, base.reference.immediate)
    finder = mention_finder(base.reference)
    started = time.perf_counter()
    failures = 0
    for variant in generate(made, args.seed, args.count, first=args.first):
        manifest = variant.write(args.out)
        if args.check and not _agrees(variant, manifest, finder):
            failures += 1
    seconds = time.perf_counter() - started
    print(f"{args.count} variants (seed {args.seed}) in {args.out} in {seconds:.1f} s"
          + (f"; {failures} disagree with the extractor" if args.check else ""))
    return 1 if failures else 0


def _agrees(variant: Variant, manifest: Path, finder: MentionFinder) -> bool:
    report = parse_report(load_source(manifest), finder)
    found = (tuple(s.position for s in report.sections if s.heading is None),
             tuple((len(s.implementation), len(s.highlights), len(s.activities))
                   for s in report.sections))
    wanted = (variant.expected.headless, variant.expected.blocks)
    if found != wanted:
        print(f"{manifest}: the extractor found {found}, the generator wrote {wanted}")
    return found == wanted


if __name__ == "__main__":
    raise SystemExit(main())
