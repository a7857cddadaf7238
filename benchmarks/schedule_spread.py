"""The spread of a time-limited schedule: runs `sc-opt --time-limit T` several times on each design and compares
every run with the best baseline of an equal-time run (flows/equal_time.yaml).

    python benchmarks/schedule_spread.py results/designs/equal_time/results.json flows/designs/iscas85/*.aig \
        --runs 2 --time-limit 30 --within 33 --jobs 2

Each design is first made into `strash; dc2` (as the flow's steps start), then `sc-opt IN -o OUT --time-limit T
--engine E --schedule S --json` runs on it once per run, `--jobs` at a time, each in its own process; the output
is proven (`sc-opt`'s own &cec; an unproven run counts as missing). Prints a markdown table (one column per run) and,
per run, the geometric mean of the ratios to the best baseline and the designs above it. A baseline counts as in
`equal_time_summary.py --within`. `&deepsyn` and `&eslim` under a time limit stop where their clock says, so
runs of the same schedule differ; this shows by how much.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from equal_time_summary import best_baselines, proven_ands

from sc_plugin.abc.runner import optimize_with_abc
from sc_plugin.aig import read_aiger, write_aiger


def run_schedule(aig_path: Path, out_path: Path, args: argparse.Namespace) -> int | None:
    """ANDs of one proven `sc-opt` run, None when it failed or was not proven."""
    command = [sys.executable, "-c", "import sys; from sc_plugin.cli.opt import main; sys.exit(main())",
               str(aig_path), "-o", str(out_path), "--time-limit", str(args.time_limit), "--engine", args.engine,
               "--schedule", args.schedule, "--json", "-q"]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        print(f"{aig_path.stem}: sc-opt failed: {done.stderr.strip()[-300:]}", file=sys.stderr)
        return None
    summary = json.loads(done.stdout)
    return summary["ands_after"] if summary["verified"] else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", help="results.json of an equal-time run (the baselines)")
    parser.add_argument("designs", nargs="+", type=Path, help="AIGER files, as the flow reads them")
    parser.add_argument("--runs", type=int, default=2, help="runs per design (default 2)")
    parser.add_argument("--time-limit", type=float, default=30.0, help="seconds per run (default 30)")
    parser.add_argument("--schedule", default="default", help="schedule name or file (default: default)")
    parser.add_argument("--engine", default="abc", help="engine of the schedule's ShortCircuit steps (default: abc, "
                        "as flows/equal_time.yaml runs it)")
    parser.add_argument("--within", type=float, default=math.inf, metavar="S",
                        help="count a baseline's result only if its task took at most S seconds")
    parser.add_argument("--jobs", type=int, default=1, help="runs at a time (default 1)")
    args = parser.parse_args()
    with open(args.results) as handle:
        results = json.load(handle)
    best = best_baselines(results, proven_ands(results, args.within))
    designs = [path for path in args.designs if path.stem in best]
    with tempfile.TemporaryDirectory(prefix="sc_spread_") as folder:
        inputs = {}
        for path in designs:
            inputs[path.stem] = Path(folder) / f"{path.stem}.aig"
            write_aiger(optimize_with_abc(read_aiger(path), "strash; dc2")[0], inputs[path.stem])
        tasks = [(name, run) for run in range(args.runs) for name in inputs]
        with ThreadPoolExecutor(args.jobs) as pool:
            ands = list(pool.map(lambda task: run_schedule(inputs[task[0]], Path(folder) / f"{task[0]}.{task[1]}.aig",
                                                           args), tasks))
    runs = dict(zip(tasks, ands))
    print("| design | best baseline | " + " | ".join(f"run {r + 1}" for r in range(args.runs)) + " |")
    print("|---|---|" + "---|" * args.runs)
    for name in inputs:
        cells = [str(runs[name, r]) if runs[name, r] is not None else "-" for r in range(args.runs)]
        print(f"| {name} | {best[name]} | " + " | ".join(cells) + " |")
    print()
    for r in range(args.runs):
        ratios = {name: runs[name, r] / best[name] for name in inputs if runs[name, r] is not None}
        geo = math.exp(sum(map(math.log, ratios.values())) / len(ratios)) if ratios else float("nan")
        above = [name for name, ratio in ratios.items() if ratio > 1.0]
        print(f"Run {r + 1}: {len(ratios)} of {len(inputs)} designs proven; geometric mean of the ratios {geo:.4f}; "
              f"above the best baseline on {len(above)}: {', '.join(above) or 'none'}.")


if __name__ == "__main__":
    main()
