"""Compares the proven results of a flow run with the best-known EPFL AIG sizes (benchmarks/data/epfl_best_known.csv).

    python benchmarks/best_known.py results/designs/long_budget/results.json [--flow schedule_180s]

Prints markdown: per circuit the flow's ANDs, the best-known size and their ratio, then the totals over the
circuits the run has a proven result for. A result without a proof does not count.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
from pathlib import Path

REFERENCE = Path(__file__).resolve().parent / "data" / "epfl_best_known.csv"


def best_known() -> dict[str, int]:
    with REFERENCE.open() as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return {row["circuit"]: int(row["ands"]) for row in rows}


def compare(results: dict, flow: str) -> str:
    reference = best_known()
    lines = ["| circuit | " + flow + " | best known | ratio |", "|---|---|---|---|"]
    ours = known = 0
    ratios = []
    for record in results["records"]:
        if record["flow"] != flow or record["design"] not in reference:
            continue
        if record["status"] != "ok" or record["verified"] != "equivalent":
            lines.append(f"| {record['design']} | not proven ({record['status']}) | {reference[record['design']]} | - |")
            continue
        best = reference[record["design"]]
        ours, known = ours + record["ands"], known + best
        ratios.append(record["ands"] / best)
        lines.append(f"| {record['design']} | {record['ands']} | {best} | {record['ands'] / best:.4f} |")
    if ratios:
        geo = math.exp(sum(map(math.log, ratios)) / len(ratios))
        lines += ["", f"Circuits: {len(ratios)}. Total ANDs: {flow} {ours:,}, best known {known:,} "
                      f"({ours / known:.4f}). Geometric mean of the ratios: {geo:.4f}."]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", help="results.json of an sc-flow run")
    parser.add_argument("--flow", default="schedule_180s", help="the flow to compare (default: schedule_180s)")
    args = parser.parse_args()
    print(compare(json.loads(Path(args.results).read_text()), args.flow))


if __name__ == "__main__":
    main()
