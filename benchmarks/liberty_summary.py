"""Summary of a liberty_area flow run: per design, the best baseline (the mapping users pick today) against the
best flow with the shortcircuit pass, and per mapping, the pass against the same mapping alone.

    python benchmarks/liberty_summary.py results/liberty/results.json --plot results/liberty/best_with_pass.png \
        > results/liberty/summary.md

A flow named `sc+<baseline>` is the pass followed by that baseline's mapping. Only records with status ok count.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def _areas(records: list[dict]) -> dict[str, dict[str, float]]:
    table: dict[str, dict[str, float]] = {}
    for record in records:
        if record["status"] == "ok" and record.get("area") is not None:
            table.setdefault(record["design"], {})[record["flow"]] = record["area"]
    return table


def summary(path: Path) -> str:
    data = json.loads(path.read_text())
    baselines = data["baselines"]
    areas = _areas(data["records"])
    paired = [name for name in baselines if any(f"sc+{name}" in row for row in areas.values())]
    ours = [f"sc+{name}" for name in paired]
    lines = [f"Per design: the smallest area of the baselines ({', '.join(baselines)}) against the smallest area "
             f"with the pass ({', '.join(ours)}).", "",
             "| design | best baseline | area | best with the pass | area | change |", "|---|---|---|---|---|---|"]
    total_base = total_ours = 0.0
    wins = losses = ties = 0
    for design, row in areas.items():
        base = {name: row[name] for name in baselines if name in row}
        mine = {name: row[name] for name in ours if name in row}
        if not base or not mine:
            continue
        base_name, base_area = min(base.items(), key=lambda item: item[1])
        our_name, our_area = min(mine.items(), key=lambda item: item[1])
        change = our_area / base_area - 1.0
        wins, losses, ties = wins + (change < -1e-9), losses + (change > 1e-9), ties + (abs(change) <= 1e-9)
        total_base, total_ours = total_base + base_area, total_ours + our_area
        lines.append(f"| {design} | {base_name} | {base_area:.1f} | {our_name} | {our_area:.1f} | "
                     f"{100 * change:+.2f}% |")
    if total_base:
        lines.append(f"| total | | {total_base:.1f} | | {total_ours:.1f} | {100 * (total_ours / total_base - 1):+.2f}% |")
    lines += ["", f"Smaller on {wins} designs, equal on {ties}, larger on {losses}.", "",
              "Per mapping: the pass before it against the same mapping alone (designs where both ran).", "",
              "| mapping | designs | alone | with the pass | change | smaller / equal / larger |", "|---|---|---|---|---|---|"]
    for name in paired:
        rows = [row for row in areas.values() if name in row and f"sc+{name}" in row]
        alone = sum(row[name] for row in rows)
        with_pass = sum(row[f"sc+{name}"] for row in rows)
        counts = [sum(1 for row in rows if compare(row[f"sc+{name}"], row[name])) for compare in
                  (lambda a, b: a < b - 1e-9, lambda a, b: abs(a - b) <= 1e-9, lambda a, b: a > b + 1e-9)]
        lines.append(f"| {name} | {len(rows)} | {alone:.1f} | {with_pass:.1f} | "
                     f"{100 * (with_pass / alone - 1):+.2f}% | {' / '.join(map(str, counts))} |")
    return "\n".join(lines) + "\n"


def plot(path: Path, out: Path) -> None:
    """Bars: per design, the best area with the pass over the best baseline's; markers: each mapping with the pass
    over the same mapping alone."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    data = json.loads(path.read_text())
    baselines = data["baselines"]
    areas = _areas(data["records"])
    designs = [d for d, row in areas.items() if any(f"sc+{b}" in row for b in baselines)]
    best = [min(row[f"sc+{b}"] for b in baselines if f"sc+{b}" in row) / min(row[b] for b in baselines if b in row)
            for row in (areas[d] for d in designs)]
    figure, axes = plt.subplots(figsize=(max(6.0, 0.45 * len(designs) + 2.5), 4.2))
    axes.bar(range(len(designs)), [100 * (r - 1) for r in best], color="tab:blue",
             label="best with the pass / best baseline")
    for number, name in enumerate(baselines):
        points = [(x, 100 * (areas[d][f"sc+{name}"] / areas[d][name] - 1)) for x, d in enumerate(designs)
                  if name in areas[d] and f"sc+{name}" in areas[d]]
        axes.plot([x for x, _ in points], [y for _, y in points], linestyle="none", marker="os^vD"[number % 5],
                  markersize=4, label=f"sc+{name} / {name}")
    axes.axhline(0.0, color="black", linewidth=0.8)
    axes.set_xticks(range(len(designs)))
    axes.set_xticklabels(designs, rotation=60, ha="right", fontsize=8)
    axes.set_ylabel("area change, % (below 0: smaller)")
    axes.set_title("gf180mcu cell area with the shortcircuit pass (never larger than the same mapping alone)")
    axes.grid(axis="y", alpha=0.3)
    axes.legend(fontsize=7, loc="lower left")
    figure.tight_layout()
    figure.savefig(out, dpi=120)
    plt.close(figure)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", type=Path, nargs="?", default=Path("results/liberty/results.json"))
    parser.add_argument("--plot", type=Path, help="also draw the changes to this PNG file")
    args = parser.parse_args()
    print(summary(args.results), end="")
    if args.plot:
        plot(args.results, args.plot)
