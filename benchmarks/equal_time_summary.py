"""Summarizes an equal-time run (flows/equal_time.yaml): per design, the best proven baseline against the schedule
and its ablation, with the totals, the geometric mean of the ratios and the designs above 1.0.

    python benchmarks/equal_time_summary.py results/designs/equal_time/results.json

Reads the run's results.json (records of `sc-flow`); prints markdown. A baseline without a proven result on a design
(time out, failed proof) does not count for that design; a schedule without one counts as a loss. ABC's commands
overrun their -T; with `--within S` a baseline result counts only if its task took at most S seconds, the strictly
equal-time view.
"""

from __future__ import annotations

import argparse
import json
import math
from collections import defaultdict

SCHEDULE, ABLATION = "schedule", "schedule_abc_only"


def proven_ands(results: dict, within_s: float = math.inf) -> dict[str, dict[str, int]]:
    """design -> flow -> ANDs of its proven result; a baseline's only if its task took at most within_s."""
    ands: dict[str, dict[str, int]] = defaultdict(dict)
    for record in results["records"]:
        if record["flow"] in results["baselines"] and record["time_s"] > within_s:
            continue
        if record["status"] == "ok" and record["verified"] == "equivalent":
            ands[record["design"]][record["flow"]] = record["ands"]
    return ands


def best_baselines(results: dict, ands: dict[str, dict[str, int]]) -> dict[str, int]:
    """design -> the smallest proven baseline result in `ands` (designs without one are left out)."""
    return {design: min(found[b] for b in results["baselines"] if b in found)
            for design, found in ands.items() if any(b in found for b in results["baselines"])}


def summarize(results: dict, within_s: float = math.inf) -> str:
    baselines = results["baselines"]
    ands = proven_ands(results, within_s)
    winners = {record["design"]: record.get("message", "").partition("by step: ")[2] or "-"  # ANDs saved per step
               for record in results["records"] if record["flow"] == SCHEDULE and record["status"] == "ok"}
    header = ["design", *baselines, "best baseline", SCHEDULE, ABLATION, "schedule / best", "ablation / best",
              "ANDs saved by the schedule's steps"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    totals = defaultdict(int)
    ratios: dict[str, list[float]] = {SCHEDULE: [], ABLATION: []}
    above = []
    bests = best_baselines(results, ands)
    for design, found in ands.items():
        if design not in bests or SCHEDULE not in found or ABLATION not in found:
            continue
        best = bests[design]
        totals["best"] += best
        row = [design, *(str(found.get(b, "-")) for b in baselines), str(best)]
        for flow in (SCHEDULE, ABLATION):
            totals[flow] += found[flow]
            ratios[flow].append(found[flow] / best)
            row.append(str(found[flow]))
        row += [f"{found[SCHEDULE] / best:.4f}", f"{found[ABLATION] / best:.4f}", winners.get(design, "-")]
        if found[SCHEDULE] > best:
            above.append(design)
        lines.append("| " + " | ".join(row) + " |")
    count = len(ratios[SCHEDULE])
    geo = {flow: math.exp(sum(map(math.log, r)) / len(r)) if r else float("nan") for flow, r in ratios.items()}
    lines += [
        "",
        f"Designs: {count}. Total ANDs: best baseline {totals['best']:,}, schedule {totals[SCHEDULE]:,} "
        f"({totals[SCHEDULE] / totals['best']:.4f}), ablation {totals[ABLATION]:,} "
        f"({totals[ABLATION] / totals['best']:.4f}). Geometric mean of the ratios: schedule {geo[SCHEDULE]:.4f}, "
        f"ablation {geo[ABLATION]:.4f}. "
        f"Schedule above the best baseline on {len(above)}: {', '.join(above) or 'none'}. "
        f"Schedule against its ablation: {totals[SCHEDULE] / totals[ABLATION]:.4f}.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", help="results.json of an equal-time run")
    parser.add_argument("--within", type=float, default=math.inf, metavar="S",
                        help="count a baseline's result only if its task took at most S seconds")
    args = parser.parse_args()
    with open(args.results) as handle:
        print(summarize(json.load(handle), args.within))


if __name__ == "__main__":
    main()
