"""The results of ``bench/peers.py``: a Markdown table, an SVG chart and the raw figures.

Columns follow the peers in the order they ran; the ratio columns set dakg (the first peer)
against each of the others. A peer that gave no answer in time has an upper bound for its
rate, so a ratio against it is a lower bound, marked "≥" (and a geometric mean that takes
one in, too).
"""

from __future__ import annotations

import importlib.util
import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import NamedTuple

from peer_load import Rate
from peer_mix import Probe

# Issue 6's targets: dakg, with every limit on, against the bare floor on every row, and
# against rdflib-endpoint on the geometric mean.
FLOOR_TARGET = 0.8
RDFLIB_TARGET = 20.0


@dataclass(frozen=True)
class Row:
    probe: Probe
    connections: int
    rates: dict[str, Rate]  # by peer, in column order


@dataclass(frozen=True)
class Ratio:
    value: float
    bound: str = ""  # "≥" when the divisor is an upper bound, "≤" when the dividend is

    def __str__(self) -> str:
        return f"{self.bound} {_number(self.value)}".strip()


@dataclass(frozen=True)
class Run:
    peers: list[str]  # column order; the first is dakg
    rows: list[Row]
    measured: str  # when (UTC)
    context: str  # when, where, with what: the paragraph above the table
    notes: dict[str, str]  # how each peer ran


def ratio(a: Rate, b: Rate) -> Ratio | None:
    if a.per_second is None or b.per_second is None or (a.upper_bound and b.upper_bound):
        return None
    bound = "≥" if b.upper_bound else "≤" if a.upper_bound else ""
    return Ratio(a.per_second / b.per_second, bound)


def geometric_mean(ratios: list[Ratio | None]) -> Ratio | None:
    known = [r for r in ratios if r is not None]
    if not known:
        return None
    bounds = {r.bound for r in known} - {""}
    if len(bounds) > 1:  # a lower and an upper bound: the mean could be anything
        return None
    value = math.exp(sum(math.log(r.value) for r in known) / len(known))
    return Ratio(value, bounds.pop() if bounds else "")


def ratio_columns(run: Run) -> list[str]:
    return [f"{run.peers[0]} / {peer}" for peer in run.peers[1:]]


def ratios(run: Run, row: Row) -> list[Ratio | None]:
    first = row.rates[run.peers[0]]
    return [ratio(first, row.rates[peer]) for peer in run.peers[1:]]


def markdown(run: Run) -> str:
    heads = ["Query", "Conn.", *run.peers, *ratio_columns(run)]
    lines = [f"| {' | '.join(heads)} |", "|---|" + "--:|" * (len(heads) - 1)]
    for row in run.rows:
        cells = [_rate(row.rates[p]) for p in run.peers] + [_ratio(r) for r in ratios(run, row)]
        lines.append(f"| {row.probe.name} | {row.connections} | {' | '.join(cells)} |")
    for connections in sorted({row.connections for row in run.rows}):
        means = means_at(run, connections)
        blanks = [""] * len(run.peers)
        lines.append(f"| **geometric mean** | {connections} | {' | '.join(blanks)} | "
                     f"{' | '.join(f'**{_ratio(m)}**' for m in means)} |")
    return "\n".join(lines)


def means_at(run: Run, connections: int) -> list[Ratio | None]:
    """Geometric mean of each ratio column over the rows at ``connections``."""
    columns = zip(*(ratios(run, r) for r in run.rows if r.connections == connections),
                  strict=True)
    return [geometric_mean(list(column)) for column in columns]


class Verdict(NamedTuple):
    text: str
    met: bool


def verdicts(run: Run) -> list[Verdict]:
    """Issue 6's targets, each with whether this run meets it."""
    found = []
    if "floor" in run.peers:
        column = run.peers[1:].index("floor")
        worst = min((r for row in run.rows if (r := ratios(run, row)[column]) is not None),
                    key=lambda r: r.value, default=None)
        if worst is not None:
            found.append(_verdict(f"dakg / floor ≥ {FLOOR_TARGET} on every row",
                                  worst.value >= FLOOR_TARGET, f"lowest {worst}"))
    if "rdflib-endpoint" in run.peers:
        column = run.peers[1:].index("rdflib-endpoint")
        for connections in sorted({row.connections for row in run.rows}):
            mean = means_at(run, connections)[column]
            if mean is not None:
                found.append(_verdict(
                    f"dakg / rdflib-endpoint ≥ {RDFLIB_TARGET:g} on the geometric mean at "
                    f"{connections} conn.", mean.value >= RDFLIB_TARGET, str(mean)))
    return found


def _verdict(target: str, met: bool, figure: str) -> Verdict:
    return Verdict(f"{target}: {'meets' if met else 'MISSES'} ({figure})", met)


def document(run: Run) -> str:
    """The whole Markdown file: context, table, targets, how each peer ran, the queries."""
    peers = "\n".join(f"- **{name}**: {how}." for name, how in run.notes.items())
    queries = "\n".join(f"- {p.name}: `{p.query}`" + (
        f" (dakg: its page `{p.page}` as HTML; the peers without pages answer this query "
        "instead)" if p.page else "") for p in _probes(run))
    targets = "\n".join(f"- {v.text}" for v in verdicts(run))
    return f"""# dakg beside its peers

{run.context}

{markdown(run)}

Answers per second (2xx answers only; a figure marked `*` had error statuses or requests
given up on, not counted). "timed out": no answer within the time cap when checked, so not
loaded; "0": no answer within the run; a ratio against either is a lower bound (≥). The
page row times dakg's HTML page against the same resource's `DESCRIBE` from the peers that
have no pages.

Targets (issue 6):

{targets}

How each peer ran:

{peers}

The mix (every answer checked against Oxigraph in-process on the dump before timing):

{queries}
"""


