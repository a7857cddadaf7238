"""EPFL benchmark of issue 6: "sc-opt, then compress2rs, repeated while either gains", starting from ABC's
compress2rs repeated until it stops gaining, against the best ABC result per circuit (shared baselines).

The loop itself lives in `sc_plugin.flows` (flows/epfl_aig.yaml runs it as `sc_loop_from_c2rs_iter` next to the
ABC flows, with time limits, resume and reports); this script keeps the per-circuit CSV of issue 6.
Every final network is proven equivalent to the original circuit (ABC &cec); a result that is not proven counts
as a failure and its circuit keeps the starting point. Results go to a CSV (one row per circuit, appended as
circuits finish, so an interrupted run resumes with --resume) and a summary is printed.

    python benchmarks/epfl_sc_opt.py [--circuits adder,sin] [--engine abc] [--out results/designs/epfl_sc_opt.csv]
"""

from __future__ import annotations

import argparse
import csv
import math
import time
from pathlib import Path

from sc_plugin.abc.runner import optimize_with_abc
from sc_plugin.aig import read_aiger
from sc_plugin.aig.analysis import depth
from sc_plugin.engines.base import Budget
from sc_plugin.engines.cache import CachedEngine, SynthesisCache
from sc_plugin.engines.registry import EngineParams, make_engine
from sc_plugin.flows import abc_until_stable, sc_then_abc_loop
from sc_plugin.rewrite.optimize import RewriteParams, rewrite
from sc_plugin.verify.cec import Verdict, check_equivalence

SHARED = Path(__file__).resolve().parents[2] / "shared" / "benchmarks"
FIELDS = ["circuit", "original", "start_compress2rs_iter", "best_abc", "ours", "levels", "ratio_to_best_abc",
          "iterations", "verified", "cec_s", "time_s"]


def best_abc() -> dict[str, int]:
    """Per circuit, the smaller of compress2rs-repeated and &deepsyn -T 10 (GUIDE §3's 'best of ABC')."""
    best: dict[str, int] = {}
    with open(SHARED / "epfl_abc_baselines.csv") as handle:
        for row in csv.DictReader(handle):
            if row["flow"] in ("compress2rs_iter", "deepsyn_T10") and row["status"] == "ok":
                best[row["circuit"]] = min(best.get(row["circuit"], 1 << 60), int(row["and"]))
    return best


def run_circuit(name: str, engine, params: RewriteParams, max_iterations: int, cec_limit_s: float) -> dict:
    start = time.perf_counter()
    original = read_aiger(SHARED / "epfl" / f"{name}.aig")
    start_point = abc_until_stable(original, "compress2rs", cap=10)
    current, iterations = sc_then_abc_loop(start_point, lambda aig: rewrite(aig, engine, params)[0],
                                           lambda aig: optimize_with_abc(aig, "compress2rs")[0],
                                           max_iterations=max_iterations)
    cec_start = time.perf_counter()
    verdict = check_equivalence(original, current, method="abc", time_limit_s=cec_limit_s).verdict
    cec_s = time.perf_counter() - cec_start
    if verdict is not Verdict.EQUIVALENT:
        current = start_point  # an unproven result is a failure, never a gain
    return {"circuit": name, "original": original.num_ands, "start_compress2rs_iter": start_point.num_ands,
            "ours": current.num_ands, "levels": depth(current), "iterations": iterations,
            "verified": verdict.name.lower(), "cec_s": round(cec_s, 1), "time_s": round(time.perf_counter() - start, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--circuits", default="", help="comma-separated names (default: all 20)")
    parser.add_argument("--engine", default="abc")
    parser.add_argument("--budget-ms", type=float, default=200.0)
    parser.add_argument("--rounds", type=int, default=4, help="sc-opt rounds per iteration")
    parser.add_argument("--iterations", type=int, default=6, help="most sc-opt + compress2rs iterations")
    parser.add_argument("--cec-time-limit", type=float, default=900.0)
    parser.add_argument("--cache", default=None)
    parser.add_argument("--out", type=Path, default=Path("results/designs/epfl_sc_opt.csv"))
    parser.add_argument("--resume", action="store_true", help="skip circuits already in --out")
    args = parser.parse_args()

    best = best_abc()
    names = args.circuits.split(",") if args.circuits else sorted(best, key=lambda n: best[n])
    done: dict[str, dict] = {}
    if args.resume and args.out.exists():
        with open(args.out) as handle:
            done = {row["circuit"]: row for row in csv.DictReader(handle)}
    else:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        with open(args.out, "w", newline="") as handle:
            csv.DictWriter(handle, FIELDS).writeheader()
    engine = CachedEngine(make_engine(EngineParams(name=args.engine)), SynthesisCache(args.cache))
    params = RewriteParams(budget=Budget(time_ms=args.budget_ms), max_rounds=args.rounds)
    for name in names:
        if name in done:
            continue
        row = run_circuit(name, engine, params, args.iterations, args.cec_time_limit)
        row["best_abc"] = best[name]
        row["ratio_to_best_abc"] = round(row["ours"] / best[name], 4)
        done[name] = row
        with open(args.out, "a", newline="") as handle:
            csv.DictWriter(handle, FIELDS).writerow(row)
        print(f"{name:12s} {row['original']:>7} start {row['start_compress2rs_iter']:>7} best ABC {best[name]:>7} "
              f"ours {row['ours']:>7} ratio {row['ratio_to_best_abc']:.4f} {row['verified']} {row['time_s']} s",
              flush=True)
    rows = [done[n] for n in names if n in done]
    total_ours = sum(int(r["ours"]) for r in rows)
    total_best = sum(int(r["best_abc"]) for r in rows)
    geomean = math.exp(sum(math.log(float(r["ratio_to_best_abc"])) for r in rows) / len(rows))
    print(f"total ours {total_ours} vs best ABC {total_best}: ratio {total_ours / total_best:.4f}; "
          f"geometric mean of ratios {geomean:.4f}; {sum(r['verified'] == 'equivalent' for r in rows)}/{len(rows)} "
          f"proven equivalent")


if __name__ == "__main__":
    main()
