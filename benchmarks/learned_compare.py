"""Compares learned-engine checkpoints on the shared cut sets at the same budgets, and prints a markdown table.

  python benchmarks/learned_compare.py --checkpoint supervised=runs/supervised3/best.pt \
      --checkpoint rl=runs/rl/best.pt [--sets cut8 cut8_hard cut6] [--modes 0/0 8/0 0/8] [--limit N] \
      [--json OUT.json] [--by-size] [--common] [--fallback off on] [--polish off on] \
      [--precision float32 bfloat16] [--engine-report]

A mode S/R is S simulations per move for the first episode (0 = greedy) and R rollouts sampled at temperature 0.5.
Per (set, mode, checkpoint): functions solved, ANDs on the solved ones against dc2;resyn2 and against
&deepsyn -T 1 where that column is filled (same functions), and the median time per function (batches of 100 on one
core, the batch's time divided by its size). Cap 30 ANDs, 10 s per function. --by-size adds, per run, the share solved
at each size of the best ABC result (best_abc_and), which shows where the failures lie. --common adds, per set and
mode, each checkpoint's ANDs on the functions that every checkpoint solved, so that sizes compare like for like.
--fallback on runs each checkpoint also (or only) with the decomposition fallback (engines/decompose.py), named
NAME+decompose in the tables and compared like another checkpoint; --polish on likewise polishes its results
(engines/polish.py, NAME+polish). --engine-report prints each run's engine stats (with polishing: the ANDs before
and after it). --precision runs each in the network dtypes given
(MctsParams.precision; a dtype other than auto is added to the name).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from sc_plugin.engines.learned import PRECISIONS
from sc_plugin.training.evaluate import EvalParams, evaluate_set

CUTS = Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "cuts"
SETS = {"cut8": "cut8_tt.txt", "cut8_hard": "cut8_tt_hard.txt", "cut6": "cut6_tt.txt"}
POOLED_SIZE = 17  # --by-size: best ABC sizes from here up share one column (few functions each)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkpoint", action="append", required=True, help="NAME=PATH, repeatable")
    parser.add_argument("--sets", nargs="+", default=list(SETS), choices=list(SETS))
    parser.add_argument("--modes", nargs="+", default=["0/0", "8/0", "0/8"],
                        help="SIMULATIONS/ROLLOUTS pairs (0/0 = greedy only)")
    parser.add_argument("--limit", type=int, help="only the first N functions of each set")
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--json", help="write all summaries here")
    parser.add_argument("--by-size", action="store_true", help="also print the share solved per best ABC size")
    parser.add_argument("--common", action="store_true",
                        help="also print ANDs on the functions that every checkpoint solved")
    parser.add_argument("--fallback", nargs="+", default=["off"], choices=["off", "on"],
                        help="without and/or with the decomposition fallback")
    parser.add_argument("--polish", nargs="+", default=["off"], choices=["off", "on"],
                        help="without and/or with polishing the results")
    parser.add_argument("--engine-report", action="store_true", help="print each run's engine stats")
    parser.add_argument("--precision", nargs="+", default=["auto"], choices=PRECISIONS,
                        help="the network's dtype in search (MctsParams.precision)")
    args = parser.parse_args()
    checkpoints = dict(item.split("=", 1) for item in args.checkpoint)
    variants = [(name + ("+decompose" if fallback == "on" else "") + ("+polish" if polish == "on" else "")
                 + ("" if precision == "auto" else f" {precision}"), path, fallback == "on", polish == "on", precision)
                for name, path in checkpoints.items() for fallback in args.fallback for polish in args.polish
                for precision in args.precision]
    summaries = []
    size_tables = []
    common_lines = []
    modes = [tuple(int(x) for x in mode.split("/")) for mode in args.modes]
    print("| set | sims/rollouts | checkpoint | solved | ANDs on solved | vs dc2;resyn2 | vs &deepsyn -T 1 | median s |")
    print("|---|---|---|---|---|---|---|---|")
    for set_name in args.sets:
        for simulations, rollouts in modes:
            rows_by_checkpoint = {}
            for name, path, fallback, polish, precision in variants:
                params = EvalParams(simulations=simulations, rollouts=rollouts, batch_size=args.batch_size,
                                    limit=args.limit, checkpoint=path, fallback=fallback, polish=polish,
                                    precision=precision)
                summary, rows = evaluate_set(CUTS / SETS[set_name], params)
                rows_by_checkpoint[name] = rows
                if args.by_size:
                    size_tables.append((f"{set_name} {simulations}/{rollouts} {name}", _solved_by_size(rows)))
                summaries.append({"set": set_name, "checkpoint": name, "path": path, **summary.to_dict()})
                print(f"| {set_name} | {simulations}/{rollouts} | {name} | {summary.solved}/{summary.functions} "
                      f"({100 * summary.success_rate:.1f}%) | {summary.ands_on_solved} | "
                      f"{_versus(summary.abc_on_solved.get('dc2_resyn2_and'))} | "
                      f"{_versus(summary.abc_on_solved.get('deepsyn_T1_and'))} | {summary.median_time_s:.3f} |",
                      flush=True)
                if args.engine_report:
                    print(f"<!-- {set_name} {simulations}/{rollouts} {name}: {summary.engine_report} -->", flush=True)
            if args.common:
                common_lines.append(_common_line(f"{set_name} {simulations}/{rollouts}", rows_by_checkpoint))
    if args.common:
        print("\n| set and mode | functions all solved | ANDs per checkpoint | dc2;resyn2 |")
        print("|---|---|---|---|")
        print("\n".join(common_lines))
    if args.by_size:
        _print_size_tables(size_tables)
    if args.json:
        Path(args.json).write_text(json.dumps(summaries, indent=1))


def _solved_by_size(rows: list[dict]) -> dict[int, tuple[int, int]]:
    """{best ABC size: (solved, functions)}, sizes of POOLED_SIZE and more pooled under POOLED_SIZE."""
    table: dict[int, tuple[int, int]] = {}
    for row in rows:
        size = min(row["best_abc_and"], POOLED_SIZE)
        solved, functions = table.get(size, (0, 0))
        table[size] = (solved + (row["ours"] is not None), functions + 1)
    return dict(sorted(table.items()))


def _common_line(label: str, rows_by_checkpoint: dict[str, list[dict]]) -> str:
    """A markdown row: each checkpoint's ANDs on the functions that all of them solved, and dc2;resyn2's there."""
    first = next(iter(rows_by_checkpoint.values()))
    solved_by_all = [all(rows[i]["ours"] is not None for rows in rows_by_checkpoint.values())
                     for i in range(len(first))]
    totals = {name: sum(row["ours"] for row, keep in zip(rows, solved_by_all) if keep)
              for name, rows in rows_by_checkpoint.items()}
    reference = sum(row["dc2_resyn2_and"] for row, keep in zip(first, solved_by_all) if keep)
    ands = ", ".join(f"{name} {total}" for name, total in totals.items())
    return f"| {label} | {sum(solved_by_all)} | {ands} | {reference} |"


def _print_size_tables(size_tables: list[tuple[str, dict[int, tuple[int, int]]]]) -> None:
    sizes = sorted({size for _, table in size_tables for size in table})
    labels = [f"{size}" if size < POOLED_SIZE else f">{POOLED_SIZE - 1}" for size in sizes]
    print("\n| run \\ best ABC ANDs | " + " | ".join(labels) + " |")
    print("|---" * (len(sizes) + 1) + "|")
    for label, table in size_tables:
        cells = [f"{table[s][0]}/{table[s][1]}" if s in table else "-" for s in sizes]
        print(f"| {label} | " + " | ".join(cells) + " |")


def _versus(column: dict | None) -> str:
    if not column or not column["functions"]:
        return "-"
    return f"{column['ours']} vs {column['abc']} on {column['functions']}"


if __name__ == "__main__":
    main()