def require_matplotlib() -> None:
    """Fail before the timing, not after it, when the chart cannot be drawn."""
    if importlib.util.find_spec("matplotlib") is None:
        raise SystemExit("matplotlib draws the chart: pip install -e '.[bench]'")


def write(run: Run, folder: Path) -> list[Path]:
    """``peers.md``, ``peers.svg`` and ``peers.json`` in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    table, chart, raw = folder / "peers.md", folder / "peers.svg", folder / "peers.json"
    table.write_text(document(run), encoding="utf-8")
    draw(run, chart)
    raw.write_text(json.dumps({
        "context": run.context, "peers": run.notes,
        "rows": [{"probe": row.probe.name, "query": row.probe.query, "page": row.probe.page,
                  "connections": row.connections,
                  "rates": {p: asdict(rate) for p, rate in row.rates.items()}}
                 for row in run.rows],
    }, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return [table, chart, raw]


def draw(run: Run, path: Path) -> None:
    """Two panels sharing the rows: answers per second per peer, and dakg's ratios."""
    import matplotlib

    matplotlib.use("svg")
    import matplotlib.pyplot as plt

    # Text stays text (smaller, searchable); fixed ids keep a re-run's diff small.
    plt.rcParams.update({"svg.fonttype": "none", "svg.hashsalt": "dakg", "font.size": 9})
    labels = [f"{row.probe.name}, {row.connections} conn." for row in run.rows]
    height = 0.8
    figure, (left, right) = plt.subplots(
        1, 2, sharey=True, figsize=(12, 1.2 + 0.42 * len(run.rows)),
        gridspec_kw={"width_ratios": [3, 2]}, layout="constrained")
    _bars(left, labels, [[row.rates[p] for row in run.rows] for p in run.peers],
          run.peers, height)
    left.set_xlabel("answers per second (log; hatched: an upper bound)")
    columns = list(zip(*(ratios(run, row) for row in run.rows), strict=True))
    _ratio_bars(right, labels, columns, run.peers, height)
    right.set_xlabel("dakg's ratio (log; dotted: issue 6's targets)")
    figure.suptitle(f"dakg beside its peers, same dump, measured {run.measured}", fontsize=10)
    figure.savefig(path, format="svg", metadata={"Date": None})
    plt.close(figure)


def _bars(axes: object, labels: list[str], series: list[list[Rate]], names: list[str],
          height: float) -> None:
    from matplotlib.axes import Axes

    assert isinstance(axes, Axes)
    step = height / len(series)
    for i, (name, rates) in enumerate(zip(names, series, strict=True)):
        ys = [y - height / 2 + step * (i + 0.5) for y in range(len(labels))]
        values = [r.per_second or 0.0 for r in rates]
        bars = axes.barh(ys, values, height=step, label=name)
        for bar, rate in zip(bars, rates, strict=True):
            if rate.upper_bound:
                bar.set_hatch("///")
                bar.set_alpha(0.5)
    axes.set_xscale("log")
    axes.set_yticks(range(len(labels)), labels)
    axes.invert_yaxis()
    axes.grid(axis="x", which="major", alpha=0.3)
    _legend_above(axes)


def _ratio_bars(axes: object, labels: list[str], columns: list[tuple[Ratio | None, ...]],
                peers: list[str], height: float) -> None:
    from matplotlib.axes import Axes

    assert isinstance(axes, Axes)
    step = height / max(1, len(columns))
    for i, (divisor, column) in enumerate(zip(peers[1:], columns, strict=True)):
        ys = [y - height / 2 + step * (i + 0.5) for y in range(len(labels))]
        values = [r.value if r is not None else 0.0 for r in column]
        # Each ratio in the colour of the peer it divides by, as on the left.
        bars = axes.barh(ys, values, height=step, label=f"{peers[0]} / {divisor}",
                         color=f"C{i + 1}")
        for bar, r in zip(bars, column, strict=True):
            if r is not None and r.bound:
                bar.set_hatch("///")
    axes.axvline(1.0, color="grey", linewidth=0.8)
    for target, name in ((FLOOR_TARGET, "floor"), (RDFLIB_TARGET, "rdflib-endpoint")):
        if name in peers:
            axes.axvline(target, linestyle=":", color="black", linewidth=1)
            axes.annotate(f"{target:g}× {name}", (target, 0), xycoords=("data", "axes fraction"),
                          xytext=(2, 2), textcoords="offset points", fontsize=7, rotation=90)
    axes.set_xscale("log")
    axes.grid(axis="x", which="major", alpha=0.3)
    _legend_above(axes)


def _legend_above(axes: object) -> None:
    from matplotlib.axes import Axes

    assert isinstance(axes, Axes)
    axes.legend(loc="lower left", bbox_to_anchor=(0, 1), ncols=3, frameon=False, fontsize=8)


def _probes(run: Run) -> list[Probe]:
    seen: dict[str, Probe] = {}
    for row in run.rows:
        seen.setdefault(row.probe.name, row.probe)
    return list(seen.values())


def _rate(rate: Rate) -> str:
    text = rate.label or _number(rate.per_second or 0.0)
    return text + ("*" if rate.failed else "")


def _ratio(r: Ratio | None) -> str:
    return "—" if r is None else str(r)


def _number(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}"
